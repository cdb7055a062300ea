// Command trafcompare runs go-trafilatura over pages already decoded to
// UTF-8 and writes, as JSON, the content HTML it extracts from each and the
// time each pass over a set took. It is the go-trafilatura half of
// client/local's TestTrafilaturaComparison, which writes the pages, runs
// this program and scores both extractors the same way. It is a module of
// its own so that the server's go.mod never carries go-trafilatura.
//
//	trafcompare -in DIR -out FILE [-rounds N]
//
// DIR holds SET/NAME.html files. Extraction is timed from the HTML text to
// go-trafilatura's content node (parsing included); converting that node
// to Markdown is timed by the test, with the local extractor's converter.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

// Output is the JSON the test reads.
type Output struct {
	Version  string             `json:"version"`
	Fallback bool               `json:"fallback"`
	Pages    map[string]string  `json:"pages"` // "set/name" → content HTML ("" when nothing was extracted)
	Nanos    map[string][]int64 `json:"nanos"` // set → one duration per pass
	Failures int                `json:"failures"`
	Errors   map[string]string  `json:"errors,omitempty"`
}

// corpusURL is where the pages pretend to live, as in client/local's
// corpus test.
var corpusURL, _ = url.Parse("http://fakehost/test/page.html")

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	in := flag.String("in", "", "directory of SET/NAME.html pages, decoded to UTF-8")
	out := flag.String("out", "", "JSON file to write")
	rounds := flag.Int("rounds", 3, "timed passes over each set")
	fallback := flag.Bool("fallback", true, "let go-trafilatura try its readability and dom-distiller fallbacks")
	flag.Parse()
	if *in == "" || *out == "" || *rounds < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*in, *out, *rounds, *fallback); err != nil {
		log.Error("trafcompare failed", "error", err)
		os.Exit(1)
	}
}

func run(in, out string, rounds int, fallback bool) error {
	files, err := filepath.Glob(filepath.Join(in, "*", "*.html"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no pages under %s (%v)", in, err)
	}
	slices.Sort(files)
	sets := map[string][]string{}
	src := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		set := filepath.Base(filepath.Dir(f))
		key := set + "/" + strings.TrimSuffix(filepath.Base(f), ".html")
		sets[set] = append(sets[set], key)
		src[key] = string(b)
	}
	res := Output{Version: "v1.12.2", Fallback: fallback, Pages: map[string]string{}, Nanos: map[string][]int64{}, Errors: map[string]string{}}
	for r := range rounds {
		for set, keys := range sets {
			start := time.Now()
			for _, k := range keys {
				h, err := extract(src[k], fallback)
				if r == 0 {
					res.Pages[k] = h
					if err != nil {
						res.Failures++
						res.Errors[k] = err.Error()
					}
				}
			}
			res.Nanos[set] = append(res.Nanos[set], time.Since(start).Nanoseconds())
		}
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}

// extract returns go-trafilatura's content as HTML. Links and images are
// kept, as the local extractor keeps them; comments are left out; the
// publication-date scan is off, since no date is scored and it is the
// slowest part of the library.
func extract(page string, fallback bool) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("panic: %v", r)
		}
	}()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return "", err
	}
	res, err := trafilatura.ExtractDocument(doc, trafilatura.Options{
		OriginalURL:     corpusURL,
		EnableFallback:  fallback,
		ExcludeComments: true,
		IncludeImages:   true,
		IncludeLinks:    true,
		HtmlDateMode:    trafilatura.Disabled,
	})
	if err != nil {
		return "", err
	}
	if res == nil || res.ContentNode == nil {
		return "", fmt.Errorf("no content")
	}
	var b strings.Builder
	if err := html.Render(&b, res.ContentNode); err != nil {
		return "", err
	}
	return b.String(), nil
}
