package transport

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// sseClient is a raw SSE client: it reads the event stream line by line so
// the test sees exactly what mcp-go wrote, including what a real client
// would silently drop.
type sseClient struct {
	t       *testing.T
	base    string
	message string
	events  chan map[string]any
}

func dialSSE(t *testing.T, h http.Handler) *sseClient {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return dialSSEAt(t, srv.URL)
}

func dialSSEAt(t *testing.T, base string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/sse", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	c := &sseClient{t: t, base: base, events: make(chan map[string]any, 1024)}
	endpoint := make(chan string, 1)
	go func() {
		defer res.Body.Close()
		defer close(c.events)
		sc := bufio.NewScanner(res.Body)
		event := ""
		for sc.Scan() {
			line := strings.TrimRight(sc.Text(), "\r")
			switch {
			case strings.HasPrefix(line, "event:"):
				event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				data := strings.TrimSpace(strings.TrimPrefix(line, "data:"))
				if event == "endpoint" {
					endpoint <- data
					continue
				}
				var m map[string]any
				if json.Unmarshal([]byte(data), &m) == nil {
					c.events <- m
				}
			}
		}
	}()
	select {
	case c.message = <-endpoint:
	case <-time.After(10 * time.Second):
		t.Fatal("no endpoint event")
	}
	return c
}

func (c *sseClient) post(msg string) { c.t.Helper(); c.postWith(nil, msg) }

func (c *sseClient) postWith(hdr map[string]string, msg string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+c.message, strings.NewReader(msg))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode >= 300 {
		c.t.Fatalf("POST %s: %s", msg, res.Status)
	}
}

// event returns the next message event, whatever it is.
func (c *sseClient) event() map[string]any {
	c.t.Helper()
	select {
	case m, ok := <-c.events:
		if !ok {
			c.t.Fatal("event stream ended")
		}
		return m
	case <-time.After(20 * time.Second):
		c.t.Fatal("no event on the stream")
		return nil
	}
}

// next returns the next event that answers a request (skipping pings and
// notifications).
func (c *sseClient) next() map[string]any {
	c.t.Helper()
	for {
		select {
		case m, ok := <-c.events:
			if !ok {
				c.t.Fatal("event stream ended")
			}
			if _, isReq := m["method"]; !isReq {
				return m
			}
		case <-time.After(20 * time.Second):
			c.t.Fatal("no answer on the event stream")
		}
	}
}

// blocker is a server with a tool that waits until its call is cancelled.
// started and returned let the test follow the call: mcp-go handles each
// POST in its own goroutine, so a cancellation sent before the call has
// started would find nothing to cancel.
type blocker struct {
	h        *server.SSEServer
	started  chan struct{}
	returned chan struct{}
}

func blockingServer() *blocker {
	b := &blocker{started: make(chan struct{}, 1), returned: make(chan struct{}, 1)}
	s := server.NewMCPServer("t", "0")
	s.AddTool(mcp.NewTool("block"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		b.started <- struct{}{}
		<-ctx.Done()
		defer func() { b.returned <- struct{}{} }()
		return nil, ctx.Err()
	})
	b.h = server.NewSSEServer(s, server.WithUseFullURLForMessageEndpoint(false))
	return b
}

// wait fails the test rather than hang it when ch stays empty.
func wait(t *testing.T, ch chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("the blocking call never %s", what)
	}
}

const (
	initMsg   = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}`
	blockMsg  = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"block","arguments":{}}}`
	cancelMsg = `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"user"}}`
)

// cancelThenPing cancels request 7 and returns the ids of the answers that
// arrive up to and including the answer to a later ping.
func cancelThenPing(t *testing.T, b *blocker, h http.Handler) []any {
	c := dialSSE(t, h)
	c.post(initMsg)
	c.next()
	c.post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	c.post(blockMsg)
	wait(t, b.started, "started")
	c.post(cancelMsg)
	wait(t, b.returned, "returned after its cancellation")
	// The error for 7 is queued as soon as its handler returns; two round
	// trips later it has had every chance to reach the stream.
	var ids []any
	for _, id := range []int{8, 9} {
		c.post(`{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"ping"}`)
		for {
			m := c.next()
			ids = append(ids, m["id"])
			if m["id"] == float64(id) {
				break
			}
		}
	}
	return ids
}

func TestSSECancelledRequestGetsNoErrorEvent(t *testing.T) {
	b := blockingServer()
	ids := cancelThenPing(t, b, newSSEStreams().wrap(b.h))
	for _, id := range ids {
		if id == float64(7) {
			t.Fatalf("an answer to cancelled request 7 was sent; answers: %v", ids)
		}
	}
}

// The filter only matters if mcp-go sends the error; if a new mcp-go stops
// doing so, this says the filter can go.
func TestSSEWithoutFilterMCPGoAnswersCancelledRequests(t *testing.T) {
	b := blockingServer()
	ids := cancelThenPing(t, b, b.h)
	for _, id := range ids {
		if id == float64(7) {
			return
		}
	}
	t.Skipf("mcp-go did not answer the cancelled request (answers %v); the SSE filter may be unnecessary now", ids)
}

func TestSSEFilterForgetsEndedStreamsAndUnknownSessions(t *testing.T) {
	b := blockingServer()
	c := newSSEStreams()
	t.Run("stream", func(t *testing.T) { cancelThenPing(t, b, c.wrap(b.h)) })
	// The subtest's cleanup closed its server, which waits for the stream's
	// handler to return.
	srv := httptest.NewServer(c.wrap(b.h))
	defer srv.Close()
	res, err := http.Post(srv.URL+"/message?sessionId=made-up", "application/json", strings.NewReader(cancelMsg))
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.sessions) != 0 {
		t.Errorf("sessions still tracked: %v", c.sessions)
	}
}
