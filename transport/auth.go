package transport

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// requireToken demands "Authorization: Bearer <token>" when a token is set.
// It decides from the headers alone and closes the connection on refusal,
// so an unauthenticated client cannot hold the server reading a slow body.
// Tokens are only accepted in the header, never in the URL, where they
// would end up in logs and browser history.
func requireToken(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := bearer(r.Header.Get("Authorization"))
		// Comparing digests keeps the comparison constant-time whatever the
		// lengths.
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="scrapemcp"`)
			refuse(w, "missing or wrong bearer token", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearer reads an Authorization value. The scheme is case-insensitive
// (RFC 9110 §11.1).
// refuse answers without reading the request body and closes the
// connection: net/http would otherwise read up to 256 KB of an unread body
// to keep the connection, and a client that stalls its body would hold it.
func refuse(w http.ResponseWriter, msg string, status int) {
	w.Header().Set("Connection", "close")
	http.Error(w, msg, status)
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
}

func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", false
	}
	return tok, true
}

// checkOrigin refuses requests a browser sent from a page the server does
// not trust (the MCP transport spec says servers MUST validate Origin): by
// default only same-origin and loopback pages (a local Inspector) pass;
// allow adds exact origins, or "*" for any. Requests without Origin (every
// non-browser client) pass.
func checkOrigin(allow []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" && !originAllowed(o, r.Host, allow) {
			refuse(w, fmt.Sprintf("origin %q is not allowed (start the server with --allow-origins %s to allow it)", o, o), http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func originAllowed(origin, host string, allow []string) bool {
	for _, a := range allow {
		if a == "*" || strings.EqualFold(strings.TrimRight(a, "/"), origin) {
			return true
		}
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false // includes the opaque origin "null"
	}
	if strings.EqualFold(u.Host, host) {
		return true
	}
	return isLoopbackHost(u.Hostname())
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}

// CheckExposure refuses a listen address other machines can reach unless a
// token guards it or the operator said --insecure-no-auth explicitly. It
// returns a warning to print when the insecure choice was made.
func CheckExposure(addr, token string, insecureNoAuth bool) (warning string, err error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: %v", addr, err)
	}
	if isLoopbackHost(host) || token != "" {
		return "", nil
	}
	what := host
	if what == "" {
		what = "every interface"
	}
	if !insecureNoAuth {
		return "", fmt.Errorf("--addr %s listens on %s, reachable from other machines, without --auth-token: set --auth-token (or SCRAPEMCP_AUTH_TOKEN), listen on 127.0.0.1, or pass --insecure-no-auth to serve anyone who can reach the port", addr, what)
	}
	return fmt.Sprintf("WARNING: serving %s on %s with no authentication (--insecure-no-auth): anyone who can reach the port can use this server and its API credits", addr, what), nil
}
