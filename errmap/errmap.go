// Package errmap turns a failure — a provider's HTTP status and error code, an
// async job's failure string, or a local fetch error — into guidance an agent
// can act on. It is a pure table: no I/O, no HTTP types.
package errmap

import "time"

// Action is what the agent should do next. The set is closed.
type Action string

const (
	FixRequest       Action = "fix_request"       // change the arguments and call again
	CheckAPIKey      Action = "check_api_key"     // our credentials are missing, wrong or revoked
	TopUpCredits     Action = "top_up_credits"    // the account is out of credits/balance
	RetryLater       Action = "retry_later"       // transient: the same call will work after retry_after_s
	ChangeStrategy   Action = "change_strategy"   // same target, different approach (browser, country, other provider)
	WaitPrerequisite Action = "wait_prerequisite" // something must be done/ready first
	ResolveConflict  Action = "resolve_conflict"  // a resource is locked or already exists
	NotFound         Action = "not_found"         // the job/session/resource does not exist
	NotAccessible    Action = "not_accessible"    // the target content itself is out of reach (login wall, paywall)
	ReportIssue      Action = "report_issue"      // a bug or outage nobody but a human can fix
)

// Actions lists every action, for schemas and tests.
var Actions = []Action{FixRequest, CheckAPIKey, TopUpCredits, RetryLater, ChangeStrategy,
	WaitPrerequisite, ResolveConflict, NotFound, NotAccessible, ReportIssue}

// Failure is what went wrong, as reported. It is the "error" half of a tool's
// error result.
type Failure struct {
	Provider   string `json:"provider"`
	Code       string `json:"code"`
	HTTPStatus int    `json:"http_status"`
	Message    string `json:"message"`
	RequestID  string `json:"request_id,omitempty"`
	Field      string `json:"field,omitempty"`
	// RetryAfter is the wait the API (or the client's own budget) asked for.
	RetryAfter time.Duration `json:"-"`
}

// Guidance is what to do about a Failure.
type Guidance struct {
	Action             Action         `json:"action"`
	Retryable          bool           `json:"retryable"`
	RetryAfterS        int            `json:"retry_after_s"`
	Hint               string         `json:"hint"`
	SuggestedArguments map[string]any `json:"suggested_arguments"`
}

// Report is the structured content of every failed tool call.
type Report struct {
	Error    Failure  `json:"error"`
	Guidance Guidance `json:"guidance"`
}
