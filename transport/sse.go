package transport

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
)

// sseStreams applies a filter per SSE session: mcp-go writes a session's
// responses and notifications to its event stream from different
// goroutines (see filter). Each stream's filter is keyed by the session id
// mcp-go announces in the stream's first (endpoint) event; POSTs to
// /message show it the client's messages.
type sseStreams struct {
	mu       sync.Mutex
	sessions map[string]*filter
}

func newSSEStreams() *sseStreams { return &sseStreams{sessions: map[string]*filter{}} }

// wrap filters h, which serves both the stream and the message endpoint.
func (c *sseStreams) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			sw := &sseWriter{ResponseWriter: w, c: c}
			defer sw.end()
			h.ServeHTTP(sw, r)
			return
		}
		// mcp-go checks the Mcp-Method/Mcp-Name headers of protocol
		// 2026-07-28 on any request that names its protocol version, but
		// those headers belong to streamable HTTP: SSE clients of that
		// version do not send them and every call failed with -32020. The
		// version is negotiated in the messages themselves on SSE.
		r.Header.Del(mcp.HeaderProtocolVersion)
		// Only sessions a live stream announced are tracked, so a POST with a
		// made-up session id cannot grow the map.
		if f := c.lookup(r.URL.Query().Get("sessionId")); f != nil && r.Body != nil {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
				return
			}
			f.observe(body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		h.ServeHTTP(w, r)
	})
}

func (c *sseStreams) lookup(id string) *filter {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessions[id]
}

// sseWriter is one event stream. mcp-go writes each event with a single
// Write, which is what lets it drop whole events.
type sseWriter struct {
	http.ResponseWriter
	c       *sseStreams
	session string
	f       *filter
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
	w.session, w.f = id, newFilter()
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

// idle reports whether every stream has answered every request it saw.
func (c *sseStreams) idle() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.sessions {
		if n, _ := f.size(); n > 0 {
			return false
		}
	}
	return true
}
