package transport

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

// stdioSession runs Stdio over pipes and returns a writer for the client's
// lines and a channel of the server's messages.
type stdioSession struct {
	in   *io.PipeWriter
	msgs chan map[string]any
	stop context.CancelFunc
	errc chan error
}

func startStdio(t *testing.T, m *testMCP, o StdioOptions) *stdioSession {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	s := &stdioSession{in: inW, msgs: make(chan map[string]any, 4096), stop: cancel, errc: make(chan error, 1)}
	go func() {
		s.errc <- Stdio(ctx, m.MCPServer, inR, outW, o)
		outW.Close()
	}()
	go func() {
		defer close(s.msgs)
		sc := bufio.NewScanner(outR)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var msg map[string]any
			if json.Unmarshal(sc.Bytes(), &msg) != nil {
				t.Errorf("stdout carried a line that is not JSON: %q", sc.Text())
				continue
			}
			s.msgs <- msg
		}
	}()
	t.Cleanup(func() { cancel(); inW.Close() })
	return s
}

func (s *stdioSession) send(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

// until collects messages up to and including the answer to id.
func (s *stdioSession) until(t *testing.T, id float64) []map[string]any {
	t.Helper()
	var out []map[string]any
	for {
		select {
		case m, ok := <-s.msgs:
			if !ok {
				t.Fatalf("stdout ended before the answer to %v", id)
			}
			out = append(out, m)
			if m["id"] == id && m["method"] == nil {
				return out
			}
		case <-time.After(hangGuard):
			t.Fatalf("no answer to %v", id)
		}
	}
}

// The progress of a call never follows its result, on any transport. The
// tool sends its last notification right before it returns, which is when
// mcp-go's separate notification writer loses the race.
func TestNoProgressAfterTheResultOnAnyTransport(t *testing.T) {
	const calls = 30
	t.Run("stdio", func(t *testing.T) {
		s := startStdio(t, newTestMCP(), StdioOptions{Workers: 8})
		s.send(t, initMessage("2025-06-18"))
		s.until(t, 1)
		s.send(t, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
		var ids []float64
		for i := range calls {
			id := float64(100 + i)
			ids = append(ids, id)
			s.send(t, callMessage(id, "progress", map[string]any{"n": 20}, id))
		}
		// Answers come in any order; all progress is checked against them.
		var msgs []map[string]any
		got := map[float64]bool{}
		for len(got) < calls {
			m := <-s.msgs
			msgs = append(msgs, m)
			if id, ok := m["id"].(float64); ok {
				got[id] = true
			}
		}
		for _, id := range ids {
			checkProgressFor(t, msgs, id)
		}
	})
	t.Run("sse", func(t *testing.T) {
		r := startHTTP(t, newTestMCP().MCPServer, HTTPOptions{Transport: "sse"})
		c := dialSSEAt(t, r.base)
		c.post(initMessage("2025-06-18"))
		c.next()
		c.post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
		for i := range calls {
			id := float64(100 + i)
			c.post(callMessage(id, "progress", map[string]any{"n": 20}, id))
			var msgs []map[string]any
			for {
				m := c.event()
				msgs = append(msgs, m)
				if m["id"] == id {
					break
				}
			}
			// Progress of this call arriving later shows up before the next
			// call's answer and is caught there.
			checkProgressFor(t, msgs, id)
			if i > 0 {
				checkProgressFor(t, msgs, id-1)
			}
		}
	})
	t.Run("http", func(t *testing.T) {
		r := startHTTP(t, newTestMCP().MCPServer, HTTPOptions{Transport: "http"})
		hdr := httpSession(t, r.base)
		for i := range calls {
			id := float64(100 + i)
			_, msgs := post(t, r.base, hdr, callMessage(id, "progress", map[string]any{"n": 20}, id))
			if n := checkProgressBeforeResult(t, msgs, id); n == 0 {
				t.Errorf("call %v: no progress arrived at all", id)
			}
		}
	})
}

// checkProgressFor fails when a progress notification for token id comes
// after the response with that id.
func checkProgressFor(t *testing.T, msgs []map[string]any, id float64) {
	t.Helper()
	answered := false
	for _, m := range msgs {
		if m["method"] == "notifications/progress" {
			if p, _ := m["params"].(map[string]any); p != nil && p["progressToken"] == id && answered {
				t.Errorf("progress %v of call %v came after its result", p["progress"], id)
			}
			continue
		}
		if m["id"] == id {
			answered = true
		}
	}
}

// A line over the limit is answered with a JSON-RPC error and skipped;
// the server reads on.
func TestOversizedStdioLineIsRefusedAndServingGoesOn(t *testing.T) {
	s := startStdio(t, newTestMCP(), StdioOptions{MaxLine: 1 << 20})
	s.send(t, initMessage("2025-06-18"))
	s.until(t, 1)
	s.send(t, `{"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"name":"echo","arguments":{"text":"`+strings.Repeat("x", 3<<20)+`"}}}`)
	s.send(t, `{"jsonrpc":"2.0","method":"x","params":{"text":"`+strings.Repeat("x", 3<<20)+`"},"id":7}`)
	s.send(t, callMessage(3, "echo", map[string]any{"text": "after"}, nil))
	// The first names its id before its large params, so its refusal
	// answers it; the second names it only after, past what is read.
	refused := map[any]map[string]any{}
	msgs := s.until(t, 3)
	for _, m := range msgs {
		if m["error"] != nil {
			refused[m["id"]] = m
		}
	}
	for _, id := range []any{"big", nil} {
		if m, ok := refused[id]; !ok {
			t.Errorf("no JSON-RPC error with id %v for an oversized line; got %v", id, msgs)
		} else if e, _ := m["error"].(map[string]any); e["code"] != float64(-32600) {
			t.Errorf("error = %v, want code -32600", e)
		}
	}
	if last := msgs[len(msgs)-1]; !strings.Contains(toJSON(last["result"]), "echo:after") {
		t.Errorf("the next request was not served: %v", last)
	}
}

// SIGTERM (a cancelled context) with a call in flight: the call is let
// finish (Drain releases it), its answer is written, and Stdio returns nil.
func TestStdioShutdownAnswersTheCallInFlight(t *testing.T) {
	m := newTestMCP()
	drained := make(chan struct{})
	s := startStdio(t, m, StdioOptions{ShutdownTimeout: time.Second, Drain: func(ctx context.Context) {
		m.drain(ctx)
		close(drained)
	}})
	s.send(t, initMessage("2025-06-18"))
	s.until(t, 1)
	s.send(t, callMessage(2, "block", nil, nil))
	m.waitStarted(t)
	s.stop()
	msgs := s.until(t, 2)
	if got := toJSON(msgs[len(msgs)-1]["result"]); !strings.Contains(got, "released") {
		t.Errorf("the call in flight answered %s", got)
	}
	<-drained
	select {
	case err := <-s.errc:
		if err != nil {
			t.Errorf("Stdio returned %v", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("Stdio did not return after shutdown")
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
