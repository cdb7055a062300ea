package local

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/scrapemcp/scrapemcp/client"
)

const (
	defaultMapLimit = 100
	maxMapLimit     = 5000
	mapDepth        = 2  // link discovery beyond the sitemaps
	mapPages        = 25 // pages fetched for link discovery
	mapTimeout      = 2 * time.Minute
)

// Map lists a site's URLs: first those in its sitemaps (robots.txt Sitemap
// lines, then /sitemap.xml, indexes and gzipped files followed), then links
// found on the start page and, while fewer than Limit are known, on pages
// up to two links deeper. URLs are normalised (see normalizeURL), same-site
// (see siteScope), filtered by Search (case-insensitive substring) and
// capped at Limit (default 100, at most 5000). URLs robots.txt disallows or
// on hosts the SSRF guard refuses are left out and counted in Skipped; URLs
// fetched for their links that failed (404, 5xx…) are left out and counted
// in Failed. Every same-site link on a fetched page is listed, whether or
// not the walk's frontier had room to fetch it. When the list is full and
// one more URL turns up, Truncated is set and Stop says limit.
func (p *Provider) Map(ctx context.Context, req client.MapRequest) (*client.MapResult, error) {
	start, err := parseTarget(req.URL)
	if err != nil {
		return nil, err
	}
	limit := req.Limit
	if limit <= 0 {
		limit = defaultMapLimit
	}
	ctx, cancel := context.WithTimeout(ctx, mapTimeout)
	defer cancel()
	m := &siteMap{
		p: p, scope: newScope(start, req.IncludeSubdomains), limit: min(limit, maxMapLimit),
		search: strings.ToLower(strings.TrimSpace(req.Search)), seen: map[string]bool{}, urls: []string{},
	}
	if _, err := p.robotsFor(ctx, start); err != nil {
		return nil, err // the site is out of reach (DNS, TLS, SSRF guard…)
	}
	// The start page first: where it redirects to is part of the site, and
	// its links seed the walk below.
	first := p.visitLinks(ctx, start)
	origins := []*url.URL{start}
	if first.page != nil {
		if fu, err := url.Parse(first.page.FinalURL); err == nil && robotsKey(fu) != robotsKey(start) {
			m.scope = m.scope.widen(fu)
			origins = append(origins, fu)
		}
	}
	m.add(ctx, start.String())
	p.readSitemaps(ctx, p.sitemapRoots(ctx, origins), func(loc string) bool {
		m.add(ctx, loc)
		return !m.more
	})

	startKey, _ := normalize(start)
	var startErr *client.Error
	stop := &client.Stop{Reason: client.StopExhausted}
	if !m.more {
		end := walk(ctx, start, walkPlan{
			scope: m.scope, maxDepth: mapDepth, maxPages: mapPages, maxFailures: mapPages, workers: p.opts.Concurrency,
			minSeen: 2*m.limit + 100,
		}, walkHooks{
			visit: func(ctx context.Context, u *url.URL) visitResult {
				if u.String() == startKey {
					return first
				}
				return p.visitLinks(ctx, u)
			},
			queued: func(string) {},
			found:  func(key string) { m.add(ctx, key) },
			page:   func(string, *client.Page) {},
			failed: func(key string, err *client.Error) {
				if key == startKey {
					startErr = err
				}
				m.fail(key)
			},
			skipped: func(key, _ string, err *client.Error) {
				if key == startKey {
					startErr = err
				}
			},
			enough: func() bool { return m.more },
		})
		stop.Reason, stop.Left, stop.Beyond = end.reason, end.left, end.beyond
		m.capped = end.capped
		switch end.reason {
		case client.StopMaxPages:
			stop.Limit = mapPages
		case client.StopMaxDepth:
			stop.Limit = mapDepth
		}
	} else {
		startErr = first.err
		if first.err != nil && first.err.Code != client.CodeRobotsDisallowed && first.err.Code != client.CodeSSRFBlocked {
			m.fail(startKey)
		}
	}
	if m.more {
		stop.Reason, stop.Limit = client.StopLimit, m.limit
	}
	urls := m.listed()
	if len(urls) == 0 && startErr != nil {
		return nil, startErr
	}
	return &client.MapResult{
		URLs: urls, Skipped: m.skipped, Failed: len(m.failed), Stop: stop,
		Truncated: m.more || m.capped || stop.Reason == client.StopDeadline,
	}, nil
}

// visitLinks fetches u for its links only.
func (p *Provider) visitLinks(ctx context.Context, u *url.URL) visitResult {
	page, links, err := p.scrapePage(ctx, u, client.ScrapeRequest{URL: u.String(), Formats: []string{client.FormatLinks}})
	if err != nil {
		return visitResult{err: client.AsError(client.Local, err)}
	}
	return visitResult{page: page, links: links}
}

// sitemapRoots lists each origin's robots.txt Sitemap lines, then its
// /sitemap.xml when robots.txt did not name it.
func (p *Provider) sitemapRoots(ctx context.Context, origins []*url.URL) []sitemapRef {
	var roots []sitemapRef
	listed := map[string]bool{}
	for _, o := range origins {
		if rb, err := p.robotsFor(ctx, o); err == nil {
			for _, s := range rb.data.Sitemaps {
				if u, err := o.Parse(strings.TrimSpace(s)); err == nil && (u.Scheme == "http" || u.Scheme == "https") && !listed[u.String()] {
					roots = append(roots, sitemapRef{u: u, listed: true})
					listed[u.String()] = true
				}
			}
		}
	}
	for _, o := range origins {
		if guess := (&url.URL{Scheme: o.Scheme, Host: o.Host, Path: "/sitemap.xml"}); !listed[guess.String()] {
			roots = append(roots, sitemapRef{u: guess})
			listed[guess.String()] = true
		}
	}
	return roots
}

// siteMap collects a map's URLs. Only the walk goroutine and the sitemap
// reader, one after the other, call it, so it needs no lock.
type siteMap struct {
	p       *Provider
	scope   siteScope
	limit   int
	search  string
	seen    map[string]bool
	urls    []string
	failed  map[string]bool // fetched and failed: left out of the list
	skipped int
	more    bool // a URL beyond limit was found: the list is cut
	capped  bool // the walk dropped links at a bound
}

func (m *siteMap) full() bool { return len(m.urls)-len(m.failed) >= m.limit }

// add lists loc when it is a same-site URL not seen before, matches the
// search and robots.txt allows it. Once the list is full, the first such
// URL only records that more exist.
func (m *siteMap) add(ctx context.Context, loc string) {
	if m.more {
		return
	}
	if len(m.seen) >= maxSeenLinks {
		m.capped = true
		return
	}
	key, err := normalizeURL(loc)
	if err != nil || m.seen[key] {
		return
	}
	m.seen[key] = true
	u, err := url.Parse(key)
	if err != nil || !m.scope.contains(u) {
		return
	}
	if m.search != "" && !strings.Contains(strings.ToLower(key), m.search) {
		return
	}
	if err := m.p.allowedByRobots(ctx, u); err != nil {
		m.skipped++
		return
	}
	if m.full() {
		m.more = true
		return
	}
	m.urls = append(m.urls, key)
}

// fail records that key answered with an error when fetched for links.
func (m *siteMap) fail(key string) {
	if m.failed == nil {
		m.failed = map[string]bool{}
	}
	if slices.Contains(m.urls, key) {
		m.failed[key] = true
	}
}

// listed is the list without the URLs that failed.
func (m *siteMap) listed() []string {
	out := make([]string, 0, len(m.urls))
	for _, u := range m.urls {
		if !m.failed[u] {
			out = append(out, u)
		}
	}
	return out
}
