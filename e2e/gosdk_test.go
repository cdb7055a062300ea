package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var allTools = []string{"scrape", "batch_scrape", "crawl", "job_status", "job_cancel", "map", "search", "extract", "sessions"}

type transportCase struct {
	name    string
	version string
	open    func(t *testing.T, args []string) mcp.Transport
}

// transports is the matrix every go-sdk test runs over: each transport with
// each protocol version it can speak ("" is the modern 2026-07-28 era,
// which go-sdk reaches through server/discover).
func transports() []transportCase {
	stdio := func(t *testing.T, args []string) mcp.Transport { return stdioTransport(args) }
	sse := func(t *testing.T, args []string) mcp.Transport {
		return &mcp.SSEClientTransport{Endpoint: serve(t, "sse", args)}
	}
	http := func(t *testing.T, args []string) mcp.Transport {
		return &mcp.StreamableClientTransport{Endpoint: serve(t, "http", args)}
	}
	var out []transportCase
	for _, v := range []string{"2025-06-18", "2025-11-25", ""} {
		out = append(out, transportCase{"stdio", v, stdio}, transportCase{"http", v, http})
	}
	for _, v := range []string{"2024-11-05", "2025-06-18", "2025-11-25"} {
		out = append(out, transportCase{"sse", v, sse})
	}
	return out
}

func (tc transportCase) label() string {
	v := tc.version
	if v == "" {
		v = "modern"
	}
	return tc.name + "/" + v
}

func structured(t *testing.T, r *mcp.CallToolResult) map[string]any {
	t.Helper()
	b, err := json.Marshal(r.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("structuredContent is not an object: %s", b)
	}
	return m
}

func text(r *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range r.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func guidanceAction(t *testing.T, r *mcp.CallToolResult) (action, field string) {
	t.Helper()
	m := structured(t, r)
	g, _ := m["guidance"].(map[string]any)
	e, _ := m["error"].(map[string]any)
	if g == nil || e == nil {
		t.Fatalf("error result lacks error/guidance: %v", m)
	}
	f, _ := e["field"].(string)
	return g["action"].(string), f
}

// The basic host journey on every transport: initialize, list the tools,
// scrape a page, and get fix_request guidance for a bad URL.
func TestGoSDKClientOnEveryTransport(t *testing.T) {
	web := site(t)
	for _, tc := range transports() {
		t.Run(tc.label(), func(t *testing.T) {
			cs := connect(t, tc.open(t, []string{"--allow-hosts", "127.0.0.1"}), tc.version, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if ir := cs.InitializeResult(); ir != nil && ir.ServerInfo != nil && ir.ServerInfo.Name != "scrapemcp" {
				t.Errorf("server name = %q", ir.ServerInfo.Name)
			}
			lt, err := cs.ListTools(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			for _, tool := range lt.Tools {
				names[tool.Name] = true
				if tool.OutputSchema == nil || tool.Description == "" || tool.Annotations == nil {
					t.Errorf("%s: missing output schema, description or annotations", tool.Name)
				}
			}
			for _, n := range allTools {
				if !names[n] {
					t.Errorf("tools/list lacks %s", n)
				}
			}

			res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "scrape", Arguments: map[string]any{"url": web.URL + "/"}})
			if err != nil {
				t.Fatal(err)
			}
			if res.IsError {
				t.Fatalf("scrape failed: %s", text(res))
			}
			sc := structured(t, res)
			if sc["title"] != "Loopback Article" {
				t.Errorf("title = %v", sc["title"])
			}
			md, _ := sc["markdown"].(string)
			for _, want := range []string{"quick brown fox", "## Section two", "| alpha", "[link to the docs](" + web.URL + "/docs)"} {
				if !strings.Contains(md, want) {
					t.Errorf("markdown lacks %q:\n%s", want, md)
				}
			}

			res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "scrape", Arguments: map[string]any{"url": "ftp://example.com/file"}})
			if err != nil {
				t.Fatalf("a bad URL must be a tool error, not a protocol error: %v", err)
			}
			if !res.IsError {
				t.Fatalf("ftp URL accepted: %s", text(res))
			}
			if action, field := guidanceAction(t, res); action != "fix_request" || field != "url" {
				t.Errorf("guidance = %s on %q, want fix_request on url", action, field)
			}
		})
	}
}

// Bad input never breaks the session: each is an isError result naming the
// argument, and the server keeps answering.
func TestBadInputIsGuidanceAndServerKeepsServing(t *testing.T) {
	cs := connect(t, stdioTransport(nil), "", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	huge := "https://example.com/" + strings.Repeat("a", 10<<20)
	cases := []struct {
		name  string
		args  map[string]any
		field string
	}{
		{"missing url", map[string]any{}, "url"},
		{"ftp scheme", map[string]any{"url": "ftp://example.com/"}, "url"},
		{"10 MB url", map[string]any{"url": huge}, "url"},
		{"unknown argument", map[string]any{"url": "https://example.com/", "colour": "blue"}, "colour"},
		{"wrong type", map[string]any{"url": "https://example.com/", "max_length": "lots"}, "max_length"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "scrape", Arguments: c.args})
			if err != nil {
				t.Fatalf("protocol error instead of a tool error: %v", err)
			}
			if !res.IsError {
				t.Fatalf("accepted: %s", text(res))
			}
			action, field := guidanceAction(t, res)
			if action != "fix_request" || field != c.field {
				t.Errorf("guidance %s on %q, want fix_request on %q", action, field, c.field)
			}
			if len(text(res)) > 10000 {
				t.Errorf("error text echoes the input: %d bytes", len(text(res)))
			}
		})
	}
	if _, err := cs.ListTools(ctx, nil); err != nil {
		t.Fatalf("server stopped answering: %v", err)
	}
}
