package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/scrapemcp/scrapemcp/client"
)

// maxFetchTimeout caps a per-request timeout asked for by the caller.
const maxFetchTimeout = 2 * time.Minute

func newTransport(g *guard, concurrency int) *http.Transport {
	return &http.Transport{
		// No proxy, deliberately, and not the environment's either: through
		// a proxy we would dial the proxy, and the guard would vet the
		// proxy's address instead of the target's.
		Proxy:                  nil,
		DialContext:            g.dialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    max(concurrency, 2),
		IdleConnTimeout:        60 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
		DisableCompression:     true, // decodeBody does it, within the body cap
	}
}

// robotsExemptKey marks requests that must not consult robots.txt: the
// robots.txt fetch itself, and sitemaps the site's robots.txt listed.
type robotsExemptKey struct{}

func withoutRobots(ctx context.Context) context.Context {
	return context.WithValue(ctx, robotsExemptKey{}, true)
}

func robotsExempt(ctx context.Context) bool {
	v, _ := ctx.Value(robotsExemptKey{}).(bool)
	return v
}

// checkRedirect vets each hop before it is requested: hop count, scheme,
// a literal blocked address (the dial-time guard would stop a name), and
// robots.txt of the hop's host.
func (p *Provider) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > p.opts.MaxRedirects {
		return errTooManyRedirects
	}
	if s := req.URL.Scheme; s != "http" && s != "https" {
		return &schemeRedirectError{target: req.URL.Redacted()}
	}
	if err := p.guard.checkLiteral(req.URL.Hostname(), urlPort(req.URL)); err != nil {
		return err
	}
	req.Header.Set("User-Agent", p.opts.UserAgent)
	if robotsExempt(req.Context()) {
		return nil
	}
	return p.allowedByRobots(req.Context(), req.URL)
}

// get sends a GET for u and returns the response whatever its status. The
// caller closes the body. extra headers are added to the defaults.
func (p *Provider) get(ctx context.Context, u *url.URL, accept string, extra http.Header) (*http.Response, error) {
	if err := p.guard.checkLiteral(u.Hostname(), urlPort(u)); err != nil {
		return nil, fetchError(ctx, u.Redacted(), err, p.opts.MaxRedirects)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, invalidURL(u.String(), err.Error())
	}
	req.Header.Set("User-Agent", p.opts.UserAgent)
	req.Header.Set("Accept", accept)
	req.Header.Set("Accept-Encoding", acceptEncoding)
	req.Header.Set("Accept-Language", "en;q=1.0, *;q=0.5")
	for k, vs := range extra {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, fetchError(ctx, u.Redacted(), err, p.opts.MaxRedirects)
	}
	return resp, nil
}

// readBody reads resp's body, decoded and capped at limit bytes.
func (p *Provider) readBody(ctx context.Context, target string, resp *http.Response, limit int64) ([]byte, bool, error) {
	r, err := decodeBody(resp.Body, resp.Header.Values("Content-Encoding"))
	if err != nil {
		return nil, false, decodeError(ctx, target, err, p.opts.MaxRedirects)
	}
	body, truncated, err := readCapped(r, limit)
	if err != nil {
		if len(body) > 0 && ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// A body that trickles in (or never ends, slowly) is cut by
			// the fetch deadline; say that the site was slow, not silent.
			return nil, false, localErr(client.CodeTimeout, fmt.Sprintf(
				"%s sent only %d bytes of its body before the fetch deadline; it answers too slowly", target, len(body)), err)
		}
		return nil, false, decodeError(ctx, target, err, p.opts.MaxRedirects)
	}
	return body, truncated, nil
}

// discard drains a little of the body so the connection can be reused, then
// closes it.
func discard(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}

// mediaType is the lower-case type/subtype of a Content-Type value.
func mediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

func (p *Provider) fetchTimeout(asked time.Duration) time.Duration {
	if asked > 0 {
		return min(asked, maxFetchTimeout)
	}
	return p.opts.Timeout
}

// urlPort is u's port, or the scheme's default.
func urlPort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	return defaultPort(u.Scheme)
}
