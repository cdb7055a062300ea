package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/scrapemcp/scrapemcp/client/anakintest"
)

// secretKey looks like a real key so that any leak is unmistakable.
const secretKey = "ak-e2eSECRETkey0123456789abcdef"

func anakinEnv(t *testing.T, fake *anakintest.Server) []string {
	return []string{"ANAKIN_API_URL=" + fake.Start(t), "ANAKIN_API_KEY=" + secretKey}
}

func TestCallAgainstAnakinOutOfCreditsSaysTopUp(t *testing.T) {
	fake := anakintest.New(anakintest.WithKey(secretKey))
	out, errs, code := runCall(t, anakinEnv(t, fake), "call", "scrape", `{"url":"https://example.com/?fake=insufficient_credits"}`)
	if code == 0 {
		t.Fatalf("exit 0 for a 402:\n%s", out)
	}
	if !strings.Contains(out, "top_up_credits") || !strings.Contains(out, "insufficient_credits") {
		t.Errorf("no top_up_credits guidance:\n%s", out)
	}
	if n := fake.Count(anakintest.RouteScrape); n != 1 {
		t.Errorf("a 402 was submitted %d times", n)
	}
	if strings.Contains(out+errs, secretKey) {
		t.Errorf("the API key leaked into output")
	}
}

// A crawl through the real binary against the fake Anakin API prints
// progress on stderr and a bounded result whose job_id pages on.
func TestCallCrawlOnAnakinShowsProgressAndPagesOn(t *testing.T) {
	fake := anakintest.New(anakintest.WithKey(secretKey))
	env := anakinEnv(t, fake)
	out, errs, code := runCall(t, env, "--max-output", "3000", "call", "crawl", `{"url":"https://docs.example/?fake=polls:3","max_pages":40,"wait_s":30}`)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "progress:") {
		t.Errorf("no progress on stderr:\n%s", errs)
	}
	if !strings.Contains(out, "anakin:crawl:") || !strings.Contains(out, "job_status") {
		t.Errorf("result lacks a job id to page on:\n%s", out)
	}
	if strings.Contains(out+errs, secretKey) {
		t.Errorf("the API key leaked into output")
	}
}

// Every tool reached through the go-sdk over stdio, on the Anakin fake:
// successes carry structuredContent, failures carry guidance.
func TestEveryToolOnAnakinThroughGoSDK(t *testing.T) {
	fake := anakintest.New(anakintest.WithKey(secretKey))
	cs := connect(t, stdioTransport(nil, anakinEnv(t, fake)...), "2025-11-25", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	calls := []struct {
		tool    string
		args    map[string]any
		wantErr string // guidance action, or "" for success
	}{
		{"scrape", map[string]any{"url": "https://example.com/a"}, ""},
		{"scrape", map[string]any{"url": "https://example.com/?fake=blocked"}, "change_strategy"},
		{"scrape", map[string]any{"url": "https://example.com/?fake=unauthorized"}, "check_api_key"},
		{"batch_scrape", map[string]any{"urls": []any{"https://example.com/1", "https://example.com/2?fake=blocked"}}, ""},
		{"crawl", map[string]any{"url": "https://example.com/", "max_pages": 5, "wait_s": 20}, ""},
		{"map", map[string]any{"url": "https://example.com/", "limit": 20}, ""},
		{"search", map[string]any{"query": "golang mcp", "limit": 3}, ""},
		{"extract", map[string]any{"urls": []any{"https://example.com/p"}, "prompt": "the title"}, ""},
		{"job_cancel", map[string]any{"job_id": "anakin:crawl:abc"}, "change_strategy"},
		{"job_status", map[string]any{"job_id": "alterlab:crawl:abc"}, "change_strategy"},
	}
	for _, c := range calls {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
		if err != nil {
			t.Fatalf("%s: protocol error %v", c.tool, err)
		}
		if c.wantErr == "" {
			if res.IsError {
				t.Errorf("%s %v failed: %s", c.tool, c.args, text(res))
			} else if res.StructuredContent == nil {
				t.Errorf("%s: no structuredContent", c.tool)
			}
			continue
		}
		if !res.IsError {
			t.Errorf("%s %v succeeded, want %s", c.tool, c.args, c.wantErr)
			continue
		}
		if action, _ := guidanceAction(t, res); action != c.wantErr {
			t.Errorf("%s %v: action %s, want %s", c.tool, c.args, action, c.wantErr)
		}
	}
}
