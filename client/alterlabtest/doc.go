// Package alterlabtest is an in-memory fake of the AlterLab HTTP API for
// tests, in the spirit of net/http/httptest. It follows the documented
// contract (AlterLab's public API reference and error catalog): X-API-Key auth (401
// MISSING_API_KEY / INVALID_API_KEY), the docs error envelope
// {"error", "message", "request_id", "details"}, X-RateLimit-* and
// X-AlterLab-Balance headers on every answer, scrapes that answer at once
// or fall back to a job, and per-URL content generated from the URL.
//
// Routes, all under /api/v1 (use the Route* constants with Count, Script,
// Bodies):
//
//	POST   /api/v1/scrape        {url, sync, formats, mode, advanced, wait_for, location, timeout, extraction_schema, extraction_prompt, …}
//	                             → 200 result; → 202 {job_id, status: queued} when sync is false, in browser mode
//	                               (mode js, advanced.render_js, wait_for), for pages over the sync limit (1 MB) and for job magic
//	GET    /api/v1/jobs/{id}     {job_id, status: queued|processing|succeeded|failed, result, error}
//	POST   /api/v1/batch         {urls: [scrape bodies, 1–100]} → 202 {batch_id, status, total_urls, estimated_credits, job_ids}
//	GET    /api/v1/batch/{id}    {batch_id, status: processing|completed|partially_failed|failed, completed, failed, credits_used, items[{url, status, error, result}]}
//	POST   /api/v1/crawl         {url, max_pages (1–100000, default 50), max_depth (0–20), …} → 202 {crawl_id, status: discovering, estimated_pages, …}
//	GET    /api/v1/crawl/{id}    {crawl_id, status: discovering|running|completed|failed|cancelled, pages_scraped, pages_total, credits_used, results?}
//	DELETE /api/v1/crawl/{id}    {crawl_id, status: cancelled, pages_scraped, credits_refunded}; recorded in Cancels
//	POST   /api/v1/map           {url, max_pages (1–50000, default 100), search, include_subdomains} → 200 {map_id, total_urls, urls[{url, source, depth}], credits_used}
//	POST   /api/v1/search        {query, num_results (1–50, default 10), scrape_results, country} → 200 result;
//	                             → 202 {search_id, status: scraping} when scraping more than 5 results
//	GET    /api/v1/search/{id}   {status: scraping|completed|failed, results[{position, title, url, snippet, date_published, content?}], …}
//	GET    /downloads/screenshots/{name}  the PNG (Screenshot) a result's screenshot_url names; a scrape with
//	                             advanced.screenshot (which needs advanced.render_js, else 400) carries screenshot_url, a path on
//	                             this host (WithScreenshotBase makes it absolute on another)
//
// Crawl include/exclude patterns and include_subdomains are accepted and
// not applied: a crawl of u finds u, then u's host /page-1, /page-2, ….
// A crawl's pages are scraped evenly over its polls; GET /crawl/{id} lists
// them in full, all at once, and only with include_results=true (the real
// API's paging, if any, is not documented). A 500-page crawl is 500 results
// in one answer.
//
// A scrape's "content" is an object keyed by the formats asked for
// (markdown, html, text, json, raw, and content = {body_markdown,
// content_hash, images, links}); json extractions are also in
// filtered_content when a schema was given. Cost is billing.final_cost_microcents
// (200 for tier 1, 4000 for the browser, 0 for cache hits).
//
// Use New(opts…) and either Start(t), which serves on 127.0.0.1 and returns
// the base URL a user would configure (without /api/v1), or Client(), an
// *http.Client whose transport calls the handler directly. Tests that wait
// (retries, polling, rate limits) must use Client() inside testing/synctest:
// loopback sockets are not durably blocking, so the fake clock would never
// advance.
//
// # Scripted faults
//
// Script(route, faults…) queues answers for a route; they are used in order,
// one per request, then the normal behaviour resumes. See Fault for the
// kinds: error envelopes (Docs, Detail, DetailObject, DetailCode, Code,
// Validation), Retry-After, X-RateLimit-* and other headers, raw and
// malformed bodies, HTML gateway pages, hangs, a submit that is accepted but
// answered 504, scrapes forced async, jobs that stay pending, complete after
// n polls or fail with a given string, and (Client() only) connection errors
// before or after the request is written. Catalog lists every documented
// (status, code).
//
// # Magic URLs
//
// Clients that cannot script the fake (an MCP host driving the real binary
// against a fake run as a process) put fake=<name> in the target URL's
// query, e.g. https://example.com/?fake=blocked. For search the query
// carries it as a word ("golang fake=rate_limit"). Rejected at submit, every
// time, in the docs envelope:
//
//	insufficient_credits   402 INSUFFICIENT_CREDITS with details required_credits/available_credits
//	subscription_inactive  402 SUBSCRIPTION_INACTIVE
//	rate_limit             429 RATE_LIMIT_EXCEEDED with Retry-After: 5 and X-RateLimit-Remaining: 0
//	session_limit          429 SESSION_LIMIT_REACHED (waiting does not help; not retried)
//	antibot                403 BLOCKED_BY_ANTIBOT
//	challenge              403 CHALLENGE_DETECTED
//	paywall                402 PAYWALL_DETECTED
//	requires_auth          401 REQUIRES_AUTH
//	too_large              413 CONTENT_TOO_LARGE
//	unsupported            415 UNSUPPORTED_CONTENT_TYPE
//	extraction_failed      422 EXTRACTION_FAILED
//	network_error          503 NETWORK_ERROR
//	scrape_timeout         504 TIMEOUT (refunded)
//	cost_limit             400 EXCEEDS_COST_LIMIT
//	code:<CODE>[@<status>] any Catalog code, e.g. code:SESSION_EXPIRED@410
//	detail                 400 {"detail": "Invalid request parameters"} (no code)
//	validation             422 FastAPI validation list for field url
//	server_error           500 {"detail": "Internal Server Error"}
//	service_unavailable    503 {"detail": "Service temporarily unavailable"}
//	bad_gateway            502 HTML page from a proxy
//	malformed              200 with a truncated JSON body
//	hang                   no answer until the request's context ends
//
// Job and content behaviour (the submit succeeds):
//
//	async                  scrape or search answers 202 and completes on polling
//	gateway_timeout        the job is created, but the submit is answered 504 with credits_status and estimated_completion_s
//	gateway_timeout_job    the same, and the 504's body names the job (job_id, crawl_id or batch_id)
//	blocked                job fails: "Blocked by anti-bot protection (HTTP 403)"
//	captcha                job fails: "CAPTCHA challenge detected (Cloudflare Turnstile)"
//	timeout                job fails: "Timed out after 90s waiting for the page to load"
//	dns                    job fails: "DNS resolution failed: no such host"
//	tls                    job fails: "SSL certificate verification failed"
//	fail:<text>            job fails with <text>
//	pending                job never finishes
//	polls:<n>              job completes on the n-th poll
//	size:<n>               markdown of exactly n bytes (e.g. size:2000000; over 1 MB the scrape goes async)
//	cached                 result reports cached: true and costs 0
//	string_content         "content" is the bare markdown (or html) string instead of an object
//	warnings               result carries warning, quality_warning and content_truncated
//	low_balance            the scrape's answer has X-AlterLab-Balance: $0.42 and X-AlterLab-Balance-Warning: low
//	partial                crawl: every fifth page fails "Blocked by anti-bot protection (HTTP 403)"
//
// In a batch, job-behaviour names apply to that URL's item only (a blocked
// item fails, the batch is partially_failed; all failed makes the batch
// failed), except pending and polls, which hold the whole batch.
package alterlabtest
