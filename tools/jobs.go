package tools

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/errmap"
)

// JobPage is one crawled page, or the part of it that fits this response.
type JobPage struct {
	URL        string `json:"url"`
	Title      string `json:"title,omitempty"`
	StatusCode int    `json:"status_code,omitempty"`
	Markdown   string `json:"markdown" jsonschema:"description=This response's part of the page's Markdown; concatenating the parts of one url in order gives the whole page."`
	Offset     int    `json:"offset" jsonschema:"description=Character offset of this part within the page's Markdown."`
	Length     int    `json:"length" jsonschema:"description=Length of the page's whole Markdown."`
	Complete   bool   `json:"complete" jsonschema:"description=True when this part ends the page."`
	// Warnings travel with a page's first part, so a page read the
	// simplified way (over-deep or over-large HTML) says so in a crawl too.
	Warnings []string `json:"warnings,omitempty" jsonschema:"description=What was unusual about this page (e.g. read as plain text because its HTML was too deep or too large); on the page's first part only."`
}

// JobFailure is a page the job could not fetch.
type JobFailure struct {
	URL      string          `json:"url"`
	Error    *errmap.Error   `json:"error"`
	Guidance errmap.Guidance `json:"guidance"`
}

// JobResult is the structured result of crawl and job_status.
type JobResult struct {
	JobID          string           `json:"job_id" jsonschema:"description=Pass to job_status (more results) or job_cancel."`
	Provider       string           `json:"provider"`
	Status         string           `json:"status" jsonschema:"enum=pending,enum=running,enum=completed,enum=failed,enum=cancelled"`
	Done           bool             `json:"done" jsonschema:"description=True when the job will not change any more."`
	PagesCompleted int              `json:"pages_completed"`
	PagesTotal     int              `json:"pages_total" jsonschema:"description=Pages discovered or attempted so far (0 when unknown)."`
	Pages          []JobPage        `json:"pages"`
	Failures       []JobFailure     `json:"failures,omitempty"`
	Skipped        int              `json:"skipped,omitempty" jsonschema:"description=Links (and sitemap URLs) not followed (robots.txt\\, private addresses\\, off-site\\, include/exclude paths)."`
	Truncated      bool             `json:"truncated" jsonschema:"description=True when more results are available now: call job_status with next_cursor."`
	NextCursor     string           `json:"next_cursor,omitempty"`
	Error          *errmap.Error    `json:"error,omitempty" jsonschema:"description=Why the whole job failed\\, when status is failed."`
	Guidance       *errmap.Guidance `json:"guidance,omitempty"`
	Cost           *CostOut         `json:"cost,omitempty"`
	Stop           *StopOut         `json:"stop,omitempty" jsonschema:"description=Why a finished crawl stopped\\, where the provider says (the local fetcher does)."`
	Message        string           `json:"message" jsonschema:"description=What to do next\\, in words."`
}

// cursor is a position in a job's page stream: page index and character
// offset within that page. Its text form "page:offset" is what agents pass
// back; it holds no server state, so any replica can continue it.
type cursor struct{ page, offset int }

func (c cursor) String() string { return fmt.Sprintf("%d:%d", c.page, c.offset) }

func parseCursor(provider, s string) (cursor, *client.Error) {
	if s == "" {
		return cursor{}, nil
	}
	a, b, ok := strings.Cut(s, ":")
	p, err1 := strconv.Atoi(a)
	o, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || p < 0 || o < 0 {
		return cursor{}, invalid(provider, "cursor", "cursor %q is not one this server issued; pass next_cursor from the previous result unchanged", clip(s, 40))
	}
	return cursor{p, o}, nil
}

// jobResult renders a job snapshot from cur, within budget characters of
// page content.
func jobResult(j *client.Job, cur cursor, budget int) JobResult {
	r := JobResult{
		JobID: j.Ref.String(), Provider: j.Ref.Provider, Status: string(j.State), Done: j.State.Terminal(),
		PagesCompleted: j.Completed, PagesTotal: j.Total, Skipped: j.Skipped, Cost: costOut(j.Cost),
		Pages: []JobPage{},
	}
	if r.Done {
		r.Stop = crawlStop(j.Stop)
	}
	if r.PagesCompleted < len(j.Pages) {
		r.PagesCompleted = len(j.Pages)
	}
	if j.Error != nil {
		rep := errmap.Explained(j.Error)
		r.Error, r.Guidance = rep.Error, &rep.Guidance
	}
	left := budget
	i, off := cur.page, cur.offset
	for ; i < len(j.Pages) && left > 0; i, off = i+1, 0 {
		p := j.Pages[i]
		chunk, total, next := window(p.Markdown, off, left)
		left -= utf8.RuneCountInString(chunk) + len(p.URL) + 16 // the entry's own fields cost space too
		url := p.URL
		if url == "" {
			url = p.FinalURL
		}
		jp := JobPage{URL: url, Title: p.Title, StatusCode: p.StatusCode, Markdown: chunk, Offset: min(off, total), Length: total, Complete: next == 0}
		if jp.Offset == 0 {
			jp.Warnings = p.Warnings
		}
		r.Pages = append(r.Pages, jp)
		if next > 0 {
			off = next
			break
		}
	}
	if i < len(j.Pages) {
		r.NextCursor = cursor{i, off}.String()
		r.Truncated = true
	}
	if cur.page == 0 && cur.offset == 0 {
		for _, f := range j.PageErrors {
			if f.Err == nil {
				continue
			}
			rep := errmap.Explained(f.Err)
			r.Failures = append(r.Failures, JobFailure{URL: f.URL, Error: rep.Error, Guidance: rep.Guidance})
		}
	}
	r.Message = jobMessage(r)
	return r
}

func jobMessage(r JobResult) string {
	switch {
	case r.Truncated:
		return fmt.Sprintf("More pages are ready: call job_status with job_id=%q and cursor=%q.", r.JobID, r.NextCursor)
	case !r.Done:
		return fmt.Sprintf("The job is still %s (%d pages so far). Call job_status with job_id=%q later for the rest (pass next_cursor if one is given), or job_cancel to stop it.", r.Status, r.PagesCompleted, r.JobID)
	case r.Status == string(client.JobFailed):
		return "The job failed; see error and guidance."
	case r.Status == string(client.JobCancelled):
		return "The job was cancelled; the pages fetched before that are shown."
	}
	return "The job is complete and every page has been shown."
}

func (r JobResult) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Job %s (%s): %s, %d pages done", r.JobID, r.Provider, r.Status, r.PagesCompleted)
	if r.PagesTotal > 0 {
		fmt.Fprintf(&b, " of %d", r.PagesTotal)
	}
	b.WriteString(".\n")
	if r.Error != nil && r.Guidance != nil {
		fmt.Fprintf(&b, "Job error [%s]: %s\n", r.Error.Code, r.Error.Message)
		if d := detailsText(r.Error.Details); d != "" {
			fmt.Fprintf(&b, "Details: %s\n", d)
		}
		fmt.Fprintf(&b, "Next step (%s): %s\n", r.Guidance.Action, r.Guidance.Hint)
	}
	for _, p := range r.Pages {
		if p.Offset == 0 {
			fmt.Fprintf(&b, "\n## %s\n", p.URL)
			if p.Title != "" {
				fmt.Fprintf(&b, "Title: %s\n", p.Title)
			}
			for _, w := range p.Warnings {
				fmt.Fprintf(&b, "Warning: %s\n", w)
			}
		} else {
			fmt.Fprintf(&b, "\n## %s (continued from character %d)\n", p.URL, p.Offset)
		}
		b.WriteString("\n" + p.Markdown + "\n")
		if !p.Complete {
			fmt.Fprintf(&b, "[page continues: %d of %d characters shown so far]\n", p.Offset+utf8.RuneCountInString(p.Markdown), p.Length)
		}
	}
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "\nFailed: %s [%s] %s — %s\n", f.URL, f.Error.Code, f.Error.Message, f.Guidance.Hint)
	}
	if r.Skipped > 0 {
		fmt.Fprintf(&b, "\nSkipped %d links (robots.txt, private addresses or off-site).\n", r.Skipped)
	}
	if r.Stop != nil {
		fmt.Fprintf(&b, "\nStopped (%s): %s\n", r.Stop.Reason, r.Stop.Hint)
	}
	if r.Cost != nil {
		fmt.Fprintf(&b, "\nCost: %g %s\n", r.Cost.Credits, r.Cost.Unit)
	}
	b.WriteString("\n" + r.Message + "\n")
	return b.String()
}
