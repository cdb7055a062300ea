package errmap

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Explain never fails: unknown codes fall back by HTTP status class, and the
// error keeps the original code and message.
func Explain(e *Error) Guidance {
	if e == nil {
		e = &Error{Code: CodeInternal, Message: "no error was given to explain"}
	}
	r, _ := lookup(e)
	g := Guidance{
		Action:             r.action,
		Retryable:          r.retryable,
		Hint:               r.hint,
		SuggestedArguments: map[string]any{},
	}
	maps.Copy(g.SuggestedArguments, r.suggest)
	// A hint cites details.<key>; when the API sent it, say the value right
	// there, so the words alone are enough to act on. Longer keys first, so
	// details.balance never rewrites details.balance_warning.
	keys := slices.Clone(r.details)
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	for _, k := range keys {
		if v, ok := e.Details[k]; ok && isScalar(v) {
			val := fmt.Sprint(v)
			if len(val) > maxHintValue {
				val = strings.ToValidUTF8(val[:maxHintValue], "") + "…"
			}
			g.Hint = strings.ReplaceAll(g.Hint, "details."+k+" ", "details."+k+"="+val+" ")
			g.Hint = strings.ReplaceAll(g.Hint, "details."+k+".", "details."+k+"="+val+".")
			g.Hint = strings.ReplaceAll(g.Hint, "details."+k+",", "details."+k+"="+val+",")
			g.Hint = strings.ReplaceAll(g.Hint, "details."+k+")", "details."+k+"="+val+")")
		}
	}
	if e.Code == CodeInvalidArgument && e.Field != "" {
		g.Hint = "The argument " + e.Field + " is invalid: fix it as the message says and call again. Nothing was sent to the API and no credits were spent."
	}
	// A non-retryable row with a wait says when its prerequisite is worth
	// checking (e.g. when to call job_status).
	if g.Retryable || r.wait > 0 {
		wait := r.wait
		if e.RetryAfter > 0 {
			wait = e.RetryAfter
		}
		g.RetryAfterS = seconds(wait)
	}
	return g
}

// maxHintValue bounds a detail's value written into a hint.
const maxHintValue = 200

func isScalar(v any) bool {
	switch v.(type) {
	case string, float64, float32, int, int64, bool:
		return true
	}
	return false
}

// seconds rounds up: telling an agent to come back a moment too early
// would just earn it another rate-limit error.
func seconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// source names the table a row came from.
type source string

const (
	fromProvider source = "provider"  // the provider's own code, at its documented status
	fromOwn      source = "own"       // a code scrapemcp assigns, for any provider
	fromLocal    source = "local"     // the local fetcher's codes and the target site's status
	fromJob      source = "job"       // an async job's failure string
	fromStatus   source = "by_status" // nothing matched: the HTTP status class decides
	// fromProviderStatus: no row for the code (or none sent), but the
	// provider's reference says what its status means.
	fromProviderStatus source = "provider_status"
)

// providerStatus is the provider's own reading of a status, for a code it
// does not list or no code at all. AlterLab's 422 is "all tiers failed or
// extraction failed" unless the body is a validation error (FastAPI's
// detail list, read into field or details.invalid_fields).
func providerStatus(e *Error) (entry, bool) {
	switch e.Provider {
	case anakin:
		r, ok := anakinStatus[e.HTTPStatus]
		return r, ok
	case alterlab:
		if _, validation := e.Details["invalid_fields"]; validation || e.Field != "" {
			return entry{}, false
		}
		r, ok := alterlabStatus[e.HTTPStatus]
		return r, ok
	}
	return entry{}, false
}

// isOwn reports whether code is one scrapemcp assigns itself.
func isOwn(code string) bool {
	_, own := ownCodes[code]
	_, loc := localCodes[code]
	return own || loc || code == CodeHTTPStatus
}

// fromAPI reports whether e's code is the provider API's own. An API
// provider's error answer (HTTP 400 or above) carries the code the API sent,
// whatever it spells; the one code the client assigns at such a status is
// submit_outcome_unknown (a 504 to a submit, the API's code moved to
// details.api_code). Below 400 (no answer, a 2xx that could not be read, a
// refused 3xx) a code is the API's only when it is not one of ours. So
// Anakin's 500 internal_error is Anakin's, and our internal_error (status 0)
// is ours; AlterLab's 504 TIMEOUT is AlterLab's, our timeout is ours.
func fromAPI(e *Error, code string) bool {
	if e.Provider != anakin && e.Provider != alterlab {
		return false
	}
	if e.HTTPStatus >= 400 {
		return code != CodeMaybeStarted
	}
	return code != "" && !isOwn(code)
}

// hasJob reports whether e names a job that job_status can read.
func hasJob(e *Error) bool {
	id, ok := e.Details["job_id"].(string)
	return ok && id != ""
}

// lookup finds the row for e and says where it came from.
func lookup(e *Error) (entry, source) {
	code := strings.TrimSpace(e.Code)
	if fromAPI(e, code) {
		if r, ok := providerRow(e.Provider, e.HTTPStatus, code); ok {
			return r, fromProvider
		}
		if r, ok := providerStatus(e); ok {
			return r, fromProviderStatus
		}
		return byStatus(e.HTTPStatus), fromStatus
	}
	if e.Provider == local {
		if code == CodeHTTPStatus {
			return targetStatus(e.HTTPStatus), fromLocal
		}
		if r, ok := localCodes[code]; ok {
			return r, fromLocal
		}
	}
	if code == CodeJobFailed {
		if r, ok := jobFailure(e.Message); ok {
			return r, fromJob
		}
	}
	if r, ok := ownWithJob[code]; ok && hasJob(e) {
		return r, fromOwn
	}
	if r, ok := ownCodes[code]; ok {
		return r, fromOwn
	}
	if r, ok := localCodes[code]; ok {
		// The local fetcher's codes are ours too; on an API provider they
		// can only come from a fallback path, and mean the same.
		return r, fromLocal
	}
	return byStatus(e.HTTPStatus), fromStatus
}

// providerRow matches one of the provider's own codes. In order: the code
// at its status; the code in another letter case at that status (Anakin
// spells rate_limit_exceeded both ways); a row documented without a status
// (Wire's login codes arrive with HTTP 200); and, narrowly, a code the
// provider documents at exactly one status of the same class (4xx or 5xx)
// as the one it came with. Anything else falls back by status: a code
// documented at several statuses (SESSION_EXPIRED at 401 and 410) means
// different things, and the status is then the only honest guide.
func providerRow(provider string, status int, code string) (entry, bool) {
	if code == "" {
		return entry{}, false
	}
	table := anakinCodes
	if provider == alterlab {
		table = alterlabCodes
	}
	if r, ok := table[key{provider, status, code}]; ok {
		return r, true
	}
	var sameStatus, anyStatus, sameCode []key
	for k := range table {
		switch {
		case strings.EqualFold(k.code, code) && k.status == status:
			sameStatus = append(sameStatus, k)
		case strings.EqualFold(k.code, code) && k.status == 0:
			anyStatus = append(anyStatus, k)
		case k.code == code:
			sameCode = append(sameCode, k)
		}
	}
	for _, ks := range [][]key{sameStatus, anyStatus} {
		if len(ks) > 0 {
			slices.SortFunc(ks, func(a, b key) int { return strings.Compare(a.code, b.code) })
			return table[ks[0]], true
		}
	}
	if len(sameCode) == 1 && (status == 0 || sameCode[0].status/100 == status/100) {
		return table[sameCode[0]], true
	}
	return entry{}, false
}
