package alterlabtest

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/scrapemcp/scrapemcp/client/internal/fakehttp"
)

// RouteScreenshot serves the PNGs a scrape's screenshot_url points at:
// a path on the API's host (not under /api/v1), fetched with X-API-Key
// like every route.
const RouteScreenshot = "GET /downloads/screenshots/{name}"

// Screenshot size the fake serves.
const (
	ScreenshotWidth  = 40
	ScreenshotHeight = 30
)

// Screenshot is the PNG the fake serves for every screenshot.
func Screenshot() []byte { return fakehttp.PNG(ScreenshotWidth, ScreenshotHeight) }

// WithScreenshotBase makes screenshot_url absolute: <base>/<name>.png
// (e.g. another origin, as a CDN would be) instead of the relative path
// /downloads/screenshots/<name>.png. The fake serves only the relative
// path's route.
func WithScreenshotBase(base string) Option {
	return func(s *Server) { s.shotBase = strings.TrimRight(base, "/") }
}

// screenshotURL registers a new screenshot and returns its link.
func (s *Server) screenshotURL() string {
	n := s.shotSeq.Add(1)
	name := fmt.Sprintf("shot-%06d.png", n)
	s.shots.Store(name, true)
	if s.shotBase != "" {
		return s.shotBase + "/" + name
	}
	return "/downloads/screenshots/" + name
}

// handleScreenshot serves a screenshot this fake handed out; 404 NOT_FOUND
// for any other name.
func (s *Server) handleScreenshot(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.shots.Load(r.PathValue("name")); !ok {
		s.fail(w, r, Error(http.StatusNotFound, Docs, "NOT_FOUND", "Screenshot not found or expired"))
		return
	}
	fakehttp.Write(w, nil, "image/png", http.StatusOK, Screenshot())
}
