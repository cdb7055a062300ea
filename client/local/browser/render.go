package browser

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/scrapemcp/scrapemcp/client"
)

const (
	viewportW = 1280
	viewportH = 800

	// quietFor is how long the network must be silent to count as idle.
	quietFor = 500 * time.Millisecond
	// maxSettle caps the wait for the page to go idle after navigation;
	// a page that never goes quiet is captured then, with a warning.
	maxSettle = 10 * time.Second
	// afterAction caps the wait for the network to settle after a click,
	// scroll or key press (an infinite list loading its next rows).
	afterAction = 3 * time.Second
)

// Request is one page to render.
type Request struct {
	URL        string
	WaitFor    string // CSS selector to wait for after the actions, before capture (up to client.MaxActionWait)
	Actions    []client.Action
	Screenshot bool
	FullPage   bool
}

// Result is the rendered page.
type Result struct {
	HTML      string // the DOM after scripts and actions, serialised
	Truncated bool   // HTML was cut at MaxHTMLBytes
	FinalURL  string
	Status    int // the navigation's HTTP status; 0 when unknown
	Headers   map[string]string
	MimeType  string
	Title     string

	Screenshot *client.Screenshot
	Warnings   []string

	Requests []Fetch // the tab's request log (at most 500 entries)
	Blocked  int     // requests the SSRF guard refused
	Popups   int     // windows the page opened, closed unseen
}

// BlockedError says the navigation itself (or one of its redirects) was
// refused by the SSRF guard.
type BlockedError struct {
	Target string
	Reason string
}

func (e *BlockedError) Error() string { return e.Target + ": " + e.Reason }

// CrashError says the page crashed its renderer: it ran out of memory (the
// JavaScript heap is capped) or broke the renderer some other way.
type CrashError struct{ Target string }

func (e *CrashError) Error() string {
	return "the page crashed its browser tab (out of memory, or a renderer failure): " + e.Target
}

// LoadError says the navigation failed in the browser (net::ERR_…).
type LoadError struct {
	Target string
	Text   string
}

func (e *LoadError) Error() string { return "loading " + e.Target + " failed: " + e.Text }

// ActionError says an action could not be carried out (no element matched
// its selector in time, say). Index is its position in Request.Actions.
type ActionError struct {
	Index  int
	Action client.Action
	Err    error
}

func (e *ActionError) Error() string {
	return fmt.Sprintf("actions[%d] (%s) failed: %v", e.Index, e.Action.Type, e.Err)
}
func (e *ActionError) Unwrap() error { return e.Err }

// WaitForError says the wait_for selector matched no visible element in
// time.
type WaitForError struct {
	Selector string
	Err      error
}

func (e *WaitForError) Error() string { return fmt.Sprintf("wait_for %q: %v", e.Selector, e.Err) }
func (e *WaitForError) Unwrap() error { return e.Err }

// Render opens a tab, loads req.URL, waits for it to settle, runs the
// actions and captures the DOM (and a screenshot when asked). The tab and
// everything it opened are gone when Render returns, on every path.
func (p *Pool) Render(ctx context.Context, req Request) (*Result, error) {
	r, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer p.release()
	res, err := p.renderIn(ctx, r, req)
	if err != nil && ctx.Err() == nil && !r.alive() {
		// The browser died under this call (crash, OOM kill). Say so; the
		// next call starts a new one.
		err = fmt.Errorf("the browser process exited during the render: %w", err)
	}
	return res, err
}

func (p *Pool) renderIn(ctx context.Context, r *running, req Request) (_ *Result, err error) {
	px, err := newTabProxy(p.opts.Dial, p.opts.Blocked, p.opts.MaxTabBytes, p.opts.MaxTabRequests)
	if err != nil {
		return nil, err
	}
	defer px.Close()

	tabCtx, closeTab := chromedp.NewContext(r.ctx, chromedp.WithNewBrowserContext(func(params *target.CreateBrowserContextParams) {
		params.ProxyServer = px.addr()
		params.ProxyBypassList = "<-loopback>"
	}))
	defer closeTab()
	// The caller's deadline and cancellation end the tab too.
	stop := context.AfterFunc(ctx, closeTab)
	defer stop()

	t := &tab{pool: p, ctx: tabCtx, px: px, res: &Result{}, closeTab: closeTab}
	defer func() {
		// A crashed renderer (out of memory, most often) ends the tab at
		// once; whatever step was waiting fails, and this says why.
		if err != nil && ctx.Err() == nil && t.crashed.Load() {
			err = &CrashError{Target: redact(req.URL)}
		}
	}()
	if err := t.setUp(); err != nil {
		return nil, t.fail(ctx, err)
	}
	if err := t.navigate(ctx, req.URL); err != nil {
		return nil, t.fail(ctx, err)
	}
	for i, a := range req.Actions {
		if err := t.act(ctx, a); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &ActionError{Index: i, Action: a, Err: err}
		}
	}
	// wait_for is the last thing before the capture, after any actions, as
	// on the API providers.
	if sel := strings.TrimSpace(req.WaitFor); sel != "" {
		if err := t.waitFor(ctx, sel, client.MaxActionWait); err != nil {
			return nil, t.fail(ctx, &WaitForError{Selector: sel, Err: err})
		}
	}
	if err := t.capture(ctx); err != nil {
		return nil, t.fail(ctx, err)
	}
	if req.Screenshot {
		shot, err := t.screenshot(ctx, req.FullPage)
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil:
			t.res.Warnings = append(t.res.Warnings, "the screenshot failed: "+err.Error())
		default:
			t.res.Screenshot = shot
		}
	}
	t.finish()
	return t.res, nil
}

// tab is one render in progress.
type tab struct {
	pool *Pool
	ctx  context.Context
	px   *tabProxy
	res  *Result

	bctxID   cdp.BrowserContextID
	targetID target.ID
	closeTab context.CancelFunc
	crashed  atomic.Bool

	mu       sync.Mutex
	inflight map[network.RequestID]bool
	lastNet  time.Time
	loaded   bool
	docReqs  []string // navigation requests of the main frame, redirects included
	mainResp *network.Response
	popups   int
	dialogs  int
}

func (t *tab) setUp() error {
	t.inflight = map[network.RequestID]bool{}
	t.lastNet = time.Now()
	c := chromedp.FromContext(t.ctx)
	// Run once so the tab (and its browser context) exist.
	if err := chromedp.Do(t.ctx); err != nil {
		return err
	}
	t.bctxID, t.targetID = c.BrowserContextID, c.Target.TargetID
	if _, err := chromedp.CallBrowser(t.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorDeny, BrowserContextID: t.bctxID,
	}); err != nil {
		return err
	}
	if err := chromedp.Listen(t.ctx, t.onEvent); err != nil {
		return err
	}
	if err := chromedp.ListenBrowser(t.ctx, t.onBrowserEvent); err != nil {
		return err
	}
	if _, err := chromedp.Call(t.ctx, network.Enable, network.EnableParams{}); err != nil {
		return err
	}
	// A page may not open windows: window.open answers null. A popup the
	// browser opens anyway (a clicked target=_blank link) is closed as it
	// appears, in onBrowserEvent.
	_, err := chromedp.Call(t.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `Object.defineProperty(window, "open", {value: function () { return null; }, writable: false, configurable: false});`,
	})
	if err != nil {
		return err
	}
	return chromedp.Do(t.ctx, chromedp.EmulateViewport(viewportW, viewportH))
}

// onEvent runs on the tab's reader goroutine: record, never block.
func (t *tab) onEvent(ev any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		t.inflight[e.RequestID] = true
		t.lastNet = time.Now()
		if e.Type == network.ResourceTypeDocument && e.FrameID == cdp.FrameID(t.targetID) && e.Request != nil {
			t.docReqs = append(t.docReqs, e.Request.URL)
		}
	case *network.EventResponseReceived:
		t.lastNet = time.Now()
		if e.Type == network.ResourceTypeDocument && e.FrameID == cdp.FrameID(t.targetID) {
			t.mainResp = e.Response
		}
	case *network.EventLoadingFinished:
		delete(t.inflight, e.RequestID)
		t.lastNet = time.Now()
	case *network.EventLoadingFailed:
		delete(t.inflight, e.RequestID)
		t.lastNet = time.Now()
	case *page.EventLoadEventFired:
		t.loaded = true
	case *page.EventJavascriptDialogOpening:
		// alert, confirm, prompt and beforeunload block the page's script
		// and every command after them until answered: dismiss each one.
		t.dialogs++
		go func() {
			ctx, cancel := context.WithTimeout(t.ctx, 5*time.Second)
			defer cancel()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}()
	case *inspector.EventTargetCrashed:
		t.crashed.Store(true)
		go t.closeTab() // not on the reader goroutine: closing sends commands
	}
}

func (t *tab) onBrowserEvent(ev any) {
	e, ok := ev.(*target.EventTargetCreated)
	if !ok || e.TargetInfo == nil {
		return
	}
	info := e.TargetInfo
	if info.BrowserContextID != t.bctxID || info.TargetID == t.targetID || info.Type != "page" {
		return
	}
	t.mu.Lock()
	t.popups++
	t.mu.Unlock()
	id := info.TargetID
	go func() {
		ctx, cancel := context.WithTimeout(t.ctx, 5*time.Second)
		defer cancel()
		_, _ = chromedp.CallBrowser(ctx, target.CloseTarget, target.CloseTargetParams{TargetID: id})
	}()
}

func (t *tab) navigate(ctx context.Context, raw string) error {
	// A late load event of the tab's first about:blank must not count.
	t.mu.Lock()
	t.loaded = false
	t.mu.Unlock()
	t.px.armed.Store(true)
	res, err := chromedp.Call(t.ctx, page.Navigate, page.NavigateParams{URL: raw})
	if err == nil && res.ErrorText != "" {
		err = &LoadError{Target: raw, Text: res.ErrorText}
	}
	if err != nil {
		if b := t.navBlocked(raw); b != nil {
			return b
		}
		return err
	}
	t.settle(ctx, t.pool.opts.Settle, true)
	if b := t.navBlocked(raw); b != nil {
		return b
	}
	t.mu.Lock()
	resp := t.mainResp
	t.mu.Unlock()
	if resp != nil {
		t.res.Status = int(resp.Status)
		t.res.MimeType = resp.MimeType
		t.res.Headers = map[string]string{}
		for k, v := range resp.Headers {
			if s, ok := v.(string); ok {
				t.res.Headers[k] = s
			}
		}
	}
	return ctx.Err()
}

// navBlocked finds a refusal by the guard among the navigation's requests.
func (t *tab) navBlocked(raw string) error {
	t.mu.Lock()
	docs := append([]string{raw}, t.docReqs...)
	t.mu.Unlock()
	for _, r := range t.px.Log() {
		if r.Blocked == "" {
			continue
		}
		for _, d := range docs {
			if r.Target == redact(d) || r.Method == "CONNECT" && r.Target == hostPort(d) {
				return &BlockedError{Target: redact(d), Reason: r.Blocked}
			}
		}
	}
	return nil
}

func hostPort(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" || u.Scheme == "wss" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// settle waits until the load event (when needLoad) and then quietFor of
// network silence, at most limit. It reports whether the page settled.
func (t *tab) settle(ctx context.Context, limit time.Duration, needLoad bool) bool {
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		t.mu.Lock()
		ok := (!needLoad || t.loaded) && len(t.inflight) == 0 && time.Since(t.lastNet) >= quietFor
		t.mu.Unlock()
		if ok {
			return true
		}
		if time.Now().After(deadline) {
			if needLoad {
				t.res.Warnings = append(t.res.Warnings, fmt.Sprintf(
					"the page was still loading after %s; it was captured as it stood", limit))
			}
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.ctx.Done():
			return false
		case <-tick.C:
		}
	}
}

func (t *tab) waitFor(ctx context.Context, sel string, limit time.Duration) error {
	wctx, cancel := context.WithTimeout(t.ctx, limit)
	defer cancel()
	err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS(sel)))
	if err != nil && wctx.Err() != nil && ctx.Err() == nil {
		return fmt.Errorf("no visible element matched %q within %d ms", sel, limit.Milliseconds())
	}
	return err
}

// capture reads the DOM, cut at MaxHTMLBytes inside the page so that no
// more than that crosses to this process.
func (t *tab) capture(ctx context.Context) error {
	type dom struct {
		Len   int    `json:"len"`
		HTML  string `json:"html"`
		URL   string `json:"url"`
		Title string `json:"title"`
	}
	expr := fmt.Sprintf(`(() => {
		const d = document.documentElement;
		const h = d ? d.outerHTML : "";
		return {len: h.length, html: h.slice(0, %d), url: location.href, title: document.title};
	})()`, t.pool.opts.MaxHTMLBytes)
	v, err := chromedp.Run(t.ctx, chromedp.Evaluate[dom](expr))
	if err != nil {
		return err
	}
	t.res.HTML, t.res.FinalURL, t.res.Title = v.HTML, v.URL, v.Title
	if v.Len > t.pool.opts.MaxHTMLBytes {
		t.res.Truncated = true
		t.res.Warnings = append(t.res.Warnings, fmt.Sprintf(
			"the rendered page is %d characters long; only the first %d were read", v.Len, t.pool.opts.MaxHTMLBytes))
	}
	return ctx.Err()
}

func (t *tab) finish() {
	t.mu.Lock()
	t.res.Popups = t.popups
	dialogs := t.dialogs
	t.mu.Unlock()
	if dialogs > 0 {
		t.res.Warnings = append(t.res.Warnings, fmt.Sprintf("the page opened %d dialog(s) (alert, confirm, prompt); each was dismissed", dialogs))
	}
	t.res.Requests = t.px.Log()
	t.res.Blocked = t.px.blockedCount()
	if t.res.Blocked > 0 {
		var ex []string
		for _, r := range t.res.Requests {
			if r.Blocked != "" && len(ex) < 3 {
				ex = append(ex, r.Target+" ("+r.Blocked+")")
			}
		}
		t.res.Warnings = append(t.res.Warnings, fmt.Sprintf(
			"the SSRF guard refused %d request(s) the page made: %s; the page may lack what they would have loaded", t.res.Blocked, strings.Join(ex, "; ")))
	}
	if t.px.over.Load() {
		t.res.Warnings = append(t.res.Warnings, fmt.Sprintf(
			"the page hit the tab's budget (%d requests, %d MiB); later requests were refused", t.pool.opts.MaxTabRequests, t.pool.opts.MaxTabBytes>>20))
	}
	if t.res.Popups > 0 {
		t.res.Warnings = append(t.res.Warnings, fmt.Sprintf("the page opened %d window(s); they were closed unread", t.res.Popups))
	}
}

// fail prefers the caller's own reason (deadline, cancel) over whatever
// error the closing tab produced.
func (t *tab) fail(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
