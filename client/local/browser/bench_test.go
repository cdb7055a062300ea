package browser

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scrapemcp/scrapemcp/client"
)

// benchPage is a mid-sized article whose body a script builds, like a
// docs page in a single-page app.
var benchPage = func() string {
	var b strings.Builder
	b.WriteString(`<!doctype html><html><head><title>Bench</title></head><body><div id="root"></div><script>
var html = "<article><h1>Rendered article</h1>";
for (var i = 0; i < 200; i++) html += "<h2>Section " + i + "</h2><p>Paragraph " + i + " of the rendered article, with a <a href='/s" + i + "'>link</a> and enough words to look like prose.</p>";
document.getElementById("root").innerHTML = html + "</article>";
</script></body></html>`)
	return b.String()
}()

// BenchmarkRender reports one render's wall time and the memory a tab adds
// to the browser: proportional set size (PSS, shared pages divided among
// the processes that share them) of every process of the browser with Tabs
// tabs held open, minus the idle browser, per tab. The time against a
// plain fetch of the same content is BenchmarkScrapeRenderedVsPlain in
// client/local.
//
//	go test ./client/local/browser -run XXX -bench Render -benchtime 10x
func BenchmarkRender(b *testing.B) {
	path, err := Find(os.Getenv("SCRAPEMCP_BROWSER"))
	if err != nil {
		b.Skip(err)
	}
	s := &site{}
	s.Server = newBenchServer()
	defer s.Close()
	g := allowSite(s)
	const tabs = 4
	p, err := New(Options{Path: path, Tabs: tabs, Dial: g.dial, Blocked: g.blocked, Settle: 2 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	if _, err := p.Render(ctx, Request{URL: s.URL + "/"}); err != nil { // start the browser outside the timing
		b.Fatal(err)
	}

	b.ResetTimer()
	for range b.N {
		res, err := p.Render(ctx, Request{URL: s.URL + "/"})
		if err != nil || !strings.Contains(res.HTML, "Section 199") {
			b.Fatalf("render: %v", err)
		}
	}
	b.StopTimer()
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per.Milliseconds()), "ms/render")

	idle := pss(p.DataDir())
	var wg sync.WaitGroup
	held := make(chan struct{})
	for range tabs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = p.Render(ctx, Request{URL: s.URL + "/", Actions: []client.Action{{Type: client.ActionWait, Milliseconds: 3000}}})
		}()
	}
	go func() { wg.Wait(); close(held) }()
	time.Sleep(2 * time.Second) // the tabs are open and rendered, waiting out their action
	busy := pss(p.DataDir())
	<-held
	b.ReportMetric(float64(idle)/(1<<20), "MB-pss-idle-browser")
	b.ReportMetric(float64(busy-idle)/(1<<20)/tabs, "MB-pss-per-tab")
}

func newBenchServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, benchPage)
	}))
}

// pss sums the proportional set size of the processes whose command line
// names dir (the browser's profile directory: every process of it).
func pss(dir string) int64 {
	var total int64
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmd, []byte(dir)) {
			continue
		}
		f, err := os.Open(filepath.Join("/proc", e.Name(), "smaps_rollup"))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "Pss:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				total += kb << 10
			}
		}
		f.Close()
	}
	return total
}
