package client

import (
	"context"
	"math"
	"time"
)

// PollSchedule says when to read a job again.
//
// Without anything to go on (a single-page job reports no progress), the
// wait starts near 1 s and grows ×1.5 up to a cap near 10 s. When the job
// reports progress (pages done of a known total), Poll predicts when it will
// finish and aims the next read there instead: see predictor. Either way a
// wait is never shorter than Floor, never longer than Max (a server pacing
// hint may stretch it up to HintMax), and a pacing hint (retry_after_ms,
// Retry-After) is never undercut: the API says how fast it may be polled.
type PollSchedule struct {
	Start, Max time.Duration
	Factor     float64
	// First is the wait before the first read. Zero reads at once; the
	// default waits Start, since a job the submit just answered "pending"
	// has nothing new to say a millisecond later.
	First time.Duration
	// Floor is the shortest wait between reads (zero: Start).
	Floor time.Duration
	// Slack is how late, as a fraction of the job's length, the predictor
	// may notice the end (zero: 0.1).
	Slack float64
	// HintMax bounds a server pacing hint (zero: 60 s, as Anakin's SDKs
	// bound Retry-After).
	HintMax time.Duration
	// Heartbeat is the longest the caller goes without an update while a
	// long wait (a pacing hint) runs: it then sees a predicted snapshot
	// (Job.Predicted). Zero: 15 s.
	Heartbeat time.Duration
}

// DefaultPollSchedule is used by providers and tools.
var DefaultPollSchedule = PollSchedule{Start: time.Second, Max: 10 * time.Second, Factor: 1.5, First: time.Second}

func (s PollSchedule) floor() time.Duration {
	if s.Floor > 0 {
		return s.Floor
	}
	return s.Start
}

func (s PollSchedule) slack() float64 {
	if s.Slack > 0 {
		return s.Slack
	}
	return 0.1
}

func (s PollSchedule) hintMax() time.Duration {
	if s.HintMax > 0 {
		return max(s.HintMax, s.Max)
	}
	return max(60*time.Second, s.Max)
}

func (s PollSchedule) heartbeat() time.Duration {
	if s.Heartbeat > 0 {
		return s.Heartbeat
	}
	return 15 * time.Second
}

// progressKey carries a watcher for jobs a provider polls inside one call
// (an async scrape or batch), so the caller can report progress without the
// Provider interface knowing about it.
type progressKey struct{}

// WithJobWatcher returns ctx carrying fn; every Poll under ctx calls fn with
// each snapshot it sees.
func WithJobWatcher(ctx context.Context, fn func(*Job)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// predictor brackets a job's finish time from its progress reports.
//
// It assumes pages are done at a steady rate from when polling started: a
// report of d pages of n done at elapsed time e then says the finish lies in
// (e·n/(d+1), e·n/d] (d is a floored count). Every report narrows the
// bracket [lo, hi]; a report that contradicts the earlier ones (the rate
// changed, the total grew) restarts it from that report alone, so a wrong
// model costs polls, never correctness — the cap still bounds every wait.
type predictor struct {
	lo, hi float64 // seconds since polling started; hi = +Inf when unknown
}

func newPredictor() predictor { return predictor{hi: math.Inf(1)} }

// observe folds in a non-terminal snapshot seen e seconds in.
func (p *predictor) observe(e float64, j *Job) {
	p.lo = max(p.lo, e) // it had not finished by e
	if j.Total <= 0 || j.Completed < 0 || j.Completed >= j.Total {
		// No count, or one that says it should be over while it is not
		// (the total grows as pages are found, the job is wrapping up):
		// nothing to predict from, so the growing wait applies.
		return
	}
	n, d := float64(j.Total), float64(j.Completed)
	lo := e * n / (d + 1)
	hi := math.Inf(1)
	if d > 0 {
		hi = e * n / d
	}
	nlo, nhi := max(p.lo, lo), min(p.hi, hi)
	if nlo > nhi {
		nlo, nhi = max(lo, e), hi
	}
	p.lo, p.hi = nlo, nhi
}

// known reports whether progress gave an upper bound.
func (p *predictor) known() bool { return !math.IsInf(p.hi, 1) }

// next is when (seconds since start) to read next, before floor and cap:
// the end of the bracket once it is narrow enough that reading there is at
// most slack late, else a point slack past its start, which either catches
// the job done (at most slack late) or narrows the bracket.
func (p *predictor) next(slack float64) float64 {
	if !p.known() {
		return p.lo * (1 + slack)
	}
	if p.hi <= p.lo*(1+slack) {
		return p.hi
	}
	return p.lo * (1 + slack)
}

// Poll calls get until the job reaches a terminal state or ctx ends.
// onUpdate, when non-nil, sees every snapshot (for progress notifications),
// as does a watcher set with WithJobWatcher; during a wait longer than the
// schedule's Heartbeat they also see a predicted snapshot (Predicted set) at
// least that often.
//
// When ctx ends first, Poll returns the last snapshot it saw together with
// ctx's error, so callers can hand back the partial results and the job id.
func Poll(ctx context.Context, s PollSchedule, get func(context.Context) (*Job, error), onUpdate func(*Job)) (*Job, error) {
	watch, _ := ctx.Value(progressKey{}).(func(*Job))
	shown := 0 // the highest count any update carried
	notify := func(j *Job) {
		if j.Predicted {
			j.Completed = max(j.Completed, shown)
		}
		shown = max(shown, j.Completed)
		if onUpdate != nil {
			onUpdate(j)
		}
		if watch != nil {
			watch(j)
		}
	}
	start := time.Now()
	geom := s.Start // the growing wait used without progress
	if s.First > 0 {
		// The wait before the first read was the first step.
		geom = min(time.Duration(float64(geom)*s.Factor), s.Max)
	}
	pred := newPredictor()
	var last *Job
	d := s.First
	for {
		if d > 0 {
			if err := pause(ctx, d, s.heartbeat(), start, &pred, last, notify); err != nil {
				return last, err
			}
		}
		j, err := get(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return last, ctx.Err()
			}
			return last, err
		}
		last = j
		notify(j)
		if j.State.Terminal() {
			return j, nil
		}
		e := time.Since(start)
		pred.observe(e.Seconds(), j)
		d = s.wait(e, &pred, geom, j.RetryAfter)
		geom = min(time.Duration(float64(geom)*s.Factor), s.Max)
	}
}

// wait is the pause after a read at elapsed e.
func (s PollSchedule) wait(e time.Duration, p *predictor, geom, hint time.Duration) time.Duration {
	var d time.Duration
	switch {
	case p.known():
		d = time.Duration(p.next(s.slack())*float64(time.Second)) - e
	case hint > 0:
		d = hint // the API's own pacing is the best guess there is
	case p.lo > e.Seconds():
		// No upper bound, but progress rules out an early end (no page
		// yet after e means the end is at least e·n away): skip to it.
		d = max(geom, time.Duration(p.next(s.slack())*float64(time.Second))-e)
	default:
		d = geom
	}
	d = min(max(d, s.floor()), s.Max)
	if hint > 0 {
		d = max(d, min(hint, s.hintMax()))
	}
	return d
}

// pause waits d, sending a predicted snapshot every heartbeat while it does.
func pause(ctx context.Context, d, heartbeat time.Duration, start time.Time, p *predictor, last *Job, notify func(*Job)) error {
	for d > 0 {
		step := min(d, heartbeat)
		t := time.NewTimer(step)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		d -= step
		if d > 0 && last != nil {
			notify(predicted(last, p, time.Since(start).Seconds()))
		}
	}
	return nil
}

// predicted is last with Completed moved to where the prediction puts it
// now, never to the total (Poll also keeps it from going back).
func predicted(last *Job, p *predictor, e float64) *Job {
	j := *last
	j.Predicted = true
	if j.Total > 0 && p.known() {
		mid := (p.lo + p.hi) / 2
		if mid > 0 {
			guess := int(float64(j.Total) * min(e/mid, 1))
			j.Completed = max(j.Completed, min(guess, j.Total-1))
		}
	}
	return &j
}
