package local

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/scrapemcp/scrapemcp/client"
)

const article = `<!doctype html><html><head><title>Foxes | Nature Site</title>
<meta name="description" content="All about foxes.">
<link rel="canonical" href="/articles/foxes">
</head><body>
<nav><a href="/">Home</a> <a href="/about">About us</a></nav>
<article>
<h1>Foxes</h1>
<p>The red fox is the largest of the true foxes and one of the most widely distributed members of the order Carnivora, present across the entire Northern Hemisphere.</p>
<h2>Habitat</h2>
<p>Foxes live in forests, grasslands, mountains and deserts, and they adapt well to human environments such as farms and suburbs; read the <a href="/docs/habitat?b=2&amp;a=1#top">habitat notes</a>.</p>
<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>
<p>Older claims were <del>foxes are dogs</del> revised.</p>
</article>
<footer><a href="https://elsewhere.example/x#frag">Elsewhere</a> <a href="mailto:a@b.c">mail</a> <a href="/about">About again</a></footer>
</body></html>`

func TestScrapeArticleKeepsStructure(t *testing.T) {
	t.Parallel()
	s := newSite(t, pages(map[string]string{"/articles/foxes": article}, "text/html; charset=utf-8"))
	p, _ := testProvider(t, loopbackOnly(), nil)

	page, err := p.Scrape(t.Context(), client.ScrapeRequest{
		URL: s.URL + "/articles/foxes", OnlyMainContent: true,
		Formats: []string{client.FormatMarkdown, client.FormatLinks, client.FormatHTML},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## Habitat",
		"[habitat notes](" + s.URL + "/docs/habitat?b=2&a=1#top)",
		"| a | b |",
		"| 1 | 2 |",
		"~~foxes are dogs~~",
	} {
		if !strings.Contains(page.Markdown, want) {
			t.Errorf("markdown lacks %q:\n%s", want, page.Markdown)
		}
	}
	if strings.Contains(page.Markdown, "About us") {
		t.Errorf("main content kept the navigation:\n%s", page.Markdown)
	}
	if page.Title != "Foxes | Nature Site" && page.Title != "Foxes" {
		t.Errorf("title %q", page.Title)
	}
	if page.Description != "All about foxes." {
		t.Errorf("description %q", page.Description)
	}
	if page.Canonical != s.URL+"/articles/foxes" {
		t.Errorf("canonical %q", page.Canonical)
	}
	if page.StatusCode != 200 || page.FinalURL != s.URL+"/articles/foxes" || !strings.HasPrefix(page.ContentType, "text/html") {
		t.Errorf("status %d final %q type %q", page.StatusCode, page.FinalURL, page.ContentType)
	}
	wantLinks := []string{s.URL + "/", s.URL + "/about", s.URL + "/docs/habitat?b=2&a=1", "https://elsewhere.example/x"}
	if !slices.Equal(page.Links, wantLinks) {
		t.Errorf("links\n got %q\nwant %q", page.Links, wantLinks)
	}
	if !strings.Contains(page.HTML, "<h2>Habitat</h2>") || strings.Contains(page.HTML, "About us") {
		t.Errorf("main-content html:\n%s", page.HTML)
	}
}

func TestScrapeWholePageWhenMainContentIsOff(t *testing.T) {
	t.Parallel()
	s := newSite(t, pages(map[string]string{"/": article}, "text/html"))
	p, _ := testProvider(t, loopbackOnly(), nil)

	page, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/", Formats: []string{"markdown", "html"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Foxes", "About us", "| a | b |"} {
		if !strings.Contains(page.Markdown, want) {
			t.Errorf("markdown lacks %q:\n%s", want, page.Markdown)
		}
	}
	if !strings.Contains(page.HTML, `<a href="`+s.URL+`/about">`) {
		t.Errorf("full html does not carry absolute links:\n%s", page.HTML)
	}
}

func TestScrapeFallsBackToPageWhenReadabilityFindsNothing(t *testing.T) {
	t.Parallel()
	const tiny = `<html><head><title>T</title></head><body><nav>menu menu</nav><div><span>Price list</span><ul><li>apples 3</li><li>pears 4</li></ul></div><footer>legal</footer></body></html>`
	s := newSite(t, pages(map[string]string{"/": tiny}, "text/html"))
	p, _ := testProvider(t, loopbackOnly(), nil)

	page, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/", OnlyMainContent: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.Markdown, "apples 3") || !strings.Contains(page.Markdown, "Price list") {
		t.Errorf("markdown lost the content:\n%s", page.Markdown)
	}
	if strings.Contains(page.Markdown, "menu") || strings.Contains(page.Markdown, "legal") {
		t.Errorf("fallback kept navigation or footer:\n%s", page.Markdown)
	}
}

func TestScrapeDecodesCharsets(t *testing.T) {
	t.Parallel()
	// "café naïve" in windows-1252 / ISO-8859-1: é = 0xE9, ï = 0xEF.
	latin := "caf\xe9 na\xefve"
	tests := []struct {
		name, contentType, body string
	}{
		{"charset in header", "text/html; charset=windows-1252", "<html><body><p>" + latin + "</p></body></html>"},
		{"meta charset only", "text/html", `<html><head><meta charset="iso-8859-1"></head><body><p>` + latin + "</p></body></html>"},
		{"http-equiv only", "text/html", `<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"></head><body><p>` + latin + "</p></body></html>"},
		{"plain text with header", "text/plain; charset=iso-8859-1", latin},
		{"undeclared utf-8 after 1 KiB of ascii", "text/html", "<html><body><p>" + strings.Repeat("a", 2000) + " café naïve</p></body></html>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t, pages(map[string]string{"/": tc.body}, tc.contentType))
			p, _ := testProvider(t, loopbackOnly(), nil)
			page, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(page.Markdown, "café naïve") {
				t.Errorf("markdown %q lacks %q", clip(page.Markdown, 80), "café naïve")
			}
		})
	}
}

func TestScrapeDecompressesBodies(t *testing.T) {
	t.Parallel()
	const html = "<html><body><h1>Compressed</h1><p>squeezed text</p></body></html>"
	compress := map[string]func([]byte) []byte{
		"gzip": func(b []byte) []byte {
			var buf bytes.Buffer
			w := gzip.NewWriter(&buf)
			w.Write(b)
			w.Close()
			return buf.Bytes()
		},
		"br": func(b []byte) []byte {
			var buf bytes.Buffer
			w := brotli.NewWriter(&buf)
			w.Write(b)
			w.Close()
			return buf.Bytes()
		},
		"deflate": func(b []byte) []byte {
			var buf bytes.Buffer
			w := zlib.NewWriter(&buf)
			w.Write(b)
			w.Close()
			return buf.Bytes()
		},
	}
	for enc, fn := range compress {
		t.Run(enc, func(t *testing.T) {
			t.Parallel()
			var gotAccept string
			s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					http.NotFound(w, r)
					return
				}
				gotAccept = r.Header.Get("Accept-Encoding")
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("Content-Encoding", enc)
				w.Write(fn([]byte(html)))
			}))
			p, _ := testProvider(t, loopbackOnly(), nil)
			page, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(page.Markdown, "# Compressed") || !strings.Contains(page.Markdown, "squeezed text") {
				t.Errorf("markdown %q", page.Markdown)
			}
			if !strings.Contains(gotAccept, enc) {
				t.Errorf("Accept-Encoding %q does not offer %s", gotAccept, enc)
			}
		})
	}
}

func TestScrapeOversizeBody(t *testing.T) {
	t.Parallel()
	long := "<html><body><p>" + strings.Repeat("word ", 2000) + "</p></body></html>"
	scriptOnly := "<html><head><script>" + strings.Repeat("x=1;", 2000) + "</script></head><body><p>late text</p></body></html>"
	tests := []struct {
		name, body, contentType string
		wantCode                string // "" = success with a warning
	}{
		{"html is cut with a warning", long, "text/html", ""},
		{"plain text is cut with a warning", strings.Repeat("line\n", 2000), "text/plain", ""},
		{"nothing readable before the cap is too_large", scriptOnly, "text/html", client.CodeTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t, pages(map[string]string{"/": tc.body}, tc.contentType))
			opts := loopbackOnly()
			opts.MaxBodyBytes = 1000
			p, _ := testProvider(t, opts, nil)
			page, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/"})
			if tc.wantCode != "" {
				wantCode(t, err, tc.wantCode)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Markdown) > 1000 || len(page.Markdown) < 100 {
				t.Errorf("markdown is %d bytes, want the first ~1000", len(page.Markdown))
			}
			if !slices.ContainsFunc(page.Warnings, func(w string) bool { return strings.Contains(w, "truncated at 1000 bytes") }) {
				t.Errorf("warnings %q lack the truncation", page.Warnings)
			}
		})
	}
}

func TestScrapeContentTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType, body string
		wantMarkdown            string
		wantCode                string
		wantInMessage           string
	}{
		{name: "markdown as is", contentType: "text/markdown", body: "# Title\n\ntext", wantMarkdown: "# Title\n\ntext"},
		{name: "json pretty in a fence", contentType: "application/json", body: `{"a":[1,2]}`, wantMarkdown: "```json\n{\n  \"a\": [\n    1,\n    2\n  ]\n}\n```"},
		{name: "problem+json counts as json", contentType: "application/problem+json", body: `{"a":1}`, wantMarkdown: "```json\n{\n  \"a\": 1\n}\n```"},
		{name: "rss in an xml fence", contentType: "application/rss+xml", body: "<rss><channel/></rss>", wantMarkdown: "```xml\n<rss><channel/></rss>\n```"},
		{name: "pdf names a provider that reads it", contentType: "application/pdf", body: "%PDF-1.7", wantCode: client.CodeUnsupportedContent, wantInMessage: "AlterLab (mode pdf) or Anakin"},
		{name: "image", contentType: "image/png", body: "\x89PNG", wantCode: client.CodeUnsupportedContent, wantInMessage: "image"},
		{name: "octet-stream", contentType: "application/octet-stream", body: "\x00\x01", wantCode: client.CodeUnsupportedContent},
		{name: "no content type, sniffed html", contentType: "", body: "<!DOCTYPE html><html><body><h1>Sniffed</h1></body></html>", wantMarkdown: "# Sniffed"},
		{name: "no content type, sniffed binary", contentType: "", body: "\x00\x01\x02\x03binary", wantCode: client.CodeUnsupportedContent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					http.NotFound(w, r)
					return
				}
				w.Header()["Content-Type"] = []string{tc.contentType}
				w.Write([]byte(tc.body))
			}))
			p, _ := testProvider(t, loopbackOnly(), nil)
			page, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/doc"})
			if tc.wantCode != "" {
				ce := wantCode(t, err, tc.wantCode)
				if !strings.Contains(ce.Message, tc.wantInMessage) {
					t.Errorf("message %q lacks %q", ce.Message, tc.wantInMessage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if page.Markdown != tc.wantMarkdown {
				t.Errorf("markdown\n got %q\nwant %q", page.Markdown, tc.wantMarkdown)
			}
		})
	}
}

func TestScrapeNon2xxIsHTTPStatus(t *testing.T) {
	t.Parallel()
	s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt", "/missing":
			http.NotFound(w, r)
		case "/busy":
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/moved":
			w.WriteHeader(http.StatusNotModified)
		}
	}))
	p, _ := testProvider(t, loopbackOnly(), nil)
	tests := []struct {
		path   string
		status int
	}{{"/missing", 404}, {"/busy", 503}, {"/moved", 304}}
	for _, tc := range tests {
		_, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + tc.path})
		ce := wantCode(t, err, client.CodeHTTPStatus)
		if ce.HTTPStatus != tc.status || !strings.Contains(ce.Message, s.URL+tc.path+" answered") {
			t.Errorf("%s: status %d message %q", tc.path, ce.HTTPStatus, ce.Message)
		}
		if tc.status == 503 && ce.RetryAfter.Seconds() != 7 {
			t.Errorf("retry after %v, want 7s", ce.RetryAfter)
		}
	}
}

func TestScrapeRecordsMetaRefresh(t *testing.T) {
	t.Parallel()
	const body = `<html><head><meta http-equiv="refresh" content="0; URL='/real'"></head><body><p>Redirecting…</p></body></html>`
	s := newSite(t, pages(map[string]string{"/": body}, "text/html"))
	p, _ := testProvider(t, loopbackOnly(), nil)
	page, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Warnings) != 1 || !strings.Contains(page.Warnings[0], s.URL+"/real") {
		t.Errorf("warnings %q", page.Warnings)
	}
}

func TestScrapeFollowsRedirects(t *testing.T) {
	t.Parallel()
	var s *site
	s = newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old":
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/ftp":
			http.Redirect(w, r, "ftp://files.example/x", http.StatusFound)
		case "/new":
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("arrived"))
		default:
			http.NotFound(w, r)
		}
	}))
	opts := loopbackOnly()
	opts.MaxRedirects = 3
	p, _ := testProvider(t, opts, nil)

	page, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/old"})
	if err != nil {
		t.Fatal(err)
	}
	if page.URL != s.URL+"/old" || page.FinalURL != s.URL+"/new" || page.Markdown != "arrived" {
		t.Errorf("url %q final %q markdown %q", page.URL, page.FinalURL, page.Markdown)
	}
	_, err = p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/loop"})
	wantCode(t, err, client.CodeTooManyRedirects)
	if n := s.count("/loop"); n != 4 {
		t.Errorf("/loop requested %d times, want 4 (first + 3 redirects)", n)
	}
	_, err = p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/ftp"})
	wantCode(t, err, client.CodeInvalidURL)
}

func TestScrapeRejectsWhatLocalCannotDo(t *testing.T) {
	t.Parallel()
	p, d := testProvider(t, Options{}, nil)
	tests := []struct {
		name string
		req  client.ScrapeRequest
		code string
	}{
		{"json format", client.ScrapeRequest{URL: "https://example.com", Formats: []string{"json"}}, client.CodeUnsupported},
		{"schema", client.ScrapeRequest{URL: "https://example.com", JSONSchema: json.RawMessage(`{}`)}, client.CodeUnsupported},
		{"prompt", client.ScrapeRequest{URL: "https://example.com", Prompt: "prices"}, client.CodeUnsupported},
		{"browser", client.ScrapeRequest{URL: "https://example.com", UseBrowser: true}, client.CodeBrowserUnavailable},
		{"ftp url", client.ScrapeRequest{URL: "ftp://example.com/x"}, client.CodeInvalidURL},
		{"relative url", client.ScrapeRequest{URL: "/just/a/path"}, client.CodeInvalidURL},
		{"empty url", client.ScrapeRequest{URL: "  "}, client.CodeInvalidURL},
		{"bad escape", client.ScrapeRequest{URL: "http://exa mple.com/%zz"}, client.CodeInvalidURL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Scrape(t.Context(), tc.req)
			ce := wantCode(t, err, tc.code)
			if tc.code == client.CodeInvalidURL && ce.Field != "url" {
				t.Errorf("field %q, want url", ce.Field)
			}
		})
	}
	if got := d.dialed(); len(got) != 0 {
		t.Errorf("dialed %q", got)
	}
	for _, f := range []func() error{
		func() error { _, err := p.Search(t.Context(), client.SearchRequest{Query: "x"}); return err },
		func() error {
			_, err := p.Extract(t.Context(), client.ExtractRequest{URL: "https://example.com"})
			return err
		},
	} {
		ce := wantCode(t, f(), client.CodeUnsupported)
		if !strings.Contains(ce.Message, "ANAKIN_API_KEY") {
			t.Errorf("message %q does not say which key to set", ce.Message)
		}
	}
}

func TestBatchScrapeKeepsOrderAndPerURLErrors(t *testing.T) {
	t.Parallel()
	body := map[string]string{}
	for _, c := range "abcdefgh" {
		body["/"+string(c)] = "<html><body><p>page " + string(c) + "</p></body></html>"
	}
	s := newSite(t, pages(body, "text/html"))
	opts := loopbackOnly()
	opts.Concurrency = 3
	p, _ := testProvider(t, opts, nil)

	urls := []string{s.URL + "/a", s.URL + "/missing", s.URL + "/b", "nope://x", s.URL + "/c", s.URL + "/d", s.URL + "/e", s.URL + "/f", s.URL + "/g", s.URL + "/h"}
	res, err := p.BatchScrape(t.Context(), client.BatchRequest{URLs: urls})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != len(urls) {
		t.Fatalf("%d items for %d urls", len(res.Items), len(urls))
	}
	for i, it := range res.Items {
		if it.URL != urls[i] {
			t.Errorf("item %d is %q, want %q", i, it.URL, urls[i])
		}
		switch i {
		case 1:
			if it.Err == nil || it.Err.Code != client.CodeHTTPStatus || it.Page != nil {
				t.Errorf("item 1: %+v", it)
			}
		case 3:
			if it.Err == nil || it.Err.Code != client.CodeInvalidURL {
				t.Errorf("item 3: %+v", it)
			}
		default:
			if it.Err != nil || it.Page == nil || !strings.Contains(it.Page.Markdown, "page ") {
				t.Errorf("item %d: %+v", i, it)
			}
		}
	}
	for _, n := range []int{0, 11} {
		_, err := p.BatchScrape(t.Context(), client.BatchRequest{URLs: make([]string, n)})
		wantCode(t, err, client.CodeInvalidArgument)
	}
}

func TestScrapeHonoursCancellation(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		close(release)
		<-r.Context().Done()
	}))
	p, _ := testProvider(t, loopbackOnly(), nil)
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-release; cancel() }()
	_, err := p.Scrape(ctx, client.ScrapeRequest{URL: s.URL + "/hang"})
	wantCode(t, err, client.CodeTimeout)
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	for _, allow := range [][]string{{"10.0.0.0/33"}, {"not a host"}, {"http://x/"}} {
		if _, err := New(Options{AllowHosts: allow}); err == nil {
			t.Errorf("New accepted AllowHosts %q", allow)
		}
	}
	if _, err := New(Options{MaxBodyBytes: -1}); err == nil {
		t.Error("New accepted a negative MaxBodyBytes")
	}
	p, err := New(Options{AllowHosts: []string{"localhost", "::1", "[::1]", "10.0.0.0/8", " "}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Name() != "local" || !strings.HasPrefix(p.opts.UserAgent, "scrapemcp/dev (+https://") {
		t.Errorf("name %q user agent %q", p.Name(), p.opts.UserAgent)
	}
}

func TestFetchErrorCodes(t *testing.T) {
	t.Parallel()
	hang := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		<-r.Context().Done()
	}))
	closed := newSite(t, http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close() // nothing listens there any more
	selfSigned := httptest.NewUnstartedServer(http.NotFoundHandler())
	selfSigned.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	selfSigned.StartTLS()
	t.Cleanup(selfSigned.Close)
	// Only the hanging server should run into the timeout; the others fail
	// on their own, and a loaded machine (-race, parallel tests) must not
	// turn a slow TLS failure into a timeout.
	quick := loopbackOnly()
	quick.Timeout = 200 * time.Millisecond
	pQuick, _ := testProvider(t, quick, map[string]string{})
	patient := loopbackOnly()
	patient.Timeout = 30 * time.Second
	pPatient, _ := testProvider(t, patient, map[string]string{})
	tests := []struct {
		name, url, code string
		p               *Provider
	}{
		{"unknown host", "http://no-such-host.example/", client.CodeDNS, pPatient},
		{"nothing listening", closedURL + "/", client.CodeConnection, pPatient},
		{"tls to a plain http server", strings.Replace(hang.URL, "http://", "https://", 1) + "/", client.CodeTLS, pPatient},
		{"untrusted certificate", selfSigned.URL + "/", client.CodeTLS, pPatient},
		{"server never answers", hang.URL + "/slow", client.CodeTimeout, pQuick},
	}
	for _, tc := range tests {
		_, err := tc.p.Scrape(t.Context(), client.ScrapeRequest{URL: tc.url})
		ce := wantCode(t, err, tc.code)
		if ce.Message == "" || strings.Contains(ce.Message, `Get "`) {
			t.Errorf("%s: message %q", tc.name, ce.Message)
		}
	}
}
