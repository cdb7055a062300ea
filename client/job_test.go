package client

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/client/anakintest"
	"github.com/scrapemcp/scrapemcp/errmap"
)

// A poll that fails after the API accepted the billed submit must not read
// as "retry": the job runs on and is billed, so the error names it and
// errmap points at job_status. A soak test found these coming back as
// malformed_response → retry_later, which an agent follows by paying twice.
func TestPollFailingAfterAcceptedSubmitNamesTheJob(t *testing.T) {
	const broken = `{"status": "proc`
	cases := []struct {
		name string
		run  func(t *testing.T) (JobRef, error)
	}{
		{"anakin scrape", func(t *testing.T) (JobRef, error) {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteScrapeJob, anakintest.Raw(200, broken))
			_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/a"})
			return JobRef{Anakin, KindScrape, s.JobIDs()[0]}, err
		}},
		{"anakin batch", func(t *testing.T) (JobRef, error) {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteScrapeJob, anakintest.Raw(200, broken))
			_, err := c.BatchScrape(t.Context(), BatchRequest{URLs: []string{"https://example.com/a", "https://example.com/b"}})
			return JobRef{Anakin, KindBatch, s.JobIDs()[0]}, err
		}},
		{"anakin extract", func(t *testing.T) (JobRef, error) {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteScrapeJob, anakintest.Raw(200, broken))
			_, err := c.Extract(t.Context(), ExtractRequest{URL: "https://example.com/a", Prompt: "the title"})
			return JobRef{Anakin, KindScrape, s.JobIDs()[0]}, err
		}},
		{"anakin map (no job_status kind: upstream id only)", func(t *testing.T) (JobRef, error) {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteMapJob, anakintest.Raw(500, `{"error":"server_error","message":"boom"}`),
				anakintest.Raw(200, broken))
			_, err := c.Map(t.Context(), MapRequest{URL: "https://example.com/"})
			return JobRef{Anakin, anakinKindMap, s.JobIDs()[0]}, err
		}},
		{"alterlab async scrape", func(t *testing.T) (JobRef, error) {
			c, s := fakeAlterLab(t)
			s.Script(alterlabtest.RouteJob, alterlabtest.Raw(200, broken))
			_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/a?fake=async"})
			return JobRef{AlterLab, KindScrape, s.JobIDs()[0]}, err
		}},
		{"alterlab batch", func(t *testing.T) (JobRef, error) {
			c, s := fakeAlterLab(t)
			s.Script(alterlabtest.RouteBatchJob, alterlabtest.Raw(200, broken))
			_, err := c.BatchScrape(t.Context(), BatchRequest{URLs: []string{"https://example.com/a"}})
			return JobRef{AlterLab, KindBatch, s.JobIDs()[0]}, err
		}},
		{"alterlab extract", func(t *testing.T) (JobRef, error) {
			c, s := fakeAlterLab(t)
			s.Script(alterlabtest.RouteJob, alterlabtest.Raw(200, broken))
			_, err := c.Extract(t.Context(), ExtractRequest{URL: "https://example.com/a?fake=async", Prompt: "the title"})
			return JobRef{AlterLab, KindScrape, s.JobIDs()[0]}, err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ref, err := c.run(t)
				e := mustError(t, err)
				if e.Code != CodeMaybeStarted {
					t.Fatalf("code %q, want %q: %v", e.Code, CodeMaybeStarted, e)
				}
				want := jobDetails(ref)
				for k, v := range want {
					if e.Details[k] != v {
						t.Errorf("details[%s] = %v, want %v", k, e.Details[k], v)
					}
				}
				if e.Details["cause_code"] == nil && e.Details["api_code"] == nil {
					t.Errorf("the poll's own code is lost: %v", e.Details)
				}
				g := errmap.Explain(e)
				if g.Retryable || g.Action == errmap.RetryLater {
					t.Errorf("guidance %s retryable=%v: following it bills twice", g.Action, g.Retryable)
				}
				if _, ok := want["job_id"]; ok && !strings.Contains(g.Hint, "job_status") {
					t.Errorf("hint does not point at job_status: %s", g.Hint)
				}
			})
		})
	}
}

// A 2xx answer to a submit that names no job may have started one: every
// path that reads a submit answer says submit_outcome_unknown, not
// malformed_response.
func TestSubmitAnswerWithoutJobIDMayHaveStarted(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T) error
	}{
		{"anakin scrape", func(t *testing.T) error {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteScrape, anakintest.Raw(202, `{"status":"pending"}`))
			_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/"})
			return err
		}},
		{"anakin crawl", func(t *testing.T) error {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteCrawl, anakintest.Raw(202, `{"status":"completed"}`))
			_, err := c.StartCrawl(t.Context(), CrawlRequest{URL: "https://example.com/"})
			return err
		}},
		{"anakin unreadable submit", func(t *testing.T) error {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteScrape, anakintest.Malformed())
			_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/"})
			return err
		}},
		{"alterlab batch", func(t *testing.T) error {
			c, s := fakeAlterLab(t)
			s.Script(alterlabtest.RouteBatch, alterlabtest.Raw(202, `{"status":"processing"}`))
			_, err := c.BatchScrape(t.Context(), BatchRequest{URLs: []string{"https://example.com/"}})
			return err
		}},
		{"alterlab crawl", func(t *testing.T) error {
			c, s := fakeAlterLab(t)
			s.Script(alterlabtest.RouteCrawl, alterlabtest.Raw(202, `{"status":"completed"}`))
			_, err := c.StartCrawl(t.Context(), CrawlRequest{URL: "https://example.com/"})
			return err
		}},
		{"alterlab search", func(t *testing.T) error {
			c, s := fakeAlterLab(t)
			s.Script(alterlabtest.RouteSearch, alterlabtest.Raw(202, `{"status":"scraping"}`))
			_, err := c.Search(t.Context(), SearchRequest{Query: "golang"})
			return err
		}},
		{"alterlab map answered 202", func(t *testing.T) error {
			c, s := fakeAlterLab(t)
			s.Script(alterlabtest.RouteMap, alterlabtest.Raw(202, `{"status":"queued"}`))
			_, err := c.Map(t.Context(), MapRequest{URL: "https://example.com/"})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := mustError(t, c.run(t))
			if e.Code != CodeMaybeStarted {
				t.Errorf("code %q, want %q: %v", e.Code, CodeMaybeStarted, e)
			}
			if g := errmap.Explain(e); g.Retryable {
				t.Errorf("guidance %s says retry", g.Action)
			}
		})
	}
}

// A 504 to a submit whose body names the job: the error carries the job id
// to poll, and the guidance says to poll it, never to submit again.
func TestSubmit504WithJobIDSaysPollIt(t *testing.T) {
	c, s := fakeAlterLab(t)
	s.Script(alterlabtest.RouteScrape, alterlabtest.Error(504, alterlabtest.Docs, "GATEWAY_TIMEOUT", "upstream timed out").
		WithDetails(map[string]any{"job_id": "j-504", "credits_status": "reserved", "estimated_completion_s": 30}))
	_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/"})
	e := mustError(t, err)
	if e.Code != CodeMaybeStarted || e.Details["job_id"] != "alterlab:scrape:j-504" || e.Details["api_code"] != "GATEWAY_TIMEOUT" {
		t.Fatalf("got %+v", e)
	}
	if s.Count(alterlabtest.RouteScrape) != 1 {
		t.Errorf("the submit was sent %d times", s.Count(alterlabtest.RouteScrape))
	}
	g := errmap.Explain(e)
	if g.Retryable || !strings.Contains(g.Hint, "job_status with details.job_id=alterlab:scrape:j-504") || !strings.Contains(g.Hint, "Do not submit it again") {
		t.Errorf("guidance: %+v", g)
	}
	if e.Details["estimated_completion_s"] != 30.0 || e.Details["credits_status"] != "reserved" {
		t.Errorf("the 504's details are lost: %v", e.Details)
	}
	if g.RetryAfterS != 30 {
		t.Errorf("retry_after_s = %d, want the API's estimate of 30 s", g.RetryAfterS)
	}

	// AlterLab's documented TIMEOUT is its verdict on the work, refunded.
	c, s = fakeAlterLab(t)
	s.Script(alterlabtest.RouteScrape, alterlabtest.Error(504, alterlabtest.Docs, "TIMEOUT", "timed out"))
	_, err = c.Scrape(context.Background(), ScrapeRequest{URL: "https://example.com/"})
	if e := mustError(t, err); e.Code != "TIMEOUT" {
		t.Errorf("documented TIMEOUT became %q", e.Code)
	}
}
