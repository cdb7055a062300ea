package client

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The arguments every provider shares are checked here, once: by the tools
// before any call (so no credits are spent on a request the API would
// reject) and by the providers for callers of this package.

// MaxURLLength is AlterLab's documented URL limit; Anakin states none, so
// the lower bound serves both.
const MaxURLLength = 8192

// CheckURL validates an absolute http(s) URL argument named field.
func CheckURL(provider, field, raw string) *Error {
	raw = strings.TrimSpace(raw)
	bad := func(format string, args ...any) *Error {
		return &Error{Provider: provider, Code: CodeInvalidArgument, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	switch {
	case raw == "":
		return bad("%s is required: an absolute http(s) URL such as https://example.com/page", field)
	case len(raw) > MaxURLLength:
		return bad("%s is %d characters long; the limit is %d", field, len(raw), MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("%s is not a valid URL: %v", field, strings.TrimPrefix(err.Error(), "parse "))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		if u.Scheme == "" {
			return bad("%s %q has no scheme; use an absolute URL starting with https:// or http://", field, clipText(raw, 200))
		}
		return bad("%s uses the %q scheme; only http and https URLs can be fetched", field, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return bad("%s %q has no host", field, clipText(raw, 200))
	}
	return nil
}

// CheckCountry validates a two-letter ISO 3166-1 country code and returns
// it in lower case ("" when none was given).
func CheckCountry(provider, raw string) (string, *Error) {
	c := strings.ToLower(strings.TrimSpace(raw))
	if c == "" {
		return "", nil
	}
	if len(c) != 2 || strings.Trim(c, "abcdefghijklmnopqrstuvwxyz") != "" {
		return "", &Error{Provider: provider, Code: CodeInvalidArgument, Field: "country",
			Message: fmt.Sprintf("country must be a two-letter ISO 3166-1 code such as \"us\" or \"de\", got %q", clipText(raw, 20))}
	}
	return c, nil
}

// clipText cuts s to at most n bytes on a rune boundary, marking the cut.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
