package tools

import (
	"context"
	"log/slog"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// progress sends notifications/progress for a request that carried a
// progressToken. Values only ever increase, as the spec requires.
type progress struct {
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
