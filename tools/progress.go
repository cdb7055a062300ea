package tools

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scrapemcp/scrapemcp/client"
)

// progress sends notifications/progress for a request that carried a
// progressToken. Values only ever increase, as the spec requires.
type progress struct {
	mu    sync.Mutex // extract reports from several goroutines
	ctx   context.Context
	token mcp.ProgressToken
	srv   *server.MCPServer
	last  float64
	sent  bool
	log   *slog.Logger
}

func newProgress(ctx context.Context, req mcp.CallToolRequest, log *slog.Logger) *progress {
	p := &progress{ctx: ctx, srv: server.ServerFromContext(ctx), log: log}
	if m := req.Params.Meta; m != nil && m.ProgressToken != nil {
		p.token = m.ProgressToken
	}
	return p
}

// report sends progress done/total (total 0 = unknown) with a message.
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
	if err := p.srv.SendNotificationToClient(p.ctx, string(mcp.MethodNotificationProgress), params); err != nil {
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
