package errmap

import "time"

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
		"Browser rendering is not available on the local backend here: no Chromium or Chrome was found, or the operator switched it off (--browser off). Call again without use_browser, actions or the screenshot format; or ask the user to install Chromium (the message names the command for this system) and restart scrapemcp, or to configure an API provider (ANAKIN_API_KEY or ALTERLAB_API_KEY) that renders JavaScript."),
	CodeJSRequired: row(ChangeStrategy,
		"The page builds its content with JavaScript: the plain fetch found an empty application shell. Call again with use_browser=true so the page is rendered in a headless browser.").with(useBrowser),
	CodeActionFailed: row(FixRequest,
		"A browser action could not be carried out (the message says which, e.g. no element matched its selector in time). Check the selector against the page (scrape it with formats [\"html\"] first), fix or drop that action, and call again."),
	CodeBrowserBusy: retry(5*time.Second,
		"Every headless-browser tab of this server is busy with other calls. Retry in a few seconds; the operator can allow more tabs (--browser-tabs)."),
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
