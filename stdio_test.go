package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestCancelledRequestsGetNoErrorResponse(t *testing.T) {
	f := newCancelFilter()
	in := `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{}}` + "\n" +
		`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}` + "\n"
	if _, err := io.ReadAll(f.reader(strings.NewReader(in))); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := f.writer(&out)
	lines := []string{
		`{"jsonrpc":"2.0","id":7,"error":{"code":-32603,"message":"context canceled"}}`,
		`{"jsonrpc":"2.0","id":8,"error":{"code":-32602,"message":"bad"}}`,
		`{"jsonrpc":"2.0","id":9,"result":{}}`,
	}
	for _, l := range lines {
		// Split writes mid-line: the filter must reassemble lines.
		_, _ = w.Write([]byte(l[:10]))
		_, _ = w.Write([]byte(l[10:] + "\n"))
	}
	got := out.String()
	if strings.Contains(got, `"id":7`) {
		t.Errorf("error response to a cancelled request was sent:\n%s", got)
	}
	if !strings.Contains(got, `"id":8`) || !strings.Contains(got, `"id":9`) {
		t.Errorf("other responses were dropped:\n%s", got)
	}
}
