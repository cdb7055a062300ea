package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client"
)

// CrawlArgs are the crawl tool's arguments.
type CrawlArgs struct {
	URL               string   `json:"url" jsonschema:"description=Absolute http(s) URL to start from."`
	MaxPages          int      `json:"max_pages,omitempty" jsonschema:"description=Stop after this many pages (default 10\\, max 1000). Each page costs credits on API providers.,minimum=1,maximum=1000,default=10"`
	MaxDepth          *int     `json:"max_depth,omitempty" jsonschema:"description=How many links deep to follow from the start page (default 2\\, max 5).,minimum=0,maximum=5,default=2"`
	IncludePaths      []string `json:"include_paths,omitempty" jsonschema:"description=Only crawl URLs whose path matches one of these glob patterns\\, e.g. /blog/*."`
	ExcludePaths      []string `json:"exclude_paths,omitempty" jsonschema:"description=Skip URLs whose path matches one of these glob patterns\\, e.g. /tag/*."`
	IncludeSubdomains bool     `json:"include_subdomains,omitempty" jsonschema:"description=Also follow links to subdomains of the start host (default: same host only)."`
	IgnoreSitemap     bool     `json:"ignore_sitemap,omitempty" jsonschema:"description=Local fetcher only: follow links alone. By default\\, when the links run out before max_pages (or lie past max_depth)\\, the site's sitemap URLs are crawled as if the start page linked to them."`
	UseBrowser        bool     `json:"use_browser,omitempty" jsonschema:"description=Render pages in a headless browser (API providers; slower and costs more)."`
	Country           string   `json:"country,omitempty" jsonschema:"description=Two-letter country code to crawl from (API providers).,minLength=2,maxLength=2"`
	MaxTier           string   `json:"max_tier,omitempty" jsonschema:"description=AlterLab only: the highest scraping tier for every page (1 curl\\, 2 http\\, 3 stealth\\, 3.5 light JS\\, 4 browser with CAPTCHA solving).,enum=1,enum=2,enum=3,enum=3.5,enum=4"`
	MaxCredits        float64  `json:"max_credits,omitempty" jsonschema:"description=AlterLab only: a spending cap for the whole crawl in AlterLab's credits. Anakin takes no cap (each page costs a credit; bound it with max_pages).,exclusiveMinimum=0"`
	SessionID         string   `json:"session_id,omitempty" jsonschema:"description=Anakin only: a saved browser session to crawl as a logged-in user (the sessions tool lists them).,maxLength=200"`
	WaitS             *int     `json:"wait_s,omitempty" jsonschema:"description=Seconds to wait for results before returning what is ready with a job_id (default 50; 0 returns at once; max 600). The crawl keeps running either way.,minimum=0,maximum=600"`
	MaxLength         int      `json:"max_length,omitempty" jsonschema:"description=Maximum characters of page content in this result (default 20000). The rest is read with job_status.,minimum=100,maximum=1000000"`
}

func crawlTool(d *Deps) Tool {
	return define[CrawlArgs, JobResult](d, "crawl", "Crawl a website",
		`Crawl a site from a start URL, following same-site links breadth-first, and return the pages as Markdown. With the local fetcher, when the links run out before max_pages, the URLs in the site's sitemaps are crawled too (ignore_sitemap=true stops that).
Use it to read many pages of one site (docs, a blog). To only list URLs, use map (cheaper). To fetch known URLs, use batch_scrape.
It starts a job, waits up to wait_s seconds (default 50) sending progress notifications, then returns the pages ready so far with a job_id. If done is false or truncated is true, call job_status with job_id (and next_cursor) for the rest; job_cancel stops it. Cancelling this call also cancels the crawl.
Limits: max_depth ≤ 5, max_pages ≤ 1000; output bounded by max_length. Costs credits per page on API providers.`,
		annotations{readOnly: true, openWorld: true},
		func(ctx context.Context, req mcp.CallToolRequest, a CrawlArgs) (*mcp.CallToolResult, error) {
			p := d.Provider.Name()
			cr, wait, maxLen, err := a.request(p, d.MaxOutput, d.CrawlWaitDefault)
			if err != nil {
				return failure(err), nil
			}
			return d.runCrawl(ctx, req, cr, wait, maxLen)
		})
}

func (a CrawlArgs) request(p string, defMax int, defWait time.Duration) (client.CrawlRequest, time.Duration, int, *client.Error) {
	if err := checkURL(p, "url", a.URL); err != nil {
		return client.CrawlRequest{}, 0, 0, err
	}
	depth := 2
	if a.MaxDepth != nil {
		depth = *a.MaxDepth
	}
	if depth < 0 || depth > maxCrawlDepth {
		return client.CrawlRequest{}, 0, 0, invalid(p, "max_depth", "max_depth must be between 0 and %d, got %d", maxCrawlDepth, depth)
	}
	if a.MaxPages < 0 || a.MaxPages > maxCrawlPages {
		return client.CrawlRequest{}, 0, 0, invalid(p, "max_pages", "max_pages must be between 1 and %d, got %d", maxCrawlPages, a.MaxPages)
	}
	if err := checkCountry(p, a.Country); err != nil {
		return client.CrawlRequest{}, 0, 0, err
	}
	for i, pat := range append(append([]string{}, a.IncludePaths...), a.ExcludePaths...) {
		if strings.TrimSpace(pat) == "" || len(pat) > 500 {
			field := "include_paths"
			if i >= len(a.IncludePaths) {
				field = "exclude_paths"
			}
			return client.CrawlRequest{}, 0, 0, invalid(p, field, "path patterns must be non-empty and at most 500 characters, e.g. /blog/*")
		}
	}
	maxLen, err := checkMaxLength(p, a.MaxLength, 0, defMax)
	if err != nil {
		return client.CrawlRequest{}, 0, 0, err
	}
	if a.IgnoreSitemap && p != client.Local {
		return client.CrawlRequest{}, 0, 0, invalid(p, "ignore_sitemap", "ignore_sitemap is a local-fetcher option; the %s crawler takes no sitemap setting: leave it out", p)
	}
	if p == client.AlterLab && strings.TrimSpace(a.SessionID) != "" {
		return client.CrawlRequest{}, 0, 0, invalid(p, "session_id", "AlterLab crawls take no session; scrape or batch_scrape the pages that need the login with session_id")
	}
	controls, err := ControlArgs{MaxTier: a.MaxTier, MaxCredits: a.MaxCredits, SessionID: a.SessionID}.controls(p, a.UseBrowser)
	if err != nil {
		return client.CrawlRequest{}, 0, 0, err
	}
	wait := defWait
	if a.WaitS != nil {
		if *a.WaitS < 0 || *a.WaitS > maxWaitS {
			return client.CrawlRequest{}, 0, 0, invalid(p, "wait_s", "wait_s must be between 0 and %d seconds, got %d", maxWaitS, *a.WaitS)
		}
		wait = time.Duration(*a.WaitS) * time.Second
	}
	pages := a.MaxPages
	if pages == 0 {
		pages = 10
	}
	return client.CrawlRequest{
		URL: strings.TrimSpace(a.URL), MaxPages: pages, MaxDepth: depth,
		IncludePatterns: a.IncludePaths, ExcludePatterns: a.ExcludePaths, IncludeSubdomains: a.IncludeSubdomains, NoSitemap: a.IgnoreSitemap,
		UseBrowser: a.UseBrowser, Country: strings.ToLower(a.Country), OnlyMainContent: true, Controls: controls,
	}, wait, maxLen, nil
}

// shutdownGrace is how long a step that is worth finishing (a submit that
// may already be billed, a status read) may run on once the server starts
// shutting down; short enough that Drain's callers hear back in a second or two.
const shutdownGrace = time.Second

// runCrawl starts the job and polls it until it finishes, wait runs out, or
// the call is stopped. A client cancel also cancels the upstream job so
// nothing keeps spending credits for an answer nobody will read. A server
// shutdown does not: the crawl answers as if wait had run out, and its
// job_id keeps working with job_status (on any replica, for API providers).
func (d *Deps) runCrawl(ctx context.Context, req mcp.CallToolRequest, cr client.CrawlRequest, wait time.Duration, maxLen int) (*mcp.CallToolResult, error) {
	p := d.Provider.Name()
	// A submit cut off mid-way may leave a billed job whose id nobody
	// learns, so shutdown lets it finish within the grace.
	graceCtx, cancelGrace := graceAfterShutdown(ctx, shutdownGrace)
	submitCtx, cancelSubmit := context.WithTimeout(graceCtx, 2*time.Minute)
	job, err := d.Provider.StartCrawl(submitCtx, cr)
	cancelSubmit()
	cancelGrace()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return failure(client.AsError(p, err)), nil
	}
	prog := newProgress(ctx, req, d.Logger)
	prog.report(0, float64(cr.MaxPages), "crawl started: "+job.Ref.String())

	waitCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	last, err := client.Poll(waitCtx, d.Poll, func(c context.Context) (*client.Job, error) {
		return d.Provider.Job(c, job.Ref)
	}, func(j *client.Job) {
		total := j.Total
		if total < cr.MaxPages {
			total = cr.MaxPages
		}
		prog.report(float64(max(j.Completed, len(j.Pages))), float64(total), fmt.Sprintf("%d pages crawled", max(j.Completed, len(j.Pages))))
	})
	stopping := shuttingDown(ctx)
	if ctx.Err() != nil && !stopping {
		// The client cancelled: stop upstream too, on a context of our own
		// since the request's is gone.
		cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
		if _, cerr := d.Provider.CancelJob(cctx, job.Ref); cerr != nil {
			d.Logger.Info("could not cancel crawl after client cancel", "job", job.Ref.String(), "error", cerr.Error())
		}
		ccancel()
		return nil, ctx.Err()
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) && !stopping {
		// The crawl exists even though polling failed: point at it, so it
		// is read with job_status rather than started (and billed) again.
		return failure(client.AsError(p, client.PollFailed(err, job.Ref))), nil
	}
	if last == nil {
		last = job
	}
	res := jobResult(last, cursor{}, maxLen)
	return success(res, res.text(), res.Cost), nil
}
