package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/client/anakintest"
)

// The soak drives the real tool handlers, registered on mcp-go servers and
// reached through one in-process MCP client per session, backed by the
// Anakin and AlterLab clients pointed at the fake APIs, while every HTTP
// request the clients make may meet a fault drawn from a seeded random
// source. It runs in a synctest bubble over the fakes' in-memory transport,
// so backoff, Retry-After, polling and hung requests take fake time.
//
// Sessions are mcp-go in-process clients: server.NewStdioServer cannot run
// in a bubble (its one session is a package global whose channels were made
// outside it, so a goroutine waiting there is not durably blocked and fake
// time stands still), and there can be only one per process anyway.
//
//	go test ./tools -run TestSoak -race -v          # figures in the log
//	SOAK_SEED=7 go test ./tools -run TestSoak -v    # another fault pattern
const (
	soakDefaultSeed = 20261129
	soakSessions    = 24 // half on each provider
	soakCallsPer    = 42 // 24 × 42 = 1008 tool calls
	soakKey         = "sk-SOAK-CANARY-5150"
	soakCookie      = "ck-SOAK-COOKIE-8086" // sent as a cookie value; a secret like the key
)

// soakActions is the closed set of guidance actions (DESIGN.md).
var soakActions = []string{"fix_request", "check_api_key", "top_up_credits", "retry_later", "change_strategy",
	"wait_prerequisite", "resolve_conflict", "not_found", "not_accessible", "report_issue"}

// faultKind is what the injector does to one HTTP request.
type faultKind int

const (
	noFault faultKind = iota
	fault429RetryAfter
	fault429Bare
	fault5xx
	fault504
	faultHang
	faultMalformed
	faultReset   // dropped after the request was written
	faultRefused // dropped before it was written
)

var faultNames = map[faultKind]string{
	fault429RetryAfter: "429 with Retry-After", fault429Bare: "429 without Retry-After", fault5xx: "5xx",
	fault504: "504", faultHang: "hang", faultMalformed: "malformed body", faultReset: "reset after send",
	faultRefused: "refused before send",
}

// faultWeights are per hundred requests; what remains is served normally.
var faultWeights = []struct {
	kind   faultKind
	weight int
}{
	{fault429RetryAfter, 4}, {fault429Bare, 3}, {fault5xx, 4}, {fault504, 3}, {faultHang, 1},
	{faultMalformed, 2}, {faultReset, 3}, {faultRefused, 2},
}

// faultShare is the percentage of requests that meet a fault.
func faultShare() int {
	n := 0
	for _, w := range faultWeights {
		n += w.weight
	}
	return n
}

// outcomeUnknown: after this answer to a billed submit the job may be
// running, so the same submit must never be sent again. A malformed 2xx
// counts: the API said yes in a body we could not read.
func (k faultKind) outcomeUnknown() bool {
	return k == fault504 || k == faultHang || k == faultReset || k == faultMalformed
}

// injector draws each request's fault from the seed, the route, what the
// request is (a submit's body, a poll's path) and how many times that same
// request was seen before, so a pattern does not depend on which goroutine
// got there first. It records every submit it sees, for the duplicate check.
type injector struct {
	seed    uint64
	submits map[string]bool // routes that start billed work

	mu      sync.Mutex
	seen    map[string]int         // request key → times seen
	history map[string][]faultKind // submit key → faults, in order
	counts  map[faultKind]int
	served  int // submits that reached the fake's handler (not refused)
}

func newInjector(seed uint64, submitRoutes ...string) *injector {
	in := &injector{seed: seed, submits: map[string]bool{}, seen: map[string]int{},
		history: map[string][]faultKind{}, counts: map[faultKind]int{}}
	for _, r := range submitRoutes {
		in.submits[r] = true
	}
	return in
}

// draw picks the fault of one request; rng, seeded the same way, picks its
// details (which 5xx, how long a Retry-After).
func (in *injector) draw(route string, r *http.Request, body []byte) (kind faultKind, submit bool, rng *rand.Rand) {
	submit = in.submits[route]
	key := route + " " + r.URL.Path
	if submit {
		key = route + " " + string(body)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	n := in.seen[key]
	in.seen[key]++
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%d", key, n)
	rng = rand.New(rand.NewPCG(in.seed, h.Sum64()))
	roll := rng.IntN(100)
	for _, w := range faultWeights {
		if roll < w.weight {
			kind = w.kind
			break
		}
		roll -= w.weight
	}
	if kind != noFault {
		in.counts[kind]++
	}
	if submit {
		in.history[key] = append(in.history[key], kind)
		if kind != faultRefused {
			in.served++
		}
	}
	return kind, submit, rng
}

// reconcile checks the injector's record of submits against a fake's
// request log, body by body: each submit the injector let through must be in
// the log as often as the injector saw it, and nothing else. It returns the
// mismatches.
func (in *injector) reconcile(bodies func(route string) [][]byte) []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	logged := map[string]int{}
	for route := range in.submits {
		for _, b := range bodies(route) {
			logged[route+" "+string(b)]++
		}
	}
	var bad []string
	for key, h := range in.history {
		served := len(h) - count(h, faultRefused)
		if logged[key] != served {
			bad = append(bad, fmt.Sprintf("%.80s…: logged %d, injected %d", key, logged[key], served))
		}
		delete(logged, key)
	}
	for key, n := range logged {
		bad = append(bad, fmt.Sprintf("%.80s…: logged %d, never seen by the injector", key, n))
	}
	return bad
}

func count[T comparable](s []T, v T) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

// duplicates counts submits sent again after one whose outcome was unknown.
func (in *injector) duplicates() (dups, submits, unknown int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, h := range in.history {
		submits += len(h)
		if i := slices.IndexFunc(h, faultKind.outcomeUnknown); i >= 0 {
			unknown++
			dups += len(h) - i - 1
		}
	}
	return dups, submits, unknown
}

func (in *injector) anakin(route string, r *http.Request, body []byte) (anakintest.Fault, bool) {
	kind, submit, rng := in.draw(route, r, body)
	switch kind {
	case fault429RetryAfter:
		return anakintest.RateLimited(strconv.Itoa(1 + rng.IntN(4))), true
	case fault429Bare:
		return anakintest.RateLimited(""), true
	case fault5xx:
		return []anakintest.Fault{
			anakintest.Error(http.StatusInternalServerError, anakintest.Flat, "server_error", "Internal server error"),
			anakintest.Error(http.StatusServiceUnavailable, anakintest.Wire, "SERVICE_UNAVAILABLE", "Service unavailable"),
			anakintest.HTMLPage(http.StatusBadGateway),
		}[rng.IntN(3)], true
	case fault504:
		if submit {
			return anakintest.AcceptThen(http.StatusGatewayTimeout), true
		}
		return anakintest.HTMLPage(http.StatusGatewayTimeout), true
	case faultHang:
		return anakintest.Hang(), true
	case faultMalformed:
		return anakintest.Malformed(), true
	case faultReset:
		return anakintest.ResetAfterWrite(), true
	case faultRefused:
		return anakintest.ConnRefused(), true
	}
	return anakintest.Fault{}, false
}

func (in *injector) alterlab(route string, r *http.Request, body []byte) (alterlabtest.Fault, bool) {
	kind, submit, rng := in.draw(route, r, body)
	switch kind {
	case fault429RetryAfter:
		return alterlabtest.RateLimited(strconv.Itoa(1 + rng.IntN(4))), true
	case fault429Bare:
		return alterlabtest.RateLimited("").With("X-RateLimit-Reset", strconv.Itoa(1+rng.IntN(3))), true
	case fault5xx:
		return []alterlabtest.Fault{
			alterlabtest.Error(http.StatusInternalServerError, alterlabtest.Detail, "", "Internal Server Error"),
			alterlabtest.Error(http.StatusServiceUnavailable, alterlabtest.Detail, "", "Service temporarily unavailable"),
			alterlabtest.HTMLPage(http.StatusBadGateway),
		}[rng.IntN(3)], true
	case fault504:
		if submit {
			return alterlabtest.AcceptThen(http.StatusGatewayTimeout), true
		}
		return alterlabtest.HTMLPage(http.StatusGatewayTimeout), true
	case faultHang:
		return alterlabtest.Hang(), true
	case faultMalformed:
		return alterlabtest.Malformed(), true
	case faultReset:
		return alterlabtest.ResetAfterWrite(), true
	case faultRefused:
		return alterlabtest.ConnRefused(), true
	}
	return alterlabtest.Fault{}, false
}

// soakStats is what the run measured; the bubble hands it out.
type soakStats struct {
	calls, succeeded, failed int
	byTool                   map[string]int
	byAction                 map[string]int
	byCode                   map[string]int // "code → action"
	rpcErrors                []string       // JSON-RPC errors: every one is a bug
	badErrors                []string       // isError results without a code or a closed-set action
	leaks                    []string       // results carrying the API key
	unfollowable             []string       // suggested_arguments that are not the tool's inputs
	failures                 []soakFailure
	resubmitAdvice           []string // see soakFailure.resubmitAdvice
	panics                   int      // tool handlers that panicked (recovered by guard)
	faults                   map[faultKind]int
	submits, unknown, dups   int
	servedSubmits            int      // submits the fakes' logs hold
	injectedServed           int      // submits the injector let through
	unreconciled             []string // submits where the fakes' logs and the injector disagree
	logLeaks                 int      // client log records carrying the API key
	logRecords               int
	progress                 int // progress notifications received
	fakeTime                 time.Duration
}

func (s *soakStats) add(o soakStats) {
	s.calls += o.calls
	s.succeeded += o.succeeded
	s.failed += o.failed
	for k, v := range o.byTool {
		s.byTool[k] += v
	}
	for k, v := range o.byAction {
		s.byAction[k] += v
	}
	for k, v := range o.byCode {
		s.byCode[k] += v
	}
	s.rpcErrors = append(s.rpcErrors, o.rpcErrors...)
	s.badErrors = append(s.badErrors, o.badErrors...)
	s.leaks = append(s.leaks, o.leaks...)
	s.unfollowable = append(s.unfollowable, o.unfollowable...)
	s.failures = append(s.failures, o.failures...)
}

func newSoakStats() soakStats {
	return soakStats{byTool: map[string]int{}, byAction: map[string]int{}, byCode: map[string]int{}, faults: map[faultKind]int{}}
}

// keyWatch is the client loggers' output: it counts records, and those
// that carry the API key or a cookie value.
type keyWatch struct {
	mu            sync.Mutex
	records, keys int
}

func (w *keyWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.records++
	if strings.Contains(string(p), soakKey) || strings.Contains(string(p), soakCookie) {
		w.keys++
	}
	return len(p), nil
}

func (w *keyWatch) counts() (records, keys int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.records, w.keys
}

// panicCounter is a slog handler that counts guard's "tool panic" records.
type panicCounter struct {
	mu sync.Mutex
	n  int
}

func (p *panicCounter) Enabled(context.Context, slog.Level) bool { return true }
func (p *panicCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "tool panic" {
		p.mu.Lock()
		p.n++
		p.mu.Unlock()
	}
	return nil
}
func (p *panicCounter) WithAttrs([]slog.Attr) slog.Handler { return p }
func (p *panicCounter) WithGroup(string) slog.Handler      { return p }

func soakSeed(t *testing.T) uint64 {
	if v := os.Getenv("SOAK_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("SOAK_SEED=%q: %v", v, err)
		}
		return n
	}
	return soakDefaultSeed
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func TestSoakFaultInjectionThroughTheFakeAPIs(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: skipped in -short")
	}
	seed := soakSeed(t)
	goroutinesBefore, heapBefore := runtime.NumGoroutine(), heapInUse()
	start := time.Now()

	var st soakStats
	synctest.Test(t, func(t *testing.T) { st = runSoak(t, seed) })

	wall := time.Since(start)
	// Every goroutine of the bubble has exited by now (synctest.Test waits
	// for them and fails on any left blocked); the rest is the runtime's.
	goroutinesAfter, heapAfter := runtime.NumGoroutine(), heapInUse()

	t.Logf("seed %d (override with SOAK_SEED)", seed)
	t.Logf("calls %d from %d sessions (%d per session): %d succeeded, %d isError", st.calls, soakSessions, soakCallsPer, st.succeeded, st.failed)
	t.Logf("calls by tool: %s", formatCounts(st.byTool))
	t.Logf("faults injected (%d%% of requests): %s", faultShare(), formatFaults(st.faults))
	t.Logf("failures by action: %s", formatCounts(st.byAction))
	t.Logf("failures by code: %s", formatCounts(st.byCode))
	t.Logf("billed submits %d (served %d, fakes' logs %d); %d with an unknown outcome; duplicates after an unknown outcome: %d",
		st.submits, st.injectedServed, st.servedSubmits, st.unknown, st.dups)
	t.Logf("JSON-RPC errors %d, malformed error results %d, key or cookie leaks in results %d and in %d client log records %d, panics %d, progress notifications %d",
		len(st.rpcErrors), len(st.badErrors), len(st.leaks), st.logRecords, st.logLeaks, st.panics, st.progress)
	t.Logf("unfollowable guidance (suggested_arguments the tool does not take) %d", len(st.unfollowable))
	t.Logf("calls told to retry although the API accepted their billed submit (a retry bills again): %d", len(st.resubmitAdvice))
	for _, e := range first(st.resubmitAdvice, 3) {
		t.Logf("  e.g. %s", e)
	}
	t.Logf("goroutines before %d after %d; heap in use before %.1f MB after %.1f MB",
		goroutinesBefore, goroutinesAfter, mb(heapBefore), mb(heapAfter))
	t.Logf("wall time %s; fake time %s", wall.Round(time.Millisecond), st.fakeTime.Round(time.Second))

	if st.calls < 1000 {
		t.Errorf("only %d calls ran", st.calls)
	}
	if st.panics != 0 {
		t.Errorf("%d tool handlers panicked", st.panics)
	}
	for _, e := range first(st.rpcErrors, 5) {
		t.Errorf("JSON-RPC error for a tool call (must be an isError result): %s", e)
	}
	for _, e := range first(st.badErrors, 5) {
		t.Errorf("error result without error.code or a closed-set guidance.action: %s", e)
	}
	for _, e := range first(st.leaks, 5) {
		t.Errorf("the API key or a cookie value reached a result: %s", e)
	}
	for _, e := range first(st.unfollowable, 5) {
		t.Errorf("guidance suggests arguments the tool does not take: %s", e)
	}
	for _, e := range first(st.resubmitAdvice, 5) {
		// A provider that polls inside the call (scrape, batch, map,
		// extract, search) must name the job and point to job_status
		// when a poll fails after the submit was accepted.
		t.Errorf("told to retry after the billed submit was accepted: %s", e)
	}
	if st.dups != 0 {
		t.Errorf("%d billed submits were sent again after an answer that left the outcome unknown", st.dups)
	}
	if st.servedSubmits != st.injectedServed {
		t.Errorf("the fakes logged %d submits, the injector let %d through: a request went round the injector", st.servedSubmits, st.injectedServed)
	}
	for _, e := range first(st.unreconciled, 5) {
		t.Errorf("the fake's log and the injector disagree: %s", e)
	}
	if st.logLeaks != 0 {
		t.Errorf("%d of %d client log records carry the API key or a cookie value", st.logLeaks, st.logRecords)
	}
	if st.failed == 0 || st.succeeded == 0 || len(st.faults) < len(faultWeights) {
		t.Errorf("the mix is degenerate: %d succeeded, %d failed, %d fault kinds", st.succeeded, st.failed, len(st.faults))
	}
	if goroutinesAfter > goroutinesBefore+5 {
		t.Errorf("goroutines: %d before, %d after", goroutinesBefore, goroutinesAfter)
	}
	if heapAfter > heapBefore+64<<20 {
		t.Errorf("heap in use grew from %.1f MB to %.1f MB", mb(heapBefore), mb(heapAfter))
	}
}

func runSoak(t *testing.T, seed uint64) soakStats {
	st := newSoakStats()
	began := time.Now()

	anakin := anakintest.New(anakintest.WithKey(soakKey))
	alterlab := alterlabtest.New(alterlabtest.WithKey(soakKey))
	defer anakin.Close()
	defer alterlab.Close()
	anakinInj := newInjector(seed, anakintest.RouteScrape, anakintest.RouteBatch, anakintest.RouteCrawl, anakintest.RouteMap, anakintest.RouteSearch)
	alterlabInj := newInjector(seed, alterlabtest.RouteScrape, alterlabtest.RouteBatch, alterlabtest.RouteCrawl, alterlabtest.RouteMap, alterlabtest.RouteSearch)
	anakin.PickFaults(anakinInj.anakin)
	alterlab.PickFaults(alterlabInj.alterlab)

	logs := &keyWatch{}
	clientLog := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	accepted := &markerSet{m: map[string]bool{}}
	watched := func(c *http.Client) *http.Client {
		return &http.Client{Transport: &acceptWatch{next: c.Transport, accepted: accepted}}
	}
	ak, err := client.NewAnakin(client.APIConfig{BaseURL: "http://anakin.test", APIKey: soakKey, HTTPClient: watched(anakin.Client()), Logger: clientLog})
	if err != nil {
		t.Fatal(err)
	}
	al, err := client.NewAlterLab(client.APIConfig{BaseURL: "http://alterlab.test", APIKey: soakKey, HTTPClient: watched(alterlab.Client()), Logger: clientLog})
	if err != nil {
		t.Fatal(err)
	}
	panics := &panicCounter{}
	servers := []*server.MCPServer{soakServer(ak, panics), soakServer(al, panics)}

	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		progress int
	)
	sessions := make([]*mcpclient.Client, soakSessions)
	for i := range sessions {
		// mcp-go names an in-process session after time.Now().UnixNano(),
		// which stands still in a bubble: let a nanosecond of fake time pass
		// so that each client gets a session of its own.
		time.Sleep(time.Nanosecond)
		c, err := mcpclient.NewInProcessClientWithOptions(servers[i%2], mcpclient.WithProtocolVersion(mcp.LATEST_LEGACY_PROTOCOL_VERSION))
		if err != nil {
			t.Fatal(err)
		}
		sessions[i] = c
	}
	for sess, c := range sessions {
		wg.Go(func() {
			provider := []string{client.Anakin, client.AlterLab}[sess%2]
			defer c.Close()
			c.OnNotification(func(n mcp.JSONRPCNotification) {
				if n.Method == "notifications/progress" {
					mu.Lock()
					progress++
					mu.Unlock()
				}
			})
			ctx := context.Background()
			if err := c.Start(ctx); err != nil {
				t.Error(err)
				return
			}
			init := mcp.InitializeRequest{}
			init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
			if _, err := c.Initialize(ctx, init); err != nil {
				t.Error(err)
				return
			}
			local := runSession(ctx, c, provider, seed, sess)
			mu.Lock()
			st.add(local)
			mu.Unlock()
		})
	}
	wg.Wait()

	st.panics = panics.n
	st.progress = progress
	st.fakeTime = time.Since(began)
	for _, in := range []*injector{anakinInj, alterlabInj} {
		d, s, u := in.duplicates()
		st.dups += d
		st.submits += s
		st.unknown += u
		st.injectedServed += in.served
		for k, v := range in.counts {
			st.faults[k] += v
		}
	}
	for r := range anakinInj.submits {
		st.servedSubmits += len(anakin.Bodies(r))
	}
	for r := range alterlabInj.submits {
		st.servedSubmits += len(alterlab.Bodies(r))
	}
	st.unreconciled = append(anakinInj.reconcile(anakin.Bodies), alterlabInj.reconcile(alterlab.Bodies)...)
	st.logRecords, st.logLeaks = logs.counts()
	for _, f := range st.failures {
		if f.resubmitAdvice(accepted.has) {
			st.resubmitAdvice = append(st.resubmitAdvice, fmt.Sprintf("%s %s: %s → %s: %s", f.marker, f.tool, f.rep.Error.Code, f.rep.Guidance.Action, f.rep.Error.Message))
		}
	}
	return st
}

func soakServer(p client.Provider, panics *panicCounter) *server.MCPServer {
	d := &Deps{Provider: p}
	s := server.NewMCPServer("soak", "1", server.WithToolCapabilities(false), server.WithOutputSchemaValidation())
	Register(s, Inventory(d), slog.New(panics))
	return s
}

// runSession makes one session's calls in order: a mix of every tool, with
// arguments unique to the call (so that the fakes' logs tell calls apart),
// some asking the fake for a job behaviour or a rejection by magic URL.
func runSession(ctx context.Context, c *mcpclient.Client, provider string, seed uint64, sess int) soakStats {
	st := newSoakStats()
	inputs := toolInputs()
	follow := func(where string, e soakErrorish) {
		tool := where[strings.LastIndex(where, " ")+1:]
		bad := e.unfollowable(inputs[tool])
		if len(bad) == 0 {
			return
		}
		st.unfollowable = append(st.unfollowable, fmt.Sprintf("%s: %s suggests %v", where, e.Error.Code, bad))
	}
	rng := rand.New(rand.NewPCG(seed, uint64(sess)))
	var jobs []string
	magic := []string{"blocked", "captcha", "timeout", "polls:3", "cached", "insufficient_credits", "invalid_request"}
	if provider == client.AlterLab {
		magic = []string{"blocked", "captcha", "async", "polls:3", "paywall", "requires_auth", "antibot", "session_limit", "insufficient_credits"}
	}
	page := func(call, k int) string {
		u := fmt.Sprintf("https://s%d.soak.example/%s/p%d", sess, soakMarker(sess, call), k)
		if rng.IntN(100) < 15 {
			u += "?fake=" + magic[rng.IntN(len(magic))]
		}
		return u
	}
	for call := range soakCallsPer {
		var name string
		args := map[string]any{}
		switch roll := rng.IntN(100); {
		case roll < 28:
			name, args["url"] = "scrape", page(call, 0)
			if provider == client.AlterLab && rng.IntN(4) == 0 {
				args["cookies"] = map[string]any{"sid": soakCookie}
			}
			switch rng.IntN(4) {
			case 0:
				args["formats"] = []string{"links"}
			case 1:
				args["formats"] = []string{"json"}
				args["json_schema"] = map[string]any{"type": "object", "properties": map[string]any{"title": map[string]any{"type": "string"}}}
			}
		case roll < 40:
			name = "batch_scrape"
			urls := []string{}
			for k := range 2 + rng.IntN(3) {
				urls = append(urls, page(call, k))
			}
			args["urls"] = urls
		case roll < 52:
			name, args["url"], args["max_pages"], args["max_depth"] = "crawl", page(call, 0), 3+rng.IntN(5), 1
			args["wait_s"] = []int{0, 5, 30}[rng.IntN(3)]
		case roll < 64:
			name, args["url"], args["limit"] = "map", page(call, 0), 10+rng.IntN(40)
		case roll < 76:
			name, args["query"], args["limit"] = "search", soakMarker(sess, call)+" news", 1+rng.IntN(5)
			args["scrape_results"] = rng.IntN(3) == 0
		case roll < 88:
			name, args["urls"], args["prompt"] = "extract", []string{page(call, 0)}, "the page title"
			args["json_schema"] = map[string]any{"type": "object", "properties": map[string]any{"title": map[string]any{"type": "string"}}}
		default:
			name = "job_status"
			if len(jobs) > 0 && rng.IntN(5) > 0 {
				args["job_id"] = jobs[rng.IntN(len(jobs))]
			} else {
				args["job_id"] = fmt.Sprintf("%s:crawl:soak-missing-%d-%d", provider, sess, call)
			}
		}
		req := mcp.CallToolRequest{}
		req.Params.Name = name
		req.Params.Arguments = args
		if rng.IntN(2) == 0 {
			req.Params.Meta = &mcp.Meta{ProgressToken: fmt.Sprintf("s%d-c%d", sess, call)}
		}
		st.calls++
		st.byTool[name]++
		res, err := c.CallTool(ctx, req)
		where := fmt.Sprintf("%s %s", soakMarker(sess, call), name)
		if err != nil {
			st.rpcErrors = append(st.rpcErrors, where+": "+err.Error())
			continue
		}
		raw, _ := json.Marshal(res)
		if strings.Contains(string(raw), soakKey) || strings.Contains(string(raw), soakCookie) {
			st.leaks = append(st.leaks, where)
		}
		if !res.IsError {
			st.succeeded++
			var out struct {
				JobID string         `json:"job_id"`
				Items []soakErrorish `json:"items"`
			}
			b, _ := json.Marshal(res.StructuredContent)
			if res.StructuredContent == nil || json.Unmarshal(b, &out) != nil {
				st.badErrors = append(st.badErrors, where+": success without structuredContent")
			}
			if name == "crawl" && out.JobID != "" {
				jobs = append(jobs, out.JobID)
			}
			for _, it := range out.Items {
				if it.Error != nil && !slices.Contains(soakActions, it.Guidance.Action) {
					st.badErrors = append(st.badErrors, where+": item guidance "+string(b))
				}
				if it.Error != nil {
					follow(where, it)
				}
			}
			continue
		}
		st.failed++
		var rep soakErrorish
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, &rep); err != nil || rep.Error == nil || rep.Error.Code == "" || !slices.Contains(soakActions, rep.Guidance.Action) {
			st.badErrors = append(st.badErrors, where+": "+string(b))
			continue
		}
		follow(where, rep)
		st.byAction[rep.Guidance.Action]++
		st.failures = append(st.failures, soakFailure{marker: soakMarker(sess, call), tool: name, rep: rep})
		st.byCode[rep.Error.Code+" → "+rep.Guidance.Action]++
		if rep.Error.Code == "internal_error" && strings.Contains(rep.Error.Message, "crashed") {
			st.badErrors = append(st.badErrors, where+": "+rep.Error.Message)
		}
	}
	return st
}

// soakErrorish reads the error and guidance of a result or of one item.
type soakErrorish struct {
	Error *struct {
		Provider   string `json:"provider"`
		Code       string `json:"code"`
		HTTPStatus int    `json:"http_status"`
		Message    string `json:"message"`
	} `json:"error"`
	Guidance struct {
		Action             string         `json:"action"`
		Retryable          bool           `json:"retryable"`
		SuggestedArguments map[string]any `json:"suggested_arguments"`
	} `json:"guidance"`
}

// soakFailure is one isError result, for checks made after the run.
type soakFailure struct {
	marker, tool string
	rep          soakErrorish
}

// soakMarker names one call in every URL and query it sends, so that the
// submits a call caused can be told from the fakes' side.
func soakMarker(sess, call int) string { return fmt.Sprintf("soak-%d-%d", sess, call) }

var soakMarkerRE = regexp.MustCompile(`soak-\d+-\d+`)

// markerSet is a set of call markers, safe for concurrent use.
type markerSet struct {
	mu sync.Mutex
	m  map[string]bool
}

func (s *markerSet) add(m string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[m] = true
}

func (s *markerSet) has(m string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[m]
}

// acceptWatch sees every request a provider client sends and remembers the
// calls (by marker) whose billed submit the API accepted with a 2xx.
type acceptWatch struct {
	next     http.RoundTripper
	accepted *markerSet
}

func (w *acceptWatch) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Method == http.MethodPost && req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	res, err := w.next.RoundTrip(req)
	if err == nil && res.StatusCode/100 == 2 && body != nil {
		for _, m := range soakMarkerRE.FindAll(body, -1) {
			w.accepted.add(string(m))
		}
	}
	return res, err
}

// resubmitAdvice is a failure that tells the agent to call again although
// the API accepted the call's billed submit, without pointing at the job:
// following it starts (and bills) the same work twice.
func (f soakFailure) resubmitAdvice(accepted func(string) bool) bool {
	e := f.rep.Error
	return f.rep.Guidance.Retryable && accepted(f.marker) && e.Code != client.CodeJobTimeout &&
		!strings.Contains(e.Message, "job_status") && f.tool != "job_status"
}

// unfollowable lists the suggested_arguments that are not inputs of the
// tool that returned them: guidance an agent cannot follow.
func (e soakErrorish) unfollowable(inputs map[string]bool) []string {
	var bad []string
	for k := range e.Guidance.SuggestedArguments {
		if !inputs[k] {
			bad = append(bad, k)
		}
	}
	slices.Sort(bad)
	return bad
}

// toolInputs maps every tool to the names of its input properties.
func toolInputs() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, tool := range Inventory(&Deps{Provider: newFake()}) {
		var s struct {
			Properties map[string]any `json:"properties"`
		}
		_ = json.Unmarshal(tool.Def.RawInputSchema, &s)
		out[tool.Name] = map[string]bool{}
		for k := range s.Properties {
			out[tool.Name][k] = true
		}
	}
	return out
}

func formatCounts(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func formatFaults(m map[faultKind]int) string {
	named := map[string]int{}
	for k, v := range m {
		named[faultNames[k]] = v
	}
	return formatCounts(named)
}

func first(s []string, n int) []string { return s[:min(len(s), n)] }

func mb(b uint64) float64 { return float64(b) / (1 << 20) }
