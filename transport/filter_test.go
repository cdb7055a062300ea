package transport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// pass runs lines from the client and then lines from the server through a
// fresh filter and returns what reaches the client.
func pass(t *testing.T, f *filter, in, out []string) string {
	t.Helper()
	for _, l := range in {
		f.observe([]byte(l))
	}
	var buf bytes.Buffer
	w := &lineWriter{f: f, w: &buf}
	for _, l := range out {
		// Split writes mid-line: the writer must reassemble lines.
		_, _ = w.Write([]byte(l[:10]))
		_, _ = w.Write([]byte(l[10:] + "\n"))
	}
	return buf.String()
}

func TestCancelledRequestsGetNoErrorResponse(t *testing.T) {
	got := pass(t, newFilter(), []string{
		`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{}}`,
		`{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{}}`,
		`{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{}}`,
		`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}`,
	}, []string{
		`{"jsonrpc":"2.0","id":7,"error":{"code":-32603,"message":"context canceled"}}`,
		`{"jsonrpc":"2.0","id":8,"error":{"code":-32602,"message":"bad"}}`,
		`{"jsonrpc":"2.0","id":9,"result":{}}`,
	})
	if strings.Contains(got, `"id":7`) {
		t.Errorf("error response to a cancelled request was sent:\n%s", got)
	}
	if !strings.Contains(got, `"id":8`) || !strings.Contains(got, `"id":9`) {
		t.Errorf("other responses were dropped:\n%s", got)
	}
}

func TestCancelledRequestStillGetsItsResult(t *testing.T) {
	got := pass(t, newFilter(), []string{
		`{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{}}`,
		`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"a"}}`,
	}, []string{`{"jsonrpc":"2.0","id":"a","result":{"content":[]}}`})
	if !strings.Contains(got, `"id":"a"`) {
		t.Errorf("a successful result was dropped: %q", got)
	}
}

func TestProgressAfterItsResponseIsDropped(t *testing.T) {
	progress := func(tok string, n int) string {
		return fmt.Sprintf(`{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":%s,"progress":%d}}`, tok, n)
	}
	got := pass(t, newFilter(), []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"progressToken":"p1"}}}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"_meta":{"progressToken":2}}}`,
	}, []string{
		progress(`"p1"`, 1),
		`{"jsonrpc":"2.0","id":1,"result":{}}`,
		progress(`"p1"`, 2), // late: must go
		progress(`2`, 1),    // request 2 still runs: must stay
		`{"jsonrpc":"2.0","id":2,"result":{}}`,
		progress(`2`, 2), // late
	})
	want := []string{`"progress":1}`, `"id":1,`, `"progressToken":2,"progress":1`, `"id":2,`}
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), got)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d = %s, want it to contain %s", i, lines[i], w)
		}
	}
}

func TestReusedProgressTokenIsDeliveredAgain(t *testing.T) {
	f := newFilter()
	pass(t, f, []string{`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"progressToken":"p"}}}`},
		[]string{`{"jsonrpc":"2.0","id":1,"result":{}}`})
	got := pass(t, f, []string{`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"_meta":{"progressToken":"p"}}}`},
		[]string{`{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"p","progress":1}}`})
	if got == "" {
		t.Error("progress of a new request that reuses an answered token was dropped")
	}
}

// Everything the filter remembers is keyed by client input; a flood of
// requests, cancellations for unknown ids and answered tokens stays bounded.
func TestFilterMemoryIsBoundedWhateverTheClientSends(t *testing.T) {
	f := newFilter()
	for i := range 50_000 {
		f.observe(fmt.Appendf(nil, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":%d}}`, i))
		f.observe(fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"_meta":{"progressToken":%d}}}`, i, i))
	}
	if n, _ := f.size(); n != maxTracked {
		t.Errorf("tracked %d requests, want the cap %d", n, maxTracked)
	}
	for i := range 50_000 {
		f.drop(fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%d,"result":{}}`, i))
	}
	if n, a := f.size(); n != 0 || a > maxAnswered {
		t.Errorf("after every answer: %d tracked, %d answered tokens (cap %d)", n, a, maxAnswered)
	}
}

func TestReadOutgoingFindsTheMembersInAnyOrder(t *testing.T) {
	for _, tc := range []struct {
		msg                string
		id, method, errval string
		token              string
	}{
		{`{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"x"}]}}`, "7", "", "", ""},
		{`{"result":{"a":1},"jsonrpc":"2.0","id":"s"}`, `"s"`, "", "", ""},
		{`{"jsonrpc":"2.0","id":8,"error":{"code":-32603,"message":"m"}}`, "8", "", `{"code":-32603,"message":"m"}`, ""},
		{`{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"p","progress":1}}`, "", "notifications/progress", "", `"p"`},
	} {
		m, ok := readOutgoing([]byte(tc.msg))
		if !ok || string(m.ID) != tc.id || m.Method != tc.method || string(m.Error) != tc.errval || string(m.Params.ProgressToken) != tc.token {
			t.Errorf("readOutgoing(%s) = %+v, %v", tc.msg, m, ok)
		}
	}
	if _, ok := readOutgoing([]byte(`{"id":1,"result":`)); !ok {
		t.Error("a result is not read past its start, so a cut one still yields the id")
	}
	if _, ok := readOutgoing([]byte(`[1]`)); ok {
		t.Error("a batch was read as a message")
	}
}

// BenchmarkFilterDrop: the filter on a scrape result of ~40 KB, reading
// only the leading members against unmarshalling the whole message (what
// it did before), in the same run.
func BenchmarkFilterDrop(b *testing.B) {
	page := strings.Repeat("word ", 4000)
	msg := []byte(fmt.Sprintf(`{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":%q}],"structuredContent":{"markdown":%q}}}`, page, page))
	b.Run("leading-members", func(b *testing.B) {
		for b.Loop() {
			if _, ok := readOutgoing(msg); !ok {
				b.Fatal("not read")
			}
		}
	})
	b.Run("whole-message", func(b *testing.B) {
		for b.Loop() {
			var m outgoing
			if json.Unmarshal(msg, &m) != nil {
				b.Fatal("not read")
			}
		}
	})
}
