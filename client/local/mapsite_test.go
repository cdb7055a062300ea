package local

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/local/sitetest"
)

func TestMapReadsSitemapsAndLinks(t *testing.T) {
	t.Parallel()
	s := sitetest.New(t, sitetest.Options{Pages: 120})
	p, _ := testProvider(t, loopbackOnly(), nil)

	res, err := p.Map(t.Context(), client.MapRequest{URL: s.URL() + "/", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i := range s.Pages() {
		if !slices.Contains(res.URLs, s.PageURL(i)) {
			t.Errorf("map lacks %s", s.PageURL(i))
		}
	}
	seen := map[string]bool{}
	for _, u := range res.URLs {
		if seen[u] {
			t.Errorf("%s listed twice", u)
		}
		seen[u] = true
		if !strings.HasPrefix(u, s.URL()+"/") {
			t.Errorf("off-site URL %s", u)
		}
		if strings.Contains(u, "/private/") || strings.Contains(u, "#") {
			t.Errorf("listed %s", u)
		}
	}
	// Link discovery adds what the sitemaps lack.
	if !seen[s.URL()+"/page/1?a=1&b=2"] {
		t.Error("the link-only URL was not discovered")
	}
	// /private/listed (sitemap) and /private/a, /private/b (links).
	if res.Skipped != 3 {
		t.Errorf("skipped %d, want 3", res.Skipped)
	}
	for _, path := range []string{"/robots.txt", "/sitemap_index.xml", "/sitemap-1.xml", "/sitemap-2.xml.gz", "/sitemap.xml"} {
		if n := s.Count(path); n != 1 {
			t.Errorf("%s requested %d times, want once", path, n)
		}
	}
	assertPoliteLog(t, s)
}

func TestMapSearchAndLimit(t *testing.T) {
	t.Parallel()
	s := sitetest.New(t, sitetest.Options{Pages: 120})
	p, _ := testProvider(t, loopbackOnly(), nil)

	res, err := p.Map(t.Context(), client.MapRequest{URL: s.URL(), Search: "PAGE/1", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range res.URLs {
		if !strings.Contains(u, "page/1") {
			t.Errorf("%s does not match the search", u)
		}
	}
	for _, want := range []string{s.PageURL(1), s.PageURL(10), s.PageURL(119)} {
		if !slices.Contains(res.URLs, want) {
			t.Errorf("search result lacks %s", want)
		}
	}

	res, err = p.Map(t.Context(), client.MapRequest{URL: s.URL(), Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.URLs) != 5 {
		t.Errorf("%d URLs with limit 5", len(res.URLs))
	}
	if res.URLs[0] != s.URL()+"/" {
		t.Errorf("the start URL is not first: %v", res.URLs)
	}
}

func TestMapOfDisallowedSiteFails(t *testing.T) {
	t.Parallel()
	s := sitetest.New(t, sitetest.Options{Pages: 5, RobotsStatus: 503})
	p, _ := testProvider(t, loopbackOnly(), nil)
	_, err := p.Map(t.Context(), client.MapRequest{URL: s.URL()})
	wantCode(t, err, client.CodeRobotsDisallowed)
	if got := s.Requests(); len(got) != 1 {
		t.Errorf("requests %v, want robots.txt only", got)
	}
}

func TestMapRefusesGuardedStart(t *testing.T) {
	t.Parallel()
	p, d := testProvider(t, Options{}, nil)
	_, err := p.Map(t.Context(), client.MapRequest{URL: "http://10.0.0.1/"})
	wantCode(t, err, client.CodeSSRFBlocked)
	if len(d.dialed()) != 0 {
		t.Errorf("dialed %q", d.dialed())
	}
}

func TestParseSitemap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		body            string
		pages, children []string
	}{
		{"urlset", `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> https://a/1 </loc><lastmod>2024</lastmod></url><url><loc>https://a/2</loc></url></urlset>`,
			[]string{"https://a/1", "https://a/2"}, nil},
		{"index", `<sitemapindex><sitemap><loc>https://a/s1.xml</loc></sitemap><sitemap><loc>https://a/s2.xml.gz</loc></sitemap></sitemapindex>`,
			nil, []string{"https://a/s1.xml", "https://a/s2.xml.gz"}},
		{"cut short keeps what came before", `<urlset><url><loc>https://a/1</loc></url><url><loc>https://a/2`, []string{"https://a/1"}, nil},
		{"plain text", "https://a/1\n\nnot a url\nhttp://a/2\r\n", []string{"https://a/1", "http://a/2"}, nil},
		{"image loc is not a page", `<urlset xmlns:image="x"><url><loc>https://a/1</loc><image:image><image:loc>https://a/i.png</image:loc></image:image></url></urlset>`,
			[]string{"https://a/1"}, nil},
		{"latin-1 declared", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><urlset><url><loc>https://a/caf\xe9</loc></url></urlset>", []string{"https://a/café"}, nil},
	}
	for _, tc := range tests {
		pages, children := parseSitemap([]byte(tc.body))
		if !slices.Equal(pages, tc.pages) || !slices.Equal(children, tc.children) {
			t.Errorf("%s: pages %q children %q, want %q %q", tc.name, pages, children, tc.pages, tc.children)
		}
	}
}

func TestPathPatterns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		match   []string
		miss    []string
	}{
		{"/blog/*", []string{"/blog/post", "/blog/2024/post"}, []string{"/blog", "/blogs/x", "/about"}},
		{"/blog", []string{"/blog", "/blog/x/y"}, []string{"/blogs", "/a/blog"}},
		{"/blog/", []string{"/blog/", "/blog/x"}, []string{"/blog"}},
		{"**/*.pdf", []string{"/a.pdf", "/x/y/z.pdf"}, []string{"/a.pdfx", "/a.html"}},
		{"*.pdf", []string{"/a.pdf", "/x/y/z.pdf"}, []string{"/a.html"}},
		{"/docs/v?/*", []string{"/docs/v1/intro", "/docs/v2/a/b"}, []string{"/docs/v10/intro", "/docs/v/intro"}},
		{"/a/**/z", []string{"/a/z", "/a/b/c/z", "/a/b/z/more"}, []string{"/b/z"}},
		{"/c++/(x)", []string{"/c++/(x)"}, []string{"/cc/x"}},
		// Paths are matched decoded; patterns may be written either way.
		{"/café/*", []string{"/café/menu", "/café/a/b"}, []string{"/cafe/menu", "/caf/menu"}},
		{"/caf%C3%A9/*", []string{"/café/menu"}, []string{"/cafe/menu"}},
		{"/caf?/*", []string{"/café/menu", "/cafe/menu"}, []string{"/caf/menu"}},
		{"/日本/**/*.html", []string{"/日本/a/b.html", "/日本/b.html"}, []string{"/日本語/b.html"}},
		{"/100%/*", []string{"/100%/x"}, nil}, // not valid escaping: kept as written
	}
	for _, tc := range tests {
		ps, err := compilePatterns("include_paths", []string{tc.pattern})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range tc.match {
			if !matchesAny(p, ps) {
				t.Errorf("%q does not match %q", tc.pattern, p)
			}
		}
		for _, p := range tc.miss {
			if matchesAny(p, ps) {
				t.Errorf("%q matches %q", tc.pattern, p)
			}
		}
	}
}

func TestSiteScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		start      string
		subdomains bool
		in, out    []string
	}{
		{"https://www.example.co.uk/", false, []string{"http://WWW.example.co.uk:8080/x"}, []string{"https://example.co.uk/", "https://docs.example.co.uk/"}},
		{"https://www.example.co.uk/", true, []string{"https://example.co.uk/", "https://a.b.example.co.uk/"}, []string{"https://other.co.uk/", "https://example.com/"}},
		{"http://127.0.0.1:9/", true, []string{"http://127.0.0.1:10/"}, []string{"http://0.0.1/", "http://x.0.1/"}},
		{"http://localhost/", true, []string{"http://localhost:1/"}, []string{"http://a.localhost.example/"}},
	}
	for _, tc := range tests {
		su, _ := parseTarget(tc.start)
		sc := newScope(su, tc.subdomains)
		for _, s := range tc.in {
			u, _ := parseTarget(s)
			if !sc.contains(u) {
				t.Errorf("scope of %s (subdomains %v) excludes %s", tc.start, tc.subdomains, s)
			}
		}
		for _, s := range tc.out {
			u, _ := parseTarget(s)
			if sc.contains(u) {
				t.Errorf("scope of %s (subdomains %v) includes %s", tc.start, tc.subdomains, s)
			}
		}
	}
}

// A start URL that redirects to another host (example.com to
// www.example.com) makes that host part of the site.
func TestMapAndCrawlFollowTheStartRedirect(t *testing.T) {
	t.Parallel()
	s := sitetest.New(t, sitetest.Options{Pages: 30})
	front := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, s.URL()+r.URL.Path, http.StatusMovedPermanently)
	}))
	p, _ := testProvider(t, Options{AllowHosts: []string{"site.test", "127.0.0.1"}}, map[string]string{"site.test": "127.0.0.1"})
	start := "http://site.test:" + front.port() + "/"

	res, err := p.Map(t.Context(), client.MapRequest{URL: start, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i := range s.Pages() {
		if !slices.Contains(res.URLs, s.PageURL(i)) {
			t.Errorf("map lacks %s", s.PageURL(i))
		}
	}
	if s.Count("/sitemap_index.xml") != 1 {
		t.Error("the redirect target's sitemaps were not read")
	}

	job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: start, MaxPages: 10, MaxDepth: 2})
	if err != nil {
		t.Fatal(err)
	}
	if final := finish(t, p, job); len(final.Pages) != 10 {
		t.Errorf("crawl through the redirect fetched %d pages, want 10", len(final.Pages))
	}
}
