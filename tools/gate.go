package tools

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scrapemcp/scrapemcp/client"
)

// DefaultQueueWait is how long a call waits for a free slot before it is
// answered server_busy: long enough to ride out a burst, short enough that
// the agent hears about overload while it can still plan around it.
const DefaultQueueWait = 5 * time.Second

// DefaultMaxConcurrent sizes the gate for this machine. Tool calls spend
// nearly all their time waiting on the network (an API, a slow site, a job
// poll), so CPUs are not what runs out first; memory (pages held per call)
// and upstream rate limits are. Eight calls per CPU keeps a small machine
// from holding hundreds of pages at once, and the floor of 16 lets a host
// that fans out (batches of parallel calls are common) run without queueing
// even on one CPU.
func DefaultMaxConcurrent() int {
	return max(16, 8*runtime.GOMAXPROCS(0))
}

// errShuttingDown is the cause a draining gate cancels in-flight calls
// with, so handlers can tell "the server is stopping" (answer with what you
// have) from "the client cancelled" (stop, and stop upstream work too).
var errShuttingDown = errors.New("scrapemcp is shutting down")

// shuttingDown reports whether ctx ended because the server is draining.
func shuttingDown(ctx context.Context) bool {
	return ctx.Err() != nil && errors.Is(context.Cause(ctx), errShuttingDown)
}

// wrapUpGrace bounds how long Drain waits, after telling in-flight calls to
// wrap up, for them to return: handlers return within a second or two, and
// one that ignores its context must not hold the process up for ever.
const wrapUpGrace = 5 * time.Second

// Gate bounds concurrent tool calls (every transport shares one) and drains them at shutdown.
type Gate struct {
	slots     chan struct{}
	queueWait time.Duration

	// stop cancels every in-flight call's context with errShuttingDown.
	stopped context.Context
	stop    context.CancelCauseFunc

	mu       sync.Mutex
	inFlight int
	avg      time.Duration // moving average of how long a call holds its slot
	draining chan struct{} // closed when Drain starts
	idle     chan struct{} // closed once draining and nothing is in flight
	drainOne sync.Once
	idleOne  sync.Once
}

// NewGate lets maxConcurrent calls run at once (≤ 0: DefaultMaxConcurrent)
// and makes others wait up to queueWait (≤ 0: DefaultQueueWait) for a slot.
func NewGate(maxConcurrent int, queueWait time.Duration) *Gate {
	if maxConcurrent <= 0 {
		maxConcurrent = DefaultMaxConcurrent()
	}
	if queueWait <= 0 {
		queueWait = DefaultQueueWait
	}
	g := &Gate{
		slots:     make(chan struct{}, maxConcurrent),
		queueWait: queueWait,
		draining:  make(chan struct{}),
		idle:      make(chan struct{}),
	}
	g.stopped, g.stop = context.WithCancelCause(context.Background())
	return g
}

// MaxConcurrent is the number of slots. A transport that queues calls in
// front of the gate (mcp-go's stdio worker pool) needs at least this many
// workers, or its pool, not the gate, is the bound and busy calls wait
// there without ever hearing server_busy.
func (g *Gate) MaxConcurrent() int { return cap(g.slots) }

// InFlight is the number of calls holding a slot now.
func (g *Gate) InFlight() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inFlight
}

// Drain stops admitting calls — from now on they are answered shutting_down
// at once — and waits for the calls in flight to finish. If ctx ends first,
// it tells them to wrap up now (a crawl returns its pages so far and its
// job_id, other calls answer shutting_down) and waits for them to return.
// Safe to call more than once.
func (g *Gate) Drain(ctx context.Context) {
	g.mu.Lock()
	g.drainOne.Do(func() { close(g.draining) })
	if g.inFlight == 0 {
		g.idleOne.Do(func() { close(g.idle) })
	}
	g.mu.Unlock()

	select {
	case <-g.idle:
		return
	case <-ctx.Done():
	}
	g.stop(errShuttingDown)
	t := time.NewTimer(wrapUpGrace)
	defer t.Stop()
	select {
	case <-g.idle:
	case <-t.C:
	}
}

// admit takes a slot for one call, waiting at most queueWait. It returns a
// non-nil result when the call must not run.
func (g *Gate) admit(ctx context.Context) (*mcp.CallToolResult, error) {
	select {
	case <-g.draining:
		return shutdownFailure("the server is shutting down and takes no new calls"), nil
	default:
	}
	select {
	case g.slots <- struct{}{}:
	default:
		t := time.NewTimer(g.queueWait)
		defer t.Stop()
		select {
		case g.slots <- struct{}{}:
		case <-g.draining:
			return shutdownFailure("the server is shutting down and takes no new calls"), nil
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				// The client gave up: nobody is left to advise (as in guard).
				return nil, ctx.Err()
			}
			return failure(&client.Error{Provider: "scrapemcp", Code: client.CodeServerBusy, RetryAfter: g.retryAfter(),
				Message: fmt.Sprintf("all %d tool-call slots stayed busy until this call's deadline", cap(g.slots))}), nil
		case <-t.C:
			return failure(&client.Error{Provider: "scrapemcp", Code: client.CodeServerBusy, RetryAfter: g.retryAfter(),
				Message: fmt.Sprintf("all %d tool-call slots stayed busy for %s", cap(g.slots), g.queueWait)}), nil
		}
	}
	// Checked under the lock Drain takes, so no call slips in after Drain
	// has seen nothing in flight.
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.draining:
		<-g.slots
		return shutdownFailure("the server is shutting down and takes no new calls"), nil
	default:
	}
	g.inFlight++
	return nil, nil
}

func (g *Gate) release(held time.Duration) {
	<-g.slots
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inFlight--
	if g.avg == 0 {
		g.avg = held
	} else {
		g.avg += (held - g.avg) / 8
	}
	if g.inFlight == 0 {
		select {
		case <-g.draining:
			g.idleOne.Do(func() { close(g.idle) })
		default:
		}
	}
}

// retryAfter is when a slot is likely to be free: calls last about avg, and
// none finished during the queueWait this call already spent, so coming back
// sooner than that would most likely be refused again.
func (g *Gate) retryAfter() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return min(max(g.avg, g.queueWait, time.Second), time.Minute)
}

// wrap runs next in a slot, on a context that a draining gate cancels with
// errShuttingDown.
func (g *Gate) wrap(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if res, err := g.admit(ctx); res != nil || err != nil {
			return res, err
		}
		start := time.Now()
		defer func() { g.release(time.Since(start)) }()

		callCtx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		unhook := context.AfterFunc(g.stopped, func() { cancel(errShuttingDown) })
		defer unhook()

		res, err := next(callCtx, req)
		// A handler cut short by shutdown that has no result of its own
		// would reach the client as a JSON-RPC error (or a misleading
		// "cancelled"); the agent should hear that the server stopped and
		// that retrying elsewhere or later works.
		if shuttingDown(callCtx) && ctx.Err() == nil && (err != nil || res == nil || res.IsError) {
			return shutdownFailure("the server is shutting down and stopped this call before it finished"), nil
		}
		return res, err
	}
}

func shutdownFailure(msg string) *mcp.CallToolResult {
	return failure(&client.Error{Provider: "scrapemcp", Code: client.CodeShuttingDown, Message: msg})
}

// graceAfterShutdown returns a context that ends with ctx, except that a
// shutdown gives it grace more time: for a step whose answer is worth
// waiting a moment for (a crawl submit that may already be billed, a
// job_status read), so the call can still answer with what it has.
func graceAfterShutdown(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	c, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	cancelDeadline := context.CancelFunc(func() {})
	if d, ok := ctx.Deadline(); ok {
		c, cancelDeadline = context.WithDeadline(c, d)
	}
	var (
		mu    sync.Mutex
		timer *time.Timer
		done  bool
	)
	unhook := context.AfterFunc(ctx, func() {
		switch {
		case shuttingDown(ctx):
			mu.Lock()
			defer mu.Unlock()
			if !done {
				timer = time.AfterFunc(grace, func() { cancel(errShuttingDown) })
			}
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			// c carries the same deadline and reports it as such.
		default:
			cancel(context.Cause(ctx))
		}
	})
	return c, func() {
		unhook()
		mu.Lock()
		done = true
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancelDeadline()
		cancel(context.Canceled)
	}
}
