package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/scrapemcp/scrapemcp/client"
)

// Local crawl jobs live in this process's memory: a job id means nothing to
// another replica or after a restart. The store holds at most max jobs and
// forgets a finished one ttl after it finished, or sooner when room is
// needed for a new one.

// maxJobBytes bounds the Markdown one job keeps; a crawl stops when it is
// reached, as when max_pages is.
const maxJobBytes = 64 << 20

type jobStore struct {
	mu   sync.Mutex
	jobs map[string]*crawlJob
	max  int
	ttl  time.Duration
}

func newJobStore(max int, ttl time.Duration) *jobStore {
	return &jobStore{jobs: map[string]*crawlJob{}, max: max, ttl: ttl}
}

// crawlJob is one crawl's shared state. The crawl goroutine writes it;
// Job and CancelJob read it through snapshot.
type crawlJob struct {
	ref    client.JobRef
	cancel context.CancelFunc
	done   chan struct{} // closed when the crawl goroutine has stopped

	mu         sync.Mutex
	state      client.JobState
	raw        string
	queued     int
	maxPages   int
	skipped    int
	pages      []client.Page
	pageErrors []client.BatchItem
	bytes      int
	err        *client.Error
	cancelled  bool // CancelJob or Close asked for it
	finished   time.Time
}

func newJobID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// add registers a new running job, making room by forgetting finished jobs
// (expired first, then the oldest). It fails when every slot holds a
// running crawl.
func (s *jobStore) add(maxPages int, cancel context.CancelFunc) (*crawlJob, *client.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	s.sweepLocked(now)
	if len(s.jobs) >= s.max {
		var (
			oldest  *crawlJob
			oldestT time.Time
		)
		for _, j := range s.jobs {
			if t, ok := j.finishedAt(); ok && (oldest == nil || t.Before(oldestT)) {
				oldest, oldestT = j, t
			}
		}
		if oldest == nil {
			e := localErr(client.CodeRateLimitedLocally, fmt.Sprintf(
				"%d local crawls are already running; wait for one to finish or stop one with job_cancel", len(s.jobs)), nil)
			e.RetryAfter = time.Minute
			return nil, e
		}
		delete(s.jobs, oldest.ref.ID)
	}
	j := &crawlJob{
		ref:    client.JobRef{Provider: client.Local, Kind: client.KindCrawl, ID: newJobID()},
		cancel: cancel, done: make(chan struct{}),
		state: client.JobRunning, raw: "running", maxPages: maxPages,
	}
	s.jobs[j.ref.ID] = j
	return j, nil
}

func (s *jobStore) get(ref client.JobRef) (*crawlJob, *client.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(time.Now())
	if j, ok := s.jobs[ref.ID]; ok && ref.Provider == client.Local && ref.Kind == client.KindCrawl {
		return j, nil
	}
	return nil, localErr(client.CodeNotFound, fmt.Sprintf(
		"no local job %s: local crawl jobs live in this server's memory for %s after they finish and are lost when it restarts; start the crawl again",
		ref, s.ttl), nil)
}

func (s *jobStore) all() []*crawlJob {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*crawlJob, 0, len(s.jobs))
	for _, j := range s.jobs {
		out = append(out, j)
	}
	return out
}

func (s *jobStore) sweepLocked(now time.Time) {
	for id, j := range s.jobs {
		if t, ok := j.finishedAt(); ok && now.Sub(t) > s.ttl {
			delete(s.jobs, id)
		}
	}
}

func (j *crawlJob) finishedAt() (time.Time, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.finished, j.state.Terminal()
}

// snapshot copies the job's state. Pages are copied by value, so the
// caller may keep them while the crawl appends more.
func (j *crawlJob) snapshot() *client.Job {
	j.mu.Lock()
	defer j.mu.Unlock()
	total := min(j.queued, j.maxPages)
	return &client.Job{
		Ref: j.ref, State: j.state, RawStatus: j.raw,
		Total: max(total, len(j.pages)), Completed: len(j.pages),
		Pages:      append([]client.Page(nil), j.pages...),
		PageErrors: append([]client.BatchItem(nil), j.pageErrors...),
		Error:      j.err, Skipped: j.skipped,
	}
}

// Job returns a snapshot of a local crawl.
func (p *Provider) Job(_ context.Context, ref client.JobRef) (*client.Job, error) {
	j, err := p.jobs.get(ref)
	if err != nil {
		return nil, err
	}
	return j.snapshot(), nil
}

// CancelJob stops a local crawl and waits (within ctx) for its fetches to
// end, so the snapshot it returns is final. Cancelling a finished job
// changes nothing.
func (p *Provider) CancelJob(ctx context.Context, ref client.JobRef) (*client.Job, error) {
	j, err := p.jobs.get(ref)
	if err != nil {
		return nil, err
	}
	j.requestCancel()
	select {
	case <-j.done:
	case <-ctx.Done():
	}
	return j.snapshot(), nil
}

func (j *crawlJob) requestCancel() {
	j.mu.Lock()
	if !j.state.Terminal() {
		j.cancelled = true
	}
	j.mu.Unlock()
	j.cancel()
}
