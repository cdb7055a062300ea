package alterlabtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scrapemcp/scrapemcp/client/internal/fakehttp"
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
	RouteMap, RouteSearch, RouteSearchJob, RouteSessions, RouteScreenshot}

// DefaultKey is the API key the fake accepts unless WithKey says otherwise.
const DefaultKey = "test-key"

// DefaultBalance is the X-AlterLab-Balance every answer carries.
const DefaultBalance = "$4.20"

// submitRoutes start billed work; the rate limit applies to them.
var submitRoutes = map[string]bool{RouteScrape: true, RouteBatch: true, RouteCrawl: true, RouteMap: true, RouteSearch: true}

// Server is the fake AlterLab API. It is an http.Handler. Its request log
// scripts and reports what each route sees: Script, Count, Bodies, LastBody,
// LastJSON, LastQuery, Statuses and Cancels.
type Server struct {
	key       string
	sessions  []Session
	polls     int
	perMin    int
	pageSize  int
	syncLimit int
	balance   string
	balWarn   string
	now       func() time.Time
	shotBase  string       // WithScreenshotBase
	shotSeq   atomic.Int64 // screenshots handed out
	shots     sync.Map     // their names

	*requestLog
	mux       *http.ServeMux
	done      chan struct{} // closed to release hung handlers
	closeOnce sync.Once
	window    fakehttp.Window // accepted submits, account-wide

	mu    sync.Mutex
	jobs  map[string]*job
	order []string
	seq   int
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
		requestLog: &requestLog{}, jobs: map[string]*job{}}
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
	s.mux.HandleFunc(RouteSessions, s.handleSessions)
	s.mux.HandleFunc(RouteScreenshot, s.handleScreenshot)
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
func (s *Server) Client() *http.Client {
	return fakehttp.Client(s.route, fakehttp.Dispatcher(s.requestLog, s.serve, Fault.connection))
}

// JobIDs lists the jobs created (scrape jobs, batches, crawls, async
// searches), in order. Synchronous scrapes create none.
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
	s.serve(w, r, route, fakehttp.Take(s.requestLog, route))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, route string, f *Fault) {
	body, n := fakehttp.Record(s.requestLog, route, r)
	id := "req_" + jobID(n)
	w.Header().Set("X-Request-Id", id)
	s.limitHeaders(w.Header())
	if s.balance != "" {
		w.Header().Set("X-AlterLab-Balance", s.balance)
	}
	if s.balWarn != "" {
		w.Header().Set("X-AlterLab-Balance-Warning", s.balWarn)
	}

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

// limit is the plan's requests per minute the headers describe.
func (s *Server) limit() int {
	if s.perMin > 0 {
		return s.perMin
	}
	return 60
}

// limitHeaders sets the X-RateLimit-* headers AlterLab sends on every
// answer: the limit, what is left of it, and the Unix time the oldest
// request in the window stops counting.
func (s *Server) limitHeaders(h http.Header) {
	used, reset := s.window.State(s.now())
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.limit()))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(s.limit()-used, 0)))
	h.Set("X-RateLimit-Reset", strconv.FormatInt((reset.UnixNano()+int64(time.Second)-1)/int64(time.Second), 10))
}

// admit applies the sliding-window limit; wait is how long until a slot
// frees when it refuses.
func (s *Server) admit() (wait time.Duration, ok bool) { return s.window.Admit(s.now(), s.perMin) }

// fail writes a fault's answer.
func (s *Server) fail(w http.ResponseWriter, _ *http.Request, f Fault) {
	ct, b := f.body(w.Header().Get("X-Request-Id"))
	fakehttp.Write(w, f.header, ct, f.status, b)
}
