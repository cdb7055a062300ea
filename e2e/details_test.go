package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/client/anakintest"
	"github.com/scrapemcp/scrapemcp/errmap/errmaptest"
)

// documentedError is what a fake answers for one reference code.
type documentedError struct {
	status  int
	code    string
	details []string // keys the reference shows in the error body
}

// retriedByTheClient are statuses the client retries before answering
// (with real waits against a process): their codes are covered by the
// client's retry tests, and carry no details to pass on.
func retriedByTheClient(status int) bool {
	return status == 429 || status == 500 || status == 502 || status == 503
}

// For each provider, the fake answers every code of the error reference the
// way the reference shows it, and the tool result carries the code, the
// status and every detail the body had, in structuredContent.error.details
// and in the text block.
func TestEverySeedCodeReachesTheAgentWithItsDetails(t *testing.T) {
	type provider struct {
		name string
		env  func(t *testing.T) []string
		errs []documentedError
	}
	var anakinErrs, alterlabErrs []documentedError
	for _, c := range anakintest.Catalog {
		anakinErrs = append(anakinErrs, documentedError{c.Status, c.Code, keys(c.Details)})
	}
	for _, c := range alterlabtest.Catalog {
		d := documentedError{c.Status, c.Code, nil}
		if c.Code == "INSUFFICIENT_CREDITS" { // the reference's example body
			d.details = []string{"available_credits", "estimated_tier", "required_credits"}
		}
		alterlabErrs = append(alterlabErrs, d)
	}
	providers := []provider{
		{"anakin", func(t *testing.T) []string {
			return anakinEnv(t, anakintest.New(anakintest.WithKey(secretKey)))
		}, anakinErrs},
		{"alterlab", func(t *testing.T) []string {
			return alterlabEnv(t, alterlabtest.New(alterlabtest.WithKey(alterlabSecret)))
		}, alterlabErrs},
	}
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			for _, s := range errmaptest.Codes(p.name) {
				if !slices.ContainsFunc(p.errs, func(d documentedError) bool { return d.status == s.Status && d.code == s.Code }) {
					t.Errorf("the fake does not answer %d %s", s.Status, s.Code)
				}
			}
			cs := connect(t, stdioTransport(nil, p.env(t)...), "2025-11-25", nil)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			for _, d := range p.errs {
				if retriedByTheClient(d.status) {
					continue
				}
				t.Run(fmt.Sprintf("%d %s", d.status, d.code), func(t *testing.T) {
					u := fmt.Sprintf("https://example.com/?fake=code:%s@%d", d.code, d.status)
					res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "scrape", Arguments: map[string]any{"url": u}})
					if err != nil {
						t.Fatal(err)
					}
					if !res.IsError {
						t.Fatalf("succeeded: %s", text(res))
					}
					e, _ := structured(t, res)["error"].(map[string]any)
					if e["code"] != d.code || e["http_status"] != float64(d.status) {
						t.Errorf("error %v %v, want %d %s", e["http_status"], e["code"], d.status, d.code)
					}
					details, _ := e["details"].(map[string]any)
					txt := text(res)
					for _, k := range d.details {
						if details[k] == nil {
							t.Errorf("details.%s is missing: %v", k, details)
						}
						if !strings.Contains(txt, k+"=") {
							t.Errorf("the text does not say %s:\n%s", k, txt)
						}
					}
				})
			}
		})
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// The must-show of the guidance issue: out of credits on AlterLab, the
// guidance text says how many credits the request needs and how many the
// account has.
func TestCallSaysRequiredAndAvailableCredits(t *testing.T) {
	fake := alterlabtest.New(alterlabtest.WithKey(alterlabSecret))
	out, errs, code := runCall(t, alterlabEnv(t, fake), "call", "scrape", `{"url":"https://example.com/?fake=insufficient_credits"}`)
	if code == 0 {
		t.Fatalf("exit 0 for a 402:\n%s", out)
	}
	for _, want := range []string{"top_up_credits", "needs details.required_credits=5 credits", "has details.available_credits=2", "required_credits=5", "available_credits=2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errs, alterlabSecret) {
		t.Errorf("the API key leaked into output or logs")
	}
}

// A 504 to a submit whose body names the job: the result names the job and
// says to poll it with job_status, never to submit again; the submit went
// out once.
func TestSubmit504WithJobIDSaysPollIt(t *testing.T) {
	fake := alterlabtest.New(alterlabtest.WithKey(alterlabSecret))
	out, _, code := runCall(t, alterlabEnv(t, fake), "--output", "json", "call", "scrape", `{"url":"https://example.com/?fake=gateway_timeout_job"}`)
	if code == 0 {
		t.Fatalf("exit 0 for a 504:\n%s", out)
	}
	id := "alterlab:scrape:" + fake.JobIDs()[0]
	for _, want := range []string{`"submit_outcome_unknown"`, `"job_id": "` + id + `"`, "job_status with details.job_id=" + id, "Do not submit it again", `"retryable": false`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := fake.Count(alterlabtest.RouteScrape); n != 1 {
		t.Errorf("the submit went out %d times", n)
	}
}
