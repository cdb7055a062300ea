package errmap

import (
	"fmt"
	"strings"
	"time"
)

// Error is every failure scrapemcp reports, from any layer: a provider API's
// error answer (its HTTP status and its own code, kept as sent), an async
// job's failure (CodeJobFailed and the provider's failure string), a local
// fetch failure, or one of our own codes. The client returns it, the tools
// hand it to Explain as it is, and its JSON form is the "error" half of a
// failed tool call's structured content.
//
// Details carries what the API said that helps the agent act (credits
// required and available, a balance, the job id of a 504 submit, an ETA, a
// connect_url, existing ids). Whoever fills an Error from an API answer
// calls Redact before it leaves, so no secret sent with the request (the
// API key, cookies) comes back in it.
type Error struct {
	Provider   string         `json:"provider"`
	Code       string         `json:"code"`
	HTTPStatus int            `json:"http_status"`
	Message    string         `json:"message"`
	RequestID  string         `json:"request_id,omitempty"`
	Field      string         `json:"field,omitempty" jsonschema:"description=The argument at fault\\, for fix_request."`
	Details    map[string]any `json:"details,omitempty" jsonschema:"description=What the API said that helps to act on the error (credits required and available\\, balance\\, job_id to poll\\, estimated completion\\, connect_url\\, existing ids)."`
	// RetryAfter is the wait the API (or the client's own budget) asked for;
	// it reaches the agent as guidance.retry_after_s.
	RetryAfter time.Duration `json:"-"`
	// Err is the underlying cause, for errors.Is/As; never shown to agents.
	Err error `json:"-"`
}

func (e *Error) Error() string {
	s := e.Provider
	if e.HTTPStatus != 0 {
		s += fmt.Sprintf(" %d", e.HTTPStatus)
	}
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Detail sets one detail, creating the map when needed, and returns e.
func (e *Error) Detail(key string, v any) *Error {
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	e.Details[key] = v
	return e
}

// Redact replaces every non-empty secret wherever it appears in e's text:
// message, field, request id and details at any depth (details nest: Wire's
// "details" object, lists of fields). It returns e.
func (e *Error) Redact(secrets ...string) *Error {
	var olds []string
	for _, s := range secrets {
		if s != "" {
			olds = append(olds, s, "[redacted]")
		}
	}
	if len(olds) == 0 {
		return e
	}
	r := strings.NewReplacer(olds...)
	e.Message = r.Replace(e.Message)
	e.Field = r.Replace(e.Field)
	e.RequestID = r.Replace(e.RequestID)
	e.Code = r.Replace(e.Code)
	for k, v := range e.Details {
		e.Details[k] = redactValue(r, v)
	}
	return e
}

func redactValue(r *strings.Replacer, v any) any {
	switch x := v.(type) {
	case string:
		return r.Replace(x)
	case map[string]any:
		for k, y := range x {
			x[k] = redactValue(r, y)
		}
	case []any:
		for i, y := range x {
			x[i] = redactValue(r, y)
		}
	}
	return v
}

// Report is the structured content of every failed tool call.
type Report struct {
	Error    *Error   `json:"error"`
	Guidance Guidance `json:"guidance"`
}

// Explained pairs e with its guidance.
func Explained(e *Error) Report { return Report{Error: e, Guidance: Explain(e)} }
