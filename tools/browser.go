package tools

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client"
)

// ActionArg is one browser step of the actions argument (scrape,
// batch_scrape). Each field says which action types use it; a field set on
// a type that does not use it is refused (fix_request naming
// actions[i].field).
type ActionArg struct {
	Type         string `json:"type" jsonschema:"description=The step: wait (pause for milliseconds)\\, wait_for (wait until selector appears)\\, click (click selector)\\, scroll (scroll the page or selector up or down)\\, write (type text into the focused element; click an input first)\\, press (press key).,enum=wait,enum=wait_for,enum=click,enum=scroll,enum=write,enum=press"`
	Milliseconds int    `json:"milliseconds,omitempty" jsonschema:"description=wait: how long to pause (required). wait_for: the longest to wait for selector (optional; without it the step may take up to 15000). Other types: not allowed. At most 15000 per step and 30000 for all steps together.,minimum=1,maximum=15000"`
	Selector     string `json:"selector,omitempty" jsonschema:"description=CSS selector. wait_for and click: required. scroll: optional (the element to scroll; default the page). wait\\, write\\, press: not allowed.,maxLength=500"`
	Direction    string `json:"direction,omitempty" jsonschema:"description=scroll only: up or down (default down).,enum=up,enum=down"`
	Text         string `json:"text,omitempty" jsonschema:"description=write only (required): the text to type into the focused element.,maxLength=2000"`
	Key          string `json:"key,omitempty" jsonschema:"description=press only (required): a key name such as Enter\\, Tab\\, Escape\\, ArrowDown\\, or a single character.,maxLength=40"`
}

// ScreenshotOut describes a page's screenshot. The PNG itself is in the
// result's content as an image (attached true), never in the text.
type ScreenshotOut struct {
	Attached bool    `json:"attached" jsonschema:"description=True when the PNG is in this result's content as an image (mimeType image/png)."`
	MIMEType string  `json:"mime_type,omitempty" jsonschema:"description=image/png when the image is known."`
	Width    int     `json:"width,omitempty" jsonschema:"description=Pixels wide."`
	Height   int     `json:"height,omitempty" jsonschema:"description=Pixels high."`
	FullPage bool    `json:"full_page" jsonschema:"description=True for the whole page\\, false for the viewport."`
	Scale    float64 `json:"scale,omitempty" jsonschema:"description=Image pixels per CSS pixel of the page (1 unless it was scaled down to fit the size limits)."`
	Bytes    int     `json:"bytes,omitempty" jsonschema:"description=Size of the PNG in bytes."`
	URL      string  `json:"url,omitempty" jsonschema:"description=Where the screenshot is\\, when the provider gave only a link (then it is not attached)."`
	Note     string  `json:"note,omitempty" jsonschema:"description=Why the image is not attached\\, when it was left out to bound the result."`
}

// screenshotOut describes s; attached says whether its PNG goes in the
// result's content.
func screenshotOut(s *client.Screenshot, attached bool) *ScreenshotOut {
	if s == nil || len(s.PNG) == 0 && s.URL == "" {
		return nil
	}
	o := &ScreenshotOut{Attached: attached && len(s.PNG) > 0, Width: s.Width, Height: s.Height, FullPage: s.FullPage, Scale: s.Scale, Bytes: len(s.PNG)}
	if len(s.PNG) > 0 {
		o.MIMEType = "image/png"
	} else {
		o.URL = s.URL
	}
	return o
}

// text is the screenshot's line in a result's text block.
func (o *ScreenshotOut) text() string {
	if o == nil {
		return ""
	}
	what := "viewport"
	if o.FullPage {
		what = "full page"
	}
	switch {
	case o.Attached:
		return fmt.Sprintf("Screenshot (%s): %d×%d PNG, %d bytes, attached as an image.", what, o.Width, o.Height, o.Bytes)
	case o.URL != "":
		return fmt.Sprintf("Screenshot (%s): not attached; the provider gave a link: %s", what, o.URL)
	case o.Note != "":
		return fmt.Sprintf("Screenshot (%s): %d×%d PNG, %d bytes, not attached: %s", what, o.Width, o.Height, o.Bytes, o.Note)
	}
	return ""
}

// withImages appends PNGs to r's content as images, after the text.
func withImages(r *mcp.CallToolResult, pngs ...[]byte) *mcp.CallToolResult {
	for _, b := range pngs {
		if len(b) > 0 {
			r.Content = append(r.Content, mcp.NewImageContent(base64.StdEncoding.EncodeToString(b), "image/png"))
		}
	}
	return r
}

// Bounds on the images one batch_scrape result carries: the rest are
// described in their items (with a note) but not attached.
const (
	maxBatchImages     = 10
	maxBatchImageBytes = 24 << 20 // PNG bytes, before base64
)

// browserArgs checks actions, screenshot_full_page and wait_for against the
// provider, before anything runs, and returns the actions in the client's
// terms. wantsShot says whether the screenshot format was asked for.
func browserArgs(provider string, args []ActionArg, fullPage bool, waitFor, mode string, wantsShot bool) ([]client.Action, *client.Error) {
	actions := make([]client.Action, len(args))
	for i, a := range args {
		actions[i] = client.Action(a)
	}
	if len(actions) == 0 {
		actions = nil
	}
	if err := client.CheckActions(provider, actions); err != nil {
		return nil, err
	}
	if m := strings.ToLower(strings.TrimSpace(mode)); (len(actions) > 0 || wantsShot) && slices.Contains([]string{"html", "pdf", "ocr"}, m) {
		field := "actions"
		if len(actions) == 0 {
			field = "formats"
		}
		return nil, invalid(provider, "mode", "%s runs in a browser (mode js); it cannot be combined with mode %q: drop mode or %s", field, m, field)
	}
	if w := strings.TrimSpace(waitFor); w != "" && len(actions) > 0 {
		// wait_for runs as one more wait_for step after the actions.
		all := append(slices.Clone(actions), client.Action{Type: client.ActionWaitFor, Selector: w})
		if err := client.CheckActions(provider, all); err != nil && provider != client.AlterLab {
			return nil, invalid(provider, "wait_for", "wait_for runs as one more wait_for step after the actions, which then break a limit (%s); drop wait_for or make it one of the actions", err.Message)
		}
	}
	if provider == client.AlterLab {
		if _, err := client.AlterLabWaitFor(actions, waitFor); err != nil {
			return nil, err
		}
		if fullPage {
			return nil, client.AlterLabNoFullPage()
		}
	}
	return actions, nil
}

// BrowserArgs are the browser steps and screenshot options of scrape and
// batch_scrape (where they apply to every URL).
type BrowserArgs struct {
	Actions            []ActionArg `json:"actions,omitempty" jsonschema:"description=Browser steps run in order after the page loads and before it is captured\\, e.g. [{\"type\":\"click\"\\,\"selector\":\"#load-more\"}\\,{\"type\":\"wait\"\\,\"milliseconds\":1000}]. Up to 15 steps\\, waits at most 15000 ms each and 30000 ms in all. Implies use_browser. Local backend (with Chromium) and Anakin run every type; AlterLab takes only a single wait_for without milliseconds.,maxItems=15"`
	ScreenshotFullPage bool        `json:"screenshot_full_page,omitempty" jsonschema:"description=Capture the whole page rather than the viewport (implies the screenshot format). Local backend and Anakin; AlterLab has no full-page switch."`
}

// browserHelp is the part of scrape's and batch_scrape's descriptions that
// says which backend takes what.
const browserHelp = `Browser steps and screenshots: actions (up to 15: wait, wait_for, click, scroll, write, press) run in order after the page loads, before capture; actions and formats ["screenshot"] imply use_browser. A screenshot comes back as an image content block (PNG) with its size in structuredContent.screenshot; screenshot_full_page captures the whole page.
Which backend takes what: local — runs all actions and screenshots in its own headless Chromium when one is installed (otherwise the answer is guidance); Anakin — actions are passed through as Anakin's own actions (same vocabulary), screenshots via its screenshot/screenshotFullPage formats; AlterLab — screenshots via advanced.screenshot with JavaScript rendering (no full-page switch), and no actions except a single wait_for action without milliseconds, which is sent as AlterLab's wait_for selector (other actions are refused with fix_request).`
