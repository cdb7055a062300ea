package client

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/scrapemcp/scrapemcp/client/anakintest"
	"github.com/scrapemcp/scrapemcp/errmap"
)

// These tests drive the shared transport (http.go, retry.go, poll.go)
// through the fake Anakin API's in-memory client, inside synctest bubbles so
// every wait is measured on the fake clock.

var (
	submitCall = call{method: http.MethodPost, path: "/url-scraper", body: map[string]any{"url": "https://example.com"}, submit: true}
	pollCall   = call{method: http.MethodGet, path: "/url-scraper/j1"}
)

// stamps records when each request left, to measure backoff gaps.
type stamps struct {
	rt http.RoundTripper
	mu sync.Mutex
	at []time.Time
}

func (s *stamps) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.at = append(s.at, time.Now())
	s.mu.Unlock()
	return s.rt.RoundTrip(r)
}

func (s *stamps) gaps() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(s.at); i++ {
		out = append(out, s.at[i].Sub(s.at[i-1]))
	}
	return out
}

// fakeAPI is the shared transport pointed at the fake, unlimited unless cfg
// says otherwise.
func fakeAPI(t *testing.T, s *anakintest.Server, edit ...func(*APIConfig)) (*apiClient, *stamps) {
	t.Helper()
	st := &stamps{rt: s.Client().Transport}
	cfg := APIConfig{BaseURL: "http://anakin.test/v1", APIKey: anakintest.DefaultKey, HTTPClient: &http.Client{Transport: st}, SubmitsPerMinute: -1}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := newAPIClient(Anakin, cfg, anakinSubmitsPerMinute, decodeAnakinError)
	if err != nil {
		t.Fatal(err)
	}
	return c, st
}

func TestShouldRetry(t *testing.T) {
	tests := []struct {
		name string
		a    attempt
		want bool
	}{
		{"poll 429", attempt{status: 429}, true},
		{"poll 500", attempt{status: 500}, true},
		{"poll 502", attempt{status: 502}, true},
		{"poll 503", attempt{status: 503}, true},
		{"poll 504", attempt{status: 504}, true},
		{"submit 429", attempt{submit: true, status: 429}, true},
		{"submit 500: not enqueued", attempt{submit: true, status: 500}, true},
		{"submit 502", attempt{submit: true, status: 502}, true},
		{"submit 503", attempt{submit: true, status: 503}, true},
		{"submit 504 may be running", attempt{submit: true, status: 504}, false},
		{"400", attempt{status: 400}, false},
		{"401", attempt{status: 401}, false},
		{"402", attempt{submit: true, status: 402}, false},
		{"403", attempt{status: 403}, false},
		{"404", attempt{status: 404}, false},
		{"409", attempt{status: 409}, false},
		{"422", attempt{status: 422}, false},
		{"501", attempt{status: 501}, false},
		{"429 held-resource limit", attempt{status: 429, code: "SESSION_LIMIT_REACHED"}, false},
		{"429 build limit, any case", attempt{status: 429, code: "build_limit_reached"}, false},
		{"poll network error", attempt{err: errors.New("reset"), sent: true}, true},
		{"submit refused before writing", attempt{submit: true, err: errors.New("refused")}, true},
		{"submit failed after writing", attempt{submit: true, err: errors.New("reset"), sent: true}, false},
		{"cancelled", attempt{err: context.Canceled}, false},
		{"deadline", attempt{err: context.DeadlineExceeded}, false},
	}
	for _, tt := range tests {
		if got, why := shouldRetry(tt.a); got != tt.want || (!got && why == "") {
			t.Errorf("%s: shouldRetry = %v (%q), want %v with a reason when false", tt.name, got, why, tt.want)
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{"seconds", http.Header{"Retry-After": {"7"}}, 7 * time.Second, true},
		{"fractional seconds", http.Header{"Retry-After": {"1.5"}}, 1500 * time.Millisecond, true},
		{"HTTP-date", http.Header{"Retry-After": {now.Add(30 * time.Second).Format(http.TimeFormat)}}, 30 * time.Second, true},
		{"past HTTP-date", http.Header{"Retry-After": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0, true},
		{"negative", http.Header{"Retry-After": {"-1"}}, 0, false},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0, false},
		{"infinite", http.Header{"Retry-After": {"Inf"}}, 0, false},
		{"reset as seconds", http.Header{"X-Ratelimit-Reset": {"12"}}, 12 * time.Second, true},
		{"reset as epoch", http.Header{"X-Ratelimit-Reset": {"1772366445"}}, 45 * time.Second, true},
		{"Retry-After wins", http.Header{"Retry-After": {"3"}, "X-Ratelimit-Reset": {"99"}}, 3 * time.Second, true},
		{"none", http.Header{}, 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.header, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: got %v %v, want %v %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFullJitterStaysWithinExponentialBounds(t *testing.T) {
	f := &fullJitter{base: time.Second, cap: 30 * time.Second}
	maxSeen := make([]time.Duration, 40)
	for range 300 {
		f.Reset()
		for n := range maxSeen {
			d := f.NextBackOff()
			ceiling := 30 * time.Second
			if n < 31 {
				ceiling = min(ceiling, time.Second<<n)
			}
			if d < 0 || d > ceiling {
				t.Fatalf("attempt %d waited %v, outside [0, %v]", n, d, ceiling)
			}
			maxSeen[n] = max(maxSeen[n], d)
		}
	}
	// Full jitter uses the whole range: over 300 draws the largest wait of a
	// late attempt is far above half its ceiling.
	if maxSeen[10] < 15*time.Second {
		t.Errorf("late waits never exceeded %v; jitter is not full", maxSeen[10])
	}
}

func TestServerHintReplacesExactlyOneWait(t *testing.T) {
	h := &hinted{BackOff: backoff.NewConstantBackOff(time.Second)}
	h.hint, h.set = 7*time.Second, true
	if got := []time.Duration{h.NextBackOff(), h.NextBackOff()}; got[0] != 7*time.Second || got[1] != time.Second {
		t.Errorf("waits = %v, want [7s 1s]", got)
	}
	stop := &hinted{BackOff: &backoff.StopBackOff{}, hint: time.Second, set: true}
	if stop.NextBackOff() != backoff.Stop {
		t.Error("a hint revived a stopped backoff")
	}
}

func TestBudgetRefusesWaitsPastTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		b := &budgeted{BackOff: backoff.NewConstantBackOff(30 * time.Second), ctx: ctx}
		if d := b.NextBackOff(); d != backoff.Stop || b.refused != 30*time.Second {
			t.Errorf("got %v, refused %v", d, b.refused)
		}
		b = &budgeted{BackOff: backoff.NewConstantBackOff(3 * time.Second), ctx: ctx}
		if d := b.NextBackOff(); d != 3*time.Second {
			t.Errorf("a wait inside the budget was refused: %v", d)
		}
	})
}

func TestRetryAfterIsWaitedExactly(t *testing.T) {
	tests := []struct {
		name string
		ra   func() string
		want time.Duration
	}{
		{"seconds", func() string { return "7" }, 7 * time.Second},
		{"HTTP-date", func() string { return time.Now().Add(12 * time.Second).UTC().Format(http.TimeFormat) }, 12 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := anakintest.New()
				c, _ := fakeAPI(t, s)
				s.Script(anakintest.RouteScrape, anakintest.RateLimited(tt.ra()))
				start := time.Now()
				if _, err := c.do(t.Context(), submitCall); err != nil {
					t.Fatal(err)
				}
				if d := time.Since(start); d != tt.want || s.Count(anakintest.RouteScrape) != 2 {
					t.Errorf("waited %v over %d submits, want %v over 2", d, s.Count(anakintest.RouteScrape), tt.want)
				}
			})
		})
	}
}

func TestBackoffIsCappedExponentialFullJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for range 20 {
			s := anakintest.New()
			c, st := fakeAPI(t, s)
			s.Script(anakintest.RouteScrape, anakintest.Repeat(4, anakintest.Error(503, anakintest.Flat, "service_unavailable", "down"))...)
			if _, err := c.do(t.Context(), submitCall); err != nil {
				t.Fatal(err)
			}
			for n, g := range st.gaps() {
				if ceiling := min(DefaultRetryPolicy.Cap, DefaultRetryPolicy.Base<<n); g < 0 || g > ceiling {
					t.Fatalf("wait %d was %v, outside [0, %v]", n, g, ceiling)
				}
			}
		}
	})
}

func TestAttemptsAreCappedAtFive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := anakintest.New()
		c, _ := fakeAPI(t, s)
		s.Script(anakintest.RouteScrape, anakintest.Repeat(10, anakintest.Error(500, anakintest.Flat, "server_error", "boom"))...)
		_, err := c.do(t.Context(), submitCall)
		e := mustError(t, err)
		if e.HTTPStatus != 500 || e.Code != "server_error" || s.Count(anakintest.RouteScrape) != 5 {
			t.Errorf("got %+v after %d attempts, want the 500 after 5", e, s.Count(anakintest.RouteScrape))
		}
	})
}

func TestBudgetExhaustedSaysWhenToComeBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := anakintest.New()
		c, _ := fakeAPI(t, s)
		s.Script(anakintest.RouteScrape, anakintest.RateLimited("30"))
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.do(ctx, submitCall)
		e := mustError(t, err)
		if e.HTTPStatus != 429 || e.Code != "rate_limit_exceeded" || e.RetryAfter != 30*time.Second {
			t.Errorf("got %+v, want the 429 with RetryAfter 30s", e)
		}
		if d := time.Since(start); d != 0 || s.Count(anakintest.RouteScrape) != 1 {
			t.Errorf("slept %v and sent %d submits; want an immediate answer after 1", d, s.Count(anakintest.RouteScrape))
		}
	})
}

func TestSubmitOutcomeUnknownIsNeverResent(t *testing.T) {
	tests := []struct {
		name string
		f    anakintest.Fault
	}{
		{"504 after the job was accepted", anakintest.AcceptThen(504)},
		{"connection reset after the body was written", anakintest.ResetAfterWrite()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := anakintest.New()
				c, _ := fakeAPI(t, s)
				s.Script(anakintest.RouteScrape, tt.f)
				_, err := c.do(t.Context(), submitCall)
				if e := mustError(t, err); e.Code != CodeMaybeStarted {
					t.Errorf("got %+v, want %s", e, CodeMaybeStarted)
				}
				if s.Count(anakintest.RouteScrape) != 1 || len(s.JobIDs()) != 1 {
					t.Errorf("%d submits, %d jobs; want 1 and 1", s.Count(anakintest.RouteScrape), len(s.JobIDs()))
				}
			})
		})
	}
}

func TestRetriedWhenNothingCanHaveStarted(t *testing.T) {
	tests := []struct {
		name  string
		route string
		cl    call
		f     anakintest.Fault
	}{
		{"submit refused before writing", anakintest.RouteScrape, submitCall, anakintest.ConnRefused()},
		{"poll 504", anakintest.RouteScrapeJob, pollCall, anakintest.Raw(504, "")},
		{"poll reset", anakintest.RouteScrapeJob, pollCall, anakintest.ResetAfterWrite()},
		{"poll HTML 502", anakintest.RouteScrapeJob, pollCall, anakintest.HTMLPage(502)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := anakintest.New()
				c, _ := fakeAPI(t, s)
				s.Script(tt.route, tt.f)
				s.Script(anakintest.RouteScrapeJob, anakintest.Raw(200, `{"status":"completed"}`))
				if _, err := c.do(t.Context(), tt.cl); err != nil {
					t.Fatalf("not retried: %v", err)
				}
				if n := s.Count(tt.route); n != 2 {
					t.Errorf("%d requests, want 2", n)
				}
			})
		})
	}
}

func TestHungResponseStopsAtTheDeadline(t *testing.T) {
	tests := []struct {
		name  string
		route string
		cl    call
		code  string
	}{
		{"submit: it may be running", anakintest.RouteScrape, submitCall, CodeMaybeStarted},
		{"poll", anakintest.RouteScrapeJob, pollCall, CodeTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := anakintest.New()
				c, _ := fakeAPI(t, s)
				s.Script(tt.route, anakintest.Hang())
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
				defer cancel()
				start := time.Now()
				_, err := c.do(ctx, tt.cl)
				if e := mustError(t, err); e.Code != tt.code {
					t.Errorf("got %+v, want %s", e, tt.code)
				}
				if d := time.Since(start); d != 20*time.Second || s.Count(tt.route) != 1 {
					t.Errorf("stopped after %v and %d requests, want at the 20s deadline after 1", d, s.Count(tt.route))
				}
			})
		})
	}
}

func TestCancelledContextStopsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := anakintest.New()
		c, _ := fakeAPI(t, s)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := c.do(ctx, submitCall)
		if e := mustError(t, err); e.Code != "cancelled" || s.Count(anakintest.RouteScrape) != 0 {
			t.Errorf("got %+v after %d requests", e, s.Count(anakintest.RouteScrape))
		}
	})
	t.Run("during a backoff wait", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := anakintest.New()
			c, _ := fakeAPI(t, s)
			s.Script(anakintest.RouteScrape, anakintest.RateLimited("30"))
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(5*time.Second, cancel)
			start := time.Now()
			if _, err := c.do(ctx, submitCall); err == nil {
				t.Fatal("succeeded after cancel")
			}
			if d := time.Since(start); d != 5*time.Second || s.Count(anakintest.RouteScrape) != 1 {
				t.Errorf("returned after %v and %d requests, want at the 5s cancel after 1", d, s.Count(anakintest.RouteScrape))
			}
		})
	})
}

func TestMalformedJSONOn200(t *testing.T) {
	s := anakintest.New()
	c, _ := fakeAPI(t, s)
	s.Script(anakintest.RouteScrapeJob, anakintest.Malformed())
	r, err := c.do(t.Context(), pollCall)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	e := mustError(t, c.decode(r, &v))
	if e.Code != CodeBadResponse || e.HTTPStatus != 200 || e.RequestID == "" {
		t.Errorf("got %+v", e)
	}
	// A submit's unreadable 2xx is not a job we can follow, but the API took
	// it: the outcome is unknown, and the submit is not sent again.
	ac, s2 := fakeAnakin(t)
	s2.Script(anakintest.RouteScrape, anakintest.Malformed())
	_, err = ac.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
	if e := mustError(t, err); e.Code != CodeMaybeStarted || e.HTTPStatus != 200 || s2.Count(anakintest.RouteScrape) != 1 {
		t.Errorf("scrape: %+v after %d submits", e, s2.Count(anakintest.RouteScrape))
	}
	if g := errmap.Explain(mustError(t, err)); g.Action == errmap.RetryLater {
		t.Errorf("a submit that may have started is advised %s", g.Action)
	}
}

func TestClientSideBucketQueuesSubmits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := anakintest.New()
		c, st := fakeAPI(t, s, func(cfg *APIConfig) { cfg.SubmitsPerMinute = 60 })
		start := time.Now()
		for range 6 {
			if _, err := c.do(t.Context(), submitCall); err != nil {
				t.Fatal(err)
			}
		}
		// A burst of 5, then one a second.
		if d := time.Since(start); d != time.Second {
			t.Errorf("6 submits took %v, want 1s", d)
		}
		// Polls do not take tokens.
		s.Script(anakintest.RouteScrapeJob, anakintest.Repeat(10, anakintest.Raw(200, `{}`))...)
		before := len(st.at)
		for range 10 {
			if _, err := c.do(t.Context(), pollCall); err != nil {
				t.Fatal(err)
			}
		}
		if d := time.Since(start); d != time.Second || len(st.at)-before != 10 {
			t.Errorf("polls were rate limited: %v", d)
		}

		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		_, err := c.do(ctx, submitCall)
		e := mustError(t, err)
		if e.Code != CodeRateLimitedLocally || e.RetryAfter != time.Second || s.Count(anakintest.RouteScrape) != 6 {
			t.Errorf("got %+v, sent %d; want client_rate_limited in 1s without sending", e, s.Count(anakintest.RouteScrape))
		}
	})
}

func TestPollScheduleGrowsAndCaps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var at []time.Time
		n := 0
		get := func(context.Context) (*Job, error) {
			at = append(at, time.Now())
			n++
			if n == 9 {
				return &Job{State: JobCompleted}, nil
			}
			return &Job{State: JobRunning}, nil
		}
		var updates int
		j, err := Poll(t.Context(), immediatePoll, get, func(*Job) { updates++ })
		if err != nil || j.State != JobCompleted || updates != 9 {
			t.Fatalf("%+v %v, %d updates", j, err, updates)
		}
		want := []float64{1000, 1500, 2250, 3375, 5062.5, 7593.75, 10000, 10000}
		for i := 1; i < len(at); i++ {
			if g, w := at[i].Sub(at[i-1]), time.Duration(want[i-1]*float64(time.Millisecond)); g != w {
				t.Errorf("wait %d = %v, want %v", i, g, w)
			}
		}
	})
}

func TestPollServerHintSetsOneWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var at []time.Time
		hints := []time.Duration{3 * time.Second, 0, 45 * time.Second, 0}
		get := func(context.Context) (*Job, error) {
			at = append(at, time.Now())
			if len(at) > len(hints) {
				return &Job{State: JobCompleted}, nil
			}
			return &Job{State: JobRunning, RetryAfter: hints[len(at)-1]}, nil
		}
		if _, err := Poll(t.Context(), immediatePoll, get, nil); err != nil {
			t.Fatal(err)
		}
		// Without progress to predict from, the hint replaces that wait; one
		// beyond the cap is obeyed too (the API says how fast it may be
		// polled). The schedule still advances.
		want := []time.Duration{3 * time.Second, 1500 * time.Millisecond, 45 * time.Second, 3375 * time.Millisecond}
		for i := 1; i < len(at); i++ {
			if g := at[i].Sub(at[i-1]); g != want[i-1] {
				t.Errorf("wait %d = %v, want %v", i, g, want[i-1])
			}
		}
	})
}

func TestPollEndsWithTheContextAndKeepsTheLastSnapshot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		n := 0
		get := func(context.Context) (*Job, error) {
			n++
			return &Job{State: JobRunning, Completed: n}, nil
		}
		start := time.Now()
		j, err := Poll(ctx, DefaultPollSchedule, get, nil)
		if !errors.Is(err, context.DeadlineExceeded) || j == nil || j.Completed != n || time.Since(start) != 5*time.Second {
			t.Errorf("got %+v, %v after %v", j, err, time.Since(start))
		}
	})
	t.Run("a failed read stops polling", func(t *testing.T) {
		boom := &Error{Code: "not_found"}
		j, err := Poll(t.Context(), immediatePoll, func(context.Context) (*Job, error) { return nil, boom }, nil)
		if err != boom || j != nil {
			t.Errorf("got %v, %v", j, err)
		}
	})
}
