// Package textscore scores extracted text against a reference the way
// extraction benchmarks do: both are cut into lower-case words, the words
// into overlapping n-grams (n = 4 by default), and the n-grams are compared
// as multisets.
//
//	precision = |candidate ∩ reference| / |candidate|   (how much of the output belongs)
//	recall    = |candidate ∩ reference| / |reference|   (how much of the article came through)
//	F1        = 2PR / (P + R)
//
// Word 4-grams reward text that comes through in order and punish
// boilerplate (menus, share bars, teasers) without caring about markup:
// the candidate is Markdown, the reference HTML, and both are reduced to
// their words first (link targets and image sources are not words).
package textscore

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// N is the n-gram length the corpus reports use.
const N = 4

// Words cuts s into lower-case runs of letters and digits.
func Words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

var (
	linkTarget = regexp.MustCompile(`\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+"[^"]*")?\)`)
	autolink   = regexp.MustCompile(`<https?://[^>\s]+>`)
	fenceLine  = regexp.MustCompile("(?m)^[ \\t>]*(```+|~~~+)[^\\n]*$")
)

// MarkdownText is the readable text of Markdown: link targets, autolinks
// and fence lines removed, everything else kept (image alt text too: it is
// in the output an agent reads).
func MarkdownText(md string) string {
	md = linkTarget.ReplaceAllString(md, "]")
	md = autolink.ReplaceAllString(md, " ")
	return fenceLine.ReplaceAllString(md, " ")
}

// HTMLText is the text of an HTML document or fragment without scripts,
// styles and templates, with a space wherever an element starts or ends.
func HTMLText(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Head:
				return
			}
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode {
			b.WriteByte(' ')
		}
	}
	walk(doc)
	return b.String()
}

// Grams counts the n-grams of words (one "gram" of all the words when
// there are fewer than n).
func Grams(words []string, n int) map[string]int {
	out := map[string]int{}
	if len(words) == 0 {
		return out
	}
	if len(words) < n {
		out[strings.Join(words, " ")]++
		return out
	}
	for i := 0; i+n <= len(words); i++ {
		out[strings.Join(words[i:i+n], " ")]++
	}
	return out
}

// Score is one comparison.
type Score struct {
	Precision, Recall float64
}

// F1 is the harmonic mean of precision and recall (0 when both are 0).
func (s Score) F1() float64 { return F1(s.Precision, s.Recall) }

// F1 is the harmonic mean of p and r.
func F1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Compare scores candidate text against reference text by word n-grams.
// An empty candidate scores precision 0 (it is no answer, not a clean one);
// an empty reference scores recall 1.
func Compare(candidate, reference string, n int) Score {
	c := Grams(Words(candidate), n)
	r := Grams(Words(reference), n)
	nc, nr, both := 0, 0, 0
	for g, k := range c {
		nc += k
		both += min(k, r[g])
	}
	for _, k := range r {
		nr += k
	}
	s := Score{}
	if nc > 0 {
		s.Precision = float64(both) / float64(nc)
	}
	if nr > 0 {
		s.Recall = float64(both) / float64(nr)
	} else {
		s.Recall = 1
	}
	return s
}

// Mean averages page scores per set, the way the benchmark reports them:
// precision and recall are averaged over pages, and F1 is taken of the
// averages.
func Mean(scores []Score) Score {
	if len(scores) == 0 {
		return Score{}
	}
	var m Score
	for _, s := range scores {
		m.Precision += s.Precision
		m.Recall += s.Recall
	}
	m.Precision /= float64(len(scores))
	m.Recall /= float64(len(scores))
	return m
}

// Counts tallies snippet checks the way trafilatura's evaluation does: a
// snippet that must appear and does is a true positive, one that must
// appear and does not a false negative; a snippet that must not appear
// (boilerplate) and does is a false positive, and one that does not a true
// negative.
type Counts struct {
	TP, FN, FP, TN int
}

// Add sums two tallies.
func (c Counts) Add(o Counts) Counts {
	return Counts{c.TP + o.TP, c.FN + o.FN, c.FP + o.FP, c.TN + o.TN}
}

// Score is precision TP/(TP+FP) and recall TP/(TP+FN).
func (c Counts) Score() Score {
	var s Score
	if c.TP+c.FP > 0 {
		s.Precision = float64(c.TP) / float64(c.TP+c.FP)
	}
	if c.TP+c.FN > 0 {
		s.Recall = float64(c.TP) / float64(c.TP+c.FN)
	}
	return s
}

// Snippets checks output for the snippets that must (with) and must not
// (without) be in it. A snippet is found when its words appear in a row in
// output's words, so spacing, case, punctuation and Markdown syntax do not
// matter.
func Snippets(output string, with, without []string) Counts {
	text := " " + strings.Join(Words(output), " ") + " "
	has := func(snippet string) bool {
		w := Words(snippet)
		return len(w) > 0 && strings.Contains(text, " "+strings.Join(w, " ")+" ")
	}
	var c Counts
	for _, s := range with {
		if has(s) {
			c.TP++
		} else {
			c.FN++
		}
	}
	for _, s := range without {
		if has(s) {
			c.FP++
		} else {
			c.TN++
		}
	}
	return c
}
