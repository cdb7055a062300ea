package tools

import (
	"encoding/json"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// FuzzToolArguments feeds arbitrary JSON arguments to every tool's decoding
// and validation: whatever a model sends, the answer is a result (success or
// fix_request), never a panic.
func FuzzToolArguments(f *testing.F) {
	for _, seed := range []string{
		`{}`, `null`, `[]`, `"x"`, `{"url":"https://example.com/"}`, `{"url":123}`,
		`{"url":"https://example.com/","formats":["json"],"json_schema":{"type":"object"}}`,
		`{"urls":["https://a.example/","ftp://b"],"max_length":5}`, `{"url":"http://[::1]:0/","start_index":-1}`,
		`{"job_id":"local:crawl:x","cursor":"9:-1"}`, `{"query":"","limit":99}`, `{"url":"https://e.example/","wait_s":-3,"max_depth":9}`,
		`{"json_schema":{"type":"nonsense","$ref":"http://evil/"},"urls":["https://e.example/"]}`,
	} {
		f.Add(seed)
	}
	fake := newFake()
	tools := Inventory(&Deps{Provider: fake})
	f.Fuzz(func(t *testing.T, raw string) {
		var args any
		if json.Unmarshal([]byte(raw), &args) != nil {
			return
		}
		for _, tool := range tools {
			req := mcp.CallToolRequest{}
			req.Params.Name = tool.Name
			req.Params.Arguments = args
			switch tool.Name {
			case "scrape":
				var a ScrapeArgs
				if bind("local", req, &a) == nil {
					_, _, _ = a.request("local", 1000)
				}
			case "batch_scrape":
				var a BatchScrapeArgs
				if bind("local", req, &a) == nil {
					_, _, _ = a.request("local", 1000)
				}
			case "crawl":
				var a CrawlArgs
				if bind("local", req, &a) == nil {
					_, _, _, _ = a.request("local", 1000, 0)
				}
			case "extract":
				var a ExtractArgs
				if bind("local", req, &a) == nil {
					_, _ = a.requests("local")
				}
			case "job_status":
				var a JobStatusArgs
				if bind("local", req, &a) == nil {
					_, _ = parseCursor("local", a.Cursor)
				}
			}
		}
	})
}
