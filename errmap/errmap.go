// Package errmap turns a failure — a provider's HTTP status and error code, an
// async job's failure string, or a local fetch error — into guidance an agent
// can act on. It is a pure table: no I/O, no HTTP types.
package errmap

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

// Guidance is what to do about an Error.
type Guidance struct {
	Action             Action         `json:"action"`
	Retryable          bool           `json:"retryable"`
	RetryAfterS        int            `json:"retry_after_s"`
	Hint               string         `json:"hint"`
	SuggestedArguments map[string]any `json:"suggested_arguments"`
}
