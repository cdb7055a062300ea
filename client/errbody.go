package client

import (
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Helpers both providers use to read error bodies.

// stringField reads a JSON string (or number) field, trimmed; "" otherwise.
func stringField(raw json.RawMessage) string {
	var s lenientString
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(string(s))
}

// anyValue decodes raw for Details, keeping undecodable bytes as a string.
func anyValue(raw json.RawMessage) any {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	return v
}

func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "HTTP " + strconv.Itoa(status)
}

var (
	htmlBlocks = regexp.MustCompile(`(?is)<(script|style|head)\b.*?</(script|style|head)>`)
	htmlTags   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// maxSnippet bounds how much of a non-JSON error page reaches the agent.
const maxSnippet = 200

// snippet describes a non-JSON error body (a load balancer's HTML 502 page,
// a plain-text 504) by its status text and a short, tag-free excerpt.
func snippet(status int, body []byte) string {
	text := statusText(status)
	s := string(body[:min(len(body), 16<<10)])
	if strings.Contains(s, "<") {
		s = html.UnescapeString(htmlTags.ReplaceAllString(htmlBlocks.ReplaceAllString(s, " "), " "))
	}
	s = strings.ToValidUTF8(strings.Join(strings.Fields(s), " "), "")
	if len(s) > maxSnippet {
		cut := maxSnippet - len("…")
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = strings.TrimSpace(s[:cut]) + "…"
	}
	switch {
	case s == "":
		return text
	case strings.Contains(strings.ToLower(s), strings.ToLower(text)):
		return s
	}
	return text + ": " + s
}
