package local

import (
	"context"
	"net/http"
	"net/url"
	"sync"
)

// condCache remembers robots.txt and sitemap bodies with their validators,
// so refetching one after its TTL is a conditional request that usually
// costs the site a 304 and no body.
type condCache struct {
	mu      sync.Mutex
	items   *lru[string, condEntry]
	maxBody int
}

type condEntry struct {
	etag, lastModified string
	contentType        string
	finalURL           *url.URL
	body               []byte
}

func newCondCache(maxItems, maxBody int) *condCache {
	return &condCache{items: newLRU[string, condEntry](maxItems), maxBody: maxBody}
}

func (c *condCache) lookup(key string) (condEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.items.get(key)
}

func (c *condCache) store(key string, resp *http.Response, finalURL *url.URL, body []byte) {
	e := condEntry{
		etag:         resp.Header.Get("ETag"),
		lastModified: resp.Header.Get("Last-Modified"),
		contentType:  resp.Header.Get("Content-Type"),
		finalURL:     finalURL,
		body:         body,
	}
	if (e.etag == "" && e.lastModified == "") || len(body) > c.maxBody {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items.put(key, e)
}

// smallDoc is a whole small document: robots.txt or a sitemap.
type smallDoc struct {
	status      int
	contentType string
	finalURL    *url.URL
	body        []byte
	truncated   bool
	header      http.Header
}

// fetchSmall GETs u within the fetch timeout and returns its body (decoded,
// capped at limit) whatever the status, answering from condCache on a 304.
func (p *Provider) fetchSmall(ctx context.Context, u *url.URL, accept string, limit int64) (*smallDoc, error) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	key := u.String()
	cached, haveCached := p.cond.lookup(key)
	extra := http.Header{}
	if haveCached {
		if cached.etag != "" {
			extra.Set("If-None-Match", cached.etag)
		}
		if cached.lastModified != "" {
			extra.Set("If-Modified-Since", cached.lastModified)
		}
	}
	resp, err := p.get(ctx, u, accept, extra)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified && haveCached {
		return &smallDoc{status: http.StatusOK, contentType: cached.contentType, finalURL: cached.finalURL, body: cached.body, header: resp.Header}, nil
	}
	doc := &smallDoc{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), finalURL: resp.Request.URL, header: resp.Header}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return doc, nil
	}
	doc.body, doc.truncated, err = p.readBody(ctx, u.Redacted(), resp, limit)
	if err != nil {
		return nil, err
	}
	if !doc.truncated {
		p.cond.store(key, resp, doc.finalURL, doc.body)
	}
	return doc, nil
}
