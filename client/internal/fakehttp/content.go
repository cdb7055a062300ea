package fakehttp

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The fakes serve pages generated from the URL, so that the same URL always
// reads the same and a test can compute what it should get back.

// Title is the heading the fakes give the page at u.
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

// SiteBase is u's scheme and host.
func SiteBase(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "https://example.com"
	}
	return p.Scheme + "://" + p.Host
}

// Link is one link on a generated page.
type Link struct{ URL, Text string }

// Links are the links on the page at u: a few same-site pages.
func Links(u string) []Link {
	base := SiteBase(u)
	return []Link{{base + "/about", "About"}, {base + "/docs", "Docs"}, {base + "/blog", "Blog"}}
}

// Markdown is the page at u as the provider (by name) renders it: a
// heading, the URL, the links, deterministic prose. size > 0 pads or cuts
// it to exactly size bytes (at a rune boundary).
func Markdown(provider, u string, size int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\nSource: %s\n\nThis is the fake %s rendering of %s. Its content is generated from the URL, so the same URL always reads the same.\n\n## Links\n\n", Title(u), u, provider, u)
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

// SchemaValues fills the schema's top-level properties with values derived
// from u. A schema without properties gets {"title", "url"}, and ok false.
func SchemaValues(u string, schema json.RawMessage) (data map[string]any, ok bool) {
	var s struct {
		Properties map[string]struct {
			Type any `json:"type"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(schema, &s)
	data = map[string]any{}
	if len(s.Properties) == 0 {
		data["title"], data["url"] = Title(u), u
		return data, false
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
	return data, true
}

// CrawlURLs are the pages a crawl of start finds: start, then numbered pages
// of the same site.
func CrawlURLs(start string, n int) []string {
	out := make([]string, 0, n)
	if n > 0 {
		out = append(out, start)
	}
	base := SiteBase(start)
	for i := 1; len(out) < n; i++ {
		out = append(out, fmt.Sprintf("%s/page-%d", base, i))
	}
	return out
}

// MapURLs are the URLs a map of start lists: pages named after the search
// when there is one, with a blog subdomain every tenth when subdomains are
// included.
func MapURLs(start string, limit int, search string, subdomains bool) []string {
	base := SiteBase(start)
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

// Magic reads fake=<name>[:<arg>] from a target URL's query, or from any
// text (a search query or prompt) as a "fake=…" word: it is how a test asks
// a fake for a failure without scripting it.
func Magic(s string) (name, arg string) {
	v := ""
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		v = u.Query().Get("fake")
	}
	if v == "" {
		if i := strings.Index(s, "fake="); i >= 0 {
			v = strings.Fields(s[i+len("fake="):] + " ")[0]
		}
	}
	name, arg, _ = strings.Cut(v, ":")
	return name, arg
}
