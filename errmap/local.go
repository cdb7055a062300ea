package errmap

import "time"

// Codes the client layer assigns itself, for every provider. They mirror the
// constants in package client (errmap imports nothing; a test in package
// tools checks the two lists agree).
const (
	CodeJobFailed          = "job_failed"
	CodeJobTimeout         = "job_timeout"
	CodeUnsupported        = "unsupported_by_provider"
	CodeInvalidArgument    = "invalid_argument"
	CodeNetwork            = "network_error"
	CodeMaybeStarted       = "submit_outcome_unknown"
	CodeBadResponse        = "malformed_response"
	CodeRateLimitedLocally = "client_rate_limited"
	CodeNotFound           = "not_found"
	CodeInternal           = "internal_error"
	CodeCancelled          = "cancelled"
	CodeSchemaMismatch     = "schema_mismatch"

	CodeInvalidURL         = "invalid_url"
	CodeDNS                = "dns"
	CodeTLS                = "tls"
	CodeTimeout            = "timeout"
	CodeHTTPStatus         = "http_status"
	CodeSSRFBlocked        = "ssrf_blocked"
	CodeTooLarge           = "too_large"
	CodeUnsupportedContent = "unsupported_content_type"
	CodeRobotsDisallowed   = "robots_disallowed"
	CodeTooManyRedirects   = "too_many_redirects"
	CodeConnection         = "connection_failed"
	CodeBrowserUnavailable = "browser_unavailable"

	CodeUnsupportedEncoding = "unsupported_encoding"
	CodePageTooComplex      = "page_too_complex"
	CodeRedirectRefused     = "api_redirect_refused"
	CodeServerBusy          = "server_busy"
	CodeShuttingDown        = "shutting_down"
)

// clientCodes apply to any provider (provider ""), looked up after the
// provider's own table.
var clientCodes = map[string]entry{
	CodeInvalidArgument: row(FixRequest,
		"An argument is invalid (see error.field and error.message). Fix that argument and call again; nothing was sent to the API and no credits were spent."),
	CodeUnsupported: row(ChangeStrategy,
		"This provider cannot do that (the message says which can). Use another tool, or ask the user to configure a provider that supports it."),
	CodeJobTimeout: retry(15*time.Second,
		"The job is still running upstream; nothing is lost. Call job_status with the job_id from the message to get the result when it is ready."),
	CodeMaybeStarted: row(WaitPrerequisite,
		"The submit reached the API but no clear answer came back, so the job may already be running and billed. Do not resubmit right away: check job_status if you have a job_id, or wait a minute before trying once more."),
	CodeNetwork: retry(10*time.Second,
		"The provider's API could not be reached (connection refused, reset or DNS failure of the API host). Wait a little and call again; if it persists, the user should check the network or the *_API_URL setting."),
	CodeBadResponse: retry(10*time.Second,
		"The API answered with a body that could not be read. Retry once; if it happens again, report it with the request id."),
	CodeRateLimitedLocally: retry(5*time.Second,
		"scrapemcp's own rate limit for this provider is saturated by other calls. Wait retry_after_s seconds, then call again unchanged."),
	CodeNotFound: row(NotFound,
		"The job or resource does not exist (local jobs are kept in memory for about an hour and are lost on restart). Start the job again."),
	CodeInternal: row(ReportIssue,
		"scrapemcp hit an internal error; this is a bug, not something the arguments can fix. Tell the user; other tools keep working."),
	CodeCancelled: retry(time.Second,
		"The call was cancelled before it finished. Call again if the result is still needed."),
	CodeSchemaMismatch: row(ChangeStrategy,
		"The extracted data does not satisfy json_schema (the message names the first problem). Call again with a clearer prompt or a looser schema (fewer required fields)."),
	CodeRedirectRefused: row(ReportIssue,
		"The provider's API answered with a redirect to a different host. scrapemcp does not follow it, so the API key never leaves for a host you did not configure. Tell the user to check the *_API_URL setting (the message names both hosts); retrying will not help."),
	CodeServerBusy: retry(5*time.Second,
		"scrapemcp is already running as many tool calls as it allows (--max-concurrent) and none finished while this one waited. Wait retry_after_s seconds and call again unchanged; fewer calls in parallel avoid this."),
	CodeShuttingDown: retry(10*time.Second,
		"The scrapemcp server is shutting down and did not finish this call. Call again in retry_after_s seconds (a restarted or another replica will serve it); a crawl's job_id, when one is given, still works with job_status on API providers."),
	CodeJobFailed: row(ReportIssue,
		"The job failed upstream for a reason scrapemcp does not recognise (see the message). Try once more; if it fails again, try use_browser=true or another URL for the same information."),
}

// localCodes are the embedded fetcher's own failures.
var localCodes = map[string]entry{
	CodeInvalidURL: row(FixRequest,
		"The URL is not a valid absolute http(s) URL. Fix it (e.g. https://example.com/page) and call again."),
	CodeDNS: row(FixRequest,
		"The domain name does not resolve. Check the spelling of the host; retrying will not help."),
	CodeTLS: row(ChangeStrategy,
		"The site's TLS certificate could not be verified, so the page was not fetched. Try the plain http:// URL if the site offers one, or ask the user to configure an API provider (ANAKIN_API_KEY or ALTERLAB_API_KEY)."),
	CodeTimeout: retry(10*time.Second,
		"The site did not answer in time. Retry in a few seconds, with a larger timeout; if it keeps timing out the site may be down or slow for automated clients."),
	CodeSSRFBlocked: row(FixRequest,
		"The URL points to a loopback, private, link-local or cloud-metadata address, which the local fetcher refuses for safety. Use a public URL; only the operator can allow such hosts (--allow-hosts / SCRAPEMCP_ALLOW_HOSTS)."),
	CodeTooLarge: row(ChangeStrategy,
		"The response is larger than the local fetcher's size cap. Fetch a more specific URL, or ask the user to configure an API provider for very large pages."),
	CodeUnsupportedContent: row(ChangeStrategy,
		"The URL serves a format the local fetcher cannot read (e.g. a PDF or an image). An API provider can (set ALTERLAB_API_KEY or ANAKIN_API_KEY); otherwise find an HTML version of the content."),
	CodeRobotsDisallowed: row(NotAccessible,
		"The site's robots.txt forbids fetching this URL, so scrapemcp does not. Find the information on another page or site; only the operator can override this (--ignore-robots)."),
	CodeTooManyRedirects: row(FixRequest,
		"The URL redirects too many times (probably a loop). Open the final URL directly or check the link."),
	CodeConnection: retry(10*time.Second,
		"The site refused or dropped the connection. Check the URL; if it is right, the site may be down — retry in a little while."),
	CodeUnsupportedEncoding: row(ChangeStrategy,
		"The site sent the page in a content coding the local fetcher will not undo (it decodes gzip, deflate and br, at most two layers). Nothing was read. Try another URL for the same content, or ask the user to configure an API provider (ANAKIN_API_KEY or ALTERLAB_API_KEY)."),
	CodePageTooComplex: row(ChangeStrategy,
		"The page is too large or too deeply nested for the local extractor's budget, so no readable text could be made from it. Try formats [\"links\"] or a more specific URL, or ask the user to configure an API provider (ANAKIN_API_KEY or ALTERLAB_API_KEY)."),
	CodeBrowserUnavailable: row(ChangeStrategy,
		"Browser rendering is not available on the local backend here. Call again without use_browser, or ask the user to configure an API provider (ANAKIN_API_KEY or ALTERLAB_API_KEY) that renders JavaScript."),
}

// targetStatus explains a non-2xx answer from the target site itself
// (local code http_status), which says nothing about our account.
func targetStatus(status int) entry {
	switch {
	case status == 404 || status == 410:
		return row(NotFound, "The page does not exist on the site (HTTP 404/410). Check the URL, or use map to find the right page.")
	case status == 401 || status == 402 || status == 403:
		return row(ChangeStrategy,
			"The site refused the request (login wall, paywall or bot protection). The local fetcher cannot get past it; an API provider with use_browser=true may (ask the user to set ANAKIN_API_KEY or ALTERLAB_API_KEY).").with(useBrowser)
	case status == 429:
		return retry(30*time.Second, "The site is rate-limiting us. Wait retry_after_s seconds before fetching from this site again.")
	case status >= 500:
		return retry(15*time.Second, "The site answered with a server error. It may be temporary: retry in a little while.")
	case status == 400 || status == 405 || status == 414 || status == 422:
		return row(FixRequest, "The site rejected the request as malformed. Check the URL and its query string.")
	}
	return row(ReportIssue, "The site answered with an unexpected status. Try another URL for the same information.")
}
