package errmap

import "time"

// anakinCodes follows the Anakin error catalog ("Error Responses"): the
// lowercase codes of the flat {"error","message"} envelope, then the Wire
// API's UPPER codes of the nested {"status":"error","error":{code,…}} one.
// The Fiber envelope {statusCode,message} carries no code and falls back by
// status.
var anakinCodes = map[key]entry{
	// Validation & input
	{anakin, 400, "invalid_request"}: row(FixRequest,
		"The request was rejected as invalid (a missing field or a value out of range, e.g. depth > 5, a batch of 0 or more than 10 URLs, a prompt over 8 KB or a schema over 50 KB). Read the message for the field, fix it and call again."),
	{anakin, 400, "invalid_url"}: row(FixRequest,
		"A URL is malformed (in a batch the message gives its index). Use absolute http(s) URLs such as https://example.com/page and call again."),
	{anakin, 400, "invalid_job_type"}: row(ReportIssue,
		"The server sent Anakin a job type it does not support; this is a scrapemcp bug, not something the arguments can fix. Tell the user and use another tool meanwhile."),
	{anakin, 400, "validation_error"}: row(FixRequest,
		"The request failed Anakin's validation. Read the message for the field, fix it and call again."),

	// Auth & authorization
	{anakin, 401, "unauthorized"}: {action: CheckAPIKey, retryable: true, wait: 10 * time.Second,
		hint: "Anakin rejected the API key (missing, malformed or revoked). A key created moments ago takes 5–10 seconds to work: if that may be the case, call once more after retry_after_s seconds. If it fails again, ask the user to check ANAKIN_API_KEY or generate a new key at https://anakin.io/dashboard."},
	{anakin, 403, "forbidden"}: row(FixRequest,
		"The job or session exists but belongs to another Anakin account. Use a job_id this server returned to you; retrying will not help."),

	// Credits
	{anakin, 402, "insufficient_credits"}: row(TopUpCredits,
		"The Anakin account has too few credits for this operation (the message gives the cost and the balance; credits are checked up front for the worst case, so a batch needs enough for every URL). Ask the user to top up at https://anakin.io/dashboard; retrying will not help until they do.").shows("balance", "required", "signup_url", "trial_credits_remaining"),

	// Rate limiting
	{anakin, 429, "rate_limit_exceeded"}: retry(10*time.Second,
		"Anakin's per-minute rate limit was hit even after the server's own retries. Wait retry_after_s seconds, then repeat the same call unchanged; spread out bursts of calls."),

	// Resource state
	{anakin, 404, "not_found"}: row(NotFound,
		"The job, session or scraper id does not exist (job ids are kept for 30 days). Check the id, or start the job again."),
	{anakin, 422, "session_not_saved"}: row(WaitPrerequisite,
		"The saved browser session's state has not been uploaded yet, so it cannot be attached. The user must first finish the session's manual save flow (Browser Sessions in the Anakin dashboard); calling again before that returns the same error."),
	{anakin, 409, "session_in_use"}: row(ResolveConflict,
		"The saved browser session is attached to another running automation. First let that run finish, or pick a different saved session (the sessions tool lists them); calling again unchanged while it runs returns the same error."),
	{anakin, 409, "duplicate_name"}: row(ResolveConflict,
		"A session with that name already exists on the account. Choose a unique name and call again."),

	// Server-side
	{anakin, 500, "server_error"}: retry(5*time.Second,
		"Anakin had an internal error and the job was not started (nothing was charged). Wait a few seconds and call again; if it keeps failing, the user can contact support@anakin.io with the request id."),
	{anakin, 500, "queue_error"}: retry(5*time.Second,
		"Anakin could not enqueue the job (nothing was charged). Wait a few seconds and call again."),
	{anakin, 500, "configuration_error"}: retry(30*time.Second,
		"A service-side configuration for this Anakin endpoint is missing. Try again in a little while; if it persists the user should contact Anakin support with the request id."),
	{anakin, 500, "internal_error"}: retry(5*time.Second,
		"Anakin failed unexpectedly. Wait a few seconds and call again; if it persists, report the request id to Anakin support."),
	{anakin, 500, "search_error"}: retry(5*time.Second,
		"Anakin's upstream search provider returned an error. Retry in a few seconds; if it persists, reword the query."),
	{anakin, 503, "service_unavailable"}: retry(45*time.Second,
		"A service Anakin depends on (browser, CDP proxy, scraper generator) is offline. Wait 30–60 seconds, then call again."),

	// Wire API (nested envelope, UPPER codes)
	{anakin, 400, "BAD_REQUEST"}: row(FixRequest,
		"The request was malformed. Read the message, fix the arguments and call again."),
	{anakin, 400, "INVALID_INPUT"}: row(FixRequest,
		"An argument has an invalid value. Read the message, fix it and call again."),
	{anakin, 400, "INVALID_PARAMS"}: row(FixRequest,
		"Required parameters are missing or invalid (details.missing_fields lists them). Supply them and call again.").shows("missing_fields"),
	{anakin, 404, "NOT_FOUND"}: row(NotFound,
		"The action, job or resource does not exist. Check the id; retrying will not help."),
	{anakin, 403, "FORBIDDEN"}: row(NotAccessible,
		"The account may not use this action or resource. Ask the user to check their Anakin plan or connection; retrying will not help."),
	{anakin, 401, "AUTH_REQUIRED"}: row(WaitPrerequisite,
		"This action needs the user to connect their account on the target site first. Ask the user to open details.connect_url and connect it, then call again.").shows("connect_url"),
	{anakin, 401, "AUTH_EXPIRED"}: row(WaitPrerequisite,
		"The stored login for the target site has expired. Ask the user to reconnect it in the Anakin dashboard, then call again."),
	{anakin, 402, "INSUFFICIENT_CREDITS"}: row(TopUpCredits,
		"The Anakin account has too few credits: the operation needs details.required, the balance is details.balance. Ask the user to top up at https://anakin.io/dashboard; retrying will not help until they do.").shows("balance", "required", "signup_url", "trial_credits_remaining"),
	{anakin, 503, "ACTION_UNAVAILABLE"}: retry(60*time.Second,
		"The action is temporarily unavailable. Try again in a minute or use another tool."),
	{anakin, 500, "EXECUTION_FAILED"}: retry(5*time.Second,
		"The action failed to start (it was not enqueued and not charged). Wait a few seconds and call again."),
	{anakin, 409, "ACTION_EXISTS"}: row(ResolveConflict,
		"An equivalent action already exists: use one of details.existing_actions instead of creating a new one.").shows("existing_actions"),
	{anakin, 429, "BUILD_LIMIT_REACHED"}: row(WaitPrerequisite,
		"The account already has the maximum of 3 pending action builds. Wait for one to finish before requesting another; waiting a few seconds will not help."),
	{anakin, 0, "BAD_PASSWORD"}: row(NotAccessible,
		"The login to the target site failed: wrong password. Ask the user to check their credentials; retrying will not help."),
	{anakin, 0, "MFA_REQUIRED"}: row(WaitPrerequisite,
		"The target site asks for multi-factor authentication. Ask the user to complete the login interactively in the Anakin dashboard, then call again."),
	{anakin, 0, "CAPTCHA_REQUIRED"}: row(WaitPrerequisite,
		"The target site's login shows a CAPTCHA. Ask the user to log in interactively in the Anakin dashboard, then call again."),
	{anakin, 0, "ACCOUNT_LOCKED"}: row(NotAccessible,
		"The user's account on the target site is locked. The user must unlock it on that site; retrying will not help."),
	{anakin, 0, "LOGIN_TIMEOUT"}: retry(30*time.Second,
		"The login to the target site timed out. Try again in a little while."),
	{anakin, 0, "LOGIN_PAGE_CHANGED"}: row(ReportIssue,
		"The target site's login page changed and the login automation no longer works. Report it to Anakin; retrying will not help."),
	{anakin, 0, "LOGIN_NO_COOKIES"}: retry(30*time.Second,
		"The login seemed to succeed but produced no session cookies. Try again once; if it repeats, the user should log in interactively."),
	{anakin, 0, "LOGIN_INFRASTRUCTURE_ERROR"}: retry(30*time.Second,
		"Anakin's login infrastructure failed. Wait and try again."),
	{anakin, 0, "LOGIN_FAILED"}: row(NotAccessible,
		"The login to the target site failed. Ask the user to check their credentials or log in interactively; retrying unchanged will not help."),
	{anakin, 0, "SOURCE_REVOKED"}: row(WaitPrerequisite,
		"The credential source (e.g. a 1Password connection) was revoked. Ask the user to reconnect it in the Anakin dashboard."),
	{anakin, 0, "SOURCE_ITEM_NOT_FOUND"}: row(NotFound,
		"The credential item was not found in the connected vault. Ask the user to check the vault item."),
	{anakin, 429, "RATE_LIMIT_EXCEEDED"}: retry(10*time.Second,
		"Anakin's rate limit was hit even after the server's own retries. Wait retry_after_s seconds, then repeat the same call unchanged."),
}

// anakinStatus answers Anakin errors with no code, or a code the catalog
// does not list, where the catalog says more than the generic status
// fallback.
var anakinStatus = map[int]entry{
	503: retry(45*time.Second,
		"A service Anakin depends on is temporarily down or unconfigured. Wait 30–60 seconds, then call again unchanged."),
}
