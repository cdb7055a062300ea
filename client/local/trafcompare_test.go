package local

// The measurement behind docs/extraction.md's "go-trafilatura, measured":
// go-trafilatura against the local extractor on the extraction corpus,
// scored by the same scorer. go-trafilatura runs in bench/trafcompare, a
// module of its own, so neither go.mod nor the server binary carries it
// (a build tag would not do: go mod tidy reads every tagged file). The
// test writes the corpus pages decoded the way extraction decodes them,
// runs that program on them, converts the content HTML it returns with the
// local extractor's Markdown converter, and times and scores both in the
// same run. It is a report: it asserts nothing, and runs only when asked:
//
//	TRAFCOMPARE=1 go test ./client/local -run TestTrafilaturaComparison -v
//
// TRAFCOMPARE_ROUNDS sets the timed passes over each set (default 3; the
// median is reported). It needs the go command and go-trafilatura's module
// (fetched through the module proxy on first use).

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/scrapemcp/scrapemcp/internal/textscore"
)

type trafOutput struct {
	Version  string             `json:"version"`
	Fallback bool               `json:"fallback"`
	Pages    map[string]string  `json:"pages"`
	Nanos    map[string][]int64 `json:"nanos"`
	Failures int                `json:"failures"`
	Errors   map[string]string  `json:"errors"`
}

func TestTrafilaturaComparison(t *testing.T) {
	if os.Getenv("TRAFCOMPARE") == "" {
		t.Skip("a report, not a test: TRAFCOMPARE=1 runs it (see trafcompare_test.go)")
	}
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("TRAFCOMPARE_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	p := corpusProvider(t)
	sets := loadCorpus(t)
	names := make([]string, 0, len(sets))
	for set := range sets {
		names = append(names, set)
	}
	slices.Sort(names)

	// go-trafilatura reads the same decoded text extraction reads.
	dir := t.TempDir()
	for set, pages := range sets {
		if err := os.MkdirAll(filepath.Join(dir, "in", set), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, pg := range pages {
			if err := os.WriteFile(filepath.Join(dir, "in", set, pg.name+".html"), []byte(toUTF8([]byte(pg.source), "text/html", true)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	bin := filepath.Join(dir, "trafcompare")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "..", "bench", "trafcompare")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building bench/trafcompare: %v\n%s", err, out)
	}
	runTraf := func(fallback bool) trafOutput {
		file := filepath.Join(dir, fmt.Sprintf("out-%v.json", fallback))
		cmd := exec.Command(bin, "-in", filepath.Join(dir, "in"), "-out", file, "-rounds", strconv.Itoa(rounds), "-fallback="+strconv.FormatBool(fallback))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("bench/trafcompare: %v\n%s", err, out)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var o trafOutput
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatal(err)
		}
		return o
	}

	type extractor struct {
		name  string
		md    func(corpusPage) string
		perS  map[string]float64 // set → pages/s, median pass
		notes string
	}
	median := func(v []float64) float64 {
		v = slices.Clone(v)
		slices.Sort(v)
		return v[len(v)/2]
	}

	// The local extractor, timed the way BenchmarkCorpus times it.
	local := extractor{name: "local (readability + pruning)", md: func(pg corpusPage) string { return extractCorpusPage(t, p, pg) }, perS: map[string]float64{}}
	for _, set := range names {
		var v []float64
		for range rounds {
			start := time.Now()
			for _, pg := range sets[set] {
				extractCorpusPage(t, p, pg)
			}
			v = append(v, float64(len(sets[set]))/time.Since(start).Seconds())
		}
		local.perS[set] = median(v)
	}
	exs := []extractor{local}

	for _, fallback := range []bool{true, false} {
		o := runTraf(fallback)
		mdOf := map[string]string{}
		ex := extractor{name: "go-trafilatura " + o.Version + map[bool]string{true: ", fallbacks on", false: ", fallbacks off"}[fallback], perS: map[string]float64{}}
		for _, set := range names {
			// Converting its content to Markdown is part of its cost:
			// timed here, with the local converter, and added to the
			// program's own median extraction time.
			var conv []float64
			for r := range rounds {
				nodes := make([]*html.Node, 0, len(sets[set]))
				for _, pg := range sets[set] {
					n, err := html.Parse(strings.NewReader(o.Pages[set+"/"+pg.name]))
					if err != nil {
						t.Fatal(err)
					}
					nodes = append(nodes, n)
				}
				start := time.Now()
				for i, pg := range sets[set] {
					md := p.toMarkdown(t.Context(), nodes[i], corpusURL)
					if r == 0 {
						mdOf[set+"/"+pg.name] = md
					}
				}
				conv = append(conv, time.Since(start).Seconds())
			}
			var extract []float64
			for _, ns := range o.Nanos[set] {
				extract = append(extract, float64(ns)/1e9)
			}
			ex.perS[set] = float64(len(sets[set])) / (median(extract) + median(conv))
		}
		ex.md = func(pg corpusPage) string { return mdOf[pg.set+"/"+pg.name] }
		ex.notes = fmt.Sprintf("%s: %d pages gave no content or an error %v", ex.name, o.Failures, o.Errors)
		exs = append(exs, ex)
	}

	scores := make([]map[string]setScore, len(exs))
	perPage := make([]map[string]float64, len(exs))
	for i, ex := range exs {
		perPage[i] = map[string]float64{}
		scores[i] = scoreCorpusWith(sets, ex.md, func(pg corpusPage, s textscore.Score) {
			perPage[i][pg.set+"/"+pg.name] = s.F1()
		})
	}

	var b strings.Builder
	fmt.Fprintf(&b, "| set | extractor | P | R | F1 | pages/s (median of %d) |\n|---|---|---|---|---|---|\n", rounds)
	for _, set := range names {
		for i, ex := range exs {
			s := scores[i][set]
			fmt.Fprintf(&b, "| %s (%d) | %s | %.4f | %.4f | %.4f | %.0f |\n", set, s.Pages, ex.name, s.Precision, s.Recall, s.F1, ex.perS[set])
		}
	}
	for _, ex := range exs[1:] {
		fmt.Fprintf(&b, "\n%s", ex.notes)
	}
	// Where the totals come from: pages whose F1 differs by more than 0.2
	// between the local extractor and go-trafilatura with fallbacks.
	var diffs []string
	for pg, f := range perPage[0] {
		if g := perPage[1][pg]; math.Abs(f-g) > 0.2 {
			diffs = append(diffs, fmt.Sprintf("  %-60s %.3f → %.3f", pg, f, g))
		}
	}
	slices.Sort(diffs)
	fmt.Fprintf(&b, "\n\npages whose F1 differs by more than 0.2 (local → go-trafilatura with fallbacks):\n%s\n", strings.Join(diffs, "\n"))
	t.Log("\n" + b.String())
}
