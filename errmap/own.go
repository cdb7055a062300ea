package errmap

import "time"

// The codes scrapemcp assigns itself, for every provider. errmap owns their
// names (package client re-exports them). Provider rows never match them:
// see fromAPI.
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
	CodeJSRequired          = "js_required"
	CodeActionFailed        = "action_failed"
	CodeBrowserBusy         = "browser_busy"
	CodeRedirectRefused     = "api_redirect_refused"
	CodeServerBusy          = "server_busy"
	CodeShuttingDown        = "shutting_down"
)

// ownCodes are our own codes' rows, for any provider. The local fetcher's
// codes (localCodes) are ours too; where a code means something else on the
// local backend (timeout: the target site was slow, not the API), the local
// row wins there.
var ownCodes = map[string]entry{
	CodeTimeout: retry(10*time.Second,
		"The call ran out of time before the provider's API answered; nothing came back, so nothing is known to have started. Call again in a few seconds; if it keeps timing out, give the tool more time (a larger timeout or wait_s where the tool takes one)."),
	CodeInvalidArgument: row(FixRequest,
		"An argument is invalid (see error.field and error.message). Fix that argument and call again; nothing was sent to the API and no credits were spent."),
	CodeUnsupported: row(ChangeStrategy,
		"This provider cannot do that (the message says which can). Use another tool, or ask the user to configure a provider that supports it."),
	CodeJobTimeout: retry(30*time.Second,
		"The job was still running when the call's time ran out, and this kind of job cannot be read with job_status. Call again later with a longer timeout; the unfinished run may still be billed."),
	CodeMaybeStarted: entry{action: WaitPrerequisite, wait: time.Minute,
		hint: "The submit reached the API but no clear answer came back, and no job id to follow it, so the job may already be running and billed. Do not resubmit right away: wait retry_after_s seconds, then try once more only if the result is still needed (it may be billed again)."}.shows("api_code", "cause_code", "credits_status", "estimated_completion_s", "upstream_job_id"),
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

// ownWithJob are our own codes' rows when the error names a job job_status
// can read (details.job_id): the job was accepted and runs on upstream, so
// the way on is to read it, never to submit it again (that bills twice).
var ownWithJob = map[string]entry{
	CodeJobTimeout: entry{action: WaitPrerequisite, wait: 15 * time.Second,
		hint: "The job is still running upstream; nothing is lost. Call job_status with details.job_id (after retry_after_s seconds) to get the result; do not call this tool again, which would start and bill a second job."}.shows("job_id", "status"),
	CodeMaybeStarted: entry{action: WaitPrerequisite, wait: 15 * time.Second,
		hint: "The API took the job (details.job_id) but no usable answer came back, so it is probably running and billed. Do not submit it again: call job_status with details.job_id (after retry_after_s seconds) to collect the result."}.shows("job_id", "api_code", "cause_code", "credits_status", "estimated_completion_s"),
	CodeCancelled: retry(time.Second,
		"The call was cancelled while the job (details.job_id) was running; it may still finish upstream. If the result is still needed, collect it with job_status and details.job_id instead of calling again.").shows("job_id", "status"),
}
