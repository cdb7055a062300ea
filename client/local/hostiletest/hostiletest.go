// Package hostiletest serves hostile web pages on loopback for tests and
// measurements of the local fetcher, like net/http/httptest serves a
// handler. Every page is generated; nothing is read from disk.
//
// Routes (query parameters have defaults, so the bare path works):
//
//	/br-chain?n=300000     Content-Encoding "br,br,…" n times, over a body br-encoded once
//	/gzip-chain?n=3        a page gzip-encoded n times, honestly
//	/coding?c=zstd         a page with Content-Encoding c (the body is plain)
//	/gzip-bomb?mb=2048     ~2 KiB per MiB of gzip that inflates to mb MiB of "<p>aaaa…</p>"
//	/endless               an HTML page that never ends, sent as fast as it is read
//	/drip?ms=100           an HTML page sent one byte every ms milliseconds, forever
//	/deep?n=5000&text=1    n nested <div>s, each with a little text (text=0: none at all)
//	/heavy?mb=6            about mb MB of HTML in ~23,000 <p> per MB
//	/links/<k>?n=20000     a page with n same-site links to /links/<k*n+1…>
//
// /robots.txt is a 404 unless Options.RobotsCoding is set; then it is a
// small allow-all file sent with that Content-Encoding header.
package hostiletest

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
)

// Options shape the server.
type Options struct {
	// RobotsCoding, when set, is the Content-Encoding header of /robots.txt.
	RobotsCoding string
}

// NewServer starts a hostile site on 127.0.0.1. Close it when done.
func NewServer(o Options) *httptest.Server {
	return httptest.NewServer(Handler(o))
}

// Handler is the site without a listener.
func Handler(o Options) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		if o.RobotsCoding == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Encoding", o.RobotsCoding)
		_, _ = w.Write(brotliOnce([]byte("User-agent: *\nAllow: /\n")))
	})
	mux.HandleFunc("/br-chain", func(w http.ResponseWriter, r *http.Request) {
		n := intParam(r, "n", 300_000)
		// "br" joined by bare commas keeps 300,000 codings under net/http's
		// 1 MiB response-header limit, as a real attacker would.
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", strings.TrimSuffix(strings.Repeat("br,", n), ","))
		_, _ = w.Write(brotliOnce([]byte(smallPage("br chain"))))
	})
	mux.HandleFunc("/gzip-chain", func(w http.ResponseWriter, r *http.Request) {
		n := intParam(r, "n", 3)
		body := []byte(smallPage("gzip chain"))
		for range n {
			body = gzipOnce(body)
		}
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", strings.TrimSuffix(strings.Repeat("gzip, ", n), ", "))
		_, _ = w.Write(body)
	})
	mux.HandleFunc("/coding", func(w http.ResponseWriter, r *http.Request) {
		c := r.URL.Query().Get("c")
		if c == "" {
			c = "zstd"
		}
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", c)
		_, _ = io.WriteString(w, smallPage("unknown coding"))
	})
	mux.HandleFunc("/gzip-bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		writeGzipBomb(w, intParam(r, "mb", 2048))
	})
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<!doctype html><html><head><title>endless</title></head><body>")
		chunk := []byte(strings.Repeat("<p>and it goes on and on, my friend</p>\n", 1000))
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/drip", func(w http.ResponseWriter, r *http.Request) {
		every := time.Duration(intParam(r, "ms", 100)) * time.Millisecond
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if _, err := io.WriteString(w, "<"); err != nil {
				return
			}
			if rc.Flush() != nil {
				return
			}
			select {
			case <-t.C:
			case <-r.Context().Done():
				return
			}
		}
	})
	mux.HandleFunc("/deep", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, DeepPage(intParam(r, "n", 5000), intParam(r, "text", 1) != 0))
	})
	mux.HandleFunc("/heavy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write(heavyPage(intParam(r, "mb", 6)))
	})
	mux.HandleFunc("/links/", func(w http.ResponseWriter, r *http.Request) {
		k, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/links/"))
		if err != nil || k < 0 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, LinksPage(k, intParam(r, "n", 20_000)))
	})
	return mux
}

func intParam(r *http.Request, name string, def int) int {
	if v, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil && v >= 0 {
		return v
	}
	return def
}

func smallPage(title string) string {
	return "<!doctype html><html><head><title>" + title + "</title></head><body><article><h1>" + title +
		"</h1><p>" + strings.Repeat("This page arrived in one piece and has enough words to be an article. ", 5) +
		"</p></article></body></html>"
}

func brotliOnce(b []byte) []byte {
	var buf bytes.Buffer
	bw := brotli.NewWriter(&buf)
	_, _ = bw.Write(b)
	_ = bw.Close()
	return buf.Bytes()
}

func gzipOnce(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// DeepPage is n <div>s nested inside one another, each holding a line of
// text and a link when withText is set, the way a broken template or a
// hostile page nests them. Without text the page has nothing to read.
func DeepPage(n int, withText bool) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html><head></head><body>")
	for i := range n {
		if withText {
			fmt.Fprintf(&b, "<div>level %d of the deep page <a href=\"/deep-link/%d\">link</a>\n", i, i)
		} else {
			b.WriteString("<div>")
		}
	}
	b.WriteString(strings.Repeat("</div>", n))
	b.WriteString("</body></html>")
	return b.String()
}

var (
	heavyMu    sync.Mutex
	heavyCache = map[int][]byte{}
)

// heavyPage is about mb MB of short paragraphs: 6 MB holds ~140,000 <p>.
// Pages are built once per size and shared.
func heavyPage(mb int) []byte {
	heavyMu.Lock()
	defer heavyMu.Unlock()
	if b, ok := heavyCache[mb]; ok {
		return b
	}
	var b bytes.Buffer
	b.WriteString("<!doctype html><html><head><title>heavy</title></head><body><main>")
	for i := 0; b.Len() < mb*1_000_000; i++ {
		fmt.Fprintf(&b, "<p>Paragraph %d of a heavy page.</p>\n", i)
	}
	b.WriteString("</main></body></html>")
	heavyCache[mb] = b.Bytes()
	return b.Bytes()
}

// HeavyParagraphs is how many <p> /heavy?mb=mb holds.
func HeavyParagraphs(mb int) int {
	return bytes.Count(heavyPage(mb), []byte("<p>"))
}

// LinksPage is page k of an endless site: n links to the pages k*n+1 …
// k*n+n, every one same-site and never seen before.
func LinksPage(k, n int) string {
	var b strings.Builder
	b.Grow(n * 48)
	fmt.Fprintf(&b, "<!doctype html><html><head><title>links %d</title></head><body><h1>Links page %d</h1><ul>", k, k)
	for i := 1; i <= n; i++ {
		c := k*n + i
		fmt.Fprintf(&b, "<li><a href=\"/links/%d?n=%d\">page %d</a></li>", c, n, c)
	}
	b.WriteString("</ul></body></html>")
	return b.String()
}

// bombChunk is the MiB of HTML a gzip bomb repeats.
var bombChunk = func() []byte {
	var b bytes.Buffer
	for b.Len() < 1<<20 {
		b.WriteString("<p>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</p>\n")
	}
	return b.Bytes()[:1<<20]
}()

// bombBlocks are the DEFLATE blocks of one chunk, compressed once: first
// is the opening chunk, again a chunk that follows a chunk. After any
// number of chunks the 32 KiB window holds the same bytes, so again is
// valid after itself, and mb MiB cost mb copies of a ~1 KiB block to
// send, not mb MiB of compression.
var bombBlocks = sync.OnceValues(func() (first, again []byte) {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	_, _ = fw.Write(bombChunk)
	_ = fw.Flush()
	first = append([]byte(nil), buf.Bytes()...)
	buf.Reset()
	_, _ = fw.Write(bombChunk)
	_ = fw.Flush()
	again = append([]byte(nil), buf.Bytes()...)
	return first, again
})

// writeGzipBomb sends a gzip member inflating to mb MiB, stopping when the
// client goes away.
func writeGzipBomb(w io.Writer, mb int) {
	first, again := bombBlocks()
	// RFC 1952 header: magic, deflate, no flags, no mtime, no extra flags, unknown OS.
	if _, err := w.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}); err != nil {
		return
	}
	crc := uint32(0)
	for i := range mb {
		block := again
		if i == 0 {
			block = first
		}
		if _, err := w.Write(block); err != nil {
			return
		}
		crc = crc32.Update(crc, crc32.IEEETable, bombChunk)
	}
	size := uint32(mb << 20)
	// A final empty fixed-Huffman block, then the trailer: CRC-32 and size.
	_, _ = w.Write([]byte{0x03, 0x00,
		byte(crc), byte(crc >> 8), byte(crc >> 16), byte(crc >> 24),
		byte(size), byte(size >> 8), byte(size >> 16), byte(size >> 24)})
}
