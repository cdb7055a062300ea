package fakehttp

import (
	"sync"
	"time"
)

// Window is a sliding one-minute rate limit, the way the APIs count
// requests per minute.
type Window struct {
	mu   sync.Mutex
	hits []time.Time
}

// trim drops hits older than a minute; w.mu must be held.
func (w *Window) trim(now time.Time) {
	for len(w.hits) > 0 && !w.hits[0].After(now.Add(-time.Minute)) {
		w.hits = w.hits[1:]
	}
}

// Admit counts a request at now unless perMinute (> 0) requests already
// fall in the last minute; then wait is how long until the oldest leaves it
// (at least a second, as Retry-After has no finer unit).
func (w *Window) Admit(now time.Time, perMinute int) (wait time.Duration, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.trim(now)
	if perMinute > 0 && len(w.hits) >= perMinute {
		return max(w.hits[0].Add(time.Minute).Sub(now), time.Second), false
	}
	w.hits = append(w.hits, now)
	return 0, true
}

// State is how many requests the last minute holds and when the oldest of
// them stops counting (a minute from now when there is none).
func (w *Window) State(now time.Time) (used int, reset time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.trim(now)
	if len(w.hits) == 0 {
		return 0, now.Add(time.Minute)
	}
	return len(w.hits), w.hits[0].Add(time.Minute)
}
