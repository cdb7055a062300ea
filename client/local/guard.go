package local

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// The SSRF guard. A page on the open web must not be able to make this
// server fetch something only this machine can reach: its loopback services,
// the private network around it, or a cloud metadata endpoint that hands out
// credentials. The check runs where the connection is made, on the address
// actually dialed, so it holds after DNS resolution and on every redirect
// hop, and DNS rebinding cannot slip past it.

type (
	lookupFunc func(ctx context.Context, host string) ([]netip.Addr, error)
	dialFunc   func(ctx context.Context, network, addr string) (net.Conn, error)
)

// blockedRange is one address range the guard refuses and the words used to
// tell the agent why ("a loopback address").
type blockedRange struct {
	prefix netip.Prefix
	what   string
}

// metadataAddrs answer with cloud credentials on AWS, GCP, Azure, OpenStack
// (169.254.169.254), AWS over IPv6 (fd00:ec2::254) and Alibaba
// (100.100.100.200). They fall in blocked ranges anyway; naming them makes
// the refusal clearer.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"),
	netip.MustParseAddr("fd00:ec2::254"),
	netip.MustParseAddr("100.100.100.200"),
}

// blockedRanges is read-only after init. Order matters only for the words
// chosen: the first match names the class.
var blockedRanges = func() []blockedRange {
	r := func(cidr, what string) blockedRange {
		return blockedRange{netip.MustParsePrefix(cidr), what}
	}
	return []blockedRange{
		r("0.0.0.0/32", "the unspecified address"),
		r("0.0.0.0/8", `a "this network" address (0.0.0.0/8)`),
		r("127.0.0.0/8", "a loopback address"),
		r("10.0.0.0/8", "a private address"),
		r("172.16.0.0/12", "a private address"),
		r("192.168.0.0/16", "a private address"),
		r("100.64.0.0/10", "a carrier-grade NAT address (100.64.0.0/10)"),
		r("169.254.0.0/16", "a link-local address"),
		r("192.0.0.0/24", "an IETF protocol assignment address"),
		r("192.0.2.0/24", "a documentation address"),
		r("198.18.0.0/15", "a benchmarking address"),
		r("198.51.100.0/24", "a documentation address"),
		r("203.0.113.0/24", "a documentation address"),
		r("224.0.0.0/4", "a multicast address"),
		r("255.255.255.255/32", "the broadcast address"),
		r("240.0.0.0/4", "a reserved address"),
		r("::/128", "the unspecified address"),
		r("::1/128", "a loopback address"),
		r("100::/64", "a discard-only address"),
		r("64:ff9b:1::/48", "a local NAT64 address"),
		r("2001:db8::/32", "a documentation address"),
		r("fc00::/7", "a private (unique local) address"),
		r("fe80::/10", "a link-local address"),
		r("fec0::/10", "a site-local address"),
		r("ff00::/8", "a multicast address"),
	}
}()

var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	compatV4    = netip.MustParsePrefix("::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// classifyAddr says why a is refused, or "" when it may be dialed. IPv6 forms
// that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by
// the address they carry, since that is where the packets end up.
func classifyAddr(a netip.Addr) string {
	a = a.WithZone("")
	for _, m := range metadataAddrs {
		if a == m {
			return "a cloud metadata address"
		}
	}
	if a.Is4In6() {
		if w := classifyAddr(a.Unmap()); w != "" {
			return w + " (IPv4-mapped)"
		}
		return ""
	}
	if a.Is6() {
		b := a.As16()
		var v4 [4]byte
		copy(v4[:], b[12:])
		switch {
		case nat64Prefix.Contains(a):
			if w := classifyAddr(netip.AddrFrom4(v4)); w != "" {
				return w + " (NAT64 form)"
			}
		case compatV4.Contains(a) && a != netip.IPv6Unspecified() && a != netip.IPv6Loopback():
			if w := classifyAddr(netip.AddrFrom4(v4)); w != "" {
				return w + " (IPv4-compatible form)"
			}
		case sixToFour.Contains(a):
			copy(v4[:], b[2:6])
			if w := classifyAddr(netip.AddrFrom4(v4)); w != "" {
				return w + " (6to4 form)"
			}
		}
	}
	for _, r := range blockedRanges {
		if r.prefix.Contains(a) {
			return r.what
		}
	}
	return ""
}

// blockedError is the guard's refusal. It is mapped to ssrf_blocked.
type blockedError struct {
	host string // as written in the URL; may be the address itself
	addr netip.Addr
	what string
}

func (e *blockedError) Error() string {
	if a, err := netip.ParseAddr(e.host); err == nil && a.WithZone("") == e.addr {
		return fmt.Sprintf("%s is %s", e.addr, e.what)
	}
	return fmt.Sprintf("%s resolves to %s, %s", e.host, e.addr, e.what)
}

// guard decides which addresses may be dialed and dials them.
type guard struct {
	names  map[string]bool // allow-listed host names, lower case, no trailing dot
	nets   []netip.Prefix  // allow-listed addresses and blocks
	ported []portEntry     // allow-listed host:port pairs
	lookup lookupFunc
	dial   dialFunc
}

// portEntry allows one port of a name or address only ("127.0.0.1:8080"),
// so a test server or a local dev site can be reached without opening every
// service on the same address.
type portEntry struct {
	name string       // lower-case host name, or "" for an address
	addr netip.Prefix // valid when name is ""
	port string
}

func newGuard(allow []string, hooks netHooks) (*guard, error) {
	g := &guard{names: map[string]bool{}, lookup: hooks.lookup, dial: hooks.dial}
	for _, raw := range allow {
		s := strings.TrimSpace(raw)
		if s == "" {
			continue
		}
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("local: allow-list entry %q is not a valid CIDR block (e.g. 10.0.0.0/8): %v", raw, err)
			}
			g.nets = append(g.nets, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
			a = a.WithZone("").Unmap()
			g.nets = append(g.nets, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		if host, port, err := net.SplitHostPort(s); err == nil {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				return nil, fmt.Errorf("local: allow-list entry %q has no valid port (1-65535)", raw)
			}
			e := portEntry{port: port}
			if a, err := netip.ParseAddr(host); err == nil {
				a = a.WithZone("").Unmap()
				e.addr = netip.PrefixFrom(a, a.BitLen())
			} else {
				e.name = normHostname(host)
				if e.name == "" || strings.ContainsAny(e.name, " :@?#\\/") {
					return nil, fmt.Errorf("local: allow-list entry %q is not host:port", raw)
				}
			}
			g.ported = append(g.ported, e)
			continue
		}
		name := normHostname(s)
		if strings.ContainsAny(name, " :@?#\\") {
			return nil, fmt.Errorf("local: allow-list entry %q is not a host name, IP address, host:port or CIDR block", raw)
		}
		g.names[name] = true
	}
	if g.lookup == nil {
		g.lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	if g.dial == nil {
		d := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
		g.dial = d.DialContext
	}
	return g, nil
}

func normHostname(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
}

// check returns a *blockedError when host's address a must not be dialed
// on port ("" when unknown: then only entries without a port apply).
func (g *guard) check(host string, a netip.Addr, port string) error {
	name := normHostname(host)
	if g.names[name] {
		return nil
	}
	plain := a.WithZone("").Unmap()
	for _, p := range g.nets {
		if p.Contains(plain) {
			return nil
		}
	}
	for _, e := range g.ported {
		if port != "" && e.port == port && (e.name != "" && e.name == name || e.name == "" && e.addr.Contains(plain)) {
			return nil
		}
	}
	if what := classifyAddr(a); what != "" {
		return &blockedError{host: host, addr: a.WithZone(""), what: what}
	}
	return nil
}

// checkLiteral refuses a URL host that is itself a blocked address, before
// any request is built. Names are left to dial time, after resolution.
func (g *guard) checkLiteral(host, port string) error {
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return nil
	}
	return g.check(host, a, port)
}

// dialContext is the transport's only way out. It resolves the name itself,
// refuses the whole name if any of its addresses is blocked (a name that
// mixes public and internal addresses is a rebinding attempt, not a
// mistake), then dials the vetted addresses one by one. It never dials a
// name, so the resolver cannot answer differently the second time.
func (g *guard) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		addrs, err = g.lookup(ctx, host)
		if err != nil {
			return nil, err
		}
		if len(addrs) == 0 {
			return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
	}
	for _, a := range addrs {
		if err := g.check(host, a, port); err != nil {
			return nil, err
		}
	}
	var firstErr error
	for _, a := range addrs {
		conn, err := g.dial(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

func isBlocked(err error) (*blockedError, bool) {
	var b *blockedError
	ok := errors.As(err, &b)
	return b, ok
}
