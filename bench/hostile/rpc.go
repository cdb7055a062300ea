package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// msg is one JSON-RPC message from the server.
type msg struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Params struct {
		ProgressToken json.RawMessage `json:"progressToken"`
	} `json:"params"`
	raw []byte
	seq int64 // arrival order
}

// arrivals numbers messages in the order the probe received them, across
// streams.
var arrivals atomic.Int64

func parseMsg(b []byte) msg {
	var m msg
	_ = json.Unmarshal(b, &m)
	m.raw = append([]byte(nil), b...)
	m.seq = arrivals.Add(1)
	return m
}

func (m msg) id() string    { return strings.Trim(string(m.ID), `"`) }
func (m msg) token() string { return strings.Trim(string(m.Params.ProgressToken), `"`) }
func (m msg) isProgress() bool {
	return m.Method == "notifications/progress"
}

// answer says what a response is: "ok", "tool error <code>" or "error <code>: <message>".
func (m msg) answer() string {
	if m.Error != nil {
		return fmt.Sprintf("error %d: %s", m.Error.Code, clip(m.Error.Message, 90))
	}
	r := m.toolResult()
	if r.IsError {
		return "tool error " + r.Structured.Error.Code
	}
	return "ok"
}

type toolResult struct {
	IsError    bool `json:"isError"`
	Structured struct {
		JobID string `json:"job_id"`
		Pages []any  `json:"pages"`
		Error struct {
			Code       string `json:"code"`
			HTTPStatus int    `json:"http_status"`
		} `json:"error"`
		Guidance struct {
			Action string `json:"action"`
		} `json:"guidance"`
	} `json:"structuredContent"`
}

func (m msg) toolResult() toolResult {
	var r toolResult
	_ = json.Unmarshal(m.Result, &r)
	return r
}

// inbox collects a stream's messages in arrival order.
type inbox struct {
	mu   sync.Mutex
	cond *sync.Cond
	msgs []msg
	eof  bool
}

func newInbox() *inbox {
	b := &inbox{}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *inbox) add(m msg) {
	b.mu.Lock()
	b.msgs = append(b.msgs, m)
	b.mu.Unlock()
	b.cond.Broadcast()
}

func (b *inbox) end() {
	b.mu.Lock()
	b.eof = true
	b.mu.Unlock()
	b.cond.Broadcast()
}

func (b *inbox) all() []msg {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]msg(nil), b.msgs...)
}

// wait returns the first message matching f, waiting up to d.
func (b *inbox) wait(d time.Duration, f func(msg) bool) (msg, bool) {
	t := time.AfterFunc(d, b.cond.Broadcast)
	defer t.Stop()
	deadline := time.Now().Add(d)
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		for _, m := range b.msgs {
			if f(m) {
				return m, true
			}
		}
		if b.eof || !time.Now().Before(deadline) {
			return msg{}, false
		}
		b.cond.Wait()
	}
}

func (b *inbox) waitID(d time.Duration, id string) (msg, bool) {
	return b.wait(d, func(m msg) bool { return m.Method == "" && m.id() == id && len(m.ID) > 0 })
}

// readLines feeds newline-delimited JSON into b.
func readLines(r io.Reader, b *inbox) {
	br := bufio.NewReaderSize(r, 1<<16)
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			b.add(parseMsg(bytes.TrimSpace(line)))
		}
		if err != nil {
			b.end()
			return
		}
	}
}

// readSSE feeds the data of "message" events into b, and calls onEvent for
// every event (name, data).
func readSSE(r io.Reader, b *inbox, onEvent func(name, data string)) {
	br := bufio.NewReaderSize(r, 1<<16)
	name, data := "", ""
	for {
		line, err := br.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(line, "event:"):
			name = strings.TrimSpace(line[6:])
		case strings.HasPrefix(line, "data:"):
			data += strings.TrimPrefix(line[5:], " ")
		case line == "" && (data != "" || name != ""):
			if onEvent != nil {
				onEvent(name, data)
			}
			if (name == "" || name == "message") && data != "" {
				b.add(parseMsg([]byte(data)))
			}
			name, data = "", ""
		}
		if err != nil {
			b.end()
			return
		}
	}
}

// rpc builds a JSON-RPC request line.
func rpc(id any, method string, params any) []byte {
	m := map[string]any{"jsonrpc": "2.0", "method": method}
	if id != nil {
		m["id"] = id
	}
	if params != nil {
		m["params"] = params
	}
	b, _ := json.Marshal(m)
	return b
}

const legacyVersion = "2025-06-18"

func initParams() map[string]any {
	return map[string]any{"protocolVersion": legacyVersion, "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "hostile-probe", "version": "0"}}
}

func callParams(tool string, args map[string]any, token string) map[string]any {
	p := map[string]any{"name": tool, "arguments": args}
	if token != "" {
		p["_meta"] = map[string]any{"progressToken": token}
	}
	return p
}

// stdioClient speaks newline-delimited JSON-RPC to a stdio server.
type stdioClient struct {
	p  *proc
	in *inbox
	mu sync.Mutex
}

func (r *run) stdio(bin string, args ...string) (*stdioClient, error) {
	p, err := r.start(bin, nil, true, append(args, "stdio")...)
	if err != nil {
		return nil, err
	}
	c := &stdioClient{p: p, in: newInbox()}
	go readLines(p.stdout, c.in)
	return c, nil
}

func (c *stdioClient) send(line []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := c.p.stdin.Write(append(line, '\n'))
	return err
}

// initialize runs the handshake and says whether it succeeded.
func (c *stdioClient) initialize() error {
	if err := c.send(rpc("init", "initialize", initParams())); err != nil {
		return err
	}
	if _, ok := c.in.waitID(10*time.Second, "init"); !ok {
		return fmt.Errorf("no initialize answer after 10s")
	}
	return c.send(rpc(nil, "notifications/initialized", nil))
}

// httpClient posts to a streamable-HTTP endpoint.
type httpClient struct {
	url, token string
	session    string
	hc         *http.Client
}

func newHTTPClient(url, token string, timeout time.Duration) *httpClient {
	return &httpClient{url: url, token: token, hc: &http.Client{Timeout: timeout}}
}

// post sends one message and returns the status and the messages of the
// response (JSON or an event stream).
func (c *httpClient) post(body []byte, hdr map[string]string) (int, []msg, error) {
	req, _ := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.session != "" {
		req.Header.Set("Mcp-Session-Id", c.session)
		req.Header.Set("Mcp-Protocol-Version", legacyVersion)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	if s := resp.Header.Get("Mcp-Session-Id"); s != "" {
		c.session = s
	}
	in := newInbox()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		readSSE(resp.Body, in, nil)
	} else {
		b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		if err != nil {
			return resp.StatusCode, nil, err
		}
		if len(bytes.TrimSpace(b)) > 0 && bytes.TrimSpace(b)[0] == '{' {
			in.add(parseMsg(bytes.TrimSpace(b)))
		}
	}
	return resp.StatusCode, in.all(), nil
}

func (c *httpClient) initialize() (int, error) {
	st, _, err := c.post(rpc("init", "initialize", initParams()), nil)
	if err != nil || st != 200 {
		return st, err
	}
	_, _, _ = c.post(rpc(nil, "notifications/initialized", nil), nil)
	return st, nil
}

// sseClient holds an SSE stream and posts to the endpoint it announces.
type sseClient struct {
	base     string
	endpoint chan string
	msgURL   string
	in       *inbox
	resp     *http.Response
}

func openSSE(base string, timeout time.Duration) (*sseClient, error) {
	req, _ := http.NewRequest(http.MethodGet, base+"/sse", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		resp.Body.Close()
		return nil, fmt.Errorf("GET /sse: %d", resp.StatusCode)
	}
	c := &sseClient{base: base, endpoint: make(chan string, 1), in: newInbox(), resp: resp}
	go readSSE(resp.Body, c.in, func(name, data string) {
		if name == "endpoint" {
			select {
			case c.endpoint <- data:
			default:
			}
		}
	})
	select {
	case ep := <-c.endpoint:
		if strings.HasPrefix(ep, "/") {
			ep = base + ep
		}
		c.msgURL = ep
	case <-time.After(timeout):
		resp.Body.Close()
		return nil, fmt.Errorf("no endpoint event after %s", timeout)
	}
	return c, nil
}

func (c *sseClient) close() { c.resp.Body.Close() }

// post sends a message to the endpoint; the answer comes on the stream.
func (c *sseClient) post(body []byte, hdr map[string]string) (int, string, error) {
	req, _ := http.NewRequest(http.MethodPost, c.msgURL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 90 * time.Second}).Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, strings.TrimSpace(string(b)), nil
}

func (c *sseClient) initialize() error {
	if st, body, err := c.post(rpc("init", "initialize", initParams()), nil); err != nil || st >= 300 {
		return fmt.Errorf("initialize: %d %s %v", st, body, err)
	}
	if _, ok := c.in.waitID(10*time.Second, "init"); !ok {
		return fmt.Errorf("no initialize answer after 10s")
	}
	_, _, err := c.post(rpc(nil, "notifications/initialized", nil), nil)
	return err
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
