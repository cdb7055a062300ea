package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is one scrapemcp process started by a probe.
type proc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.ReadCloser
	stderr *logBuf
	url    string // http/sse: the announced URL
	done   chan struct{}
	exit   int // valid once done is closed; -1 killed by a signal
	exited time.Time
}

// logBuf collects a process's stderr and tells who waits when a line
// matches.
type logBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() < 1<<20 {
		l.buf.Write(p)
	}
	return len(p), nil
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// env is the environment of every server: the probe's own, without any
// provider credentials or scrapemcp settings, plus extra.
func env(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ANAKIN_") || strings.HasPrefix(kv, "ALTERLAB_") || strings.HasPrefix(kv, "SCRAPEMCP_") {
			continue
		}
		out = append(out, kv)
	}
	return append(out, extra...)
}

// run is a probe's bookkeeping: whatever it started is killed when it ends.
type run struct {
	mu      sync.Mutex
	procs   []*proc
	cleanup []func()
}

func (r *run) defer_(f func()) {
	r.mu.Lock()
	r.cleanup = append(r.cleanup, f)
	r.mu.Unlock()
}

func (r *run) close() {
	r.mu.Lock()
	procs, cleanup := r.procs, r.cleanup
	r.procs, r.cleanup = nil, nil
	r.mu.Unlock()
	for _, p := range procs {
		p.kill()
	}
	for i := len(cleanup) - 1; i >= 0; i-- {
		cleanup[i]()
	}
}

// start runs bin with args. With pipes, stdin and stdout are the caller's
// to use (stdio).
func (r *run) start(bin string, extraEnv []string, pipes bool, args ...string) (*proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env(extraEnv...)
	p := &proc{cmd: cmd, stderr: &logBuf{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	var err error
	if pipes {
		if p.stdin, err = cmd.StdinPipe(); err != nil {
			return nil, err
		}
		if p.stdout, err = cmd.StdoutPipe(); err != nil {
			return nil, err
		}
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.procs = append(r.procs, p)
	r.mu.Unlock()
	go func() {
		err := cmd.Wait()
		p.exited = time.Now()
		p.exit = 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.exit = ee.ExitCode()
		} else if err != nil {
			p.exit = -2
		}
		close(p.done)
	}()
	return p, nil
}

var urlRE = regexp.MustCompile(`url=(http://\S+)`)

// serve starts an http or sse server and waits for the URL it announces.
func (r *run) serve(bin string, extraEnv []string, args ...string) (*proc, error) {
	args = append([]string{"--addr", "127.0.0.1:0"}, args...)
	p, err := r.start(bin, extraEnv, false, args...)
	if err != nil {
		return nil, err
	}
	if err := p.waitURL(10 * time.Second); err != nil {
		return nil, err
	}
	return p, nil
}

// waitURL waits for the log line announcing the URL, or for an exit.
func (p *proc) waitURL(d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if m := urlRE.FindStringSubmatch(p.stderr.String()); m != nil {
			p.url = m[1]
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("exited %d: %s", p.exit, firstLine(p.stderr.String()))
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("no url= line after %s", d)
}

// base is the server's scheme://host:port.
func (p *proc) base() string {
	u := p.url
	i := strings.Index(u[len("http://"):], "/")
	return u[:len("http://")+i]
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
	}
}

func (p *proc) signal(s syscall.Signal) { _ = p.cmd.Process.Signal(s) }

// waitExit waits up to d for the process to exit.
func (p *proc) waitExit(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

// mem is VmHWM (peak RSS) and VmRSS in KiB.
func (p *proc) mem() (hwm, rss int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid()))
	if err != nil {
		return -1, -1
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmHWM:":
			hwm = v
		case "VmRSS:":
			rss = v
		}
	}
	return hwm, rss
}

// cpu is user+system time the process has used.
func (p *proc) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid()))
	if err != nil {
		return -1
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	// Fields after the command: state is f[0], utime f[11], stime f[12].
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
}

// fds counts the process's open file descriptors.
func (p *proc) fds() int {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", p.pid()))
	if err != nil {
		return -1
	}
	return len(ents)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func mb(kib int64) string { return fmt.Sprintf("%.0f MB", float64(kib)/1024) }
