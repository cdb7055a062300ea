package local

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/andybalholm/brotli"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
)

// acceptEncoding is what we can undo. Setting it ourselves switches off
// net/http's transparent gzip, so decodeBody handles every encoding.
const acceptEncoding = "gzip, br, deflate"

// maxCodings is the most content codings decodeBody will undo. One is the
// norm and two (say gzip over br) occur in the wild; a longer chain has no
// honest use and each layer costs a decoder's buffers (a brotli reader
// holds hundreds of KiB), so "br" repeated 300,000 times in one header
// would otherwise allocate gigabytes before a byte of the body is read.
const maxCodings = 2

// unsupportedEncodingError: the server used content codings we did not ask
// for and cannot undo, or more of them than we undo.
type unsupportedEncodingError struct {
	codings []string // the first keepCodings as sent, lower-cased, identity left out
	total   int      // how many there were
	unknown []string // the ones among codings we have no decoder for
}

func (e *unsupportedEncodingError) Error() string {
	if len(e.unknown) > 0 {
		return fmt.Sprintf("the server sent the body with content-encoding %s, which the local fetcher cannot decode (it decodes gzip, deflate and br)",
			summarizeCodings(e.unknown, len(e.unknown)))
	}
	return fmt.Sprintf("the server sent the body with %d content codings (%s); the local fetcher undoes at most %d",
		e.total, summarizeCodings(e.codings, e.total), maxCodings)
}

// summarizeCodings names codings for a message without repeating a hostile
// header back in full: the first few, then how many more.
func summarizeCodings(cs []string, total int) string {
	const show = 4
	quoted := make([]string, 0, show)
	for _, c := range cs[:min(len(cs), show)] {
		quoted = append(quoted, fmt.Sprintf("%q", clip(c, 40)))
	}
	s := strings.Join(quoted, ", ")
	if total > len(quoted) {
		s += fmt.Sprintf(" and %d more", total-len(quoted))
	}
	return s
}

// contentCodings lists the codings of the Content-Encoding header lines, in
// the order they were applied, lower-cased, without identity, and counts
// them. It keeps only the first keepCodings: a hostile megabyte of "br,br,…"
// is counted, not copied into a slice.
func contentCodings(values []string) (codings []string, total int) {
	for _, v := range values {
		for len(v) > 0 {
			var c string
			c, v, _ = strings.Cut(v, ",")
			c = strings.ToLower(strings.TrimSpace(c))
			if c == "" || c == "identity" {
				continue
			}
			total++
			if len(codings) < keepCodings {
				codings = append(codings, c)
			}
		}
	}
	return codings, total
}

// keepCodings is how many codings contentCodings keeps for decoding and
// for the error message.
const keepCodings = 16

// decodeBody undoes the Content-Encoding header values, last coding
// applied first. It refuses an unknown coding and a chain longer than
// maxCodings before building any decoder.
func decodeBody(r io.Reader, contentEncoding []string) (io.Reader, error) {
	codings, total := contentCodings(contentEncoding)
	var unknown []string
	for _, c := range codings {
		switch c {
		case "gzip", "x-gzip", "br", "deflate":
		default:
			if !slices.Contains(unknown, c) {
				unknown = append(unknown, c)
			}
		}
	}
	if len(unknown) > 0 || total > maxCodings {
		return nil, &unsupportedEncodingError{codings: codings, total: total, unknown: unknown}
	}
	for i := len(codings) - 1; i >= 0; i-- {
		switch codings[i] {
		case "gzip", "x-gzip":
			zr, err := gzip.NewReader(r)
			if err != nil {
				return nil, fmt.Errorf("gzip body: %w", err)
			}
			r = zr
		case "br":
			r = brotli.NewReader(r)
		case "deflate":
			r = newDeflateReader(r)
		}
	}
	return r, nil
}

// newDeflateReader reads "deflate" as RFC 9110 defines it (zlib-wrapped),
// falling back to raw DEFLATE, which some servers send instead.
func newDeflateReader(r io.Reader) io.Reader {
	var head [2]byte
	n, _ := io.ReadFull(r, head[:])
	rest := io.MultiReader(bytes.NewReader(head[:n]), r)
	// A zlib header has CM=8 and a check value making the pair a multiple of 31.
	if n == 2 && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
		if zr, err := zlib.NewReader(rest); err == nil {
			return zr
		}
	}
	return flate.NewReader(rest)
}

// readCapped reads at most limit bytes and says whether there was more.
// On a read error it returns what it read before the error.
func readCapped(r io.Reader, limit int64) ([]byte, bool, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(b)) > limit {
		return b[:limit], true, nil
	}
	return b, false, err
}

// toUTF8 decodes body to UTF-8. The charset comes from a byte order mark,
// then the Content-Type header, then (for HTML) a <meta> declaration in the
// first 1024 bytes; a body with none of these that is valid UTF-8 is read
// as UTF-8, and anything else as windows-1252, as browsers do.
func toUTF8(body []byte, contentType string, isHTML bool) string {
	var (
		enc     encoding.Encoding
		name    string
		certain bool
	)
	if isHTML {
		enc, name, certain = charset.DetermineEncoding(body, contentType)
	} else {
		enc, name, certain = determineTextEncoding(body, contentType)
	}
	// DetermineEncoding only looks at the first 1024 bytes; a page that is
	// ASCII there and UTF-8 later would come out as mojibake.
	if !certain && name != "utf-8" && utf8.Valid(body) && !declaresCharset(body) {
		enc = encoding.Nop
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		out = body
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// determineTextEncoding is DetermineEncoding without the HTML <meta> prescan,
// which has no meaning for text, JSON or XML.
func determineTextEncoding(body []byte, contentType string) (encoding.Encoding, string, bool) {
	if e, name, certain := charset.DetermineEncoding(body, contentType); certain {
		return e, name, true
	}
	if utf8.Valid(body) {
		return encoding.Nop, "utf-8", false
	}
	e, name := charset.Lookup("windows-1252")
	return e, name, false
}

func declaresCharset(body []byte) bool {
	head := body[:min(len(body), 1024)]
	return bytes.Contains(bytes.ToLower(head), []byte("charset"))
}
