// Package tools defines the MCP tools scrapemcp exposes: their arguments and
// results (which are also their JSON Schemas), annotations, descriptions and
// thin handlers over a client.Provider. Every failure becomes an isError
// result carrying errmap guidance.
package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/errmap"
)

// Deps is what the handlers need. One Deps serves every tool.
type Deps struct {
	Provider client.Provider
	// MaxOutput is the default max_length, in characters, of any result.
	MaxOutput int
	Logger    *slog.Logger
	// Poll is the job polling schedule; zero → client.DefaultPollSchedule.
	Poll client.PollSchedule
	// CrawlWaitDefault is how long crawl waits when wait_s is absent.
	CrawlWaitDefault time.Duration
	// Gate bounds concurrent calls and drains them at shutdown; nil → a
	// gate of DefaultMaxConcurrent slots. Share one between every transport
	// so the bound is per process, and call its Drain at shutdown.
	Gate *Gate

	cache *resultCache
}

// DefaultMaxOutput bounds every result unless --max-output says otherwise:
// large enough for a typical article, small enough for any context window.
const DefaultMaxOutput = 20000

// Tool is one entry of the inventory.
type Tool struct {
	Name string
	// Mutating tools are dropped by --read-only.
	Mutating bool
	Input    any // zero value of the argument type
	Output   any // zero value of the structured result type
	Def      mcp.Tool
	Handler  server.ToolHandlerFunc

	gate *Gate // set by Inventory, so Register gates every tool of one Deps alike
}

// Inventory returns every tool, in the order they are listed to clients.
func Inventory(d *Deps) []Tool {
	d.init()
	all := []Tool{
		scrapeTool(d),
		batchScrapeTool(d),
		crawlTool(d),
		jobStatusTool(d),
		jobCancelTool(d),
		mapTool(d),
		searchTool(d),
		extractTool(d),
		sessionsTool(d),
	}
	for i := range all {
		all[i].gate = d.Gate
	}
	return all
}

func (d *Deps) init() {
	if d.MaxOutput <= 0 {
		d.MaxOutput = DefaultMaxOutput
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Poll.Start == 0 {
		d.Poll = client.DefaultPollSchedule
	}
	if d.CrawlWaitDefault == 0 {
		d.CrawlWaitDefault = 50 * time.Second
	}
	if d.Gate == nil {
		d.Gate = NewGate(DefaultMaxConcurrent(), DefaultQueueWait)
	}
	if d.cache == nil {
		d.cache = newResultCache(64, 64<<20, 10*time.Minute)
	}
}

// Select filters the inventory by --tools (names; empty = all) and
// --read-only. Unknown names are an error so a typo does not silently expose
// nothing.
func Select(all []Tool, names []string, readOnly bool) ([]Tool, error) {
	known := make(map[string]bool, len(all))
	for _, t := range all {
		known[t.Name] = true
	}
	for _, n := range names {
		if !known[n] {
			return nil, fmt.Errorf("unknown tool %q in --tools (known: %s)", n, strings.Join(slices.Sorted(mapKeys(known)), ", "))
		}
	}
	var out []Tool
	for _, t := range all {
		if len(names) > 0 && !slices.Contains(names, t.Name) {
			continue
		}
		if readOnly && t.Mutating {
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Register adds tools to s, each wrapped so that a panic or a Go error still
// reaches the agent as an isError result with guidance, its progress stops
// when it returns, and — for tools from Inventory — it runs within its
// Deps' Gate.
func Register(s *server.MCPServer, tools []Tool, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for _, t := range tools {
		// The gate is outermost so a call's slot covers the progress flush
		// too: Drain then waits until every answer is ready to be written.
		h := scoped(guard(t.Name, log, followable(inputNames(t.Def.RawInputSchema), t.Handler)))
		if t.gate != nil {
			h = t.gate.wrap(h)
		}
		s.AddTool(t.Def, h)
	}
}

// annotations are always set in full: mcp-go's defaults are the pessimistic
// spec defaults (destructive, not read-only), which would make hosts ask for
// confirmation on every scrape.
type annotations struct {
	readOnly, destructive, idempotent, openWorld bool
	// mutating tools are dropped by --read-only.
	mutating bool
}

// define states a tool once: its name, argument and result types (which
// are its schemas), title, description and annotations, and a handler that
// receives the arguments already bound. Binding is strict: an unknown or
// mistyped argument is fix_request naming it, and the handler never runs.
func define[In, Out any](d *Deps, name, title, description string, a annotations,
	handle func(ctx context.Context, req mcp.CallToolRequest, in In) (*mcp.CallToolResult, error)) Tool {
	var in In
	var out Out
	return Tool{Name: name, Mutating: a.mutating, Input: in, Output: out, Def: newTool(name, title, description, in, out, a),
		Handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			var args In
			if err := bind(d.Provider.Name(), req, &args); err != nil {
				return failure(err), nil
			}
			return handle(ctx, req, args)
		}}
}

func newTool(name, title, description string, in, out any, a annotations) mcp.Tool {
	return mcp.Tool{
		Name:            name,
		Title:           title,
		Description:     description,
		RawInputSchema:  pregenerated(name+".input", func() json.RawMessage { return Schema(in) }),
		RawOutputSchema: pregenerated(name+".output", func() json.RawMessage { return OutputSchema(out) }),
		Annotations: mcp.ToolAnnotation{
			Title:           title,
			ReadOnlyHint:    &a.readOnly,
			DestructiveHint: &a.destructive,
			IdempotentHint:  &a.idempotent,
			OpenWorldHint:   &a.openWorld,
		},
	}
}

// Schema is the JSON Schema of v's type in the portable dialect MCP hosts
// accept: everything inline (no $ref/$defs), no $schema, root type object.
// Fields without omitempty are required.
func Schema(v any) json.RawMessage {
	return reflectSchema(&jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true}, v)
}

// OutputSchema is Schema for a result type, with nothing required at the
// top level: clients (the TypeScript SDK, the Inspector) validate the
// structuredContent of error results against it too, and an error result
// carries only "error" and "guidance" (see ErrorFields).
func OutputSchema(v any) json.RawMessage {
	raw := Schema(v)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		panic(fmt.Sprintf("output schema for %T: %v", v, err))
	}
	delete(m, "required")
	out, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("output schema for %T: %v", v, err))
	}
	return out
}

// ErrorFields is embedded in every result type so its output schema
// declares the two fields of an error result. Successful results leave them
// empty.
type ErrorFields struct {
	Error    *errmap.Error    `json:"error,omitempty" jsonschema:"description=Only on error results (isError true): what went wrong."`
	Guidance *errmap.Guidance `json:"guidance,omitempty" jsonschema:"description=Only on error results (isError true): what to do next."`
}

func reflectSchema(r *jsonschema.Reflector, v any) json.RawMessage {
	s := r.ReflectFromType(reflect.TypeOf(v))
	s.Version = ""
	s.ID = ""
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("schema for %T: %v", v, err)) // a programming error, caught by tests
	}
	return b
}
