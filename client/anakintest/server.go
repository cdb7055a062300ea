package anakintest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Routes, as Count, Script and Bodies name them.
const (
	RouteScrape    = "POST /v1/url-scraper"
	RouteBatch     = "POST /v1/url-scraper/batch"
	RouteScrapeJob = "GET /v1/url-scraper/{id}"
	RouteCrawl     = "POST /v1/crawl"
	RouteCrawlJob  = "GET /v1/crawl/{id}"
	RouteMap       = "POST /v1/map"
	RouteMapJob    = "GET /v1/map/{id}"
	RouteSearch    = "POST /v1/search"
)

// DefaultKey is the API key the fake accepts unless WithKey says otherwise.
const DefaultKey = "test-key"

// submitRoutes start billed work; the rate limit applies to them.
var submitRoutes = map[string]bool{RouteScrape: true, RouteBatch: true, RouteCrawl: true, RouteMap: true, RouteSearch: true}

// Server is the fake Anakin API. It is an http.Handler.
type Server struct {
	key      string
	polls    int
	perMin   int
	pageSize int
	now      func() time.Time

	mux       *http.ServeMux
	done      chan struct{} // closed to release hung handlers
	closeOnce sync.Once

	mu      sync.Mutex
	scripts map[string][]Fault
	counts  map[string]int
	bodies  map[string][][]byte
	jobs    map[string]*job
	order   []string
	window  map[string][]time.Time
	cancels []string
	answers map[string]map[int]int
	seq     int
	reqs    int
}

// Option configures a Server.
type Option func(*Server)

// WithKey sets the accepted API key (default DefaultKey).
func WithKey(k string) Option { return func(s *Server) { s.key = k } }

// WithPolls sets on which poll a job completes (default 1: the first poll).
// Earlier polls answer 202 pending, then processing.
func WithPolls(n int) Option { return func(s *Server) { s.polls = max(n, 1) } }

// WithRateLimit allows perMinute accepted requests per submit route in any
// sliding minute; beyond it the answer is 429 rate_limit_exceeded with
// Retry-After until the oldest one leaves the window.
func WithRateLimit(perMinute int) Option { return func(s *Server) { s.perMin = perMinute } }

// WithClock sets the clock for the rate limit and timestamps (default
// time.Now, which is the fake clock inside a synctest bubble).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithPageSize pads every page's markdown to n bytes (see Markdown).
func WithPageSize(n int) Option { return func(s *Server) { s.pageSize = n } }

// New returns a fake Anakin API.
func New(opts ...Option) *Server {
	s := &Server{key: DefaultKey, polls: 1, now: time.Now, done: make(chan struct{}),
		scripts: map[string][]Fault{}, counts: map[string]int{}, bodies: map[string][][]byte{},
		jobs: map[string]*job{}, window: map[string][]time.Time{}, answers: map[string]map[int]int{}}
	for _, o := range opts {
		o(s)
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc(RouteScrape, s.handleScrape)
	s.mux.HandleFunc(RouteBatch, s.handleBatch)
	s.mux.HandleFunc(RouteScrapeJob, s.handleJob("scrape", "batch"))
	s.mux.HandleFunc(RouteCrawl, s.handleCrawl)
	s.mux.HandleFunc(RouteCrawlJob, s.handleJob("crawl"))
	s.mux.HandleFunc(RouteMap, s.handleMap)
	s.mux.HandleFunc(RouteMapJob, s.handleJob("map"))
	s.mux.HandleFunc(RouteSearch, s.handleSearch)
	for _, p := range []string{"DELETE /v1/url-scraper/{id}", "DELETE /v1/crawl/{id}", "POST /v1/crawl/{id}/cancel", "POST /v1/url-scraper/{id}/cancel"} {
		s.mux.HandleFunc(p, s.handleCancel)
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, Error(http.StatusNotFound, Flat, "not_found", "Cannot "+r.Method+" "+r.URL.Path))
	})
	return s
}

// Start serves the fake on 127.0.0.1 until the test ends and returns the
// base URL a user would configure (ending in /v1).
func (s *Server) Start(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(func() {
		s.Close()
		srv.Close()
	})
	return srv.URL + "/v1"
}

// Close releases requests held by Hang faults.
func (s *Server) Close() { s.closeOnce.Do(func() { close(s.done) }) }

// Client returns an *http.Client that calls the handler in memory. Use it in
// synctest bubbles. It reports the request as written (httptrace
// WroteRequest) once the body is read, as a real transport would.
func (s *Server) Client() *http.Client { return &http.Client{Transport: transport{s}} }

// Script queues faults for route (e.g. RouteScrape), one per request.
func (s *Server) Script(route string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[route] = append(s.scripts[route], faults...)
}

// Count is how many requests route has received, whatever their answer.
func (s *Server) Count(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[route]
}

// Bodies returns every request body route received, in order.
func (s *Server) Bodies(route string) [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.bodies[route]...)
}

// LastBody is the most recent request body on route, or nil.
func (s *Server) LastBody(route string) []byte {
	b := s.Bodies(route)
	if len(b) == 0 {
		return nil
	}
	return b[len(b)-1]
}

// LastJSON decodes LastBody as a JSON object (nil if none or not an object).
func (s *Server) LastJSON(route string) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(s.LastBody(route), &m)
	return m
}

// Statuses counts the HTTP statuses route has answered, e.g. {202: 100,
// 429: 4}. Requests dropped or hung by a fault have none.
func (s *Server) Statuses(route string) map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int]int{}
	for k, v := range s.answers[route] {
		out[k] = v
	}
	return out
}

// JobIDs lists the jobs created, in order.
func (s *Server) JobIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.order...)
}

// Cancels lists the cancel attempts seen ("DELETE /v1/crawl/<id>").
func (s *Server) Cancels() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cancels...)
}

// route names the request the way Count and Script do.
func (s *Server) route(r *http.Request) string {
	if _, p := s.mux.Handler(r); p != "" && p != "/" {
		return p
	}
	return r.Method + " " + r.URL.Path
}

// take counts the request and pops its scripted fault, if any.
func (s *Server) take(route string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[route]++
	q := s.scripts[route]
	if len(q) == 0 {
		return nil
	}
	f := q[0]
	s.scripts[route] = q[1:]
	return &f
}

type ctxKey struct{}

// request is what ServeHTTP hands the route handlers.
type request struct {
	body  []byte
	fault *Fault // a job modifier, when one was scripted
	route string
}

func from(r *http.Request) *request {
	if rq, ok := r.Context().Value(ctxKey{}).(*request); ok {
		return rq
	}
	return &request{}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route := s.route(r)
	s.serve(w, r, route, s.take(route))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, route string, f *Fault) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	s.mu.Lock()
	s.bodies[route] = append(s.bodies[route], body)
	s.reqs++
	w.Header().Set("X-Request-Id", "req-"+strconv.Itoa(s.reqs))
	s.mu.Unlock()

	if f != nil && f.conn != "" {
		// Served over a socket, both kinds can only drop the connection.
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				_ = c.Close()
			}
		}
		return
	}
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		if sw.status != 0 {
			s.mu.Lock()
			if s.answers[route] == nil {
				s.answers[route] = map[int]int{}
			}
			s.answers[route][sw.status]++
			s.mu.Unlock()
		}
	}()
	w = sw
	if f != nil && f.hang {
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	}
	if f != nil && !f.modifies {
		s.fail(w, r, *f)
		return
	}
	if !s.authorized(r) {
		s.fail(w, r, Error(http.StatusUnauthorized, Flat, "unauthorized", "Invalid or missing API key"))
		return
	}
	if submitRoutes[route] {
		if wait, ok := s.admit(route); !ok {
			s.fail(w, r, RateLimited(strconv.Itoa(int((wait+time.Second-1)/time.Second))))
			return
		}
	}
	rq := &request{body: body, fault: f, route: route}
	s.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, rq)))
}

// authorized accepts the key under X-API-Key or the documented aliases.
func (s *Server) authorized(r *http.Request) bool {
	for _, h := range []string{"X-API-Key", "Api-Key", "X-Access-Key", "apikey", "api_key"} {
		if v := r.Header.Get(h); v != "" {
			return v == s.key
		}
	}
	a := r.Header.Get("Authorization")
	return a != "" && strings.TrimSpace(strings.TrimPrefix(a, "Bearer ")) == s.key
}

// admit applies the sliding-window limit to route; wait is how long until a
// slot frees when it refuses.
func (s *Server) admit(route string) (wait time.Duration, ok bool) {
	if s.perMin <= 0 {
		return 0, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	w := s.window[route]
	for len(w) > 0 && !w[0].After(now.Add(-time.Minute)) {
		w = w[1:]
	}
	if len(w) >= s.perMin {
		s.window[route] = w
		return max(w[0].Add(time.Minute).Sub(now), time.Second), false
	}
	s.window[route] = append(w, now)
	return 0, true
}

// fail writes a fault's answer.
func (s *Server) fail(w http.ResponseWriter, _ *http.Request, f Fault) {
	ct, b := f.body()
	for k, vs := range f.header {
		w.Header()[k] = append([]string(nil), vs...)
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(f.status)
	_, _ = w.Write(b)
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// statusWriter remembers the status written, for Statuses.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// transport is Client()'s RoundTripper.
type transport struct{ s *Server }

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	s := t.s
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err // a real transport does not dial for a dead context
	}
	route := s.route(req)
	f := s.take(route)
	if f != nil && f.conn == "refused" {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
	}
	if tr := httptrace.ContextClientTrace(ctx); tr != nil && tr.WroteRequest != nil {
		tr.WroteRequest(httptrace.WroteRequestInfo{})
	}
	r := req.Clone(ctx)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.RemoteAddr, r.RequestURI = "127.0.0.1:40000", req.URL.RequestURI()
	rec := httptest.NewRecorder()
	if f != nil && f.conn == "reset" {
		served := *f
		served.conn = ""
		served.modifies = true // served normally, the answer is lost
		s.serve(rec, r, route, &served)
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	}
	s.serve(rec, r, route, f)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := rec.Result()
	res.Request = req
	return res, nil
}
