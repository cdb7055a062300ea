package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"slices"
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

// failure is the isError result for err: structured error + guidance, and a
// text block that says the same in words. err goes to errmap as the client
// returned it, details and all.
func failure(err *client.Error) *mcp.CallToolResult {
	return reportResult(errmap.Explained(err))
}

func reportResult(rep errmap.Report) *mcp.CallToolResult {
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
	if d := detailsText(e.Details); d != "" {
		fmt.Fprintf(&b, "\nDetails: %s", d)
	}
	fmt.Fprintf(&b, "\nNext step (%s): %s", g.Action, g.Hint)
	switch {
	case g.Retryable && g.RetryAfterS > 0:
		fmt.Fprintf(&b, "\nRetrying helps: yes, after %d s.", g.RetryAfterS)
	case g.Retryable:
		b.WriteString("\nRetrying helps: yes.")
	case g.RetryAfterS > 0:
		fmt.Fprintf(&b, "\nRetrying the same call: will not help; take the next step after %d s.", g.RetryAfterS)
	default:
		b.WriteString("\nRetrying the same call: will not help.")
	}
	if len(g.SuggestedArguments) > 0 {
		parts := make([]string, 0, len(g.SuggestedArguments))
		for _, k := range slices.Sorted(maps.Keys(g.SuggestedArguments)) {
			parts = append(parts, fmt.Sprintf("%s=%v", k, g.SuggestedArguments[k]))
		}
		fmt.Fprintf(&b, "\nSuggested arguments: %s", strings.Join(parts, ", "))
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, "\nRequest id: %s", e.RequestID)
	}
	return b.String()
}

// maxDetailsText bounds the details line of an error's text block.
const maxDetailsText = 1000

// detailsText renders details as "key=value, …" in key order, nested values
// as JSON, so the text block says what structuredContent.error.details says.
func detailsText(d map[string]any) string {
	parts := make([]string, 0, len(d))
	for _, k := range slices.Sorted(maps.Keys(d)) {
		v := d[k]
		var s string
		switch v.(type) {
		case string, float64, int, bool:
			s = fmt.Sprint(v)
		default:
			j, err := json.Marshal(v)
			if err != nil {
				j = []byte(fmt.Sprint(v))
			}
			s = string(j)
		}
		parts = append(parts, k+"="+s)
	}
	return clip(strings.Join(parts, ", "), maxDetailsText)
}

// guided is a successful result that carries per-item guidance (a batch's
// failed URLs, a job's failed pages).
type guided interface{ guidance() []*errmap.Guidance }

func (r BatchScrapeResult) guidance() (out []*errmap.Guidance) {
	for _, it := range r.Items {
		if it.Guidance != nil {
			out = append(out, it.Guidance)
		}
	}
	return out
}

func (r ExtractResult) guidance() (out []*errmap.Guidance) {
	for _, it := range r.Items {
		if it.Guidance != nil {
			out = append(out, it.Guidance)
		}
	}
	return out
}

func (r JobResult) guidance() (out []*errmap.Guidance) {
	if r.Guidance != nil {
		out = append(out, r.Guidance)
	}
	for i := range r.Failures {
		out = append(out, &r.Failures[i].Guidance)
	}
	return out
}

// followable keeps guidance followable: every key of suggested_arguments
// must be an argument of the tool that answered (inputs: its input schema's
// properties). errmap suggests by cause (use_browser for a blocked page),
// not by tool, so a tool that does not take a suggested argument (map takes
// no use_browser) drops it here, in one place for every tool and every
// nested item.
func followable(inputs map[string]bool, next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		res, err := next(ctx, req)
		if res == nil {
			return res, err
		}
		switch v := res.StructuredContent.(type) {
		case errmap.Report:
			if keepInputs(&v.Guidance, inputs) {
				res = reportResult(v)
			}
		case guided:
			for _, g := range v.guidance() {
				keepInputs(g, inputs)
			}
		}
		return res, err
	}
}

// keepInputs drops suggested arguments that are not in inputs and reports
// whether it dropped any.
func keepInputs(g *errmap.Guidance, inputs map[string]bool) bool {
	dropped := false
	for k := range g.SuggestedArguments {
		if !inputs[k] {
			delete(g.SuggestedArguments, k)
			dropped = true
		}
	}
	return dropped
}

// inputNames lists the properties of an input schema.
func inputNames(schema json.RawMessage) map[string]bool {
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal(schema, &s)
	out := make(map[string]bool, len(s.Properties))
	for k := range s.Properties {
		out[k] = true
	}
	return out
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
				res, err = failure(&client.Error{Provider: "scrapemcp", Code: client.CodeInternal,
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
			return failure(&client.Error{Provider: "scrapemcp", Code: client.CodeInternal, Message: "the " + name + " tool returned nothing"}), nil
		}
		return res, nil
	}
}
