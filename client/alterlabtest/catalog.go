package alterlabtest

import (
	"net/http"
	"strconv"
	"strings"
)

// CatalogEntry is one documented error of AlterLab's "Error Codes
// Reference".
type CatalogEntry struct {
	Status  int
	Code    string
	Message string
}

// Catalog is every (status, code) of the error reference, in its order.
// SESSION_EXPIRED appears twice: at 401 it is the dashboard token, at 410 a
// stored cookie session.
var Catalog = []CatalogEntry{
	{403, "BLOCKED_BY_ANTIBOT", "The target site detected and blocked the scraping attempt. All tier escalations failed."},
	{403, "CHALLENGE_DETECTED", "A bot detection challenge (Cloudflare, reCAPTCHA, hCaptcha) was encountered."},
	{504, "TIMEOUT", "The scraping operation timed out before completing."},
	{413, "CONTENT_TOO_LARGE", "The page content exceeds the 10MB size limit."},
	{415, "UNSUPPORTED_CONTENT_TYPE", "The URL returns a content type not supported by the selected mode."},
	{422, "EXTRACTION_FAILED", "Content was fetched but could not be parsed or extracted."},
	{401, "REQUIRES_AUTH", "The page requires authentication to access."},
	{402, "PAYWALL_DETECTED", "The content is behind a paywall and requires subscription to access."},
	{503, "NETWORK_ERROR", "Network connection failed - DNS error, connection refused, or SSL error."},
	{401, "INVALID_API_KEY", "The API key provided is invalid, malformed, or has been revoked."},
	{401, "MISSING_API_KEY", "No API key was provided in the request headers."},
	{401, "SESSION_EXPIRED", "The session token (for dashboard APIs) has expired."},
	{404, "SESSION_NOT_FOUND", "The provided session_id does not exist or belongs to another user."},
	{410, "SESSION_EXPIRED", "The session cookies have expired or the session was marked as expired after repeated validation failures."},
	{400, "SESSION_DOMAIN_MISMATCH", "The scrape URL domain does not match the session's stored domain."},
	{410, "SESSION_INACTIVE", "The session has been deleted or disabled."},
	{429, "SESSION_LIMIT_REACHED", "Maximum number of sessions per account (50) has been reached."},
	{400, "SESSION_COOKIES_CONFLICT", "Both session_id and cookies were provided in the scrape request. These parameters are mutually exclusive."},
	{402, "INSUFFICIENT_CREDITS", "Your account has insufficient balance to complete this request."},
	{400, "EXCEEDS_COST_LIMIT", "The estimated cost exceeds your max_credits limit."},
	{402, "SUBSCRIPTION_INACTIVE", "Your subscription has been cancelled or payment failed."},
	{429, "RATE_LIMIT_EXCEEDED", "You have exceeded your plan's rate limit (requests per minute)."},
}

// catalogFault is the docs-envelope answer for code (at status, or the
// code's first documented status when status is 0).
func catalogFault(code string, status int) (Fault, bool) {
	for _, c := range Catalog {
		if strings.EqualFold(c.Code, code) && (status == 0 || status == c.Status) {
			f := Error(c.Status, Docs, c.Code, c.Message)
			switch c.Code {
			case "INSUFFICIENT_CREDITS":
				f = f.WithDetails(map[string]any{"required_credits": 5, "available_credits": 2, "estimated_tier": "2"})
			case "RATE_LIMIT_EXCEEDED":
				f = f.With("Retry-After", "5").With("X-RateLimit-Remaining", "0")
			}
			return f, true
		}
	}
	return Fault{}, false
}

// rejection is the submit-time answer a magic name asks for, if any.
func rejection(name, arg string) (Fault, bool) {
	if name == "code" {
		code, at, _ := strings.Cut(arg, "@")
		status, _ := strconv.Atoi(at)
		return catalogFault(code, status)
	}
	if code, ok := namedCodes[name]; ok {
		return catalogFault(code, 0)
	}
	switch name {
	case "detail":
		return Error(http.StatusBadRequest, Detail, "", "Invalid request parameters"), true
	case "validation":
		return ValidationError("url", "field required"), true
	case "server_error":
		return Error(http.StatusInternalServerError, Detail, "", "Internal Server Error"), true
	case "service_unavailable":
		return Error(http.StatusServiceUnavailable, Detail, "", "Service temporarily unavailable"), true
	case "bad_gateway":
		return HTMLPage(http.StatusBadGateway), true
	case "malformed":
		return Malformed(), true
	case "hang":
		return Hang(), true
	}
	return Fault{}, false
}

// namedCodes are the magic names for catalog codes.
var namedCodes = map[string]string{
	"insufficient_credits":  "INSUFFICIENT_CREDITS",
	"subscription_inactive": "SUBSCRIPTION_INACTIVE",
	"rate_limit":            "RATE_LIMIT_EXCEEDED",
	"session_limit":         "SESSION_LIMIT_REACHED",
	"antibot":               "BLOCKED_BY_ANTIBOT",
	"challenge":             "CHALLENGE_DETECTED",
	"paywall":               "PAYWALL_DETECTED",
	"requires_auth":         "REQUIRES_AUTH",
	"too_large":             "CONTENT_TOO_LARGE",
	"unsupported":           "UNSUPPORTED_CONTENT_TYPE",
	"extraction_failed":     "EXTRACTION_FAILED",
	"network_error":         "NETWORK_ERROR",
	"scrape_timeout":        "TIMEOUT",
	"cost_limit":            "EXCEEDS_COST_LIMIT",
}

// failures are the job-time magic names and their error strings.
var failures = map[string]string{
	"blocked": "Blocked by anti-bot protection (HTTP 403)",
	"captcha": "CAPTCHA challenge detected (Cloudflare Turnstile)",
	"timeout": "Timed out after 90s waiting for the page to load",
	"dns":     "DNS resolution failed: no such host",
	"tls":     "SSL certificate verification failed",
}

func failureFor(name, arg string) string {
	if name == "fail" {
		return arg
	}
	return failures[name]
}
