package local

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scrapemcp/scrapemcp/client"
)

// contentKind is how a response body is turned into a page.
type contentKind int

const (
	kindBinary contentKind = iota // refused: no text to read
	kindHTML                      // readability, then Markdown
	kindText                      // returned as it is
	kindJSON                      // pretty-printed in a ```json fence
	kindXML                       // as it is, in an ```xml fence
)

// kindOf maps a lower-case media type to a kind. "" is unknown: the
// caller sniffs the body.
func kindOf(mt string) contentKind {
	switch {
	case mt == "text/html" || mt == "application/xhtml+xml":
		return kindHTML
	case mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json"):
		return kindJSON
	case mt == "image/svg+xml":
		return kindBinary
	case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"):
		return kindXML
	case strings.HasPrefix(mt, "text/"),
		mt == "application/javascript", mt == "application/x-javascript", mt == "application/ecmascript",
		mt == "application/x-ndjson", mt == "application/yaml", mt == "application/x-yaml", mt == "application/toml":
		return kindText
	}
	return kindBinary
}

// unsupportedContent names what can read a body the local fetcher cannot.
func unsupportedContent(target, mt string) *client.Error {
	var hint string
	switch {
	case mt == "application/pdf":
		hint = "AlterLab (mode pdf) or Anakin can read PDFs; set ALTERLAB_API_KEY or ANAKIN_API_KEY."
	case strings.HasPrefix(mt, "image/"):
		hint = "It is an image, which has no text to return; an API provider (set ANAKIN_API_KEY or ALTERLAB_API_KEY) may be able to describe or OCR it."
	default:
		hint = "The local fetcher reads HTML, text, JSON and XML only; an API provider (set ANAKIN_API_KEY or ALTERLAB_API_KEY) may read other documents."
	}
	if mt == "" {
		mt = "binary data"
	}
	return localErr(client.CodeUnsupportedContent, fmt.Sprintf("%s is %s, not a web page. %s", target, mt, hint), nil)
}

// fence wraps s in a Markdown code fence longer than any backtick run in s.
func fence(lang, s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	f := strings.Repeat("`", max(3, longest+1))
	return f + lang + "\n" + strings.TrimRight(s, "\n") + "\n" + f
}

// prettyJSON indents valid JSON and leaves anything else as it is (a cut
// body is not valid JSON, and is still worth reading).
func prettyJSON(s string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(s), "", "  "); err != nil {
		return s
	}
	return b.String()
}
