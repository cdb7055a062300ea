package local

import (
	"net/url"
	"testing"
)

func TestNormalizeURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"lower-cases scheme and host", "HTTP://Example.COM/Path", "http://example.com/Path"},
		{"strips the http default port", "http://example.com:80/a", "http://example.com/a"},
		{"strips the https default port", "https://example.com:443/a", "https://example.com/a"},
		{"keeps other ports", "https://example.com:8443/a", "https://example.com:8443/a"},
		{"keeps port 80 on https", "https://example.com:80/a", "https://example.com:80/a"},
		{"drops leading zeros of a port", "http://example.com:0080/", "http://example.com/"},
		{"strips the fragment", "http://example.com/a#section", "http://example.com/a"},
		{"sorts query parameters", "http://example.com/a?b=2&a=1", "http://example.com/a?a=1&b=2"},
		{"keeps the order of repeated names", "http://example.com/a?x=2&a=0&x=1", "http://example.com/a?a=0&x=2&x=1"},
		{"removes an empty query", "http://example.com/a?", "http://example.com/a"},
		{"removes empty parameters", "http://example.com/a?&a=1&&", "http://example.com/a?a=1"},
		{"resolves dot segments", "http://example.com/a/./b/../c", "http://example.com/a/c"},
		{"cannot climb above the root", "http://example.com/../../a", "http://example.com/a"},
		{"keeps a trailing slash after dots", "http://example.com/a/b/..", "http://example.com/a/"},
		{"adds the root path", "http://example.com", "http://example.com/"},
		{"keeps /a and /a/ apart (a)", "http://example.com/a", "http://example.com/a"},
		{"keeps /a and /a/ apart (a/)", "http://example.com/a/", "http://example.com/a/"},
		{"keeps path case", "http://example.com/A/b", "http://example.com/A/b"},
		{"upper-cases escapes", "http://example.com/a%2fb", "http://example.com/a%2Fb"},
		{"decodes unreserved escapes", "http://example.com/%7Euser/%41", "http://example.com/~user/A"},
		{"decoded dots are dot segments", "http://example.com/a/%2E%2E/b", "http://example.com/b"},
		{"escapes a space", "http://example.com/a b", "http://example.com/a%20b"},
		{"drops a trailing dot on the host", "http://example.com./a", "http://example.com/a"},
		{"canonical IPv6", "http://[0:0::1]:8080/", "http://[::1]:8080/"},
		{"normalises query escapes", "http://example.com/?q=%7e%2f", "http://example.com/?q=~%2F"},
	}
	for _, tc := range tests {
		got, err := normalizeURL(tc.in)
		if err != nil {
			t.Errorf("%s: normalizeURL(%q): %v", tc.name, tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: normalizeURL(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "/relative", "mailto:a@b.c", "ftp://example.com/", "http:opaque", "http://", "http://exa%41mple.com/", "http://example.com:99999/"} {
		if got, err := normalizeURL(bad); err == nil {
			t.Errorf("normalizeURL(%q) = %q, want an error", bad, got)
		}
	}
}

func TestNormalizeURLMakesDuplicatesEqual(t *testing.T) {
	t.Parallel()
	same := []string{
		"http://Example.com:80/a/b?y=2&x=1#frag",
		"http://example.com/a/./b?x=1&y=2",
		"HTTP://EXAMPLE.COM/a/c/../b?x=1&y=2#",
		"http://example.com./a/b?&x=1&y=2",
		"http://example.com/a/%62?x=1&y=2",
	}
	want, _ := normalizeURL(same[0])
	for _, s := range same[1:] {
		if got, _ := normalizeURL(s); got != want {
			t.Errorf("normalizeURL(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{
		"http://example.com/a/./b/../c?b=2&a=1#f", "HTTPS://EXAMPLE.COM:443/%7e/", "http://[::1]:80/", "http://a/b c?d e",
		"http://user:p%40ss@host/x", "http://h/%2e%2E/%zz?%zz=1&&", "http://h/a/b/..", "http://h:65535/?a=%41",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := normalizeURL(s)
		if err != nil {
			return
		}
		again, err := normalizeURL(n)
		if err != nil {
			t.Fatalf("normalizeURL(%q) = %q, which does not normalise again: %v", s, n, err)
		}
		if again != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, again)
		}
		if _, err := url.Parse(n); err != nil {
			t.Fatalf("normalizeURL(%q) = %q does not parse: %v", s, n, err)
		}
	})
}
