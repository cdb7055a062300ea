package client

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// RetryPolicy bounds how a logical API call is repeated. The zero value is
// not useful; start from DefaultRetryPolicy.
type RetryPolicy struct {
	Base        time.Duration // first backoff cap; the wait is uniform in [0, min(Cap, Base·2ⁿ)]
	Cap         time.Duration
	MaxAttempts int // including the first
}

// DefaultRetryPolicy is full-jitter exponential backoff: base 1 s, cap 30 s,
// at most 5 attempts. The request context bounds the total.
var DefaultRetryPolicy = RetryPolicy{Base: time.Second, Cap: 30 * time.Second, MaxAttempts: 5}

// attempt describes one try of a call, for shouldRetry.
type attempt struct {
	submit bool   // a billed POST that starts work upstream
	status int    // 0 when there was no response
	code   string // the API's error code, when the body had one
	err    error  // transport error, when there was no response
	sent   bool   // the request was fully written before err happened
}

// codesNotCuredByTime are 429s that waiting does not fix: the limit is a
// count of things the account holds, not a request rate.
var codesNotCuredByTime = map[string]bool{
	"SESSION_LIMIT_REACHED": true,
	"BUILD_LIMIT_REACHED":   true,
}

// shouldRetry reports whether a failed attempt may be repeated, and why not
// when it may not. It is the whole retry policy apart from timing.
//
// GETs (polls, status) are retried on 429, 5xx gateway errors and network
// errors. A submit is retried only where the answer proves nothing was
// started or billed: 429, 500, 502, 503 (Anakin's 5xx means the job was not
// enqueued; AlterLab refunds 5xx), or a connection error before the request
// was written. A 504 or a failure after the request went out may mean the
// job is running, so a second submit could be billed twice.
func shouldRetry(a attempt) (bool, string) {
	if a.err != nil {
		if errors.Is(a.err, context.Canceled) || errors.Is(a.err, context.DeadlineExceeded) {
			return false, "context done"
		}
		if a.submit && a.sent {
			return false, "submit may have reached the API; not repeating a billed request"
		}
		return true, ""
	}
	if a.status == http.StatusTooManyRequests && codesNotCuredByTime[strings.ToUpper(a.code)] {
		return false, "limit on held resources; waiting does not help"
	}
	switch a.status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable:
		return true, ""
	case http.StatusGatewayTimeout:
		if a.submit {
			return false, "504 on a submit: the job may be running; not repeating a billed request"
		}
		return true, ""
	}
	return false, "status " + strconv.Itoa(a.status) + " is not transient"
}

// retryAfter reads how long the server asked us to wait: Retry-After in
// seconds or as an HTTP-date, else AlterLab's X-RateLimit-Reset (a Unix time,
// or seconds when small). ok is false when neither header is usable.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 && !math.IsInf(s, 0) {
			return time.Duration(s * float64(time.Second)), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	// AlterLab sends X-RateLimit-* on every response: the reset time is a
	// wait only once the window is used up (Remaining 0, or not sent).
	if rem, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Remaining"))); err == nil && rem > 0 {
		return 0, false
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
			// Epoch seconds are ~1.7e9; anything below a year's worth of
			// seconds is a relative delay.
			if n > 365*24*3600 {
				return max(time.Unix(int64(n), 0).Sub(now), 0), true
			}
			return time.Duration(n * float64(time.Second)), true
		}
	}
	return 0, false
}

// fullJitter is backoff.BackOff with AWS-style full jitter.
type fullJitter struct {
	base, cap time.Duration
	n         int
}

func (f *fullJitter) Reset() { f.n = 0 }

func (f *fullJitter) NextBackOff() time.Duration {
	ceiling := f.cap
	if f.n < 31 { // avoid overflowing the shift
		ceiling = min(f.cap, f.base<<f.n)
	}
	f.n++
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// hinted lets a server's Retry-After replace the next computed wait.
type hinted struct {
	backoff.BackOff
	hint time.Duration
	set  bool
}

func (h *hinted) NextBackOff() time.Duration {
	d := h.BackOff.NextBackOff()
	if d != backoff.Stop && h.set {
		d, h.set = h.hint, false
	}
	return d
}

// budgeted stops instead of sleeping past the context's deadline, and
// remembers the wait it refused so the caller can tell the agent when to
// come back rather than hanging the tool call.
type budgeted struct {
	backoff.BackOff
	ctx     context.Context
	refused time.Duration
}

func (b *budgeted) NextBackOff() time.Duration {
	d := b.BackOff.NextBackOff()
	if d == backoff.Stop {
		return d
	}
	if deadline, ok := b.ctx.Deadline(); ok && time.Now().Add(d).After(deadline) {
		b.refused = d
		return backoff.Stop
	}
	return d
}
