// Package client talks to the scraping backends: the Anakin and AlterLab HTTP APIs
// and the embedded local fetcher. It knows nothing about MCP; the tools package
// turns what it returns into tool results and guidance.
package client

import (
	"context"
	"encoding/json"
	"time"
)

// Provider names, as they appear in job ids, errors and configuration.
const (
	Anakin   = "anakin"
	AlterLab = "alterlab"
	Local    = "local"
)

// Provider is one scraping backend. Every method honours ctx: a cancelled or
// expired context stops the call, including any polling it does.
//
// Methods a backend cannot serve return an *Error with Code CodeUnsupported,
// so the caller can tell the agent which provider can.
type Provider interface {
	Name() string
	// Scrape fetches one page. Async APIs are submitted and polled until done
	// or until ctx ends.
	Scrape(ctx context.Context, req ScrapeRequest) (*Page, error)
	// BatchScrape fetches 1–10 URLs. Per-URL failures are reported in the
	// items; the error is for the batch as a whole.
	BatchScrape(ctx context.Context, req BatchRequest) (*BatchResult, error)
	// StartCrawl submits a crawl and returns at once with the job's id.
	StartCrawl(ctx context.Context, req CrawlRequest) (*Job, error)
	// Map lists the URLs of a site.
	Map(ctx context.Context, req MapRequest) (*MapResult, error)
	// Search runs a web search, optionally scraping the top results.
	Search(ctx context.Context, req SearchRequest) (*SearchResult, error)
	// Extract returns structured JSON from one URL, following a JSON Schema
	// and/or a prompt.
	Extract(ctx context.Context, req ExtractRequest) (*Extraction, error)
	// Job reads the state of a job started by this provider. Pages are
	// returned in full; callers page them.
	Job(ctx context.Context, ref JobRef) (*Job, error)
	// CancelJob stops a running job where the provider supports it.
	CancelJob(ctx context.Context, ref JobRef) (*Job, error)
}

// Formats a scrape can return.
const (
	FormatMarkdown = "markdown"
	FormatHTML     = "html"
	FormatLinks    = "links"
	FormatJSON     = "json"
	// FormatScreenshot is a PNG of the rendered page (the viewport, or the
	// whole page with ScrapeRequest.ScreenshotFullPage). It needs a browser.
	FormatScreenshot = "screenshot"
)

// ScrapeRequest asks for one page.
type ScrapeRequest struct {
	URL             string
	Formats         []string // markdown (default), html, links, json
	OnlyMainContent bool
	UseBrowser      bool
	Country         string // ISO 3166-1 alpha-2, lower or upper case
	WaitFor         string // CSS selector to wait for (browser only)
	JSONSchema      json.RawMessage
	Prompt          string
	ForceFresh      bool
	// Actions run in the browser, in order, after the page loads and
	// before it is captured. They imply a browser (UseBrowser).
	Actions []Action
	// ScreenshotFullPage captures the whole page, not only the viewport,
	// when FormatScreenshot is asked for.
	ScreenshotFullPage bool
	Controls
	// Timeout is the call's budget (the caller's context ends with it); a
	// provider with a page timeout of its own gets a little less, so that
	// its answer arrives before the call's deadline. 0 = provider default.
	Timeout time.Duration
}

// Wants reports whether format f was requested. An empty list means markdown.
func (r ScrapeRequest) Wants(f string) bool {
	if len(r.Formats) == 0 {
		return f == FormatMarkdown
	}
	for _, x := range r.Formats {
		if x == f {
			return true
		}
	}
	return false
}

// Page is one fetched document.
type Page struct {
	URL         string // the URL asked for
	FinalURL    string // after redirects
	StatusCode  int    // the target site's HTTP status, when known
	Title       string
	Description string
	ContentType string
	Canonical   string
	Markdown    string
	HTML        string
	Links       []string
	JSON        json.RawMessage // structured extraction, when asked for
	Screenshot  *Screenshot     // when FormatScreenshot was asked for
	Cached      bool
	Cost        Cost
	Warnings    []string
}

// Action is one browser step before capture, in the vocabulary the
// providers share (Anakin's and Firecrawl's actions): wait (Milliseconds),
// wait_for (Selector, optional Milliseconds as its own limit), click
// (Selector), scroll (Direction up or down, optional Selector), write
// (Text, typed into the focused element) and press (Key, e.g. "Enter").
type Action struct {
	Type         string `json:"type"`
	Milliseconds int    `json:"milliseconds,omitempty"`
	Selector     string `json:"selector,omitempty"`
	Direction    string `json:"direction,omitempty"`
	Text         string `json:"text,omitempty"`
	Key          string `json:"key,omitempty"`
}

// Action types.
const (
	ActionWait    = "wait"
	ActionWaitFor = "wait_for"
	ActionClick   = "click"
	ActionScroll  = "scroll"
	ActionWrite   = "write"
	ActionPress   = "press"
)

// Limits on actions, checked before anything runs (Anakin's documented
// limits, applied to every backend).
const (
	MaxActions         = 15
	MaxActionWait      = 15 * time.Second // one wait or wait_for
	MaxActionsWait     = 30 * time.Second // all waits of one request together
	MaxActionSelector  = 500              // characters
	MaxActionWriteText = 2000             // characters
)

// Screenshot is a PNG of a rendered page. A provider that only hands out a
// link sets URL and leaves PNG empty.
type Screenshot struct {
	PNG      []byte
	URL      string
	Width    int  // pixels of the image, when known
	Height   int  // pixels of the image, when known
	FullPage bool // the whole page rather than the viewport
	// Scale is the image's size over the page's CSS size (1 unless it was
	// scaled down to fit the size limits).
	Scale float64
}

// Cost is what a call spent, in the provider's own unit. Zero when unreported.
type Cost struct {
	Credits float64 // in Unit
	Unit    string  // "credits" (Anakin), "microcents" (AlterLab), "" when free/local
}

// Add accumulates other into c, keeping the first non-empty unit.
func (c *Cost) Add(other Cost) {
	c.Credits += other.Credits
	if c.Unit == "" {
		c.Unit = other.Unit
	}
}

// BatchRequest asks for 1–10 pages with the same options.
type BatchRequest struct {
	URLs    []string
	Options ScrapeRequest // URL is ignored
}

// BatchItem is the outcome for one URL of a batch, in input order.
type BatchItem struct {
	URL  string
	Page *Page  // nil on failure
	Err  *Error // nil on success
}

// BatchResult holds one item per requested URL, in input order.
type BatchResult struct {
	Items []BatchItem
	Cost  Cost
}

// CrawlRequest starts a crawl.
type CrawlRequest struct {
	URL               string
	MaxPages          int
	MaxDepth          int
	IncludePatterns   []string
	ExcludePatterns   []string
	IncludeSubdomains bool // default false: same host only
	UseBrowser        bool
	Country           string
	OnlyMainContent   bool
	// NoSitemap keeps the local crawl from reading the site's sitemaps
	// when its links run out (see local.Provider.StartCrawl); API
	// providers ignore it.
	NoSitemap bool
	// Controls: MaxTier and MaxCredits (AlterLab's cost_controls) and
	// SessionID (Anakin's saved browser session); Mode and Cookies are not
	// crawl options.
	Controls
}

// MapRequest asks for a site's URLs.
type MapRequest struct {
	URL               string
	Limit             int
	Search            string
	IncludeSubdomains bool
}

// MapResult lists discovered URLs.
type MapResult struct {
	URLs []string
	Cost Cost
	// Skipped counts links the provider refused to follow (e.g. private
	// addresses behind the SSRF guard, robots.txt disallows).
	Skipped int
	// Truncated is true when more URLs exist than URLs lists: the limit or
	// a bound on the walk cut the list.
	Truncated bool
	// Failed counts URLs the provider fetched, saw fail (404, 5xx…) and so
	// left out of URLs.
	Failed int
	// Stop says why discovery ended, where the provider says.
	Stop *Stop
}

// SearchRequest is a web search.
type SearchRequest struct {
	Query         string
	Limit         int
	ScrapeResults bool
	Country       string
}

// SearchHit is one search result.
type SearchHit struct {
	URL      string
	Title    string
	Snippet  string
	Date     string
	Markdown string // when the result was scraped
}

// SearchResult holds the hits in rank order.
type SearchResult struct {
	Hits []SearchHit
	Cost Cost
}

// ExtractRequest asks for structured data from one page.
type ExtractRequest struct {
	URL        string
	JSONSchema json.RawMessage
	Prompt     string
	UseBrowser bool
	Country    string
	Timeout    time.Duration // the call's budget, as in ScrapeRequest
	Controls
}

// Controls are the request options only some APIs take, in the APIs' own
// terms. The tools check them against the provider before any call
// (ranges, exclusivity, support); a provider that does not take one is
// never sent it.
type Controls struct {
	// Mode is AlterLab's render mode: auto, html, js, pdf or ocr ("js" is
	// also UseBrowser). Empty: auto, or js when UseBrowser.
	Mode string
	// MaxTier caps AlterLab's escalation (cost_controls.max_tier: "1", "2",
	// "3", "3.5" or "4"; "4" is the browser with CAPTCHA solving).
	MaxTier string
	// MaxCredits is AlterLab's per-request spending cap
	// (cost_controls.max_credits); the request fails with EXCEEDS_COST_LIMIT
	// rather than cost more.
	MaxCredits float64
	// SessionID names a stored session: AlterLab's session_id (a UUID of
	// stored cookies) or Anakin's sessionId (a saved browser session).
	SessionID string
	// Cookies are AlterLab's inline cookies for a one-off authenticated
	// request (name → value); exclusive with SessionID. Their values are
	// secrets: never logged, redacted from errors.
	Cookies map[string]string
}

// secrets lists the values a request carries that must not come back in an
// error or a log.
func (c Controls) secrets() []string {
	out := make([]string, 0, len(c.Cookies))
	for _, v := range c.Cookies {
		if len(v) >= 4 { // shorter values are too common to scrub as text
			out = append(out, v)
		}
	}
	return out
}

// SessionLister is implemented by providers that keep saved sessions for
// authenticated scraping (Anakin's browser sessions, AlterLab's cookie
// sessions). The local backend has none.
type SessionLister interface {
	Sessions(ctx context.Context, req SessionsRequest) (*SessionList, error)
}

// SessionsRequest filters the saved sessions.
type SessionsRequest struct {
	Domain string
	Status string // AlterLab: active, expired or invalid; "" for all
}

// Session is one saved session, without its cookies.
type Session struct {
	ID          string
	Name        string
	Domain      string
	Status      string // active, expired, invalid (AlterLab); active or inactive (Anakin)
	CookieNames []string
	CookieCount int
	CreatedAt   string
	LastUsedAt  string
	ExpiresAt   string
}

// SessionList holds the sessions in the API's order.
type SessionList struct {
	Sessions []Session
}

// Extraction is structured data from one page.
type Extraction struct {
	URL  string
	JSON json.RawMessage
	Cost Cost
}
