package local

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzHTMLToMarkdown drives arbitrary bytes through the whole HTML path:
// charset detection, parsing, metadata and links, readability and Markdown.
// A panic anywhere here would take a crawl goroutine, and the server, down.
func FuzzHTMLToMarkdown(f *testing.F) {
	for _, s := range []string{
		article,
		"<table><tr><td>a<td>b<tr><th colspan=99999>c</table>",
		"<html><head><base href='javascript:x'><meta http-equiv=refresh content='0;url='></head><body><a href='http://[::1'>x</a>",
		"<svg><title>t</title><a href=//evil>e</a></svg><math><mi><table><tr><td>",
		"\xff\xfe<\x00h\x001\x00>\x00",
		"<pre><code>```</code></pre><h1><h2><h3>nested</h3></h2></h1><ul><li><ol><li>x",
		"<meta charset=shift_jis><p>\x82\xa0\x82\xa2</p>",
		strings.Repeat("<div>deep <a href=/x>x</a>", 600),
		"<title>t</title><base href=/b/><nav>n</nav><script>s</script><h2>h</h2><li>l<br>m<td>c",
	} {
		f.Add([]byte(s))
	}
	p, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer p.Close()
	// A second provider with a tiny budget drives every input through the
	// fallbacks too: the token stream and the plain-text tree rendering.
	tiny, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer tiny.Close()
	tiny.budget = extractBudget{treeElements: 8, mainElements: 2, markdownElements: 4}
	base, _ := url.Parse("https://example.com/dir/page.html")
	f.Fuzz(func(t *testing.T, data []byte) {
		src := toUTF8(data, "text/html", true)
		for _, c := range []struct {
			p *Provider
			o extractOpts
		}{
			{p, extractOpts{onlyMain: true, markdown: true, html: true}},
			{p, extractOpts{markdown: true, html: true}},
			{tiny, extractOpts{onlyMain: true, markdown: true, html: true}},
			{tiny, extractOpts{markdown: true}},
		} {
			ex, err := c.p.extractHTML(t.Context(), src, base, c.o)
			if err != nil {
				t.Fatalf("extraction failed with a live context: %v", err)
			}
			for _, l := range ex.links {
				if u, err := url.Parse(l); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Fragment != "" {
					t.Fatalf("link %q is not an absolute http(s) URL without fragment", l)
				}
			}
		}
	})
}
