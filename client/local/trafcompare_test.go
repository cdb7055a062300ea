//go:build trafcompare

package local

// The measurement behind docs/extraction.md's "go-trafilatura" section:
// go-trafilatura against the local extractor on the extraction corpus,
// scored by the same scorer, timed in the same run. It is behind a build
// tag and builds against bench/trafcompare/trafcompare.mod, a copy of
// go.mod plus go-trafilatura, so the server's go.mod and binary never
// carry it:
//
//	go test -modfile=bench/trafcompare/trafcompare.mod -tags trafcompare \
//	    ./client/local -run TestTrafilaturaComparison -v
//
// TRAFCOMPARE_ROUNDS sets the timed passes over each set (default 3; the
// median is reported). Nothing is asserted: it is a report.

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	"github.com/scrapemcp/scrapemcp/internal/textscore"
)

// trafExtract runs go-trafilatura on one page and hands its content HTML
// to the same Markdown converter the local extractor uses, so both are
// scored on the Markdown an agent would read. Links and images are kept,
// as the local extractor keeps them; publication-date scanning is off,
// since no date is scored and it is the slowest part of the library.
func trafExtract(t testing.TB, p *Provider, fallback bool, failures *int) func(corpusPage) string {
	return func(pg corpusPage) (md string) {
		defer func() {
			if r := recover(); r != nil {
				*failures++
				t.Logf("%s/%s: go-trafilatura panicked: %v", pg.set, pg.name, r)
				md = ""
			}
		}()
		doc, err := html.Parse(strings.NewReader(toUTF8([]byte(pg.source), "text/html", true)))
		if err != nil {
			*failures++
			return ""
		}
		res, err := trafilatura.ExtractDocument(doc, trafilatura.Options{
			OriginalURL:     corpusURL,
			EnableFallback:  fallback,
			ExcludeComments: true,
			IncludeImages:   true,
			IncludeLinks:    true,
			HtmlDateMode:    trafilatura.Disabled,
		})
		if err != nil || res == nil || res.ContentNode == nil {
			*failures++
			return ""
		}
		return p.toMarkdown(t.Context(), res.ContentNode, corpusURL)
	}
}

func TestTrafilaturaComparison(t *testing.T) {
	p := corpusProvider(t)
	sets := loadCorpus(t)
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("TRAFCOMPARE_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	var failFB, failNoFB int
	extractors := []struct {
		name     string
		run      func(corpusPage) string
		failures *int
	}{
		{"local (readability + pruning)", func(pg corpusPage) string { return extractCorpusPage(t, p, pg) }, nil},
		{"go-trafilatura (fallbacks on)", trafExtract(t, p, true, &failFB), &failFB},
		{"go-trafilatura (fallbacks off)", trafExtract(t, p, false, &failNoFB), &failNoFB},
	}
	names := make([]string, 0, len(sets))
	for set := range sets {
		names = append(names, set)
	}
	slices.Sort(names)

	// Scores, with each page's F1 kept to list the pages where the two
	// extractors differ most.
	scores := make([]map[string]setScore, len(extractors))
	perPage := make([]map[string]float64, len(extractors))
	for i, ex := range extractors {
		perPage[i] = map[string]float64{}
		scores[i] = scoreCorpusWith(sets, ex.run, func(pg corpusPage, s textscore.Score) {
			perPage[i][pg.set+"/"+pg.name] = s.F1()
		})
	}

	// Speed: the extractors take turns over each set, rounds times, so
	// they share the machine's state; the median pass is reported.
	speed := make([]map[string][]float64, len(extractors))
	for i := range speed {
		speed[i] = map[string][]float64{}
	}
	for range rounds {
		for _, set := range names {
			for i, ex := range extractors {
				start := time.Now()
				for _, pg := range sets[set] {
					ex.run(pg)
				}
				speed[i][set] = append(speed[i][set], float64(len(sets[set]))/time.Since(start).Seconds())
			}
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "| set | extractor | P | R | F1 | pages/s (median of %d) |\n|---|---|---|---|---|---|\n", rounds)
	for _, set := range names {
		for i, ex := range extractors {
			s := scores[i][set]
			v := slices.Clone(speed[i][set])
			slices.Sort(v)
			fmt.Fprintf(&b, "| %s (%d) | %s | %.4f | %.4f | %.4f | %.0f |\n", set, s.Pages, ex.name, s.Precision, s.Recall, s.F1, v[len(v)/2])
		}
	}
	for _, ex := range extractors {
		if ex.failures != nil {
			fmt.Fprintf(&b, "\n%s: %d extractions returned nothing (error, panic or no content), over all passes", ex.name, *ex.failures)
		}
	}
	// Pages where the local extractor and go-trafilatura (fallbacks on)
	// differ by more than 0.2 in F1: where the totals come from.
	type diff struct {
		page     string
		loc, trf float64
	}
	var diffs []diff
	for pg, f := range perPage[0] {
		if g := perPage[1][pg]; math.Abs(f-g) > 0.2 {
			diffs = append(diffs, diff{pg, f, g})
		}
	}
	slices.SortFunc(diffs, func(a, b diff) int { return strings.Compare(a.page, b.page) })
	fmt.Fprintf(&b, "\n\npages whose F1 differs by more than 0.2 (local → go-trafilatura with fallbacks):\n")
	for _, d := range diffs {
		fmt.Fprintf(&b, "  %-60s %.3f → %.3f\n", d.page, d.loc, d.trf)
	}
	t.Log("\n" + b.String())
}
