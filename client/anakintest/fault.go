package anakintest

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/scrapemcp/scrapemcp/client/internal/fakehttp"
)

// Envelope is one of the error body shapes Anakin uses.
type Envelope int

const (
	// Flat is {"error": code, "message": msg}, the documented shape.
	Flat Envelope = iota
	// FlatCode is {"error": msg, "code": code}, as the onboarding docs show.
	FlatCode
	// Wire is {"status": "error", "error": {"code", "message", …details}}.
	Wire
	// Fiber is {"statusCode": status, "message": msg}; it has no code.
	Fiber
)

// Fault is one scripted answer or behaviour change. Build it with the
// constructors below; the With* methods add headers and details.
type Fault struct {
	status   int
	env      Envelope
	code     string
	message  any // string, or []string for Fiber lists
	details  map[string]any
	raw      *string
	header   http.Header
	hang     bool
	conn     fakehttp.Conn
	accept   int // create the job, then answer this status
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

// FiberList answers the Fiber shape with a list of validation messages.
func FiberList(status int, messages ...string) Fault {
	return Fault{status: status, env: Fiber, message: messages}
}

// RateLimited answers 429 rate_limit_exceeded (flat). retryAfter is the
// Retry-After header verbatim (seconds or an HTTP-date); "" sends none.
func RateLimited(retryAfter string) Fault {
	f := Error(http.StatusTooManyRequests, Flat, "rate_limit_exceeded", "Too many requests. Please try again later.")
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
func Malformed() Fault { return Raw(http.StatusOK, `{"jobId": "job-malformed", "status": "pend`) }

// HTMLPage answers status with a proxy's HTML error page.
func HTMLPage(status int) Fault { return Raw(status, fakehttp.ErrorPage(status, "nginx")) }

// Hang sends no answer until the request's context ends (or the server is
// closed).
func Hang() Fault { return Fault{hang: true} }

// AcceptThen creates the job as normal but answers status (e.g. 504) with a
// gateway's plain-text body, so the client cannot know the job started.
func AcceptThen(status int) Fault { return Fault{accept: status, modifies: true} }

// PendingForever creates a job that never finishes.
func PendingForever() Fault { return Fault{pending: true, modifies: true} }

// FailJob creates a job that fails with msg as its error string.
func FailJob(msg string) Fault { return Fault{fail: msg, modifies: true} }

// CompleteAfter creates a job that completes on the n-th poll.
func CompleteAfter(n int) Fault { return Fault{polls: n, modifies: true} }

// Lasting creates a job of known length: it runs for d on the server's
// clock from its submit, a crawl's completedPages growing evenly
// (floor(maxPages·elapsed/d)), and completes on the first poll at or after
// d. The URL magic fake=lasts:<duration> (e.g. lasts:10s) does the same.
func Lasting(d time.Duration) Fault { return Fault{lasts: d, modifies: true} }

// IDField answers the submit with the job id under name (e.g. "job_id",
// "id") instead of "jobId".
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

// WithRequestID sets X-Request-Id.
func (f Fault) WithRequestID(id string) Fault { return f.With("X-Request-Id", id) }

// WithDetails adds fields to the error object (inside "error" for Wire,
// top level otherwise), e.g. balance and required on a 402.
func (f Fault) WithDetails(d map[string]any) Fault {
	f.details = fakehttp.Merge(f.details, d)
	return f
}

// body renders the fault's answer.
func (f Fault) body() (contentType string, b []byte) {
	if f.raw != nil {
		return fakehttp.RawBody(*f.raw)
	}
	m := map[string]any{}
	switch f.env {
	case Flat:
		m["error"], m["message"] = f.code, f.message
		for k, v := range f.details {
			m[k] = v
		}
	case FlatCode:
		m["error"], m["code"] = f.message, f.code
		for k, v := range f.details {
			m[k] = v
		}
	case Wire:
		inner := map[string]any{"code": f.code, "message": f.message}
		for k, v := range f.details {
			inner[k] = v
		}
		m["status"], m["error"] = "error", inner
	case Fiber:
		m["statusCode"], m["message"] = f.status, f.message
		for k, v := range f.details {
			m[k] = v
		}
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
