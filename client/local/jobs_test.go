package local

import (
	"regexp"
	"testing"
	"time"

	"github.com/scrapemcp/scrapemcp/client"
)

func TestJobStoreKeepsPagesWithinItsBudget(t *testing.T) {
	t.Parallel()
	finish := func(j *crawlJob, at time.Time, taken bool) {
		j.mu.Lock()
		j.state, j.finished, j.taken = client.JobCompleted, at, taken
		j.mu.Unlock()
	}
	// Past the grace unread results get, within the ttl.
	t0 := time.Now().Add(-2 * unreadGrace)
	for _, c := range []struct {
		name string
		// setup returns the job to reserve for, the bytes to reserve and
		// the jobs that must be gone afterwards.
		setup     func(s *jobStore) (j *crawlJob, n int64, gone []*crawlJob)
		wantErr   string // a phrase of the refusal; "" = accepted
		wantUsed  int64
		wantCount int
	}{
		{"a page within the job's share and the budget is kept",
			func(s *jobStore) (*crawlJob, int64, []*crawlJob) {
				j, _ := s.add(10, func() {})
				return j, 200, nil
			}, "", 200, 1},
		{"a page past the job's quarter share is refused",
			func(s *jobStore) (*crawlJob, int64, []*crawlJob) {
				j, _ := s.add(10, func() {})
				_ = s.reserve(j, 200)
				return j, 60, nil
			}, "one local crawl may keep", 200, 1},
		{"finished jobs are forgotten oldest first to make room",
			func(s *jobStore) (*crawlJob, int64, []*crawlJob) {
				var done []*crawlJob
				for i := range 4 {
					j, _ := s.add(10, func() {})
					_ = s.reserve(j, 240)
					finish(j, t0.Add(time.Duration(i)*time.Second), false)
					done = append(done, j)
				}
				j, _ := s.add(10, func() {})
				return j, 200, done[:1]
			}, "", 3*240 + 200, 4},
		{"finished jobs already read go before unread older ones",
			func(s *jobStore) (*crawlJob, int64, []*crawlJob) {
				var done []*crawlJob
				for i := range 4 {
					j, _ := s.add(10, func() {})
					_ = s.reserve(j, 240)
					finish(j, t0.Add(time.Duration(i)*time.Second), i == 2)
					done = append(done, j)
				}
				j, _ := s.add(10, func() {})
				return j, 200, done[2:3]
			}, "", 3*240 + 200, 4},
		{"unread results still within their grace are kept: the page is refused instead",
			func(s *jobStore) (*crawlJob, int64, []*crawlJob) {
				for range 4 {
					j, _ := s.add(10, func() {})
					_ = s.reserve(j, 240)
					finish(j, time.Now(), false)
				}
				j, _ := s.add(10, func() {})
				return j, 100, nil
			}, "results not yet collected already fill", 4 * 240, 5},
		{"running jobs are never forgotten: the page is refused instead",
			func(s *jobStore) (*crawlJob, int64, []*crawlJob) {
				for range 4 {
					j, _ := s.add(10, func() {})
					_ = s.reserve(j, 240)
				}
				j, _ := s.add(10, func() {})
				return j, 100, nil
			}, "running crawls and results not yet collected", 4 * 240, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newJobStore(100, time.Hour, 1000)
			j, n, gone := c.setup(s)
			err := s.reserve(j, n)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.wantErr != "" && (err == nil || err.Code != client.CodeTooLarge || !regexp.MustCompile(regexp.QuoteMeta(c.wantErr)).MatchString(err.Message)):
				t.Fatalf("got %v, want too_large saying %q", err, c.wantErr)
			}
			if s.used != c.wantUsed || len(s.jobs) != c.wantCount {
				t.Errorf("store holds %d bytes in %d jobs, want %d in %d", s.used, len(s.jobs), c.wantUsed, c.wantCount)
			}
			for _, g := range gone {
				if _, err := s.get(g.ref); err == nil {
					t.Errorf("job %s was kept", g.ref)
				}
			}
		})
	}
}

func TestJobIDsAreRandomAndDistinct(t *testing.T) {
	t.Parallel()
	// 96 bits from crypto/rand: an id names a job to whoever holds it, so
	// it must not be guessable from another.
	hex24 := regexp.MustCompile(`^[0-9a-f]{24}$`)
	seen := map[string]bool{}
	for range 10_000 {
		id := newJobID()
		if !hex24.MatchString(id) || seen[id] {
			t.Fatalf("id %q is malformed or repeated", id)
		}
		seen[id] = true
	}
}
