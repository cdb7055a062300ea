package main

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"sync"
)

// sseCancels does for the SSE transport what cancelFilter does for stdio:
// mcp-go queues a -32603 "context canceled" error on the event stream for a
// request the client cancelled, which the protocol says must not be sent.
// Each stream gets its own filter, keyed by the session id mcp-go announces
// in the stream's first (endpoint) event; POSTs to /message feed it the
// client's cancellations.
type sseCancels struct {
	mu       sync.Mutex
	sessions map[string]*cancelFilter
}

func newSSECancels() *sseCancels { return &sseCancels{sessions: map[string]*cancelFilter{}} }

// wrap filters h, which serves both /sse and /message.
func (c *sseCancels) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			sw := &sseWriter{ResponseWriter: w, c: c}
			defer sw.end()
			h.ServeHTTP(sw, r)
			return
		}
		// Only sessions a live stream announced are tracked, so a POST with a
		// made-up session id cannot grow the map.
		if f := c.lookup(r.URL.Query().Get("sessionId")); f != nil && r.Body != nil {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			f.observe(body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		h.ServeHTTP(w, r)
	})
}

func (c *sseCancels) lookup(id string) *cancelFilter {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessions[id]
}

// sseWriter is one event stream. mcp-go writes each event with a single
// Write, which is what lets it drop whole events.
type sseWriter struct {
	http.ResponseWriter
	c       *sseCancels
	session string
	f       *cancelFilter
}

var (
	endpointEvent = []byte("event: endpoint\ndata: ")
	messageEvent  = []byte("event: message\ndata: ")
)

func (w *sseWriter) Write(p []byte) (int, error) {
	switch {
	case w.f == nil && bytes.HasPrefix(p, endpointEvent):
		w.register(bytes.TrimSpace(p[len(endpointEvent):]))
	case w.f != nil && bytes.HasPrefix(p, messageEvent):
		if w.f.drop(bytes.TrimSpace(p[len(messageEvent):])) {
			return len(p), nil
		}
	}
	return w.ResponseWriter.Write(p)
}

func (w *sseWriter) register(endpoint []byte) {
	u, err := url.Parse(string(endpoint))
	if err != nil {
		return
	}
	id := u.Query().Get("sessionId")
	if id == "" {
		return
	}
	w.session, w.f = id, newCancelFilter()
	w.c.mu.Lock()
	w.c.sessions[id] = w.f
	w.c.mu.Unlock()
}

func (w *sseWriter) end() {
	if w.session == "" {
		return
	}
	w.c.mu.Lock()
	delete(w.c.sessions, w.session)
	w.c.mu.Unlock()
}

// Flush keeps the stream streaming; mcp-go refuses a writer without it.
func (w *sseWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *sseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
