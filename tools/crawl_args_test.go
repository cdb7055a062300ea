package tools

import (
	"fmt"
	"testing"
	"time"

	"github.com/scrapemcp/scrapemcp/client"
)

// ignore_sitemap reaches the local fetcher as NoSitemap; an API provider,
// whose crawler takes no sitemap setting, is told to leave it out before
// any call.
func TestCrawlIgnoreSitemapIsLocalOnly(t *testing.T) {
	tests := []struct {
		provider  string
		ignore    bool
		wantField string // "" when the request is valid
	}{
		{client.Local, false, ""},
		{client.Local, true, ""},
		{client.AlterLab, false, ""},
		{client.AlterLab, true, "ignore_sitemap"},
		{client.Anakin, true, "ignore_sitemap"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%v", tc.provider, tc.ignore), func(t *testing.T) {
			cr, _, _, err := CrawlArgs{URL: "https://docs.example/", IgnoreSitemap: tc.ignore}.request(tc.provider, 20000, time.Second)
			switch {
			case tc.wantField == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tc.wantField != "" && (err == nil || err.Field != tc.wantField):
				t.Fatalf("error %v, want one naming %s", err, tc.wantField)
			case tc.wantField == "" && cr.NoSitemap != tc.ignore:
				t.Errorf("NoSitemap %v, want %v", cr.NoSitemap, tc.ignore)
			}
		})
	}
}
