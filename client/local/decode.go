package local

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/andybalholm/brotli"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
)

// acceptEncoding is what we can undo. Setting it ourselves switches off
// net/http's transparent gzip, so decodeBody handles every encoding.
const acceptEncoding = "gzip, br, deflate"

// unsupportedEncodingError: the server used a content coding we did not ask
// for and cannot undo.
type unsupportedEncodingError struct{ coding string }

func (e *unsupportedEncodingError) Error() string {
	return fmt.Sprintf("the server sent the body with content-encoding %q, which the local fetcher cannot decode", e.coding)
}

// decodeBody undoes the Content-Encoding codings, last applied first.
func decodeBody(r io.Reader, contentEncoding string) (io.Reader, error) {
	codings := strings.Split(contentEncoding, ",")
	for i := len(codings) - 1; i >= 0; i-- {
		c := strings.ToLower(strings.TrimSpace(codings[i]))
		switch c {
		case "", "identity":
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
		default:
			return nil, &unsupportedEncodingError{coding: c}
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
