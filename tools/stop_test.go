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

// The case: a 120-page site, max_pages 50, default depth. The
// crawl ends at depth 2 after a handful of pages and says so, with how many
// links lay beyond and which argument to raise.
func TestCrawlTextSaysMaxDepthStoppedIt(t *testing.T) {
	s := sitetest.New(t, sitetest.Options{Pages: 120, Fanout: 2})
	h := localHarness(t)
	res := h.call(context.Background(), "crawl", map[string]any{"url": s.URL(), "max_pages": 50, "wait_s": 60})
	var r JobResult
	h.out(res, &r)
	if !r.Done || r.Stop == nil || r.Stop.Reason != client.StopMaxDepth || r.Stop.LinksBeyondDepth < 8 {
		t.Fatalf("done %v, stop %+v", r.Done, r.Stop)
	}
	if got := r.Stop.SuggestedArguments["max_depth"]; got != float64(3) {
		t.Errorf("suggested max_depth %v, want 3", got)
	}
	text := resultText(res)
	t.Logf("crawl text, without the pages:\n%s", strings.Join(slices.DeleteFunc(strings.Split(text, "\n"), func(l string) bool {
		return !strings.HasPrefix(l, "Job ") && !strings.HasPrefix(l, "Stopped") && !strings.HasPrefix(l, "Skipped")
	}), "\n"))
	for _, want := range []string{"Stopped (max_depth)", "max_depth=2 stopped the crawl", "links lay beyond it", "max_depth=3"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
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
