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

func TestFlagsWinOverEnvAndEnvOverDefaults(t *testing.T) {
	env := getenv(map[string]string{"SCRAPEMCP_MAX_OUTPUT": "5000", "SCRAPEMCP_ADDR": "127.0.0.1:9999"})
	cfg, cmd, _, err := parseArgs([]string{"--max-output", "7000", "http"}, env, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cmd != "http" || cfg.maxOutput != 7000 || cfg.addr != "127.0.0.1:9999" {
		t.Errorf("cmd=%s maxOutput=%d addr=%s", cmd, cfg.maxOutput, cfg.addr)
	}
}

func TestFlagsMayFollowTheSubcommand(t *testing.T) {
	cfg, cmd, rest, err := parseArgs([]string{"--allow-hosts", "127.0.0.1", "call", "--output", "json", "scrape", `{"url":"x"}`}, getenv(nil), &bytes.Buffer{})
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
		if _, _, _, err := parseArgs(nil, getenv(env), &bytes.Buffer{}); err != nil {
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
		_, _, _, err := parseArgs(args, getenv(nil), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%v: error %v does not name --%s", args, err, name)
		}
	}
}

func TestExplicitProviderNeedsItsKey(t *testing.T) {
	for _, p := range []string{"anakin", "alterlab"} {
		_, _, _, err := parseArgs([]string{"--provider", p}, getenv(nil), &bytes.Buffer{})
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
		cfg, _, _, err := parseArgs(nil, getenv(c.env), &bytes.Buffer{})
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
