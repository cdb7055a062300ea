package local

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/local/sitetest"
)

// A finished crawl says which limit stopped it, with what lay beyond.
func TestCrawlSaysWhyItStopped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		site        sitetest.Options
		pages       int
		depth       int
		noSitemap   bool
		reason      string
		limit       int
		minBeyond   int
		minLeft     int
		wantVisited int
	}{
		// The case: a narrow tree of 120 pages, depth 2 reaches 7
		// of them (plus one spelling trap); the 8 grandchildren of the
		// depth-2 pages lie beyond. Without the sitemaps: they would
		// reach the rest (the next case).
		{"depth cuts a deep site", sitetest.Options{Pages: 120, Fanout: 2}, 50, 2, true, client.StopMaxDepth, 2, 8, 0, 0},
		{"the sitemaps reach past the depth, max_pages stops it", sitetest.Options{Pages: 120, Fanout: 2}, 50, 2, false, client.StopMaxPages, 50, 0, 1, 50},
		{"pages cut a wide site", sitetest.Options{Pages: 400}, 10, 5, false, client.StopMaxPages, 10, 0, 1, 10},
		{"a small site is exhausted", sitetest.Options{Pages: 20}, 1000, 5, false, client.StopExhausted, 0, 0, 0, 0},
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
			st := final.Stop
			if final.State != client.JobCompleted || st == nil {
				t.Fatalf("state %s, stop %+v", final.State, st)
			}
			if st.Reason != tc.reason || st.Limit != tc.limit || st.Beyond < tc.minBeyond || st.Left < tc.minLeft {
				t.Errorf("stop %+v, want reason %s limit %d, beyond ≥ %d, left ≥ %d", *st, tc.reason, tc.limit, tc.minBeyond, tc.minLeft)
			}
			if tc.wantVisited > 0 && len(final.Pages) != tc.wantVisited {
				t.Errorf("%d pages, want %d", len(final.Pages), tc.wantVisited)
			}
			assertPoliteLog(t, s)
		})
	}
}

func TestCrawlCancelledSaysSo(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	s := sitetest.New(t, sitetest.Options{Pages: 50, Gate: gate})
	defer close(gate)
	p, _ := testProvider(t, loopbackOnly(), nil)
	job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL(), MaxPages: 50, MaxDepth: 2})
	if err != nil {
		t.Fatal(err)
	}
	final, err := p.CancelJob(t.Context(), job.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if final.Stop == nil || final.Stop.Reason != client.StopCancelled {
		t.Errorf("stop %+v", final.Stop)
	}
}

// include_paths with a Unicode directory, written plainly or
// percent-encoded, matches links written either way.
func TestCrawlUnicodeIncludePaths(t *testing.T) {
	t.Parallel()
	s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt", "/sitemap.xml":
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><head><title>%s</title></head><body><p>Page %s has some words on it.</p>
<a href="/café/menu">menu</a> <a href="/caf%%C3%%A9/carte">carte</a> <a href="/other">other</a></body></html>`, r.URL.Path, r.URL.Path)
	}))
	for _, pattern := range []string{"/café/*", "/caf%C3%A9/*"} {
		p, _ := testProvider(t, loopbackOnly(), nil)
		job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL + "/café/", MaxPages: 10, MaxDepth: 2, IncludePatterns: []string{pattern}})
		if err != nil {
			t.Fatal(err)
		}
		got := pageURLs(finish(t, p, job))
		slices.Sort(got)
		want := []string{s.URL + "/caf%C3%A9/", s.URL + "/caf%C3%A9/carte", s.URL + "/caf%C3%A9/menu"}
		if !slices.Equal(got, want) {
			t.Errorf("pattern %q crawled %v, want %v", pattern, got, want)
		}
	}
}

func TestMapSaysWhenMoreExist(t *testing.T) {
	t.Parallel()
	s := sitetest.New(t, sitetest.Options{Pages: 120})
	p, _ := testProvider(t, loopbackOnly(), nil)

	res, err := p.Map(t.Context(), client.MapRequest{URL: s.URL(), Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.URLs) != 5 || !res.Truncated || res.Stop == nil || res.Stop.Reason != client.StopLimit || res.Stop.Limit != 5 {
		t.Errorf("limit 5: %d URLs, truncated %v, stop %+v", len(res.URLs), res.Truncated, res.Stop)
	}

	res, err = p.Map(t.Context(), client.MapRequest{URL: s.URL(), Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Truncated || res.Stop == nil || res.Stop.Reason == client.StopLimit {
		t.Errorf("limit 5000 on a 120-page site: %d URLs, truncated %v, stop %+v", len(res.URLs), res.Truncated, res.Stop)
	}
	if len(res.URLs) < 120 {
		t.Errorf("%d URLs, want every page", len(res.URLs))
	}
}

// A page with more links than the walk's frontier holds is still listed in
// full: the list is not the frontier.
func TestMapListsMoreThanTheFrontier(t *testing.T) {
	t.Parallel()
	const n = 1500
	s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt", "/sitemap.xml":
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var b strings.Builder
		b.WriteString("<html><body><p>Index of many links.</p>")
		if r.URL.Path == "/" {
			for i := range n {
				fmt.Fprintf(&b, `<a href="/p/%d">%d</a> `, i, i)
			}
		}
		b.WriteString("</body></html>")
		_, _ = w.Write([]byte(b.String()))
	}))
	p, _ := testProvider(t, loopbackOnly(), nil)
	res, err := p.Map(t.Context(), client.MapRequest{URL: s.URL + "/", Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.URLs) != n+1 {
		t.Errorf("%d URLs, want %d (the start page and every link)", len(res.URLs), n+1)
	}
	if res.Truncated || res.Stop.Reason == client.StopLimit {
		t.Errorf("truncated %v, stop %+v", res.Truncated, res.Stop)
	}
	res, err = p.Map(t.Context(), client.MapRequest{URL: s.URL + "/", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.URLs) != 1000 || !res.Truncated || res.Stop.Reason != client.StopLimit {
		t.Errorf("limit 1000: %d URLs, truncated %v, stop %+v", len(res.URLs), res.Truncated, res.Stop)
	}
}

// URLs the map fetched and saw fail are not listed.
func TestMapDropsURLsThatFailed(t *testing.T) {
	t.Parallel()
	s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt", "/sitemap.xml", "/gone":
			http.NotFound(w, r)
			return
		case "/broken":
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<html><body><p>Home.</p><a href="/gone">gone</a> <a href="/broken">broken</a> <a href="/fine">fine</a></body></html>`))
	}))
	opts := loopbackOnly()
	p, _ := testProvider(t, opts, nil)
	res, err := p.Map(t.Context(), client.MapRequest{URL: s.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{s.URL + "/", s.URL + "/fine"}
	if !slices.Equal(res.URLs, want) || res.Failed != 2 {
		t.Errorf("urls %v failed %d, want %v and 2", res.URLs, res.Failed, want)
	}
}

// robots.txt that disallows the start: the crawl fails and says why.
func TestCrawlOfDisallowedStartSaysRobots(t *testing.T) {
	t.Parallel()
	s := sitetest.New(t, sitetest.Options{Pages: 5, RobotsStatus: 503})
	p, _ := testProvider(t, loopbackOnly(), nil)
	job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL(), MaxPages: 5, MaxDepth: 1})
	if err != nil {
		t.Fatal(err)
	}
	final := finish(t, p, job)
	if final.State != client.JobFailed || final.Stop == nil || final.Stop.Reason != client.StopRobots {
		t.Errorf("state %s, stop %+v, error %v", final.State, final.Stop, final.Error)
	}
}
