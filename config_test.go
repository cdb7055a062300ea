package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
)

func getenv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// parse is parseArgs with the configuration error folded in, as the
// server commands see it.
func parse(args []string, env func(string) string) (*config, string, []string, error) {
	inv, err := parseArgs(args, env)
	if err != nil {
		return nil, "", nil, err
	}
	return inv.cfg, inv.cmd, inv.rest, inv.cfgErr
}

func TestFlagsWinOverEnvAndEnvOverDefaults(t *testing.T) {
	env := getenv(map[string]string{"SCRAPEMCP_MAX_OUTPUT": "5000", "SCRAPEMCP_ADDR": "127.0.0.1:9999"})
	cfg, cmd, _, err := parse([]string{"--max-output", "7000", "http"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if cmd != "http" || cfg.maxOutput != 7000 || cfg.addr != "127.0.0.1:9999" {
		t.Errorf("cmd=%s maxOutput=%d addr=%s", cmd, cfg.maxOutput, cfg.addr)
	}
}

func TestFlagsMayFollowTheSubcommand(t *testing.T) {
	cfg, cmd, rest, err := parse([]string{"--allow-hosts", "127.0.0.1", "call", "--output", "json", "scrape", `{"url":"x"}`}, getenv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cmd != "call" || cfg.output != "json" || len(rest) != 2 || rest[0] != "scrape" || cfg.allowHosts[0] != "127.0.0.1" {
		t.Errorf("cmd=%s output=%s rest=%q allow=%q", cmd, cfg.output, rest, cfg.allowHosts)
	}
}

func TestEveryFlagHasAnEnvTwin(t *testing.T) {
	for _, f := range flagSpecs {
		env := map[string]string{envName(f.name): f.def}
		if _, _, _, err := parse(nil, getenv(env)); err != nil {
			t.Errorf("%s=%q (its default) rejected: %v", envName(f.name), f.def, err)
		}
	}
}

func TestBadValuesAreClearErrors(t *testing.T) {
	cases := map[string][]string{
		"provider":   {"--provider", "firecrawl"},
		"max-output": {"--max-output", "-1"},
		"log-level":  {"--log-level", "loud"},
		"read-only":  {"--read-only=maybe"},
		"crawl-wait": {"--crawl-wait", "forever"},
	}
	for name, args := range cases {
		_, _, _, err := parse(args, getenv(nil))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%v: error %v does not name --%s", args, err, name)
		}
	}
}

func TestExplicitProviderNeedsItsKey(t *testing.T) {
	for _, p := range []string{"anakin", "alterlab"} {
		_, _, _, err := parse([]string{"--provider", p}, getenv(nil))
		if err == nil || !strings.Contains(err.Error(), strings.ToUpper(p)+"_API_KEY") {
			t.Errorf("--provider %s without a key: %v", p, err)
		}
	}
}

func TestAutoPicksProviderByKey(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{nil, "local"},
		{map[string]string{"ALTERLAB_API_KEY": "k"}, "alterlab"},
		{map[string]string{"ANAKIN_API_KEY": "k", "ALTERLAB_API_KEY": "k"}, "anakin"},
	}
	for _, c := range cases {
		cfg, _, _, err := parse(nil, getenv(c.env))
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.resolvedProvider(); got != c.want {
			t.Errorf("env %v: provider %s, want %s", c.env, got, c.want)
		}
	}
}

func TestBadConfigExitsNonZeroWithoutServing(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"--provider", "nope"}, getenv(nil), strings.NewReader(""), &out, &errb)
	if code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), "provider") {
		t.Errorf("code=%d stdout=%q stderr=%q", code, out.String(), errb.String())
	}
}

// Users copy flags from the README: every flag is in its table, and the
// table names no flag the binary does not read.
func TestREADMEListsExactlyTheFlags(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, f := range flagSpecs {
		known[f.name] = true
		if !strings.Contains(string(b), "| `--"+f.name+"` | `"+envName(f.name)+"` |") {
			t.Errorf("README's flag table has no row for --%s", f.name)
		}
	}
	for _, m := range regexp.MustCompile("(?m)^\\| `--([a-z-]+)`").FindAllStringSubmatch(string(b), -1) {
		if !known[m[1]] {
			t.Errorf("README lists --%s, which scrapemcp does not read", m[1])
		}
	}
}

// A listener other machines can reach needs a token, or the operator's
// explicit --insecure-no-auth; the refusal happens before anything binds.
func TestExposedAddressWithoutTokenIsRefused(t *testing.T) {
	for _, transport := range []string{"http", "sse"} {
		var out, errb bytes.Buffer
		code := run([]string{transport, "--provider", "local", "--addr", "0.0.0.0:0"}, getenv(nil), strings.NewReader(""), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), "--auth-token") || !strings.Contains(errb.String(), "--insecure-no-auth") {
			t.Errorf("%s on 0.0.0.0 without a token: code=%d stderr=%q", transport, code, errb.String())
		}
	}
}

// Booleans are written bare in the README and in host configs
// ("args": ["--read-only", "stdio"]); they must also take =true/=false,
// before or after the subcommand, and come from their env twin.
func TestBooleanFlags(t *testing.T) {
	get := func(c *config, name string) bool {
		return map[string]bool{"read-only": c.readOnly, "ignore-robots": c.ignoreRobots, "insecure-no-auth": c.insecureNoAuth}[name]
	}
	var booleans []string
	for _, f := range flagSpecs {
		if f.boolean() {
			booleans = append(booleans, f.name)
		}
	}
	if len(booleans) != 3 {
		t.Fatalf("booleans %v: teach this test the new one", booleans)
	}
	for _, name := range booleans {
		cases := []struct {
			args []string
			env  map[string]string
			want bool
		}{
			{[]string{"--" + name, "http"}, nil, true},
			{[]string{"http", "--" + name}, nil, true},
			{[]string{"-" + name, "http"}, nil, true},
			{[]string{"--" + name + "=true", "http"}, nil, true},
			{[]string{"http", "--" + name + "=true"}, nil, true},
			{[]string{"--" + name + "=false", "http"}, nil, false},
			{[]string{"http", "--" + name + "=false"}, nil, false},
			{[]string{"http"}, nil, false},
			{[]string{"http"}, map[string]string{envName(name): "true"}, true},
			{[]string{"http"}, map[string]string{envName(name): "1"}, true},
			{[]string{"http", "--" + name + "=false"}, map[string]string{envName(name): "true"}, false},
			{[]string{"--" + name}, nil, true}, // no subcommand: stdio
		}
		for _, c := range cases {
			cfg, cmd, rest, err := parse(c.args, getenv(c.env))
			if err != nil {
				t.Errorf("%v env %v: %v", c.args, c.env, err)
				continue
			}
			if got := get(cfg, name); got != c.want || len(rest) != 0 || (cmd != "http" && cmd != "stdio") {
				t.Errorf("%v env %v: %s=%v cmd=%s rest=%q, want %v", c.args, c.env, name, got, cmd, rest, c.want)
			}
		}
		// "--read-only false" would make "false" the subcommand: say how to write it.
		if _, err := parseArgs([]string{"--" + name, "false", "http"}, getenv(nil)); err == nil || !strings.Contains(err.Error(), "--"+name+"=false") {
			t.Errorf("--%s false: %v", name, err)
		}
		if _, _, _, err := parse([]string{"--" + name + "=maybe"}, getenv(nil)); err == nil || !strings.Contains(err.Error(), "want true or false") {
			t.Errorf("--%s=maybe: %v", name, err)
		}
	}
}

// A host config that passes a boolean starts the server instead of exiting.
func TestBareBooleanReachesTheServer(t *testing.T) {
	var out, errb syncBuffer
	code := run([]string{"--read-only", "--ignore-robots", "call", "job_cancel", `{"job_id":"local:crawl:x"}`}, getenv(nil), strings.NewReader(""), &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), `unknown tool "job_cancel"`) || !strings.Contains(errb.String(), "--read-only hides job_cancel") {
		t.Errorf("--read-only should hide job_cancel: code=%d stderr=%q", code, errb.String())
	}
}

func TestFlagsAfterTheJSON(t *testing.T) {
	cfg, cmd, rest, err := parse([]string{"call", "scrape", `{"url":"https://example.com/"}`, "--output", "json", "--read-only"}, getenv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cmd != "call" || cfg.output != "json" || !cfg.readOnly || len(rest) != 2 || rest[1] != `{"url":"https://example.com/"}` {
		t.Errorf("cmd=%s output=%s rest=%q", cmd, cfg.output, rest)
	}
	// "--" ends the flags.
	_, _, rest, err = parse([]string{"call", "--", "scrape", "--output"}, getenv(nil))
	if err != nil || len(rest) != 2 || rest[1] != "--output" {
		t.Errorf("after --: rest=%q err=%v", rest, err)
	}
}

func TestBadFlagIsOneLineAndExit2(t *testing.T) {
	for _, args := range [][]string{{"--bogus"}, {"http", "--bogus"}, {"--addr"}} {
		var out, errb bytes.Buffer
		code := run(args, getenv(nil), strings.NewReader(""), &out, &errb)
		if code != 2 || strings.Count(errb.String(), "\n") != 1 || strings.Contains(errb.String(), "Usage") || !strings.Contains(errb.String(), "--help") {
			t.Errorf("%v: code=%d stderr=%q", args, code, errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"--bogus"}, getenv(nil), strings.NewReader(""), &out, &errb); !strings.Contains(errb.String(), "unknown flag --bogus") {
		t.Errorf("code=%d stderr=%q", code, errb.String())
	}
}

func TestBadAddrIsAConfigError(t *testing.T) {
	for _, addr := range []string{"nonsense", "127.0.0.1:99999", "127.0.0.1:http-alt", "a b:80"} {
		var out, errb bytes.Buffer
		code := run([]string{"http", "--addr", addr}, getenv(nil), strings.NewReader(""), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), "--addr") {
			t.Errorf("--addr %q: code=%d stderr=%q", addr, code, errb.String())
		}
	}
}

func TestVersionEverySpelling(t *testing.T) {
	// A broken environment does not hide the version or the help.
	env := getenv(map[string]string{"SCRAPEMCP_MAX_OUTPUT": "lots"})
	for _, args := range [][]string{{"version"}, {"--version"}, {"-v"}, {"-version"}, {"http", "--version"}} {
		var out, errb bytes.Buffer
		code := run(args, env, strings.NewReader(""), &out, &errb)
		if code != 0 || !strings.HasPrefix(out.String(), "scrapemcp "+current.Version+" (") || errb.Len() != 0 {
			t.Errorf("%v: code=%d stdout=%q stderr=%q", args, code, out.String(), errb.String())
		}
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"http", "--help"}} {
		var out, errb bytes.Buffer
		code := run(args, getenv(map[string]string{"SCRAPEMCP_ADDR": "nonsense"}), strings.NewReader(""), &out, &errb)
		if code != 0 || !strings.Contains(out.String(), "Usage:") || errb.Len() != 0 {
			t.Errorf("%v: code=%d stderr=%q", args, code, errb.String())
		}
		for _, line := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(line, "  --") && (strings.Contains(line, "(default") || strings.Count(line, "[default") > 1) {
				t.Errorf("doubled default: %q", line)
			}
		}
		for _, f := range append(append([]flagSpec{}, flagSpecs...), commandFlags...) {
			if !strings.Contains(out.String(), "--"+f.name) {
				t.Errorf("--help does not list --%s", f.name)
			}
		}
	}
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		code int
		say  string
	}{
		{[]string{"bogus"}, 2, "want stdio, sse, http, call, config"},
		{[]string{"http", "extra"}, 2, "unexpected arguments"},
		{[]string{"--provider", "local", "call", "bogus", "{}"}, 2, "tools: batch_scrape, crawl"},
		{[]string{"--provider", "local", "call"}, 2, "tools: batch_scrape"},
		{[]string{"--provider", "local", "call", "scrape", "not json"}, 2, "JSON object"},
		{[]string{"--provider", "local", "call", "scrape", `{"url":"ftp://x"}`}, 1, "fix_request"},
		{[]string{"--print-path", "http"}, 2, "config command"},
	}
	for _, c := range cases {
		var out, errb syncBuffer
		code := run(c.args, getenv(nil), strings.NewReader(""), &out, &errb)
		if code != c.code || !strings.Contains(out.String()+errb.String(), c.say) {
			t.Errorf("%v: code=%d (want %d) stdout=%q stderr=%q (want %q)", c.args, code, c.code, out.String(), errb.String(), c.say)
		}
	}
}
