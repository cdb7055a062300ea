package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// DefaultAnakinURL is Anakin's production API.
const DefaultAnakinURL = "https://api.anakin.io/v1"

// anakinSubmitsPerMinute is the documented per-user limit on each submit
// endpoint (url-scraper, batch, map, crawl, search).
const anakinSubmitsPerMinute = 60

// Documented request limits, checked before any credit is spent.
const (
	anakinMaxBatch    = 10
	anakinMaxDepth    = 5
	anakinMaxPages    = 500
	anakinMaxSearch   = 20
	anakinBatchScrape = 10 // search hits scraped with one batch
)

// AnakinClient is the Anakin (anakin.io) provider. Everything but search is
// an async job: submit, then poll until completed or failed.
//
// Anakin API docs: https://anakin.io/docs/api-reference
type AnakinClient struct {
	api *apiClient
}

var _ Provider = (*AnakinClient)(nil)

// NewAnakin returns an Anakin client. An empty BaseURL means
// DefaultAnakinURL; "/v1" is appended when the URL's path does not already
// end in it, so "http://127.0.0.1:8080" and ".../v1" both work.
func NewAnakin(cfg APIConfig) (*AnakinClient, error) {
	if strings.TrimSpace(cfg.BaseURL) == "" {
		cfg.BaseURL = DefaultAnakinURL
	}
	cfg.BaseURL = withPathSuffix(cfg.BaseURL, "/v1")
	api, err := newAPIClient(Anakin, cfg, anakinSubmitsPerMinute, decodeAnakinError)
	if err != nil {
		return nil, err
	}
	return &AnakinClient{api: api}, nil
}

// Name implements Provider.
func (c *AnakinClient) Name() string { return Anakin }

// anakinScrapeBody is POST /url-scraper.
type anakinScrapeBody struct {
	URL          string          `json:"url"`
	Formats      []string        `json:"formats,omitempty"`
	Country      string          `json:"country,omitempty"`
	UseBrowser   bool            `json:"useBrowser,omitempty"`
	GenerateJSON bool            `json:"generateJson,omitempty"`
	OutputSchema json.RawMessage `json:"outputSchema,omitempty"`
	ForceFresh   bool            `json:"forceFresh,omitempty"`
	Actions      []anakinAction  `json:"actions,omitempty"`
	SessionID    string          `json:"sessionId,omitempty"`
}

// anakinAction is a browser step run before capture. Anakin's vocabulary
// is the client's (Action), field for field.
type anakinAction struct {
	Type         string `json:"type"`
	Milliseconds int    `json:"milliseconds,omitempty"`
	Selector     string `json:"selector,omitempty"`
	Direction    string `json:"direction,omitempty"`
	Text         string `json:"text,omitempty"`
	Key          string `json:"key,omitempty"`
}

// Scrape implements Provider: POST /url-scraper, then poll
// GET /url-scraper/{id}.
func (c *AnakinClient) Scrape(ctx context.Context, req ScrapeRequest) (*Page, error) {
	body, err := anakinScrapeRequest(req)
	if err != nil {
		return nil, err
	}
	b, _, ref, err := c.run(ctx, KindScrape, "/url-scraper", body)
	if err != nil {
		return nil, err
	}
	p := b.page(req.URL)
	if req.Wants(FormatScreenshot) {
		c.screenshot(ctx, &p, ref, &b.anakinDoc, req.ScreenshotFullPage)
	}
	return &p, nil
}

// screenshot attaches the page's PNG, read from
// GET /url-scraper/{id}/screenshot?type=viewport|fullpage on the API with
// the key. When that fails, the link the job answered with is passed on as
// it is, never fetched: it may be on another host, which must not see the
// key. A screenshot that cannot be had is a warning, not a failed scrape.
func (c *AnakinClient) screenshot(ctx context.Context, p *Page, ref JobRef, d *anakinDoc, fullPage bool) {
	link := strings.TrimSpace(string(d.ScreenshotURL))
	if fullPage {
		link = firstNonEmpty(strings.TrimSpace(string(d.FullPageScreenshotURL)), link)
	}
	kind := "viewport"
	if fullPage {
		kind = "fullpage"
	}
	var err error
	if ref.ID == "" {
		err = errors.New("the job has no id to download it by")
	} else {
		u := c.api.base.JoinPath("/url-scraper", ref.ID, "screenshot")
		u.RawQuery = url.Values{"type": {kind}}.Encode()
		var s *Screenshot
		if s, err = c.api.downloadScreenshot(ctx, u, fullPage); err == nil {
			p.Screenshot = s
			return
		}
	}
	if u, _, ok := c.api.screenshotRef(link); ok {
		p.Screenshot = &Screenshot{URL: u.String(), FullPage: fullPage}
	} else {
		link = ""
	}
	p.Warnings = append(p.Warnings, screenshotWarning(Anakin, err, link))
}

func anakinScrapeRequest(req ScrapeRequest) (*anakinScrapeBody, error) {
	if err := anakinCheckURL("url", req.URL); err != nil {
		return nil, err
	}
	body := &anakinScrapeBody{
		URL:        strings.TrimSpace(req.URL),
		Country:    strings.ToLower(strings.TrimSpace(req.Country)),
		UseBrowser: req.UseBrowser || strings.EqualFold(req.Mode, "js"),
		ForceFresh: req.ForceFresh,
		SessionID:  strings.TrimSpace(req.SessionID),
	}
	if body.SessionID != "" {
		// A saved browser session is attached to the browser.
		body.UseBrowser = true
	}
	for _, f := range []string{FormatMarkdown, FormatHTML, FormatLinks} {
		if req.Wants(f) {
			body.Formats = append(body.Formats, f)
		}
	}
	if req.Wants(FormatScreenshot) {
		// A screenshot is taken by the browser.
		body.Formats = append(body.Formats, anakinScreenshotFormat(req.ScreenshotFullPage))
		body.UseBrowser = true
	}
	if req.Wants(FormatJSON) || len(req.JSONSchema) > 0 || strings.TrimSpace(req.Prompt) != "" {
		schema, err := anakinSchemaWithPrompt(req.JSONSchema, req.Prompt)
		if err != nil {
			return nil, err
		}
		body.Formats = append(body.Formats, FormatJSON)
		body.GenerateJSON, body.OutputSchema = true, schema
	}
	if err := CheckActions(Anakin, req.Actions); err != nil {
		return nil, err
	}
	for _, a := range req.Actions {
		body.Actions = append(body.Actions, anakinAction(a))
	}
	if sel := strings.TrimSpace(req.WaitFor); sel != "" {
		// Anakin has no wait field; its documented way is a wait_for action,
		// which implies the browser. It runs after the other actions, just
		// before the capture.
		body.Actions = append(body.Actions, anakinAction{Type: ActionWaitFor, Selector: sel})
	}
	if len(body.Actions) > MaxActions {
		return nil, &Error{Provider: Anakin, Code: CodeInvalidArgument, Field: "wait_for",
			Message: fmt.Sprintf("wait_for runs as one more wait_for action after the %d actions, over Anakin's limit of %d; put it in actions in place of another step", len(req.Actions), MaxActions)}
	}
	if len(body.Actions) > 0 {
		body.UseBrowser = true // Anakin: actions imply the browser
	}
	return body, nil
}

// anakinScreenshotFormat is Anakin's format for a viewport or a full-page
// screenshot.
func anakinScreenshotFormat(fullPage bool) string {
	if fullPage {
		return "screenshotFullPage"
	}
	return "screenshot"
}

// anakinSchemaWithPrompt folds a prompt into the output schema. The
// url-scraper has no prompt field: its extraction is driven by outputSchema
// alone, and a JSON Schema's top-level "description" is where a model reads
// what the object is for. So the prompt becomes that description (after any
// description the schema had), and a prompt without a schema is sent as
// {"type": "object", "description": prompt}.
func anakinSchemaWithPrompt(schema json.RawMessage, prompt string) (json.RawMessage, error) {
	prompt = strings.TrimSpace(prompt)
	if prompt == "" {
		return schema, nil
	}
	m := map[string]json.RawMessage{}
	if len(schema) > 0 {
		if err := json.Unmarshal(schema, &m); err != nil {
			return nil, &Error{Provider: Anakin, Code: CodeInvalidArgument, Field: "json_schema",
				Message: "json_schema must be a JSON object: " + err.Error()}
		}
	}
	var desc string
	if json.Unmarshal(m["description"], &desc) == nil && strings.TrimSpace(desc) != "" {
		prompt = strings.TrimSpace(desc) + "\n\n" + prompt
	}
	m["description"], _ = json.Marshal(prompt)
	if _, ok := m["type"]; !ok {
		m["type"] = json.RawMessage(`"object"`)
	}
	return json.Marshal(m)
}

// anakinBatchBody is POST /url-scraper/batch. The batch route takes no
// formats or schema; every child carries markdown and html.
type anakinBatchBody struct {
	URLs         []string `json:"urls"`
	Country      string   `json:"country,omitempty"`
	UseBrowser   bool     `json:"useBrowser,omitempty"`
	GenerateJSON bool     `json:"generateJson,omitempty"`
	SessionID    string   `json:"sessionId,omitempty"`
}

// BatchScrape implements Provider: POST /url-scraper/batch, then poll
// GET /url-scraper/{id}. The batch completes when any child does; children
// that failed become items with Err.
func (c *AnakinClient) BatchScrape(ctx context.Context, req BatchRequest) (*BatchResult, error) {
	if n := len(req.URLs); n < 1 || n > anakinMaxBatch {
		return nil, &Error{Provider: Anakin, Code: CodeInvalidArgument, Field: "urls",
			Message: fmt.Sprintf("urls must hold 1 to %d URLs, got %d", anakinMaxBatch, n)}
	}
	urls := make([]string, len(req.URLs))
	for i, u := range req.URLs {
		if err := anakinCheckURL(fmt.Sprintf("urls[%d]", i), u); err != nil {
			return nil, err
		}
		urls[i] = strings.TrimSpace(u)
	}
	o := req.Options
	if len(o.Actions) > 0 || o.Wants(FormatScreenshot) {
		field := "actions"
		if len(o.Actions) == 0 {
			field = "formats"
		}
		return nil, &Error{Provider: Anakin, Code: CodeInvalidArgument, Field: field,
			Message: "Anakin's batch endpoint takes no browser actions or screenshots; call scrape once per URL for those"}
	}
	body := anakinBatchBody{URLs: urls, Country: strings.ToLower(strings.TrimSpace(o.Country)),
		UseBrowser:   o.UseBrowser || strings.EqualFold(o.Mode, "js") || strings.TrimSpace(o.SessionID) != "",
		GenerateJSON: o.Wants(FormatJSON) || len(o.JSONSchema) > 0 || strings.TrimSpace(o.Prompt) != "",
		SessionID:    strings.TrimSpace(o.SessionID)}
	b, _, _, err := c.run(ctx, KindBatch, "/url-scraper/batch", body)
	if err != nil {
		return nil, err
	}
	return c.batchResult(urls, b), nil
}

// batchResult puts the children in input order: by URL first (the API may
// reorder), then by index, and reports URLs that got no child.
func (c *AnakinClient) batchResult(urls []string, b *anakinJobBody) *BatchResult {
	res := &BatchResult{Items: make([]BatchItem, len(urls)), Cost: b.cost()}
	filled := make([]bool, len(urls))
	slot := func(it anakinItem) int {
		for i, u := range urls {
			if !filled[i] && u == it.URL {
				return i
			}
		}
		if i := it.Index.int(); it.Index.ok && i >= 0 && i < len(urls) && !filled[i] {
			return i
		}
		return -1
	}
	var childCost Cost
	for pos, it := range b.items() {
		i := slot(it)
		if i < 0 {
			continue
		}
		filled[i] = true
		childCost.Add(it.cost())
		switch it.outcome() {
		case JobCompleted:
			p := it.page(urls[i])
			res.Items[i] = BatchItem{URL: urls[i], Page: &p}
		default:
			item := c.childError(it, pos)
			item.Err.Details["index"] = i
			if it.outcome() == JobRunning {
				item.Err.Message = fmt.Sprintf("the batch finished while this URL was still %q", it.Status)
			}
			res.Items[i] = BatchItem{URL: urls[i], Err: item.Err}
		}
	}
	for i, ok := range filled {
		if !ok {
			res.Items[i] = BatchItem{URL: urls[i], Err: &Error{Provider: Anakin, Code: CodeJobFailed,
				Message: "the batch finished without a result for this URL", Details: map[string]any{"index": i}}}
		}
	}
	if res.Cost.Unit == "" {
		res.Cost = childCost
	}
	return res
}

// anakinCrawlBody is POST /crawl. Anakin crawls stay on the start URL's
// host; it has no subdomain or main-content switch.
type anakinCrawlBody struct {
	URL             string   `json:"url"`
	MaxPages        int      `json:"maxPages,omitempty"`
	Depth           int      `json:"depth,omitempty"`
	Country         string   `json:"country,omitempty"`
	UseBrowser      bool     `json:"useBrowser,omitempty"`
	IncludePatterns []string `json:"includePatterns,omitempty"`
	ExcludePatterns []string `json:"excludePatterns,omitempty"`
	SessionID       string   `json:"sessionId,omitempty"`
}

// StartCrawl implements Provider: POST /crawl, returning at once.
func (c *AnakinClient) StartCrawl(ctx context.Context, req CrawlRequest) (*Job, error) {
	if err := anakinCheckURL("url", req.URL); err != nil {
		return nil, err
	}
	if req.MaxDepth < 0 || req.MaxDepth > anakinMaxDepth {
		return nil, &Error{Provider: Anakin, Code: CodeInvalidArgument, Field: "max_depth",
			Message: fmt.Sprintf("max_depth must be between 1 and %d on Anakin, got %d", anakinMaxDepth, req.MaxDepth)}
	}
	if req.MaxPages < 0 || req.MaxPages > anakinMaxPages {
		return nil, &Error{Provider: Anakin, Code: CodeInvalidArgument, Field: "max_pages",
			Message: fmt.Sprintf("max_pages must be between 1 and %d on Anakin, got %d", anakinMaxPages, req.MaxPages)}
	}
	body := anakinCrawlBody{URL: strings.TrimSpace(req.URL), MaxPages: req.MaxPages, Depth: req.MaxDepth,
		Country: strings.ToLower(strings.TrimSpace(req.Country)), UseBrowser: req.UseBrowser || strings.TrimSpace(req.SessionID) != "",
		IncludePatterns: req.IncludePatterns, ExcludePatterns: req.ExcludePatterns, SessionID: strings.TrimSpace(req.SessionID)}
	b, r, err := c.submit(ctx, KindCrawl, "/crawl", body)
	if err != nil {
		return nil, err
	}
	ref := JobRef{Provider: Anakin, Kind: KindCrawl, ID: b.id()}
	if ref.ID == "" {
		return nil, noJobID(Anakin, r)
	}
	j := c.toJob(ref, b, r)
	if j.RawStatus == "" {
		j.RawStatus = "pending"
	}
	return j, nil
}

// anakinMapBody is POST /map.
type anakinMapBody struct {
	URL               string `json:"url"`
	Limit             int    `json:"limit,omitempty"`
	IncludeSubdomains bool   `json:"includeSubdomains,omitempty"`
	Search            string `json:"search,omitempty"`
}

// Map implements Provider: POST /map, then poll GET /map/{id}. External
// links are not part of a site map and are dropped.
func (c *AnakinClient) Map(ctx context.Context, req MapRequest) (*MapResult, error) {
	if err := anakinCheckURL("url", req.URL); err != nil {
		return nil, err
	}
	body := anakinMapBody{URL: strings.TrimSpace(req.URL), Limit: max(req.Limit, 0), IncludeSubdomains: req.IncludeSubdomains, Search: strings.TrimSpace(req.Search)}
	b, _, _, err := c.run(ctx, anakinKindMap, "/map", body)
	if err != nil {
		return nil, err
	}
	return &MapResult{URLs: linkList(b.Links), Cost: b.cost()}, nil
}

// anakinSearchRequest is POST /search. Anakin's search has no country.
type anakinSearchRequest struct {
	Prompt string `json:"prompt"`
	Limit  int    `json:"limit,omitempty"`
}

// Search implements Provider: POST /search answers synchronously. With
// ScrapeResults the top hits are fetched with one batch scrape.
func (c *AnakinClient) Search(ctx context.Context, req SearchRequest) (*SearchResult, error) {
	q := strings.TrimSpace(req.Query)
	if q == "" {
		return nil, &Error{Provider: Anakin, Code: CodeInvalidArgument, Field: "query", Message: "query is empty"}
	}
	if req.Limit < 0 || req.Limit > anakinMaxSearch {
		return nil, &Error{Provider: Anakin, Code: CodeInvalidArgument, Field: "limit",
			Message: fmt.Sprintf("limit must be between 1 and %d on Anakin, got %d", anakinMaxSearch, req.Limit)}
	}
	r, err := c.api.do(ctx, call{method: http.MethodPost, path: "/search", body: anakinSearchRequest{Prompt: q, Limit: req.Limit}, submit: true})
	if err != nil {
		return nil, submitFailed(err, "search", nil)
	}
	var body anakinSearchBody
	if err := c.api.decode(r, &body); err != nil {
		return nil, err
	}
	res := &SearchResult{Cost: body.cost()}
	for _, h := range body.Results {
		if h.Date == "" {
			h.Date = h.LastUpdated
		}
		res.Hits = append(res.Hits, SearchHit{URL: h.URL, Title: h.Title, Snippet: h.Snippet, Date: h.Date})
	}
	if req.ScrapeResults && len(res.Hits) > 0 {
		c.scrapeHits(ctx, res, req.Country)
	}
	return res, nil
}

// scrapeHits fills the top hits' markdown. The search is already paid for,
// so a failed batch leaves the hits without markdown rather than losing them.
func (c *AnakinClient) scrapeHits(ctx context.Context, res *SearchResult, country string) {
	var urls []string
	var at []int
	for i, h := range res.Hits {
		if len(urls) == anakinBatchScrape {
			break
		}
		if anakinCheckURL("url", h.URL) == nil {
			urls, at = append(urls, h.URL), append(at, i)
		}
	}
	if len(urls) == 0 {
		return
	}
	br, err := c.BatchScrape(ctx, BatchRequest{URLs: urls, Options: ScrapeRequest{Country: country}})
	if err != nil {
		c.api.log.Warn("scraping search results failed; returning hits without markdown", "provider", Anakin, "error", err.Error())
		return
	}
	res.Cost.Add(br.Cost)
	for k, it := range br.Items {
		if it.Page != nil {
			res.Hits[at[k]].Markdown = it.Page.Markdown
		}
	}
}

// Extract implements Provider with the url-scraper's generateJson: the
// schema goes in outputSchema and the prompt into its description (see
// anakinSchemaWithPrompt).
func (c *AnakinClient) Extract(ctx context.Context, req ExtractRequest) (*Extraction, error) {
	if len(req.JSONSchema) == 0 && strings.TrimSpace(req.Prompt) == "" {
		return nil, &Error{Provider: Anakin, Code: CodeInvalidArgument, Field: "json_schema",
			Message: "give a JSON schema, a prompt or both to say what to extract"}
	}
	body, err := anakinScrapeRequest(ScrapeRequest{URL: req.URL, Formats: []string{FormatMarkdown, FormatJSON},
		JSONSchema: req.JSONSchema, Prompt: req.Prompt, UseBrowser: req.UseBrowser, Country: req.Country, Controls: req.Controls})
	if err != nil {
		return nil, err
	}
	b, r, ref, err := c.run(ctx, KindScrape, "/url-scraper", body)
	if err != nil {
		return nil, err
	}
	data, warn := anakinUnwrapJSON(b.GeneratedJSON)
	if data == nil {
		msg := "the page was scraped but Anakin returned no structured data (generatedJson was empty)"
		if warn != "" {
			msg = warn
		}
		e := &Error{Provider: Anakin, Code: CodeJobFailed, Message: msg, RequestID: requestID(r.header), Details: jobDetails(ref)}
		return nil, e
	}
	return &Extraction{URL: strings.TrimSpace(req.URL), JSON: data, Cost: b.cost()}, nil
}

// Job implements Provider: one GET of the job's poll route.
func (c *AnakinClient) Job(ctx context.Context, ref JobRef) (*Job, error) {
	if err := anakinCheckRef(ref); err != nil {
		return nil, err
	}
	b, r, err := c.snapshot(ctx, ref)
	if err != nil {
		return nil, err
	}
	return c.toJob(ref, b, r), nil
}

// CancelJob implements Provider. Anakin documents no cancel endpoint.
func (c *AnakinClient) CancelJob(ctx context.Context, ref JobRef) (*Job, error) {
	if err := anakinCheckRef(ref); err != nil {
		return nil, err
	}
	return nil, Unsupported(Anakin, "Cancelling a job",
		"Anakin has no cancel endpoint: the job stops on its own when it finishes, and its results stay available through job_status for 30 days.")
}

func anakinCheckRef(ref JobRef) *Error {
	if ref.Provider != Anakin {
		return &Error{Provider: Anakin, Code: CodeInvalidArgument, Field: "job_id",
			Message: fmt.Sprintf("job %s belongs to the %s provider, not anakin", ref, ref.Provider)}
	}
	switch ref.Kind {
	case KindCrawl, KindBatch, KindScrape:
	default:
		return &Error{Provider: Anakin, Code: CodeInvalidArgument, Field: "job_id",
			Message: fmt.Sprintf("job %s has kind %q; Anakin jobs are crawl, batch or scrape", ref, ref.Kind)}
	}
	if strings.TrimSpace(ref.ID) == "" {
		return &Error{Provider: Anakin, Code: CodeInvalidArgument, Field: "job_id", Message: "the job id is empty"}
	}
	return nil
}

// anakinCheckURL rejects what the API would answer invalid_url to, before
// anything is billed.
func anakinCheckURL(field, raw string) *Error { return CheckURL(Anakin, field, raw) }
