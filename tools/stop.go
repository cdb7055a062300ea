package tools

import (
	"fmt"

	"github.com/scrapemcp/scrapemcp/client"
)

// StopOut says why a crawl or a map stopped and, when raising a limit would
// find more, which argument to raise.
type StopOut struct {
	Reason           string `json:"reason" jsonschema:"enum=exhausted,enum=max_pages,enum=max_depth,enum=limit,enum=deadline,enum=robots,enum=budget,enum=failures,enum=cancelled,description=exhausted: nothing more within reach; max_pages / max_depth / limit: that limit cut it short; deadline: time ran out; robots: robots.txt disallows the start; budget: the server's memory for crawl results is full; failures: too many pages failed; cancelled."`
	Limit            int    `json:"limit,omitempty" jsonschema:"description=The value of the limit that stopped it."`
	LinksBeyondDepth int    `json:"links_beyond_depth,omitempty" jsonschema:"description=Distinct same-site links found on the deepest pages and not followed (at least this many)."`
	URLsLeft         int    `json:"urls_left,omitempty" jsonschema:"description=URLs found but not fetched (crawl) when it stopped (at least this many)."`
	Hint             string `json:"hint"`
	// SuggestedArguments name crawl (or map) arguments: for job_status they
	// are for a new crawl call.
	SuggestedArguments map[string]any `json:"suggested_arguments,omitempty" jsonschema:"description=Arguments of crawl (or map) that would find more: call it again with these changed."`
}

// crawlStop explains a finished crawl's stop; nil when the provider gave none.
func crawlStop(s *client.Stop) *StopOut {
	if s == nil {
		return nil
	}
	out := &StopOut{Reason: s.Reason, Limit: s.Limit, LinksBeyondDepth: s.Beyond, URLsLeft: s.Left}
	switch s.Reason {
	case client.StopMaxDepth:
		if s.Limit < maxCrawlDepth {
			out.SuggestedArguments = map[string]any{"max_depth": s.Limit + 1}
			out.Hint = fmt.Sprintf("max_depth=%d stopped the crawl: %d links lay beyond it. Call crawl again with max_depth=%d to follow them.", s.Limit, s.Beyond, s.Limit+1)
		} else {
			out.Hint = fmt.Sprintf("max_depth=%d (the most) stopped the crawl: %d links lay beyond it. Crawl again from one of the deepest pages to go further.", s.Limit, s.Beyond)
		}
	case client.StopMaxPages:
		if s.Limit < maxCrawlPages {
			next := min(max(2*s.Limit, s.Limit+s.Left), maxCrawlPages)
			out.SuggestedArguments = map[string]any{"max_pages": next}
			out.Hint = fmt.Sprintf("max_pages=%d stopped the crawl with %d URLs still queued. Call crawl again with max_pages=%d (or narrow it with include_paths).", s.Limit, s.Left, next)
		} else {
			out.Hint = fmt.Sprintf("max_pages=%d (the most) stopped the crawl with %d URLs still queued. Crawl the remaining sections separately with include_paths.", s.Limit, s.Left)
		}
	case client.StopDeadline:
		out.Hint = "The crawl ran out of time; the pages fetched are kept. Narrow it with include_paths, max_depth or max_pages."
	case client.StopRobots:
		out.Hint = "robots.txt disallows the start page, so nothing was crawled."
	case client.StopBudget:
		out.Hint = "The server's memory for crawl results is full; the crawl stopped. Collect finished crawls with job_status, or narrow this one with include_paths."
	case client.StopFailures:
		out.Hint = "Too many pages failed; see failures."
	case client.StopCancelled:
		out.Hint = "The crawl was cancelled; the pages fetched before that are kept."
	default:
		out.Hint = "Every page within reach of the start page was visited."
	}
	return out
}

// mapStop explains why a map stopped; nil when the provider gave none.
func mapStop(s *client.Stop, limit int) *StopOut {
	if s == nil {
		return nil
	}
	out := &StopOut{Reason: s.Reason, Limit: s.Limit, LinksBeyondDepth: s.Beyond}
	switch s.Reason {
	case client.StopLimit:
		if limit < maxMapLimit {
			next := min(2*limit, maxMapLimit)
			out.SuggestedArguments = map[string]any{"limit": next}
			out.Hint = fmt.Sprintf("limit=%d stopped the map: more URLs exist. Call map again with limit=%d (or narrow it with search).", limit, next)
		} else {
			out.Hint = fmt.Sprintf("limit=%d (the most) stopped the map: more URLs exist. Narrow it with search, or map a section's URL.", limit)
		}
	case client.StopMaxPages:
		out.Hint = fmt.Sprintf("The map read the sitemaps, then fetched at most %d pages for their links; %d URLs found were not fetched, so more may exist behind them. Map a section's URL to look deeper.", s.Limit, s.Left)
	case client.StopMaxDepth:
		out.Hint = fmt.Sprintf("The map read the sitemaps, then followed links %d deep; %d links on the deepest pages are listed but were not followed. Map a section's URL to look deeper.", s.Limit, s.Beyond)
	case client.StopDeadline:
		out.Hint = "The map ran out of time; the URLs found so far are listed. Give it a larger timeout, or narrow it with search."
	case client.StopCancelled:
		out.Hint = "The map was cancelled; the URLs found so far are listed."
	case client.StopFailures:
		out.Hint = "Too many pages failed while following links; the URLs found are listed."
	default:
		out.Hint = "Every URL the sitemaps and links lead to is listed."
	}
	return out
}
