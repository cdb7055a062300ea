package local

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"net/url"
	"strings"

	"golang.org/x/net/html/charset"
)

// Sitemaps (sitemaps.org): <urlset> lists pages, <sitemapindex> lists more
// sitemaps, either may be gzipped, and a plain-text sitemap is one URL per
// line. Reading is bounded in files, nesting and bytes, since a sitemap
// index can point at thousands of files.

const (
	maxSitemapFiles = 50
	maxSitemapDepth = 3 // index → sitemap → (a nested index's) sitemap
)

type sitemapRef struct {
	u      *url.URL
	listed bool // named by robots.txt or a sitemap index: fetched even where robots.txt disallows
}

// readSitemaps fetches the sitemaps breadth-first and hands each page URL
// to emit, in document order, until emit returns false or the bounds are
// reached. Files that cannot be fetched or parsed are passed over.
func (p *Provider) readSitemaps(ctx context.Context, roots []sitemapRef, emit func(loc string) bool) {
	seen := map[string]bool{}
	level := roots
	files := 0
	for depth := 0; depth < maxSitemapDepth && len(level) > 0; depth++ {
		var next []sitemapRef
		for _, ref := range level {
			key := ref.u.String()
			if seen[key] || files >= maxSitemapFiles || ctx.Err() != nil {
				continue
			}
			seen[key] = true
			files++
			body, ok := p.fetchSitemap(ctx, ref)
			if !ok {
				continue
			}
			pages, children := parseSitemap(body)
			for _, loc := range pages {
				if !emit(loc) {
					return
				}
			}
			for _, c := range children {
				if cu, err := ref.u.Parse(c); err == nil && (cu.Scheme == "http" || cu.Scheme == "https") {
					next = append(next, sitemapRef{u: cu, listed: true})
				}
			}
		}
		level = next
	}
}

func (p *Provider) fetchSitemap(ctx context.Context, ref sitemapRef) ([]byte, bool) {
	if ref.listed {
		ctx = withoutRobots(ctx)
	} else if err := p.allowedByRobots(ctx, ref.u); err != nil {
		return nil, false
	}
	doc, err := p.fetchSmall(ctx, ref.u, "application/xml, text/xml;q=0.9, */*;q=0.5", p.opts.MaxBodyBytes)
	if err != nil || doc.status < 200 || doc.status > 299 {
		p.log.Debug("sitemap not read", "url", ref.u.Redacted(), "error", err)
		return nil, false
	}
	body := doc.body
	if bytes.HasPrefix(body, []byte{0x1f, 0x8b}) { // a .xml.gz served as it is
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, false
		}
		body, _, err = readCapped(zr, p.opts.MaxBodyBytes)
		if err != nil && len(body) == 0 {
			return nil, false
		}
	}
	return body, true
}

// parseSitemap returns the page URLs and child sitemap URLs in body. A cut
// or broken file yields what was read before the break.
func parseSitemap(body []byte) (pages, children []string) {
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if !bytes.HasPrefix(trimmed, []byte("<")) {
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "http://") || strings.HasPrefix(line, "https://") {
				pages = append(pages, line)
			}
		}
		return pages, nil
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.CharsetReader = charset.NewReaderLabel
	var stack []string
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil { // io.EOF, or the first syntax error of a broken file
			return pages, children
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, strings.ToLower(t.Name.Local))
			text.Reset()
		case xml.CharData:
			if len(stack) > 0 && stack[len(stack)-1] == "loc" {
				text.Write(t)
			}
		case xml.EndElement:
			if len(stack) >= 2 && stack[len(stack)-1] == "loc" {
				loc := strings.TrimSpace(text.String())
				switch stack[len(stack)-2] {
				case "url":
					pages = append(pages, loc)
				case "sitemap":
					children = append(children, loc)
				}
			}
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
}
