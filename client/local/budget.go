package local

import (
	"context"
	"io"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// extractBudget bounds what one page may cost to extract. Memory and time
// grow with the number of elements: html.Parse allocates about 200 bytes
// per element and text node, readability clones the tree up to five times
// and scores every node, and html-to-markdown allocates several times the
// tree again. A page past a limit gets the next simpler rendering, with a
// warning, rather than an error: its text is still what the caller wants.
type extractBudget struct {
	// treeElements: above it no tree is built at all; the page is read
	// with the tokenizer (plaintext.go).
	treeElements int
	// mainElements: above it readability is not run; onlyMain falls back
	// to the page minus navigation, footers and sidebars.
	mainElements int
	// markdownElements: above it html-to-markdown is not run; the content
	// is rendered as plain text with block structure.
	markdownElements int
}

// defaultBudget keeps one page's extraction to roughly 100 MB of heap at
// the 5 MiB body cap (measured with hostiletest's /heavy page: 150,000
// <p> in 6 MB). Ordinary article pages have 500 to 5,000 elements and
// large index pages 20,000 to 40,000, so they are rendered as before.
var defaultBudget = extractBudget{
	treeElements:     400_000,
	mainElements:     50_000,
	markdownElements: 60_000,
}

// acquireExtract takes one of the MaxExtract slots, waiting at most until
// ctx ends. Fetches run unbounded (they mostly wait on the network);
// extraction is where the CPU and memory go, so it is what is queued.
func (p *Provider) acquireExtract(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case p.extractSlots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *Provider) releaseExtract() { <-p.extractSlots }

// ctxReader ends a read with ctx's error once ctx is done, so html.Parse,
// which takes no context, stops at its next read.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	// Small reads, so the check above comes round often.
	return c.r.Read(b[:min(len(b), 64<<10)])
}

// countElements counts start tags in src with the tokenizer, which builds
// no tree, and stops counting past limit.
func countElements(ctx context.Context, src string, limit int) (int, error) {
	z := html.NewTokenizer(strings.NewReader(src))
	z.SetMaxBuf(1 << 20)
	n := 0
	for steps := 0; ; steps++ {
		if steps%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		switch z.Next() {
		case html.ErrorToken:
			return n, nil
		case html.StartTagToken, html.SelfClosingTagToken:
			if n++; n > limit {
				return n, nil
			}
		}
	}
}

// countTreeElements counts doc's element nodes.
func countTreeElements(doc *html.Node) int {
	n := 0
	for d := range doc.Descendants() {
		if d.Type == html.ElementNode {
			n++
		}
	}
	return n
}

// letters counts letters and digits, as textLen does.
func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}
