package anakintest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scrapemcp/scrapemcp/client/internal/fakehttp"
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

// Server is the fake Anakin API. It is an http.Handler. Its request log
// scripts and reports what each route sees: Script, Count, Bodies, LastBody,
// LastJSON, LastQuery, Statuses and Cancels.
type Server struct {
	key      string
	sessions []Session
	polls    int
	perMin   int
	pageSize int
	shots    string // base of screenshot links (WithScreenshotHost)
	now      func() time.Time

	*requestLog
	mux       *http.ServeMux
	done      chan struct{} // closed to release hung handlers
	closeOnce sync.Once

	mu     sync.Mutex
	jobs   map[string]*job
	order  []string
	window map[string]*fakehttp.Window // per submit route
	seq    int
}

// requestLog is embedded under an unexported name so that its query
// methods (Script, Count, Bodies, …) are the Server's without the log itself
// being a field callers could replace.
type requestLog = fakehttp.Log[Fault]

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
	s := &Server{requestLog: &requestLog{}, key: DefaultKey, polls: 1, now: time.Now, done: make(chan struct{}),
		jobs: map[string]*job{}, window: map[string]*fakehttp.Window{}}
	for r := range submitRoutes {
		s.window[r] = &fakehttp.Window{}
	}
	for _, o := range opts {
		o(s)
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc(RouteScrape, s.handleScrape)
	s.mux.HandleFunc(RouteBatch, s.handleBatch)
	s.mux.HandleFunc(RouteScrapeJob, s.handleJob("scrape", "batch"))
	s.mux.HandleFunc(RouteScreenshot, s.handleScreenshot)
	s.mux.HandleFunc(RouteCrawl, s.handleCrawl)
	s.mux.HandleFunc(RouteCrawlJob, s.handleJob("crawl"))
	s.mux.HandleFunc(RouteMap, s.handleMap)
	s.mux.HandleFunc(RouteMapJob, s.handleJob("map"))
	s.mux.HandleFunc(RouteSearch, s.handleSearch)
	s.mux.HandleFunc(RouteSessions, s.handleSessions)
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
func (s *Server) Client() *http.Client {
	return fakehttp.Client(s.route, fakehttp.Dispatcher(s.requestLog, s.serve, Fault.connection))
}

// JobIDs lists the jobs created, in order.
func (s *Server) JobIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.order...)
}

// route names the request the way Count and Script do.
func (s *Server) route(r *http.Request) string { return fakehttp.Route(s.mux, r) }

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
	s.serve(w, r, route, fakehttp.Take(s.requestLog, route))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, route string, f *Fault) {
	body, n := fakehttp.Record(s.requestLog, route, r)
	w.Header().Set("X-Request-Id", "req-"+strconv.Itoa(n))
	if f != nil && f.conn != fakehttp.Answer {
		fakehttp.Drop(w) // served over a socket, a fault can only drop the connection
		return
	}
	w, done := fakehttp.Tally(s.requestLog, route, w)
	defer done()
	if f != nil && f.hang {
		fakehttp.Hold(r, s.done)
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
	return s.window[route].Admit(s.now(), s.perMin)
}

// fail writes a fault's answer.
func (s *Server) fail(w http.ResponseWriter, _ *http.Request, f Fault) {
	ct, b := f.body()
	fakehttp.Write(w, f.header, ct, f.status, b)
}
