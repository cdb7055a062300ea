package anakintest

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"

	"github.com/scrapemcp/scrapemcp/client/internal/fakehttp"
)

// Title is the heading the fake gives the page at u.
func Title(u string) string { return fakehttp.Title(u) }

// Markdown is the page the fake returns for u: a heading, the URL, a few
// links, deterministic prose. size > 0 pads or cuts it to exactly size bytes
// (at a rune boundary).
func Markdown(u string, size int) string { return fakehttp.Markdown("Anakin", u, size) }

// HTML is the page's HTML form.
func HTML(u string) string {
	t := html.EscapeString(Title(u))
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1><p>Source: %s</p><ul>", t, t, html.EscapeString(u))
	for _, l := range Links(u) {
		fmt.Fprintf(&b, `<li><a href="%s">%s</a></li>`, html.EscapeString(l.Href), html.EscapeString(l.Text))
	}
	b.WriteString("</ul></body></html>")
	return b.String()
}

// Link is one entry of a page's links, as Anakin returns them.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// Links are the links on the page at u: a few same-site pages.
func Links(u string) []Link {
	var out []Link
	for _, l := range fakehttp.Links(u) {
		out = append(out, Link{Href: l.URL, Text: l.Text})
	}
	return out
}

// generatedJSON fills the schema's top-level properties with values derived
// from the URL, wrapped in {"data": …} as Anakin documents it.
func generatedJSON(u string, schema json.RawMessage) map[string]any {
	data, _ := fakehttp.SchemaValues(u, schema)
	return map[string]any{"data": data}
}
