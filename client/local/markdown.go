package local

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Markdown an agent can paste. html-to-markdown, left to itself, writes
// "&lt;" and "&gt;" for every < and > in text (so that no renderer reads
// them as HTML), separates adjacent lists with an "<!--THE END-->" comment,
// and takes a code block's language only from the class of a <pre> or
// <code> that readability has already stripped. An agent reads the
// Markdown as text, not as rendered HTML: the entities and the comment are
// noise in it, and the language is information. The helpers below fix
// those three; settleHeadline puts the article's own <h1> in its place.

// Text < and > travel through the converter as two noncharacters, which
// no text transform escapes, and are put back after rendering. Code is not
// text-transformed, so it never holds them.
const (
	ltMark = '\uFDD0'
	gtMark = '\uFDD1'
)

var (
	markAngles   = strings.NewReplacer("<", string(ltMark), ">", string(gtMark))
	unmarkAngles = strings.NewReplacer(string(ltMark), "<", string(gtMark), ">")
)

// registerPlainText makes conv write text < and > as themselves.
func registerPlainText(conv *converter.Converter) {
	conv.Register.TextTransformer(func(_ converter.Context, content string) string {
		if !strings.ContainsAny(content, "<>") {
			return content
		}
		return markAngles.Replace(content)
	}, converter.PriorityEarly)
	conv.Register.PostRenderer(func(_ converter.Context, result []byte) []byte {
		return []byte(unmarkAngles.Replace(string(result)))
	}, converter.PriorityLate)
}

// codeLangAttr carries a code block's language across readability, which
// strips class attributes but keeps data-* ones.
const codeLangAttr = "data-scrapemcp-lang"

var langName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_+#.-]{0,29}$`)

// noLanguage are class words that name no language.
var noLanguage = map[string]bool{"none": true, "nohighlight": true, "plain": true, "plaintext": true, "text": true, "txt": true, "default": true, "source": true}

// markCodeLanguages finds each <pre>'s language in the ways sites write it
// (class language-go / lang-js on the pre or its code, data-lang, Sphinx's
// highlight-python on a wrapping div, GitHub's highlight-source-go,
// Pandoc's sourceCode python) and records it on the pre in codeLangAttr.
// It visits at most limit elements.
func markCodeLanguages(doc *html.Node, limit int) {
	for n := range elements(doc, limit) {
		if n.DataAtom != atom.Pre || attr(n, codeLangAttr) != "" {
			continue
		}
		if lang := codeLanguage(n); lang != "" {
			n.Attr = append(n.Attr, html.Attribute{Key: codeLangAttr, Val: lang})
		}
	}
}

func codeLanguage(pre *html.Node) string {
	cands := []*html.Node{pre}
	for c := pre.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Code {
			cands = append(cands, c)
			break
		}
	}
	for p, i := pre.Parent, 0; p != nil && i < 3 && p.Type == html.ElementNode; p, i = p.Parent, i+1 {
		cands = append(cands, p)
	}
	for _, n := range cands {
		for _, key := range []string{"data-lang", "data-language"} {
			if v := strings.ToLower(strings.TrimSpace(attr(n, key))); langName.MatchString(v) && !noLanguage[v] {
				return v
			}
		}
		words := strings.Fields(attr(n, "class"))
		for i, w := range words {
			w = strings.ToLower(w)
			var lang string
			switch {
			case strings.HasPrefix(w, "language-"):
				lang = w[len("language-"):]
			case strings.HasPrefix(w, "lang-"):
				lang = w[len("lang-"):]
			case strings.HasPrefix(w, "highlight-source-"):
				lang = w[len("highlight-source-"):]
			case strings.HasPrefix(w, "highlight-") && n != pre:
				lang = w[len("highlight-"):]
			case w == "sourcecode" && i+1 < len(words):
				lang = strings.ToLower(words[i+1])
			case strings.HasPrefix(w, "brush:") && i+1 < len(words) && w == "brush:":
				lang = strings.TrimSuffix(strings.ToLower(words[i+1]), ";")
			}
			if lang != "" && langName.MatchString(lang) && !noLanguage[lang] {
				return lang
			}
		}
	}
	return ""
}

// applyCodeLanguages turns codeLangAttr back into the class the Markdown
// converter reads (language-go), on the pre and on its code.
func applyCodeLanguages(root *html.Node) {
	for n := range root.Descendants() {
		if n.Type != html.ElementNode || n.DataAtom != atom.Pre {
			continue
		}
		lang := ""
		for i := 0; i < len(n.Attr); i++ {
			if n.Attr[i].Key == codeLangAttr {
				lang = n.Attr[i].Val
				n.Attr = append(n.Attr[:i], n.Attr[i+1:]...)
				i--
			}
		}
		if lang == "" {
			continue
		}
		setClass(n, "language-"+lang)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.DataAtom == atom.Code {
				setClass(c, "language-"+lang)
			}
		}
	}
}

func setClass(n *html.Node, class string) {
	for i, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, "class") {
			n.Attr[i].Val = class
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: "class", Val: class})
}

// settleHeadline makes the article's headline appear once, and returns
// the page's title. The title is shown with the Markdown, so a heading that
// only repeats it is dropped; a headline unlike the title is kept as the
// Markdown's level-1 heading (readability demotes <h1> to <h2>). When
// readability dropped the <h1> as a near-copy of the title ("Café du coin"
// under "Café du coin | Le Journal"), the headline becomes the title: it
// is the article's own name, without the site's decoration.
func settleHeadline(content *html.Node, h1s []string, title string, fromReadability bool) string {
	if len(h1s) == 0 || content == nil {
		return title
	}
	var found *html.Node
	for n := range elements(content, 2000) { // the headline is near the top
		if n.DataAtom != atom.H1 && n.DataAtom != atom.H2 {
			continue
		}
		t := collapse(plainText(n))
		for _, h := range h1s {
			if sameText(t, h) {
				found = n
				break
			}
		}
		if found != nil || n.DataAtom == atom.H1 {
			break
		}
	}
	switch {
	case found != nil && sameText(collapse(plainText(found)), title):
		found.Parent.RemoveChild(found)
	case found != nil:
		found.Data, found.DataAtom = "h1", atom.H1
	case fromReadability:
		for _, h := range h1s {
			if titleCarries(title, h) {
				return h
			}
		}
	}
	return title
}

func firstElement(n *html.Node) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			return c
		}
	}
	return nil
}

// sameText compares two texts by their words, ignoring case and
// punctuation.
func sameText(a, b string) bool {
	wa, wb := words(a), words(b)
	if len(wa) == 0 || len(wa) != len(wb) {
		return false
	}
	for i := range wa {
		if wa[i] != wb[i] {
			return false
		}
	}
	return true
}

// titleCarries reports whether title is built from headline: every word
// of the headline is in it, and they make at least half of its words
// ("Café news | Le Site" carries "Café news"; "Bridge reopens after
// repairs | Example Daily" does not carry the logo text "Example Daily").
func titleCarries(title, headline string) bool {
	wt, wh := words(title), words(headline)
	if len(wh) == 0 || 2*len(wh) < len(wt) {
		return false
	}
	in := map[string]bool{}
	for _, w := range wt {
		in[w] = true
	}
	for _, w := range wh {
		if !in[w] {
			return false
		}
	}
	return true
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
