package transport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"
)

// DefaultMaxLine bounds one JSON-RPC message on stdio. Tool arguments are
// small; a larger line is refused with a JSON-RPC error and the server
// keeps reading, instead of buffering whatever the client sends.
const DefaultMaxLine = 16 << 20

// StdioOptions configures Stdio.
type StdioOptions struct {
	// Workers is how many requests mcp-go handles at once. Calls mostly wait
	// on the network, so mcp-go's default of 5 makes them queue.
	Workers int
	// MaxLine bounds one incoming message (0 → DefaultMaxLine).
	MaxLine int
	// Drain, when set, is called once ctx ends: it must stop new tool calls
	// and return when the in-flight ones have answered, or when its own
	// context (ShutdownTimeout) ends and they have wrapped up.
	Drain           func(context.Context)
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
}

// Stdio serves s on in/out until in ends or ctx is cancelled. A cancelled
// ctx (SIGTERM, SIGINT) is a graceful stop: in-flight calls get their
// answers before Stdio returns nil.
func Stdio(ctx context.Context, s *server.MCPServer, in io.Reader, out io.Writer, o StdioOptions) error {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxLine <= 0 {
		o.MaxLine = DefaultMaxLine
	}
	ss := server.NewStdioServer(s)
	if o.Workers > 0 {
		server.WithWorkerPoolSize(o.Workers)(ss)
		server.WithQueueSize(o.Workers * 8)(ss)
	}
	ss.SetErrorLogger(slog.NewLogLogger(o.Logger.Handler(), slog.LevelError))

	f := newFilter()
	w := &lineWriter{f: f, w: out}
	lr := &lineReader{f: f, w: w, max: o.MaxLine, log: o.Logger}
	pr, pw := lr.pipe(in)

	// mcp-go cancels every in-flight request when its context ends, so it
	// gets one that outlives the signal; the stop is driven from here.
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		if o.Drain != nil {
			dctx, cancel := context.WithTimeout(context.Background(), o.ShutdownTimeout)
			o.Drain(dctx)
			cancel()
		}
		pw.CloseWithError(io.EOF) // ends mcp-go's read loop; its workers finish writing
	}()
	err := ss.Listen(context.WithoutCancel(ctx), pr, w)
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// lineReader copies the client's messages to mcp-go one line at a time,
// showing each to the filter and refusing lines longer than max.
type lineReader struct {
	f   *filter
	w   *lineWriter
	max int
	log *slog.Logger
}

func (lr *lineReader) pipe(in io.Reader) (*io.PipeReader, *io.PipeWriter) {
	pr, pw := io.Pipe()
	go func() {
		br := bufio.NewReaderSize(in, 64<<10)
		var line []byte
		for {
			chunk, err := br.ReadSlice('\n')
			switch {
			case len(line)+len(chunk) > lr.max:
				n := len(line) + len(chunk)
				head := line
				if len(head) < 4096 {
					head = append(head, chunk...)
				}
				id := leadingID(head)
				line = line[:0]
				if errors.Is(err, bufio.ErrBufferFull) {
					n += skipLine(br)
				}
				lr.refuse(n, id)
				if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
					pw.CloseWithError(err)
					return
				}
				continue
			case errors.Is(err, bufio.ErrBufferFull):
				line = append(line, chunk...)
				continue
			}
			line = append(line, chunk...)
			if len(line) > 0 {
				lr.f.observe(line)
				if _, werr := pw.Write(line); werr != nil {
					return
				}
			}
			line = line[:0]
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			if cap(line) > 1<<20 {
				line = nil // do not keep a big line's buffer for small ones
			}
		}
	}()
	return pr, pw
}

// skipLine discards the rest of the current line and says how many bytes
// that was.
func skipLine(br *bufio.Reader) int {
	n := 0
	for {
		chunk, err := br.ReadSlice('\n')
		n += len(chunk)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return n
		}
	}
}

func (lr *lineReader) refuse(n int, id json.RawMessage) {
	lr.log.Warn("refused an oversized stdio message", "bytes", n, "limit", lr.max)
	if id == nil {
		id = json.RawMessage("null")
	}
	msg := fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"error":{"code":-32600,"message":"message of %d bytes is larger than the %d-byte limit; it was skipped unprocessed"}}`+"\n", id, n, lr.max)
	lr.w.inject([]byte(msg))
}

// leadingID finds a request's id among the top-level members that precede
// the first large value, so the refusal of an oversized request can answer
// it: clients write "id" before "params". It returns nil when it cannot.
func leadingID(prefix []byte) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(prefix[:min(len(prefix), 4096)]))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil
		}
		if k == "id" {
			switch v[0] {
			case '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
				return v
			}
			return nil
		}
	}
	return nil
}

// lineWriter passes mcp-go's output through the filter a whole line at a
// time. mcp-go writes each message with one Write, but nothing promises it.
type lineWriter struct {
	f       *filter
	w       io.Writer
	mu      sync.Mutex
	buf     []byte
	pending [][]byte // our own lines, held until mcp-go's current line ends
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.buf = append(lw.buf, p...)
	for {
		i := bytes.IndexByte(lw.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := lw.buf[:i+1]
		if !lw.f.drop(line) {
			if _, err := lw.w.Write(line); err != nil {
				return 0, err
			}
		}
		lw.buf = lw.buf[i+1:]
		if len(lw.buf) == 0 {
			lw.buf = nil
			if err := lw.flushPending(); err != nil {
				return 0, err
			}
		}
	}
}

// inject writes a line of our own between mcp-go's lines.
func (lw *lineWriter) inject(line []byte) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.pending = append(lw.pending, line)
	if len(lw.buf) == 0 {
		_ = lw.flushPending()
	}
}

func (lw *lineWriter) flushPending() error {
	for len(lw.pending) > 0 {
		if _, err := lw.w.Write(lw.pending[0]); err != nil {
			return err
		}
		lw.pending = lw.pending[1:]
	}
	return nil
}
