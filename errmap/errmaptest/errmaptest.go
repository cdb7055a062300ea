// Package errmaptest lists every code of the providers' error references
// (Anakin's and AlterLab's catalogs) at its documented HTTP status, so the
// tests of errmap, tools and the end-to-end suite check the same list.
package errmaptest

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"strconv"
	"strings"
)

//go:embed anakin_codes.txt alterlab_codes.txt
var lists embed.FS

// Code is one documented error: a code at its HTTP status.
type Code struct {
	Status int
	Code   string
}

// Codes returns the documented codes of provider ("anakin" or "alterlab").
// It panics on an unknown provider or a malformed list: both are mistakes
// in this package, not in the test using it.
func Codes(provider string) []Code {
	b, err := lists.ReadFile(provider + "_codes.txt")
	if err != nil {
		panic(fmt.Sprintf("errmaptest: no code list for provider %q", provider))
	}
	var out []Code
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		st, code, _ := strings.Cut(line, " ")
		n, err := strconv.Atoi(st)
		if err != nil || code == "" {
			panic(fmt.Sprintf("errmaptest: %s_codes.txt: bad line %q", provider, line))
		}
		out = append(out, Code{n, code})
	}
	return out
}
