package tools

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/local"
	"github.com/scrapemcp/scrapemcp/client/local/sitetest"
)

func localHarness(t *testing.T) *harness {
	t.Helper()
	p, err := local.New(local.Options{AllowHosts: []string{"127.0.0.1"}, PerHostRate: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	h := newHarness(t, newFake(), 20000)
	h.deps.Provider = p
	return h
}

// The case: a 120-page site two links deep per level, max_pages
// 50, default depth. Following links alone, the crawl ends at depth 2 after
// a handful of pages and says so, with how many links lay beyond and which
// argument to raise. By default the site's sitemaps take it past the depth
// to max_pages, and it says that instead.
func TestCrawlTextSaysWhichLimitStoppedIt(t *testing.T) {
	tests := []struct {
		name        string
		args        map[string]any
		reason      string
		suggest     string
		suggestWant float64
		texts       []string
	}{
		{"links alone: max_depth", map[string]any{"ignore_sitemap": true}, client.StopMaxDepth, "max_depth", 3,
			[]string{"Stopped (max_depth)", "max_depth=2 stopped the crawl", "links lay beyond it", "max_depth=3"}},
		{"with the sitemaps: max_pages", map[string]any{}, client.StopMaxPages, "max_pages", 122, // 50 + the 72 sitemap URLs left
			[]string{"Stopped (max_pages)", "max_pages=50 stopped the crawl", "72 URLs still queued", "max_pages=122"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := sitetest.New(t, sitetest.Options{Pages: 120, Fanout: 2})
			h := localHarness(t)
			args := map[string]any{"url": s.URL(), "max_pages": 50, "wait_s": 60}
			for k, v := range tc.args {
				args[k] = v
			}
			res := h.call(context.Background(), "crawl", args)
			var r JobResult
			h.out(res, &r)
			if !r.Done || r.Stop == nil || r.Stop.Reason != tc.reason {
				t.Fatalf("done %v, stop %+v", r.Done, r.Stop)
			}
			if tc.reason == client.StopMaxDepth && r.Stop.LinksBeyondDepth < 8 {
				t.Errorf("links beyond depth %d, want at least 8", r.Stop.LinksBeyondDepth)
			}
			if got := r.Stop.SuggestedArguments[tc.suggest]; got != tc.suggestWant {
				t.Errorf("suggested %s %v, want %v", tc.suggest, got, tc.suggestWant)
			}
			text := resultText(res)
			t.Logf("crawl text, without the pages:\n%s", strings.Join(slices.DeleteFunc(strings.Split(text, "\n"), func(l string) bool {
				return !strings.HasPrefix(l, "Job ") && !strings.HasPrefix(l, "Stopped") && !strings.HasPrefix(l, "Skipped")
			}), "\n"))
			for _, want := range tc.texts {
				if !strings.Contains(text, want) {
					t.Errorf("text lacks %q:\n%s", want, text)
				}
			}
		})
	}
}

func TestMapTextSaysMoreExist(t *testing.T) {
	s := sitetest.New(t, sitetest.Options{Pages: 120})
	h := localHarness(t)
	res := h.call(context.Background(), "map", map[string]any{"url": s.URL(), "limit": 5})
	var r MapResult
	h.out(res, &r)
	if r.Total != 5 || len(r.URLs) != 5 || !r.Truncated || r.NextCursor != "" || r.Stop == nil || r.Stop.Reason != client.StopLimit {
		t.Fatalf("total %d, %d URLs, truncated %v, cursor %q, stop %+v", r.Total, len(r.URLs), r.Truncated, r.NextCursor, r.Stop)
	}
	if got := r.Stop.SuggestedArguments["limit"]; got != float64(10) {
		t.Errorf("suggested limit %v, want 10", got)
	}
	text := resultText(res)
	t.Logf("map text:\n%s", text)
	for _, want := range []string{"5 URLs found", "more exist", "limit=5 stopped the map", "limit=10"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}
