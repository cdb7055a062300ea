package local

import (
	"context"
	"errors"
	"net/url"

	"github.com/scrapemcp/scrapemcp/client"
)

// walk is the breadth-first traversal shared by crawl and map. One goroutine
// owns the frontier and the seen set; up to plan.workers visits run at once
// and report back on a channel, so no state is shared with them. walk
// returns only when every visit it started has returned.

// Why a link was not followed.
const (
	skipOffSite  = "off-site"
	skipFiltered = "filtered" // include/exclude patterns
	skipNotPage  = "not-page" // image, archive, font…
	skipRobots   = "robots"   // robots.txt disallows it
	skipGuarded  = "ssrf"     // the SSRF guard refused its address
	maxSeenLinks = 200_000    // bound on remembered URLs per walk (map's own list too)
	maxSeenBytes = 16 << 20   // and on their total length
)

type walkPlan struct {
	scope            siteScope
	maxDepth         int // 0 = the start page only
	maxPages         int // successful visits
	maxFailures      int
	include, exclude []pathPattern
	workers          int
	minSeen          int  // the seen set may grow to at least this (map: twice its limit)
	sitemaps         bool // crawl: seed from the sitemaps when the links run out (hooks.seeds)
}

type visitResult struct {
	page  *client.Page
	links []string
	err   *client.Error
}

type walkHooks struct {
	visit   func(ctx context.Context, u *url.URL) visitResult
	queued  func(key string)                         // a URL entered the frontier
	found   func(key string)                         // optional: a same-site, allowed link, queued or not
	page    func(key string, page *client.Page)      // a visit succeeded
	failed  func(key string, err *client.Error)      // a visit failed
	skipped func(key, why string, err *client.Error) // a link was not followed
	enough  func() bool                              // optional: stop early
	// seeds, optional, is asked once for more URLs when the frontier runs
	// dry before maxPages (the links ran out, or lay past maxDepth) and
	// the start page was read: it hands each URL to offer, which queues it
	// at depth 1 like a link on the start page and returns false once the
	// frontier is full. The crawl reads the site's sitemaps here.
	seeds func(ctx context.Context, offer func(loc string) bool)
}

// walkEnd says why a walk returned.
type walkEnd struct {
	reason string // a client.Stop* word; "enough" when hooks.enough stopped it
	left   int    // URLs queued or dropped at a bound, never visited
	beyond int    // distinct allowed links past maxDepth
	capped bool   // the seen set was full: links went unrecognised
}

type walkTask struct {
	u     *url.URL
	key   string
	depth int
}

type walkDone struct {
	walkTask
	res visitResult
}

func walk(ctx context.Context, start *url.URL, plan walkPlan, h walkHooks) walkEnd {
	startKey, err := normalize(start)
	if err != nil {
		return walkEnd{reason: client.StopFailures}
	}
	startURL, _ := url.Parse(startKey)
	seen := map[string]bool{startKey: true}
	beyond := map[string]bool{} // links past maxDepth, not (yet) seen
	queue := []walkTask{{startURL, startKey, 0}}
	h.queued(startKey)
	// A frontier longer than this can never be fetched: every entry ends as
	// a page, a failure or a skip, and pages and failures are both capped.
	queueCap := 4*(plan.maxPages+plan.maxFailures) + 100
	// The seen set only has to outlast the frontier by enough to recognise
	// links to pages already queued or visited; a link-heavy site must not
	// make it the biggest thing a small crawl holds. It also bounds the
	// links counted past maxDepth.
	seenCap := min(maxSeenLinks, max(10*queueCap, plan.minSeen))
	seenBytes := 0
	var end walkEnd

	results := make(chan walkDone)
	inflight, ok, failed := 0, 0, 0
	seeded, startOK := false, false
	stopped := func() bool {
		return ctx.Err() != nil || failed >= plan.maxFailures || (h.enough != nil && h.enough())
	}
	// admit normalises link and applies the site's scope and the path
	// rules; it returns the key and URL of a link worth following.
	admit := func(link string) (string, *url.URL, bool) {
		if len(seen)+len(beyond) >= seenCap || seenBytes >= maxSeenBytes {
			end.capped = true
			return "", nil, false
		}
		key, err := normalizeURL(link)
		if err != nil || seen[key] || beyond[key] {
			return "", nil, false
		}
		u, err := url.Parse(key)
		if err != nil {
			return "", nil, false
		}
		return key, u, true
	}
	consider := func(link string, depth int) {
		key, u, ok := admit(link)
		if !ok {
			return
		}
		seen[key] = true
		seenBytes += len(key)
		switch {
		case !plan.scope.contains(u):
			h.skipped(key, skipOffSite, nil)
		case !pathAllowed(u.Path, plan.include, plan.exclude):
			h.skipped(key, skipFiltered, nil)
		case skippedExtension(u.Path):
			h.skipped(key, skipNotPage, nil)
		default:
			if h.found != nil {
				h.found(key)
			}
			if len(queue) < queueCap {
				queue = append(queue, walkTask{u, key, depth})
				h.queued(key)
			} else {
				end.left++ // found (and listed by map), never to be fetched
			}
		}
	}
	// considerBeyond counts a link one level past maxDepth; a later,
	// shallower sighting still queues it (results arrive out of order).
	considerBeyond := func(link string) {
		key, u, ok := admit(link)
		if !ok || !plan.scope.contains(u) || !pathAllowed(u.Path, plan.include, plan.exclude) || skippedExtension(u.Path) {
			return
		}
		beyond[key] = true
		seenBytes += len(key)
		if h.found != nil {
			h.found(key)
		}
	}
	unbeyond := func(link string) {
		if len(beyond) == 0 {
			return
		}
		if key, err := normalizeURL(link); err == nil && beyond[key] {
			delete(beyond, key)
			seenBytes -= len(key)
		}
	}

	for {
		for len(queue) > 0 && inflight < plan.workers && ok+inflight < plan.maxPages && !stopped() {
			t := queue[0]
			queue = queue[1:]
			inflight++
			go func() { results <- walkDone{t, h.visit(ctx, t.u)} }()
		}
		if inflight == 0 {
			// Sitemap URLs count as links on the start page (depth 1), so
			// max_depth 0 still means the start page alone. They are asked
			// for only now, so a crawl its links can fill costs no extra
			// request; nothing is in flight while they are read.
			if !seeded && h.seeds != nil && len(queue) == 0 && plan.maxDepth >= 1 && startOK && ok < plan.maxPages && !stopped() {
				seeded = true
				h.seeds(ctx, func(loc string) bool {
					unbeyond(loc) // a sitemap URL past maxDepth is one to fetch now
					consider(loc, 1)
					return len(queue) < queueCap && !end.capped
				})
				if len(queue) > 0 {
					continue
				}
			}
			break
		}
		d := <-results
		inflight--
		if e := d.res.err; e != nil {
			switch {
			case ctx.Err() != nil: // cancelled mid-visit: not the page's fault
			case e.Code == client.CodeRobotsDisallowed:
				h.skipped(d.key, skipRobots, e)
			case e.Code == client.CodeSSRFBlocked:
				h.skipped(d.key, skipGuarded, e)
			default:
				failed++
				h.failed(d.key, e)
			}
			continue
		}
		ok++
		if d.depth == 0 {
			startOK = true
		}
		h.page(d.key, d.res.page)
		if d.res.page != nil {
			if k, err := normalizeURL(d.res.page.FinalURL); err == nil {
				seen[k] = true // a redirect's target is the same page
				if d.depth == 0 {
					if fu, err := url.Parse(k); err == nil && !plan.scope.contains(fu) {
						plan.scope = plan.scope.widen(fu)
					}
				}
			}
		}
		if d.depth < plan.maxDepth {
			for _, l := range d.res.links {
				unbeyond(l)
				consider(l, d.depth+1)
			}
		} else {
			for _, l := range d.res.links {
				considerBeyond(l)
			}
		}
	}

	end.left += len(queue)
	end.beyond = len(beyond)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		end.reason = client.StopDeadline
	case ctx.Err() != nil:
		end.reason = client.StopCancelled
	case h.enough != nil && h.enough():
		end.reason = "enough"
	case failed >= plan.maxFailures:
		end.reason = client.StopFailures
	case end.left > 0:
		end.reason = client.StopMaxPages
	case end.beyond > 0:
		end.reason = client.StopMaxDepth
	default:
		end.reason = client.StopExhausted
	}
	return end
}
