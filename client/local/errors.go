package local

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scrapemcp/scrapemcp/client"
)

// errTooManyRedirects is the redirect policy's refusal; fetchError maps it.
var errTooManyRedirects = errors.New("too many redirects")

// schemeRedirectError is a redirect to something other than http(s).
type schemeRedirectError struct{ target string }

func (e *schemeRedirectError) Error() string {
	return "redirect to non-web URL " + e.target
}

func localErr(code, msg string, cause error) *client.Error {
	return &client.Error{Provider: client.Local, Code: code, Message: msg, Err: cause}
}

func invalidURL(raw, why string) *client.Error {
	e := localErr(client.CodeInvalidURL, fmt.Sprintf("%q is not a fetchable URL: %s", clip(raw, 200), why), nil)
	e.Field = "url"
	return e
}

// fetchError turns what net/http returned for target into a *client.Error
// with a local code. ctx is the fetch's own context: it tells a deadline
// from a caller's cancel.
func fetchError(ctx context.Context, target string, err error, maxRedirects int) *client.Error {
	var ce *client.Error
	if errors.As(err, &ce) {
		return ce
	}
	if b, ok := isBlocked(err); ok {
		return localErr(client.CodeSSRFBlocked,
			b.Error()+"; the local fetcher does not reach loopback, private, link-local or cloud metadata addresses "+
				"(an operator can allow specific hosts with --allow-hosts)", err)
	}
	var sr *schemeRedirectError
	switch {
	case errors.Is(err, errTooManyRedirects):
		return localErr(client.CodeTooManyRedirects, fmt.Sprintf("%s redirected more than %d times", target, maxRedirects), err)
	case errors.As(err, &sr):
		return localErr(client.CodeInvalidURL, fmt.Sprintf("%s redirected to %s; only http and https URLs are fetched", target, clip(sr.target, 200)), err)
	case errors.Is(err, context.Canceled):
		return localErr(client.CodeTimeout, fmt.Sprintf("fetching %s was cancelled", target), err)
	case isTimeout(ctx, err):
		return localErr(client.CodeTimeout, fmt.Sprintf("%s did not answer in time", target), err)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		msg := fmt.Sprintf("could not resolve %s", dnsErr.Name)
		if dnsErr.IsNotFound {
			msg = fmt.Sprintf("host %s does not exist (DNS: no such host)", dnsErr.Name)
		}
		return localErr(client.CodeDNS, msg, err)
	}
	if isTLS(err) {
		return localErr(client.CodeTLS, fmt.Sprintf("TLS with %s failed: %s", target, rootCause(err)), err)
	}
	return localErr(client.CodeConnection, fmt.Sprintf("could not fetch %s: %s", target, rootCause(err)), err)
}

func isTimeout(ctx context.Context, err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return true
	}
	var rw *rateWaitError
	if errors.As(err, &rw) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isTLS(err error) bool {
	var (
		unknownCA  x509.UnknownAuthorityError
		hostname   x509.HostnameError
		invalid    x509.CertificateInvalidError
		verify     *tls.CertificateVerificationError
		record     tls.RecordHeaderError
		alert      tls.AlertError
		echRejects *tls.ECHRejectionError
	)
	return errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) || errors.As(err, &echRejects) ||
		strings.Contains(err.Error(), "tls: ") || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// rootCause is the innermost message, without net/http's "Get "url":" prefix,
// which would repeat the URL the caller already names.
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// statusError reports a non-2xx answer from the target site.
func statusError(target string, resp *http.Response) *client.Error {
	e := localErr(client.CodeHTTPStatus, fmt.Sprintf("%s answered %s", target, statusText(resp.StatusCode)), nil)
	e.HTTPStatus = resp.StatusCode
	if d := retryAfter(resp.Header.Get("Retry-After"), time.Now()); d > 0 {
		e.RetryAfter = d
	}
	return e
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return strconv.Itoa(code)
}

// retryAfter reads a Retry-After value: delay-seconds or an HTTP-date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// decodeError reports a body that could not be read or decoded.
func decodeError(ctx context.Context, target string, err error, maxRedirects int) *client.Error {
	var ue *unsupportedEncodingError
	if errors.As(err, &ue) {
		return localErr(client.CodeUnsupportedEncoding, target+": "+ue.Error()+"; nothing of the body was read", err)
	}
	if ctx.Err() != nil || isTimeout(ctx, err) {
		return fetchError(ctx, target, err, maxRedirects)
	}
	return localErr(client.CodeConnection, fmt.Sprintf("reading the body of %s failed: %s", target, rootCause(err)), err)
}

// extractError reports an extraction that ctx ended: the fetch deadline
// came (timeout) or the caller went away.
func extractError(ctx context.Context, target string, err error, maxRedirects int) *client.Error {
	if ctx.Err() == nil {
		return localErr(codeInternal, fmt.Sprintf("extracting %s failed: %s", target, rootCause(err)), err)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return localErr(client.CodeTimeout, fmt.Sprintf(
			"%s was fetched but turning it into text did not finish before the deadline (the server is busy with other large pages, or this one is very large)", target), err)
	}
	return fetchError(ctx, target, err, maxRedirects)
}

// codeInternal is client.AsError's code for a failure that is a bug.
const codeInternal = "internal_error"
