package e2e

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// runCall runs `scrapemcp [flags] call TOOL ARGS` and returns stdout,
// stderr and the exit code.
func runCall(t *testing.T, extraEnv []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env(extraEnv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestCallPrintsMarkdownWhenLoopbackIsAllowed(t *testing.T) {
	web := site(t)
	out, errs, code := runCall(t, nil, "--allow-hosts", "127.0.0.1", "call", "scrape", `{"url":"`+web.URL+`/"}`)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{"# Loopback Article", "## Section two", "| alpha"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}

func TestCallRefusesLoopbackWithoutAllowHosts(t *testing.T) {
	web := site(t)
	out, _, code := runCall(t, nil, "call", "scrape", `{"url":"`+web.URL+`/"}`)
	if code == 0 {
		t.Fatalf("loopback fetch succeeded without --allow-hosts:\n%s", out)
	}
	if !strings.Contains(out, "ssrf_blocked") || !strings.Contains(out, "fix_request") {
		t.Errorf("output lacks ssrf_blocked guidance:\n%s", out)
	}
}

func TestCallWithBadArgumentsIsUsageError(t *testing.T) {
	_, errs, code := runCall(t, nil, "call", "scrape", `not json`)
	if code != 2 || !strings.Contains(errs, "JSON") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}
