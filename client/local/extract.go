package local

import (
	"bytes"
	"context"
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
	c := converter.NewConverter(converter.WithPlugins(
		base.NewBasePlugin(),
		// No "<!--THE END-->" between adjacent lists: in Markdown read as
		// text the lists read apart without it.
		commonmark.NewCommonmarkPlugin(commonmark.WithHeadingStyle(commonmark.HeadingStyleATX), commonmark.WithListEndComment(false)),
		table.NewTablePlugin(table.WithSkipEmptyRows(true)),
		strikethrough.NewStrikethroughPlugin(),
	))
	registerPlainText(c)
	// The converter has no cancellation of its own. This renderer runs
	// before every other one on every node and, once the call's context
	// has ended, claims the node and writes nothing, so the rest of the
	// tree is skipped instead of converted for nobody.
	c.Register.Renderer(func(ctx converter.Context, _ converter.Writer, _ *html.Node) converter.RenderStatus {
		if ctx.Err() != nil {
			return converter.RenderSuccess
		}
		return converter.RenderTryNext
	}, 1)
	return c
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
	warnings                      []string // how the rendering fell short of the usual one
	simplified                    bool     // a budget or the page's nesting forced a simpler rendering
}

// extractHTML reads a decoded HTML page. With onlyMain the content is
// readability's article, or, when readability finds less than minMainText,
// the page without its navigation, footer, sidebars and forms. Without
// onlyMain it is the whole page minus scripts and styles: the caller asked
// for everything, navigation included. Links always come from the whole
// page.
//
// Broken HTML is parsed the way browsers parse it, and a library that
// panics on hostile input degrades to a simpler rendering instead of
// taking the server down. The work is bounded by p.budget (see
// extractBudget): a page beyond it gets a simpler rendering and a warning
// saying so. It runs while holding a slot of p.extractSlots, so only so
// many pages are in memory as trees at once, and it gives up with ctx's
// error when ctx ends, between phases and inside the long ones.
func (p *Provider) extractHTML(ctx context.Context, src string, pageURL *url.URL, o extractOpts) (extracted, error) {
	if err := p.acquireExtract(ctx); err != nil {
		return extracted{}, err
	}
	defer p.releaseExtract()

	// An element takes at least three bytes ("<p>"), so only a long page
	// can be over the tree budget, and only a long page is worth counting.
	if len(src) > 3*p.budget.treeElements {
		if n, err := countElements(ctx, src, p.budget.treeElements); err != nil {
			return extracted{}, err
		} else if n > p.budget.treeElements {
			return p.extractTokens(ctx, src, pageURL, o, fmt.Sprintf(
				"the page has more than %d elements, more than the local extractor builds a document tree for; "+
					"it was read as a token stream and is returned as plain text (headings, paragraphs and lists kept, other formatting lost)",
				p.budget.treeElements))
		}
	}
	doc, err := html.Parse(&ctxReader{ctx: ctx, r: strings.NewReader(src)})
	if err != nil {
		if ctx.Err() != nil {
			return extracted{}, ctx.Err()
		}
		// html.Parse gives up on elements nested deeper than 512 (and on
		// nothing else, for a string): a tree is out of reach, the text
		// is not.
		return p.extractTokens(ctx, src, pageURL, o, fmt.Sprintf(
			"the page could not be parsed as a document (%s); its text was read from the token stream and is returned as plain text "+
				"(headings, paragraphs and lists kept, other formatting lost)", strings.TrimPrefix(err.Error(), "html: ")))
	}
	m := readMeta(doc, pageURL)
	out := extracted{title: m.title, description: m.description, canonical: m.canonical, refresh: m.refresh}
	var more bool
	out.links, more = collectLinks(doc, m.base)
	if more {
		out.warnings = append(out.warnings, fmt.Sprintf("the page has more than %d links; only the first %d are listed", maxPageLinks, maxPageLinks))
	}
	if !o.markdown && !o.html { // links and metadata only, as map and the links format need
		return out, nil
	}
	elements := countTreeElements(doc)
	if o.markdown && !o.html && elements > p.budget.markdownElements {
		// Past the converter's budget: text straight from the tree, which
		// copies nothing. readability is skipped too; it costs more still.
		w, err := renderTreeText(ctx, doc, o.onlyMain)
		if err != nil {
			return extracted{}, err
		}
		out.markdown, out.text, out.simplified = strings.TrimSpace(w.String()), w.letters, true
		out.warnings = append(out.warnings, fmt.Sprintf(
			"the page has %d elements, more than the %d the Markdown converter is given; it is returned as plain text "+
				"(headings, paragraphs and lists kept, other formatting lost)%s", elements, p.budget.markdownElements, chromeNote(o.onlyMain)))
		return out, nil
	}
	p.safely("marking code and boilerplate", m.base, func() {
		markCodeLanguages(doc, p.budget.markdownElements)
		if o.onlyMain {
			markBoilerplate(doc, p.budget.markdownElements)
		}
	})
	var content *html.Node
	fromReadability := false
	if o.onlyMain {
		page := cleanCopy(doc, m.base, true)
		full := textLen(page)
		if elements > p.budget.mainElements {
			out.warnings = append(out.warnings, fmt.Sprintf(
				"the page has %d elements, more than the %d main-content detection is run on; the whole page minus navigation, footers and sidebars is returned",
				elements, p.budget.mainElements))
		} else if art, ok := p.readable(doc, m.base); ok {
			if n := textLen(art.Node); n >= minMainText || full == 0 {
				content, fromReadability = art.Node, true
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
	if err := ctx.Err(); err != nil {
		return extracted{}, err
	}
	p.safely("tidying the content", m.base, func() {
		applyCodeLanguages(content)
		if o.onlyMain {
			pruneBoilerplate(content, p.budget.markdownElements)
			out.title = settleHeadline(content, m.h1s, out.title, fromReadability)
		}
	})
	out.text = textLen(content)
	if o.html {
		var b bytes.Buffer
		if err := html.Render(&b, content); err == nil {
			out.html = b.String()
		}
	}
	if o.markdown {
		if elements > p.budget.markdownElements {
			w, err := renderTreeText(ctx, content, false)
			if err != nil {
				return extracted{}, err
			}
			out.markdown, out.simplified = strings.TrimSpace(w.String()), true
			out.warnings = append(out.warnings, fmt.Sprintf(
				"the page has %d elements, more than the %d the Markdown converter is given; the markdown is plain text "+
					"(headings, paragraphs and lists kept, other formatting lost)", elements, p.budget.markdownElements))
		} else {
			out.markdown = p.toMarkdown(ctx, content, m.base)
		}
	}
	if err := ctx.Err(); err != nil {
		return extracted{}, err
	}
	return out, nil
}

func chromeNote(onlyMain bool) string {
	if onlyMain {
		return "; main-content detection was skipped, navigation, footers and sidebars are left out"
	}
	return ""
}

// extractTokens is extractHTML's fallback when no tree is built.
func (p *Provider) extractTokens(ctx context.Context, src string, pageURL *url.URL, o extractOpts, why string) (extracted, error) {
	tp, err := tokenExtract(ctx, src, pageURL, o.onlyMain, o.html)
	if err != nil {
		return extracted{}, err
	}
	out := extracted{
		title: tp.meta.title, description: tp.meta.description, canonical: tp.meta.canonical, refresh: tp.meta.refresh,
		links: tp.links, text: tp.text.letters, simplified: true,
	}
	if tp.more {
		out.warnings = append(out.warnings, fmt.Sprintf("the page has more than %d links; only the first %d are listed", maxPageLinks, maxPageLinks))
	}
	if !o.markdown && !o.html {
		return out, nil
	}
	out.warnings = append(out.warnings, why)
	if o.markdown {
		out.markdown = strings.TrimSpace(tp.text.String())
	}
	if o.html {
		out.html = tp.html
	}
	return out, nil
}

// safely runs one of the passes around readability. Should a page make it
// panic, the tree stays as far as the pass got (a valid tree: the passes
// only detach nodes and set attributes) and the page is still converted.
func (p *Provider) safely(what string, base *url.URL, pass func()) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Debug(what+" panicked; continuing without it", "url", base.Redacted(), "panic", fmt.Sprint(r))
		}
	}()
	pass()
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

func (p *Provider) toMarkdown(ctx context.Context, n *html.Node, base *url.URL) (md string) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Debug("markdown conversion panicked; returning plain text", "url", base.Redacted(), "panic", fmt.Sprint(r))
			md = plainText(n)
		}
	}()
	out, err := p.md.ConvertNode(n, converter.WithDomain(base.String()), converter.WithContext(ctx))
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
