package client

import (
	"fmt"
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
	Cost       Cost
	RetryAfter time.Duration // server pacing hint for the next poll (retry_after_ms)
	Skipped    int           // links not followed (SSRF guard, robots.txt, off-site)
}
