package client

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Codes the client itself assigns. Provider codes are passed through as the
// API sent them.
const (
	// CodeJobFailed marks an async job that ended in status failed; Message
	// holds the provider's free-form failure string.
	CodeJobFailed = "job_failed"
	// CodeJobTimeout: the job was still running when the caller's deadline came.
	CodeJobTimeout = "job_timeout"
	// CodeUnsupported: the provider cannot do this operation at all.
	CodeUnsupported = "unsupported_by_provider"
	// CodeInvalidArgument: the request failed validation before any call.
	CodeInvalidArgument = "invalid_argument"
	// CodeNetwork: no HTTP response (connection refused, reset, DNS failure of
	// the API host itself).
	CodeNetwork = "network_error"
	// CodeMaybeStarted: a submit got no trustworthy answer (504, read timeout,
	// reset after the body was sent); the job may be running and billed.
	CodeMaybeStarted = "submit_outcome_unknown"
	// CodeBadResponse: the API answered 2xx with a body we could not read.
	CodeBadResponse = "malformed_response"
	// CodeRateLimitedLocally: the client-side token bucket would not admit the
	// request before the deadline.
	CodeRateLimitedLocally = "client_rate_limited"
	// CodeNotFound: a job id or resource that does not exist (local jobs).
	CodeNotFound = "not_found"
	// CodeRedirectRefused: the API answered with a redirect to another host;
	// following it would hand the API key to that host.
	CodeRedirectRefused = "api_redirect_refused"
	// CodeServerBusy: every tool-call slot of this server stayed taken for
	// the whole queueing window.
	CodeServerBusy = "server_busy"
	// CodeShuttingDown: the server is stopping and no longer takes calls, or
	// stopped this one before it finished.
	CodeShuttingDown = "shutting_down"
)

// Local fetcher codes. They use the same errmap table as the providers.
const (
	CodeInvalidURL         = "invalid_url"
	CodeDNS                = "dns"
	CodeTLS                = "tls"
	CodeTimeout            = "timeout"
	CodeHTTPStatus         = "http_status" // the target site answered non-2xx
	CodeSSRFBlocked        = "ssrf_blocked"
	CodeTooLarge           = "too_large"
	CodeUnsupportedContent = "unsupported_content_type"
	CodeRobotsDisallowed   = "robots_disallowed"
	CodeTooManyRedirects   = "too_many_redirects"
	CodeConnection         = "connection_failed"
	CodeBrowserUnavailable = "browser_unavailable"
	// CodeUnsupportedEncoding: a content coding we cannot or will not undo
	// (unknown, or a chain longer than two).
	CodeUnsupportedEncoding = "unsupported_encoding"
	// CodePageTooComplex: the page is beyond the extraction budget (nesting,
	// size or work) and no fallback rendering could be made.
	CodePageTooComplex = "page_too_complex"
)

// Error is every failure the client reports. Provider API errors carry the
// HTTP status and the API's own code; job failures carry CodeJobFailed and
// the failure string; local fetch failures carry a local code.
//
// Error never contains the API key: request URLs and headers are not kept.
type Error struct {
	Provider   string
	HTTPStatus int    // the API's status (or the target site's, for CodeHTTPStatus); 0 if none
	Code       string // machine code as the API sent it, or one of the Code* constants
	Message    string
	RequestID  string
	Field      string        // the offending argument, for validation failures
	RetryAfter time.Duration // when the API (or our own budget) says to come back
	Details    map[string]any
	Err        error // underlying cause, for errors.Is/As; never shown to agents
}

func (e *Error) Error() string {
	s := e.Provider
	if e.HTTPStatus != 0 {
		s += fmt.Sprintf(" %d", e.HTTPStatus)
	}
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// AsError finds the *Error in err's chain. Errors that are not *Error (a bug,
// a context error) are wrapped so callers always get something to explain.
func AsError(provider string, err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Provider: provider, Code: CodeTimeout, Message: "the operation ran out of time", Err: err}
	case errors.Is(err, context.Canceled):
		return &Error{Provider: provider, Code: "cancelled", Message: "the request was cancelled", Err: err}
	}
	return &Error{Provider: provider, Code: "internal_error", Message: err.Error(), Err: err}
}

// Unsupported is the error for an operation a provider cannot do.
func Unsupported(provider, op, hint string) *Error {
	return &Error{Provider: provider, Code: CodeUnsupported, Message: fmt.Sprintf("%s is not available on the %s provider. %s", op, provider, hint)}
}
