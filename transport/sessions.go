package transport

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"

	"github.com/mark3labs/mcp-go/server"
)

// sessionHygiene keeps mcp-go's per-session bookkeeping from being steered
// by clients on streamable HTTP, where session ids are minted but validated
// nowhere (so that any replica serves any client):
//
//   - After initialize, mcp-go registers a persistent session under the new
//     id and keeps it until the client sends DELETE, which most never do:
//     every initialize left ~12 KB behind for good. And every later POST with
//     that id shared the session's one notification channel, so a client's
//     concurrent calls received each other's progress, some of it after
//     their result. The session is ended as soon as initialize has been
//     answered (before the answer is released to the client); later POSTs
//     get a session of their own each, with the id still naming the client.
//   - A notifications/cancelled that names no session is acknowledged, not
//     applied. mcp-go keys in-flight requests by session and request id, and
//     clients of protocol 2026-07-28 (or any without a session id) all share
//     the empty session: client A's cancellation of its request 5 would stop
//     client B's request 5. Such clients stop a call by closing its request,
//     which cancels it alone.
//   - logging/setLevel is applied under one shared session id instead of
//     the client's. mcp-go keeps the level per session id in a map nothing
//     prunes, so a client could grow it with made-up ids; scrapemcp sends no
//     log messages to clients, so the level has nothing to steer.
func sessionHygiene(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body) // bounded by limitBody
		if err != nil {
			http.Error(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		switch method(body) {
		case "initialize":
			initialize(log, next, w, r)
			return
		case "notifications/cancelled":
			if r.Header.Get(server.HeaderKeySessionID) == "" {
				w.WriteHeader(http.StatusAccepted)
				return
			}
		case "logging/setLevel":
			r.Header.Set(server.HeaderKeySessionID, levelSession)
		}
		next.ServeHTTP(w, r)
	})
}

// levelSession has the form mcp-go's session id manager accepts.
const levelSession = "mcp-session-00000000-0000-0000-0000-000000000000"

// initialize lets mcp-go answer an initialize into a buffer, ends the
// session mcp-go registered for it (what a DELETE does), and only then
// releases the answer, so no request of the client can meet the
// registered session.
func initialize(log *slog.Logger, next http.Handler, w http.ResponseWriter, r *http.Request) {
	buf := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	next.ServeHTTP(buf, r)
	if id := buf.header.Get(server.HeaderKeySessionID); id != "" {
		del, _ := http.NewRequestWithContext(r.Context(), http.MethodDelete, r.URL.String(), nil)
		del.Host, del.RemoteAddr = r.Host, r.RemoteAddr // mcp-go's DNS-rebinding check reads them
		del.Header.Set(server.HeaderKeySessionID, id)
		if v := r.Header.Get("Mcp-Protocol-Version"); v != "" {
			del.Header.Set("Mcp-Protocol-Version", v)
		}
		ended := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(ended, del)
		if ended.status != http.StatusOK {
			log.Warn("could not end the session registered by initialize", "status", ended.status, "body", ended.body.String())
		}
	}
	for k, vs := range buf.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(buf.status)
	_, _ = w.Write(buf.body.Bytes())
}

// bufferedResponse holds an answer until it may go out. It does not
// stream (no Flush), so mcp-go answers with plain JSON.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }

var watched = [][]byte{[]byte(`"initialize"`), []byte(`"notifications/cancelled"`), []byte(`"logging/setLevel"`)}

// method is a JSON-RPC message's method, read only when the body mentions
// one of the methods sessionHygiene cares about.
func method(body []byte) string {
	found := false
	for _, m := range watched {
		found = found || bytes.Contains(body, m)
	}
	if !found {
		return ""
	}
	var m struct {
		Method string `json:"method"`
	}
	_ = json.Unmarshal(body, &m)
	return m.Method
}
