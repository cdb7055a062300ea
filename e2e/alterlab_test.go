package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
)

const alterlabSecret = "sk_live_e2eSECRETkey0123456789abcdef"

func alterlabEnv(t *testing.T, fake *alterlabtest.Server) []string {
	return []string{"ALTERLAB_API_URL=" + fake.Start(t), "ALTERLAB_API_KEY=" + alterlabSecret}
}

func TestCallAgainstAlterLabOutOfCreditsSaysTopUp(t *testing.T) {
	fake := alterlabtest.New(alterlabtest.WithKey(alterlabSecret))
	out, errs, code := runCall(t, alterlabEnv(t, fake), "--log-level", "debug", "call", "scrape", `{"url":"https://example.com/?fake=insufficient_credits"}`)
	if code == 0 {
		t.Fatalf("exit 0 for a 402:\n%s", out)
	}
	if !strings.Contains(out, "top_up_credits") || !strings.Contains(out, "INSUFFICIENT_CREDITS") {
		t.Errorf("no top_up_credits guidance:\n%s", out)
	}
	if strings.Contains(out+errs, alterlabSecret) {
		t.Errorf("the API key leaked into output or logs")
	}
}

// The paywall is the site's, not our account's: the code decides, not the 402.
func TestAlterLabPaywallIsNotACreditsProblem(t *testing.T) {
	fake := alterlabtest.New(alterlabtest.WithKey(alterlabSecret))
	out, _, code := runCall(t, alterlabEnv(t, fake), "call", "scrape", `{"url":"https://news.example/?fake=paywall"}`)
	if code == 0 || !strings.Contains(out, "not_accessible") || strings.Contains(out, "top_up_credits") {
		t.Errorf("paywall guidance:\n%s", out)
	}
}

func TestEveryToolOnAlterLabThroughGoSDK(t *testing.T) {
	fake := alterlabtest.New(alterlabtest.WithKey(alterlabSecret))
	cs := connect(t, stdioTransport(nil, alterlabEnv(t, fake)...), "2025-11-25", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	calls := []struct {
		tool    string
		args    map[string]any
		wantErr string
	}{
		{"scrape", map[string]any{"url": "https://example.com/a"}, ""},
		{"scrape", map[string]any{"url": "https://example.com/?fake=antibot"}, "change_strategy"},
		{"scrape", map[string]any{"url": "https://example.com/?fake=session_limit"}, "resolve_conflict"},
		{"batch_scrape", map[string]any{"urls": []any{"https://example.com/1", "https://example.com/2?fake=blocked"}}, ""},
		{"crawl", map[string]any{"url": "https://example.com/", "max_pages": 5, "wait_s": 20}, ""},
		{"map", map[string]any{"url": "https://example.com/", "limit": 20}, ""},
		{"search", map[string]any{"query": "golang mcp", "limit": 3}, ""},
		{"extract", map[string]any{"urls": []any{"https://example.com/p"}, "json_schema": map[string]any{"type": "object"}}, ""},
		{"job_status", map[string]any{"job_id": "anakin:crawl:abc"}, "change_strategy"},
	}
	for _, c := range calls {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
		if err != nil {
			t.Fatalf("%s: protocol error %v", c.tool, err)
		}
		if c.wantErr == "" {
			if res.IsError {
				t.Errorf("%s %v failed: %s", c.tool, c.args, text(res))
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
	// A started crawl can be cancelled upstream through job_cancel.
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "crawl", Arguments: map[string]any{"url": "https://example.com/?fake=pending", "wait_s": 0}})
	if err != nil || res.IsError {
		t.Fatalf("crawl: %v %s", err, text(res))
	}
	id, _ := structured(t, res)["job_id"].(string)
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "job_cancel", Arguments: map[string]any{"job_id": id}})
	if err != nil || res.IsError {
		t.Fatalf("job_cancel: %v %s", err, text(res))
	}
	if len(fake.Cancels()) != 1 {
		t.Errorf("upstream cancels: %v", fake.Cancels())
	}
}
