package alterlabtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"

	"github.com/scrapemcp/scrapemcp/client/internal/fakehttp"
)

// Title is the heading the fake gives the page at u.
func Title(u string) string { return fakehttp.Title(u) }

// Markdown is the page the fake returns for u: a heading, the URL, a few
// links, deterministic prose. size > 0 pads or cuts it to exactly size bytes
// (at a rune boundary).
func Markdown(u string, size int) string { return fakehttp.Markdown("AlterLab", u, size) }

// HTML is the page's HTML form.
func HTML(u string) string {
	t := html.EscapeString(Title(u))
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%s</title><meta name="description" content="%s"></head><body><main><h1>%s</h1><p>Source: %s</p><ul>`,
		t, html.EscapeString(Description(u)), t, html.EscapeString(u))
	for _, l := range Links(u) {
		fmt.Fprintf(&b, `<li><a href="%s">%s</a></li>`, html.EscapeString(l.URL), html.EscapeString(l.Text))
	}
	b.WriteString("</ul></main></body></html>")
	return b.String()
}

// Description is the page's meta description.
func Description(u string) string { return "Fake page for " + u }

// Link is one entry of a page's links, as the content format returns them.
type Link struct {
	URL  string `json:"url"`
	Text string `json:"text"`
}

// Links are the links on the page at u: a few same-site pages.
func Links(u string) []Link {
	var out []Link
	for _, l := range fakehttp.Links(u) {
		out = append(out, Link{URL: l.URL, Text: l.Text})
	}
	return out
}

// LinkURLs are Links' URLs.
func LinkURLs(u string) []string {
	var out []string
	for _, l := range Links(u) {
		out = append(out, l.URL)
	}
	return out
}

func contentHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// Extraction fills the schema's top-level properties with values derived
// from the URL, as content.json (and filtered_content) carry them. Without
// a schema it is {"title", "url"}, plus "answer" when a prompt was given.
func Extraction(u string, schema json.RawMessage, prompt string) map[string]any {
	data, fromSchema := fakehttp.SchemaValues(u, schema)
	if !fromSchema && prompt != "" {
		data["answer"] = "fake answer to: " + prompt
	}
	return data
}

// CrawlURLs are the pages a crawl of start finds: start, then numbered pages
// of the same site.
func CrawlURLs(start string, n int) []string { return fakehttp.CrawlURLs(start, n) }

// MapURLs are the URLs a map of start lists.
func MapURLs(start string, limit int, search string, subdomains bool) []string {
	return fakehttp.MapURLs(start, limit, search, subdomains)
}

// SearchURL is the URL of the i-th (1-based) hit for query.
func SearchURL(query string, i int) string {
	slug := strings.ToLower(strings.Join(strings.Fields(stripMagic(query)), "-"))
	if len(slug) > 40 {
		slug = slug[:40]
	}
	return fmt.Sprintf("https://result%d.example.com/%s", i, url.PathEscape(slug))
}

// stripMagic removes a fake=… word from a search query.
func stripMagic(q string) string {
	var keep []string
	for _, w := range strings.Fields(q) {
		if !strings.HasPrefix(w, "fake=") {
			keep = append(keep, w)
		}
	}
	return strings.Join(keep, " ")
}
