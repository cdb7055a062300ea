package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"
)

// roundTripFunc is an in-memory transport for one test.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func respond(status int, h http.Header, body string) *http.Response {
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

// testAPI builds the shared transport around rt with a decoder that reads
// {"code","message"} bodies.
func testAPI(t *testing.T, key string, rt roundTripFunc, edit ...func(*APIConfig)) *apiClient {
	t.Helper()
	cfg := APIConfig{BaseURL: "https://api.test/v1", APIKey: key, HTTPClient: &http.Client{Transport: rt},
		SubmitsPerMinute: -1, Retry: RetryPolicy{Base: time.Millisecond, Cap: time.Millisecond, MaxAttempts: 1}}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := newAPIClient("test", cfg, 60, decodeAnakinError)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewAPIClientRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  APIConfig
	}{
		{"empty key", APIConfig{BaseURL: "https://api.test", APIKey: "  "}},
		{"no base URL", APIConfig{APIKey: "k"}},
		{"relative base URL", APIConfig{BaseURL: "/v1", APIKey: "k"}},
		{"not http", APIConfig{BaseURL: "ftp://api.test", APIKey: "k"}},
		{"no host", APIConfig{BaseURL: "https://", APIKey: "k"}},
	}
	for _, tt := range tests {
		if _, err := newAPIClient("test", tt.cfg, 60, decodeAnakinError); err == nil {
			t.Errorf("%s: accepted", tt.name)
		} else if strings.Contains(err.Error(), tt.cfg.APIKey) && strings.TrimSpace(tt.cfg.APIKey) != "" {
			t.Errorf("%s: error echoes the key: %v", tt.name, err)
		}
	}
}

func TestNewAPIClientDefaults(t *testing.T) {
	c, err := newAPIClient("test", APIConfig{BaseURL: "https://api.test", APIKey: "k"}, 60, decodeAnakinError)
	if err != nil {
		t.Fatal(err)
	}
	if c.policy != DefaultRetryPolicy || c.hc == nil || c.log == nil {
		t.Errorf("policy %+v, client %v, log %v", c.policy, c.hc, c.log)
	}
	if c.submits == nil || c.submits.Limit() != 1 || c.submits.Burst() != 5 {
		t.Errorf("default bucket: %v/s burst %d, want 60/min burst 5", c.submits.Limit(), c.submits.Burst())
	}
	c, _ = newAPIClient("test", APIConfig{BaseURL: "https://api.test", APIKey: "k", SubmitsPerMinute: -1}, 60, decodeAnakinError)
	if c.submits != nil {
		t.Error("negative SubmitsPerMinute should mean unlimited")
	}
	tr := NewHTTPClient().Transport.(*http.Transport)
	if tr.MaxIdleConnsPerHost < 32 || tr.ResponseHeaderTimeout == 0 {
		t.Errorf("pool: %d idle per host, header timeout %v", tr.MaxIdleConnsPerHost, tr.ResponseHeaderTimeout)
	}
}

func TestRequestCarriesKeyAndJSONHeaders(t *testing.T) {
	var got []*http.Request
	var bodies []string
	c := testAPI(t, "k-123", func(r *http.Request) (*http.Response, error) {
		got = append(got, r)
		b := ""
		if r.Body != nil {
			raw, _ := io.ReadAll(r.Body)
			b = string(raw)
		}
		bodies = append(bodies, b)
		return respond(200, nil, `{}`), nil
	}, func(cfg *APIConfig) { cfg.UserAgent = "scrapemcp/test" })
	if _, err := c.do(t.Context(), call{method: "POST", path: "/url-scraper", body: map[string]any{"url": "https://x.example"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.do(t.Context(), call{method: "GET", path: "/map/a b", query: url.Values{"page": {"2"}}}); err != nil {
		t.Fatal(err)
	}
	post, get := got[0], got[1]
	if post.URL.String() != "https://api.test/v1/url-scraper" || bodies[0] != `{"url":"https://x.example"}` {
		t.Errorf("POST %s %s", post.URL, bodies[0])
	}
	for _, r := range got {
		if r.Header.Get("X-API-Key") != "k-123" || r.Header.Get("Accept") != "application/json" || r.Header.Get("User-Agent") != "scrapemcp/test" {
			t.Errorf("%s headers: %v", r.Method, r.Header)
		}
		if strings.Contains(r.URL.String(), "k-123") {
			t.Errorf("the key is in the URL: %s", r.URL)
		}
	}
	if post.Header.Get("Content-Type") != "application/json" || get.Header.Get("Content-Type") != "" {
		t.Errorf("Content-Type: POST %q, GET %q", post.Header.Get("Content-Type"), get.Header.Get("Content-Type"))
	}
	if get.URL.Path != "/v1/map/a b" || get.URL.RawQuery != "page=2" || bodies[1] != "" {
		t.Errorf("GET %s (%s)", get.URL, bodies[1])
	}
}

func TestAPIErrorsAreCompleted(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		body   string
		want   Error
	}{
		{"request id from X-Request-Id", http.Header{"X-Request-Id": {"r1"}}, `{"error":"not_found","message":"Job not found"}`,
			Error{Code: "not_found", Message: "Job not found", RequestID: "r1"}},
		{"request id from Request-Id", http.Header{"Request-Id": {"r2"}}, `{}`, Error{Message: "Not Found", RequestID: "r2"}},
		{"request id from X-Amzn-Requestid", http.Header{"X-Amzn-Requestid": {"r3"}}, `{}`, Error{Message: "Not Found", RequestID: "r3"}},
		{"the body's request id wins", http.Header{"X-Request-Id": {"hdr"}}, `{"error":"x","request_id":"body"}`, Error{Code: "x", Message: "Not Found", RequestID: "body"}},
		{"Retry-After on any status", http.Header{"Retry-After": {"9"}}, `{}`, Error{Message: "Not Found", RetryAfter: 9 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testAPI(t, "k", func(*http.Request) (*http.Response, error) { return respond(404, tt.header, tt.body), nil })
			_, err := c.do(t.Context(), call{method: "GET", path: "/x"})
			e := mustError(t, err)
			tt.want.Provider, tt.want.HTTPStatus = "test", 404
			if e.Provider != tt.want.Provider || e.HTTPStatus != 404 || e.Code != tt.want.Code || e.Message != tt.want.Message ||
				e.RequestID != tt.want.RequestID || e.RetryAfter != tt.want.RetryAfter {
				t.Errorf("\n got %+v\nwant %+v", e, tt.want)
			}
		})
	}
}

func TestTransportErrorsAreClassifiedAndScrubbed(t *testing.T) {
	const key = "sk-CANARY-42"
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"refused", fmt.Errorf("dial tcp 10.0.0.1:443 (key %s): connection refused", key), CodeNetwork},
		{"network timeout", &timeoutErr{"read tcp (key " + key + "): i/o timeout"}, CodeTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testAPI(t, key, func(*http.Request) (*http.Response, error) { return nil, tt.err })
			_, err := c.do(t.Context(), call{method: "GET", path: "/x"})
			e := mustError(t, err)
			if e.Code != tt.code || strings.Contains(e.Message, key) || strings.Contains(e.Error(), key) {
				t.Errorf("got %+v", e)
			}
		})
	}
}

// timeoutErr is a net.Error that timed out, as net/http's read deadlines give.
type timeoutErr struct{ msg string }

func (e *timeoutErr) Error() string { return e.msg }
func (*timeoutErr) Timeout() bool   { return true }
func (*timeoutErr) Temporary() bool { return true }

func TestEchoedKeyIsRedactedAtAnyDepth(t *testing.T) {
	const key = "sk-CANARY-43"
	body := `{"status":"error","error":{"code":"AUTH_EXPIRED","message":"key ` + key + ` expired","field":"` + key + `",
		"details":{"key":"` + key + `","list":["` + key + `",{"k":"` + key + `"}],"n":1}}}`
	c := testAPI(t, key, func(*http.Request) (*http.Response, error) {
		return respond(401, http.Header{"X-Request-Id": {key}}, body), nil
	})
	_, err := c.do(t.Context(), call{method: "GET", path: "/x"})
	e := mustError(t, err)
	if s := fmt.Sprintf("%s %s %s %v", e.Error(), e.Field, e.RequestID, e.Details); strings.Contains(s, key) {
		t.Errorf("the key survived: %s", s)
	}
	if d, _ := e.Details["details"].(map[string]any); d["n"] != 1.0 {
		t.Errorf("non-string details were changed: %v", e.Details)
	}
}

func TestRetriesAreLoggedWithoutTheKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const key = "sk-CANARY-44"
		var logs strings.Builder
		n := 0
		c := testAPI(t, key, func(*http.Request) (*http.Response, error) {
			n++
			if n < 3 {
				return respond(503, nil, `{"error":"service_unavailable","message":"down for `+key+`"}`), nil
			}
			return respond(200, nil, `{}`), nil
		}, func(cfg *APIConfig) {
			cfg.Retry = DefaultRetryPolicy
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		})
		if _, err := c.do(t.Context(), call{method: "GET", path: "/x"}); err != nil {
			t.Fatal(err)
		}
		if strings.Count(logs.String(), "retrying API call") != 2 || strings.Contains(logs.String(), key) {
			t.Errorf("logs:\n%s", logs.String())
		}
	})
}

func TestContextErrorBeforeAnyAttempt(t *testing.T) {
	c := testAPI(t, "k", func(r *http.Request) (*http.Response, error) {
		if err := r.Context().Err(); err != nil {
			return nil, err
		}
		t.Error("a request was sent")
		return respond(200, nil, `{}`), nil
	}, func(cfg *APIConfig) { cfg.SubmitsPerMinute = 1 })
	// Drain the one-token bucket so the submit must wait, then give it no time.
	c.submits.Reserve()
	ctx, cancel := context.WithTimeout(t.Context(), time.Millisecond)
	defer cancel()
	_, err := c.do(ctx, call{method: "POST", path: "/x", submit: true})
	if e := mustError(t, err); e.Code != CodeRateLimitedLocally || e.RetryAfter <= 0 {
		t.Errorf("got %+v", e)
	}
	cancel()
	_, err = c.do(ctx, call{method: "GET", path: "/x"})
	if e := mustError(t, err); !errors.Is(e, context.DeadlineExceeded) && !errors.Is(e, context.Canceled) {
		t.Errorf("got %+v, want the context's error", e)
	}
}

// Users paste base URLs with and without the version path, with and without
// a trailing slash, sometimes behind a proxy prefix; every form reaches the
// same API root.
func TestBaseURLGetsTheAPIVersionPath(t *testing.T) {
	base := func(p Provider) string {
		switch c := p.(type) {
		case *AnakinClient:
			return c.api.base.String()
		case *AlterLabClient:
			return c.api.base.String()
		}
		return ""
	}
	anakin := func(cfg APIConfig) (Provider, error) { return NewAnakin(cfg) }
	alterlab := func(cfg APIConfig) (Provider, error) { return NewAlterLab(cfg) }
	tests := []struct {
		provider string
		open     func(APIConfig) (Provider, error)
		in, want string
	}{
		{"anakin", anakin, "", "https://api.anakin.io/v1"},
		{"anakin", anakin, "https://api.anakin.io", "https://api.anakin.io/v1"},
		{"anakin", anakin, "https://api.anakin.io/v1", "https://api.anakin.io/v1"},
		{"anakin", anakin, "https://api.anakin.io/v1/", "https://api.anakin.io/v1"},
		{"anakin", anakin, "http://127.0.0.1:1234", "http://127.0.0.1:1234/v1"},
		{"anakin", anakin, "http://127.0.0.1:1234/", "http://127.0.0.1:1234/v1"},
		{"anakin", anakin, "http://proxy.internal/anakin", "http://proxy.internal/anakin/v1"},
		{"alterlab", alterlab, "", "https://api.alterlab.io/api/v1"},
		{"alterlab", alterlab, "https://api.alterlab.io", "https://api.alterlab.io/api/v1"},
		{"alterlab", alterlab, "https://api.alterlab.io/", "https://api.alterlab.io/api/v1"},
		{"alterlab", alterlab, "https://api.alterlab.io/api/v1", "https://api.alterlab.io/api/v1"},
		{"alterlab", alterlab, "https://api.alterlab.io/api/v1/", "https://api.alterlab.io/api/v1"},
		{"alterlab", alterlab, "http://127.0.0.1:1234", "http://127.0.0.1:1234/api/v1"},
		{"alterlab", alterlab, "http://proxy.internal/alterlab", "http://proxy.internal/alterlab/api/v1"},
	}
	for _, tt := range tests {
		p, err := tt.open(APIConfig{BaseURL: tt.in, APIKey: "k"})
		if err != nil {
			t.Fatalf("%s %q: %v", tt.provider, tt.in, err)
		}
		if got := base(p); got != tt.want {
			t.Errorf("%s %q → %q, want %q", tt.provider, tt.in, got, tt.want)
		}
	}
	for _, open := range []func(APIConfig) (Provider, error){anakin, alterlab} {
		if _, err := open(APIConfig{BaseURL: "ftp://x", APIKey: "k"}); err == nil {
			t.Error("ftp base URL accepted")
		}
		if _, err := open(APIConfig{}); err == nil {
			t.Error("empty key accepted")
		}
	}
}

// What a proxy or gateway answers in front of either API (an HTML error
// page, plain text, nothing) reads the same for both providers: a short,
// tag-free message an agent can quote.
func TestGatewayBodiesReadTheSameForBothProviders(t *testing.T) {
	decoders := map[string]func(int, http.Header, []byte) *Error{
		Anakin:   decodeAnakinError,
		AlterLab: decodeAlterLabError,
	}
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"html 502 page", 502, `<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>`,
			"502 Bad Gateway nginx"},
		{"plain text 504", 504, "upstream request timeout\n", "Gateway Timeout: upstream request timeout"},
		{"empty body", 503, ``, "Service Unavailable"},
		{"empty object", 500, `{}`, "Internal Server Error"},
		{"JSON that is not an object", 500, `["oops"]`, `Internal Server Error: ["oops"]`},
		{"unknown status", 599, ``, "HTTP 599"},
	}
	page := "<html><body><h1>Bad Gateway</h1><p>" + strings.Repeat("détail ", 200) + "</p><script>alert(1)</script></body></html>"
	for provider, decode := range decoders {
		for _, tt := range tests {
			got := decode(tt.status, http.Header{}, []byte(tt.body))
			if !reflect.DeepEqual(*got, Error{Message: tt.want}) {
				t.Errorf("%s %s:\n got %+v\nwant message %q", provider, tt.name, *got, tt.want)
			}
		}
		got := decode(502, http.Header{}, []byte(page)).Message
		if utf8.RuneCountInString(got) > maxSnippet || strings.ContainsAny(got, "<>") || strings.Contains(got, "alert") || !utf8.ValidString(got) {
			t.Errorf("%s snippet (%d runes): %q", provider, utf8.RuneCountInString(got), got)
		}
		if !strings.HasPrefix(got, "Bad Gateway") || !strings.HasSuffix(got, "…") {
			t.Errorf("%s snippet = %q", provider, got)
		}
	}
}
