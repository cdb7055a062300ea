package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// scrapemcp config CLIENT prints a block that starts this very binary from
// CLIENT over stdio, with the flags and provider variables the user set and
// nothing else. Key values are named, not printed, unless --with-secrets.

type hostClient struct {
	name string
	// render writes the block; notes go to the user on stderr.
	render func(e hostEntry) (block string, notes []string)
	// path is where the client keeps its configuration on goos.
	path func(goos, home, appdata string) string
}

// hostEntry is one server entry: an absolute command, its arguments, and
// the environment it needs.
type hostEntry struct {
	command string
	args    []string
	env     []hostEnv
}

type hostEnv struct {
	name, value string
	secret      bool // an API key: referenced, not written, unless value is set
}

var hostClients = []hostClient{
	{"claude-desktop", renderClaudeDesktop, func(goos, home, appdata string) string {
		switch goos {
		case "darwin":
			return osJoin(goos, home, "Library", "Application Support", "Claude", "claude_desktop_config.json")
		case "windows":
			return osJoin(goos, appdata, "Claude", "claude_desktop_config.json")
		}
		return osJoin(goos, home, ".config", "Claude", "claude_desktop_config.json")
	}},
	{"claude-code", renderClaudeCode, func(goos, home, _ string) string {
		return osJoin(goos, home, ".claude.json")
	}},
	{"vscode", renderVSCode, func(goos, home, appdata string) string {
		switch goos {
		case "darwin":
			return osJoin(goos, home, "Library", "Application Support", "Code", "User", "mcp.json")
		case "windows":
			return osJoin(goos, appdata, "Code", "User", "mcp.json")
		}
		return osJoin(goos, home, ".config", "Code", "User", "mcp.json")
	}},
	{"cursor", renderCursor, func(goos, home, _ string) string {
		return osJoin(goos, home, ".cursor", "mcp.json")
	}},
}

func configClients() []string {
	var names []string
	for _, c := range hostClients {
		names = append(names, c.name)
	}
	return names
}

func osJoin(goos string, parts ...string) string {
	if goos == "windows" {
		return strings.Join(parts, `\`)
	}
	return strings.Join(parts, "/")
}

// transportOnly are flags a stdio entry has no use for.
var transportOnly = []string{"addr", "auth-token", "allow-origins", "insecure-no-auth", "max-conns", "output"}

// entryFor builds the stdio entry for exe from what the user set.
func entryFor(exe string, inv *invocation, getenv func(string) string) hostEntry {
	e := hostEntry{command: exe}
	for _, f := range inv.setFlags {
		if slices.Contains(transportOnly, f.name) {
			continue
		}
		if spec := specOf(f.name); spec.boolean() {
			if b, _ := strconv.ParseBool(strings.TrimSpace(f.value)); b {
				e.args = append(e.args, "--"+f.name)
			}
			continue
		}
		e.args = append(e.args, "--"+f.name+"="+f.value)
	}
	e.args = append(e.args, "stdio")
	prov := inv.cfg.resolvedProvider()
	for _, v := range []struct {
		provider, name string
		secret         bool
	}{
		{"anakin", "ANAKIN_API_KEY", true}, {"anakin", "ANAKIN_API_URL", false},
		{"alterlab", "ALTERLAB_API_KEY", true}, {"alterlab", "ALTERLAB_API_URL", false},
	} {
		val := strings.TrimSpace(getenv(v.name))
		if v.provider != prov || val == "" {
			continue
		}
		env := hostEnv{name: v.name, value: val, secret: v.secret}
		if v.secret && !inv.withSecrets {
			env.value = ""
		}
		e.env = append(e.env, env)
	}
	return e
}

func specOf(name string) flagSpec {
	for _, f := range flagSpecs {
		if f.name == name {
			return f
		}
	}
	return flagSpec{}
}

func configCommand(inv *invocation, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(inv.rest) != 1 {
		fmt.Fprintf(stderr, "scrapemcp: usage: scrapemcp [flags] config CLIENT [--print-path] [--with-secrets]; clients: %s\n",
			strings.Join(configClients(), ", "))
		return 2
	}
	i := slices.IndexFunc(hostClients, func(c hostClient) bool { return c.name == inv.rest[0] })
	if i < 0 {
		fmt.Fprintf(stderr, "scrapemcp: unknown client %q; clients: %s\n", inv.rest[0], strings.Join(configClients(), ", "))
		return 2
	}
	hc := hostClients[i]
	if inv.printPath {
		home, _ := os.UserHomeDir()
		fmt.Fprintln(stdout, hc.path(runtime.GOOS, home, getenv("APPDATA")))
		return 0
	}
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		fmt.Fprintf(stderr, "scrapemcp: cannot find this binary's path: %v\n", err)
		return 3
	}
	if strings.Contains(filepath.ToSlash(exe), "/go-build") {
		fmt.Fprintf(stderr, "scrapemcp: warning: %s is a temporary `go run` build that will be deleted; "+
			"run `go build -o scrapemcp .` (or go install) and then `./scrapemcp config %s`\n", exe, hc.name)
	}
	block, notes := hc.render(entryFor(exe, inv, getenv))
	fmt.Fprint(stdout, block)
	for _, n := range notes {
		fmt.Fprintln(stderr, n)
	}
	return 0
}

func marshalBlock(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
	return b.String()
}

// envMap gives each variable its value, or ref(name) for an unwritten key.
func envMap(env []hostEnv, ref func(name string) string) map[string]string {
	if len(env) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, v := range env {
		m[v.name] = v.value
		if v.secret && v.value == "" {
			m[v.name] = ref(v.name)
		}
	}
	return m
}

func unwritten(env []hostEnv) []string {
	var out []string
	for _, v := range env {
		if v.secret && v.value == "" {
			out = append(out, v.name)
		}
	}
	return out
}

type stdioServer struct {
	Type    string            `json:"type,omitempty"`
	Command string            `json:"command"`
	Args    []string          `json:"args"`
	Env     map[string]string `json:"env,omitempty"`
}

func renderClaudeDesktop(e hostEntry) (string, []string) {
	// Claude Desktop expands no variables: the key is left empty for the
	// user to paste, and an empty key means the local backend, not a bad key.
	env := envMap(e.env, func(string) string { return "" })
	block := marshalBlock(map[string]any{"mcpServers": map[string]any{
		"scrapemcp": stdioServer{Command: e.command, Args: e.args, Env: env}}})
	var notes []string
	for _, name := range unwritten(e.env) {
		notes = append(notes, fmt.Sprintf("note: paste your %s between the quotes (Claude Desktop does not read your shell's environment), or rerun with --with-secrets to have it written there", name))
	}
	return block, notes
}

func renderCursor(e hostEntry) (string, []string) {
	env := envMap(e.env, func(name string) string { return "${env:" + name + "}" })
	block := marshalBlock(map[string]any{"mcpServers": map[string]any{
		"scrapemcp": stdioServer{Command: e.command, Args: e.args, Env: env}}})
	var notes []string
	for _, name := range unwritten(e.env) {
		notes = append(notes, fmt.Sprintf("note: Cursor reads %s from the environment it was started in (${env:%s}); start Cursor from a shell that has it, or rerun with --with-secrets", name, name))
	}
	return block, notes
}

func inputID(name string) string { return strings.ReplaceAll(strings.ToLower(name), "_", "-") }

func renderVSCode(e hostEntry) (string, []string) {
	env := envMap(e.env, func(name string) string { return "${input:" + inputID(name) + "}" })
	type input struct {
		Type        string `json:"type"`
		ID          string `json:"id"`
		Description string `json:"description"`
		Password    bool   `json:"password"`
	}
	var inputs []input
	for _, name := range unwritten(e.env) {
		inputs = append(inputs, input{"promptString", inputID(name), name + " for scrapemcp", true})
	}
	doc := struct {
		Servers map[string]stdioServer `json:"servers"`
		Inputs  []input                `json:"inputs,omitempty"`
	}{map[string]stdioServer{"scrapemcp": {Type: "stdio", Command: e.command, Args: e.args, Env: env}}, inputs}
	return marshalBlock(doc), nil
}

func renderClaudeCode(e hostEntry) (string, []string) {
	// The name comes before --env: --env takes several values and would
	// swallow it (claude: "Invalid environment variable format").
	parts := []string{"claude", "mcp", "add", "--transport", "stdio", "scrapemcp"}
	for _, v := range e.env {
		if v.secret && v.value == "" {
			parts = append(parts, "--env", v.name+`="$`+v.name+`"`)
		} else {
			parts = append(parts, "--env", shellQuote(v.name+"="+v.value))
		}
	}
	parts = append(parts, "--", shellQuote(e.command))
	for _, a := range e.args {
		parts = append(parts, shellQuote(a))
	}
	var notes []string
	for _, name := range unwritten(e.env) {
		notes = append(notes, fmt.Sprintf("note: your shell fills in $%s when you run the line; it is not printed here", name))
	}
	return strings.Join(parts, " ") + "\n", notes
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,@+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
