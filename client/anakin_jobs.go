package client

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// submit posts a billed request and decodes the job it started.
func (c *AnakinClient) submit(ctx context.Context, kind, path string, body any) (*anakinJobBody, *response, error) {
	r, err := c.api.do(ctx, call{method: http.MethodPost, path: path, body: body, submit: true})
	if err != nil {
		return nil, nil, submitFailed(err, kind, nil)
	}
	b, err := c.decodeJob(r)
	if err != nil {
		return nil, nil, err
	}
	if b.id() == "" && !b.state(r.status).Terminal() {
		return nil, nil, noJobID(Anakin, r)
	}
	return b, r, nil
}

// decodeJob reads a submit answer or poll snapshot. A 202 with an empty body
// is a job still running.
func (c *AnakinClient) decodeJob(r *response) (*anakinJobBody, error) {
	b := &anakinJobBody{}
	if r.status == http.StatusAccepted && len(bytes.TrimSpace(r.body)) == 0 {
		return b, nil
	}
	if err := c.api.decode(r, b); err != nil {
		return nil, err
	}
	b.mergeResult()
	return b, nil
}

// anakinJobPath is where a job is polled. Map jobs never leave the client,
// so their ref kind is internal.
func anakinJobPath(ref JobRef) string {
	switch ref.Kind {
	case KindCrawl:
		return "/crawl/" + url.PathEscape(ref.ID)
	case anakinKindMap:
		return "/map/" + url.PathEscape(ref.ID)
	}
	return "/url-scraper/" + url.PathEscape(ref.ID) // single and batch share it
}

// anakinKindMap marks map jobs inside the client; job_status cannot name
// them, so they are never handed out as job ids.
const anakinKindMap = "map"

// snapshot reads one poll answer.
func (c *AnakinClient) snapshot(ctx context.Context, ref JobRef) (*anakinJobBody, *response, error) {
	r, err := c.api.do(ctx, call{method: http.MethodGet, path: anakinJobPath(ref)})
	if err != nil {
		return nil, nil, withJob(err, ref)
	}
	b, err := c.decodeJob(r)
	if err != nil {
		return nil, nil, withJob(err, ref)
	}
	return b, r, nil
}

// anakinPacing is the server's hint for the next poll: retry_after_ms in the
// body, else a Retry-After header on the 2xx answer.
func anakinPacing(b *anakinJobBody, r *response) time.Duration {
	if b.RetryAfterMS.ok && b.RetryAfterMS.v > 0 {
		return time.Duration(b.RetryAfterMS.v * float64(time.Millisecond))
	}
	if d, ok := retryAfter(r.header, time.Now()); ok {
		return d
	}
	return 0
}

// run submits a job and polls it to the end within ctx.
func (c *AnakinClient) run(ctx context.Context, kind, path string, body any) (*anakinJobBody, *response, JobRef, error) {
	b, r, err := c.submit(ctx, kind, path, body)
	if err != nil {
		return nil, nil, JobRef{}, err
	}
	ref := JobRef{Provider: Anakin, Kind: kind, ID: b.id()}
	switch b.state(r.status) {
	case JobCompleted: // a cache hit can answer at once
		return b, r, ref, nil
	case JobFailed, JobCancelled:
		return nil, nil, ref, c.jobFailed(ref, b, r)
	}
	b, r, err = c.await(ctx, ref)
	return b, r, ref, err
}

// await polls until the job ends or ctx does.
func (c *AnakinClient) await(ctx context.Context, ref JobRef) (*anakinJobBody, *response, error) {
	var (
		last  *anakinJobBody
		lastR *response
	)
	get := func(ctx context.Context) (*Job, error) {
		b, r, err := c.snapshot(ctx, ref)
		if err != nil {
			return nil, err
		}
		last, lastR = b, r
		return &Job{Ref: ref, State: b.state(r.status), RawStatus: b.Status, RetryAfter: anakinPacing(b, r)}, nil
	}
	j, err := Poll(ctx, c.api.poll, get, nil)
	switch {
	case err != nil && ctx.Err() != nil:
		status := "pending"
		if last != nil && last.Status != "" {
			status = last.Status
		}
		return nil, nil, unfinished(ctx, ref, status, "Anakin has no cancel endpoint")
	case err != nil:
		return nil, nil, PollFailed(err, ref)
	case j.State != JobCompleted:
		return nil, nil, c.jobFailed(ref, last, lastR)
	}
	return last, lastR, nil
}

// jobFailed reports a job that ended without a result. Message is Anakin's
// own failure string ("Blocked by website (HTTP 403)"), which errmap reads.
func (c *AnakinClient) jobFailed(ref JobRef, b *anakinJobBody, r *response) *Error {
	code, msg := b.failure()
	if msg == "" {
		msg = fmt.Sprintf("the job ended with status %q and gave no reason", b.Status)
	}
	e := &Error{Provider: Anakin, Code: CodeJobFailed, Message: c.api.scrub(msg), Details: jobDetails(ref)}
	if code != "" {
		e.Details["api_code"] = code
	}
	if r != nil {
		e.RequestID = requestID(r.header)
	}
	return e
}

// toJob converts one snapshot.
func (c *AnakinClient) toJob(ref JobRef, b *anakinJobBody, r *response) *Job {
	j := &Job{Ref: ref, State: b.state(r.status), RawStatus: b.Status, RetryAfter: anakinPacing(b, r), Cost: b.cost()}
	if ref.Kind == KindScrape {
		j.Total = 1
		if j.State == JobCompleted {
			j.Pages, j.Completed = []Page{b.page(b.URL)}, 1
		}
	} else {
		var itemCost Cost
		for i, it := range b.items() {
			itemCost.Add(it.cost())
			switch it.outcome() {
			case JobCompleted:
				j.Pages = append(j.Pages, it.page(it.URL))
			case JobFailed:
				j.PageErrors = append(j.PageErrors, c.childError(it, i))
			}
		}
		if j.Cost.Unit == "" {
			j.Cost = itemCost
		}
		j.Total = b.TotalPages.int()
		if j.Total == 0 {
			j.Total = max(len(b.URLs), len(j.Pages)+len(j.PageErrors))
		}
		j.Completed = b.CompletedPages.int()
		if !b.CompletedPages.ok {
			j.Completed = len(j.Pages)
		}
	}
	if j.State == JobFailed || j.State == JobCancelled {
		j.Error = c.jobFailed(ref, b, r)
	}
	return j
}

// childError is one failed URL of a batch or crawl. pos is the child's place
// in the answer, used when it carries no index.
func (c *AnakinClient) childError(it anakinItem, pos int) BatchItem {
	code, msg := it.failure()
	if msg == "" {
		msg = fmt.Sprintf("no result for this URL (status %q)", it.Status)
	}
	idx := pos
	if it.Index.ok {
		idx = it.Index.int()
	}
	e := &Error{Provider: Anakin, Code: CodeJobFailed, Message: c.api.scrub(msg), Details: map[string]any{"index": idx}}
	if code != "" {
		e.Details["api_code"] = code
	}
	return BatchItem{URL: it.URL, Err: e}
}
