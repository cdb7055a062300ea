package anakintest

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/scrapemcp/scrapemcp/client/internal/fakehttp"
)

// RouteSessions lists the account's saved browser sessions.
const RouteSessions = "GET /v1/sessions"

// Session is a saved browser session (research §4.10). Saved is false while
// its storage state is still uploading (attaching it is 422
// session_not_saved); InUse means another automation holds it (409
// session_in_use).
type Session struct {
	ID, Name, WebsiteURL string
	Active, Saved, InUse bool
	Cookies              int
}

// WithSessions gives the account saved browser sessions.
func WithSessions(list ...Session) Option {
	return func(s *Server) { s.sessions = append(s.sessions, list...) }
}

func (s *Server) session(id string) (Session, bool) {
	for _, x := range s.sessions {
		if x.ID == id {
			return x, true
		}
	}
	return Session{}, false
}

// checkSession answers a submit naming sessionID as the API does when it
// cannot attach it, and reports whether the submit may go on.
func (s *Server) checkSession(w http.ResponseWriter, r *http.Request, id string) bool {
	if id == "" {
		return true
	}
	x, ok := s.session(id)
	switch {
	case !ok:
		s.fail(w, r, Error(http.StatusNotFound, Flat, "not_found", "Session not found"))
	case !x.Saved:
		s.fail(w, r, Error(http.StatusUnprocessableEntity, Flat, "session_not_saved", "Session storage state has not been saved yet"))
	case x.InUse:
		s.fail(w, r, Error(http.StatusConflict, Flat, "session_in_use", "Session is attached to an active automation"))
	default:
		return true
	}
	return false
}

// handleSessions is GET /v1/sessions?domain=, answered {"sessions": […]}.
func (s *Server) handleSessions(w http.ResponseWriter, r *http.Request) {
	domain := strings.ToLower(r.URL.Query().Get("domain"))
	list := []map[string]any{}
	created := s.now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)
	for _, x := range s.sessions {
		host := ""
		if u, err := url.Parse(x.WebsiteURL); err == nil {
			host = u.Hostname()
		}
		if domain != "" && !strings.HasSuffix(host, domain) {
			continue
		}
		list = append(list, map[string]any{"sessionId": x.ID, "name": x.Name, "websiteUrl": x.WebsiteURL, "websiteDomain": host,
			"isActive": x.Active, "createdAt": created, "cookieCount": x.Cookies})
	}
	fakehttp.WriteJSON(w, http.StatusOK, map[string]any{"sessions": list})
}
