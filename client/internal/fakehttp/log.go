// Package fakehttp is the plumbing the fake provider APIs (anakintest and
// alterlabtest) share, so that they differ only where the APIs do: the log
// of what each route was scripted and sent, an in-memory client that fails
// the way a network does, answer writing, a sliding rate-limit window, and
// the content both generate from a URL.
package fakehttp

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sync"
)

// Log holds the faults a fake has been scripted to answer and what it has
// received. A fake embeds it for these query methods; what changes it is
// package functions, so that embedding does not publish them.
type Log[F any] struct {
	mu      sync.Mutex
	routes  map[string]*routeLog[F]
	cancels []string
	reqs    int
	picker  Picker[F]
}

// Picker chooses the fault for a request no script covers: route, the
// request and its body (already read; r.Body must not be used). ok false
// serves the request normally. A fake calls it from many goroutines at once.
// Only the in-memory client consults it.
type Picker[F any] func(route string, r *http.Request, body []byte) (f F, ok bool)

// SetPicker makes p choose faults for requests the script does not cover
// (nil stops it), for soak tests that draw faults at random per request
// rather than queue them per route.
func SetPicker[F any](l *Log[F], p Picker[F]) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.picker = p
}

// pick asks l's Picker for route's fault, outside l.mu.
func pick[F any](l *Log[F], route string, r *http.Request, body []byte) *F {
	l.mu.Lock()
	p := l.picker
	l.mu.Unlock()
	if p == nil {
		return nil
	}
	if f, ok := p(route, r, body); ok {
		return &f
	}
	return nil
}

type routeLog[F any] struct {
	script  []F
	count   int
	bodies  [][]byte
	queries []url.Values
	answers map[int]int
}

// on is route's entry, made on first use so the zero Log is ready; l.mu
// must be held.
func (l *Log[F]) on(route string) *routeLog[F] {
	if l.routes == nil {
		l.routes = map[string]*routeLog[F]{}
	}
	rl := l.routes[route]
	if rl == nil {
		rl = &routeLog[F]{answers: map[int]int{}}
		l.routes[route] = rl
	}
	return rl
}

// Script queues faults for route (e.g. RouteScrape), one per request.
func (l *Log[F]) Script(route string, faults ...F) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rl := l.on(route)
	rl.script = append(rl.script, faults...)
}

// Count is how many requests route has received, whatever their answer.
func (l *Log[F]) Count(route string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.on(route).count
}

// Bodies returns every request body route received, in order.
func (l *Log[F]) Bodies(route string) [][]byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([][]byte(nil), l.on(route).bodies...)
}

// LastBody is the most recent request body on route, or nil.
func (l *Log[F]) LastBody(route string) []byte {
	b := l.Bodies(route)
	if len(b) == 0 {
		return nil
	}
	return b[len(b)-1]
}

// LastJSON decodes LastBody as a JSON object (nil if none or not an object).
func (l *Log[F]) LastJSON(route string) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(l.LastBody(route), &m)
	return m
}

// LastQuery is the query string of the most recent request on route.
func (l *Log[F]) LastQuery(route string) url.Values {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.on(route).queries
	if len(q) == 0 {
		return nil
	}
	return q[len(q)-1]
}

// Statuses counts the HTTP statuses route has answered, e.g. {200: 100,
// 429: 4}. Requests dropped or hung by a fault have none.
func (l *Log[F]) Statuses(route string) map[int]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[int]int{}
	for k, v := range l.on(route).answers {
		out[k] = v
	}
	return out
}

// Cancels lists the cancel attempts seen (e.g. "DELETE /v1/crawl/<id>").
func (l *Log[F]) Cancels() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.cancels...)
}

// Take counts a request on route and pops its scripted fault, if any.
func Take[F any](l *Log[F], route string) *F {
	l.mu.Lock()
	defer l.mu.Unlock()
	rl := l.on(route)
	rl.count++
	if len(rl.script) == 0 {
		return nil
	}
	f := rl.script[0]
	rl.script = rl.script[1:]
	return &f
}

// Record reads r's body and logs it and r's query under route. n numbers
// the request among all the fake has received, from 1, for its request id.
func Record[F any](l *Log[F], route string, r *http.Request) (body []byte, n int) {
	body, _ = io.ReadAll(io.LimitReader(r.Body, 16<<20))
	l.mu.Lock()
	defer l.mu.Unlock()
	rl := l.on(route)
	rl.bodies = append(rl.bodies, body)
	rl.queries = append(rl.queries, r.URL.Query())
	l.reqs++
	return body, l.reqs
}

// Tally wraps w so that, once answered is called, the status written
// through it counts in route's Statuses. Nothing counts if none was written,
// as for a held request.
func Tally[F any](l *Log[F], route string, w http.ResponseWriter) (_ http.ResponseWriter, answered func()) {
	sw := &statusWriter{ResponseWriter: w}
	return sw, func() {
		if sw.status == 0 {
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		l.on(route).answers[sw.status]++
	}
}

// RecordCancel logs r as a cancel attempt, for Cancels.
func RecordCancel[F any](l *Log[F], r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cancels = append(l.cancels, r.Method+" "+r.URL.Path)
}

// statusWriter remembers the first status written, as the one answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}
