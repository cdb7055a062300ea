package client

import (
	"context"
	"time"
)

// PollSchedule is the adaptive interval between polls: start near 1 s, grow
// ×1.5, cap near 10 s. A server pacing hint (retry_after_ms, Retry-After)
// overrides the computed wait for that one poll.
type PollSchedule struct {
	Start, Max time.Duration
	Factor     float64
}

// DefaultPollSchedule is used by providers and tools.
var DefaultPollSchedule = PollSchedule{Start: time.Second, Max: 10 * time.Second, Factor: 1.5}

// progressKey carries a watcher for jobs a provider polls inside one call
// (an async scrape or batch), so the caller can report progress without the
// Provider interface knowing about it.
type progressKey struct{}

// WithJobWatcher returns ctx carrying fn; every Poll under ctx calls fn with
// each snapshot it sees.
func WithJobWatcher(ctx context.Context, fn func(*Job)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// Poll calls get until the job reaches a terminal state or ctx ends.
// onUpdate, when non-nil, sees every snapshot (for progress notifications),
// as does a watcher set with WithJobWatcher.
//
// When ctx ends first, Poll returns the last snapshot it saw together with
// ctx's error, so callers can hand back the partial results and the job id.
func Poll(ctx context.Context, s PollSchedule, get func(context.Context) (*Job, error), onUpdate func(*Job)) (*Job, error) {
	wait := s.Start
	var last *Job
	watch, _ := ctx.Value(progressKey{}).(func(*Job))
	for {
		j, err := get(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return last, ctx.Err()
			}
			return last, err
		}
		last = j
		if onUpdate != nil {
			onUpdate(j)
		}
		if watch != nil {
			watch(j)
		}
		if j.State.Terminal() {
			return j, nil
		}
		d := wait
		if j.RetryAfter > 0 {
			d = min(j.RetryAfter, s.Max)
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return last, ctx.Err()
		case <-t.C:
		}
		wait = min(time.Duration(float64(wait)*s.Factor), s.Max)
	}
}
