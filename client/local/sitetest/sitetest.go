// Package sitetest serves a generated website on loopback for tests of the
// local fetcher's crawl and map, like net/http/httptest serves a handler.
//
// The site is a tree: the home page "/" links to pages 1…Fanout, page i
// links to its children i*Fanout+1 … i*Fanout+Fanout, and every page links
// back to its parent and to the home page, so the link graph has cycles.
// The home page also carries the traps a crawler must handle:
//
//   - the same page under several spellings: with a fragment, with its query
//     parameters in another order, with dot segments, as an absolute URL;
//   - links under /private/, which robots.txt disallows;
//   - links to private and metadata addresses (http://169.254.169.254/,
//     http://10.0.0.1/) and to Options.ExtraLinks.
//
// robots.txt disallows /private/, may set a Crawl-delay, and names the
// sitemap index /sitemap_index.xml, which lists /sitemap-1.xml (plain) and
// /sitemap-2.xml.gz (gzipped). Together they list every page, plus one
// /private/ URL and one off-site URL. /sitemap.xml does not exist.
//
// Every request is logged; tests assert on the log.
package sitetest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Options shape the generated site.
type Options struct {
	// Pages is the number of pages, the home page included (default 50).
	Pages int
	// Fanout is the number of child links on each page (default 8).
	Fanout int
	// CrawlDelay is robots.txt's Crawl-delay value, e.g. "0.001"; none when
	// empty.
	CrawlDelay string
	// RobotsStatus, when set, makes /robots.txt answer with this status and
	// an empty body instead of the generated rules.
	RobotsStatus int
	// ExtraLinks are absolute URLs the home page links to, e.g. another
	// test site.
	ExtraLinks []string
	// Gate, when set, holds every /page/ request until the channel is
	// closed or the client goes away. The home page is not held, so a
	// crawler gets as far as queueing the first level.
	Gate <-chan struct{}
}

// Request is one logged request.
type Request struct {
	Method    string
	Path      string
	RawQuery  string
	UserAgent string
}

// URI is the path with its query, as sent.
func (r Request) URI() string {
	if r.RawQuery == "" {
		return r.Path
	}
	return r.Path + "?" + r.RawQuery
}

// Site is a running generated website.
type Site struct {
	srv  *httptest.Server
	opts Options

	mu      sync.Mutex
	log     []Request
	changed chan struct{} // closed and replaced on every request
}

// New starts a site and stops it when the test ends.
func New(t testing.TB, opts Options) *Site {
	t.Helper()
	if opts.Pages <= 0 {
		opts.Pages = 50
	}
	if opts.Fanout <= 0 {
		opts.Fanout = 8
	}
	s := &Site{opts: opts, changed: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// URL is the site's base URL, "http://127.0.0.1:port", without a slash.
func (s *Site) URL() string { return s.srv.URL }

// Close stops the server, waiting for requests in flight.
func (s *Site) Close() { s.srv.Close() }

// Pages is the number of pages, the home page included.
func (s *Site) Pages() int { return s.opts.Pages }

// PagePath is page i's path: "/" for 0, "/page/i" otherwise.
func (s *Site) PagePath(i int) string {
	if i == 0 {
		return "/"
	}
	return "/page/" + strconv.Itoa(i)
}

// PageURL is page i's absolute URL.
func (s *Site) PageURL(i int) string { return s.srv.URL + s.PagePath(i) }

// Depth is the number of links between the home page and page i.
func (s *Site) Depth(i int) int {
	d := 0
	for i > 0 {
		i = (i - 1) / s.opts.Fanout
		d++
	}
	return d
}

// Requests returns the log so far.
func (s *Site) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// Count is the number of requests for path, whatever their query.
func (s *Site) Count(path string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

// WaitFor blocks until done reports true for the log, or ctx ends. It
// wakes on each request, so tests need no sleeps.
func (s *Site) WaitFor(ctx context.Context, done func([]Request) bool) error {
	for {
		s.mu.Lock()
		ok, ch := done(s.log), s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *Site) record(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, UserAgent: r.UserAgent()})
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	s.record(r)
	path := r.URL.Path
	switch {
	case path == "/robots.txt":
		s.robots(w)
	case path == "/sitemap_index.xml":
		writeXML(w, s.sitemapIndex())
	case path == "/sitemap-1.xml":
		writeXML(w, s.urlset(0, s.opts.Pages/2, false))
	case path == "/sitemap-2.xml.gz":
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s.urlset(s.opts.Pages/2, s.opts.Pages, true)))
		zw.Close()
		w.Header().Set("Content-Type", "application/gzip")
		w.Write(b.Bytes())
	case path == "/":
		s.page(w, 0)
	case strings.HasPrefix(path, "/page/"):
		if s.opts.Gate != nil {
			select {
			case <-s.opts.Gate:
			case <-r.Context().Done():
				return
			}
		}
		i, err := strconv.Atoi(strings.TrimPrefix(path, "/page/"))
		if err != nil || i < 1 || i >= s.opts.Pages {
			http.NotFound(w, r)
			return
		}
		s.page(w, i)
	case strings.HasPrefix(path, "/private/"):
		writeHTML(w, "Private", "<p>Crawlers must not read this.</p>")
	default:
		http.NotFound(w, r)
	}
}

func (s *Site) robots(w http.ResponseWriter) {
	if s.opts.RobotsStatus != 0 {
		w.WriteHeader(s.opts.RobotsStatus)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "User-agent: *\nDisallow: /private/\n")
	if s.opts.CrawlDelay != "" {
		fmt.Fprintf(w, "Crawl-delay: %s\n", s.opts.CrawlDelay)
	}
	fmt.Fprintf(w, "\nSitemap: %s/sitemap_index.xml\n", s.srv.URL)
}

func (s *Site) sitemapIndex() string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>` + s.srv.URL + `/sitemap-1.xml</loc></sitemap>
<sitemap><loc>` + s.srv.URL + `/sitemap-2.xml.gz</loc></sitemap>
</sitemapindex>`
}

func (s *Site) urlset(from, to int, extras bool) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for i := from; i < to; i++ {
		fmt.Fprintf(&b, "<url><loc>%s</loc></url>\n", s.PageURL(i))
	}
	if extras {
		fmt.Fprintf(&b, "<url><loc>%s/private/listed</loc></url>\n", s.srv.URL)
		b.WriteString("<url><loc>https://elsewhere.example/page</loc></url>\n")
	}
	b.WriteString("</urlset>\n")
	return b.String()
}

func (s *Site) page(w http.ResponseWriter, i int) {
	var b strings.Builder
	fmt.Fprintf(&b, "<article><h1>Page %d</h1>\n", i)
	fmt.Fprintf(&b, "<p>This is page number %d of the generated test site. It has enough words in its paragraphs for readability to treat them as the main content, which they are, and it links to the pages below it.</p>\n<ul>\n", i)
	for c := i*s.opts.Fanout + 1; c <= i*s.opts.Fanout+s.opts.Fanout && c < s.opts.Pages; c++ {
		fmt.Fprintf(&b, `<li><a href="%s">Child %d</a></li>`+"\n", s.PagePath(c), c)
	}
	b.WriteString("</ul></article>\n<nav>")
	if i > 0 {
		fmt.Fprintf(&b, `<a href="%s">Parent</a> <a href="/">Home</a> <a href="#top">Top</a>`, s.PagePath((i-1)/s.opts.Fanout))
	}
	if i == 0 {
		b.WriteString(s.traps())
	}
	b.WriteString("</nav>\n")
	writeHTML(w, fmt.Sprintf("Page %d", i), b.String())
}

// traps are the home page's extra links.
func (s *Site) traps() string {
	links := []string{
		"/#top", "/page/1#section", s.srv.URL + "/page/1",
		"/page/1?b=2&a=1", "/page/1?a=1&b=2",
		"/page/2/../3", "/./page/4",
		"/private/a", "/private/b",
		"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/",
	}
	links = append(links, s.opts.ExtraLinks...)
	var b strings.Builder
	for _, l := range links {
		fmt.Fprintf(&b, ` <a href="%s">%s</a>`, l, l)
	}
	return b.String()
}

func writeHTML(w http.ResponseWriter, title, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><html><head><title>%s</title></head><body>%s</body></html>", title, body)
}

func writeXML(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Write([]byte(body))
}
