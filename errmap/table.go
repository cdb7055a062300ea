package errmap

import "time"

// entry is one row of the guidance table.
type entry struct {
	action    Action
	retryable bool
	// wait is the default retry_after when the API gave none.
	wait time.Duration
	hint string
	// suggest holds suggested_arguments: tool argument names only.
	suggest map[string]any
	// details names the error details this row's errors carry when the API
	// sends them (documented in the error references); a hint may cite
	// only these, as details.<key>.
	details []string
}

// row builds an entry; most rows are not retryable.
func row(a Action, hint string) entry { return entry{action: a, hint: hint} }

// retry builds a retry_later entry that waits d when the API gave no wait.
func retry(d time.Duration, hint string) entry {
	return entry{action: RetryLater, retryable: true, wait: d, hint: hint}
}

func (e entry) with(args map[string]any) entry { e.suggest = args; return e }

func (e entry) shows(keys ...string) entry { e.details = keys; return e }

// key selects a row. Status 0 matches any status; the more specific row
// (same status) wins.
type key struct {
	provider string
	status   int
	code     string
}

// Provider names as the client package spells them.
const (
	anakin   = "anakin"
	alterlab = "alterlab"
	local    = "local"
)

var (
	useBrowser        = map[string]any{"use_browser": true}
	useBrowserCountry = map[string]any{"use_browser": true, "country": "us"}
)
