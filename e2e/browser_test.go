package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/scrapemcp/scrapemcp/client/local/browser"
)

// needBrowser skips without Chromium, except under CI=true, where the
// browser tests must run: .ci/run installs one.
func needBrowser(t *testing.T) {
	t.Helper()
	if _, err := browser.Find(os.Getenv("SCRAPEMCP_BROWSER")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and no browser: %v", err)
		}
		t.Skipf("no browser here: %v", err)
	}
}

// spaSite serves a single-page application whose text exists only after
// its script runs.
func spaSite(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nAllow: /\n")
		case "/spa":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!doctype html><html><head><title>SPA</title></head><body><div id="root"></div>
<script>setTimeout(function () { document.getElementById("root").innerHTML =
"<article><h1>Script-built heading</h1><p>This content exists only after JavaScript ran in a real browser; a plain HTTP fetch sees an empty div.</p></article>"; }, 150);</script></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCallUseBrowserPrintsScriptBuiltContent(t *testing.T) {
	needBrowser(t)
	web := spaSite(t)
	out, errs, code := runCall(t, nil, "--allow-hosts", "127.0.0.1", "call", "scrape", `{"url":"`+web.URL+`/spa","use_browser":true}`)
	if code != 0 || !strings.Contains(out, "# Script-built heading") || !strings.Contains(out, "only after JavaScript ran") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}

	out, _, code = runCall(t, nil, "--allow-hosts", "127.0.0.1", "call", "scrape", `{"url":"`+web.URL+`/spa"}`)
	if code == 0 || !strings.Contains(out, "js_required") || !strings.Contains(out, "use_browser=true") {
		t.Fatalf("without use_browser: exit %d, want js_required suggesting use_browser=true:\n%s", code, out)
	}
}

func TestCallScreenshotSavedFromJSONIsAPNG(t *testing.T) {
	needBrowser(t)
	web := spaSite(t)
	out, errs, code := runCall(t, nil, "--allow-hosts", "127.0.0.1", "--output", "json", "call", "scrape",
		`{"url":"`+web.URL+`/spa","formats":["markdown","screenshot"],"screenshot_full_page":true,"actions":[{"type":"wait_for","selector":"article h1"}]}`)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	var res struct {
		Content []struct {
			Type, Text, Data, MimeType string
		}
		StructuredContent struct {
			Screenshot struct {
				Width, Height int
				FullPage      bool `json:"full_page"`
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var img []byte
	for _, c := range res.Content {
		if c.Type == "image" && c.MimeType == "image/png" {
			img, _ = base64.StdEncoding.DecodeString(c.Data)
		}
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	if err != nil {
		t.Fatalf("the image content is not a PNG: %v", err)
	}
	s := res.StructuredContent.Screenshot
	if cfg.Width != 1280 || cfg.Width != s.Width || cfg.Height != s.Height || !s.FullPage {
		t.Errorf("PNG %dx%d; structuredContent says %+v", cfg.Width, cfg.Height, s)
	}
}

// descendants lists the live (not zombie) processes below pid.
func descendants(pid int) []int {
	parent := map[int]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces, so cut at the last ')'.
		f := strings.Fields(string(st[bytes.LastIndexByte(st, ')')+1:]))
		if len(f) < 2 || f[0] == "Z" {
			continue
		}
		parent[n], _ = strconv.Atoi(f[1])
	}
	var out []int
	for n := range parent {
		for p := parent[n]; p > 1; p = parent[p] {
			if p == pid {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

func alive(pid int) bool {
	st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(st[bytes.LastIndexByte(st, ')')+1:]))
	return len(f) > 0 && f[0] != "Z"
}

// After a render, SIGTERM stops the server and every Chromium process it
// started: none outlives it.
func TestSIGTERMLeavesNoBrowserProcesses(t *testing.T) {
	needBrowser(t)
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	web := spaSite(t)
	cmd := exec.Command(binary, "http", "--addr", "127.0.0.1:0", "--allow-hosts", "127.0.0.1", "--shutdown-timeout", "2s")
	cmd.Env = env()
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: startAndAnnounce(t, cmd)}, "2025-06-18", nil)
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "scrape", Arguments: map[string]any{"url": web.URL + "/spa", "use_browser": true}})
	if err != nil || res.IsError || !strings.Contains(text(res), "Script-built heading") {
		t.Fatalf("render through the server: %v %s", err, text(res))
	}
	kids := descendants(cmd.Process.Pid)
	if len(kids) == 0 {
		t.Fatal("no browser processes under the server after a render")
	}
	_ = cs.Close()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not exit after SIGTERM")
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
	// The kernel reaps the orphans asynchronously; wait for the processes
	// to go, not for time to pass.
	deadline := time.Now().Add(20 * time.Second)
	for _, k := range kids {
		for alive(k) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if alive(k) {
			t.Errorf("browser process %d outlived the server", k)
		}
	}
}
