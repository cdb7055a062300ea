package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scrapemcp/scrapemcp/client/anakintest"
)

// fakeAnakin is an Anakin client wired to an in-memory fake, with no
// client-side rate limit. Tests that wait call it inside a synctest bubble.
func fakeAnakin(t *testing.T, opts ...anakintest.Option) (*AnakinClient, *anakintest.Server) {
	t.Helper()
	s := anakintest.New(opts...)
	c, err := NewAnakin(APIConfig{BaseURL: "http://anakin.test", APIKey: anakintest.DefaultKey, HTTPClient: s.Client(), SubmitsPerMinute: -1, Poll: immediatePoll})
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

func mustError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *client.Error", err, err)
	}
	return e
}

// sameJSON compares two JSON documents ignoring key order.
func sameJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("JSON differs\n got: %s\nwant: %s", got, want)
	}
}

func TestAnakinScrapesOverRealHTTP(t *testing.T) {
	s := anakintest.New()
	base := strings.TrimSuffix(s.Start(t), "/v1") // as a user may configure it
	c, err := NewAnakin(APIConfig{BaseURL: base, APIKey: anakintest.DefaultKey, Poll: immediatePoll})
	if err != nil {
		t.Fatal(err)
	}
	u := "https://example.com/docs"
	p, err := c.Scrape(t.Context(), ScrapeRequest{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	if p.URL != u || p.Markdown != anakintest.Markdown(u, 0) {
		t.Errorf("page = %+v", p)
	}
	if s.Count(anakintest.RouteScrape) != 1 || s.Count(anakintest.RouteScrapeJob) != 1 {
		t.Errorf("submits %d, polls %d", s.Count(anakintest.RouteScrape), s.Count(anakintest.RouteScrapeJob))
	}
}

func TestAnakinScrapeSendsTheDocumentedBody(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","description":"A product","properties":{"price":{"type":"number"}}}`)
	tests := []struct {
		name string
		req  ScrapeRequest
		want string
	}{
		{"markdown by default", ScrapeRequest{URL: "https://example.com"},
			`{"url":"https://example.com","formats":["markdown"]}`},
		{"formats, lowercase country, browser, fresh", ScrapeRequest{URL: "https://example.com", Formats: []string{"html", "links"}, Country: "US", UseBrowser: true, ForceFresh: true},
			`{"url":"https://example.com","formats":["html","links"],"country":"us","useBrowser":true,"forceFresh":true}`},
		{"prompt alone becomes the schema description", ScrapeRequest{URL: "https://example.com", Prompt: "list the prices"},
			`{"url":"https://example.com","formats":["markdown","json"],"generateJson":true,"outputSchema":{"type":"object","description":"list the prices"}}`},
		{"prompt follows the schema's description", ScrapeRequest{URL: "https://example.com", Formats: []string{"json"}, JSONSchema: schema, Prompt: "in USD"},
			`{"url":"https://example.com","formats":["json"],"generateJson":true,"outputSchema":{"type":"object","description":"A product\n\nin USD","properties":{"price":{"type":"number"}}}}`},
		{"schema alone is sent as is", ScrapeRequest{URL: "https://example.com", JSONSchema: schema},
			`{"url":"https://example.com","formats":["markdown","json"],"generateJson":true,"outputSchema":` + string(schema) + `}`},
		{"wait_for becomes a browser action", ScrapeRequest{URL: "https://example.com", WaitFor: "article.price"},
			`{"url":"https://example.com","formats":["markdown"],"useBrowser":true,"actions":[{"type":"wait_for","selector":"article.price"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := fakeAnakin(t)
			if _, err := c.Scrape(t.Context(), tt.req); err != nil {
				t.Fatal(err)
			}
			sameJSON(t, s.LastBody(anakintest.RouteScrape), tt.want)
		})
	}
}

func TestAnakinScrapeMapsThePage(t *testing.T) {
	c, _ := fakeAnakin(t)
	u := "https://shop.example/item/7"
	p, err := c.Scrape(t.Context(), ScrapeRequest{URL: u, Formats: []string{"markdown", "html", "links"},
		JSONSchema: json.RawMessage(`{"type":"object","properties":{"price":{"type":"number"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if p.Markdown != anakintest.Markdown(u, 0) || p.HTML != anakintest.HTML(u) {
		t.Errorf("markdown/html not the fake's page: %q / %q", p.Markdown, p.HTML)
	}
	if want := []string{"https://shop.example/about", "https://shop.example/docs", "https://shop.example/blog"}; !reflect.DeepEqual(p.Links, want) {
		t.Errorf("links = %v, want %v", p.Links, want)
	}
	sameJSON(t, p.JSON, `{"price":42}`)
	if p.Cached {
		t.Error("cached on a fresh page")
	}
	if p, err = c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/?fake=cached"}); err != nil || !p.Cached {
		t.Errorf("cached page: %+v, %v", p, err)
	}
}

func TestAnakinReadsEveryBodyVariant(t *testing.T) {
	tests := []struct {
		name string
		poll string
		want Page
	}{
		{"cleanedHtml when html is absent, links as strings, {status,data} unwrapped, creditsUsed",
			`{"status":"completed","cleanedHtml":"<p>c</p>","links":["https://a.example","https://b.example"],"generatedJson":{"status":"success","data":{"a":1}},"creditsUsed":2}`,
			Page{HTML: "<p>c</p>", Links: []string{"https://a.example", "https://b.example"}, JSON: json.RawMessage(`{"a":1}`), Cost: Cost{2, "credits"}}},
		{"result nested under result, credits_used as a string, cached as a string",
			`{"status":"completed","result":{"markdown":"# nested","cached":"true"},"credits_used":"1.5"}`,
			Page{Markdown: "# nested", Cached: true, Cost: Cost{1.5, "credits"}}},
		{"generatedJson that is not a wrapper is kept, cost field",
			`{"status":"completed","markdown":"m","generatedJson":{"data":[1],"extra":true},"cost":3}`,
			Page{Markdown: "m", JSON: json.RawMessage(`{"data":[1],"extra":true}`), Cost: Cost{3, "credits"}}},
		{"failed extraction becomes a warning",
			`{"status":"completed","markdown":"m","generatedJson":{"status":"failed","error":"schema too vague"}}`,
			Page{Markdown: "m", Warnings: []string{"Anakin could not generate the JSON extraction. schema too vague"}}},
		{"unknown fields and odd types are ignored",
			`{"status":"completed","markdown":"m","durationMs":"fast","newField":{"x":[1,2]},"retry_after_ms":null}`,
			Page{Markdown: "m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteScrapeJob, anakintest.Raw(200, tt.poll))
			p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
			if err != nil {
				t.Fatal(err)
			}
			tt.want.URL = "https://example.com"
			if tt.want.JSON != nil {
				sameJSON(t, p.JSON, string(tt.want.JSON))
				p.JSON, tt.want.JSON = nil, nil
			}
			if !reflect.DeepEqual(*p, tt.want) {
				t.Errorf("page\n got %+v\nwant %+v", *p, tt.want)
			}
		})
	}
}

func TestAnakinReadsEveryJobIDField(t *testing.T) {
	for _, field := range []string{"jobId", "job_id", "id", "search_id", "crawl_id", "batch_id", "workflow_id"} {
		t.Run(field, func(t *testing.T) {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteScrape, anakintest.IDField(field))
			if _, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"}); err != nil {
				t.Fatalf("the poll did not find the job: %v", err)
			}
		})
	}
}

// The API took the submit (2xx) but names no job: it may be running and
// billed, so this is not a malformed answer to retry.
func TestAnakinSubmitWithoutJobIDMayHaveStarted(t *testing.T) {
	c, s := fakeAnakin(t)
	s.Script(anakintest.RouteScrape, anakintest.Raw(202, `{"status":"pending"}`))
	_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
	if e := mustError(t, err); e.Code != CodeMaybeStarted {
		t.Errorf("code = %q, want %q", e.Code, CodeMaybeStarted)
	}
}

func TestAnakinJobStatusWords(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   JobState
		pages  int
	}{
		{"pending", 202, `{"status":"pending"}`, JobPending, 0},
		{"queued (agentic search)", 202, `{"job_id":"j","status":"queued"}`, JobPending, 0},
		{"processing", 202, `{"status":"processing"}`, JobRunning, 0},
		{"unknown word polls on", 200, `{"status":"discovering"}`, JobRunning, 0},
		{"202 with an empty body", 202, ``, JobRunning, 0},
		{"202 with no status word", 202, `{"job_id":"j","message":"Job is pending"}`, JobRunning, 0},
		{"completed", 200, `{"status":"completed","markdown":"m"}`, JobCompleted, 1},
		{"success (generic job endpoint)", 200, `{"status":"success","markdown":"m"}`, JobCompleted, 1},
		{"200 with content and no status word", 200, `{"markdown":"m"}`, JobCompleted, 1},
		{"failed", 200, `{"status":"failed","error":"Blocked by website (HTTP 403)"}`, JobFailed, 0},
		{"error", 200, `{"status":"error","error":{"code":"EXECUTION_FAILED","message":"boom"}}`, JobFailed, 0},
		{"timed_out", 200, `{"status":"timed_out"}`, JobFailed, 0},
		{"cancelled", 200, `{"status":"cancelled"}`, JobCancelled, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteScrapeJob, anakintest.Raw(tt.status, tt.body))
			j, err := c.Job(t.Context(), JobRef{Provider: Anakin, Kind: KindScrape, ID: "j1"})
			if err != nil {
				t.Fatal(err)
			}
			if j.State != tt.want || len(j.Pages) != tt.pages {
				t.Errorf("state %q with %d pages, want %q with %d", j.State, len(j.Pages), tt.want, tt.pages)
			}
			if (j.State == JobFailed || j.State == JobCancelled) != (j.Error != nil) {
				t.Errorf("Error = %v for state %q", j.Error, j.State)
			}
		})
	}
}

func TestAnakinJobFailureSurfacesTheAPIString(t *testing.T) {
	tests := []struct{ magic, want string }{
		{"blocked", "Blocked by website (HTTP 403)"},
		{"captcha", "CAPTCHA challenge detected (bot detection)"},
		{"timeout", "Connection timeout: page did not load within 30s"},
		{"dns", "DNS resolution failed: no such host"},
		{"tls", "TLS handshake failed: SSL certificate problem"},
		{"fail:Invalid%20URL", "Invalid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.magic, func(t *testing.T) {
			c, s := fakeAnakin(t)
			_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/?fake=" + tt.magic})
			e := mustError(t, err)
			if e.Code != CodeJobFailed || e.Message != tt.want || e.Provider != Anakin {
				t.Errorf("got %+v, want job_failed %q", e, tt.want)
			}
			if want := "anakin:scrape:" + s.JobIDs()[0]; e.Details["job_id"] != want || e.RequestID == "" {
				t.Errorf("job_id %v, request id %q; want %s and an id", e.Details["job_id"], e.RequestID, want)
			}
			assertAnakinGuidance(t, e)
		})
	}
	t.Run("error object keeps its code", func(t *testing.T) {
		c, s := fakeAnakin(t)
		s.Script(anakintest.RouteScrapeJob, anakintest.Raw(200, `{"status":"failed","error":{"code":"EXECUTION_FAILED","message":"Wire action failed"}}`))
		_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
		if e := mustError(t, err); e.Code != CodeJobFailed || e.Message != "Wire action failed" || e.Details["api_code"] != "EXECUTION_FAILED" {
			t.Errorf("got %+v", e)
		}
	})
}

func TestAnakinPoll202IsRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAnakin(t)
		s.Script(anakintest.RouteScrapeJob, anakintest.Raw(202, ``), anakintest.Raw(202, `{"job_id":"x","status":"pending","message":"Job is pending"}`))
		start := time.Now()
		if _, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"}); err != nil {
			t.Fatal(err)
		}
		if n := s.Count(anakintest.RouteScrapeJob); n != 3 {
			t.Errorf("polls = %d, want 3", n)
		}
		// The default schedule: 1 s, then 1.5 s.
		if d := time.Since(start); d != 2500*time.Millisecond {
			t.Errorf("polling took %v, want 2.5s", d)
		}
	})
}

func TestAnakinHonoursServerPacing(t *testing.T) {
	tests := []struct {
		name string
		f    anakintest.Fault
		want time.Duration
	}{
		{"retry_after_ms", anakintest.Raw(202, `{"status":"processing","retry_after_ms":2500}`), 2500 * time.Millisecond},
		{"Retry-After on a 202", anakintest.Raw(202, `{"status":"processing"}`).WithRetryAfter("4"), 4 * time.Second},
		// The API says how fast it may be polled: a hint beyond the cap is
		// obeyed, up to the hint ceiling.
		{"obeyed beyond the cap, up to the ceiling", anakintest.Raw(202, `{"status":"processing","retry_after_ms":90000}`), time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, s := fakeAnakin(t)
				s.Script(anakintest.RouteScrapeJob, tt.f)
				start := time.Now()
				if _, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"}); err != nil {
					t.Fatal(err)
				}
				if d := time.Since(start); d != tt.want {
					t.Errorf("waited %v, want %v", d, tt.want)
				}
			})
		})
	}
}

func TestAnakinJobStillRunningAtTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAnakin(t)
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.Scrape(ctx, ScrapeRequest{URL: "https://example.com/?fake=pending"})
		e := mustError(t, err)
		if e.Code != CodeJobTimeout || e.Details["job_id"] != "anakin:scrape:"+s.JobIDs()[0] {
			t.Errorf("got %+v, want job_timeout with the job id", e)
		}
		if !strings.Contains(e.Message, "job_status") {
			t.Errorf("message does not say how to collect it: %q", e.Message)
		}
		if d := time.Since(start); d != 30*time.Second {
			t.Errorf("gave up after %v, want at the 30s deadline", d)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			c, _ := fakeAnakin(t)
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(5*time.Second, cancel)
			_, err := c.Scrape(ctx, ScrapeRequest{URL: "https://example.com/?fake=pending"})
			if e := mustError(t, err); e.Code != "cancelled" || e.Details["job_id"] == nil {
				t.Errorf("got %+v", e)
			}
		})
	})
}

func TestAnakinSubmit504IsNotResent(t *testing.T) {
	c, s := fakeAnakin(t)
	s.Script(anakintest.RouteScrape, anakintest.AcceptThen(504))
	_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
	e := mustError(t, err)
	if e.Code != CodeMaybeStarted || e.HTTPStatus != 504 || !strings.Contains(e.Message, "outcome is unknown") {
		t.Errorf("got %+v", e)
	}
	if n := s.Count(anakintest.RouteScrape); n != 1 || len(s.JobIDs()) != 1 {
		t.Errorf("submits %d, jobs %d; want exactly one", n, len(s.JobIDs()))
	}
}

func TestAnakinBatchKeepsInputOrder(t *testing.T) {
	c, s := fakeAnakin(t)
	urls := []string{"https://a.example", "https://b.example/?fake=blocked", "https://c.example"}
	res, err := c.BatchScrape(t.Context(), BatchRequest{URLs: urls, Options: ScrapeRequest{Country: "DE", UseBrowser: true}})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, s.LastBody(anakintest.RouteBatch), `{"urls":["https://a.example","https://b.example/?fake=blocked","https://c.example"],"country":"de","useBrowser":true}`)
	if len(res.Items) != 3 {
		t.Fatalf("items = %d", len(res.Items))
	}
	for i, it := range res.Items {
		if it.URL != urls[i] {
			t.Errorf("item %d is %s, want %s", i, it.URL, urls[i])
		}
	}
	if p := res.Items[0].Page; p == nil || p.Markdown != anakintest.Markdown(urls[0], 0) {
		t.Errorf("item 0 = %+v", res.Items[0])
	}
	if e := res.Items[1].Err; e == nil || e.Code != CodeJobFailed || e.Message != "Blocked by website (HTTP 403)" || res.Items[1].Page != nil {
		t.Errorf("item 1 = %+v, want the child's failure", res.Items[1])
	}
	if res.Items[2].Page == nil {
		t.Errorf("item 2 failed: %+v", res.Items[2].Err)
	}
}

func TestAnakinBatchPlacesReorderedAndMissingChildren(t *testing.T) {
	c, s := fakeAnakin(t)
	s.Script(anakintest.RouteScrapeJob, anakintest.Raw(200, `{"status":"completed","results":[
		{"index":2,"url":"https://c.example","status":"completed","markdown":"C","creditsUsed":1},
		{"index":0,"status":"completed","markdown":"A","creditsUsed":1}]}`))
	res, err := c.BatchScrape(t.Context(), BatchRequest{URLs: []string{"https://a.example", "https://b.example", "https://c.example"}})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, 3)
	for i, it := range res.Items {
		switch {
		case it.Page != nil:
			got[i] = it.Page.Markdown
		case it.Err != nil:
			got[i] = it.Err.Code
		}
	}
	if want := []string{"A", CodeJobFailed, "C"}; !reflect.DeepEqual(got, want) {
		t.Errorf("items = %v, want %v", got, want)
	}
	if res.Cost != (Cost{2, "credits"}) {
		t.Errorf("cost = %+v, want the children's sum", res.Cost)
	}
}

func TestAnakinWholeBatchFailure(t *testing.T) {
	c, _ := fakeAnakin(t)
	_, err := c.BatchScrape(t.Context(), BatchRequest{URLs: []string{"https://a.example/?fake=blocked"}})
	if e := mustError(t, err); e.Code != CodeJobFailed || !strings.HasPrefix(e.Details["job_id"].(string), "anakin:batch:") {
		t.Errorf("got %+v", e)
	}
}

func TestAnakinCrawlOf500Pages(t *testing.T) {
	c, s := fakeAnakin(t)
	j, err := c.StartCrawl(t.Context(), CrawlRequest{URL: "https://docs.example/?fake=partial", MaxPages: 500, MaxDepth: 3,
		IncludePatterns: []string{"/docs/*"}, ExcludePatterns: []string{"/blog/*"}, Country: "GB"})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, s.LastBody(anakintest.RouteCrawl), `{"url":"https://docs.example/?fake=partial","maxPages":500,"depth":3,"country":"gb","includePatterns":["/docs/*"],"excludePatterns":["/blog/*"]}`)
	if j.Ref.Kind != KindCrawl || j.Ref.ID != s.JobIDs()[0] || j.State != JobPending || j.RawStatus != "pending" {
		t.Errorf("start = %+v", j)
	}
	if s.Count(anakintest.RouteCrawlJob) != 0 {
		t.Error("StartCrawl polled")
	}
	ref, err := ParseJobRef(j.Ref.String())
	if err != nil {
		t.Fatal(err)
	}
	j, err = c.Job(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != JobCompleted || j.Total != 500 || j.Completed != 400 || len(j.Pages) != 400 || len(j.PageErrors) != 100 {
		t.Fatalf("state %s total %d completed %d pages %d errors %d", j.State, j.Total, j.Completed, len(j.Pages), len(j.PageErrors))
	}
	if pe := j.PageErrors[0]; pe.URL != "https://docs.example/page-4" || pe.Err.Message != "Blocked by website (HTTP 403)" || pe.Err.Details["index"] != 4 {
		t.Errorf("first page error = %+v %+v", pe, pe.Err)
	}
	if p := j.Pages[1]; p.URL != "https://docs.example/page-1" || !strings.Contains(p.Markdown, p.URL) {
		t.Errorf("page 1 = %s", p.URL)
	}
}

func TestAnakinCrawlSnapshots(t *testing.T) {
	ref := JobRef{Provider: Anakin, Kind: KindCrawl, ID: "c1"}
	t.Run("in progress", func(t *testing.T) {
		c, s := fakeAnakin(t)
		s.Script(anakintest.RouteCrawlJob, anakintest.Raw(202, `{"status":"processing","totalPages":40,"completedPages":12}`))
		j, err := c.Job(t.Context(), ref)
		if err != nil || j.State != JobRunning || j.Total != 40 || j.Completed != 12 {
			t.Errorf("%+v %v", j, err)
		}
	})
	t.Run("pages instead of results", func(t *testing.T) {
		c, s := fakeAnakin(t)
		s.Script(anakintest.RouteCrawlJob, anakintest.Raw(200, `{"status":"completed","pages":[{"url":"https://a.example","markdown":"A"},"https://a.example/b"]}`))
		j, err := c.Job(t.Context(), ref)
		if err != nil || len(j.Pages) != 2 || j.Pages[0].Markdown != "A" || j.Pages[1].URL != "https://a.example/b" || j.Total != 2 {
			t.Errorf("%+v %v", j, err)
		}
	})
	t.Run("failed as a whole", func(t *testing.T) {
		c, s := fakeAnakin(t)
		s.Script(anakintest.RouteCrawlJob, anakintest.Raw(200, `{"status":"failed","error":"DNS resolution failed: no such host"}`))
		j, err := c.Job(t.Context(), ref)
		if err != nil || j.State != JobFailed || j.Error == nil || j.Error.Message != "DNS resolution failed: no such host" {
			t.Errorf("%+v %v", j, err)
		}
	})
	t.Run("unknown job", func(t *testing.T) {
		c, _ := fakeAnakin(t)
		_, err := c.Job(t.Context(), ref)
		if e := mustError(t, err); e.HTTPStatus != 404 || e.Code != "not_found" || e.Details["job_id"] != ref.String() {
			t.Errorf("got %+v", e)
		}
	})
}

func TestAnakinJobReadsBatchesAndScrapes(t *testing.T) {
	c, s := fakeAnakin(t)
	if _, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://a.example"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.BatchScrape(t.Context(), BatchRequest{URLs: []string{"https://a.example", "https://b.example/?fake=blocked"}}); err != nil {
		t.Fatal(err)
	}
	ids := s.JobIDs()
	j, err := c.Job(t.Context(), JobRef{Provider: Anakin, Kind: KindScrape, ID: ids[0]})
	if err != nil || j.State != JobCompleted || len(j.Pages) != 1 || j.Pages[0].URL != "https://a.example" {
		t.Errorf("scrape job: %+v %v", j, err)
	}
	j, err = c.Job(t.Context(), JobRef{Provider: Anakin, Kind: KindBatch, ID: ids[1]})
	if err != nil || j.State != JobCompleted || j.Total != 2 || len(j.Pages) != 1 || len(j.PageErrors) != 1 {
		t.Errorf("batch job: %+v %v", j, err)
	}
}

func TestAnakinMap(t *testing.T) {
	c, s := fakeAnakin(t)
	res, err := c.Map(t.Context(), MapRequest{URL: "https://example.com", Limit: 30, Search: "pricing plans", IncludeSubdomains: true})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, s.LastBody(anakintest.RouteMap), `{"url":"https://example.com","limit":30,"includeSubdomains":true,"search":"pricing plans"}`)
	if len(res.URLs) != 30 || res.URLs[1] != "https://example.com/pricing-plans-1" {
		t.Errorf("urls = %d, first %v", len(res.URLs), res.URLs[:2])
	}
	t.Run("failed", func(t *testing.T) {
		c, s := fakeAnakin(t)
		s.Script(anakintest.RouteMap, anakintest.FailJob("Connection timeout"))
		_, err := c.Map(t.Context(), MapRequest{URL: "https://example.com"})
		if e := mustError(t, err); e.Code != CodeJobFailed || e.Details["job_id"] != nil || e.Details["upstream_job_id"] == nil {
			t.Errorf("got %+v: a map job has no job_status id", e)
		}
	})
}

func TestAnakinSearch(t *testing.T) {
	c, s := fakeAnakin(t)
	res, err := c.Search(t.Context(), SearchRequest{Query: "go generics", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, s.LastBody(anakintest.RouteSearch), `{"prompt":"go generics","limit":3}`)
	if len(res.Hits) != 3 || res.Hits[0].Title != "Result 1 for go generics" || res.Hits[0].Date == "" || res.Hits[0].Markdown != "" {
		t.Errorf("hits = %+v", res.Hits)
	}
	if res.Cost != (Cost{}) {
		t.Errorf("cost = %+v; the fake reports none, so none may be invented", res.Cost)
	}
	if s.Count(anakintest.RouteBatch) != 0 {
		t.Error("scraped without being asked")
	}
}

func TestAnakinSearchScrapesTopHitsInOneBatch(t *testing.T) {
	c, s := fakeAnakin(t)
	s.Script(anakintest.RouteSearch, anakintest.Raw(200, `{"id":"s1","creditsUsed":3,"results":[
		{"url":"https://a.example","title":"A"},{"url":"not a url","title":"bad"},{"url":"https://c.example","title":"C","last_updated":"2025-02-01"}]}`))
	res, err := c.Search(t.Context(), SearchRequest{Query: "q", ScrapeResults: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.Count(anakintest.RouteBatch) != 1 {
		t.Fatalf("batches = %d, want 1", s.Count(anakintest.RouteBatch))
	}
	sameJSON(t, s.LastBody(anakintest.RouteBatch), `{"urls":["https://a.example","https://c.example"]}`)
	if res.Hits[0].Markdown != anakintest.Markdown("https://a.example", 0) || res.Hits[1].Markdown != "" || res.Hits[2].Markdown == "" {
		t.Errorf("markdown not filled per hit: %+v", res.Hits)
	}
	if res.Hits[2].Date != "2025-02-01" || res.Cost != (Cost{3, "credits"}) {
		t.Errorf("date %q, cost %+v", res.Hits[2].Date, res.Cost)
	}
}

func TestAnakinExtract(t *testing.T) {
	c, s := fakeAnakin(t)
	x, err := c.Extract(t.Context(), ExtractRequest{URL: "https://shop.example/p", Prompt: "the product name"})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, s.LastBody(anakintest.RouteScrape), `{"url":"https://shop.example/p","formats":["markdown","json"],"generateJson":true,"outputSchema":{"type":"object","description":"the product name"}}`)
	sameJSON(t, x.JSON, `{"title":"shop.example / p","url":"https://shop.example/p"}`)

	x, err = c.Extract(t.Context(), ExtractRequest{URL: "https://shop.example/p", JSONSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"},"inStock":{"type":"boolean"}}}`), Country: "FR"})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, x.JSON, `{"name":"name of https://shop.example/p","inStock":true}`)
	if got := s.LastJSON(anakintest.RouteScrape)["country"]; got != "fr" {
		t.Errorf("country = %v", got)
	}

	s.Script(anakintest.RouteScrapeJob, anakintest.Raw(200, `{"status":"completed","markdown":"m"}`))
	_, err = c.Extract(t.Context(), ExtractRequest{URL: "https://shop.example/p", Prompt: "x"})
	if e := mustError(t, err); e.Code != CodeJobFailed || !strings.Contains(e.Message, "no structured data") {
		t.Errorf("no generatedJson: %+v", e)
	}
}

func TestAnakinCancelIsUnsupported(t *testing.T) {
	c, s := fakeAnakin(t)
	_, err := c.CancelJob(t.Context(), JobRef{Provider: Anakin, Kind: KindCrawl, ID: "c1"})
	e := mustError(t, err)
	if e.Code != CodeUnsupported || !strings.Contains(e.Message, "30 days") {
		t.Errorf("got %+v", e)
	}
	if len(s.Cancels()) != 0 {
		t.Errorf("the fake saw cancel calls: %v", s.Cancels())
	}
}

func TestAnakinValidatesBeforeSpending(t *testing.T) {
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprintf("https://e.example/%d", i)
	}
	tests := []struct {
		name  string
		call  func(*AnakinClient) error
		field string
	}{
		{"relative url", func(c *AnakinClient) error { _, err := c.Scrape(t.Context(), ScrapeRequest{URL: "/docs"}); return err }, "url"},
		{"ftp url", func(c *AnakinClient) error {
			_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "ftp://x.example"})
			return err
		}, "url"},
		{"empty batch", func(c *AnakinClient) error { _, err := c.BatchScrape(t.Context(), BatchRequest{}); return err }, "urls"},
		{"batch of 11", func(c *AnakinClient) error {
			_, err := c.BatchScrape(t.Context(), BatchRequest{URLs: eleven})
			return err
		}, "urls"},
		{"bad batch url", func(c *AnakinClient) error {
			_, err := c.BatchScrape(t.Context(), BatchRequest{URLs: []string{"https://a.example", "x"}})
			return err
		}, "urls[1]"},
		{"crawl depth 6", func(c *AnakinClient) error {
			_, err := c.StartCrawl(t.Context(), CrawlRequest{URL: "https://a.example", MaxDepth: 6})
			return err
		}, "max_depth"},
		{"crawl 501 pages", func(c *AnakinClient) error {
			_, err := c.StartCrawl(t.Context(), CrawlRequest{URL: "https://a.example", MaxPages: 501})
			return err
		}, "max_pages"},
		{"search limit 21", func(c *AnakinClient) error {
			_, err := c.Search(t.Context(), SearchRequest{Query: "q", Limit: 21})
			return err
		}, "limit"},
		{"empty query", func(c *AnakinClient) error { _, err := c.Search(t.Context(), SearchRequest{}); return err }, "query"},
		{"extract without schema or prompt", func(c *AnakinClient) error {
			_, err := c.Extract(t.Context(), ExtractRequest{URL: "https://a.example"})
			return err
		}, "json_schema"},
		{"schema that is not an object", func(c *AnakinClient) error {
			_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://a.example", JSONSchema: json.RawMessage(`[1]`), Prompt: "p"})
			return err
		}, "json_schema"},
		{"foreign job", func(c *AnakinClient) error {
			_, err := c.Job(t.Context(), JobRef{Provider: AlterLab, Kind: KindCrawl, ID: "x"})
			return err
		}, "job_id"},
		{"map job kind", func(c *AnakinClient) error {
			_, err := c.Job(t.Context(), JobRef{Provider: Anakin, Kind: "map", ID: "x"})
			return err
		}, "job_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := fakeAnakin(t)
			e := mustError(t, tt.call(c))
			if e.Code != CodeInvalidArgument || e.Field != tt.field {
				t.Errorf("got %+v, want invalid_argument on %s", e, tt.field)
			}
			for _, r := range []string{anakintest.RouteScrape, anakintest.RouteBatch, anakintest.RouteCrawl, anakintest.RouteSearch, anakintest.RouteCrawlJob} {
				if s.Count(r) != 0 {
					t.Errorf("%s was called", r)
				}
			}
		})
	}
}

func TestAnakinTwoMegabytePage(t *testing.T) {
	c, _ := fakeAnakin(t)
	p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://big.example/?fake=size:2000000"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Markdown) != 2_000_000 || !strings.HasPrefix(p.Markdown, "# big.example") {
		t.Errorf("markdown is %d bytes", len(p.Markdown))
	}
}

func TestAnakinRetriesTheSubmitAfterA429(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAnakin(t)
		s.Script(anakintest.RouteScrape, anakintest.Error(429, anakintest.Wire, "RATE_LIMIT_EXCEEDED", "Too many requests. Please try again later.").WithRetryAfter("3"))
		start := time.Now()
		if _, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"}); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 3*time.Second || s.Count(anakintest.RouteScrape) != 2 || len(s.JobIDs()) != 1 {
			t.Errorf("after %v: %d submits, %d jobs", d, s.Count(anakintest.RouteScrape), len(s.JobIDs()))
		}
	})
}

func TestAnakinSubmitAnswers(t *testing.T) {
	tests := []struct {
		name   string
		submit anakintest.Fault
		polls  int
		check  func(*Page, error) bool
	}{
		{"a cache hit answered at once is not polled", anakintest.Raw(200, `{"jobId":"x","status":"completed","markdown":"m","cached":true}`), 0,
			func(p *Page, err error) bool { return err == nil && p.Markdown == "m" && p.Cached }},
		{"a job failed at submit is reported", anakintest.Raw(200, `{"jobId":"x","status":"failed","error":"Invalid URL"}`), 0,
			func(_ *Page, err error) bool {
				e := AsError(Anakin, err)
				return e.Code == CodeJobFailed && e.Message == "Invalid URL" && e.Details["job_id"] == "anakin:scrape:x"
			}},
		{"a numeric job id", anakintest.Raw(202, `{"jobId":12345,"status":"pending"}`), 1,
			func(p *Page, err error) bool { return err == nil && p.Markdown == "n" }},
		{"a 504 with a JSON code is still an unknown outcome", anakintest.Error(504, anakintest.Flat, "gateway_timeout", "upstream timed out"), 0,
			func(_ *Page, err error) bool {
				e := AsError(Anakin, err)
				return e.Code == CodeMaybeStarted && e.Details["api_code"] == "gateway_timeout" && strings.Contains(e.Message, "upstream timed out")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteScrape, tt.submit)
			s.Script(anakintest.RouteScrapeJob, anakintest.Raw(200, `{"status":"completed","markdown":"n"}`))
			p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
			if !tt.check(p, err) {
				t.Errorf("got %+v, %v", p, err)
			}
			if n := s.Count(anakintest.RouteScrapeJob); n != tt.polls || s.Count(anakintest.RouteScrape) != 1 {
				t.Errorf("%d polls, %d submits; want %d and 1", n, s.Count(anakintest.RouteScrape), tt.polls)
			}
		})
	}
}

func TestAnakinSearchKeepsHitsWhenTheirScrapeFails(t *testing.T) {
	c, s := fakeAnakin(t)
	s.Script(anakintest.RouteBatch, anakintest.Error(402, anakintest.Flat, "insufficient_credits", "no credits left"))
	res, err := c.Search(t.Context(), SearchRequest{Query: "q", Limit: 2, ScrapeResults: true})
	if err != nil || len(res.Hits) != 2 || res.Hits[0].Markdown != "" {
		t.Errorf("got %+v, %v; want the paid-for hits without markdown", res, err)
	}
}

func TestAnakinName(t *testing.T) {
	c, _ := fakeAnakin(t)
	if c.Name() != Anakin {
		t.Errorf("Name = %q", c.Name())
	}
}
