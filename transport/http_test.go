package transport

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gosdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mark3labs/mcp-go/mcp"
)

func withToken(tok string) http.Header {
	return http.Header{"Authorization": {"Bearer " + tok}}
}

// A client that sends headers without the token and then stalls its body
// is answered 401 at once and disconnected: authentication never waits for
// a body. Meanwhile a token holder is served.
func TestUnauthenticatedSlowBodyIsRefusedBeforeTheBody(t *testing.T) {
	r := startHTTP(t, newTestMCP().MCPServer, HTTPOptions{Transport: "http", AuthToken: "tok", MaxConns: 64})
	const stallers = 40
	var wg sync.WaitGroup
	for range stallers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, br := rawRequest(t, r.base, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
			status, err := br.ReadString('\n')
			if err != nil || !strings.Contains(status, " 401 ") {
				t.Errorf("stalled unauthenticated POST: %q %v", status, err)
				return
			}
			// The server closes the connection: reading reaches EOF instead of
			// waiting for the rest of the body.
			if _, err := io.Copy(io.Discard, br); err != nil {
				t.Errorf("connection not closed after the 401: %v", err)
			}
		}()
	}
	res, msgs := post(t, r.base, withToken("tok"), initMessage("2025-06-18"))
	if res.StatusCode != http.StatusOK || len(msgs) != 1 || msgs[0]["result"] == nil {
		t.Errorf("token holder: %s %v", res.Status, msgs)
	}
	wg.Wait()
}

// Connections that stall in their headers or their body hold a slot only
// until their timeout; with every slot taken, a token holder is served once
// they are closed.
func TestStalledConnectionsAreClosedAndTheSlotsReused(t *testing.T) {
	const slots = 4
	r := startHTTP(t, newTestMCP().MCPServer, HTTPOptions{
		Transport: "http", AuthToken: "tok", MaxConns: slots,
		HeaderTimeout: 300e6, BodyTimeout: 300e6, // 300 ms: the test waits for them to pass
	})
	var wg sync.WaitGroup
	for i := range slots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n" // headers never end
			if i%2 == 1 {
				req = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer tok\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 100000\r\n\r\n{"
			}
			_, br := rawRequest(t, r.base, req)
			// Whatever the server says, it must end the connection.
			if _, err := io.Copy(io.Discard, br); err != nil {
				t.Errorf("stalled connection %d was not closed: %v", i, err)
			}
		}()
	}
	res, msgs := post(t, r.base, withToken("tok"), initMessage("2025-06-18"))
	if res.StatusCode != http.StatusOK || len(msgs) != 1 {
		t.Errorf("token holder after the stallers: %s %v", res.Status, msgs)
	}
	wg.Wait()
}

func TestBearerSchemeIsCaseInsensitiveAndTheTokenExact(t *testing.T) {
	r := startHTTP(t, newTestMCP().MCPServer, HTTPOptions{Transport: "http", AuthToken: "s3cret"})
	for _, tc := range []struct {
		header string
		want   int
	}{
		{"Bearer s3cret", 200},
		{"bearer s3cret", 200},
		{"BEARER  s3cret ", 200},
		{"Bearer s3cre", 401},
		{"Bearer s3cret2", 401},
		{"Basic s3cret", 401},
		{"s3cret", 401},
		{"", 401},
	} {
		res, _ := post(t, r.base, http.Header{"Authorization": {tc.header}}, initMessage("2025-06-18"))
		if res.StatusCode != tc.want {
			t.Errorf("Authorization %q: %d, want %d", tc.header, res.StatusCode, tc.want)
		}
		if tc.want == 401 && !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("Authorization %q: 401 without WWW-Authenticate", tc.header)
		}
	}
}

func TestOriginIsValidated(t *testing.T) {
	for _, tc := range []struct {
		origin string
		allow  []string
		want   int
	}{
		{"", nil, 200},
		{"http://evil.example", nil, 403},
		{"null", nil, 403},
		{"http://localhost:6274", nil, 200}, // the Inspector's UI
		{"http://127.0.0.1:3000", nil, 200},
		{"SAME", nil, 200},
		{"https://app.example", []string{"https://app.example"}, 200},
		{"https://other.example", []string{"https://app.example"}, 403},
		{"https://any.example", []string{"*"}, 200},
	} {
		t.Run(tc.origin, func(t *testing.T) {
			r := startHTTP(t, newTestMCP().MCPServer, HTTPOptions{Transport: "http", AuthToken: "tok", AllowOrigins: tc.allow})
			h := withToken("tok")
			switch tc.origin {
			case "":
			case "SAME":
				h.Set("Origin", r.base)
			default:
				h.Set("Origin", tc.origin)
			}
			res, _ := post(t, r.base, h, initMessage("2025-06-18"))
			if res.StatusCode != tc.want {
				t.Errorf("Origin %q (allow %v): %d, want %d", tc.origin, tc.allow, res.StatusCode, tc.want)
			}
		})
	}
}

func TestHealthzNeedsNoTokenOnEitherTransport(t *testing.T) {
	for _, tr := range []string{"http", "sse"} {
		r := startHTTP(t, newTestMCP().MCPServer, HTTPOptions{Transport: tr, AuthToken: "tok"})
		res, err := http.Get(r.base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(b), "ok") {
			t.Errorf("%s /healthz: %d %s", tr, res.StatusCode, b)
		}
	}
}

func TestExposedAddressNeedsATokenOrAnExplicitOptOut(t *testing.T) {
	for _, tc := range []struct {
		addr, token string
		insecure    bool
		wantErr     bool
		wantWarning bool
	}{
		{"127.0.0.1:8080", "", false, false, false},
		{"localhost:8080", "", false, false, false},
		{"[::1]:8080", "", false, false, false},
		{"0.0.0.0:8080", "", false, true, false},
		{":8080", "", false, true, false},
		{"192.0.2.10:8080", "", false, true, false},
		{"0.0.0.0:8080", "tok", false, false, false},
		{"0.0.0.0:8080", "", true, false, true},
		{"no-port", "", false, true, false},
	} {
		warning, err := CheckExposure(tc.addr, tc.token, tc.insecure)
		if (err != nil) != tc.wantErr || (warning != "") != tc.wantWarning {
			t.Errorf("CheckExposure(%q, token %q, insecure %v) = %q, %v", tc.addr, tc.token, tc.insecure, warning, err)
		}
	}
}

// Two clients of one streamable HTTP server: B's progress (which names its
// job id) reaches B and never A, even while A holds every stream the
// server offers it.
func TestStreamableHTTPClientsNeverSeeEachOthersMessages(t *testing.T) {
	m := newTestMCP()
	r := startHTTP(t, m.MCPServer, HTTPOptions{Transport: "http"})

	// A standalone GET stream would be shared by every client in this mode.
	res, err := http.Get(r.base + "/mcp")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /mcp: %d, want 405", res.StatusCode)
	}

	for _, version := range []string{"2025-06-18", ""} {
		t.Run("version "+version, func(t *testing.T) {
			var mu sync.Mutex
			seenByA := []string{}
			a := connectGoSDK(t, &gosdk.StreamableClientTransport{Endpoint: r.base + "/mcp"}, version, &gosdk.ClientOptions{
				ProgressNotificationHandler: func(_ context.Context, req *gosdk.ProgressNotificationClientRequest) {
					mu.Lock()
					seenByA = append(seenByA, req.Params.Message)
					mu.Unlock()
				},
			})
			var seenByB atomic.Int32
			b := connectGoSDK(t, &gosdk.StreamableClientTransport{Endpoint: r.base + "/mcp"}, version, &gosdk.ClientOptions{
				ProgressNotificationHandler: func(context.Context, *gosdk.ProgressNotificationClientRequest) { seenByB.Add(1) },
			})
			ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
			defer cancel()
			// A is busy with a call of its own while B's progress flows.
			aDone := make(chan error, 1)
			go func() {
				_, err := a.CallTool(ctx, &gosdk.CallToolParams{Name: "block", Arguments: map[string]any{"label": "A"}})
				aDone <- err
			}()
			m.waitStarted(t)
			for i := range 5 {
				p := &gosdk.CallToolParams{Name: "progress", Arguments: map[string]any{"n": 20, "job": fmt.Sprintf("secret-%d", i)}}
				p.SetProgressToken(fmt.Sprintf("b-%d", i))
				if _, err := b.CallTool(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
			m.releaseAll()
			if err := <-aDone; err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seenByA) > 0 {
				t.Errorf("client A received %d of B's notifications, e.g. %q", len(seenByA), seenByA[0])
			}
			if seenByB.Load() == 0 {
				t.Error("client B received none of its own progress")
			}
		})
		m = newTestMCP() // a fresh release channel for the next era
		r = startHTTP(t, m.MCPServer, HTTPOptions{Transport: "http"})
	}
}

// Request ids are small integers every client counts from 1: a
// cancellation from A must not stop B's request with the same id.
func TestCancellationFromOneClientDoesNotStopAnothersCall(t *testing.T) {
	m := newTestMCP()
	r := startHTTP(t, m.MCPServer, HTTPOptions{Transport: "http"})
	a, b := httpSession(t, r.base), httpSession(t, r.base)
	if a.Get("Mcp-Session-Id") == b.Get("Mcp-Session-Id") {
		t.Fatalf("two clients share session id %q", a.Get("Mcp-Session-Id"))
	}
	got := make(chan []map[string]any, 1)
	go func() {
		_, msgs := post(t, r.base, b, callMessage(5, "block", map[string]any{"label": "B"}, nil))
		got <- msgs
	}()
	m.waitStarted(t)
	post(t, r.base, a, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5}}`)
	m.releaseAll()
	msgs := <-got
	if len(msgs) != 1 || !strings.Contains(fmt.Sprint(msgs[0]["result"]), "released") {
		t.Errorf("B's call was stopped by A's cancellation: %v", msgs)
	}
}

// SSE clients of every protocol version the server negotiates can call
// tools; clients of 2026-07-28 name it in a header mcp-go used to hold to
// the streamable HTTP rules.
func TestSSEServesEveryProtocolVersion(t *testing.T) {
	r := startHTTP(t, newTestMCP().MCPServer, HTTPOptions{Transport: "sse"})
	for _, v := range mcp.ValidProtocolVersions {
		t.Run(v, func(t *testing.T) {
			c := dialSSEAt(t, r.base)
			hdr := map[string]string{mcp.HeaderProtocolVersion: v}
			call := callMessage(2, "echo", map[string]any{"text": "hi"}, nil)
			if mcp.IsModernProtocol(v) {
				// No handshake: every request carries its version and client in _meta.
				call = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"},"_meta":{` +
					`"` + mcp.MetaKeyProtocolVersion + `":"` + v + `","` + mcp.MetaKeyClientInfo + `":{"name":"t","version":"0"},"` +
					mcp.MetaKeyClientCapabilities + `":{}}}}`
			} else {
				c.postWith(hdr, initMessage(v))
				if init := c.next(); init["result"] == nil {
					t.Fatalf("initialize at %s: %v", v, init)
				}
				c.postWith(hdr, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
			}
			c.postWith(hdr, call)
			res := c.next()
			if res["error"] != nil || !strings.Contains(fmt.Sprint(res["result"]), "echo:hi") {
				t.Errorf("tools/call at %s: %v", v, res)
			}
		})
	}
}

// The go-sdk client, negotiating each version, over SSE.
func TestGoSDKOverSSEAtEveryVersion(t *testing.T) {
	r := startHTTP(t, newTestMCP().MCPServer, HTTPOptions{Transport: "sse"})
	for _, v := range []string{"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", ""} {
		t.Run("version "+v, func(t *testing.T) {
			cs := connectGoSDK(t, &gosdk.SSEClientTransport{Endpoint: r.base + "/sse"}, v, nil)
			ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
			defer cancel()
			res, err := cs.CallTool(ctx, &gosdk.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "hi"}})
			if err != nil || res.IsError {
				t.Fatalf("call: %v %v", err, res)
			}
		})
	}
}

func connectGoSDK(t *testing.T, tr gosdk.Transport, version string, opts *gosdk.ClientOptions) *gosdk.ClientSession {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := gosdk.NewClient(&gosdk.Implementation{Name: "transport-test", Version: "1"}, opts)
	cs, err := c.Connect(ctx, tr, &gosdk.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		t.Fatalf("connect at %q: %v", version, err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// httpSession initializes a legacy-era client and returns the headers its
// later requests carry.
func httpSession(t *testing.T, base string) http.Header {
	t.Helper()
	res, _ := post(t, base, nil, initMessage("2025-06-18"))
	h := http.Header{"Mcp-Protocol-Version": {"2025-06-18"}}
	if id := res.Header.Get("Mcp-Session-Id"); id != "" {
		h.Set("Mcp-Session-Id", id)
	}
	post(t, base, h, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	return h
}

// The same for clients of protocol 2026-07-28, which have no session at
// all: a cancellation that cannot be tied to a client is not applied (the
// client that wants its call stopped closes the request instead).
func TestModernCancellationCannotStopAnotherClientsCall(t *testing.T) {
	m := newTestMCP()
	r := startHTTP(t, m.MCPServer, HTTPOptions{Transport: "http"})
	const v = "2026-07-28"
	meta := `"_meta":{"` + mcp.MetaKeyProtocolVersion + `":"` + v + `","` + mcp.MetaKeyClientInfo + `":{"name":"t","version":"0"},"` + mcp.MetaKeyClientCapabilities + `":{}}`
	modern := func(method, name string) http.Header {
		h := http.Header{mcp.HeaderProtocolVersion: {v}, mcp.HeaderMethod: {method}}
		if name != "" {
			h.Set(mcp.HeaderName, name)
		}
		return h
	}
	got := make(chan []map[string]any, 1)
	go func() {
		_, msgs := post(t, r.base, modern("tools/call", "block"),
			`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"block","arguments":{"label":"B"},`+meta+`}}`)
		got <- msgs
	}()
	m.waitStarted(t)
	res, _ := post(t, r.base, modern("notifications/cancelled", ""),
		`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5,`+meta+`}}`)
	if res.StatusCode != http.StatusAccepted {
		t.Errorf("cancellation answered %s, want 202", res.Status)
	}
	m.releaseAll()
	msgs := <-got
	if len(msgs) != 1 || !strings.Contains(fmt.Sprint(msgs[0]["result"]), "released") {
		t.Errorf("B's call was stopped by another client's cancellation: %v", msgs)
	}
}

// A client cancelling its own call still stops it, in either era: legacy
// clients by notifications/cancelled in their session, modern ones by
// closing the request.
func TestClientCancellingItsOwnCallStopsIt(t *testing.T) {
	for _, version := range []string{"2025-06-18", ""} {
		t.Run("version "+version, func(t *testing.T) {
			m := newTestMCP()
			r := startHTTP(t, m.MCPServer, HTTPOptions{Transport: "http"})
			cs := connectGoSDK(t, &gosdk.StreamableClientTransport{Endpoint: r.base + "/mcp"}, version, nil)
			ctx, cancel := context.WithCancel(context.Background())
			returned := make(chan struct{})
			go func() {
				_, _ = cs.CallTool(ctx, &gosdk.CallToolParams{Name: "block", Arguments: map[string]any{"label": "own"}})
				close(returned)
			}()
			m.waitStarted(t)
			cancel()
			<-returned
			// The handler ends without being released: only the cancellation
			// can have ended it.
			done := make(chan struct{})
			go func() { m.running.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(hangGuard):
				t.Fatal("the cancelled call kept running on the server")
			}
		})
	}
}

// logging/setLevel reaches mcp-go under one shared session id, so made up
// ids cannot grow mcp-go's per-session level map; other messages keep
// theirs. And a real client's setLevel still succeeds.
func TestSetLevelIsAppliedUnderOneSessionID(t *testing.T) {
	var seen []string
	h := sessionHygiene(slog.New(slog.DiscardHandler), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Mcp-Session-Id"))
		b, _ := io.ReadAll(r.Body)
		if len(b) == 0 {
			t.Error("the body did not reach the server")
		}
	}))
	for _, msg := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"debug"}}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
	} {
		req, _ := http.NewRequest(http.MethodPost, "/mcp", strings.NewReader(msg))
		req.Header.Set("Mcp-Session-Id", "made-up-id")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	if len(seen) != 2 || seen[0] != levelSession || seen[1] != "made-up-id" {
		t.Errorf("session ids seen by the server: %q", seen)
	}

	r := startHTTP(t, newTestMCP().MCPServer, HTTPOptions{Transport: "http"})
	cs := connectGoSDK(t, &gosdk.StreamableClientTransport{Endpoint: r.base + "/mcp"}, "2025-06-18", nil)
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	if err := cs.SetLoggingLevel(ctx, &gosdk.SetLoggingLevelParams{Level: "debug"}); err != nil {
		t.Errorf("setLevel over streamable HTTP: %v", err)
	}
	if _, err := cs.ListTools(ctx, nil); err != nil {
		t.Errorf("the session after setLevel: %v", err)
	}
}

// Request bodies held at once draw on one budget: while a call holds most
// of it, another body waits its body timeout and is answered 503 with
// Retry-After; once the call has answered, bodies are taken again.
func TestRequestBodiesShareOneMemoryBudget(t *testing.T) {
	m := newTestMCP()
	r := startHTTP(t, m.MCPServer, HTTPOptions{Transport: "http", MaxBody: 4096, BodyBudget: 4096, BodyTimeout: 300e6})
	hdr := httpSession(t, r.base)
	held := make(chan []map[string]any, 1)
	go func() {
		_, msgs := post(t, r.base, hdr, callMessage(5, "block", map[string]any{"label": strings.Repeat("x", 3000)}, nil))
		held <- msgs
	}()
	m.waitStarted(t)
	res, _ := post(t, r.base, hdr, callMessage(6, "echo", map[string]any{"text": strings.Repeat("y", 1500)}, nil))
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Errorf("a body past the budget: %s, Retry-After %q; want 503 with Retry-After", res.Status, res.Header.Get("Retry-After"))
	}
	m.releaseAll()
	<-held
	if _, msgs := post(t, r.base, hdr, callMessage(7, "echo", map[string]any{"text": strings.Repeat("y", 1500)}, nil)); len(msgs) != 1 || msgs[0]["result"] == nil {
		t.Errorf("after the call answered: %v", msgs)
	}
}
