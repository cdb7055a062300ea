package client

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// The arguments every provider shares are checked here, once: by the tools
// before any call (so no credits are spent on a request the API would
// reject) and by the providers for callers of this package.

// MaxURLLength is AlterLab's documented URL limit; Anakin states none, so
// the lower bound serves both.
const MaxURLLength = 8192

// CheckURL validates an absolute http(s) URL argument named field.
func CheckURL(provider, field, raw string) *Error {
	raw = strings.TrimSpace(raw)
	bad := func(format string, args ...any) *Error {
		return &Error{Provider: provider, Code: CodeInvalidArgument, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	switch {
	case raw == "":
		return bad("%s is required: an absolute http(s) URL such as https://example.com/page", field)
	case len(raw) > MaxURLLength:
		return bad("%s is %d characters long; the limit is %d", field, len(raw), MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("%s is not a valid URL: %v", field, strings.TrimPrefix(err.Error(), "parse "))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		if u.Scheme == "" {
			return bad("%s %q has no scheme; use an absolute URL starting with https:// or http://", field, clipText(raw, 200))
		}
		return bad("%s uses the %q scheme; only http and https URLs can be fetched", field, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return bad("%s %q has no host", field, clipText(raw, 200))
	}
	return nil
}

// CheckCountry validates a two-letter ISO 3166-1 country code and returns
// it in lower case ("" when none was given).
func CheckCountry(provider, raw string) (string, *Error) {
	c := strings.ToLower(strings.TrimSpace(raw))
	if c == "" {
		return "", nil
	}
	if len(c) != 2 || strings.Trim(c, "abcdefghijklmnopqrstuvwxyz") != "" {
		return "", &Error{Provider: provider, Code: CodeInvalidArgument, Field: "country",
			Message: fmt.Sprintf("country must be a two-letter ISO 3166-1 code such as \"us\" or \"de\", got %q", clipText(raw, 20))}
	}
	return c, nil
}

// clipText cuts s to at most n bytes on a rune boundary, marking the cut.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// CheckActions validates browser actions before anything runs: known types,
// the fields each type needs and no others, selectors and text within
// bounds, and the waits within MaxActionWait each and MaxActionsWait in
// all. Field names in messages are the tool's (actions[i].selector).
func CheckActions(provider string, actions []Action) *Error {
	bad := func(i int, field, format string, args ...any) *Error {
		name := "actions"
		if i >= 0 {
			name = fmt.Sprintf("actions[%d]", i)
			if field != "" {
				name += "." + field
			}
		}
		return &Error{Provider: provider, Code: CodeInvalidArgument, Field: name, Message: name + " " + fmt.Sprintf(format, args...)}
	}
	if len(actions) > MaxActions {
		return bad(-1, "", "has %d steps; at most %d are allowed", len(actions), MaxActions)
	}
	var waited time.Duration
	for i, a := range actions {
		need := map[string]bool{}
		switch a.Type {
		case ActionWait:
			if a.Milliseconds <= 0 {
				return bad(i, "milliseconds", "is required for wait: how long to wait, 1 to %d", MaxActionWait.Milliseconds())
			}
			need["milliseconds"] = true
		case ActionWaitFor:
			need["selector"], need["milliseconds"] = true, true
		case ActionClick:
			need["selector"] = true
		case ActionScroll:
			need["direction"], need["selector"] = true, true
			if a.Direction != "" && a.Direction != "up" && a.Direction != "down" {
				return bad(i, "direction", "must be up or down, got %q", clipText(a.Direction, 20))
			}
		case ActionWrite:
			if a.Text == "" {
				return bad(i, "text", "is required for write: the text to type into the focused element (click an input first)")
			}
			if n := utf8.RuneCountInString(a.Text); n > MaxActionWriteText {
				return bad(i, "text", "is %d characters long; the limit is %d", n, MaxActionWriteText)
			}
			need["text"] = true
		case ActionPress:
			if strings.TrimSpace(a.Key) == "" {
				return bad(i, "key", "is required for press: a key name such as Enter, Tab, Escape, ArrowDown or a single character")
			}
			if !IsActionKey(a.Key) {
				return bad(i, "key", "%q is not a key press action takes: use one of %s, or a single character", clipText(a.Key, 40), strings.Join(ActionKeys, ", "))
			}
			need["key"] = true
		case "":
			return bad(i, "type", "is required: one of wait, wait_for, click, scroll, write, press")
		default:
			return bad(i, "type", "%q is not an action; use one of wait, wait_for, click, scroll, write, press", clipText(a.Type, 40))
		}
		if (a.Type == ActionWaitFor || a.Type == ActionClick) && strings.TrimSpace(a.Selector) == "" {
			return bad(i, "selector", "is required for %s: a CSS selector such as \"#load-more\" or \"article h2\"", a.Type)
		}
		if n := utf8.RuneCountInString(a.Selector); n > MaxActionSelector {
			return bad(i, "selector", "is %d characters long; the limit is %d", n, MaxActionSelector)
		}
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"milliseconds", a.Milliseconds != 0}, {"selector", a.Selector != ""}, {"direction", a.Direction != ""},
			{"text", a.Text != ""}, {"key", a.Key != ""},
		} {
			if f.set && !need[f.name] {
				return bad(i, f.name, "does not apply to a %s action; remove it", a.Type)
			}
		}
		if a.Milliseconds < 0 {
			return bad(i, "milliseconds", "must be positive")
		}
		d := time.Duration(a.Milliseconds) * time.Millisecond
		if a.Type == ActionWaitFor && d == 0 {
			d = MaxActionWait // a wait_for without its own limit may use the whole per-step limit
		}
		if d > MaxActionWait {
			return bad(i, "milliseconds", "is %d; one wait may last at most %d ms", a.Milliseconds, MaxActionWait.Milliseconds())
		}
		waited += d
		if waited > MaxActionsWait {
			return bad(i, "milliseconds", "brings the waits to %d ms in all; the limit is %d ms (a wait_for without milliseconds counts %d)",
				waited.Milliseconds(), MaxActionsWait.Milliseconds(), MaxActionWait.Milliseconds())
		}
	}
	return nil
}

// ActionKeys are the named keys a press action takes (KeyboardEvent.key
// names; matched without regard to case). Any single character is a key
// too.
var ActionKeys = []string{
	"Enter", "Tab", "Escape", "Backspace", "Delete", "Space",
	"ArrowDown", "ArrowUp", "ArrowLeft", "ArrowRight", "PageDown", "PageUp", "Home", "End",
}

// IsActionKey says whether press can send k.
func IsActionKey(k string) bool {
	if utf8.RuneCountInString(k) == 1 {
		return true
	}
	for _, n := range ActionKeys {
		if strings.EqualFold(n, strings.TrimSpace(k)) {
			return true
		}
	}
	return false
}
