package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// articleHTML is a page of about n bytes that readability keeps most of: a
// header and nav to drop, then an article of paragraphs, lists and tables.
func articleHTML(n int) string {
	var b strings.Builder
	b.WriteString(`<!doctype html><html><head><meta charset="utf-8"><title>Benchmark article</title></head><body>`)
	b.WriteString(`<header><nav><a href="/">Home</a> <a href="/about">About</a></nav></header><main><article><h1>Benchmark article</h1>`)
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `<h2>Section %d</h2><p>This is paragraph %d of the benchmark article. It has <a href="/p/%d">a link</a>, <strong>bold text</strong> and <em>emphasis</em>, and enough words to look like prose that a reader would keep.</p>`, i, i, i)
		if i%5 == 0 {
			fmt.Fprintf(&b, `<ul><li>item %d.1</li><li>item %d.2</li><li>item %d.3</li></ul>`, i, i, i)
		}
	}
	b.WriteString(`</article></main><footer>© bench</footer></body></html>`)
	return b.String()
}

// articleMarkdown is roughly what a converter makes of articleHTML(n): what
// the fake Firecrawl API hands back.
func articleMarkdown(n int) string {
	var b strings.Builder
	b.WriteString("# Benchmark article\n\n")
	for i := 0; b.Len() < n*6/10; i++ {
		fmt.Fprintf(&b, "## Section %d\n\nThis is paragraph %d of the benchmark article. It has [a link](/p/%d), **bold text** and _emphasis_, and enough words to look like prose that a reader would keep.\n\n", i, i, i)
	}
	return b.String()
}

// crawlPage is page n of a generated site of total pages: a short article
// linking to its ten children (10n+1 … 10n+10), so the site is a tree of
// depth 3 for 1,000 pages.
func crawlPage(n, total int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html><head><title>Page %d</title></head><body><main><article><h1>Page %d</h1>`, n, n)
	for i := range 6 {
		fmt.Fprintf(&b, `<p>Paragraph %d of page %d, with enough words in it to read like a sentence of real content on a small site.</p>`, i, n)
	}
	b.WriteString(`<ul>`)
	for c := 10*n + 1; c <= 10*n+10 && c < total; c++ {
		fmt.Fprintf(&b, `<li><a href="/site/%d">Page %d</a></li>`, c, c)
	}
	b.WriteString(`</ul></article></main></body></html>`)
	return b.String()
}

// site is the loopback origin every server fetches from, and the fake
// Firecrawl API firecrawl-mcp is pointed at. Every answer takes latency.
type site struct {
	url          string
	latency      time.Duration
	crawlLatency time.Duration
	crawlPages   int
	page, md     string
	srv          *http.Server
}

func startSite(latency, crawlLatency time.Duration, pageBytes, crawlPages int) (*site, error) {
	s := &site{latency: latency, crawlLatency: crawlLatency, crawlPages: crawlPages, page: articleHTML(pageBytes), md: articleMarkdown(pageBytes)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.url = "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", http.NotFound)
	mux.HandleFunc("/a/", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(s.latency)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, s.page)
	})
	mux.HandleFunc("/site/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 0 || n >= s.crawlPages {
			http.NotFound(w, r)
			return
		}
		time.Sleep(s.crawlLatency)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, crawlPage(n, s.crawlPages))
	})
	// Firecrawl's v2 scrape: the Markdown comes from the API, as it does
	// from the real service.
	mux.HandleFunc("POST /v2/scrape", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			URL string `json:"url"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		time.Sleep(s.latency)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "data": map[string]any{
			"markdown": s.md,
			"metadata": map[string]any{"title": "Benchmark article", "sourceURL": in.URL, "url": in.URL, "statusCode": 200},
		}})
	})
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}
