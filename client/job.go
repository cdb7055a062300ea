package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Job kinds carried in job ids.
const (
	KindCrawl  = "crawl"
	KindBatch  = "batch"
	KindScrape = "scrape"
)

// JobRef names a job on a provider. Its string form,
// "provider:kind:id", is what agents see: it carries everything needed to
// find the job again, so any replica of the server can answer job_status
// without shared state.
type JobRef struct {
	Provider string
	Kind     string
	ID       string
}

func (r JobRef) String() string { return r.Provider + ":" + r.Kind + ":" + r.ID }

// ParseJobRef reads "provider:kind:id". The id part may itself contain colons.
func ParseJobRef(s string) (JobRef, error) {
	parts := strings.SplitN(strings.TrimSpace(s), ":", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return JobRef{}, fmt.Errorf("job id %q is not of the form provider:kind:id (e.g. anakin:crawl:abc123)", s)
	}
	switch parts[0] {
	case Anakin, AlterLab, Local:
	default:
		return JobRef{}, fmt.Errorf("job id %q names unknown provider %q (want anakin, alterlab or local)", s, parts[0])
	}
	switch parts[1] {
	case KindCrawl, KindBatch, KindScrape:
	default:
		return JobRef{}, fmt.Errorf("job id %q names unknown job kind %q (want crawl, batch or scrape)", s, parts[1])
	}
	return JobRef{Provider: parts[0], Kind: parts[1], ID: parts[2]}, nil
}

// JobState is a provider's status folded into one vocabulary.
type JobState string

const (
	JobPending   JobState = "pending"
	JobRunning   JobState = "running"
	JobCompleted JobState = "completed"
	JobFailed    JobState = "failed"
	JobCancelled JobState = "cancelled"
)

// Terminal reports whether the job will not change any more.
func (s JobState) Terminal() bool {
	return s == JobCompleted || s == JobFailed || s == JobCancelled
}

// NormalizeStatus folds the status words the APIs use (pending, queued,
// discovering, processing, running, scraping, completed, succeeded, success,
// partially_failed, failed, error, timed_out, cancelled, …) into a JobState.
// Unknown words count as running: the API's versioning policy allows new
// values, and polling on is the safe reading.
func NormalizeStatus(s string) JobState {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "pending", "queued", "accepted", "created", "waiting":
		return JobPending
	case "completed", "complete", "succeeded", "success", "done", "finished", "partially_failed", "partial":
		return JobCompleted
	case "failed", "failure", "error", "errored", "timed_out", "timeout", "expired":
		return JobFailed
	case "cancelled", "canceled", "aborted", "stopped":
		return JobCancelled
	default:
		return JobRunning
	}
}

// Job is the state of an async job.
type Job struct {
	Ref       JobRef
	State     JobState
	RawStatus string // the provider's own word
	Total     int    // pages discovered/attempted, 0 when unknown
	Completed int    // pages done
	Pages     []Page // results so far (or all, when completed)
	// PageErrors holds per-page failures, keyed by index into the crawl order
	// where known; providers put failed pages here instead of in Pages.
	PageErrors []BatchItem
	Error      *Error // set when State is JobFailed
	Stop       *Stop  // why a finished crawl stopped, where the provider says
	Cost       Cost
	RetryAfter time.Duration // server pacing hint for the next poll (retry_after_ms)
	Skipped    int           // links not followed (SSRF guard, robots.txt, off-site)
	// Predicted marks a snapshot Poll made up between reads to keep
	// progress flowing: Completed is its estimate, the rest is the last read.
	Predicted bool
}

// jobDetails names a job for the agent. Only kinds job_status can read get a
// job_id; another kind's upstream id (an Anakin map, an AlterLab search) is
// kept for support requests.
func jobDetails(ref JobRef) map[string]any {
	d := map[string]any{}
	switch {
	case ref.ID == "":
	case ref.Kind == KindCrawl || ref.Kind == KindBatch || ref.Kind == KindScrape:
		d["job_id"] = ref.String()
	default:
		d["upstream_job_id"] = ref.ID
	}
	return d
}

// withJob adds ref's names to err's details, keeping any already there.
func withJob(err error, ref JobRef) error {
	e, ok := errors.AsType[*Error](err)
	if !ok {
		return err
	}
	for k, v := range jobDetails(ref) {
		if _, ok := e.Details[k]; !ok {
			e.Detail(k, v)
		}
	}
	return e
}

// maybeStarted is the one way the client says "the billed submit may have
// started": the job may be running upstream and billed, so the agent must
// not be told to send it again. It is used wherever the answer to a submit
// cannot be trusted to say nothing started:
//
//   - a 504 to a submit (unless the provider documents the code as its own
//     verdict on the work; the transport marks a codeless one so that nothing
//     retries it, submitFailed explains it) or an exchange lost after the
//     request was written (apiClient.transportError);
//   - a 2xx answer that cannot be read, or that names no job to follow
//     (apiClient.decode, noJobID);
//   - a poll that failed after the API accepted the submit (PollFailed).
//
// The code it replaces is kept in details (api_code when the API sent it,
// cause_code when it was ours), and ref, when known, names the job so the
// agent can follow it with job_status instead of submitting again.
func maybeStarted(e *Error, ref JobRef, why string) *Error {
	if e.Code != "" && e.Code != CodeMaybeStarted {
		k := "cause_code"
		if e.HTTPStatus >= 400 {
			k = "api_code"
		}
		if _, ok := e.Details[k]; !ok {
			e.Detail(k, e.Code)
		}
	}
	e.Code = CodeMaybeStarted
	_ = withJob(e, ref)
	if e.Message != "" && !strings.Contains(why, e.Message) {
		why += " (" + e.Message + ")"
	}
	e.Message = why
	return e
}

// submitFailed explains a failed submit. A 504 means the gateway gave up
// while the job may already be queued (and later billed): the transport did
// not resend it and the agent must not blindly either. documented lists 504
// codes that are the provider's own verdict on the work (AlterLab's TIMEOUT:
// the scrape timed out and was refunded), which stand. A job id in the 504's
// body names the job to follow.
func submitFailed(err error, kind string, documented map[string]bool) error {
	e, ok := errors.AsType[*Error](err)
	if !ok || e.HTTPStatus != http.StatusGatewayTimeout {
		return err
	}
	ref := JobRef{Provider: e.Provider, Kind: kind}
	for _, k := range []string{"job_id", "jobId", "crawl_id", "batch_id", "search_id", "id"} {
		if id, ok := e.Details[k].(string); ok && strings.TrimSpace(id) != "" {
			delete(e.Details, k)
			ref.ID = strings.TrimSpace(id)
			break
		}
	}
	if s, ok := e.Details["estimated_completion_s"].(float64); ok && s > 0 && s <= 3600 {
		// When to look: the API's own estimate.
		e.RetryAfter = time.Duration(s * float64(time.Second))
	}
	if documented[e.Code] {
		// The provider's own verdict on the work stands.
		_ = withJob(e, ref)
		return e
	}
	why := fmt.Sprintf("the %s gateway answered 504 to the submit, so the outcome is unknown: the job may be running and credits may have been consumed; it was not resent", providerTitle(e.Provider))
	if s, ok := e.Details["credits_status"]; ok {
		why += fmt.Sprintf("; credits %v", s)
	}
	if s, ok := e.Details["estimated_completion_s"]; ok {
		why += fmt.Sprintf("; estimated completion in about %v s", s)
	}
	return maybeStarted(e, ref, why)
}

// noJobID is a 2xx submit answer that names no job to follow: the API took
// the request, so the job may be running and billed.
func noJobID(provider string, r *response) *Error {
	return maybeStarted(&Error{Provider: provider, HTTPStatus: r.status, RequestID: requestID(r.header)}, JobRef{},
		fmt.Sprintf("%s accepted the request (HTTP %d) but its answer names no job to follow (looked for job_id, jobId, id, search_id, crawl_id, batch_id, workflow_id); the job may be running and billed", providerTitle(provider), r.status))
}

// PollFailed explains a poll that failed after the API accepted the submit:
// the job runs on upstream and is billed, so the answer points at it rather
// than at sending it again. Callers that poll a job they started (the crawl
// tool) use it too.
func PollFailed(err error, ref JobRef) error {
	e := AsError(ref.Provider, err)
	return maybeStarted(e, ref, fmt.Sprintf("%s accepted the job, but reading its progress failed; it keeps running upstream and is billed", providerTitle(ref.Provider)))
}

// unfinished reports a job still running when ctx ended, with the id to
// collect it later: it keeps running (and is billed) upstream. noCancel
// says why a cancelled call leaves the job running.
func unfinished(ctx context.Context, ref JobRef, status, noCancel string) *Error {
	d := jobDetails(ref)
	d["status"] = status
	if errors.Is(ctx.Err(), context.Canceled) {
		return &Error{Provider: ref.Provider, Code: CodeCancelled, Details: d, Err: ctx.Err(),
			Message: fmt.Sprintf("the request was cancelled while the job was %s; %s, so it may still finish (and be billed) upstream", status, noCancel)}
	}
	msg := fmt.Sprintf("the job was still %s when the time ran out; it keeps running on %s", status, providerTitle(ref.Provider))
	if id, ok := d["job_id"]; ok {
		msg += fmt.Sprintf(": call job_status with job_id %s to collect the result", id)
	} else {
		msg += ": call again later with a longer timeout"
	}
	return &Error{Provider: ref.Provider, Code: CodeJobTimeout, Message: msg, Details: d, Err: ctx.Err()}
}

func providerTitle(p string) string {
	switch p {
	case Anakin:
		return "Anakin"
	case AlterLab:
		return "AlterLab"
	}
	return p
}
