package errmap

import (
	"strings"
	"time"
)

// jobFailures reads an async job's free-form failure string. The providers
// document these substrings as the ones to switch on; earlier rows win.
var jobFailures = []struct {
	substrings []string
	entry      entry
}{
	{[]string{"captcha", "bot detection", "blocked by website", "http 403", "http 429", "access denied", "anti-bot", "antibot", "challenge"},
		row(ChangeStrategy, "The site blocked the scraper (anti-bot protection). Call again with use_browser=true and a country; if that fails too, the site may need a logged-in session: pass a saved session's session_id (the sessions tool lists them).").with(useBrowserCountry)},
	{[]string{"dns", "no such host", "name not resolved", "could not resolve"},
		row(FixRequest, "The domain could not be resolved. Check the URL's host name; retrying will not help.")},
	{[]string{"invalid url", "malformed url", "unsupported protocol"},
		row(FixRequest, "The URL is malformed. Fix it (absolute http(s) URL) and call again.")},
	{[]string{"tls", "ssl", "certificate", "x509"},
		row(FixRequest, "The site's TLS/SSL certificate could not be verified. Check the URL (https vs http) and that the site uses a trusted certificate.")},
	{[]string{"timeout", "timed out", "deadline exceeded"},
		row(ChangeStrategy, "The page did not finish loading in time. Call again with use_browser=true, which runs the page's JavaScript (single-page apps), and a larger timeout for very slow pages.").with(useBrowser)},
	{[]string{"http 404", "not found", "http 410"},
		row(NotFound, "The page does not exist (HTTP 404). Check the URL, or use map to find the right page.")},
	{[]string{"paywall"},
		row(NotAccessible, "The content is behind the site's paywall and cannot be scraped. Look for a public source.")},
	{[]string{"login", "requires auth", "unauthorized", "http 401"},
		row(NotAccessible, "The page requires logging in to the site. It cannot be scraped without the user's own session; look for a public source.")},
	{[]string{"http 5", "server error", "bad gateway", "service unavailable"},
		retry(30*time.Second, "The target site answered with a server error. Retry in a little while.")},
}

func jobFailure(message string) (entry, bool) {
	m := strings.ToLower(message)
	for _, f := range jobFailures {
		for _, s := range f.substrings {
			if strings.Contains(m, s) {
				return f.entry, true
			}
		}
	}
	return entry{}, false
}
