package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/scrapemcp/scrapemcp/client"
)

// needBrowser finds Chromium for a test. Under CI=true a missing browser
// fails the test: the suite promises browser coverage there, and .ci/run
// installs one.
func needBrowser(t *testing.T) string {
	t.Helper()
	path, err := Find(os.Getenv("SCRAPEMCP_BROWSER"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and no browser: %v", err)
		}
		t.Skipf("no browser here: %v", err)
	}
	return path
}

// testGuard stands in for the local fetcher's SSRF guard: only the listed
// loopback host:ports may be dialed; every other address is refused before
// a packet is sent, and each refusal is counted.
type testGuard struct {
	allow   map[string]bool
	refused atomic.Int64
}

type refusal struct{ addr, why string }

func (r *refusal) Error() string { return r.addr + " is " + r.why }

func (g *testGuard) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if !g.allow[addr] {
		g.refused.Add(1)
		why := "not on the test allow-list"
		if strings.HasPrefix(addr, "169.254.169.254") {
			why = "a cloud metadata address"
		}
		return nil, &refusal{addr, why}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

func (g *testGuard) blocked(err error) (string, bool) {
	var r *refusal
	if errors.As(err, &r) {
		return r.Error(), true
	}
	return "", false
}

// site serves the test pages and logs every request it gets.
type site struct {
	*httptest.Server
	mu   sync.Mutex
	hits []string
}

func (s *site) hit(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits = append(s.hits, path)
}

func (s *site) count(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, h := range s.hits {
		if strings.HasPrefix(h, prefix) {
			n++
		}
	}
	return n
}

func newSite(t *testing.T, pages map[string]string) *site {
	t.Helper()
	s := &site{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hit(r.URL.Path)
		if r.URL.Path == "/ping" || r.URL.Path == "/secret" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			fmt.Fprint(w, "pong")
			return
		}
		if r.URL.Path == "/file.bin" {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", `attachment; filename="file.bin"`)
			w.Write(bytes.Repeat([]byte{0}, 1<<16))
			return
		}
		if r.URL.Path == "/slow-body" {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body><p>start")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func newPool(t *testing.T, g *testGuard, mod func(*Options)) *Pool {
	t.Helper()
	o := Options{Path: needBrowser(t), Tabs: 2, Dial: g.dial, Blocked: g.blocked, Settle: 2 * time.Second}
	if mod != nil {
		mod(&o)
	}
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		dir := p.DataDir()
		p.Close()
		if dir != "" {
			if n := processesWith(dir); n > 0 {
				t.Errorf("%d browser processes still run after Close", n)
			}
		}
	})
	return p
}

// processesWith counts running processes whose command line holds s.
func processesWith(s string) int {
	n := 0
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(b, []byte(s)) {
			continue
		}
		st, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if f := strings.Fields(string(st)); len(f) > 2 && f[2] == "Z" {
			continue
		}
		n++
	}
	return n
}

func allowSite(s *site) *testGuard {
	return &testGuard{allow: map[string]bool{s.Listener.Addr().String(): true}}
}

const spaPage = `<!doctype html><html><head><title>SPA</title></head><body><div id="root"></div>
<script>setTimeout(function () {
  document.getElementById("root").innerHTML = "<article><h1>Built by script</h1><p>This paragraph was written by JavaScript after the page loaded, long enough to be read as the main content of the page by any extractor.</p></article>";
}, 200);</script></body></html>`

func TestRenderRunsScripts(t *testing.T) {
	s := newSite(t, map[string]string{"/spa": spaPage})
	p := newPool(t, allowSite(s), nil)
	res, err := p.Render(t.Context(), Request{URL: s.URL + "/spa"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.HTML, "Built by script") {
		t.Fatalf("script-built content missing from the rendered DOM:\n%s", res.HTML)
	}
	if res.Status != 200 || res.FinalURL != s.URL+"/spa" || res.Title != "SPA" {
		t.Errorf("status %d, final URL %q, title %q", res.Status, res.FinalURL, res.Title)
	}
	if len(res.Warnings) != 0 || res.Blocked != 0 {
		t.Errorf("a quiet page rendered with warnings %q, %d blocked", res.Warnings, res.Blocked)
	}
}

func TestActionsClickScrollWrite(t *testing.T) {
	s := newSite(t, map[string]string{
		"/button": `<html><body><button id="more" onclick="document.getElementById('out').textContent='Revealed after the click'">More</button><p id="out"></p></body></html>`,
		"/infinite": `<html><body><ul id="list"></ul><script>
var n = 0;
function add() { for (var i = 0; i < 20; i++) { var li = document.createElement("li"); li.textContent = "row " + (n++); li.style.height = "60px"; document.getElementById("list").appendChild(li); } }
add();
window.addEventListener("scroll", function () { if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 10 && n < 100) add(); });
</script></body></html>`,
		"/box": `<html><body><div id="box" style="height:200px;overflow:auto"></div><script>
var box = document.getElementById("box"), k = 0;
function more() { for (var i = 0; i < 10; i++) { var d = document.createElement("div"); d.style.height = "50px"; d.textContent = "item " + (k++); box.appendChild(d); } }
more();
box.addEventListener("scroll", function () { if (box.scrollTop + box.clientHeight >= box.scrollHeight - 5 && k < 60) more(); });
</script></body></html>`,
		"/form": `<html><body><input id="q" autofocus><p id="echo"></p><script>
document.getElementById("q").addEventListener("keydown", function (e) { if (e.key === "Enter") document.getElementById("echo").textContent = "searched: " + this.value; });
</script></body></html>`,
	})
	p := newPool(t, allowSite(s), nil)
	tests := []struct {
		name, path string
		actions    []client.Action
		want       string
	}{
		{"click", "/button", []client.Action{{Type: "click", Selector: "#more"}}, "Revealed after the click"},
		{"scroll", "/infinite", []client.Action{{Type: "scroll", Direction: "down"}, {Type: "scroll", Direction: "down"}, {Type: "wait_for", Selector: "li:nth-child(40)"}}, "row 39"},
		{"scroll a box", "/box", []client.Action{{Type: "scroll", Selector: "#box"}, {Type: "scroll", Selector: "#box"}, {Type: "scroll", Selector: "#box"}, {Type: "scroll", Selector: "#box"}, {Type: "wait_for", Selector: "#box div:nth-child(20)"}}, "item 19"},
		{"write and press", "/form", []client.Action{{Type: "click", Selector: "#q"}, {Type: "write", Text: "chromium"}, {Type: "press", Key: "Enter"}}, "searched: chromium"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := p.Render(t.Context(), Request{URL: s.URL + tc.path, Actions: tc.actions})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(res.HTML, tc.want) {
				t.Fatalf("want %q in the DOM after the actions:\n%s", tc.want, res.HTML)
			}
		})
	}
}

func TestActionOnMissingElementFails(t *testing.T) {
	s := newSite(t, map[string]string{"/": `<html><body><p>nothing to click</p></body></html>`})
	p := newPool(t, allowSite(s), nil)
	_, err := p.Render(t.Context(), Request{URL: s.URL + "/", Actions: []client.Action{{Type: "wait", Milliseconds: 10}, {Type: "click", Selector: "#absent", Milliseconds: 300}}})
	var ae *ActionError
	if !errors.As(err, &ae) || ae.Index != 1 || !strings.Contains(ae.Error(), "#absent") {
		t.Fatalf("err = %v, want an ActionError for actions[1] naming the selector", err)
	}
}

// The page's scripts try another loopback port and the metadata address;
// both must be refused by the guard, and the other server must see nothing.
func TestSubresourcesGoThroughTheGuard(t *testing.T) {
	other := newSite(t, nil)
	s := newSite(t, map[string]string{"/ssrf": fmt.Sprintf(`<html><body><p id="out">waiting</p><script>
Promise.allSettled([
  fetch("%s/secret").then(r => r.text()),
  fetch("http://169.254.169.254/latest/meta-data/").then(r => r.text()),
  new Promise(function (ok, bad) { var ws = new WebSocket("ws://%s/ws"); ws.onopen = ok; ws.onerror = bad; }),
]).then(rs => { document.getElementById("out").textContent = rs.map(r => r.status).join(","); });
</script><img src="%s/secret.png"></body></html>`, other.URL, other.Listener.Addr(), other.URL)})
	g := allowSite(s)
	p := newPool(t, g, nil)
	res, err := p.Render(t.Context(), Request{URL: s.URL + "/ssrf", Actions: []client.Action{{Type: "wait_for", Selector: "#out:not(:empty)"}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := other.count("/"); n != 0 {
		t.Fatalf("the other loopback server got %d requests: %v", n, other.hits)
	}
	if res.Blocked < 3 || g.refused.Load() < 3 {
		t.Fatalf("blocked %d (guard refused %d), want the fetch, the WebSocket, the image and the metadata request refused; log: %+v", res.Blocked, g.refused.Load(), res.Requests)
	}
	var meta bool
	for _, r := range res.Requests {
		if strings.Contains(r.Target, "169.254.169.254") && r.Blocked != "" {
			meta = true
		}
	}
	if !meta {
		t.Errorf("no refused request to 169.254.169.254 in the log: %+v", res.Requests)
	}
	if !strings.Contains(strings.Join(res.Warnings, "\n"), "SSRF guard refused") {
		t.Errorf("warnings do not mention the refusals: %q", res.Warnings)
	}
}

func TestBlockedNavigationIsBlockedError(t *testing.T) {
	g := &testGuard{allow: map[string]bool{}}
	p := newPool(t, g, nil)
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "https://169.254.169.254/"} {
		_, err := p.Render(t.Context(), Request{URL: u})
		var b *BlockedError
		if !errors.As(err, &b) || !strings.Contains(b.Reason, "metadata") {
			t.Errorf("%s: err = %v, want a BlockedError", u, err)
		}
	}
}

func TestNeverIdlePageIsCapturedWithWarning(t *testing.T) {
	s := newSite(t, map[string]string{"/busy": `<html><body><p>Busy page body text.</p><script>setInterval(function () { fetch("/ping"); }, 100);</script></body></html>`})
	p := newPool(t, allowSite(s), nil)
	res, err := p.Render(t.Context(), Request{URL: s.URL + "/busy"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.HTML, "Busy page body text") {
		t.Fatalf("content missing")
	}
	if !strings.Contains(strings.Join(res.Warnings, "\n"), "still loading") {
		t.Errorf("no warning that the page never settled: %q", res.Warnings)
	}
}

func TestDeadlineClosesTheTab(t *testing.T) {
	s := newSite(t, map[string]string{"/spin": `<html><body><p>spin</p><script>setTimeout(function () { for (;;) {} }, 0);</script></body></html>`})
	p := newPool(t, allowSite(s), nil)
	for _, path := range []string{"/slow-body", "/spin"} {
		ctx, cancel := context.WithTimeout(t.Context(), 4*time.Second)
		_, err := p.Render(ctx, Request{URL: s.URL + path})
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: err = %v, want the call's deadline", path, err)
		}
	}
	assertNoTabs(t, p)
	// The browser is still usable.
	if _, err := p.Render(t.Context(), Request{URL: s.URL + "/ping"}); err != nil {
		t.Fatalf("render after the deadlines: %v", err)
	}
	assertNoTabs(t, p)
}

func TestPopupsAndHugeCanvasAreBounded(t *testing.T) {
	s := newSite(t, map[string]string{"/flood": `<html><body><p>Flood page</p>
<a id="blank" href="/ping" target="_blank">new tab</a>
<canvas id="c" width="20000" height="30000"></canvas>
<div style="height:40000px">tall</div>
<script>for (var i = 0; i < 50; i++) { try { window.open("/ping?" + i, "w" + i); } catch (e) {} }
var c = document.getElementById("c").getContext("2d"); if (c) { c.fillStyle = "red"; c.fillRect(0, 0, 20000, 30000); }</script></body></html>`})
	p := newPool(t, allowSite(s), nil)
	res, err := p.Render(t.Context(), Request{URL: s.URL + "/flood", Screenshot: true, FullPage: true,
		Actions: []client.Action{{Type: "click", Selector: "#blank"}, {Type: "click", Selector: "#blank"}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Screenshot == nil {
		t.Fatalf("no screenshot; warnings %q", res.Warnings)
	}
	if res.Screenshot.Width > maxSide || res.Screenshot.Height > maxSide || len(res.Screenshot.PNG) > MaxPNGBytes {
		t.Errorf("screenshot %dx%d, %d bytes: over the bounds", res.Screenshot.Width, res.Screenshot.Height, len(res.Screenshot.PNG))
	}
	if n := s.count("/ping"); n > 2 {
		t.Errorf("the popups loaded %d pages", n)
	}
	assertNoTabs(t, p)
}

func TestScreenshotIsAPNGOfTheViewport(t *testing.T) {
	s := newSite(t, map[string]string{"/": `<html><body style="background:#0a0"><h1>Green</h1></body></html>`})
	p := newPool(t, allowSite(s), nil)
	res, err := p.Render(t.Context(), Request{URL: s.URL + "/", Screenshot: true})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(res.Screenshot.PNG))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != viewportW || b.Dy() != viewportH || res.Screenshot.Width != viewportW {
		t.Fatalf("screenshot %v (%dx%d), want %dx%d", b, res.Screenshot.Width, res.Screenshot.Height, viewportW, viewportH)
	}
	if r, g, b, _ := img.At(viewportW-5, viewportH-5).RGBA(); g>>8 < 0x90 || r>>8 > 0x20 || b>>8 > 0x20 {
		t.Errorf("corner pixel is not the page's green: %v %v %v", r>>8, g>>8, b>>8)
	}
}

func TestBrowserRestartsAfterItDies(t *testing.T) {
	s := newSite(t, map[string]string{"/spa": spaPage})
	p := newPool(t, allowSite(s), nil)
	if _, err := p.Render(t.Context(), Request{URL: s.URL + "/spa"}); err != nil {
		t.Fatal(err)
	}
	proc, err := os.FindProcess(p.PID())
	if err != nil {
		t.Fatal(err)
	}
	if err := proc.Kill(); err != nil {
		t.Fatal(err)
	}
	// Whether the kill is noticed by this call or the next, a call after
	// the crash must get a working browser.
	var res *Result
	for i := 0; i < 2; i++ {
		if res, err = p.Render(t.Context(), Request{URL: s.URL + "/spa"}); err == nil {
			break
		}
	}
	if err != nil || !strings.Contains(res.HTML, "Built by script") {
		t.Fatalf("render after the browser died: %v", err)
	}
	if p.Starts() != 2 {
		t.Errorf("browser started %d times, want 2", p.Starts())
	}
}

func TestCloseLeavesNoProcesses(t *testing.T) {
	s := newSite(t, map[string]string{"/spa": spaPage})
	p := newPool(t, allowSite(s), nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := p.Render(ctx, Request{URL: s.URL + "/slow-body"})
		done <- err
	}()
	for s.count("/slow-body") == 0 {
		time.Sleep(10 * time.Millisecond) // waiting for the request to arrive, not for time to pass
	}
	dir := p.DataDir()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled render: err = %v", err)
	}
	assertNoTabs(t, p)
	p.Close()
	if n := processesWith(dir); n != 0 {
		t.Fatalf("%d browser processes left after Close", n)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("profile directory %s left behind", dir)
	}
	if _, err := p.Render(t.Context(), Request{URL: s.URL + "/spa"}); !errors.Is(err, ErrClosed) {
		t.Errorf("render after Close: %v", err)
	}
}

func TestTabsAreBounded(t *testing.T) {
	s := newSite(t, nil)
	p := newPool(t, allowSite(s), func(o *Options) { o.Tabs = 1 })
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go p.Render(ctx, Request{URL: s.URL + "/slow-body"}) //nolint:errcheck
	for s.count("/slow-body") == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	short, cancel2 := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel2()
	_, err := p.Render(short, Request{URL: s.URL + "/ping"})
	var busy *BusyError
	if !errors.As(err, &busy) || busy.Tabs != 1 {
		t.Fatalf("second render with the only tab busy: %v", err)
	}
}

// assertNoTabs checks that only the browser's first blank page is left and
// no incognito context survives: every tab and popup a render opened is gone.
func assertNoTabs(t *testing.T, p *Pool) {
	t.Helper()
	p.mu.Lock()
	r := p.run
	p.mu.Unlock()
	if r == nil {
		return
	}
	infos, err := chromedp.Targets(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	for _, i := range infos {
		if i.Type == "page" {
			pages++
		}
	}
	ctxs, err := chromedp.CallBrowser(r.ctx, target.GetBrowserContexts, struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	if pages > 1 || len(ctxs.BrowserContextIDs) > 0 {
		t.Fatalf("%d pages and %d browser contexts left open: %+v", pages, len(ctxs.BrowserContextIDs), infos)
	}
}

func TestEveryActionKeyHasAKeyPress(t *testing.T) {
	for _, k := range append(client.ActionKeys, "a", "é", "enter", "ARROWDOWN") {
		if !client.IsActionKey(k) {
			t.Errorf("client.IsActionKey(%q) = false", k)
		}
		if _, ok := KeyFor(k); !ok {
			t.Errorf("KeyFor(%q): no key to send", k)
		}
	}
	for _, k := range []string{"", "Enterprise", "ctrl+c"} {
		if client.IsActionKey(k) {
			t.Errorf("client.IsActionKey(%q) = true", k)
		}
	}
}

// A file is never saved: navigating to one fails (the browser would have
// downloaded it), and a link that downloads leaves the profile without it.
func TestDownloadsAreRefused(t *testing.T) {
	s := newSite(t, map[string]string{"/": `<html><body><a id="dl" href="/file.bin" download>get</a><p>Download page</p></body></html>`})
	p := newPool(t, allowSite(s), nil)
	_, err := p.Render(t.Context(), Request{URL: s.URL + "/file.bin"})
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("navigating to a file: err = %v, want a LoadError", err)
	}
	res, err := p.Render(t.Context(), Request{URL: s.URL + "/", Actions: []client.Action{{Type: "click", Selector: "#dl"}, {Type: "wait", Milliseconds: 500}}})
	if err != nil || !strings.Contains(res.HTML, "Download page") {
		t.Fatalf("click on a download link: %v", err)
	}
	found := false
	_ = filepath.WalkDir(p.DataDir(), func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), "file.bin") {
			found = true
		}
		return nil
	})
	home, _ := os.UserHomeDir()
	if _, err := os.Stat(filepath.Join(home, "Downloads", "file.bin")); err == nil {
		found = true
	}
	if found {
		t.Error("the download was saved")
	}
}

// Chromium's own traffic (search-engine preconnects, account and time
// services) never leaves and is not reported as the page's: the browser-
// wide proxy refuses everything, a tab's proxy everything before its
// navigation.
func TestChromiumsOwnTrafficIsRefusedAndNotThePages(t *testing.T) {
	s := newSite(t, map[string]string{"/spa": spaPage})
	g := allowSite(s)
	p := newPool(t, g, nil)
	for range 2 {
		res, err := p.Render(t.Context(), Request{URL: s.URL + "/spa"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Requests {
			if !strings.Contains(r.Target, s.Listener.Addr().String()) {
				t.Errorf("the page's log holds %+v", r)
			}
		}
	}
	if n := g.refused.Load(); n != 0 {
		t.Errorf("the guard was asked to dial %d addresses besides the site: background traffic reached it", n)
	}
}

// A browser that never starts holds each call only until its deadline and
// never holds up Close; one that exits at once is a StartError.
func TestBrokenBrowsersFailFast(t *testing.T) {
	dir := t.TempDir()
	hang := filepath.Join(dir, "hang")
	if err := os.WriteFile(hang, []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	g := &testGuard{}
	p, err := New(Options{Path: hang, Dial: g.dial, Blocked: g.blocked})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	_, err = p.Render(ctx, Request{URL: "http://example.com/"})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hanging browser: err = %v, want the call's deadline", err)
	}
	closed := make(chan struct{})
	go func() { p.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for a browser that never started")
	}

	p2, err := New(Options{Path: "/bin/false", Dial: g.dial, Blocked: g.blocked})
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	_, err = p2.Render(t.Context(), Request{URL: "http://example.com/"})
	var se *StartError
	if !errors.As(err, &se) {
		t.Errorf("browser that exits at once: err = %v, want a StartError", err)
	}
}

// A page that eats memory until its renderer dies ends the call at once
// with a CrashError, not at the deadline, and the browser serves the next
// call.
func TestPageThatExhaustsMemoryCrashesOnlyItsTab(t *testing.T) {
	s := newSite(t, map[string]string{"/spa": spaPage,
		"/oom": `<html><body><p>eat</p><script>var a = []; setTimeout(function () { for (;;) a.push(new Array(1e6).fill(1.5)); }, 50);</script></body></html>`})
	p := newPool(t, allowSite(s), nil)
	_, err := p.Render(t.Context(), Request{URL: s.URL + "/oom"})
	var ce *CrashError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a CrashError", err)
	}
	assertNoTabs(t, p)
	res, err := p.Render(t.Context(), Request{URL: s.URL + "/spa"})
	if err != nil || !strings.Contains(res.HTML, "Built by script") {
		t.Fatalf("the next render: %v", err)
	}
	if p.Starts() != 1 {
		t.Errorf("the browser was restarted (%d starts); only the tab should have died", p.Starts())
	}
}

// alert, confirm and prompt would block the page and every command after
// them; each is dismissed and the page renders.
func TestDialogsAreDismissed(t *testing.T) {
	s := newSite(t, map[string]string{"/": `<html><body><p id="out">before</p><script>
alert("one"); var ok = confirm("two"); var name = prompt("three");
document.getElementById("out").textContent = "after dialogs: " + ok + " " + name;
</script></body></html>`})
	p := newPool(t, allowSite(s), nil)
	res, err := p.Render(t.Context(), Request{URL: s.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.HTML, "after dialogs: false null") {
		t.Fatalf("the page did not run past its dialogs:\n%s", res.HTML)
	}
	if !strings.Contains(strings.Join(res.Warnings, " "), "3 dialog(s)") {
		t.Errorf("warnings %q", res.Warnings)
	}
}
