package local

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/local/hostiletest"
	"github.com/scrapemcp/scrapemcp/errmap"
)

// These tests point the provider at hostiletest's site on loopback and
// check that each hostile page costs bounded time and memory and comes
// back as a page, a page with a warning, or an error with the right code;
// never as an empty success. Tests that measure the heap do not run in
// parallel, so the heap they sample is theirs.

// hangGuard is how long any one of these calls may take before the test
// calls it a hang. It bounds nothing about speed.
const hangGuard = 60 * time.Second

func hostileSite(t *testing.T, o hostiletest.Options) *httptest.Server {
	t.Helper()
	s := hostiletest.NewServer(o)
	t.Cleanup(s.Close)
	return s
}

// heapDuring runs f and returns the most heap in use while it ran, above
// what was in use before it started, sampled every millisecond.
func heapDuring(t *testing.T, f func()) uint64 {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak uint64
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		var ms runtime.MemStats
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	<-stopped
	grew := uint64(0)
	if peak > base {
		grew = peak - base
	}
	t.Logf("heap in use grew by at most %d MiB", grew>>20)
	return grew
}

// scrapeGuarded scrapes with the hang guard as the context's deadline.
func scrapeGuarded(t *testing.T, p *Provider, req client.ScrapeRequest) (*client.Page, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	page, err := p.Scrape(ctx, req)
	if ctx.Err() != nil {
		t.Fatalf("scraping %s hit the %s hang guard", req.URL, hangGuard)
	}
	if err == nil && page.Markdown == "" && req.Wants(client.FormatMarkdown) {
		t.Fatalf("scraping %s succeeded with empty markdown; warnings %q", req.URL, page.Warnings)
	}
	return page, err
}

// wantGuidance fails unless the agent would be told to do action about ce:
// the code must not only be right but lead somewhere.
func wantGuidance(t *testing.T, ce *client.Error, action errmap.Action) {
	t.Helper()
	g := errmap.Explain(ce)
	if g.Action != action {
		t.Errorf("%s is explained as %s (%s), want %s", ce.Code, g.Action, g.Hint, action)
	}
}

func markdownReq(u string) client.ScrapeRequest {
	return client.ScrapeRequest{URL: u, Formats: []string{client.FormatMarkdown}, OnlyMainContent: true}
}

func TestContentCodingsPastTwoOrUnknownAreRefusedBeforeDecoding(t *testing.T) {
	srv := hostileSite(t, hostiletest.Options{})
	p, _ := testProvider(t, loopbackOnly(), nil)
	for _, c := range []struct {
		name, path string
		wantCode   string   // "" = the page comes back
		wantInMsg  []string // for errors
	}{
		{"300,000 br layers", "/br-chain?n=300000", client.CodeUnsupportedEncoding, []string{"300000 content codings", `"br"`, "at most 2"}},
		{"three gzip layers", "/gzip-chain?n=3", client.CodeUnsupportedEncoding, []string{"3 content codings", `"gzip"`}},
		{"an unknown coding", "/coding?c=zstd", client.CodeUnsupportedEncoding, []string{`"zstd"`, "cannot decode"}},
		{"an unknown coding after a known one", "/coding?c=gzip,%20compress", client.CodeUnsupportedEncoding, []string{`"compress"`}},
		{"two gzip layers", "/gzip-chain?n=2", "", nil},
		{"one gzip layer", "/gzip-chain?n=1", "", nil},
		{"identity is no coding", "/coding?c=identity", "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var (
				page *client.Page
				err  error
			)
			grew := heapDuring(t, func() { page, err = scrapeGuarded(t, p, markdownReq(srv.URL+c.path)) })
			// Before the limit, 300,000 brotli decoders took 2 GB.
			if grew > 64<<20 {
				t.Errorf("the heap grew by %d MiB", grew>>20)
			}
			if c.wantCode == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(page.Markdown, "arrived in one piece") {
					t.Errorf("markdown %q", page.Markdown)
				}
				return
			}
			ce := wantCode(t, err, c.wantCode)
			wantGuidance(t, ce, errmap.ChangeStrategy)
			for _, s := range c.wantInMsg {
				if !strings.Contains(ce.Message, s) {
					t.Errorf("message %q does not say %q", ce.Message, s)
				}
			}
			if len(ce.Message) > 600 {
				t.Errorf("the message repeats the hostile header: %d bytes", len(ce.Message))
			}
		})
	}
}

func TestRobotsTxtWithACodingChainIsRefusedLikeAPage(t *testing.T) {
	srv := hostileSite(t, hostiletest.Options{RobotsCoding: strings.TrimSuffix(strings.Repeat("br,", 300_000), ",")})
	p, _ := testProvider(t, loopbackOnly(), nil)
	var err error
	grew := heapDuring(t, func() { _, err = scrapeGuarded(t, p, markdownReq(srv.URL+"/gzip-chain?n=1")) })
	ce := wantCode(t, err, client.CodeUnsupportedEncoding)
	wantGuidance(t, ce, errmap.ChangeStrategy)
	if !strings.Contains(ce.Message, "/robots.txt") {
		t.Errorf("message %q does not name robots.txt", ce.Message)
	}
	if grew > 64<<20 {
		t.Errorf("the heap grew by %d MiB", grew>>20)
	}
}

func TestBodiesThatNeverEndAreCutAtTheDecodedCap(t *testing.T) {
	srv := hostileSite(t, hostiletest.Options{})
	opts := loopbackOnly()
	opts.MaxBodyBytes = 1 << 20
	p, _ := testProvider(t, opts, nil)
	for _, c := range []struct{ name, path string }{
		// ~6 MB on the wire that inflate to 2 GiB: the cap must apply
		// to what comes out of the decoder, not to what goes in.
		{"gzip bomb", "/gzip-bomb?mb=2048"},
		{"endless stream", "/endless"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var (
				page *client.Page
				err  error
			)
			grew := heapDuring(t, func() { page, err = scrapeGuarded(t, p, markdownReq(srv.URL+c.path)) })
			if err != nil {
				t.Fatal(err)
			}
			if !anyContains(page.Warnings, "body truncated at 1048576 bytes") {
				t.Errorf("no truncation warning in %q", page.Warnings)
			}
			if len(page.Markdown) > 1<<20 {
				t.Errorf("markdown is %d bytes, more than the body cap", len(page.Markdown))
			}
			if grew > 128<<20 {
				t.Errorf("the heap grew by %d MiB for a 1 MiB cap", grew>>20)
			}
		})
	}
}

// anyContains reports whether any of list contains sub.
func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestSlowDripEndsAtTheFetchDeadlineWithTimeout(t *testing.T) {
	t.Parallel()
	srv := hostileSite(t, hostiletest.Options{})
	opts := loopbackOnly()
	opts.Timeout = time.Second
	p, _ := testProvider(t, opts, nil)
	_, err := scrapeGuarded(t, p, markdownReq(srv.URL+"/drip?ms=20"))
	ce := wantCode(t, err, client.CodeTimeout)
	wantGuidance(t, ce, errmap.RetryLater)
	if !strings.Contains(ce.Message, "too slowly") {
		t.Errorf("message %q does not say the body came too slowly", ce.Message)
	}
}

func TestDeepNestingFallsBackToTheTokenStream(t *testing.T) {
	t.Parallel()
	srv := hostileSite(t, hostiletest.Options{})
	p, _ := testProvider(t, loopbackOnly(), nil)
	page, err := scrapeGuarded(t, p, client.ScrapeRequest{
		URL: srv.URL + "/deep?n=5000", OnlyMainContent: true,
		Formats: []string{client.FormatMarkdown, client.FormatHTML, client.FormatLinks},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"level 0 of the deep page", "level 4999 of the deep page"} {
		if !strings.Contains(page.Markdown, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if !anyContains(page.Warnings, "exceeds 512") || !anyContains(page.Warnings, "plain text") {
		t.Errorf("warnings %q do not say the page was read as plain text for its nesting", page.Warnings)
	}
	if !strings.Contains(page.HTML, "level 4999") || strings.Contains(page.HTML, "<script") {
		t.Errorf("html is not the page's tokens: %.200q", page.HTML)
	}
	if len(page.Links) != 5000 || !strings.HasSuffix(page.Links[4999], "/deep-link/4999") {
		t.Errorf("got %d links, want 5000 ending with /deep-link/4999", len(page.Links))
	}
}

func TestDeepNestingWithNothingToReadIsPageTooComplex(t *testing.T) {
	t.Parallel()
	srv := hostileSite(t, hostiletest.Options{})
	p, _ := testProvider(t, loopbackOnly(), nil)
	_, err := scrapeGuarded(t, p, markdownReq(srv.URL+"/deep?n=5000&text=0"))
	ce := wantCode(t, err, client.CodePageTooComplex)
	wantGuidance(t, ce, errmap.ChangeStrategy)
	if !strings.Contains(ce.Message, "exceeds 512") {
		t.Errorf("message %q does not say why", ce.Message)
	}
}

// heavyMB is the size of the heavy page: 6 MB (~150,000 <p>) as reported,
// and heavyBudget the extraction budget for it. Under the race detector,
// which makes it slow, not different, page and budget shrink together so
// the page still lands past the converter's budget.
func heavyMB() int {
	if raceEnabled {
		return 2
	}
	return 6
}

func heavyBudget() extractBudget {
	b := defaultBudget
	if raceEnabled {
		b.treeElements, b.mainElements, b.markdownElements = b.treeElements/3, b.mainElements/3, b.markdownElements/3
	}
	return b
}

func TestHeavyPagesAreSimplifiedAndBoundedPerCallAndInTotal(t *testing.T) {
	srv := hostileSite(t, hostiletest.Options{})
	opts := loopbackOnly()
	opts.MaxExtract = 2
	opts.Timeout = hangGuard // slow CI machines must not turn this into a timeout test
	p, _ := testProvider(t, opts, nil)
	p.budget = heavyBudget()
	for _, c := range []struct {
		calls int
		// maxGrowth bounds the heap: at most MaxExtract trees (~100 MB
		// each at the 5 MiB cap) plus every waiting call's body (~10 MB).
		// Before the budget and the slots, ten calls took 2.6 GB.
		maxGrowth uint64
	}{
		{1, 200 << 20},
		{10, 600 << 20},
	} {
		t.Run(fmt.Sprintf("%d at once", c.calls), func(t *testing.T) {
			pages := make([]*client.Page, c.calls)
			errs := make([]error, c.calls)
			grew := heapDuring(t, func() {
				var wg sync.WaitGroup
				for i := range c.calls {
					wg.Go(func() {
						pages[i], errs[i] = scrapeGuarded(t, p, markdownReq(fmt.Sprintf("%s/heavy?mb=%d&i=%d", srv.URL, heavyMB(), i)))
					})
				}
				wg.Wait()
			})
			for i := range c.calls {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				if !strings.Contains(pages[i].Markdown, "Paragraph 0 of a heavy page.\n\nParagraph 1 of") {
					t.Errorf("markdown does not keep the paragraphs: %.100q", pages[i].Markdown)
				}
				if !anyContains(pages[i].Warnings, "plain text") {
					t.Errorf("warnings %q do not say the page was simplified", pages[i].Warnings)
				}
			}
			if grew > c.maxGrowth {
				t.Errorf("the heap grew by %d MiB, more than %d MiB", grew>>20, c.maxGrowth>>20)
			}
		})
	}
}

func TestExtractionWaitsForASlotOnlyUntilTheDeadline(t *testing.T) {
	t.Parallel()
	srv := hostileSite(t, hostiletest.Options{})
	opts := loopbackOnly()
	opts.MaxExtract = 1
	opts.Timeout = 500 * time.Millisecond
	p, _ := testProvider(t, opts, nil)
	p.extractSlots <- struct{}{} // a long extraction holds the only slot
	defer p.releaseExtract()
	_, err := scrapeGuarded(t, p, markdownReq(srv.URL+"/gzip-chain?n=1"))
	ce := wantCode(t, err, client.CodeTimeout)
	wantGuidance(t, ce, errmap.RetryLater)
	if !strings.Contains(ce.Message, "did not finish before the deadline") {
		t.Errorf("message %q", ce.Message)
	}
}

func TestExtractionStopsWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	p, _ := testProvider(t, loopbackOnly(), nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	src := hostiletest.LinksPage(0, 500)
	for _, o := range []extractOpts{{onlyMain: true, markdown: true}, {html: true}, {}} {
		if _, err := p.extractHTML(ctx, src, mustURL(t, "http://127.0.0.1/"), o); !errors.Is(err, context.Canceled) {
			t.Errorf("%+v: got %v, want context.Canceled", o, err)
		}
	}
	// The converter takes no context; our first renderer stands in for
	// one, so a cancelled conversion writes nothing more.
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if md := p.toMarkdown(ctx, doc, mustURL(t, "http://127.0.0.1/")); md != "" {
		t.Errorf("a cancelled conversion still wrote %d bytes", len(md))
	}
}

func TestBudgetsChooseASimplerRenderingAndSaySo(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		budget   extractBudget
		onlyMain bool
		want     []string
		absent   []string
		warning  string // "" = none
	}{
		{"within budget", defaultBudget, true, []string{"## Habitat", "| a | b |", "~~foxes are dogs~~"}, []string{"Home"}, ""},
		{"past readability's budget", extractBudget{treeElements: 1000, mainElements: 5, markdownElements: 1000}, true,
			[]string{"# Foxes", "| a | b |"}, []string{"Home", "Elsewhere"}, "main-content detection"},
		{"past the converter's budget", extractBudget{treeElements: 1000, mainElements: 5, markdownElements: 10}, true,
			[]string{"# Foxes\n\nThe red fox", "## Habitat", "foxes are dogs revised"}, []string{"Home", "Elsewhere", "Nature Site", "|"}, "plain text"},
		{"past the converter's budget, whole page", extractBudget{treeElements: 1000, mainElements: 5, markdownElements: 10}, false,
			[]string{"Home About us", "# Foxes", "Elsewhere"}, nil, "plain text"},
		{"past the tree budget", extractBudget{treeElements: 10, mainElements: 5, markdownElements: 10}, true,
			[]string{"# Foxes\n\nThe red fox", "## Habitat"}, []string{"Home", "Elsewhere"}, "token stream"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, _ := testProvider(t, loopbackOnly(), nil)
			p.budget = c.budget
			ex, err := p.extractHTML(t.Context(), article, mustURL(t, "https://example.com/a"), extractOpts{onlyMain: c.onlyMain, markdown: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(ex.markdown, w) {
					t.Errorf("markdown lacks %q:\n%s", w, ex.markdown)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(ex.markdown, a) {
					t.Errorf("markdown has %q:\n%s", a, ex.markdown)
				}
			}
			if c.warning == "" && len(ex.warnings) > 0 || c.warning != "" && !anyContains(ex.warnings, c.warning) {
				t.Errorf("warnings %q, want one saying %q", ex.warnings, c.warning)
			}
			if len(ex.links) != 4 {
				t.Errorf("links %q: every rendering keeps the page's links", ex.links)
			}
		})
	}
}

func TestLinksPerPageAreCappedWithAWarning(t *testing.T) {
	t.Parallel()
	srv := hostileSite(t, hostiletest.Options{})
	p, _ := testProvider(t, loopbackOnly(), nil)
	page, err := scrapeGuarded(t, p, client.ScrapeRequest{URL: srv.URL + "/links/0?n=15000", Formats: []string{client.FormatLinks}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Links) != maxPageLinks || !anyContains(page.Warnings, "only the first") {
		t.Errorf("got %d links and warnings %q, want %d and a warning", len(page.Links), page.Warnings, maxPageLinks)
	}
}

func TestCrawlOfLinkHeavyPagesKeepsWithinItsShareAndSaysSo(t *testing.T) {
	srv := hostileSite(t, hostiletest.Options{})
	opts := loopbackOnly()
	opts.MaxJobBytes = 4 << 20 // a share of 1 MiB: about ten of these pages
	p, _ := testProvider(t, opts, nil)
	var job *client.Job
	grew := heapDuring(t, func() {
		j, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: srv.URL + "/links/0?n=2000", MaxPages: 200, MaxDepth: 5})
		if err != nil {
			t.Fatal(err)
		}
		job = waitJob(t, p, j.Ref)
	})
	if job.State != client.JobCompleted {
		t.Fatalf("state %s, error %v", job.State, job.Error)
	}
	var kept int64
	for i := range job.Pages {
		kept += pageBytes(&job.Pages[i])
	}
	if kept > 1<<20 || len(job.Pages) == 0 || len(job.Pages) >= 200 {
		t.Errorf("kept %d pages, %d bytes; want some, within the 1 MiB share", len(job.Pages), kept)
	}
	var said bool
	for _, pe := range job.PageErrors {
		if pe.Err != nil && pe.Err.Code == client.CodeTooLarge && strings.Contains(pe.Err.Message, "not kept") {
			said = true
			wantGuidance(t, pe.Err, errmap.ChangeStrategy)
		}
	}
	if !said {
		t.Errorf("no page error says a page was not kept: %+v", job.PageErrors)
	}
	if job.Stop == nil || job.Stop.Reason != client.StopBudget {
		t.Errorf("stop %+v, want budget", job.Stop)
	}
	if grew > 256<<20 {
		t.Errorf("the heap grew by %d MiB", grew>>20)
	}
}

// waitJob polls a local job until it ends, within the hang guard.
func waitJob(t *testing.T, p *Provider, ref client.JobRef) *client.Job {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for time.Now().Before(deadline) {
		j, err := p.Job(t.Context(), ref)
		if err != nil {
			t.Fatal(err)
		}
		if j.State.Terminal() {
			return j
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("job %s still running after %s", ref, hangGuard)
	return nil
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
