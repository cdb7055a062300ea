package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scrapemcp/scrapemcp/client"
)

// fakeProvider is an in-memory client.Provider whose pages and jobs tests
// script directly; it counts every call so tests can assert "no request".
type fakeProvider struct {
	name  string
	calls atomic.Int64

	mu        sync.Mutex
	page      func(url string) (*client.Page, error)
	job       *client.Job
	jobPolls  int
	finishAt  int // job completes on this poll (0 = never)
	cancelled []client.JobRef
	mapURLs   []string
	extract   json.RawMessage
}

func newFake() *fakeProvider {
	return &fakeProvider{name: "local", page: func(u string) (*client.Page, error) {
		return &client.Page{URL: u, FinalURL: u, StatusCode: 200, Title: "T", Markdown: "# T\n\nbody of " + u}, nil
	}}
}

func (f *fakeProvider) Name() string { return f.name }

func (f *fakeProvider) Scrape(ctx context.Context, r client.ScrapeRequest) (*client.Page, error) {
	f.calls.Add(1)
	return f.page(r.URL)
}

func (f *fakeProvider) BatchScrape(ctx context.Context, r client.BatchRequest) (*client.BatchResult, error) {
	f.calls.Add(1)
	out := &client.BatchResult{}
	for _, u := range r.URLs {
		p, err := f.page(u)
		item := client.BatchItem{URL: u, Page: p}
		if err != nil {
			item.Page, item.Err = nil, client.AsError(f.name, err)
		}
		out.Items = append(out.Items, item)
	}
	return out, nil
}

func (f *fakeProvider) StartCrawl(ctx context.Context, r client.CrawlRequest) (*client.Job, error) {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.job == nil {
		f.job = &client.Job{}
	}
	f.job.Ref = client.JobRef{Provider: f.name, Kind: client.KindCrawl, ID: "j1"}
	f.job.State = client.JobPending
	j := *f.job
	return &j, nil
}

func (f *fakeProvider) Job(ctx context.Context, ref client.JobRef) (*client.Job, error) {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.job == nil || ref != f.job.Ref {
		return nil, &client.Error{Provider: f.name, Code: client.CodeNotFound, Message: "no such job"}
	}
	f.jobPolls++
	j := *f.job
	n := len(j.Pages)
	if f.finishAt > 0 && f.jobPolls >= f.finishAt {
		j.State = client.JobCompleted
	} else {
		j.State = client.JobRunning
		// Reveal pages progressively so progress has something to count.
		if f.finishAt > 0 {
			n = n * f.jobPolls / f.finishAt
		} else {
			n = min(f.jobPolls, n)
		}
	}
	j.Pages = j.Pages[:n]
	j.Completed, j.Total = n, len(f.job.Pages)
	return &j, nil
}

func (f *fakeProvider) CancelJob(ctx context.Context, ref client.JobRef) (*client.Job, error) {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancelled = append(f.cancelled, ref)
	return &client.Job{Ref: ref, State: client.JobCancelled}, nil
}

func (f *fakeProvider) Map(ctx context.Context, r client.MapRequest) (*client.MapResult, error) {
	f.calls.Add(1)
	return &client.MapResult{URLs: f.mapURLs}, nil
}

func (f *fakeProvider) Search(ctx context.Context, r client.SearchRequest) (*client.SearchResult, error) {
	f.calls.Add(1)
	var hits []client.SearchHit
	for i := range r.Limit {
		hits = append(hits, client.SearchHit{URL: fmt.Sprintf("https://r%d.example/", i), Title: "r", Snippet: "s", Markdown: strings.Repeat("x", 10000)})
	}
	return &client.SearchResult{Hits: hits, Cost: client.Cost{Credits: 3, Unit: "credits"}}, nil
}

func (f *fakeProvider) Extract(ctx context.Context, r client.ExtractRequest) (*client.Extraction, error) {
	f.calls.Add(1)
	return &client.Extraction{URL: r.URL, JSON: f.extract}, nil
}

// harness is an MCP server over fake, reached through mcp-go's in-process
// client with output-schema validation on: every success must match its
// tool's outputSchema or the call fails.
type harness struct {
	t     *testing.T
	fake  *fakeProvider
	c     *mcpclient.Client
	mu    sync.Mutex
	notes []mcp.JSONRPCNotification
	deps  *Deps
}

func newHarness(t *testing.T, fake *fakeProvider, maxOutput int) *harness {
	t.Helper()
	return newHarnessDeps(t, fake, &Deps{Provider: fake, MaxOutput: maxOutput})
}

// newHarnessDeps is newHarness over d (its Provider may wrap fake), with
// test polling and crawl defaults filled in where d leaves them zero.
func newHarnessDeps(t *testing.T, fake *fakeProvider, d *Deps) *harness {
	t.Helper()
	if d.Poll.Start == 0 {
		d.Poll = client.PollSchedule{Start: time.Millisecond, Max: 5 * time.Millisecond, Factor: 1.5}
	}
	if d.CrawlWaitDefault == 0 {
		d.CrawlWaitDefault = 5 * time.Second
	}
	s := server.NewMCPServer("test", "1", server.WithToolCapabilities(false), server.WithOutputSchemaValidation())
	Register(s, Inventory(d), nil)
	c, err := mcpclient.NewInProcessClientWithOptions(s, mcpclient.WithProtocolVersion(mcp.LATEST_LEGACY_PROTOCOL_VERSION))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, fake: fake, c: c, deps: d}
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		h.mu.Lock()
		h.notes = append(h.notes, n)
		h.mu.Unlock()
	})
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return h
}

func (h *harness) call(ctx context.Context, tool string, args map[string]any) *mcp.CallToolResult {
	h.t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = args
	req.Params.Meta = &mcp.Meta{ProgressToken: "tok"}
	res, err := h.c.CallTool(ctx, req)
	if err != nil {
		h.t.Fatalf("%s: protocol error: %v", tool, err)
	}
	return res
}

// out decodes a successful result's structuredContent into v.
func (h *harness) out(res *mcp.CallToolResult, v any) {
	h.t.Helper()
	if res.IsError {
		h.t.Fatalf("tool failed: %s", resultText(res))
	}
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, v); err != nil {
		h.t.Fatalf("structuredContent: %v", err)
	}
}

func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if t, ok := c.(mcp.TextContent); ok {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

// guidanceOf returns the action and field of an error result.
func guidanceOf(t *testing.T, res *mcp.CallToolResult) (action, field, code string) {
	t.Helper()
	if !res.IsError {
		t.Fatalf("want an error result, got: %s", resultText(res))
	}
	b, _ := json.Marshal(res.StructuredContent)
	var rep struct {
		Error struct {
			Code  string `json:"code"`
			Field string `json:"field"`
		} `json:"error"`
		Guidance struct {
			Action string `json:"action"`
		} `json:"guidance"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return rep.Guidance.Action, rep.Error.Field, rep.Error.Code
}

func callRaw(h *harness, ctx context.Context, tool string, args map[string]any) (*mcp.CallToolResult, error) {
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = args
	return h.c.CallTool(ctx, req)
}
