// Package browser renders pages in a headless Chromium for the local
// backend: one browser process shared by every call, a tab per call in its
// own incognito browser context, every request of the tab through a proxy
// that applies the SSRF guard. It runs page actions (wait, wait_for, click,
// scroll, write, press) and takes screenshots; extraction stays with the
// caller, which hands the rendered DOM to the same path as plain fetches.
//
// # Limits
//
//   - Tabs: Options.Tabs at once (--browser-tabs); more calls wait for one
//     until their own deadline.
//   - A tab: the call's deadline; 64 MiB of responses and 2,000 requests
//     (then its proxy refuses more and the capture carries a warning);
//     popups and new windows closed; downloads denied; 512 MB of JavaScript
//     heap per renderer; the rendered DOM read up to MaxHTMLBytes.
//   - Screenshots: PNG, full pages cut at 16,384 CSS pixels and scaled so
//     no side exceeds 8,000 pixels and the file stays under 5 MiB.
//   - The process: started on first use, restarted when it has died,
//     stopped after IdleClose without a tab, killed with its children on
//     Close. No profile is kept: the user-data directory is a fresh
//     temporary one, removed on Close.
package browser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

// DialFunc dials for the proxy; the local fetcher passes its guarded dialer.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Options configure a Pool.
type Options struct {
	// Path is the Chromium or Chrome executable (see Find).
	Path string
	// Tabs is how many pages render at once (default 4).
	Tabs int
	// Dial makes every connection the browser needs. Required.
	Dial DialFunc
	// Blocked says whether a Dial error is a refusal by the SSRF guard, and
	// why. Required.
	Blocked func(error) (string, bool)
	// MaxTabBytes bounds the response bytes one tab may download (default
	// 64 MiB); MaxTabRequests its requests (default 2,000).
	MaxTabBytes    int64
	MaxTabRequests int64
	// MaxHTMLBytes bounds the rendered DOM read back (default 5 MiB).
	MaxHTMLBytes int
	// IdleClose stops the browser after this long without a tab (default
	// 5 minutes); the next call starts it again.
	IdleClose time.Duration
	// Settle caps the wait for a page to go quiet after it loads (default
	// 10 s); a page still busy then is captured as it stands, with a
	// warning.
	Settle time.Duration
	// Logger receives debug records; nil discards them.
	Logger *slog.Logger
}

// Pool is the shared browser. Its zero value is not usable: call New.
type Pool struct {
	opts  Options
	log   *slog.Logger
	slots chan struct{}

	mu       sync.Mutex
	starting chan struct{} // closed when the start under way ends; nil when none is
	run      *running      // nil when no browser process runs
	active   int           // tabs open
	idle     *time.Timer
	closed   bool
	starts   int
	lastErr  error
}

// running is one browser process.
type running struct {
	allocCancel context.CancelFunc
	ctx         context.Context // the browser's chromedp context
	cancel      context.CancelFunc
	dataDir     string
	defProxy    *tabProxy // the default context's proxy, also guarded
	cmd         *exec.Cmd
}

// New checks opts and returns a Pool. No browser starts until the first
// Render.
func New(opts Options) (*Pool, error) {
	if opts.Path == "" {
		return nil, errors.New("browser: no executable path")
	}
	if opts.Dial == nil || opts.Blocked == nil {
		return nil, errors.New("browser: Dial and Blocked are required")
	}
	if opts.Tabs <= 0 {
		opts.Tabs = 4
	}
	if opts.MaxTabBytes <= 0 {
		opts.MaxTabBytes = 64 << 20
	}
	if opts.MaxTabRequests <= 0 {
		opts.MaxTabRequests = 2000
	}
	if opts.MaxHTMLBytes <= 0 {
		opts.MaxHTMLBytes = 5 << 20
	}
	if opts.Settle <= 0 {
		opts.Settle = maxSettle
	}
	if opts.IdleClose <= 0 {
		opts.IdleClose = 5 * time.Minute
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Pool{opts: opts, log: log, slots: make(chan struct{}, opts.Tabs)}, nil
}

// Path is the executable the pool runs.
func (p *Pool) Path() string { return p.opts.Path }

// ErrClosed is returned by Render after Close.
var ErrClosed = errors.New("browser: shut down")

// BusyError says every tab stayed busy until the call's deadline.
type BusyError struct{ Tabs int }

func (e *BusyError) Error() string {
	return fmt.Sprintf("all %d browser tabs stayed busy until the call's deadline", e.Tabs)
}

// StartError says the browser process could not be started.
type StartError struct{ Err error }

func (e *StartError) Error() string { return "the headless browser did not start: " + e.Err.Error() }
func (e *StartError) Unwrap() error { return e.Err }

// acquire takes a tab slot and a live browser, starting one if none runs.
// The start happens outside the lock, so a browser slow to start holds no
// one but the calls that need it, and each of them only until its own
// deadline; Close never waits for it.
func (p *Pool) acquire(ctx context.Context) (*running, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, &BusyError{Tabs: p.opts.Tabs}
	}
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			<-p.slots
			return nil, ErrClosed
		}
		if p.idle != nil {
			p.idle.Stop()
			p.idle = nil
		}
		if p.run != nil && !p.run.alive() {
			p.log.Warn("browser: the browser process has died; starting a new one")
			p.stopLocked()
		}
		if r := p.run; r != nil {
			p.active++
			p.mu.Unlock()
			return r, nil
		}
		if p.starting == nil {
			p.starting = make(chan struct{})
			go p.startInBackground(p.starting)
		}
		started := p.starting
		p.mu.Unlock()

		select {
		case <-started:
		case <-ctx.Done():
			<-p.slots
			return nil, ctx.Err()
		}
		p.mu.Lock()
		failed, err := p.run == nil, p.lastErr
		p.mu.Unlock()
		if failed {
			<-p.slots
			if err == nil {
				return nil, ErrClosed
			}
			return nil, &StartError{Err: err}
		}
	}
}

func (p *Pool) startInBackground(done chan struct{}) {
	r, err := p.start()
	p.mu.Lock()
	p.starting = nil
	switch {
	case err != nil:
		p.lastErr = err
	case p.closed:
		r.stop()
		p.lastErr = nil
	default:
		p.run, p.lastErr = r, nil
		p.starts++
	}
	p.mu.Unlock()
	close(done)
}

// release gives the slot back; the last tab out arms the idle timer.
func (p *Pool) release() {
	p.mu.Lock()
	p.active--
	if p.active == 0 && p.run != nil && !p.closed {
		r := p.run
		p.idle = time.AfterFunc(p.opts.IdleClose, func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.active == 0 && p.run == r {
				p.log.Debug("browser: idle; stopping the browser process")
				p.stopLocked()
			}
		})
	}
	p.mu.Unlock()
	<-p.slots
}

// Starts counts browser processes started so far (tests read it).
func (p *Pool) Starts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.starts
}

// PID is the browser process's id, 0 when none runs.
func (p *Pool) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.run == nil || p.run.cmd == nil || p.run.cmd.Process == nil {
		return 0
	}
	return p.run.cmd.Process.Pid
}

// DataDir is the running browser's temporary profile directory ("" when
// none runs); every process of that browser has it on its command line.
func (p *Pool) DataDir() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.run == nil {
		return ""
	}
	return p.run.dataDir
}

func (p *Pool) start() (*running, error) {
	dir, err := os.MkdirTemp("", "scrapemcp-browser-")
	if err != nil {
		return nil, err
	}
	def, err := newTabProxy(p.opts.Dial, p.opts.Blocked, p.opts.MaxTabBytes, p.opts.MaxTabRequests)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	r := &running{dataDir: dir, defProxy: def}
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), p.flags(dir, def.addr(), func(c *exec.Cmd) { r.cmd = c })...)
	r.allocCancel = allocCancel
	bctx, bcancel := chromedp.NewContext(allocCtx)
	r.ctx, r.cancel = bctx, bcancel
	// The first Do launches the browser; it must not run under a timeout
	// (that would end the browser with it), so the wait is bounded here.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(bctx) }()
	select {
	case err = <-started:
	case <-time.After(45 * time.Second):
		err = errors.New("no answer within 45s")
	}
	if err != nil {
		r.stop()
		return nil, err
	}
	p.log.Debug("browser: started", "path", p.opts.Path)
	return r, nil
}

// flags launch Chromium with as little as possible that reaches out by
// itself: no background networking, component updates, sync, network-time
// queries, QUIC or non-proxied WebRTC UDP, and every request through a
// proxy (loopback included; by default Chromium sends localhost direct).
// What Chromium still sends on its own (account and search-engine
// preconnects) meets a proxy that is not armed: the browser-wide one never
// is, a tab's only once its navigation starts.
func (p *Pool) flags(dir, proxy string, capture func(*exec.Cmd)) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(p.opts.Path),
		chromedp.UserDataDir(dir),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.ProxyServer(proxy),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("force-webrtc-ip-handling-policy", "disable_non_proxied_udp"),
		chromedp.Flag("webrtc-ip-handling-policy", "disable_non_proxied_udp"),
		chromedp.Flag("dns-prefetch-disable", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication,CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,NetworkTimeServiceQuerying,PreconnectToSearch,SearchPrefetchServicePrefetching,LensOverlay,PrivacySandboxSettings4"),
		chromedp.Flag("disable-search-engine-choice-screen", true),
		chromedp.Flag("no-service-autorun", true),
		chromedp.Flag("disable-component-extensions-with-background-pages", true),
		chromedp.Flag("enable-automation", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("js-flags", "--max-old-space-size=512"),
		chromedp.WindowSize(viewportW, viewportH),
		chromedp.ModifyCmdFunc(capture),
	}
}

// alive reports whether the process still runs. chromedp reaps it, so a
// signal 0 fails once it has exited.
func (r *running) alive() bool {
	if r.ctx.Err() != nil {
		return false
	}
	if r.cmd == nil || r.cmd.Process == nil {
		return true
	}
	return signalZero(r.cmd.Process) == nil
}

func (r *running) stop() {
	if r.cancel != nil {
		r.cancel()
	}
	r.allocCancel() // kills the process and waits for it
	r.defProxy.Close()
	_ = os.RemoveAll(r.dataDir)
}

func (p *Pool) stopLocked() {
	if p.run == nil {
		return
	}
	p.run.stop()
	p.run = nil
}

// Close stops the browser and refuses further renders. Tabs still open are
// closed with it.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.idle != nil {
		p.idle.Stop()
	}
	p.stopLocked()
}
