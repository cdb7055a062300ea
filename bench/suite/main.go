// Command suite measures scrapemcp beside its peers in one run and writes
// docs/benchmarks.md and docs/benchmarks.json. Run it through bench/run.sh,
// which builds the binary, installs the pinned peers and gathers the Go
// benchmarks first; see bench/README.md.
//
// Every figure is taken on this machine in this run, against a baseline
// taken in the same run (the page's own latency, a calibration server), so
// ratios compare across machines. Everything stays on loopback.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	bin        = flag.String("bin", "", "scrapemcp binary (required)")
	peers      = flag.String("peers", "bench/peers/node_modules", "where bench/run.sh installed the pinned peers")
	outMD      = flag.String("out", "docs/benchmarks.md", "Markdown report")
	outJSON    = flag.String("json", "docs/benchmarks.json", "JSON report")
	pollFile   = flag.String("poll", "", "polling rows written by go test ./bench -run TestPollingFigures")
	microFile  = flag.String("micro", "", "go test -bench output to include")
	runs       = flag.Int("runs", 5, "fresh processes per server for the cold start")
	calls      = flag.Int("calls", 200, "sequential calls per server (c1 latency, then RSS)")
	c16Calls   = flag.Int("c16-calls", 320, "calls at 16 concurrent")
	pageBytes  = flag.Int("page-bytes", 8<<10, "size of the article page")
	latency    = flag.Duration("latency", 50*time.Millisecond, "the loopback site's fixed answer time")
	crawlPages = flag.Int("crawl-pages", 1000, "pages of the generated site crawled")
	crawlLat   = flag.Duration("crawl-latency", 10*time.Millisecond, "answer time of the generated site's pages")
	fetchPages = flag.Int("fetch-pages", 200, "pages of the generated site mcp-fetch-server fetches one call at a time")
	cmdline    = flag.String("cmdline", "bash bench/run.sh", "the command that produced the report, quoted in it")
)

// Row is one server in the main table.
type Row struct {
	Server      string  `json:"server"`
	Note        string  `json:"note"`
	ColdStartMS float64 `json:"cold_start_ms"`
	RSSMiB      float64 `json:"rss_after_calls_mib"`
	C1MS        float64 `json:"c1_latency_ms"`
	C1OverMS    float64 `json:"c1_over_floor_ms"`
	C16PerS     float64 `json:"c16_calls_per_s"`
	C16FloorPct float64 `json:"c16_pct_of_floor"`
	Error       string  `json:"error,omitempty"`
}

// HTTPRow is streamable HTTP throughput at some number of sessions.
type HTTPRow struct {
	Sessions int     `json:"sessions"`
	Calls    int     `json:"calls"`
	PerS     float64 `json:"calls_per_s"`
	FloorPS  float64 `json:"floor_calls_per_s"`
	Pct      float64 `json:"pct_of_floor"`
	Errors   int     `json:"errors"`
}

// CrawlRow is the generated-site crawl.
type CrawlRow struct {
	Server string  `json:"server"`
	How    string  `json:"how"`
	Pages  int     `json:"pages"`
	Secs   float64 `json:"seconds"`
	PerS   float64 `json:"pages_per_s"`
	HWMMiB float64 `json:"peak_rss_mib"`
	Error  string  `json:"error,omitempty"`
}

// Report is docs/benchmarks.json.
type Report struct {
	When      string          `json:"when"`
	Machine   map[string]any  `json:"machine"`
	Command   string          `json:"command"`
	Setup     map[string]any  `json:"setup"`
	FloorMS   float64         `json:"floor_c1_ms"`
	FloorC16  float64         `json:"floor_c16_calls_per_s"`
	Servers   []Row           `json:"servers"`
	Polling   json.RawMessage `json:"polling,omitempty"`
	HTTP      []HTTPRow       `json:"http"`
	Crawl     []CrawlRow      `json:"crawl"`
	Micro     []Micro         `json:"micro"`
	Shortfall []string        `json:"notes"`
}

// Micro is one Go benchmark line.
type Micro struct {
	Name     string  `json:"name"`
	NsOp     float64 `json:"ns_per_op"`
	BytesOp  float64 `json:"bytes_per_op"`
	AllocsOp float64 `json:"allocs_per_op"`
	Extra    string  `json:"extra,omitempty"`
}

func logf(format string, a ...any) { fmt.Fprintf(os.Stderr, "suite: "+format+"\n", a...) }

func main() {
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "suite: -bin is required (bench/run.sh builds it)")
		os.Exit(2)
	}
	s, err := startSite(*latency, *crawlLat, *pageBytes, *crawlPages)
	if err != nil {
		fmt.Fprintln(os.Stderr, "suite:", err)
		os.Exit(1)
	}
	rep := Report{When: time.Now().UTC().Format(time.RFC3339), Machine: machine(), Command: *cmdline,
		Setup: map[string]any{"latency_ms": latency.Milliseconds(), "page_bytes": *pageBytes, "calls": *calls, "c16_calls": *c16Calls,
			"runs": *runs, "crawl_pages": *crawlPages, "crawl_latency_ms": crawlLat.Milliseconds(), "fetch_pages": *fetchPages}}

	rep.FloorMS = floor(s)
	rep.FloorC16 = 16 / (rep.FloorMS / 1000)
	logf("floor: %.1f ms per GET, %.0f calls/s at 16", rep.FloorMS, rep.FloorC16)

	for _, sv := range servers(s) {
		rep.Servers = append(rep.Servers, measure(sv, s, rep.FloorMS, rep.FloorC16))
	}
	if *pollFile != "" {
		if b, err := os.ReadFile(*pollFile); err == nil {
			rep.Polling = b
		}
	}
	rep.HTTP = httpThroughput(s, rep.FloorMS)
	rep.Crawl = crawls(s)
	if *microFile != "" {
		rep.Micro = parseMicro(*microFile)
	}
	rep.Shortfall = notes(&rep)
	writeReports(&rep)
}

// floor is the median time of a keep-alive GET of the article from Go.
func floor(s *site) float64 {
	c := &http.Client{}
	var ts []float64
	for i := range 40 {
		t := time.Now()
		r, err := c.Get(fmt.Sprintf("%s/a/floor-%d", s.url, i))
		if err == nil {
			_, _ = io.Copy(io.Discard, r.Body)
			r.Body.Close()
		}
		ts = append(ts, ms(time.Since(t)))
	}
	return median(ts[5:])
}

func servers(s *site) []server {
	article := func(s *site, n int) string { return fmt.Sprintf("%s/a/%d", s.url, n) }
	port := strings.TrimPrefix(s.url, "http://127.0.0.1")
	node := func(pkg, file string) string { return filepath.Join(*peers, pkg, file) }
	out := []server{
		{Name: "firecrawl-mcp 3.26.0", Note: "Node; passes the API's Markdown through (a fake Firecrawl API on loopback)",
			Cmd: []string{"node", node("firecrawl-mcp", "dist/index.js")}, Env: []string{"FIRECRAWL_API_URL=" + s.url, "FIRECRAWL_API_KEY=fc-bench"},
			Tool: "firecrawl_scrape", Args: func(u string) map[string]any { return map[string]any{"url": u, "formats": []string{"markdown"}} }, URL: article},
		{Name: "mcp-fetch-server 1.1.2", Note: "Node; fetch + Readability + Turndown, the same work as ours (fetch_readable)",
			Cmd:  []string{"node", "-r", "./bench/suite/hosts.cjs", node("mcp-fetch-server", "dist/index.js")},
			Tool: "fetch_readable", Args: func(u string) map[string]any { return map[string]any{"url": u, "max_length": 100000} },
			URL: func(s *site, n int) string { return fmt.Sprintf("http://bench.test%s/a/%d", port, n) }},
		{Name: "calibration (Python, keep-alive GET only)", Note: "bench/calib.py: the protocol and one HTTP request, nothing else",
			Cmd: []string{"python3", "bench/calib.py"}, Tool: "fetch", Args: func(u string) map[string]any { return map[string]any{"url": u} }, URL: article},
		{Name: "scrapemcp (local backend)", Note: "Go; fetch + readability + Markdown; --host-rate 1000 (politeness off: one host)",
			Cmd:  []string{*bin, "--allow-hosts", "127.0.0.1", "--host-rate", "1000", "--ignore-robots", "stdio"},
			Tool: "scrape", Args: func(u string) map[string]any { return map[string]any{"url": u} }, URL: article},
	}
	for i := range out {
		if strings.HasPrefix(out[i].Cmd[0], "node") || out[i].Cmd[0] == "node" {
			if _, err := os.Stat(out[i].Cmd[len(out[i].Cmd)-1]); err != nil {
				out[i].skipped = "not installed (run bench/run.sh)"
			}
		}
	}
	return out
}

var seq atomic.Int64

func measure(sv server, s *site, floorMS, floorC16 float64) Row {
	row := Row{Server: sv.Name, Note: sv.Note}
	if sv.skipped != "" {
		row.Error = sv.skipped
		return row
	}
	logf("%s: cold start ×%d", sv.Name, *runs)
	var cold []float64
	for range *runs {
		t := time.Now()
		p, err := start(sv.Cmd, sv.Env)
		if err != nil {
			row.Error = err.Error()
			return row
		}
		_, err = p.call("initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
			"clientInfo": map[string]any{"name": "scrapemcp-bench", "version": "1"}}, 30*time.Second)
		el := time.Since(t)
		p.stop()
		if err != nil {
			row.Error = err.Error()
			return row
		}
		cold = append(cold, ms(el))
	}
	row.ColdStartMS = median(cold)

	p, err := start(sv.Cmd, sv.Env)
	if err != nil {
		row.Error = err.Error()
		return row
	}
	defer p.stop()
	if err := p.initialize(); err != nil {
		row.Error = err.Error()
		return row
	}
	logf("%s: %d sequential calls", sv.Name, *calls)
	var lat []float64
	for range *calls {
		u := sv.URL(s, int(seq.Add(1)))
		t := time.Now()
		if _, err := p.tool(sv.Tool, sv.Args(u), time.Minute); err != nil {
			row.Error = err.Error()
			return row
		}
		lat = append(lat, ms(time.Since(t)))
	}
	row.C1MS = median(lat[min(10, len(lat)/4):])
	row.C1OverMS = row.C1MS - floorMS
	row.RSSMiB = float64(p.memKiB("VmRSS")) / 1024

	logf("%s: %d calls at 16 concurrent", sv.Name, *c16Calls)
	var (
		wg   sync.WaitGroup
		left atomic.Int64
		errs atomic.Int64
		msg  atomic.Value
	)
	left.Store(int64(*c16Calls))
	t := time.Now()
	for range 16 {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if _, err := p.tool(sv.Tool, sv.Args(sv.URL(s, int(seq.Add(1)))), time.Minute); err != nil {
					errs.Add(1)
					msg.Store(err.Error())
				}
			}
		})
	}
	wg.Wait()
	el := time.Since(t)
	row.C16PerS = float64(*c16Calls) / el.Seconds()
	row.C16FloorPct = 100 * row.C16PerS / floorC16
	if n := errs.Load(); n > 0 {
		row.Error = fmt.Sprintf("%d of %d c16 calls failed: %v", n, *c16Calls, msg.Load())
	}
	return row
}

// httpThroughput runs scrapemcp http and drives it with 1, 16 and 64
// sessions, each initialized on its own, making calls back to back.
func httpThroughput(s *site, floorMS float64) []HTTPRow {
	logf("streamable HTTP: starting scrapemcp http")
	cmd := exec.Command(*bin, "--allow-hosts", "127.0.0.1", "--host-rate", "1000", "--ignore-robots", "--max-concurrent", "64",
		"--addr", "127.0.0.1:0", "http")
	cmd.Env = cleanEnv(nil)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		return []HTTPRow{{Errors: -1}}
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	urlc := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`url=(http://[^\s"]+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case urlc <- m[1]:
				default:
				}
			}
		}
	}()
	var endpoint string
	select {
	case endpoint = <-urlc:
	case <-time.After(10 * time.Second):
		logf("streamable HTTP: no url= line")
		return nil
	}
	if !strings.HasSuffix(endpoint, "/mcp") {
		endpoint = strings.TrimRight(endpoint, "/") + "/mcp"
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	var rows []HTTPRow
	for _, n := range []int{1, 16, 64} {
		per := max(8, 256/n)
		if n == 64 {
			per = 5
		}
		var (
			wg   sync.WaitGroup
			errs atomic.Int64
		)
		ready := make(chan struct{})
		sessions := make([]string, n)
		for i := range n {
			sid, err := httpInit(hc, endpoint)
			if err != nil {
				logf("http init: %v", err)
				errs.Add(1)
			}
			sessions[i] = sid
		}
		for i := range n {
			wg.Go(func() {
				<-ready
				for range per {
					u := fmt.Sprintf("%s/a/%d", s.url, seq.Add(1))
					if err := httpCall(hc, endpoint, sessions[i], u); err != nil {
						errs.Add(1)
					}
				}
			})
		}
		t := time.Now()
		close(ready)
		wg.Wait()
		el := time.Since(t)
		r := HTTPRow{Sessions: n, Calls: n * per, PerS: float64(n*per) / el.Seconds(), FloorPS: float64(n) / (floorMS / 1000), Errors: int(errs.Load())}
		r.Pct = 100 * r.PerS / r.FloorPS
		logf("streamable HTTP: %d sessions, %.0f calls/s (%.0f%% of floor)", n, r.PerS, r.Pct)
		rows = append(rows, r)
	}
	return rows
}

func httpPost(hc *http.Client, endpoint, sid string, body any) (*http.Response, []byte, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	if sid != "" {
		req.Header.Set("Mcp-Session-Id", sid)
	}
	r, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer r.Body.Close()
	data, err := io.ReadAll(r.Body)
	return r, data, err
}

func httpInit(hc *http.Client, endpoint string) (string, error) {
	r, data, err := httpPost(hc, endpoint, "", map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{
		"protocolVersion": "2025-06-18", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "bench", "version": "1"}}})
	if err != nil {
		return "", err
	}
	if r.StatusCode != 200 {
		return "", fmt.Errorf("initialize: HTTP %d %.200s", r.StatusCode, data)
	}
	sid := r.Header.Get("Mcp-Session-Id")
	_, _, _ = httpPost(hc, endpoint, sid, map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
	return sid, nil
}

func httpCall(hc *http.Client, endpoint, sid, u string) error {
	r, data, err := httpPost(hc, endpoint, sid, map[string]any{"jsonrpc": "2.0", "id": seq.Add(1), "method": "tools/call",
		"params": map[string]any{"name": "scrape", "arguments": map[string]any{"url": u}}})
	if err != nil {
		return err
	}
	if r.StatusCode != 200 || !bytes.Contains(data, []byte(`"result"`)) || bytes.Contains(data, []byte(`"isError":true`)) {
		return fmt.Errorf("HTTP %d %.200s", r.StatusCode, data)
	}
	return nil
}

// crawls runs scrapemcp's crawl of the generated site, and mcp-fetch-server
// fetching its pages one call at a time.
func crawls(s *site) []CrawlRow {
	var rows []CrawlRow
	logf("crawl: scrapemcp, %d pages", *crawlPages)
	row := CrawlRow{Server: "scrapemcp (local backend)", How: fmt.Sprintf("one crawl call, max_pages %d, --host-rate 1000", *crawlPages)}
	p, err := start([]string{*bin, "--allow-hosts", "127.0.0.1", "--host-rate", "1000", "--ignore-robots", "stdio"}, nil)
	if err == nil {
		err = p.initialize()
	}
	if err == nil {
		t := time.Now()
		var m json.RawMessage
		m, err = p.tool("crawl", map[string]any{"url": s.url + "/site/0", "max_pages": *crawlPages, "max_depth": 5, "wait_s": 600, "max_length": 1000}, 11*time.Minute)
		el := time.Since(t)
		if err == nil {
			var r struct {
				Result struct {
					SC struct {
						Done  bool `json:"done"`
						Pages int  `json:"pages_completed"`
					} `json:"structuredContent"`
				} `json:"result"`
			}
			_ = json.Unmarshal(m, &r)
			row.Pages, row.Secs = r.Result.SC.Pages, el.Seconds()
			row.PerS = float64(row.Pages) / el.Seconds()
			if !r.Result.SC.Done {
				row.Error = "the crawl had not finished when the call returned"
			}
		}
		row.HWMMiB = float64(p.memKiB("VmHWM")) / 1024
		p.stop()
	}
	if err != nil {
		row.Error = err.Error()
	}
	rows = append(rows, row)

	fetch := servers(s)[1]
	row = CrawlRow{Server: fetch.Name, How: fmt.Sprintf("fetch_readable, one page per call, first %d pages", *fetchPages)}
	if fetch.skipped != "" {
		row.Error = fetch.skipped
		return append(rows, row)
	}
	logf("crawl: %s, %d pages one at a time", fetch.Name, *fetchPages)
	port := strings.TrimPrefix(s.url, "http://127.0.0.1")
	p, err = start(fetch.Cmd, fetch.Env)
	if err == nil {
		err = p.initialize()
	}
	if err == nil {
		t := time.Now()
		for i := 0; i < *fetchPages && err == nil; i++ {
			_, err = p.tool(fetch.Tool, fetch.Args(fmt.Sprintf("http://bench.test%s/site/%d", port, i)), time.Minute)
			if err == nil {
				row.Pages++
			}
		}
		row.Secs = time.Since(t).Seconds()
		row.PerS = float64(row.Pages) / row.Secs
		row.HWMMiB = float64(p.memKiB("VmHWM")) / 1024
		p.stop()
	}
	if err != nil {
		row.Error = err.Error()
	}
	return append(rows, row)
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func parseMicro(file string) []Micro {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var out []Micro
	for _, line := range strings.Split(string(b), "\n") {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		mi := Micro{Name: m[1]}
		f := strings.Fields(m[2])
		var extra []string
		for i := 0; i+1 < len(f); i += 2 {
			var v float64
			_, _ = fmt.Sscan(f[i], &v)
			switch f[i+1] {
			case "ns/op":
				mi.NsOp = v
			case "B/op":
				mi.BytesOp = v
			case "allocs/op":
				mi.AllocsOp = v
			default:
				extra = append(extra, f[i]+" "+f[i+1])
			}
		}
		mi.Extra = strings.Join(extra, ", ")
		out = append(out, mi)
	}
	return out
}

func machine() map[string]any {
	m := map[string]any{"goos": runtime.GOOS, "goarch": runtime.GOARCH, "cpus": runtime.NumCPU(), "go": runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				m["cpu"] = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m["memory"] = strings.Join(strings.Fields(strings.SplitN(string(b), "\n", 2)[0])[1:], " ")
	}
	for _, c := range [][]string{{"node", "--version"}, {"python3", "--version"}, {"uname", "-sr"}} {
		if b, err := exec.Command(c[0], c[1:]...).Output(); err == nil {
			m[c[0]] = strings.TrimSpace(string(b))
		}
	}
	return m
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
