package local

import (
	"context"
	"net/url"
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
// on hosts the SSRF guard refuses are left out and counted in Skipped.
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
		return !m.full()
	})

	startKey, _ := normalize(start)
	var startErr *client.Error
	if !m.full() {
		walk(ctx, start, walkPlan{
			scope: m.scope, maxDepth: mapDepth, maxPages: mapPages, maxFailures: mapPages, workers: p.opts.Concurrency,
		}, walkHooks{
			visit: func(ctx context.Context, u *url.URL) visitResult {
				if u.String() == startKey {
					return first
				}
				return p.visitLinks(ctx, u)
			},
			queued: func(key string) { m.add(ctx, key) },
			page:   func(string, *client.Page) {},
			failed: func(key string, err *client.Error) {
				if key == startKey {
					startErr = err
				}
			},
			skipped: func(key, _ string, err *client.Error) {
				if key == startKey {
					startErr = err
				}
			},
			enough: m.full,
		})
	} else {
		startErr = first.err
	}
	if len(m.urls) <= 1 && startErr != nil {
		return nil, startErr
	}
	return &client.MapResult{URLs: m.urls, Skipped: m.skipped}, nil
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
	skipped int
}

func (m *siteMap) full() bool { return len(m.urls) >= m.limit }

// add lists loc when it is a same-site URL not seen before, matches the
// search and robots.txt allows it.
func (m *siteMap) add(ctx context.Context, loc string) {
	if m.full() || len(m.seen) >= maxSeenLinks {
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
	m.urls = append(m.urls, key)
}
