package local

import (
	"errors"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// normalizeURL is the form in which crawls and maps compare, store and fetch
// URLs, so that links naming the same resource are visited once:
//
//   - scheme and host in lower case, a trailing dot and the default port
//     (80 for http, 443 for https) removed, IPv6 addresses in canonical form;
//   - the fragment removed (it never reaches the server);
//   - dot segments ("/a/./b/../c") resolved, an empty path made "/";
//   - percent-escapes in upper case, escapes of unreserved characters
//     ("%7E" for "~") decoded;
//   - query parameters sorted by name (values of one name keep their
//     order), empty parameters and an empty "?" removed.
//
// "/a" and "/a/" stay distinct: servers may answer them differently, and a
// directory and a file of the same name are not the same page. Path case is
// kept: paths are case-sensitive. Only http and https URLs normalise.
func normalizeURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", err
	}
	return normalize(u)
}

var errNotWebURL = errors.New("not an absolute http(s) URL")

func normalize(u *url.URL) (string, error) {
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "http" && scheme != "https") || u.Opaque != "" {
		return "", errNotWebURL
	}
	host := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	if host == "" || strings.ContainsAny(host, "/?#@%\\[] \t\r\n") {
		return "", errNotWebURL
	}
	if a, err := netip.ParseAddr(host); err == nil {
		host = a.String()
	} else if strings.Contains(host, ":") {
		return "", errNotWebURL
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", errNotWebURL
		}
		if strconv.Itoa(n) != defaultPort(scheme) {
			host += ":" + strconv.Itoa(n)
		}
	}
	var b strings.Builder
	b.WriteString(scheme)
	b.WriteString("://")
	if u.User != nil {
		b.WriteString(u.User.String())
		b.WriteByte('@')
	}
	b.WriteString(host)
	b.WriteString(removeDotSegments(normalizeEscapes(u.EscapedPath())))
	if q := normalizeQuery(u.RawQuery); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	return b.String(), nil
}

// normalizeEscapes upper-cases percent-escapes and decodes the ones that
// stand for unreserved characters (RFC 3986 §6.2.2.2). Malformed escapes are
// left alone.
func normalizeEscapes(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			b.WriteByte(s[i])
			continue
		}
		c := unhex(s[i+1])<<4 | unhex(s[i+2])
		if isUnreserved(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteString(strings.ToUpper(s[i+1 : i+3]))
		}
		i += 2
	}
	return b.String()
}

// removeDotSegments is RFC 3986 §5.2.4 for an absolute path.
func removeDotSegments(p string) string {
	if p == "" {
		return "/"
	}
	if !strings.Contains(p, ".") {
		return p
	}
	segs := strings.Split(p, "/")[1:] // p starts with "/"
	var out []string
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}

// normalizeQuery sorts parameters by name, stably, so repeated names keep
// their order (a=2&a=1 may mean a list). Parameters are compared and kept
// as written, apart from escape normalisation.
func normalizeQuery(q string) string {
	if q == "" {
		return ""
	}
	var params []string
	for _, p := range strings.Split(escapeQueryBytes(q), "&") {
		if p != "" {
			params = append(params, normalizeEscapes(p))
		}
	}
	slices.SortStableFunc(params, func(a, b string) int {
		ka, _, _ := strings.Cut(a, "=")
		kb, _, _ := strings.Cut(b, "=")
		return strings.Compare(ka, kb)
	})
	return strings.Join(params, "&")
}

// escapeQueryBytes percent-encodes bytes that may not appear raw in a
// query (RFC 3986 §3.4): spaces, controls, non-ASCII and a few delimiters.
// net/url keeps a query as written, so without this a trailing space would
// not survive a round trip.
func escapeQueryBytes(q string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"<>\^`+"`"+`{|}`, c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
