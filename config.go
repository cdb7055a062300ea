package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
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
	browser         string // auto, off, or a path
	browserTabs     int

	// Provider credentials and endpoints come from the variables their own
	// SDKs use, not from flags, so keys never appear in a process listing.
	anakinKey, anakinURL     string
	alterlabKey, alterlabURL string
}

// flagSpec documents one flag; the README table is written from the same words.
// show is the default as --help prints it, when it differs from def.
type flagSpec struct {
	name, def, usage, show string
}

// boolean flags take no value (--read-only) or an explicit one
// (--read-only=false), like the flag package's own booleans.
func (f flagSpec) boolean() bool { return f.def == "false" || f.def == "true" }

var flagSpecs = []flagSpec{
	{"provider", "auto", "backend: auto (anakin or alterlab when its key is set, else local), local, anakin, alterlab", ""},
	{"addr", "127.0.0.1:8080", "listen address for sse and http", ""},
	{"allow-hosts", "", "comma list of hosts, IPs, host:port pairs or CIDRs the local fetcher (and its browser) may reach despite the SSRF guard (e.g. 127.0.0.1,localhost:3000)", ""},
	{"max-output", "20000", "default maximum characters per tool result", ""},
	{"user-agent", "", "User-Agent for the local fetcher and API calls", "scrapemcp/<version>"},
	{"log-level", "info", "debug, info, warn or error (logs go to stderr)", ""},
	{"tools", "", "comma list of tools to expose", "all"},
	{"read-only", "false", "hide tools that change state upstream (job_cancel)", ""},
	{"ignore-robots", "false", "local fetcher: do not obey robots.txt", ""},
	{"auth-token", "", "bearer token required on sse/http requests", "none"},
	{"host-rate", "2", "local fetcher: requests per second to any one host (robots.txt Crawl-delay can slow it further)", ""},
	{"rate-limit", "0", "client-side limit on API submits per minute (0 = the provider's documented plan limit)", ""},
	{"crawl-wait", "50s", "how long crawl waits for results when the call gives no wait_s", ""},
	{"output", "text", "call: print the result as text or json", ""},
	{"max-concurrent", "0", "tool calls run at once across all clients and transports; more wait briefly, then get retry_later (0 = sized for this machine)", ""},
	{"shutdown-timeout", "10s", "on SIGTERM/SIGINT, how long in-flight calls may run before they must answer with what they have", ""},
	{"allow-origins", "", "sse/http: comma list of browser origins allowed besides same-origin and loopback pages (e.g. https://app.example), or *", ""},
	{"insecure-no-auth", "false", "sse/http: allow listening on a non-loopback address without --auth-token", ""},
	{"max-conns", "1024", "sse/http: open connections at most; more wait to be accepted", ""},
	{"browser", "auto", "local backend: Chromium/Chrome for use_browser, actions and screenshots: auto (PATH and the usual install locations), off, or a path", ""},
	{"browser-tabs", "4", "local backend: pages rendered in the browser at once; more wait for a tab", ""},
}

// commandFlags belong to one subcommand or to no configuration; they have
// no env twin and are not in the README's configuration table.
var commandFlags = []flagSpec{
	{"version", "false", "print the version and exit (also -v, or the version command)", ""},
	{"help", "false", "print this help and exit (also -h, or the help command)", ""},
	{"print-path", "false", "config: print where CLIENT keeps its configuration file on this OS instead of the block", ""},
	{"with-secrets", "false", "config: write API key values into the block instead of naming the variables", ""},
}

func envName(flagName string) string {
	return "SCRAPEMCP_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// stringFlag holds a flag's text; validation happens in buildConfig, so
// one message format covers flags and env twins alike.
type stringFlag struct {
	p      *string
	isBool bool
	set    bool
}

func (f *stringFlag) String() string {
	if f == nil || f.p == nil {
		return ""
	}
	return *f.p
}
func (f *stringFlag) Set(s string) error { *f.p, f.set = s, true; return nil }
func (f *stringFlag) IsBoolFlag() bool   { return f.isBool }

// invocation is a parsed command line.
type invocation struct {
	cmd  string   // subcommand; stdio when none is given
	rest []string // its positional arguments
	cfg  *config
	// cfgErr is a bad flag or env value. version and help run regardless,
	// so a broken environment never hides the version.
	cfgErr error
	// setFlags are the configuration flags the user set on the command
	// line or through their env twin, in flagSpecs order, with their text.
	setFlags []setFlag

	version, help, printPath, withSecrets bool
}

type setFlag struct{ name, value string }

// usageError is a malformed command line: exit 2, with a pointer to --help.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// parseArgs reads flags over the env. Flags and positional arguments may be
// interleaved (scrapemcp --read-only http --addr :9000, or scrapemcp call
// scrape '{…}' --output json); "--" ends the flags.
func parseArgs(args []string, getenv func(string) string) (*invocation, error) {
	fs := flag.NewFlagSet("scrapemcp", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	vals := map[string]*string{}
	flags := map[string]*stringFlag{}
	fromEnv := map[string]bool{}
	for _, f := range flagSpecs {
		v := f.def
		if e := getenv(envName(f.name)); e != "" {
			v, fromEnv[f.name] = e, true
		}
		vals[f.name] = &v
		flags[f.name] = &stringFlag{p: &v, isBool: f.boolean()}
		fs.Var(flags[f.name], f.name, f.usage)
	}
	inv := &invocation{}
	fs.BoolVar(&inv.version, "version", false, "")
	fs.BoolVar(&inv.version, "v", false, "")
	fs.BoolVar(&inv.help, "help", false, "")
	fs.BoolVar(&inv.help, "h", false, "")
	fs.BoolVar(&inv.printPath, "print-path", false, "")
	fs.BoolVar(&inv.withSecrets, "with-secrets", false, "")

	var positional []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, flagError(err)
		}
		left := fs.Args()
		consumed := len(args) - len(left)
		if consumed > 0 && args[consumed-1] == "--" {
			positional = append(positional, left...)
			break
		}
		if len(left) == 0 {
			break
		}
		// "--read-only false": a boolean takes no separate value, so
		// "false" would silently become the subcommand.
		if (left[0] == "true" || left[0] == "false") && consumed > 0 {
			prev := strings.TrimLeft(args[consumed-1], "-")
			if f, ok := flags[prev]; ok && f.isBool && strings.HasPrefix(args[consumed-1], "-") {
				return nil, usageError{fmt.Sprintf("--%s takes no separate value: write --%s or --%s=%s", prev, prev, prev, left[0])}
			}
		}
		positional = append(positional, left[0])
		args = left[1:]
	}
	inv.cmd = "stdio"
	if len(positional) > 0 {
		inv.cmd, inv.rest = positional[0], positional[1:]
	}
	for _, f := range flagSpecs {
		if flags[f.name].set || fromEnv[f.name] {
			inv.setFlags = append(inv.setFlags, setFlag{f.name, *vals[f.name]})
		}
	}
	inv.cfg, inv.cfgErr = buildConfig(vals, getenv)
	return inv, nil
}

// flagError rewrites the flag package's messages in the --double-dash
// spelling the README and --help use.
func flagError(err error) error {
	msg := err.Error()
	for _, p := range []struct{ prefix, format string }{
		{"flag provided but not defined: -", "unknown flag --%s"},
		{"flag needs an argument: -", "--%s needs a value"},
	} {
		if name, ok := strings.CutPrefix(msg, p.prefix); ok {
			return usageError{fmt.Sprintf(p.format, strings.TrimLeft(name, "-"))}
		}
	}
	return usageError{msg}
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
	c.browserTabs = intFlag("browser-tabs", 1, 64)
	c.browser = strings.TrimSpace(*v["browser"])
	if r, err := strconv.ParseFloat(strings.TrimSpace(*v["host-rate"]), 64); err != nil || r <= 0 || r > 1000 {
		bad("host-rate", *v["host-rate"], "want a number of requests per second above 0 and at most 1000")
	} else {
		c.hostRate = r
	}
	if host, port, err := net.SplitHostPort(strings.TrimSpace(c.addr)); err != nil {
		bad("addr", c.addr, "want HOST:PORT, e.g. 127.0.0.1:8080 or :8080")
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("addr", c.addr, "want a port from 0 to 65535")
	} else if strings.ContainsAny(host, " /") {
		bad("addr", c.addr, "want HOST:PORT with a host name or IP address")
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
  scrapemcp [flags] call TOOL 'JSON'     run one tool in this process and print the result
  scrapemcp [flags] config CLIENT        print a ready config block for CLIENT (`+strings.Join(configClients(), ", ")+`)
  scrapemcp version                      print the version (also --version, -v)
  scrapemcp help                         print this help (also --help, -h)

Flags may come before or after the command. Boolean flags take no value (--read-only) or =true/=false.

Environment: ANAKIN_API_KEY, ANAKIN_API_URL, ALTERLAB_API_KEY, ALTERLAB_API_URL, and SCRAPEMCP_<FLAG> for every
configuration flag (the flag wins).

Exit status: 0 ok; 1 the tool call failed (call); 2 bad usage, flag or env value; 3 the server failed while running
(e.g. the address is in use).

Configuration flags:
`)
	printFlags(w, flagSpecs, true)
	fmt.Fprint(w, "\nCommand flags:\n")
	printFlags(w, commandFlags, false)
}

func printFlags(w io.Writer, specs []flagSpec, env bool) {
	width := 0
	name := func(f flagSpec) string {
		if f.boolean() {
			return "--" + f.name
		}
		return "--" + f.name + " " + strings.ToUpper(strings.ReplaceAll(f.name, "-", "_"))
	}
	for _, f := range specs {
		width = max(width, len(name(f)))
	}
	for _, f := range specs {
		var notes []string
		def := f.def
		if f.show != "" {
			def = f.show
		}
		if def != "" && !f.boolean() {
			notes = append(notes, "default "+def)
		}
		if env {
			notes = append(notes, "env "+envName(f.name))
		}
		line := "  " + name(f) + strings.Repeat(" ", width-len(name(f))+2) + f.usage
		if len(notes) > 0 {
			line += " [" + strings.Join(notes, "; ") + "]"
		}
		fmt.Fprintln(w, line)
	}
}
