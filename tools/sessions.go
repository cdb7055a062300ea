package tools

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client"
)

// SessionsArgs are the sessions tool's arguments.
type SessionsArgs struct {
	Domain string `json:"domain,omitempty" jsonschema:"description=Only sessions for this domain\\, e.g. example.com.,maxLength=253"`
	Status string `json:"status,omitempty" jsonschema:"description=AlterLab only: only sessions in this state.,enum=active,enum=expired,enum=invalid"`
}

// SessionOut is one saved session. Cookie values are never shown.
type SessionOut struct {
	ID          string   `json:"id" jsonschema:"description=Pass as session_id to scrape\\, batch_scrape or extract."`
	Name        string   `json:"name,omitempty"`
	Domain      string   `json:"domain,omitempty" jsonschema:"description=The site the session logs in to; use it for URLs of this domain only."`
	Status      string   `json:"status,omitempty" jsonschema:"description=active\\, expired or invalid (AlterLab); active or inactive (Anakin)."`
	CookieNames []string `json:"cookie_names,omitempty"`
	CookieCount int      `json:"cookie_count,omitempty"`
	CreatedAt   string   `json:"created_at,omitempty"`
	LastUsedAt  string   `json:"last_used_at,omitempty"`
	ExpiresAt   string   `json:"expires_at,omitempty"`
}

// SessionsResult is the sessions tool's structured result.
type SessionsResult struct {
	ErrorFields
	Provider string       `json:"provider"`
	Sessions []SessionOut `json:"sessions"`
	Message  string       `json:"message"`
}

func sessionsTool(d *Deps) Tool {
	return define[SessionsArgs, SessionsResult](d, "sessions", "List saved login sessions",
		`List the saved sessions the provider keeps for scraping as a logged-in user: AlterLab's stored cookie sessions (with status active, expired or invalid) and Anakin's saved browser sessions. Read-only; cookie values are never shown.
Use it when a page needs a login (REQUIRES_AUTH, a session error) to find a session_id for this site's domain, then pass it to scrape, batch_scrape or extract. Creating or refreshing sessions is done by the user in the provider's dashboard. Not available on the local backend.`,
		annotations{readOnly: true, idempotent: true},
		func(ctx context.Context, req mcp.CallToolRequest, a SessionsArgs) (*mcp.CallToolResult, error) {
			p := d.Provider.Name()
			status := strings.TrimSpace(a.Status)
			switch {
			case status != "" && p != client.AlterLab:
				return failure(invalid(p, "status", "status filters AlterLab's sessions; the %s provider has none by status", p)), nil
			case status != "" && status != "active" && status != "expired" && status != "invalid":
				return failure(invalid(p, "status", "status must be active, expired or invalid, got %q", clip(status, 20))), nil
			}
			lister, ok := d.Provider.(client.SessionLister)
			if !ok {
				return failure(client.Unsupported(p, "Listing saved sessions",
					"Saved sessions live at an API provider: ask the user to configure ANAKIN_API_KEY or ALTERLAB_API_KEY.")), nil
			}
			ctx, cancel := withDefaultTimeout(ctx, time.Minute)
			defer cancel()
			list, err := lister.Sessions(ctx, client.SessionsRequest{Domain: strings.TrimSpace(a.Domain), Status: status})
			if err != nil {
				return failure(client.AsError(p, err)), nil
			}
			res := SessionsResult{Provider: p, Sessions: []SessionOut{}}
			for _, s := range list.Sessions {
				res.Sessions = append(res.Sessions, SessionOut{ID: s.ID, Name: s.Name, Domain: s.Domain, Status: s.Status,
					CookieNames: s.CookieNames, CookieCount: s.CookieCount, CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt, ExpiresAt: s.ExpiresAt})
			}
			switch len(res.Sessions) {
			case 0:
				res.Message = "No saved sessions match. The user can create one in the provider's dashboard (log in to the site there)."
			default:
				res.Message = "Pass a session's id as session_id to scrape, batch_scrape or extract, for URLs of its domain."
			}
			return success(res, res.text(), nil), nil
		})
}

func (r SessionsResult) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d saved sessions on %s:\n", len(r.Sessions), r.Provider)
	for _, s := range r.Sessions {
		fmt.Fprintf(&b, "- %s", s.ID)
		if s.Name != "" {
			fmt.Fprintf(&b, " %q", s.Name)
		}
		if s.Domain != "" {
			fmt.Fprintf(&b, " for %s", s.Domain)
		}
		if s.Status != "" {
			fmt.Fprintf(&b, " (%s)", s.Status)
		}
		if len(s.CookieNames) > 0 {
			fmt.Fprintf(&b, ", cookies %s", strings.Join(s.CookieNames, ", "))
		}
		b.WriteString("\n")
	}
	b.WriteString(r.Message + "\n")
	return b.String()
}
