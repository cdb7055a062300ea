package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

func TestVersionFromBuildInfo(t *testing.T) {
	info := func(main string, settings ...string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/scrapemcp/scrapemcp", Version: main}}
			for i := 0; i+1 < len(settings); i += 2 {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
			}
			return bi, true
		}
	}
	cases := []struct {
		name, ldflags string
		read          func() (*debug.BuildInfo, bool)
		want, long    string
	}{
		{"go install @version", "", info("v0.3.1"), "v0.3.1", "scrapemcp v0.3.1 (go1.26.8, "},
		{"checkout build", "", info("v0.0.0-20261129120000-0cf1499abcde+dirty", "vcs.revision", "0cf1499abcdef0123456789", "vcs.modified", "true"),
			"v0.0.0-20261129120000-0cf1499abcde+dirty", "scrapemcp v0.0.0-20261129120000-0cf1499abcde+dirty (go1.26.8, "},
		{"devel with vcs", "", info("(devel)", "vcs.revision", "0cf1499abcdef0123456789", "vcs.modified", "false"), "devel-0cf1499abcde", "scrapemcp devel-0cf1499abcde (go1.26.8, "},
		{"devel dirty", "", info("(devel)", "vcs.revision", "0cf1499abcdef0123456789", "vcs.modified", "true"), "devel-0cf1499abcde+dirty", ""},
		{"go run, no vcs", "", info("(devel)"), "devel", "scrapemcp devel (go1.26.8, "},
		{"no build info", "", func() (*debug.BuildInfo, bool) { return nil, false }, "devel", ""},
		{"ldflags win", "v1.0.0", info("v0.3.1", "vcs.revision", "0cf1499abcdef0123456789"), "v1.0.0", "scrapemcp v1.0.0 (commit 0cf1499abcde, go1.26.8, "},
	}
	for _, c := range cases {
		v := versionFrom(c.ldflags, c.read)
		if v.Version != c.want || !strings.HasPrefix(v.String(), c.long) {
			t.Errorf("%s: %q / %q, want %q / %q…", c.name, v.Version, v.String(), c.want, c.long)
		}
		if ua := v.userAgent(); !strings.HasPrefix(ua, "scrapemcp/"+c.want+" ") {
			t.Errorf("%s: User-Agent %q", c.name, ua)
		}
	}
}

// The version reaches the MCP serverInfo and every request's User-Agent.
func TestServerInfoAndUserAgentCarryTheVersion(t *testing.T) {
	uas := make(chan string, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uas <- r.UserAgent()
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<html><body><main><h1>Hi</h1><p>Enough text to count as content.</p></main></body></html>`)
	}))
	defer srv.Close()
	c := replica(t, []string{"--provider", "local", "--allow-hosts", "127.0.0.1"}, nil)
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	res, err := c.Initialize(context.Background(), init)
	if err != nil {
		t.Fatal(err)
	}
	if res.ServerInfo.Name != "scrapemcp" || res.ServerInfo.Version != current.Version {
		t.Errorf("serverInfo %+v, want version %q", res.ServerInfo, current.Version)
	}
	callOn(t, c, "scrape", map[string]any{"url": srv.URL + "/"})
	close(uas)
	n := 0
	for ua := range uas {
		n++
		if !strings.HasPrefix(ua, "scrapemcp/"+current.Version+" ") {
			t.Errorf("User-Agent %q", ua)
		}
	}
	if n == 0 {
		t.Error("the page was never fetched")
	}
}
