package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/local"
	"github.com/scrapemcp/scrapemcp/tools"
	"github.com/scrapemcp/scrapemcp/transport"
)

// Latency is the loopback site's fixed answer time: what every figure here
// is measured against (the "floor" of a call).
const Latency = 50 * time.Millisecond

// ArticleHTML is a page of about n bytes that readability keeps most of:
// a header and nav to drop, then an article of paragraphs, lists and a table.
func ArticleHTML(n int) string {
	var b strings.Builder
	b.WriteString(`<!doctype html><html><head><meta charset="utf-8"><title>Benchmark article</title></head><body>`)
	b.WriteString(`<header><nav><a href="/">Home</a> <a href="/about">About</a> <a href="/blog">Blog</a></nav></header><main><article><h1>Benchmark article</h1>`)
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `<h2>Section %d</h2><p>This is paragraph %d of the benchmark article. It has <a href="/p/%d">a link</a>, <strong>bold text</strong> and <em>emphasis</em>, and enough words to look like prose that a reader would keep.</p>`, i, i, i)
		if i%5 == 0 {
			fmt.Fprintf(&b, `<ul><li>item %d.1</li><li>item %d.2</li><li>item %d.3</li></ul>`, i, i, i)
		}
		if i%9 == 0 {
			fmt.Fprintf(&b, `<table><tr><th>k</th><th>v</th></tr><tr><td>a%d</td><td>%d</td></tr><tr><td>b%d</td><td>%d</td></tr></table>`, i, i, i, i*2)
		}
	}
	b.WriteString(`</article></main><footer>© bench</footer></body></html>`)
	return b.String()
}

// Site serves ArticleHTML(size) on every path after Latency, on loopback.
func Site(tb testing.TB, size int) *httptest.Server {
	page := ArticleHTML(size)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		time.Sleep(Latency)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// rpcConn speaks raw JSON-RPC lines to a stdio server, matching answers to
// calls by id, as a host does.
type rpcConn struct {
	w       io.Writer
	mu      sync.Mutex
	pending map[int64]chan json.RawMessage
	next    atomic.Int64
}

func newRPCConn(w io.Writer, r io.Reader) *rpcConn {
	c := &rpcConn{w: w, pending: map[int64]chan json.RawMessage{}}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			var m struct {
				ID *int64 `json:"id"`
			}
			if json.Unmarshal(sc.Bytes(), &m) != nil || m.ID == nil {
				continue
			}
			c.mu.Lock()
			ch := c.pending[*m.ID]
			delete(c.pending, *m.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- append(json.RawMessage(nil), sc.Bytes()...)
			}
		}
	}()
	return c
}

func (c *rpcConn) call(method string, params any) (json.RawMessage, error) {
	id := c.next.Add(1)
	ch := make(chan json.RawMessage, 1)
	c.mu.Lock()
	c.pending[id] = ch
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	_, err := c.w.Write(append(b, '\n'))
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	select {
	case m := <-ch:
		return m, nil
	case <-time.After(time.Minute):
		return nil, fmt.Errorf("%s: no answer in a minute", method)
	}
}

// localStdio starts scrapemcp's tools on the local backend behind
// transport.Stdio over pipes, as the binary wires them, and initializes it.
func localStdio(tb testing.TB) *rpcConn {
	prov, err := local.New(local.Options{AllowHosts: []string{"127.0.0.1"}, PerHostRate: -1, IgnoreRobots: true})
	if err != nil {
		tb.Fatal(err)
	}
	gate := tools.NewGate(0, 0)
	s := server.NewMCPServer("scrapemcp", "bench", server.WithToolCapabilities(false), server.WithLogging())
	tools.Register(s, tools.Inventory(&tools.Deps{Provider: prov, Gate: gate}), nil)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_ = transport.Stdio(ctx, s, inR, outW, transport.StdioOptions{Workers: gate.MaxConcurrent() + 8, Drain: gate.Drain, ShutdownTimeout: time.Second})
	}()
	tb.Cleanup(func() { cancel(); inW.Close(); outW.Close(); prov.Close() })
	c := newRPCConn(inW, outR)
	if _, err := c.call("initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "bench", "version": "1"}}); err != nil {
		tb.Fatal(err)
	}
	return c
}

var callSeq atomic.Int64

// scrapeCall scrapes a fresh URL of site (distinct, so no cache answers).
func scrapeCall(tb testing.TB, c *rpcConn, site string) {
	u := fmt.Sprintf("%s/article?n=%d", site, callSeq.Add(1))
	m, err := c.call("tools/call", map[string]any{"name": "scrape", "arguments": map[string]any{"url": u}})
	if err != nil {
		tb.Error(err)
		return
	}
	if !strings.Contains(string(m), `"result"`) || strings.Contains(string(m), `"isError":true`) {
		tb.Errorf("scrape failed: %.300s", m)
	}
}

// BenchmarkStdioC16LocalScrape is the per-call path under load: 16
// concurrent scrapes of a 20 KB article (fetch, readability, Markdown,
// result) over stdio, each page taking Latency to arrive. Profile it with
// -cpuprofile / -memprofile. floor% = the share of the ideal rate (16
// calls per Latency) reached.
func BenchmarkStdioC16LocalScrape(b *testing.B) {
	site := Site(b, 20<<10)
	c := localStdio(b)
	scrapeCall(b, c, site.URL) // warm the connection pool
	const conc = 16
	start := time.Now()
	calls := 0
	for b.Loop() {
		var wg sync.WaitGroup
		for range conc {
			wg.Go(func() { scrapeCall(b, c, site.URL) })
		}
		wg.Wait()
		calls += conc
	}
	el := time.Since(start)
	rate := float64(calls) / el.Seconds()
	b.ReportMetric(rate, "calls/s")
	b.ReportMetric(100*rate/(conc/Latency.Seconds()), "floor%")
}

// BenchmarkLocalScrape200KB is HTML→Markdown of a 200 KB article on the
// local backend (fetch from a loopback site with no latency, readability,
// Markdown); BenchmarkLocalFetch200KB, the same fetch as a plain GET, is its
// baseline.
func BenchmarkLocalScrape200KB(b *testing.B) {
	page := ArticleHTML(200 << 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	}))
	defer srv.Close()
	prov, err := local.New(local.Options{AllowHosts: []string{"127.0.0.1"}, PerHostRate: -1, IgnoreRobots: true})
	if err != nil {
		b.Fatal(err)
	}
	defer prov.Close()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		p, err := prov.Scrape(context.Background(), client.ScrapeRequest{URL: fmt.Sprintf("%s/a?%d", srv.URL, i), Formats: []string{"markdown"}, OnlyMainContent: true})
		if err != nil || len(p.Markdown) < 100<<10 {
			b.Fatalf("%v (%d bytes of Markdown)", err, len(p.Markdown))
		}
	}
}

func BenchmarkLocalFetch200KB(b *testing.B) {
	page := ArticleHTML(200 << 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	}))
	defer srv.Close()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := http.Get(srv.URL + "/a")
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
}
