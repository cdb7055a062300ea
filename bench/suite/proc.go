package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// server is one MCP server the suite measures over stdio.
type server struct {
	Name    string
	Note    string
	Cmd     []string
	Env     []string
	Tool    string
	Args    func(url string) map[string]any
	URL     func(s *site, n int) string // the page to fetch for call n
	skipped string                      // why it was not run, if it was not
}

// proc is a running stdio server with a JSON-RPC client on its pipes.
type proc struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	mu      sync.Mutex
	pending map[int64]chan json.RawMessage
	next    atomic.Int64
	stderr  strings.Builder
	smu     sync.Mutex
	closed  chan struct{}
}

func cleanEnv(extra []string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ANAKIN_") || strings.HasPrefix(kv, "ALTERLAB_") || strings.HasPrefix(kv, "SCRAPEMCP_") || strings.HasPrefix(kv, "FIRECRAWL_") {
			continue
		}
		out = append(out, kv)
	}
	return append(out, extra...)
}

func start(cmdline []string, env []string) (*proc, error) {
	cmd := exec.Command(cmdline[0], cmdline[1:]...)
	cmd.Env = cleanEnv(env)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, in: in, pending: map[int64]chan json.RawMessage{}, closed: make(chan struct{})}
	cmd.Stderr = writerFunc(func(b []byte) (int, error) {
		p.smu.Lock()
		if p.stderr.Len() < 64<<10 {
			p.stderr.Write(b)
		}
		p.smu.Unlock()
		return len(b), nil
	})
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		defer close(p.closed)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 256<<20)
		for sc.Scan() {
			var m struct {
				ID     *int64 `json:"id"`
				Method string `json:"method"`
			}
			if json.Unmarshal(sc.Bytes(), &m) != nil || m.ID == nil || m.Method != "" {
				continue
			}
			p.mu.Lock()
			ch := p.pending[*m.ID]
			delete(p.pending, *m.ID)
			p.mu.Unlock()
			if ch != nil {
				ch <- append(json.RawMessage(nil), sc.Bytes()...)
			}
		}
	}()
	return p, nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

func (p *proc) send(v any) error {
	b, _ := json.Marshal(v)
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := p.in.Write(append(b, '\n'))
	return err
}

// call sends a request and waits for its answer (at most timeout).
func (p *proc) call(method string, params any, timeout time.Duration) (json.RawMessage, error) {
	id := p.next.Add(1)
	ch := make(chan json.RawMessage, 1)
	p.mu.Lock()
	p.pending[id] = ch
	p.mu.Unlock()
	if err := p.send(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params}); err != nil {
		return nil, err
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case m := <-ch:
		return m, nil
	case <-p.closed:
		return nil, fmt.Errorf("%s: the server exited: %s", method, p.tail())
	case <-t.C:
		return nil, fmt.Errorf("%s: no answer in %v: %s", method, timeout, p.tail())
	}
}

func (p *proc) tail() string {
	p.smu.Lock()
	defer p.smu.Unlock()
	s := p.stderr.String()
	if len(s) > 400 {
		s = s[len(s)-400:]
	}
	return strings.TrimSpace(s)
}

func (p *proc) initialize() error {
	_, err := p.call("initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "scrapemcp-bench", "version": "1"}}, 30*time.Second)
	if err != nil {
		return err
	}
	return p.send(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
}

// tool calls a tool and checks it succeeded.
func (p *proc) tool(name string, args map[string]any, timeout time.Duration) (json.RawMessage, error) {
	m, err := p.call("tools/call", map[string]any{"name": name, "arguments": args}, timeout)
	if err != nil {
		return nil, err
	}
	var r struct {
		Result *struct {
			IsError bool `json:"isError"`
		} `json:"result"`
		Error *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(m, &r); err != nil {
		return nil, err
	}
	switch {
	case r.Error != nil:
		return nil, fmt.Errorf("%s: JSON-RPC error %s", name, r.Error.Message)
	case r.Result == nil || r.Result.IsError:
		return nil, fmt.Errorf("%s failed: %.300s", name, m)
	}
	return m, nil
}

func (p *proc) stop() {
	_ = p.in.Close()
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// memKiB reads VmRSS or VmHWM of the process from /proc.
func (p *proc) memKiB(field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				n, _ := strconv.Atoi(f[1])
				return n
			}
		}
	}
	return 0
}
