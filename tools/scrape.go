package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client"
)

// ScrapeArgs are the scrape tool's arguments.
type ScrapeArgs struct {
	URL             string         `json:"url" jsonschema:"description=Absolute http(s) URL of the page to fetch."`
	Formats         []string       `json:"formats,omitempty" jsonschema:"description=What to return: markdown (default; the readable text)\\, html\\, links (every link on the page)\\, json (structured extraction; needs json_schema or prompt and an API provider)\\, screenshot (a PNG of the rendered page\\, returned as an image; implies use_browser).,enum=markdown,enum=html,enum=links,enum=json,enum=screenshot,uniqueItems=true"`
	OnlyMainContent *bool          `json:"only_main_content,omitempty" jsonschema:"description=Keep only the main content (drop navigation\\, footers\\, sidebars). Default true.,default=true"`
	UseBrowser      bool           `json:"use_browser,omitempty" jsonschema:"description=Render the page in a headless browser first: for JavaScript-heavy sites and anti-bot walls. Slower and costs more on API providers."`
	Country         string         `json:"country,omitempty" jsonschema:"description=Two-letter country code (e.g. us\\, de) to fetch from\\, for geo-specific content or to get past blocks. API providers only.,minLength=2,maxLength=2"`
	WaitFor         string         `json:"wait_for,omitempty" jsonschema:"description=CSS selector to wait for before capturing (browser rendering only).,maxLength=500"`
	JSONSchema      map[string]any `json:"json_schema,omitempty" jsonschema:"description=JSON Schema the structured extraction must follow (implies the json format). At most 50 KB."`
	Prompt          string         `json:"prompt,omitempty" jsonschema:"description=What to extract\\, in words (implies the json format). At most 8 KB."`
	ForceFresh      bool           `json:"force_fresh,omitempty" jsonschema:"description=Bypass the provider's cache and fetch the page again."`
	BrowserArgs
	ControlArgs
	Timeout    int `json:"timeout,omitempty" jsonschema:"description=Seconds this call may take\\, 1 to 300 (default 300). When the time runs out on an API provider the call returns with the job_id of the still-running job\\, to collect with job_status; AlterLab is also asked to give up on the page a little earlier.,minimum=1,maximum=300"`
	MaxLength  int `json:"max_length,omitempty" jsonschema:"description=Maximum characters of content to return (default: the server's --max-output\\, 20000).,minimum=100,maximum=1000000"`
	StartIndex int `json:"start_index,omitempty" jsonschema:"description=Character offset to start from\\, to read the rest of a truncated result: pass the previous next_start_index.,minimum=0"`
}

// ScrapeResult is the scrape tool's structured result.
type ScrapeResult struct {
	ErrorFields
	URL            string         `json:"url"`
	FinalURL       string         `json:"final_url,omitempty"`
	StatusCode     int            `json:"status_code,omitempty"`
	Title          string         `json:"title,omitempty"`
	Description    string         `json:"description,omitempty"`
	Provider       string         `json:"provider"`
	Markdown       string         `json:"markdown,omitempty" jsonschema:"description=The requested window of the page as Markdown."`
	HTML           string         `json:"html,omitempty" jsonschema:"description=The requested window of the page's HTML."`
	Links          []string       `json:"links,omitempty"`
	JSON           map[string]any `json:"json,omitempty" jsonschema:"description=Structured extraction result."`
	Cached         bool           `json:"cached,omitempty"`
	StartIndex     int            `json:"start_index"`
	TotalLength    int            `json:"total_length" jsonschema:"description=Length in characters of the whole content (markdown or html)."`
	Truncated      bool           `json:"truncated" jsonschema:"description=True when more content follows; call again with start_index = next_start_index."`
	NextStartIndex int            `json:"next_start_index,omitempty"`
	Cost           *CostOut       `json:"cost,omitempty"`
	Screenshot     *ScreenshotOut `json:"screenshot,omitempty" jsonschema:"description=The page's screenshot\\, when formats asked for one: its size\\, and the PNG attached as an image content block (or a link when the provider gave only a link)."`
	Warnings       []string       `json:"warnings,omitempty"`
	png            []byte         // the attached image
}

func scrapeTool(d *Deps) Tool {
	return define[ScrapeArgs, ScrapeResult](d, "scrape", "Scrape a web page",
		`Fetch one web page and return its readable content as Markdown (or HTML, its links, or structured JSON).
Use it to read an article, documentation page, product page or any URL the user mentions. For several URLs at once use batch_scrape; for a whole site use crawl or map.
Output is bounded by max_length (default 20000 characters); when truncated is true, call again with start_index = next_start_index to read on (the page is cached, so this costs nothing extra).
On failure the result is an error with guidance: guidance.action says what to do (e.g. change_strategy with use_browser=true when a site blocks plain fetches).
The guidance's remedies are arguments here: timeout bounds the call (a still-running job comes back as a job_id for job_status); mode pdf/ocr, max_tier and max_credits are AlterLab's render, escalation and cost controls; session_id (see the sessions tool) or cookies (AlterLab) scrape as a logged-in user.
`+browserHelp,
		annotations{readOnly: true, idempotent: true, openWorld: true},
		func(ctx context.Context, req mcp.CallToolRequest, a ScrapeArgs) (*mcp.CallToolResult, error) {
			p := d.Provider.Name()
			sr, maxLen, err := a.request(p, d.MaxOutput)
			if err != nil {
				return failure(err), nil
			}
			page, ferr := d.scrape(watchJobs(ctx, req, d.Logger), sr, a.StartIndex > 0)
			if ferr != nil {
				return failure(client.AsError(p, ferr)), nil
			}
			res := scrapeResult(p, page, sr, a.StartIndex, maxLen)
			return withImages(success(res, res.text(), res.Cost), res.png), nil
		})
}

// request validates the arguments and builds the provider request.
func (a ScrapeArgs) request(provider string, defMax int) (client.ScrapeRequest, int, *client.Error) {
	if err := checkURL(provider, "url", a.URL); err != nil {
		return client.ScrapeRequest{}, 0, err
	}
	maxLen, err := checkMaxLength(provider, a.MaxLength, a.StartIndex, defMax)
	if err != nil {
		return client.ScrapeRequest{}, 0, err
	}
	if err := checkCountry(provider, a.Country); err != nil {
		return client.ScrapeRequest{}, 0, err
	}
	if err := checkTimeout(provider, a.Timeout); err != nil {
		return client.ScrapeRequest{}, 0, err
	}
	if len(a.WaitFor) > 500 {
		return client.ScrapeRequest{}, 0, invalid(provider, "wait_for", "wait_for is %d characters; the limit is 500", len(a.WaitFor))
	}
	formats, ferr := checkFormats(provider, a.Formats)
	if ferr != nil {
		return client.ScrapeRequest{}, 0, ferr
	}
	schema, err := checkExtraction(provider, a.JSONSchema, a.Prompt)
	if err != nil {
		return client.ScrapeRequest{}, 0, err
	}
	wantsJSON := false
	for _, f := range formats {
		wantsJSON = wantsJSON || f == client.FormatJSON
	}
	if (schema != nil || a.Prompt != "") && !wantsJSON {
		formats = append(formats, client.FormatJSON)
		wantsJSON = true
	}
	if wantsJSON && schema == nil && a.Prompt == "" {
		return client.ScrapeRequest{}, 0, invalid(provider, "json_schema", "the json format needs json_schema or prompt to say what to extract")
	}
	if a.ScreenshotFullPage && !slices.Contains(formats, client.FormatScreenshot) {
		formats = append(formats, client.FormatScreenshot) // screenshot_full_page implies the screenshot
	}
	shot := slices.Contains(formats, client.FormatScreenshot)
	actions, berr := browserArgs(provider, a.Actions, a.ScreenshotFullPage, a.WaitFor, a.Mode, shot)
	if berr != nil {
		return client.ScrapeRequest{}, 0, berr
	}
	browser := a.UseBrowser || len(actions) > 0 || shot // actions and screenshots run in a browser
	controls, cerr := a.ControlArgs.controls(provider, browser)
	if cerr != nil {
		return client.ScrapeRequest{}, 0, cerr
	}
	main := true
	if a.OnlyMainContent != nil {
		main = *a.OnlyMainContent
	}
	return client.ScrapeRequest{
		URL:                strings.TrimSpace(a.URL),
		Formats:            formats,
		OnlyMainContent:    main,
		UseBrowser:         browser || controls.Mode == "js",
		Country:            strings.ToLower(a.Country),
		WaitFor:            a.WaitFor,
		JSONSchema:         schema,
		Prompt:             a.Prompt,
		ForceFresh:         a.ForceFresh,
		Actions:            actions,
		ScreenshotFullPage: a.ScreenshotFullPage,
		Controls:           controls,
		Timeout:            time.Duration(a.Timeout) * time.Second,
	}, maxLen, nil
}

func checkFormats(provider string, formats []string) ([]string, *client.Error) {
	if len(formats) == 0 {
		return []string{client.FormatMarkdown}, nil
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range formats {
		switch f {
		case client.FormatMarkdown, client.FormatHTML, client.FormatLinks, client.FormatJSON, client.FormatScreenshot:
		default:
			return nil, invalid(provider, "formats", "unknown format %q; use markdown, html, links, json or screenshot", clip(f, 40))
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out, nil
}

// scrape fetches through the page cache. A continuation (start_index > 0)
// reuses the cached page so the pieces fit together.
func (d *Deps) scrape(ctx context.Context, sr client.ScrapeRequest, continuation bool) (*client.Page, error) {
	key := scrapeKey(d.Provider.Name(), sr)
	if continuation && !sr.ForceFresh {
		if p, ok := d.cache.get(key).(*client.Page); ok {
			return p, nil
		}
	}
	ctx, cancel := callContext(ctx, sr.Timeout, 5*time.Minute)
	defer cancel()
	p, err := d.Provider.Scrape(ctx, sr)
	if err != nil {
		return nil, err
	}
	d.cache.put(key, p, pageSize(p))
	return p, nil
}

// scrapeKey identifies a scrape by everything that changes its result.
func scrapeKey(provider string, sr client.ScrapeRequest) string {
	actions, _ := json.Marshal(sr.Actions)
	return fmt.Sprintf("scrape\x00%s\x00%s\x00%s\x00%v\x00%v\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%v\x00%s\x00%s\x00%v",
		provider, sr.URL, strings.Join(sr.Formats, ","), sr.OnlyMainContent, sr.UseBrowser, sr.Country, sr.Prompt, sr.JSONSchema,
		sr.Mode, sr.MaxTier, sr.SessionID, sr.Cookies, sr.WaitFor, actions, sr.ScreenshotFullPage)
}

// callContext bounds a call by the agent's timeout when it gave one (the
// call then returns at that deadline, with the job id of anything still
// running upstream), else by def when ctx has no deadline of its own.
func callContext(ctx context.Context, timeout, def time.Duration) (context.Context, context.CancelFunc) {
	if timeout > 0 {
		return context.WithTimeout(ctx, timeout)
	}
	return withDefaultTimeout(ctx, def)
}

// withDefaultTimeout gives ctx a deadline when it has none: every long tool
// has a hard deadline, even when the client set none.
func withDefaultTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

func scrapeResult(provider string, p *client.Page, sr client.ScrapeRequest, start, maxLen int) ScrapeResult {
	r := ScrapeResult{
		URL: p.URL, FinalURL: p.FinalURL, StatusCode: p.StatusCode, Title: p.Title, Description: p.Description,
		Provider: provider, Cached: p.Cached, StartIndex: start, Cost: costOut(p.Cost), Warnings: p.Warnings,
	}
	if r.URL == "" {
		r.URL = sr.URL
	}
	// Offsets page the primary text: markdown when asked for, else HTML.
	// When both are asked for, HTML comes with the first window only, in
	// what is left of the budget.
	primary, secondary := p.Markdown, ""
	if !sr.Wants(client.FormatMarkdown) {
		primary = p.HTML
	} else if sr.Wants(client.FormatHTML) {
		secondary = p.HTML
	}
	if sr.Wants(client.FormatMarkdown) || sr.Wants(client.FormatHTML) {
		chunk, total, next := window(primary, start, maxLen)
		r.TotalLength, r.NextStartIndex = total, next
		if sr.Wants(client.FormatMarkdown) {
			r.Markdown = chunk
		} else {
			r.HTML = chunk
		}
		if secondary != "" && start == 0 {
			left := max(maxLen-utf8.RuneCountInString(chunk), 0)
			h, htotal, _ := window(secondary, 0, left)
			r.HTML = h
			if len([]rune(h)) < htotal {
				r.Warnings = append(r.Warnings, fmt.Sprintf("html cut to %d of %d characters to stay within max_length; ask for the html format alone to page through it", len([]rune(h)), htotal))
			}
		}
	}
	if sr.Wants(client.FormatLinks) && start == 0 {
		r.Links = boundLinks(p.Links, maxLen, &r.Warnings)
	}
	if sr.Wants(client.FormatJSON) && len(p.JSON) > 0 && start == 0 {
		r.JSON = asObject(p.JSON)
	}
	if sr.Wants(client.FormatScreenshot) && start == 0 {
		// The image comes with the first window only, like links and json.
		if r.Screenshot = screenshotOut(p.Screenshot, true); r.Screenshot != nil && r.Screenshot.Attached {
			r.png = p.Screenshot.PNG
		}
	}
	r.Truncated = r.NextStartIndex > 0
	return r
}

// boundLinks keeps links within the character budget.
func boundLinks(links []string, budget int, warnings *[]string) []string {
	used := 0
	for i, l := range links {
		used += len(l) + 1
		if used > budget {
			*warnings = append(*warnings, fmt.Sprintf("links list cut at %d of %d links to stay within max_length", i, len(links)))
			return links[:i]
		}
	}
	return links
}

// asObject presents extracted JSON as an object: output schemas need a fixed
// type, and extraction can yield arrays or scalars.
func asObject(raw json.RawMessage) map[string]any {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return map[string]any{"raw": string(raw)}
	}
	if m, ok := v.(map[string]any); ok {
		return m
	}
	return map[string]any{"value": v}
}

func (r ScrapeResult) text() string {
	var b strings.Builder
	if r.Title != "" {
		fmt.Fprintf(&b, "# %s\n", r.Title)
	}
	src := r.FinalURL
	if src == "" {
		src = r.URL
	}
	fmt.Fprintf(&b, "Source: %s", src)
	if r.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", r.StatusCode)
	}
	fmt.Fprintf(&b, " via %s\n", r.Provider)
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "Warning: %s\n", w)
	}
	if r.StartIndex > 0 {
		fmt.Fprintf(&b, "(continuing from character %d of %d)\n", r.StartIndex, r.TotalLength)
	}
	b.WriteString("\n")
	if r.Markdown != "" {
		b.WriteString(r.Markdown)
		b.WriteString("\n")
	}
	if r.HTML != "" {
		b.WriteString("\n```html\n" + r.HTML + "\n```\n")
	}
	if len(r.JSON) > 0 {
		j, _ := json.MarshalIndent(r.JSON, "", "  ")
		b.WriteString("\n```json\n" + string(j) + "\n```\n")
	}
	if t := r.Screenshot.text(); t != "" {
		b.WriteString("\n" + t + "\n")
	}
	if len(r.Links) > 0 {
		fmt.Fprintf(&b, "\nLinks (%d):\n", len(r.Links))
		for _, l := range r.Links {
			b.WriteString("- " + l + "\n")
		}
	}
	if r.Truncated {
		fmt.Fprintf(&b, "\n[Truncated: showed characters %d–%d of %d. To read on, call scrape again with the same arguments and start_index=%d.]\n",
			r.StartIndex, r.NextStartIndex, r.TotalLength, r.NextStartIndex)
	}
	if r.Cost != nil {
		fmt.Fprintf(&b, "\nCost: %g %s\n", r.Cost.Credits, r.Cost.Unit)
	}
	return b.String()
}
