package errmap

import "time"

// alterlabCodes follows AlterLab's "Error Codes Reference". Several codes
// describe the *target site*, not our account: PAYWALL_DETECTED (402) is the
// site's paywall, REQUIRES_AUTH (401) its login wall, BLOCKED_BY_ANTIBOT
// (403) its bot protection. SESSION_EXPIRED means one thing at 401 (the
// dashboard token) and another at 410 (a stored cookie session).
var alterlabCodes = map[key]entry{
	// Scraping errors (refunded)
	{alterlab, 403, "BLOCKED_BY_ANTIBOT"}: row(ChangeStrategy,
		"The target site's anti-bot protection blocked every tier AlterLab tried (the attempt was refunded). Call again with max_tier=\"4\", which lets AlterLab escalate to its browser tier with CAPTCHA solving (it costs more per page); if it is still blocked, the site cannot be scraped this way.").with(map[string]any{"max_tier": "4"}).shows("estimated_tier"),
	{alterlab, 403, "CHALLENGE_DETECTED"}: row(ChangeStrategy,
		"The target site showed a bot challenge (Cloudflare, reCAPTCHA, hCaptcha); the attempt was refunded. Call again with use_browser=true so the page is rendered with JavaScript (AlterLab's js mode); if the challenge stays, add max_tier=\"4\".").with(useBrowser),
	{alterlab, 504, "TIMEOUT"}: row(ChangeStrategy,
		"AlterLab's scrape timed out before the page finished (refunded). Call again with a larger timeout (AlterLab's default is 90 seconds, the maximum 300); scrapemcp already follows slow pages as async jobs.").with(map[string]any{"timeout": 300}),
	{alterlab, 413, "CONTENT_TOO_LARGE"}: row(ChangeStrategy,
		"The page is larger than AlterLab's 10 MB limit (refunded). Scrape a more specific URL (a single article or section) instead of the whole page."),
	{alterlab, 415, "UNSUPPORTED_CONTENT_TYPE"}: row(ChangeStrategy,
		"The URL's content type is not supported in this mode (refunded). Call again with the mode for it: mode=\"pdf\" for a PDF, mode=\"ocr\" for an image."),
	{alterlab, 422, "EXTRACTION_FAILED"}: row(ChangeStrategy,
		"The page was fetched but its content could not be extracted (refunded). Check that the URL serves an HTML page, then try another mode: use_browser=true for a page built by JavaScript, or the html format, or a simpler json_schema/prompt.").with(useBrowser),
	{alterlab, 401, "REQUIRES_AUTH"}: row(NotAccessible,
		"The target page is behind the site's login wall; this is not about our API key (refunded). It cannot be scraped without the user's credentials: if the user has a stored AlterLab session for this site, call again with its session_id (the sessions tool lists them) or with the user's cookies; otherwise tell the user, or find the information on a public page."),
	{alterlab, 402, "PAYWALL_DETECTED"}: row(NotAccessible,
		"The target content is behind the site's paywall; this is not about our credits (refunded). It cannot be scraped; look for the information on a public source."),
	{alterlab, 503, "NETWORK_ERROR"}: retry(10*time.Second,
		"AlterLab could not connect to the target site (DNS error, connection refused or SSL error; refunded). Check the URL is right and the site is up, then retry after a short delay."),

	// Authentication errors
	{alterlab, 401, "INVALID_API_KEY"}: row(CheckAPIKey,
		"AlterLab rejected the API key (invalid, malformed or revoked). Ask the user to check that ALTERLAB_API_KEY starts with sk_live_ or sk_test_ and is active in the AlterLab dashboard; retrying will not help."),
	{alterlab, 401, "MISSING_API_KEY"}: row(CheckAPIKey,
		"No AlterLab API key reached the API. Ask the user to set ALTERLAB_API_KEY and restart scrapemcp."),
	{alterlab, 401, "SESSION_EXPIRED"}: row(CheckAPIKey,
		"AlterLab says the session token for its dashboard APIs expired. Ask the user to log in again or use an API key (ALTERLAB_API_KEY)."),

	// Session errors (authenticated scraping)
	{alterlab, 404, "SESSION_NOT_FOUND"}: row(NotFound,
		"The session_id does not exist or belongs to another account. Check the id against the sessions tool's list and call again with a valid one, or without a session."),
	{alterlab, 410, "SESSION_EXPIRED"}: row(WaitPrerequisite,
		"The stored session's cookies have expired (or failed validation repeatedly). The user must log in to the target site again and refresh the session in AlterLab with fresh cookies; then call again."),
	{alterlab, 400, "SESSION_DOMAIN_MISMATCH"}: row(FixRequest,
		"The session was stored for a different domain than the URL being scraped (an amazon.com session cannot scrape walmart.com). Use a session_id stored for this URL's domain (the sessions tool shows each session's domain), or none; the user can create one per domain."),
	{alterlab, 410, "SESSION_INACTIVE"}: row(WaitPrerequisite,
		"The stored session was deleted or disabled. The user must create a new session with fresh cookies; then call again with its session_id."),
	{alterlab, 429, "SESSION_LIMIT_REACHED"}: row(ResolveConflict,
		"The account holds the maximum of 50 stored sessions; waiting will not free one. Ask the user to delete unused or expired sessions in AlterLab (the sessions tool lists them with their status), then call again."),
	{alterlab, 400, "SESSION_COOKIES_CONFLICT"}: row(FixRequest,
		"session_id and cookies were both given; they are mutually exclusive. Send session_id for a stored session or cookies for a one-off request, not both."),

	// Billing errors
	{alterlab, 402, "INSUFFICIENT_CREDITS"}: row(TopUpCredits,
		"The AlterLab balance is too low for this request: it needs details.required_credits credits; the account has details.available_credits. Ask the user to add funds in the AlterLab dashboard (billing); retrying will not help until they do.").shows("required_credits", "available_credits", "estimated_tier", "balance", "balance_warning"),
	{alterlab, 400, "EXCEEDS_COST_LIMIT"}: row(FixRequest,
		"The estimated cost is above the request's cost cap (max_credits). Call again with a larger max_credits, or with a simpler mode (without use_browser or max_tier)."),
	{alterlab, 402, "SUBSCRIPTION_INACTIVE"}: row(TopUpCredits,
		"The AlterLab subscription was cancelled or its payment failed. Ask the user to fix billing in the AlterLab dashboard; retrying will not help."),

	// Rate limit errors
	{alterlab, 429, "RATE_LIMIT_EXCEEDED"}: retry(60*time.Second,
		"AlterLab's plan rate limit (requests per minute) was hit even after the server's own retries. Wait retry_after_s seconds (until the X-RateLimit-Reset time), then repeat the same call unchanged."),

	// Codes the official clients use (JOB_FAILED from the Python SDK's job
	// polling, VALIDATION_ERROR/SCRAPE_ERROR from the Node SDK).
	{alterlab, 422, "VALIDATION_ERROR"}: row(FixRequest,
		"AlterLab rejected an argument. Read the message for the field, fix it and call again."),
	{alterlab, 400, "VALIDATION_ERROR"}: row(FixRequest,
		"AlterLab rejected an argument. Read the message for the field, fix it and call again."),
	{alterlab, 422, "SCRAPE_ERROR"}: row(ChangeStrategy,
		"Every scraping tier failed for this page. Call again with use_browser=true and a country, or try another URL for the same information.").with(useBrowserCountry),
}

// alterlabStatus answers AlterLab errors with no code, or a code the
// reference does not list, where the reference says more than the generic
// status fallback.
var alterlabStatus = map[int]entry{
	422: row(ChangeStrategy,
		"AlterLab fetched nothing usable: every scraping tier failed or the content could not be extracted. Call again with use_browser=true, or max_tier=\"4\" for a protected site, or try another URL for the same information.").with(map[string]any{"use_browser": true}),
}
