package local

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"

	"github.com/scrapemcp/scrapemcp/client"
)

// robots.txt per RFC 9309: 2xx is parsed, 4xx means no rules, 5xx and an
// unreachable file mean "disallow everything for now". Answers are cached
// per origin (scheme, host, port).

const (
	robotsMaxBytes = 500 << 10 // RFC 9309 §2.5: parse at least 500 KiB
	robotsErrTTL   = time.Minute
)

type robotsCache struct {
	mu      sync.Mutex
	entries *lru[string, *robotsEntry]
	ttl     time.Duration
}

// robotsEntry is filled once by the goroutine that fetches it; others wait
// on ready, so a crawl's workers fetch a host's robots.txt once between them.
type robotsEntry struct {
	ready   chan struct{}
	data    *robotstxt.RobotsData
	why     string        // set when data disallows everything because of a 5xx
	err     *client.Error // the origin could not be reached at all
	retry   bool          // the fetcher was cancelled; waiters fetch again
	expires time.Time
}

func newRobotsCache(maxOrigins int, ttl time.Duration) *robotsCache {
	return &robotsCache{entries: newLRU[string, *robotsEntry](maxOrigins), ttl: ttl}
}

func robotsKey(u *url.URL) string { return u.Scheme + "://" + hostKey(u) }

// robotsFor returns u's origin's robots.txt, fetching it when the cache has
// none or an expired one.
func (p *Provider) robotsFor(ctx context.Context, u *url.URL) (*robotsEntry, error) {
	key := robotsKey(u)
	for {
		p.robots.mu.Lock()
		e, ok := p.robots.entries.get(key)
		if ok {
			select {
			case <-e.ready:
				if time.Now().After(e.expires) {
					ok = false
				}
			default: // being fetched
			}
		}
		if !ok {
			e = &robotsEntry{ready: make(chan struct{})}
			p.robots.entries.put(key, e)
			p.robots.mu.Unlock()
			p.fetchRobots(ctx, u, e)
			close(e.ready)
		} else {
			p.robots.mu.Unlock()
		}
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, fetchError(ctx, u.Redacted(), ctx.Err(), p.opts.MaxRedirects)
		}
		if e.retry {
			if ctx.Err() != nil {
				return nil, fetchError(ctx, u.Redacted(), ctx.Err(), p.opts.MaxRedirects)
			}
			continue
		}
		if e.err != nil {
			return nil, e.err
		}
		return e, nil
	}
}

func (p *Provider) fetchRobots(ctx context.Context, u *url.URL, e *robotsEntry) {
	ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	doc, err := p.fetchSmall(withoutRobots(ctx), ru, "text/plain, */*;q=0.5", robotsMaxBytes)
	now := time.Now()
	e.expires = now.Add(p.robots.ttl)
	if err != nil {
		ce := client.AsError(client.Local, err)
		switch {
		case ctx.Err() != nil:
			e.retry, e.expires = true, now
			return
		case ce.Code == client.CodeTooManyRedirects || ce.Code == client.CodeInvalidURL:
			// RFC 9309 §2.3.1.2: a robots.txt lost in redirects is unavailable,
			// which allows everything.
			e.data = allowAll()
			return
		}
		e.err, e.expires = ce, now.Add(robotsErrTTL)
		return
	}
	switch s := doc.status; {
	case s >= 200 && s <= 299:
		body := doc.body
		if doc.truncated { // drop the partial last line
			if i := bytes.LastIndexByte(body, '\n'); i >= 0 {
				body = body[:i+1]
			}
		}
		data, perr := robotstxt.FromBytes(body)
		if perr != nil {
			// temoto rejects a whole file over one bad line; RFC 9309 wants
			// the rest used, which we cannot do, so we read it as no rules.
			p.log.Info("robots.txt does not parse; treating it as allowing everything", "url", ru.Redacted(), "error", perr.Error())
			data = allowAll()
		}
		e.data = data
	case s >= 500 && s <= 599:
		e.data = disallowAll()
		e.why = fmt.Sprintf("%s answered %d, which RFC 9309 reads as disallowing the whole site until it recovers", ru.Redacted(), s)
		e.expires = now.Add(robotsErrTTL)
	default: // 4xx, and statuses robots.txt has no rule for
		e.data = allowAll()
	}
}

func allowAll() *robotstxt.RobotsData {
	d, _ := robotstxt.FromStatusAndBytes(404, nil)
	return d
}

func disallowAll() *robotstxt.RobotsData {
	d, _ := robotstxt.FromStatusAndBytes(503, nil)
	return d
}

// allowedByRobots returns nil when u may be fetched, a robots_disallowed
// error when robots.txt forbids it, or the error that kept robots.txt out of
// reach (the page would fail the same way). It also applies the host's
// Crawl-delay to the rate limiter.
func (p *Provider) allowedByRobots(ctx context.Context, u *url.URL) error {
	if p.opts.IgnoreRobots || robotsExempt(ctx) {
		return nil
	}
	e, err := p.robotsFor(ctx, u)
	if err != nil {
		return err
	}
	p.polite.slowTo(hostKey(u), e.data.FindGroup(robotsToken).CrawlDelay)
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if path == "/robots.txt" {
		return nil
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if e.data.TestAgent(path, robotsToken) {
		return nil
	}
	msg := fmt.Sprintf("robots.txt of %s disallows %s for %s", robotsKey(u), clip(path, 200), robotsToken)
	if e.why != "" {
		msg = e.why
	}
	return localErr(client.CodeRobotsDisallowed, msg+"; the site asks crawlers to stay away (an operator can override with --ignore-robots)", nil)
}
