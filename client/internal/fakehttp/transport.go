package fakehttp

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"syscall"
)

// Conn is what a scripted fault does to the connection.
type Conn int

const (
	// Answer serves the request (the fault may still change the answer).
	Answer Conn = iota
	// Refused fails the request before it is written, as a refused dial
	// does. Only the in-memory client can do this.
	Refused
	// Reset serves the request (a submit creates its job), then drops the
	// connection before any answer.
	Reset
)

// Route names a request by the mux pattern that serves it ("GET
// /v1/crawl/{id}"), so that tests script and count by route, not by URL;
// a request no pattern serves is named by its method and path.
func Route(mux *http.ServeMux, r *http.Request) string {
	if _, p := mux.Handler(r); p != "" && p != "/" {
		return p
	}
	return r.Method + " " + r.URL.Path
}

// Drop closes the connection under w, which is all a socket-served
// Refused or Reset fault can do.
func Drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			_ = c.Close()
		}
	}
}

// Hold keeps a Hang fault's request unanswered until the client gives up or
// the fake closes done.
func Hold(r *http.Request, done <-chan struct{}) {
	select {
	case <-r.Context().Done():
	case <-done:
	}
}

// Dispatch pops route's scripted fault (or picks one for r, whose body is
// body) and says what it does to the connection, and how to serve the
// request if it is served at all.
type Dispatch func(route string, r *http.Request, body []byte) (Conn, http.HandlerFunc)

// Dispatcher is the Dispatch of a fake that logs to l and serves with
// serve. conn says what a scripted fault does to the connection and which
// fault the request is then served with. A request no script covers gets
// the fault l's Picker chooses, if it has one.
func Dispatcher[F any](l *Log[F], serve func(w http.ResponseWriter, r *http.Request, route string, f *F), conn func(F) (Conn, F)) Dispatch {
	return func(route string, r *http.Request, body []byte) (Conn, http.HandlerFunc) {
		f := Take(l, route)
		if f == nil {
			f = pick(l, route, r, body)
		}
		c := Answer
		if f != nil {
			var served F
			c, served = conn(*f)
			f = &served
		}
		return c, func(w http.ResponseWriter, r *http.Request) { serve(w, r, route, f) }
	}
}

// Client returns an *http.Client that serves requests in memory, for
// synctest bubbles, where a real socket cannot be used. It behaves as a real
// transport where the client can tell: no dial for a dead context, httptrace
// WroteRequest once the body is read, the context's error when it ends
// during the call.
func Client(route func(*http.Request) string, dispatch Dispatch) *http.Client {
	return &http.Client{Transport: transport{route, dispatch}}
}

type transport struct {
	route    func(*http.Request) string
	dispatch Dispatch
}

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The body is read in memory before anything is decided, so that a
	// Picker can choose by it; the server sees nothing of a refused request.
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
	}
	conn, serve := t.dispatch(t.route(req), req, body)
	if conn == Refused {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	if tr := httptrace.ContextClientTrace(ctx); tr != nil && tr.WroteRequest != nil {
		tr.WroteRequest(httptrace.WroteRequestInfo{})
	}
	r := req.Clone(ctx)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.RemoteAddr, r.RequestURI = "127.0.0.1:40000", req.URL.RequestURI()
	rec := httptest.NewRecorder()
	serve(rec, r)
	if conn == Reset {
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := rec.Result()
	res.Request = req
	return res, nil
}
