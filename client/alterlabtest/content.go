package alterlabtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Title is the heading the fake gives the page at u.
func Title(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "Fake page"
	}
	path := strings.Trim(p.Path, "/")
	if path == "" {
		return p.Host
	}
	return p.Host + " / " + path
}

// Markdown is the page the fake returns for u: a heading, the URL, a few
// links, deterministic prose. size > 0 pads or cuts it to exactly size bytes
// (at a rune boundary).
func Markdown(u string, size int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\nSource: %s\n\nThis is the fake AlterLab rendering of %s. Its content is generated from the URL, so the same URL always reads the same.\n\n## Links\n\n", Title(u), u, u)
	for _, l := range Links(u) {
		fmt.Fprintf(&b, "- [%s](%s)\n", l.Text, l.URL)
	}
	if size <= 0 {
		return b.String()
	}
	for i := 1; b.Len() < size; i++ {
		fmt.Fprintf(&b, "\nParagraph %d of %s: lorem ipsum dolor sit amet, consectetur adipiscing elit.\n", i, u)
	}
	s := b.String()[:size]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

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
	base := siteBase(u)
	return []Link{{base + "/about", "About"}, {base + "/docs", "Docs"}, {base + "/blog", "Blog"}}
}

// LinkURLs are Links' URLs.
func LinkURLs(u string) []string {
	var out []string
	for _, l := range Links(u) {
		out = append(out, l.URL)
	}
	return out
}

func siteBase(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "https://example.com"
	}
	return p.Scheme + "://" + p.Host
}

func contentHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// Extraction fills the schema's top-level properties with values derived
// from the URL, as content.json (and filtered_content) carry them. Without
// a schema it is {"title", "url"}, plus "answer" when a prompt was given.
func Extraction(u string, schema json.RawMessage, prompt string) map[string]any {
	var s struct {
		Properties map[string]struct {
			Type any `json:"type"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(schema, &s)
	data := map[string]any{}
	if len(s.Properties) == 0 {
		data["title"], data["url"] = Title(u), u
		if prompt != "" {
			data["answer"] = "fake answer to: " + prompt
		}
	}
	for name, p := range s.Properties {
		t, _ := p.Type.(string)
		if list, ok := p.Type.([]any); ok && len(list) > 0 {
			t, _ = list[0].(string)
		}
		switch t {
		case "number", "integer":
			data[name] = 42
		case "boolean":
			data[name] = true
		case "array":
			data[name] = []any{}
		case "object":
			data[name] = map[string]any{}
		default:
			data[name] = name + " of " + u
		}
	}
	return data
}

// CrawlURLs are the pages a crawl of start finds: start, then numbered pages
// of the same site.
func CrawlURLs(start string, n int) []string {
	out := make([]string, 0, n)
	if n > 0 {
		out = append(out, start)
	}
	base := siteBase(start)
	for i := 1; len(out) < n; i++ {
		out = append(out, fmt.Sprintf("%s/page-%d", base, i))
	}
	return out
}

// MapURLs are the URLs a map of start lists.
func MapURLs(start string, limit int, search string, subdomains bool) []string {
	base := siteBase(start)
	slug := strings.ToLower(strings.Join(strings.Fields(search), "-"))
	out := make([]string, 0, limit)
	out = append(out, base+"/")
	for i := 1; len(out) < limit; i++ {
		switch {
		case slug != "":
			out = append(out, fmt.Sprintf("%s/%s-%d", base, url.PathEscape(slug), i))
		case subdomains && i%10 == 0:
			p, _ := url.Parse(base)
			out = append(out, fmt.Sprintf("%s://blog.%s/post-%d", p.Scheme, p.Host, i))
		default:
			out = append(out, fmt.Sprintf("%s/page-%d", base, i))
		}
	}
	return out[:min(len(out), limit)]
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
