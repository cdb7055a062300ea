package errmap

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scrapemcp/scrapemcp/errmap/errmaptest"
)

// seedCodes is errmaptest's list in this package's terms.
func seedCodes(provider string) []key {
	var out []key
	for _, c := range errmaptest.Codes(provider) {
		out = append(out, key{status: c.Status, code: c.Code})
	}
	return out
}

// Every code in both seed catalogs has its own row: none is left to the
// status fallback.
func TestEverySeedCodeHasASpecificEntry(t *testing.T) {
	for _, provider := range []string{anakin, alterlab} {
		codes := seedCodes(provider)
		if len(codes) < 15 {
			t.Fatalf("%s: only %d codes listed", provider, len(codes))
		}
		for _, k := range codes {
			if _, found := lookupFound(&Error{Provider: provider, HTTPStatus: k.status, Code: k.code}); !found {
				t.Errorf("%s %d %s falls back to the status table", provider, k.status, k.code)
			}
		}
	}
}

func TestAnakinCatalogActions(t *testing.T) {
	cases := []struct {
		status    int
		code      string
		action    Action
		retryable bool
	}{
		{400, "invalid_request", FixRequest, false},
		{400, "invalid_url", FixRequest, false},
		{401, "unauthorized", CheckAPIKey, true}, // a new key takes 5–10 s: one retry, then the key
		{403, "forbidden", FixRequest, false},
		{402, "insufficient_credits", TopUpCredits, false},
		{429, "rate_limit_exceeded", RetryLater, true},
		{429, "RATE_LIMIT_EXCEEDED", RetryLater, true},
		{404, "not_found", NotFound, false},
		{422, "session_not_saved", WaitPrerequisite, false}, // 422: after the prerequisite, not as is
		{409, "session_in_use", ResolveConflict, false},     // 409: after resolving the conflict
		{409, "duplicate_name", ResolveConflict, false},
		{500, "server_error", RetryLater, true},
		{500, "queue_error", RetryLater, true},
		{500, "configuration_error", RetryLater, true},
		{500, "internal_error", RetryLater, true},
		{500, "search_error", RetryLater, true},
		{503, "service_unavailable", RetryLater, true},
		{402, "INSUFFICIENT_CREDITS", TopUpCredits, false},
		{401, "AUTH_REQUIRED", WaitPrerequisite, false},
	}
	for _, c := range cases {
		g := Explain(&Error{Provider: anakin, HTTPStatus: c.status, Code: c.code})
		if g.Action != c.action || g.Retryable != c.retryable {
			t.Errorf("anakin %d %s: %s retryable=%v, want %s retryable=%v", c.status, c.code, g.Action, g.Retryable, c.action, c.retryable)
		}
	}
}

// The status alone points to the wrong action for several AlterLab codes:
// the code decides.
func TestAlterLabCodeDecidesOverStatus(t *testing.T) {
	cases := []struct {
		status    int
		code      string
		action    Action
		retryable bool
	}{
		{402, "PAYWALL_DETECTED", NotAccessible, false},        // the site's paywall, not our credits
		{401, "REQUIRES_AUTH", NotAccessible, false},           // the site's login wall, not our key
		{403, "BLOCKED_BY_ANTIBOT", ChangeStrategy, false},     // the site blocks us
		{403, "CHALLENGE_DETECTED", ChangeStrategy, false},     //
		{401, "SESSION_EXPIRED", CheckAPIKey, false},           // dashboard token
		{410, "SESSION_EXPIRED", WaitPrerequisite, false},      // stored cookies
		{429, "SESSION_LIMIT_REACHED", ResolveConflict, false}, // time does not cure it
		{429, "RATE_LIMIT_EXCEEDED", RetryLater, true},
		{402, "INSUFFICIENT_CREDITS", TopUpCredits, false},
		{402, "SUBSCRIPTION_INACTIVE", TopUpCredits, false},
		{400, "EXCEEDS_COST_LIMIT", FixRequest, false},
		{401, "INVALID_API_KEY", CheckAPIKey, false},
		{401, "MISSING_API_KEY", CheckAPIKey, false},
		{504, "TIMEOUT", ChangeStrategy, false},
		{503, "NETWORK_ERROR", RetryLater, true},
		{413, "CONTENT_TOO_LARGE", ChangeStrategy, false},
		{415, "UNSUPPORTED_CONTENT_TYPE", ChangeStrategy, false},
		{422, "EXTRACTION_FAILED", ChangeStrategy, false},
		{404, "SESSION_NOT_FOUND", NotFound, false},
		{400, "SESSION_DOMAIN_MISMATCH", FixRequest, false},
		{410, "SESSION_INACTIVE", WaitPrerequisite, false},
		{400, "SESSION_COOKIES_CONFLICT", FixRequest, false},
	}
	for _, c := range cases {
		g := Explain(&Error{Provider: alterlab, HTTPStatus: c.status, Code: c.code})
		if g.Action != c.action || g.Retryable != c.retryable {
			t.Errorf("alterlab %d %s: %s retryable=%v, want %s retryable=%v", c.status, c.code, g.Action, g.Retryable, c.action, c.retryable)
		}
	}
	if g := Explain(&Error{Provider: alterlab, HTTPStatus: 403, Code: "BLOCKED_BY_ANTIBOT"}); g.SuggestedArguments["max_tier"] != "4" {
		t.Errorf("anti-bot block suggests %v, want max_tier 4 (the reference's remedy)", g.SuggestedArguments)
	}
}

func TestJobFailureStrings(t *testing.T) {
	cases := []struct {
		msg     string
		action  Action
		browser bool
	}{
		{"Blocked by website (HTTP 403)", ChangeStrategy, true},
		{"upstream returned HTTP 429", ChangeStrategy, true},
		{"bot detection triggered", ChangeStrategy, true},
		{"CAPTCHA challenge detected", ChangeStrategy, true},
		{"Connection timeout: page did not load within 30s", ChangeStrategy, true},
		{"timeout", ChangeStrategy, true},
		{"DNS resolution failed", FixRequest, false},
		{"dial tcp: lookup nope.invalid: no such host", FixRequest, false},
		{"TLS handshake failed", FixRequest, false},
		{"SSL certificate problem", FixRequest, false},
		{"Invalid URL", FixRequest, false},
		{"something nobody documented", ReportIssue, false},
	}
	for _, p := range []string{anakin, alterlab} {
		for _, c := range cases {
			g := Explain(&Error{Provider: p, Code: CodeJobFailed, Message: c.msg})
			if g.Action != c.action || (g.SuggestedArguments["use_browser"] == true) != c.browser {
				t.Errorf("%s job failure %q: %s %v, want %s browser=%v", p, c.msg, g.Action, g.SuggestedArguments, c.action, c.browser)
			}
		}
	}
	if g := Explain(&Error{Provider: anakin, Code: CodeJobFailed, Message: "Blocked by website (HTTP 403)"}); g.SuggestedArguments["country"] == nil {
		t.Errorf("blocked job suggests no country: %v", g.SuggestedArguments)
	}
}

func TestLocalCodes(t *testing.T) {
	cases := []struct {
		code   string
		status int
		action Action
	}{
		{CodeInvalidURL, 0, FixRequest},
		{CodeDNS, 0, FixRequest},
		{CodeTLS, 0, ChangeStrategy},
		{CodeTimeout, 0, RetryLater},
		{CodeSSRFBlocked, 0, FixRequest},
		{CodeTooLarge, 0, ChangeStrategy},
		{CodeUnsupportedContent, 0, ChangeStrategy},
		{CodeRobotsDisallowed, 0, NotAccessible},
		{CodeTooManyRedirects, 0, FixRequest},
		{CodeConnection, 0, RetryLater},
		{CodeBrowserUnavailable, 0, ChangeStrategy},
		{CodeHTTPStatus, 404, NotFound},
		{CodeHTTPStatus, 403, ChangeStrategy},
		{CodeHTTPStatus, 429, RetryLater},
		{CodeHTTPStatus, 503, RetryLater},
		{CodeUnsupported, 0, ChangeStrategy},
		{CodeInvalidArgument, 0, FixRequest},
		{CodeNotFound, 0, NotFound},
	}
	for _, c := range cases {
		g := Explain(&Error{Provider: local, Code: c.code, HTTPStatus: c.status})
		if g.Action != c.action {
			t.Errorf("local %s %d: %s, want %s", c.code, c.status, g.Action, c.action)
		}
		if _, found := lookupFound(&Error{Provider: local, Code: c.code, HTTPStatus: c.status}); !found {
			t.Errorf("local %s has no specific entry", c.code)
		}
	}
	if g := Explain(&Error{Provider: local, Code: CodeSSRFBlocked}); !strings.Contains(g.Hint, "--allow-hosts") {
		t.Errorf("ssrf hint does not say how an operator allows a host: %s", g.Hint)
	}
}

// A submit whose outcome is unknown must not be blindly resubmitted.
func TestUnknownSubmitOutcomeIsNotRetryLater(t *testing.T) {
	for _, p := range []string{anakin, alterlab} {
		g := Explain(&Error{Provider: p, Code: CodeMaybeStarted, HTTPStatus: 504})
		if g.Action == RetryLater || g.Retryable {
			t.Errorf("%s: outcome-unknown submit says %s retryable=%v", p, g.Action, g.Retryable)
		}
	}
}

func TestUnknownCodesFallBackByStatus(t *testing.T) {
	cases := map[int]Action{0: ReportIssue, 400: FixRequest, 401: CheckAPIKey, 402: TopUpCredits, 403: NotAccessible,
		404: NotFound, 409: ResolveConflict, 410: NotFound, 413: FixRequest, 415: ChangeStrategy, 422: FixRequest,
		429: RetryLater, 500: RetryLater, 501: ReportIssue, 502: RetryLater, 503: RetryLater, 504: RetryLater, 418: ReportIssue}
	for _, p := range []string{anakin, alterlab, local, "scrapemcp"} {
		for status, want := range cases {
			f := &Error{Provider: p, HTTPStatus: status, Code: "NEVER_SEEN_BEFORE"}
			if _, own := providerStatus(f); own {
				// The provider's reference reads this status itself (Anakin's
				// 503, AlterLab's 422); TestProviderStatusRows checks those.
				continue
			}
			if g := Explain(f); g.Action != want {
				t.Errorf("%s %d unknown code: %s, want %s", p, status, g.Action, want)
			}
			if _, found := lookupFound(f); found {
				t.Errorf("%s %d: an unknown code claims a specific entry", p, status)
			}
		}
	}
	// Fiber's envelope has no code: the status decides.
	if g := Explain(&Error{Provider: anakin, HTTPStatus: 400, Message: "url must be a URL"}); g.Action != FixRequest {
		t.Errorf("codeless 400: %s", g.Action)
	}
}

func TestRetryAfterIsHonouredAndRoundedUp(t *testing.T) {
	g := Explain(&Error{Provider: anakin, HTTPStatus: 429, Code: "rate_limit_exceeded", RetryAfter: 1500 * time.Millisecond})
	if g.RetryAfterS != 2 {
		t.Errorf("1.5 s became retry_after_s=%d, want 2", g.RetryAfterS)
	}
	if g := Explain(&Error{Provider: anakin, HTTPStatus: 503, Code: "service_unavailable"}); g.RetryAfterS < 30 || g.RetryAfterS > 60 {
		t.Errorf("503 default wait %d s, the catalog says 30–60", g.RetryAfterS)
	}
	if g := Explain(&Error{Provider: anakin, HTTPStatus: 402, Code: "insufficient_credits", RetryAfter: time.Minute}); g.RetryAfterS != 0 {
		t.Errorf("a non-retryable failure carries retry_after_s=%d", g.RetryAfterS)
	}
}

func TestInvalidArgumentHintNamesTheField(t *testing.T) {
	g := Explain(&Error{Provider: anakin, Code: CodeInvalidArgument, Field: "max_depth"})
	if g.Action != FixRequest || !strings.Contains(g.Hint, "max_depth") {
		t.Errorf("%s %q", g.Action, g.Hint)
	}
}

// Hints are sentences an agent can act on, and suggested_arguments is
// always an object (never null) naming only real tool arguments.
func TestEveryRowIsWellFormed(t *testing.T) {
	allowedArgs := []string{"use_browser", "country", "timeout", "max_pages", "max_depth", "formats", "wait_for", "max_tier", "mode"}
	check := func(name string, e entry) {
		if e.hint == "" || !strings.HasSuffix(e.hint, ".") || strings.ContainsAny(e.hint, "{}") {
			t.Errorf("%s: hint %q", name, e.hint)
		}
		if !slices.Contains(Actions, e.action) {
			t.Errorf("%s: unknown action %q", name, e.action)
		}
		if e.retryable && e.wait == 0 && e.action == RetryLater {
			t.Errorf("%s: retry_later without a default wait", name)
		}
		for k := range e.suggest {
			if !slices.Contains(allowedArgs, k) {
				t.Errorf("%s: suggests unknown argument %q", name, k)
			}
		}
	}
	for k, e := range anakinCodes {
		check(fmt.Sprint(k), e)
	}
	for k, e := range alterlabCodes {
		check(fmt.Sprint(k), e)
	}
	for k, e := range ownCodes {
		check(k, e)
	}
	for k, e := range localCodes {
		check(k, e)
	}
	for _, f := range jobFailures {
		check(strings.Join(f.substrings, "|"), f.entry)
	}
	for _, st := range []int{0, 400, 401, 402, 403, 404, 408, 409, 413, 415, 429, 500, 501} {
		check(fmt.Sprint("status ", st), byStatus(st))
		check(fmt.Sprint("target ", st), targetStatus(st))
	}
	if g := Explain(&Error{}); g.SuggestedArguments == nil {
		t.Error("suggested_arguments is nil")
	}
}

// docs/guidance.md is generated from the table, so the documentation cannot
// drift from the code.
func TestGuidanceDocIsCurrent(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Guidance table\n\nGenerated from `errmap/` by `UPDATE_GUIDANCE=1 go test ./errmap`; do not edit by hand.\n\n")
	b.WriteString("Every failed tool call carries `error` (provider, code, http_status, message, request_id, field, details) and `guidance` (action, retryable, retry_after_s, hint, suggested_arguments). ")
	b.WriteString("A provider's row matches only a code that provider's API sent (an error answer at HTTP 400 or above, or a code scrapemcp does not assign itself); scrapemcp's own codes have their own rows. ")
	b.WriteString("Unknown codes fall back to what the provider's reference says about the status, else by status class (last table). ")
	b.WriteString("The details column names the `error.details` a row's errors carry when the API sends them; a hint that cites `details.<key>` shows its value.\n\n")
	section := func(title string, rows [][]string) {
		sort.Slice(rows, func(i, j int) bool { return strings.Join(rows[i], "|") < strings.Join(rows[j], "|") })
		fmt.Fprintf(&b, "## %s\n\n| status | code | action | retryable | details | hint |\n|---|---|---|---|---|---|\n", title)
		for _, r := range rows {
			fmt.Fprintf(&b, "| %s |\n", strings.Join(r, " | "))
		}
		b.WriteString("\n")
	}
	rowOf := func(status, code string, e entry) []string {
		var d []string
		for _, k := range e.details {
			d = append(d, "`"+k+"`")
		}
		hint := e.hint
		if len(e.suggest) > 0 {
			j, _ := json.Marshal(e.suggest)
			hint += " Suggests `" + string(j) + "`."
		}
		return []string{status, "`" + code + "`", "`" + string(e.action) + "`", strconv.FormatBool(e.retryable), strings.Join(d, " "), hint}
	}
	st := func(n int) string {
		if n == 0 {
			return "any"
		}
		return strconv.Itoa(n)
	}
	var rows [][]string
	for k, e := range anakinCodes {
		rows = append(rows, rowOf(st(k.status), k.code, e))
	}
	for n, e := range anakinStatus {
		rows = append(rows, rowOf(st(n), "(none or unlisted)", e))
	}
	section("Anakin", rows)
	rows = nil
	for k, e := range alterlabCodes {
		rows = append(rows, rowOf(st(k.status), k.code, e))
	}
	for n, e := range alterlabStatus {
		rows = append(rows, rowOf(st(n), "(none or unlisted; not a validation error)", e))
	}
	section("AlterLab", rows)
	rows = nil
	for k, e := range localCodes {
		rows = append(rows, rowOf("—", k, e))
	}
	for _, n := range []int{403, 404, 429, 500} {
		rows = append(rows, rowOf(st(n), CodeHTTPStatus, targetStatus(n)))
	}
	section("Local fetcher", rows)
	rows = nil
	for k, e := range ownCodes {
		rows = append(rows, rowOf("any", k, e))
	}
	for k, e := range ownWithJob {
		rows = append(rows, rowOf("any", k+" (with details.job_id)", e))
	}
	section("Any provider (assigned by scrapemcp)", rows)
	rows = nil
	for _, f := range jobFailures {
		rows = append(rows, rowOf("—", "job_failed: "+strings.Join(f.substrings, ", "), f.entry))
	}
	section("Async job failure strings", rows)
	rows = nil
	for _, n := range []int{0, 400, 401, 402, 403, 404, 408, 409, 410, 413, 415, 422, 429, 500, 501, 502, 503, 504} {
		rows = append(rows, rowOf(st(n), "(unknown)", byStatus(n)))
	}
	section("Fallback by HTTP status", rows)
	got := []byte(b.String())
	const file = "../docs/guidance.md"
	if os.Getenv("UPDATE_GUIDANCE") != "" {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, _ := os.ReadFile(file)
	if string(want) != string(got) {
		t.Errorf("%s is out of date: run UPDATE_GUIDANCE=1 go test ./errmap", file)
	}
}

// lookupFound reports whether a specific row (not the status fallback)
// answered e.
func lookupFound(e *Error) (entry, bool) {
	r, src := lookup(e)
	return r, src != fromStatus
}

// A status the provider's reference reads itself, without a code.
func TestProviderStatusRows(t *testing.T) {
	cases := []struct {
		name   string
		e      *Error
		action Action
		wait   int
	}{
		{"Anakin 503 without a code: 30–60 s", &Error{Provider: anakin, HTTPStatus: 503}, RetryLater, 45},
		{"AlterLab bare 422: every tier failed", &Error{Provider: alterlab, HTTPStatus: 422, Message: "Scraping failed"}, ChangeStrategy, 0},
		{"AlterLab 422 validation, one field", &Error{Provider: alterlab, HTTPStatus: 422, Field: "url"}, FixRequest, 0},
		{"AlterLab 422 validation, several fields", &Error{Provider: alterlab, HTTPStatus: 422, Details: map[string]any{"invalid_fields": []any{"url", "timeout"}}}, FixRequest, 0},
		{"AlterLab 503 without a code stays generic", &Error{Provider: alterlab, HTTPStatus: 503}, RetryLater, 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := Explain(c.e)
			if g.Action != c.action || g.RetryAfterS != c.wait {
				t.Errorf("%s after %d s, want %s after %d s", g.Action, g.RetryAfterS, c.action, c.wait)
			}
		})
	}
}

// A hint cites only details its row declares (details.<key>), and says the
// value when the API sent it.
func TestHintsCiteOnlyDeclaredDetails(t *testing.T) {
	cited := regexp.MustCompile(`details\.([a-z_]+)`)
	check := func(name string, r entry) {
		for _, m := range cited.FindAllStringSubmatch(r.hint, -1) {
			if !slices.Contains(r.details, m[1]) {
				t.Errorf("%s: hint cites details.%s, which the row does not declare (%v)", name, m[1], r.details)
			}
		}
	}
	for k, r := range anakinCodes {
		check(fmt.Sprint(k), r)
	}
	for k, r := range alterlabCodes {
		check(fmt.Sprint(k), r)
	}
	for k, r := range ownCodes {
		check(k, r)
	}
	for k, r := range ownWithJob {
		check(k+" with job", r)
	}
	for k, r := range localCodes {
		check(k, r)
	}
	g := Explain(&Error{Provider: alterlab, HTTPStatus: 402, Code: "INSUFFICIENT_CREDITS",
		Details: map[string]any{"required_credits": 5.0, "available_credits": 2.0}})
	if !strings.Contains(g.Hint, "needs details.required_credits=5") || !strings.Contains(g.Hint, "has details.available_credits=2") {
		t.Errorf("the hint does not say the credits: %s", g.Hint)
	}
	g = Explain(&Error{Provider: anakin, Code: CodeMaybeStarted, HTTPStatus: 504, Details: map[string]any{"job_id": "anakin:scrape:j1"}})
	if g.Action != WaitPrerequisite || g.Retryable || !strings.Contains(g.Hint, "job_status with details.job_id=anakin:scrape:j1") {
		t.Errorf("a 504 submit with a job id: %+v", g)
	}
}
