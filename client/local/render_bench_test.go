package local

import (
	"strings"
	"testing"
	"time"

	"github.com/scrapemcp/scrapemcp/client"
)

// BenchmarkScrapeRenderedVsPlain scrapes the same article two ways in one
// run: served as HTML and fetched plainly (the baseline), and built by a
// script and rendered in the browser. It reports both times and their
// ratio (x-plain).
//
//	go test ./client/local -run XXX -bench RenderedVsPlain -benchtime 10x
func BenchmarkScrapeRenderedVsPlain(b *testing.B) {
	var article strings.Builder
	article.WriteString("<article><h1>Article</h1>")
	for i := range 200 {
		article.WriteString("<h2>Section</h2><p>Paragraph " + strings.Repeat("of the article with words ", 3) + "and a <a href='/s'>link</a> numbered " + string(rune('a'+i%26)) + ".</p>")
	}
	article.WriteString("</article>")
	static := "<!doctype html><html><head><title>Bench</title></head><body>" + article.String() + "</body></html>"
	spa := `<!doctype html><html><head><title>Bench</title></head><body><div id="root"></div><script>
document.getElementById("root").innerHTML = ` + "`" + article.String() + "`" + `;</script></body></html>`
	s := newSite(b, pages(map[string]string{"/static": static, "/spa": spa, "/robots.txt": ""}, "text/html"))
	path := browserPath(b)
	p, err := newProvider(Options{AllowHosts: []string{strings.TrimPrefix(s.URL, "http://")}, PerHostRate: -1, BrowserPath: path}, netHooks{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	ctx := b.Context()
	run := func(url string, browser bool) time.Duration {
		start := time.Now()
		page, err := p.Scrape(ctx, client.ScrapeRequest{URL: url, UseBrowser: browser})
		if err != nil || !strings.Contains(page.Markdown, "numbered z") {
			b.Fatalf("%s: %v", url, err)
		}
		return time.Since(start)
	}
	run(s.URL+"/spa", true) // start the browser outside the timing
	var plain, rendered time.Duration
	b.ResetTimer()
	for range b.N {
		plain += run(s.URL+"/static", false)
		rendered += run(s.URL+"/spa", true)
	}
	b.ReportMetric(float64(plain.Microseconds())/float64(b.N)/1000, "ms/plain")
	b.ReportMetric(float64(rendered.Microseconds())/float64(b.N)/1000, "ms/rendered")
	b.ReportMetric(float64(rendered)/float64(plain), "x-plain")
}
