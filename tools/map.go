package tools

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client"
)

// MapArgs are the map tool's arguments.
type MapArgs struct {
	URL               string `json:"url" jsonschema:"description=Absolute http(s) URL of the site (any page of it)."`
	Limit             int    `json:"limit,omitempty" jsonschema:"description=Maximum URLs to discover (default 100\\, max 5000).,minimum=1,maximum=5000,default=100"`
	Search            string `json:"search,omitempty" jsonschema:"description=Keep only URLs that contain this text (case-insensitive)\\, e.g. pricing.,maxLength=500"`
	IncludeSubdomains bool   `json:"include_subdomains,omitempty" jsonschema:"description=Also list URLs on subdomains of the site."`
	Timeout           int    `json:"timeout,omitempty" jsonschema:"description=Seconds this call may take\\, 1 to 300 (default 180).,minimum=1,maximum=300"`
	MaxLength         int    `json:"max_length,omitempty" jsonschema:"description=Maximum characters of URLs in this result (default 20000).,minimum=100,maximum=1000000"`
	Cursor            string `json:"cursor,omitempty" jsonschema:"description=next_cursor from the previous result\\, to list more."`
}

// MapResult is the map tool's structured result.
type MapResult struct {
	ErrorFields
	URL        string   `json:"url"`
	Provider   string   `json:"provider"`
	URLs       []string `json:"urls"`
	Total      int      `json:"total" jsonschema:"description=URLs in the whole list (all its pages). When stop.reason is limit\\, more exist than this."`
	Offset     int      `json:"offset" jsonschema:"description=Index of the first URL in this result."`
	Truncated  bool     `json:"truncated" jsonschema:"description=True when more URLs exist than this result shows: continue with next_cursor when it is set\\, else the list itself was cut (see stop)."`
	NextCursor string   `json:"next_cursor,omitempty"`
	Skipped    int      `json:"skipped,omitempty" jsonschema:"description=Links not listed (robots.txt\\, private addresses)."`
	Failed     int      `json:"failed,omitempty" jsonschema:"description=URLs left out because fetching them failed (404\\, 5xx…)."`
	Stop       *StopOut `json:"stop,omitempty" jsonschema:"description=Why discovery stopped\\, where the provider says (the local fetcher does)."`
	Cost       *CostOut `json:"cost,omitempty"`
}

func mapTool(d *Deps) Tool {
	return define[MapArgs, MapResult](d, "map", "List a site's URLs",
		`Discover the URLs of a website from its sitemap.xml and links, without fetching page content.
Use it to find the right page before scrape/batch_scrape, or to plan a crawl. Filter with search (e.g. "docs"). Results are paged: when next_cursor is set, call again with the same arguments and cursor=next_cursor. stop says why discovery ended; when limit cut the list, truncated is true and stop.suggested_arguments gives a larger limit.`,
		annotations{readOnly: true, idempotent: true, openWorld: true},
		func(ctx context.Context, req mcp.CallToolRequest, a MapArgs) (*mcp.CallToolResult, error) {
			p := d.Provider.Name()
			mr, offset, maxLen, err := a.request(p, d.MaxOutput)
			if err != nil {
				return failure(err), nil
			}
			out, merr := d.siteMap(watchJobs(ctx, req, d.Logger), mr, offset, time.Duration(a.Timeout)*time.Second)
			if merr != nil {
				return failure(client.AsError(p, merr)), nil
			}
			res := mapResult(p, mr, out, offset, maxLen)
			return success(res, res.text(), res.Cost), nil
		})
}

// request validates the arguments and builds the provider request; offset
// is where the cursor says to continue.
func (a MapArgs) request(p string, defMax int) (mr client.MapRequest, offset, maxLen int, err *client.Error) {
	if err := checkURL(p, "url", a.URL); err != nil {
		return mr, 0, 0, err
	}
	if a.Limit < 0 || a.Limit > maxMapLimit {
		return mr, 0, 0, invalid(p, "limit", "limit must be between 1 and %d, got %d", maxMapLimit, a.Limit)
	}
	if len(a.Search) > maxQueryLength {
		return mr, 0, 0, invalid(p, "search", "search is %d characters; the limit is %d", len(a.Search), maxQueryLength)
	}
	if err := checkTimeout(p, a.Timeout); err != nil {
		return mr, 0, 0, err
	}
	if maxLen, err = checkMaxLength(p, a.MaxLength, 0, defMax); err != nil {
		return mr, 0, 0, err
	}
	if a.Cursor != "" {
		n, cerr := strconv.Atoi(a.Cursor)
		if cerr != nil || n < 0 {
			return mr, 0, 0, invalid(p, "cursor", "cursor %q is not one this server issued; pass next_cursor unchanged", clip(a.Cursor, 40))
		}
		offset = n
	}
	mr = client.MapRequest{URL: strings.TrimSpace(a.URL), Limit: a.Limit, Search: a.Search, IncludeSubdomains: a.IncludeSubdomains}
	if mr.Limit == 0 {
		mr.Limit = 100
	}
	return mr, offset, maxLen, nil
}

// siteMap maps the site, through the result cache: a continuation (offset
// > 0) reads on from the same list when it is still cached.
func (d *Deps) siteMap(ctx context.Context, mr client.MapRequest, offset int, timeout time.Duration) (*client.MapResult, error) {
	key := fmt.Sprintf("map\x00%s\x00%s\x00%d\x00%s\x00%v", d.Provider.Name(), mr.URL, mr.Limit, mr.Search, mr.IncludeSubdomains)
	if out, ok := d.cache.get(key).(*client.MapResult); ok && offset > 0 {
		return out, nil
	}
	ctx, cancel := callContext(ctx, timeout, 3*time.Minute)
	defer cancel()
	out, err := d.Provider.Map(ctx, mr)
	if err != nil {
		return nil, err
	}
	size := 0
	for _, u := range out.URLs {
		size += len(u)
	}
	d.cache.put(key, out, size)
	return out, nil
}

// mapResult is the window of out's URLs from offset that fits maxLen.
func mapResult(p string, mr client.MapRequest, out *client.MapResult, offset, maxLen int) MapResult {
	res := MapResult{URL: mr.URL, Provider: p, Total: len(out.URLs), Offset: offset, Skipped: out.Skipped, Failed: out.Failed,
		Stop: mapStop(out.Stop, mr.Limit), URLs: []string{}}
	if offset == 0 {
		res.Cost = costOut(out.Cost)
	}
	used := 0
	i := offset
	for ; i < len(out.URLs); i++ {
		used += len(out.URLs[i]) + 1
		if used > maxLen && i > offset {
			break
		}
		res.URLs = append(res.URLs, out.URLs[i])
	}
	if i < len(out.URLs) {
		res.Truncated, res.NextCursor = true, strconv.Itoa(i)
	}
	res.Truncated = res.Truncated || out.Truncated
	return res
}

func (r MapResult) text() string {
	var b strings.Builder
	more := ""
	if r.Stop != nil && r.Stop.Reason == client.StopLimit {
		more = ", and more exist"
	}
	fmt.Fprintf(&b, "%d URLs found on %s via %s%s", r.Total, r.URL, r.Provider, more)
	if r.Offset > 0 || r.NextCursor != "" {
		fmt.Fprintf(&b, " (showing %d–%d)", r.Offset+1, r.Offset+len(r.URLs))
	}
	b.WriteString(":\n")
	for _, u := range r.URLs {
		b.WriteString(u + "\n")
	}
	if r.Skipped > 0 {
		fmt.Fprintf(&b, "Skipped %d links (robots.txt or private addresses).\n", r.Skipped)
	}
	if r.Failed > 0 {
		fmt.Fprintf(&b, "Left out %d URLs that failed when fetched (404, 5xx…).\n", r.Failed)
	}
	if r.NextCursor != "" {
		fmt.Fprintf(&b, "[More URLs: call map again with the same arguments and cursor=%q.]\n", r.NextCursor)
	}
	if r.Stop != nil && (r.Stop.Reason != client.StopExhausted || r.NextCursor == "") {
		fmt.Fprintf(&b, "Stopped (%s): %s\n", r.Stop.Reason, r.Stop.Hint)
	}
	return b.String()
}
