package e2e

import (
	"bufio"
	"context"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/scrapemcp/scrapemcp/client/local/sitetest"
)

// SIGTERM with a crawl in flight, on the built binary: the crawl answers
// with its job id and the pages so far (done false), and the process exits
// 0 — on stdio and on streamable HTTP.
func TestSIGTERMAnswersTheCrawlInFlightAndExitsZero(t *testing.T) {
	gate := make(chan struct{}) // never opened: the crawl cannot finish
	t.Cleanup(func() { close(gate) })
	site := sitetest.New(t, sitetest.Options{Pages: 30, Gate: gate})
	args := []string{"--allow-hosts", "127.0.0.1", "--shutdown-timeout", "2s"}

	for _, name := range []string{"stdio", "http"} {
		t.Run(name, func(t *testing.T) {
			var (
				cmd *exec.Cmd
				tr  mcp.Transport
			)
			if name == "stdio" {
				cmd = exec.Command(binary, append([]string{"stdio"}, args...)...)
				cmd.Env = env()
				tr = &mcp.CommandTransport{Command: cmd}
			} else {
				cmd = exec.Command(binary, append([]string{"http", "--addr", "127.0.0.1:0"}, args...)...)
				cmd.Env = env()
				tr = &mcp.StreamableClientTransport{Endpoint: startAndAnnounce(t, cmd)}
			}
			pl := newProgressLog()
			cs := connect(t, tr, "2025-06-18", &mcp.ClientOptions{ProgressNotificationHandler: pl.handler})
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			go func() {
				select {
				case <-pl.first: // the crawl is running
				case <-ctx.Done():
					return
				}
				_ = cmd.Process.Signal(syscall.SIGTERM)
			}()
			p := &mcp.CallToolParams{Name: "crawl", Arguments: map[string]any{"url": site.URL() + "/", "max_pages": 30, "wait_s": 600}}
			p.SetProgressToken("crawl-shutdown")
			res, err := cs.CallTool(ctx, p)
			if err != nil {
				t.Fatalf("the crawl in flight got no answer: %v", err)
			}
			j := decodeJob(t, res)
			if j.JobID == "" || j.Done {
				t.Errorf("crawl answered job_id %q done %v; want a job id and done false", j.JobID, j.Done)
			}
			_ = cs.Close() // for stdio, CommandTransport waits for the process here
			if name == "http" {
				waitErr := make(chan error, 1)
				go func() { waitErr <- cmd.Wait() }()
				select {
				case <-waitErr:
				case <-time.After(30 * time.Second):
					t.Fatal("the server did not exit after SIGTERM")
				}
			}
			if cmd.ProcessState == nil {
				t.Fatal("the server process was not waited for")
			}
			if code := cmd.ProcessState.ExitCode(); code != 0 {
				t.Errorf("exit status %d after SIGTERM, want 0", code)
			}
		})
	}
}

// startAndAnnounce starts cmd (an sse or http server) and returns the
// endpoint URL from its startup log line.
func startAndAnnounce(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	urls := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`url=(http://\S+)`)
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if testing.Verbose() {
				t.Log("server:", sc.Text())
			}
			if m := re.FindStringSubmatch(sc.Text()); m != nil && !sent {
				urls <- strings.TrimSpace(m[1])
				sent = true
			}
		}
	}()
	select {
	case u := <-urls:
		return u
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not announce its address")
		return ""
	}
}
