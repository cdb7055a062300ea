package client

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// decodeAnakinError reads the three error envelopes Anakin uses (research
// §3.2) plus the non-JSON pages a proxy in front of it may send:
//
//	A  {"error": "code", "message": "…"}               most endpoints
//	A' {"error": "URL is required", "code": "…"}       onboarding docs: code wins, error is the message
//	B  {"status": "error", "error": {"code", "message", balance, required, connect_url, …}}   Wire
//	C  {"statusCode": 400, "message": "…" | ["…", …]}  older validation (Fiber); no code
//
// Codes are kept exactly as sent (lowercase on A, UPPER on B); errmap knows
// both. Anything the agent may need to act on (balance, required, connect_url,
// the keyless trial's signup link) goes into Details.
func decodeAnakinError(status int, h http.Header, body []byte) *Error {
	e := &Error{Details: map[string]any{}}
	var env map[string]json.RawMessage
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' && json.Unmarshal(t, &env) == nil {
		readAnakinEnvelope(e, env)
	} else {
		e.Message = snippet(status, body)
	}
	if v := strings.TrimSpace(h.Get("X-Trial-Credits-Remaining")); v != "" {
		e.Details["trial_credits_remaining"] = anakinNumberOrString(v)
	}
	if v := strings.TrimSpace(h.Get("X-Anakin-Signup")); v != "" {
		e.Details["signup_url"] = v
	}
	if e.Message == "" {
		e.Message = statusText(status)
	}
	if len(e.Details) == 0 {
		e.Details = nil
	}
	return e
}

func readAnakinEnvelope(e *Error, env map[string]json.RawMessage) {
	msg := anakinMessage(env["message"])
	code := stringField(env["code"])
	raw := bytes.TrimSpace(env["error"])
	switch {
	case len(raw) > 0 && raw[0] == '{': // B
		var inner map[string]json.RawMessage
		_ = json.Unmarshal(raw, &inner)
		e.Code = stringField(inner["code"])
		e.Message = anakinMessage(inner["message"])
		if e.Message == "" {
			e.Message = msg
		}
		for k, v := range inner {
			if k != "code" && k != "message" {
				e.Details[k] = anyValue(v)
			}
		}
	case len(raw) > 0 && raw[0] == '"':
		s := stringField(raw)
		switch {
		case code != "": // A'
			e.Code, e.Message = code, s
			if s == "" {
				e.Message = msg
			}
		case anakinCodeLike(s): // A
			e.Code, e.Message = s, msg
		default: // an older route that puts prose in "error"
			e.Message = s
			if msg != "" {
				e.Message = msg
				e.Details["error"] = s
			}
		}
	default: // C, or an unknown shape
		e.Code, e.Message = code, msg
	}

	if c, ok := e.Details["connect_url"].(string); ok && strings.HasPrefix(c, "/") {
		// Wire sends it relative to the dashboard, as the Python SDK notes.
		e.Details["connect_url"] = "https://anakin.io" + c
	}
	for _, k := range []string{"balance", "required", "missing_fields", "details"} {
		if v, ok := env[k]; ok {
			e.Details[k] = anyValue(v)
		}
	}
	if f := stringField(env["field"]); f != "" {
		e.Field = f
	} else if mf, ok := e.Details["missing_fields"].([]any); ok && len(mf) == 1 {
		e.Field, _ = mf[0].(string)
	}
	for _, k := range []string{"request_id", "requestId"} {
		if id := stringField(env[k]); id != "" {
			e.RequestID = id
			break
		}
	}
	var trial struct {
		SignupURL        string        `json:"signup_url"`
		RemainingCredits lenientNumber `json:"remaining_credits"`
	}
	if json.Unmarshal(env["trial"], &trial) == nil {
		if trial.SignupURL != "" {
			e.Details["signup_url"] = trial.SignupURL
		}
		if trial.RemainingCredits.ok {
			e.Details["trial_credits_remaining"] = trial.RemainingCredits.v
		}
	}
}

var anakinCodeRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.\-]{0,63}$`)

// anakinCodeLike tells a machine code ("rate_limit_exceeded") from prose
// ("URL is required") in the "error" field.
func anakinCodeLike(s string) bool { return anakinCodeRe.MatchString(s) }

// anakinMessage reads "message" as a string or, in the Fiber shape, a list of
// validation messages.
func anakinMessage(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, "; ")
	}
	return ""
}

func anakinNumberOrString(s string) any {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	return s
}
