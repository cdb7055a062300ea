package local

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"

	"github.com/scrapemcp/scrapemcp/client"
)

// siteScope says which links belong to the site a crawl or map started on:
// the same host name (any port, http or https), or with subdomains, any
// host under the same registrable domain (example.co.uk for
// docs.example.co.uk, per the public suffix list).
type siteScope struct {
	hosts      []string // the start host, and the host it redirected to
	domains    []string // their registrable domains
	subdomains bool
}

func newScope(u *url.URL, subdomains bool) siteScope {
	return siteScope{subdomains: subdomains}.widen(u)
}

// widen adds u's host to the scope. A start URL that redirects elsewhere
// (example.com to www.example.com) would otherwise leave every link on the
// page off-site.
func (s siteScope) widen(u *url.URL) siteScope {
	host := normHostname(u.Hostname())
	domain := host
	if _, err := netip.ParseAddr(host); err != nil {
		if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
			domain = d
		}
	}
	s.hosts = append(slices.Clip(s.hosts), host)
	s.domains = append(slices.Clip(s.domains), domain)
	return s
}

func (s siteScope) contains(u *url.URL) bool {
	h := normHostname(u.Hostname())
	if slices.Contains(s.hosts, h) {
		return true
	}
	if !s.subdomains {
		return false
	}
	for _, d := range s.domains {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

// pathPattern is one include/exclude glob, matched against a URL's path:
//
//   - "*" matches within one path segment, "**" across segments, "?" one
//     character other than "/";
//   - a pattern matches a path when it matches the whole path or a leading
//     run of its segments, so "/blog" and "/blog/*" both cover
//     "/blog/2024/post" (a pattern ending in "/" covers everything below);
//   - a pattern not starting with "/" matches at any depth: "*.pdf" is
//     "**/*.pdf".
//
// Paths are matched decoded and patterns may be written either way:
// "/café/*" and "/caf%C3%A9/*" both cover "/caf%C3%A9/menu". The query
// string takes no part.
type pathPattern struct {
	src string
	re  *regexp.Regexp
}

func compilePatterns(field string, srcs []string) ([]pathPattern, error) {
	var out []pathPattern
	for _, s := range srcs {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if len(s) > 500 {
			e := localErr(client.CodeInvalidArgument, fmt.Sprintf("%s: a path pattern may be at most 500 characters", field), nil)
			e.Field = field
			return nil, e
		}
		out = append(out, pathPattern{src: s, re: regexp.MustCompile(globRegexp(unescapePattern(s)))})
	}
	return out, nil
}

// unescapePattern decodes a pattern's percent-escapes ("/caf%C3%A9/*"), as
// URL paths are matched decoded ("/café/..."). A pattern that is not valid
// escaping is kept as written.
func unescapePattern(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if u, err := url.PathUnescape(s); err == nil && utf8.ValidString(u) {
		return u
	}
	return s
}

func globRegexp(glob string) string {
	var b strings.Builder
	b.WriteString("^")
	if !strings.HasPrefix(glob, "/") {
		b.WriteString("(?:.*/)?")
	}
	for i := 0; i < len(glob); i++ {
		switch c := glob[i]; {
		case c == '*' && strings.HasPrefix(glob[i:], "**/"):
			b.WriteString("(?:.*/)?") // "/a/**/z" covers "/a/z" too
			i += 2
		case c == '*' && i+1 < len(glob) && glob[i+1] == '*':
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			// Whole characters, not bytes: a byte of "é" quoted alone is
			// invalid UTF-8, which the regexp reads as U+FFFD.
			r, w := utf8.DecodeRuneInString(glob[i:])
			b.WriteString(regexp.QuoteMeta(string(r)))
			i += w - 1
		}
	}
	if strings.HasSuffix(glob, "/") {
		b.WriteString(".*")
	} else {
		b.WriteString("(?:/.*)?")
	}
	b.WriteString("$")
	return b.String()
}

// pathAllowed applies include (any must match, when there are any) then
// exclude (none may match).
func pathAllowed(path string, include, exclude []pathPattern) bool {
	if path == "" {
		path = "/"
	}
	if len(include) > 0 && !matchesAny(path, include) {
		return false
	}
	return !matchesAny(path, exclude)
}

func matchesAny(path string, ps []pathPattern) bool {
	for _, p := range ps {
		if p.re.MatchString(path) {
			return true
		}
	}
	return false
}

// skipExtensions are files a crawl does not fetch: they are never pages,
// and fetching them only to refuse them would cost the site bandwidth. PDFs
// are fetched, so the answer says which provider can read them.
var skipExtensions = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".avif": true, ".ico": true, ".bmp": true, ".svg": true,
	".mp3": true, ".mp4": true, ".m4a": true, ".webm": true, ".ogg": true, ".wav": true, ".mov": true, ".avi": true,
	".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".7z": true, ".rar": true, ".tar": true,
	".exe": true, ".dmg": true, ".iso": true, ".apk": true, ".msi": true, ".deb": true, ".rpm": true,
	".woff": true, ".woff2": true, ".ttf": true, ".otf": true, ".eot": true, ".css": true, ".js": true,
}

func skippedExtension(path string) bool {
	i := strings.LastIndexByte(path, '.')
	if i < 0 || strings.Contains(path[i:], "/") {
		return false
	}
	return skipExtensions[strings.ToLower(path[i:])]
}
