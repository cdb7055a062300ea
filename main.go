// Command scrapemcp is an MCP server that gives AI agents web tools — scrape,
// batch_scrape, crawl, map, search, extract, job_status, job_cancel — over
// stdio, SSE or streamable HTTP, on the Anakin or AlterLab API or, with no
// key, on an embedded local fetcher.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/local"
	"github.com/scrapemcp/scrapemcp/client/local/browser"
	"github.com/scrapemcp/scrapemcp/tools"
	"github.com/scrapemcp/scrapemcp/transport"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// Exit codes: 0 ok, 1 the tool call failed (call), 2 bad usage or config,
// 3 the server could not start or stopped with an error.
func run(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	inv, err := parseArgs(args, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "scrapemcp: %v (scrapemcp --help lists the commands and flags)\n", err)
		return 2
	}
	switch {
	case inv.version || inv.cmd == "version":
		fmt.Fprintln(stdout, current)
		return 0
	case inv.help || inv.cmd == "help":
		usage(stdout)
		return 0
	}
	if inv.cfgErr != nil {
		fmt.Fprintf(stderr, "scrapemcp: %v\n", inv.cfgErr)
		return 2
	}
	cfg, cmd, rest := inv.cfg, inv.cmd, inv.rest
	switch cmd {
	case "stdio", "sse", "http", "call":
	case "config":
		return configCommand(inv, getenv, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "scrapemcp: unknown command %q: want stdio, sse, http, call, config, version or help\n", cmd)
		return 2
	}
	if inv.printPath || inv.withSecrets {
		fmt.Fprintf(stderr, "scrapemcp: --print-path and --with-secrets belong to the config command, not %s\n", cmd)
		return 2
	}
	if cmd != "call" && len(rest) > 0 {
		fmt.Fprintf(stderr, "scrapemcp: unexpected arguments after %s: %q\n", cmd, rest)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))

	prov, closeProv, err := newProvider(cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "scrapemcp: %v\n", err)
		return 2
	}
	defer closeProv()
	gate := tools.NewGate(cfg.maxConcurrent, tools.DefaultQueueWait)
	s, err := newServer(cfg, prov, gate, log)
	if err != nil {
		fmt.Fprintf(stderr, "scrapemcp: %v\n", err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// The first signal starts a graceful stop; restoring the default
		// lets a second one end the process at once.
		<-ctx.Done()
		stop()
	}()

	switch cmd {
	case "call":
		var why []string // why a tool the user knows may be missing
		if cfg.readOnly {
			why = append(why, "--read-only hides job_cancel")
		}
		if len(cfg.tools) > 0 {
			why = append(why, "--tools limits the list")
		}
		return callTool(ctx, s, rest, strings.Join(why, "; "), cfg.output, stdout, stderr)
	case "stdio":
		log.Info("serving MCP on stdio", "provider", prov.Name(), "version", current.Version)
		err := transport.Stdio(ctx, s, stdin, stdout, transport.StdioOptions{
			// A few workers beyond the gate's slots, so that a call over the
			// limit reaches the gate and hears server_busy instead of waiting
			// unseen in mcp-go's queue.
			Workers:         gate.MaxConcurrent() + 8,
			Drain:           gate.Drain,
			ShutdownTimeout: cfg.shutdownTimeout,
			Logger:          log,
		})
		if err != nil {
			log.Error("stdio server stopped", "error", err.Error())
			return 3
		}
		return 0
	default:
		warning, err := transport.CheckExposure(cfg.addr, cfg.authToken, cfg.insecureNoAuth)
		if err != nil {
			fmt.Fprintf(stderr, "scrapemcp: %v\n", err)
			return 2
		}
		if warning != "" {
			log.Warn(warning)
		}
		endpoint := map[string]string{"http": "/mcp", "sse": "/sse"}[cmd]
		err = transport.HTTP(ctx, s, transport.HTTPOptions{
			Transport: cmd, Addr: cfg.addr, AuthToken: cfg.authToken, AllowOrigins: cfg.allowOrigins,
			MaxConns: cfg.maxConns, Drain: gate.Drain, ShutdownTimeout: cfg.shutdownTimeout, Logger: log,
			Ready: func(addr net.Addr) {
				// Announce the real address (port 0 picks a free one) for scripts and tests.
				log.Info("serving MCP", "transport", cmd, "url", "http://"+addr.String()+endpoint,
					"provider", prov.Name(), "auth", cfg.authToken != "")
			},
		})
		if err != nil {
			log.Error("server stopped", "error", err.Error())
			return 3
		}
		return 0
	}
}

func newProvider(cfg *config, log *slog.Logger) (client.Provider, func(), error) {
	ua := cfg.userAgent
	if ua == "" {
		ua = current.userAgent()
	}
	api := func(url, def, key string) client.APIConfig {
		if url == "" {
			url = def
		}
		return client.APIConfig{BaseURL: url, APIKey: key, UserAgent: ua, SubmitsPerMinute: cfg.rateLimit, Logger: log}
	}
	nop := func() {}
	switch name := cfg.resolvedProvider(); name {
	case client.Anakin:
		p, err := client.NewAnakin(api(cfg.anakinURL, client.DefaultAnakinURL, cfg.anakinKey))
		return p, nop, err
	case client.AlterLab:
		p, err := client.NewAlterLab(api(cfg.alterlabURL, client.DefaultAlterLabURL, cfg.alterlabKey))
		return p, nop, err
	default:
		opts := local.Options{
			AllowHosts:   cfg.allowHosts,
			UserAgent:    cfg.userAgent,
			Version:      current.Version,
			IgnoreRobots: cfg.ignoreRobots,
			PerHostRate:  cfg.hostRate,
			BrowserTabs:  cfg.browserTabs,
			Logger:       log,
		}
		path, err := browser.Find(cfg.browser)
		var nf *browser.NotFoundError
		switch {
		case err == nil:
			opts.BrowserPath = path
			log.Debug("headless browser found", "path", path)
		case errors.As(err, &nf) && nf.Spec != "auto":
			// A browser named on purpose must exist: fail at start, not at
			// the first use_browser call.
			return nil, nop, usageError{err.Error()}
		default:
			opts.NoBrowserReason = err.Error()
			if !errors.Is(err, browser.ErrOff) {
				log.Info("no headless browser: use_browser, actions and screenshots will answer browser_unavailable", "why", err.Error())
			}
		}
		p, err := local.New(opts)
		if err != nil {
			return nil, nop, err
		}
		return p, p.Close, nil
	}
}

func newServer(cfg *config, prov client.Provider, gate *tools.Gate, log *slog.Logger) (*server.MCPServer, error) {
	deps := &tools.Deps{Provider: prov, MaxOutput: cfg.maxOutput, Logger: log, CrawlWaitDefault: cfg.crawlWait, Gate: gate}
	selected, err := tools.Select(tools.Inventory(deps), cfg.tools, cfg.readOnly)
	if err != nil {
		return nil, err
	}
	s := server.NewMCPServer("scrapemcp", current.Version,
		server.WithToolCapabilities(false),
		server.WithLogging(),
		server.WithInstructions(instructions(prov.Name())),
	)
	tools.Register(s, selected, log)
	return s, nil
}

func instructions(provider string) string {
	return "scrapemcp fetches the web for you (backend: " + provider + "). Use scrape for one page, batch_scrape for up to 10, " +
		"map to list a site's URLs, crawl for many pages of one site (it returns a job_id; use job_status to page through results " +
		"and job_cancel to stop it), search to find pages, extract for structured JSON. Results are bounded: when truncated is true, " +
		"call again with start_index or cursor as the result says. Failed calls return guidance.action telling you what to do next."
}

// callTool runs one tool through an in-process MCP client, so `call` takes
// the same path as a real host: schema, middleware, result shaping.
func callTool(ctx context.Context, s *server.MCPServer, args []string, hidden, output string, stdout, stderr io.Writer) int {
	// Progress arrives on the client's goroutine while this one writes.
	stderr = &lockedWriter{w: stderr}
	c, err := mcpclient.NewInProcessClient(s)
	if err != nil {
		fmt.Fprintf(stderr, "scrapemcp: %v\n", err)
		return 3
	}
	defer c.Close()
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method != string(mcp.MethodNotificationProgress) {
			return
		}
		f := n.Params.AdditionalFields
		if total, ok := f["total"]; ok {
			fmt.Fprintf(stderr, "progress: %v/%v %v\n", f["progress"], total, f["message"])
		} else {
			fmt.Fprintf(stderr, "progress: %v %v\n", f["progress"], f["message"])
		}
	})
	if err := c.Start(ctx); err != nil {
		fmt.Fprintf(stderr, "scrapemcp: %v\n", err)
		return 3
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "scrapemcp-call", Version: current.Version}
	if _, err := c.Initialize(ctx, init); err != nil {
		fmt.Fprintf(stderr, "scrapemcp: initialize: %v\n", err)
		return 3
	}
	list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		fmt.Fprintf(stderr, "scrapemcp: tools/list: %v\n", err)
		return 3
	}
	var names []string
	for _, t := range list.Tools {
		names = append(names, t.Name)
	}
	if len(args) < 1 || len(args) > 2 {
		fmt.Fprintf(stderr, "scrapemcp: usage: scrapemcp [flags] call TOOL '{\"arg\":\"value\"}' [flags]\ntools: %s\n", strings.Join(names, ", "))
		return 2
	}
	if !slices.Contains(names, args[0]) {
		if hidden != "" {
			hidden = " (" + hidden + ")"
		}
		fmt.Fprintf(stderr, "scrapemcp: unknown tool %q; tools: %s%s\n", args[0], strings.Join(names, ", "), hidden)
		return 2
	}
	var toolArgs map[string]any
	if len(args) == 2 && strings.TrimSpace(args[1]) != "" {
		if err := json.Unmarshal([]byte(args[1]), &toolArgs); err != nil {
			fmt.Fprintf(stderr, "scrapemcp: tool arguments must be a JSON object: %v\n", err)
			return 2
		}
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = args[0]
	req.Params.Arguments = toolArgs
	req.Params.Meta = &mcp.Meta{ProgressToken: "call"}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		fmt.Fprintf(stderr, "scrapemcp: %v\n", err)
		return 2
	}
	if output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		for _, content := range res.Content {
			if t, ok := content.(mcp.TextContent); ok {
				fmt.Fprintln(stdout, t.Text)
			}
		}
	}
	if note := localJobNote(res); note != "" {
		fmt.Fprintln(stderr, note)
	}
	if res.IsError {
		return 1
	}
	return 0
}

// localJobNote warns that a local job left running dies with this process:
// the result tells the agent to call job_status, which a later `call` cannot
// answer (the job lived in this process's memory).
func localJobNote(res *mcp.CallToolResult) string {
	m, ok := res.StructuredContent.(map[string]any)
	if !ok {
		b, err := json.Marshal(res.StructuredContent)
		if err != nil || json.Unmarshal(b, &m) != nil {
			return ""
		}
	}
	id, _ := m["job_id"].(string)
	done, _ := m["done"].(bool)
	if !strings.HasPrefix(id, "local:") || done {
		return ""
	}
	return fmt.Sprintf("note: job %s ran in this process and stops when `call` exits, so a later `scrapemcp call job_status` "+
		"answers not_found. To get all pages, give the call a longer wait_s (up to 600), or run a server "+
		"(scrapemcp stdio, or scrapemcp http) and call crawl and job_status through one host session.", id)
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
