package client

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scrapemcp/scrapemcp/client/anakintest"
	"github.com/scrapemcp/scrapemcp/errmap"
)

// anakinWantAction pins the advice DESIGN.md names for the codes an agent
// meets most; every other catalog code only has to avoid the status fallback.
var anakinWantAction = map[string]errmap.Action{
	"invalid_request":      errmap.FixRequest,
	"invalid_url":          errmap.FixRequest,
	"unauthorized":         errmap.CheckAPIKey,
	"insufficient_credits": errmap.TopUpCredits,
	"rate_limit_exceeded":  errmap.RetryLater,
	"not_found":            errmap.NotFound,
	"server_error":         errmap.RetryLater,
	"service_unavailable":  errmap.RetryLater,
}

// assertAnakinGuidance checks that errmap has specific advice for e: not the
// answer it gives any unknown code at the same status, and the documented
// action where DESIGN.md names one.
func assertAnakinGuidance(t *testing.T, e *Error) errmap.Guidance {
	t.Helper()
	g := errmap.Explain((e))
	fallback := errmap.Explain(&errmap.Error{Provider: e.Provider, Code: "zz_not_a_documented_code", HTTPStatus: e.HTTPStatus})
	if g.Action == fallback.Action && g.Hint == fallback.Hint {
		t.Errorf("%s %d %q: errmap gives only the status fallback (%s)", e.Provider, e.HTTPStatus, e.Code, g.Action)
	}
	if want, ok := anakinWantAction[e.Code]; ok && g.Action != want {
		t.Errorf("%q: action %s, want %s", e.Code, g.Action, want)
	}
	return g
}

// TestAnakinClientErrorsHaveGuidance covers the errors the client itself
// makes, end to end through the fake.
func TestAnakinClientErrorsHaveGuidance(t *testing.T) {
	tests := []struct {
		name   string
		run    func(t *testing.T) error
		action errmap.Action
		check  func(errmap.Guidance) bool
	}{
		{"blocked job: use the browser", func(t *testing.T) error {
			c, _ := fakeAnakin(t)
			_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/?fake=blocked"})
			return err
		}, errmap.ChangeStrategy, func(g errmap.Guidance) bool { return g.SuggestedArguments["use_browser"] == true }},
		{"job still running at the deadline", func(t *testing.T) error {
			c, _ := fakeAnakin(t)
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			_, err := c.Scrape(ctx, ScrapeRequest{URL: "https://example.com/?fake=pending"})
			return err
		}, "", nil},
		{"504 on the submit", func(t *testing.T) error {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteScrape, anakintest.AcceptThen(504))
			_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
			return err
		}, "", func(g errmap.Guidance) bool { return !g.Retryable || g.Action != errmap.RetryLater }},
		{"rate limit outlasting the budget", func(t *testing.T) error {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteScrape, anakintest.RateLimited("30"))
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			_, err := c.Scrape(ctx, ScrapeRequest{URL: "https://example.com"})
			return err
		}, errmap.RetryLater, func(g errmap.Guidance) bool { return g.RetryAfterS == 30 }},
		{"cancel", func(t *testing.T) error {
			c, _ := fakeAnakin(t)
			_, err := c.CancelJob(t.Context(), JobRef{Provider: Anakin, Kind: KindCrawl, ID: "c1"})
			return err
		}, "", nil},
		{"invalid argument", func(t *testing.T) error {
			c, _ := fakeAnakin(t)
			_, err := c.StartCrawl(t.Context(), CrawlRequest{URL: "https://example.com", MaxDepth: 9})
			return err
		}, errmap.FixRequest, nil},
		{"malformed answer", func(t *testing.T) error {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteScrape, anakintest.Malformed())
			_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
			return err
		}, "", nil},
		{"wire credits in the nested envelope", func(t *testing.T) error {
			c, _ := fakeAnakin(t)
			_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/?fake=credits_wire"})
			return err
		}, errmap.TopUpCredits, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := mustError(t, tt.run(t))
				g := assertAnakinGuidance(t, e)
				if tt.action != "" && g.Action != tt.action {
					t.Errorf("%s: action %s, want %s", e.Code, g.Action, tt.action)
				}
				if tt.check != nil && !tt.check(g) {
					t.Errorf("%s: guidance %+v", e.Code, g)
				}
			})
		})
	}
}
