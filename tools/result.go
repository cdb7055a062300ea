package tools

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/errmap"
)

// CostOut reports what a call spent, in the provider's unit.
type CostOut struct {
	Credits float64 `json:"credits" jsonschema:"description=Amount spent in unit."`
	Unit    string  `json:"unit" jsonschema:"description=credits (Anakin) or microcents (AlterLab)."`
}

func costOut(c client.Cost) *CostOut {
	if c.Credits == 0 && c.Unit == "" {
		return nil
	}
	return &CostOut{Credits: c.Credits, Unit: c.Unit}
}

// success builds a result whose structuredContent is v and whose text block
// says the same for hosts that only show text. Cost, when reported, is
// mirrored in _meta so hosts can account for it without parsing.
func success(v any, text string, cost *CostOut) *mcp.CallToolResult {
	r := mcp.NewToolResultStructured(v, text)
	if cost != nil {
		r.Meta = mcp.NewMetaFromMap(map[string]any{
			"scrapemcp/cost": map[string]any{"credits": cost.Credits, "unit": cost.Unit},
		})
	}
	return r
}

// report explains err with errmap.
func report(err *client.Error) errmap.Report {
	f := errmap.Failure{
		Provider:   err.Provider,
		Code:       err.Code,
		HTTPStatus: err.HTTPStatus,
		Message:    err.Message,
		RequestID:  err.RequestID,
		Field:      err.Field,
		RetryAfter: err.RetryAfter,
	}
	return errmap.Report{Error: f, Guidance: errmap.Explain(f)}
}

// failure is the isError result for err: structured error + guidance, and a
// text block that says the same in words.
func failure(err *client.Error) *mcp.CallToolResult {
	rep := report(err)
	r := mcp.NewToolResultStructured(rep, failureText(rep))
	r.IsError = true
	return r
}

func failureText(rep errmap.Report) string {
	var b strings.Builder
	e, g := rep.Error, rep.Guidance
	fmt.Fprintf(&b, "Error from %s", e.Provider)
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " [%s]", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "\nArgument: %s", e.Field)
	}
	fmt.Fprintf(&b, "\nNext step (%s): %s", g.Action, g.Hint)
	switch {
	case g.Retryable && g.RetryAfterS > 0:
		fmt.Fprintf(&b, "\nRetrying helps: yes, after %d s.", g.RetryAfterS)
	case g.Retryable:
		b.WriteString("\nRetrying helps: yes.")
	default:
		b.WriteString("\nRetrying the same call: will not help.")
	}
	if len(g.SuggestedArguments) > 0 {
		keys := make([]string, 0, len(g.SuggestedArguments))
		for k := range g.SuggestedArguments {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s=%v", k, g.SuggestedArguments[k])
		}
		fmt.Fprintf(&b, "\nSuggested arguments: %s", strings.Join(parts, ", "))
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, "\nRequest id: %s", e.RequestID)
	}
	return b.String()
}

// invalid is the fix_request failure for a bad argument, found before any
// API call is made (so no credits are spent on a request the API would reject).
func invalid(provider, field, format string, args ...any) *client.Error {
	return &client.Error{Provider: provider, Code: client.CodeInvalidArgument, Field: field, Message: fmt.Sprintf(format, args...)}
}

// guard makes sure nothing a handler does becomes a JSON-RPC -32603: mcp-go
// turns a returned error or a recovered panic into a protocol error the model
// never sees. Cancellation is the exception — the client asked to stop, so
// there is nobody to advise.
func guard(name string, log *slog.Logger, next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
		defer func() {
			if p := recover(); p != nil {
				res, err = failure(&client.Error{Provider: "scrapemcp", Code: "internal_error",
					Message: fmt.Sprintf("the %s tool crashed: %v", name, p)}), nil
				log.Error("tool panic", "tool", name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			}
		}()
		res, err = next(ctx, req)
		if err != nil {
			if errors.Is(err, context.Canceled) && ctx.Err() != nil {
				return nil, err
			}
			return failure(client.AsError("scrapemcp", err)), nil
		}
		if res == nil {
			return failure(&client.Error{Provider: "scrapemcp", Code: "internal_error", Message: "the " + name + " tool returned nothing"}), nil
		}
		return res, nil
	}
}
