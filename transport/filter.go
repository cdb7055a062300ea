package transport

import (
	"bytes"
	"encoding/json"
	"sync"
)

// Bounds on what a filter remembers. Both are keyed by client input, so
// neither may grow with it: a client that floods requests or cancellations
// for ids that never existed costs at most these many entries.
const (
	maxTracked  = 4096 // requests awaiting their response
	maxAnswered = 1024 // progress tokens whose request was already answered
)

// filter sits between one client and mcp-go on the transports where mcp-go
// writes a session's messages from more than one goroutine (stdio, SSE).
// It keeps two promises mcp-go does not:
//
//   - After notifications/cancelled, the receiver should not answer the
//     request, but mcp-go writes a -32603 "context canceled" error (the TS
//     client then logs "Received a response for an unknown message ID").
//     The filter drops error responses to requests the client cancelled;
//     successful results are never dropped.
//   - Progress is allowed only while its request is in progress, but mcp-go
//     queues notifications on a channel another goroutine drains, so the
//     last one can be written after the result. The filter drops a progress
//     notification whose request was already answered.
//
// It learns request ids and progress tokens from the incoming messages
// (observe) and applies them to the outgoing ones (drop).
type filter struct {
	mu       sync.Mutex
	inflight map[string]inflight // request id → what the filter knows of it
	answered map[string]bool     // progress tokens of answered requests
	ring     []string            // answered, oldest first, to forget in order
}

type inflight struct {
	token     string // progress token ("" when none)
	cancelled bool
}

func newFilter() *filter {
	return &filter{inflight: map[string]inflight{}, answered: map[string]bool{}}
}

// incoming is the part of a client message the filter reads.
type incoming struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params struct {
		RequestID json.RawMessage `json:"requestId"`
		Meta      struct {
			ProgressToken json.RawMessage `json:"progressToken"`
		} `json:"_meta"`
	} `json:"params"`
}

// observe notes a message from the client.
func (f *filter) observe(msg []byte) {
	msg = bytes.TrimSpace(msg)
	if len(msg) == 0 || msg[0] != '{' {
		return
	}
	var m incoming
	if json.Unmarshal(msg, &m) != nil || m.Method == "" {
		return // a response to a server request, or garbage mcp-go will answer
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if m.Method == "notifications/cancelled" {
		id := key(m.Params.RequestID)
		// Only a request the client actually has in flight can be cancelled,
		// so cancellations of made-up ids cost nothing.
		if r, ok := f.inflight[id]; ok {
			r.cancelled = true
			f.inflight[id] = r
		}
		return
	}
	if len(m.ID) == 0 || len(f.inflight) >= maxTracked {
		return
	}
	tok := key(m.Params.Meta.ProgressToken)
	if tok != "" {
		// A client may reuse a token once its request is answered.
		delete(f.answered, tok)
	}
	f.inflight[key(m.ID)] = inflight{token: tok}
}

// outgoing is the part of a server message the filter reads.
type outgoing struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Error  json.RawMessage `json:"error"`
	Params struct {
		ProgressToken json.RawMessage `json:"progressToken"`
	} `json:"params"`
}

var (
	progressMethod = []byte(`"notifications/progress"`)
	idField        = []byte(`"id"`)
)

// drop reports whether a message to the client must not be sent, and
// forgets requests as their responses go out.
func (f *filter) drop(msg []byte) bool {
	isProgress := bytes.Contains(msg, progressMethod)
	if !isProgress && !bytes.Contains(msg, idField) {
		return false // other notifications
	}
	m, ok := readOutgoing(msg)
	if !ok {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if m.Method == "notifications/progress" {
		return f.answered[key(m.Params.ProgressToken)]
	}
	if m.Method != "" || len(m.ID) == 0 {
		return false // a request to the client
	}
	id := key(m.ID)
	r, ok := f.inflight[id]
	if !ok {
		return false
	}
	delete(f.inflight, id)
	if r.token != "" {
		f.answer(r.token)
	}
	return r.cancelled && len(m.Error) > 0 && string(m.Error) != "null"
}

// readOutgoing reads the members of a server message the filter needs. A
// result carries the page's Markdown (twice: text and structuredContent),
// and nothing after its start matters once the id is known, so reading
// stops there instead of scanning the whole page; mcp-go writes "id" first.
func readOutgoing(msg []byte) (m outgoing, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(msg))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return m, false
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return m, false
		}
		var dst any
		switch k {
		case "id":
			dst = &m.ID
		case "method":
			dst = &m.Method
		case "error":
			dst = &m.Error
		case "params":
			dst = &m.Params
		case "result":
			if len(m.ID) > 0 {
				return m, true
			}
			dst = new(json.RawMessage)
		default:
			dst = new(json.RawMessage)
		}
		if dec.Decode(dst) != nil {
			return m, false
		}
	}
	return m, true
}

func (f *filter) answer(tok string) {
	if f.answered[tok] {
		return
	}
	if len(f.ring) >= maxAnswered {
		delete(f.answered, f.ring[0])
		f.ring = f.ring[1:]
	}
	f.answered[tok] = true
	f.ring = append(f.ring, tok)
}

// size is what the filter holds, for tests of its bounds.
func (f *filter) size() (inflight, answered int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.inflight), len(f.answered)
}

// key is a JSON value's canonical spelling: the client's 7 and "7" are
// different ids, and mcp-go echoes each the way it came.
func key(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	return string(raw)
}
