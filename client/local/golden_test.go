package local

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scrapemcp/scrapemcp/client"
)

// TestMarkdownGolden scrapes each testdata/golden/*.html page from a
// loopback server (served as text/html without a charset, so the page's
// own declaration counts) and compares its title and Markdown with the
// .md file beside it. UPDATE_GOLDEN=1 rewrites the .md files. Each page
// pins one Markdown defect that real pages showed:
//
//   - adjacent-lists: no "<!--THE END-->" between lists;
//   - entities: "<" and ">" in prose and table cells, not "&lt;"/"&gt;";
//   - code-languages: fences keep language-go, lang-js, Pygments' language;
//   - h1-differs: an <h1> unlike <title> stays, as a level-1 heading;
//   - latin1-h1, latin1-h1-in-title: a Latin-1 page's <h1> survives, also
//     when readability drops it as a near-copy of the title;
//   - no-title, no-title-short: without <title>, the heading is the title
//     and is not repeated in the Markdown.
func TestMarkdownGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/golden/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden pages: %v", err)
	}
	s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(filepath.Join("testdata/golden", filepath.Base(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write(b)
	}))
	p, _ := testProvider(t, loopbackOnly(), nil)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".html")
		t.Run(name, func(t *testing.T) {
			page, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + "/" + filepath.Base(f), Formats: []string{client.FormatMarkdown}, OnlyMainContent: true})
			if err != nil {
				t.Fatal(err)
			}
			got := "Title: " + page.Title + "\n\n" + page.Markdown + "\n"
			want := strings.TrimSuffix(f, ".html") + ".md"
			if os.Getenv("UPDATE_GOLDEN") != "" {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (UPDATE_GOLDEN=1 writes it)", err)
			}
			if string(b) != got {
				t.Errorf("%s differs from %s (UPDATE_GOLDEN=1 rewrites it):\n--- got\n%s\n--- want\n%s", name, want, got, b)
			}
		})
	}
}
