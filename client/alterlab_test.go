package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"golang.org/x/time/rate"
)

// fakeAlterLab is an AlterLab client wired to an in-memory fake, with no
// client-side rate limit. Tests that wait call it inside a synctest bubble.
func fakeAlterLab(t *testing.T, opts ...alterlabtest.Option) (*AlterLabClient, *alterlabtest.Server) {
	t.Helper()
	s := alterlabtest.New(opts...)
	c, err := NewAlterLab(APIConfig{BaseURL: "http://alterlab.test", APIKey: alterlabtest.DefaultKey, HTTPClient: s.Client(), SubmitsPerMinute: -1, Poll: immediatePoll})
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

func TestAlterLabDefaultsToTheLowestPlansRate(t *testing.T) {
	c, err := NewAlterLab(APIConfig{APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if c.api.submits == nil || c.api.submits.Limit() != rate.Limit(30.0/60) {
		t.Errorf("submit bucket = %v, want 30 a minute", c.api.submits)
	}
	if c.Name() != AlterLab {
		t.Errorf("Name = %q", c.Name())
	}
}

func TestAlterLabScrapesOverRealHTTP(t *testing.T) {
	s := alterlabtest.New()
	c, err := NewAlterLab(APIConfig{BaseURL: s.Start(t), APIKey: alterlabtest.DefaultKey})
	if err != nil {
		t.Fatal(err)
	}
	u := "https://example.com/docs"
	p, err := c.Scrape(t.Context(), ScrapeRequest{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	if p.URL != u || p.Markdown != alterlabtest.Markdown(u, 0) {
		t.Errorf("page = %+v", p)
	}
	if s.Count(alterlabtest.RouteScrape) != 1 || s.Count(alterlabtest.RouteJob) != 0 {
		t.Errorf("submits %d, polls %d; a simple page answers at once", s.Count(alterlabtest.RouteScrape), s.Count(alterlabtest.RouteJob))
	}
}

func TestAlterLabScrapeSendsTheDocumentedBody(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","properties":{"price":{"type":"number"}}}`)
	tests := []struct {
		name string
		req  ScrapeRequest
		want string
	}{
		{"markdown by default", ScrapeRequest{URL: " https://example.com "},
			`{"url":"https://example.com","sync":true,"formats":["markdown"],"mode":"auto"}`},
		{"links come with the content format; browser, country, fresh, timeout",
			ScrapeRequest{URL: "https://example.com", Formats: []string{"html", "links"}, Country: "de", UseBrowser: true, ForceFresh: true, Timeout: 45 * time.Second},
			`{"url":"https://example.com","sync":true,"formats":["html","content"],"mode":"js","advanced":{"render_js":true,"wait_condition":"networkidle"},"location":{"country":"DE"},"force_refresh":true,"timeout":41}`},
		{"wait_for renders the page", ScrapeRequest{URL: "https://example.com", WaitFor: "article.price"},
			`{"url":"https://example.com","sync":true,"formats":["markdown"],"mode":"js","advanced":{"render_js":true,"wait_condition":"networkidle"},"wait_for":"article.price"}`},
		{"schema and prompt add the json format", ScrapeRequest{URL: "https://example.com", JSONSchema: schema, Prompt: "in USD"},
			`{"url":"https://example.com","sync":true,"formats":["markdown","json"],"mode":"auto","extraction_schema":` + string(schema) + `,"extraction_prompt":"in USD"}`},
		{"timeouts are whole seconds within 1–300", ScrapeRequest{URL: "https://example.com", Timeout: 10 * time.Minute},
			`{"url":"https://example.com","sync":true,"formats":["markdown"],"mode":"auto","timeout":300}`},
		{"a sub-second timeout is one second", ScrapeRequest{URL: "https://example.com", Timeout: 200 * time.Millisecond},
			`{"url":"https://example.com","sync":true,"formats":["markdown"],"mode":"auto","timeout":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, s := fakeAlterLab(t)
				if _, err := c.Scrape(t.Context(), tt.req); err != nil {
					t.Fatal(err)
				}
				sameJSON(t, s.LastBody(alterlabtest.RouteScrape), tt.want)
			})
		})
	}
}

func TestAlterLabScrapeMapsThePage(t *testing.T) {
	c, _ := fakeAlterLab(t)
	u := "https://shop.example/item/7"
	p, err := c.Scrape(t.Context(), ScrapeRequest{URL: u, Formats: []string{"markdown", "html", "links"},
		JSONSchema: json.RawMessage(`{"type":"object","properties":{"price":{"type":"number"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if p.Markdown != alterlabtest.Markdown(u, 0) || p.HTML != alterlabtest.HTML(u) {
		t.Errorf("markdown/html not the fake's page: %q / %q", p.Markdown, p.HTML)
	}
	if want := alterlabtest.LinkURLs(u); !reflect.DeepEqual(p.Links, want) {
		t.Errorf("links = %v, want %v", p.Links, want)
	}
	sameJSON(t, p.JSON, `{"price":42}`)
	want := Page{URL: u, FinalURL: u, StatusCode: 200, Title: alterlabtest.Title(u), Description: alterlabtest.Description(u),
		ContentType: "text/html; charset=utf-8", Cost: Cost{200, "microcents"}}
	got := *p
	got.Markdown, got.HTML, got.Links, got.JSON = "", "", nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("page\n got %+v\nwant %+v", got, want)
	}
	if p, err = c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/?fake=cached"}); err != nil || !p.Cached || p.Cost != (Cost{0, "microcents"}) {
		t.Errorf("cached page: %+v, %v", p, err)
	}
}

func TestAlterLabReadsEveryBodyVariant(t *testing.T) {
	tests := []struct {
		name    string
		formats []string
		answer  string
		want    Page
	}{
		{"bare string content is the one format asked for", []string{"html"},
			`{"status_code":200,"content":"# not sniffed","billing":{"total_credits":1}}`,
			Page{StatusCode: 200, HTML: "# not sniffed", Cost: Cost{1, "credits"}}},
		{"bare string content with several formats is sniffed", []string{"markdown", "html"},
			`{"content":"<!DOCTYPE html><p>x</p>"}`, Page{HTML: "<!DOCTYPE html><p>x</p>"}},
		{"text stands in for markdown; raw_html for html; links in metadata", []string{"markdown", "html", "links"},
			`{"content":{"text":"plain words"},"raw_html":"<p>r</p>","metadata":{"links":["https://a.example",{"href":"https://b.example"}]}}`,
			Page{Markdown: "plain words", HTML: "<p>r</p>", Links: []string{"https://a.example", "https://b.example"}}},
		{"the content format's body_markdown and links", []string{"markdown", "links"},
			`{"content":{"content":{"body_markdown":"# B","links":[{"url":"https://c.example","text":"C"}]}}}`,
			Page{Markdown: "# B", Links: []string{"https://c.example"}}},
		{"extraction_result, and json as a string", []string{"json"},
			`{"content":{"json":"{\"a\":1}"},"extraction_result":{"ignored":true}}`,
			Page{JSON: json.RawMessage(`{"a":1}`)}},
		{"filtered_content when content has no json", []string{"json"},
			`{"content":{},"filtered_content":{"b":2}}`, Page{JSON: json.RawMessage(`{"b":2}`)}},
		{"warnings", nil,
			`{"content":{"markdown":"m"},"warning":"partial page","quality_warning":{"code":"LOW_WORD_COUNT","reason":"short"},
			  "content_truncated":{"truncated":true,"truncated_at_bytes":10,"original_size_bytes":20,"truncation_reason":"response_body_cap"},
			  "tier_cap_warning":{"your_max_tier":"2","domain_min_tier":"4"}}`,
			Page{Markdown: "m", Warnings: []string{"partial page", "quality warning: LOW_WORD_COUNT: short",
				"AlterLab truncated the content at 10 of 20 bytes (response_body_cap)",
				"this domain usually needs AlterLab tier 4 or higher, above the tier cap 2"}}},
		{"a numeric status is the origin's HTTP status, not a job word", nil,
			`{"status":200,"content":{"markdown":"m"}}`, Page{Markdown: "m"}},
		{"odd types read as absent, numbers as strings", nil,
			`{"status_code":"201","title":7,"cached":"true","content":{"markdown":"m"},"billing":{"final_cost_microcents":"350"},"metadata":"n/a","headers":[1],"new_field":{"x":[1]}}`,
			Page{StatusCode: 201, Title: "7", Cached: true, Markdown: "m", Cost: Cost{350, "microcents"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := fakeAlterLab(t)
			s.Script(alterlabtest.RouteScrape, alterlabtest.Raw(200, tt.answer))
			p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com", Formats: tt.formats})
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

func TestAlterLabAsyncScrape(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAlterLab(t, alterlabtest.WithPolls(3))
		u := "https://spa.example/app"
		start := time.Now()
		p, err := c.Scrape(t.Context(), ScrapeRequest{URL: u, UseBrowser: true})
		if err != nil {
			t.Fatal(err)
		}
		if p.Markdown != alterlabtest.Markdown(u, 0) || p.Cost != (Cost{4000, "microcents"}) {
			t.Errorf("page = %+v", p)
		}
		// Polls follow the schedule (1 s, then 1.5 s): the X-RateLimit-Reset
		// every answer carries is no pacing hint while requests are left.
		if d := time.Since(start); d != 2500*time.Millisecond || s.Count(alterlabtest.RouteJob) != 3 {
			t.Errorf("%d polls in %v", s.Count(alterlabtest.RouteJob), d)
		}
	})
}

func TestAlterLabReadsEveryJobIDField(t *testing.T) {
	for _, field := range []string{"job_id", "jobId", "id", "search_id", "crawl_id", "batch_id", "workflow_id"} {
		t.Run(field, func(t *testing.T) {
			c, s := fakeAlterLab(t)
			s.Script(alterlabtest.RouteScrape, alterlabtest.IDField(field))
			p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/a"})
			if err != nil || p.Markdown != alterlabtest.Markdown("https://example.com/a", 0) {
				t.Fatalf("got %+v, %v", p, err)
			}
			if s.Count(alterlabtest.RouteJob) != 1 {
				t.Errorf("polls = %d", s.Count(alterlabtest.RouteJob))
			}
		})
	}
	t.Run("none", func(t *testing.T) {
		c, s := fakeAlterLab(t)
		s.Script(alterlabtest.RouteScrape, alterlabtest.Raw(202, `{"status":"queued"}`))
		_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
		if e := mustError(t, err); e.Code != CodeMaybeStarted || !strings.Contains(e.Message, "names no job") {
			t.Errorf("got %+v", e)
		}
	})
}

func TestAlterLabJobStatusWords(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   JobState
		pages  int
	}{
		{"queued", 200, `{"job_id":"j","status":"queued"}`, JobPending, 0},
		{"pending", 200, `{"status":"pending"}`, JobPending, 0},
		{"processing", 200, `{"status":"processing"}`, JobRunning, 0},
		{"running", 200, `{"status":"running"}`, JobRunning, 0},
		{"unknown word polls on", 200, `{"status":"warming_up"}`, JobRunning, 0},
		{"202 with an empty body", 202, ``, JobRunning, 0},
		{"202 with no status word", 202, `{"job_id":"j"}`, JobRunning, 0},
		{"200 with nothing to show", 200, `{"job_id":"j"}`, JobRunning, 0},
		{"succeeded, nested result", 200, `{"status":"succeeded","result":{"url":"https://a.example","content":{"markdown":"m"}}}`, JobCompleted, 1},
		{"completed, flat result", 200, `{"status":"completed","url":"https://a.example","content":"m"}`, JobCompleted, 1},
		{"a flat result with no status word", 200, `{"url":"https://a.example","status_code":200,"content":{"markdown":"m"}}`, JobCompleted, 1},
		{"failed", 200, `{"status":"failed","error":"Blocked by anti-bot protection (HTTP 403)"}`, JobFailed, 0},
		{"error", 200, `{"status":"error","error":{"code":"EXTRACTION_FAILED","message":"could not parse"}}`, JobFailed, 0},
		{"failed with the reason in the result", 200, `{"status":"failed","result":{"error":"DNS resolution failed"}}`, JobFailed, 0},
		{"no status but an error", 200, `{"job_id":"j","error":"boom"}`, JobFailed, 0},
		{"cancelled", 200, `{"status":"cancelled"}`, JobCancelled, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := fakeAlterLab(t)
			s.Script(alterlabtest.RouteJob, alterlabtest.Raw(tt.status, tt.body))
			j, err := c.Job(t.Context(), JobRef{Provider: AlterLab, Kind: KindScrape, ID: "j"})
			if err != nil {
				t.Fatal(err)
			}
			if j.State != tt.want || len(j.Pages) != tt.pages || (j.State == JobFailed || j.State == JobCancelled) != (j.Error != nil && j.Error.Code == CodeJobFailed) {
				t.Errorf("job = %+v, want %s with %d pages", j, tt.want, tt.pages)
			}
			if tt.pages == 1 && (j.Pages[0].Markdown != "m" || j.Pages[0].URL != "https://a.example") {
				t.Errorf("page = %+v", j.Pages[0])
			}
		})
	}
	t.Run("failure keeps the code and the string", func(t *testing.T) {
		c, s := fakeAlterLab(t)
		s.Script(alterlabtest.RouteJob, alterlabtest.Raw(200, `{"status":"error","error":{"code":"EXTRACTION_FAILED","message":"could not parse"}}`))
		j, _ := c.Job(t.Context(), JobRef{Provider: AlterLab, Kind: KindScrape, ID: "j"})
		if e := j.Error; e.Message != "could not parse" || e.Details["api_code"] != "EXTRACTION_FAILED" || e.Details["job_id"] != "alterlab:scrape:j" {
			t.Errorf("error = %+v", e)
		}
	})
}

func TestAlterLabJobFailureSurfacesTheAPIString(t *testing.T) {
	tests := []struct{ magic, msg string }{
		{"blocked", "Blocked by anti-bot protection (HTTP 403)"},
		{"captcha", "CAPTCHA challenge detected (Cloudflare Turnstile)"},
		{"timeout", "Timed out after 90s waiting for the page to load"},
		{"dns", "DNS resolution failed: no such host"},
		{"tls", "SSL certificate verification failed"},
		{"fail:Invalid%20URL", "Invalid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.magic, func(t *testing.T) {
			c, s := fakeAlterLab(t)
			_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/?fake=" + tt.magic})
			e := mustError(t, err)
			if e.Code != CodeJobFailed || e.Message != tt.msg || e.Details["job_id"] != "alterlab:scrape:"+s.JobIDs()[0] || e.RequestID == "" {
				t.Errorf("got %+v, want job_failed %q with the job id", e, tt.msg)
			}
		})
	}
}

func TestAlterLabPoll202IsRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAlterLab(t)
		s.Script(alterlabtest.RouteJob, alterlabtest.Raw(202, ``), alterlabtest.Raw(202, `{"job_id":"x","message":"still working"}`))
		if _, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/?fake=async"}); err != nil {
			t.Fatal(err)
		}
		if n := s.Count(alterlabtest.RouteJob); n != 3 {
			t.Errorf("polls = %d, want 3 (two 202s, then the result)", n)
		}
	})
}

func TestAlterLabHonoursServerPacing(t *testing.T) {
	tests := []struct {
		name  string
		first alterlabtest.Fault
		want  time.Duration
	}{
		{"retry_after_ms", alterlabtest.Raw(200, `{"status":"processing","retry_after_ms":2500}`), 2500 * time.Millisecond},
		{"Retry-After on a poll", alterlabtest.Raw(200, `{"status":"processing"}`).WithRetryAfter("4"), 4 * time.Second},
		// The API says how fast it may be polled: a hint beyond the cap is
		// obeyed, up to the hint ceiling.
		{"obeyed beyond the cap, up to the ceiling", alterlabtest.Raw(200, `{"status":"processing","retry_after_ms":90000}`), time.Minute},
		{"X-RateLimit-Reset once the window is used up", alterlabtest.Raw(200, `{"status":"processing"}`).
			With("X-RateLimit-Remaining", "0").With("X-RateLimit-Reset", "946684807"), 7 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, s := fakeAlterLab(t)
				s.Script(alterlabtest.RouteJob, tt.first)
				start := time.Now()
				if _, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/?fake=async"}); err != nil {
					t.Fatal(err)
				}
				if d := time.Since(start); d != tt.want {
					t.Errorf("second poll after %v, want %v", d, tt.want)
				}
			})
		})
	}
}

func TestAlterLabJobStillRunningAtTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAlterLab(t)
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.Scrape(ctx, ScrapeRequest{URL: "https://example.com/?fake=pending"})
		e := mustError(t, err)
		if e.Code != CodeJobTimeout || e.Details["job_id"] != "alterlab:scrape:"+s.JobIDs()[0] || e.Details["status"] != "processing" {
			t.Errorf("got %+v", e)
		}
		if !strings.Contains(e.Message, "job_status") || time.Since(start) != 30*time.Second {
			t.Errorf("message %q after %v", e.Message, time.Since(start))
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			c, _ := fakeAlterLab(t)
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(5*time.Second, cancel)
			_, err := c.Scrape(ctx, ScrapeRequest{URL: "https://example.com/?fake=pending"})
			if e := mustError(t, err); e.Code != "cancelled" || e.Details["job_id"] == nil || !errors.Is(e, context.Canceled) {
				t.Errorf("got %+v", e)
			}
		})
	})
}

func TestAlterLabSubmit504(t *testing.T) {
	tests := []struct {
		name  string
		fault alterlabtest.Fault
		check func(*Error) bool
	}{
		{"accepted, then a gateway 504: outcome unknown", alterlabtest.AcceptThen(504), func(e *Error) bool {
			return e.Code == CodeMaybeStarted && e.HTTPStatus == 504 && e.Details["credits_status"] == "reserved" &&
				e.Details["estimated_completion_s"] == 30.0 && strings.Contains(e.Message, "outcome is unknown") && strings.Contains(e.Message, "about 30 s")
		}},
		{"a 504 naming the job gives an id to follow", alterlabtest.Raw(504, `{"detail":{"message":"timed out","job_id":"j-77","credits_status":"reserved"}}`), func(e *Error) bool {
			return e.Code == CodeMaybeStarted && e.Details["job_id"] == "alterlab:scrape:j-77"
		}},
		{"an HTML 504 from a proxy", alterlabtest.HTMLPage(504), func(e *Error) bool {
			return e.Code == CodeMaybeStarted && strings.Contains(e.Message, "Gateway Timeout")
		}},
		{"an undocumented code is kept aside", alterlabtest.Error(504, alterlabtest.Docs, "GATEWAY_TIMEOUT", "upstream"), func(e *Error) bool {
			return e.Code == CodeMaybeStarted && e.Details["api_code"] == "GATEWAY_TIMEOUT"
		}},
		{"TIMEOUT is AlterLab's verdict (refunded), not an unknown outcome", alterlabtest.Error(504, alterlabtest.DetailObject, "TIMEOUT", "The scraping operation timed out").
			WithDetails(map[string]any{"credits_status": "refunded"}), func(e *Error) bool {
			return e.Code == "TIMEOUT" && e.HTTPStatus == 504 && e.Details["credits_status"] == "refunded"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, s := fakeAlterLab(t)
				s.Script(alterlabtest.RouteScrape, tt.fault)
				_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
				if e := mustError(t, err); !tt.check(e) {
					t.Errorf("got %+v", e)
				}
				if n := s.Count(alterlabtest.RouteScrape); n != 1 {
					t.Errorf("%d submits after a 504; a billed submit is never resent", n)
				}
			})
		})
	}
}

func TestAlterLabOther504Submits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAlterLab(t)
		s.Script(alterlabtest.RouteCrawl, alterlabtest.Raw(504, `{"detail":{"message":"slow","crawl_id":"c-9"}}`))
		_, err := c.StartCrawl(t.Context(), CrawlRequest{URL: "https://example.com"})
		if e := mustError(t, err); e.Code != CodeMaybeStarted || e.Details["job_id"] != "alterlab:crawl:c-9" || e.Details["crawl_id"] != nil {
			t.Errorf("crawl: %+v", e)
		}
		s.Script(alterlabtest.RouteMap, alterlabtest.Error(504, alterlabtest.Code, "UPSTREAM_TIMEOUT", "map timed out"))
		_, err = c.Map(t.Context(), MapRequest{URL: "https://example.com"})
		if e := mustError(t, err); e.Code != CodeMaybeStarted || e.Details["api_code"] != "UPSTREAM_TIMEOUT" || s.Count(alterlabtest.RouteMap) != 1 {
			t.Errorf("map: %+v after %d submits", e, s.Count(alterlabtest.RouteMap))
		}
	})
}

func TestAlterLabBatchKeepsInputOrder(t *testing.T) {
	c, s := fakeAlterLab(t)
	urls := []string{"https://a.example", "https://b.example/?fake=blocked", "https://c.example"}
	res, err := c.BatchScrape(t.Context(), BatchRequest{URLs: urls, Options: ScrapeRequest{Formats: []string{"markdown", "html"}, Country: "de"}})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, s.LastBody(alterlabtest.RouteBatch), `{"urls":[
		{"url":"https://a.example","formats":["markdown","html"],"mode":"auto","location":{"country":"DE"}},
		{"url":"https://b.example/?fake=blocked","formats":["markdown","html"],"mode":"auto","location":{"country":"DE"}},
		{"url":"https://c.example","formats":["markdown","html"],"mode":"auto","location":{"country":"DE"}}]}`)
	for i, it := range res.Items {
		if it.URL != urls[i] {
			t.Errorf("item %d is %s", i, it.URL)
		}
	}
	if p := res.Items[0].Page; p == nil || p.Markdown != alterlabtest.Markdown(urls[0], 0) || p.HTML != alterlabtest.HTML(urls[0]) {
		t.Errorf("item 0 = %+v", res.Items[0])
	}
	if e := res.Items[1].Err; e == nil || e.Code != CodeJobFailed || e.Message != "Blocked by anti-bot protection (HTTP 403)" || e.Details["index"] != 1 {
		t.Errorf("item 1 = %+v", res.Items[1])
	}
	if res.Items[2].Page == nil || res.Cost != (Cost{400, "credits"}) {
		t.Errorf("item 2 = %+v, cost %+v", res.Items[2], res.Cost)
	}
}

func TestAlterLabBatchPlacesReorderedAndMissingItems(t *testing.T) {
	c, s := fakeAlterLab(t)
	s.Script(alterlabtest.RouteBatchJob, alterlabtest.Raw(200, `{"status":"partially_failed","items":[
		{"url":"https://c.example","status":"completed","result":{"content":{"markdown":"C"},"billing":{"final_cost_microcents":200}}},
		{"url":"https://a.example","status":"completed","result":{"content":{"markdown":"A"},"billing":{"final_cost_microcents":200}}},
		{"url":"https://d.example","status":"processing"}]}`))
	res, err := c.BatchScrape(t.Context(), BatchRequest{URLs: []string{"https://a.example", "https://b.example", "https://c.example", "https://d.example"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range res.Items {
		if it.Page != nil {
			got = append(got, it.Page.Markdown)
		} else {
			got = append(got, it.Err.Message)
		}
	}
	want := []string{"A", "the batch finished without a result for this URL", "C", `the batch finished while this URL was still "processing"`}
	if !slices.Equal(got, want) {
		t.Errorf("items = %q, want %q", got, want)
	}
	if res.Cost != (Cost{400, "microcents"}) {
		t.Errorf("cost = %+v, want the items' sum", res.Cost)
	}
}

func TestAlterLabWholeBatchFailure(t *testing.T) {
	c, s := fakeAlterLab(t)
	_, err := c.BatchScrape(t.Context(), BatchRequest{URLs: []string{"https://a.example/?fake=dns", "https://b.example/?fake=dns"}})
	e := mustError(t, err)
	if e.Code != CodeJobFailed || e.Message != "DNS resolution failed: no such host" || e.Details["job_id"] != "alterlab:batch:"+s.JobIDs()[0] {
		t.Errorf("got %+v", e)
	}
}

func TestAlterLabCrawlOf500Pages(t *testing.T) {
	c, s := fakeAlterLab(t)
	j, err := c.StartCrawl(t.Context(), CrawlRequest{URL: "https://docs.example/?fake=partial", MaxPages: 500, MaxDepth: 3,
		IncludePatterns: []string{"/docs/*"}, ExcludePatterns: []string{"/blog/*"}, IncludeSubdomains: true, UseBrowser: true, Country: "gb"})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, s.LastBody(alterlabtest.RouteCrawl), `{"url":"https://docs.example/?fake=partial","max_pages":500,"max_depth":3,
		"include_patterns":["/docs/*"],"exclude_patterns":["/blog/*"],"include_subdomains":true,"formats":["markdown"],
		"advanced":{"render_js":true},"location":{"country":"GB"}}`)
	if j.Ref.String() != "alterlab:crawl:"+s.JobIDs()[0] || j.State != JobRunning || j.RawStatus != "discovering" || j.Total != 500 {
		t.Errorf("started job = %+v", j)
	}
	if s.Count(alterlabtest.RouteCrawlJob) != 0 {
		t.Error("StartCrawl polled")
	}
	j, err = c.Job(t.Context(), j.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if s.LastQuery(alterlabtest.RouteCrawlJob).Get("include_results") != "true" {
		t.Errorf("query = %v", s.LastQuery(alterlabtest.RouteCrawlJob))
	}
	if j.State != JobCompleted || j.Total != 500 || j.Completed != 500 || len(j.Pages) != 400 || len(j.PageErrors) != 100 {
		t.Fatalf("job: %s total %d completed %d pages %d errors %d", j.State, j.Total, j.Completed, len(j.Pages), len(j.PageErrors))
	}
	if p := j.Pages[1]; p.URL != "https://docs.example/page-1" || p.Markdown != alterlabtest.Markdown(p.URL, 0) || p.Title != alterlabtest.Title(p.URL) || p.StatusCode != 200 {
		t.Errorf("page = %+v", p)
	}
	if pe := j.PageErrors[0]; pe.URL != "https://docs.example/page-4" || pe.Err.Message != "Blocked by anti-bot protection (HTTP 403)" || pe.Err.Details["index"] != 4 {
		t.Errorf("page error = %+v", pe)
	}
	if j.Cost != (Cost{400_000, "credits"}) {
		t.Errorf("cost = %+v", j.Cost)
	}
}

func TestAlterLabCrawlSnapshots(t *testing.T) {
	ref := JobRef{Provider: AlterLab, Kind: KindCrawl, ID: "c1"}
	t.Run("in progress", func(t *testing.T) {
		c, s := fakeAlterLab(t)
		s.Script(alterlabtest.RouteCrawlJob, alterlabtest.Raw(200, `{"status":"running","pages_scraped":12,"pages_total":40,"credits_used":12000,"results":[{"url":"https://a.example","content":"# A"}]}`))
		j, err := c.Job(t.Context(), ref)
		if err != nil || j.State != JobRunning || j.Completed != 12 || j.Total != 40 || len(j.Pages) != 1 || j.Pages[0].Markdown != "# A" {
			t.Errorf("got %+v, %v", j, err)
		}
	})
	t.Run("failed as a whole", func(t *testing.T) {
		c, s := fakeAlterLab(t)
		s.Script(alterlabtest.RouteCrawlJob, alterlabtest.Raw(200, `{"status":"failed","error":"DNS resolution failed: no such host"}`))
		j, err := c.Job(t.Context(), ref)
		if err != nil || j.State != JobFailed || j.Error.Message != "DNS resolution failed: no such host" || j.Error.Details["job_id"] != "alterlab:crawl:c1" {
			t.Errorf("got %+v, %v", j, err)
		}
	})
	t.Run("unknown crawl", func(t *testing.T) {
		c, _ := fakeAlterLab(t)
		_, err := c.Job(t.Context(), ref)
		if e := mustError(t, err); e.HTTPStatus != 404 || e.Code != "NOT_FOUND" || e.Details["job_id"] != ref.String() {
			t.Errorf("got %+v", e)
		}
	})
}

func TestAlterLabCancelCrawl(t *testing.T) {
	c, s := fakeAlterLab(t, alterlabtest.WithPolls(5))
	j, err := c.StartCrawl(t.Context(), CrawlRequest{URL: "https://docs.example", MaxPages: 60})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Job(t.Context(), j.Ref); err != nil {
		t.Fatal(err)
	}
	j, err = c.CancelJob(t.Context(), j.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != JobCancelled || j.Completed != 10 || j.Error == nil || j.Error.Message != "the job was cancelled before it finished" {
		t.Errorf("cancelled job = %+v", j)
	}
	if got := s.Cancels(); len(got) != 1 || got[0] != "DELETE /api/v1/crawl/"+j.Ref.ID {
		t.Errorf("cancels = %v", got)
	}
	j, err = c.Job(t.Context(), j.Ref)
	if err != nil || j.State != JobCancelled || len(j.Pages) != 10 {
		t.Errorf("after cancel: %+v, %v", j, err)
	}
	t.Run("a 204 without a body", func(t *testing.T) {
		c, s := fakeAlterLab(t)
		s.Script(alterlabtest.RouteCrawlCancel, alterlabtest.Raw(204, ``))
		j, err := c.CancelJob(t.Context(), JobRef{Provider: AlterLab, Kind: KindCrawl, ID: "c1"})
		if err != nil || j.State != JobCancelled {
			t.Errorf("got %+v, %v", j, err)
		}
	})
	t.Run("batches and scrapes cannot be cancelled", func(t *testing.T) {
		c, s := fakeAlterLab(t)
		for _, kind := range []string{KindBatch, KindScrape} {
			_, err := c.CancelJob(t.Context(), JobRef{Provider: AlterLab, Kind: kind, ID: "x"})
			if e := mustError(t, err); e.Code != CodeUnsupported || !strings.Contains(e.Message, "crawls only") {
				t.Errorf("%s: %+v", kind, e)
			}
		}
		if len(s.Cancels()) != 0 {
			t.Errorf("cancel calls: %v", s.Cancels())
		}
	})
}

func TestAlterLabJobReadsBatchesAndScrapes(t *testing.T) {
	c, s := fakeAlterLab(t)
	if _, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://a.example/?fake=async"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.BatchScrape(t.Context(), BatchRequest{URLs: []string{"https://a.example", "https://b.example/?fake=blocked"}}); err != nil {
		t.Fatal(err)
	}
	ids := s.JobIDs()
	j, err := c.Job(t.Context(), JobRef{Provider: AlterLab, Kind: KindScrape, ID: ids[0]})
	if err != nil || j.State != JobCompleted || len(j.Pages) != 1 || j.Pages[0].URL != "https://a.example/?fake=async" || j.Cost.Unit != "microcents" {
		t.Errorf("scrape job: %+v %v", j, err)
	}
	j, err = c.Job(t.Context(), JobRef{Provider: AlterLab, Kind: KindBatch, ID: ids[1]})
	if err != nil || j.State != JobCompleted || j.RawStatus != "partially_failed" || j.Total != 2 || len(j.Pages) != 1 || len(j.PageErrors) != 1 {
		t.Errorf("batch job: %+v %v", j, err)
	}
}

func TestAlterLabMap(t *testing.T) {
	c, s := fakeAlterLab(t)
	res, err := c.Map(t.Context(), MapRequest{URL: "https://example.com", Limit: 30, Search: "pricing plans", IncludeSubdomains: true})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, s.LastBody(alterlabtest.RouteMap), `{"url":"https://example.com","max_pages":30,"search":"pricing plans","include_subdomains":true}`)
	if len(res.URLs) != 30 || res.URLs[1] != "https://example.com/pricing-plans-1" || res.Cost != (Cost{1, "credits"}) {
		t.Errorf("urls = %d, first %v, cost %+v", len(res.URLs), res.URLs[:2], res.Cost)
	}
	t.Run("plain strings", func(t *testing.T) {
		c, s := fakeAlterLab(t)
		s.Script(alterlabtest.RouteMap, alterlabtest.Raw(200, `{"urls":["https://a.example/x",{"url":"https://a.example/y"}]}`))
		res, err := c.Map(t.Context(), MapRequest{URL: "https://a.example"})
		if err != nil || !slices.Equal(res.URLs, []string{"https://a.example/x", "https://a.example/y"}) || res.Cost != (Cost{}) {
			t.Errorf("got %+v, %v", res, err)
		}
	})
}

func TestAlterLabSearch(t *testing.T) {
	c, s := fakeAlterLab(t)
	res, err := c.Search(t.Context(), SearchRequest{Query: "go generics", Limit: 3, Country: "de"})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, s.LastBody(alterlabtest.RouteSearch), `{"query":"go generics","num_results":3,"country":"DE"}`)
	if len(res.Hits) != 3 || res.Hits[0].Title != "Result 1 for go generics" || res.Hits[0].URL != alterlabtest.SearchURL("go generics", 1) ||
		res.Hits[0].Date == "" || res.Hits[0].Snippet == "" || res.Hits[0].Markdown != "" {
		t.Errorf("hits = %+v", res.Hits)
	}
	if res.Cost != (Cost{1000, "microcents"}) {
		t.Errorf("cost = %+v", res.Cost)
	}
}

func TestAlterLabSearchScrapingManyResultsPolls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAlterLab(t, alterlabtest.WithPolls(2))
		res, err := c.Search(t.Context(), SearchRequest{Query: "go generics", Limit: 8, ScrapeResults: true})
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, s.LastBody(alterlabtest.RouteSearch), `{"query":"go generics","num_results":8,"scrape_results":true,"formats":["markdown"]}`)
		if s.Count(alterlabtest.RouteSearchJob) != 2 || len(res.Hits) != 8 || res.Hits[7].Markdown != alterlabtest.Markdown(res.Hits[7].URL, 0) {
			t.Errorf("%d polls, hits %d", s.Count(alterlabtest.RouteSearchJob), len(res.Hits))
		}
		if res.Cost != (Cost{2600, "microcents"}) {
			t.Errorf("cost = %+v", res.Cost)
		}
	})
	t.Run("failed search has no job_status id", func(t *testing.T) {
		c, _ := fakeAlterLab(t)
		_, err := c.Search(t.Context(), SearchRequest{Query: "go fake=timeout"})
		if e := mustError(t, err); e.Code != CodeJobFailed || e.Details["job_id"] != nil || e.Details["upstream_job_id"] == nil {
			t.Errorf("got %+v", e)
		}
	})
	t.Run("hits in position order, content objects, credits", func(t *testing.T) {
		c, s := fakeAlterLab(t)
		s.Script(alterlabtest.RouteSearch, alterlabtest.Raw(200, `{"credits_used":3,"results":[
			{"position":2,"url":"https://b.example","title":"B","content":{"markdown":"# B"}},
			{"position":1,"url":"https://a.example","title":"A","description":"about a","date":"2025-02-01"}]}`))
		res, err := c.Search(t.Context(), SearchRequest{Query: "q"})
		want := []SearchHit{{URL: "https://a.example", Title: "A", Snippet: "about a", Date: "2025-02-01"}, {URL: "https://b.example", Title: "B", Markdown: "# B"}}
		if err != nil || !reflect.DeepEqual(res.Hits, want) || res.Cost != (Cost{3, "credits"}) {
			t.Errorf("got %+v, %v", res, err)
		}
	})
}

func TestAlterLabExtract(t *testing.T) {
	c, s := fakeAlterLab(t)
	x, err := c.Extract(t.Context(), ExtractRequest{URL: "https://shop.example/p", Prompt: "the product name"})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, s.LastBody(alterlabtest.RouteScrape), `{"url":"https://shop.example/p","sync":true,"formats":["json"],"mode":"auto","extraction_prompt":"the product name"}`)
	sameJSON(t, x.JSON, `{"title":"shop.example / p","url":"https://shop.example/p","answer":"fake answer to: the product name"}`)
	if x.URL != "https://shop.example/p" || x.Cost != (Cost{200, "microcents"}) {
		t.Errorf("extraction = %+v", x)
	}

	x, err = c.Extract(t.Context(), ExtractRequest{URL: "https://shop.example/p", UseBrowser: true, Country: "FR",
		JSONSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"},"inStock":{"type":"boolean"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, x.JSON, `{"name":"name of https://shop.example/p","inStock":true}`)
	if m := s.LastJSON(alterlabtest.RouteScrape); m["mode"] != "js" || m["location"].(map[string]any)["country"] != "FR" {
		t.Errorf("body = %v", m)
	}

	s.Script(alterlabtest.RouteScrape, alterlabtest.Raw(200, `{"content":{"markdown":"m"}}`))
	_, err = c.Extract(t.Context(), ExtractRequest{URL: "https://shop.example/p", Prompt: "x"})
	if e := mustError(t, err); e.Code != CodeJobFailed || !strings.Contains(e.Message, "no structured data") {
		t.Errorf("no json: %+v", e)
	}
}

func TestAlterLabLowBalanceIsAWarning(t *testing.T) {
	c, _ := fakeAlterLab(t)
	p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/?fake=low_balance"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"the AlterLab balance is low ($0.42 left); ask the user to add funds in the AlterLab dashboard"}; !slices.Equal(p.Warnings, want) {
		t.Errorf("warnings = %q", p.Warnings)
	}
	c, _ = fakeAlterLab(t, alterlabtest.WithBalance("$0.00", "exhausted"))
	_, err = c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/?fake=insufficient_credits"})
	if e := mustError(t, err); e.Details["balance_warning"] != "exhausted" || e.Details["balance"] != "$0.00" || e.Details["required_credits"] != 5.0 {
		t.Errorf("details = %v", e.Details)
	}
}

func TestAlterLabValidatesBeforeSpending(t *testing.T) {
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("https://e.example/%d", i)
	}
	tests := []struct {
		name  string
		call  func(context.Context, *AlterLabClient) error
		field string
	}{
		{"relative url", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.Scrape(ctx, ScrapeRequest{URL: "/docs"})
			return err
		}, "url"},
		{"ftp url", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.Scrape(ctx, ScrapeRequest{URL: "ftp://x.example"})
			return err
		}, "url"},
		{"country of three letters", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.Scrape(ctx, ScrapeRequest{URL: "https://a.example", Country: "USA"})
			return err
		}, "country"},
		{"schema that is not an object", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.Scrape(ctx, ScrapeRequest{URL: "https://a.example", JSONSchema: json.RawMessage(`[1]`)})
			return err
		}, "json_schema"},
		{"empty batch", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.BatchScrape(ctx, BatchRequest{})
			return err
		}, "urls"},
		{"batch of 101", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.BatchScrape(ctx, BatchRequest{URLs: many})
			return err
		}, "urls"},
		{"bad batch url", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.BatchScrape(ctx, BatchRequest{URLs: []string{"https://a.example", "x"}})
			return err
		}, "urls[1]"},
		{"crawl depth 21", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.StartCrawl(ctx, CrawlRequest{URL: "https://a.example", MaxDepth: 21})
			return err
		}, "max_depth"},
		{"crawl 100001 pages", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.StartCrawl(ctx, CrawlRequest{URL: "https://a.example", MaxPages: 100_001})
			return err
		}, "max_pages"},
		{"crawl country", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.StartCrawl(ctx, CrawlRequest{URL: "https://a.example", Country: "1x"})
			return err
		}, "country"},
		{"map limit 50001", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.Map(ctx, MapRequest{URL: "https://a.example", Limit: 50_001})
			return err
		}, "limit"},
		{"search limit 31", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.Search(ctx, SearchRequest{Query: "q", Limit: 31})
			return err
		}, "limit"},
		{"empty query", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.Search(ctx, SearchRequest{Query: "  "})
			return err
		}, "query"},
		{"query of 501 characters", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.Search(ctx, SearchRequest{Query: strings.Repeat("é", 501)})
			return err
		}, "query"},
		{"extract without schema or prompt", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.Extract(ctx, ExtractRequest{URL: "https://a.example"})
			return err
		}, "json_schema"},
		{"foreign job", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.Job(ctx, JobRef{Provider: Anakin, Kind: KindCrawl, ID: "x"})
			return err
		}, "job_id"},
		{"search job kind", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.Job(ctx, JobRef{Provider: AlterLab, Kind: alterlabKindSearch, ID: "x"})
			return err
		}, "job_id"},
		{"empty job id", func(ctx context.Context, c *AlterLabClient) error {
			_, err := c.CancelJob(ctx, JobRef{Provider: AlterLab, Kind: KindCrawl, ID: " "})
			return err
		}, "job_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := fakeAlterLab(t)
			e := mustError(t, tt.call(t.Context(), c))
			if e.Code != CodeInvalidArgument || e.Field != tt.field || e.Provider != AlterLab {
				t.Errorf("got %+v, want invalid_argument on %s", e, tt.field)
			}
			for _, r := range alterlabtest.Routes {
				if s.Count(r) != 0 {
					t.Errorf("%s was called", r)
				}
			}
		})
	}
}

func TestAlterLabTwoMegabytePage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAlterLab(t)
		p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://big.example/?fake=size:2000000"})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Markdown) != 2_000_000 || !strings.HasPrefix(p.Markdown, "# big.example") || s.Count(alterlabtest.RouteJob) != 1 {
			t.Errorf("markdown is %d bytes after %d polls", len(p.Markdown), s.Count(alterlabtest.RouteJob))
		}
	})
}

func TestAlterLabSubmitAnswers(t *testing.T) {
	tests := []struct {
		name   string
		submit alterlabtest.Fault
		polls  int
		check  func(*Page, error) bool
	}{
		{"a 202 answered with the result at once is not polled", alterlabtest.Raw(202, `{"job_id":"x","status":"succeeded","result":{"content":{"markdown":"m"},"cached":true}}`), 0,
			func(p *Page, err error) bool { return err == nil && p.Markdown == "m" && p.Cached }},
		{"a job failed at submit is reported", alterlabtest.Raw(202, `{"job_id":"x","status":"failed","error":"Invalid URL"}`), 0,
			func(_ *Page, err error) bool {
				e := AsError(AlterLab, err)
				return e.Code == CodeJobFailed && e.Message == "Invalid URL" && e.Details["job_id"] == "alterlab:scrape:x"
			}},
		{"a numeric job id", alterlabtest.Raw(202, `{"job_id":12345,"status":"queued"}`), 1,
			func(p *Page, err error) bool { return err == nil && p.Markdown == "n" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := fakeAlterLab(t)
			s.Script(alterlabtest.RouteScrape, tt.submit)
			s.Script(alterlabtest.RouteJob, alterlabtest.Raw(200, `{"status":"succeeded","result":{"content":{"markdown":"n"}}}`))
			p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
			if !tt.check(p, err) {
				t.Errorf("got %+v, %v", p, err)
			}
			if n := s.Count(alterlabtest.RouteJob); n != tt.polls || s.Count(alterlabtest.RouteScrape) != 1 {
				t.Errorf("%d polls, %d submits; want %d and 1", n, s.Count(alterlabtest.RouteScrape), tt.polls)
			}
		})
	}
}
