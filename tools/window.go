package tools

import "unicode/utf8"

// window returns the part of s from rune offset start, at most maxLen runes
// long, and where the next window starts (0 when nothing is left). Offsets
// count runes, not bytes, so a window never splits a character and agents
// can add lengths they see.
func window(s string, start, maxLen int) (chunk string, total int, next int) {
	total = utf8.RuneCountInString(s)
	if start >= total {
		return "", total, 0
	}
	i := byteOffset(s, start)
	j := i + byteOffset(s[i:], maxLen)
	if end := start + maxLen; end < total {
		next = end
	}
	return s[i:j], total, next
}

// byteOffset is the byte index of the n-th rune of s (len(s) when past the end).
func byteOffset(s string, n int) int {
	if n <= 0 {
		return 0
	}
	if n >= len(s) { // cheap bound: a string never has more runes than bytes
		if utf8.RuneCountInString(s) <= n {
			return len(s)
		}
	}
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}
