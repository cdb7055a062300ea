package client

// Stop says why a crawl or a map ended, when the provider knows. The local
// fetcher always sets it on a finished job and on a map; API providers do
// not report one, so it stays nil there.
type Stop struct {
	// Reason is one of the Stop* words below.
	Reason string
	// Limit is the value of the limit that stopped the walk (max_pages,
	// max_depth or limit), 0 for the other reasons.
	Limit int
	// Beyond counts distinct same-site links seen on the deepest pages that
	// were not followed because they lay past max_depth (a lower bound:
	// those pages' own links are unknown).
	Beyond int
	// Left counts URLs found but not fetched (crawl) or not listed (map)
	// when the walk stopped (a lower bound).
	Left int
}

// Why a crawl or map stopped.
const (
	StopExhausted = "exhausted" // every reachable page within the limits was visited
	StopMaxPages  = "max_pages" // the page limit was reached with URLs still queued
	StopMaxDepth  = "max_depth" // links lay deeper than max_depth
	StopLimit     = "limit"     // map: more URLs exist than limit lets it list
	StopDeadline  = "deadline"  // the walk's time ran out
	StopRobots    = "robots"    // robots.txt disallows the start page
	StopBudget    = "budget"    // the memory budget for kept pages is full
	StopFailures  = "failures"  // too many pages failed
	StopCancelled = "cancelled" // job_cancel, a client cancel or shutdown
)
