package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var probes = []probe{
	{"1", "stdio: one 200 MB line after initialize, then ping", 90 * time.Second, probeBigLine},
	{"2", "stdio: 500,000 notifications/cancelled for unknown ids, then ping", 90 * time.Second, probeCancelFlood},
	{"3", "http --auth-token: 2,000 stalled unauthenticated POST bodies", 40 * time.Second, probeStalledBodies},
	{"4", "http: client A holds GET /mcp while client B crawls with a progress token", 60 * time.Second, probeGetStream},
	{"5", "sse: client of protocol 2026-07-28 (no initialize) calls scrape", 40 * time.Second, probeModernSSE},
	{"6", "progress after result / no progress at all, of 10 concurrent crawls per transport", 150 * time.Second, probeProgressOrder},
	{"7", "API redirect 307 to another host: key forwarded? (call scrape)", 60 * time.Second, probeAPIRedirect},
	{"8", "http: `Authorization: bearer T` (lowercase scheme)", 20 * time.Second, probeLowercaseBearer},
	{"9", "http: `Origin: http://evil.example` with a valid token", 20 * time.Second, probeEvilOrigin},
	{"10", "http --addr 0.0.0.0:0 without a token", 20 * time.Second, probeExposed},
	{"11a", "SIGTERM during a crawl on a hanging site (http)", 60 * time.Second, probeSigtermHTTP},
	{"11b", "SIGTERM during a crawl on a hanging site (sse client connected)", 60 * time.Second, probeSigtermSSE},
	// Not in the original list: found while writing 6 (sessions live on).
	{"12", "http (extra): 20,000 initialize requests, one keep-alive connection", 60 * time.Second, probeInitFlood},
}

const token = "T"

func fail(format string, args ...any) string { return "probe failed: " + fmt.Sprintf(format, args...) }

// 1. One 200 MB line on stdio.
func probeBigLine(r *run, bin string, _ bool) string {
	c, err := r.stdio(bin, "--provider", "local")
	if err != nil {
		return fail("%v", err)
	}
	if err := c.initialize(); err != nil {
		return fail("%v", err)
	}
	cpu0 := c.p.cpu()
	go func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		w := bufio.NewWriterSize(c.p.stdin, 1<<20)
		w.WriteString(`{"jsonrpc":"2.0","id":"big","method":"ping","params":{"pad":"`)
		chunk := bytes.Repeat([]byte("a"), 1<<20)
		for i := 0; i < 200; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		w.WriteString("\"}}\n")
		w.Write(rpc("after", "ping", nil))
		w.WriteString("\n")
		w.Flush()
	}()
	t0 := time.Now()
	ping := "no answer after 60s"
	if _, ok := c.in.waitID(60*time.Second, "after"); ok {
		ping = fmt.Sprintf("answered %.1fs after the big line began", time.Since(t0).Seconds())
	}
	// mcp-go answers requests concurrently: the big one may trail the ping.
	big := "no answer after 20s"
	if m, ok := c.in.wait(20*time.Second, func(m msg) bool {
		return m.Method == "" && (m.id() == "big" || (m.Error != nil && (len(m.ID) == 0 || string(m.ID) == "null")))
	}); ok {
		if m.Error != nil {
			id := string(m.ID)
			if id == "" {
				id = "absent"
			}
			big = fmt.Sprintf("error %d, id %s (%s)", m.Error.Code, id, clip(m.Error.Message, 100))
		} else {
			big = fmt.Sprintf("a result after %.1fs (the 200 MB ping was read whole and answered)", time.Since(t0).Seconds())
		}
	}
	hwm, _ := c.p.mem()
	return fmt.Sprintf("peak RSS %s, cpu %.1fs; big line: %s; ping: %s", mb(hwm), (c.p.cpu() - cpu0).Seconds(), big, ping)
}

// 2. A flood of cancellations for requests that never existed.
func probeCancelFlood(r *run, bin string, _ bool) string {
	c, err := r.stdio(bin, "--provider", "local")
	if err != nil {
		return fail("%v", err)
	}
	if err := c.initialize(); err != nil {
		return fail("%v", err)
	}
	c.send(rpc("p0", "ping", nil))
	if _, ok := c.in.waitID(10*time.Second, "p0"); !ok {
		return fail("no first ping answer")
	}
	_, rss0 := c.p.mem()
	cpu0 := c.p.cpu()
	const n = 500000
	go func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		w := bufio.NewWriterSize(c.p.stdin, 1<<20)
		for i := 0; i < n; i++ {
			fmt.Fprintf(w, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":%d,"reason":"probe"}}`+"\n", 1000000+i)
		}
		w.Write(rpc("after", "ping", nil))
		w.WriteString("\n")
		w.Flush()
	}()
	t0 := time.Now()
	if _, ok := c.in.waitID(60*time.Second, "after"); !ok {
		_, rss := c.p.mem()
		return fmt.Sprintf("ping: no answer after 60s; RSS %+.0f MB so far", float64(rss-rss0)/1024)
	}
	dt := time.Since(t0)
	_, rss1 := c.p.mem()
	return fmt.Sprintf("RSS %+.1f MB (%s → %s); ping answered after %.1fs; cpu %.1fs",
		float64(rss1-rss0)/1024, mb(rss0), mb(rss1), dt.Seconds(), (c.p.cpu() - cpu0).Seconds())
}

// 3. Slowloris bodies without a token.
func probeStalledBodies(r *run, bin string, _ bool) string {
	p, err := r.serve(bin, nil, "--provider", "local", "--auth-token", token, "http")
	if err != nil {
		return fail("%v", err)
	}
	addr := strings.TrimPrefix(p.base(), "http://")
	hdr := fmt.Sprintf("POST /mcp HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 100000\r\n\r\n", addr)
	const n = 2000
	var conns []net.Conn
	r.defer_(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	dialErrs := 0
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			dialErrs++
			continue
		}
		c.Write([]byte(hdr))
		c.Write([]byte("{"))
		conns = append(conns, c)
	}
	opened := time.Now()
	window := opened.Add(5 * time.Second)
	var closed atomic.Int64
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			c.SetReadDeadline(window)
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			if !(errors.As(err, &ne) && ne.Timeout()) {
				closed.Add(1)
			}
		}(c)
	}
	peak := 0
	stopFDs := make(chan struct{})
	fdsDone := make(chan struct{})
	go func() {
		defer close(fdsDone)
		for {
			if f := p.fds(); f > peak {
				peak = f
			}
			select {
			case <-stopFDs:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	// The token holder, while the stalled clients are connected.
	hc := newHTTPClient(p.url, token, 10*time.Second)
	t0 := time.Now()
	st, msgs, err := hc.post(rpc("init", "initialize", initParams()), nil)
	lat := time.Since(t0)
	holder := fmt.Sprintf("status %d in %d ms", st, lat.Milliseconds())
	if err != nil {
		holder = fmt.Sprintf("failed after %d ms: %s", lat.Milliseconds(), clip(err.Error(), 60))
	} else if len(msgs) == 0 || msgs[0].Result == nil {
		holder += " (no initialize result)"
	}
	wg.Wait()
	close(stopFDs)
	<-fdsDone
	_, rss := p.mem()
	s := fmt.Sprintf("closed %d/%d within 5s; peak fds %d; RSS %s; token holder's initialize: %s", closed.Load(), len(conns), peak, mb(rss), holder)
	if dialErrs > 0 {
		s += fmt.Sprintf("; %d dials failed", dialErrs)
	}
	return s
}

// 4. A standalone GET stream must not carry another client's messages.
func probeGetStream(r *run, bin string, _ bool) string {
	st := newSite(false)
	r.defer_(st.close)
	p, err := r.serve(bin, nil, "--provider", "local", "--allow-hosts", "127.0.0.1", "--host-rate", "50", "http")
	if err != nil {
		return fail("%v", err)
	}
	// Client A.
	req, _ := http.NewRequest(http.MethodGet, p.url, nil)
	req.Header.Set("Accept", "text/event-stream")
	hcA := &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: 5 * time.Second}}
	respA, err := hcA.Do(req)
	aStatus := ""
	var aBuf bytes.Buffer
	var aMu sync.Mutex
	aDone := make(chan struct{})
	if err != nil {
		aStatus = "GET: " + clip(err.Error(), 50)
		close(aDone)
	} else {
		aStatus = fmt.Sprintf("GET %d", respA.StatusCode)
		r.defer_(func() { respA.Body.Close() })
		go func() {
			defer close(aDone)
			b := make([]byte, 32<<10)
			for {
				n, err := respA.Body.Read(b)
				aMu.Lock()
				aBuf.Write(b[:n])
				aMu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	// Client B.
	b := newHTTPClient(p.url, "", 45*time.Second)
	if st, err := b.initialize(); err != nil || st != 200 {
		return fail("B initialize: %d %v", st, err)
	}
	const tok = "B-progress-token"
	_, msgs, err := b.post(rpc("crawl-b", "tools/call", callParams("crawl",
		map[string]any{"url": st.start(), "max_pages": sitePages, "wait_s": 30}, tok)), nil)
	if err != nil {
		return fail("B crawl: %v", err)
	}
	job, bProg, bRes := "", 0, "no result"
	for _, m := range msgs {
		if m.isProgress() {
			bProg++
		} else if m.id() == "crawl-b" {
			job = m.toolResult().Structured.JobID
			bRes = m.answer()
		}
	}
	time.Sleep(500 * time.Millisecond)
	if respA != nil {
		respA.Body.Close()
	}
	<-aDone
	aMu.Lock()
	a := aBuf.String()
	aMu.Unlock()
	leaked := strings.Count(a, tok)
	jobIn := "no"
	if job != "" && strings.Contains(a, job) {
		jobIn = "yes"
	}
	return fmt.Sprintf("A: %s, received %d bytes, %d of B's progress notifications; B's job id in A: %s (B: %s, %d progress, job %q)",
		aStatus, len(a), leaked, jobIn, bRes, bProg, job)
}

// 5. A modern-era (2026-07-28) client on the SSE transport.
func probeModernSSE(r *run, bin string, _ bool) string {
	st := newSite(false)
	r.defer_(st.close)
	p, err := r.serve(bin, nil, "--provider", "local", "--allow-hosts", "127.0.0.1", "sse")
	if err != nil {
		return fail("%v", err)
	}
	c, err := openSSE(p.base(), 5*time.Second)
	if err != nil {
		return fail("%v", err)
	}
	r.defer_(c.close)
	params := map[string]any{"name": "scrape", "arguments": map[string]any{"url": st.start()},
		"_meta": map[string]any{
			"io.modelcontextprotocol/protocolVersion":    "2026-07-28",
			"io.modelcontextprotocol/clientInfo":         map[string]any{"name": "p", "version": "0"},
			"io.modelcontextprotocol/clientCapabilities": map[string]any{},
		}}
	code, body, err := c.post(rpc("modern", "tools/call", params), map[string]string{"Mcp-Protocol-Version": "2026-07-28"})
	if err != nil {
		return fail("POST: %v", err)
	}
	if code >= 300 {
		return fmt.Sprintf("POST answered HTTP %d: %s", code, clip(body, 100))
	}
	m, ok := c.in.waitID(30*time.Second, "modern")
	if !ok {
		return "no answer on the stream after 30s"
	}
	return m.answer()
}

// 6. Progress must come before the result, and a crawl should report some.
// The 10 calls of each transport run at once (one session on stdio and sse).
func probeProgressOrder(r *run, bin string, _ bool) string {
	st := newSite(false)
	r.defer_(st.close)
	args := []string{"--provider", "local", "--allow-hosts", "127.0.0.1", "--host-rate", "100"}
	crawl := func(i int) []byte {
		return rpc(fmt.Sprintf("c%d", i), "tools/call", callParams("crawl",
			map[string]any{"url": st.start(), "max_pages": 10, "wait_s": 30}, fmt.Sprintf("t%d", i)))
	}
	const calls = 10
	var parts []string
	// tally reads the streams of one transport (one stream for stdio and
	// sse, one per call for http): a call's progress is late when it arrived
	// after the call's result, and misrouted when it came on another call's
	// stream.
	tally := func(name string, streams [][]msg) {
		late, none, missing, misrouted := 0, 0, 0, 0
		for i := 0; i < calls; i++ {
			id, tok := fmt.Sprintf("c%d", i), fmt.Sprintf("t%d", i)
			res := int64(-1)
			for _, m := range streams[min(i, len(streams)-1)] {
				if m.Method == "" && m.id() == id {
					res = m.seq
				}
			}
			prog, after := 0, false
			for j, ms := range streams {
				for _, m := range ms {
					if m.isProgress() && m.token() == tok {
						prog++
						after = after || (res >= 0 && m.seq > res)
						if j != i && len(streams) > 1 {
							misrouted++
						}
					}
				}
			}
			if res < 0 {
				missing++
			}
			if after {
				late++
			}
			if prog == 0 {
				none++
			}
		}
		s := fmt.Sprintf("%s %d late/%d none", name, late, none)
		if missing > 0 {
			s += fmt.Sprintf("/%d unanswered", missing)
		}
		if misrouted > 0 {
			s += fmt.Sprintf(" (%d progress on another call's stream)", misrouted)
		}
		parts = append(parts, s)
	}

	// stdio: one session, all calls at once.
	if c, err := r.stdio(bin, args...); err != nil || c.initialize() != nil {
		parts = append(parts, "stdio: failed to start")
	} else {
		for i := 0; i < calls; i++ {
			c.send(crawl(i))
		}
		for i := 0; i < calls; i++ {
			c.in.waitID(30*time.Second, fmt.Sprintf("c%d", i))
		}
		time.Sleep(500 * time.Millisecond)
		tally("stdio", [][]msg{c.in.all()})
	}
	// sse: one session.
	if p, err := r.serve(bin, nil, append(args, "sse")...); err != nil {
		parts = append(parts, "sse: "+clip(err.Error(), 40))
	} else if c, err := openSSE(p.base(), 5*time.Second); err != nil {
		parts = append(parts, "sse: "+clip(err.Error(), 40))
	} else {
		r.defer_(c.close)
		if err := c.initialize(); err != nil {
			parts = append(parts, "sse: "+clip(err.Error(), 40))
		} else {
			for i := 0; i < calls; i++ {
				go c.post(crawl(i), nil)
			}
			for i := 0; i < calls; i++ {
				c.in.waitID(30*time.Second, fmt.Sprintf("c%d", i))
			}
			time.Sleep(500 * time.Millisecond)
			tally("sse", [][]msg{c.in.all()})
		}
	}
	// http: each call's own response stream.
	if p, err := r.serve(bin, nil, append(args, "http")...); err != nil {
		parts = append(parts, "http: "+clip(err.Error(), 40))
	} else {
		hc := newHTTPClient(p.url, "", 40*time.Second)
		if _, err := hc.initialize(); err != nil {
			parts = append(parts, "http: "+clip(err.Error(), 40))
		} else {
			streams := make([][]msg, calls)
			var wg sync.WaitGroup
			for i := 0; i < calls; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					c := *hc // same session, its own request
					_, streams[i], _ = c.post(crawl(i), nil)
				}(i)
			}
			wg.Wait()
			tally("http", streams)
		}
	}
	return strings.Join(parts, "; ")
}

// 7. The API answers 307 to another host: does the key follow?
func probeAPIRedirect(r *run, bin string, _ bool) string {
	var gotKey, gotAuth atomic.Value
	gotKey.Store("")
	gotAuth.Store("")
	var p2Hits, p1Hits atomic.Int64
	p2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p2Hits.Add(1)
		if k := req.Header.Get("X-API-Key"); k != "" {
			gotKey.Store(k)
		}
		if a := req.Header.Get("Authorization"); a != "" {
			gotAuth.Store(a)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":"not found"}`)
	}))
	r.defer_(p2.Close)
	p2Port := p2.URL[strings.LastIndexByte(p2.URL, ':')+1:]
	p1 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p1Hits.Add(1)
		http.Redirect(w, req, "http://localhost:"+p2Port+req.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	r.defer_(p1.Close)

	cmd := exec.Command(bin, "--output", "json", "call", "scrape", `{"url":"https://example.com/"}`)
	cmd.Env = env("ANAKIN_API_KEY=probe-key", "ANAKIN_API_URL="+p1.URL)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		return fail("%v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	r.defer_(func() { cmd.Process.Kill() })
	exit := 0
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			exit = ee.ExitCode()
		}
	case <-time.After(45 * time.Second):
		cmd.Process.Kill()
		return "no answer after 45s"
	}
	var res toolResult
	code := "none"
	if json.Unmarshal(out.Bytes(), &res) == nil && res.IsError {
		e := res.Structured.Error
		code = fmt.Sprintf("%q (http_status %d, action %s)", e.Code, e.HTTPStatus, res.Structured.Guidance.Action)
	} else if out.Len() == 0 {
		code = "no output: " + clip(errb.String(), 60)
	}
	leak := "no"
	if k := gotKey.Load().(string); k != "" {
		leak = "yes (" + k + ")"
	}
	s := fmt.Sprintf("P2 received X-API-Key: %s; error code %s; exit %d; P1 hits %d, P2 hits %d", leak, code, exit, p1Hits.Load(), p2Hits.Load())
	if a := gotAuth.Load().(string); a != "" {
		s += "; P2 got Authorization too"
	}
	return s
}

// 8 and 9 share this: one initialize with the given headers.
func initStatus(r *run, bin string, hdr map[string]string) string {
	p, err := r.serve(bin, nil, "--provider", "local", "--auth-token", token, "http")
	if err != nil {
		return fail("%v", err)
	}
	hc := newHTTPClient(p.url, "", 10*time.Second)
	st, msgs, err := hc.post(rpc("init", "initialize", initParams()), hdr)
	if err != nil {
		return fail("%v", err)
	}
	s := fmt.Sprintf("%d", st)
	if st == 200 && len(msgs) > 0 && msgs[0].Result != nil {
		s += " (initialized)"
	}
	return s
}

func probeLowercaseBearer(r *run, bin string, _ bool) string {
	return initStatus(r, bin, map[string]string{"Authorization": "bearer " + token})
}

func probeEvilOrigin(r *run, bin string, _ bool) string {
	return initStatus(r, bin, map[string]string{"Authorization": "Bearer " + token, "Origin": "http://evil.example"})
}

// 10. Listening on every interface without a token.
func probeExposed(r *run, bin string, _ bool) string {
	p, err := r.start(bin, nil, false, "--addr", "0.0.0.0:0", "--provider", "local", "http")
	if err != nil {
		return fail("%v", err)
	}
	if err := p.waitURL(5 * time.Second); err == nil {
		return "started: " + p.url
	}
	if p.waitExit(time.Second) {
		return fmt.Sprintf("exit %d: %s", p.exit, firstLine(p.stderr.String()))
	}
	return "neither announced a url nor exited in 5s"
}

// 11. SIGTERM while a crawl waits on pages that never answer.
func sigtermArgs(isNew bool) []string {
	a := []string{"--provider", "local", "--allow-hosts", "127.0.0.1"}
	if isNew {
		a = append(a, "--shutdown-timeout", "2s")
	}
	return a
}

func crawlHanging(st *site) []byte {
	return rpc("hang", "tools/call", callParams("crawl", map[string]any{"url": st.start(), "wait_s": 60}, "hang-progress"))
}

// sigterm waits for the crawl to reach the site, sends SIGTERM and reports
// how the process ended; answer then gives the call's fate.
func sigterm(p *proc, st *site, answer func() (msg, bool)) string {
	select {
	case <-st.hit:
	case <-time.After(15 * time.Second):
		return fail("the crawl never reached the site")
	}
	time.Sleep(300 * time.Millisecond)
	t0 := time.Now()
	p.signal(syscall.SIGTERM)
	ex := ""
	if p.waitExit(30 * time.Second) {
		ex = fmt.Sprintf("exit %d after %.1fs", p.exit, p.exited.Sub(t0).Seconds())
	} else {
		p.kill()
		ex = "no exit after 30s (killed)"
	}
	call := "call: no answer"
	if m, ok := answer(); ok {
		job := "no job_id"
		if j := m.toolResult().Structured.JobID; j != "" {
			job = "job_id " + j
		}
		call = "call: " + m.answer() + ", " + job
	}
	return ex + "; " + call
}

func probeSigtermHTTP(r *run, bin string, isNew bool) string {
	st := newSite(true)
	r.defer_(st.close)
	p, err := r.serve(bin, nil, append(sigtermArgs(isNew), "http")...)
	if err != nil {
		return fail("%v", err)
	}
	hc := newHTTPClient(p.url, "", 90*time.Second)
	if _, err := hc.initialize(); err != nil {
		return fail("initialize: %v", err)
	}
	res := make(chan []msg, 1)
	go func() {
		_, ms, _ := hc.post(crawlHanging(st), nil)
		res <- ms
	}()
	return sigterm(p, st, func() (msg, bool) {
		select {
		case ms := <-res:
			for _, m := range ms {
				if m.Method == "" && m.id() == "hang" {
					return m, true
				}
			}
		case <-time.After(5 * time.Second):
		}
		return msg{}, false
	})
}

func probeSigtermSSE(r *run, bin string, isNew bool) string {
	st := newSite(true)
	r.defer_(st.close)
	p, err := r.serve(bin, nil, append(sigtermArgs(isNew), "sse")...)
	if err != nil {
		return fail("%v", err)
	}
	c, err := openSSE(p.base(), 5*time.Second)
	if err != nil {
		return fail("%v", err)
	}
	r.defer_(c.close)
	if err := c.initialize(); err != nil {
		return fail("%v", err)
	}
	go c.post(crawlHanging(st), nil)
	return sigterm(p, st, func() (msg, bool) { return c.in.waitID(5*time.Second, "hang") })
}

// 12. Every initialize on streamable HTTP may leave a session behind.
func probeInitFlood(r *run, bin string, _ bool) string {
	p, err := r.serve(bin, nil, "--provider", "local", "http")
	if err != nil {
		return fail("%v", err)
	}
	hc := newHTTPClient(p.url, "", 10*time.Second)
	if _, err := hc.initialize(); err != nil {
		return fail("%v", err)
	}
	time.Sleep(200 * time.Millisecond)
	_, rss0 := p.mem()
	const n = 20000
	t0 := time.Now()
	for i := 0; i < n; i++ {
		c := newHTTPClient(p.url, "", 10*time.Second)
		c.hc = hc.hc // one keep-alive connection
		if st, _, err := c.post(rpc(i, "initialize", initParams()), nil); err != nil || st != 200 {
			return fail("initialize %d: %d %v", i, st, err)
		}
	}
	dt := time.Since(t0)
	time.Sleep(time.Second)
	_, rss1 := p.mem()
	return fmt.Sprintf("RSS %s → %s (%+.1f KB per initialize), %.1fs", mb(rss0), mb(rss1), float64(rss1-rss0)/n, dt.Seconds())
}
