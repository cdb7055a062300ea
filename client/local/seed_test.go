package local

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/local/sitetest"
)

// sitemapRequests counts the site's requests for sitemap files.
func sitemapRequests(s *sitetest.Site) int {
	n := 0
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Path, "/sitemap") {
			n++
		}
	}
	return n
}

// deepest is the greatest link depth among the crawled pages of s.
func deepest(t *testing.T, s *sitetest.Site, j *client.Job) int {
	t.Helper()
	d := 0
	for _, u := range pageURLs(j) {
		path, _, _ := strings.Cut(strings.TrimPrefix(u, s.URL()), "?")
		for i := range s.Pages() {
			if s.PagePath(i) == path {
				d = max(d, s.Depth(i))
			}
		}
	}
	return d
}

// When a crawl's links run out before max_pages (they lay past max_depth,
// or there were no more), it reads the site's sitemaps (robots.txt's
// Sitemap lines, /sitemap.xml) and queues their URLs as if the start page
// linked to them. A crawl its links can fill never reads them.
func TestCrawlSeedsFromSitemaps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		site         sitetest.Options
		pages, depth int
		noSitemap    bool
		wantPages    int
		wantDeepest  int // the deepest page by links, at least
		wantSitemaps bool
	}{
		// The case: 120 pages in a narrow tree, where two links
		// deep reach 12 (with the home page's spelling traps).
		{"deep pages reached through the sitemaps", sitetest.Options{Pages: 120, Fanout: 2}, 50, 2, false, 50, 5, true},
		{"without the sitemaps the depth stops it", sitetest.Options{Pages: 120, Fanout: 2}, 50, 2, true, 12, 3, false},
		{"a wide site's links fill max_pages: no sitemap read", sitetest.Options{Pages: 120}, 50, 2, false, 50, 2, false},
		{"max_depth 0 is the start page alone", sitetest.Options{Pages: 120, Fanout: 2}, 50, 0, false, 1, 0, false},
		// Every page and page 1 under its sorted query.
		{"sitemap URLs count as depth 1: max_depth 1 reads them", sitetest.Options{Pages: 30, Fanout: 2}, 1000, 1, false, 31, 4, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := sitetest.New(t, tc.site)
			p, _ := testProvider(t, loopbackOnly(), nil)
			job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL(), MaxPages: tc.pages, MaxDepth: tc.depth, NoSitemap: tc.noSitemap})
			if err != nil {
				t.Fatal(err)
			}
			final := finish(t, p, job)
			if final.State != client.JobCompleted {
				t.Fatalf("state %s (%v)", final.State, final.Error)
			}
			if len(final.Pages) != tc.wantPages {
				t.Errorf("%d pages, want %d", len(final.Pages), tc.wantPages)
			}
			if d := deepest(t, s, final); d < tc.wantDeepest {
				t.Errorf("deepest page at link depth %d, want at least %d", d, tc.wantDeepest)
			}
			if got := sitemapRequests(s) > 0; got != tc.wantSitemaps {
				t.Errorf("sitemaps read: %v, want %v (%d requests)", got, tc.wantSitemaps, sitemapRequests(s))
			}
			assertPoliteLog(t, s)
		})
	}
}

// A sitemap URL the crawl's scope leaves out is never fetched: another
// host, a path include_paths/exclude_paths rule out, a path robots.txt
// disallows. sitetest's sitemaps list https://elsewhere.example/page and
// /private/listed besides every page.
func TestCrawlSitemapURLsOutOfScopeAreNotFetched(t *testing.T) {
	t.Parallel()
	s := sitetest.New(t, sitetest.Options{Pages: 60, Fanout: 2})
	p, d := testProvider(t, loopbackOnly(), nil)
	job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL(), MaxPages: 1000, MaxDepth: 2, ExcludePatterns: []string{"/page/4?"}})
	if err != nil {
		t.Fatal(err)
	}
	final := finish(t, p, job)
	if deepest(t, s, final) <= 2 {
		t.Fatalf("no page past link depth 2: the sitemaps were not read (%d pages)", len(final.Pages))
	}
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Path, "/page/4") && len(r.Path) == len("/page/40") {
			t.Errorf("fetched %s, which exclude_paths rules out", r.URI())
		}
	}
	assertPoliteLog(t, s) // nothing under /private/
	for _, a := range d.dialed() {
		if !strings.HasPrefix(a, "127.0.0.1:") {
			t.Errorf("dialed %s", a)
		}
	}
	// Every page but the ten excluded (40…49), plus page 1 under its
	// sorted query.
	if want := 60 - 10 + 1; len(final.Pages) != want {
		t.Errorf("%d pages, want %d", len(final.Pages), want)
	}
}

// After the sitemaps, max_depth still stops a crawl truthfully: the links
// counted beyond it are those no sitemap listed. The site is a chain
// / → /a → /b → /c crawled one link deep, its /sitemap.xml listing some of
// the chain.
func TestCrawlStopAfterSitemapsCountsWhatTheyLeft(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		listed     []string
		wantPages  int
		wantReason string
		wantBeyond int
	}{
		{"the sitemap adds nothing: /b lies beyond", []string{"/a"}, 2, client.StopMaxDepth, 1},
		{"the sitemap lists /b: /c lies beyond", []string{"/a", "/b"}, 3, client.StopMaxDepth, 1},
		{"the sitemap lists the whole chain", []string{"/a", "/b", "/c"}, 4, client.StopExhausted, 0},
	}
	next := map[string]string{"/": "/a", "/a": "/b", "/b": "/c"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var s *site
			s = newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/robots.txt":
					http.NotFound(w, r)
				case "/sitemap.xml":
					w.Header().Set("Content-Type", "application/xml")
					fmt.Fprint(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
					for _, l := range tc.listed {
						fmt.Fprintf(w, "<url><loc>%s%s</loc></url>", s.URL, l)
					}
					fmt.Fprint(w, "</urlset>")
				case "/", "/a", "/b", "/c":
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					link := ""
					if n, ok := next[r.URL.Path]; ok {
						link = fmt.Sprintf(`<a href="%s">next</a>`, n)
					}
					fmt.Fprintf(w, "<html><head><title>%s</title></head><body><p>Page %s of a chain of pages, with a few words on it.</p>%s</body></html>", r.URL.Path, r.URL.Path, link)
				default:
					http.NotFound(w, r)
				}
			}))
			p, _ := testProvider(t, loopbackOnly(), nil)
			job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL + "/", MaxPages: 10, MaxDepth: 1})
			if err != nil {
				t.Fatal(err)
			}
			final := finish(t, p, job)
			if len(final.Pages) != tc.wantPages {
				t.Errorf("%d pages %v, want %d", len(final.Pages), pageURLs(final), tc.wantPages)
			}
			if st := final.Stop; st == nil || st.Reason != tc.wantReason || st.Beyond != tc.wantBeyond {
				t.Errorf("stop %+v, want %s with %d beyond", st, tc.wantReason, tc.wantBeyond)
			}
		})
	}
}

// TestCrawlSitemapSeedingReport prints the figures in docs/extraction.md
// ("Crawl: sitemap seeding"): pages found per request the site saw
// (robots.txt and sitemaps included), with and without the sitemaps, on
// generated loopback sites. A report, not a test; it runs only when asked:
//
//	CRAWL_SEED_REPORT=1 go test ./client/local -run TestCrawlSitemapSeedingReport -v
func TestCrawlSitemapSeedingReport(t *testing.T) {
	if os.Getenv("CRAWL_SEED_REPORT") == "" {
		t.Skip("a report, not a test: CRAWL_SEED_REPORT=1 runs it")
	}
	cases := []struct {
		name         string
		site         sitetest.Options
		pages, depth int
	}{
		{"deep: 120 pages, fanout 2", sitetest.Options{Pages: 120, Fanout: 2}, 50, 2},
		{"deep: 120 pages, fanout 2", sitetest.Options{Pages: 120, Fanout: 2}, 1000, 2},
		{"deep: 120 pages, fanout 2", sitetest.Options{Pages: 120, Fanout: 2}, 50, 1},
		{"wide: 120 pages, fanout 8", sitetest.Options{Pages: 120}, 50, 2},
		{"wide: 300 pages, fanout 8", sitetest.Options{Pages: 300}, 1000, 2},
		{"small: 20 pages, fanout 8", sitetest.Options{Pages: 20}, 10, 2},
		{"small: 20 pages, fanout 8", sitetest.Options{Pages: 20}, 50, 2},
	}
	var b strings.Builder
	b.WriteString("| site | max_pages | max_depth | sitemaps | pages | requests | pages/request | stop |\n|---|---|---|---|---|---|---|---|\n")
	for _, tc := range cases {
		for _, no := range []bool{true, false} {
			s := sitetest.New(t, tc.site)
			p, _ := testProvider(t, loopbackOnly(), nil)
			job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL(), MaxPages: tc.pages, MaxDepth: tc.depth, NoSitemap: no})
			if err != nil {
				t.Fatal(err)
			}
			f := finish(t, p, job)
			n := len(s.Requests())
			stop := f.Stop.Reason
			switch stop {
			case client.StopMaxDepth:
				stop += fmt.Sprintf(" (%d beyond)", f.Stop.Beyond)
			case client.StopMaxPages:
				stop += fmt.Sprintf(" (%d left)", f.Stop.Left)
			}
			fmt.Fprintf(&b, "| %s | %d | %d | %s | %d | %d | %.2f | %s |\n", tc.name, tc.pages, tc.depth,
				map[bool]string{true: "off", false: "on"}[no], len(f.Pages), n, float64(len(f.Pages))/float64(n), stop)
		}
	}
	t.Log("\n" + b.String())
}
