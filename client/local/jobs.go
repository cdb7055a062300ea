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
// needed for a new one or for a running job's pages (see reserve).

type jobStore struct {
	mu     sync.Mutex
	jobs   map[string]*crawlJob
	max    int
	ttl    time.Duration
	budget int64 // bytes of pages all jobs may keep together
	used   int64 // bytes kept now: the sum of the jobs' kept
}

func newJobStore(max int, ttl time.Duration, budget int64) *jobStore {
	return &jobStore{jobs: map[string]*crawlJob{}, max: max, ttl: ttl, budget: budget}
}

// share is the most one job may keep: a quarter of the budget, so one
// crawl of big pages leaves room for others.
func (s *jobStore) share() int64 { return s.budget / 4 }

// crawlJob is one crawl's shared state. The crawl goroutine writes it;
// Job and CancelJob read it through snapshot.
type crawlJob struct {
	ref    client.JobRef
	cancel context.CancelFunc
	done   chan struct{} // closed when the crawl goroutine has stopped

	kept int64 // bytes of pages this job holds; guarded by jobStore.mu

	mu         sync.Mutex
	state      client.JobState
	raw        string
	queued     int
	maxPages   int
	skipped    int
	pages      []client.Page
	pageErrors []client.BatchItem
	full       bool // a page was not kept for want of memory; the crawl stops
	taken      bool // a snapshot of the finished job has been handed out
	err        *client.Error
	cancelled  bool // CancelJob or Close asked for it
	stop       *client.Stop
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
		s.removeLocked(oldest)
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
		"no local job %s: local crawl jobs live in this server's memory for %s after they finish (less when newer crawls need the memory) and are lost when it restarts; start the crawl again",
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
	for _, j := range s.jobs {
		if t, ok := j.finishedAt(); ok && now.Sub(t) > s.ttl {
			s.removeLocked(j)
		}
	}
}

func (s *jobStore) removeLocked(j *crawlJob) {
	delete(s.jobs, j.ref.ID)
	s.used -= j.kept
	j.kept = 0
}

// reserve accounts n bytes of page content to j before j keeps them. When
// the store is over budget it forgets finished jobs to make room (see
// evictableLocked). It refuses, keeping nothing, when j already holds its
// share or when running jobs and recent unread results fill the budget; the
// error says which.
func (s *jobStore) reserve(j *crawlJob, n int64) *client.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j.kept+n > s.share() {
		return localErr(client.CodeTooLarge, fmt.Sprintf(
			"fetched but not kept: this crawl's pages already take %d MiB and another %d KiB would pass the %d MiB one local crawl may keep in memory; "+
				"the crawl stopped here (narrow it with include_paths, max_depth or max_pages, or scrape the remaining pages one by one)",
			j.kept>>20, n>>10, s.share()>>20), nil)
	}
	for s.used+n > s.budget {
		oldest := s.evictableLocked()
		if oldest == nil {
			return localErr(client.CodeTooLarge, fmt.Sprintf(
				"fetched but not kept: running crawls and results not yet collected already fill the %d MiB the local fetcher keeps for crawl results; "+
					"the crawl stopped here (collect finished crawls with job_status, wait for running ones, or narrow this one with include_paths or max_pages)",
				s.budget>>20), nil)
		}
		s.removeLocked(oldest)
	}
	j.kept += n
	s.used += n
	return nil
}

// unreadGrace is how long a finished job nobody has read yet is safe from
// eviction: long enough for the agent polling it (the crawl tool polls
// every few seconds) to collect it, short enough that results nobody
// collects do not block new crawls for the whole ttl.
const unreadGrace = 10 * time.Minute

// evictableLocked picks the finished job holding pages to forget first:
// one whose final state has been read already, else one unread for longer
// than unreadGrace, oldest first. Nil when there is none.
func (s *jobStore) evictableLocked() *crawlJob {
	var (
		best      *crawlJob
		bestT     time.Time
		bestTaken bool
	)
	now := time.Now()
	for _, j := range s.jobs {
		t, done := j.finishedAt()
		if !done || j.kept == 0 {
			continue
		}
		taken := j.resultTaken()
		if !taken && now.Sub(t) < unreadGrace {
			continue
		}
		if best == nil || (taken && !bestTaken) || (taken == bestTaken && t.Before(bestT)) {
			best, bestT, bestTaken = j, t, taken
		}
	}
	return best
}

func (j *crawlJob) resultTaken() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.taken
}

// pageBytes estimates what keeping pg costs: its strings, plus a little
// for the struct and slice headers.
func pageBytes(pg *client.Page) int64 {
	n := len(pg.URL) + len(pg.FinalURL) + len(pg.Title) + len(pg.Description) + len(pg.ContentType) +
		len(pg.Canonical) + len(pg.Markdown) + len(pg.HTML) + len(pg.JSON) + 256
	for _, l := range pg.Links {
		n += len(l) + 16
	}
	for _, w := range pg.Warnings {
		n += len(w) + 16
	}
	return int64(n)
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
	if j.state.Terminal() {
		j.taken = true
	}
	out := &client.Job{
		Ref: j.ref, State: j.state, RawStatus: j.raw,
		Total: max(total, len(j.pages)), Completed: len(j.pages),
		Pages:      append([]client.Page(nil), j.pages...),
		PageErrors: append([]client.BatchItem(nil), j.pageErrors...),
		Error:      j.err, Skipped: j.skipped,
	}
	if j.stop != nil {
		st := *j.stop
		out.Stop = &st
	}
	return out
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
