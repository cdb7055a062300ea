package tools

import (
	"encoding/json"
	"math"
	"slices"
	"strings"

	"github.com/scrapemcp/scrapemcp/client"
)

// Documented limits, checked before any API call so no credits are spent on
// a request the API would reject.
const (
	maxBatchURLs    = 10
	maxCrawlDepth   = 5
	maxCrawlPages   = 1000
	maxPromptBytes  = 8 << 10  // Anakin: prompt ≤ 8 KB
	maxSchemaBytes  = 50 << 10 // Anakin: schema ≤ 50 KB (AlterLab allows 64 KB; the lower bound serves both)
	maxSearchLimit  = 20
	maxMapLimit     = 5000
	maxMaxLength    = 1_000_000
	minMaxLength    = 100
	maxTimeoutS     = 300
	maxWaitS        = 600
	maxQueryLength  = 500
	maxCountryChars = 2
)

// checkURL validates an absolute http(s) URL argument (client.CheckURL,
// the one check every provider shares).
func checkURL(provider, field, raw string) *client.Error {
	return client.CheckURL(provider, field, raw)
}

// checkMaxLength validates max_length/start_index and applies the default.
func checkMaxLength(provider string, maxLength, start, def int) (int, *client.Error) {
	if start < 0 {
		return 0, invalid(provider, "start_index", "start_index must be 0 or more, got %d", start)
	}
	if maxLength == 0 {
		return def, nil
	}
	if maxLength < minMaxLength || maxLength > maxMaxLength {
		return 0, invalid(provider, "max_length", "max_length must be between %d and %d characters, got %d", minMaxLength, maxMaxLength, maxLength)
	}
	return maxLength, nil
}

// checkExtraction validates a json_schema/prompt pair.
func checkExtraction(provider string, schema map[string]any, prompt string) (json.RawMessage, *client.Error) {
	if len(prompt) > maxPromptBytes {
		return nil, invalid(provider, "prompt", "prompt is %d bytes; the limit is %d (8 KB)", len(prompt), maxPromptBytes)
	}
	if schema == nil {
		return nil, nil
	}
	raw, err := json.Marshal(schema)
	if err != nil {
		return nil, invalid(provider, "json_schema", "json_schema could not be encoded: %v", err)
	}
	if len(raw) > maxSchemaBytes {
		return nil, invalid(provider, "json_schema", "json_schema is %d bytes; the limit is %d (50 KB)", len(raw), maxSchemaBytes)
	}
	if err := compileSchema(raw); err != nil {
		return nil, invalid(provider, "json_schema", "json_schema is not a valid JSON Schema: %v", err)
	}
	return raw, nil
}

// checkTimeout validates a call's timeout in seconds (0: the default).
func checkTimeout(provider string, seconds int) *client.Error {
	if seconds < 0 || seconds > maxTimeoutS {
		return invalid(provider, "timeout", "timeout must be between 1 and %d seconds, got %d", maxTimeoutS, seconds)
	}
	return nil
}

func checkCountry(provider, c string) *client.Error {
	_, err := client.CheckCountry(provider, c)
	return err
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:byteOffset(s, n)] + "…"
}

// ControlArgs are the options only some providers take: a render mode, an
// escalation cap, a cost cap and authenticated scraping. Embedded in the
// arguments of scrape, batch_scrape and extract.
type ControlArgs struct {
	Mode       string            `json:"mode,omitempty" jsonschema:"description=AlterLab render mode: auto (default)\\, html\\, js (same as use_browser)\\, pdf for PDF documents\\, ocr for images. Anakin and the local backend take auto\\, html and js only.,enum=auto,enum=html,enum=js,enum=pdf,enum=ocr"`
	MaxTier    string            `json:"max_tier,omitempty" jsonschema:"description=AlterLab only: the highest scraping tier AlterLab may escalate to (1 curl\\, 2 http\\, 3 stealth\\, 3.5 light JS\\, 4 browser with CAPTCHA solving; higher tiers cost more). Use 4 for sites behind anti-bot walls.,enum=1,enum=2,enum=3,enum=3.5,enum=4"`
	MaxCredits float64           `json:"max_credits,omitempty" jsonschema:"description=AlterLab only: a hard spending cap for this request in AlterLab's credits; the request fails (EXCEEDS_COST_LIMIT) rather than cost more. Anakin takes no per-request cap (it checks the balance before it starts).,exclusiveMinimum=0"`
	SessionID  string            `json:"session_id,omitempty" jsonschema:"description=A saved session to scrape as a logged-in user: an AlterLab stored session (UUID) or an Anakin saved browser session (Anakin then uses its browser). List them with the sessions tool. Not with cookies.,maxLength=200"`
	Cookies    map[string]string `json:"cookies,omitempty" jsonschema:"description=AlterLab only: cookies (name to value) for one authenticated request\\, e.g. the user's session cookie for the site. Not with session_id. Never logged or echoed back."`
}

// AlterLab's documented values (cost_controls.max_tier, mode).
var (
	alterlabTiers = []string{"1", "2", "3", "3.5", "4"}
	modes         = []string{"auto", "html", "js", "pdf", "ocr"}
)

// Cookie bounds: AlterLab caps request headers at 32 KB; a cookie header
// of 16 KB leaves room for the rest.
const (
	maxCookies     = 50
	maxCookieBytes = 16 << 10
)

// controls checks the options against what provider takes, before any call
// (no credits are spent on a request the API would refuse, and no option is
// silently dropped), and returns them in the client's terms.
func (c ControlArgs) controls(provider string, useBrowser bool) (client.Controls, *client.Error) {
	none := client.Controls{}
	mode := strings.ToLower(strings.TrimSpace(c.Mode))
	if mode != "" && !slices.Contains(modes, mode) {
		return none, invalid(provider, "mode", "mode must be one of %s, got %q", strings.Join(modes, ", "), clip(c.Mode, 20))
	}
	if useBrowser && mode != "" && mode != "js" && mode != "auto" {
		return none, invalid(provider, "mode", "use_browser renders JavaScript (mode js); it cannot be combined with mode %q", mode)
	}
	alterlabOnly := func(field, why string) *client.Error {
		return invalid(provider, field, "%s is an AlterLab option; the %s provider %s", field, provider, why)
	}
	if provider != client.AlterLab {
		switch {
		case mode == "pdf" || mode == "ocr":
			return none, alterlabOnly("mode", "has no "+mode+" mode: use a URL that serves HTML")
		case c.MaxTier != "":
			return none, alterlabOnly("max_tier", "has no tiers: use use_browser=true for its browser")
		case c.MaxCredits != 0:
			return none, alterlabOnly("max_credits", "takes no per-request cost cap (Anakin checks the balance before a job starts)")
		case len(c.Cookies) > 0:
			return none, alterlabOnly("cookies", "takes no inline cookies; Anakin uses saved browser sessions (session_id)")
		}
	}
	if provider == client.Local && c.SessionID != "" {
		return none, invalid(provider, "session_id", "session_id needs an API provider with saved sessions (ANAKIN_API_KEY or ALTERLAB_API_KEY); the local backend has none")
	}
	if c.MaxTier != "" && !slices.Contains(alterlabTiers, c.MaxTier) {
		return none, invalid(provider, "max_tier", "max_tier must be one of %s, got %q", strings.Join(alterlabTiers, ", "), clip(c.MaxTier, 20))
	}
	if c.MaxCredits < 0 || math.IsNaN(c.MaxCredits) || math.IsInf(c.MaxCredits, 0) {
		return none, invalid(provider, "max_credits", "max_credits must be a positive number, got %v", c.MaxCredits)
	}
	id := strings.TrimSpace(c.SessionID)
	switch {
	case id != "" && len(c.Cookies) > 0:
		return none, invalid(provider, "cookies", "session_id and cookies are mutually exclusive: send session_id for a stored session or cookies for a one-off request, not both")
	case len(id) > 200:
		return none, invalid(provider, "session_id", "session_id is %d characters; the limit is 200", len(id))
	case provider == client.AlterLab && id != "" && !isUUID(id):
		return none, invalid(provider, "session_id", "an AlterLab session_id is a UUID such as 123e4567-e89b-12d3-a456-426614174000, got %q; the sessions tool lists them", clip(id, 40))
	}
	size := 0
	for k, v := range c.Cookies {
		size += len(k) + len(v) + 2
		if k == "" || strings.ContainsAny(k, "=; \t\r\n") || strings.ContainsAny(v, ";\r\n") {
			// The value is a secret: the message names the cookie only.
			return none, invalid(provider, "cookies", "cookie %q has an invalid name or value (names without = ; or spaces, values without ; or line breaks)", clip(k, 40))
		}
	}
	if len(c.Cookies) > maxCookies || size > maxCookieBytes {
		return none, invalid(provider, "cookies", "cookies must be at most %d cookies and %d bytes, got %d cookies and %d bytes", maxCookies, maxCookieBytes, len(c.Cookies), size)
	}
	return client.Controls{Mode: mode, MaxTier: c.MaxTier, MaxCredits: c.MaxCredits, SessionID: id, Cookies: c.Cookies}, nil
}

// isUUID reports whether s is a UUID in its canonical 8-4-4-4-12 hex form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}
