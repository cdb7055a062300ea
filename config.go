package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// config is everything the server reads from flags and the environment.
// Every flag has an env twin, SCRAPEMCP_<FLAG> with dashes as underscores;
// a flag on the command line wins over its env twin.
type config struct {
	provider     string
	addr         string
	allowHosts   []string
	maxOutput    int
	userAgent    string
	logLevel     slog.Level
	tools        []string
	readOnly     bool
	ignoreRobots bool
	authToken    string
	rateLimit    int
	hostRate     float64
	crawlWait    time.Duration
	output       string // call: text | json

	maxConcurrent   int
	shutdownTimeout time.Duration
	allowOrigins    []string
	insecureNoAuth  bool
	maxConns        int

	// Provider credentials and endpoints come from the variables their own
	// SDKs use, not from flags, so keys never appear in a process listing.
	anakinKey, anakinURL     string
	alterlabKey, alterlabURL string
}

// flagSpec documents one flag; the README table is written from the same words.
type flagSpec struct {
	name, def, usage string
}

var flagSpecs = []flagSpec{
	{"provider", "auto", "backend: auto (anakin or alterlab when its key is set, else local), local, anakin, alterlab"},
	{"addr", "127.0.0.1:8080", "listen address for sse and http"},
	{"allow-hosts", "", "comma list of hosts, IPs or CIDRs the local fetcher may reach despite the SSRF guard (e.g. 127.0.0.1,localhost)"},
	{"max-output", "20000", "default maximum characters per tool result"},
	{"user-agent", "", "User-Agent for the local fetcher and API calls (default scrapemcp/<version>)"},
	{"log-level", "info", "debug, info, warn or error (logs go to stderr)"},
	{"tools", "", "comma list of tools to expose (default all)"},
	{"read-only", "false", "hide tools that change state upstream (job_cancel)"},
	{"ignore-robots", "false", "local fetcher: do not obey robots.txt"},
	{"auth-token", "", "bearer token required on sse/http requests (empty = no auth)"},
	{"host-rate", "2", "local fetcher: requests per second to any one host (robots.txt Crawl-delay can slow it further)"},
	{"rate-limit", "0", "client-side limit on API submits per minute (0 = the provider's documented plan limit)"},
	{"crawl-wait", "50s", "how long crawl waits for results when the call gives no wait_s"},
	{"output", "text", "call: print the result as text or json"},
	{"max-concurrent", "0", "tool calls run at once across all clients and transports; more wait briefly, then get retry_later (0 = sized for this machine)"},
	{"shutdown-timeout", "10s", "on SIGTERM/SIGINT, how long in-flight calls may run before they must answer with what they have"},
	{"allow-origins", "", "sse/http: comma list of browser origins allowed besides same-origin and loopback pages (e.g. https://app.example), or *"},
	{"insecure-no-auth", "false", "sse/http: allow listening on a non-loopback address without --auth-token"},
	{"max-conns", "1024", "sse/http: open connections at most; more wait to be accepted"},
}

func envName(flagName string) string {
	return "SCRAPEMCP_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseArgs reads flags (before and after the subcommand) over the env.
// It returns the subcommand and its positional arguments.
func parseArgs(args []string, getenv func(string) string, stderr io.Writer) (*config, string, []string, error) {
	fs := flag.NewFlagSet("scrapemcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(stderr) }
	vals := map[string]*string{}
	for _, f := range flagSpecs {
		def := f.def
		if v := getenv(envName(f.name)); v != "" {
			def = v
		}
		vals[f.name] = fs.String(f.name, def, f.usage)
	}
	if err := fs.Parse(args); err != nil {
		return nil, "", nil, err
	}
	rest := fs.Args()
	cmd := "stdio"
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
		// Flags may also follow the subcommand: scrapemcp http --addr :9000.
		if err := fs.Parse(rest); err != nil {
			return nil, "", nil, err
		}
		rest = fs.Args()
	}
	cfg, err := buildConfig(vals, getenv)
	if err != nil {
		return nil, "", nil, err
	}
	return cfg, cmd, rest, nil
}

func buildConfig(v map[string]*string, getenv func(string) string) (*config, error) {
	c := &config{
		provider:     strings.ToLower(strings.TrimSpace(*v["provider"])),
		addr:         *v["addr"],
		allowHosts:   splitList(*v["allow-hosts"]),
		userAgent:    *v["user-agent"],
		tools:        splitList(*v["tools"]),
		allowOrigins: splitList(*v["allow-origins"]),
		authToken:    *v["auth-token"],
		output:       *v["output"],
		anakinKey:    strings.TrimSpace(getenv("ANAKIN_API_KEY")),
		anakinURL:    strings.TrimSpace(getenv("ANAKIN_API_URL")),
		alterlabKey:  strings.TrimSpace(getenv("ALTERLAB_API_KEY")),
		alterlabURL:  strings.TrimSpace(getenv("ALTERLAB_API_URL")),
	}
	var errs []error
	bad := func(name, val, want string) {
		errs = append(errs, fmt.Errorf("--%s (or %s) = %q: %s", name, envName(name), val, want))
	}
	switch c.provider {
	case "auto", "local", "anakin", "alterlab":
	default:
		bad("provider", c.provider, "want auto, local, anakin or alterlab")
	}
	intFlag := func(name string, lo, hi int) int {
		n, err := strconv.Atoi(strings.TrimSpace(*v[name]))
		if err != nil || n < lo || n > hi {
			bad(name, *v[name], fmt.Sprintf("want a whole number from %d to %d", lo, hi))
		}
		return n
	}
	boolFlag := func(name string) bool {
		b, err := strconv.ParseBool(strings.TrimSpace(*v[name]))
		if err != nil {
			bad(name, *v[name], "want true or false")
		}
		return b
	}
	c.maxOutput = intFlag("max-output", 100, 1_000_000)
	c.rateLimit = intFlag("rate-limit", 0, 100_000)
	c.maxConcurrent = intFlag("max-concurrent", 0, 100_000)
	c.maxConns = intFlag("max-conns", 16, 1_000_000)
	if r, err := strconv.ParseFloat(strings.TrimSpace(*v["host-rate"]), 64); err != nil || r <= 0 || r > 1000 {
		bad("host-rate", *v["host-rate"], "want a number of requests per second above 0 and at most 1000")
	} else {
		c.hostRate = r
	}
	c.readOnly = boolFlag("read-only")
	c.ignoreRobots = boolFlag("ignore-robots")
	c.insecureNoAuth = boolFlag("insecure-no-auth")
	if d, err := time.ParseDuration(*v["shutdown-timeout"]); err != nil || d < 0 || d > 10*time.Minute {
		bad("shutdown-timeout", *v["shutdown-timeout"], "want a duration from 0s to 10m, e.g. 10s")
	} else {
		c.shutdownTimeout = d
	}
	if err := c.logLevel.UnmarshalText([]byte(*v["log-level"])); err != nil {
		bad("log-level", *v["log-level"], "want debug, info, warn or error")
	}
	d, err := time.ParseDuration(*v["crawl-wait"])
	if err != nil || d < time.Second || d > 10*time.Minute {
		bad("crawl-wait", *v["crawl-wait"], "want a duration from 1s to 10m, e.g. 50s")
	}
	c.crawlWait = d
	if c.output != "text" && c.output != "json" {
		bad("output", c.output, "want text or json")
	}
	switch {
	case c.provider == "anakin" && c.anakinKey == "":
		errs = append(errs, errors.New("--provider anakin needs ANAKIN_API_KEY (create a key at https://anakin.io/dashboard)"))
	case c.provider == "alterlab" && c.alterlabKey == "":
		errs = append(errs, errors.New("--provider alterlab needs ALTERLAB_API_KEY (create a key in the AlterLab dashboard)"))
	}
	return c, errors.Join(errs...)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// resolvedProvider applies auto selection.
func (c *config) resolvedProvider() string {
	if c.provider != "auto" {
		return c.provider
	}
	switch {
	case c.anakinKey != "":
		return "anakin"
	case c.alterlabKey != "":
		return "alterlab"
	}
	return "local"
}

func usage(w io.Writer) {
	fmt.Fprint(w, `scrapemcp — an MCP server that gives AI agents web tools (scrape, crawl, map, search, extract).

Usage:
  scrapemcp [flags] [stdio]              serve MCP over stdin/stdout (default)
  scrapemcp [flags] sse                  serve MCP over SSE at http://ADDR/sse
  scrapemcp [flags] http                 serve streamable HTTP (stateless) at http://ADDR/mcp
  scrapemcp [flags] call TOOL 'JSON'     run one tool and print the result
  scrapemcp version

Environment: ANAKIN_API_KEY, ANAKIN_API_URL, ALTERLAB_API_KEY, ALTERLAB_API_URL, and SCRAPEMCP_<FLAG> for every flag.

Flags:
`)
	for _, f := range flagSpecs {
		fmt.Fprintf(w, "  --%-14s %s (default %q; env %s)\n", f.name, f.usage, f.def, envName(f.name))
	}
}
