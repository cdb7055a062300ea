package anakintest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"slices"
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

func TestRejectsMissingOrWrongKey(t *testing.T) {
	s := New()
	base := s.Start(t)
	for _, key := range []string{"", "wrong"} {
		res, m := call(t, http.DefaultClient, base, "POST", "/url-scraper", key, map[string]any{"url": "https://example.com"})
		if res.StatusCode != 401 || m["error"] != "unauthorized" {
			t.Errorf("key %q: got %d %v, want 401 unauthorized", key, res.StatusCode, m)
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
		code       string
	}{
		{"url missing", "/url-scraper", map[string]any{}, "invalid_request"},
		{"url not http", "/url-scraper", map[string]any{"url": "ftp://example.com"}, "invalid_url"},
		{"unknown format", "/url-scraper", map[string]any{"url": "https://a.example", "formats": []string{"pdf"}}, "invalid_request"},
		{"body not JSON", "/url-scraper", "nope", "invalid_request"},
		{"empty batch", "/url-scraper/batch", map[string]any{"urls": []string{}}, "invalid_request"},
		{"batch of 11", "/url-scraper/batch", map[string]any{"urls": slices.Repeat([]string{"https://a.example"}, 11)}, "invalid_request"},
		{"bad batch url", "/url-scraper/batch", map[string]any{"urls": []string{"https://a.example", "nope"}}, "invalid_url"},
		{"crawl depth 6", "/crawl", map[string]any{"url": "https://a.example", "depth": 6}, "invalid_request"},
		{"crawl 501 pages", "/crawl", map[string]any{"url": "https://a.example", "maxPages": 501}, "invalid_request"},
		{"map limit 5001", "/map", map[string]any{"url": "https://a.example", "limit": 5001}, "invalid_request"},
		{"search without prompt", "/search", map[string]any{"limit": 3}, "invalid_request"},
		{"search limit 21", "/search", map[string]any{"prompt": "go", "limit": 21}, "invalid_request"},
		{"16 actions", "/url-scraper", map[string]any{"url": "https://a.example", "actions": slices.Repeat([]any{map[string]any{"type": "click", "selector": "a"}}, 16)}, "invalid_request"},
		{"unknown action", "/url-scraper", map[string]any{"url": "https://a.example", "actions": []any{map[string]any{"type": "hover"}}}, "invalid_request"},
		{"click without selector", "/url-scraper", map[string]any{"url": "https://a.example", "actions": []any{map[string]any{"type": "click"}}}, "invalid_request"},
		{"wait over 15 s", "/url-scraper", map[string]any{"url": "https://a.example", "actions": []any{map[string]any{"type": "wait", "milliseconds": 15001}}}, "invalid_request"},
		{"waits over 30 s", "/url-scraper", map[string]any{"url": "https://a.example", "actions": slices.Repeat([]any{map[string]any{"type": "wait", "milliseconds": 11000}}, 3)}, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, m := call(t, http.DefaultClient, base, "POST", tt.path, DefaultKey, tt.body)
			if res.StatusCode != 400 || m["error"] != tt.code {
				t.Errorf("got %d %v, want 400 %s", res.StatusCode, m, tt.code)
			}
		})
	}
}

func TestJobMovesFromPendingToCompleted(t *testing.T) {
	s := New(WithPolls(3))
	base := s.Start(t)
	u := "https://example.com/docs/intro"
	res, m := call(t, http.DefaultClient, base, "POST", "/url-scraper", DefaultKey, map[string]any{"url": u, "formats": []string{"markdown", "links"}})
	if res.StatusCode != 202 || m["status"] != "pending" {
		t.Fatalf("submit: %d %v", res.StatusCode, m)
	}
	id, _ := m["jobId"].(string)
	var states []string
	for range 3 {
		res, m = call(t, http.DefaultClient, base, "GET", "/url-scraper/"+id, DefaultKey, nil)
		states = append(states, m["status"].(string)+"/"+res.Status[:3])
	}
	if want := "pending/202 processing/202 completed/200"; strings.Join(states, " ") != want {
		t.Errorf("states = %v, want %s", states, want)
	}
	md, _ := m["markdown"].(string)
	if !strings.Contains(md, u) || !strings.HasPrefix(md, "# ") || md != Markdown(u, 0) {
		t.Errorf("markdown does not carry the URL and a heading: %q", md)
	}
	if links, _ := m["links"].([]any); len(links) != 3 {
		t.Errorf("links = %v, want 3 {href,text}", m["links"])
	}
}

func TestMagicURLs(t *testing.T) {
	base := New().Start(t)
	submit := func(u string) (int, map[string]any) {
		res, m := call(t, http.DefaultClient, base, "POST", "/url-scraper", DefaultKey, map[string]any{"url": u})
		if res.StatusCode != 202 {
			return res.StatusCode, m
		}
		res, m = call(t, http.DefaultClient, base, "GET", "/url-scraper/"+m["jobId"].(string), DefaultKey, nil)
		return res.StatusCode, m
	}
	tests := []struct {
		magic  string
		status int
		check  func(map[string]any) bool
	}{
		{"insufficient_credits", 402, func(m map[string]any) bool { return m["error"] == "insufficient_credits" }},
		{"credits_wire", 402, func(m map[string]any) bool {
			e, _ := m["error"].(map[string]any)
			return m["status"] == "error" && e["code"] == "INSUFFICIENT_CREDITS" && e["balance"] == 2.0
		}},
		{"fiber", 400, func(m map[string]any) bool {
			l, _ := m["message"].([]any)
			return m["statusCode"] == 400.0 && len(l) == 2
		}},
		{"rate_limit", 429, func(m map[string]any) bool { return m["error"] == "rate_limit_exceeded" }},
		{"server_error", 500, func(m map[string]any) bool { return m["error"] == "server_error" }},
		{"bad_gateway", 502, func(m map[string]any) bool { return m == nil }},
		{"blocked", 200, func(m map[string]any) bool {
			return m["status"] == "failed" && m["error"] == "Blocked by website (HTTP 403)"
		}},
		{"fail:Boom%20here", 200, func(m map[string]any) bool { return m["error"] == "Boom here" }},
		{"pending", 202, func(m map[string]any) bool { return m["status"] == "pending" }},
		{"size:2000000", 200, func(m map[string]any) bool { return len(m["markdown"].(string)) == 2000000 }},
		{"cached", 200, func(m map[string]any) bool { return m["cached"] == true }},
	}
	for _, tt := range tests {
		t.Run(tt.magic, func(t *testing.T) {
			status, m := submit("https://example.com/p?fake=" + tt.magic)
			if status != tt.status || !tt.check(m) {
				t.Errorf("got %d %v", status, m)
			}
		})
	}
}

func TestScriptIsConsumedInOrderThenNormal(t *testing.T) {
	s := New()
	base := s.Start(t)
	s.Script(RouteScrape, RateLimited("7").WithRequestID("abc"), Error(402, Wire, "INSUFFICIENT_CREDITS", "no").WithDetails(map[string]any{"balance": 0}))
	body := map[string]any{"url": "https://example.com"}
	res, m := call(t, http.DefaultClient, base, "POST", "/url-scraper", DefaultKey, body)
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "7" || res.Header.Get("X-Request-Id") != "abc" || m["error"] != "rate_limit_exceeded" {
		t.Errorf("first: %d %v %v", res.StatusCode, res.Header, m)
	}
	res, m = call(t, http.DefaultClient, base, "POST", "/url-scraper", DefaultKey, body)
	if e, _ := m["error"].(map[string]any); res.StatusCode != 402 || e["code"] != "INSUFFICIENT_CREDITS" || e["balance"] != 0.0 {
		t.Errorf("second: %d %v", res.StatusCode, m)
	}
	if res, _ = call(t, http.DefaultClient, base, "POST", "/url-scraper", DefaultKey, body); res.StatusCode != 202 {
		t.Errorf("third: %d, want normal 202", res.StatusCode)
	}
	if s.Count(RouteScrape) != 3 || len(s.JobIDs()) != 1 || len(s.Bodies(RouteScrape)) != 3 {
		t.Errorf("count %d, jobs %d, bodies %d", s.Count(RouteScrape), len(s.JobIDs()), len(s.Bodies(RouteScrape)))
	}
	if got := s.LastJSON(RouteScrape)["url"]; got != "https://example.com" {
		t.Errorf("LastJSON url = %v", got)
	}
}

func TestJobModifiers(t *testing.T) {
	s := New()
	base := s.Start(t)
	s.Script(RouteCrawl, AcceptThen(504))
	s.Script(RouteMap, IDField("job_id"), FailJob("Connection timeout"))
	res, _ := call(t, http.DefaultClient, base, "POST", "/crawl", DefaultKey, map[string]any{"url": "https://example.com"})
	if res.StatusCode != 504 || len(s.JobIDs()) != 1 {
		t.Errorf("accept-then-504: %d, jobs %d", res.StatusCode, len(s.JobIDs()))
	}
	_, m := call(t, http.DefaultClient, base, "POST", "/map", DefaultKey, map[string]any{"url": "https://example.com"})
	if m["job_id"] == nil || m["jobId"] != nil {
		t.Errorf("IDField: %v", m)
	}
	_, m = call(t, http.DefaultClient, base, "POST", "/map", DefaultKey, map[string]any{"url": "https://example.com"})
	_, m = call(t, http.DefaultClient, base, "GET", "/map/"+m["jobId"].(string), DefaultKey, nil)
	if m["status"] != "failed" || m["error"] != "Connection timeout" {
		t.Errorf("FailJob: %v", m)
	}
}

func TestCrawlProducesMaxPages(t *testing.T) {
	base := New().Start(t)
	_, m := call(t, http.DefaultClient, base, "POST", "/crawl", DefaultKey, map[string]any{"url": "https://example.com/?fake=partial", "maxPages": 500, "depth": 5})
	_, m = call(t, http.DefaultClient, base, "GET", "/crawl/"+m["jobId"].(string), DefaultKey, nil)
	results, _ := m["results"].([]any)
	if len(results) != 500 || m["totalPages"] != 500.0 || m["completedPages"] != 400.0 {
		t.Errorf("got %d results, totalPages %v, completedPages %v", len(results), m["totalPages"], m["completedPages"])
	}
}

func TestBatchChildrenFailAlone(t *testing.T) {
	base := New().Start(t)
	urls := []string{"https://a.example", "https://b.example/?fake=blocked", "https://c.example"}
	_, m := call(t, http.DefaultClient, base, "POST", "/url-scraper/batch", DefaultKey, map[string]any{"urls": urls})
	_, m = call(t, http.DefaultClient, base, "GET", "/url-scraper/"+m["jobId"].(string), DefaultKey, nil)
	results, _ := m["results"].([]any)
	if m["status"] != "completed" || len(results) != 3 {
		t.Fatalf("batch: %v", m)
	}
	if r := results[1].(map[string]any); r["status"] != "failed" || r["index"] != 1.0 {
		t.Errorf("child 1 = %v, want failed", r)
	}
}

func TestMapAndSearch(t *testing.T) {
	base := New().Start(t)
	_, m := call(t, http.DefaultClient, base, "POST", "/map", DefaultKey, map[string]any{"url": "https://example.com", "limit": 25})
	_, m = call(t, http.DefaultClient, base, "GET", "/map/"+m["jobId"].(string), DefaultKey, nil)
	if l, _ := m["links"].([]any); len(l) != 25 || m["totalLinks"] != 25.0 {
		t.Errorf("map: %v", m)
	}
	res, m := call(t, http.DefaultClient, base, "POST", "/search", DefaultKey, map[string]any{"prompt": "go generics", "limit": 3})
	if r, _ := m["results"].([]any); res.StatusCode != 200 || len(r) != 3 {
		t.Errorf("search: %d %v", res.StatusCode, m)
	}
	res, m = call(t, http.DefaultClient, base, "POST", "/search", DefaultKey, map[string]any{"prompt": "x fake=insufficient_credits"})
	if res.StatusCode != 402 {
		t.Errorf("search magic: %d %v", res.StatusCode, m)
	}
}

func TestCancelAttemptsAreRecorded(t *testing.T) {
	s := New()
	base := s.Start(t)
	res, _ := call(t, http.DefaultClient, base, "DELETE", "/crawl/abc", DefaultKey, nil)
	if res.StatusCode != 404 || len(s.Cancels()) != 1 || s.Cancels()[0] != "DELETE /v1/crawl/abc" {
		t.Errorf("got %d, cancels %v", res.StatusCode, s.Cancels())
	}
}

func TestUnknownJobIsNotFound(t *testing.T) {
	base := New().Start(t)
	res, m := call(t, http.DefaultClient, base, "GET", "/crawl/nope", DefaultKey, nil)
	if res.StatusCode != 404 || m["error"] != "not_found" {
		t.Errorf("got %d %v", res.StatusCode, m)
	}
}

func TestRateLimitWindow(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := New(WithRateLimit(2), WithClock(func() time.Time { return now }))
	c := s.Client()
	body := map[string]any{"url": "https://example.com"}
	for i, want := range []int{202, 202, 429} {
		res, _ := call(t, c, "http://anakin.test/v1", "POST", "/url-scraper", DefaultKey, body)
		if res.StatusCode != want {
			t.Fatalf("request %d: %d, want %d", i, res.StatusCode, want)
		}
		if want == 429 && res.Header.Get("Retry-After") != "60" {
			t.Errorf("Retry-After = %q, want 60", res.Header.Get("Retry-After"))
		}
	}
	now = now.Add(time.Minute)
	if res, _ := call(t, c, "http://anakin.test/v1", "POST", "/url-scraper", DefaultKey, body); res.StatusCode != 202 {
		t.Errorf("after a minute: %d", res.StatusCode)
	}
}

func TestInMemoryTransportFaults(t *testing.T) {
	s := New()
	c := s.Client()
	s.Script(RouteScrape, ConnRefused(), ResetAfterWrite())
	post := func() (bool, error) {
		wrote := false
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { wrote = true }})
		req, _ := http.NewRequestWithContext(ctx, "POST", "http://anakin.test/v1/url-scraper", strings.NewReader(`{"url":"https://example.com"}`))
		req.Header.Set("X-API-Key", DefaultKey)
		res, err := c.Do(req)
		if err == nil {
			res.Body.Close()
		}
		return wrote, err
	}
	if wrote, err := post(); !errors.Is(err, syscall.ECONNREFUSED) || wrote {
		t.Errorf("refused: wrote=%v err=%v", wrote, err)
	}
	if wrote, err := post(); !errors.Is(err, syscall.ECONNRESET) || !wrote || len(s.JobIDs()) != 1 {
		t.Errorf("reset: wrote=%v err=%v jobs=%d", wrote, err, len(s.JobIDs()))
	}
	if _, err := post(); err != nil {
		t.Errorf("then normal: %v", err)
	}
}

func TestHangEndsWithTheRequestContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New()
		s.Script(RouteScrape, Hang())
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "POST", "http://anakin.test/v1/url-scraper", strings.NewReader(`{"url":"https://example.com"}`))
		start := time.Now()
		_, err := s.Client().Do(req)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Minute {
			t.Errorf("err = %v after %v, want deadline exceeded after 1m", err, time.Since(start))
		}
	})
}

func TestMarkdownSizeIsExact(t *testing.T) {
	for _, n := range []int{10, 500, 12345} {
		if got := len(Markdown("https://example.com/ü", n)); got > n || got < n-3 {
			t.Errorf("size %d: got %d", n, got)
		}
	}
}

func TestRecordsActionsAndServesScreenshots(t *testing.T) {
	s := New()
	base := s.Start(t)
	actions := []any{map[string]any{"type": "scroll", "direction": "down"}, map[string]any{"type": "press", "key": "End"}}
	res, m := call(t, http.DefaultClient, base, "POST", "/url-scraper", DefaultKey,
		map[string]any{"url": "https://a.example", "formats": []string{"markdown", "screenshotFullPage"}, "actions": actions})
	if res.StatusCode != 202 {
		t.Fatalf("submit: %d %v", res.StatusCode, m)
	}
	id, _ := m["jobId"].(string)
	if got := s.Actions(id); len(got) != 2 || got[0] != (Action{Type: "scroll", Direction: "down"}) || got[1] != (Action{Type: "press", Key: "End"}) || !s.UsedBrowser(id) {
		t.Errorf("recorded actions %+v, browser %v", got, s.UsedBrowser(id))
	}
	if res, _ = call(t, http.DefaultClient, base, "GET", "/url-scraper/"+id+"/screenshot?type=fullpage", DefaultKey, nil); res.StatusCode != 404 {
		t.Errorf("screenshot before the job completed: %d, want 404", res.StatusCode)
	}
	_, m = call(t, http.DefaultClient, base, "GET", "/url-scraper/"+id, DefaultKey, nil)
	if link, _ := m["fullPageScreenshotUrl"].(string); !strings.HasPrefix(link, "https://cdn.anakin.test/") || m["screenshotUrl"] != nil {
		t.Errorf("links: %v / %v", m["fullPageScreenshotUrl"], m["screenshotUrl"])
	}
	for _, tt := range []struct {
		query  string
		status int
	}{{"?type=fullpage", 200}, {"?type=viewport", 404}, {"?type=huge", 400}} {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", base+"/url-scraper/"+id+"/screenshot"+tt.query, nil)
		req.Header.Set("X-API-Key", DefaultKey)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d", tt.query, res.StatusCode, tt.status)
		}
		if tt.status == 200 && (!bytes.Equal(b, Screenshot(true)) || res.Header.Get("Content-Type") != "image/png") {
			t.Errorf("%s: not the full-page PNG (%s, %d bytes)", tt.query, res.Header.Get("Content-Type"), len(b))
		}
	}
}
