package local

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/local/sitetest"
)

// finish waits for a job's goroutine to end and returns the final snapshot.
func finish(t *testing.T, p *Provider, job *client.Job) *client.Job {
	t.Helper()
	j, err := p.jobs.get(job.Ref)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-j.done:
	case <-t.Context().Done():
		t.Fatal("the crawl did not finish before the test's deadline")
	}
	final, jerr := p.Job(t.Context(), job.Ref)
	if jerr != nil {
		t.Fatal(jerr)
	}
	return final
}

// assertPoliteLog fails when the site was asked for one URI twice or for a
// URI under /private/ (robots.txt disallows it).
func assertPoliteLog(t *testing.T, s *sitetest.Site) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range s.Requests() {
		if seen[r.URI()] {
			t.Errorf("%s requested twice", r.URI())
		}
		seen[r.URI()] = true
		if strings.HasPrefix(r.Path, "/private/") {
			t.Errorf("requested %s, which robots.txt disallows", r.URI())
		}
		if !strings.HasPrefix(r.UserAgent, "scrapemcp/") {
			t.Errorf("user agent %q", r.UserAgent)
		}
	}
}

func pageURLs(j *client.Job) []string {
	var out []string
	for _, p := range j.Pages {
		out = append(out, p.URL)
	}
	return out
}

func TestCrawlVisitsEachPageOnce(t *testing.T) {
	t.Parallel()
	other := sitetest.New(t, sitetest.Options{Pages: 5, RobotsStatus: 500})
	s := sitetest.New(t, sitetest.Options{Pages: 300, CrawlDelay: "0.0005", ExtraLinks: []string{other.URL() + "/", other.URL() + "/page/1"}})
	p, d := testProvider(t, loopbackOnly(), nil)

	job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL(), MaxPages: 1000, MaxDepth: 3, OnlyMainContent: true})
	if err != nil {
		t.Fatal(err)
	}
	if job.Ref.Provider != "local" || job.Ref.Kind != "crawl" || job.Ref.ID == "" || job.State.Terminal() {
		t.Fatalf("job %+v", job)
	}
	final := finish(t, p, job)
	if final.State != client.JobCompleted {
		t.Fatalf("state %s (%v)", final.State, final.Error)
	}

	// Every generated page (depth ≤ 3 covers all 300 with fanout 8), plus
	// page 1 under its sorted query, which is a different URL.
	want := map[string]bool{s.URL() + "/page/1?a=1&b=2": true}
	for i := range s.Pages() {
		want[s.PageURL(i)] = true
	}
	got := pageURLs(final)
	if len(got) != len(want) {
		t.Errorf("%d pages, want %d", len(got), len(want))
	}
	for _, u := range got {
		if !want[u] {
			t.Errorf("unexpected page %s", u)
		}
	}
	if final.Completed != len(got) || final.Total != len(got) || len(final.PageErrors) != 0 {
		t.Errorf("completed %d total %d errors %v", final.Completed, final.Total, final.PageErrors)
	}
	if p0 := final.Pages[0]; p0.URL != s.URL()+"/" || !strings.Contains(p0.Markdown, "page number 0") || p0.Title != "Page 0" {
		t.Errorf("first page %q %q %q", p0.URL, p0.Title, clip(p0.Markdown, 80))
	}
	assertPoliteLog(t, s)
	// The other host shares the name 127.0.0.1, so it is the same site; its
	// robots.txt answers 500, so none of its pages may be fetched.
	if got := other.Requests(); len(got) != 1 || got[0].Path != "/robots.txt" {
		t.Errorf("the host whose robots.txt fails saw %v", got)
	}
	// Skipped: two /private/ links, the metadata and 10.0.0.1 links (off
	// site), the failing host's two pages.
	if final.Skipped < 6 {
		t.Errorf("skipped %d, want at least 6", final.Skipped)
	}
	for _, a := range d.dialed() {
		if !strings.HasPrefix(a, "127.0.0.1:") {
			t.Errorf("dialed %s", a)
		}
	}
}

// Links are followed max_depth deep. (The sitemaps, read when the links
// run out, count as links on the start page: TestCrawlSeedsFromSitemaps.)
func TestCrawlRespectsDepth(t *testing.T) {
	t.Parallel()
	s := sitetest.New(t, sitetest.Options{Pages: 100})
	p, _ := testProvider(t, loopbackOnly(), nil)
	for _, depth := range []int{0, 1, 2} {
		job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL() + "/", MaxPages: 1000, MaxDepth: depth, NoSitemap: true})
		if err != nil {
			t.Fatal(err)
		}
		final := finish(t, p, job)
		n := 0
		for _, u := range pageURLs(final) {
			path := strings.TrimPrefix(u, s.URL())
			path, _, _ = strings.Cut(path, "?")
			for i := range s.Pages() {
				if s.PagePath(i) == path {
					n++
					if s.Depth(i) > depth {
						t.Errorf("depth %d crawl fetched %s at depth %d", depth, u, s.Depth(i))
					}
				}
			}
		}
		if wantMin := map[int]int{0: 1, 1: 9, 2: 73}[depth]; n < min(wantMin, s.Pages()) {
			t.Errorf("depth %d crawl fetched %d pages, want at least %d", depth, n, wantMin)
		}
	}
}

func TestCrawlStopsAtMaxPages(t *testing.T) {
	t.Parallel()
	s := sitetest.New(t, sitetest.Options{Pages: 400})
	opts := loopbackOnly()
	opts.Concurrency = 8
	p, _ := testProvider(t, opts, nil)
	job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL(), MaxPages: 50, MaxDepth: 5})
	if err != nil {
		t.Fatal(err)
	}
	final := finish(t, p, job)
	got := pageURLs(final)
	if len(got) != 50 {
		t.Fatalf("%d pages, want exactly 50", len(got))
	}
	slices.Sort(got)
	if len(slices.Compact(got)) != 50 {
		t.Error("pages repeat")
	}
	if final.Total != 50 || final.Completed != 50 || final.State != client.JobCompleted {
		t.Errorf("total %d completed %d state %s", final.Total, final.Completed, final.State)
	}
	assertPoliteLog(t, s)
	if n := s.Count("/page/"); len(s.Requests()) > 50+4 {
		t.Errorf("the site saw %d requests (%d page requests) for a 50-page crawl", len(s.Requests()), n)
	}
}

func TestCrawlPatterns(t *testing.T) {
	t.Parallel()
	s := sitetest.New(t, sitetest.Options{Pages: 80})
	p, _ := testProvider(t, loopbackOnly(), nil)
	tests := []struct {
		name             string
		include, exclude []string
		allowed          func(path string) bool
	}{
		{"include one subtree", []string{"/page/1"}, nil, func(p string) bool { return p == "/" || p == "/page/1" }},
		{"exclude by glob", nil, []string{"/page/?"}, func(p string) bool { return len(p) != len("/page/1") || !strings.HasPrefix(p, "/page/") }},
	}
	for _, tc := range tests {
		job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL(), MaxPages: 200, MaxDepth: 3, IncludePatterns: tc.include, ExcludePatterns: tc.exclude})
		if err != nil {
			t.Fatal(err)
		}
		final := finish(t, p, job)
		if len(final.Pages) < 1 {
			t.Errorf("%s: no pages", tc.name)
		}
		for _, u := range pageURLs(final) {
			path, _, _ := strings.Cut(strings.TrimPrefix(u, s.URL()), "?")
			if !tc.allowed(path) {
				t.Errorf("%s: fetched %s", tc.name, u)
			}
		}
	}
}

// Links to a subdomain that resolves to a private address are in scope
// with include_subdomains, so the crawl tries them, and the guard refuses
// them before any connection: they are counted as skipped.
func TestCrawlSkipsPrivateAddressesOnTheSite(t *testing.T) {
	t.Parallel()
	s := sitetest.New(t, sitetest.Options{Pages: 10, ExtraLinks: []string{"http://evil.site.test:1/x", "http://meta.site.test/latest/"}})
	port := strings.TrimPrefix(s.URL(), "http://127.0.0.1:")
	p, d := testProvider(t, Options{AllowHosts: []string{"site.test"}},
		map[string]string{"site.test": "127.0.0.1", "evil.site.test": "10.0.0.1", "meta.site.test": "169.254.169.254"})
	job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: "http://site.test:" + port + "/", MaxPages: 20, MaxDepth: 1, IncludeSubdomains: true})
	if err != nil {
		t.Fatal(err)
	}
	final := finish(t, p, job)
	if final.State != client.JobCompleted || len(final.Pages) == 0 {
		t.Fatalf("state %s pages %d error %v", final.State, len(final.Pages), final.Error)
	}
	for _, e := range final.PageErrors {
		t.Errorf("page error %s: %v", e.URL, e.Err)
	}
	if final.Skipped < 2 {
		t.Errorf("skipped %d, want the two guarded links counted", final.Skipped)
	}
	for _, a := range d.dialed() {
		if !strings.HasPrefix(a, "127.0.0.1:") {
			t.Errorf("dialed %s", a)
		}
	}
}

func TestCrawlOfUnreachableStartFails(t *testing.T) {
	t.Parallel()
	p, d := testProvider(t, Options{}, nil)
	job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: "http://169.254.169.254/", MaxPages: 5})
	if err != nil {
		t.Fatal(err)
	}
	final := finish(t, p, job)
	if final.State != client.JobFailed || final.Error == nil || final.Error.Code != client.CodeSSRFBlocked {
		t.Errorf("state %s error %v", final.State, final.Error)
	}
	if len(d.dialed()) != 0 {
		t.Errorf("dialed %q", d.dialed())
	}
}

func TestCrawlRejectsBadRequests(t *testing.T) {
	t.Parallel()
	p, _ := testProvider(t, Options{}, nil)
	_, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: "ftp://x/"})
	wantCode(t, err, client.CodeInvalidURL)
	_, err = p.StartCrawl(t.Context(), client.CrawlRequest{URL: "https://example.com/", UseBrowser: true})
	wantCode(t, err, client.CodeInvalidArgument)
	_, err = p.StartCrawl(t.Context(), client.CrawlRequest{URL: "https://example.com/", ExcludePatterns: []string{strings.Repeat("a", 501)}})
	if ce := wantCode(t, err, client.CodeInvalidArgument); ce.Field != "exclude_paths" {
		t.Errorf("field %q", ce.Field)
	}
}

func TestJobLookups(t *testing.T) {
	t.Parallel()
	p, _ := testProvider(t, Options{}, nil)
	for _, ref := range []client.JobRef{
		{Provider: "local", Kind: "crawl", ID: "nope"},
		{Provider: "anakin", Kind: "crawl", ID: "nope"},
	} {
		_, err := p.Job(t.Context(), ref)
		wantCode(t, err, client.CodeNotFound)
		_, err = p.CancelJob(t.Context(), ref)
		wantCode(t, err, client.CodeNotFound)
	}
}

func TestJobStoreForgetsFinishedJobsFirst(t *testing.T) {
	t.Parallel()
	s := newJobStore(2, time.Hour, DefaultMaxJobBytes)
	nop := func() {}
	a, _ := s.add(1, nop)
	b, _ := s.add(1, nop)
	if _, err := s.add(1, nop); err == nil || err.Code != client.CodeRateLimitedLocally {
		t.Fatalf("a third running job was admitted: %v", err)
	}
	a.mu.Lock()
	a.state, a.finished = client.JobCompleted, time.Now()
	a.mu.Unlock()
	c, err := s.add(1, nop)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.get(a.ref); err == nil {
		t.Error("the finished job was kept")
	}
	for _, j := range []*crawlJob{b, c} {
		if _, err := s.get(j.ref); err != nil {
			t.Error(err)
		}
	}
	// Past the TTL, a finished job is gone.
	s.ttl = 0
	c.mu.Lock()
	c.state, c.finished = client.JobCompleted, time.Now().Add(-time.Second)
	c.mu.Unlock()
	if _, err := s.get(c.ref); err == nil {
		t.Error("an expired job was found")
	}
}

// Not parallel: goleak looks at every goroutine in the process.
func TestCrawlCancelStopsFetchesPromptly(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	gate := make(chan struct{}) // never opened: /page/ requests hang until cancelled
	s := sitetest.New(t, sitetest.Options{Pages: 300, Gate: gate})
	opts := loopbackOnly()
	opts.Concurrency = 4
	p, _ := testProvider(t, opts, nil)

	job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL(), MaxPages: 200, MaxDepth: 3})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	err = s.WaitFor(ctx, func(rs []sitetest.Request) bool {
		n := 0
		for _, r := range rs {
			if strings.HasPrefix(r.Path, "/page/") {
				n++
			}
		}
		return n >= 4
	})
	if err != nil {
		t.Fatal("the crawl never had 4 fetches in flight")
	}
	final, err := p.CancelJob(t.Context(), job.Ref)
	if err != nil {
		t.Fatal(err)
	}
	seen := len(s.Requests())
	if final.State != client.JobCancelled {
		t.Errorf("state after cancel: %s", final.State)
	}
	again, _ := p.CancelJob(t.Context(), job.Ref) // idempotent
	if again.State != client.JobCancelled {
		t.Errorf("state after a second cancel: %s", again.State)
	}
	p.Close()
	if n := len(s.Requests()); n != seen {
		t.Errorf("the site saw %d new requests after cancel returned", n-seen)
	}
	s.Close()
	goleak.VerifyNone(t, ignore)
}

func TestCloseCancelsRunningCrawls(t *testing.T) {
	gate := make(chan struct{})
	s := sitetest.New(t, sitetest.Options{Pages: 50, Gate: gate})
	p, _ := testProvider(t, loopbackOnly(), nil)
	job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL(), MaxPages: 20, MaxDepth: 2})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	final, err := p.Job(t.Context(), job.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if final.State != client.JobCancelled {
		t.Errorf("state after Close: %s", final.State)
	}
	if _, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL()}); err == nil {
		t.Error("a crawl started after Close")
	}
}

func TestCrawlStopsAtItsDeadline(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{}) // never opened: the crawl cannot finish on its own
	s := sitetest.New(t, sitetest.Options{Pages: 30, Gate: gate})
	opts := loopbackOnly()
	opts.CrawlTimeout = 300 * time.Millisecond
	p, _ := testProvider(t, opts, nil)
	job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL(), MaxPages: 20, MaxDepth: 2})
	if err != nil {
		t.Fatal(err)
	}
	final := finish(t, p, job)
	if final.State != client.JobFailed || final.Error == nil || final.Error.Code != client.CodeTimeout {
		t.Fatalf("state %s error %v", final.State, final.Error)
	}
	if !strings.Contains(final.Error.Message, "deadline") || len(final.PageErrors) != 0 {
		t.Errorf("error %q, page errors %v", final.Error.Message, final.PageErrors)
	}
	if final.Stop == nil || final.Stop.Reason != client.StopDeadline {
		t.Errorf("stop %+v, want deadline", final.Stop)
	}
}
