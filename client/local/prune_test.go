package local

import (
	"net/url"
	"strings"
	"testing"
)

// harbourArticle ends a page readability accepts as an article with body,
// where sites put their furniture.
func harbourArticle(body string) string {
	p := "<p>The council met on Tuesday evening and agreed, after a long debate, to rebuild the old harbour wall before the winter storms arrive; work starts next month and should take about a year.</p>"
	return "<html><head><title>Harbour wall</title></head><body><article><h1>Harbour wall</h1>" + p + p + p + body + "</article></body></html>"
}

func TestPruneBoilerplate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		body       string
		gone, kept []string
	}{
		{"share bar by class", `<div class="post-share-buttons"><a href="https://example.com/x">Share on Mastodon</a></div>`, []string{"Mastodon"}, nil},
		{"newsletter box by class", `<div class="newsletter-signup"><h3>Our letter</h3><p>Sign up for our weekly letter.</p></div>`, []string{"weekly letter"}, nil},
		{"class words only, not parts of words", `<div class="shared-memory"><p>Shared memory keeps the counters in one place for every worker.</p></div>`, nil, []string{"Shared memory"}},
		{"ids are not read", `<div id="sharing-with-a-developer"><p>Sharing with a developer works through a common repository.</p></div>`, nil, []string{"Sharing with a developer"}},
		{"share links and empty icon links", `<p><a href="https://www.facebook.com/sharer.php?u=x">Facebook</a> <a href="https://example.com/profile"></a> Read on.</p>`, []string{"Facebook", "example.com/profile"}, []string{"Read on."}},
		{"photo credit", `<p>© Photo Agency / Jane Doe</p><p>Credit: City archive</p>`, []string{"Photo Agency", "City archive"}, nil},
		{"related section by heading", `<h2>Related articles</h2><p><a href="/a">Storm damage last year</a></p><h2>Costs</h2><p>It costs four million.</p>`, []string{"Storm damage"}, []string{"Costs", "four million"}},
		{"German teaser heading", `<h3>Das könnte Sie auch interessieren:</h3><ul><li><a href="/a">Eins</a></li></ul>`, []string{"Eins"}, nil},
		{"logo, pixel and placeholder images", `<p><img src="/img/site-logo.png" alt="Daily"> <img src="/t.gif" width="1" height="1" alt="t"> <img src="data:image/gif;base64,R0lGOD" alt="lazy"> <img src="/photo.jpg" alt="The wall at low tide"></p>`, []string{"site-logo", "t.gif", "data:image", "Daily"}, []string{"The wall at low tide"}},
		{"logo the article shows, linked to its file page", `<p><a href="/wiki/File:Gecko_logo_2013.svg"><img src="https://upload.example/thumb/220px-Gecko_logo_2013.svg.png" width="220" height="233" alt="Gecko engine logo"></a></p>`, nil, []string{"Gecko engine logo", "220px-Gecko_logo_2013"}},
		{"logo the article shows, linked to its full-size upload", `<p><a href="/uploads/wireshark-logo.png"><img src="/uploads/wireshark-logo-200x200.png" width="200" height="200" alt="Wireshark"></a></p>`, nil, []string{"wireshark-logo-200x200"}},
		{"logo in a captioned figure", `<figure><img src="/img/harbour-board-logo.png" alt="Board emblem"><figcaption>The harbour board's new emblem, adopted in May.</figcaption></figure>`, nil, []string{"harbour-board-logo"}},
		{"site logo linked to the home page", `<p><a href="https://news.example/"><img src="/img/brand.png" width="377" alt="logo"></a></p>`, []string{"brand.png"}, nil},
		{"sponsor logo linked to the sponsor", `<p><a href="https://sponsor.example/"><img src="/uploads/logo_sponsor.jpg" width="305" alt="Sponsor"></a></p>`, []string{"logo_sponsor"}, nil},
		{"icon-sized logo even when linked to its file", `<p><a href="/wiki/File:Commons-logo.svg"><img src="/thumb/30px-Commons-logo.svg.png" width="30" height="40" alt=""></a></p>`, []string{"Commons-logo"}, nil},
		{"alt that repeats the caption", `<figure><img src="/w.jpg" alt="The wall in 1911"><figcaption>The wall in 1911, before the storm.</figcaption></figure>`, []string{"![The wall in 1911]"}, []string{"The wall in 1911, before the storm."}},
		{"trailing link list", `<ul><li><a href="/1">One story</a></li><li><a href="/2">Two story</a></li><li><a href="/3">Three story</a></li></ul>`, []string{"One story"}, nil},
		{"a link list in the middle is content", `<ul><li><a href="/b1">Bug 1 fixed</a></li><li><a href="/b2">Bug 2 fixed</a></li><li><a href="/b3">Bug 3 fixed</a></li></ul>` + strings.Repeat("<p>More words about what the fixes change for people who sail into the harbour each week.</p>", 4), nil, []string{"Bug 2 fixed"}},
		{"table of contents is content", `<ul><li><a href="#a">Alpha part</a></li><li><a href="#b">Beta part</a></li><li><a href="#c">Gamma part</a></li></ul>`, nil, []string{"Beta part"}},
	}
	p, _ := testProvider(t, Options{}, nil)
	base, _ := url.Parse("https://news.example/2024/wall")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ex, err := p.extractHTML(t.Context(), harbourArticle(tc.body), base, extractOpts{onlyMain: true, markdown: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.gone {
				if strings.Contains(ex.markdown, s) {
					t.Errorf("%q kept:\n%s", s, ex.markdown)
				}
			}
			for _, s := range tc.kept {
				if !strings.Contains(ex.markdown, s) {
					t.Errorf("%q lost:\n%s", s, ex.markdown)
				}
			}
			if !strings.Contains(ex.markdown, "harbour wall") {
				t.Errorf("the article itself is gone:\n%s", ex.markdown)
			}
		})
	}
}

// only_main_content false keeps the whole page: nothing is pruned.
func TestPruneOnlyWithMainContent(t *testing.T) {
	t.Parallel()
	p, _ := testProvider(t, Options{}, nil)
	base, _ := url.Parse("https://news.example/2024/wall")
	ex, err := p.extractHTML(t.Context(), harbourArticle(`<div class="newsletter"><h3>Our letter</h3><p>Sign up for our weekly letter.</p></div>`), base, extractOpts{markdown: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ex.markdown, "weekly letter") {
		t.Errorf("whole page lost the newsletter box:\n%s", ex.markdown)
	}
}
