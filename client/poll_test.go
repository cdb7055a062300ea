package client

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/client/anakintest"
)

// pollRun is one crawl of known length, polled the way the crawl tool polls
// it, measured in fake time.
type pollRun struct {
	requests int           // API requests: the submit and every read
	late     time.Duration // from the job's end to the read that saw it
	gaps     []time.Duration
	maxGap   time.Duration // longest stretch without an update to the caller
}

// runKnownLength submits a crawl of pages pages lasting d on provider and
// polls it with DefaultPollSchedule. It must run inside a synctest bubble.
func runKnownLength(t *testing.T, provider string, d time.Duration, pages int) pollRun {
	t.Helper()
	var (
		p     Provider
		count func() int
	)
	switch provider {
	case Anakin:
		c, s := fakeAnakin(t)
		s.Script(anakintest.RouteCrawl, anakintest.Lasting(d))
		p, count = c, func() int { return s.Count(anakintest.RouteCrawl) + s.Count(anakintest.RouteCrawlJob) }
	case AlterLab:
		c, s := fakeAlterLab(t)
		s.Script(alterlabtest.RouteCrawl, alterlabtest.Lasting(d))
		p, count = c, func() int { return s.Count(alterlabtest.RouteCrawl) + s.Count(alterlabtest.RouteCrawlJob) }
	}
	start := time.Now()
	job, err := p.StartCrawl(t.Context(), CrawlRequest{URL: "https://example.com/", MaxPages: pages, MaxDepth: 2})
	if err != nil {
		t.Fatal(err)
	}
	var r pollRun
	lastUpdate, lastRead := start, time.Time{}
	j, err := Poll(t.Context(), DefaultPollSchedule, func(ctx context.Context) (*Job, error) {
		if !lastRead.IsZero() {
			r.gaps = append(r.gaps, time.Since(lastRead))
		}
		lastRead = time.Now()
		return p.Job(ctx, job.Ref)
	}, func(*Job) {
		r.maxGap = max(r.maxGap, time.Since(lastUpdate))
		lastUpdate = time.Now()
	})
	if err != nil || j.State != JobCompleted {
		t.Fatalf("%+v, %v", j, err)
	}
	r.requests = count()
	r.late = time.Since(start) - d
	return r
}

// KnownLengthBudget is what the issue asks of a job of known length: API
// requests (submit included) and lateness as a fraction of the length.
func knownLengthBudget(d time.Duration) (requests int, late float64) {
	switch {
	case d <= 10*time.Second:
		return 4, 0.15
	case d <= 60*time.Second:
		return 8, 0.10
	}
	// The 10 s cap sets the pace of a long job: one read per cap, plus
	// the submit and the approach to the end.
	return 1 + int(d/DefaultPollSchedule.Max) + 3, 0.10
}

// A crawl that reports its progress is read near its predicted end, not on
// a blind schedule: few requests, the end noticed soon after it happens,
// the caller updated at least every 15 s, and never two reads closer than
// the floor.
func TestPollPredictsTheEndOfAJobOfKnownLength(t *testing.T) {
	for _, provider := range []string{Anakin, AlterLab} {
		for _, d := range []time.Duration{10 * time.Second, 60 * time.Second, 180 * time.Second} {
			for _, pages := range []int{10, 50} {
				t.Run(fmt.Sprintf("%s/%v/%d pages", provider, d, pages), func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) {
						r := runKnownLength(t, provider, d, pages)
						maxReq, maxLate := knownLengthBudget(d)
						t.Logf("%d requests, %v late (%.1f%%), reads %v", r.requests, r.late, 100*r.late.Seconds()/d.Seconds(), r.gaps)
						if r.requests > maxReq {
							t.Errorf("%d requests, want at most %d", r.requests, maxReq)
						}
						if r.late < 0 || r.late.Seconds() > maxLate*d.Seconds() {
							t.Errorf("noticed %v after the end, want within %.0f%% of %v", r.late, 100*maxLate, d)
						}
						if r.maxGap > 15*time.Second {
							t.Errorf("%v without an update", r.maxGap)
						}
						for _, g := range r.gaps {
							if g < DefaultPollSchedule.Start || g > DefaultPollSchedule.Max {
								t.Errorf("a wait of %v is outside [%v, %v]", g, DefaultPollSchedule.Start, DefaultPollSchedule.Max)
							}
						}
					})
				})
			}
		}
	}
}

// A pacing hint longer than any computed wait is obeyed (up to HintMax),
// and the caller still hears something every Heartbeat meanwhile.
func TestPollObeysALongPacingHintAndKeepsTalking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var reads []time.Duration
		start := time.Now()
		get := func(context.Context) (*Job, error) {
			reads = append(reads, time.Since(start))
			if len(reads) == 3 {
				return &Job{State: JobCompleted, Total: 10, Completed: 10}, nil
			}
			return &Job{State: JobRunning, Total: 10, Completed: 2 * len(reads), RetryAfter: 40 * time.Second}, nil
		}
		var predicted []int
		lastUpdate, maxGap := start, time.Duration(0)
		_, err := Poll(t.Context(), DefaultPollSchedule, get, func(j *Job) {
			maxGap = max(maxGap, time.Since(lastUpdate))
			lastUpdate = time.Now()
			if j.Predicted {
				predicted = append(predicted, j.Completed)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []time.Duration{time.Second, 41 * time.Second, 81 * time.Second}
		if fmt.Sprint(reads) != fmt.Sprint(want) {
			t.Errorf("reads at %v, want %v", reads, want)
		}
		if maxGap > 15*time.Second || len(predicted) == 0 {
			t.Errorf("longest silence %v, predicted snapshots %v", maxGap, predicted)
		}
		for i, c := range predicted {
			if c >= 10 || (i > 0 && c < predicted[i-1]) {
				t.Errorf("predicted counts %v must grow and stay below the total", predicted)
			}
		}
	})
}

// immediatePoll is DefaultPollSchedule reading a job at once after its
// submit, as it did before predicting: the fakes' jobs end on their first
// read, so tests that are not about polling run without waiting.
var immediatePoll = func() PollSchedule { s := DefaultPollSchedule; s.First = 0; return s }()

// A job whose count says it is done while it runs on (a total that grows
// as pages are found, a job wrapping up) gives nothing to predict from: the
// waits grow as they do without progress, rather than sitting at the floor.
func TestPollDoesNotHammerAJobThatLooksDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var reads []time.Duration
		start := time.Now()
		get := func(context.Context) (*Job, error) {
			reads = append(reads, time.Since(start))
			if len(reads) == 6 {
				return &Job{State: JobCompleted, Total: 20, Completed: 20}, nil
			}
			return &Job{State: JobRunning, Total: 10 + len(reads), Completed: 10 + len(reads)}, nil
		}
		if _, err := Poll(t.Context(), DefaultPollSchedule, get, nil); err != nil {
			t.Fatal(err)
		}
		want := "[1s 2.5s 4.75s 8.125s 13.1875s 20.78125s]"
		if fmt.Sprint(reads) != want {
			t.Errorf("reads at %v, want %s", reads, want)
		}
	})
}
