package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/client/anakintest"
)

const sessionUUID = "123e4567-e89b-12d3-a456-426614174000"

// The options only some providers take are checked against the provider
// before any call: out of range, mutually exclusive or not taken by this
// provider is fix_request on the argument, and the provider is never called.
func TestControlsOutOfRangeOrUnsupportedFailBeforeAnyProviderCall(t *testing.T) {
	url := "https://x.example/"
	cases := []struct {
		name, provider, tool string
		args                 map[string]any
		field                string
	}{
		{"max_tier not a tier", client.AlterLab, "scrape", map[string]any{"url": url, "max_tier": "5"}, "max_tier"},
		{"max_credits negative", client.AlterLab, "scrape", map[string]any{"url": url, "max_credits": -1}, "max_credits"},
		{"mode unknown", client.AlterLab, "scrape", map[string]any{"url": url, "mode": "xml"}, "mode"},
		{"mode pdf with the browser", client.AlterLab, "scrape", map[string]any{"url": url, "mode": "pdf", "use_browser": true}, "mode"},
		{"session_id and cookies together", client.AlterLab, "scrape", map[string]any{"url": url, "session_id": sessionUUID, "cookies": map[string]any{"sid": "v"}}, "cookies"},
		{"AlterLab session_id not a UUID", client.AlterLab, "scrape", map[string]any{"url": url, "session_id": "my-session"}, "session_id"},
		{"cookie name with a semicolon", client.AlterLab, "scrape", map[string]any{"url": url, "cookies": map[string]any{"a;b": "v"}}, "cookies"},
		{"too many cookies", client.AlterLab, "batch_scrape", map[string]any{"urls": []any{url}, "cookies": manyCookies(51)}, "cookies"},
		{"max_tier on Anakin", client.Anakin, "scrape", map[string]any{"url": url, "max_tier": "4"}, "max_tier"},
		{"max_credits on Anakin", client.Anakin, "extract", map[string]any{"urls": []any{url}, "prompt": "p", "max_credits": 10}, "max_credits"},
		{"cookies on Anakin", client.Anakin, "scrape", map[string]any{"url": url, "cookies": map[string]any{"sid": "v"}}, "cookies"},
		{"mode ocr on Anakin", client.Anakin, "scrape", map[string]any{"url": url, "mode": "ocr"}, "mode"},
		{"session_id on the local backend", client.Local, "scrape", map[string]any{"url": url, "session_id": "s1"}, "session_id"},
		{"timeout over 300", client.Anakin, "batch_scrape", map[string]any{"urls": []any{url}, "timeout": 301}, "timeout"},
		{"timeout over 300 on map", client.AlterLab, "map", map[string]any{"url": url, "timeout": 400}, "timeout"},
		{"sessions status on Anakin", client.Anakin, "sessions", map[string]any{"status": "expired"}, "status"},
		{"session_id on an AlterLab crawl", client.AlterLab, "crawl", map[string]any{"url": url, "session_id": sessionUUID}, "session_id"},
		{"max_tier on an Anakin crawl", client.Anakin, "crawl", map[string]any{"url": url, "max_tier": "4"}, "max_tier"},
		{"max_credits zero or less on a crawl", client.AlterLab, "crawl", map[string]any{"url": url, "max_credits": -5}, "max_credits"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := newFake()
			fake.name = c.provider
			h := newHarness(t, fake, 20000)
			action, field, _ := guidanceOf(t, h.call(context.Background(), c.tool, c.args))
			if action != "fix_request" || field != c.field {
				t.Errorf("guidance %s on %q, want fix_request on %q", action, field, c.field)
			}
			if n := fake.calls.Load(); n != 0 {
				t.Errorf("provider was called %d times for a request it would refuse", n)
			}
		})
	}
}

func manyCookies(n int) map[string]any {
	m := map[string]any{}
	for i := range n {
		m["c"+strings.Repeat("x", i)] = "v"
	}
	return m
}

// The options reach each API in its own field names.
func TestControlsReachTheAPIInItsOwnFieldNames(t *testing.T) {
	t.Run("alterlab", func(t *testing.T) {
		fake := alterlabtest.New(alterlabtest.WithKey(apiKey),
			alterlabtest.WithSessions(alterlabtest.Session{ID: sessionUUID, Name: "shop", Domain: "example.com", Status: "active"}))
		p, err := client.NewAlterLab(client.APIConfig{BaseURL: "http://alterlab.test", APIKey: apiKey, HTTPClient: fake.Client()})
		if err != nil {
			t.Fatal(err)
		}
		h := newHarnessDeps(t, nil, &Deps{Provider: p})
		res := h.call(context.Background(), "scrape", map[string]any{"url": "https://example.com/doc.pdf", "mode": "pdf",
			"max_tier": "4", "max_credits": 50, "cookies": map[string]any{"sid": "cookie-secret-value"}})
		if res.IsError {
			t.Fatalf("scrape failed: %s", resultText(res))
		}
		body := fake.LastJSON(alterlabtest.RouteScrape)
		if body["mode"] != "pdf" || !jsonEqual(body["cost_controls"], `{"max_tier":"4","max_credits":50}`) ||
			!jsonEqual(body["cookies"], `{"sid":"cookie-secret-value"}`) {
			t.Errorf("body %v", body)
		}
		if strings.Contains(resultText(res), "cookie-secret-value") {
			t.Errorf("a cookie value reached the result")
		}
		res = h.call(context.Background(), "extract", map[string]any{"urls": []any{"https://shop.example.com/p"}, "prompt": "price", "session_id": sessionUUID})
		if res.IsError {
			t.Fatalf("extract failed: %s", resultText(res))
		}
		if body := fake.LastJSON(alterlabtest.RouteScrape); body["session_id"] != sessionUUID {
			t.Errorf("session_id did not reach the API: %v", body)
		}
		res = h.call(context.Background(), "batch_scrape", map[string]any{"urls": []any{"https://example.com/a"}, "max_tier": "3.5"})
		if res.IsError {
			t.Fatalf("batch failed: %s", resultText(res))
		}
		items, _ := fake.LastJSON(alterlabtest.RouteBatch)["urls"].([]any)
		if len(items) != 1 || !jsonEqual(items[0].(map[string]any)["cost_controls"], `{"max_tier":"3.5"}`) {
			t.Errorf("batch items %v", items)
		}
		res = h.call(context.Background(), "crawl", map[string]any{"url": "https://example.com/", "max_tier": "4", "max_credits": 5000, "wait_s": 0})
		if res.IsError {
			t.Fatalf("crawl failed: %s", resultText(res))
		}
		if body := fake.LastJSON(alterlabtest.RouteCrawl); !jsonEqual(body["cost_controls"], `{"max_tier":"4","max_credits":5000}`) {
			t.Errorf("crawl body %v", body)
		}
	})
	t.Run("anakin", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			fake := anakintest.New(anakintest.WithKey(apiKey),
				anakintest.WithSessions(anakintest.Session{ID: "sess-1", Name: "linkedin", WebsiteURL: "https://www.linkedin.com/", Active: true, Saved: true}))
			p, err := client.NewAnakin(client.APIConfig{BaseURL: "http://anakin.test", APIKey: apiKey, HTTPClient: fake.Client()})
			if err != nil {
				t.Fatal(err)
			}
			h := newHarnessDeps(t, nil, &Deps{Provider: p, Poll: client.DefaultPollSchedule})
			res := h.call(context.Background(), "scrape", map[string]any{"url": "https://www.linkedin.com/feed", "session_id": "sess-1"})
			if res.IsError {
				t.Fatalf("scrape failed: %s", resultText(res))
			}
			body := fake.LastJSON(anakintest.RouteScrape)
			if body["sessionId"] != "sess-1" || body["useBrowser"] != true {
				t.Errorf("body %v: want sessionId with useBrowser", body)
			}
			res = h.call(context.Background(), "batch_scrape", map[string]any{"urls": []any{"https://www.linkedin.com/a"}, "session_id": "sess-1", "mode": "js"})
			if res.IsError {
				t.Fatalf("batch failed: %s", resultText(res))
			}
			if body := fake.LastJSON(anakintest.RouteBatch); body["sessionId"] != "sess-1" || body["useBrowser"] != true {
				t.Errorf("batch body %v", body)
			}
			res = h.call(context.Background(), "crawl", map[string]any{"url": "https://www.linkedin.com/", "session_id": "sess-1", "wait_s": 0})
			if res.IsError {
				t.Fatalf("crawl failed: %s", resultText(res))
			}
			if body := fake.LastJSON(anakintest.RouteCrawl); body["sessionId"] != "sess-1" || body["useBrowser"] != true {
				t.Errorf("crawl body %v", body)
			}
		})
	})
}

func jsonEqual(v any, want string) bool {
	got, _ := json.Marshal(v)
	var a, b any
	_ = json.Unmarshal(got, &a)
	_ = json.Unmarshal([]byte(want), &b)
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// The session errors of both references come back through the tools as the
// references' codes, with guidance that names what to do next.
func TestSessionErrorsFromTheAPIs(t *testing.T) {
	al := alterlabtest.New(alterlabtest.WithKey(apiKey), alterlabtest.WithSessions(
		alterlabtest.Session{ID: "00000000-0000-0000-0000-000000000001", Domain: "example.com", Status: "expired"},
		alterlabtest.Session{ID: "00000000-0000-0000-0000-000000000002", Domain: "example.com", Status: "invalid"},
		alterlabtest.Session{ID: "00000000-0000-0000-0000-000000000003", Domain: "other.example", Status: "active"}))
	alp, _ := client.NewAlterLab(client.APIConfig{BaseURL: "http://alterlab.test", APIKey: apiKey, HTTPClient: al.Client()})
	ha := newHarnessDeps(t, nil, &Deps{Provider: alp})
	cases := []struct {
		session, code, action string
	}{
		{sessionUUID, "SESSION_NOT_FOUND", "not_found"},
		{"00000000-0000-0000-0000-000000000001", "SESSION_EXPIRED", "wait_prerequisite"},
		{"00000000-0000-0000-0000-000000000002", "SESSION_INACTIVE", "wait_prerequisite"},
		{"00000000-0000-0000-0000-000000000003", "SESSION_DOMAIN_MISMATCH", "fix_request"},
	}
	for _, c := range cases {
		action, _, code := guidanceOf(t, ha.call(context.Background(), "scrape", map[string]any{"url": "https://example.com/", "session_id": c.session}))
		if code != c.code || action != c.action {
			t.Errorf("AlterLab session %s: %s %s, want %s %s", c.session, code, action, c.code, c.action)
		}
	}

	synctest.Test(t, func(t *testing.T) {
		an := anakintest.New(anakintest.WithKey(apiKey), anakintest.WithSessions(
			anakintest.Session{ID: "uploading", Saved: false},
			anakintest.Session{ID: "busy", Saved: true, InUse: true}))
		anp, _ := client.NewAnakin(client.APIConfig{BaseURL: "http://anakin.test", APIKey: apiKey, HTTPClient: an.Client()})
		hn := newHarnessDeps(t, nil, &Deps{Provider: anp, Poll: client.DefaultPollSchedule})
		for _, c := range []struct{ session, code, action string }{
			{"nope", "not_found", "not_found"},
			{"uploading", "session_not_saved", "wait_prerequisite"},
			{"busy", "session_in_use", "resolve_conflict"},
		} {
			action, _, code := guidanceOf(t, hn.call(context.Background(), "scrape", map[string]any{"url": "https://example.com/", "session_id": c.session}))
			if code != c.code || action != c.action {
				t.Errorf("Anakin session %s: %s %s, want %s %s", c.session, code, action, c.code, c.action)
			}
		}
	})
}

// A cookie value an API echoes back in an error is redacted like the key.
func TestCookieValuesNeverComeBackInErrors(t *testing.T) {
	fake := alterlabtest.New(alterlabtest.WithKey(apiKey))
	fake.Script(alterlabtest.RouteScrape, alterlabtest.Error(400, alterlabtest.Docs, "BAD_COOKIE", "cookie sid=cookie-secret-value is malformed").
		WithDetails(map[string]any{"cookie": "cookie-secret-value"}))
	p, _ := client.NewAlterLab(client.APIConfig{BaseURL: "http://alterlab.test", APIKey: apiKey, HTTPClient: fake.Client()})
	h := newHarnessDeps(t, nil, &Deps{Provider: p})
	res := h.call(context.Background(), "scrape", map[string]any{"url": "https://example.com/", "cookies": map[string]any{"sid": "cookie-secret-value"}})
	b, _ := json.Marshal(res)
	if strings.Contains(string(b), "cookie-secret-value") {
		t.Errorf("the cookie value came back: %s", b)
	}
	if !strings.Contains(string(b), "[redacted]") {
		t.Errorf("nothing was redacted: %s", b)
	}
}

// The sessions tool lists saved sessions on both API providers, without
// cookie values, and says it needs one on the local backend.
func TestSessionsToolListsSavedSessions(t *testing.T) {
	al := alterlabtest.New(alterlabtest.WithKey(apiKey), alterlabtest.WithSessions(
		alterlabtest.Session{ID: sessionUUID, Name: "shop", Domain: "example.com", Status: "active", CookieNames: []string{"sid"}},
		alterlabtest.Session{ID: "00000000-0000-0000-0000-000000000001", Name: "old", Domain: "example.com", Status: "expired"}))
	alp, _ := client.NewAlterLab(client.APIConfig{BaseURL: "http://alterlab.test", APIKey: apiKey, HTTPClient: al.Client()})
	ha := newHarnessDeps(t, nil, &Deps{Provider: alp})
	var r SessionsResult
	ha.out(ha.call(context.Background(), "sessions", map[string]any{"domain": "example.com", "status": "active"}), &r)
	if len(r.Sessions) != 1 || r.Sessions[0].ID != sessionUUID || r.Sessions[0].Status != "active" || r.Sessions[0].CookieNames[0] != "sid" {
		t.Errorf("AlterLab sessions %+v", r.Sessions)
	}
	if q := al.LastQuery(alterlabtest.RouteSessions); q.Get("domain") != "example.com" || q.Get("status") != "active" {
		t.Errorf("query %v", q)
	}

	an := anakintest.New(anakintest.WithKey(apiKey), anakintest.WithSessions(
		anakintest.Session{ID: "sess-1", Name: "linkedin", WebsiteURL: "https://www.linkedin.com/", Active: true, Saved: true, Cookies: 12}))
	anp, _ := client.NewAnakin(client.APIConfig{BaseURL: "http://anakin.test", APIKey: apiKey, HTTPClient: an.Client()})
	hn := newHarnessDeps(t, nil, &Deps{Provider: anp})
	hn.out(hn.call(context.Background(), "sessions", map[string]any{}), &r)
	if len(r.Sessions) != 1 || r.Sessions[0].ID != "sess-1" || r.Sessions[0].Domain != "www.linkedin.com" || r.Sessions[0].Status != "active" || r.Sessions[0].CookieCount != 12 {
		t.Errorf("Anakin sessions %+v", r.Sessions)
	}

	local := newFake()
	hl := newHarness(t, local, 20000)
	action, _, code := guidanceOf(t, hl.call(context.Background(), "sessions", map[string]any{}))
	if code != client.CodeUnsupported || action != "change_strategy" {
		t.Errorf("local: %s %s", code, action)
	}
}
