package local

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/scrapemcp/scrapemcp/client"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// site is a loopback test server that logs every request it gets.
type site struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
}

func newSite(t testing.TB, h http.Handler) *site {
	t.Helper()
	s := &site{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// paths lists the request URIs the site received, in order.
func (s *site) paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = r.URL.RequestURI()
	}
	return out
}

func (s *site) count(path string) int {
	n := 0
	for _, p := range s.paths() {
		if p == path {
			n++
		}
	}
	return n
}

// port is the site's port, for URLs that name it under another host.
func (s *site) port() string {
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.URL, "http://"))
	return port
}

// pages serves fixed bodies by path; robots.txt is a 404 unless given.
func pages(m map[string]string, contentType string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := m[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.URL.Path == "/robots.txt" {
			w.Header().Set("Content-Type", "text/plain")
		} else {
			w.Header().Set("Content-Type", contentType)
		}
		_, _ = w.Write([]byte(body))
	})
}

// dialLog records every address the provider dials and fails the test if
// one is not loopback: the guard must stop everything else first.
type dialLog struct {
	t     *testing.T
	mu    sync.Mutex
	addrs []string
}

func (d *dialLog) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.addrs = append(d.addrs, addr)
	d.mu.Unlock()
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.IsLoopback() {
		d.t.Errorf("dialed %s: only vetted loopback addresses may ever be dialed in tests", addr)
		return nil, errors.New("test dialer refuses non-loopback addresses")
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, addr)
}

func (d *dialLog) dialed() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.addrs...)
}

// fakeDNS answers from a fixed table and never touches the network.
func fakeDNS(table map[string]string) lookupFunc {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		v, ok := table[strings.ToLower(host)]
		if !ok {
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		var out []netip.Addr
		for _, s := range strings.Split(v, ",") {
			out = append(out, netip.MustParseAddr(s))
		}
		return out, nil
	}
}

// testProvider builds a Provider whose dials are logged and restricted to
// loopback, with no rate limit unless opts sets one.
func testProvider(t *testing.T, opts Options, dns map[string]string) (*Provider, *dialLog) {
	t.Helper()
	if opts.PerHostRate == 0 {
		opts.PerHostRate = -1
	}
	d := &dialLog{t: t}
	hooks := netHooks{dial: d.dial}
	if dns != nil {
		hooks.lookup = fakeDNS(dns)
	}
	p, err := newProvider(opts, hooks)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p, d
}

func loopbackOnly() Options { return Options{AllowHosts: []string{"127.0.0.1"}} }

// wantCode fails unless err is a local *client.Error with code.
func wantCode(t *testing.T, err error, code string) *client.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	var ce *client.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %T %v is not a *client.Error", err, err)
	}
	if ce.Provider != client.Local || ce.Code != code {
		t.Fatalf("got %s/%s (%s), want local/%s", ce.Provider, ce.Code, ce.Message, code)
	}
	return ce
}
