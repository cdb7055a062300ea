package local

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scrapemcp/scrapemcp/internal/textscore"
)

// The extraction corpus (testdata/corpus, see its README.md): real pages
// grouped in sets. The news and blogs sets carry the article as expected
// HTML and are scored by word 4-gram precision, recall and F1; the
// trafilatura set carries snippets that must and must not appear and is
// scored by trafilatura's own snippet counts (internal/textscore).
// TestCorpusNoRegression scores the local extractor on every set and fails
// when a set scores below the committed baseline; CORPUS_UPDATE=1 writes
// the current figures as the new baseline. BenchmarkCorpus reports the
// same figures with pages/s. Neither asserts anything about time.

const (
	corpusDir      = "testdata/corpus"
	corpusBaseline = corpusDir + "/baseline.json"
	// corpusSlack absorbs float rounding in the JSON file, nothing more:
	// extraction is deterministic.
	corpusSlack = 0.0005
)

type corpusPage struct {
	set, name        string
	source, expected string   // expected: the article's HTML (Mozilla's sets)
	with, without    []string // or snippets that must and must not appear (trafilatura's set)
}

func loadCorpus(t testing.TB) map[string][]corpusPage {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(corpusDir, "*", "*", "source.html.gz"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no corpus pages under %s: %v", corpusDir, err)
	}
	sets := map[string][]corpusPage{}
	for _, src := range dirs {
		dir := filepath.Dir(src)
		pg := corpusPage{set: filepath.Base(filepath.Dir(dir)), name: filepath.Base(dir)}
		pg.source = gunzipFile(t, src)
		if b, err := os.ReadFile(filepath.Join(dir, "snippets.json")); err == nil {
			var sn struct{ With, Without []string }
			if err := json.Unmarshal(b, &sn); err != nil {
				t.Fatalf("%s: %v", dir, err)
			}
			pg.with, pg.without = sn.With, sn.Without
		} else {
			pg.expected = gunzipFile(t, filepath.Join(dir, "expected.html.gz"))
		}
		sets[pg.set] = append(sets[pg.set], pg)
	}
	return sets
}

func gunzipFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return string(out)
}

// corpusURL is where the pages pretend to live, as in Mozilla's tests.
var corpusURL, _ = url.Parse("http://fakehost/test/page.html")

// extractCorpusPage runs the scrape tool's extraction (main content,
// Markdown) on one page.
func extractCorpusPage(t testing.TB, p *Provider, pg corpusPage) string {
	t.Helper()
	ex, err := p.extractHTML(t.Context(), toUTF8([]byte(pg.source), "text/html", true), corpusURL, extractOpts{onlyMain: true, markdown: true})
	if err != nil {
		t.Fatalf("%s/%s: %v", pg.set, pg.name, err)
	}
	return ex.markdown
}

type setScore struct {
	Pages     int     `json:"pages"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

func scoreCorpus(t testing.TB, p *Provider, sets map[string][]corpusPage, perPage func(pg corpusPage, s textscore.Score)) map[string]setScore {
	return scoreCorpusWith(sets, func(pg corpusPage) string { return extractCorpusPage(t, p, pg) }, perPage)
}

// scoreCorpusWith scores any extractor's Markdown the same way, so another
// extractor can be measured against this one (trafcompare_test.go).
func scoreCorpusWith(sets map[string][]corpusPage, extract func(corpusPage) string, perPage func(pg corpusPage, s textscore.Score)) map[string]setScore {
	out := map[string]setScore{}
	for set, pages := range sets {
		var (
			scores []textscore.Score
			counts textscore.Counts
		)
		for _, pg := range pages {
			md := extract(pg)
			var s textscore.Score
			if pg.with != nil {
				c := textscore.Snippets(md, pg.with, pg.without)
				counts = counts.Add(c)
				s = c.Score()
			} else {
				s = textscore.Compare(textscore.MarkdownText(md), textscore.HTMLText(pg.expected), textscore.N)
			}
			if perPage != nil {
				perPage(pg, s)
			}
			scores = append(scores, s)
		}
		// n-gram sets average pages; snippet sets pool their counts, as
		// trafilatura's evaluation does.
		m := textscore.Mean(scores)
		if counts != (textscore.Counts{}) {
			m = counts.Score()
		}
		out[set] = setScore{Pages: len(pages), Precision: round4(m.Precision), Recall: round4(m.Recall), F1: round4(m.F1())}
	}
	return out
}

func corpusProvider(t testing.TB) *Provider {
	t.Helper()
	p, err := newProvider(Options{PerHostRate: -1}, netHooks{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func round4(f float64) float64 { return float64(int(f*10000+0.5)) / 10000 }

func TestCorpusNoRegression(t *testing.T) {
	p := corpusProvider(t)
	var lines []string
	got := scoreCorpus(t, p, loadCorpus(t), func(pg corpusPage, s textscore.Score) {
		lines = append(lines, fmt.Sprintf("%-8s %-24s P %.3f  R %.3f  F1 %.3f", pg.set, pg.name, s.Precision, s.Recall, s.F1()))
	})
	slices.Sort(lines)
	t.Logf("per page:\n%s", strings.Join(lines, "\n"))
	names := make([]string, 0, len(got))
	for set := range got {
		names = append(names, set)
	}
	slices.Sort(names)
	for _, set := range names {
		s := got[set]
		t.Logf("%-8s %2d pages  P %.4f  R %.4f  F1 %.4f", set, s.Pages, s.Precision, s.Recall, s.F1)
	}
	if os.Getenv("CORPUS_UPDATE") != "" {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(corpusBaseline, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(corpusBaseline)
	if err != nil {
		t.Fatalf("%v (CORPUS_UPDATE=1 writes it)", err)
	}
	var base map[string]setScore
	if err := json.Unmarshal(b, &base); err != nil {
		t.Fatal(err)
	}
	for set, want := range base {
		s, ok := got[set]
		switch {
		case !ok:
			t.Errorf("set %s is in the baseline but not in the corpus", set)
		case s.Pages != want.Pages:
			t.Errorf("set %s has %d pages, the baseline %d: update the baseline with the corpus (CORPUS_UPDATE=1)", set, s.Pages, want.Pages)
		case s.Precision < want.Precision-corpusSlack, s.Recall < want.Recall-corpusSlack, s.F1 < want.F1-corpusSlack:
			t.Errorf("set %s regressed: P %.4f R %.4f F1 %.4f, baseline P %.4f R %.4f F1 %.4f", set, s.Precision, s.Recall, s.F1, want.Precision, want.Recall, want.F1)
		}
	}
}

// BenchmarkCorpus extracts every page of each set per iteration and
// reports pages/s with the set's precision, recall and F1.
func BenchmarkCorpus(b *testing.B) {
	p := corpusProvider(b)
	sets := loadCorpus(b)
	for set, pages := range sets {
		b.Run(set, func(b *testing.B) {
			for b.Loop() {
				for _, pg := range pages {
					extractCorpusPage(b, p, pg)
				}
			}
			b.ReportMetric(float64(b.N*len(pages))/b.Elapsed().Seconds(), "pages/s")
			s := scoreCorpus(b, p, map[string][]corpusPage{set: pages}, nil)[set]
			b.ReportMetric(s.Precision, "precision")
			b.ReportMetric(s.Recall, "recall")
			b.ReportMetric(s.F1, "F1")
		})
	}
}
