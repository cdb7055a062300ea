package fakehttp

import (
	"encoding/json"
	"maps"
	"net/http"
	"strconv"
	"strings"
)

// Repeat returns n copies of f, for Script.
func Repeat[F any](n int, f F) []F {
	out := make([]F, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// WithHeader returns a copy of h with key: value added, leaving h as it is
// so that faults built from one another do not share headers.
func WithHeader(h http.Header, key, value string) http.Header {
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Add(key, value)
	return h
}

// Merge returns a new map with a's entries, then b's.
func Merge(a, b map[string]any) map[string]any {
	m := make(map[string]any, len(a)+len(b))
	maps.Copy(m, a)
	maps.Copy(m, b)
	return m
}

// RawBody is how a raw scripted body is sent: HTML when it looks like a
// page, JSON otherwise.
func RawBody(raw string) (contentType string, b []byte) {
	if strings.HasPrefix(strings.TrimSpace(raw), "<") {
		return "text/html; charset=utf-8", []byte(raw)
	}
	return "application/json", []byte(raw)
}

// ErrorPage is the HTML error page a proxy (server: "nginx",
// "cloudflare") sends for status.
func ErrorPage(status int, server string) string {
	t := strconv.Itoa(status) + " " + http.StatusText(status)
	return "<html>\r\n<head><title>" + t + "</title></head>\r\n<body>\r\n<center><h1>" + t +
		"</h1></center>\r\n<hr><center>" + server + "</center>\r\n</body>\r\n</html>\r\n"
}

// Write answers status with body, after the fault's own headers.
func Write(w http.ResponseWriter, header http.Header, contentType string, status int, body []byte) {
	for k, vs := range header {
		w.Header()[k] = append([]string(nil), vs...)
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteJSON answers status with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	Write(w, nil, "application/json", status, b)
}
