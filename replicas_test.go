package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client/anakintest"
	"github.com/scrapemcp/scrapemcp/tools"
)

// The README says what scales out: a job started on one replica is served
// by another for the API providers (the job lives at the provider and its
// id names it), and is not_found there for the local backend (the job
// lives in the process that started it), which is why local must be pinned.
func TestReplicas(t *testing.T) {
	pages := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><body><main><h1>%s</h1><p>Text.</p><a href="/a">a</a></main></body></html>`, r.URL.Path)
	}))
	defer pages.Close()
	anakin := anakintest.New(anakintest.WithKey("k")).Start(t)

	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		url   string
		found bool
	}{
		{"anakin", []string{"--provider", "anakin"}, map[string]string{"ANAKIN_API_KEY": "k", "ANAKIN_API_URL": anakin}, "https://docs.example/", true},
		{"local", []string{"--provider", "local", "--allow-hosts", "127.0.0.1"}, nil, pages.URL + "/", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := replica(t, c.args, c.env), replica(t, c.args, c.env)
			res := callOn(t, a, "crawl", map[string]any{"url": c.url, "max_pages": 2, "wait_s": 0})
			id, _ := res["job_id"].(string)
			if !strings.HasPrefix(id, c.name+":crawl:") {
				t.Fatalf("crawl on replica A: %v", res)
			}
			st := callOn(t, b, "job_status", map[string]any{"job_id": id})
			g, _ := st["guidance"].(map[string]any)
			action, _ := g["action"].(string)
			if c.found && (st["job_id"] != id || st["error"] != nil) {
				t.Errorf("job_status on replica B: %v", st)
			}
			if !c.found && action != "not_found" {
				t.Errorf("local job on replica B: want not_found, got %v", st)
			}
		})
	}
}

func replica(t *testing.T, args []string, env map[string]string) *mcpclient.Client {
	t.Helper()
	inv, err := parseArgs(args, getenv(env))
	if err != nil || inv.cfgErr != nil {
		t.Fatal(err, inv.cfgErr)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	prov, closeProv, err := newProvider(inv.cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeProv)
	s, err := newServer(inv.cfg, prov, tools.NewGate(0, tools.DefaultQueueWait), log)
	if err != nil {
		t.Fatal(err)
	}
	c, err := mcpclient.NewInProcessClient(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	return c
}

func callOn(t *testing.T, c *mcpclient.Client, tool string, args map[string]any) map[string]any {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = tool, args
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
