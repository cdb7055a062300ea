// Package local is the embedded fetcher scrapemcp uses when no API key is set.
// It fetches pages itself (net/http behind an SSRF guard, robots.txt and
// per-host rate limits), reduces them to their main content with readability
// and renders Markdown. Crawls run as in-process jobs, so the crawl,
// job_status and job_cancel tools behave as they do with an API provider;
// the jobs live in this process's memory only.
//
// # Limits
//
// Every page is hostile input. What one page, one call and the process may
// cost is bounded as follows (defaults; Options names the tunable ones):
//
//   - Body: 5 MiB after decoding (MaxBodyBytes); a longer text body is cut
//     with a warning, a gzip bomb stops at the cap. Response headers: 1 MiB.
//   - Content codings: at most two, each gzip, x-gzip, deflate or br
//     (identity ignored); a longer chain or another coding is refused with
//     unsupported_encoding before any decoder is built. robots.txt and
//     sitemaps are read the same way.
//   - Time: 30 s per fetch, body and extraction included (Timeout; a call
//     may ask for up to 2 min); a slow or endless body ends in timeout at
//     the deadline. A crawl stops after 10 min (CrawlTimeout).
//   - Extraction: at most MaxExtract pages (default GOMAXPROCS) are parsed
//     and converted at once, process-wide; the others wait for a slot
//     until their own deadline. Each runs under its call's context and an
//     element budget: readability only up to 50,000 elements, the Markdown
//     converter only up to 60,000 (above, plain text with headings,
//     paragraphs and lists, and a warning), a document tree only up to
//     400,000 (above, and for pages nested deeper than html.Parse's 512,
//     the text is read from the token stream, with a warning). The passes
//     around readability (code languages, boilerplate marks and pruning,
//     see prune.go) visit at most the Markdown converter's 60,000 elements
//     each, and a panic in one leaves the content as it was. A page whose
//     simplified reading finds no text is page_too_complex, never an empty
//     success. Measured at the 5 MiB cap (150,000 <p>): about 90 MB of heap
//     for one page; 25 such scrapes at once peaked at 480 MB RSS with
//     MaxExtract 2 (hostiletest/measure reproduces the figures).
//   - Links: 10,000 per page, 4 KiB each.
//   - Crawl and map walks: a frontier of 4 × (max_pages + failures) + 100
//     URLs (a crawl's sitemap URLs, read once its links run out, queue
//     only while it has room); a seen set (links past max_depth, counted for the stop
//     reason, included) of at most 10 × that (for map, at least twice its
//     limit), 200,000 URLs and 16 MiB. Map's own list holds at most its
//     limit (5,000) and remembers at most 200,000 URLs.
//   - Crawl jobs: at most 100; together they keep at most MaxJobBytes of
//     pages (default 256 MiB) and one job at most a quarter of that. A
//     running job that reaches its share, or finds the budget full of
//     other running jobs' pages, stops and records the page it could not
//     keep as a too_large page error. Finished jobs are forgotten an hour
//     after they finish, or earlier when a running job needs the room:
//     jobs whose final result has been read first, then those unread for
//     more than 10 minutes, oldest first.
//   - Per-host tables: robots.txt for 1,024 origins, rate limiters for
//     4,096 hosts, conditional-GET bodies for 64 URLs of at most 1 MiB.
//   - Job ids: 96 random bits from crypto/rand, so one id says nothing
//     about another.
//
// So the process holds roughly MaxExtract × 100 MB for extraction, about
// 10 MB per fetch in flight, and MaxJobBytes for crawl results, plus Go's
// garbage-collection headroom (GOGC); GOMEMLIMIT caps the last.
package local

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"golang.org/x/time/rate"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/local/browser"
)

// Defaults for the zero values of Options.
const (
	DefaultMaxBodyBytes = 5 << 20
	DefaultMaxRedirects = 10
	DefaultTimeout      = 30 * time.Second
	DefaultPerHostRate  = 2.0
	DefaultConcurrency  = 4
	DefaultCrawlTimeout = 10 * time.Minute
	DefaultMaxJobBytes  = 256 << 20

	// robotsToken is the product token matched against robots.txt
	// User-agent lines (RFC 9309 §2.2.1).
	robotsToken = "scrapemcp"
)

// Options configure the local fetcher. The zero value is usable: every
// field has a default.
type Options struct {
	// AllowHosts lets hosts past the SSRF guard: host names ("localhost"),
	// IP addresses ("127.0.0.1", "::1") or CIDR blocks ("10.0.0.0/8").
	// Empty by default, so loopback, private, link-local and metadata
	// addresses are refused.
	AllowHosts []string
	// UserAgent sent with every request. Default
	// "scrapemcp/<Version> (+https://github.com/scrapemcp/scrapemcp)".
	UserAgent string
	// Version goes into the default UserAgent ("dev" when empty).
	Version string
	// MaxBodyBytes caps a response body after decompression (default 5 MiB).
	// Longer text is cut with a warning.
	MaxBodyBytes int64
	// MaxRedirects caps the redirect hops of one fetch (default 10).
	MaxRedirects int
	// Timeout bounds one fetch, body included (default 30s).
	Timeout time.Duration
	// IgnoreRobots skips robots.txt checks. Sitemap lines are still read.
	IgnoreRobots bool
	// PerHostRate is the request rate per host, per second (default 2). A
	// robots.txt Crawl-delay slows a host further. Negative means unlimited.
	PerHostRate float64
	// Concurrency is the number of parallel fetches in a crawl, map or batch
	// (default 4).
	Concurrency int
	// CrawlTimeout is the hard deadline of one crawl job (default 10 min).
	CrawlTimeout time.Duration
	// MaxExtract is the number of pages turned into Markdown at once, across
	// every scrape, batch and crawl of this Provider (default
	// runtime.GOMAXPROCS(0)). Extraction is where a page costs CPU and
	// memory (up to ~100 MB for a page at the body cap); callers past the
	// limit wait for a slot until their own deadline.
	MaxExtract int
	// MaxJobBytes bounds the page content all local crawl jobs keep in
	// memory together (default 256 MiB); one running job may hold at most a
	// quarter of it. See the package documentation.
	MaxJobBytes int64
	// BrowserPath is the Chromium or Chrome that renders pages for
	// use_browser, actions and screenshots (see browser.Find). Empty: no
	// browser; those requests get browser_unavailable, with
	// NoBrowserReason and the install command in the message.
	BrowserPath     string
	NoBrowserReason string
	// BrowserTabs is how many pages render at once (default 4).
	BrowserTabs int
	// BrowserSettle caps the wait for a rendered page to go quiet (default
	// 10 s).
	BrowserSettle time.Duration
	// Logger receives debug and info records; nil discards them.
	Logger *slog.Logger
}

// Provider is the local fetcher. It implements client.Provider. Close it to
// stop running crawls and release idle connections.
type Provider struct {
	opts   Options
	log    *slog.Logger
	http   *http.Client
	tr     *http.Transport
	guard  *guard
	polite *politeness
	robots *robotsCache
	cond   *condCache
	jobs   *jobStore

	browser   *browser.Pool // nil when no browser is available
	noBrowser string        // why, then

	md           *converter.Converter
	budget       extractBudget
	extractSlots chan struct{} // a token per extraction running; see acquireExtract

	// base outlives any one request: crawl jobs run on it, not on the
	// context of the call that started them.
	base     context.Context
	stop     context.CancelFunc
	wg       sync.WaitGroup
	closeOne sync.Once
}

var _ client.Provider = (*Provider)(nil)

// netHooks replace name resolution and dialing in tests, so the guard can be
// shown to refuse an address without a packet ever being sent to it.
type netHooks struct {
	lookup lookupFunc
	dial   dialFunc
}

// New checks opts, fills in defaults and returns a ready Provider.
func New(opts Options) (*Provider, error) {
	return newProvider(opts, netHooks{})
}

func newProvider(opts Options, hooks netHooks) (*Provider, error) {
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	g, err := newGuard(opts.AllowHosts, hooks)
	if err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Provider{
		opts:   opts,
		log:    log,
		guard:  g,
		polite: newPoliteness(perHostLimit(opts.PerHostRate), 4096),
		robots: newRobotsCache(1024, time.Hour),
		cond:   newCondCache(64, 1<<20),
		jobs:   newJobStore(100, time.Hour, opts.MaxJobBytes),
		md:     newMarkdownConverter(),
		budget: defaultBudget,

		extractSlots: make(chan struct{}, opts.MaxExtract),
	}
	p.tr = newTransport(g, opts.Concurrency)
	p.http = &http.Client{
		Transport:     &politeTransport{base: p.tr, polite: p.polite},
		CheckRedirect: p.checkRedirect,
	}
	p.base, p.stop = context.WithCancel(context.Background())
	if err := p.startBrowser(); err != nil {
		return nil, err
	}
	return p, nil
}

func withDefaults(o Options) (Options, error) {
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.UserAgent == "" {
		o.UserAgent = "scrapemcp/" + o.Version + " (+https://github.com/scrapemcp/scrapemcp)"
	}
	if o.MaxBodyBytes < 0 || o.MaxRedirects < 0 || o.Timeout < 0 || o.Concurrency < 0 || o.CrawlTimeout < 0 ||
		o.MaxExtract < 0 || o.MaxJobBytes < 0 {
		return o, fmt.Errorf("local: MaxBodyBytes, MaxRedirects, Timeout, Concurrency, CrawlTimeout, MaxExtract and MaxJobBytes must not be negative")
	}
	if o.MaxExtract == 0 {
		o.MaxExtract = runtime.GOMAXPROCS(0)
	}
	if o.MaxJobBytes == 0 {
		o.MaxJobBytes = DefaultMaxJobBytes
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.PerHostRate == 0 {
		o.PerHostRate = DefaultPerHostRate
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.CrawlTimeout == 0 {
		o.CrawlTimeout = DefaultCrawlTimeout
	}
	return o, nil
}

func perHostLimit(perSecond float64) rate.Limit {
	if perSecond < 0 {
		return rate.Inf
	}
	return rate.Limit(perSecond)
}

// Name is "local".
func (p *Provider) Name() string { return client.Local }

// Close cancels every running crawl, waits for them to stop and closes idle
// connections. It is safe to call more than once.
func (p *Provider) Close() {
	p.closeOne.Do(func() {
		for _, j := range p.jobs.all() {
			j.requestCancel()
		}
		p.stop()
		p.wg.Wait()
		if p.browser != nil {
			p.browser.Close()
		}
		p.tr.CloseIdleConnections()
	})
}

// Search needs a search engine, which the local fetcher does not have.
func (p *Provider) Search(context.Context, client.SearchRequest) (*client.SearchResult, error) {
	return nil, client.Unsupported(client.Local, "search", "Search needs an API provider: set ANAKIN_API_KEY or ALTERLAB_API_KEY.")
}

// Extract needs a language model, which the local fetcher does not have.
func (p *Provider) Extract(context.Context, client.ExtractRequest) (*client.Extraction, error) {
	return nil, unsupportedExtraction()
}

func unsupportedExtraction() *client.Error {
	return client.Unsupported(client.Local, "extract",
		"Schema/prompt extraction needs an LLM-backed provider: set ANAKIN_API_KEY or ALTERLAB_API_KEY. "+
			"Without one, scrape the page as markdown and read the fields from it.")
}
