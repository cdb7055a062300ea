package local

import (
	"iter"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Boilerplate pruning. readability finds the article; what it keeps
// around it, and what a reader skips, is measured on the extraction corpus
// (testdata/corpus, docs/extraction.md): share bars and newsletter boxes,
// related-post teasers, photo credits, logos, images whose alt text only
// repeats their caption. pruneBoilerplate removes those from the content
// node before it becomes Markdown. Every rule keeps a block that holds a
// large share of the article's text, so a misnamed wrapper never costs the
// article. The work is one walk of the page before readability (to read the
// class names readability strips) and one of the content after, both
// within the element budgets that already bound extraction.

// boilerAttr marks, before readability, an element whose class names
// page furniture; readability strips classes but keeps data-* attributes.
const boilerAttr = "data-scrapemcp-boiler"

// boilerWords are class-name words of page furniture. Class names are cut
// into words at spaces, "-" and "_", so "shared-memory" or "header" never
// match; "read-more" is the two words "read" "more", matched as a pair.
var boilerWords = map[string]bool{
	"share": true, "sharing": true, "sharebar": true, "social": true, "socials": true, "sharer": true, "sharedaddy": true,
	"newsletter": true, "subscribe": true, "subscription": true, "related": true, "relatedposts": true, "yarpp": true,
	"recommended": true, "recommendations": true, "promo": true, "sponsored": true, "breadcrumb": true, "breadcrumbs": true,
	"rating": true, "ratings": true, "postratings": true, "teaser": true, "teasers": true, "readmore": true,
	"paywall": true, "donate": true, "donation": true, "authorbox": true, "tags": true, "taglist": true,
	"printheader": true, "skiplink": true,
}

// boilerPairs are two-word class names ("read-more", "author_box").
var boilerPairs = map[string]bool{
	"read more": true, "more stories": true, "author box": true, "tag list": true, "print header": true, "print logo": true, "skip link": true,
}

func boilerClass(class string) bool {
	words := strings.FieldsFunc(strings.ToLower(class), func(r rune) bool { return r == '-' || r == '_' || unicode.IsSpace(r) })
	for i, w := range words {
		if boilerWords[w] || (i > 0 && boilerPairs[words[i-1]+" "+w]) {
			return true
		}
	}
	return false
}

// elements yields the element nodes below root in document order, at most
// limit of them: every pass over a hostile page stays within its budget.
func elements(root *html.Node, limit int) iter.Seq[*html.Node] {
	return func(yield func(*html.Node) bool) {
		seen := 0
		for n := range root.Descendants() {
			if n.Type != html.ElementNode {
				continue
			}
			if seen++; seen > limit || !yield(n) {
				return
			}
		}
	}
}

// markBoilerplate marks page furniture by class name, visiting at most
// limit elements.
func markBoilerplate(doc *html.Node, limit int) {
	for n := range elements(doc, limit) {
		if n.DataAtom == atom.Body || n.DataAtom == atom.Html || n.DataAtom == atom.Article || n.DataAtom == atom.Main {
			continue
		}
		// Class only: ids are often made from headings ("sharing-with-a-
		// developer" in a manual), classes name the widget.
		if class := attr(n, "class"); class != "" && boilerClass(class) {
			n.Attr = append(n.Attr, html.Attribute{Key: boilerAttr, Val: "1"})
		}
	}
}

// boilerHeadings are headings that open page furniture rather than a part
// of the article, in the languages of the corpus. Compared lower-case,
// without trailing punctuation.
var boilerHeadings = map[string]bool{
	"related": true, "related articles": true, "related posts": true, "related stories": true, "related content": true,
	"read more": true, "more from": true, "more stories": true, "more articles": true, "you may also like": true,
	"you might also like": true, "recommended": true, "recommended for you": true, "most popular": true, "popular posts": true,
	"latest": true, "latest news": true, "latest articles": true, "latest posts": true, "recent posts": true,
	"share": true, "share this": true, "share this article": true, "share this post": true, "share this story": true,
	"newsletter": true, "sign up for our newsletter": true, "subscribe": true, "subscribe to our newsletter": true,
	"leave a reply": true, "leave a comment": true, "trending": true, "top stories": true,
	"neueste artikel": true, "empfohlene beiträge": true, "weitere artikel": true, "ähnliche artikel": true, "ähnliche beiträge": true,
	"das könnte sie auch interessieren": true, "das könnte dich auch interessieren": true, "mehr zum thema": true,
	"verwandte artikel": true, "artikel teilen": true, "teilen": true, "möchten sie den artikel teilen": true,
	"war der artikel nützlich": true, "war dieser artikel hilfreich": true, "diesen artikel teilen": true, "beitrag teilen": true,
	"à lire aussi": true, "lire aussi": true, "sur le même sujet": true, "articles similaires": true, "partager": true, "partager cet article": true,
	"noticias relacionadas": true, "te puede interesar": true, "compartir": true, "lo más leído": true, "más noticias": true,
	"articoli correlati": true, "condividi": true, "leggi anche": true,
}

// creditLine matches a short block that only credits a photo.
var creditLine = regexp.MustCompile(`(?i)^\s*(?:©|\(c\)|copyright\b|credits?\s*:|photo\s*:|photos\s*:|image\s*:|bild\s*:|foto\s*:|fotos\s*:|quelle\s*:|source\s*:|crédit\s*:|crédits\s*:)`)

// pruneBoilerplate removes page furniture from an article's content node.
// It visits at most limit elements.
func pruneBoilerplate(content *html.Node, limit int) {
	total := textLen(content)
	if total == 0 {
		return
	}
	// A block holding more than this share of the article's letters is
	// never removed, whatever it looks like.
	keep := func(n *html.Node) bool { return 4*textLen(n) > total }
	var drop []*html.Node
	seen, tailChecks := 0, 0
	var walk func(n *html.Node) bool
	// walk returns false when the budget ran out.
	walk = func(n *html.Node) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if seen++; seen > limit {
				return false
			}
			if isBoilerplate(c) && !keep(c) && (!isList(c) || trailing(c, content, &tailChecks)) {
				drop = append(drop, c)
				continue
			}
			if !walk(c) {
				return false
			}
		}
		return true
	}
	walk(content)
	for _, n := range drop {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
	pruneHeadingSections(content, total)
	tidyImages(content)
}

func isBoilerplate(n *html.Node) bool {
	switch {
	case attr(n, boilerAttr) != "":
		return true
	case n.DataAtom == atom.A:
		return emptyLink(n) || shareLink(attr(n, "href"))
	case n.DataAtom == atom.Img:
		return junkImage(n)
	case n.DataAtom == atom.P || n.DataAtom == atom.Figcaption || n.DataAtom == atom.Span || n.DataAtom == atom.Small || n.DataAtom == atom.Div:
		// The first words decide; the whole text is read only then, so a
		// deep nest of divs costs one look each.
		if !creditLine.MatchString(firstText(n)) {
			return false
		}
		t := collapse(plainText(n))
		return len(t) < 120 && !hasElement(n, atom.Img)
	case n.DataAtom == atom.Ul || n.DataAtom == atom.Ol:
		return linkDense(n)
	}
	return false
}

func isList(n *html.Node) bool { return n.DataAtom == atom.Ul || n.DataAtom == atom.Ol }

// maxTailChecks bounds the trailing checks of one page: each may read the
// rest of the content.
const maxTailChecks = 64

// trailing reports whether little article text (under 200 letters) follows
// n inside content: a link list there is a teaser or a sidebar, while one
// in the middle (a post listing bug fixes) is the article.
func trailing(n, content *html.Node, checks *int) bool {
	if *checks++; *checks > maxTailChecks {
		return false
	}
	after := 0
	for x := n; x != nil && x != content; x = x.Parent {
		for s := x.NextSibling; s != nil; s = s.NextSibling {
			if after += textLen(s); after >= 200 {
				return false
			}
		}
	}
	return true
}

// emptyLink is an anchor with no text and no image worth keeping: an
// icon (share buttons, social profiles) whose Markdown would be "[](…)".
func emptyLink(n *html.Node) bool {
	if strings.TrimSpace(plainText(n)) != "" {
		return false
	}
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && c.DataAtom == atom.Img && !junkImage(c) {
			return false
		}
	}
	return true // nothing left once its junk images go
}

var shareHosts = []string{
	"facebook.com/sharer", "facebook.com/share.php", "twitter.com/intent", "twitter.com/share", "x.com/intent",
	"linkedin.com/share", "linkedin.com/cws/share", "plus.google.com/share", "pinterest.com/pin/create",
	"reddit.com/submit", "wa.me/", "api.whatsapp.com/send", "t.me/share", "telegram.me/share", "xing.com/spi/shares",
	"tumblr.com/share", "getpocket.com/save", "flipboard.com/bookmarklet",
}

func shareLink(href string) bool {
	h := strings.ToLower(strings.TrimSpace(href))
	if strings.HasPrefix(h, "whatsapp:") || (strings.HasPrefix(h, "mailto:") && strings.Contains(h, "subject=") && !strings.Contains(h, "@")) {
		return true
	}
	for _, s := range shareHosts {
		if strings.Contains(h, s) {
			return true
		}
	}
	return false
}

// linkDense is a list that is mostly links with short texts: a teaser
// list, a tag cloud, a menu that readability kept.
func linkDense(n *html.Node) bool {
	items, links := 0, 0
	all, linked := 0, 0
	for c := range n.Descendants() {
		switch {
		case c.Type == html.ElementNode && c.DataAtom == atom.Li:
			items++
		case c.Type == html.ElementNode && c.DataAtom == atom.A:
			href := attr(c, "href")
			if !strings.HasPrefix(href, "#") { // a table of contents is content
				links++
				linked += letters(plainText(c))
			}
		}
	}
	all = letters(plainText(n))
	return items >= 3 && links >= items && all > 0 && 10*linked >= 9*all && all/items < 80
}

// junkImage is an image a reader learns nothing from: inline data (lazy
// loading placeholders), a logo, a tracking pixel or spacer.
func junkImage(n *html.Node) bool {
	src := strings.ToLower(strings.TrimSpace(attr(n, "src")))
	if strings.HasPrefix(src, "data:") || src == "" {
		return true
	}
	if w, h := attr(n, "width"), attr(n, "height"); w == "1" || h == "1" || w == "0" || h == "0" {
		return true
	}
	name := src
	if u, err := url.Parse(src); err == nil {
		name = strings.ToLower(u.Path)
	}
	alt := strings.ToLower(attr(n, "alt"))
	for _, w := range []string{"spacer", "pixel", "blank.gif", "transparent.gif"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	if strings.Contains(name, "logo") || alt == "logo" || strings.HasSuffix(alt, " logo") || strings.HasPrefix(alt, "logo ") {
		// An article about a product or a project shows its logo as an
		// illustration (Wikipedia's Mozilla article, a review of
		// Wireshark); the site's own logo, a sponsor's, a publisher's
		// badge are furniture.
		return !articleLogo(n, name)
	}
	return false
}

// articleLogo reports whether a logo image is presented the way an
// article presents its pictures: it opens a larger copy of itself or its
// file page (Wikipedia's "File:…", WordPress's full-size upload), or it
// stands in a figure with a caption. A logo that links to a home page, or
// is declared icon-sized, is furniture whatever surrounds it.
func articleLogo(img *html.Node, name string) bool {
	if w, h := pixels(attr(img, "width")), pixels(attr(img, "height")); w > 0 && w < 64 && h > 0 && h < 64 {
		return false
	}
	for p, i := img.Parent, 0; p != nil && i < 4; p, i = p.Parent, i+1 {
		if p.Type != html.ElementNode {
			continue
		}
		switch p.DataAtom {
		case atom.A:
			return linksToItself(attr(p, "href"), name)
		case atom.Figure:
			return hasElement(p, atom.Figcaption)
		}
	}
	return false
}

// linksToItself reports whether href names the image file whose path is
// name (lower-case): its last segment, less a "File:"-style prefix and the
// extension, occurs in the image's path ("wireshark-logo.png" for
// "wireshark-logo-200x200.png", "File:Mozilla_logo.svg" for
// "…/220px-Mozilla_logo.svg.png"). A home page ("/", "") names no file.
func linksToItself(href, name string) bool {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return false
	}
	seg := strings.ToLower(u.Path[strings.LastIndexByte(u.Path, '/')+1:])
	if i := strings.IndexByte(seg, ':'); i >= 0 {
		seg = seg[i+1:]
	}
	if i := strings.LastIndexByte(seg, '.'); i > 0 {
		seg = seg[:i]
	}
	return len(seg) >= 4 && strings.Contains(name, seg)
}

// pixels reads an HTML width or height ("200", "200px"); 0 when absent or
// not a plain number (a percentage says nothing about size).
func pixels(v string) int {
	v = strings.TrimSuffix(strings.TrimSpace(v), "px")
	n := 0
	for _, r := range v {
		if r < '0' || r > '9' || n > 1<<20 {
			return 0
		}
		n = 10*n + int(r-'0')
	}
	return n
}

// firstText is the start of n's first non-blank text, up to 40 bytes.
func firstText(n *html.Node) string {
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			if t := strings.TrimSpace(c.Data); t != "" {
				if len(t) > 40 {
					t = t[:40]
				}
				return t
			}
		}
	}
	return ""
}

func countAtoms(n *html.Node, a atom.Atom) int {
	k := 0
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && c.DataAtom == a {
			k++
		}
	}
	if n.Type == html.ElementNode && n.DataAtom == a {
		k++
	}
	return k
}

func hasElement(n *html.Node, a atom.Atom) bool {
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && c.DataAtom == a {
			return true
		}
	}
	return false
}

// pruneHeadingSections removes a section opened by a boilerplate heading
// ("Related articles", "Neueste Artikel"): the heading and its following
// siblings up to the next heading of the same or a higher level, or up to
// a block of running text. A bold
// paragraph standing as a heading counts as level 6.
func pruneHeadingSections(content *html.Node, total int) {
	var heads []*html.Node
	for n := range content.Descendants() {
		if n.Type == html.ElementNode && (headingLevel(n.DataAtom) > 0 || boldParagraph(n)) && boilerHeadings[headingKey(plainText(n))] {
			heads = append(heads, n)
		}
	}
	for _, h := range heads {
		if h.Parent == nil {
			continue
		}
		level := headingLevel(h.DataAtom)
		if level == 0 {
			level = 6
		}
		var section []*html.Node
		size, links := 0, 0
		for s := h; s != nil; s = s.NextSibling {
			if s != h && s.Type == html.ElementNode && headingLevel(s.DataAtom) > 0 && headingLevel(s.DataAtom) <= level {
				break
			}
			if s != h && links == 0 && proseBlock(s) { // no teaser: the article goes on
				break
			}
			if s.Type == html.ElementNode {
				links += countAtoms(s, atom.A)
			}
			section = append(section, s)
			size += textLen(s)
		}
		if 4*size > total {
			continue
		}
		parent := h.Parent
		for _, s := range section {
			parent.RemoveChild(s)
		}
	}
}

// proseBlock is a block of running text: 150 letters or more, mostly not
// link text. Right after a boilerplate heading, before any link, it means
// the heading was the article's own.
func proseBlock(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	all := textLen(n)
	if all < 150 {
		return false
	}
	linked := 0
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && c.DataAtom == atom.A {
			linked += textLen(c)
		}
	}
	return 2*linked < all
}

// boldParagraph is a paragraph whose only text is in one <strong> or <b>.
func boldParagraph(n *html.Node) bool {
	if n.DataAtom != atom.P {
		return false
	}
	var bold *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode && strings.TrimSpace(c.Data) == "":
		case c.Type == html.ElementNode && (c.DataAtom == atom.Strong || c.DataAtom == atom.B) && bold == nil:
			bold = c
		case c.Type == html.ElementNode && c.DataAtom == atom.Br:
		default:
			return false
		}
	}
	return bold != nil
}

func headingKey(s string) string {
	s = strings.ToLower(collapse(s))
	return strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
}

// tidyImages drops alt text that only repeats the image's caption, and a
// title that only repeats the alt text: the words are read once.
func tidyImages(content *html.Node) {
	for n := range content.Descendants() {
		if n.Type != html.ElementNode || n.DataAtom != atom.Img {
			continue
		}
		alt := collapse(attr(n, "alt"))
		if t := collapse(attr(n, "title")); t != "" && (t == alt || alt == "") {
			removeAttr(n, "title")
		}
		if alt == "" {
			continue
		}
		if cap := nearbyCaption(n); cap != "" && strings.Contains(strings.ToLower(collapse(cap)), strings.ToLower(alt)) {
			setAttr(n, "alt", "")
		}
	}
}

// nearbyCaption is the figcaption of the image's figure, or the text of
// the block right after the image's own block.
func nearbyCaption(img *html.Node) string {
	for p, i := img.Parent, 0; p != nil && i < 4; p, i = p.Parent, i+1 {
		if p.Type == html.ElementNode && p.DataAtom == atom.Figure {
			for c := range p.Descendants() {
				if c.Type == html.ElementNode && c.DataAtom == atom.Figcaption {
					return plainText(c)
				}
			}
			return ""
		}
	}
	block := img
	for block.Parent != nil && block.Parent.FirstChild == block.Parent.LastChild && block.Parent.Type == html.ElementNode {
		block = block.Parent
	}
	for s := block.NextSibling; s != nil; s = s.NextSibling {
		if s.Type == html.TextNode && strings.TrimSpace(s.Data) == "" {
			continue
		}
		if s.Type == html.ElementNode && !hasElement(s, atom.Img) {
			return plainText(s)
		}
		break
	}
	return ""
}

func removeAttr(n *html.Node, key string) {
	out := n.Attr[:0]
	for _, a := range n.Attr {
		if !strings.EqualFold(a.Key, key) {
			out = append(out, a)
		}
	}
	n.Attr = out
}

func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}
