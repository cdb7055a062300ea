package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
	"golang.org/x/time/rate"
)

// maxResponseBytes caps what we read from an API. Scrape results can be
// large, but an unbounded read is a memory hazard.
const maxResponseBytes = 64 << 20

// APIConfig configures a provider API client.
type APIConfig struct {
	BaseURL    string
	APIKey     string
	HTTPClient *http.Client // nil → a pooled client with sane timeouts
	UserAgent  string
	Retry      RetryPolicy // zero → DefaultRetryPolicy
	// SubmitsPerMinute is the client-side token bucket for billed submits, so
	// a burst queues here instead of producing 429 storms. 0 → provider
	// default; negative → unlimited.
	SubmitsPerMinute int
	Logger           *slog.Logger
	// Poll is how the client reads the jobs it awaits inside one call (an
	// async scrape, a batch, a map); zero → DefaultPollSchedule.
	Poll PollSchedule
}

// NewHTTPClient returns the pooled client the API providers share by default.
// Calls mostly wait on the network, so keep many idle connections per host.
func NewHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 32
	t.ResponseHeaderTimeout = 2 * time.Minute
	return &http.Client{Transport: t}
}

// withPathSuffix appends the API's version path to a configured base URL
// unless it is already there, so users may give the host alone (as the
// vendors' own clients take it) or the full API root.
func withPathSuffix(base, suffix string) string {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil {
		return base // newAPIClient reports it
	}
	p := strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(p, suffix) {
		p += suffix
	}
	u.Path, u.RawPath = p, ""
	return u.String()
}

// errorDecoder turns a non-2xx API response into an *Error. Each provider
// has its own envelopes.
type errorDecoder func(status int, h http.Header, body []byte) *Error

// apiClient is the HTTP machinery both API providers share: auth header,
// JSON bodies, error decoding, retries and client-side rate limiting.
type apiClient struct {
	provider    string
	base        *url.URL
	key         string
	hc          *http.Client
	userAgent   string
	policy      RetryPolicy
	submits     *rate.Limiter
	decodeError errorDecoder
	log         *slog.Logger
	poll        PollSchedule
}

func newAPIClient(provider string, cfg APIConfig, defaultPerMinute int, decode errorDecoder) (*apiClient, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, fmt.Errorf("%s: API key is empty", provider)
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("%s: base URL %q is not an absolute http(s) URL", provider, cfg.BaseURL)
	}
	c := &apiClient{
		provider:    provider,
		base:        base,
		key:         cfg.APIKey,
		hc:          cfg.HTTPClient,
		userAgent:   cfg.UserAgent,
		policy:      cfg.Retry,
		decodeError: decode,
		log:         cfg.Logger,
		poll:        cfg.Poll,
	}
	if c.poll.Start == 0 {
		c.poll = DefaultPollSchedule
	}
	if c.hc == nil {
		c.hc = NewHTTPClient()
	}
	c.hc = c.guardRedirects(c.hc)
	if c.policy.MaxAttempts == 0 {
		c.policy = DefaultRetryPolicy
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	perMin := cfg.SubmitsPerMinute
	if perMin == 0 {
		perMin = defaultPerMinute
	}
	if perMin > 0 {
		c.submits = rate.NewLimiter(rate.Limit(float64(perMin)/60), min(perMin, 5))
	}
	return c, nil
}

// call is one logical API request.
type call struct {
	method string
	path   string // relative to the base URL, e.g. "/url-scraper"
	query  url.Values
	body   any // JSON-encoded when non-nil
	// submit marks a billed POST that starts work upstream. It goes through
	// the token bucket and is retried only where that cannot double-bill.
	submit bool
	// secrets are values in the body (cookies) that must not come back in
	// an error or a log, like the API key. A body that carries some lists
	// them itself (secretBody).
	secrets []string
}

// secretBody is a request body that carries secrets of its own.
type secretBody interface{ secrets() []string }

// response is a 2xx answer, fully read.
type response struct {
	status int
	header http.Header
	body   []byte
	submit bool // the answer to a billed submit
}

// decode unmarshals the body into v, reporting a malformed body as an *Error.
//
// A submit's 2xx that cannot be read may have started a job (see
// maybeStarted), not CodeBadResponse: the API took the job (and may bill
// it), we only lost its answer, so the agent must not be told to simply send
// it again.
func (c *apiClient) decode(r *response, v any) error {
	if err := json.Unmarshal(r.body, v); err != nil {
		e := &Error{Provider: c.provider, HTTPStatus: r.status, Code: CodeBadResponse,
			Message:   "the API answered with a body that is not the JSON we expected: " + err.Error(),
			RequestID: requestID(r.header), Err: err}
		if r.submit {
			return maybeStarted(e, JobRef{}, fmt.Sprintf("the API accepted the submit (HTTP %d) but its answer could not be read; the job may have started and be billed", r.status))
		}
		return e
	}
	return nil
}

// do sends the call, retrying as the policy allows within ctx. A 2xx answer
// is returned; anything else becomes an *Error.
func (c *apiClient) do(ctx context.Context, cl call) (*response, error) {
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return nil, &Error{Provider: c.provider, Code: CodeInternal, Message: "could not encode request: " + err.Error(), Err: err}
		}
	}
	if s, ok := cl.body.(secretBody); ok {
		cl.secrets = append(cl.secrets, s.secrets()...)
	}
	u := c.base.JoinPath(cl.path)
	if len(cl.query) > 0 {
		u.RawQuery = cl.query.Encode()
	}

	hint := &hinted{BackOff: &fullJitter{base: c.policy.Base, cap: c.policy.Cap}}
	budget := &budgeted{BackOff: hint, ctx: ctx}
	b := backoff.WithContext(backoff.WithMaxRetries(budget, uint64(max(c.policy.MaxAttempts-1, 0))), ctx)

	var (
		resp    *response
		lastErr *Error
		tries   int
	)
	op := func() error {
		tries++
		if cl.submit {
			if err := c.admit(ctx); err != nil {
				return backoff.Permanent(err)
			}
		}
		r, a, err := c.once(ctx, cl.method, u.String(), payload, cl.submit, cl.secrets)
		if err == nil {
			resp = r
			return nil
		}
		lastErr = err
		if ok, why := shouldRetry(a); !ok {
			c.log.Debug("not retrying", "provider", c.provider, "path", cl.path, "status", a.status, "code", a.code, "reason", why)
			return backoff.Permanent(err)
		}
		if err.RetryAfter > 0 {
			hint.hint, hint.set = err.RetryAfter, true
		}
		return err
	}
	notify := func(err error, wait time.Duration) {
		c.log.Info("retrying API call", "provider", c.provider, "path", cl.path, "attempt", tries, "wait", wait, "error", err.Error())
	}
	err := backoff.RetryNotify(op, b, notify)
	if err == nil {
		resp.submit = cl.submit
		return resp, nil
	}
	if lastErr == nil { // the context ended before any attempt
		return nil, AsError(c.provider, err)
	}
	if budget.refused > 0 && budget.refused > lastErr.RetryAfter {
		// We stopped rather than sleep past the deadline: say when to come back.
		lastErr.RetryAfter = budget.refused
	}
	if cl.submit && lastErr.Code == CodeNetwork && ctx.Err() != nil {
		maybeStarted(lastErr, JobRef{}, "the submit may have reached the API before the time ran out; the job may be running")
	}
	return nil, lastErr
}

// admit takes a token from the submit bucket, waiting within ctx. When the
// wait would outlast the deadline it refuses at once with the delay, so the
// agent hears "retry in N s" instead of a hung call.
func (c *apiClient) admit(ctx context.Context) error {
	if c.submits == nil {
		return nil
	}
	r := c.submits.Reserve()
	d := r.Delay()
	if d == 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && time.Now().Add(d).After(deadline) {
		r.Cancel()
		return &Error{Provider: c.provider, Code: CodeRateLimitedLocally, RetryAfter: d,
			Message: fmt.Sprintf("the client-side rate limit for %s submits is saturated; the next slot is in %s", c.provider, d.Round(time.Second))}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		r.Cancel()
		return AsError(c.provider, ctx.Err())
	}
}

// once performs a single HTTP exchange.
func (c *apiClient) once(ctx context.Context, method, u string, payload []byte, submit bool, secrets []string) (*response, attempt, *Error) {
	a := attempt{submit: submit}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { a.sent = true }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, u, body)
	if err != nil {
		a.err = err
		return nil, a, &Error{Provider: c.provider, Code: CodeInternal, Message: "could not build request", Err: err}
	}
	req.Header.Set("X-API-Key", c.key)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	res, err := c.hc.Do(req)
	if rr, ok := errors.AsType[*redirectRefused](err); ok {
		// The API answered, with a 3xx we would not follow: an answer, not a
		// lost exchange, so it is judged by its status (never retried).
		a.status, a.code = rr.status, CodeRedirectRefused
		return nil, a, c.redact(rr.error(c.provider), secrets...)
	}
	if err != nil {
		a.err = err
		if ctx.Err() != nil {
			a.err = ctx.Err()
		}
		return nil, a, c.redact(c.transportError(ctx, err, submit && a.sent), secrets...)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes))
	a.status = res.StatusCode
	if err != nil {
		a.err = err
		a.sent = true
		return nil, a, c.redact(c.transportError(ctx, err, submit), secrets...)
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return &response{status: res.StatusCode, header: res.Header, body: data}, a, nil
	}
	e := c.decodeError(res.StatusCode, res.Header, data)
	e.Provider = c.provider
	e.HTTPStatus = res.StatusCode
	if e.RequestID == "" {
		e.RequestID = requestID(res.Header)
	}
	if d, ok := retryAfter(res.Header, time.Now()); ok {
		e.RetryAfter = d
	}
	if submit && res.StatusCode == http.StatusGatewayTimeout && e.Code == "" {
		// No code of the API's own: a gateway gave up on the submit. Marked
		// here, so nothing retries it; submitFailed says what it means.
		e.Code = CodeMaybeStarted
	}
	a.code = e.Code
	return nil, a, c.redact(e, secrets...)
}

// maxAPIRedirects bounds the same-origin redirects one API request follows.
const maxAPIRedirects = 5

// guardRedirects returns a copy of hc (the caller's client is left as it
// is) whose redirects never carry the API key to another origin.
//
// Go's http.Client re-sends every header but Authorization, Cookie and
// their kin on a redirect, wherever it points, so an API (or anything in
// front of it) answering 3xx to another host would otherwise receive
// X-API-Key there. A hop to a different scheme, host or port than the
// configured base URL is therefore refused before it is requested, and the
// call fails with CodeRedirectRefused naming both origins. Hops within the
// configured origin are followed, at most maxAPIRedirects, keeping the key.
//
// A refused redirect is never retried, a billed submit included: the 3xx is
// the API's whole answer (the job was not taken at this URL, so nothing was
// started or billed), and asking again would only be sent the same way.
func (c *apiClient) guardRedirects(hc *http.Client) *http.Client {
	guarded := *hc
	next := hc.CheckRedirect
	guarded.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		rr := &redirectRefused{from: origin(c.base), to: origin(req.URL)}
		if req.Response != nil {
			rr.status, rr.requestID = req.Response.StatusCode, requestID(req.Response.Header)
		}
		if !sameOrigin(c.base, req.URL) {
			return rr
		}
		if len(via) > maxAPIRedirects {
			rr.tooMany = true
			return rr
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &guarded
}

// redirectRefused is what CheckRedirect answers for a hop it will not take.
type redirectRefused struct {
	from, to  string // origins only: no path, query or userinfo
	status    int
	requestID string
	tooMany   bool
}

func (r *redirectRefused) Error() string { return "redirect to " + r.to + " refused" }

func (r *redirectRefused) error(provider string) *Error {
	msg := fmt.Sprintf("the %s API at %s answered %d with a redirect to %s, another host; scrapemcp does not follow it, so the API key is not sent there. Check the configured API URL",
		provider, r.from, r.status, r.to)
	if r.tooMany {
		msg = fmt.Sprintf("the %s API at %s redirected more than %d times within the same host; scrapemcp stopped following. Check the configured API URL",
			provider, r.from, maxAPIRedirects)
	}
	return &Error{Provider: provider, HTTPStatus: r.status, Code: CodeRedirectRefused, Message: msg,
		RequestID: r.requestID, Err: r}
}

// origin is u's scheme and host[:port], for messages.
func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// sameOrigin reports whether u has base's scheme, host and port (a missing
// port is the scheme's default).
func sameOrigin(base, u *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		switch strings.ToLower(u.Scheme) {
		case "http":
			return "80"
		case "https":
			return "443"
		}
		return ""
	}
	return strings.EqualFold(base.Scheme, u.Scheme) &&
		strings.EqualFold(strings.TrimSuffix(base.Hostname(), "."), strings.TrimSuffix(u.Hostname(), ".")) &&
		port(base) == port(u)
}

// transportError describes a failure with no HTTP answer. sent is true when
// a submit's body had already gone out.
func (c *apiClient) transportError(ctx context.Context, err error, sent bool) *Error {
	e := &Error{Provider: c.provider, Code: CodeNetwork, Err: err,
		Message: "could not reach the " + c.provider + " API: " + c.scrub(err.Error())}
	var ne net.Error
	switch {
	case sent:
		e.Message = c.scrub(err.Error())
		maybeStarted(e, JobRef{}, "the submit was sent but no answer came back; the job may be running")
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded:
		e.Code = CodeTimeout
		e.Message = "the " + c.provider + " API did not answer in time"
	case errors.Is(err, context.Canceled):
		e.Code = CodeCancelled
		e.Message = "the request was cancelled"
	case errors.As(err, &ne) && ne.Timeout():
		e.Code = CodeTimeout
		e.Message = "the " + c.provider + " API did not answer in time"
	}
	return e
}

// scrub removes the API key from text that may echo a request.
func (c *apiClient) scrub(s string) string {
	if c.key == "" {
		return s
	}
	return strings.ReplaceAll(s, c.key, "[redacted]")
}

// redact makes sure nothing the API echoed back carries our key.
func (c *apiClient) redact(e *Error, secrets ...string) *Error {
	return e.Redact(append([]string{c.key}, secrets...)...)
}

func requestID(h http.Header) string {
	for _, k := range []string{"X-Request-Id", "X-Request-ID", "Request-Id", "X-Amzn-Requestid"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}
