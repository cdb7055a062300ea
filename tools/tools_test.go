package tools

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/goleak"

	"github.com/scrapemcp/scrapemcp/client"
)

// A 2 MB page read in max_length windows reassembles exactly, multi-byte
// characters included, and no window exceeds the bound.
func TestScrapePagingReassemblesLargePageExactly(t *testing.T) {
	var sb strings.Builder
	for i := 0; sb.Len() < 2<<20; i++ {
		fmt.Fprintf(&sb, "line %d — naïve café ✓ 😀\n", i)
	}
	body := sb.String()
	fake := newFake()
	fake.page = func(u string) (*client.Page, error) {
		return &client.Page{URL: u, Markdown: body}, nil
	}
	h := newHarness(t, fake, 20000)
	ctx := context.Background()
	var got strings.Builder
	start, calls := 0, 0
	for {
		var r ScrapeResult
		h.out(h.call(ctx, "scrape", map[string]any{"url": "https://big.example/", "start_index": start, "max_length": 50000}), &r)
		calls++
		if n := utf8.RuneCountInString(r.Markdown); n > 50000 {
			t.Fatalf("window of %d runes exceeds max_length", n)
		}
		got.WriteString(r.Markdown)
		if !r.Truncated {
			break
		}
		if r.NextStartIndex <= start {
			t.Fatalf("next_start_index %d does not advance past %d", r.NextStartIndex, start)
		}
		start = r.NextStartIndex
	}
	if got.String() != body {
		t.Fatalf("reassembled %d bytes, want %d", got.Len(), len(body))
	}
	if n := fake.calls.Load(); n != 1 {
		t.Errorf("continuations fetched the page again: %d provider calls", n)
	}
	if calls < 2 {
		t.Errorf("a 2 MB page fit in one window")
	}
}

func TestScrapeTextSaysHowToContinue(t *testing.T) {
	fake := newFake()
	fake.page = func(u string) (*client.Page, error) {
		return &client.Page{URL: u, Markdown: strings.Repeat("a", 500)}, nil
	}
	h := newHarness(t, fake, 20000)
	res := h.call(context.Background(), "scrape", map[string]any{"url": "https://x.example/", "max_length": 100})
	if txt := resultText(res); !strings.Contains(txt, "start_index=100") {
		t.Errorf("text does not say how to continue:\n%s", txt)
	}
}

// Limits the APIs document are enforced before any provider call, so no
// credits are spent on a request that would be rejected.
func TestDocumentedLimitsFailBeforeAnyProviderCall(t *testing.T) {
	eleven := make([]any, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprintf("https://e%d.example/", i)
	}
	bigSchema := map[string]any{"type": "object", "description": strings.Repeat("d", 51<<10)}
	cases := []struct {
		tool  string
		args  map[string]any
		field string
	}{
		{"scrape", map[string]any{"url": "not a url"}, "url"},
		{"scrape", map[string]any{"url": "https://x.example/", "prompt": strings.Repeat("p", 8<<10+1)}, "prompt"},
		{"scrape", map[string]any{"url": "https://x.example/", "json_schema": bigSchema}, "json_schema"},
		{"scrape", map[string]any{"url": "https://x.example/", "json_schema": map[string]any{"type": "nonsense"}}, "json_schema"},
		{"scrape", map[string]any{"url": "https://x.example/", "max_length": 5}, "max_length"},
		{"scrape", map[string]any{"url": "https://x.example/", "country": "usa"}, "country"},
		{"scrape", map[string]any{"url": "https://x.example/", "formats": []any{"pdf"}}, "formats"},
		{"batch_scrape", map[string]any{"urls": []any{}}, "urls"},
		{"batch_scrape", map[string]any{"urls": eleven}, "urls"},
		{"batch_scrape", map[string]any{"urls": []any{"https://ok.example/", "ftp://bad"}}, "urls[1]"},
		{"crawl", map[string]any{"url": "https://x.example/", "max_depth": 6}, "max_depth"},
		{"crawl", map[string]any{"url": "https://x.example/", "max_pages": 5000}, "max_pages"},
		{"crawl", map[string]any{"url": "https://x.example/", "wait_s": 601}, "wait_s"},
		{"search", map[string]any{"query": "q", "limit": 21}, "limit"},
		{"search", map[string]any{"query": ""}, "query"},
		{"map", map[string]any{"url": "https://x.example/", "limit": 5001}, "limit"},
		{"extract", map[string]any{"urls": []any{"https://x.example/"}}, "json_schema"},
		{"extract", map[string]any{"urls": eleven, "prompt": "p"}, "urls"},
		{"job_status", map[string]any{"job_id": "nonsense"}, "job_id"},
		{"job_status", map[string]any{"job_id": "local:crawl:j1", "cursor": "x"}, "cursor"},
		{"job_cancel", map[string]any{"job_id": ""}, "job_id"},
	}
	for _, c := range cases {
		t.Run(c.tool+"/"+c.field, func(t *testing.T) {
			fake := newFake()
			h := newHarness(t, fake, 20000)
			action, field, _ := guidanceOf(t, h.call(context.Background(), c.tool, c.args))
			if action != "fix_request" || field != c.field {
				t.Errorf("guidance %s on %q, want fix_request on %q", action, field, c.field)
			}
			if n := fake.calls.Load(); n != 0 {
				t.Errorf("provider was called %d times for an invalid request", n)
			}
		})
	}
}

// A 500-page crawl read through job_status reassembles every page exactly,
// and no response carries more than max_length characters of content.
func TestCrawlPagesThroughJobStatusWithinBound(t *testing.T) {
	fake := newFake()
	var pages []client.Page
	for i := range 500 {
		pages = append(pages, client.Page{URL: fmt.Sprintf("https://site.example/p%d", i), Markdown: fmt.Sprintf("# Page %d\n\n%s", i, strings.Repeat("word ", 50+i%300))})
	}
	fake.job = &client.Job{Pages: pages}
	fake.finishAt = 2
	h := newHarness(t, fake, 20000)
	ctx := context.Background()
	var r JobResult
	h.out(h.call(ctx, "crawl", map[string]any{"url": "https://site.example/", "max_pages": 500, "wait_s": 30, "max_length": 8000}), &r)
	got := map[string]*strings.Builder{}
	order := []string{}
	for round := 0; ; round++ {
		content := 0
		for _, p := range r.Pages {
			content += utf8.RuneCountInString(p.Markdown)
			b := got[p.URL]
			if b == nil {
				b = &strings.Builder{}
				got[p.URL] = b
				order = append(order, p.URL)
			}
			if p.Offset != utf8.RuneCountInString(b.String()) {
				t.Fatalf("%s: part at offset %d, have %d chars", p.URL, p.Offset, utf8.RuneCountInString(b.String()))
			}
			b.WriteString(p.Markdown)
		}
		if content > 8000 {
			t.Fatalf("round %d carried %d characters, bound 8000", round, content)
		}
		if !r.Truncated {
			break
		}
		h.out(h.call(ctx, "job_status", map[string]any{"job_id": r.JobID, "cursor": r.NextCursor, "max_length": 8000}), &r)
	}
	if len(order) != 500 {
		t.Fatalf("got %d pages, want 500", len(order))
	}
	for i, p := range pages {
		if order[i] != p.URL || got[p.URL].String() != p.Markdown {
			t.Fatalf("page %d differs after reassembly", i)
		}
	}
}

func TestCrawlSendsIncreasingProgress(t *testing.T) {
	fake := newFake()
	var pages []client.Page
	for i := range 20 {
		pages = append(pages, client.Page{URL: fmt.Sprintf("https://s.example/%d", i), Markdown: "x"})
	}
	fake.job = &client.Job{Pages: pages}
	fake.finishAt = 5
	h := newHarness(t, fake, 20000)
	var r JobResult
	h.out(h.call(context.Background(), "crawl", map[string]any{"url": "https://s.example/", "max_pages": 20, "wait_s": 30}), &r)
	if !r.Done || len(r.Pages) != 20 {
		t.Fatalf("crawl result: done=%v pages=%d", r.Done, len(r.Pages))
	}
	// Notifications travel apart from the result; wait for a few to land.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		h.mu.Lock()
		n := len(h.notes)
		h.mu.Unlock()
		if n >= 2 {
			break
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	last, n := -1.0, 0
	for _, note := range h.notes {
		if note.Method != "notifications/progress" {
			continue
		}
		p, _ := note.Params.AdditionalFields["progress"].(float64)
		if p <= last {
			t.Errorf("progress went from %v to %v", last, p)
		}
		last, n = p, n+1
	}
	if n < 2 {
		t.Errorf("got %d progress notifications, want several", n)
	}
}

// A crawl that never finishes returns at wait_s with its job id; it does not
// hang, and no goroutine outlives the call.
func TestCrawlReturnsJobIDAtDeadline(t *testing.T) {
	noLeaks(t)
	fake := newFake()
	fake.job = &client.Job{Pages: []client.Page{{URL: "https://s.example/", Markdown: "x"}}}
	h := newHarness(t, fake, 20000)
	var r JobResult
	h.out(h.call(context.Background(), "crawl", map[string]any{"url": "https://s.example/", "wait_s": 1}), &r)
	if r.Done || r.JobID != "local:crawl:j1" || !strings.Contains(r.Message, "job_status") {
		t.Fatalf("want a running job with a job_status hint, got %+v", r)
	}
	if len(fake.cancelled) != 0 {
		t.Errorf("a wait_s timeout cancelled the job upstream")
	}
}

// When the client cancels the call, polling stops and the upstream job is
// cancelled too.
func TestCrawlCancelledByClientCancelsUpstream(t *testing.T) {
	noLeaks(t)
	fake := newFake()
	fake.job = &client.Job{Pages: []client.Page{{URL: "https://s.example/", Markdown: "x"}}}
	h := newHarness(t, fake, 20000)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for fake.calls.Load() < 3 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	res, err := callRaw(h, ctx, "crawl", map[string]any{"url": "https://s.example/", "wait_s": 60})
	if err == nil && !res.IsError {
		t.Fatalf("cancelled call returned a result: %s", resultText(res))
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.cancelled) != 1 {
		t.Fatalf("upstream cancel calls = %d, want 1", len(fake.cancelled))
	}
}

func TestExtractRejectsDataThatBreaksTheSchema(t *testing.T) {
	fake := newFake()
	h := newHarness(t, fake, 20000)
	fake.extract = []byte(`{"price":"cheap"}`)
	res := h.call(context.Background(), "extract", map[string]any{"urls": []any{"https://x.example/"}, "json_schema": map[string]any{"type": "object", "properties": map[string]any{"price": map[string]any{"type": "number"}}}})
	_, _, code := guidanceOf(t, res)
	if code != CodeSchemaMismatch {
		t.Errorf("extraction that breaks the schema: code %q, want %s", code, CodeSchemaMismatch)
	}
}

func TestSearchResultsAreBounded(t *testing.T) {
	fake := newFake()
	h := newHarness(t, fake, 20000)
	var r SearchResult
	h.out(h.call(context.Background(), "search", map[string]any{"query": "q", "limit": 20, "scrape_results": true, "max_length": 4000}), &r)
	total := 0
	for _, hit := range r.Results {
		total += utf8.RuneCountInString(hit.Markdown)
	}
	if len(r.Results) != 20 || total > 4000 {
		t.Errorf("%d results with %d characters of content; bound 4000", len(r.Results), total)
	}
	if r.Cost == nil || r.Cost.Credits != 3 {
		t.Errorf("cost not reported: %+v", r.Cost)
	}
}

func TestMapPagesWithCursor(t *testing.T) {
	fake := newFake()
	for i := range 3000 {
		fake.mapURLs = append(fake.mapURLs, fmt.Sprintf("https://m.example/page/%d", i))
	}
	h := newHarness(t, fake, 20000)
	var all []string
	args := map[string]any{"url": "https://m.example/", "limit": 3000, "max_length": 5000}
	for {
		var r MapResult
		h.out(h.call(context.Background(), "map", args), &r)
		all = append(all, r.URLs...)
		if !r.Truncated {
			break
		}
		args["cursor"] = r.NextCursor
	}
	if len(all) != 3000 || all[2999] != fake.mapURLs[2999] {
		t.Fatalf("paged map gave %d URLs", len(all))
	}
	if n := fake.calls.Load(); n != 1 {
		t.Errorf("map continuation re-ran the map: %d calls", n)
	}
}

func TestPanicInHandlerBecomesGuidance(t *testing.T) {
	fake := newFake()
	fake.page = func(string) (*client.Page, error) { panic("boom") }
	h := newHarness(t, fake, 20000)
	action, _, code := guidanceOf(t, h.call(context.Background(), "scrape", map[string]any{"url": "https://x.example/"}))
	if code != "internal_error" || action == "" {
		t.Errorf("panic gave code %q action %q", code, action)
	}
}

func TestSelectFiltersByNameAndReadOnly(t *testing.T) {
	all := Inventory(&Deps{Provider: newFake()})
	ro, err := Select(all, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range ro {
		if tl.Name == "job_cancel" {
			t.Error("--read-only kept job_cancel")
		}
	}
	some, _ := Select(all, []string{"scrape", "map"}, false)
	if len(some) != 2 {
		t.Errorf("--tools scrape,map gave %d tools", len(some))
	}
	if _, err := Select(all, []string{"scarpe"}, false); err == nil {
		t.Error("a misspelt tool name was accepted")
	}
}

// noLeaks checks, after every other cleanup (the MCP client's included),
// that the test left no goroutine behind.
func noLeaks(t *testing.T) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

// A provider that polls inside one call (an async scrape) reports each poll
// as progress through the context watcher.
func TestAsyncScrapeReportsProgressPerPoll(t *testing.T) {
	fake := newFake()
	fake.page = nil
	h := newHarness(t, fake, 20000)
	h.deps.Provider = pollingScraper{fake}
	var r ScrapeResult
	h.out(h.call(context.Background(), "scrape", map[string]any{"url": "https://slow.example/"}), &r)
	// Notifications travel apart from the result and may trail it a little.
	count := func() int {
		h.mu.Lock()
		defer h.mu.Unlock()
		n := 0
		for _, note := range h.notes {
			if note.Method == "notifications/progress" {
				n++
			}
		}
		return n
	}
	for deadline := time.Now().Add(5 * time.Second); count() < 3 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if n := count(); n != 3 {
		t.Errorf("got %d progress notifications for 3 polls", n)
	}
}

// pollingScraper scrapes by polling a job three times, as the API clients do.
type pollingScraper struct{ *fakeProvider }

func (p pollingScraper) Scrape(ctx context.Context, r client.ScrapeRequest) (*client.Page, error) {
	polls := 0
	_, err := client.Poll(ctx, client.PollSchedule{Start: time.Millisecond, Max: time.Millisecond, Factor: 1}, func(context.Context) (*client.Job, error) {
		polls++
		st := client.JobRunning
		if polls == 3 {
			st = client.JobCompleted
		}
		return &client.Job{Ref: client.JobRef{Provider: "local", Kind: client.KindScrape, ID: "s"}, State: st}, nil
	}, nil)
	if err != nil {
		return nil, err
	}
	return &client.Page{URL: r.URL, Markdown: "done"}, nil
}

// A crawled page read the simplified way says so, in structuredContent on
// its first part and in the text, as a scraped page does.
func TestJobPagesCarryTheirWarnings(t *testing.T) {
	j := &client.Job{State: client.JobCompleted, Pages: []client.Page{
		{URL: "https://a.example/deep", Markdown: strings.Repeat("deep text ", 50), Warnings: []string{"read as plain text: nested deeper than 512"}},
		{URL: "https://a.example/ok", Markdown: "fine"},
	}}
	r := jobResult(j, cursor{}, 2000)
	if len(r.Pages) < 2 {
		t.Fatalf("pages: %+v", r.Pages)
	}
	if got := r.Pages[0].Warnings; len(got) != 1 || !strings.Contains(got[0], "plain text") {
		t.Errorf("first part's warnings = %q", got)
	}
	if len(r.Pages[1].Warnings) != 0 {
		t.Errorf("a page without warnings got %q", r.Pages[1].Warnings)
	}
	if !strings.Contains(r.text(), "Warning: read as plain text") {
		t.Errorf("the text does not carry the warning:\n%s", r.text())
	}
	next, _ := parseCursor("local", "0:100")
	if more := jobResult(j, next, 2000); len(more.Pages) == 0 || more.Pages[0].Offset != 100 || len(more.Pages[0].Warnings) != 0 {
		t.Errorf("a continuation part repeats the warnings: %+v", more.Pages)
	}
}
