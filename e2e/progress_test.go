package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/scrapemcp/scrapemcp/client/local/sitetest"
)

// progressLog records progress values that arrive for a token.
type progressLog struct {
	mu     sync.Mutex
	values []float64
	first  chan struct{}
	once   sync.Once
}

func newProgressLog() *progressLog { return &progressLog{first: make(chan struct{})} }

func (p *progressLog) handler(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
	p.mu.Lock()
	p.values = append(p.values, r.Params.Progress)
	p.mu.Unlock()
	p.once.Do(func() { close(p.first) })
}

func (p *progressLog) snapshot() []float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]float64(nil), p.values...)
}

// Progress arrives while a crawl runs and only ever increases. That none
// follows its result is checked on the wire in transport/progress_test.go:
// go-sdk hands notifications to a queue of its own, so a client-side check
// here could not tell late from slow.
func TestCrawlProgressOnEveryTransport(t *testing.T) {
	site := sitetest.New(t, sitetest.Options{Pages: 12})
	for _, tc := range transports() {
		if tc.version == "" && tc.name == "stdio" {
			continue // one modern-era run (http) is enough for this slower test
		}
		t.Run(tc.label(), func(t *testing.T) {
			pl := newProgressLog()
			cs := connect(t, tc.open(t, []string{"--allow-hosts", "127.0.0.1", "--host-rate", "100"}), tc.version,
				&mcp.ClientOptions{ProgressNotificationHandler: pl.handler})
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			p := &mcp.CallToolParams{Name: "crawl", Arguments: map[string]any{"url": site.URL() + "/", "max_pages": 12, "wait_s": 60}}
			p.SetProgressToken("crawl-1")
			res, err := cs.CallTool(ctx, p)
			if err != nil || res.IsError {
				t.Fatalf("crawl: %v %s", err, text(res))
			}
			vals := pl.snapshot()
			if len(vals) == 0 {
				t.Fatal("no progress notification arrived")
			}
			for i := 1; i < len(vals); i++ {
				if vals[i] <= vals[i-1] {
					t.Errorf("progress went from %v to %v", vals[i-1], vals[i])
				}
			}
		})
	}
}

// Cancelling the call (go-sdk sends notifications/cancelled) ends it, and
// the server keeps serving.
func TestCancelledCrawlEndsAndServerKeepsServing(t *testing.T) {
	gate := make(chan struct{}) // never opened: the crawl cannot finish
	t.Cleanup(func() { close(gate) })
	site := sitetest.New(t, sitetest.Options{Pages: 30, Gate: gate})
	all := transports()
	for _, tc := range []transportCase{all[0], all[1], all[len(all)-1]} { // stdio, http, sse
		t.Run(tc.label(), func(t *testing.T) {
			pl := newProgressLog()
			cs := connect(t, tc.open(t, []string{"--allow-hosts", "127.0.0.1"}), tc.version,
				&mcp.ClientOptions{ProgressNotificationHandler: pl.handler})
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				select {
				case <-pl.first:
				case <-time.After(30 * time.Second):
				}
				cancel()
			}()
			p := &mcp.CallToolParams{Name: "crawl", Arguments: map[string]any{"url": site.URL() + "/", "max_pages": 30, "wait_s": 600}}
			p.SetProgressToken("crawl-cancel")
			if _, err := cs.CallTool(ctx, p); err == nil {
				t.Fatal("a cancelled crawl returned a result")
			}
			check, done := context.WithTimeout(context.Background(), 20*time.Second)
			defer done()
			if _, err := cs.ListTools(check, nil); err != nil {
				t.Fatalf("server stopped answering after a cancel: %v", err)
			}
		})
	}
}

// In the legacy era a client sets the log level; the server accepts it.
func TestLoggingLevelIsAccepted(t *testing.T) {
	cs := connect(t, stdioTransport(nil), "2025-06-18", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := cs.SetLoggingLevel(ctx, &mcp.SetLoggingLevelParams{Level: "debug"}); err != nil {
		t.Fatal(err)
	}
}
