package transport

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// hangGuard bounds every wait in these tests: a failure, never a timing
// assertion.
const hangGuard = 30 * time.Second

// testMCP is an MCP server with tools that exercise the transports:
//   - echo answers at once;
//   - progress sends n progress notifications naming a secret job id, then
//     answers;
//   - block waits until released (or cancelled) and says which.
type testMCP struct {
	*server.MCPServer
	started chan string   // block's label, when it starts
	release chan struct{} // closed to let every block call answer
	once    sync.Once
	running sync.WaitGroup // block calls that have not returned
}

func newTestMCP() *testMCP {
	m := &testMCP{
		MCPServer: server.NewMCPServer("t", "0", server.WithToolCapabilities(false), server.WithLogging()),
		started:   make(chan string, 64),
		release:   make(chan struct{}),
	}
	m.AddTool(mcp.NewTool("echo", mcp.WithString("text")), func(ctx context.Context, r mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText("echo:" + r.GetString("text", "")), nil
	})
	m.AddTool(mcp.NewTool("progress", mcp.WithNumber("n"), mcp.WithString("job")), func(ctx context.Context, r mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if meta := r.Params.Meta; meta != nil && meta.ProgressToken != nil {
			srv := server.ServerFromContext(ctx)
			for i := 1; i <= r.GetInt("n", 10); i++ {
				_ = srv.SendNotificationToClient(ctx, string(mcp.MethodNotificationProgress), map[string]any{
					"progressToken": meta.ProgressToken, "progress": i, "message": "crawl job " + r.GetString("job", "") + " running",
				})
			}
		}
		return mcp.NewToolResultText("done"), nil
	})
	m.AddTool(mcp.NewTool("block", mcp.WithString("label")), func(ctx context.Context, r mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		m.running.Add(1)
		defer m.running.Done()
		m.started <- r.GetString("label", "")
		select {
		case <-m.release:
			return mcp.NewToolResultText("released"), nil
		case <-ctx.Done():
			return mcp.NewToolResultText("cancelled"), nil
		}
	})
	return m
}

func (m *testMCP) releaseAll() { m.once.Do(func() { close(m.release) }) }

// drain is a Drain for tests: like the tools' gate, it lets the calls in
// flight answer and returns once they have.
func (m *testMCP) drain(context.Context) {
	m.releaseAll()
	m.running.Wait()
}

func (m *testMCP) waitStarted(t *testing.T) string {
	t.Helper()
	select {
	case l := <-m.started:
		return l
	case <-time.After(hangGuard):
		t.Fatal("the block call never started")
		return ""
	}
}

// running is an HTTP transport serving on a free loopback port.
type running struct {
	base   string // http://127.0.0.1:port
	cancel context.CancelFunc
	errc   chan error
}

func startHTTP(t *testing.T, s *server.MCPServer, o HTTPOptions) *running {
	t.Helper()
	o.Addr = "127.0.0.1:0"
	ready := make(chan net.Addr, 1)
	o.Ready = func(a net.Addr) { ready <- a }
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, errc: make(chan error, 1)}
	go func() { r.errc <- HTTP(ctx, s, o) }()
	select {
	case a := <-ready:
		r.base = "http://" + a.String()
	case err := <-r.errc:
		t.Fatalf("HTTP: %v", err)
	}
	t.Cleanup(func() { _ = r.stop(t) })
	return r
}

// stop cancels the server's context, as SIGTERM does, and returns what
// HTTP returned.
func (r *running) stop(t *testing.T) error {
	r.cancel()
	select {
	case err, ok := <-r.errc:
		if !ok {
			return nil
		}
		close(r.errc)
		return err
	case <-time.After(hangGuard):
		t.Fatal("the server did not stop")
		return nil
	}
}

// rawRequest writes req on a fresh connection and returns the connection
// and a reader over the response.
func rawRequest(t *testing.T, base, req string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(hangGuard))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	return c, bufio.NewReader(c)
}

// post sends one JSON-RPC message to the streamable HTTP endpoint and
// returns the messages of the answer in order (JSON or an SSE stream).
func post(t *testing.T, base string, hdr http.Header, msg string) (*http.Response, []map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(msg))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	res, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	return res, readMessages(t, res)
}

func readMessages(t *testing.T, res *http.Response) []map[string]any {
	t.Helper()
	var out []map[string]any
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data:"); ok {
				var m map[string]any
				if json.Unmarshal([]byte(strings.TrimSpace(data)), &m) == nil {
					out = append(out, m)
				}
			}
		}
		return out
	}
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	if json.Unmarshal(b, &m) == nil {
		out = append(out, m)
	}
	return out
}

func initMessage(version string) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":%q,"capabilities":{},"clientInfo":{"name":"t","version":"0"}}}`, version)
}

func callMessage(id any, tool string, args map[string]any, token any) string {
	params := map[string]any{"name": tool, "arguments": args}
	if token != nil {
		params["_meta"] = map[string]any{"progressToken": token}
	}
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params})
	return string(b)
}

// checkProgressBeforeResult fails when a progress notification follows the
// response to its request.
func checkProgressBeforeResult(t *testing.T, msgs []map[string]any, id float64) (progress int) {
	t.Helper()
	answered := false
	for _, m := range msgs {
		switch {
		case m["method"] == "notifications/progress":
			if answered {
				t.Errorf("a progress notification came after the result: %v", m)
			}
			progress++
		case m["id"] == id:
			answered = true
		}
	}
	if !answered {
		t.Errorf("no result for request %v among %d messages", id, len(msgs))
	}
	return progress
}
