package browser

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A tab's every request leaves Chromium through its own proxy, an HTTP
// proxy on a loopback port that exists for that tab only. The proxy dials
// with the local fetcher's SSRF guard, so the guard holds for everything a
// page can make the browser fetch: the navigation and its redirects,
// subresources, fetch/XHR, WebSockets (tunnelled with CONNECT) and HTTPS
// (CONNECT too). Chromium never resolves or dials a name itself; QUIC and
// WebRTC's own UDP are switched off at launch. Closing the proxy cuts
// every connection the tab still holds.

// Fetch is one entry of a tab's request log.
type Fetch struct {
	Method string // GET, POST…, or CONNECT for HTTPS and WebSocket tunnels
	Target string // the URL, or host:port for a tunnel
	// Blocked says why the guard refused the connection ("169.254.169.254
	// is a cloud metadata address"); empty when it was let through.
	Blocked string
	Err     string // another failure (DNS, refused, budget)
}

// maxLogged bounds a tab's request log; the counters keep counting.
const maxLogged = 500

type tabProxy struct {
	ln       net.Listener
	srv      *http.Server
	dial     DialFunc
	blocked  func(error) (string, bool)
	tr       *http.Transport
	maxBytes int64
	maxReqs  int64

	bytes    atomic.Int64 // response bytes handed to the browser
	requests atomic.Int64
	inflight atomic.Int64
	over     atomic.Bool // a budget ran out
	// armed opens the proxy to the page. Before the tab navigates, the
	// only traffic is Chromium's own (a preconnect to its search engine,
	// account and time services); it is refused and not logged as the
	// page's. The browser-wide proxy is never armed.
	armed      atomic.Bool
	background atomic.Int64

	mu      sync.Mutex
	log     []Fetch
	nBlock  int
	tunnels map[net.Conn]struct{}
	closed  bool
}

func newTabProxy(dial DialFunc, blocked func(error) (string, bool), maxBytes, maxReqs int64) (*tabProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("browser: proxy listener: %w", err)
	}
	p := &tabProxy{ln: ln, dial: dial, blocked: blocked, maxBytes: maxBytes, maxReqs: maxReqs, tunnels: map[net.Conn]struct{}{}}
	p.tr = &http.Transport{
		Proxy:                  nil,
		DialContext:            dial,
		ForceAttemptHTTP2:      false,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        30 * time.Second,
		ResponseHeaderTimeout:  30 * time.Second,
		MaxResponseHeaderBytes: 1 << 20,
		DisableCompression:     true, // pass the coding through; the browser decodes
	}
	p.srv = &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          nil,
	}
	go p.srv.Serve(ln) //nolint:errcheck // ends with Close
	return p, nil
}

// addr is what Chromium is told to use: http://127.0.0.1:PORT.
func (p *tabProxy) addr() string { return "http://" + p.ln.Addr().String() }

func (p *tabProxy) record(r Fetch) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Blocked != "" {
		p.nBlock++
	}
	if len(p.log) < maxLogged {
		p.log = append(p.log, r)
	}
}

// Log returns a copy of the requests seen so far.
func (p *tabProxy) Log() []Fetch {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Fetch(nil), p.log...)
}

func (p *tabProxy) blockedCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.nBlock
}

// admit counts a request against the tab's budget.
func (p *tabProxy) admit() error {
	if p.requests.Add(1) > p.maxReqs {
		p.over.Store(true)
		return fmt.Errorf("the tab made more than %d requests", p.maxReqs)
	}
	if p.bytes.Load() > p.maxBytes {
		p.over.Store(true)
		return fmt.Errorf("the tab downloaded more than %d bytes", p.maxBytes)
	}
	return nil
}

func (p *tabProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.inflight.Add(1)
	defer p.inflight.Add(-1)
	if !p.armed.Load() {
		p.background.Add(1)
		http.Error(w, "scrapemcp: no page is loading in this tab", http.StatusForbidden)
		return
	}
	if r.Method == http.MethodConnect {
		p.connect(w, r)
		return
	}
	if r.URL.Scheme != "http" || r.URL.Host == "" {
		// Only absolute http URLs are proxied; https comes as CONNECT.
		p.record(Fetch{Method: r.Method, Target: redact(r.URL.String()), Err: "not a proxy request"})
		http.Error(w, "scrapemcp browser proxy: absolute http URLs only", http.StatusBadRequest)
		return
	}
	entry := Fetch{Method: r.Method, Target: redact(r.URL.String())}
	if err := p.admit(); err != nil {
		entry.Err = err.Error()
		p.record(entry)
		http.Error(w, "scrapemcp: "+err.Error(), http.StatusForbidden)
		return
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	removeHopHeaders(out.Header)
	resp, err := p.tr.RoundTrip(out)
	if err != nil {
		p.fail(w, entry, err)
		return
	}
	defer resp.Body.Close()
	p.record(entry)
	removeHopHeaders(resp.Header)
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	p.copyCounted(w, resp.Body)
}

// fail answers a request the proxy could not make. A refusal by the guard
// is logged with its reason; the browser sees a 403 and no packet left.
func (p *tabProxy) fail(w http.ResponseWriter, entry Fetch, err error) {
	if why, ok := p.blocked(err); ok {
		entry.Blocked = why
		p.record(entry)
		http.Error(w, "scrapemcp: blocked by the SSRF guard: "+why, http.StatusForbidden)
		return
	}
	entry.Err = rootErr(err)
	p.record(entry)
	http.Error(w, "scrapemcp: "+entry.Err, http.StatusBadGateway)
}

func (p *tabProxy) copyCounted(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if p.bytes.Add(int64(n)) > p.maxBytes {
				p.over.Store(true)
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *tabProxy) connect(w http.ResponseWriter, r *http.Request) {
	entry := Fetch{Method: http.MethodConnect, Target: r.Host}
	if err := p.admit(); err != nil {
		entry.Err = err.Error()
		p.record(entry)
		http.Error(w, "scrapemcp: "+err.Error(), http.StatusForbidden)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	up, err := p.dial(ctx, "tcp", r.Host)
	cancel()
	if err != nil {
		p.fail(w, entry, err)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		up.Close()
		http.Error(w, "hijack unsupported", http.StatusInternalServerError)
		return
	}
	down, rw, err := hj.Hijack()
	if err != nil {
		up.Close()
		return
	}
	if !p.track(down, up) {
		down.Close()
		up.Close()
		return
	}
	p.record(entry)
	defer p.untrack(down, up)
	if _, err := down.Write([]byte("HTTP/1.1 200 Connection Established\r\n\r\n")); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() {
		// Anything the browser sent after the CONNECT line is in rw's buffer.
		_, _ = io.Copy(up, readerOf(rw.Reader, down))
		closeWrite(up)
		done <- struct{}{}
	}()
	go func() {
		p.copyCounted(down, up)
		closeWrite(down)
		done <- struct{}{}
	}()
	<-done
	<-done
}

func readerOf(br *bufio.Reader, c net.Conn) io.Reader {
	if br.Buffered() > 0 {
		return io.MultiReader(io.LimitReader(br, int64(br.Buffered())), c)
	}
	return c
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
		return
	}
	_ = c.Close()
}

func (p *tabProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range cs {
		p.tunnels[c] = struct{}{}
	}
	return true
}

func (p *tabProxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.tunnels, c)
		c.Close()
	}
}

// Close stops the listener and cuts every connection, tunnels included.
func (p *tabProxy) Close() {
	p.mu.Lock()
	p.closed = true
	for c := range p.tunnels {
		c.Close()
	}
	p.tunnels = map[net.Conn]struct{}{}
	p.mu.Unlock()
	_ = p.srv.Close()
	p.tr.CloseIdleConnections()
}

var hopHeaders = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

func removeHopHeaders(h http.Header) {
	for _, f := range h.Values("Connection") {
		for _, name := range strings.Split(f, ",") {
			h.Del(strings.TrimSpace(name))
		}
	}
	for _, name := range hopHeaders {
		h.Del(name)
	}
}

// redact drops a URL's user info and query, which may carry tokens, from
// the log.
func redact(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	if i := strings.Index(raw, "@"); i >= 0 {
		if j := strings.Index(raw, "://"); j >= 0 && j < i {
			raw = raw[:j+3] + raw[i+1:]
		}
	}
	if len(raw) > 300 {
		raw = raw[:300]
	}
	return raw
}

func rootErr(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}
