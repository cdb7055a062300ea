package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// DefaultAlterLabURL is AlterLab's API host, as AlterLab's own clients
// configure it; the client adds /api/v1.
const DefaultAlterLabURL = "https://api.alterlab.io"

// alterlabSubmitsPerMinute matches AlterLab's lowest plan (Free: 30 requests
// a minute per key), so a burst from any account queues in the client
// instead of turning into 429s; larger plans raise it with
// APIConfig.SubmitsPerMinute. The newest limits page also charges writes two
// tokens and counts polls against the same budget, so a 429 can still get
// through: the transport waits it out until X-RateLimit-Reset.
const alterlabSubmitsPerMinute = 30

// Documented request limits, checked before anything is billed. Where the
// sources disagree the lower bound is used (research §10.7, §10.13).
const (
	alterlabMaxBatch   = 100     // URLs per POST /batch (guide, MCP, n8n; the limits page says 1,000)
	alterlabMaxPages   = 100_000 // crawl max_pages
	alterlabMaxDepth   = 20      // crawl max_depth (MCP, n8n; the docs say 50)
	alterlabMaxMap     = 50_000  // map max_pages
	alterlabMaxSearch  = 30      // search num_results (MCP, n8n; the docs say 50)
	alterlabMaxQuery   = 500     // search query characters
	alterlabMaxTimeout = 300     // scrape timeout, seconds
)

// AlterLabClient is the AlterLab (alterlab.io) provider. Scrapes and
// searches answer synchronously when they can and fall back to a job (HTTP
// 202) for heavy pages; batches and crawls are always jobs. Crawls can be
// cancelled.
//
// AlterLab API docs: https://alterlab.io/docs/api/rest
type AlterLabClient struct {
	api *apiClient
}

var _ Provider = (*AlterLabClient)(nil)

// NewAlterLab returns an AlterLab client. An empty BaseURL means
// DefaultAlterLabURL; "/api/v1" is appended when the URL's path does not
// already end in it, so "http://127.0.0.1:8080" and ".../api/v1" both work.
func NewAlterLab(cfg APIConfig) (*AlterLabClient, error) {
	if strings.TrimSpace(cfg.BaseURL) == "" {
		cfg.BaseURL = DefaultAlterLabURL
	}
	cfg.BaseURL = withPathSuffix(cfg.BaseURL, "/api/v1")
	api, err := newAPIClient(AlterLab, cfg, alterlabSubmitsPerMinute, decodeAlterLabError)
	if err != nil {
		return nil, err
	}
	return &AlterLabClient{api: api}, nil
}

// Name implements Provider.
func (c *AlterLabClient) Name() string { return AlterLab }

// alterlabScrapeBody is POST /scrape, and one entry of POST /batch.
type alterlabScrapeBody struct {
	URL              string            `json:"url"`
	Sync             *bool             `json:"sync,omitempty"`
	Formats          []string          `json:"formats,omitempty"`
	Mode             string            `json:"mode,omitempty"`
	Advanced         *alterlabAdvanced `json:"advanced,omitempty"`
	WaitFor          string            `json:"wait_for,omitempty"`
	Location         *alterlabLocation `json:"location,omitempty"`
	ForceRefresh     bool              `json:"force_refresh,omitempty"`
	Timeout          int               `json:"timeout,omitempty"`
	ExtractionSchema json.RawMessage   `json:"extraction_schema,omitempty"`
	ExtractionPrompt string            `json:"extraction_prompt,omitempty"`
	SessionID        string            `json:"session_id,omitempty"`
	Cookies          map[string]string `json:"cookies,omitempty"`
	CostControls     *alterlabCost     `json:"cost_controls,omitempty"`
}

// alterlabCost is cost_controls: the escalation cap and the spending cap.
type alterlabCost struct {
	MaxTier    string  `json:"max_tier,omitempty"`
	MaxCredits float64 `json:"max_credits,omitempty"`
}

func (b *alterlabScrapeBody) secrets() []string { return Controls{Cookies: b.Cookies}.secrets() }

type alterlabAdvanced struct {
	RenderJS      bool   `json:"render_js,omitempty"`
	WaitCondition string `json:"wait_condition,omitempty"`
	// Screenshot asks for a PNG of the rendered page (needs render_js); the
	// answer's screenshot_url is a path on the API's host.
	Screenshot bool `json:"screenshot,omitempty"`
}

type alterlabLocation struct {
	Country string `json:"country"`
}

// Scrape implements Provider: POST /scrape with sync true, then, when
// AlterLab answers 202 for a heavy page, poll GET /jobs/{id}.
func (c *AlterLabClient) Scrape(ctx context.Context, req ScrapeRequest) (*Page, error) {
	body, err := alterlabScrapeRequest("url", req)
	if err != nil {
		return nil, err
	}
	body.Sync = new(true)
	s, _, err := c.run(ctx, KindScrape, "/scrape", body)
	if err != nil {
		return nil, err
	}
	p := c.page(s.job.doc(s.raw), body.URL, alterlabWantsOf(req))
	if w := alterlabBalanceWarning(s.resp.header); w != "" {
		p.Warnings = append(p.Warnings, w)
	}
	c.screenshot(ctx, &p)
	return &p, nil
}

// screenshot replaces the link page() left in p.Screenshot with the PNG:
// screenshot_url is a path on the API's host, fetched with the key. A link
// to another host is passed on as it is, never fetched with the key. A
// screenshot that cannot be had is a warning, not a failed scrape.
func (c *AlterLabClient) screenshot(ctx context.Context, p *Page) {
	if p.Screenshot == nil || len(p.Screenshot.PNG) > 0 {
		return
	}
	u, own, ok := c.api.screenshotRef(p.Screenshot.URL)
	if !ok {
		p.Screenshot = nil
		p.Warnings = append(p.Warnings, "AlterLab answered with a screenshot_url that is not a usable link; no screenshot")
		return
	}
	p.Screenshot.URL = u.String()
	if !own {
		return // another host: the link alone, and the key stays home
	}
	s, err := c.api.downloadScreenshot(ctx, u, false)
	if err != nil {
		p.Warnings = append(p.Warnings, screenshotWarning(AlterLab, err, p.Screenshot.URL))
		return
	}
	p.Screenshot = s
}

// alterlabFormats maps the client's formats onto AlterLab's. Links have no
// format of their own: the "content" format carries them (with
// body_markdown, content_hash and images).
var alterlabFormats = []struct{ ours, theirs string }{
	{FormatMarkdown, "markdown"},
	{FormatHTML, "html"},
	{FormatLinks, "content"},
	{FormatJSON, "json"},
}

// alterlabScrapeRequest builds the body for req. OnlyMainContent has no
// switch to map to: AlterLab's markdown is already the page's readable main
// content (its Readability caps show in content_truncated).
func alterlabScrapeRequest(field string, req ScrapeRequest) (*alterlabScrapeBody, error) {
	if err := alterlabCheckURL(field, req.URL); err != nil {
		return nil, err
	}
	loc, err := alterlabCountry(req.Country)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(req.JSONSchema)) > 0 {
		if t := bytes.TrimSpace(req.JSONSchema); t[0] != '{' || !json.Valid(t) {
			return nil, &Error{Provider: AlterLab, Code: CodeInvalidArgument, Field: "json_schema",
				Message: "json_schema must be a JSON object (a JSON Schema)"}
		}
	}
	body := &alterlabScrapeBody{URL: strings.TrimSpace(req.URL), Location: loc, ForceRefresh: req.ForceFresh,
		ExtractionSchema: bytes.TrimSpace(req.JSONSchema), ExtractionPrompt: strings.TrimSpace(req.Prompt)}
	extract := len(body.ExtractionSchema) > 0 || body.ExtractionPrompt != ""
	for _, f := range alterlabFormats {
		if req.Wants(f.ours) || (f.ours == FormatJSON && extract) {
			body.Formats = append(body.Formats, f.theirs)
		}
	}
	if len(body.Formats) == 0 {
		body.Formats = []string{"markdown"}
	}
	wait, werr := AlterLabWaitFor(req.Actions, req.WaitFor)
	if werr != nil {
		return nil, werr
	}
	if req.ScreenshotFullPage {
		return nil, AlterLabNoFullPage()
	}
	body.WaitFor = wait
	shot := req.Wants(FormatScreenshot)
	// A selector can only be waited for, and a screenshot taken, in a
	// rendered page.
	switch mode := strings.ToLower(strings.TrimSpace(req.Mode)); {
	case req.UseBrowser || body.WaitFor != "" || shot || mode == "js":
		body.Mode = "js"
		body.Advanced = &alterlabAdvanced{RenderJS: true, WaitCondition: "networkidle", Screenshot: shot}
	case mode != "":
		body.Mode = mode
	default:
		body.Mode = "auto"
	}
	if req.MaxTier != "" || req.MaxCredits > 0 {
		body.CostControls = &alterlabCost{MaxTier: req.MaxTier, MaxCredits: req.MaxCredits}
	}
	body.SessionID = strings.TrimSpace(req.SessionID)
	if len(req.Cookies) > 0 {
		body.Cookies = req.Cookies
	}
	if req.Timeout > 0 {
		body.Timeout = alterlabPageTimeout(req.Timeout)
	}
	return body, nil
}

// AlterLabWaitFor is the top-level wait_for AlterLab is sent for actions
// and a wait_for selector. AlterLab documents advanced.actions only by name
// (its shape is unknown), so the one action sent is the one with a
// documented field of its own: a single wait_for without milliseconds,
// which is AlterLab's wait_for. Any other action is refused, before
// anything is sent.
func AlterLabWaitFor(actions []Action, waitFor string) (string, *Error) {
	waitFor = strings.TrimSpace(waitFor)
	if len(actions) == 0 {
		return waitFor, nil
	}
	if err := CheckActions(AlterLab, actions); err != nil {
		return "", err
	}
	a := actions[0]
	sel := strings.TrimSpace(a.Selector)
	if len(actions) == 1 && a.Type == ActionWaitFor && a.Milliseconds == 0 && (waitFor == "" || waitFor == sel) {
		return sel, nil
	}
	msg := "AlterLab documents no shape for browser actions, so scrapemcp sends none: remove actions. " +
		"The one exception is a single wait_for action without milliseconds, sent as AlterLab's wait_for selector"
	if a.Type == ActionWaitFor && len(actions) == 1 && waitFor != "" && waitFor != sel {
		msg = "wait_for and a wait_for action name different selectors; AlterLab waits for one: keep one of them"
	} else if len(actions) == 1 && a.Type == ActionWaitFor {
		msg += " (drop its milliseconds)"
	}
	return "", &Error{Provider: AlterLab, Code: CodeInvalidArgument, Field: "actions", Message: msg}
}

// AlterLabNoFullPage refuses screenshot_full_page: AlterLab's screenshot
// has no full-page switch.
func AlterLabNoFullPage() *Error {
	return &Error{Provider: AlterLab, Code: CodeInvalidArgument, Field: "screenshot_full_page",
		Message: "AlterLab takes no full-page switch for its screenshot; drop screenshot_full_page (formats [\"screenshot\"] alone asks for AlterLab's screenshot)"}
}

// alterlabPageTimeout is AlterLab's page timeout for a call of budget d:
// a tenth less (1 to 5 seconds), so that AlterLab's own verdict (a result,
// a 202 to poll, or a refunded TIMEOUT) comes back before the call's
// deadline. Whole seconds, 1 to 300.
func alterlabPageTimeout(d time.Duration) int {
	s := int(d / time.Second)
	s -= min(max(s/10, 1), 5)
	return min(max(s, 1), alterlabMaxTimeout)
}

// Extract implements Provider with POST /scrape asking for the json format
// with extraction_schema and/or extraction_prompt.
func (c *AlterLabClient) Extract(ctx context.Context, req ExtractRequest) (*Extraction, error) {
	if len(bytes.TrimSpace(req.JSONSchema)) == 0 && strings.TrimSpace(req.Prompt) == "" {
		return nil, &Error{Provider: AlterLab, Code: CodeInvalidArgument, Field: "json_schema",
			Message: "give a JSON schema, a prompt or both to say what to extract"}
	}
	sr := ScrapeRequest{URL: req.URL, Formats: []string{FormatJSON}, JSONSchema: req.JSONSchema, Prompt: req.Prompt,
		UseBrowser: req.UseBrowser, Country: req.Country, Timeout: req.Timeout, Controls: req.Controls}
	body, err := alterlabScrapeRequest("url", sr)
	if err != nil {
		return nil, err
	}
	body.Sync = new(true)
	s, ref, err := c.run(ctx, KindScrape, "/scrape", body)
	if err != nil {
		return nil, err
	}
	p := c.page(s.job.doc(s.raw), body.URL, alterlabWantsOf(sr))
	if p.JSON == nil {
		d := jobDetails(ref)
		if len(p.Warnings) > 0 {
			d["warnings"] = p.Warnings
		}
		return nil, &Error{Provider: AlterLab, Code: CodeJobFailed, RequestID: requestID(s.resp.header), Details: d,
			Message: "the page was scraped but AlterLab returned no structured data (no content.json, filtered_content or extraction_result)"}
	}
	return &Extraction{URL: body.URL, JSON: p.JSON, Cost: p.Cost}, nil
}

// Job implements Provider: one GET of the job's route (GET /crawl/{id},
// /batch/{id} or /jobs/{id}).
func (c *AlterLabClient) Job(ctx context.Context, ref JobRef) (*Job, error) {
	if err := alterlabCheckRef(ref); err != nil {
		return nil, err
	}
	s, err := c.snapshot(ctx, ref)
	if err != nil {
		return nil, err
	}
	return c.toJob(ref, s), nil
}

// CancelJob implements Provider: DELETE /crawl/{id}. AlterLab refunds the
// credits it pre-debited for pages not crawled. Batches and single scrapes
// have no cancel endpoint.
func (c *AlterLabClient) CancelJob(ctx context.Context, ref JobRef) (*Job, error) {
	if err := alterlabCheckRef(ref); err != nil {
		return nil, err
	}
	if ref.Kind != KindCrawl {
		return nil, Unsupported(AlterLab, "Cancelling a "+ref.Kind+" job",
			"AlterLab can cancel crawls only: a batch or a single scrape finishes on its own, and job_status keeps reading its result.")
	}
	path, _ := alterlabJobPath(ref)
	r, err := c.api.do(ctx, call{method: "DELETE", path: path})
	if err != nil {
		return nil, withJob(err, ref)
	}
	s, err := c.decodeSnap(r)
	if err != nil {
		return nil, withJob(err, ref)
	}
	if s.job.Status == "" {
		// An empty 204 or a body without a status word: the cancel was
		// accepted.
		s.job.Status = "cancelled"
	}
	return c.toJob(ref, s), nil
}

func alterlabCheckRef(ref JobRef) *Error {
	if ref.Provider != AlterLab {
		return &Error{Provider: AlterLab, Code: CodeInvalidArgument, Field: "job_id",
			Message: fmt.Sprintf("job %s belongs to the %s provider, not alterlab", ref, ref.Provider)}
	}
	switch ref.Kind {
	case KindCrawl, KindBatch, KindScrape:
	default:
		return &Error{Provider: AlterLab, Code: CodeInvalidArgument, Field: "job_id",
			Message: fmt.Sprintf("job %s has kind %q; AlterLab jobs are crawl, batch or scrape", ref, ref.Kind)}
	}
	if strings.TrimSpace(ref.ID) == "" {
		return &Error{Provider: AlterLab, Code: CodeInvalidArgument, Field: "job_id", Message: "the job id is empty"}
	}
	return nil
}

// alterlabCheckURL rejects what the API would answer 400 to, before
// anything is billed.
func alterlabCheckURL(field, raw string) *Error { return CheckURL(AlterLab, field, raw) }

// alterlabCountry is the location object for an ISO 3166-1 alpha-2 code,
// which AlterLab expects in upper case.
func alterlabCountry(raw string) (*alterlabLocation, error) {
	c, err := CheckCountry(AlterLab, raw)
	if err != nil {
		return nil, err
	}
	if c == "" {
		return nil, nil
	}
	return &alterlabLocation{Country: strings.ToUpper(c)}, nil
}
