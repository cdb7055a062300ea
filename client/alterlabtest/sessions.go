package alterlabtest

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/scrapemcp/scrapemcp/client/internal/fakehttp"
)

// RouteSessions lists the stored sessions for authenticated scraping.
const RouteSessions = "GET /api/v1/sessions"

// Session is a stored cookie session (research §3.6). Status is active,
// expired or invalid (deleted or disabled: SESSION_INACTIVE).
type Session struct {
	ID, Name, Domain, Status string
	CookieNames              []string
}

// WithSessions gives the account stored sessions.
func WithSessions(list ...Session) Option {
	return func(s *Server) { s.sessions = append(s.sessions, list...) }
}

// checkSession answers a scrape body's session_id/cookies as the API does
// when they cannot be used, and reports whether the scrape may go on.
func (s *Server) checkSession(w http.ResponseWriter, r *http.Request, in *scrapeIn) bool {
	if in.SessionID == "" {
		return true
	}
	var fail Fault
	x, ok := Session{}, false
	for _, c := range s.sessions {
		if c.ID == in.SessionID {
			x, ok = c, true
		}
	}
	host := ""
	if u, err := url.Parse(in.URL); err == nil {
		host = strings.ToLower(u.Hostname())
	}
	switch {
	case len(in.Cookies) > 0:
		fail, _ = catalogFault("SESSION_COOKIES_CONFLICT", 400)
	case !ok:
		fail, _ = catalogFault("SESSION_NOT_FOUND", 404)
	case x.Status == "expired":
		fail, _ = catalogFault("SESSION_EXPIRED", 410)
	case x.Status == "invalid":
		fail, _ = catalogFault("SESSION_INACTIVE", 410)
	case host != x.Domain && !strings.HasSuffix(host, "."+x.Domain):
		fail, _ = catalogFault("SESSION_DOMAIN_MISMATCH", 400)
	default:
		return true
	}
	s.fail(w, r, fail)
	return false
}

// handleSessions is GET /api/v1/sessions?domain=&status=, answered
// {"sessions": […], "total": n}. Cookie values are never returned.
func (s *Server) handleSessions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	domain, status := strings.ToLower(q.Get("domain")), q.Get("status")
	list := []map[string]any{}
	created := s.now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)
	for _, x := range s.sessions {
		if (domain != "" && x.Domain != domain) || (status != "" && x.Status != status) {
			continue
		}
		list = append(list, map[string]any{"id": x.ID, "name": x.Name, "domain": x.Domain, "status": x.Status,
			"cookie_names": x.CookieNames, "header_names": []string{}, "created_at": created, "updated_at": created})
	}
	fakehttp.WriteJSON(w, http.StatusOK, map[string]any{"sessions": list, "total": len(list)})
}
