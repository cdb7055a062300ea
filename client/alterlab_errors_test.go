package client

import (
	"context"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/errmap"
)

// alterlabSeedCatalog is every (status, code) of AlterLab's "Error Codes
// Reference" (shared/seeds/002_9a4e3cc1b4a95694.txt).
var alterlabSeedCatalog = []struct {
	status int
	code   string
}{
	{403, "BLOCKED_BY_ANTIBOT"},
	{403, "CHALLENGE_DETECTED"},
	{504, "TIMEOUT"},
	{413, "CONTENT_TOO_LARGE"},
	{415, "UNSUPPORTED_CONTENT_TYPE"},
	{422, "EXTRACTION_FAILED"},
	{401, "REQUIRES_AUTH"},
	{402, "PAYWALL_DETECTED"},
	{503, "NETWORK_ERROR"},
	{401, "INVALID_API_KEY"},
	{401, "MISSING_API_KEY"},
	{401, "SESSION_EXPIRED"},
	{404, "SESSION_NOT_FOUND"},
	{410, "SESSION_EXPIRED"},
	{400, "SESSION_DOMAIN_MISMATCH"},
	{410, "SESSION_INACTIVE"},
	{429, "SESSION_LIMIT_REACHED"},
	{400, "SESSION_COOKIES_CONFLICT"},
	{402, "INSUFFICIENT_CREDITS"},
	{400, "EXCEEDS_COST_LIMIT"},
	{402, "SUBSCRIPTION_INACTIVE"},
	{429, "RATE_LIMIT_EXCEEDED"},
}

// alterlabWantAction pins the advice DESIGN.md names, keyed by status and
// code: the same code means different things at different statuses, and
// several codes describe the target site rather than our account.
var alterlabWantAction = map[string]errmap.Action{
	"402 INSUFFICIENT_CREDITS":  errmap.TopUpCredits,
	"402 SUBSCRIPTION_INACTIVE": errmap.TopUpCredits,
	"429 RATE_LIMIT_EXCEEDED":   errmap.RetryLater,
	"401 INVALID_API_KEY":       errmap.CheckAPIKey,
	"401 MISSING_API_KEY":       errmap.CheckAPIKey,
	"401 SESSION_EXPIRED":       errmap.CheckAPIKey,
	"410 SESSION_EXPIRED":       errmap.WaitPrerequisite,
	"402 PAYWALL_DETECTED":      errmap.NotAccessible,
	"401 REQUIRES_AUTH":         errmap.NotAccessible,
	"403 BLOCKED_BY_ANTIBOT":    errmap.ChangeStrategy,
	"403 CHALLENGE_DETECTED":    errmap.ChangeStrategy,
	"429 SESSION_LIMIT_REACHED": errmap.ResolveConflict,
	"400 EXCEEDS_COST_LIMIT":    errmap.FixRequest,
}

// assertAlterLabGuidance checks that errmap has specific advice for e: not
// the answer it gives an unknown code at the same status, and the documented
// action where one is pinned.
func assertAlterLabGuidance(t *testing.T, e *Error) errmap.Guidance {
	t.Helper()
	g := errmap.Explain((e))
	fallback := errmap.Explain(&errmap.Error{Provider: e.Provider, Code: "ZZ_NOT_A_DOCUMENTED_CODE", HTTPStatus: e.HTTPStatus})
	if g.Action == fallback.Action && g.Hint == fallback.Hint {
		t.Errorf("%s %d %q: errmap gives only the status fallback (%s)", e.Provider, e.HTTPStatus, e.Code, g.Action)
	}
	if want, ok := alterlabWantAction[strconv.Itoa(e.HTTPStatus)+" "+e.Code]; ok && g.Action != want {
		t.Errorf("%d %q: action %s, want %s", e.HTTPStatus, e.Code, g.Action, want)
	}
	return g
}

// TestAlterLabSeedCatalog sends every documented error through the fake in
// each envelope that carries a code, and checks what the client surfaces and
// what errmap advises.
func TestAlterLabSeedCatalog(t *testing.T) {
	envelopes := []alterlabtest.Envelope{alterlabtest.Docs, alterlabtest.DetailObject, alterlabtest.DetailCode, alterlabtest.Code}
	for _, sc := range alterlabSeedCatalog {
		for _, env := range envelopes {
			t.Run(env.String()+"/"+strconv.Itoa(sc.status)+"_"+sc.code, func(t *testing.T) {
				s := alterlabtest.New()
				c, err := NewAlterLab(APIConfig{BaseURL: "http://alterlab.test", APIKey: alterlabtest.DefaultKey, HTTPClient: s.Client(),
					SubmitsPerMinute: -1, Retry: RetryPolicy{Base: 1, Cap: 1, MaxAttempts: 1}})
				if err != nil {
					t.Fatal(err)
				}
				msg := "documented failure " + sc.code
				s.Script(alterlabtest.RouteScrape, alterlabtest.Error(sc.status, env, sc.code, msg).WithRequestID("req_"+sc.code))
				_, err = c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
				e := mustError(t, err)
				if e.Provider != AlterLab || e.HTTPStatus != sc.status || e.Code != sc.code || e.Message != msg || e.RequestID != "req_"+sc.code {
					t.Errorf("got %+v, want %d %s %q with request id", e, sc.status, sc.code, msg)
				}
				assertAlterLabGuidance(t, e)
			})
		}
	}
	t.Run("the fake knows the same catalog", func(t *testing.T) {
		if len(alterlabtest.Catalog) != len(alterlabSeedCatalog) {
			t.Fatalf("fake has %d entries, seed %d", len(alterlabtest.Catalog), len(alterlabSeedCatalog))
		}
		for i, c := range alterlabtest.Catalog {
			if c.Status != alterlabSeedCatalog[i].status || c.Code != alterlabSeedCatalog[i].code {
				t.Errorf("entry %d: fake %d %s, seed %d %s", i, c.Status, c.Code, alterlabSeedCatalog[i].status, alterlabSeedCatalog[i].code)
			}
		}
	})
	t.Run("through magic URLs", func(t *testing.T) {
		for _, sc := range alterlabSeedCatalog {
			s := alterlabtest.New()
			c, _ := NewAlterLab(APIConfig{BaseURL: "http://alterlab.test", APIKey: alterlabtest.DefaultKey, HTTPClient: s.Client(),
				SubmitsPerMinute: -1, Retry: RetryPolicy{Base: 1, Cap: 1, MaxAttempts: 1}})
			_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/?fake=code:" + sc.code + "@" + strconv.Itoa(sc.status)})
			if e := mustError(t, err); e.HTTPStatus != sc.status || e.Code != sc.code || !strings.HasPrefix(e.RequestID, "req_") {
				t.Errorf("%d %s: got %+v", sc.status, sc.code, e)
			}
		}
	})
}

func TestAlterLabSessionExpiredDependsOnTheStatus(t *testing.T) {
	at401 := errmap.Explain(&errmap.Error{Provider: AlterLab, Code: "SESSION_EXPIRED", HTTPStatus: 401})
	at410 := errmap.Explain(&errmap.Error{Provider: AlterLab, Code: "SESSION_EXPIRED", HTTPStatus: 410})
	if at401.Action == at410.Action {
		t.Errorf("SESSION_EXPIRED gets %s at both 401 and 410", at401.Action)
	}
}

func TestAlterLabErrorEnvelopes(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   Error
	}{
		{"docs envelope; details are flattened", 402, nil,
			`{"error":"INSUFFICIENT_CREDITS","message":"Your account has insufficient balance","request_id":"req_550e","details":{"required_credits":5,"available_credits":2,"estimated_tier":"2"}}`,
			Error{Code: "INSUFFICIENT_CREDITS", Message: "Your account has insufficient balance", RequestID: "req_550e",
				Details: map[string]any{"required_credits": 5.0, "available_credits": 2.0, "estimated_tier": "2"}}},
		{"FastAPI detail string has no code", 400, nil, `{"detail":"Invalid URL format"}`, Error{Message: "Invalid URL format"}},
		{"a detail string that is a code", 402, nil, `{"detail":"INSUFFICIENT_CREDITS"}`, Error{Code: "INSUFFICIENT_CREDITS", Message: "Payment Required"}},
		{"detail object with error; its other keys are details", 403, nil,
			`{"detail":{"error":"BLOCKED_BY_ANTIBOT","message":"blocked","tier":"4","request_id":"req_in"}}`,
			Error{Code: "BLOCKED_BY_ANTIBOT", Message: "blocked", RequestID: "req_in", Details: map[string]any{"tier": "4"}}},
		{"detail object with code", 429, nil, `{"detail":{"code":"SESSION_LIMIT_REACHED","message":"50 sessions"}}`,
			Error{Code: "SESSION_LIMIT_REACHED", Message: "50 sessions"}},
		{"code field with detail text", 400, nil, `{"code":"EXCEEDS_COST_LIMIT","detail":"over max_credits","field":"cost_controls.max_credits"}`,
			Error{Code: "EXCEEDS_COST_LIMIT", Message: "over max_credits", Field: "cost_controls.max_credits"}},
		{"error as an object", 401, nil, `{"error":{"code":"INVALID_API_KEY","message":"revoked"}}`,
			Error{Code: "INVALID_API_KEY", Message: "revoked"}},
		{"prose in error", 404, nil, `{"error":"Not Found"}`, Error{Message: "Not Found"}},
		{"prose in error next to a message", 500, nil, `{"error":"Internal error","message":"worker crashed"}`, Error{Message: "worker crashed"}},
		{"FastAPI validation list names the field", 422, nil,
			`{"detail":[{"loc":["body","url"],"msg":"field required","type":"value_error.missing"}]}`,
			Error{Message: "url: field required", Field: "url", Details: map[string]any{"invalid_fields": []any{"url"}}}},
		{"several validation errors name no field", 422, nil,
			`{"detail":[{"loc":["body","url"],"msg":"field required"},{"loc":["body","timeout"],"msg":"must be ≤ 300"}]}`,
			Error{Message: "url: field required; timeout: must be ≤ 300", Details: map[string]any{"invalid_fields": []any{"url", "timeout"}}}},
		{"504 extras at the top level", 504, nil, `{"detail":"Gateway timeout","credits_status":"reserved","estimated_completion_s":45}`,
			Error{Message: "Gateway timeout", Details: map[string]any{"credits_status": "reserved", "estimated_completion_s": 45.0}}},
		{"504 extras inside detail", 504, nil, `{"detail":{"message":"Gateway timeout","credits_status":"refunded"}}`,
			Error{Message: "Gateway timeout", Details: map[string]any{"credits_status": "refunded"}}},
		{"retry_after in the body", 429, nil, `{"error":"RATE_LIMIT_EXCEEDED","message":"slow down","retry_after":7}`,
			Error{Code: "RATE_LIMIT_EXCEEDED", Message: "slow down", RetryAfter: 7 * time.Second}},
		{"balance headers", 402, http.Header{"X-Alterlab-Balance": {"$0.00"}, "X-Alterlab-Balance-Warning": {"exhausted"}},
			`{"error":"INSUFFICIENT_CREDITS","message":"m"}`,
			Error{Code: "INSUFFICIENT_CREDITS", Message: "m", Details: map[string]any{"balance_warning": "exhausted", "balance": "$0.00"}}},
		{"a healthy balance says nothing", 400, http.Header{"X-Alterlab-Balance": {"$40"}, "X-Alterlab-Balance-Warning": {"ok"}},
			`{"detail":"bad"}`, Error{Message: "bad"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			got := decodeAlterLabError(tt.status, h, []byte(tt.body))
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

// TestAlterLabClientErrorsHaveGuidance covers errors the client makes
// itself, end to end through the fake.
func TestAlterLabClientErrorsHaveGuidance(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		script []alterlabtest.Fault
		action errmap.Action
		check  func(errmap.Guidance) bool
	}{
		{"blocked job: use the browser", "https://example.com/?fake=blocked", nil,
			errmap.ChangeStrategy, func(g errmap.Guidance) bool { return g.SuggestedArguments["use_browser"] == true }},
		{"captcha job", "https://example.com/?fake=captcha", nil, errmap.ChangeStrategy, nil},
		{"dns job", "https://example.com/?fake=dns", nil, errmap.FixRequest, nil},
		{"tls job", "https://example.com/?fake=tls", nil, errmap.FixRequest, nil},
		{"timeout job", "https://example.com/?fake=timeout", nil, errmap.ChangeStrategy, nil},
		{"504 on the submit", "https://example.com/?fake=gateway_timeout", nil,
			"", func(g errmap.Guidance) bool { return g.Action != errmap.RetryLater }},
		{"rate limit outlasting the budget", "https://example.com", []alterlabtest.Fault{alterlabtest.RateLimited("30")},
			errmap.RetryLater, func(g errmap.Guidance) bool { return g.RetryAfterS == 30 }},
		{"session limit is not cured by time", "https://example.com/?fake=session_limit", nil,
			errmap.ResolveConflict, func(g errmap.Guidance) bool { return !g.Retryable }},
		{"invalid argument", "ftp://example.com", nil, errmap.FixRequest, nil},
		{"malformed answer", "https://example.com/?fake=malformed", nil, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, s := fakeAlterLab(t)
				s.Script(alterlabtest.RouteScrape, tt.script...)
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				_, err := c.Scrape(ctx, ScrapeRequest{URL: tt.url})
				e := mustError(t, err)
				g := assertAlterLabGuidance(t, e)
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

func TestAlterLabWrongKeyIsOurs(t *testing.T) {
	s := alterlabtest.New()
	for key, code := range map[string]string{"sk_live_wrong": "INVALID_API_KEY"} {
		c, err := NewAlterLab(APIConfig{BaseURL: "http://alterlab.test", APIKey: key, HTTPClient: s.Client()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
		e := mustError(t, err)
		if e.HTTPStatus != 401 || e.Code != code || e.RequestID == "" {
			t.Errorf("got %+v", e)
		}
		if g := assertAlterLabGuidance(t, e); g.Action != errmap.CheckAPIKey {
			t.Errorf("action %s", g.Action)
		}
	}
	// REQUIRES_AUTH is the same status about the target's login wall.
	c, _ := fakeAlterLab(t)
	_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com/?fake=requires_auth"})
	if g := assertAlterLabGuidance(t, mustError(t, err)); g.Action != errmap.NotAccessible {
		t.Errorf("REQUIRES_AUTH: action %s", g.Action)
	}
}
