package local

import (
	"context"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/local/hostiletest"
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
	if !strings.Contains(ce.Message, "too slowly") {
		t.Errorf("message %q does not say the body came too slowly", ce.Message)
	}
}
