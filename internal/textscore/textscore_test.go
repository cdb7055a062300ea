package textscore

import (
	"math"
	"slices"
	"testing"
)

func TestWords(t *testing.T) {
	got := Words("Héllo, World! It's 2024 — café-au-lait.")
	want := []string{"héllo", "world", "it", "s", "2024", "café", "au", "lait"}
	if !slices.Equal(got, want) {
		t.Errorf("Words = %q, want %q", got, want)
	}
}

func TestMarkdownText(t *testing.T) {
	got := Words(MarkdownText("See [the docs](https://x.example/a_(b) \"T\") and ![a cat](/c.png) at <https://y.example/>.\n```go\nx := 1\n```\n> ```js\n> y\n> ```"))
	want := []string{"see", "the", "docs", "and", "a", "cat", "at", "x", "1", "y"}
	if !slices.Equal(got, want) {
		t.Errorf("MarkdownText words = %q, want %q", got, want)
	}
}

func TestHTMLText(t *testing.T) {
	got := Words(HTMLText(`<html><head><title>T</title><style>p{}</style></head><body><p>One<b>two</b></p><p>three</p><script>x()</script></body></html>`))
	want := []string{"one", "two", "three"}
	if !slices.Equal(got, want) {
		t.Errorf("HTMLText words = %q, want %q", got, want)
	}
}

func TestCompare(t *testing.T) {
	ref := "the quick brown fox jumps over the lazy dog"
	tests := []struct {
		name      string
		candidate string
		p, r      float64
	}{
		{"identical", ref, 1, 1},
		{"empty", "", 0, 0},
		{"boilerplate added", "home menu sign in " + ref, 6.0 / 10, 1},
		{"half missing", "the quick brown fox jumps", 1, 2.0 / 6},
		{"unrelated", "nothing in common at all here", 0, 0},
	}
	for _, tc := range tests {
		s := Compare(tc.candidate, ref, N)
		if math.Abs(s.Precision-tc.p) > 1e-9 || math.Abs(s.Recall-tc.r) > 1e-9 {
			t.Errorf("%s: P %.3f R %.3f, want %.3f %.3f", tc.name, s.Precision, s.Recall, tc.p, tc.r)
		}
	}
	// Repeated text counts once per occurrence in the reference.
	if s := Compare(ref+" "+ref, ref, N); s.Recall != 1 || s.Precision > 0.5 {
		t.Errorf("doubled candidate: %+v", s)
	}
	if f := (Score{Precision: 0.5, Recall: 1}).F1(); math.Abs(f-2.0/3) > 1e-9 {
		t.Errorf("F1 = %v", f)
	}
}

func TestSnippets(t *testing.T) {
	out := "# Title\n\nDie **GEMA** dreht völlig am Zeiger! See [petition](http://www.openpetition.de).\n\nImpressum"
	c := Snippets(out, []string{"Die GEMA dreht völlig am Zeiger!", "http://www.openpetition.de", "not in it"}, []string{"Impressum", "31. Mai"})
	if c != (Counts{TP: 2, FN: 1, FP: 1, TN: 1}) {
		t.Errorf("counts %+v", c)
	}
	if s := c.Score(); math.Abs(s.Precision-2.0/3) > 1e-9 || math.Abs(s.Recall-2.0/3) > 1e-9 {
		t.Errorf("score %+v", s)
	}
}
