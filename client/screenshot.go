package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// MaxScreenshotBytes bounds a screenshot download: a full-page PNG of a long
// page is a few MiB; anything larger is refused rather than held in memory.
const MaxScreenshotBytes = 10 << 20

// pngMagic starts every PNG file.
var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// DecodeScreenshot checks that b is a PNG within MaxScreenshotBytes and
// reads its size. The image itself is not decoded.
func DecodeScreenshot(b []byte, fullPage bool) (*Screenshot, error) {
	if len(b) > MaxScreenshotBytes {
		return nil, fmt.Errorf("the screenshot is %d bytes; the limit is %d", len(b), MaxScreenshotBytes)
	}
	if !bytes.HasPrefix(b, pngMagic) {
		return nil, errors.New("the screenshot is not a PNG image")
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("the screenshot is not a readable PNG: %v", err)
	}
	return &Screenshot{PNG: b, Width: cfg.Width, Height: cfg.Height, FullPage: fullPage, Scale: 1}, nil
}

// downloadScreenshot GETs u with the API key and returns the PNG. u must
// be on the API's own origin: the caller checks, and the client's redirect
// guard keeps the key from following a redirect elsewhere. One attempt: a
// screenshot is an extra of a scrape that already succeeded, and its
// failure becomes a warning on the page, not a failed call.
func (c *apiClient) downloadScreenshot(ctx context.Context, u *url.URL, fullPage bool) (*Screenshot, error) {
	if !sameOrigin(c.base, u) {
		// Never reached by the providers (they check first); kept so no
		// future caller can send the key to another host.
		return nil, fmt.Errorf("the screenshot is on %s, not the API's host; the API key is not sent there", origin(u))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-API-Key", c.key)
	req.Header.Set("Accept", "image/png")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		if rr, ok := errors.AsType[*redirectRefused](err); ok {
			return nil, fmt.Errorf("the screenshot download was redirected to %s, another host; not followed", rr.to)
		}
		return nil, errors.New(c.scrub(err.Error()))
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		return nil, fmt.Errorf("the screenshot download answered HTTP %d", res.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, MaxScreenshotBytes+1))
	if err != nil {
		return nil, fmt.Errorf("the screenshot download failed: %s", c.scrub(err.Error()))
	}
	return DecodeScreenshot(b, fullPage)
}

// screenshotRef resolves a screenshot link the API returned: a path is on
// the API's origin (AlterLab's "/downloads/screenshots/…"); an absolute
// URL is kept as it is. own reports whether it is on the API's origin, and
// so may be fetched with the key.
func (c *apiClient) screenshotRef(raw string) (u *url.URL, own bool, ok bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, false, false
	}
	ref, err := url.Parse(raw)
	if err != nil {
		return nil, false, false
	}
	root := &url.URL{Scheme: c.base.Scheme, Host: c.base.Host, Path: "/"}
	u = root.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, false, false
	}
	u.User = nil
	return u, sameOrigin(c.base, u), true
}

// screenshotWarning is the page warning for a screenshot that could not be
// attached.
func screenshotWarning(provider string, err error, link string) string {
	w := fmt.Sprintf("the page was scraped but its screenshot could not be attached: %v", err)
	if link != "" {
		w += "; the result carries the link " + provider + " gave instead"
	}
	return w
}
