package alterlabtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// call sends one request and decodes the JSON answer (nil when not JSON).
func call(t *testing.T, c *http.Client, base, method, path, key string, body any) (*http.Response, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return res, m
}

const api = "/api/v1"

func TestRejectsMissingOrWrongKey(t *testing.T) {
	s := New()
	base := s.Start(t)
	for key, code := range map[string]string{"": "MISSING_API_KEY", "sk_live_wrong": "INVALID_API_KEY"} {
		res, m := call(t, http.DefaultClient, base, "POST", api+"/scrape", key, map[string]any{"url": "https://example.com"})
		if res.StatusCode != 401 || m["error"] != code || m["request_id"] != res.Header.Get("X-Request-Id") || m["request_id"] == "" {
			t.Errorf("key %q: got %d %v, want 401 %s with the request id", key, res.StatusCode, m, code)
		}
	}
	if got := s.Count(RouteScrape); got != 2 {
		t.Errorf("Count = %d, want 2", got)
	}
}

func TestValidatesLikeTheAPI(t *testing.T) {
	base := New().Start(t)
	tests := []struct {
		name, path string
		body       any
		field      string
	}{
		{"url missing", "/scrape", map[string]any{}, "url"},
		{"url not http", "/scrape", map[string]any{"url": "ftp://example.com"}, "url"},
		{"unknown format", "/scrape", map[string]any{"url": "https://a.example", "formats": []string{"pdf"}}, "formats"},
		{"unknown mode", "/scrape", map[string]any{"url": "https://a.example", "mode": "fast"}, "mode"},
		{"timeout 301", "/scrape", map[string]any{"url": "https://a.example", "timeout": 301}, "timeout"},
		{"country of three letters", "/scrape", map[string]any{"url": "https://a.example", "location": map[string]any{"country": "USA"}}, "location.country"},
		{"schema not an object", "/scrape", map[string]any{"url": "https://a.example", "extraction_schema": []int{1}}, "extraction_schema"},
		{"prompt over 4000", "/scrape", map[string]any{"url": "https://a.example", "extraction_prompt": strings.Repeat("p", 4001)}, "extraction_prompt"},
		{"empty batch", "/batch", map[string]any{"urls": []any{}}, "urls"},
		{"batch of 101", "/batch", map[string]any{"urls": slices.Repeat([]any{map[string]any{"url": "https://a.example"}}, 101)}, "urls"},
		{"bad batch url", "/batch", map[string]any{"urls": []any{map[string]any{"url": "https://a.example"}, map[string]any{"url": "nope"}}}, "urls[1].url"},
		{"crawl depth 21", "/crawl", map[string]any{"url": "https://a.example", "max_depth": 21}, "max_depth"},
		{"crawl 100001 pages", "/crawl", map[string]any{"url": "https://a.example", "max_pages": 100001}, "max_pages"},
		{"map 50001", "/map", map[string]any{"url": "https://a.example", "max_pages": 50001}, "max_pages"},
		{"search without query", "/search", map[string]any{"num_results": 3}, "query"},
		{"search 51 results", "/search", map[string]any{"query": "go", "num_results": 51}, "num_results"},
		{"screenshot without render_js", "/scrape", map[string]any{"url": "https://a.example", "advanced": map[string]any{"screenshot": true}}, "advanced.screenshot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, m := call(t, http.DefaultClient, base, "POST", api+tt.path, DefaultKey, tt.body)
			d, _ := m["details"].(map[string]any)
			if res.StatusCode != 400 || m["error"] != "VALIDATION_ERROR" || d["field"] != tt.field {
				t.Errorf("got %d %v, want 400 VALIDATION_ERROR on %s", res.StatusCode, m, tt.field)
			}
		})
	}
	t.Run("body not JSON", func(t *testing.T) {
		res, m := call(t, http.DefaultClient, base, "POST", api+"/scrape", DefaultKey, "nope")
		if res.StatusCode != 400 || m["error"] != "VALIDATION_ERROR" {
			t.Errorf("got %d %v", res.StatusCode, m)
		}
	})
}

func TestSimpleScrapeAnswersAtOnce(t *testing.T) {
	s := New()
	base := s.Start(t)
	u := "https://example.com/docs/intro"
	res, m := call(t, http.DefaultClient, base, "POST", api+"/scrape", DefaultKey,
		map[string]any{"url": u, "sync": true, "formats": []string{"markdown", "html", "content"}})
	if res.StatusCode != 200 || m["status_code"] != 200.0 || m["title"] != Title(u) {
		t.Fatalf("got %d %v", res.StatusCode, m)
	}
	content := m["content"].(map[string]any)
	if content["markdown"] != Markdown(u, 0) || content["html"] != HTML(u) {
		t.Errorf("content = %v", content)
	}
	inner := content["content"].(map[string]any)
	if links := inner["links"].([]any); len(links) != 3 || inner["body_markdown"] != Markdown(u, 0) {
		t.Errorf("content format = %v", inner)
	}
	if b := m["billing"].(map[string]any); b["final_cost_microcents"] != 200.0 || b["tier_used"] != "1" {
		t.Errorf("billing = %v", b)
	}
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Request-Id", "X-AlterLab-Balance"} {
		if res.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	if res.Header.Get("X-RateLimit-Remaining") != "59" {
		t.Errorf("remaining = %s after one submit of 60", res.Header.Get("X-RateLimit-Remaining"))
	}
	if len(s.JobIDs()) != 0 {
		t.Errorf("a sync scrape created jobs %v", s.JobIDs())
	}
}

func TestBrowserScrapeMovesFromQueuedToSucceeded(t *testing.T) {
	s := New(WithPolls(3))
	base := s.Start(t)
	u := "https://example.com/app"
	res, m := call(t, http.DefaultClient, base, "POST", api+"/scrape", DefaultKey,
		map[string]any{"url": u, "sync": true, "mode": "js", "advanced": map[string]any{"render_js": true}})
	if res.StatusCode != 202 || m["status"] != "queued" || m["job_id"] == "" {
		t.Fatalf("submit: %d %v", res.StatusCode, m)
	}
	id, _ := m["job_id"].(string)
	var states []string
	for range 3 {
		res, m = call(t, http.DefaultClient, base, "GET", api+"/jobs/"+id, DefaultKey, nil)
		states = append(states, m["status"].(string)+"/"+strconv.Itoa(res.StatusCode))
	}
	if want := "queued/200 processing/200 succeeded/200"; strings.Join(states, " ") != want {
		t.Errorf("states = %v, want %s", states, want)
	}
	result := m["result"].(map[string]any)
	if result["content"].(map[string]any)["markdown"] != Markdown(u, 0) || result["billing"].(map[string]any)["tier_used"] != "4" {
		t.Errorf("result = %v", result)
	}
}

func TestMagicURLs(t *testing.T) {
	base := New().Start(t)
	submit := func(u string) (*http.Response, map[string]any) {
		return call(t, http.DefaultClient, base, "POST", api+"/scrape", DefaultKey, map[string]any{"url": u})
	}
	rejected := []struct {
		magic  string
		status int
		code   string
	}{
		{"insufficient_credits", 402, "INSUFFICIENT_CREDITS"},
		{"rate_limit", 429, "RATE_LIMIT_EXCEEDED"},
		{"session_limit", 429, "SESSION_LIMIT_REACHED"},
		{"antibot", 403, "BLOCKED_BY_ANTIBOT"},
		{"paywall", 402, "PAYWALL_DETECTED"},
		{"requires_auth", 401, "REQUIRES_AUTH"},
		{"scrape_timeout", 504, "TIMEOUT"},
		{"code:SESSION_EXPIRED@410", 410, "SESSION_EXPIRED"},
		{"code:SESSION_EXPIRED", 401, "SESSION_EXPIRED"},
		{"server_error", 500, ""},
		{"bad_gateway", 502, ""},
	}
	for _, tt := range rejected {
		res, m := submit("https://example.com/?fake=" + tt.magic)
		if res.StatusCode != tt.status || (tt.code != "" && m["error"] != tt.code) {
			t.Errorf("%s: got %d %v, want %d %s", tt.magic, res.StatusCode, m, tt.status, tt.code)
		}
	}
	if res, _ := submit("https://example.com/?fake=rate_limit"); res.Header.Get("Retry-After") != "5" || res.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("rate_limit headers: %v", res.Header)
	}
	if _, m := submit("https://example.com/?fake=insufficient_credits"); m["details"].(map[string]any)["required_credits"] != 5.0 {
		t.Errorf("insufficient_credits details: %v", m)
	}

	for name, msg := range failures {
		res, m := submit("https://example.com/?fake=" + name)
		if res.StatusCode != 202 {
			t.Fatalf("%s: submit %d", name, res.StatusCode)
		}
		_, m = call(t, http.DefaultClient, base, "GET", api+"/jobs/"+m["job_id"].(string), DefaultKey, nil)
		if m["status"] != "failed" || m["error"] != msg {
			t.Errorf("%s: poll %v, want failed %q", name, m, msg)
		}
	}

	res, m := submit("https://example.com/?fake=gateway_timeout")
	d, _ := m["detail"].(map[string]any)
	if res.StatusCode != 504 || d["credits_status"] != "reserved" || d["estimated_completion_s"] != 30.0 {
		t.Errorf("gateway_timeout: %d %v", res.StatusCode, m)
	}

	_, m = submit("https://example.com/?fake=string_content")
	if m["content"] != Markdown("https://example.com/?fake=string_content", 0) {
		t.Errorf("string_content: %v", m["content"])
	}
	if res, _ := submit("https://example.com/?fake=low_balance"); res.Header.Get("X-AlterLab-Balance-Warning") != "low" {
		t.Errorf("low_balance headers: %v", res.Header)
	}
}

func TestEnvelopes(t *testing.T) {
	tests := []struct {
		f    Fault
		want string
	}{
		{Error(402, Docs, "INSUFFICIENT_CREDITS", "m").WithRequestID("req_1").WithDetails(map[string]any{"required_credits": 5}),
			`{"error":"INSUFFICIENT_CREDITS","message":"m","request_id":"req_1","details":{"required_credits":5}}`},
		{Error(400, Detail, "", "bad"), `{"detail":"bad"}`},
		{Error(504, DetailObject, "TIMEOUT", "slow").WithDetails(map[string]any{"credits_status": "refunded"}),
			`{"detail":{"error":"TIMEOUT","message":"slow","credits_status":"refunded"}}`},
		{Error(403, DetailCode, "BLOCKED_BY_ANTIBOT", "b"), `{"detail":{"code":"BLOCKED_BY_ANTIBOT","message":"b"}}`},
		{Error(429, Code, "RATE_LIMIT_EXCEEDED", "r"), `{"code":"RATE_LIMIT_EXCEEDED","message":"r"}`},
		{ValidationError("url", "field required"), `{"detail":[{"loc":["body","url"],"msg":"field required","type":"value_error"}]}`},
	}
	for _, tt := range tests {
		_, got := tt.f.body("req_default")
		var g, w any
		_ = json.Unmarshal(got, &g)
		_ = json.Unmarshal([]byte(tt.want), &w)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("envelope %v:\n got %s\nwant %s", tt.f.env, got, tt.want)
		}
	}
}

func TestCrawlOf500PagesAndCancel(t *testing.T) {
	s := New(WithPolls(4))
	base := s.Start(t)
	res, m := call(t, http.DefaultClient, base, "POST", api+"/crawl", DefaultKey, map[string]any{"url": "https://docs.example/?fake=partial", "max_pages": 500})
	if res.StatusCode != 202 || m["status"] != "discovering" || m["estimated_pages"] != 500.0 {
		t.Fatalf("submit: %d %v", res.StatusCode, m)
	}
	id := m["crawl_id"].(string)
	_, m = call(t, http.DefaultClient, base, "GET", api+"/crawl/"+id, DefaultKey, nil)
	if m["status"] != "discovering" || m["results"] != nil || m["pages_scraped"] != 100.0 {
		t.Errorf("first poll without include_results: %v", m)
	}
	for range 3 {
		_, m = call(t, http.DefaultClient, base, "GET", api+"/crawl/"+id+"?include_results=true", DefaultKey, nil)
	}
	results := m["results"].([]any)
	if m["status"] != "completed" || len(results) != 500 || m["pages_scraped"] != 500.0 {
		t.Fatalf("final poll: status %v, %d results", m["status"], len(results))
	}
	if p := results[4].(map[string]any); p["status"] != "failed" {
		t.Errorf("partial: page 5 = %v", p)
	}
	if p := results[1].(map[string]any); p["markdown"] != Markdown("https://docs.example/page-1", 0) {
		t.Errorf("page 2 = %v", p)
	}

	_, m = call(t, http.DefaultClient, base, "POST", api+"/crawl", DefaultKey, map[string]any{"url": "https://docs.example", "max_pages": 40})
	id = m["crawl_id"].(string)
	call(t, http.DefaultClient, base, "GET", api+"/crawl/"+id, DefaultKey, nil)
	res, m = call(t, http.DefaultClient, base, "DELETE", api+"/crawl/"+id, DefaultKey, nil)
	if res.StatusCode != 200 || m["status"] != "cancelled" || m["pages_scraped"] != 8.0 || m["credits_refunded"] != 32000.0 {
		t.Errorf("cancel: %d %v", res.StatusCode, m)
	}
	for range 5 {
		_, m = call(t, http.DefaultClient, base, "GET", api+"/crawl/"+id+"?include_results=true", DefaultKey, nil)
	}
	if m["status"] != "cancelled" || len(m["results"].([]any)) != 8 {
		t.Errorf("after cancel: %v pages %d", m["status"], len(m["results"].([]any)))
	}
	if got := s.Cancels(); len(got) != 1 || got[0] != "DELETE /api/v1/crawl/"+id {
		t.Errorf("Cancels = %v", got)
	}
}

func TestSearchScrapingManyResultsIsAsync(t *testing.T) {
	base := New().Start(t)
	res, m := call(t, http.DefaultClient, base, "POST", api+"/search", DefaultKey, map[string]any{"query": "go generics", "num_results": 3})
	if res.StatusCode != 200 || len(m["results"].([]any)) != 3 || m["cost_breakdown"] == nil {
		t.Fatalf("sync search: %d %v", res.StatusCode, m)
	}
	res, m = call(t, http.DefaultClient, base, "POST", api+"/search", DefaultKey, map[string]any{"query": "go generics", "num_results": 8, "scrape_results": true})
	if res.StatusCode != 202 || m["status"] != "scraping" {
		t.Fatalf("scraping search: %d %v", res.StatusCode, m)
	}
	_, m = call(t, http.DefaultClient, base, "GET", api+"/search/"+m["search_id"].(string), DefaultKey, nil)
	hits := m["results"].([]any)
	if m["status"] != "completed" || len(hits) != 8 || hits[0].(map[string]any)["content"] != Markdown(SearchURL("go generics", 1), 0) {
		t.Errorf("poll: %v", m)
	}
}

func TestMapAndBatch(t *testing.T) {
	base := New().Start(t)
	_, m := call(t, http.DefaultClient, base, "POST", api+"/map", DefaultKey, map[string]any{"url": "https://example.com", "max_pages": 30, "search": "pricing"})
	if urls := m["urls"].([]any); len(urls) != 30 || urls[1].(map[string]any)["url"] != "https://example.com/pricing-1" || m["credits_used"] != 1.0 {
		t.Errorf("map: %v", m)
	}
	res, m := call(t, http.DefaultClient, base, "POST", api+"/batch", DefaultKey, map[string]any{"urls": []any{
		map[string]any{"url": "https://a.example"}, map[string]any{"url": "https://b.example/?fake=blocked"}}})
	if res.StatusCode != 202 || m["total_urls"] != 2.0 || len(m["job_ids"].([]any)) != 2 {
		t.Fatalf("batch: %d %v", res.StatusCode, m)
	}
	_, m = call(t, http.DefaultClient, base, "GET", api+"/batch/"+m["batch_id"].(string), DefaultKey, nil)
	items := m["items"].([]any)
	if m["status"] != "partially_failed" || items[0].(map[string]any)["status"] != "completed" || items[1].(map[string]any)["error"] != failures["blocked"] {
		t.Errorf("batch poll: %v", m)
	}
}

func TestRateLimitOnSubmits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(WithRateLimit(3))
		c := s.Client()
		var codes []int
		for range 4 {
			res, _ := call(t, c, "http://alterlab.test", "POST", api+"/scrape", DefaultKey, map[string]any{"url": "https://example.com"})
			codes = append(codes, res.StatusCode)
			if res.StatusCode == 429 {
				reset, _ := strconv.ParseInt(res.Header.Get("X-RateLimit-Reset"), 10, 64)
				if res.Header.Get("Retry-After") != "60" || res.Header.Get("X-RateLimit-Remaining") != "0" || reset != time.Now().Add(time.Minute).Unix() {
					t.Errorf("429 headers: %v", res.Header)
				}
			}
		}
		if want := []int{200, 200, 200, 429}; !slices.Equal(codes, want) {
			t.Errorf("codes = %v, want %v", codes, want)
		}
		// Polls are not submits; the window is per key, not per route.
		if res, _ := call(t, c, "http://alterlab.test", "GET", api+"/jobs/nope", DefaultKey, nil); res.StatusCode != 404 {
			t.Errorf("poll = %d", res.StatusCode)
		}
		if res, _ := call(t, c, "http://alterlab.test", "POST", api+"/map", DefaultKey, map[string]any{"url": "https://example.com"}); res.StatusCode != 429 {
			t.Errorf("map within the same minute = %d", res.StatusCode)
		}
		time.Sleep(time.Minute)
		if res, _ := call(t, c, "http://alterlab.test", "POST", api+"/scrape", DefaultKey, map[string]any{"url": "https://example.com"}); res.StatusCode != 200 {
			t.Errorf("after a minute = %d", res.StatusCode)
		}
	})
}

func TestScriptedFaults(t *testing.T) {
	t.Run("consumed in order, then normal", func(t *testing.T) {
		s := New()
		base := s.Start(t)
		s.Script(RouteScrape, Error(503, Detail, "", "down"), RateLimited("2"))
		var got []int
		for range 3 {
			res, _ := call(t, http.DefaultClient, base, "POST", api+"/scrape", DefaultKey, map[string]any{"url": "https://example.com"})
			got = append(got, res.StatusCode)
		}
		if !slices.Equal(got, []int{503, 429, 200}) {
			t.Errorf("statuses = %v", got)
		}
		if st := s.Statuses(RouteScrape); st[503] != 1 || st[429] != 1 || st[200] != 1 {
			t.Errorf("Statuses = %v", st)
		}
	})
	t.Run("accepted then 504 creates the job", func(t *testing.T) {
		s := New()
		base := s.Start(t)
		s.Script(RouteScrape, AcceptThen(504))
		res, _ := call(t, http.DefaultClient, base, "POST", api+"/scrape", DefaultKey, map[string]any{"url": "https://example.com"})
		if res.StatusCode != 504 || len(s.JobIDs()) != 1 {
			t.Errorf("got %d with jobs %v", res.StatusCode, s.JobIDs())
		}
	})
	t.Run("id field, pending and failing jobs", func(t *testing.T) {
		s := New()
		base := s.Start(t)
		s.Script(RouteScrape, IDField("id"), PendingForever(), FailJob("Boom (HTTP 500)"))
		_, m := call(t, http.DefaultClient, base, "POST", api+"/scrape", DefaultKey, map[string]any{"url": "https://example.com"})
		if m["id"] == nil || m["job_id"] != nil {
			t.Errorf("IDField: %v", m)
		}
		_, m = call(t, http.DefaultClient, base, "POST", api+"/scrape", DefaultKey, map[string]any{"url": "https://example.com"})
		for range 5 {
			_, m = call(t, http.DefaultClient, base, "GET", api+"/jobs/"+s.JobIDs()[1], DefaultKey, nil)
		}
		if m["status"] != "processing" {
			t.Errorf("pending job: %v", m)
		}
		call(t, http.DefaultClient, base, "POST", api+"/scrape", DefaultKey, map[string]any{"url": "https://example.com"})
		if _, m = call(t, http.DefaultClient, base, "GET", api+"/jobs/"+s.JobIDs()[2], DefaultKey, nil); m["error"] != "Boom (HTTP 500)" {
			t.Errorf("failing job: %v", m)
		}
	})
	t.Run("hang ends with the request", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := New()
			s.Script(RouteScrape, Hang())
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "POST", "http://alterlab.test"+api+"/scrape", strings.NewReader(`{"url":"https://example.com"}`))
			start := time.Now()
			_, err := s.Client().Do(req)
			if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 5*time.Second {
				t.Errorf("err %v after %v", err, time.Since(start))
			}
		})
	})
	t.Run("connection faults", func(t *testing.T) {
		s := New()
		s.Script(RouteScrape, ConnRefused(), ResetAfterWrite())
		var wrote bool
		ctx := httptrace.WithClientTrace(t.Context(), &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { wrote = true }})
		do := func() error {
			req, _ := http.NewRequestWithContext(ctx, "POST", "http://alterlab.test"+api+"/scrape", strings.NewReader(`{"url":"https://example.com","sync":false}`))
			req.Header.Set("X-API-Key", DefaultKey)
			_, err := s.Client().Do(req)
			return err
		}
		if err := do(); !errors.Is(err, syscall.ECONNREFUSED) || wrote {
			t.Errorf("refused: %v, wrote %v", err, wrote)
		}
		if err := do(); !errors.Is(err, syscall.ECONNRESET) || !wrote || len(s.JobIDs()) != 1 {
			t.Errorf("reset: %v, wrote %v, jobs %v", err, wrote, s.JobIDs())
		}
	})
}

func TestMarkdownSize(t *testing.T) {
	if got := Markdown("https://big.example/", 2_000_000); len(got) != 2_000_000 || !strings.HasPrefix(got, "# big.example") {
		t.Errorf("len %d", len(got))
	}
	base := New().Start(t)
	res, _ := call(t, http.DefaultClient, base, "POST", api+"/scrape", DefaultKey, map[string]any{"url": "https://big.example/?fake=size:2000000"})
	if res.StatusCode != 202 {
		t.Errorf("a 2 MB page answered %d, want 202 (heavy pages go async)", res.StatusCode)
	}
}

func TestScreenshotURLIsAPathFetchedWithTheKey(t *testing.T) {
	s := New()
	base := s.Start(t)
	_, m := call(t, http.DefaultClient, base, "POST", api+"/scrape", DefaultKey,
		map[string]any{"url": "https://a.example", "sync": false, "mode": "js", "advanced": map[string]any{"render_js": true, "screenshot": true}})
	id, _ := m["job_id"].(string)
	_, m = call(t, http.DefaultClient, base, "GET", api+"/jobs/"+id, DefaultKey, nil)
	result, _ := m["result"].(map[string]any)
	link, _ := result["screenshot_url"].(string)
	if !strings.HasPrefix(link, "/downloads/screenshots/") {
		t.Fatalf("screenshot_url = %q, want a path on the API host", link)
	}
	for _, tt := range []struct {
		path, key string
		status    int
	}{{link, DefaultKey, 200}, {link, "", 401}, {"/downloads/screenshots/nope.png", DefaultKey, 404}} {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", base+tt.path, nil)
		if tt.key != "" {
			req.Header.Set("X-API-Key", tt.key)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.status {
			t.Errorf("%s key %q: %d, want %d", tt.path, tt.key, res.StatusCode, tt.status)
		}
		if tt.status == 200 && !bytes.Equal(b, Screenshot()) {
			t.Errorf("not the fake's PNG (%d bytes)", len(b))
		}
	}
}
