package local

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/local/browser"
)

// browserPath finds Chromium for a test; under CI=true its absence fails
// the test rather than skipping it.
func browserPath(t testing.TB) string {
	t.Helper()
	path, err := browser.Find(os.Getenv("SCRAPEMCP_BROWSER"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and no browser: %v", err)
		}
		t.Skipf("no browser here: %v", err)
	}
	return path
}

// browserProvider is a Provider with a browser that may reach only the
// given sites' host:port (not their whole address).
func browserProvider(t *testing.T, allowed ...*site) (*Provider, *dialLog) {
	t.Helper()
	opts := Options{BrowserPath: browserPath(t), BrowserTabs: 2, BrowserSettle: 2 * time.Second}
	for _, s := range allowed {
		opts.AllowHosts = append(opts.AllowHosts, strings.TrimPrefix(s.URL, "http://"))
	}
	return testProvider(t, opts, nil)
}

const shellPage = `<!doctype html><html><head><title>Shop</title><script type="module" src="/app.js"></script></head>
<body><div id="root"></div><script>setTimeout(function () {
document.getElementById("root").innerHTML = "<main><h1>Catalogue</h1><p>Rendered by the application after load: forty-two products in stock, shipped from the warehouse today.</p></main>";
}, 100);</script></body></html>`

func TestUseBrowserRendersWhatAPlainFetchCannot(t *testing.T) {
	s := newSite(t, pages(map[string]string{"/spa": shellPage, "/app.js": "", "/robots.txt": ""}, "text/html"))
	p, _ := browserProvider(t, s)

	_, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/spa"})
	ce := wantCode(t, err, client.CodeJSRequired)
	if !strings.Contains(ce.Message, "use_browser=true") || !strings.Contains(ce.Message, `id="root"`) {
		t.Errorf("js_required message: %s", ce.Message)
	}

	page, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/spa", UseBrowser: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.Markdown, "forty-two products in stock") || page.StatusCode != 200 || page.Title != "Shop" {
		t.Fatalf("rendered page: status %d, title %q, markdown:\n%s", page.StatusCode, page.Title, page.Markdown)
	}

	// mode html asks for the page as served, shell and all.
	page, err = p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/spa", Controls: client.Controls{Mode: "html"}})
	if err != nil || strings.Contains(page.Markdown, "forty-two") {
		t.Fatalf("mode html: %v %+v", err, page)
	}
}

// The page's scripts reach for another loopback service and the cloud
// metadata address. The guard refuses both inside the browser's proxy: the
// other service sees no request and nothing but the allowed host:port is
// ever dialed.
func TestRenderedPageCannotReachPrivateAddresses(t *testing.T) {
	other := newSite(t, pages(map[string]string{"/secret": "token"}, "text/plain"))
	page := `<html><body><article><h1>Probe</h1><p id="out">Nothing fetched yet, and this sentence is long enough to be the content.</p></article><script>
Promise.allSettled([fetch("` + other.URL + `/secret"), fetch("http://169.254.169.254/latest/meta-data/")])
  .then(function (rs) { document.getElementById("out").textContent = "results: " + rs.map(function (r) { return r.status; }).join(" "); });
</script></body></html>`
	s := newSite(t, pages(map[string]string{"/ssrf": page, "/robots.txt": ""}, "text/html"))
	p, dials := browserProvider(t, s)
	got, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/ssrf", UseBrowser: true,
		Actions: []client.Action{{Type: client.ActionWaitFor, Selector: "#out:not(:empty)", Milliseconds: 5000}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(other.paths()); n != 0 {
		t.Fatalf("the other loopback service got %d requests: %v", n, other.paths())
	}
	for _, a := range dials.dialed() {
		if a != strings.TrimPrefix(s.URL, "http://") {
			t.Errorf("dialed %s; only the allowed host:port may be dialed", a)
		}
	}
	w := strings.Join(got.Warnings, "\n")
	if !strings.Contains(w, "SSRF guard refused 2 request") || !strings.Contains(w, "loopback") {
		t.Errorf("warnings do not report the two refusals: %q", got.Warnings)
	}
}

func TestRenderedNavigationIsGuarded(t *testing.T) {
	other := newSite(t, pages(map[string]string{"/": "<p>private</p>"}, "text/html"))
	s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			w.Write([]byte("User-agent: *\nDisallow: /private\n"))
		case "/login":
			w.Header().Set("WWW-Authenticate", `Basic realm="members"`)
			w.WriteHeader(http.StatusUnauthorized)
		case "/to-private":
			http.Redirect(w, r, "/private/page", http.StatusFound)
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		default:
			w.Write([]byte("<p>page</p>"))
		}
	}))
	p, _ := browserProvider(t, s)
	tests := []struct {
		name, url, code string
	}{
		{"another port of an allowed address", other.URL + "/", client.CodeSSRFBlocked},
		{"redirect to the metadata address", s.URL + "/to-metadata", client.CodeSSRFBlocked},
		{"robots.txt disallows", s.URL + "/private/x", client.CodeRobotsDisallowed},
		{"a redirect robots.txt disallows", s.URL + "/to-private", client.CodeRobotsDisallowed},
		{"HTTP authentication", s.URL + "/login", client.CodeHTTPStatus},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: tc.url, UseBrowser: true})
			wantCode(t, err, tc.code)
		})
	}
	if n := len(other.paths()); n != 0 {
		t.Errorf("the other service got %d requests", n)
	}
}

func TestScreenshotFormatReturnsAPNG(t *testing.T) {
	s := newSite(t, pages(map[string]string{"/": "<html><body><h1>Shot</h1><p>A page to photograph, with a sentence of text.</p></body></html>", "/robots.txt": ""}, "text/html"))
	p, _ := browserProvider(t, s)
	page, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/", Formats: []string{client.FormatMarkdown, client.FormatScreenshot}})
	if err != nil {
		t.Fatal(err)
	}
	if page.Screenshot == nil {
		t.Fatalf("no screenshot; warnings %q", page.Warnings)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(page.Screenshot.PNG))
	if err != nil || cfg.Width != 1280 || cfg.Height != 800 || page.Screenshot.Width != 1280 || page.Screenshot.FullPage {
		t.Fatalf("screenshot: %v, %dx%d, %+v", err, cfg.Width, cfg.Height, page.Screenshot)
	}
	if !strings.Contains(page.Markdown, "A page to photograph") {
		t.Errorf("markdown missing alongside the screenshot: %q", page.Markdown)
	}
}

func TestFailedActionNamesItsIndex(t *testing.T) {
	s := newSite(t, pages(map[string]string{"/": "<html><body><p>No buttons here at all, only text.</p></body></html>", "/robots.txt": ""}, "text/html"))
	p, _ := browserProvider(t, s)
	_, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/", Actions: []client.Action{
		{Type: client.ActionScroll, Direction: "down"}, {Type: client.ActionWaitFor, Selector: "#buy", Milliseconds: 300}, {Type: client.ActionClick, Selector: "#buy"}}})
	ce := wantCode(t, err, client.CodeActionFailed)
	if ce.Field != "actions[1]" || !strings.Contains(ce.Message, "#buy") {
		t.Errorf("field %q, message %q", ce.Field, ce.Message)
	}
}

func TestWithoutABrowserTheErrorSaysHowToGetOne(t *testing.T) {
	p, _ := testProvider(t, Options{NoBrowserReason: "no Chromium or Chrome was found"}, nil)
	for _, req := range []client.ScrapeRequest{
		{URL: "https://example.com/", UseBrowser: true},
		{URL: "https://example.com/", Formats: []string{client.FormatScreenshot}},
		{URL: "https://example.com/", Actions: []client.Action{{Type: client.ActionWait, Milliseconds: 10}}},
	} {
		_, err := p.Scrape(context.Background(), req)
		ce := wantCode(t, err, client.CodeBrowserUnavailable)
		if !strings.Contains(ce.Message, "no Chromium or Chrome was found") || !strings.Contains(ce.Message, "install") {
			t.Errorf("message %q names neither the reason nor the install command", ce.Message)
		}
	}
}

func TestBatchRendersEachURLInItsOwnTab(t *testing.T) {
	s := newSite(t, pages(map[string]string{"/spa": shellPage, "/app.js": "", "/robots.txt": "",
		"/plain": "<html><body><p>A plain page whose text is there without any script at all.</p></body></html>"}, "text/html"))
	p, _ := browserProvider(t, s)
	res, err := p.BatchScrape(t.Context(), client.BatchRequest{URLs: []string{s.URL + "/spa", s.URL + "/plain", s.URL + "/missing"},
		Options: client.ScrapeRequest{Formats: []string{client.FormatMarkdown, client.FormatScreenshot}}})
	if err != nil {
		t.Fatal(err)
	}
	if it := res.Items[0]; it.Page == nil || !strings.Contains(it.Page.Markdown, "forty-two") || it.Page.Screenshot == nil {
		t.Errorf("spa item: %+v", it)
	}
	if it := res.Items[1]; it.Page == nil || it.Page.Screenshot == nil || !strings.Contains(it.Page.Markdown, "without any script") {
		t.Errorf("plain item: %+v", it)
	}
	if it := res.Items[2]; it.Err == nil || it.Err.Code != client.CodeHTTPStatus || it.Err.HTTPStatus != 404 {
		t.Errorf("missing item: %+v", it)
	}
}

// A crawl cannot render, so an application shell it meets is kept with a
// warning that names the way to read it, not failed with advice the crawl
// cannot follow.
func TestCrawlKeepsAppShellsWithAWarning(t *testing.T) {
	s := newSite(t, pages(map[string]string{"/": `<html><body><h1>Home</h1><p>The home page links to the application, and says enough to be read.</p><a href="/spa">app</a></body></html>`,
		"/spa": shellPage, "/robots.txt": ""}, "text/html"))
	p, _ := testProvider(t, loopbackOnly(), nil)
	job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: s.URL + "/", MaxPages: 5, MaxDepth: 1, NoSitemap: true})
	if err != nil {
		t.Fatal(err)
	}
	j := waitJob(t, p, job.Ref)
	var found bool
	for _, pg := range j.Pages {
		if strings.HasSuffix(pg.URL, "/spa") {
			found = strings.Contains(strings.Join(pg.Warnings, " "), "use_browser=true")
		}
	}
	if !found || len(j.PageErrors) != 0 {
		t.Fatalf("pages %+v, failures %+v: want /spa kept with a use_browser warning", j.Pages, j.PageErrors)
	}
}
