package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/errmap"
)

// ExtractArgs are the extract tool's arguments.
type ExtractArgs struct {
	URLs       []string       `json:"urls" jsonschema:"description=1 to 10 absolute http(s) URLs to extract from.,minItems=1,maxItems=10"`
	JSONSchema map[string]any `json:"json_schema,omitempty" jsonschema:"description=JSON Schema the result must follow; the result is validated against it. At most 50 KB."`
	Prompt     string         `json:"prompt,omitempty" jsonschema:"description=What to extract\\, in words. At most 8 KB. Give json_schema\\, prompt or both."`
	UseBrowser bool           `json:"use_browser,omitempty" jsonschema:"description=Render pages in a headless browser first."`
	Country    string         `json:"country,omitempty" jsonschema:"description=Two-letter country code to fetch from.,minLength=2,maxLength=2"`
	ControlArgs
	Timeout int `json:"timeout,omitempty" jsonschema:"description=Seconds this call may take\\, 1 to 300 (default 300). When the time runs out on an API provider the call returns with the job_id of the still-running job\\, to collect with job_status; AlterLab is also asked to give up on the page a little earlier.,minimum=1,maximum=300"`
}

// ExtractItem is the outcome for one URL, in input order.
type ExtractItem struct {
	URL      string           `json:"url"`
	OK       bool             `json:"ok"`
	Data     map[string]any   `json:"data,omitempty" jsonschema:"description=The extracted JSON (validated against json_schema when given)."`
	Error    *errmap.Error    `json:"error,omitempty"`
	Guidance *errmap.Guidance `json:"guidance,omitempty"`
}

// ExtractResult is the extract tool's structured result.
type ExtractResult struct {
	ErrorFields
	Provider string        `json:"provider"`
	Items    []ExtractItem `json:"items"`
	Cost     *CostOut      `json:"cost,omitempty"`
}

// CodeSchemaMismatch marks extracted JSON that does not satisfy the caller's
// schema: we check rather than hand the agent data that breaks its contract.
const CodeSchemaMismatch = "schema_mismatch"

func extractTool(d *Deps) Tool {
	return define[ExtractArgs, ExtractResult](d, "extract", "Extract structured data",
		`Extract structured JSON from 1 to 10 pages, following a JSON Schema and/or a prompt (e.g. {"type":"object","properties":{"price":{"type":"number"}}}).
Use it when you need fields (prices, names, dates, lists), not prose. The result is validated against json_schema before it is returned. Needs an API provider (ANAKIN_API_KEY or ALTERLAB_API_KEY); costs credits per URL. A URL that fails has ok=false with error and guidance.`,
		annotations{readOnly: true, idempotent: true, openWorld: true},
		func(ctx context.Context, req mcp.CallToolRequest, a ExtractArgs) (*mcp.CallToolResult, error) {
			p := d.Provider.Name()
			reqs, err := a.requests(p)
			if err != nil {
				return failure(err), nil
			}
			ctx, cancel := callContext(watchJobs(ctx, req, d.Logger), time.Duration(a.Timeout)*time.Second, 5*time.Minute)
			defer cancel()
			res := ExtractResult{Provider: p, Items: make([]ExtractItem, len(reqs))}
			var (
				wg    sync.WaitGroup
				mu    sync.Mutex
				total client.Cost
			)
			for i, er := range reqs {
				wg.Go(func() {
					item, cost := d.extractOne(ctx, er)
					res.Items[i] = item
					mu.Lock()
					total.Add(cost)
					mu.Unlock()
				})
			}
			wg.Wait()
			if ctx.Err() == context.Canceled {
				return nil, ctx.Err()
			}
			// One URL failing is an item; every URL failing the same way is
			// the call failing (e.g. no credits, or local provider).
			if allFailed(res.Items) && len(res.Items) > 0 {
				return failure(res.Items[0].Error), nil
			}
			res.Cost = costOut(total)
			return success(res, res.text(), res.Cost), nil
		})
}

func allFailed(items []ExtractItem) bool {
	for _, it := range items {
		if it.OK || it.Error == nil || it.Error.Code != items[0].Error.Code {
			return false
		}
	}
	return true
}

func (a ExtractArgs) requests(p string) ([]client.ExtractRequest, *client.Error) {
	if len(a.URLs) < 1 || len(a.URLs) > maxBatchURLs {
		return nil, invalid(p, "urls", "urls must hold 1 to %d URLs, got %d", maxBatchURLs, len(a.URLs))
	}
	schema, err := checkExtraction(p, a.JSONSchema, a.Prompt)
	if err != nil {
		return nil, err
	}
	if schema == nil && strings.TrimSpace(a.Prompt) == "" {
		return nil, invalid(p, "json_schema", "give json_schema, prompt or both to say what to extract")
	}
	if err := checkCountry(p, a.Country); err != nil {
		return nil, err
	}
	if err := checkTimeout(p, a.Timeout); err != nil {
		return nil, err
	}
	controls, err := a.ControlArgs.controls(p, a.UseBrowser)
	if err != nil {
		return nil, err
	}
	out := make([]client.ExtractRequest, len(a.URLs))
	for i, u := range a.URLs {
		if err := checkURL(p, fmt.Sprintf("urls[%d]", i), u); err != nil {
			return nil, err
		}
		out[i] = client.ExtractRequest{URL: strings.TrimSpace(u), JSONSchema: schema, Prompt: a.Prompt, UseBrowser: a.UseBrowser || controls.Mode == "js",
			Country: strings.ToLower(a.Country), Timeout: time.Duration(a.Timeout) * time.Second, Controls: controls}
	}
	return out, nil
}

func (d *Deps) extractOne(ctx context.Context, er client.ExtractRequest) (ExtractItem, client.Cost) {
	p := d.Provider.Name()
	item := ExtractItem{URL: er.URL}
	fail := func(e *client.Error) (ExtractItem, client.Cost) {
		rep := errmap.Explained(e)
		item.Error, item.Guidance = rep.Error, &rep.Guidance
		return item, client.Cost{}
	}
	x, err := d.Provider.Extract(ctx, er)
	if err != nil {
		return fail(client.AsError(p, err))
	}
	if len(er.JSONSchema) > 0 {
		if verr := validateJSON(er.JSONSchema, x.JSON); verr != nil {
			item, _ = fail(&client.Error{Provider: p, Code: CodeSchemaMismatch,
				Message: "the extracted data does not match json_schema: " + verr.Error()})
			return item, x.Cost
		}
	}
	if !json.Valid(x.JSON) {
		item, _ = fail(&client.Error{Provider: p, Code: client.CodeBadResponse, Message: "the provider returned extraction output that is not JSON"})
		return item, x.Cost
	}
	item.OK, item.Data = true, asObject(x.JSON)
	return item, x.Cost
}

func (r ExtractResult) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Extraction from %d URLs via %s:\n", len(r.Items), r.Provider)
	for _, it := range r.Items {
		fmt.Fprintf(&b, "\n## %s\n", it.URL)
		if !it.OK {
			fmt.Fprintf(&b, "Failed [%s]: %s\n", it.Error.Code, it.Error.Message)
			if d := detailsText(it.Error.Details); d != "" {
				fmt.Fprintf(&b, "Details: %s\n", d)
			}
			fmt.Fprintf(&b, "Next step (%s): %s\n", it.Guidance.Action, it.Guidance.Hint)
			continue
		}
		j, _ := json.MarshalIndent(it.Data, "", "  ")
		b.WriteString("```json\n" + string(j) + "\n```\n")
	}
	if r.Cost != nil {
		fmt.Fprintf(&b, "\nCost: %g %s\n", r.Cost.Credits, r.Cost.Unit)
	}
	return b.String()
}
