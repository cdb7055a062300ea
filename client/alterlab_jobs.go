package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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
		return nil, ref, alterlabSubmitOutcome(err, kind)
	}
	s, err := c.decodeSnap(r)
	if err != nil {
		return nil, ref, err
	}
	ref.ID = s.job.id(kind)
	if ref.ID == "" && !s.state().Terminal() {
		return nil, ref, &Error{Provider: AlterLab, HTTPStatus: r.status, Code: CodeBadResponse, RequestID: requestID(r.header),
			Message: "AlterLab accepted the request but its answer carries no job id (looked for job_id, jobId, id, search_id, crawl_id, batch_id, workflow_id); the job may be running"}
	}
	return s, ref, nil
}

// alterlabDocumented504 are 504 codes that are AlterLab's own verdict on the
// work (TIMEOUT: the scrape timed out and was refunded), not a gateway
// giving up on an answer.
var alterlabDocumented504 = map[string]bool{"TIMEOUT": true}

// alterlabSubmitOutcome makes a 504 on a submit say what it means. Unless
// the body is AlterLab's documented TIMEOUT, the gateway gave up while the
// job may be running and billed (AlterLab's own MCP server says: do not
// retry, credits may have been consumed), so the transport did not resend
// it and the agent must not blindly either. When the body names the job,
// the agent gets an id to follow it with.
func alterlabSubmitOutcome(err error, kind string) error {
	var e *Error
	if !errors.As(err, &e) || e.HTTPStatus != http.StatusGatewayTimeout {
		return err
	}
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	for _, k := range []string{"job_id", "crawl_id", "batch_id", "search_id"} {
		if id, ok := e.Details[k].(string); ok && id != "" {
			delete(e.Details, k)
			maps.Copy(e.Details, alterlabJobDetails(JobRef{Provider: AlterLab, Kind: kind, ID: id}))
			break
		}
	}
	if alterlabDocumented504[e.Code] {
		return e
	}
	if e.Code != "" && e.Code != CodeMaybeStarted {
		e.Details["api_code"] = e.Code
	}
	e.Code = CodeMaybeStarted
	msg := "AlterLab answered 504 to the submit, so the outcome is unknown: the job may still be running and credits may have been consumed; it was not resent"
	if s, ok := e.Details["credits_status"]; ok {
		msg += fmt.Sprintf(" (credits: %v)", s)
	}
	if s, ok := e.Details["estimated_completion_s"]; ok {
		msg += fmt.Sprintf("; AlterLab estimated completion in about %v s", s)
	}
	e.Message = msg + ". " + e.Message
	return e
}

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
		return nil, alterlabWithJob(err, ref)
	}
	s, err := c.decodeSnap(r)
	if err != nil {
		return nil, alterlabWithJob(err, ref)
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
	j, err := Poll(ctx, DefaultPollSchedule, get, nil)
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, alterlabUnfinished(ctx, ref, last)
	case err != nil:
		return nil, err
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
	e := &Error{Provider: AlterLab, Code: CodeJobFailed, Message: c.api.scrub(msg), RequestID: requestID(s.resp.header), Details: alterlabJobDetails(ref)}
	if code != "" {
		e.Details["api_code"] = c.api.scrub(code)
	}
	if s.job.Status != "" {
		e.Details["status"] = string(s.job.Status)
	}
	return e
}

// alterlabUnfinished reports a job still running when ctx ended, with the
// id to collect it later: it keeps running (and is billed) upstream.
func alterlabUnfinished(ctx context.Context, ref JobRef, last *alterlabSnap) *Error {
	status := "queued"
	if last != nil && last.job.Status != "" {
		status = string(last.job.Status)
	}
	d := alterlabJobDetails(ref)
	d["status"] = status
	if errors.Is(ctx.Err(), context.Canceled) {
		return &Error{Provider: AlterLab, Code: CodeCancelled, Details: d, Err: ctx.Err(),
			Message: fmt.Sprintf("the request was cancelled while the job was %s; AlterLab cannot cancel this kind of job, so it may still finish (and be billed) upstream", status)}
	}
	msg := fmt.Sprintf("the job was still %s when the time ran out; it keeps running on AlterLab", status)
	if id, ok := d["job_id"]; ok {
		msg += fmt.Sprintf(": call job_status with job_id %s to collect the result", id)
	} else {
		msg += ": call again later with a longer timeout"
	}
	return &Error{Provider: AlterLab, Code: CodeJobTimeout, Message: msg, Details: d, Err: ctx.Err()}
}

// alterlabJobDetails names the job for the agent. Only kinds job_status can
// read get a job_id; a search's upstream id is kept for support requests.
func alterlabJobDetails(ref JobRef) map[string]any {
	switch ref.Kind {
	case KindCrawl, KindBatch, KindScrape:
		if ref.ID != "" {
			return map[string]any{"job_id": ref.String()}
		}
		return map[string]any{}
	}
	return map[string]any{"upstream_job_id": ref.ID}
}

// alterlabWithJob adds the job id to an error met while polling it.
func alterlabWithJob(err error, ref JobRef) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	for k, v := range alterlabJobDetails(ref) {
		if _, ok := e.Details[k]; !ok {
			e.Details[k] = v
		}
	}
	return e
}
