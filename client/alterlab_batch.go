package client

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// alterlabBatchBody is POST /batch: one scrape body per URL.
type alterlabBatchBody struct {
	URLs []*alterlabScrapeBody `json:"urls"`
}

func (b alterlabBatchBody) secrets() []string {
	var out []string
	for _, u := range b.URLs {
		out = append(out, u.secrets()...)
	}
	return out
}

// BatchScrape implements Provider: POST /batch, then poll GET /batch/{id}.
// Items that failed become BatchItems with Err; a batch that failed as a
// whole is an error.
func (c *AlterLabClient) BatchScrape(ctx context.Context, req BatchRequest) (*BatchResult, error) {
	if n := len(req.URLs); n < 1 || n > alterlabMaxBatch {
		return nil, &Error{Provider: AlterLab, Code: CodeInvalidArgument, Field: "urls",
			Message: fmt.Sprintf("urls must hold 1 to %d URLs, got %d", alterlabMaxBatch, n)}
	}
	body := alterlabBatchBody{URLs: make([]*alterlabScrapeBody, len(req.URLs))}
	urls := make([]string, len(req.URLs))
	for i, u := range req.URLs {
		o := req.Options
		o.URL = u
		item, err := alterlabScrapeRequest(fmt.Sprintf("urls[%d]", i), o)
		if err != nil {
			return nil, err
		}
		body.URLs[i], urls[i] = item, item.URL
	}
	s, _, err := c.run(ctx, KindBatch, "/batch", body)
	if err != nil {
		return nil, err
	}
	res := c.batchResult(urls, s, alterlabWantsOf(req.Options))
	for _, it := range res.Items {
		if it.Page != nil {
			c.screenshot(ctx, it.Page)
		}
	}
	return res, nil
}

// batchResult puts the items in input order: by URL first (the API may
// reorder), then by position, and reports URLs that got no item.
func (c *AlterLabClient) batchResult(urls []string, s *alterlabSnap, w alterlabWants) *BatchResult {
	res := &BatchResult{Items: make([]BatchItem, len(urls))}
	filled := make([]bool, len(urls))
	slot := func(it alterlabItem, pos int) int {
		for i, u := range urls {
			if !filled[i] && u == strings.TrimSpace(string(it.URL)) {
				return i
			}
		}
		if pos < len(urls) && !filled[pos] && it.URL == "" {
			return pos
		}
		return -1
	}
	var itemCost alterlabCostSum
	for pos, it := range alterlabItems(s.job.Items) {
		i := slot(it, pos)
		if i < 0 {
			continue
		}
		filled[i] = true
		switch it.outcome() {
		case JobCompleted:
			p := c.page(it.doc(), urls[i], w)
			itemCost.add(p.Cost)
			res.Items[i] = BatchItem{URL: urls[i], Page: &p}
		default:
			e := c.itemError(it, i)
			if it.outcome() == JobRunning {
				e.Message = fmt.Sprintf("the batch finished while this URL was still %q", it.Status)
			}
			res.Items[i] = BatchItem{URL: urls[i], Err: e}
		}
	}
	for i, ok := range filled {
		if !ok {
			res.Items[i] = BatchItem{URL: urls[i], Err: &Error{Provider: AlterLab, Code: CodeJobFailed,
				Message: "the batch finished without a result for this URL", Details: map[string]any{"index": i}}}
		}
	}
	res.Cost = s.job.cost(itemCost)
	return res
}

// itemError is one failed URL of a batch or crawl.
func (c *AlterLabClient) itemError(it alterlabItem, index int) *Error {
	code, msg := alterlabFailure(it.Error)
	if msg == "" {
		var inner struct {
			Error json.RawMessage `json:"error"`
		}
		if json.Unmarshal(it.Result, &inner) == nil {
			code, msg = alterlabFailure(inner.Error)
		}
	}
	if msg == "" {
		msg = fmt.Sprintf("no result for this URL (status %q)", it.Status)
	}
	e := &Error{Provider: AlterLab, Code: CodeJobFailed, Message: c.api.scrub(msg), Details: map[string]any{"index": index}}
	if code != "" {
		e.Details["api_code"] = c.api.scrub(code)
	}
	return e
}

// alterlabCrawlBody is POST /crawl. AlterLab documents a country only for
// single scrapes; it is sent as the same location object so a crawler that
// shares the scrape options honours it, and is ignored otherwise.
type alterlabCrawlBody struct {
	URL               string            `json:"url"`
	MaxPages          int               `json:"max_pages,omitempty"`
	MaxDepth          int               `json:"max_depth,omitempty"`
	IncludePatterns   []string          `json:"include_patterns,omitempty"`
	ExcludePatterns   []string          `json:"exclude_patterns,omitempty"`
	IncludeSubdomains bool              `json:"include_subdomains,omitempty"`
	Formats           []string          `json:"formats"`
	Advanced          *alterlabAdvanced `json:"advanced,omitempty"`
	Location          *alterlabLocation `json:"location,omitempty"`
	CostControls      *alterlabCost     `json:"cost_controls,omitempty"`
}

// StartCrawl implements Provider: POST /crawl, returning at once.
func (c *AlterLabClient) StartCrawl(ctx context.Context, req CrawlRequest) (*Job, error) {
	if err := alterlabCheckURL("url", req.URL); err != nil {
		return nil, err
	}
	if req.MaxDepth < 0 || req.MaxDepth > alterlabMaxDepth {
		return nil, &Error{Provider: AlterLab, Code: CodeInvalidArgument, Field: "max_depth",
			Message: fmt.Sprintf("max_depth must be between 0 and %d on AlterLab, got %d", alterlabMaxDepth, req.MaxDepth)}
	}
	if req.MaxPages < 0 || req.MaxPages > alterlabMaxPages {
		return nil, &Error{Provider: AlterLab, Code: CodeInvalidArgument, Field: "max_pages",
			Message: fmt.Sprintf("max_pages must be between 1 and %d on AlterLab, got %d", alterlabMaxPages, req.MaxPages)}
	}
	loc, err := alterlabCountry(req.Country)
	if err != nil {
		return nil, err
	}
	body := alterlabCrawlBody{URL: strings.TrimSpace(req.URL), MaxPages: req.MaxPages, MaxDepth: req.MaxDepth,
		IncludePatterns: req.IncludePatterns, ExcludePatterns: req.ExcludePatterns, IncludeSubdomains: req.IncludeSubdomains,
		Formats: []string{"markdown"}, Location: loc}
	if req.UseBrowser {
		body.Advanced = &alterlabAdvanced{RenderJS: true}
	}
	if req.MaxTier != "" || req.MaxCredits > 0 {
		body.CostControls = &alterlabCost{MaxTier: req.MaxTier, MaxCredits: req.MaxCredits}
	}
	s, ref, err := c.submit(ctx, KindCrawl, "/crawl", body)
	if err != nil {
		return nil, err
	}
	if ref.ID == "" {
		return nil, noJobID(AlterLab, s.resp)
	}
	j := c.toJob(ref, s)
	if j.RawStatus == "" {
		j.RawStatus = "queued"
	}
	return j, nil
}

// toJob converts one snapshot of a job of any kind.
func (c *AlterLabClient) toJob(ref JobRef, s *alterlabSnap) *Job {
	j := &Job{Ref: ref, State: s.state(), RawStatus: string(s.job.Status), RetryAfter: s.pacing()}
	var itemCost alterlabCostSum
	switch ref.Kind {
	case KindScrape:
		j.Total = 1
		if j.State == JobCompleted {
			d := s.job.doc(s.raw)
			p := c.page(d, string(d.URL), alterlabWants{})
			j.Pages, j.Completed = []Page{p}, 1
			itemCost.add(p.Cost)
		}
	case KindBatch, KindCrawl:
		items := s.job.Results
		want := alterlabWants{markdown: true} // crawls ask for markdown
		if ref.Kind == KindBatch {
			items, want = s.job.Items, alterlabWants{}
		}
		for i, it := range alterlabItems(items) {
			switch it.outcome() {
			case JobCompleted:
				d := it.doc()
				p := c.page(d, string(it.URL), want)
				itemCost.add(p.Cost)
				j.Pages = append(j.Pages, p)
			case JobFailed:
				j.PageErrors = append(j.PageErrors, BatchItem{URL: string(it.URL), Err: c.itemError(it, i)})
			}
		}
		j.Total = alFirstInt(s.job.PagesTotal, s.job.TotalURLs, s.job.EstimatedPages)
		if j.Total == 0 {
			j.Total = len(j.Pages) + len(j.PageErrors)
		}
		j.Completed = alFirstInt(s.job.PagesScraped, s.job.Completed)
		if j.Completed == 0 {
			j.Completed = len(j.Pages)
		}
	}
	j.Cost = s.job.cost(itemCost)
	if j.State == JobFailed || j.State == JobCancelled {
		j.Error = c.jobFailed(ref, s)
	}
	return j
}

// cost is what the job reports spending (credits_used), else what its
// pages report.
func (b *alterlabJobBody) cost(items alterlabCostSum) Cost {
	if b.CreditsUsed.ok {
		return Cost{Credits: b.CreditsUsed.v, Unit: alterlabCredits}
	}
	return items.Cost
}

// alterlabCostSum adds costs of one unit. Pages billed in another unit are
// left out rather than added as if they were the same.
type alterlabCostSum struct{ Cost }

func (s *alterlabCostSum) add(c Cost) {
	if c.Unit == "" || (s.Unit != "" && s.Unit != c.Unit) {
		return
	}
	s.Credits += c.Credits
	s.Unit = c.Unit
}

func alFirstInt(ns ...lenientNumber) int {
	for _, n := range ns {
		if n.ok && n.v > 0 {
			return n.int()
		}
	}
	return 0
}
