package errmap

import "testing"

// BenchmarkExplain looks up guidance for a mix of errors: documented codes
// of both providers, a code only the status explains, and an async failure
// string read from the message.
func BenchmarkExplain(b *testing.B) {
	errs := []*Error{
		{Provider: "anakin", Code: "insufficient_credits", HTTPStatus: 402, Message: "Insufficient credits"},
		{Provider: "alterlab", Code: "BLOCKED_BY_ANTIBOT", HTTPStatus: 403, Message: "blocked"},
		{Provider: "alterlab", Code: "PAYWALL_DETECTED", HTTPStatus: 402, Message: "paywall"},
		{Provider: "anakin", Code: "something_new", HTTPStatus: 503, Message: "unknown"},
		{Provider: "anakin", Code: "job_failed", Message: "CAPTCHA challenge detected (bot detection)"},
		{Provider: "local", Code: "robots_disallowed", Message: "robots.txt disallows /x"},
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = Explain(errs[i%len(errs)])
		i++
	}
}
