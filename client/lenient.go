package client

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// The providers' bodies are not strict about types (ids arrive as numbers or
// strings, counts as strings, flags as "true"), and both say new fields and
// values may appear without notice. These types read what they can and treat
// anything else as absent, rather than failing a whole body over one field.

// lenientString accepts a JSON string or number; anything else reads as empty.
type lenientString string

func (s *lenientString) UnmarshalJSON(b []byte) error {
	var str string
	if json.Unmarshal(b, &str) == nil {
		*s = lenientString(str)
		return nil
	}
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		*s = lenientString(n.String())
	}
	return nil
}

// lenientNumber accepts a number or a numeric string; anything else reads
// as absent (ok false).
type lenientNumber struct {
	v  float64
	ok bool
}

func (n *lenientNumber) UnmarshalJSON(b []byte) error {
	var f float64
	if json.Unmarshal(b, &f) == nil {
		n.v, n.ok = f, true
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			n.v, n.ok = f, true
		}
	}
	return nil
}

func (n lenientNumber) int() int { return int(n.v) }

// lenientBool accepts true/false or their string forms.
type lenientBool bool

func (x *lenientBool) UnmarshalJSON(b []byte) error {
	var v bool
	if json.Unmarshal(b, &v) == nil {
		*x = lenientBool(v)
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		v, _ = strconv.ParseBool(strings.TrimSpace(s))
		*x = lenientBool(v)
	}
	return nil
}

// isNull reports whether raw is absent or JSON null.
func isNull(raw json.RawMessage) bool {
	s := string(bytes.TrimSpace(raw))
	return s == "" || s == "null"
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// linkList reads a list of links given as ["url", …] or as objects
// [{"href"|"url": …, "text": …}, …] (Anakin documents the first, its SDK
// and AlterLab the second); nil when there are none.
func linkList(raw json.RawMessage) []string {
	var elems []json.RawMessage
	if json.Unmarshal(raw, &elems) != nil {
		return nil
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		var s string
		if json.Unmarshal(e, &s) == nil {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
			continue
		}
		var o struct {
			URL  lenientString `json:"url"`
			Href lenientString `json:"href"`
		}
		if json.Unmarshal(e, &o) == nil {
			if u := strings.TrimSpace(firstNonEmpty(string(o.Href), string(o.URL))); u != "" {
				out = append(out, u)
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
