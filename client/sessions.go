package client

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

var (
	_ SessionLister = (*AnakinClient)(nil)
	_ SessionLister = (*AlterLabClient)(nil)
)

// Sessions implements SessionLister: GET /sessions?domain=, Anakin's saved
// browser sessions (a list, or {"sessions": […]}).
func (c *AnakinClient) Sessions(ctx context.Context, req SessionsRequest) (*SessionList, error) {
	q := url.Values{}
	if d := strings.TrimSpace(req.Domain); d != "" {
		q.Set("domain", d)
	}
	r, err := c.api.do(ctx, call{method: http.MethodGet, path: "/sessions", query: q})
	if err != nil {
		return nil, err
	}
	var list []struct {
		SessionID     lenientString `json:"sessionId"`
		ID            lenientString `json:"id"`
		Name          lenientString `json:"name"`
		WebsiteURL    lenientString `json:"websiteUrl"`
		WebsiteDomain lenientString `json:"websiteDomain"`
		IsActive      *lenientBool  `json:"isActive"`
		CreatedAt     lenientString `json:"createdAt"`
		LastUsedAt    lenientString `json:"lastUsedAt"`
		ExpiresAt     lenientString `json:"expiresAt"`
		CookieCount   lenientNumber `json:"cookieCount"`
	}
	if err := c.api.decode(&response{status: r.status, header: r.header, body: unwrapList(r.body, "sessions")}, &list); err != nil {
		return nil, err
	}
	out := &SessionList{Sessions: []Session{}}
	for _, s := range list {
		x := Session{ID: firstNonEmpty(string(s.SessionID), string(s.ID)), Name: string(s.Name),
			Domain: firstNonEmpty(string(s.WebsiteDomain), string(s.WebsiteURL)), CreatedAt: string(s.CreatedAt),
			LastUsedAt: string(s.LastUsedAt), ExpiresAt: string(s.ExpiresAt), CookieCount: s.CookieCount.int()}
		if s.IsActive != nil {
			x.Status = "inactive"
			if *s.IsActive {
				x.Status = "active"
			}
		}
		out.Sessions = append(out.Sessions, x)
	}
	return out, nil
}

// Sessions implements SessionLister: GET /sessions?domain=&status=,
// AlterLab's stored cookie sessions ({"sessions": […], "total": n}; cookie
// values are never returned).
func (c *AlterLabClient) Sessions(ctx context.Context, req SessionsRequest) (*SessionList, error) {
	q := url.Values{}
	if d := strings.TrimSpace(req.Domain); d != "" {
		q.Set("domain", d)
	}
	if s := strings.TrimSpace(req.Status); s != "" {
		q.Set("status", s)
	}
	r, err := c.api.do(ctx, call{method: http.MethodGet, path: "/sessions", query: q})
	if err != nil {
		return nil, err
	}
	var list []struct {
		ID          lenientString `json:"id"`
		Name        lenientString `json:"name"`
		Domain      lenientString `json:"domain"`
		Status      lenientString `json:"status"`
		CookieNames []string      `json:"cookie_names"`
		CreatedAt   lenientString `json:"created_at"`
		LastUsedAt  lenientString `json:"last_used_at"`
		ExpiresAt   lenientString `json:"expires_at"`
	}
	if err := c.api.decode(&response{status: r.status, header: r.header, body: unwrapList(r.body, "sessions")}, &list); err != nil {
		return nil, err
	}
	out := &SessionList{Sessions: []Session{}}
	for _, s := range list {
		out.Sessions = append(out.Sessions, Session{ID: string(s.ID), Name: string(s.Name), Domain: string(s.Domain),
			Status: string(s.Status), CookieNames: s.CookieNames, CookieCount: len(s.CookieNames), CreatedAt: string(s.CreatedAt),
			LastUsedAt: string(s.LastUsedAt), ExpiresAt: string(s.ExpiresAt)})
	}
	return out, nil
}

// unwrapList returns the list in body: body itself when it is an array, or
// its key field ({"sessions": […]}); an absent or null list is empty.
func unwrapList(body []byte, key string) []byte {
	t := bytes.TrimSpace(body)
	if len(t) > 0 && t[0] == '[' {
		return t
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(t, &m) != nil {
		return t // decode reports it
	}
	if l := bytes.TrimSpace(m[key]); len(l) > 0 && !isNull(l) {
		return l
	}
	return []byte("[]")
}
