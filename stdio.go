package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"sync"
)

// cancelFilter keeps stdio free of responses the protocol says must not be
// sent: after notifications/cancelled for a request, the receiver should not
// answer it, but mcp-go still writes a -32603 "context canceled" error (TS
// clients then log "Received a response for an unknown message ID"). It
// watches the incoming stream for cancellations and drops the matching error
// responses on the way out. Successful results are never dropped.
type cancelFilter struct {
	mu        sync.Mutex
	cancelled map[string]bool
}

func newCancelFilter() *cancelFilter { return &cancelFilter{cancelled: map[string]bool{}} }

// reader returns r, noting every cancellation that passes through it.
func (f *cancelFilter) reader(r io.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		br := bufio.NewReaderSize(r, 64<<10)
		for {
			line, err := br.ReadBytes('\n')
			if len(line) > 0 {
				f.observe(line)
				if _, werr := pw.Write(line); werr != nil {
					return
				}
			}
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
	}()
	return pr
}

func (f *cancelFilter) observe(line []byte) {
	if !bytes.Contains(line, []byte("notifications/cancelled")) {
		return
	}
	var n struct {
		Method string `json:"method"`
		Params struct {
			RequestID json.RawMessage `json:"requestId"`
		} `json:"params"`
	}
	if json.Unmarshal(line, &n) == nil && n.Method == "notifications/cancelled" && len(n.Params.RequestID) > 0 {
		f.mu.Lock()
		f.cancelled[string(bytes.TrimSpace(n.Params.RequestID))] = true
		f.mu.Unlock()
	}
}

// writer returns w, dropping error responses to cancelled requests.
func (f *cancelFilter) writer(w io.Writer) io.Writer {
	return &filterWriter{f: f, w: w}
}

type filterWriter struct {
	f   *cancelFilter
	w   io.Writer
	mu  sync.Mutex
	buf []byte
}

func (fw *filterWriter) Write(p []byte) (int, error) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	fw.buf = append(fw.buf, p...)
	for {
		i := bytes.IndexByte(fw.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := fw.buf[:i+1]
		if !fw.f.drop(line) {
			if _, err := fw.w.Write(line); err != nil {
				return 0, err
			}
		}
		fw.buf = fw.buf[i+1:]
	}
}

func (f *cancelFilter) drop(line []byte) bool {
	f.mu.Lock()
	empty := len(f.cancelled) == 0
	f.mu.Unlock()
	if empty || !bytes.Contains(line, []byte(`"error"`)) {
		return false
	}
	var r struct {
		ID    json.RawMessage `json:"id"`
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(line, &r) != nil || len(r.Error) == 0 || len(r.ID) == 0 {
		return false
	}
	id := string(bytes.TrimSpace(r.ID))
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cancelled[id] {
		delete(f.cancelled, id)
		return true
	}
	return false
}
