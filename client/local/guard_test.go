package local

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/scrapemcp/scrapemcp/client"
)

func TestClassifyAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr string
		want string // "" = allowed
	}{
		{"93.184.216.34", ""},
		{"8.8.8.8", ""},
		{"2606:4700::1111", ""},
		{"127.0.0.1", "a loopback address"},
		{"127.255.0.9", "a loopback address"},
		{"::1", "a loopback address"},
		{"10.0.0.1", "a private address"},
		{"172.16.5.4", "a private address"},
		{"172.32.0.1", ""},
		{"192.168.1.1", "a private address"},
		{"fd12:3456::1", "a private (unique local) address"},
		{"169.254.10.10", "a link-local address"},
		{"fe80::1", "a link-local address"},
		{"fe80::1%eth0", "a link-local address"},
		{"100.64.0.1", "a carrier-grade NAT address (100.64.0.0/10)"},
		{"169.254.169.254", "a cloud metadata address"},
		{"fd00:ec2::254", "a cloud metadata address"},
		{"100.100.100.200", "a cloud metadata address"},
		{"0.0.0.0", "the unspecified address"},
		{"0.1.2.3", `a "this network" address (0.0.0.0/8)`},
		{"::", "the unspecified address"},
		{"224.0.0.1", "a multicast address"},
		{"ff02::1", "a multicast address"},
		{"255.255.255.255", "the broadcast address"},
		{"::ffff:127.0.0.1", "a loopback address (IPv4-mapped)"},
		{"::ffff:169.254.169.254", "a cloud metadata address (IPv4-mapped)"},
		{"::ffff:8.8.8.8", ""},
		{"::127.0.0.1", "a loopback address (IPv4-compatible form)"},
		{"::10.1.2.3", "a private address (IPv4-compatible form)"},
		{"64:ff9b::7f00:1", "a loopback address (NAT64 form)"},
		{"64:ff9b::a9fe:a9fe", "a cloud metadata address (NAT64 form)"},
		{"64:ff9b::808:808", ""},
		{"2002:7f00:1::", "a loopback address (6to4 form)"},
		{"2002:0a00:0001::1", "a private address (6to4 form)"},
	}
	for _, tc := range tests {
		if got := classifyAddr(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("classifyAddr(%s) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

func TestGuardAllowList(t *testing.T) {
	t.Parallel()
	g, err := newGuard([]string{"Intranet.Example.", "10.1.0.0/16", "::1", "127.0.0.1", "127.0.0.9:8080", "dev.local:3000", "[fd00::7]:443"}, netHooks{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host, addr, port string
		allowed          bool
	}{
		{"intranet.example", "10.9.9.9", "80", true}, // by name, whatever it resolves to
		{"x.example", "10.1.2.3", "80", true},        // by block
		{"x.example", "10.2.0.1", "80", false},
		{"x.example", "::1", "80", true},
		{"x.example", "::ffff:127.0.0.1", "80", true}, // mapped form of an allowed address
		{"x.example", "127.0.0.2", "80", false},
		{"x.example", "169.254.169.254", "80", false},
		{"127.0.0.9", "127.0.0.9", "8080", true}, // host:port allows that port only
		{"127.0.0.9", "127.0.0.9", "8081", false},
		{"127.0.0.9", "127.0.0.9", "", false},
		{"dev.local", "10.3.3.3", "3000", true},
		{"dev.local", "10.3.3.3", "3001", false},
		{"x.example", "fd00::7", "443", true},
		{"x.example", "fd00::7", "80", false},
	}
	for _, tc := range tests {
		err := g.check(tc.host, netip.MustParseAddr(tc.addr), tc.port)
		if (err == nil) != tc.allowed {
			t.Errorf("check(%s, %s, %q) = %v, want allowed=%v", tc.host, tc.addr, tc.port, err, tc.allowed)
		}
	}
}

func TestGuardRejectsMalformedPortEntries(t *testing.T) {
	t.Parallel()
	for _, entry := range []string{"127.0.0.1:0", "127.0.0.1:99999", "host:http", "a b:80"} {
		if _, err := newGuard([]string{entry}, netHooks{}); err == nil {
			t.Errorf("newGuard(%q) accepted a malformed entry", entry)
		}
	}
}

// Every case here must be refused by the guard before a connection is
// attempted: the dial log must stay empty, and the loopback site must see
// no request.
func TestSSRFRefusedWithoutAllowList(t *testing.T) {
	t.Parallel()
	s := newSite(t, pages(map[string]string{"/": "<p>secret</p>", "/robots.txt": ""}, "text/html"))
	port := s.port()
	tests := []struct {
		name, url, inMessage string
	}{
		{"loopback test server", s.URL + "/", "127.0.0.1 is a loopback address"},
		{"ipv6 loopback", "http://[::1]:" + port + "/", "::1 is a loopback address"},
		{"metadata", "http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"},
		{"private", "http://10.0.0.1/", "10.0.0.1 is a private address"},
		{"ipv6 metadata", "http://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata address"},
		{"cgnat", "http://100.64.0.1/", "100.64.0.1 is a carrier-grade NAT address"},
		{"mapped loopback", "http://[::ffff:127.0.0.1]:" + port + "/", "a loopback address (IPv4-mapped)"},
		{"decimal loopback", "http://2130706433:" + port + "/", ""}, // not an IP to Go: resolves as a name, fails in DNS
		{"name resolving to loopback", "http://localhost:" + port + "/", "localhost resolves to 127.0.0.1, a loopback address"},
		{"name resolving to public and private", "http://mixed.example:" + port + "/", "resolves to 10.0.0.7, a private address"},
		{"https on private", "https://10.0.0.1/", "10.0.0.1 is a private address"},
	}
	dns := map[string]string{"localhost": "127.0.0.1,::1", "mixed.example": "93.184.216.34,10.0.0.7"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, d := testProvider(t, Options{}, dns)
			_, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: tc.url})
			if tc.inMessage == "" {
				if err == nil {
					t.Fatal("fetched")
				}
			} else {
				ce := wantCode(t, err, client.CodeSSRFBlocked)
				if !strings.Contains(ce.Message, tc.inMessage) || !strings.Contains(ce.Message, "--allow-hosts") {
					t.Errorf("message %q lacks %q", ce.Message, tc.inMessage)
				}
			}
			if got := d.dialed(); len(got) != 0 {
				t.Errorf("dialed %q", got)
			}
		})
	}
	t.Cleanup(func() {
		if got := s.paths(); len(got) != 0 {
			t.Errorf("the loopback site received %q", got)
		}
	})
}

func TestSSRFRedirectToBlockedAddressIsRefused(t *testing.T) {
	t.Parallel()
	targets := map[string]string{
		"/to-metadata": "http://169.254.169.254/latest/meta-data/",
		"/to-private":  "http://10.0.0.1/",
		"/to-mapped":   "http://[::ffff:10.0.0.1]/",
		"/to-name":     "http://internal.example/",
	}
	s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if to, ok := targets[r.URL.Path]; ok {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		http.NotFound(w, r)
	}))
	p, d := testProvider(t, loopbackOnly(), map[string]string{"internal.example": "10.0.0.2"})
	for path := range targets {
		_, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: s.URL + path})
		wantCode(t, err, client.CodeSSRFBlocked)
	}
	for _, a := range d.dialed() {
		if !strings.HasPrefix(a, "127.0.0.1:") {
			t.Errorf("dialed %s", a)
		}
	}
}

// The first hop is allowed by host name; the redirect names the same
// server by its address, which is not allowed, so the second hop must be
// refused and never reach the server.
func TestSSRFRedirectChainEndingAtLoopback(t *testing.T) {
	t.Parallel()
	var s *site
	s = newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/start":
			http.Redirect(w, r, "/hop", http.StatusFound)
		case "/hop":
			http.Redirect(w, r, "http://127.0.0.1:"+s.port()+"/inside", http.StatusFound)
		case "/inside":
			w.Write([]byte("must not be served"))
		default:
			http.NotFound(w, r)
		}
	}))
	p, d := testProvider(t, Options{AllowHosts: []string{"site.example"}}, map[string]string{"site.example": "127.0.0.1"})
	_, err := p.Scrape(t.Context(), client.ScrapeRequest{URL: "http://site.example:" + s.port() + "/start"})
	ce := wantCode(t, err, client.CodeSSRFBlocked)
	if !strings.Contains(ce.Message, "127.0.0.1 is a loopback address") {
		t.Errorf("message %q", ce.Message)
	}
	if n := s.count("/inside"); n != 0 {
		t.Errorf("/inside was requested %d times", n)
	}
	if s.count("/start") != 1 || s.count("/hop") != 1 {
		t.Errorf("requests %q", s.paths())
	}
	if len(d.dialed()) == 0 {
		t.Error("the allowed first hop was never dialed")
	}
}
