package local

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pageMeta is what a page says about itself in <head>.
type pageMeta struct {
	title, description, canonical string
	refresh                       string   // meta refresh target, absolute
	base                          *url.URL // for resolving links: <base href> or the page's URL
	h1s                           []string // the texts of the first few <h1>, in page order
}

// maxH1s bounds the <h1> texts readMeta keeps (a page may hold thousands).
const maxH1s = 8

func readMeta(doc *html.Node, pageURL *url.URL) pageMeta {
	m := pageMeta{base: pageURL}
	var ogTitle, ogDesc, firstH1 string
	var canonical, refresh string
	baseSeen := false
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.Title:
			if m.title == "" && n.Namespace == "" {
				m.title = collapse(plainText(n))
			}
		case atom.H1:
			if len(m.h1s) < maxH1s {
				if t := collapse(plainText(n)); t != "" {
					m.h1s = append(m.h1s, t)
				}
			}
			if firstH1 == "" {
				firstH1 = collapse(plainText(n))
			}
		case atom.Base:
			if href := attr(n, "href"); href != "" && !baseSeen {
				baseSeen = true
				if b, err := pageURL.Parse(strings.TrimSpace(href)); err == nil && (b.Scheme == "http" || b.Scheme == "https") {
					m.base = b
				}
			}
		case atom.Meta:
			name := strings.ToLower(attr(n, "name"))
			prop := strings.ToLower(attr(n, "property"))
			content := strings.TrimSpace(attr(n, "content"))
			switch {
			case name == "description" && m.description == "":
				m.description = collapse(content)
			case prop == "og:description" && ogDesc == "":
				ogDesc = collapse(content)
			case prop == "og:title" && ogTitle == "":
				ogTitle = collapse(content)
			case strings.EqualFold(attr(n, "http-equiv"), "refresh") && refresh == "":
				refresh = refreshTarget(content)
			}
		case atom.Link:
			if canonical == "" && hasToken(attr(n, "rel"), "canonical") {
				canonical = strings.TrimSpace(attr(n, "href"))
			}
		}
	}
	if m.description == "" {
		m.description = ogDesc
	}
	if m.title == "" {
		m.title = ogTitle
	}
	if m.title == "" {
		m.title = firstH1
	}
	m.canonical = absoluteHTTP(m.base, canonical)
	m.refresh = absoluteHTTP(m.base, refresh)
	return m
}

// refreshTarget reads `5; url=/next` (quotes and spacing vary).
func refreshTarget(content string) string {
	_, rest, ok := strings.Cut(content, ";")
	if !ok {
		_, rest, ok = strings.Cut(content, ",")
	}
	if !ok {
		return ""
	}
	rest = strings.TrimSpace(rest)
	if len(rest) >= 4 && strings.EqualFold(rest[:3], "url") {
		rest = strings.TrimSpace(rest[3:])
		rest = strings.TrimSpace(strings.TrimPrefix(rest, "="))
	}
	return strings.Trim(rest, `"' `)
}

// maxPageLinks bounds the links taken from one page. A 5 MiB page can hold
// a quarter of a million links; past this many they are more memory than
// information, for an agent and for a crawl's frontier alike.
const maxPageLinks = 10_000

// maxLinkLen is the longest link kept, in bytes (browsers and servers
// commonly stop at 8 KiB; real pages stay far below).
const maxLinkLen = 4096

// linkSet collects distinct links in order, up to maxPageLinks.
type linkSet struct {
	list []string
	seen map[string]bool
	more bool // a link was left out because the set was full
}

func (s *linkSet) add(link string) {
	// A URL longer than maxLinkLen is no page a server will serve, and as
	// a crawl's key it would cost its length in every map it enters.
	if link == "" || len(link) > maxLinkLen || s.seen[link] {
		return
	}
	if len(s.list) >= maxPageLinks {
		s.more = true
		return
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[link] = true
	s.list = append(s.list, link)
}

// collectLinks lists the <a href> and <area href> of the page as absolute
// http(s) URLs without fragments, in page order, once each, up to
// maxPageLinks; more says some were left out.
func collectLinks(doc *html.Node, base *url.URL) (links []string, more bool) {
	var set linkSet
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || (n.DataAtom != atom.A && n.DataAtom != atom.Area) {
			continue
		}
		href := strings.TrimSpace(attr(n, "href"))
		if href == "" || strings.HasPrefix(href, "#") {
			continue
		}
		set.add(absoluteHTTP(base, href))
		if set.more {
			break
		}
	}
	return set.list, set.more
}

// absoluteHTTP resolves ref against base and returns it without its
// fragment, or "" when it is not an http(s) URL.
func absoluteHTTP(base *url.URL, ref string) string {
	if ref == "" {
		return ""
	}
	u, err := base.Parse(ref)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hasToken(list, token string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, token) {
			return true
		}
	}
	return false
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
