package main

import (
	"fmt"
	"regexp"
	"strings"
)

// shellCommands splits shell text into simple commands of words, the way
// a POSIX shell would for the subset READMEs use: quotes, backslashes,
// comments, and the separators ; & && | ||. Variables are kept as written.
func shellCommands(text string) ([][]string, error) {
	var cmds [][]string
	var words []string
	var w strings.Builder
	inWord := false
	flushWord := func() {
		if inWord {
			words = append(words, w.String())
		}
		w.Reset()
		inWord = false
	}
	flushCmd := func() {
		flushWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words = nil
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\\' && i+1 < len(text) && text[i+1] == '\n':
			i++ // line continuation
		case c == '\\' && i+1 < len(text):
			w.WriteByte(text[i+1])
			inWord = true
			i++
		case c == '\'':
			j := strings.IndexByte(text[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated ' in %q", text)
			}
			w.WriteString(text[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '"':
			i++
			for ; i < len(text) && text[i] != '"'; i++ {
				if text[i] == '\\' && i+1 < len(text) && strings.IndexByte("\"\\$`", text[i+1]) >= 0 {
					i++
				}
				w.WriteByte(text[i])
			}
			if i >= len(text) {
				return nil, fmt.Errorf("unterminated \" in %q", text)
			}
			inWord = true
		case c == '#' && !inWord:
			for i < len(text) && text[i] != '\n' {
				i++
			}
			flushCmd()
		case c == ';' || c == '&' || c == '|' || c == '\n':
			flushCmd()
			if i+1 < len(text) && (text[i+1] == c) && c != '\n' {
				i++
			}
		case c == ' ' || c == '\t':
			flushWord()
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	flushCmd()
	return cmds, nil
}

type claudeAdd struct {
	transport, scope, name, command string
	args, env, headers              []string
}

var envAssignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// parseClaudeMCPAdd parses `claude mcp add [options] <name> <commandOrUrl>
// [args...]` as Claude Code's CLI (commander) does: --env and --header take
// every following word that is not an option, so the name must come first.
func parseClaudeMCPAdd(line string) (*claudeAdd, error) {
	cmds, err := shellCommands(line)
	if err != nil {
		return nil, err
	}
	if len(cmds) != 1 {
		return nil, fmt.Errorf("want one command, got %d", len(cmds))
	}
	w := cmds[0]
	if len(w) < 3 || w[0] != "claude" || w[1] != "mcp" || w[2] != "add" {
		return nil, fmt.Errorf("not claude mcp add: %q", w)
	}
	c := &claudeAdd{transport: "stdio"}
	var positional []string
	one := map[string]*string{"--transport": &c.transport, "-t": &c.transport, "--scope": &c.scope, "-s": &c.scope}
	many := map[string]*[]string{"--env": &c.env, "-e": &c.env, "--header": &c.headers, "-H": &c.headers}
	for i := 3; i < len(w); i++ {
		a := w[i]
		if a == "--" {
			positional = append(positional, w[i+1:]...)
			break
		}
		name, val, hasVal := strings.Cut(a, "=")
		switch {
		case one[name] != nil:
			if !hasVal {
				if i+1 >= len(w) {
					return nil, fmt.Errorf("%s needs a value", a)
				}
				i++
				val = w[i]
			}
			*one[name] = val
		case many[name] != nil:
			if hasVal {
				*many[name] = append(*many[name], val)
			}
			for i+1 < len(w) && !strings.HasPrefix(w[i+1], "-") {
				i++
				*many[name] = append(*many[name], w[i])
			}
		case strings.HasPrefix(a, "-"):
			return nil, fmt.Errorf("unknown option %s", a)
		default:
			positional = append(positional, a)
		}
	}
	for _, e := range c.env {
		if !envAssignment.MatchString(e) {
			return nil, fmt.Errorf("Invalid environment variable format: %q (put --env after the server name)", e)
		}
	}
	for _, h := range c.headers {
		if !strings.Contains(h, ":") {
			return nil, fmt.Errorf("invalid header %q (put --header after the URL)", h)
		}
	}
	if len(positional) < 2 {
		return nil, fmt.Errorf("want a name and a command or URL, got %q", positional)
	}
	c.name, c.command, c.args = positional[0], positional[1], positional[2:]
	switch c.transport {
	case "stdio":
	case "http", "sse":
		if !strings.HasPrefix(c.command, "http://") && !strings.HasPrefix(c.command, "https://") {
			return nil, fmt.Errorf("--transport %s wants a URL, got %q", c.transport, c.command)
		}
	default:
		return nil, fmt.Errorf("unknown transport %q", c.transport)
	}
	return c, nil
}
