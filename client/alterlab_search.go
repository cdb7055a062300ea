package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// alterlabMapBody is POST /map.
type alterlabMapBody struct {
	URL               string `json:"url"`
	MaxPages          int    `json:"max_pages,omitempty"`
	Search            string `json:"search,omitempty"`
	IncludeSubdomains bool   `json:"include_subdomains,omitempty"`
}

// alterlabMapAnswer is POST /map's synchronous answer. urls holds objects
// {url, source, depth, title?, relevance_score?}; bare strings are accepted
// too.
type alterlabMapAnswer struct {
	URLs        json.RawMessage `json:"urls"`
	CreditsUsed lenientNumber   `json:"credits_used"`
}

// Map implements Provider: POST /map answers synchronously.
func (c *AlterLabClient) Map(ctx context.Context, req MapRequest) (*MapResult, error) {
	if err := alterlabCheckURL("url", req.URL); err != nil {
		return nil, err
	}
	if req.Limit < 0 || req.Limit > alterlabMaxMap {
		return nil, &Error{Provider: AlterLab, Code: CodeInvalidArgument, Field: "limit",
			Message: fmt.Sprintf("limit must be between 1 and %d on AlterLab, got %d", alterlabMaxMap, req.Limit)}
	}
	body := alterlabMapBody{URL: strings.TrimSpace(req.URL), MaxPages: req.Limit, Search: strings.TrimSpace(req.Search),
		IncludeSubdomains: req.IncludeSubdomains}
	r, err := c.api.do(ctx, call{method: http.MethodPost, path: "/map", body: body, submit: true})
	if err != nil {
		return nil, submitFailed(err, "map", alterlabDocumented504)
	}
	var a alterlabMapAnswer
	if err := c.api.decode(r, &a); err != nil {
		return nil, err
	}
	if r.status == http.StatusAccepted && isNull(a.URLs) {
		return nil, maybeStarted(&Error{Provider: AlterLab, HTTPStatus: r.status, RequestID: requestID(r.header)}, JobRef{},
			"AlterLab answered the map asynchronously (202) without URLs; it documents map as synchronous and names nothing to poll, so the map may be running and billed")
	}
	res := &MapResult{URLs: linkList(a.URLs)}
	if a.CreditsUsed.ok {
		res.Cost = Cost{Credits: a.CreditsUsed.v, Unit: alterlabCredits}
	}
	return res, nil
}

// alterlabSearchBody is POST /search.
type alterlabSearchBody struct {
	Query         string   `json:"query"`
	NumResults    int      `json:"num_results,omitempty"`
	ScrapeResults bool     `json:"scrape_results,omitempty"`
	Formats       []string `json:"formats,omitempty"`
	Country       string   `json:"country,omitempty"`
}

// alterlabSearchAnswer is a search's result, from POST /search (200) or
// GET /search/{id}.
type alterlabSearchAnswer struct {
	Results []struct {
		Position      lenientNumber   `json:"position"`
		URL           lenientString   `json:"url"`
		Title         lenientString   `json:"title"`
		Snippet       lenientString   `json:"snippet"`
		Description   lenientString   `json:"description"`
		DatePublished lenientString   `json:"date_published"`
		Date          lenientString   `json:"date"`
		Content       json.RawMessage `json:"content"`
		Markdown      lenientString   `json:"markdown"`
	} `json:"results"`
	CreditsUsed   lenientNumber `json:"credits_used"`
	CostBreakdown struct {
		TotalMicrocents lenientNumber `json:"total_microcents"`
	} `json:"cost_breakdown"`
}

// Search implements Provider: POST /search, which answers 200 with the hits,
// or 202 with a search_id (when it scrapes many results) to poll at
// GET /search/{id}.
func (c *AlterLabClient) Search(ctx context.Context, req SearchRequest) (*SearchResult, error) {
	q := strings.TrimSpace(req.Query)
	if q == "" {
		return nil, &Error{Provider: AlterLab, Code: CodeInvalidArgument, Field: "query", Message: "query is empty"}
	}
	if n := utf8.RuneCountInString(q); n > alterlabMaxQuery {
		return nil, &Error{Provider: AlterLab, Code: CodeInvalidArgument, Field: "query",
			Message: fmt.Sprintf("query must be at most %d characters on AlterLab, got %d", alterlabMaxQuery, n)}
	}
	if req.Limit < 0 || req.Limit > alterlabMaxSearch {
		return nil, &Error{Provider: AlterLab, Code: CodeInvalidArgument, Field: "limit",
			Message: fmt.Sprintf("limit must be between 1 and %d on AlterLab, got %d", alterlabMaxSearch, req.Limit)}
	}
	loc, err := alterlabCountry(req.Country)
	if err != nil {
		return nil, err
	}
	body := alterlabSearchBody{Query: q, NumResults: req.Limit, ScrapeResults: req.ScrapeResults}
	if loc != nil {
		body.Country = loc.Country
	}
	if req.ScrapeResults {
		body.Formats = []string{"markdown"}
	}
	s, _, err := c.run(ctx, alterlabKindSearch, "/search", body)
	if err != nil {
		return nil, err
	}
	var a alterlabSearchAnswer
	if err := c.api.decode(s.resp, &a); err != nil {
		return nil, err
	}
	res := &SearchResult{}
	switch {
	case a.CostBreakdown.TotalMicrocents.ok:
		res.Cost = Cost{Credits: a.CostBreakdown.TotalMicrocents.v, Unit: alterlabMicrocents}
	case a.CreditsUsed.ok:
		res.Cost = Cost{Credits: a.CreditsUsed.v, Unit: alterlabCredits}
	}
	type ranked struct {
		pos int
		hit SearchHit
	}
	var hits []ranked
	for i, h := range a.Results {
		hit := SearchHit{URL: string(h.URL), Title: string(h.Title), Snippet: firstNonEmpty(string(h.Snippet), string(h.Description)),
			Date: firstNonEmpty(string(h.DatePublished), string(h.Date)), Markdown: string(h.Markdown)}
		if hit.Markdown == "" && !isNull(h.Content) {
			d := alterlabDoc{Content: h.Content}
			hit.Markdown = d.page("", alterlabWants{markdown: true}).Markdown
		}
		pos := i + 1
		if h.Position.ok && h.Position.v > 0 {
			pos = h.Position.int()
		}
		hits = append(hits, ranked{pos, hit})
	}
	slices.SortStableFunc(hits, func(a, b ranked) int { return a.pos - b.pos })
	for _, h := range hits {
		res.Hits = append(res.Hits, h.hit)
	}
	return res, nil
}
