package transport

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// SIGTERM with a call in flight on streamable HTTP: the listener closes at
// once, the call answers (Drain lets it), and HTTP returns nil.
func TestHTTPShutdownAnswersTheCallInFlight(t *testing.T) {
	m := newTestMCP()
	r := startHTTP(t, m.MCPServer, HTTPOptions{Transport: "http", Drain: m.drain, ShutdownTimeout: time.Second})
	got := make(chan []map[string]any, 1)
	hdr := httpSession(t, r.base)
	go func() {
		_, msgs := post(t, r.base, hdr, callMessage(7, "block", nil, nil))
		got <- msgs
	}()
	m.waitStarted(t)
	if err := r.stop(t); err != nil {
		t.Errorf("HTTP returned %v", err)
	}
	msgs := <-got
	if len(msgs) != 1 || !strings.Contains(toJSON(msgs[0]["result"]), "released") {
		t.Errorf("the call in flight got %v", msgs)
	}
	if _, err := http.Get(r.base + "/healthz"); err == nil {
		t.Error("the server still accepts connections after shutdown")
	}
}

// On SSE the answer travels on the client's event stream: it is written
// before the stream is closed.
func TestSSEShutdownAnswersThenClosesTheStream(t *testing.T) {
	m := newTestMCP()
	r := startHTTP(t, m.MCPServer, HTTPOptions{Transport: "sse", Drain: m.drain, ShutdownTimeout: time.Second})
	c := dialSSEAt(t, r.base)
	c.post(initMessage("2024-11-05"))
	c.next()
	c.post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	c.post(callMessage(7, "block", nil, nil))
	m.waitStarted(t)
	stopped := make(chan error, 1)
	go func() { stopped <- r.stop(t) }()
	if res := c.next(); res["id"] != float64(7) || !strings.Contains(toJSON(res["result"]), "released") {
		t.Errorf("the call in flight got %v", res)
	}
	select {
	case _, open := <-c.events:
		if open {
			t.Error("the stream went on after shutdown")
		}
	case <-time.After(hangGuard):
		t.Fatal("the stream was not closed")
	}
	if err := <-stopped; err != nil {
		t.Errorf("HTTP returned %v", err)
	}
}

// Without Drain (or when calls ignore it), shutdown still ends: at the
// deadline, connections are closed and HTTP returns nil.
func TestShutdownEndsEvenWhenACallNeverAnswers(t *testing.T) {
	m := newTestMCP()
	r := startHTTP(t, m.MCPServer, HTTPOptions{Transport: "http", ShutdownTimeout: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hdr := httpSession(t, r.base)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.base+"/mcp", strings.NewReader(callMessage(7, "block", nil, nil)))
		req.Header = hdr.Clone()
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	m.waitStarted(t)
	if err := r.stop(t); err != nil {
		t.Errorf("HTTP returned %v", err)
	}
	m.releaseAll()
}
