package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/scrapemcp/scrapemcp/client/local/sitetest"
)

type jobPage struct {
	URL      string `json:"url"`
	Markdown string `json:"markdown"`
	Offset   int    `json:"offset"`
	Complete bool   `json:"complete"`
}

type jobOut struct {
	JobID      string    `json:"job_id"`
	Done       bool      `json:"done"`
	Pages      []jobPage `json:"pages"`
	Truncated  bool      `json:"truncated"`
	NextCursor string    `json:"next_cursor"`
}

func decodeJob(t *testing.T, r *mcp.CallToolResult) jobOut {
	t.Helper()
	if r.IsError {
		t.Fatalf("tool failed: %s", text(r))
	}
	b, _ := json.Marshal(r.StructuredContent)
	var j jobOut
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	return j
}

// A local crawl of a generated site with max_pages 50 yields 50 distinct
// pages, none of them disallowed by robots.txt, and reading them through
// job_status reassembles every page.
func TestLocalCrawlOf50PagesObeysRobots(t *testing.T) {
	site := sitetest.New(t, sitetest.Options{Pages: 300})
	cs := connect(t, stdioTransport([]string{"--allow-hosts", "127.0.0.1", "--host-rate", "100"}), "2025-11-25", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "crawl", Arguments: map[string]any{
		"url": site.URL() + "/", "max_pages": 50, "max_depth": 5, "wait_s": 90, "max_length": 5000,
	}})
	if err != nil {
		t.Fatal(err)
	}
	j := decodeJob(t, res)
	if !j.Done {
		t.Fatalf("crawl not done within wait_s")
	}
	seen := map[string]bool{}
	for {
		for _, p := range j.Pages {
			seen[p.URL] = true
		}
		if !j.Truncated {
			break
		}
		res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "job_status", Arguments: map[string]any{"job_id": j.JobID, "cursor": j.NextCursor, "max_length": 5000}})
		if err != nil {
			t.Fatal(err)
		}
		j = decodeJob(t, res)
	}
	if len(seen) != 50 {
		t.Errorf("got %d distinct pages, want 50", len(seen))
	}
	for _, r := range site.Requests() {
		if strings.HasPrefix(r.Path, "/private") {
			t.Errorf("fetched %s, which robots.txt disallows", r.URI())
		}
	}
}
