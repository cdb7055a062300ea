package tools

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/client/anakintest"
)

func clicks(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"type": "click", "selector": "a"}
	}
	return out
}

// Browser actions and screenshot options are checked before anything runs:
// fix_request naming the exact field, and the provider is never called.
func TestBadActionsFailBeforeAnyProviderCall(t *testing.T) {
	url := "https://x.example/"
	wait := func(ms int) map[string]any { return map[string]any{"type": "wait", "milliseconds": ms} }
	cases := []struct {
		name, provider, tool string
		args                 map[string]any
		field                string
	}{
		{"too many actions", client.Local, "scrape", map[string]any{"url": url, "actions": clicks(16)}, "actions"},
		{"unknown action type", client.Anakin, "scrape", map[string]any{"url": url, "actions": []any{map[string]any{"type": "hover", "selector": "a"}}}, "actions[0].type"},
		{"missing type", client.Anakin, "scrape", map[string]any{"url": url, "actions": []any{map[string]any{"selector": "a"}}}, "actions[0].type"},
		{"click without selector", client.Anakin, "scrape", map[string]any{"url": url, "actions": []any{wait(10), map[string]any{"type": "click"}}}, "actions[1].selector"},
		{"wait_for without selector", client.Local, "scrape", map[string]any{"url": url, "actions": []any{map[string]any{"type": "wait_for"}}}, "actions[0].selector"},
		{"write without text", client.Anakin, "scrape", map[string]any{"url": url, "actions": []any{map[string]any{"type": "write"}}}, "actions[0].text"},
		{"press without key", client.Anakin, "scrape", map[string]any{"url": url, "actions": []any{map[string]any{"type": "press"}}}, "actions[0].key"},
		{"wait without milliseconds", client.Anakin, "scrape", map[string]any{"url": url, "actions": []any{map[string]any{"type": "wait"}}}, "actions[0].milliseconds"},
		{"field that does not apply", client.Anakin, "scrape", map[string]any{"url": url, "actions": []any{map[string]any{"type": "click", "selector": "a", "text": "hi"}}}, "actions[0].text"},
		{"direction neither up nor down", client.Anakin, "scrape", map[string]any{"url": url, "actions": []any{map[string]any{"type": "scroll", "direction": "left"}}}, "actions[0].direction"},
		{"one wait over 15 s", client.Anakin, "scrape", map[string]any{"url": url, "actions": []any{wait(15001)}}, "actions[0].milliseconds"},
		{"waits over 30 s in all", client.Anakin, "scrape", map[string]any{"url": url, "actions": []any{wait(15000), wait(10000), wait(6000)}}, "actions[2].milliseconds"},
		{"unknown action field", client.Anakin, "scrape", map[string]any{"url": url, "actions": []any{map[string]any{"type": "wait", "ms": 5}}}, "ms"},
		{"wait_for makes a 16th step", client.Anakin, "scrape", map[string]any{"url": url, "actions": clicks(15), "wait_for": "#done"}, "wait_for"},
		{"actions with mode html", client.Anakin, "scrape", map[string]any{"url": url, "actions": clicks(1), "mode": "html"}, "mode"},
		{"screenshot with mode pdf", client.AlterLab, "scrape", map[string]any{"url": url, "formats": []any{"screenshot"}, "mode": "pdf"}, "mode"},
		{"unknown format", client.Anakin, "scrape", map[string]any{"url": url, "formats": []any{"pdf"}}, "formats"},
		{"a click on AlterLab", client.AlterLab, "scrape", map[string]any{"url": url, "actions": clicks(1)}, "actions"},
		{"a timed wait_for on AlterLab", client.AlterLab, "scrape", map[string]any{"url": url, "actions": []any{map[string]any{"type": "wait_for", "selector": "a", "milliseconds": 500}}}, "actions"},
		{"a full-page screenshot on AlterLab", client.AlterLab, "scrape", map[string]any{"url": url, "screenshot_full_page": true}, "screenshot_full_page"},
		{"batch actions on Anakin", client.Anakin, "batch_scrape", map[string]any{"urls": []any{url}, "actions": clicks(1)}, "actions"},
		{"batch screenshots on Anakin", client.Anakin, "batch_scrape", map[string]any{"urls": []any{url}, "formats": []any{"screenshot"}}, "formats"},
		{"batch too many actions", client.Local, "batch_scrape", map[string]any{"urls": []any{url}, "actions": clicks(16)}, "actions"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := newFake()
			fake.name = c.provider
			h := newHarness(t, fake, 20000)
			action, field, _ := guidanceOf(t, h.call(context.Background(), c.tool, c.args))
			if action != "fix_request" || field != c.field {
				t.Errorf("guidance %s on %q, want fix_request on %q", action, field, c.field)
			}
			if n := fake.calls.Load(); n != 0 {
				t.Errorf("provider was called %d times for a request it would refuse", n)
			}
		})
	}
}

// recordingProvider keeps the last scrape request the tool made.
type recordingProvider struct {
	*fakeProvider
	last client.ScrapeRequest
}

func (r *recordingProvider) Scrape(ctx context.Context, sr client.ScrapeRequest) (*client.Page, error) {
	r.last = sr
	return r.fakeProvider.Scrape(ctx, sr)
}

func TestActionsAndScreenshotsImplyTheBrowser(t *testing.T) {
	fake := newFake()
	rp := &recordingProvider{fakeProvider: fake}
	h := newHarnessDeps(t, fake, &Deps{Provider: rp})
	for _, args := range []map[string]any{
		{"url": "https://x.example/a", "actions": []any{map[string]any{"type": "scroll"}}},
		{"url": "https://x.example/b", "formats": []any{"screenshot"}},
		{"url": "https://x.example/c", "screenshot_full_page": true},
	} {
		h.out(h.call(context.Background(), "scrape", args), &ScrapeResult{})
		if !rp.last.UseBrowser {
			t.Errorf("%v: UseBrowser false", args)
		}
	}
	if !rp.last.Wants(client.FormatScreenshot) || !rp.last.ScreenshotFullPage {
		t.Errorf("screenshot_full_page alone: formats %v, full page %v", rp.last.Formats, rp.last.ScreenshotFullPage)
	}
}

// anakinHarness is the MCP server over the real Anakin client and its fake.
func anakinHarness(t *testing.T) (*harness, *anakintest.Server) {
	t.Helper()
	fake := anakintest.New(anakintest.WithKey(apiKey))
	p, err := client.NewAnakin(client.APIConfig{BaseURL: "http://anakin.test", APIKey: apiKey, HTTPClient: fake.Client(), SubmitsPerMinute: -1,
		Poll: client.PollSchedule{Start: 1, Max: 1, Factor: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return newHarnessDeps(t, nil, &Deps{Provider: p}), fake
}

func images(res *mcp.CallToolResult) []mcp.ImageContent {
	var out []mcp.ImageContent
	for _, c := range res.Content {
		if im, ok := c.(mcp.ImageContent); ok {
			out = append(out, im)
		}
	}
	return out
}

func TestScrapeScreenshotComesAsAnImageWithItsSize(t *testing.T) {
	h, fake := anakinHarness(t)
	res := h.call(context.Background(), "scrape", map[string]any{"url": "https://shop.example/p/1", "formats": []any{"markdown", "screenshot"},
		"screenshot_full_page": true, "actions": []any{map[string]any{"type": "click", "selector": "#more"}}})
	var out ScrapeResult
	h.out(res, &out)
	ims := images(res)
	if len(ims) != 1 || ims[0].MIMEType != "image/png" {
		t.Fatalf("image content = %+v", ims)
	}
	png, err := base64.StdEncoding.DecodeString(ims[0].Data)
	if err != nil || !bytes.Equal(png, anakintest.Screenshot(true)) {
		t.Errorf("image is not the page's full-page PNG (err %v)", err)
	}
	w, hgt := anakintest.ScreenshotSize(true)
	want := ScreenshotOut{Attached: true, MIMEType: "image/png", Width: w, Height: hgt, FullPage: true, Scale: 1, Bytes: len(png)}
	if out.Screenshot == nil || *out.Screenshot != want {
		t.Errorf("structuredContent.screenshot = %+v, want %+v", out.Screenshot, want)
	}
	text := resultText(res)
	if !strings.Contains(text, "attached as an image") || strings.Contains(text, ims[0].Data[:40]) || len(text) > 5000 {
		t.Errorf("text should mention the image briefly, not carry it:\n%s", text)
	}
	if body := fake.LastJSON(anakintest.RouteScrape); !jsonEqual(body["actions"], `[{"type":"click","selector":"#more"}]`) || body["useBrowser"] != true {
		t.Errorf("Anakin got %v", body)
	}
}

func TestScrapeScreenshotLinkOnlyWhenTheDownloadFails(t *testing.T) {
	h, fake := anakinHarness(t)
	fake.Script(anakintest.RouteScreenshot, anakintest.Error(500, anakintest.Flat, "server_error", "boom"))
	res := h.call(context.Background(), "scrape", map[string]any{"url": "https://shop.example/p/2", "formats": []any{"screenshot"}})
	var out ScrapeResult
	h.out(res, &out)
	if len(images(res)) != 0 {
		t.Error("an image was attached")
	}
	if out.Screenshot == nil || out.Screenshot.Attached || !strings.HasPrefix(out.Screenshot.URL, "https://cdn.anakin.test/") {
		t.Fatalf("screenshot = %+v, want the link only", out.Screenshot)
	}
	if text := resultText(res); !strings.Contains(text, out.Screenshot.URL) || !strings.Contains(text, "HTTP 500") {
		t.Errorf("text should give the link and the warning:\n%s", text)
	}
}

func TestAlterLabScrapeScreenshotThroughTheTool(t *testing.T) {
	fake := alterlabtest.New(alterlabtest.WithKey(apiKey))
	p, err := client.NewAlterLab(client.APIConfig{BaseURL: "http://alterlab.test", APIKey: apiKey, HTTPClient: fake.Client(), SubmitsPerMinute: -1,
		Poll: client.PollSchedule{Start: 1, Max: 1, Factor: 1}})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessDeps(t, nil, &Deps{Provider: p})
	res := h.call(context.Background(), "scrape", map[string]any{"url": "https://x.example/", "formats": []any{"screenshot"},
		"actions": []any{map[string]any{"type": "wait_for", "selector": "#app"}}})
	var out ScrapeResult
	h.out(res, &out)
	if ims := images(res); len(ims) != 1 || out.Screenshot == nil || out.Screenshot.Width != alterlabtest.ScreenshotWidth {
		t.Errorf("images %d, screenshot %+v", len(ims), out.Screenshot)
	}
	body := fake.LastJSON(alterlabtest.RouteScrape)
	if body["wait_for"] != "#app" || !jsonEqual(body["advanced"], `{"render_js":true,"wait_condition":"networkidle","screenshot":true}`) {
		t.Errorf("AlterLab got %v", body)
	}
}

func TestBatchScreenshotsComeAsImagesInItemOrder(t *testing.T) {
	fake := newFake()
	fake.page = func(u string) (*client.Page, error) {
		return &client.Page{URL: u, Markdown: "# " + u, Screenshot: &client.Screenshot{PNG: []byte("png of " + u), Width: 4, Height: 3, Scale: 1}}, nil
	}
	h := newHarness(t, fake, 20000)
	res := h.call(context.Background(), "batch_scrape", map[string]any{"urls": []any{"https://x.example/a", "https://x.example/b"}, "formats": []any{"screenshot"}})
	var out BatchScrapeResult
	h.out(res, &out)
	ims := images(res)
	if len(ims) != 2 {
		t.Fatalf("%d images", len(ims))
	}
	for i, it := range out.Items {
		b, _ := base64.StdEncoding.DecodeString(ims[i].Data)
		if string(b) != "png of "+it.URL || it.Screenshot == nil || !it.Screenshot.Attached || it.Screenshot.Width != 4 {
			t.Errorf("item %d: image %q, screenshot %+v", i, b, it.Screenshot)
		}
	}
}

func TestBatchScreenshotsAreBoundedPerResult(t *testing.T) {
	d := &Deps{Provider: newFake()}
	d.init()
	shot := make([]byte, 3<<20)
	out := &client.BatchResult{}
	var urls []string
	for i := range 10 {
		u := "https://x.example/" + string(rune('a'+i))
		urls = append(urls, u)
		out.Items = append(out.Items, client.BatchItem{URL: u, Page: &client.Page{URL: u, Markdown: "# " + u,
			Screenshot: &client.Screenshot{PNG: shot, Width: 10, Height: 10, Scale: 1}}})
	}
	br := client.BatchRequest{URLs: urls, Options: client.ScrapeRequest{Formats: []string{"markdown", "screenshot"}}}
	res, pngs := d.batchResult("local", br, out, 20000)
	attached := maxBatchImageBytes / len(shot)
	if len(pngs) != attached {
		t.Errorf("%d images attached, want %d (the byte budget)", len(pngs), attached)
	}
	for i, it := range res.Items {
		want := i < attached
		if it.Screenshot == nil || it.Screenshot.Attached != want || (!want && !strings.Contains(it.Screenshot.Note, "MiB")) {
			t.Errorf("item %d: screenshot %+v, attached want %v", i, it.Screenshot, want)
		}
	}
	if !strings.Contains(res.text(), "not attached") {
		t.Error("text does not say some images were left out")
	}
}
