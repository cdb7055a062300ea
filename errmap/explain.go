package errmap

import (
	"maps"
	"strings"
	"time"
)

// Explain never fails: unknown codes fall back by HTTP status class, and the
// caller keeps the original code and message in the Failure it reports.
func Explain(f Failure) Guidance {
	e, _ := lookup(f)
	g := Guidance{
		Action:             e.action,
		Retryable:          e.retryable,
		Hint:               e.hint,
		SuggestedArguments: map[string]any{},
	}
	maps.Copy(g.SuggestedArguments, e.suggest)
	if f.Code == CodeInvalidArgument && f.Field != "" {
		g.Hint = "The argument " + f.Field + " is invalid: fix it as the message says and call again. Nothing was sent to the API and no credits were spent."
	}
	if g.Retryable {
		wait := e.wait
		if f.RetryAfter > 0 {
			wait = f.RetryAfter
		}
		g.RetryAfterS = seconds(wait)
	}
	return g
}

// seconds rounds up: telling an agent to come back a moment too early
// would just earn it another rate-limit error.
func seconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// lookup finds the most specific row for f; found is false when only the
// status fallback applied.
func lookup(f Failure) (e entry, found bool) {
	code := strings.TrimSpace(f.Code)
	switch f.Provider {
	case anakin, alterlab:
		if e, ok := providerRow(f.Provider, f.HTTPStatus, code); ok {
			return e, true
		}
	case local:
		if code == CodeHTTPStatus {
			return targetStatus(f.HTTPStatus), true
		}
		if e, ok := localCodes[code]; ok {
			return e, true
		}
	}
	if code == CodeJobFailed {
		if e, ok := jobFailure(f.Message); ok {
			return e, true
		}
	}
	if e, ok := clientCodes[code]; ok {
		return e, true
	}
	if f.Provider != local {
		// A local-style code can come from any provider's transport (e.g. a
		// timeout talking to the API).
		if e, ok := localCodes[code]; ok && code != CodeHTTPStatus {
			return e, true
		}
	}
	return byStatus(f.HTTPStatus), false
}

// providerRow matches code, preferring in turn: the exact code at the exact
// status; the code in any case at that status; a status-independent row; the
// code documented at another status (the APIs are not always consistent),
// lowest status first so the answer never depends on map order.
func providerRow(provider string, status int, code string) (entry, bool) {
	if code == "" {
		return entry{}, false
	}
	table := anakinCodes
	if provider == alterlab {
		table = alterlabCodes
	}
	if e, ok := table[key{provider, status, code}]; ok {
		return e, true
	}
	best, bestRank, bestStatus, bestCode := entry{}, 4, 0, ""
	for k, e := range table {
		if !strings.EqualFold(k.code, code) {
			continue
		}
		rank := 3
		switch k.status {
		case status:
			rank = 1
		case 0:
			rank = 2
		}
		if rank < bestRank || (rank == bestRank && (k.status < bestStatus || (k.status == bestStatus && k.code < bestCode))) {
			best, bestRank, bestStatus, bestCode = e, rank, k.status, k.code
		}
	}
	return best, bestRank < 4
}
