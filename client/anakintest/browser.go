package anakintest

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/scrapemcp/scrapemcp/client/internal/fakehttp"
)

// RouteScreenshot is GET /v1/url-scraper/{id}/screenshot?type=viewport|fullpage,
// the PNG of a finished scrape that asked for the screenshot or
// screenshotFullPage format.
const RouteScreenshot = "GET /v1/url-scraper/{id}/screenshot"

// Action is one browser step as Anakin takes it in "actions" (PY2
// BrowserAction): wait (milliseconds), wait_for (selector, milliseconds?),
// click (selector), scroll (direction? up|down, selector?), write (text),
// press (key).
type Action struct {
	Type         string `json:"type"`
	Milliseconds int    `json:"milliseconds,omitempty"`
	Selector     string `json:"selector,omitempty"`
	Direction    string `json:"direction,omitempty"`
	Text         string `json:"text,omitempty"`
	Key          string `json:"key,omitempty"`
}

// Documented action limits (3P-NOTES): 15 actions, 15 s per wait, 30 s of
// waits in all, 500-character selectors.
const (
	maxActions   = 15
	maxWaitMS    = 15000
	maxTotalMS   = 30000
	maxSelector  = 500
	viewportW    = 32
	viewportH    = 20
	fullPageH    = 80
	defaultShots = "https://cdn.anakin.test/screenshots"
)

// Screenshot is the PNG the fake serves: viewportW×viewportH for the
// viewport, viewportW×fullPageH for the full page.
func Screenshot(fullPage bool) []byte {
	if fullPage {
		return fakehttp.PNG(viewportW, fullPageH)
	}
	return fakehttp.PNG(viewportW, viewportH)
}

// ScreenshotSize is the width and height of Screenshot(fullPage).
func ScreenshotSize(fullPage bool) (w, h int) {
	if fullPage {
		return viewportW, fullPageH
	}
	return viewportW, viewportH
}

// WithScreenshotHost sets the base of the screenshotUrl and
// fullPageScreenshotUrl links a finished scrape carries (default
// https://cdn.anakin.test/screenshots, a host other than the API's, as a
// CDN would be): <base>/<job id>-<viewport|fullpage>.png. The fake does not
// serve them; the API route RouteScreenshot serves the PNG.
func WithScreenshotHost(base string) Option {
	return func(s *Server) { s.shots = strings.TrimRight(base, "/") }
}

func (s *Server) screenshotLink(id, kind string) string {
	base := s.shots
	if base == "" {
		base = defaultShots
	}
	return fmt.Sprintf("%s/%s-%s.png", base, id, kind)
}

// checkActions answers what Anakin's validation would, "" when the actions
// are acceptable.
func checkActions(actions []Action) string {
	if len(actions) > maxActions {
		return fmt.Sprintf("actions: at most %d actions are allowed, got %d", maxActions, len(actions))
	}
	total := 0
	for i, a := range actions {
		need := func(field, v string) string {
			if strings.TrimSpace(v) == "" {
				return fmt.Sprintf("actions[%d].%s is required for %s", i, field, a.Type)
			}
			return ""
		}
		var msg string
		switch a.Type {
		case "wait":
			if a.Milliseconds <= 0 {
				msg = fmt.Sprintf("actions[%d].milliseconds is required for wait", i)
			}
		case "wait_for", "click":
			msg = need("selector", a.Selector)
		case "scroll":
			if a.Direction != "" && a.Direction != "up" && a.Direction != "down" {
				msg = fmt.Sprintf("actions[%d].direction must be up or down", i)
			}
		case "write":
			msg = need("text", a.Text)
		case "press":
			msg = need("key", a.Key)
		default:
			msg = fmt.Sprintf("actions[%d].type %q is not a valid action type", i, a.Type)
		}
		switch {
		case msg != "":
			return msg
		case len([]rune(a.Selector)) > maxSelector:
			return fmt.Sprintf("actions[%d].selector exceeds %d characters", i, maxSelector)
		case a.Milliseconds < 0 || a.Milliseconds > maxWaitMS:
			return fmt.Sprintf("actions[%d].milliseconds must be between 0 and %d", i, maxWaitMS)
		}
		total += a.Milliseconds
		if total > maxTotalMS {
			return fmt.Sprintf("actions: waits total more than %d ms", maxTotalMS)
		}
	}
	return ""
}

// Actions are the browser steps the job with id was sent, nil if none.
func (s *Server) Actions(id string) []Action {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.jobs[id]; ok {
		return append([]Action(nil), j.actions...)
	}
	return nil
}

// UsedBrowser reports whether the job with id ran in the browser
// (useBrowser, or implied by actions).
func (s *Server) UsedBrowser(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	return ok && j.browser
}

// handleScreenshot serves a finished scrape's PNG. type must be viewport
// or fullpage, and the job must have asked for the matching format;
// otherwise 400 or 404 as the API answers.
func (s *Server) handleScreenshot(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("type")
	if kind == "" {
		kind = "viewport"
	}
	if kind != "viewport" && kind != "fullpage" {
		s.fail(w, r, badRequest("invalid_request", "type must be viewport or fullpage"))
		return
	}
	s.mu.Lock()
	j, ok := s.jobs[r.PathValue("id")]
	s.mu.Unlock()
	format := map[string]string{"viewport": "screenshot", "fullpage": "screenshotFullPage"}[kind]
	if !ok || j.kind != "scrape" || !contains(j.formats, format) {
		s.fail(w, r, Error(http.StatusNotFound, Flat, "not_found", "Screenshot not found: the job did not ask for the "+format+" format"))
		return
	}
	if status, _ := s.snapshot(j); status != http.StatusOK || j.fail != "" {
		s.fail(w, r, Error(http.StatusNotFound, Flat, "not_found", "Screenshot not ready: the job has not completed"))
		return
	}
	fakehttp.Write(w, nil, "image/png", http.StatusOK, Screenshot(kind == "fullpage"))
}
