package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// alterlabKindSearch marks async searches inside the client; job_status
// cannot name them, so they are never handed out as job ids.
const alterlabKindSearch = "search"

// alterlabSnap is one decoded answer: a submit's or a poll's.
type alterlabSnap struct {
	job  alterlabJobBody
	raw  []byte
	resp *response
}

func (s *alterlabSnap) state() JobState { return s.job.state(s.resp.status) }

// pacing is the server's hint for the next poll: retry_after_ms in the
// body, else a Retry-After header on the 2xx answer.
func (s *alterlabSnap) pacing() time.Duration {
	if s.job.RetryAfterMS.ok && s.job.RetryAfterMS.v > 0 {
		return time.Duration(s.job.RetryAfterMS.v * float64(time.Millisecond))
	}
	if d, ok := retryAfter(s.resp.header, time.Now()); ok {
		return d
	}
	return 0
}

// decodeSnap reads an answer. A 2xx with an empty body is a job still
// running (202) or a bare acknowledgement (204 to a cancel).
func (c *AlterLabClient) decodeSnap(r *response) (*alterlabSnap, error) {
	s := &alterlabSnap{raw: r.body, resp: r}
	if len(bytes.TrimSpace(r.body)) == 0 {
		return s, nil
	}
	if err := c.api.decode(r, &s.job); err != nil {
		return nil, err
	}
	return s, nil
}

// submit posts a billed request and decodes the answer: a finished result
// (a sync scrape, a sync search) or a job to follow.
func (c *AlterLabClient) submit(ctx context.Context, kind, path string, body any) (*alterlabSnap, JobRef, error) {
	ref := JobRef{Provider: AlterLab, Kind: kind}
	r, err := c.api.do(ctx, call{method: http.MethodPost, path: path, body: body, submit: true})
	if err != nil {
		return nil, ref, submitFailed(err, kind, alterlabDocumented504)
	}
	s, err := c.decodeSnap(r)
	if err != nil {
		return nil, ref, err
	}
	ref.ID = s.job.id(kind)
	if ref.ID == "" && !s.state().Terminal() {
		return nil, ref, noJobID(AlterLab, r)
	}
	return s, ref, nil
}

// alterlabDocumented504 are 504 codes that are AlterLab's own verdict on the
// work (TIMEOUT: the scrape timed out and was refunded), not a gateway
// giving up on an answer.
var alterlabDocumented504 = map[string]bool{"TIMEOUT": true}

// alterlabJobPath is where a job of kind is read.
func alterlabJobPath(ref JobRef) (string, url.Values) {
	id := url.PathEscape(ref.ID)
	switch ref.Kind {
	case KindCrawl:
		// Without include_results the crawl status carries counts only.
		return "/crawl/" + id, url.Values{"include_results": {"true"}}
	case KindBatch:
		return "/batch/" + id, nil
	case alterlabKindSearch:
		return "/search/" + id, nil
	}
	return "/jobs/" + id, nil
}

// snapshot reads one poll answer.
func (c *AlterLabClient) snapshot(ctx context.Context, ref JobRef) (*alterlabSnap, error) {
	path, q := alterlabJobPath(ref)
	r, err := c.api.do(ctx, call{method: http.MethodGet, path: path, query: q})
	if err != nil {
		return nil, withJob(err, ref)
	}
	s, err := c.decodeSnap(r)
	if err != nil {
		return nil, withJob(err, ref)
	}
	return s, nil
}

// run submits and, when the answer is a job, polls it to the end within ctx.
// The returned snapshot has completed.
func (c *AlterLabClient) run(ctx context.Context, kind, path string, body any) (*alterlabSnap, JobRef, error) {
	s, ref, err := c.submit(ctx, kind, path, body)
	if err != nil {
		return nil, ref, err
	}
	switch s.state() {
	case JobCompleted:
		return s, ref, nil
	case JobFailed, JobCancelled:
		return nil, ref, c.jobFailed(ref, s)
	}
	s, err = c.await(ctx, ref)
	return s, ref, err
}

// await polls until the job ends or ctx does.
func (c *AlterLabClient) await(ctx context.Context, ref JobRef) (*alterlabSnap, error) {
	var last *alterlabSnap
	get := func(ctx context.Context) (*Job, error) {
		s, err := c.snapshot(ctx, ref)
		if err != nil {
			return nil, err
		}
		last = s
		return &Job{Ref: ref, State: s.state(), RawStatus: string(s.job.Status), RetryAfter: s.pacing()}, nil
	}
	j, err := Poll(ctx, c.api.poll, get, nil)
	switch {
	case err != nil && ctx.Err() != nil:
		status := "queued"
		if last != nil && last.job.Status != "" {
			status = string(last.job.Status)
		}
		return nil, unfinished(ctx, ref, status, "AlterLab cannot cancel this kind of job")
	case err != nil:
		return nil, PollFailed(err, ref)
	case j.State != JobCompleted:
		return nil, c.jobFailed(ref, last)
	}
	return last, nil
}

// jobFailed reports a job that ended without a result. Message is
// AlterLab's own failure string, which errmap reads.
func (c *AlterLabClient) jobFailed(ref JobRef, s *alterlabSnap) *Error {
	code, msg := alterlabFailure(s.job.Error)
	if msg == "" {
		// Some answers nest the failure in the result (the browser
		// extension reads result.error).
		var inner alterlabJobBody
		if json.Unmarshal(s.job.Result, &inner) == nil {
			code, msg = alterlabFailure(inner.Error)
		}
	}
	if msg == "" {
		// A batch that failed as a whole may only say why per URL.
		for _, it := range append(alterlabItems(s.job.Items), alterlabItems(s.job.Results)...) {
			if code, msg = alterlabFailure(it.Error); msg != "" {
				break
			}
		}
	}
	switch {
	case msg != "":
	case s.state() == JobCancelled:
		msg = "the job was cancelled before it finished"
	default:
		msg = fmt.Sprintf("the job ended with status %q and gave no reason", s.job.Status)
	}
	e := &Error{Provider: AlterLab, Code: CodeJobFailed, Message: c.api.scrub(msg), RequestID: requestID(s.resp.header), Details: jobDetails(ref)}
	if code != "" {
		e.Details["api_code"] = c.api.scrub(code)
	}
	if s.job.Status != "" {
		e.Details["status"] = string(s.job.Status)
	}
	return e
}
