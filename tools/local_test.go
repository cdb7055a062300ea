package tools

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scrapemcp/scrapemcp/client/local"
)

// The real local backend behind the scrape tool: a long article read in
// max_length windows reassembles to exactly the Markdown of one read.
func TestLocalScrapePagingReassemblesTheArticle(t *testing.T) {
	var body strings.Builder
	body.WriteString("<html><head><title>Long</title></head><body><article><h1>Long</h1>")
	for i := range 400 {
		fmt.Fprintf(&body, "<h2>Part %d</h2><p>Paragraph %d of a long article — with accents (é, ü) and a <a href=\"/p%d\">link</a>.</p>", i, i, i)
	}
	body.WriteString("</article></body></html>")
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(body.String()))
	}))
	t.Cleanup(site.Close)
	p, err := local.New(local.Options{AllowHosts: []string{"127.0.0.1"}, PerHostRate: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	fake := newFake()
	h := newHarness(t, fake, 20000)
	h.deps.Provider = p
	ctx := context.Background()

	var whole ScrapeResult
	h.out(h.call(ctx, "scrape", map[string]any{"url": site.URL + "/", "max_length": 1000000}), &whole)
	if whole.Truncated || !strings.Contains(whole.Markdown, "## Part 399") {
		t.Fatalf("one read: truncated=%v, %d chars", whole.Truncated, len(whole.Markdown))
	}
	var got strings.Builder
	for start := 0; ; {
		var r ScrapeResult
		h.out(h.call(ctx, "scrape", map[string]any{"url": site.URL + "/", "max_length": 3000, "start_index": start}), &r)
		got.WriteString(r.Markdown)
		if !r.Truncated {
			break
		}
		start = r.NextStartIndex
	}
	if got.String() != whole.Markdown {
		t.Fatalf("windows reassemble to %d chars, one read gave %d", got.Len(), len(whole.Markdown))
	}
}
