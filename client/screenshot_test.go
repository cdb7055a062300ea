package client

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/client/anakintest"
)

func TestAnakinSendsActionsAndScreenshotFormats(t *testing.T) {
	all := []Action{
		{Type: ActionWait, Milliseconds: 500},
		{Type: ActionWaitFor, Selector: "#list", Milliseconds: 2000},
		{Type: ActionClick, Selector: "button.more"},
		{Type: ActionScroll, Direction: "down", Selector: "main"},
		{Type: ActionWrite, Text: "golang"},
		{Type: ActionPress, Key: "Enter"},
	}
	tests := []struct {
		name string
		req  ScrapeRequest
		want string
	}{
		{"every action field, in Anakin's names; actions imply the browser", ScrapeRequest{URL: "https://example.com", Actions: all},
			`{"url":"https://example.com","formats":["markdown"],"useBrowser":true,"actions":[
				{"type":"wait","milliseconds":500},{"type":"wait_for","selector":"#list","milliseconds":2000},
				{"type":"click","selector":"button.more"},{"type":"scroll","direction":"down","selector":"main"},
				{"type":"write","text":"golang"},{"type":"press","key":"Enter"}]}`},
		{"wait_for runs after the actions", ScrapeRequest{URL: "https://example.com", Actions: all[2:3], WaitFor: "#done"},
			`{"url":"https://example.com","formats":["markdown"],"useBrowser":true,"actions":[{"type":"click","selector":"button.more"},{"type":"wait_for","selector":"#done"}]}`},
		{"viewport screenshot", ScrapeRequest{URL: "https://example.com", Formats: []string{"markdown", "screenshot"}},
			`{"url":"https://example.com","formats":["markdown","screenshot"],"useBrowser":true}`},
		{"full-page screenshot", ScrapeRequest{URL: "https://example.com", Formats: []string{"screenshot"}, ScreenshotFullPage: true},
			`{"url":"https://example.com","formats":["screenshotFullPage"],"useBrowser":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := fakeAnakin(t)
			if _, err := c.Scrape(t.Context(), tt.req); err != nil {
				t.Fatal(err)
			}
			sameJSON(t, s.LastBody(anakintest.RouteScrape), tt.want)
		})
	}
}

func TestAnakinRefusesBadActionsBeforeSending(t *testing.T) {
	many := make([]Action, MaxActions)
	for i := range many {
		many[i] = Action{Type: ActionClick, Selector: "a"}
	}
	tests := []struct {
		name  string
		req   ScrapeRequest
		field string
	}{
		{"too many", ScrapeRequest{URL: "https://example.com", Actions: append(many, Action{Type: ActionClick, Selector: "b"})}, "actions"},
		{"wait_for makes one too many", ScrapeRequest{URL: "https://example.com", Actions: many, WaitFor: "#x"}, "wait_for"},
		{"unknown type", ScrapeRequest{URL: "https://example.com", Actions: []Action{{Type: "hover", Selector: "a"}}}, "actions[0].type"},
		{"batch takes no actions", ScrapeRequest{Actions: many[:1]}, "actions"},
		{"batch takes no screenshots", ScrapeRequest{Formats: []string{FormatScreenshot}}, "formats"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := fakeAnakin(t)
			var err error
			if tt.req.URL == "" {
				_, err = c.BatchScrape(t.Context(), BatchRequest{URLs: []string{"https://example.com"}, Options: tt.req})
			} else {
				_, err = c.Scrape(t.Context(), tt.req)
			}
			e := mustError(t, err)
			if e.Code != CodeInvalidArgument || e.Field != tt.field {
				t.Errorf("code %s field %q, want invalid_argument on %q: %s", e.Code, e.Field, tt.field, e.Message)
			}
			if n := s.Count(anakintest.RouteScrape) + s.Count(anakintest.RouteBatch); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

func TestAnakinDownloadsTheScreenshotFromTheAPI(t *testing.T) {
	for _, full := range []bool{false, true} {
		c, s := fakeAnakin(t)
		p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com", Formats: []string{"screenshot"}, ScreenshotFullPage: full})
		if err != nil {
			t.Fatal(err)
		}
		sh := p.Screenshot
		w, h := anakintest.ScreenshotSize(full)
		if sh == nil || !bytes.Equal(sh.PNG, anakintest.Screenshot(full)) || sh.Width != w || sh.Height != h || sh.FullPage != full || sh.Scale != 1 {
			t.Fatalf("full=%v: screenshot = %+v", full, sh)
		}
		want := map[bool]string{false: "viewport", true: "fullpage"}[full]
		if got := s.LastQuery(anakintest.RouteScreenshot).Get("type"); got != want {
			t.Errorf("type=%q, want %q", got, want)
		}
		if len(p.Warnings) != 0 {
			t.Errorf("warnings: %v", p.Warnings)
		}
	}
}

func TestAnakinScreenshotDownloadFailureIsAWarning(t *testing.T) {
	tests := []struct {
		name  string
		fault anakintest.Fault
		want  string
	}{
		{"404", anakintest.Error(http.StatusNotFound, anakintest.Flat, "not_found", "Screenshot not found"), "HTTP 404"},
		{"500", anakintest.Error(http.StatusInternalServerError, anakintest.Flat, "server_error", "boom"), "HTTP 500"},
		{"not a PNG", anakintest.Raw(http.StatusOK, `{"ok":true}`), "not a PNG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := fakeAnakin(t)
			s.Script(anakintest.RouteScreenshot, tt.fault)
			p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com", Formats: []string{"markdown", "screenshot"}})
			if err != nil {
				t.Fatalf("a failed screenshot failed the scrape: %v", err)
			}
			if p.Markdown == "" {
				t.Error("page content lost")
			}
			if p.Screenshot == nil || len(p.Screenshot.PNG) != 0 || !strings.HasPrefix(p.Screenshot.URL, "https://cdn.anakin.test/") {
				t.Errorf("want the CDN link only, got %+v", p.Screenshot)
			}
			if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], tt.want) {
				t.Errorf("warnings %v, want one naming %q", p.Warnings, tt.want)
			}
		})
	}
}

// keyCounter is a second loopback server standing for another origin
// (a CDN): it counts requests, and those carrying the API key.
func keyCounter(t *testing.T, key string) (url string, all, withKey *atomic.Int64) {
	all, withKey = &atomic.Int64{}, &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		all.Add(1)
		for _, vs := range r.Header {
			for _, v := range vs {
				if strings.Contains(v, key) {
					withKey.Add(1)
				}
			}
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(anakintest.Screenshot(false))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, all, withKey
}

func TestScreenshotLinksOnAnotherOriginNeverGetTheKey(t *testing.T) {
	t.Run("anakin", func(t *testing.T) {
		other, all, withKey := keyCounter(t, anakintest.DefaultKey)
		s := anakintest.New(anakintest.WithScreenshotHost(other + "/shots"))
		s.Script(anakintest.RouteScreenshot, anakintest.Error(http.StatusNotFound, anakintest.Flat, "not_found", "gone"))
		c, err := NewAnakin(APIConfig{BaseURL: s.Start(t), APIKey: anakintest.DefaultKey, SubmitsPerMinute: -1, Poll: immediatePoll})
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com", Formats: []string{"screenshot"}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Screenshot == nil || !strings.HasPrefix(p.Screenshot.URL, other+"/shots/") || len(p.Screenshot.PNG) != 0 {
			t.Errorf("screenshot = %+v, want the other origin's link only", p.Screenshot)
		}
		if withKey.Load() != 0 || all.Load() != 0 {
			t.Errorf("the other origin got %d requests, %d with the key", all.Load(), withKey.Load())
		}
	})
	t.Run("anakin download redirected to another origin", func(t *testing.T) {
		other, all, withKey := keyCounter(t, anakintest.DefaultKey)
		s := anakintest.New()
		s.Script(anakintest.RouteScreenshot, anakintest.Raw(http.StatusFound, `{}`).With("Location", other+"/shot.png"))
		c, err := NewAnakin(APIConfig{BaseURL: s.Start(t), APIKey: anakintest.DefaultKey, SubmitsPerMinute: -1, Poll: immediatePoll})
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com", Formats: []string{"screenshot"}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Screenshot == nil || len(p.Screenshot.PNG) != 0 || len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "redirected") {
			t.Errorf("screenshot %+v, warnings %v", p.Screenshot, p.Warnings)
		}
		if withKey.Load() != 0 || all.Load() != 0 {
			t.Errorf("the other origin got %d requests, %d with the key", all.Load(), withKey.Load())
		}
		for _, w := range p.Warnings {
			if strings.Contains(w, anakintest.DefaultKey) {
				t.Errorf("warning carries the key: %s", w)
			}
		}
	})
	t.Run("alterlab", func(t *testing.T) {
		other, all, withKey := keyCounter(t, alterlabtest.DefaultKey)
		s := alterlabtest.New(alterlabtest.WithScreenshotBase(other + "/shots"))
		c, err := NewAlterLab(APIConfig{BaseURL: s.Start(t), APIKey: alterlabtest.DefaultKey, SubmitsPerMinute: -1, Poll: immediatePoll})
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com", Formats: []string{"screenshot"}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Screenshot == nil || !strings.HasPrefix(p.Screenshot.URL, other+"/shots/") || len(p.Screenshot.PNG) != 0 {
			t.Errorf("screenshot = %+v, want the other origin's link only", p.Screenshot)
		}
		if withKey.Load() != 0 || all.Load() != 0 {
			t.Errorf("the other origin got %d requests, %d with the key", all.Load(), withKey.Load())
		}
	})
}

func TestAlterLabScreenshotAndActionsWireBodies(t *testing.T) {
	tests := []struct {
		name string
		req  ScrapeRequest
		want string
	}{
		{"screenshot renders the page", ScrapeRequest{URL: "https://example.com", Formats: []string{"markdown", "screenshot"}},
			`{"url":"https://example.com","sync":true,"formats":["markdown"],"mode":"js","advanced":{"render_js":true,"wait_condition":"networkidle","screenshot":true}}`},
		{"a single wait_for action is AlterLab's wait_for", ScrapeRequest{URL: "https://example.com", Actions: []Action{{Type: ActionWaitFor, Selector: "#price"}}},
			`{"url":"https://example.com","sync":true,"formats":["markdown"],"mode":"js","advanced":{"render_js":true,"wait_condition":"networkidle"},"wait_for":"#price"}`},
		{"the same selector twice is one wait", ScrapeRequest{URL: "https://example.com", WaitFor: "#price", Actions: []Action{{Type: ActionWaitFor, Selector: "#price"}}},
			`{"url":"https://example.com","sync":true,"formats":["markdown"],"mode":"js","advanced":{"render_js":true,"wait_condition":"networkidle"},"wait_for":"#price"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, s := fakeAlterLab(t)
				if _, err := c.Scrape(t.Context(), tt.req); err != nil {
					t.Fatal(err)
				}
				sameJSON(t, s.LastBody(alterlabtest.RouteScrape), tt.want)
			})
		})
	}
}

func TestAlterLabRefusesActionsItCannotSend(t *testing.T) {
	tests := []struct {
		name  string
		req   ScrapeRequest
		field string
	}{
		{"a click", ScrapeRequest{Actions: []Action{{Type: ActionClick, Selector: "a"}}}, "actions"},
		{"a wait_for with its own limit", ScrapeRequest{Actions: []Action{{Type: ActionWaitFor, Selector: "a", Milliseconds: 100}}}, "actions"},
		{"two wait_fors", ScrapeRequest{Actions: []Action{{Type: ActionWaitFor, Selector: "a"}, {Type: ActionWaitFor, Selector: "b"}}}, "actions"},
		{"wait_for and a different wait_for action", ScrapeRequest{WaitFor: "#x", Actions: []Action{{Type: ActionWaitFor, Selector: "a"}}}, "actions"},
		{"an invalid action", ScrapeRequest{Actions: []Action{{Type: ActionClick}}}, "actions[0].selector"},
		{"a full-page screenshot", ScrapeRequest{Formats: []string{"screenshot"}, ScreenshotFullPage: true}, "screenshot_full_page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := fakeAlterLab(t)
			tt.req.URL = "https://example.com"
			_, err := c.Scrape(t.Context(), tt.req)
			e := mustError(t, err)
			if e.Code != CodeInvalidArgument || e.Field != tt.field {
				t.Errorf("code %s field %q, want invalid_argument on %q: %s", e.Code, e.Field, tt.field, e.Message)
			}
			if s.Count(alterlabtest.RouteScrape) != 0 {
				t.Error("a request was sent")
			}
		})
	}
}

func TestAlterLabDownloadsTheScreenshotWithTheKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAlterLab(t)
		p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com", Formats: []string{"screenshot"}})
		if err != nil {
			t.Fatal(err)
		}
		sh := p.Screenshot
		if sh == nil || !bytes.Equal(sh.PNG, alterlabtest.Screenshot()) || sh.Width != alterlabtest.ScreenshotWidth || sh.Height != alterlabtest.ScreenshotHeight {
			t.Fatalf("screenshot = %+v", sh)
		}
		if s.Count(alterlabtest.RouteScreenshot) != 1 {
			t.Errorf("%d downloads", s.Count(alterlabtest.RouteScreenshot))
		}
	})
}

func TestAlterLabBatchDownloadsEachScreenshot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, s := fakeAlterLab(t)
		urls := []string{"https://a.example/", "https://b.example/"}
		res, err := c.BatchScrape(t.Context(), BatchRequest{URLs: urls, Options: ScrapeRequest{Formats: []string{"screenshot"}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range res.Items {
			if it.Page == nil || it.Page.Screenshot == nil || len(it.Page.Screenshot.PNG) == 0 {
				t.Errorf("%s: no screenshot: %+v", it.URL, it)
			}
		}
		if s.Count(alterlabtest.RouteScreenshot) != len(urls) {
			t.Errorf("%d downloads", s.Count(alterlabtest.RouteScreenshot))
		}
	})
}

func TestAlterLabScreenshotDownloadFailureIsAWarning(t *testing.T) {
	tests := []struct {
		name  string
		fault alterlabtest.Fault
		want  string
	}{
		{"404", alterlabtest.Error(http.StatusNotFound, alterlabtest.Docs, "NOT_FOUND", "gone"), "HTTP 404"},
		{"500", alterlabtest.Error(http.StatusInternalServerError, alterlabtest.Docs, "INTERNAL_ERROR", "boom"), "HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, s := fakeAlterLab(t)
				s.Script(alterlabtest.RouteScreenshot, tt.fault)
				p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com", Formats: []string{"markdown", "screenshot"}})
				if err != nil {
					t.Fatalf("a failed screenshot failed the scrape: %v", err)
				}
				if p.Screenshot == nil || len(p.Screenshot.PNG) != 0 || !strings.HasPrefix(p.Screenshot.URL, "http://alterlab.test/downloads/screenshots/") {
					t.Errorf("want the resolved link only, got %+v", p.Screenshot)
				}
				if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], tt.want) {
					t.Errorf("warnings %v, want one naming %q", p.Warnings, tt.want)
				}
			})
		})
	}
}

func TestDecodeScreenshotChecksThePNG(t *testing.T) {
	png := anakintest.Screenshot(false)
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"not a PNG", []byte("GIF89a…"), "not a PNG"},
		{"a truncated PNG", png[:12], "not a readable PNG"},
		{"too large", append(append([]byte(nil), png...), make([]byte, MaxScreenshotBytes)...), "the limit is"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeScreenshot(tt.b, false); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
