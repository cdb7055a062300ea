package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/errmap"
)

// BatchScrapeArgs are the batch_scrape tool's arguments.
type BatchScrapeArgs struct {
	URLs            []string `json:"urls" jsonschema:"description=1 to 10 absolute http(s) URLs.,minItems=1,maxItems=10"`
	Formats         []string `json:"formats,omitempty" jsonschema:"description=markdown (default)\\, html\\, links or screenshot (a PNG of each rendered page\\, returned as images; implies use_browser).,enum=markdown,enum=html,enum=links,enum=screenshot,uniqueItems=true"`
	OnlyMainContent *bool    `json:"only_main_content,omitempty" jsonschema:"description=Keep only the main content. Default true.,default=true"`
	UseBrowser      bool     `json:"use_browser,omitempty" jsonschema:"description=Render pages in a headless browser (slower; costs more on API providers)."`
	Country         string   `json:"country,omitempty" jsonschema:"description=Two-letter country code to fetch from (API providers).,minLength=2,maxLength=2"`
	BrowserArgs
	ControlArgs
	Timeout   int `json:"timeout,omitempty" jsonschema:"description=Seconds this call may take\\, 1 to 300 (default 300). When the time runs out on an API provider the call returns with the job_id of the still-running job\\, to collect with job_status; AlterLab is also asked to give up on the page a little earlier.,minimum=1,maximum=300"`
	MaxLength int `json:"max_length,omitempty" jsonschema:"description=Maximum characters for the whole result\\, shared by the pages (default 20000). Read the rest of one page with scrape and its next_start_index.,minimum=100,maximum=1000000"`
}

// BatchItem is one URL's outcome, in input order.
type BatchItem struct {
	URL            string           `json:"url"`
	OK             bool             `json:"ok"`
	FinalURL       string           `json:"final_url,omitempty"`
	StatusCode     int              `json:"status_code,omitempty"`
	Title          string           `json:"title,omitempty"`
	Markdown       string           `json:"markdown,omitempty"`
	HTML           string           `json:"html,omitempty"`
	Links          []string         `json:"links,omitempty"`
	TotalLength    int              `json:"total_length,omitempty"`
	Truncated      bool             `json:"truncated,omitempty"`
	NextStartIndex int              `json:"next_start_index,omitempty" jsonschema:"description=Call scrape with this url and start_index to read on."`
	Screenshot     *ScreenshotOut   `json:"screenshot,omitempty" jsonschema:"description=This page's screenshot\\, when formats asked for one; attached images follow the text in item order."`
	Warnings       []string         `json:"warnings,omitempty"`
	Error          *errmap.Error    `json:"error,omitempty"`
	Guidance       *errmap.Guidance `json:"guidance,omitempty"`
}

// BatchScrapeResult is the batch_scrape tool's structured result.
type BatchScrapeResult struct {
	ErrorFields
	Provider  string      `json:"provider"`
	Items     []BatchItem `json:"items"`
	Succeeded int         `json:"succeeded"`
	Failed    int         `json:"failed"`
	Cost      *CostOut    `json:"cost,omitempty"`
}

func batchScrapeTool(d *Deps) Tool {
	return define[BatchScrapeArgs, BatchScrapeResult](d, "batch_scrape", "Scrape several pages",
		`Fetch 1 to 10 pages in one call and return each as Markdown (or HTML/links), in the order given.
Use it when you already know the URLs (e.g. from search or map). A URL that fails does not fail the call: its item has ok=false with error and guidance (e.g. retry it with scrape and use_browser=true).
Output is bounded by max_length, shared across pages; a cut page has truncated=true and next_start_index — read on with scrape(url, start_index).
The same actions and screenshot options apply to every URL. Screenshots are attached as images in item order, at most 10 (and 24 MiB) per result; an item whose image was left out says so in its screenshot.note. Anakin's batch endpoint takes no actions or screenshots: on Anakin call scrape per URL for those.
`+browserHelp,
		annotations{readOnly: true, idempotent: true, openWorld: true},
		func(ctx context.Context, req mcp.CallToolRequest, a BatchScrapeArgs) (*mcp.CallToolResult, error) {
			p := d.Provider.Name()
			br, maxLen, err := a.request(p, d.MaxOutput)
			if err != nil {
				return failure(err), nil
			}
			ctx, cancel := callContext(ctx, br.Options.Timeout, 5*time.Minute)
			defer cancel()
			out, err2 := d.Provider.BatchScrape(watchJobs(ctx, req, d.Logger), br)
			if err2 != nil {
				return failure(client.AsError(p, err2)), nil
			}
			res, pngs := d.batchResult(p, br, out, maxLen)
			return withImages(success(res, res.text(), res.Cost), pngs...), nil
		})
}

func (a BatchScrapeArgs) request(p string, defMax int) (client.BatchRequest, int, *client.Error) {
	if len(a.URLs) < 1 || len(a.URLs) > maxBatchURLs {
		return client.BatchRequest{}, 0, invalid(p, "urls", "urls must hold 1 to %d URLs, got %d; split larger lists into several calls", maxBatchURLs, len(a.URLs))
	}
	urls := make([]string, len(a.URLs))
	for i, u := range a.URLs {
		if err := checkURL(p, fmt.Sprintf("urls[%d]", i), u); err != nil {
			return client.BatchRequest{}, 0, err
		}
		urls[i] = strings.TrimSpace(u)
	}
	for _, f := range a.Formats {
		if f == client.FormatJSON {
			return client.BatchRequest{}, 0, invalid(p, "formats", "batch_scrape does not extract JSON; use extract for structured data")
		}
	}
	if p == client.Anakin && (len(a.Actions) > 0 || a.ScreenshotFullPage || slices.Contains(a.Formats, client.FormatScreenshot)) {
		field := "actions"
		if len(a.Actions) == 0 {
			field = "formats"
		}
		return client.BatchRequest{}, 0, invalid(p, field, "Anakin's batch endpoint takes no browser actions or screenshots; call scrape once per URL with them instead, or drop %s here", field)
	}
	sr, maxLen, err := ScrapeArgs{URL: urls[0], Formats: a.Formats, OnlyMainContent: a.OnlyMainContent,
		UseBrowser: a.UseBrowser, Country: a.Country, MaxLength: a.MaxLength, Timeout: a.Timeout, BrowserArgs: a.BrowserArgs, ControlArgs: a.ControlArgs}.request(p, defMax)
	if err != nil {
		return client.BatchRequest{}, 0, err
	}
	sr.URL = ""
	return client.BatchRequest{URLs: urls, Options: sr}, maxLen, nil
}

// batchResult builds the result and the screenshots to attach, in item
// order, within maxBatchImages and maxBatchImageBytes.
func (d *Deps) batchResult(p string, br client.BatchRequest, out *client.BatchResult, maxLen int) (BatchScrapeResult, [][]byte) {
	res := BatchScrapeResult{Provider: p, Cost: costOut(out.Cost), Items: make([]BatchItem, 0, len(out.Items))}
	var pngs [][]byte
	imageBytes := 0
	per := max(maxLen/max(len(out.Items), 1), minMaxLength)
	for _, it := range out.Items {
		item := BatchItem{URL: it.URL}
		switch {
		case it.Err != nil:
			rep := errmap.Explained(it.Err)
			item.Error, item.Guidance = rep.Error, &rep.Guidance
			res.Failed++
		case it.Page != nil:
			sr := br.Options
			sr.URL = it.URL
			// Cached under the scrape key, so scrape(url, start_index) reads on
			// from the very same content.
			d.cache.put(scrapeKey(p, sr), it.Page, pageSize(it.Page))
			s := scrapeResult(p, it.Page, sr, 0, per)
			item.OK = true
			item.FinalURL, item.StatusCode, item.Title = s.FinalURL, s.StatusCode, s.Title
			item.Markdown, item.HTML, item.Links = s.Markdown, s.HTML, s.Links
			item.TotalLength, item.Truncated, item.NextStartIndex = s.TotalLength, s.Truncated, s.NextStartIndex
			item.Warnings = it.Page.Warnings
			if shot := s.Screenshot; shot != nil && shot.Attached {
				switch {
				case len(pngs) >= maxBatchImages:
					shot.Attached, shot.Note = false, fmt.Sprintf("a batch result attaches at most %d images; call scrape with this url and formats [\"screenshot\"] for it", maxBatchImages)
				case imageBytes+len(s.png) > maxBatchImageBytes:
					shot.Attached, shot.Note = false, fmt.Sprintf("a batch result attaches at most %d MiB of images; call scrape with this url and formats [\"screenshot\"] for it", maxBatchImageBytes>>20)
				default:
					pngs, imageBytes = append(pngs, s.png), imageBytes+len(s.png)
				}
			}
			item.Screenshot = s.Screenshot
			res.Succeeded++
		}
		res.Items = append(res.Items, item)
	}
	return res, pngs
}

func (r BatchScrapeResult) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Batch of %d URLs via %s: %d ok, %d failed.\n", len(r.Items), r.Provider, r.Succeeded, r.Failed)
	for i, it := range r.Items {
		fmt.Fprintf(&b, "\n## %d. %s\n", i+1, it.URL)
		if !it.OK {
			if it.Error != nil && it.Guidance != nil {
				fmt.Fprintf(&b, "Failed [%s]: %s\n", it.Error.Code, it.Error.Message)
				if d := detailsText(it.Error.Details); d != "" {
					fmt.Fprintf(&b, "Details: %s\n", d)
				}
				fmt.Fprintf(&b, "Next step (%s): %s\n", it.Guidance.Action, it.Guidance.Hint)
			}
			continue
		}
		if it.Title != "" {
			fmt.Fprintf(&b, "Title: %s\n", it.Title)
		}
		b.WriteString("\n" + it.Markdown + it.HTML + "\n")
		for _, l := range it.Links {
			b.WriteString("- " + l + "\n")
		}
		for _, w := range it.Warnings {
			fmt.Fprintf(&b, "Warning: %s\n", w)
		}
		if t := it.Screenshot.text(); t != "" {
			b.WriteString(t + "\n")
		}
		if it.Truncated {
			fmt.Fprintf(&b, "[Truncated at %d of %d characters: call scrape with url=%s and start_index=%d to read on.]\n", it.NextStartIndex, it.TotalLength, it.URL, it.NextStartIndex)
		}
	}
	if r.Cost != nil {
		fmt.Fprintf(&b, "\nCost: %g %s\n", r.Cost.Credits, r.Cost.Unit)
	}
	return b.String()
}
