package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/errmap"
)

// blockingScraper holds every scrape until release is closed or the call's
// context ends, and says on entered when a scrape has started.
type blockingScraper struct {
	*fakeProvider
	entered chan string
	release chan struct{}
}

func newBlockingScraper() *blockingScraper {
	return &blockingScraper{fakeProvider: newFake(), entered: make(chan string, 64), release: make(chan struct{})}
}

func (b *blockingScraper) Scrape(ctx context.Context, r client.ScrapeRequest) (*client.Page, error) {
	b.entered <- r.URL
	select {
	case <-b.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return b.fakeProvider.Scrape(ctx, r)
}

// reportOf decodes an error result's structuredContent.
func reportOf(t *testing.T, res *mcp.CallToolResult) errmap.Report {
	t.Helper()
	if res == nil || !res.IsError {
		t.Fatalf("want an error result, got %+v", res)
	}
	b, _ := json.Marshal(res.StructuredContent)
	var rep errmap.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

type callOutcome struct {
	res *mcp.CallToolResult
	err error
}

// goCall starts a call and returns where its outcome will arrive.
func goCall(h *harness, ctx context.Context, tool string, args map[string]any) <-chan callOutcome {
	out := make(chan callOutcome, 1)
	go func() {
		res, err := callRaw(h, ctx, tool, args)
		out <- callOutcome{res, err}
	}()
	return out
}

func scrapeArgs(i int) map[string]any {
	return map[string]any{"url": fmt.Sprintf("https://s%d.example/", i)}
}

func TestGateAnswersServerBusyOnceQueueWaitPassesWithEverySlotTaken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const slots, queueWait = 3, 5 * time.Second
		bs := newBlockingScraper()
		gate := NewGate(slots, queueWait)
		h := newHarnessDeps(t, bs.fakeProvider, &Deps{Provider: bs, Gate: gate})
		ctx := context.Background()

		var running []<-chan callOutcome
		for i := range slots {
			running = append(running, goCall(h, ctx, "scrape", scrapeArgs(i)))
			<-bs.entered
		}
		if n := gate.InFlight(); n != slots {
			t.Fatalf("InFlight = %d with %d calls running", n, slots)
		}

		start := time.Now()
		res, err := callRaw(h, ctx, "scrape", scrapeArgs(slots))
		if err != nil {
			t.Fatalf("busy call: protocol error %v", err)
		}
		if waited := time.Since(start); waited != queueWait {
			t.Errorf("the extra call was refused after %s, want after queueWait %s", waited, queueWait)
		}
		rep := reportOf(t, res)
		if rep.Error.Code != client.CodeServerBusy || rep.Guidance.Action != errmap.RetryLater || rep.Guidance.RetryAfterS <= 0 {
			t.Errorf("extra call: code %q action %q retry_after_s %d; want server_busy, retry_later, > 0",
				rep.Error.Code, rep.Guidance.Action, rep.Guidance.RetryAfterS)
		}

		close(bs.release)
		for i, c := range running {
			o := <-c
			if o.err != nil || o.res.IsError {
				t.Errorf("call %d holding a slot did not finish normally: %v %s", i, o.err, resultText(o.res))
			}
		}
		if n := gate.InFlight(); n != 0 {
			t.Errorf("InFlight = %d after every call returned", n)
		}
	})
}

// A slot comes back however its call ends; with one slot, a call that still
// held it would make the next call wait queueWait and come back busy.
func TestGateReleasesTheSlotHoweverTheCallEnds(t *testing.T) {
	tests := []struct {
		name string
		// end makes the blocked call end, given its cancel func.
		end  func(bs *blockingScraper, cancel context.CancelFunc)
		fail func(url string) (*client.Page, error)
	}{
		{name: "returns normally", end: func(bs *blockingScraper, _ context.CancelFunc) { close(bs.release) }},
		{name: "provider fails", end: func(bs *blockingScraper, _ context.CancelFunc) { close(bs.release) },
			fail: func(string) (*client.Page, error) {
				return nil, &client.Error{Provider: "local", Code: client.CodeTimeout, Message: "slow"}
			}},
		{name: "provider panics", end: func(bs *blockingScraper, _ context.CancelFunc) { close(bs.release) },
			fail: func(string) (*client.Page, error) { panic("boom") }},
		{name: "client cancels", end: func(_ *blockingScraper, cancel context.CancelFunc) { cancel() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				bs := newBlockingScraper()
				if tt.fail != nil {
					bs.page = tt.fail
				}
				gate := NewGate(1, time.Second)
				h := newHarnessDeps(t, bs.fakeProvider, &Deps{Provider: bs, Gate: gate})
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				first := goCall(h, ctx, "scrape", scrapeArgs(0))
				<-bs.entered
				tt.end(bs, cancel)
				<-first
				synctest.Wait()
				if n := gate.InFlight(); n != 0 {
					t.Fatalf("InFlight = %d after the call ended", n)
				}

				bs.page = newFake().page
				next := goCall(h, context.Background(), "scrape", scrapeArgs(1))
				select {
				case <-bs.entered:
				case o := <-next:
					t.Fatalf("next call did not get the slot: %s", resultText(o.res))
				}
				if tt.name == "client cancels" {
					close(bs.release)
				}
				if o := <-next; o.err != nil || o.res.IsError {
					t.Errorf("next call: %v %s", o.err, resultText(o.res))
				}
			})
		})
	}
}

// crawlWatcher tells the test about each poll of the crawl job.
type crawlWatcher struct {
	*fakeProvider
	polled chan int
}

func (w crawlWatcher) Job(ctx context.Context, ref client.JobRef) (*client.Job, error) {
	j, err := w.fakeProvider.Job(ctx, ref)
	if err == nil {
		select {
		case w.polled <- len(j.Pages):
		default:
		}
	}
	return j, err
}

func expired() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// At shutdown a crawl answers as if its wait_s had run out — pages so far
// and a job_id that job_status can continue — and leaves the job running.
func TestDrainPastItsDeadlineReturnsCrawlPagesSoFarWithoutCancellingTheJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := newFake()
		fake.job = &client.Job{}
		for i := range 10 {
			fake.job.Pages = append(fake.job.Pages, client.Page{URL: fmt.Sprintf("https://c.example/%d", i), Markdown: "x"})
		}
		w := crawlWatcher{fakeProvider: fake, polled: make(chan int, 64)}
		gate := NewGate(4, time.Second)
		h := newHarnessDeps(t, fake, &Deps{Provider: w, Gate: gate})
		crawl := goCall(h, context.Background(), "crawl", map[string]any{"url": "https://c.example/", "max_pages": 10, "wait_s": 600})
		for seen := 0; seen < 2; seen = <-w.polled {
		}

		gate.Drain(expired())

		o := <-crawl
		if o.err != nil {
			t.Fatalf("crawl at shutdown: protocol error %v", o.err)
		}
		var r JobResult
		h.out(o.res, &r)
		if r.JobID != "local:crawl:j1" || r.Done || len(r.Pages) < 2 {
			t.Errorf("crawl at shutdown: job_id %q done %v pages %d; want the job id, not done, the pages so far", r.JobID, r.Done, len(r.Pages))
		}
		fake.mu.Lock()
		defer fake.mu.Unlock()
		if len(fake.cancelled) != 0 {
			t.Errorf("shutdown cancelled the crawl upstream: %v", fake.cancelled)
		}
	})
}

func TestDrainPastItsDeadlineAnswersABlockedScrapeShuttingDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bs := newBlockingScraper()
		gate := NewGate(4, time.Second)
		h := newHarnessDeps(t, bs.fakeProvider, &Deps{Provider: bs, Gate: gate})
		scrape := goCall(h, context.Background(), "scrape", scrapeArgs(0))
		<-bs.entered

		gate.Drain(expired())

		o := <-scrape
		if o.err != nil {
			t.Fatalf("scrape at shutdown: protocol error %v (mcp-go would send a JSON-RPC error)", o.err)
		}
		rep := reportOf(t, o.res)
		if rep.Error.Code != client.CodeShuttingDown || rep.Guidance.Action != errmap.RetryLater || rep.Guidance.RetryAfterS <= 0 {
			t.Errorf("scrape at shutdown: code %q action %q retry_after_s %d", rep.Error.Code, rep.Guidance.Action, rep.Guidance.RetryAfterS)
		}
		if n := gate.InFlight(); n != 0 {
			t.Errorf("InFlight = %d after Drain returned", n)
		}
	})
}

// Drain with time to spare lets calls finish normally and returns only
// then; meanwhile, new calls are refused at once.
func TestDrainWaitsForCallsInFlightAndRefusesNewOnesAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bs := newBlockingScraper()
		gate := NewGate(4, time.Second)
		h := newHarnessDeps(t, bs.fakeProvider, &Deps{Provider: bs, Gate: gate})
		inFlight := goCall(h, context.Background(), "scrape", scrapeArgs(0))
		<-bs.entered

		drained := make(chan struct{})
		go func() {
			gate.Drain(context.Background())
			close(drained)
		}()
		synctest.Wait()

		start := time.Now()
		res, err := callRaw(h, context.Background(), "scrape", scrapeArgs(1))
		if err != nil {
			t.Fatalf("call during drain: protocol error %v", err)
		}
		if rep := reportOf(t, res); rep.Error.Code != client.CodeShuttingDown {
			t.Errorf("call during drain: code %q, want shutting_down", rep.Error.Code)
		}
		if waited := time.Since(start); waited != 0 {
			t.Errorf("call during drain waited %s before being refused", waited)
		}
		select {
		case <-drained:
			t.Fatal("Drain returned while a call was still running")
		default:
		}

		close(bs.release)
		if o := <-inFlight; o.err != nil || o.res.IsError {
			t.Errorf("call in flight did not finish normally: %v %s", o.err, resultText(o.res))
		}
		<-drained
	})
}

// slowStatus holds job_status's read until release, or until ctx ends.
type slowStatus struct {
	*fakeProvider
	entered chan struct{}
	release chan struct{}
}

func (s slowStatus) Job(ctx context.Context, ref client.JobRef) (*client.Job, error) {
	s.entered <- struct{}{}
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.fakeProvider.Job(ctx, ref)
}

func TestDrainPastItsDeadlineLetsJobStatusAnswerWithWhatItHas(t *testing.T) {
	tests := []struct {
		name          string
		providerSpeak bool // the provider answers within the shutdown grace
		wantCode      string
	}{
		{name: "provider answers within the grace: the snapshot", providerSpeak: true},
		{name: "provider stays silent: shutting_down", wantCode: client.CodeShuttingDown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fake := newFake()
				fake.job = &client.Job{Ref: client.JobRef{Provider: "local", Kind: client.KindCrawl, ID: "j1"},
					Pages: []client.Page{{URL: "https://c.example/", Markdown: "x"}}}
				ss := slowStatus{fakeProvider: fake, entered: make(chan struct{}, 1), release: make(chan struct{})}
				gate := NewGate(4, time.Second)
				h := newHarnessDeps(t, fake, &Deps{Provider: ss, Gate: gate})
				status := goCall(h, context.Background(), "job_status", map[string]any{"job_id": "local:crawl:j1"})
				<-ss.entered

				drained := make(chan struct{})
				go func() {
					gate.Drain(expired())
					close(drained)
				}()
				synctest.Wait()
				if tt.providerSpeak {
					close(ss.release)
				}
				o := <-status
				<-drained
				if o.err != nil {
					t.Fatalf("job_status at shutdown: protocol error %v", o.err)
				}
				if tt.wantCode != "" {
					if rep := reportOf(t, o.res); rep.Error.Code != tt.wantCode {
						t.Errorf("code %q, want %q", rep.Error.Code, tt.wantCode)
					}
					return
				}
				var r JobResult
				h.out(o.res, &r)
				if r.JobID != "local:crawl:j1" || len(r.Pages) != 1 {
					t.Errorf("job_status at shutdown: %+v", r)
				}
			})
		})
	}
}

// A cut-short call whose handler returns only an error would reach the
// client as JSON-RPC -32603; the gate answers shutting_down instead.
func TestGateTurnsAnErrorReturnedAfterShutdownIntoAResult(t *testing.T) {
	gate := NewGate(1, time.Second)
	entered := make(chan struct{})
	h := gate.wrap(func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		close(entered)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	out := make(chan callOutcome, 1)
	go func() {
		res, err := h(context.Background(), mcp.CallToolRequest{})
		out <- callOutcome{res, err}
	}()
	<-entered
	gate.Drain(expired())
	o := <-out
	if o.err != nil {
		t.Fatalf("handler error leaked through the gate: %v", o.err)
	}
	if rep := reportOf(t, o.res); rep.Error.Code != client.CodeShuttingDown {
		t.Errorf("code %q, want shutting_down", rep.Error.Code)
	}
}

func TestGateSizes(t *testing.T) {
	tests := []struct {
		name string
		gate *Gate
		want int
	}{
		{name: "zero means sized for the machine", gate: NewGate(0, 0), want: DefaultMaxConcurrent()},
		{name: "explicit size is kept", gate: NewGate(3, time.Second), want: 3},
		{name: "Deps without a gate gets the default", gate: func() *Gate { d := &Deps{Provider: newFake()}; Inventory(d); return d.Gate }(), want: DefaultMaxConcurrent()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.gate.MaxConcurrent(); got != tt.want {
				t.Errorf("MaxConcurrent = %d, want %d", got, tt.want)
			}
		})
	}
	if DefaultMaxConcurrent() < 16 {
		t.Errorf("DefaultMaxConcurrent = %d; hosts fan out 16 calls at once even on one CPU", DefaultMaxConcurrent())
	}
}
