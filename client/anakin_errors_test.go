package client

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/scrapemcp/scrapemcp/client/anakintest"
)

// anakinSeedCatalog is every (status, code) of Anakin's error reference
// (shared/seeds/000_1ae66ca5db764baa.txt, "Error code catalog").
var anakinSeedCatalog = []struct {
	status int
	code   string
}{
	{400, "invalid_request"},
	{400, "invalid_url"},
	{400, "invalid_job_type"},
	{401, "unauthorized"},
	{403, "forbidden"},
	{402, "insufficient_credits"},
	{429, "rate_limit_exceeded"},
	{404, "not_found"},
	{422, "session_not_saved"},
	{409, "session_in_use"},
	{409, "duplicate_name"},
	{500, "server_error"},
	{500, "queue_error"},
	{500, "configuration_error"},
	{500, "internal_error"},
	{500, "search_error"},
	{503, "service_unavailable"},
}

// TestAnakinSeedCatalog sends every documented error through the fake in
// each envelope that carries a code, and checks what the client surfaces.
func TestAnakinSeedCatalog(t *testing.T) {
	envelopes := []struct {
		name string
		env  anakintest.Envelope
		code func(string) string
	}{
		{"flat", anakintest.Flat, func(c string) string { return c }},
		{"flat with code", anakintest.FlatCode, func(c string) string { return c }},
		{"wire", anakintest.Wire, strings.ToUpper},
	}
	for _, sc := range anakinSeedCatalog {
		for _, env := range envelopes {
			t.Run(env.name+"/"+sc.code, func(t *testing.T) {
				s := anakintest.New()
				c, err := NewAnakin(APIConfig{BaseURL: "http://anakin.test", APIKey: anakintest.DefaultKey, HTTPClient: s.Client(),
					SubmitsPerMinute: -1, Retry: RetryPolicy{Base: 1, Cap: 1, MaxAttempts: 1}})
				if err != nil {
					t.Fatal(err)
				}
				code := env.code(sc.code)
				msg := "documented failure " + sc.code
				s.Script(anakintest.RouteScrape, anakintest.Error(sc.status, env.env, code, msg).WithRequestID("req-"+sc.code))
				_, err = c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
				e := mustError(t, err)
				if e.Provider != Anakin || e.HTTPStatus != sc.status || e.Code != code || e.Message != msg || e.RequestID != "req-"+sc.code {
					t.Errorf("got %+v, want %d %s %q with request id", e, sc.status, code, msg)
				}
				assertAnakinGuidance(t, e)
			})
		}
	}
	t.Run("fiber has no code", func(t *testing.T) {
		c, s := fakeAnakin(t)
		s.Script(anakintest.RouteScrape, anakintest.FiberList(400, "url must be a URL address", "depth must not be greater than 5"))
		_, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
		e := mustError(t, err)
		if e.HTTPStatus != 400 || e.Code != "" || e.Message != "url must be a URL address; depth must not be greater than 5" || e.RequestID == "" {
			t.Errorf("got %+v", e)
		}
	})
}

func TestAnakinErrorEnvelopes(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   Error
	}{
		{"flat", 429, nil, `{"error":"rate_limit_exceeded","message":"Too many requests. Please try again later."}`,
			Error{Code: "rate_limit_exceeded", Message: "Too many requests. Please try again later."}},
		{"onboarding: code field wins, error is the message", 400, nil, `{"error":"URL is required","code":"validation_error"}`,
			Error{Code: "validation_error", Message: "URL is required"}},
		{"prose in error with no code", 400, nil, `{"error":"URL is required"}`,
			Error{Message: "URL is required"}},
		{"prose in error next to a message", 500, nil, `{"error":"something broke","message":"Internal error"}`,
			Error{Message: "Internal error", Details: map[string]any{"error": "something broke"}}},
		{"wire keeps balance and required", 402, nil, `{"status":"error","error":{"code":"INSUFFICIENT_CREDITS","message":"You need 5 credits. Current balance: 2","balance":2,"required":5}}`,
			Error{Code: "INSUFFICIENT_CREDITS", Message: "You need 5 credits. Current balance: 2", Details: map[string]any{"balance": 2.0, "required": 5.0}}},
		{"wire connect_url made absolute", 401, nil, `{"status":"error","error":{"code":"AUTH_REQUIRED","message":"This action requires a LinkedIn connection.","connect_url":"/products/holocron/linkedin/connect"}}`,
			Error{Code: "AUTH_REQUIRED", Message: "This action requires a LinkedIn connection.", Details: map[string]any{"connect_url": "https://anakin.io/products/holocron/linkedin/connect"}}},
		{"wire missing_fields names the field", 400, nil, `{"status":"error","error":{"code":"INVALID_PARAMS","message":"missing","missing_fields":["query"]}}`,
			Error{Code: "INVALID_PARAMS", Message: "missing", Field: "query", Details: map[string]any{"missing_fields": []any{"query"}}}},
		{"fiber string", 400, nil, `{"statusCode":400,"message":"Bad Request"}`,
			Error{Message: "Bad Request"}},
		{"fiber list", 400, nil, `{"statusCode":400,"message":["a","b"]}`,
			Error{Message: "a; b"}},
		{"request id in the body", 500, nil, `{"error":"server_error","message":"x","request_id":"r-9"}`,
			Error{Code: "server_error", Message: "x", RequestID: "r-9"}},
		{"keyless trial: body and headers", 402, http.Header{"X-Trial-Credits-Remaining": {"0"}, "X-Anakin-Signup": {"https://anakin.io/signup?ref=h"}},
			`{"error":"insufficient_credits","message":"Free allowance used","trial":{"remaining_credits":0,"signup_url":"https://anakin.io/signup"}}`,
			Error{Code: "insufficient_credits", Message: "Free allowance used", Details: map[string]any{"trial_credits_remaining": 0.0, "signup_url": "https://anakin.io/signup?ref=h"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			got := decodeAnakinError(tt.status, h, []byte(tt.body))
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}
