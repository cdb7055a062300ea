package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// UPDATE_GOLDEN=1 go test -run TestConfigGolden . rewrites testdata/config.
func TestConfigGolden(t *testing.T) {
	const exe = "/opt/scrapemcp/bin/scrapemcp"
	variants := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"local", nil, nil},
		// Flags the user set come along (booleans bare); transport-only ones do not.
		{"flags", []string{"--read-only", "--max-output", "8000", "--addr", "0.0.0.0:9000", "--auth-token", "t"},
			map[string]string{"SCRAPEMCP_IGNORE_ROBOTS": "true", "SCRAPEMCP_LOG_LEVEL": "debug"}},
		// The key is named, never printed.
		{"anakin", nil, map[string]string{"ANAKIN_API_KEY": "sk-secret-value", "ALTERLAB_API_KEY": "other-secret"}},
		{"alterlab", []string{"--provider", "alterlab"},
			map[string]string{"ALTERLAB_API_KEY": "sk-secret-value", "ALTERLAB_API_URL": "https://alterlab.internal.example", "ANAKIN_API_KEY": "unused"}},
		// ... unless asked.
		{"secrets", []string{"--with-secrets"}, map[string]string{"ANAKIN_API_KEY": "sk-secret-value"}},
	}
	for _, hc := range hostClients {
		for _, v := range variants {
			inv, err := parseArgs(append(append([]string{}, v.args...), "config", hc.name), getenv(v.env))
			if err != nil || inv.cfgErr != nil {
				t.Fatalf("%s/%s: %v %v", hc.name, v.name, err, inv.cfgErr)
			}
			block, notes := hc.render(entryFor(exe, inv, getenv(v.env)))
			got := block
			for _, n := range notes {
				got += "# stderr: " + n + "\n"
			}
			golden(t, filepath.Join("testdata", "config", hc.name+"-"+v.name+".golden"), got)

			if v.name != "secrets" && (strings.Contains(got, "sk-secret-value") || strings.Contains(got, "other-secret") || strings.Contains(got, "unused")) {
				t.Errorf("%s/%s prints a key value:\n%s", hc.name, v.name, got)
			}
			if v.name == "secrets" && !strings.Contains(block, "sk-secret-value") {
				t.Errorf("%s/%s: --with-secrets did not write the key:\n%s", hc.name, v.name, block)
			}
			if strings.Contains(got, "0.0.0.0") || strings.Contains(got, "auth-token") {
				t.Errorf("%s/%s carries a transport-only flag:\n%s", hc.name, v.name, got)
			}
			if hc.name == "claude-code" {
				c, err := parseClaudeMCPAdd(block)
				if err != nil {
					t.Errorf("%s/%s: %v\n%s", hc.name, v.name, err, block)
				} else if c.name != "scrapemcp" || c.command != exe || c.args[len(c.args)-1] != "stdio" {
					t.Errorf("%s/%s: parsed as %+v", hc.name, v.name, c)
				}
				continue
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(block), &doc); err != nil {
				t.Errorf("%s/%s: not JSON: %v\n%s", hc.name, v.name, err, block)
			}
		}
	}
}

func TestConfigPrintPath(t *testing.T) {
	var b strings.Builder
	for _, hc := range hostClients {
		for _, goos := range []string{"darwin", "linux", "windows"} {
			home, appdata := "/Users/ada", ""
			switch goos {
			case "linux":
				home = "/home/ada"
			case "windows":
				home, appdata = `C:\Users\ada`, `C:\Users\ada\AppData\Roaming`
			}
			fmt.Fprintf(&b, "%s %s %s\n", hc.name, goos, hc.path(goos, home, appdata))
		}
	}
	golden(t, filepath.Join("testdata", "config", "paths.golden"), b.String())
}

func TestConfigCommand(t *testing.T) {
	cases := []struct {
		args []string
		code int
		out  string
		err  string
	}{
		{[]string{"config", "emacs"}, 2, "", "unknown client \"emacs\"; clients: claude-desktop, claude-code, vscode, cursor"},
		{[]string{"config"}, 2, "", "clients: claude-desktop, claude-code, vscode, cursor"},
		{[]string{"config", "cursor", "--print-path"}, 0, "mcp.json", ""},
		{[]string{"config", "claude-code"}, 0, "claude mcp add --transport stdio scrapemcp -- ", ""},
		{[]string{"--read-only", "config", "claude-desktop"}, 0, `"--read-only",`, ""},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := run(c.args, getenv(map[string]string{"HOME": "/home/ada"}), strings.NewReader(""), &out, &errb)
		if code != c.code || !strings.Contains(out.String(), c.out) || !strings.Contains(errb.String(), c.err) {
			t.Errorf("%v: code=%d stdout=%q stderr=%q", c.args, code, out.String(), errb.String())
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (UPDATE_GOLDEN=1 go test . writes it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (UPDATE_GOLDEN=1 go test . rewrites it):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// `call crawl` ends with the process, and its job with it: say so, since
// the result's own text points at job_status.
func TestCallCrawlSaysTheLocalJobDiesWithIt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><body><main><h1>Page %s</h1><p>Some text worth reading here.</p><a href="/a">a</a><a href="/b">b</a></main></body></html>`, r.URL.Path)
	}))
	defer srv.Close()
	var out, errb syncBuffer
	code := run([]string{"--provider", "local", "--allow-hosts", "127.0.0.1", "call", "crawl", `{"url":"` + srv.URL + `/","max_pages":3,"wait_s":0}`},
		getenv(nil), strings.NewReader(""), &out, &errb)
	if code != 0 || !strings.Contains(errb.String(), "stops when `call` exits") || !strings.Contains(errb.String(), "wait_s") {
		t.Errorf("code=%d stdout=%q stderr=%q", code, out.String(), errb.String())
	}
}

// syncBuffer is a bytes.Buffer that a late progress notification may
// write to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
