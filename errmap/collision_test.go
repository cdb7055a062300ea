package errmap

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// ownCodeStatuses are the HTTP statuses our own codes come with: none, and
// the few the client assigns a code at (a 504 to a submit, a 2xx it could
// not read, a 3xx it would not follow).
var ownCodeStatuses = map[string][]int{
	CodeMaybeStarted:    {0, 504},
	CodeBadResponse:     {0, 200, 202},
	CodeRedirectRefused: {0, 301, 302, 307, 308},
}

// Our own codes never land on a provider's row, whatever provider reported
// them: our deadline is not AlterLab's TIMEOUT, our internal_error is not
// Anakin's 500 internal_error, our not_found is not Anakin's 404.
func TestOwnCodesNeverMatchProviderRows(t *testing.T) {
	codes := slices.Sorted(maps.Keys(ownCodes))
	codes = append(codes, slices.Sorted(maps.Keys(localCodes))...)
	for _, p := range []string{anakin, alterlab, local, "scrapemcp"} {
		for _, code := range codes {
			statuses := ownCodeStatuses[code]
			if statuses == nil {
				statuses = []int{0}
			}
			for _, st := range statuses {
				t.Run(fmt.Sprintf("%s/%s/%d", p, code, st), func(t *testing.T) {
					_, src := lookup(&Error{Provider: p, Code: code, HTTPStatus: st, Message: "m"})
					if src != fromOwn && src != fromLocal {
						t.Errorf("answered from %s, want our own row", src)
					}
				})
			}
		}
	}
}

// An own code means the same under both API providers.
func TestOwnCodesMeanTheSameUnderEveryAPIProvider(t *testing.T) {
	for code := range ownCodes {
		for _, st := range append([]int{0}, ownCodeStatuses[code]...) {
			a := Explain(&Error{Provider: anakin, Code: code, HTTPStatus: st})
			b := Explain(&Error{Provider: alterlab, Code: code, HTTPStatus: st})
			if a.Action != b.Action || a.Hint != b.Hint || a.Retryable != b.Retryable {
				t.Errorf("%s at %d: anakin says %s, alterlab says %s", code, st, a.Action, b.Action)
			}
		}
	}
}

// The collisions the issue found, by name.
func TestOwnCodesThatShareAProvidersSpelling(t *testing.T) {
	cases := []struct {
		name   string
		e      *Error
		action Action
		src    source
	}{
		{"our deadline under AlterLab", &Error{Provider: alterlab, Code: CodeTimeout}, RetryLater, fromOwn},
		{"AlterLab's TIMEOUT", &Error{Provider: alterlab, Code: "TIMEOUT", HTTPStatus: 504}, ChangeStrategy, fromProvider},
		{"our internal_error under Anakin", &Error{Provider: anakin, Code: CodeInternal}, ReportIssue, fromOwn},
		{"our internal_error under AlterLab", &Error{Provider: alterlab, Code: CodeInternal}, ReportIssue, fromOwn},
		{"Anakin's 500 internal_error", &Error{Provider: anakin, Code: "internal_error", HTTPStatus: 500}, RetryLater, fromProvider},
		{"our not_found under Anakin", &Error{Provider: anakin, Code: CodeNotFound}, NotFound, fromOwn},
		{"Anakin's 404 not_found", &Error{Provider: anakin, Code: "not_found", HTTPStatus: 404}, NotFound, fromProvider},
		{"our network_error under AlterLab", &Error{Provider: alterlab, Code: CodeNetwork}, RetryLater, fromOwn},
		{"AlterLab's 503 NETWORK_ERROR", &Error{Provider: alterlab, Code: "NETWORK_ERROR", HTTPStatus: 503}, RetryLater, fromProvider},
		{"Anakin's invalid_url at 400", &Error{Provider: anakin, Code: "invalid_url", HTTPStatus: 400}, FixRequest, fromProvider},
		{"a 504 submit of unknown outcome", &Error{Provider: alterlab, Code: CodeMaybeStarted, HTTPStatus: 504}, WaitPrerequisite, fromOwn},
		{"an API's timeout code at 408 is the API's", &Error{Provider: anakin, Code: "timeout", HTTPStatus: 408}, RetryLater, fromStatus},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, src := lookup(c.e)
			if src != c.src || r.action != c.action {
				t.Errorf("%s from %s, want %s from %s", r.action, src, c.action, c.src)
			}
			if c.src == fromOwn && len(r.suggest) > 0 {
				t.Errorf("our own code suggests %v", r.suggest)
			}
		})
	}
	if g := Explain(&Error{Provider: alterlab, Code: CodeTimeout}); strings.Contains(g.Hint, "refund") || g.SuggestedArguments["use_browser"] != nil {
		t.Errorf("our deadline reads as AlterLab's TIMEOUT: %+v", g)
	}
}

// A provider's code reported under the other provider is not read with
// the other provider's table: it falls back by status unless that provider
// documents the same code itself.
func TestProviderCodesUnderTheWrongProvider(t *testing.T) {
	other := map[string]string{anakin: alterlab, alterlab: anakin}
	name := map[string]string{anakin: "Anakin", alterlab: "AlterLab"}
	for _, owner := range []string{anakin, alterlab} {
		p := other[owner]
		table := anakinCodes
		if p == alterlab {
			table = alterlabCodes
		}
		for _, k := range seedCodes(owner) {
			t.Run(fmt.Sprintf("%s code %d %s under %s", owner, k.status, k.code, p), func(t *testing.T) {
				r, src := lookup(&Error{Provider: p, Code: k.code, HTTPStatus: k.status})
				documented := false
				for tk := range table {
					documented = documented || (tk.status == k.status && strings.EqualFold(tk.code, k.code))
				}
				switch {
				case documented && src != fromProvider:
					t.Errorf("%s documents %s itself, but the answer came from %s", p, k.code, src)
				case !documented && src == fromProvider:
					t.Errorf("matched a %s row for a code it does not document at %d", p, k.status)
				}
				if strings.Contains(r.hint, name[owner]) && !strings.Contains(r.hint, name[p]) {
					t.Errorf("hint speaks of %s: %s", name[owner], r.hint)
				}
			})
		}
	}
}

// The any-status fallback is narrow: a documented code at another status of
// the same class reads as documented, a code documented at several statuses
// or at a status of another class falls back by status.
func TestNarrowFallbackForCodesAtAnotherStatus(t *testing.T) {
	cases := []struct {
		e   *Error
		src source
	}{
		{&Error{Provider: alterlab, Code: "SESSION_NOT_FOUND", HTTPStatus: 400}, fromProvider}, // 404 documented, 4xx both
		{&Error{Provider: anakin, Code: "invalid_request", HTTPStatus: 422}, fromProvider},
		{&Error{Provider: anakin, Code: "queue_error", HTTPStatus: 503}, fromProvider},
		{&Error{Provider: alterlab, Code: "SESSION_EXPIRED", HTTPStatus: 403}, fromStatus}, // 401 and 410: ambiguous
		{&Error{Provider: alterlab, Code: "TIMEOUT", HTTPStatus: 400}, fromStatus},         // 5xx documented
		{&Error{Provider: anakin, Code: "rate_limit_exceeded", HTTPStatus: 500}, fromStatus},
		{&Error{Provider: anakin, Code: "rate_limit_exceeded", HTTPStatus: 503}, fromProviderStatus}, // Anakin's 503: 30–60 s
		{&Error{Provider: anakin, Code: "Rate_Limit_Exceeded", HTTPStatus: 429}, fromProvider},       // letter case, same status
		{&Error{Provider: anakin, Code: "MFA_REQUIRED", HTTPStatus: 200}, fromProvider},              // documented without status
	}
	for _, c := range cases {
		if _, src := lookup(c.e); src != c.src {
			t.Errorf("%s %d %s: from %s, want %s", c.e.Provider, c.e.HTTPStatus, c.e.Code, src, c.src)
		}
	}
}
