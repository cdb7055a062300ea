package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// bearer adds an Authorization header to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

func TestHTTPRequiresTheBearerTokenWhenSet(t *testing.T) {
	for _, transport := range []string{"http", "sse"} {
		t.Run(transport, func(t *testing.T) {
			u := serve(t, transport, []string{"--auth-token", "s3cret-token"})
			req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
			if transport == "sse" {
				req, _ = http.NewRequest(http.MethodGet, u, nil)
			}
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("no token: status %d, WWW-Authenticate %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
			}

			hc := &http.Client{Transport: bearer{"s3cret-token", http.DefaultTransport}}
			var tr mcp.Transport = &mcp.StreamableClientTransport{Endpoint: u, HTTPClient: hc}
			if transport == "sse" {
				tr = &mcp.SSEClientTransport{Endpoint: u, HTTPClient: hc}
			}
			cs := connect(t, tr, "", nil)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if _, err := cs.ListTools(ctx, nil); err != nil {
				t.Errorf("with the token: %v", err)
			}
		})
	}
}

// The token is only accepted in the header: one in the URL is ignored, so it
// never ends up in access logs.
func TestTokenInURLIsNotAccepted(t *testing.T) {
	u := serve(t, "http", []string{"--auth-token", "s3cret-token"})
	res, err := http.Post(u+"?token=s3cret-token", "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("token in the URL accepted: %d", res.StatusCode)
	}
}

func TestOversizedRequestBodyIsRefused(t *testing.T) {
	u := serve(t, "http", nil)
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"scrape","arguments":{"url":"https://example.com/` + strings.Repeat("a", 5<<20) + `"}}}`
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("5 MB body: status %d, want 413", res.StatusCode)
	}
}

// mcp-go's DNS-rebinding protection stays on: a request to the loopback
// listener naming another host is refused.
func TestDNSRebindingProtectionIsOn(t *testing.T) {
	u := serve(t, "http", nil)
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	req.Host = "evil.example"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Host header: status %d, want 403", res.StatusCode)
	}
}
