package tools

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client"
)

// SearchArgs are the search tool's arguments.
type SearchArgs struct {
	Query         string `json:"query" jsonschema:"description=What to search the web for.,minLength=1,maxLength=500"`
	Limit         int    `json:"limit,omitempty" jsonschema:"description=Number of results (default 5\\, max 20).,minimum=1,maximum=20,default=5"`
	ScrapeResults bool   `json:"scrape_results,omitempty" jsonschema:"description=Also fetch the top results' content as Markdown (costs more)."`
	Country       string `json:"country,omitempty" jsonschema:"description=Two-letter country code to search from.,minLength=2,maxLength=2"`
	Timeout       int    `json:"timeout,omitempty" jsonschema:"description=Seconds this call may take\\, 1 to 300 (default 180).,minimum=1,maximum=300"`
	MaxLength     int    `json:"max_length,omitempty" jsonschema:"description=Maximum characters of scraped content in this result (default 20000).,minimum=100,maximum=1000000"`
}

// SearchHit is one search result.
type SearchHit struct {
	Position  int    `json:"position"`
	URL       string `json:"url"`
	Title     string `json:"title,omitempty"`
	Snippet   string `json:"snippet,omitempty"`
	Date      string `json:"date,omitempty"`
	Markdown  string `json:"markdown,omitempty" jsonschema:"description=The page's content\\, when scrape_results is true (cut to fit max_length)."`
	Truncated bool   `json:"truncated,omitempty" jsonschema:"description=True when markdown was cut; read the page with scrape."`
}

// SearchResult is the search tool's structured result.
type SearchResult struct {
	ErrorFields
	Query    string      `json:"query"`
	Provider string      `json:"provider"`
	Results  []SearchHit `json:"results"`
	Cost     *CostOut    `json:"cost,omitempty"`
}

func searchTool(d *Deps) Tool {
	return define[SearchArgs, SearchResult](d, "search", "Search the web",
		`Search the web and return ranked results (url, title, snippet), optionally with each result's content as Markdown.
Use it to find pages when you do not have a URL; then read them with scrape or batch_scrape. Needs an API provider (ANAKIN_API_KEY or ALTERLAB_API_KEY); on the local backend the result is guidance saying so. Each search costs credits.`,
		annotations{readOnly: true, openWorld: true},
		func(ctx context.Context, req mcp.CallToolRequest, a SearchArgs) (*mcp.CallToolResult, error) {
			p := d.Provider.Name()
			q := strings.TrimSpace(a.Query)
			switch {
			case q == "":
				return failure(invalid(p, "query", "query is required")), nil
			case utf8.RuneCountInString(q) > maxQueryLength:
				return failure(invalid(p, "query", "query is %d characters; the limit is %d", utf8.RuneCountInString(q), maxQueryLength)), nil
			case a.Limit < 0 || a.Limit > maxSearchLimit:
				return failure(invalid(p, "limit", "limit must be between 1 and %d, got %d", maxSearchLimit, a.Limit)), nil
			}
			if err := checkCountry(p, a.Country); err != nil {
				return failure(err), nil
			}
			if err := checkTimeout(p, a.Timeout); err != nil {
				return failure(err), nil
			}
			maxLen, err := checkMaxLength(p, a.MaxLength, 0, d.MaxOutput)
			if err != nil {
				return failure(err), nil
			}
			limit := a.Limit
			if limit == 0 {
				limit = 5
			}
			ctx, cancel := callContext(ctx, time.Duration(a.Timeout)*time.Second, 3*time.Minute)
			defer cancel()
			out, serr := d.Provider.Search(watchJobs(ctx, req, d.Logger), client.SearchRequest{Query: q, Limit: limit, ScrapeResults: a.ScrapeResults, Country: strings.ToLower(a.Country)})
			if serr != nil {
				return failure(client.AsError(p, serr)), nil
			}
			res := SearchResult{Query: q, Provider: p, Cost: costOut(out.Cost), Results: []SearchHit{}}
			per := max(maxLen/max(len(out.Hits), 1), minMaxLength)
			for i, h := range out.Hits {
				chunk, _, next := window(h.Markdown, 0, per)
				res.Results = append(res.Results, SearchHit{Position: i + 1, URL: h.URL, Title: h.Title, Snippet: h.Snippet, Date: h.Date, Markdown: chunk, Truncated: next > 0})
			}
			return success(res, res.text(), res.Cost), nil
		})
}

func (r SearchResult) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d results for %q via %s:\n", len(r.Results), r.Query, r.Provider)
	for _, h := range r.Results {
		fmt.Fprintf(&b, "\n%d. %s\n   %s\n", h.Position, h.Title, h.URL)
		if h.Date != "" {
			fmt.Fprintf(&b, "   %s\n", h.Date)
		}
		if h.Snippet != "" {
			fmt.Fprintf(&b, "   %s\n", h.Snippet)
		}
		if h.Markdown != "" {
			b.WriteString("\n" + h.Markdown + "\n")
			if h.Truncated {
				b.WriteString("[content cut to fit; read the whole page with scrape]\n")
			}
		}
	}
	if r.Cost != nil {
		fmt.Fprintf(&b, "\nCost: %g %s\n", r.Cost.Credits, r.Cost.Unit)
	}
	return b.String()
}
