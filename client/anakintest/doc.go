// Package anakintest is an in-memory fake of the Anakin HTTP API for tests,
// in the spirit of net/http/httptest. It follows the documented contract
// (Anakin's public API reference and error catalog): X-API-Key auth, async jobs that answer
// 202 while pending/processing and 200 when completed or failed, the three
// error envelopes, per-URL content generated from the URL.
//
// Routes, all under /v1 (use the Route* constants with Count, Script, Bodies):
//
//	POST /v1/url-scraper          {url, formats, country, useBrowser, generateJson, outputSchema, forceFresh, actions (≤15, validated; Actions)} → 202 {jobId, status}
//	POST /v1/url-scraper/batch    {urls (1–10), country, useBrowser, generateJson} → 202 {jobId, status}
//	GET  /v1/url-scraper/{id}     single or batch job; screenshotUrl/fullPageScreenshotUrl (WithScreenshotHost) when asked
//	GET  /v1/url-scraper/{id}/screenshot?type=viewport|fullpage → PNG (Screenshot) of a finished scrape with that format
//	POST /v1/crawl                {url, maxPages (≤500, default 10), depth (≤5), …} → 202 {jobId, status}
//	GET  /v1/crawl/{id}           {totalPages, completedPages, results[]}
//	POST /v1/map                  {url, limit (≤5000, default 100), includeSubdomains, search} → 202 {jobId, status}
//	GET  /v1/map/{id}             {links[], totalLinks}
//	POST /v1/search               {prompt, limit (≤20, default 5)} → 200 {id, results[]}
//
// Anakin has no cancel endpoint; DELETE /v1/…/{id} and POST /v1/…/{id}/cancel
// answer 404 and are recorded (Cancels) so tests can assert nobody tried.
//
// Use New(opts…) and either Start(t), which serves on 127.0.0.1 and returns
// the base URL a user would configure, or Client(), an *http.Client whose
// transport calls the handler directly. Tests that wait (retries, polling,
// rate limits) must use Client() inside testing/synctest: loopback sockets
// are not durably blocking, so the fake clock would never advance.
//
// # Scripted faults
//
// Script(route, faults…) queues answers for a route; they are used in order,
// one per request, then the normal behaviour resumes. See Fault for the
// kinds: error envelopes (Flat, FlatCode, Wire, Fiber), Retry-After and other
// headers, raw and malformed bodies, HTML gateway pages, hangs, a submit that
// is accepted but answered 504, jobs that stay pending or fail with a given
// string, and (Client() only) connection errors before or after the request
// is written.
//
// # Magic URLs
//
// Clients that cannot script the fake (an MCP host driving the real binary
// against a fake run as a process) put fake=<name> in the target URL's query,
// e.g. https://example.com/?fake=blocked. For search the prompt carries it
// ("… fake=rate_limit"). Rejected at submit, every time:
//
//	insufficient_credits  402 {"error":"insufficient_credits",…} (flat)
//	credits_wire          402 Wire envelope INSUFFICIENT_CREDITS with balance and required
//	unauthorized          401 unauthorized
//	forbidden             403 forbidden
//	invalid_request       400 invalid_request
//	fiber                 400 Fiber envelope {"statusCode":400,"message":[…]}
//	rate_limit            429 rate_limit_exceeded with Retry-After: 5
//	server_error          500 server_error
//	service_unavailable   503 service_unavailable
//	bad_gateway           502 HTML page from a proxy
//	gateway_timeout       the job is created, but the submit is answered 504
//	malformed             202 with a truncated JSON body
//	hang                  no answer until the request's context ends
//	code:<code>[@<status>] any Catalog code in its envelope with the details the references show,
//	                      e.g. code:AUTH_REQUIRED (connect_url), code:INSUFFICIENT_CREDITS (balance, required)
//
// Job behaviour (the submit succeeds):
//
//	blocked               job fails: "Blocked by website (HTTP 403)"
//	captcha               job fails: "CAPTCHA challenge detected (bot detection)"
//	timeout               job fails: "Connection timeout: page did not load within 30s"
//	dns                   job fails: "DNS resolution failed: no such host"
//	tls                   job fails: "TLS handshake failed: SSL certificate problem"
//	fail:<text>           job fails with <text>
//	pending               job never leaves pending/processing
//	polls:<n>             job completes on the n-th poll
//	size:<n>              markdown of exactly n bytes (e.g. size:2000000)
//	cached                result reports cached: true
//	partial               crawl: every fifth page fails "Blocked by website (HTTP 403)"
//
// In a batch, job-behaviour names apply to that URL's child only (a blocked
// child fails, the batch completes), except pending, which holds the batch.
package anakintest
