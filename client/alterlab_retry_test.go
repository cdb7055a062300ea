package client

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/errmap"
)

// alterlabClock records when each request leaves the client, in fake time.
type alterlabClock struct {
	next  http.RoundTripper
	mu    sync.Mutex
	times []time.Time
}

func (c *alterlabClock) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.times = append(c.times, time.Now())
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

func (c *alterlabClock) gaps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(c.times); i++ {
		out = append(out, c.times[i].Sub(c.times[i-1]))
	}
	return out
}

// timedAlterLab is fakeAlterLab with every request's time recorded.
func timedAlterLab(t *testing.T, opts ...alterlabtest.Option) (*AlterLabClient, *alterlabtest.Server, *alterlabClock) {
	t.Helper()
	s := alterlabtest.New(opts...)
	clock := &alterlabClock{next: s.Client().Transport}
	c, err := NewAlterLab(APIConfig{BaseURL: "http://alterlab.test", APIKey: alterlabtest.DefaultKey,
		HTTPClient: &http.Client{Transport: clock}, SubmitsPerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c, s, clock
}

func TestAlterLabRateLimitWaits(t *testing.T) {
	tests := []struct {
		name  string
		fault func() alterlabtest.Fault
		want  time.Duration
	}{
		{"Retry-After in seconds", func() alterlabtest.Fault { return alterlabtest.RateLimited("3") }, 3 * time.Second},
		{"Retry-After as an HTTP-date", func() alterlabtest.Fault {
			return alterlabtest.RateLimited(time.Now().Add(8 * time.Second).UTC().Format(http.TimeFormat))
		}, 8 * time.Second},
		{"X-RateLimit-Reset alone: wait until the reset", func() alterlabtest.Fault {
			return alterlabtest.RateLimited("").With("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(7*time.Second).Unix(), 10))
		}, 7 * time.Second},
		{"Retry-After in the body", func() alterlabtest.Fault {
			return alterlabtest.Raw(429, `{"error":"RATE_LIMIT_EXCEEDED","message":"slow down","retry_after":4}`)
		}, 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, s, clock := timedAlterLab(t)
				s.Script(alterlabtest.RouteScrape, tt.fault())
				if _, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"}); err != nil {
					t.Fatal(err)
				}
				if g := clock.gaps(); len(g) != 1 || g[0] != tt.want || s.Count(alterlabtest.RouteScrape) != 2 {
					t.Errorf("gaps %v over %d submits, want one wait of %v", g, s.Count(alterlabtest.RouteScrape), tt.want)
				}
			})
		})
	}
}

func TestAlterLabSessionLimitIsNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAlterLab(t)
		_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/?fake=session_limit"})
		e := mustError(t, err)
		if e.HTTPStatus != 429 || e.Code != "SESSION_LIMIT_REACHED" || s.Count(alterlabtest.RouteScrape) != 1 {
			t.Errorf("got %+v after %d submits", e, s.Count(alterlabtest.RouteScrape))
		}
		if g := errmap.Explain(e); g.Action == errmap.RetryLater || g.Retryable {
			t.Errorf("guidance %+v: waiting does not free a session", g)
		}
	})
}

// A 5xx answer carries X-RateLimit-Reset like every other answer; with
// requests left in the window it is no reason to wait for the reset.
func TestAlterLabServerErrorBacksOffInsteadOfWaitingForTheReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s, clock := timedAlterLab(t)
		s.Script(alterlabtest.RouteScrape, alterlabtest.Error(502, alterlabtest.Detail, "", "upstream error").
			With("X-RateLimit-Remaining", "40").With("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(50*time.Second).Unix(), 10)))
		if _, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"}); err != nil {
			t.Fatal(err)
		}
		if g := clock.gaps(); len(g) != 1 || g[0] > DefaultRetryPolicy.Base {
			t.Errorf("gaps %v, want one jittered wait of at most %v", g, DefaultRetryPolicy.Base)
		}
	})
}

func TestAlterLabBackoffIsCappedExponentialFullJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s, clock := timedAlterLab(t)
		s.Script(alterlabtest.RouteScrape, alterlabtest.Repeat(4, alterlabtest.Error(503, alterlabtest.Docs, "NETWORK_ERROR", "connection refused"))...)
		if _, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"}); err != nil {
			t.Fatal(err)
		}
		g := clock.gaps()
		if len(g) != 4 {
			t.Fatalf("gaps = %v", g)
		}
		for i, d := range g {
			if ceiling := DefaultRetryPolicy.Base << i; d < 0 || d > ceiling {
				t.Errorf("wait %d = %v, outside [0, %v]", i, d, ceiling)
			}
		}
	})
}

func TestAlterLabAttemptsAreCappedAtFive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAlterLab(t)
		s.Script(alterlabtest.RouteScrape, alterlabtest.Repeat(10, alterlabtest.Error(500, alterlabtest.Detail, "", "Internal Server Error"))...)
		_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
		if e := mustError(t, err); e.HTTPStatus != 500 || s.Count(alterlabtest.RouteScrape) != 5 {
			t.Errorf("got %+v after %d attempts", e, s.Count(alterlabtest.RouteScrape))
		}
	})
}

func TestAlterLabBudgetExhaustedSaysWhenToComeBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAlterLab(t)
		s.Script(alterlabtest.RouteScrape, alterlabtest.RateLimited("").With("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(45*time.Second).Unix(), 10)))
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.Scrape(ctx, ScrapeRequest{URL: "https://example.com"})
		e := mustError(t, err)
		if e.Code != "RATE_LIMIT_EXCEEDED" || e.RetryAfter != 45*time.Second || time.Since(start) != 0 || s.Count(alterlabtest.RouteScrape) != 1 {
			t.Errorf("got %+v after %v and %d submits; want an answer at once", e, time.Since(start), s.Count(alterlabtest.RouteScrape))
		}
		if g := errmap.Explain(e); g.Action != errmap.RetryLater || g.RetryAfterS != 45 {
			t.Errorf("guidance %+v", g)
		}
	})
}

func TestAlterLabConnectionErrors(t *testing.T) {
	t.Run("refused before the request was written: retried", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			c, s := fakeAlterLab(t)
			s.Script(alterlabtest.RouteScrape, alterlabtest.ConnRefused())
			if _, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"}); err != nil {
				t.Fatal(err)
			}
			if n := s.Count(alterlabtest.RouteScrape); n != 2 {
				t.Errorf("%d submits, want 2", n)
			}
		})
	})
	t.Run("reset after the request was written: never resent", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			c, s := fakeAlterLab(t)
			s.Script(alterlabtest.RouteCrawl, alterlabtest.ResetAfterWrite())
			_, err := c.StartCrawl(t.Context(), CrawlRequest{URL: "https://example.com"})
			if e := mustError(t, err); e.Code != CodeMaybeStarted || s.Count(alterlabtest.RouteCrawl) != 1 || len(s.JobIDs()) != 1 {
				t.Errorf("got %+v after %d submits, %d crawls started", e, s.Count(alterlabtest.RouteCrawl), len(s.JobIDs()))
			}
		})
	})
	t.Run("polls are retried on gateway errors", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			c, s := fakeAlterLab(t)
			s.Script(alterlabtest.RouteJob, alterlabtest.HTMLPage(502), alterlabtest.Error(504, alterlabtest.Detail, "", "Gateway timeout"))
			if _, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/?fake=async"}); err != nil {
				t.Fatal(err)
			}
			if n := s.Count(alterlabtest.RouteJob); n != 3 {
				t.Errorf("%d polls, want 3", n)
			}
		})
	})
}

func TestAlterLabHungResponseStopsAtTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAlterLab(t)
		s.Script(alterlabtest.RouteScrape, alterlabtest.Hang())
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.Scrape(ctx, ScrapeRequest{URL: "https://example.com"})
		e := mustError(t, err)
		if time.Since(start) != 20*time.Second || s.Count(alterlabtest.RouteScrape) != 1 {
			t.Errorf("stopped after %v with %d submits", time.Since(start), s.Count(alterlabtest.RouteScrape))
		}
		if e.Code != CodeMaybeStarted && e.Code != CodeTimeout {
			t.Errorf("code %q: a hung submit is a timeout whose outcome is unknown", e.Code)
		}
	})
}

func TestAlterLabCancelledContextStopsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAlterLab(t)
		s.Script(alterlabtest.RouteScrape, alterlabtest.Repeat(5, alterlabtest.Error(503, alterlabtest.Detail, "", "down"))...)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		start := time.Now()
		_, err := c.Scrape(ctx, ScrapeRequest{URL: "https://example.com"})
		if e := mustError(t, err); e.Code != "cancelled" || time.Since(start) != 0 || s.Count(alterlabtest.RouteScrape) != 0 {
			t.Errorf("got %+v after %v and %d requests", e, time.Since(start), s.Count(alterlabtest.RouteScrape))
		}
	})
}

// A scrape answered 200 in a body we cannot read was done and billed: its
// outcome is unknown to us, and it is not sent again.
func TestAlterLabMalformedJSONOn200(t *testing.T) {
	c, s := fakeAlterLab(t)
	s.Script(alterlabtest.RouteScrape, alterlabtest.Malformed())
	_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
	if e := mustError(t, err); e.Code != CodeMaybeStarted || e.HTTPStatus != 200 || e.RequestID == "" || s.Count(alterlabtest.RouteScrape) != 1 {
		t.Errorf("got %+v after %d submits", e, s.Count(alterlabtest.RouteScrape))
	}
}
