package local

import (
	"strings"
	"testing"
)

func TestAppShellSigns(t *testing.T) {
	long := strings.Repeat("Real words of a real article. ", 20)
	tests := []struct {
		name, html string
		text       int
		want       string // a part of the sign named; "" = not a shell
	}{
		{"react mount point", `<div id="root"></div><script src="/main.js"></script>`, 0, `id="root"`},
		{"vue mount point", `<div id='app'>  </div><script src="/app.js"></script>`, 10, `id="app"`},
		{"next.js data", `<div id="__next"><p>Loading</p></div><script id="__NEXT_DATA__" type="application/json">{}</script>`, 7, "Next.js"},
		{"angular root", `<app-root></app-root><script src="main.js"></script>`, 0, "Angular"},
		{"noscript plea", `<noscript>You need to enable JavaScript to run this app.</noscript><script src="x.js"></script>`, 40, "noscript"},
		{"module script, no text", `<script type="module" src="/assets/index.js"></script>`, 0, "module script"},
		{"a small static page", `<h1>Hello</h1><p>Short.</p>`, 11, ""},
		{"scripts but no signs", `<p>Short note.</p><script src="/analytics.js"></script>`, 10, ""},
		{"a mount point with content", `<div id="root"></div><script src="/main.js"></script><p>` + long + `</p>`, len(long), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := appShell([]byte("<html><body>"+tc.html+"</body></html>"), tc.text)
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("appShell = %q, want %q", got, tc.want)
			}
		})
	}
}
