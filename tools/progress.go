package tools

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scrapemcp/scrapemcp/client"
)

// callScope is one tool call as its progress reporters see it. The spec
// allows progress only while the request is in progress, and a goroutine
// holding the call's context (a provider's poller, a straggling worker) can
// outlive the handler; once the handler has returned, every report under
// the scope is dropped.
type callScope struct {
	mu    sync.Mutex
	ended bool
	sent  bool // some progress went out, so there may be some to flush
}

type scopeKey struct{}

func scopeOf(ctx context.Context) *callScope {
	s, _ := ctx.Value(scopeKey{}).(*callScope)
	return s
}

// send runs fn unless the call has ended. The lock is held across fn, so
// once end returns no report is half-way through sending.
func (s *callScope) send(fn func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return errCallEnded
	}
	if err := fn(); err != nil {
		return err
	}
	s.sent = true
	return nil
}

// end closes the scope and says whether any progress was sent in it.
func (s *callScope) end() (sent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = true
	return s.sent
}

var errCallEnded = errors.New("the call has returned; no more progress for it")

// Flush bounds: mcp-go queues notifications on a per-session channel that
// another goroutine writes out, so the last progress can reach the client
// after the result. Waiting for the channel to empty before the result goes
// back puts it first in nearly every run, at a cost of about a millisecond
// for calls that reported progress and none for the others. The transport
// drops whatever still trails its response.
const (
	flushLimit = 100 * time.Millisecond
	flushTick  = time.Millisecond
)

// scoped gives the call a callScope, ends it when next returns, then lets
// the progress already queued be written before the result is.
func scoped(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		sc := &callScope{}
		res, err := next(context.WithValue(ctx, scopeKey{}, sc), req)
		// A call whose client is gone has no result to put anything ahead of.
		if sc.end() && ctx.Err() == nil {
			awaitNotifications(ctx)
		}
		return res, err
	}
}

// awaitNotifications waits, at most flushLimit, until the session's
// notification queue is empty, and one tick more: the writer may have taken
// the last one off the queue without having written it yet.
func awaitNotifications(ctx context.Context) {
	sess := server.ClientSessionFromContext(ctx)
	if sess == nil {
		return
	}
	ch := sess.NotificationChannel()
	limit := time.NewTimer(flushLimit)
	defer limit.Stop()
	tick := time.NewTicker(flushTick)
	defer tick.Stop()
	for {
		empty := len(ch) == 0
		select {
		case <-limit.C:
			return
		case <-tick.C:
		}
		if empty {
			return
		}
	}
}

// progress sends notifications/progress for a request that carried a
// progressToken. Values only ever increase, as the spec requires.
type progress struct {
	mu    sync.Mutex // extract reports from several goroutines
	ctx   context.Context
	scope *callScope
	token mcp.ProgressToken
	srv   *server.MCPServer
	last  float64
	sent  bool
	log   *slog.Logger
}

func newProgress(ctx context.Context, req mcp.CallToolRequest, log *slog.Logger) *progress {
	p := &progress{ctx: ctx, scope: scopeOf(ctx), srv: server.ServerFromContext(ctx), log: log}
	if p.scope == nil {
		// A handler called outside Register (a test, the call subcommand
		// going straight to a handler) has nothing to end its scope; its
		// reports are sent as before.
		p.scope = &callScope{}
	}
	if m := req.Params.Meta; m != nil && m.ProgressToken != nil {
		p.token = m.ProgressToken
	}
	return p
}

// report sends progress done/total (total 0 = unknown) with a message. It
// does nothing once the call has returned.
func (p *progress) report(done, total float64, message string) {
	if p.token == nil || p.srv == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sent && done <= p.last {
		return
	}
	params := map[string]any{"progressToken": p.token, "progress": done, "message": message}
	if total > 0 {
		params["total"] = total
	}
	err := p.scope.send(func() error {
		return p.srv.SendNotificationToClient(p.ctx, string(mcp.MethodNotificationProgress), params)
	})
	if err != nil {
		p.log.Debug("progress notification not sent", "error", err.Error())
		return
	}
	p.last, p.sent = done, true
}

// watchJobs reports progress for jobs a provider polls inside this call (an
// async scrape, batch or extract), one notification per poll, so a host can
// show that a slow page is still being worked on.
func watchJobs(ctx context.Context, req mcp.CallToolRequest, log *slog.Logger) context.Context {
	p := newProgress(ctx, req, log)
	if p.token == nil {
		return ctx
	}
	var (
		mu    sync.Mutex
		polls int
	)
	return client.WithJobWatcher(ctx, func(j *client.Job) {
		mu.Lock()
		polls++
		n := polls
		mu.Unlock()
		msg := fmt.Sprintf("%s job %s", j.Ref.Kind, j.State)
		if j.Total > 0 {
			msg += fmt.Sprintf(" (%d of %d done)", j.Completed, j.Total)
		}
		p.report(float64(n), 0, msg)
	})
}
