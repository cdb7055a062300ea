package local

import (
	"bytes"
	"context"
	"fmt"
	"regexp"

	"github.com/scrapemcp/scrapemcp/client"
)

// shellText is the most readable text, in letters, a page may have and
// still count as an application shell.
const shellText = 200

// shellSigns are what single-page applications leave in the HTML they
// serve before their scripts run: an empty mount point, a framework's
// bootstrap data, a noscript plea. Matched case-insensitively on pages
// under 1 MiB only (a shell is small; a large page has content).
var shellSigns = []struct {
	re   *regexp.Regexp
	what string
}{
	{regexp.MustCompile(`(?i)<div[^>]+id=["']?(root|app|__next|__nuxt|svelte|main-app|react-root)["']?[^>]*>\s*</div>`), "an empty application mount point (<div id=\"$1\">)"},
	{regexp.MustCompile(`(?i)<(app-root)[\s>]`), "an Angular <app-root>"},
	{regexp.MustCompile(`(?i)id=["']__NEXT_DATA__["']`), "Next.js bootstrap data"},
	{regexp.MustCompile(`(?i)window\.__NUXT__`), "Nuxt bootstrap data"},
	{regexp.MustCompile(`(?is)<noscript[^>]*>[^<]{0,300}(enable|requires?|need)[^<]{0,40}javascript`), "a <noscript> note asking for JavaScript"},
	{regexp.MustCompile(`(?i)<script[^>]+type=["']module["'][^>]+src=`), "a module script and no text"},
}

// appShell names the sign that body, which yielded text letters of
// readable content, is a JavaScript application's empty shell; "" when it
// is not one.
func appShell(body []byte, text int) string {
	if text >= shellText || len(body) > 1<<20 || !bytes.Contains(bytes.ToLower(body), []byte("<script")) {
		return ""
	}
	for _, s := range shellSigns {
		if m := s.re.FindSubmatchIndex(body); m != nil {
			return string(s.re.Expand(nil, []byte(s.what), body, m))
		}
	}
	return ""
}

// shellWarningKey marks walks (crawls) that cannot render: an application
// shell there is kept, with a warning, rather than failing the page with
// advice (use_browser) that the local crawl cannot follow.
type shellWarningKey struct{}

func shellsAsWarnings(ctx context.Context) context.Context {
	return context.WithValue(ctx, shellWarningKey{}, true)
}

func shellWarning(ctx context.Context) bool {
	v, _ := ctx.Value(shellWarningKey{}).(bool)
	return v
}

func (p *Provider) jsRequired(target, shell string) *client.Error {
	msg := fmt.Sprintf("%s is a JavaScript application: the fetched HTML holds almost no text and %s. Call again with use_browser=true to render it", target, shell)
	if p.browser == nil {
		msg += fmt.Sprintf(" (this server has no browser yet: %s; install one, or use an API provider that renders)", p.noBrowser)
	}
	msg += `; mode "html" returns the shell as fetched.`
	return localErr(client.CodeJSRequired, msg, nil)
}

func crawlWithoutBrowser() *client.Error {
	e := localErr(client.CodeInvalidArgument,
		"the local crawl fetches pages without the browser; call crawl without use_browser, or render single pages with scrape or batch_scrape and use_browser=true "+
			"(an API provider, ANAKIN_API_KEY or ALTERLAB_API_KEY, crawls with rendering)", nil)
	e.Field = "use_browser"
	return e
}
