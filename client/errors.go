package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/scrapemcp/scrapemcp/errmap"
)

// Error is every failure the client reports: errmap's error type, so that
// the tools hand it to errmap as it is. Provider API errors carry the HTTP
// status and the API's own code; job failures carry CodeJobFailed and the
// failure string; local fetch failures carry a local code.
//
// Error never contains the API key: request URLs and headers are not kept,
// and everything read from an answer is redacted before it is returned.
type Error = errmap.Error

// Codes the client itself assigns. errmap owns their names; provider codes
// are passed through as the API sent them.
const (
	// CodeJobFailed marks an async job that ended in status failed; Message
	// holds the provider's free-form failure string.
	CodeJobFailed = errmap.CodeJobFailed
	// CodeJobTimeout: the job was still running when the caller's deadline came.
	CodeJobTimeout = errmap.CodeJobTimeout
	// CodeUnsupported: the provider cannot do this operation at all.
	CodeUnsupported = errmap.CodeUnsupported
	// CodeInvalidArgument: the request failed validation before any call.
	CodeInvalidArgument = errmap.CodeInvalidArgument
	// CodeNetwork: no HTTP response (connection refused, reset, DNS failure of
	// the API host itself).
	CodeNetwork = errmap.CodeNetwork
	// CodeMaybeStarted: a submit got no trustworthy answer (504, read timeout,
	// reset after the body was sent, a 2xx without a readable job id, a poll
	// that failed after the submit was accepted); the job may be running and
	// billed.
	CodeMaybeStarted = errmap.CodeMaybeStarted
	// CodeBadResponse: the API answered 2xx with a body we could not read,
	// to a request that starts nothing (a status read).
	CodeBadResponse = errmap.CodeBadResponse
	// CodeRateLimitedLocally: the client-side token bucket would not admit the
	// request before the deadline.
	CodeRateLimitedLocally = errmap.CodeRateLimitedLocally
	// CodeNotFound: a job id or resource that does not exist (local jobs).
	CodeNotFound = errmap.CodeNotFound
	// CodeInternal: a bug in scrapemcp.
	CodeInternal = errmap.CodeInternal
	// CodeCancelled: the caller cancelled the request.
	CodeCancelled = errmap.CodeCancelled
	// CodeRedirectRefused: the API answered with a redirect to another host;
	// following it would hand the API key to that host.
	CodeRedirectRefused = errmap.CodeRedirectRefused
	// CodeServerBusy: every tool-call slot of this server stayed taken for
	// the whole queueing window.
	CodeServerBusy = errmap.CodeServerBusy
	// CodeShuttingDown: the server is stopping and no longer takes calls, or
	// stopped this one before it finished.
	CodeShuttingDown = errmap.CodeShuttingDown
	// CodeSchemaMismatch: extracted data that does not satisfy the caller's
	// JSON Schema.
	CodeSchemaMismatch = errmap.CodeSchemaMismatch
)

// Local fetcher codes. They use the same errmap table as the providers.
const (
	CodeInvalidURL         = errmap.CodeInvalidURL
	CodeDNS                = errmap.CodeDNS
	CodeTLS                = errmap.CodeTLS
	CodeTimeout            = errmap.CodeTimeout
	CodeHTTPStatus         = errmap.CodeHTTPStatus // the target site answered non-2xx
	CodeSSRFBlocked        = errmap.CodeSSRFBlocked
	CodeTooLarge           = errmap.CodeTooLarge
	CodeUnsupportedContent = errmap.CodeUnsupportedContent
	CodeRobotsDisallowed   = errmap.CodeRobotsDisallowed
	CodeTooManyRedirects   = errmap.CodeTooManyRedirects
	CodeConnection         = errmap.CodeConnection
	CodeBrowserUnavailable = errmap.CodeBrowserUnavailable
	// CodeUnsupportedEncoding: a content coding we cannot or will not undo
	// (unknown, or a chain longer than two).
	CodeUnsupportedEncoding = errmap.CodeUnsupportedEncoding
	// CodePageTooComplex: the page is beyond the extraction budget (nesting,
	// size or work) and no fallback rendering could be made.
	CodePageTooComplex = errmap.CodePageTooComplex
	// CodeJSRequired: a plain fetch found an application shell that only a
	// browser fills in.
	CodeJSRequired = errmap.CodeJSRequired
	// CodeActionFailed: a browser action could not be carried out.
	CodeActionFailed = errmap.CodeActionFailed
	// CodeBrowserBusy: every browser tab stayed busy until the deadline.
	CodeBrowserBusy = errmap.CodeBrowserBusy
)

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
		return &Error{Provider: provider, Code: CodeCancelled, Message: "the request was cancelled", Err: err}
	}
	return &Error{Provider: provider, Code: CodeInternal, Message: err.Error(), Err: err}
}

// Unsupported is the error for an operation a provider cannot do.
func Unsupported(provider, op, hint string) *Error {
	return &Error{Provider: provider, Code: CodeUnsupported, Message: fmt.Sprintf("%s is not available on the %s provider. %s", op, provider, hint)}
}
