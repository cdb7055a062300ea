package local

import (
	"context"
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The simple renderings here stand in for readability and html-to-markdown
// when a page is beyond their budget (see extractBudget): they make one
// pass, hold no copy of the tree, and their cost grows with the page and
// nothing else. The text keeps paragraphs, headings and list items and
// drops everything else that Markdown would mark up.

// textWriter builds plain text with Markdown-ish block structure:
// paragraphs separated by blank lines, "#" headings, "- " list items.
type textWriter struct {
	b       strings.Builder
	letters int  // letters and digits written, as textLen counts them
	space   bool // a space is owed before the next word
	breaks  int  // newlines owed before the next word (0, 1 or 2)
	prefix  string
}

// blockAtoms start and end a block: text on either side of them does not
// run together.
var blockAtoms = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true, atom.Br: true,
	atom.Dd: true, atom.Details: true, atom.Div: true, atom.Dl: true, atom.Dt: true, atom.Fieldset: true,
	atom.Figcaption: true, atom.Figure: true, atom.Footer: true, atom.Form: true, atom.H1: true, atom.H2: true,
	atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Header: true, atom.Hr: true, atom.Li: true,
	atom.Main: true, atom.Nav: true, atom.Ol: true, atom.P: true, atom.Pre: true, atom.Section: true,
	atom.Summary: true, atom.Table: true, atom.Td: true, atom.Th: true, atom.Tr: true, atom.Ul: true,
}

func headingLevel(a atom.Atom) int {
	switch a {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

// open is called at an element's start tag.
func (w *textWriter) open(a atom.Atom) {
	switch {
	case headingLevel(a) > 0:
		w.brk(2)
		w.prefix = strings.Repeat("#", headingLevel(a)) + " "
	case a == atom.Li:
		w.brk(1)
		w.prefix = "- "
	case a == atom.Br || a == atom.Tr || a == atom.Dt || a == atom.Dd:
		w.brk(1)
	case a == atom.Td || a == atom.Th:
		w.space = true
	case blockAtoms[a]:
		w.brk(2)
	}
}

// close is called at an element's end tag.
func (w *textWriter) close(a atom.Atom) {
	switch {
	case headingLevel(a) > 0:
		w.brk(2)
	case a == atom.Li || a == atom.Tr:
		w.brk(1)
	case a == atom.Td || a == atom.Th:
		w.space = true
	case blockAtoms[a] && a != atom.Br:
		w.brk(2)
	}
}

func (w *textWriter) brk(n int) {
	if w.b.Len() > 0 {
		w.breaks = max(w.breaks, n)
	}
	w.prefix = ""
}

// text adds a text node's content, with HTML's whitespace collapsing.
func (w *textWriter) text(s string) {
	if s == "" {
		return
	}
	if isSpace(s[0]) {
		w.space = true
	}
	for f := range strings.FieldsSeq(s) {
		switch {
		case w.breaks > 0:
			w.b.WriteString("\n\n"[:w.breaks])
		case w.space && w.b.Len() > 0:
			w.b.WriteByte(' ')
		}
		if w.breaks > 0 || w.b.Len() == 0 {
			w.b.WriteString(w.prefix)
			w.prefix = ""
		}
		w.breaks, w.space = 0, true
		w.b.WriteString(f)
		w.letters += letters(f)
	}
	w.space = isSpace(s[len(s)-1])
}

func (w *textWriter) String() string { return w.b.String() }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// renderTreeText writes the text under n, leaving out what cleanCopy
// leaves out, without copying the tree.
func renderTreeText(ctx context.Context, n *html.Node, chrome bool) (*textWriter, error) {
	w := &textWriter{}
	steps := 0
	var walk func(*html.Node) error
	walk = func(n *html.Node) error {
		if steps++; steps%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		switch n.Type {
		case html.TextNode:
			w.text(n.Data)
			return nil
		case html.CommentNode:
			return nil
		case html.ElementNode:
			// <head> holds no content: its title is the page's title, not text.
			if n.DataAtom == atom.Head || containsAtom(dropAlways, n.DataAtom) || (chrome && containsAtom(dropChrome, n.DataAtom)) {
				return nil
			}
			w.open(n.DataAtom)
			defer w.close(n.DataAtom)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if err := walk(ch); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(n); err != nil {
		return nil, err
	}
	return w, nil
}

// tokenPage is what tokenExtract reads from a page without building a tree.
type tokenPage struct {
	meta  pageMeta
	links []string
	more  bool // links were left out past maxPageLinks
	text  *textWriter
	html  string
}

// tokenExtract reads src with html.Tokenizer alone: it builds no tree, so
// no nesting depth or element count can make it fail or grow beyond the
// size of its output. It is the rendering of last resort, for pages
// html.Parse refuses (nested deeper than 512 elements) and pages with
// more elements than the tree budget. chrome drops navigation, footers
// and the like, as cleanCopy does; withHTML also re-serialises the kept
// tokens (no scripts, styles or comments).
func tokenExtract(ctx context.Context, src string, pageURL *url.URL, chrome, withHTML bool) (*tokenPage, error) {
	z := html.NewTokenizer(strings.NewReader(src))
	z.SetMaxBuf(1 << 20) // a single token (a giant attribute, say) may not hold more than this
	out := &tokenPage{meta: pageMeta{base: pageURL}, text: &textWriter{}}
	var (
		hb                       strings.Builder
		links                    linkSet
		hrefs                    []string // raw, resolved once <base> is known
		skip                     = map[atom.Atom]int{}
		skipping                 int
		inTitle, inH1            bool
		title, h1, canonical, rf strings.Builder
		baseSeen                 bool
	)
	for steps := 0; ; steps++ {
		if steps%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		tt := z.Next()
		if tt == html.ErrorToken {
			if err := z.Err(); err != io.EOF && err != nil && err != html.ErrBufferExceeded {
				return nil, err
			}
			break
		}
		tok := z.Token()
		a := tok.DataAtom
		dropped := containsAtom(dropAlways, a) || (chrome && containsAtom(dropChrome, a))
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			switch a {
			case atom.Title:
				inTitle = tt == html.StartTagToken
			case atom.H1:
				inH1 = tt == html.StartTagToken && h1.Len() == 0
			case atom.Base:
				if href := tokAttr(tok, "href"); href != "" && !baseSeen {
					baseSeen = true
					if b, err := pageURL.Parse(strings.TrimSpace(href)); err == nil && (b.Scheme == "http" || b.Scheme == "https") {
						out.meta.base = b
					}
				}
			case atom.Meta:
				content := strings.TrimSpace(tokAttr(tok, "content"))
				switch {
				case strings.EqualFold(tokAttr(tok, "name"), "description") && out.meta.description == "":
					out.meta.description = collapse(content)
				case strings.EqualFold(tokAttr(tok, "http-equiv"), "refresh") && rf.Len() == 0:
					rf.WriteString(refreshTarget(content))
				}
			case atom.Link:
				if canonical.Len() == 0 && hasToken(tokAttr(tok, "rel"), "canonical") {
					canonical.WriteString(strings.TrimSpace(tokAttr(tok, "href")))
				}
			case atom.A, atom.Area:
				if href := strings.TrimSpace(tokAttr(tok, "href")); href != "" && !strings.HasPrefix(href, "#") && len(hrefs) < maxPageLinks*2 {
					hrefs = append(hrefs, href)
				}
			}
			if dropped {
				if tt == html.StartTagToken && !isVoid(a) {
					skip[a]++
					skipping++
				}
				continue
			}
			if skipping == 0 {
				out.text.open(a)
				if tt == html.SelfClosingTagToken || isVoid(a) {
					out.text.close(a)
				}
				if withHTML {
					absolutizeToken(&tok, out.meta.base)
					hb.WriteString(tok.String())
				}
			}
		case html.EndTagToken:
			switch a {
			case atom.Title:
				inTitle = false
			case atom.H1:
				inH1 = false
			}
			if dropped {
				if skip[a] > 0 {
					skip[a]--
					skipping--
				}
				continue
			}
			if skipping == 0 {
				out.text.close(a)
				if withHTML {
					hb.WriteString(tok.String())
				}
			}
		case html.TextToken:
			switch {
			case inTitle:
				title.WriteString(tok.Data)
				continue
			case inH1 && h1.Len() < 1024:
				h1.WriteString(tok.Data)
			}
			if skipping == 0 {
				out.text.text(tok.Data)
				if withHTML {
					hb.WriteString(tok.String())
				}
			}
		}
	}
	out.meta.title = collapse(title.String())
	if out.meta.title == "" {
		out.meta.title = collapse(h1.String())
	}
	out.meta.canonical = absoluteHTTP(out.meta.base, canonical.String())
	out.meta.refresh = absoluteHTTP(out.meta.base, rf.String())
	for _, h := range hrefs {
		links.add(absoluteHTTP(out.meta.base, h))
	}
	out.links, out.more = links.list, links.more
	out.html = hb.String()
	return out, nil
}

func tokAttr(t html.Token, key string) string {
	for _, a := range t.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// absolutizeToken does for a token what absolutize does for a node.
func absolutizeToken(t *html.Token, base *url.URL) {
	n := html.Node{Type: html.ElementNode, DataAtom: t.DataAtom, Data: t.Data, Attr: t.Attr}
	absolutize(&n, base)
}

// isVoid: elements that never have content or an end tag.
func isVoid(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}
