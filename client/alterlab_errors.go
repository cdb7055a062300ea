package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// decodeAlterLabError reads the error bodies AlterLab's docs and its own
// clients describe (research §4.1), plus the non-JSON pages a proxy in
// front of it may send:
//
//	D  {"error": "CODE", "message": "…", "request_id": "…", "details": {…}}  the documented shape
//	F  {"detail": "…"}                                                       FastAPI; no code
//	F' {"detail": {"error"|"code": "CODE", "message": "…", …}}              FastAPI with a structured detail
//	V  {"detail": [{"loc": ["body", "url"], "msg": "…"}, …]}                FastAPI validation
//	C  {"code": "CODE", "message"|"detail": "…"}                             as the Node SDK reads it
//
// Codes are kept exactly as sent. The same code means different things at
// different statuses (SESSION_EXPIRED at 401 is the dashboard token, at 410
// a stored cookie session), so callers read both. Everything else the agent
// may act on (required/available credits, the 504's credits_status and
// estimated_completion_s, the balance headers) goes into Details.
func decodeAlterLabError(status int, h http.Header, body []byte) *Error {
	e := &Error{Details: map[string]any{}}
	var env map[string]json.RawMessage
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' && json.Unmarshal(t, &env) == nil {
		readAlterLabEnvelope(e, env)
	} else {
		e.Message = snippet(status, body)
	}
	if w := alterlabBalanceLevel(h); w != "" {
		e.Details["balance_warning"] = w
		if b := strings.TrimSpace(h.Get("X-AlterLab-Balance")); b != "" {
			e.Details["balance"] = b
		}
	}
	if e.Message == "" {
		e.Message = statusText(status)
	}
	if len(e.Details) == 0 {
		e.Details = nil
	}
	return e
}

// envelope keys that are read into Error's own fields rather than Details.
var alterlabEnvelopeKeys = map[string]bool{"error": true, "code": true, "message": true, "detail": true,
	"request_id": true, "requestId": true, "details": true, "field": true, "retry_after": true}

func readAlterLabEnvelope(e *Error, env map[string]json.RawMessage) {
	// A structured "detail" (FastAPI's HTTPException with a dict) or "error"
	// object holds the real envelope; the outer level fills what it lacks.
	levels := []map[string]json.RawMessage{env}
	for _, k := range []string{"detail", "error"} {
		var inner map[string]json.RawMessage
		if raw := bytes.TrimSpace(env[k]); len(raw) > 0 && raw[0] == '{' && json.Unmarshal(raw, &inner) == nil {
			levels = append([]map[string]json.RawMessage{inner}, levels...)
		}
	}
	var prose []string
	for _, lv := range levels {
		if e.Code == "" {
			if s := stringField(lv["error"]); alterlabCodeLike(s) {
				e.Code = s
			} else if s != "" {
				prose = append(prose, s)
			}
		}
		if e.Code == "" {
			e.Code = stringField(lv["code"])
		}
		if e.Message == "" {
			e.Message = stringField(lv["message"])
		}
		if e.RequestID == "" {
			e.RequestID = firstNonEmpty(stringField(lv["request_id"]), stringField(lv["requestId"]))
		}
		if e.Field == "" {
			e.Field = stringField(lv["field"])
		}
		var details map[string]json.RawMessage
		if json.Unmarshal(lv["details"], &details) == nil {
			for k, v := range details {
				if k == "field" && e.Field == "" {
					e.Field = stringField(v)
				}
				e.Details[k] = anyValue(v)
			}
		}
		for k, v := range lv {
			if !alterlabEnvelopeKeys[k] {
				if _, ok := e.Details[k]; !ok {
					e.Details[k] = anyValue(v)
				}
			}
		}
	}
	switch raw := bytes.TrimSpace(env["detail"]); {
	case len(raw) > 0 && raw[0] == '"':
		s := stringField(raw)
		if e.Code == "" && alterlabUpperCode.MatchString(s) {
			e.Code = s
		} else if s != "" {
			prose = append(prose, s)
		}
	case len(raw) > 0 && raw[0] == '[':
		msg, fields := alterlabValidation(raw)
		prose = append(prose, msg)
		if e.Field == "" && len(fields) == 1 {
			e.Field = fields[0]
		}
		if len(fields) > 0 {
			// A validation error, whatever its status: errmap tells it from
			// a 422 for a page no tier could fetch by this.
			list := make([]any, len(fields))
			for i, f := range fields {
				list[i] = f
			}
			e.Details["invalid_fields"] = list
		}
	}
	if e.Message == "" {
		e.Message = firstNonEmpty(prose...)
	}
	var ra lenientNumber
	if json.Unmarshal(env["retry_after"], &ra) == nil && ra.ok && ra.v > 0 {
		// The Node SDK reads the wait from the body; a Retry-After or
		// X-RateLimit-Reset header, when present, overrides it.
		e.RetryAfter = time.Duration(ra.v * float64(time.Second))
	}
}

// alterlabValidation summarises FastAPI's list of validation errors and
// names the fields at fault.
func alterlabValidation(raw json.RawMessage) (msg string, fields []string) {
	var list []struct {
		Loc []any         `json:"loc"`
		Msg lenientString `json:"msg"`
	}
	if json.Unmarshal(raw, &list) != nil {
		return "", nil
	}
	var parts []string
	for _, v := range list {
		var path []string
		for _, p := range v.Loc {
			if s := fmt.Sprint(p); s != "body" && s != "query" {
				path = append(path, s)
			}
		}
		f := strings.Join(path, ".")
		fields = append(fields, f)
		if f != "" {
			parts = append(parts, f+": "+string(v.Msg))
		} else {
			parts = append(parts, string(v.Msg))
		}
	}
	return strings.Join(parts, "; "), fields
}

var (
	alterlabCodeRe    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.\-]{0,63}$`)
	alterlabUpperCode = regexp.MustCompile(`^[A-Z][A-Z0-9_]{2,63}$`)
)

// alterlabCodeLike tells a machine code (INSUFFICIENT_CREDITS, not_found)
// from prose ("Not Found", "Unauthorized") in the "error" field.
func alterlabCodeLike(s string) bool {
	return alterlabCodeRe.MatchString(s) && (strings.Contains(s, "_") || s == strings.ToUpper(s))
}

// alterlabBalanceLevel is X-AlterLab-Balance-Warning when it says the
// balance needs attention; other values mean healthy.
func alterlabBalanceLevel(h http.Header) string {
	switch w := strings.ToLower(strings.TrimSpace(h.Get("X-AlterLab-Balance-Warning"))); w {
	case "low", "critical", "exhausted":
		return w
	}
	return ""
}

// alterlabBalanceWarning is the page warning for a low balance, so the agent
// can tell the user before calls start failing with 402.
func alterlabBalanceWarning(h http.Header) string {
	w := alterlabBalanceLevel(h)
	if w == "" {
		return ""
	}
	s := "the AlterLab balance is " + w
	if b := strings.TrimSpace(h.Get("X-AlterLab-Balance")); b != "" {
		s += " (" + b + " left)"
	}
	return s + "; ask the user to add funds in the AlterLab dashboard"
}
