package anakintest

import (
	"strconv"
	"strings"
)

// CatalogEntry is one documented Anakin error: a code of the "Error
// Responses" catalog (flat envelope) or of the Wire API (nested envelope),
// with the details the references show for it.
type CatalogEntry struct {
	Status   int
	Code     string
	Envelope Envelope
	Message  string
	Details  map[string]any
}

// Catalog is every code of the error catalog, in its order, then the Wire
// codes whose bodies carry details (research §3.2: balance/required on
// INSUFFICIENT_CREDITS, connect_url on AUTH_REQUIRED, missing_fields on
// INVALID_PARAMS, existing_actions on ACTION_EXISTS).
var Catalog = []CatalogEntry{
	{400, "invalid_request", Flat, "Invalid request: depth must be at most 5", nil},
	{400, "invalid_url", Flat, "Invalid URL at index 0", nil},
	{400, "invalid_job_type", Flat, "Unsupported job_type", nil},
	{401, "unauthorized", Flat, "Invalid or missing API key", nil},
	{403, "forbidden", Flat, "You do not have access to this resource", nil},
	{402, "insufficient_credits", Flat, "Insufficient credits: this operation costs 1 credit and your balance is 0", nil},
	{429, "rate_limit_exceeded", Flat, "Too many requests. Please try again later.", nil},
	{404, "not_found", Flat, "Job not found", nil},
	{422, "session_not_saved", Flat, "Session storage state has not been saved yet", nil},
	{409, "session_in_use", Flat, "Session is attached to an active automation", nil},
	{409, "duplicate_name", Flat, "A session with this name already exists", nil},
	{500, "server_error", Flat, "Internal server error", nil},
	{500, "queue_error", Flat, "Failed to enqueue job", nil},
	{500, "configuration_error", Flat, "Service configuration missing", nil},
	{500, "internal_error", Flat, "Unexpected failure", nil},
	{500, "search_error", Flat, "Search provider returned an error", nil},
	{503, "service_unavailable", Flat, "Scraper service is temporarily unavailable", nil},
	{429, "RATE_LIMIT_EXCEEDED", Wire, "Too many requests. Please try again later.", nil},
	{402, "INSUFFICIENT_CREDITS", Wire, "You need 5 credits. Current balance: 2", map[string]any{"balance": 2, "required": 5}},
	{401, "AUTH_REQUIRED", Wire, "This action requires a LinkedIn connection.", map[string]any{"connect_url": "/products/holocron/linkedin/connect"}},
	{400, "INVALID_PARAMS", Wire, "Missing required parameters", map[string]any{"missing_fields": []any{"profile_url"}}},
	{409, "ACTION_EXISTS", Wire, "An equivalent action already exists",
		map[string]any{"existing_actions": []any{map[string]any{"action_id": "act_1", "name": "Get profile", "description": "Reads a profile"}}}},
}

// catalogFault is the answer for code (at status, or the code's first
// documented status when status is 0).
func catalogFault(code string, status int) (Fault, bool) {
	for _, c := range Catalog {
		if c.Code == code && (status == 0 || status == c.Status) {
			f := Error(c.Status, c.Envelope, c.Code, c.Message)
			if c.Details != nil {
				f = f.WithDetails(c.Details)
			}
			if strings.EqualFold(c.Code, "rate_limit_exceeded") {
				f = f.WithRetryAfter("5")
			}
			return f, true
		}
	}
	return Fault{}, false
}

// codeFault reads the magic "code:<code>[@<status>]".
func codeFault(arg string) (Fault, bool) {
	code, at, _ := strings.Cut(arg, "@")
	status, _ := strconv.Atoi(at)
	return catalogFault(code, status)
}
