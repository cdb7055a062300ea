package errmap

import "time"

// byStatus answers for codes the table does not know (new codes appear
// without notice — both APIs say so) and for envelopes with no code at all,
// like Anakin's Fiber {statusCode,message}. The HTTP status is the API's.
func byStatus(status int) entry {
	switch {
	case status == 400 || status == 422:
		return row(FixRequest, "The API rejected the request as invalid. Read the message for the argument at fault, fix it and call again.")
	case status == 401:
		return row(CheckAPIKey, "The API did not accept our credentials. Ask the user to check the provider's API key (ANAKIN_API_KEY or ALTERLAB_API_KEY); retrying will not help.")
	case status == 402:
		return row(TopUpCredits, "The API wants payment: the account is probably out of credits. Ask the user to check the provider's billing dashboard; retrying will not help.")
	case status == 403:
		return row(NotAccessible, "Access was refused. If the message is about the target site, try use_browser=true; if it is about the account, ask the user to check the plan. Retrying unchanged will not help.")
	case status == 404 || status == 410:
		return row(NotFound, "The API says the resource does not exist. Check the id or URL; retrying will not help.")
	case status == 408:
		return retry(10*time.Second, "The request timed out. Call again in a few seconds, with a larger timeout if the tool has one.")
	case status == 409:
		return row(ResolveConflict, "The resource is locked or already exists. Resolve the conflict (wait for the other run, pick another name), then call again.")
	case status == 413:
		return row(FixRequest, "The request or the page is too large for the API. Use a smaller request or a more specific URL.")
	case status == 415:
		return row(ChangeStrategy, "The content type is not supported in this mode. Use a URL that serves HTML, or another provider mode.")
	case status == 429:
		return retry(10*time.Second, "The API is rate-limiting us. Wait retry_after_s seconds, then repeat the same call unchanged.")
	case status == 501:
		return row(ReportIssue, "The API does not implement this operation. Use another tool; retrying will not help.")
	case status >= 500:
		return retry(10*time.Second, "The API had a server-side error. Wait retry_after_s seconds and call again; if it persists, report the request id.")
	}
	return row(ReportIssue, "The call failed in an unexpected way. Try once more; if it fails again, tell the user, with the request id if there is one.")
}
