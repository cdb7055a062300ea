package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// submit posts a billed request and decodes the job it started.
func (c *AnakinClient) submit(ctx context.Context, path string, body any) (*anakinJobBody, *response, error) {
	r, err := c.api.do(ctx, call{method: http.MethodPost, path: path, body: body, submit: true})
	if err != nil {
		return nil, nil, anakinSubmitOutcome(err)
	}
	b, err := c.decodeJob(r)
	if err != nil {
		return nil, nil, err
	}
	if b.id() == "" && !b.state(r.status).Terminal() {
		return nil, nil, &Error{Provider: Anakin, HTTPStatus: r.status, Code: CodeBadResponse, RequestID: requestID(r.header),
			Message: "the API accepted the request but its answer carries no job id (looked for jobId, job_id, id, search_id, crawl_id, batch_id, workflow_id); the job may be running"}
	}
	return b, r, nil
}

// anakinSubmitOutcome makes a 504 on a submit say what it means. Anakin's
// gateway gives up while the job may already be queued (and later billed), so
// the transport does not resend it, and the agent must not blindly either.
func anakinSubmitOutcome(err error) error {
	var e *Error
	if !errors.As(err, &e) || e.HTTPStatus != http.StatusGatewayTimeout {
		return err
	}
	if e.Code != "" && e.Code != CodeMaybeStarted {
		if e.Details == nil {
			e.Details = map[string]any{}
		}
		e.Details["api_code"] = e.Code
	}
	e.Code = CodeMaybeStarted
	e.Message = "Anakin's gateway answered 504 to the submit, so the outcome is unknown: the job may be running and may be billed, and it was not resent (" + e.Message + ")"
	return e
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
		return nil, nil, anakinWithJob(err, ref)
	}
	b, err := c.decodeJob(r)
	if err != nil {
		return nil, nil, anakinWithJob(err, ref)
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
	b, r, err := c.submit(ctx, path, body)
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
	j, err := Poll(ctx, DefaultPollSchedule, get, nil)
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, nil, anakinUnfinished(ctx, ref, last)
	case err != nil:
		return nil, nil, err
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
	e := &Error{Provider: Anakin, Code: CodeJobFailed, Message: c.api.scrub(msg), Details: anakinJobDetails(ref)}
	if code != "" {
		e.Details["api_code"] = code
	}
	if r != nil {
		e.RequestID = requestID(r.header)
	}
	return e
}

// anakinUnfinished reports a job still running when ctx ended, with the id
// to collect it later: it keeps running (and is billed) upstream.
func anakinUnfinished(ctx context.Context, ref JobRef, last *anakinJobBody) *Error {
	status := "pending"
	if last != nil && last.Status != "" {
		status = last.Status
	}
	d := anakinJobDetails(ref)
	d["status"] = status
	if errors.Is(ctx.Err(), context.Canceled) {
		return &Error{Provider: Anakin, Code: CodeCancelled, Details: d, Err: ctx.Err(),
			Message: fmt.Sprintf("the request was cancelled while the job was %s; Anakin has no cancel endpoint, so it may still finish upstream", status)}
	}
	msg := fmt.Sprintf("the job was still %s when the time ran out; it keeps running on Anakin", status)
	if id, ok := d["job_id"]; ok {
		msg += fmt.Sprintf(": call job_status with job_id %s to collect the result", id)
	} else {
		msg += ": call again later with a longer timeout"
	}
	return &Error{Provider: Anakin, Code: CodeJobTimeout, Message: msg, Details: d, Err: ctx.Err()}
}

// anakinJobDetails names the job for the agent. Only kinds job_status can
// read get a job_id; a map job's upstream id is kept for support requests.
func anakinJobDetails(ref JobRef) map[string]any {
	switch ref.Kind {
	case KindCrawl, KindBatch, KindScrape:
		return map[string]any{"job_id": ref.String()}
	}
	return map[string]any{"upstream_job_id": ref.ID}
}

// anakinWithJob adds the job id to an error met while polling it.
func anakinWithJob(err error, ref JobRef) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	for k, v := range anakinJobDetails(ref) {
		if _, ok := e.Details[k]; !ok {
			e.Details[k] = v
		}
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
