package alterlabtest

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/scrapemcp/scrapemcp/client/internal/fakehttp"
)

// Envelope is one of the error body shapes AlterLab's docs and clients use.
type Envelope int

const (
	// Docs is {"error": CODE, "message": msg, "request_id": id, "details": {…}},
	// the documented shape.
	Docs Envelope = iota
	// Detail is FastAPI's {"detail": msg}; it has no code.
	Detail
	// DetailObject is {"detail": {"error": CODE, "message": msg, …details}}.
	DetailObject
	// DetailCode is {"detail": {"code": CODE, "message": msg, …details}}.
	DetailCode
	// Code is {"code": CODE, "message": msg, …details}, as the Node SDK reads it.
	Code
	// Validation is FastAPI's {"detail": [{"loc": ["body", field], "msg": msg,
	// "type": "value_error"}]}; build it with ValidationError.
	Validation
)

// Envelopes lists every shape, for table tests.
var Envelopes = []Envelope{Docs, Detail, DetailObject, DetailCode, Code, Validation}

func (e Envelope) String() string {
	return [...]string{"docs", "detail", "detail_object", "detail_code", "code", "validation"}[e]
}

// Fault is one scripted answer or behaviour change. Build it with the
// constructors below; the With* methods add headers and details.
type Fault struct {
	status   int
	env      Envelope
	code     string
	message  string
	field    string
	details  map[string]any
	raw      *string
	header   http.Header
	hang     bool
	conn     fakehttp.Conn
	accept   int // create the job, then answer this status
	async    bool
	pending  bool
	fail     string
	idField  string
	polls    int
	lasts    time.Duration
	modifies bool // a job modifier: the request is otherwise served normally
}

// Error answers status with code and message in the given envelope.
func Error(status int, env Envelope, code, message string) Fault {
	return Fault{status: status, env: env, code: code, message: message}
}

// ValidationError answers 422 in FastAPI's validation shape for field.
func ValidationError(field, message string) Fault {
	return Fault{status: http.StatusUnprocessableEntity, env: Validation, field: field, message: message}
}

// RateLimited answers 429 RATE_LIMIT_EXCEEDED (docs envelope) with
// X-RateLimit-Remaining: 0. retryAfter is the Retry-After header verbatim
// (seconds or an HTTP-date); "" sends none, so the client must go by
// X-RateLimit-Reset (add it with With).
func RateLimited(retryAfter string) Fault {
	f := Error(http.StatusTooManyRequests, Docs, "RATE_LIMIT_EXCEEDED", "You have exceeded your plan's rate limit (requests per minute).").
		With("X-RateLimit-Remaining", "0")
	if retryAfter != "" {
		f = f.With("Retry-After", retryAfter)
	}
	return f
}

// Raw answers status with body as is. A body starting with "<" is sent as
// text/html, anything else as application/json.
func Raw(status int, body string) Fault {
	return Fault{status: status, raw: &body}
}

// Malformed answers 200 with a truncated JSON body.
func Malformed() Fault {
	return Raw(http.StatusOK, `{"url": "https://example.com", "status_code": 200, "content": {"markdown": "# trunc`)
}

// HTMLPage answers status with a proxy's HTML error page.
func HTMLPage(status int) Fault { return Raw(status, fakehttp.ErrorPage(status, "cloudflare")) }

// Hang sends no answer until the request's context ends (or the server is
// closed).
func Hang() Fault { return Fault{hang: true} }

// AcceptThen creates the job as normal but answers status (e.g. 504) with
// the body AlterLab's gateway sends, {"detail": {"message", "credits_status",
// "estimated_completion_s"}}, so the client cannot know the job started.
func AcceptThen(status int) Fault { return Fault{accept: status, modifies: true} }

// Async makes a scrape or search answer 202 with a job even when it could
// have answered at once.
func Async() Fault { return Fault{async: true, modifies: true} }

// PendingForever creates a job that never finishes.
func PendingForever() Fault { return Fault{pending: true, modifies: true} }

// FailJob creates a job that fails with msg as its error string.
func FailJob(msg string) Fault { return Fault{fail: msg, modifies: true} }

// CompleteAfter creates a job that completes on the n-th poll.
func CompleteAfter(n int) Fault { return Fault{polls: n, modifies: true} }

// Lasting creates a job of known length: it runs for d on the server's
// clock from its submit, a crawl's pages_scraped growing evenly
// (floor(pages_total·elapsed/d)), and completes on the first poll at or
// after d. The URL magic fake=lasts:<duration> (e.g. lasts:10s) does the
// same.
func Lasting(d time.Duration) Fault { return Fault{lasts: d, modifies: true} }

// IDField answers the submit with the job id under name (e.g. "id",
// "jobId") instead of the route's own field (job_id, batch_id, crawl_id,
// search_id).
func IDField(name string) Fault { return Fault{idField: name, modifies: true} }

// ConnRefused fails the request before it is written, as a refused dial
// does. Only Client() can do this; a real server sees nothing.
func ConnRefused() Fault { return Fault{conn: fakehttp.Refused} }

// ResetAfterWrite lets the request be written and served (a submit creates
// its job), then drops the connection before any answer.
func ResetAfterWrite() Fault { return Fault{conn: fakehttp.Reset} }

// connection is what f does to the connection, and the fault the request
// is served with: a reset is served as a plain job modifier (a submit
// creates its job), and its answer is then lost.
func (f Fault) connection() (fakehttp.Conn, Fault) {
	conn := f.conn
	if conn == fakehttp.Reset {
		f.conn, f.modifies = fakehttp.Answer, true
	}
	return conn, f
}

// Repeat returns n copies of f, for Script.
func Repeat(n int, f Fault) []Fault { return fakehttp.Repeat(n, f) }

// With adds a response header.
func (f Fault) With(key, value string) Fault {
	f.header = fakehttp.WithHeader(f.header, key, value)
	return f
}

// WithRetryAfter sets Retry-After (seconds or an HTTP-date).
func (f Fault) WithRetryAfter(v string) Fault { return f.With("Retry-After", v) }

// WithRequestID sets X-Request-Id, and request_id in the docs envelope.
func (f Fault) WithRequestID(id string) Fault { return f.With("X-Request-Id", id) }

// WithDetails adds fields to the error: the "details" object of the docs
// envelope, the detail object of DetailObject and DetailCode, the top level
// of Code and Detail.
func (f Fault) WithDetails(d map[string]any) Fault {
	f.details = fakehttp.Merge(f.details, d)
	return f
}

// body renders the fault's answer; reqID is the request's id.
func (f Fault) body(reqID string) (contentType string, b []byte) {
	if f.raw != nil {
		return fakehttp.RawBody(*f.raw)
	}
	if id := f.header.Get("X-Request-Id"); id != "" {
		reqID = id
	}
	var m map[string]any
	switch f.env {
	case Docs:
		m = map[string]any{"error": f.code, "message": f.message, "request_id": reqID}
		if len(f.details) > 0 {
			m["details"] = f.details
		}
	case Detail:
		m = map[string]any{"detail": f.message}
		for k, v := range f.details {
			m[k] = v
		}
	case DetailObject, DetailCode:
		key := "error"
		if f.env == DetailCode {
			key = "code"
		}
		inner := map[string]any{key: f.code, "message": f.message}
		for k, v := range f.details {
			inner[k] = v
		}
		m = map[string]any{"detail": inner}
	case Code:
		m = map[string]any{"code": f.code, "message": f.message}
		for k, v := range f.details {
			m[k] = v
		}
	case Validation:
		m = map[string]any{"detail": []any{map[string]any{"loc": []any{"body", f.field}, "msg": f.message, "type": "value_error"}}}
	}
	b, _ = json.Marshal(m)
	return "application/json", b
}

// PickFaults has pick choose the fault of every request Script does not
// cover, by route, request and body (the request's Body is already read: use
// body). It is called from many goroutines at once; ok false serves the
// request normally. Only Client() consults it: a soak test draws faults from
// a seeded random source this way, per request, instead of queueing them per
// route, which concurrent callers would take in no predictable order.
func (s *Server) PickFaults(pick func(route string, r *http.Request, body []byte) (f Fault, ok bool)) {
	fakehttp.SetPicker(s.requestLog, fakehttp.Picker[Fault](pick))
}
