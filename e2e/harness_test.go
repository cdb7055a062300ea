// Package e2e drives the real scrapemcp binary with independent MCP clients
// (the official go-sdk here; the TypeScript SDK, Inspector and conformance
// suite under test/node) against loopback sites and fake provider APIs.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "scrapemcp-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "scrapemcp")
	build := exec.Command("go", "build", "-race", "-o", binary, "github.com/scrapemcp/scrapemcp")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building scrapemcp:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// env is a clean environment for the server: no provider keys leak in from
// the developer's shell, so the local backend is used unless a test says so.
func env(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ANAKIN_") || strings.HasPrefix(kv, "ALTERLAB_") || strings.HasPrefix(kv, "SCRAPEMCP_") {
			continue
		}
		out = append(out, kv)
	}
	return append(out, extra...)
}

// site is a small loopback website for the local backend to fetch.
func site(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>Loopback Article</title></head><body>
<nav><a href="/a">Nav</a></nav>
<article><h1>Loopback Article</h1>
<p>The quick brown fox jumps over the lazy dog. This paragraph is long enough for readability to treat the article as the main content of the page, which it is.</p>
<h2>Section two</h2>
<p>Another paragraph with a <a href="/docs">link to the docs</a> and more words so that the content scores well in the extraction heuristics used by readability.</p>
<table><tr><th>Name</th><th>Value</th></tr><tr><td>alpha</td><td>1</td></tr></table>
</article></body></html>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// serve starts `scrapemcp <transport>` on a free loopback port and returns
// its endpoint URL, read from the server's own startup log line.
func serve(t *testing.T, transport string, args []string, extraEnv ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, binary, append([]string{transport, "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = env(extraEnv...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	urls := make(chan string, 1)
	re := regexp.MustCompile(`url=(http://\S+)`)
	var once sync.Once
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if testing.Verbose() {
				t.Log("server:", line)
			}
			if m := re.FindStringSubmatch(line); m != nil {
				once.Do(func() { urls <- m[1] })
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case u := <-urls:
		return u
	case <-time.After(30 * time.Second):
		t.Fatalf("%s server did not announce its address", transport)
		return ""
	}
}

// connect opens a go-sdk client session over the given transport.
func connect(t *testing.T, tr mcp.Transport, version string, opts *mcp.ClientOptions) *mcp.ClientSession {
	t.Helper()
	// The session lives as long as the test: go-sdk's SSE transport ties its
	// event stream to the context given to Connect.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := mcp.NewClient(&mcp.Implementation{Name: "e2e-go-sdk", Version: "1"}, opts)
	cs, err := c.Connect(ctx, tr, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

func stdioTransport(args []string, extraEnv ...string) mcp.Transport {
	cmd := exec.Command(binary, append([]string{"stdio"}, args...)...)
	cmd.Env = env(extraEnv...)
	return &mcp.CommandTransport{Command: cmd}
}
