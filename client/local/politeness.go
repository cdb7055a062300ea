package local

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxCrawlDelay caps how far a robots.txt Crawl-delay slows a host. A site
// asking for an hour between requests would otherwise stall every crawl
// until its deadline; past this cap the crawl's own deadline is the better
// judge.
const maxCrawlDelay = 30 * time.Second

// politeness spaces requests to each host: one token bucket per host, slowed
// to the host's Crawl-delay when robots.txt names one.
type politeness struct {
	mu       sync.Mutex
	limiters *lru[string, *rate.Limiter]
	limit    rate.Limit
	burst    int
}

func newPoliteness(limit rate.Limit, maxHosts int) *politeness {
	burst := 2 // a page and its robots.txt without a pause
	if limit != rate.Inf && limit > 2 {
		burst = int(limit)
	}
	return &politeness{limiters: newLRU[string, *rate.Limiter](maxHosts), limit: limit, burst: burst}
}

func (pl *politeness) limiter(host string) *rate.Limiter {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	l, ok := pl.limiters.get(host)
	if !ok {
		l = rate.NewLimiter(pl.limit, pl.burst)
		pl.limiters.put(host, l)
	}
	return l
}

// slowTo lowers host's rate to one request per delay. It never speeds a host
// up, so a later robots.txt without a delay leaves the earlier one in place
// until the limiter is forgotten.
func (pl *politeness) slowTo(host string, delay time.Duration) {
	if delay <= 0 {
		return
	}
	delay = min(delay, maxCrawlDelay)
	l := pl.limiter(host)
	if every := rate.Every(delay); every < l.Limit() {
		l.SetLimit(every)
		l.SetBurst(1)
	}
}

// rateWaitError is returned when the host's pacing leaves no room before
// the deadline. It is a timeout, not a failure of the site.
type rateWaitError struct {
	host string
	err  error
}

func (e *rateWaitError) Error() string {
	return fmt.Sprintf("waiting for %s's rate limit: %v", e.host, e.err)
}

func (e *rateWaitError) Unwrap() error { return e.err }

// politeTransport makes every request wait its turn for its host, whether it
// is a page, a redirect hop, robots.txt or a sitemap.
type politeTransport struct {
	base   http.RoundTripper
	polite *politeness
}

func (t *politeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := hostKey(req.URL)
	if err := t.polite.limiter(host).Wait(req.Context()); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		if ctxErr := req.Context().Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, &rateWaitError{host: host, err: err}
	}
	return t.base.RoundTrip(req)
}

// hostKey names a host for rate limiting: lower-case name and explicit port,
// so http://a and http://a:80 share a bucket.
func hostKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = defaultPort(u.Scheme)
	}
	return strings.ToLower(u.Hostname()) + ":" + port
}

func defaultPort(scheme string) string {
	if strings.EqualFold(scheme, "https") {
		return "443"
	}
	return "80"
}
