package local

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// minMainText is the least text, in letters, readability must find for its
// result to stand in for the page. Below it, readability has usually picked
// a caption or a cookie banner, and the whole page (minus navigation) says
// more.
const minMainText = 100

func newMarkdownConverter() *converter.Converter {
	return converter.NewConverter(converter.WithPlugins(
		base.NewBasePlugin(),
		commonmark.NewCommonmarkPlugin(commonmark.WithHeadingStyle(commonmark.HeadingStyleATX)),
		table.NewTablePlugin(table.WithSkipEmptyRows(true)),
		strikethrough.NewStrikethroughPlugin(),
	))
}

type extractOpts struct {
	onlyMain bool // readability's main content instead of the whole page
	markdown bool
	html     bool
}

// extracted is what an HTML page yields.
type extracted struct {
	title, description, canonical string
	markdown, html                string
	links                         []string // absolute http(s), no fragment, de-duplicated
	refresh                       string   // meta refresh target, absolute
	text                          int      // letters in the converted content
}

// extractHTML reads a decoded HTML page. With onlyMain the content is
// readability's article, or, when readability finds less than minMainText,
// the page without its navigation, footer, sidebars and forms. Without
// onlyMain it is the whole page minus scripts and styles: the caller asked
// for everything, navigation included. Links always come from the whole
// page.
//
// It never fails: broken HTML is parsed the way browsers parse it, and a
// library that panics on hostile input degrades to a simpler rendering
// instead of taking the server down.
func (p *Provider) extractHTML(src string, pageURL *url.URL, o extractOpts) extracted {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil { // only reader errors; a string reader has none
		return extracted{}
	}
	m := readMeta(doc, pageURL)
	out := extracted{
		title: m.title, description: m.description, canonical: m.canonical, refresh: m.refresh,
		links: collectLinks(doc, m.base),
	}
	if !o.markdown && !o.html { // links and metadata only, as map and the links format need
		return out
	}
	var content *html.Node
	if o.onlyMain {
		page := cleanCopy(doc, m.base, true)
		full := textLen(page)
		if art, ok := p.readable(doc, m.base); ok {
			if n := textLen(art.Node); n >= minMainText || full == 0 {
				content = art.Node
				if t := strings.TrimSpace(art.Title()); t != "" {
					out.title = t
				}
			}
		}
		if content == nil {
			content = page
		}
	} else {
		content = cleanCopy(doc, m.base, false)
	}
	out.text = textLen(content)
	if o.html {
		var b bytes.Buffer
		if err := html.Render(&b, content); err == nil {
			out.html = b.String()
		}
	}
	if o.markdown {
		out.markdown = p.toMarkdown(content, m.base)
	}
	return out
}

// readable runs readability on a copy of doc.
func (p *Provider) readable(doc *html.Node, base *url.URL) (art readability.Article, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Debug("readability panicked; using the whole page", "url", base.Redacted(), "panic", fmt.Sprint(r))
			ok = false
		}
	}()
	parser := readability.NewParser() // its own logger stays silent: it logs routine pages at error level
	art, err := parser.ParseDocument(doc, base)
	if err != nil || art.Node == nil {
		return art, false
	}
	return art, true
}

func (p *Provider) toMarkdown(n *html.Node, base *url.URL) (md string) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Debug("markdown conversion panicked; returning plain text", "url", base.Redacted(), "panic", fmt.Sprint(r))
			md = plainText(n)
		}
	}()
	out, err := p.md.ConvertNode(n, converter.WithDomain(base.String()))
	if err != nil {
		return plainText(n)
	}
	return strings.TrimSpace(string(out))
}

// dropAlways never carries page content. dropChrome is the page furniture
// left out when standing in for main content.
var (
	dropAlways = []atom.Atom{atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe, atom.Object, atom.Embed}
	dropChrome = []atom.Atom{atom.Nav, atom.Footer, atom.Aside, atom.Form, atom.Dialog}
)

// cleanCopy returns a copy of doc without scripts, styles and comments,
// and, when chrome is set, without navigation, footers, sidebars and forms.
// Links and image sources are made absolute, as readability's output is, so
// the HTML reads the same wherever it is shown.
func cleanCopy(doc *html.Node, base *url.URL, chrome bool) *html.Node {
	c := cloneNode(doc)
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			absolutize(n, base)
		}
		for ch := n.FirstChild; ch != nil; {
			next := ch.NextSibling
			drop := ch.Type == html.CommentNode
			if ch.Type == html.ElementNode {
				drop = containsAtom(dropAlways, ch.DataAtom) || (chrome && containsAtom(dropChrome, ch.DataAtom))
			}
			if drop {
				n.RemoveChild(ch)
			} else {
				walk(ch)
			}
			ch = next
		}
	}
	walk(c)
	return c
}

// urlAttrs are the attributes holding a URL that a reader may follow.
var urlAttrs = map[atom.Atom]string{atom.A: "href", atom.Area: "href", atom.Img: "src", atom.Source: "src", atom.Video: "src", atom.Audio: "src"}

func absolutize(n *html.Node, base *url.URL) {
	key, ok := urlAttrs[n.DataAtom]
	if !ok {
		return
	}
	for i, a := range n.Attr {
		if a.Namespace != "" || !strings.EqualFold(a.Key, key) {
			continue
		}
		v := strings.TrimSpace(a.Val)
		if v == "" || strings.HasPrefix(v, "#") {
			continue
		}
		if u, err := base.Parse(v); err == nil && u.Scheme != "javascript" {
			n.Attr[i].Val = u.String()
		}
	}
}

func containsAtom(list []atom.Atom, a atom.Atom) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

func cloneNode(n *html.Node) *html.Node {
	c := &html.Node{Type: n.Type, DataAtom: n.DataAtom, Data: n.Data, Namespace: n.Namespace}
	c.Attr = append([]html.Attribute(nil), n.Attr...)
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.AppendChild(cloneNode(ch))
	}
	return c
}

// textLen counts the letters and digits under n, skipping scripts and styles.
func textLen(n *html.Node) int {
	if n == nil {
		return 0
	}
	total := 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			for _, r := range n.Data {
				if unicode.IsLetter(r) || unicode.IsDigit(r) {
					total++
				}
			}
		case html.ElementNode:
			if n.DataAtom == atom.Script || n.DataAtom == atom.Style {
				return
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return total
}

func plainText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}
