package alterlabtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Routes, as Count, Script and Bodies name them.
const (
	RouteScrape      = "POST /api/v1/scrape"
	RouteJob         = "GET /api/v1/jobs/{id}"
	RouteBatch       = "POST /api/v1/batch"
	RouteBatchJob    = "GET /api/v1/batch/{id}"
	RouteCrawl       = "POST /api/v1/crawl"
	RouteCrawlJob    = "GET /api/v1/crawl/{id}"
	RouteCrawlCancel = "DELETE /api/v1/crawl/{id}"
	RouteMap         = "POST /api/v1/map"
	RouteSearch      = "POST /api/v1/search"
	RouteSearchJob   = "GET /api/v1/search/{id}"
)

// Routes lists every route the fake serves.
var Routes = []string{RouteScrape, RouteJob, RouteBatch, RouteBatchJob, RouteCrawl, RouteCrawlJob, RouteCrawlCancel,
	RouteMap, RouteSearch, RouteSearchJob}

// DefaultKey is the API key the fake accepts unless WithKey says otherwise.
const DefaultKey = "test-key"

// DefaultBalance is the X-AlterLab-Balance every answer carries.
const DefaultBalance = "$4.20"

// submitRoutes start billed work; the rate limit applies to them.
var submitRoutes = map[string]bool{RouteScrape: true, RouteBatch: true, RouteCrawl: true, RouteMap: true, RouteSearch: true}

// Server is the fake AlterLab API. It is an http.Handler.
type Server struct {
	key       string
	polls     int
	perMin    int
	pageSize  int
	syncLimit int
	balance   string
	balWarn   string
	now       func() time.Time

	mux       *http.ServeMux
	done      chan struct{} // closed to release hung handlers
	closeOnce sync.Once

	mu      sync.Mutex
	scripts map[string][]Fault
	counts  map[string]int
	bodies  map[string][][]byte
	queries map[string][]url.Values
	jobs    map[string]*job
	order   []string
	window  []time.Time // accepted submits in the last minute, account-wide
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
// Earlier polls answer status queued, then processing (discovering, then
// running for crawls).
func WithPolls(n int) Option { return func(s *Server) { s.polls = max(n, 1) } }

// WithRateLimit allows perMinute accepted submits (all submit routes
// together, as AlterLab limits per key) in any sliding minute; beyond it the
// answer is 429 RATE_LIMIT_EXCEEDED with Retry-After and X-RateLimit-Reset.
// Without it the X-RateLimit-* headers still describe a 60/min plan.
func WithRateLimit(perMinute int) Option { return func(s *Server) { s.perMin = perMinute } }

// WithClock sets the clock for the rate limit and timestamps (default
// time.Now, which is the fake clock inside a synctest bubble).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithPageSize pads every page's markdown to n bytes (see Markdown).
func WithPageSize(n int) Option { return func(s *Server) { s.pageSize = n } }

// WithSyncLimit sets the markdown size above which a scrape is answered 202
// with a job instead of synchronously (default 1 MB), as AlterLab does for
// heavy pages.
func WithSyncLimit(n int) Option { return func(s *Server) { s.syncLimit = n } }

// WithBalance sets X-AlterLab-Balance and X-AlterLab-Balance-Warning ("",
// "low", "critical" or "exhausted") on every answer.
func WithBalance(balance, warning string) Option {
	return func(s *Server) { s.balance, s.balWarn = balance, warning }
}

// New returns a fake AlterLab API.
func New(opts ...Option) *Server {
	s := &Server{key: DefaultKey, polls: 1, syncLimit: 1 << 20, balance: DefaultBalance, now: time.Now, done: make(chan struct{}),
		scripts: map[string][]Fault{}, counts: map[string]int{}, bodies: map[string][][]byte{}, queries: map[string][]url.Values{},
		jobs: map[string]*job{}, answers: map[string]map[int]int{}}
	for _, o := range opts {
		o(s)
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc(RouteScrape, s.handleScrape)
	s.mux.HandleFunc(RouteJob, s.handleJob("scrape"))
	s.mux.HandleFunc(RouteBatch, s.handleBatch)
	s.mux.HandleFunc(RouteBatchJob, s.handleJob("batch"))
	s.mux.HandleFunc(RouteCrawl, s.handleCrawl)
	s.mux.HandleFunc(RouteCrawlJob, s.handleJob("crawl"))
	s.mux.HandleFunc(RouteCrawlCancel, s.handleCancel)
	s.mux.HandleFunc(RouteMap, s.handleMap)
	s.mux.HandleFunc(RouteSearch, s.handleSearch)
	s.mux.HandleFunc(RouteSearchJob, s.handleJob("search"))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, Error(http.StatusNotFound, Detail, "", "Not Found"))
	})
	return s
}

// Start serves the fake on 127.0.0.1 until the test ends and returns the
// base URL a user would configure as ALTERLAB_API_URL: the host, without
// /api/v1, as AlterLab's own clients take it.
func (s *Server) Start(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(func() {
		s.Close()
		srv.Close()
	})
	return srv.URL
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

// LastQuery is the query string of the most recent request on route.
func (s *Server) LastQuery(route string) url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queries[route]
	if len(q) == 0 {
		return nil
	}
	return q[len(q)-1]
}

// Statuses counts the HTTP statuses route has answered, e.g. {200: 100,
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

// JobIDs lists the jobs created (scrape jobs, batches, crawls, async
// searches), in order. Synchronous scrapes create none.
func (s *Server) JobIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.order...)
}

// Cancels lists the cancel calls seen ("DELETE /api/v1/crawl/<id>").
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
	id    string
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
	s.queries[route] = append(s.queries[route], r.URL.Query())
	s.reqs++
	id := "req_" + jobID(s.reqs)
	s.mu.Unlock()
	w.Header().Set("X-Request-Id", id)
	s.limitHeaders(w.Header())
	if s.balance != "" {
		w.Header().Set("X-AlterLab-Balance", s.balance)
	}
	if s.balWarn != "" {
		w.Header().Set("X-AlterLab-Balance-Warning", s.balWarn)
	}

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
		s.hang(r)
		return
	}
	if f != nil && !f.modifies {
		s.fail(w, r, *f)
		return
	}
	switch k := r.Header.Get("X-API-Key"); {
	case k == "":
		s.fail(w, r, Error(http.StatusUnauthorized, Docs, "MISSING_API_KEY", "No API key was provided in the request headers. Include the X-API-Key header."))
		return
	case k != s.key:
		s.fail(w, r, Error(http.StatusUnauthorized, Docs, "INVALID_API_KEY", "The API key provided is invalid, malformed, or has been revoked."))
		return
	}
	if submitRoutes[route] {
		if wait, ok := s.admit(); !ok {
			s.limitHeaders(w.Header())
			s.fail(w, r, RateLimited(strconv.Itoa(int((wait+time.Second-1)/time.Second))))
			return
		}
		s.limitHeaders(w.Header())
	}
	rq := &request{body: body, fault: f, route: route, id: id}
	s.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, rq)))
}

func (s *Server) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.done:
	}
}

// limit is the plan's requests per minute the headers describe.
func (s *Server) limit() int {
	if s.perMin > 0 {
		return s.perMin
	}
	return 60
}

// trim drops submits older than a minute; s.mu must be held.
func (s *Server) trim(now time.Time) {
	for len(s.window) > 0 && !s.window[0].After(now.Add(-time.Minute)) {
		s.window = s.window[1:]
	}
}

// limitHeaders sets the X-RateLimit-* headers AlterLab sends on every
// answer: the limit, what is left of it, and the Unix time the oldest
// request in the window stops counting.
func (s *Server) limitHeaders(h http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.trim(now)
	reset := now.Add(time.Minute)
	if len(s.window) > 0 {
		reset = s.window[0].Add(time.Minute)
	}
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.limit()))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(s.limit()-len(s.window), 0)))
	h.Set("X-RateLimit-Reset", strconv.FormatInt((reset.UnixNano()+int64(time.Second)-1)/int64(time.Second), 10))
}

// admit applies the sliding-window limit; wait is how long until a slot
// frees when it refuses.
func (s *Server) admit() (wait time.Duration, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.trim(now)
	if s.perMin > 0 && len(s.window) >= s.perMin {
		return max(s.window[0].Add(time.Minute).Sub(now), time.Second), false
	}
	s.window = append(s.window, now)
	return 0, true
}

// fail writes a fault's answer.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, f Fault) {
	ct, b := f.body(w.Header().Get("X-Request-Id"))
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
