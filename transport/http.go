package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"golang.org/x/net/netutil"
	"golang.org/x/sync/semaphore"
)

// Limits of the HTTP listeners. They bound what a client that never
// finishes its request can hold: a connection slot, for so long.
const (
	DefaultMaxConns = 1024
	DefaultMaxBody  = 4 << 20 // tool arguments are small
	// DefaultBodyBudget bounds the request bodies held in memory at once,
	// across all connections.
	DefaultBodyBudget = 64 << 20
	// A client has this long to send its headers, then this long to send
	// its body once the headers have been accepted.
	defaultHeaderTimeout = 10 * time.Second
	defaultBodyTimeout   = 30 * time.Second
	// A keep-alive connection with no request is closed after this.
	idleTimeout = 60 * time.Second
	// After in-flight calls have answered, streams get this long to flush.
	flushGrace = 2 * time.Second
)

// HTTPOptions configures HTTP.
type HTTPOptions struct {
	// Transport is "http" (streamable HTTP at /mcp) or "sse" (/sse and /message).
	Transport string
	Addr      string
	// AuthToken, when set, is required as "Authorization: Bearer <token>".
	AuthToken string
	// AllowOrigins widens the Origin check beyond same-origin and loopback
	// pages: exact origins (https://app.example) or "*".
	AllowOrigins []string
	MaxConns     int   // 0 → DefaultMaxConns
	MaxBody      int64 // 0 → DefaultMaxBody
	BodyBudget   int64 // 0 → DefaultBodyBudget
	// Drain and ShutdownTimeout: see StdioOptions.
	Drain           func(context.Context)
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
	// HeaderTimeout and BodyTimeout bound how long a client may take to send
	// its headers, and then its body (0 → 10 s and 30 s).
	HeaderTimeout, BodyTimeout time.Duration
	// Ready, when set, is called with the listening address (useful with
	// port 0).
	Ready func(addr net.Addr)
}

// HTTP serves s on o.Addr until ctx ends, then stops gracefully: it stops
// accepting, lets in-flight calls answer (Drain), closes SSE streams and
// returns nil.
func HTTP(ctx context.Context, s *server.MCPServer, o HTTPOptions) error {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.BodyBudget <= 0 {
		o.BodyBudget = DefaultBodyBudget
	}
	if o.BodyBudget < o.MaxBody {
		o.BodyBudget = o.MaxBody
	}
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = defaultHeaderTimeout
	}
	if o.BodyTimeout <= 0 {
		o.BodyTimeout = defaultBodyTimeout
	}
	h, err := newHandler(s, o)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: o.HeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if o.Ready != nil {
		o.Ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(netutil.LimitListener(ln, o.MaxConns)) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return h.shutdown(srv, o)
}

// handler is the whole HTTP surface of one transport.
type handler struct {
	http.Handler
	sse     *server.SSEServer // nil for streamable HTTP
	streams *sseStreams
	log     *slog.Logger
}

func newHandler(s *server.MCPServer, o HTTPOptions) (*handler, error) {
	h := &handler{log: o.Logger}
	mux := http.NewServeMux()
	switch o.Transport {
	case "http":
		mux.Handle("/mcp", sessionHygiene(o.Logger, server.NewStreamableHTTPServer(s,
			// A fresh session id per client (validated nowhere, so any replica
			// serves it) keeps clients apart: mcp-go keys cancellations by
			// session and request id, and with no id at all one client's
			// notifications/cancelled could stop another's call.
			server.WithSessionIdManager(&server.StatelessGeneratingSessionIdManager{}),
			// No standalone GET stream: in this mode every client would share
			// it, and whoever held it received everyone's progress (job ids
			// included). Progress still arrives on each call's own POST stream.
			server.WithDisableStreaming(true),
			server.WithStreamableHTTPLogger(o.Logger),
		)))
	case "sse":
		h.sse = server.NewSSEServer(s, server.WithUseFullURLForMessageEndpoint(false), server.WithKeepAlive(true))
		h.streams = newSSEStreams()
		filtered := h.streams.wrap(h.sse)
		mux.Handle("/sse", filtered)
		mux.Handle("/message", filtered)
	default:
		return nil, fmt.Errorf("unknown HTTP transport %q", o.Transport)
	}
	var next http.Handler = mux
	next = limitBody(o.MaxBody, o.BodyBudget, o.BodyTimeout, next)
	next = requireToken(o.AuthToken, next)
	next = checkOrigin(o.AllowOrigins, next)
	h.Handler = withHealth(next)
	return h, nil
}

func (h *handler) shutdown(srv *http.Server, o HTTPOptions) error {
	h.log.Info("shutting down: no new connections; waiting for in-flight calls", "timeout", o.ShutdownTimeout.String())
	// Shutdown closes the listeners at once and then waits for every
	// connection to go idle, which happens as in-flight calls answer. It
	// gets no deadline of its own: Drain bounds the calls, and the streams
	// get flushGrace after that.
	sctx, stop := context.WithCancel(context.Background())
	defer stop()
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Shutdown(sctx) }()
	if o.Drain != nil {
		dctx, cancel := context.WithTimeout(context.Background(), o.ShutdownTimeout)
		o.Drain(dctx)
		cancel()
	}
	if h.sse != nil {
		// An SSE call's answer travels on its client's stream: close the
		// streams only once those answers are written.
		waitUntil(flushGrace, h.streams.idle)
		h.sse.CloseSessions()
	}
	// After Drain every call has answered and only writes remain.
	wait := 2 * flushGrace
	if o.Drain == nil {
		wait = o.ShutdownTimeout + flushGrace
	}
	select {
	case <-stopped:
	case <-time.After(wait):
		h.log.Warn("connections still open at the shutdown deadline; closing them")
		stop()
		_ = srv.Close()
	}
	h.log.Info("stopped")
	return nil
}

// waitUntil polls cond until it holds or d has passed.
func waitUntil(d time.Duration, cond func() bool) {
	deadline := time.Now().Add(d)
	for !cond() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}

func withHealth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			// Open to all and cheap: load balancers probe it without a token.
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"status":"ok"}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody bounds what a client may POST, in bytes and in time. The time
// bound is set per request rather than as http.Server.ReadTimeout, which
// would also end long-lived SSE streams that never read again.
//
// Bodies are also held in memory while their request is handled (mcp-go
// reads each whole), so together they draw on one budget: each request
// reserves its Content-Length (the cap when it sends none) until it has been
// answered, and one that cannot reserve within the body timeout is answered
// 503 with Retry-After.
func limitBody(max, budget int64, timeout time.Duration, next http.Handler) http.Handler {
	reserved := semaphore.NewWeighted(budget)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			refuse(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
			weight := r.ContentLength
			if weight < 0 {
				weight = max
			}
			ctx, cancel := context.WithTimeout(r.Context(), timeout)
			err := reserved.Acquire(ctx, weight)
			cancel()
			if err != nil {
				w.Header().Set("Retry-After", strconv.Itoa(int(timeout.Seconds())+1))
				refuse(w, "the server is holding as many request bodies as it allows; retry shortly", http.StatusServiceUnavailable)
				return
			}
			defer reserved.Release(weight)
			rc := http.NewResponseController(w)
			if rc.SetReadDeadline(time.Now().Add(timeout)) == nil {
				r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
			}
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

// deadlineBody lifts the body's read deadline once the body has been read,
// so that the server's watch for a closed connection (a read that starts
// after the body) does not time out and cancel a long call.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !b.done {
		b.done = true
		if !errors.Is(err, io.EOF) {
			return n, err // the deadline stays; the connection is closed
		}
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
