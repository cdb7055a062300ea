package local

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scrapemcp/scrapemcp/client"
)

func TestRobots(t *testing.T) {
	t.Parallel()
	const rules = "User-agent: *\nDisallow: /private\n\nUser-agent: scrapemcp\nDisallow: /no-scrapemcp\nAllow: /no-scrapemcp/ok\n"
	tests := []struct {
		name         string
		status       int
		body         string
		ignore       bool
		path         string
		wantCode     string // "" = fetched
		wantRequests bool   // the page itself reached the server
	}{
		{"allowed path", 200, rules, false, "/public", "", true},
		{"group for our token wins over *", 200, rules, false, "/private", "", true},
		{"disallowed for our token", 200, rules, false, "/no-scrapemcp/x", client.CodeRobotsDisallowed, false},
		{"longest match allows", 200, rules, false, "/no-scrapemcp/ok", "", true},
		{"query counts", 200, "User-agent: *\nDisallow: /*?session=\n", false, "/a?session=1", client.CodeRobotsDisallowed, false},
		{"404 allows all", 404, "", false, "/anything", "", true},
		{"403 allows all", 403, "", false, "/anything", "", true},
		{"500 disallows all", 500, "", false, "/anything", client.CodeRobotsDisallowed, false},
		{"503 disallows all", 503, "", false, "/anything", client.CodeRobotsDisallowed, false},
		{"ignore robots", 500, "", true, "/anything", "", true},
		{"ignore robots on a disallowed path", 200, rules, true, "/no-scrapemcp/x", "", true},
		{"unparseable file allows", 200, "Crawl-delay: 5\nUser-agent: *\nDisallow: /x\n", false, "/x", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					w.WriteHeader(tc.status)
					w.Write([]byte(tc.body))
					return
				}
				w.Header().Set("Content-Type", "text/plain")
				w.Write([]byte("content"))
			}))
			opts := loopbackOnly()
			opts.IgnoreRobots = tc.ignore
			p, _ := testProvider(t, opts, nil)
			_, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + tc.path})
			if tc.wantCode == "" && err != nil {
				t.Fatal(err)
			}
			if tc.wantCode != "" {
				ce := wantCode(t, err, tc.wantCode)
				if !strings.Contains(ce.Message, "robots.txt") {
					t.Errorf("message %q does not mention robots.txt", ce.Message)
				}
			}
			if got := s.count(tc.path) > 0; got != tc.wantRequests {
				t.Errorf("page requested: %v, want %v (log %q)", got, tc.wantRequests, s.paths())
			}
			if tc.ignore && s.count("/robots.txt") != 0 {
				t.Error("robots.txt fetched although robots are ignored")
			}
		})
	}
}

func TestRobotsFetchedOncePerOriginAndRevalidated(t *testing.T) {
	t.Parallel()
	var robotsHits, notModified atomic.Int32
	s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			robotsHits.Add(1)
			if r.Header.Get("If-None-Match") == `"v1"` {
				notModified.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
			w.Write([]byte("User-agent: *\nDisallow: /secret\n"))
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok"))
	}))
	p, _ := testProvider(t, loopbackOnly(), nil)
	res, err := p.BatchScrape(t.Context(), client.BatchRequest{URLs: []string{s.URL + "/a", s.URL + "/b", s.URL + "/c", s.URL + "/secret"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Items[3].Err == nil || res.Items[3].Err.Code != client.CodeRobotsDisallowed {
		t.Errorf("/secret: %+v", res.Items[3])
	}
	if n := robotsHits.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times for one origin", n)
	}

	// Expire the entry: the refetch is conditional and the 304 keeps the rules.
	p.robots.mu.Lock()
	p.robots.entries = newLRU[string, *robotsEntry](8)
	p.robots.mu.Unlock()
	_, err = p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/secret"})
	wantCode(t, err, client.CodeRobotsDisallowed)
	if notModified.Load() != 1 {
		t.Errorf("refetch was not conditional (%d 304s)", notModified.Load())
	}
}

func TestRobotsRedirectToOtherRobotsIsFollowed(t *testing.T) {
	t.Parallel()
	s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.Redirect(w, r, "/real-robots.txt", http.StatusMovedPermanently)
		case "/real-robots.txt":
			w.Write([]byte("User-agent: *\nDisallow: /x\n"))
		default:
			w.Write([]byte("page"))
		}
	}))
	p, _ := testProvider(t, loopbackOnly(), nil)
	_, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/x"})
	wantCode(t, err, client.CodeRobotsDisallowed)
}

func TestRobotsCrawlDelaySlowsTheHost(t *testing.T) {
	t.Parallel()
	s := newSite(t, pages(map[string]string{"/robots.txt": "User-agent: *\nCrawl-delay: 2.5\n", "/": "x"}, "text/plain"))
	p, _ := testProvider(t, loopbackOnly(), nil)
	if _, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/"}); err != nil {
		t.Fatal(err)
	}
	u, _ := parseTarget(s.URL)
	l := p.polite.limiter(hostKey(u))
	if got := float64(l.Limit()); got != 0.4 || l.Burst() != 1 {
		t.Errorf("limit %v/s burst %d, want 0.4/s burst 1", got, l.Burst())
	}
}
