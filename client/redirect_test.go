package client

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/client/anakintest"
	"github.com/scrapemcp/scrapemcp/errmap"
)

// redirectKey is the API key the redirect tests configure; both fakes accept it.
const redirectKey = "sk-REDIRECT-CANARY-7"

// hits is a loopback server's log: every request it received, and how many
// carried the API key.
type hits struct {
	mu      sync.Mutex
	n       int
	withKey int
}

func (h *hits) record(r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n++
	if r.Header.Get("X-API-Key") != "" || strings.Contains(r.URL.RawQuery, redirectKey) {
		h.withKey++
	}
}

func (h *hits) counts() (n, withKey int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n, h.withKey
}

// loopback serves handler on 127.0.0.1 for the rest of the test, logging
// every request.
func loopback(t *testing.T, handler http.HandlerFunc) (*httptest.Server, *hits) {
	t.Helper()
	h := &hits{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.record(r)
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, h
}

// redirectProvider opens one provider against a base URL, retrying fast so
// that a retry (which must not happen) would show in the counts, not the clock.
type redirectProvider struct {
	name string
	open func(t *testing.T, base string) Provider
	fake func() http.Handler // the provider's fake API, for same-host tests
}

var redirectProviders = []redirectProvider{
	{Anakin, func(t *testing.T, base string) Provider {
		c, err := NewAnakin(redirectConfig(base))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}, func() http.Handler { return anakintest.New(anakintest.WithKey(redirectKey)) }},
	{AlterLab, func(t *testing.T, base string) Provider {
		c, err := NewAlterLab(redirectConfig(base))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}, func() http.Handler { return alterlabtest.New(alterlabtest.WithKey(redirectKey)) }},
}

func redirectConfig(base string) APIConfig {
	return APIConfig{BaseURL: base, APIKey: redirectKey, SubmitsPerMinute: -1, Poll: immediatePoll,
		Retry: RetryPolicy{Base: time.Microsecond, Cap: time.Microsecond, MaxAttempts: 5}}
}

// redirectCalls are the two kinds of request a redirect can answer: a
// billed submit (POST) and a status read (GET).
var redirectCalls = []struct {
	name string
	do   func(t *testing.T, p Provider) error
}{
	{"billed submit", func(t *testing.T, p Provider) error {
		_, err := p.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/page"})
		return err
	}},
	{"status read", func(t *testing.T, p Provider) error {
		_, err := p.Job(t.Context(), JobRef{Provider: p.Name(), Kind: KindCrawl, ID: "job-1"})
		return err
	}},
}

func TestAPIRedirectToAnotherHostIsRefusedAndTheKeyStaysHome(t *testing.T) {
	for _, prov := range redirectProviders {
		for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound, http.StatusMovedPermanently, http.StatusSeeOther} {
			for _, cl := range redirectCalls {
				t.Run(prov.name+"/"+statusName(status)+"/"+cl.name, func(t *testing.T) {
					other, otherHits := loopback(t, func(w http.ResponseWriter, r *http.Request) {
						w.WriteHeader(http.StatusOK)
						_, _ = w.Write([]byte(`{"jobId":"stolen","status":"completed"}`))
					})
					api, apiHits := loopback(t, func(w http.ResponseWriter, r *http.Request) {
						w.Header().Set("X-Request-Id", "req-redirect")
						http.Redirect(w, r, other.URL+r.URL.Path+"?sig=QUERYSECRET", status)
					})
					err := cl.do(t, prov.open(t, api.URL))

					if n, k := otherHits.counts(); n != 0 || k != 0 {
						t.Errorf("the other host received %d requests, %d with the key", n, k)
					}
					if n, _ := apiHits.counts(); n != 1 {
						t.Errorf("the API received %d requests, want 1 (a refused redirect is not retried)", n)
					}
					assertRedirectRefused(t, err, prov.name, status, api.URL, other.URL)
				})
			}
		}
	}
}

// Another origin is a different scheme, host name or port, even on the
// same machine: the key goes to exactly the configured one.
func TestAPIRedirectToAnotherOriginOfTheSameMachineIsRefused(t *testing.T) {
	for _, prov := range redirectProviders {
		for _, tt := range []struct {
			name string
			to   func(api *url.URL) string
		}{
			{"other host name", func(api *url.URL) string { return "http://localhost:" + api.Port() }},
			{"other scheme", func(api *url.URL) string { return "https://" + api.Host }},
			{"other port", func(api *url.URL) string { return "http://127.0.0.1:1" }},
			{"after a same-host hop", nil},
		} {
			t.Run(prov.name+"/"+tt.name, func(t *testing.T) {
				other, otherHits := loopback(t, func(w http.ResponseWriter, r *http.Request) {})
				var to string
				api, apiHits := loopback(t, func(w http.ResponseWriter, r *http.Request) {
					if tt.to == nil && !strings.HasPrefix(r.URL.Path, "/hop") {
						http.Redirect(w, r, "/hop"+r.URL.Path, http.StatusTemporaryRedirect)
						return
					}
					http.Redirect(w, r, to+r.URL.Path, http.StatusTemporaryRedirect)
				})
				u, _ := url.Parse(api.URL)
				to = other.URL
				if tt.to != nil {
					to = tt.to(u)
				}
				_, err := prov.open(t, api.URL).Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/"})

				want := 1
				if tt.to == nil {
					want = 2 // the same-host hop is followed
				}
				if n, k := apiHits.counts(); n != want || k != want {
					t.Errorf("the API received %d requests (%d with the key), want %d", n, k, want)
				}
				if n, _ := otherHits.counts(); n != 0 {
					t.Errorf("the other host received %d requests", n)
				}
				assertRedirectRefused(t, err, prov.name, http.StatusTemporaryRedirect, api.URL, to)
			})
		}
	}
}

func assertRedirectRefused(t *testing.T, err error, provider string, status int, from, to string) {
	t.Helper()
	if err == nil {
		t.Fatal("the call succeeded through a cross-host redirect")
	}
	e := mustError(t, err)
	if e.Code != CodeRedirectRefused || e.Provider != provider || e.HTTPStatus != status {
		t.Errorf("got %s %d %q, want %s %d %s", e.Provider, e.HTTPStatus, e.Code, provider, status, CodeRedirectRefused)
	}
	if !strings.Contains(e.Message, from) || !strings.Contains(e.Message, to) {
		t.Errorf("the message must name both hosts (%s, %s): %s", from, to, e.Message)
	}
	for _, leak := range []string{redirectKey, "QUERYSECRET", "?", "/v1"} {
		if strings.Contains(e.Error(), leak) || strings.Contains(e.RequestID, leak) {
			t.Errorf("the error carries %q: %s", leak, e.Error())
		}
	}
	if g := errmap.Explain(e); g.Action != errmap.ReportIssue || g.Retryable {
		t.Errorf("guidance %s (retryable %v), want report_issue, not retryable", g.Action, g.Retryable)
	}
}

// movedFake serves the provider's fake API under /old/ by redirecting every
// request there to the same path without the prefix on the same host: the
// way an API announces a moved path. POSTs are redirected with a
// method-keeping status (307/308), since 301/302/303 turn them into GETs.
func movedFake(t *testing.T, prov redirectProvider, status int) (base string, moved func() int) {
	t.Helper()
	fake := prov.fake()
	var mu sync.Mutex
	n := 0
	srv, _ := loopback(t, func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/old")
		if !ok {
			fake.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		n++
		mu.Unlock()
		code := status
		if r.Method != http.MethodGet && code != http.StatusTemporaryRedirect && code != http.StatusPermanentRedirect {
			code = http.StatusTemporaryRedirect
		}
		http.Redirect(w, r, rest, code)
	})
	return srv.URL + "/old", func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}

func TestAPIRedirectWithinTheHostIsFollowedWithTheKey(t *testing.T) {
	for _, prov := range redirectProviders {
		for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
			t.Run(prov.name+"/"+statusName(status), func(t *testing.T) {
				base, moved := movedFake(t, prov, status)
				p := prov.open(t, base)
				// The fakes answer 401 without the key: success proves it was kept.
				page, err := p.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/docs"})
				if err != nil {
					t.Fatalf("scrape through a same-host redirect: %v", err)
				}
				if !strings.Contains(page.Markdown, "example.com / docs") {
					t.Errorf("page: %q", page.Markdown)
				}
				job, err := p.StartCrawl(t.Context(), CrawlRequest{URL: "https://example.com/", MaxPages: 2, MaxDepth: 1})
				if err != nil {
					t.Fatalf("crawl submit through a same-host redirect: %v", err)
				}
				if _, err := p.Job(t.Context(), job.Ref); err != nil {
					t.Fatalf("job status through a same-host redirect: %v", err)
				}
				if moved() < 3 {
					t.Errorf("only %d requests went through the redirect", moved())
				}
			})
		}
	}
}

func TestAPIRedirectLoopWithinTheHostStops(t *testing.T) {
	for _, prov := range redirectProviders {
		t.Run(prov.name, func(t *testing.T) {
			api, apiHits := loopback(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, r.URL.Path, http.StatusTemporaryRedirect)
			})
			_, err := prov.open(t, api.URL).Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/"})
			e := mustError(t, err)
			if e.Code != CodeRedirectRefused || !strings.Contains(e.Message, "more than 5") {
				t.Errorf("got %+v", e)
			}
			if n, _ := apiHits.counts(); n != 1+maxAPIRedirects {
				t.Errorf("the API received %d requests, want %d (no retry of the whole chain)", n, 1+maxAPIRedirects)
			}
		})
	}
}

// The caller's own http.Client is not changed by the guard, and its own
// CheckRedirect still runs for the hops the guard lets through.
func TestRedirectGuardLeavesTheCallersClientAlone(t *testing.T) {
	asked := 0
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { asked++; return http.ErrUseLastResponse }}
	api, _ := loopback(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	cfg := redirectConfig(api.URL)
	cfg.HTTPClient = hc
	c, err := NewAnakin(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.api.hc == hc {
		t.Fatal("the guard changed the caller's client in place")
	}
	_, err = c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/"})
	if asked != 1 || err == nil {
		t.Errorf("caller's CheckRedirect ran %d times (want 1); err %v", asked, err)
	}
}

func statusName(status int) string { return http.StatusText(status) }

func TestSameOriginComparesSchemeHostAndPort(t *testing.T) {
	tests := []struct {
		base, to string
		same     bool
	}{
		{"https://api.anakin.io/v1", "https://api.anakin.io/v2/x?y=1", true},
		{"https://api.anakin.io/v1", "https://API.Anakin.IO/v1", true},
		{"https://api.anakin.io/v1", "https://api.anakin.io:443/v1", true},
		{"http://127.0.0.1/v1", "http://127.0.0.1:80/v1", true},
		{"https://api.anakin.io./v1", "https://api.anakin.io/v1", true},
		{"http://[::1]:8080/v1", "http://[::1]:8080/x", true},
		{"https://api.anakin.io/v1", "http://api.anakin.io/v1", false},
		{"https://api.anakin.io/v1", "https://api.anakin.io:8443/v1", false},
		{"https://api.anakin.io/v1", "https://eu.api.anakin.io/v1", false},
		{"https://api.anakin.io/v1", "https://anakin.io/v1", false},
		{"https://api.anakin.io/v1", "https://api.anakin.io.evil.example/v1", false},
		{"https://api.anakin.io/v1", "https://user:pw@evil.example/v1", false},
		{"http://127.0.0.1:8080/v1", "http://localhost:8080/v1", false},
		{"http://[::1]:8080/v1", "http://127.0.0.1:8080/x", false},
	}
	for _, tt := range tests {
		base, _ := url.Parse(tt.base)
		to, _ := url.Parse(tt.to)
		if got := sameOrigin(base, to); got != tt.same {
			t.Errorf("sameOrigin(%s, %s) = %v, want %v", tt.base, tt.to, got, tt.same)
		}
	}
}
