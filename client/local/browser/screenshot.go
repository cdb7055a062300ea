package browser

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"math"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/scrapemcp/scrapemcp/client"
)

// Screenshot bounds. Hosts that show images to a model reject larger ones
// (Claude's limit is 8,000 pixels a side), and a base64 PNG travels in the
// tool result.
const (
	maxFullHeight = 16384   // CSS pixels of a full page captured at most
	maxSide       = 8000    // pixels of the image on either side
	MaxPNGBytes   = 5 << 20 // bytes of one PNG
)

func (t *tab) screenshot(ctx context.Context, full bool) (*client.Screenshot, error) {
	w, h := float64(viewportW), float64(viewportH)
	clipped := false
	if full {
		m, err := chromedp.Call(t.ctx, page.GetLayoutMetrics, struct{}{})
		if err != nil {
			return nil, err
		}
		if m.CSSContentSize != nil {
			w, h = math.Max(1, math.Ceil(m.CSSContentSize.Width)), math.Max(1, math.Ceil(m.CSSContentSize.Height))
		}
		if w > maxSide {
			w = maxSide
		}
		if h > maxFullHeight {
			h, clipped = maxFullHeight, true
		}
	}
	scale := math.Min(1, maxSide/math.Max(w, h))
	for attempt := 0; attempt < 4; attempt++ {
		params := page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng, FromSurface: ptr(true)}
		if full {
			params.CaptureBeyondViewport = ptr(true)
			params.Clip = &page.Viewport{X: 0, Y: 0, Width: w, Height: h, Scale: scale}
		} else if scale < 1 {
			params.Clip = &page.Viewport{X: 0, Y: 0, Width: w, Height: h, Scale: scale}
		}
		r, err := chromedp.Call(t.ctx, page.CaptureScreenshot, params)
		if err != nil {
			return nil, err
		}
		if len(r.Data) <= MaxPNGBytes {
			cfg, err := png.DecodeConfig(bytes.NewReader(r.Data))
			if err != nil {
				return nil, fmt.Errorf("the browser returned an unreadable PNG: %w", err)
			}
			if clipped {
				t.res.Warnings = append(t.res.Warnings, fmt.Sprintf(
					"the page is taller than %d pixels; the full-page screenshot shows its top %d", maxFullHeight, maxFullHeight))
			}
			if scale < 1 {
				t.res.Warnings = append(t.res.Warnings, fmt.Sprintf("the screenshot was scaled to %.0f%% to fit the size limits", scale*100))
			}
			return &client.Screenshot{PNG: r.Data, Width: cfg.Width, Height: cfg.Height, FullPage: full, Scale: scale}, nil
		}
		scale *= 0.6
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("the screenshot stayed over %d bytes even scaled down", MaxPNGBytes)
}

func ptr[T any](v T) *T { return &v }
