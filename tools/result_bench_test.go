package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/scrapemcp/scrapemcp/client"
)

// BenchmarkScrapeResultBuilding is what a scrape does after the provider
// answers: window a 20 KB page, build the structured result and its text,
// and marshal the MCP result as the transport will.
func BenchmarkScrapeResultBuilding(b *testing.B) {
	md := strings.Repeat("Some **markdown** with [a link](https://example.com/x) and words.\n\n", 300)
	p := &client.Page{URL: "https://example.com/a", FinalURL: "https://example.com/a", StatusCode: 200, Title: "A page",
		Markdown: md, Links: []string{"https://example.com/b", "https://example.com/c"}}
	sr := client.ScrapeRequest{URL: p.URL, Formats: []string{"markdown"}}
	b.SetBytes(int64(len(md)))
	b.ReportAllocs()
	for b.Loop() {
		res := scrapeResult("local", p, sr, 0, DefaultMaxOutput)
		r := success(res, res.text(), nil)
		if _, err := json.Marshal(r); err != nil {
			b.Fatal(err)
		}
	}
}
