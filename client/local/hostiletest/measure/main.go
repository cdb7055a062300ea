//go:build unix

// Command measure runs the local fetcher against the hostile loopback site
// and prints, per scenario, what came back and what it cost: CPU seconds
// and peak RSS of a child process that runs only that scenario, peak Go
// heap in use sampled during the calls, and wall time.
//
// It uses only the local package's public API as of commit bb088b4, so the
// same file measures the code before and after a change:
//
//	go run ./client/local/hostiletest/measure                 # every scenario
//	go run ./client/local/hostiletest/measure -run heavy      # names containing "heavy"
//	go run ./client/local/hostiletest/measure -settle 2m      # RSS 2 minutes after the crawls
//
// To measure the code as it was, copy this directory's parent into an
// export of the old commit and run it there:
//
//	mkdir /tmp/before && git archive bb088b4 | tar -x -C /tmp/before
//	cp -r client/local/hostiletest /tmp/before/client/local/
//	(cd /tmp/before && go run ./client/local/hostiletest/measure)
//
// Each scenario runs in its own process, so one's peak RSS is not another's.
// Run nothing else heavy meanwhile: wall times are the machine's.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/local"
	"github.com/scrapemcp/scrapemcp/client/local/hostiletest"
)

type scenario struct {
	name string
	run  func(ctx context.Context, env *env) string // returns the outcome in words
}

type env struct {
	p      *local.Provider
	base   string
	settle time.Duration
	after  *afterFigures
}

type afterFigures struct{ heapMB, rssMB, naturalRSSMB float64 }

var scenarios = []scenario{
	{"br-chain", func(ctx context.Context, e *env) string {
		return scrapeOutcome(e.p.Scrape(ctx, client.ScrapeRequest{URL: e.base + "/br-chain", Formats: []string{"markdown"}, OnlyMainContent: true}))
	}},
	{"br-chain-batch3", func(ctx context.Context, e *env) string {
		res, err := e.p.BatchScrape(ctx, client.BatchRequest{
			URLs:    []string{e.base + "/br-chain?i=1", e.base + "/br-chain?i=2", e.base + "/br-chain?i=3"},
			Options: client.ScrapeRequest{Formats: []string{"markdown"}, OnlyMainContent: true},
		})
		if err != nil {
			return scrapeOutcome(nil, err)
		}
		var outs []string
		for _, it := range res.Items {
			outs = append(outs, scrapeOutcome(it.Page, errOrNil(it.Err)))
		}
		return tally(outs)
	}},
	{"robots-br-chain", nil}, // set up in runOne: needs its own server
	{"gzip-chain-3", func(ctx context.Context, e *env) string {
		return scrapeOutcome(e.p.Scrape(ctx, client.ScrapeRequest{URL: e.base + "/gzip-chain?n=3", Formats: []string{"markdown"}, OnlyMainContent: true}))
	}},
	{"unknown-coding", func(ctx context.Context, e *env) string {
		return scrapeOutcome(e.p.Scrape(ctx, client.ScrapeRequest{URL: e.base + "/coding?c=zstd", Formats: []string{"markdown"}, OnlyMainContent: true}))
	}},
	{"gzip-bomb-2GiB", func(ctx context.Context, e *env) string {
		return scrapeOutcome(e.p.Scrape(ctx, client.ScrapeRequest{URL: e.base + "/gzip-bomb?mb=2048", Formats: []string{"markdown"}, OnlyMainContent: true}))
	}},
	{"endless", func(ctx context.Context, e *env) string {
		return scrapeOutcome(e.p.Scrape(ctx, client.ScrapeRequest{URL: e.base + "/endless", Formats: []string{"markdown"}, OnlyMainContent: true}))
	}},
	{"drip-5s-timeout", func(ctx context.Context, e *env) string {
		return scrapeOutcome(e.p.Scrape(ctx, client.ScrapeRequest{URL: e.base + "/drip?ms=50", Formats: []string{"markdown"}, OnlyMainContent: true, Timeout: 5 * time.Second}))
	}},
	{"deep-5000", func(ctx context.Context, e *env) string {
		return scrapeOutcome(e.p.Scrape(ctx, client.ScrapeRequest{URL: e.base + "/deep?n=5000", Formats: []string{"markdown"}, OnlyMainContent: true}))
	}},
	{"heavy-1", heavy(1, 0)},
	{"heavy-10", heavy(10, 0)},
	{"heavy-25", heavy(25, 0)},
	// The same with a 5 s fetch deadline: do calls end near it?
	{"heavy-25-5s-deadline", heavy(25, 5*time.Second)},
	{"crawl-links-10", func(ctx context.Context, e *env) string {
		var refs []client.JobRef
		var outs []string
		for k := range 10 {
			j, err := e.p.StartCrawl(ctx, client.CrawlRequest{URL: fmt.Sprintf("%s/links/%d?n=20000", e.base, k*1000), MaxPages: 50, MaxDepth: 3, OnlyMainContent: true})
			if err != nil {
				outs = append(outs, scrapeOutcome(nil, err))
				continue
			}
			refs = append(refs, j.Ref)
		}
		// Poll every job in turn, as agents waiting on their own crawls would.
		pending := refs
		for len(pending) > 0 {
			var still []client.JobRef
			for _, ref := range pending {
				j, err := e.p.Job(ctx, ref)
				switch {
				case err != nil:
					outs = append(outs, scrapeOutcome(nil, err))
				case j.State.Terminal():
					bytes := 0
					for _, pg := range j.Pages {
						bytes += len(pg.Markdown)
					}
					codes := map[string]int{}
					for _, pe := range j.PageErrors {
						if pe.Err != nil {
							codes[pe.Err.Code]++
						}
					}
					outs = append(outs, fmt.Sprintf("%s pages=%d kept=%dMB page_errors=%v", j.State, len(j.Pages), bytes>>20, codes))
				case ctx.Err() != nil:
					outs = append(outs, "gave up waiting")
				default:
					still = append(still, ref)
				}
			}
			pending = still
			time.Sleep(200 * time.Millisecond)
		}
		// What stays resident once the crawls are over: the jobs' pages
		// (kept for job_status) and whatever else survives a GC.
		if e.settle > 0 {
			time.Sleep(e.settle)
		}
		natural := rssMB() // as the runtime left it, before we force anything
		runtime.GC()
		debug.FreeOSMemory()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		e.after = &afterFigures{heapMB: mb(ms.HeapInuse), rssMB: rssMB(), naturalRSSMB: natural}
		return tally(outs)
	}},
}

func heavy(n int, deadline time.Duration) func(ctx context.Context, e *env) string {
	return func(ctx context.Context, e *env) string {
		outs := make([]string, n)
		durs := make([]time.Duration, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start := time.Now()
				outs[i] = scrapeOutcome(e.p.Scrape(ctx, client.ScrapeRequest{URL: fmt.Sprintf("%s/heavy?mb=6&i=%d", e.base, i), Formats: []string{"markdown"}, OnlyMainContent: true, Timeout: deadline}))
				durs[i] = time.Since(start)
			}()
		}
		wg.Wait()
		sort.Slice(durs, func(a, b int) bool { return durs[a] < durs[b] })
		return fmt.Sprintf("%s; call seconds min %.1f max %.1f", tally(outs), durs[0].Seconds(), durs[n-1].Seconds())
	}
}

func errOrNil(e *client.Error) error {
	if e == nil {
		return nil
	}
	return e
}

func scrapeOutcome(p *client.Page, err error) string {
	if err != nil {
		var ce *client.Error
		if errors.As(err, &ce) {
			return "error " + ce.Code + ": " + clip(ce.Message, 110)
		}
		return "error: " + clip(err.Error(), 110)
	}
	s := fmt.Sprintf("ok markdown=%dB", len(p.Markdown))
	if len(p.Markdown) == 0 {
		s = "ok EMPTY markdown"
	}
	for _, w := range p.Warnings {
		s += "; warning: " + clip(w, 70)
	}
	return s
}

// tally folds equal outcomes: "3× ok …".
func tally(outs []string) string {
	count := map[string]int{}
	var order []string
	for _, o := range outs {
		if count[o] == 0 {
			order = append(order, o)
		}
		count[o]++
	}
	var parts []string
	for _, o := range order {
		parts = append(parts, fmt.Sprintf("%d× %s", count[o], o))
	}
	return strings.Join(parts, " | ")
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// result is what a child reports on its last line of stdout.
type result struct {
	Scenario   string  `json:"scenario"`
	WallS      float64 `json:"wall_s"`
	PeakHeapMB float64 `json:"peak_heap_mb"`
	AfterHeap  float64 `json:"after_heap_mb,omitempty"`
	AfterRSS   float64 `json:"after_rss_mb,omitempty"`
	AfterRSSNo float64 `json:"after_rss_no_gc_mb,omitempty"`
	Outcome    string  `json:"outcome"`
	CPUS       float64 `json:"cpu_s"`
	MaxRSSMB   float64 `json:"max_rss_mb"`
}

func runOne(name string, settle time.Duration) result {
	var sc scenario
	for _, s := range scenarios {
		if s.name == name {
			sc = s
		}
	}
	srvOpts := hostiletest.Options{}
	if name == "robots-br-chain" {
		srvOpts.RobotsCoding = strings.TrimSuffix(strings.Repeat("br,", 300_000), ",")
		sc.run = func(ctx context.Context, e *env) string {
			return scrapeOutcome(e.p.Scrape(ctx, client.ScrapeRequest{URL: e.base + "/gzip-chain?n=1", Formats: []string{"markdown"}, OnlyMainContent: true}))
		}
	}
	if sc.run == nil {
		fmt.Fprintln(os.Stderr, "no scenario", name)
		os.Exit(2)
	}
	srv := hostiletest.NewServer(srvOpts)
	defer srv.Close()
	p, err := local.New(local.Options{AllowHosts: []string{"127.0.0.1"}, PerHostRate: -1})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer p.Close()

	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e := &env{p: p, base: srv.URL, settle: settle}
	start := time.Now()
	out := sc.run(ctx, e)
	wall := time.Since(start)
	close(stop)
	<-sampled
	r := result{Scenario: name, WallS: wall.Seconds(), PeakHeapMB: mb(peak), Outcome: out}
	if e.after != nil {
		r.AfterHeap, r.AfterRSS, r.AfterRSSNo = e.after.heapMB, e.after.rssMB, e.after.naturalRSSMB
	}
	return r
}

func main() {
	one := flag.String("one", "", "run this scenario in this process (used by the parent)")
	run := flag.String("run", "", "only scenarios whose name contains this")
	settle := flag.Duration("settle", 0, "crawl scenario: wait this long after the crawls before measuring what stays resident")
	flag.Parse()
	if *one != "" {
		b, _ := json.Marshal(runOne(*one, *settle))
		fmt.Println(string(b)) // stdout-ok: the report is this command's output
		return
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%-16s %7s %7s %10s %9s  %s\n", "scenario", "wall_s", "cpu_s", "maxRSS_MB", "heap_MB", "outcome") // stdout-ok: the report is this command's output
	for _, s := range scenarios {
		if !strings.Contains(s.name, *run) {
			continue
		}
		cmd := exec.Command(self, "-one", s.name, "-settle", settle.String())
		cmd.Stderr = os.Stderr
		outB, err := cmd.Output()
		var r result
		lines := strings.Split(strings.TrimSpace(string(outB)), "\n")
		if jerr := json.Unmarshal([]byte(lines[len(lines)-1]), &r); jerr != nil {
			r = result{Scenario: s.name, Outcome: fmt.Sprintf("child failed: %v", err)}
		}
		if ps := cmd.ProcessState; ps != nil {
			if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
				r.CPUS = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
				r.MaxRSSMB = float64(ru.Maxrss) / 1024
			}
		}
		fmt.Printf("%-16s %7.1f %7.1f %10.0f %9.0f  %s\n", r.Scenario, r.WallS, r.CPUS, r.MaxRSSMB, r.PeakHeapMB, r.Outcome) // stdout-ok: the report is this command's output
		if r.AfterRSS > 0 {
			fmt.Printf("%-16s %7s %7s %10.0f %9s  (after the crawls and -settle, as the runtime left it: RSS)\n", "  …after", "", "", r.AfterRSSNo, "")            // stdout-ok: the report is this command's output
			fmt.Printf("%-16s %7s %7s %10.0f %9.0f  (then after a forced GC and FreeOSMemory: RSS / live heap)\n", "  …after GC", "", "", r.AfterRSS, r.AfterHeap) // stdout-ok: the report is this command's output
		}
	}
}
