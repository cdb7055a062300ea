package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/errmap"
	"github.com/scrapemcp/scrapemcp/errmap/errmaptest"
)

// errProvider fails every call with err (batch items too).
type errProvider struct {
	name string
	err  *client.Error
}

func (p errProvider) Name() string { return p.name }
func (p errProvider) Scrape(context.Context, client.ScrapeRequest) (*client.Page, error) {
	return nil, p.err
}
func (p errProvider) BatchScrape(_ context.Context, r client.BatchRequest) (*client.BatchResult, error) {
	out := &client.BatchResult{}
	for _, u := range r.URLs {
		out.Items = append(out.Items, client.BatchItem{URL: u, Err: p.err})
	}
	return out, nil
}
func (p errProvider) StartCrawl(context.Context, client.CrawlRequest) (*client.Job, error) {
	return nil, p.err
}
func (p errProvider) Map(context.Context, client.MapRequest) (*client.MapResult, error) {
	return nil, p.err
}
func (p errProvider) Search(context.Context, client.SearchRequest) (*client.SearchResult, error) {
	return nil, p.err
}
func (p errProvider) Extract(context.Context, client.ExtractRequest) (*client.Extraction, error) {
	return nil, p.err
}
func (p errProvider) Job(_ context.Context, ref client.JobRef) (*client.Job, error) {
	// A failed job, with a failed page: both carry guidance.
	return &client.Job{Ref: ref, State: client.JobFailed, Error: p.err,
		PageErrors: []client.BatchItem{{URL: "https://x.example/p", Err: p.err}}}, nil
}
func (p errProvider) CancelJob(context.Context, client.JobRef) (*client.Job, error) {
	return nil, p.err
}
func (p errProvider) Sessions(context.Context, client.SessionsRequest) (*client.SessionList, error) {
	return nil, p.err
}

// everyError is a failure of every kind errmap has a row for: both seed
// catalogs at their statuses, each status alone, our own codes (with and
// without a job), the local fetcher's, and the documented job failure
// strings.
func everyError(t *testing.T, provider string) []*client.Error {
	t.Helper()
	var out []*client.Error
	for _, catalog := range []string{client.Anakin, client.AlterLab} {
		for _, c := range errmaptest.Codes(catalog) {
			out = append(out, &client.Error{Provider: provider, HTTPStatus: c.Status, Code: c.Code})
		}
	}
	for _, st := range []int{400, 401, 402, 403, 404, 408, 409, 410, 413, 415, 422, 429, 500, 502, 503, 504} {
		out = append(out, &client.Error{Provider: provider, HTTPStatus: st})
	}
	out = append(out, &client.Error{Provider: provider, HTTPStatus: 422, Code: "SCRAPE_ERROR"})
	for _, code := range []string{client.CodeJobTimeout, client.CodeMaybeStarted, client.CodeCancelled, client.CodeTimeout, client.CodeNetwork,
		client.CodeBadResponse, client.CodeInternal, client.CodeUnsupported, client.CodeSchemaMismatch, client.CodeDNS, client.CodeTLS,
		client.CodeSSRFBlocked, client.CodeTooLarge, client.CodeUnsupportedContent, client.CodeRobotsDisallowed, client.CodeBrowserUnavailable,
		client.CodePageTooComplex, client.CodeUnsupportedEncoding, client.CodeRedirectRefused} {
		out = append(out, &client.Error{Provider: provider, Code: code},
			&client.Error{Provider: provider, Code: code, Details: map[string]any{"job_id": provider + ":scrape:j1"}})
	}
	for _, st := range []int{401, 403, 404, 429, 500} {
		out = append(out, &client.Error{Provider: provider, Code: client.CodeHTTPStatus, HTTPStatus: st})
	}
	for _, msg := range []string{"Blocked by website (HTTP 403)", "CAPTCHA challenge detected", "Connection timeout", "DNS resolution failed",
		"TLS handshake failed", "Invalid URL", "HTTP 404", "paywall", "login required", "HTTP 502", "something else"} {
		out = append(out, &client.Error{Provider: provider, Code: client.CodeJobFailed, Message: msg})
	}
	return out
}

// The rule, as a test: every key of any suggested_arguments the server can
// produce is a property of the input schema of the tool that returned it —
// on the error result itself and on every nested item (batch items, extract
// items, a job's failed pages).
func TestEverySuggestedArgumentIsAnInputOfTheToolThatAnswered(t *testing.T) {
	calls := map[string]map[string]any{
		"scrape":       {"url": "https://x.example/"},
		"batch_scrape": {"urls": []any{"https://x.example/a", "https://x.example/b"}},
		"crawl":        {"url": "https://x.example/", "wait_s": 0},
		"job_status":   {"job_id": "%s:crawl:j1"},
		"job_cancel":   {"job_id": "%s:crawl:j1"},
		"map":          {"url": "https://x.example/"},
		"search":       {"query": "q"},
		"extract":      {"urls": []any{"https://x.example/a", "https://x.example/b"}, "prompt": "p"},
		"sessions":     {},
	}
	for _, provider := range []string{client.Anakin, client.AlterLab, client.Local} {
		inputs := toolInputs()
		for _, e := range everyError(t, provider) {
			d := &Deps{Provider: errProvider{name: provider, err: e}}
			h := newHarnessDeps(t, nil, d)
			for tool, args := range calls {
				if id, ok := args["job_id"].(string); ok {
					args = map[string]any{"job_id": fmt.Sprintf(id, provider)}
				}
				res := h.call(context.Background(), tool, args)
				for _, g := range guidanceIn(t, res) {
					for k := range g.SuggestedArguments {
						if !inputs[tool][k] {
							t.Errorf("%s on %s %d %q: suggests %s, which %s does not take", tool, provider, e.HTTPStatus, e.Code, k, tool)
						}
					}
				}
			}
		}
	}
}

// guidanceIn collects every guidance a result carries, nested ones too.
func guidanceIn(t *testing.T, res *mcp.CallToolResult) []errmap.Guidance {
	t.Helper()
	b, _ := json.Marshal(res.StructuredContent)
	var v struct {
		Guidance *errmap.Guidance `json:"guidance"`
		Items    []struct {
			Guidance *errmap.Guidance `json:"guidance"`
		} `json:"items"`
		Failures []struct {
			Guidance errmap.Guidance `json:"guidance"`
		} `json:"failures"`
	}
	_ = json.Unmarshal(b, &v)
	var out []errmap.Guidance
	if v.Guidance != nil {
		out = append(out, *v.Guidance)
	}
	for _, it := range v.Items {
		if it.Guidance != nil {
			out = append(out, *it.Guidance)
		}
	}
	for _, f := range v.Failures {
		out = append(out, f.Guidance)
	}
	return out
}
