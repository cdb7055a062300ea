package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The README is run, not just read: these tests hold it to what the binary
// does, so that every line works when pasted.

type mdBlock struct {
	lang, text string
	line       int
}

// readmeParts splits README.md into fenced blocks and the prose around them.
func readmeParts(t *testing.T) (blocks []mdBlock, prose string) {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var cur *mdBlock
	var p strings.Builder
	for i, line := range strings.Split(string(b), "\n") {
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &mdBlock{lang: strings.TrimPrefix(line, "```"), line: i + 1}
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		default:
			p.WriteString(line + "\n")
		}
	}
	if cur != nil {
		t.Fatalf("README.md: block at line %d is not closed", cur.line)
	}
	return blocks, p.String()
}

// helpFlags are the flags `scrapemcp --help` lists.
func helpFlags(t *testing.T) map[string]bool {
	var b bytes.Buffer
	usage(&b)
	flags := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^  --([a-z][a-z0-9-]*)`).FindAllStringSubmatch(b.String(), -1) {
		flags[m[1]] = true
	}
	if len(flags) < len(flagSpecs) {
		t.Fatalf("--help lists %d flags: %v", len(flags), flags)
	}
	return flags
}

// fakeapiFlags are the flags internal/fakeapi defines.
func fakeapiFlags(t *testing.T) map[string]bool {
	b, err := os.ReadFile("internal/fakeapi/main.go")
	if err != nil {
		t.Fatal(err)
	}
	flags := map[string]bool{}
	for _, m := range regexp.MustCompile(`flag\.(?:String|Bool|Int|Duration)\("([a-z-]+)"`).FindAllStringSubmatch(string(b), -1) {
		flags[m[1]] = true
	}
	return flags
}

var flagToken = regexp.MustCompile(`^--?([a-z][a-z0-9-]*)(=.*)?$`)

func isScrapemcp(word string) bool { return path.Base(word) == "scrapemcp" }

// Every --flag in a shell line that runs scrapemcp (directly, through go
// run, docker run or claude mcp add) or the fake API exists there; every
// claude mcp add line parses in the order Claude Code's CLI wants; and the
// scrapemcp command lines parse as the binary would parse them.
func TestREADMEShellLines(t *testing.T) {
	blocks, _ := readmeParts(t)
	scrapemcpFlags, fakeFlags := helpFlags(t), fakeapiFlags(t)
	checkFlags := func(b mdBlock, prog string, args []string, known map[string]bool) {
		for _, a := range args {
			if a == "--" {
				return
			}
			if m := flagToken.FindStringSubmatch(a); m != nil && !known[m[1]] {
				t.Errorf("README.md block at line %d: %s has no flag %s", b.line, prog, a)
			}
		}
	}
	parseAsScrapemcp := func(b mdBlock, args []string) {
		inv, err := parseArgs(args, getenv(nil))
		if err != nil {
			t.Errorf("README.md block at line %d: scrapemcp %q: %v", b.line, args, err)
			return
		}
		if inv.cfgErr != nil {
			t.Errorf("README.md block at line %d: scrapemcp %q: %v", b.line, args, inv.cfgErr)
		}
	}
	claudeLines, scrapemcpRuns := 0, 0
	for _, b := range blocks {
		if b.lang != "sh" {
			continue
		}
		cmds, err := shellCommands(b.text)
		if err != nil {
			t.Errorf("README.md block at line %d: %v", b.line, err)
			continue
		}
		for _, w := range cmds {
			for len(w) > 0 && envAssignment.MatchString(w[0]) { // VAR=value cmd …
				w = w[1:]
			}
			if len(w) == 0 {
				continue
			}
			switch {
			case isScrapemcp(w[0]):
				scrapemcpRuns++
				checkFlags(b, "scrapemcp", w[1:], scrapemcpFlags)
				parseAsScrapemcp(b, w[1:])
			case len(w) > 2 && w[0] == "go" && w[1] == "run" && w[2] == ".":
				scrapemcpRuns++
				checkFlags(b, "scrapemcp", w[3:], scrapemcpFlags)
				parseAsScrapemcp(b, w[3:])
			case path.Base(w[0]) == "fakeapi":
				checkFlags(b, "fakeapi", w[1:], fakeFlags)
			case w[0] == "docker" && len(w) > 1 && w[1] == "run":
				if i := lastIndex(w, "scrapemcp"); i > 0 {
					checkFlags(b, "scrapemcp", w[i+1:], scrapemcpFlags)
				}
			case len(w) > 2 && w[0] == "claude" && w[1] == "mcp" && w[2] == "add":
				claudeLines++
				c, err := parseClaudeMCPAdd(strings.Join(quoteAll(w), " "))
				if err != nil {
					t.Errorf("README.md block at line %d: %v", b.line, err)
					continue
				}
				if !strings.HasPrefix(c.name, "scrapemcp") {
					t.Errorf("README.md block at line %d: server name %q", b.line, c.name)
				}
				if c.transport == "stdio" {
					if !isScrapemcp(c.command) || !strings.HasPrefix(c.command, "$PWD/") {
						t.Errorf("README.md block at line %d: command %q is not an absolute path to scrapemcp", b.line, c.command)
					}
					checkFlags(b, "scrapemcp", c.args, scrapemcpFlags)
					parseAsScrapemcp(b, c.args)
				}
			}
		}
	}
	if claudeLines < 3 || scrapemcpRuns < 5 {
		t.Errorf("found %d claude mcp add lines and %d scrapemcp runs: is the parser still reading the README?", claudeLines, scrapemcpRuns)
	}
}

// lastIndex finds the image in docker run's words (a --name may repeat it).
func lastIndex(w []string, s string) int {
	for i := len(w) - 1; i >= 0; i-- {
		if w[i] == s {
			return i
		}
	}
	return -1
}

// quoteAll re-quotes words so a parsed command can be parsed again.
func quoteAll(w []string) []string {
	out := make([]string, len(w))
	for i, s := range w {
		out[i] = shellQuote(s)
	}
	return out
}

// The parser fails the way Claude Code does on the line the README used to have.
func TestClaudeMCPAddOrder(t *testing.T) {
	bad := []string{
		`claude mcp add --transport stdio --env ALTERLAB_API_KEY=$ALTERLAB_API_KEY scrapemcp -- /opt/scrapemcp stdio`,
		`claude mcp add --transport http --header "Authorization: Bearer x" scrapemcp http://127.0.0.1:8080/mcp`,
		`claude mcp add --transport http scrapemcp /opt/scrapemcp`,
	}
	for _, line := range bad {
		if c, err := parseClaudeMCPAdd(line); err == nil {
			t.Errorf("%s parsed as %+v", line, c)
		}
	}
	c, err := parseClaudeMCPAdd(`claude mcp add --transport stdio scrapemcp --env A=1 --env B="two words" -- /opt/scrapemcp --read-only stdio`)
	want := &claudeAdd{transport: "stdio", name: "scrapemcp", command: "/opt/scrapemcp", args: []string{"--read-only", "stdio"}, env: []string{"A=1", "B=two words"}}
	if err != nil || !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v, %v", c, err)
	}
}

// Flags named in the prose exist too. Other programs' flags are listed
// with the program they belong to.
func TestREADMEProseFlags(t *testing.T) {
	_, prose := readmeParts(t)
	known := helpFlags(t)
	others := map[string]string{"env": "claude mcp add", "url-file": "fakeapi"}
	for _, m := range regexp.MustCompile("`(--[a-z][a-z0-9-]*)[^`]*`").FindAllStringSubmatch(prose, -1) {
		name := strings.TrimPrefix(m[1], "--")
		if !known[name] {
			if _, ok := others[name]; !ok {
				t.Errorf("README.md names %s, which scrapemcp --help does not list", m[1])
			}
		}
	}
}

// A host block is pasted as is: it must be JSON, start an absolute path,
// and hold no placeholder that would become a real value (a key reading
// "optional — omit…" selects a provider and fails every call).
func TestREADMEJSONBlocks(t *testing.T) {
	blocks, _ := readmeParts(t)
	placeholder := regexp.MustCompile(`(?i)…|\.\.\.|/path/to|<[a-z _-]+>|\byour\b|optional|omit|replace|changeme|xxx|todo|\$\{?[A-Z_]+\}?`)
	hostBlocks := 0
	for _, b := range blocks {
		if b.lang != "json" {
			continue
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(b.text), &doc); err != nil {
			t.Errorf("README.md block at line %d is not JSON: %v", b.line, err)
			continue
		}
		servers, ok := doc["mcpServers"].(map[string]any)
		if !ok {
			servers, ok = doc["servers"].(map[string]any)
		}
		if !ok {
			continue // an illustration of a result, not a config to paste
		}
		hostBlocks++
		for _, s := range placeholder.FindAllString(b.text, -1) {
			t.Errorf("README.md block at line %d has a placeholder: %q", b.line, s)
		}
		for name, v := range servers {
			entry, _ := v.(map[string]any)
			cmd, _ := entry["command"].(string)
			if !strings.HasPrefix(cmd, "/") || !isScrapemcp(cmd) {
				t.Errorf("README.md block at line %d: %s's command %q is not an absolute path to scrapemcp", b.line, name, cmd)
			}
			// The block is what `scrapemcp config claude-desktop` prints.
			args, _ := json.Marshal(entry["args"])
			var a []string
			_ = json.Unmarshal(args, &a)
			got, _ := renderClaudeDesktop(hostEntry{command: cmd, args: a})
			var gotDoc map[string]any
			_ = json.Unmarshal([]byte(got), &gotDoc)
			if !reflect.DeepEqual(gotDoc, doc) {
				t.Errorf("README.md block at line %d differs from scrapemcp config claude-desktop:\n%s", b.line, got)
			}
		}
	}
	if hostBlocks == 0 {
		t.Error("README.md has no host block: is this test still reading it?")
	}
}
