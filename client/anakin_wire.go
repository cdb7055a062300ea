package client

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Anakin's bodies differ by endpoint and by API generation (job-id field
// names, crawl "results" vs "pages", links as strings or {href,text},
// "error" as a string or an object). The types below accept every variant the
// research found and ignore what they do not know, so a new field or status
// never turns a good answer into a malformed_response.

// anakinIDs holds every job-id field name Anakin's endpoints use.
type anakinIDs struct {
	JobID      lenientString `json:"jobId"`
	JobIDSnake lenientString `json:"job_id"`
	ID         lenientString `json:"id"`
	SearchID   lenientString `json:"search_id"`
	CrawlID    lenientString `json:"crawl_id"`
	BatchID    lenientString `json:"batch_id"`
	WorkflowID lenientString `json:"workflow_id"`
}

func (x anakinIDs) id() string {
	for _, s := range []lenientString{x.JobID, x.JobIDSnake, x.ID, x.SearchID, x.CrawlID, x.BatchID, x.WorkflowID} {
		if s != "" {
			return string(s)
		}
	}
	return ""
}

// anakinCost reads whichever spend field a body carries.
type anakinCost struct {
	CreditsUsed      lenientNumber `json:"creditsUsed"`
	CreditsUsedSnake lenientNumber `json:"credits_used"`
	CostField        lenientNumber `json:"cost"`
}

func (c anakinCost) cost() Cost {
	for _, n := range []lenientNumber{c.CreditsUsed, c.CreditsUsedSnake, c.CostField} {
		if n.ok {
			return Cost{Credits: n.v, Unit: "credits"}
		}
	}
	return Cost{}
}

// anakinDoc is one scraped document: a single-URL job, one child of a
// batch, or one page of a crawl.
type anakinDoc struct {
	URL           string          `json:"url"`
	Status        string          `json:"status"`
	Markdown      string          `json:"markdown"`
	HTML          string          `json:"html"`
	CleanedHTML   string          `json:"cleanedHtml"`
	Links         json.RawMessage `json:"links"`
	GeneratedJSON json.RawMessage `json:"generatedJson"`
	Cached        lenientBool     `json:"cached"`
	Error         json.RawMessage `json:"error"`
	ErrorMessage  string          `json:"error_message"`
	// Links to the screenshots, when a screenshot format was asked for.
	ScreenshotURL         lenientString `json:"screenshotUrl"`
	FullPageScreenshotURL lenientString `json:"fullPageScreenshotUrl"`
	anakinCost
}

func (d *anakinDoc) hasContent() bool {
	return d.Markdown != "" || d.HTML != "" || d.CleanedHTML != "" || len(d.GeneratedJSON) > 0 || len(d.Links) > 0
}

// failure returns the job's failure as (code, message). "error" is a
// free-form string on url-scraper jobs and {code, message} on Wire-style
// bodies.
func (d *anakinDoc) failure() (code, msg string) {
	raw := bytes.TrimSpace(d.Error)
	switch {
	case isNull(raw):
	case raw[0] == '"':
		_ = json.Unmarshal(raw, &msg)
	case raw[0] == '{':
		var o struct {
			Code    lenientString `json:"code"`
			Message string        `json:"message"`
		}
		_ = json.Unmarshal(raw, &o)
		code, msg = string(o.Code), o.Message
	default:
		msg = string(raw)
	}
	if msg == "" {
		msg = d.ErrorMessage
	}
	return code, strings.TrimSpace(msg)
}

// page converts the document; asked is the URL the caller gave, which wins
// over the API's echo so callers can match results to requests.
func (d *anakinDoc) page(asked string) Page {
	p := Page{URL: asked, Markdown: d.Markdown, HTML: d.HTML, Links: linkList(d.Links), Cached: bool(d.Cached), Cost: d.cost()}
	if p.URL == "" {
		p.URL = d.URL
	}
	if p.HTML == "" {
		p.HTML = d.CleanedHTML
	}
	var warn string
	p.JSON, warn = anakinUnwrapJSON(d.GeneratedJSON)
	if warn != "" {
		p.Warnings = append(p.Warnings, warn)
	}
	return p
}

// anakinItem is one element of a batch's or crawl's results.
type anakinItem struct {
	Index lenientNumber `json:"index"`
	anakinDoc
}

// anakinJobBody is a submit answer or a poll snapshot of any job kind.
type anakinJobBody struct {
	anakinIDs
	anakinDoc
	RetryAfterMS   lenientNumber   `json:"retry_after_ms"`
	TotalPages     lenientNumber   `json:"totalPages"`
	CompletedPages lenientNumber   `json:"completedPages"`
	Results        json.RawMessage `json:"results"`
	Pages          json.RawMessage `json:"pages"`
	URLs           []string        `json:"urls"`
	// Some bodies nest the outcome under "result"; it is merged over the
	// flat fields.
	Result json.RawMessage `json:"result"`
}

// mergeResult folds a nested "result" object into the flat fields, keeping
// the outer status and id.
func (b *anakinJobBody) mergeResult() {
	if inner := bytes.TrimSpace(b.Result); len(inner) > 0 && inner[0] == '{' {
		status, ids := b.Status, b.anakinIDs
		_ = json.Unmarshal(inner, b) // best effort: the flat fields already decoded
		if status != "" {
			b.Status = status
		}
		b.anakinIDs = ids
	}
}

// state folds the body's status into a JobState. HTTP 202 means running
// (agentic-search answers its polls that way, often with no status word); a
// 200 with content and no status word is a finished job. An explicit
// terminal word wins over the status code: polling a job the body says has
// ended would only run the caller out of time.
func (b *anakinJobBody) state(httpStatus int) JobState {
	if strings.TrimSpace(b.Status) != "" {
		return NormalizeStatus(b.Status)
	}
	if httpStatus != 202 && (b.hasContent() || len(b.Results) > 0 || len(b.Pages) > 0) {
		return JobCompleted
	}
	return JobRunning
}

// items returns the per-URL children: "results" per the docs, "pages" as the
// MCP server reads crawls. Elements that are bare URL strings are kept as
// URL-only items; anything else unreadable is skipped.
func (b *anakinJobBody) items() []anakinItem {
	raw := b.Results
	if isNull(raw) {
		raw = b.Pages
	}
	var elems []json.RawMessage
	if json.Unmarshal(raw, &elems) != nil {
		return nil
	}
	out := make([]anakinItem, 0, len(elems))
	for _, e := range elems {
		var it anakinItem
		if json.Unmarshal(e, &it) == nil {
			out = append(out, it)
			continue
		}
		var s string
		if json.Unmarshal(e, &s) == nil {
			out = append(out, anakinItem{anakinDoc: anakinDoc{URL: s}})
		}
	}
	return out
}

// outcome says what a child became: a page (JobCompleted), a failure
// (JobFailed) or nothing yet (JobRunning). A child with no status word is
// judged by what it carries.
func (it *anakinItem) outcome() JobState {
	if strings.TrimSpace(it.Status) == "" {
		if code, msg := it.failure(); code != "" || msg != "" {
			return JobFailed
		}
		return JobCompleted
	}
	switch st := NormalizeStatus(it.Status); st {
	case JobCompleted, JobFailed:
		return st
	case JobCancelled:
		return JobFailed
	}
	return JobRunning
}

// anakinSearchBody is POST /search's synchronous answer.
type anakinSearchBody struct {
	Results []struct {
		URL         string `json:"url"`
		Title       string `json:"title"`
		Snippet     string `json:"snippet"`
		Date        string `json:"date"`
		LastUpdated string `json:"last_updated"`
	} `json:"results"`
	anakinCost
}

// anakinUnwrapJSON returns the extraction itself. Anakin documents
// generatedJson as {"data": {...}} and the self-hosted build as
// {"status": "success"|"failed", "data": {...}}; callers validate against
// their own schema, so the wrapper is removed when it is exactly one of those
// shapes and anything else is passed through untouched.
func anakinUnwrapJSON(raw json.RawMessage) (json.RawMessage, string) {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return nil, ""
	}
	var m map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
		return raw, ""
	}
	data, hasData := m["data"]
	st, hasStatus := m["status"]
	var status string
	if hasStatus && json.Unmarshal(st, &status) != nil {
		return raw, ""
	}
	if hasStatus && NormalizeStatus(status) == JobFailed && (!hasData || isNull(data)) {
		var why string
		if json.Unmarshal(m["error"], &why) != nil {
			_ = json.Unmarshal(m["message"], &why)
		}
		return nil, strings.TrimSpace("Anakin could not generate the JSON extraction. " + why)
	}
	if hasData && (len(m) == 1 || len(m) == 2 && hasStatus) {
		if isNull(data) {
			return nil, ""
		}
		return data, ""
	}
	return raw, ""
}
