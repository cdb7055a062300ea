// Package bench measures scrapemcp against baselines taken in the same run.
// It reports ratios, never asserts on time: run with
//
//	go test -bench . -benchtime 5x ./bench
package bench

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/tools"
)

// slowProvider answers every scrape after a fixed network-like wait.
type slowProvider struct {
	client.Provider
	wait time.Duration
}

func (p slowProvider) Name() string { return "local" }

func (p slowProvider) Scrape(ctx context.Context, r client.ScrapeRequest) (*client.Page, error) {
	select {
	case <-time.After(p.wait):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &client.Page{URL: r.URL, Markdown: "# ok"}, nil
}

// stdioSession starts the tools on a stdio server with the given worker
// pool, connected to an mcp-go client over pipes.
func stdioSession(b *testing.B, workers int) *mcpclient.Client {
	s := server.NewMCPServer("bench", "1", server.WithToolCapabilities(false))
	tools.Register(s, tools.Inventory(&tools.Deps{Provider: slowProvider{wait: 50 * time.Millisecond}}), nil)
	c2sR, c2sW := io.Pipe()
	s2cR, s2cW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	ss := server.NewStdioServer(s)
	server.WithWorkerPoolSize(workers)(ss)
	go func() { _ = ss.Listen(ctx, c2sR, s2cW) }()
	tr := transport.NewIO(s2cR, c2sW, io.NopCloser(nil))
	c := mcpclient.NewClient(tr)
	if err := c.Start(ctx); err != nil {
		b.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	if _, err := c.Initialize(ctx, init); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cancel(); c.Close(); c2sW.Close(); s2cW.Close() })
	return c
}

// burst makes n concurrent scrape calls and returns how long they took.
func burst(b *testing.B, c *mcpclient.Client, n int) time.Duration {
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req := mcp.CallToolRequest{}
			req.Params.Name = "scrape"
			req.Params.Arguments = map[string]any{"url": fmt.Sprintf("https://e%d.example/", i)}
			if res, err := c.CallTool(context.Background(), req); err != nil || res.IsError {
				b.Errorf("call %d failed: %v", i, err)
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// BenchmarkStdioConcurrentCalls compares 16 concurrent 50 ms calls on the
// worker pool scrapemcp configures (32) against mcp-go's default (5).
// speedup = baseline time / scrapemcp time.
func BenchmarkStdioConcurrentCalls(b *testing.B) {
	const calls = 16
	base := stdioSession(b, 5)
	ours := stdioSession(b, 32)
	var tBase, tOurs time.Duration
	for b.Loop() {
		tBase += burst(b, base, calls)
		tOurs += burst(b, ours, calls)
	}
	b.ReportMetric(float64(tBase)/float64(tOurs), "speedup")
	b.ReportMetric(float64(tOurs.Milliseconds())/float64(b.N), "ms/burst")
}
