package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// AlterLab's bodies differ between its docs and its own clients: a job's
// result nested under "result" or flat, "content" as a bare string or an
// object keyed by format, links as strings or objects, "error" as a string
// or an object, and its versioning policy allows new fields and enum values
// at any time. The types below accept every variant the research found and
// read a field of an unexpected type as absent, so one odd field never turns
// a good answer into a malformed_response.

// alterlabIDs holds every job-id field name the endpoints use.
type alterlabIDs struct {
	JobID      lenientString `json:"job_id"`
	JobIDCamel lenientString `json:"jobId"`
	ID         lenientString `json:"id"`
	SearchID   lenientString `json:"search_id"`
	CrawlID    lenientString `json:"crawl_id"`
	BatchID    lenientString `json:"batch_id"`
	WorkflowID lenientString `json:"workflow_id"`
}

// id prefers the field the endpoint of kind documents, then any other.
func (x alterlabIDs) id(kind string) string {
	first := map[string]lenientString{KindCrawl: x.CrawlID, KindBatch: x.BatchID, alterlabKindSearch: x.SearchID, KindScrape: x.JobID}[kind]
	for _, s := range []lenientString{first, x.JobID, x.JobIDCamel, x.ID, x.CrawlID, x.BatchID, x.SearchID, x.WorkflowID} {
		if t := strings.TrimSpace(string(s)); t != "" {
			return t
		}
	}
	return ""
}

// alterlabJobBody is a submit answer or a poll snapshot of any job kind.
// The scrape result itself is decoded separately (see doc), because a flat
// job answer and a scrape result share their top level.
type alterlabJobBody struct {
	alterlabIDs
	Status       lenientString   `json:"status"`
	Error        json.RawMessage `json:"error"`
	Result       json.RawMessage `json:"result"`
	RetryAfterMS lenientNumber   `json:"retry_after_ms"`
	StatusCode   lenientNumber   `json:"status_code"`
	Content      json.RawMessage `json:"content"`

	// crawl
	PagesScraped    lenientNumber   `json:"pages_scraped"`
	PagesTotal      lenientNumber   `json:"pages_total"`
	EstimatedPages  lenientNumber   `json:"estimated_pages"`
	CreditsUsed     lenientNumber   `json:"credits_used"`
	CreditsRefunded lenientNumber   `json:"credits_refunded"`
	Results         json.RawMessage `json:"results"` // crawl pages, search hits

	// batch
	Items     json.RawMessage `json:"items"`
	TotalURLs lenientNumber   `json:"total_urls"`
	Completed lenientNumber   `json:"completed"`
}

// state folds the answer into a JobState. HTTP 202 without a status word is
// a job still running. A 200 without one is a finished flat result when it
// carries one (as the n8n node reads /jobs answers), else still running.
func (b *alterlabJobBody) state(httpStatus int) JobState {
	// A numeric "status" is an HTTP status echoed by a scrape result, not a
	// job's word.
	if s := strings.TrimSpace(string(b.Status)); s != "" && strings.Trim(s, "0123456789") != "" {
		return NormalizeStatus(s)
	}
	if httpStatus == http.StatusAccepted {
		return JobRunning
	}
	if _, msg := alterlabFailure(b.Error); msg != "" {
		return JobFailed
	}
	if b.StatusCode.ok || !isNull(b.Content) || !isNull(b.Result) || !isNull(b.Results) || !isNull(b.Items) {
		return JobCompleted
	}
	return JobRunning
}

// doc returns the scrape result the answer carries: "result" when it is an
// object, else the answer itself (flat).
func (b *alterlabJobBody) doc(raw []byte) *alterlabDoc {
	d := &alterlabDoc{}
	src := raw
	if r := bytes.TrimSpace(b.Result); len(r) > 0 && r[0] == '{' {
		src = r
	}
	_ = json.Unmarshal(src, d) // best effort: every field is lenient
	return d
}

// alterlabFailure reads a job's or item's "error": a free-form string, or an
// object {code|error, message}.
func alterlabFailure(raw json.RawMessage) (code, msg string) {
	raw = bytes.TrimSpace(raw)
	switch {
	case isNull(raw):
	case raw[0] == '"':
		_ = json.Unmarshal(raw, &msg)
	case raw[0] == '{':
		var o struct {
			Code    lenientString `json:"code"`
			Error   lenientString `json:"error"`
			Message lenientString `json:"message"`
			Detail  lenientString `json:"detail"`
		}
		_ = json.Unmarshal(raw, &o)
		code, msg = string(o.Code), string(o.Message)
		if code == "" {
			code = string(o.Error)
		}
		if msg == "" {
			msg = string(o.Detail)
		}
		if msg == "" {
			msg = code
		}
	case raw[0] == 't' || raw[0] == 'f': // "error": false means none
	default:
		msg = string(raw)
	}
	return strings.TrimSpace(code), strings.TrimSpace(msg)
}

// alterlabDoc is one scrape result: a sync answer, a job's result, a batch
// item's result or a crawl page.
type alterlabDoc struct {
	URL              lenientString   `json:"url"`
	FinalURL         lenientString   `json:"final_url"`
	StatusCode       lenientNumber   `json:"status_code"`
	Title            lenientString   `json:"title"`
	Content          json.RawMessage `json:"content"`
	Markdown         lenientString   `json:"markdown"` // crawl pages carry it flat
	HTML             lenientString   `json:"html"`
	Text             lenientString   `json:"text"`
	RawHTML          lenientString   `json:"raw_html"`
	Links            json.RawMessage `json:"links"`
	Metadata         json.RawMessage `json:"metadata"`
	Headers          json.RawMessage `json:"headers"`
	Cached           lenientBool     `json:"cached"`
	FilteredContent  json.RawMessage `json:"filtered_content"`
	ExtractionResult json.RawMessage `json:"extraction_result"`
	Warning          json.RawMessage `json:"warning"`
	DomainWarning    json.RawMessage `json:"domain_warning"`
	QualityWarning   json.RawMessage `json:"quality_warning"`
	ContentTruncated json.RawMessage `json:"content_truncated"`
	TierCapWarning   json.RawMessage `json:"tier_cap_warning"`
	ScreenshotURL    lenientString   `json:"screenshot_url"`
	Billing          struct {
		TotalCredits        lenientNumber `json:"total_credits"`
		FinalCostMicrocents lenientNumber `json:"final_cost_microcents"`
	} `json:"billing"`
	CreditsUsed lenientNumber `json:"credits_used"`
}

// alterlabContent is "content" as an object keyed by format.
type alterlabContent struct {
	Markdown lenientString   `json:"markdown"`
	HTML     lenientString   `json:"html"`
	Text     lenientString   `json:"text"`
	JSON     json.RawMessage `json:"json"`
	Links    json.RawMessage `json:"links"`
	// The "content" format: body_markdown, content_hash, images, links.
	Content struct {
		BodyMarkdown lenientString   `json:"body_markdown"`
		Links        json.RawMessage `json:"links"`
	} `json:"content"`
}

// alterlabWants is what the caller asked for, to read a bare-string
// "content" whose format the answer does not name, and whether a
// screenshot link is wanted.
type alterlabWants struct{ markdown, html, json, screenshot bool }

func alterlabWantsOf(r ScrapeRequest) alterlabWants {
	return alterlabWants{markdown: r.Wants(FormatMarkdown), html: r.Wants(FormatHTML),
		json:       r.Wants(FormatJSON) || len(r.JSONSchema) > 0 || strings.TrimSpace(r.Prompt) != "",
		screenshot: r.Wants(FormatScreenshot)}
}

// page converts the result; asked is the URL the caller gave, which wins
// over the API's echo so callers can match results to requests.
func (d *alterlabDoc) page(asked string, w alterlabWants) Page {
	p := Page{URL: asked, FinalURL: string(d.FinalURL), StatusCode: d.StatusCode.int(), Title: string(d.Title),
		Markdown: string(d.Markdown), HTML: string(d.HTML), Cached: bool(d.Cached), Cost: d.cost()}
	if p.URL == "" {
		p.URL = string(d.URL)
	}
	var links []json.RawMessage
	raw := bytes.TrimSpace(d.Content)
	switch {
	case isNull(raw):
	case raw[0] == '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		d.bareContent(&p, s, w)
	case raw[0] == '{':
		var c alterlabContent
		_ = json.Unmarshal(raw, &c)
		p.Markdown = firstNonEmpty(p.Markdown, string(c.Markdown), string(c.Text), string(c.Content.BodyMarkdown))
		p.HTML = firstNonEmpty(p.HTML, string(c.HTML))
		if !isNull(c.JSON) {
			p.JSON = alJSONValue(c.JSON)
		}
		links = append(links, c.Content.Links, c.Links)
	}
	if p.Markdown == "" {
		p.Markdown = string(d.Text)
	}
	if p.HTML == "" {
		p.HTML = string(d.RawHTML)
	}
	if p.JSON == nil {
		for _, alt := range []json.RawMessage{d.FilteredContent, d.ExtractionResult} {
			if !isNull(alt) {
				p.JSON = alJSONValue(alt)
				break
			}
		}
	}
	var meta struct {
		Title        lenientString   `json:"title"`
		Description  lenientString   `json:"description"`
		Canonical    lenientString   `json:"canonical"`
		CanonicalURL lenientString   `json:"canonical_url"`
		ContentType  lenientString   `json:"content_type"`
		Links        json.RawMessage `json:"links"`
	}
	_ = json.Unmarshal(d.Metadata, &meta)
	p.Title = firstNonEmpty(p.Title, string(meta.Title))
	p.Description = string(meta.Description)
	p.Canonical = firstNonEmpty(string(meta.Canonical), string(meta.CanonicalURL))
	p.ContentType = firstNonEmpty(alterlabHeader(d.Headers, "Content-Type"), string(meta.ContentType))
	for _, l := range append(links, d.Links, meta.Links) {
		if p.Links = linkList(l); len(p.Links) > 0 {
			break
		}
	}
	p.Warnings = d.warnings()
	if w.screenshot {
		if link := strings.TrimSpace(string(d.ScreenshotURL)); link != "" {
			p.Screenshot = &Screenshot{URL: link} // fetched by the caller
		} else {
			p.Warnings = append(p.Warnings, "AlterLab returned no screenshot_url for this page; no screenshot")
		}
	}
	return p
}

// page converts d, scrubbing the key from what the API wrote about the page
// (warnings may quote the request).
func (c *AlterLabClient) page(d *alterlabDoc, asked string, w alterlabWants) Page {
	p := d.page(asked, w)
	for i, s := range p.Warnings {
		p.Warnings[i] = c.api.scrub(s)
	}
	return p
}

// bareContent places a "content" string. Sync answers send one for some
// format lists; it is the format asked for when that is unambiguous, else
// it is recognised by its first character.
func (d *alterlabDoc) bareContent(p *Page, s string, w alterlabWants) {
	t := strings.TrimSpace(s)
	switch {
	case w.json && !w.markdown && !w.html && (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)):
		p.JSON = json.RawMessage(t)
	case w.html && !w.markdown:
		p.HTML = firstNonEmpty(p.HTML, s)
	case w.markdown && !w.html:
		p.Markdown = firstNonEmpty(p.Markdown, s)
	case strings.HasPrefix(t, "<"):
		p.HTML = firstNonEmpty(p.HTML, s)
	default:
		p.Markdown = firstNonEmpty(p.Markdown, s)
	}
}

// cost prefers the billed amount after discounts and refunds.
func (d *alterlabDoc) cost() Cost {
	switch {
	case d.Billing.FinalCostMicrocents.ok:
		return Cost{Credits: d.Billing.FinalCostMicrocents.v, Unit: alterlabMicrocents}
	case d.Billing.TotalCredits.ok:
		return Cost{Credits: d.Billing.TotalCredits.v, Unit: alterlabCredits}
	case d.CreditsUsed.ok:
		return Cost{Credits: d.CreditsUsed.v, Unit: alterlabCredits}
	}
	return Cost{}
}

// Units AlterLab reports spend in.
const (
	alterlabMicrocents = "microcents"
	alterlabCredits    = "credits"
)

// warnings collects what the answer says about the quality of the content.
func (d *alterlabDoc) warnings() []string {
	var out []string
	for _, w := range []json.RawMessage{d.Warning, d.DomainWarning} {
		if s := alterlabWarningText(w); s != "" {
			out = append(out, s)
		}
	}
	if s := alterlabWarningText(d.QualityWarning); s != "" {
		out = append(out, "quality warning: "+s)
	}
	if s := alterlabTruncation(d.ContentTruncated); s != "" {
		out = append(out, s)
	}
	var tier struct {
		MaxTier   lenientString `json:"your_max_tier"`
		ForceTier lenientString `json:"your_force_tier"`
		DomainMin lenientString `json:"domain_min_tier"`
	}
	if json.Unmarshal(d.TierCapWarning, &tier) == nil && tier.DomainMin != "" {
		out = append(out, fmt.Sprintf("this domain usually needs AlterLab tier %s or higher, above the tier cap %s", tier.DomainMin, firstNonEmpty(string(tier.MaxTier), string(tier.ForceTier))))
	}
	return out
}

// alterlabWarningText reads a warning that is a string or an object with a
// code and a reason or message.
func alterlabWarningText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var o struct {
		Code    lenientString `json:"code"`
		Reason  lenientString `json:"reason"`
		Message lenientString `json:"message"`
	}
	if json.Unmarshal(raw, &o) != nil {
		return ""
	}
	text := firstNonEmpty(string(o.Reason), string(o.Message))
	switch {
	case o.Code != "" && text != "":
		return string(o.Code) + ": " + text
	case o.Code != "":
		return string(o.Code)
	}
	return text
}

// alterlabTruncation describes content_truncated (an object, or true).
func alterlabTruncation(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return ""
	}
	var flag bool
	if json.Unmarshal(raw, &flag) == nil {
		if flag {
			return "AlterLab truncated the content"
		}
		return ""
	}
	var t struct {
		Truncated lenientBool   `json:"truncated"`
		At        lenientNumber `json:"truncated_at_bytes"`
		Original  lenientNumber `json:"original_size_bytes"`
		Reason    lenientString `json:"truncation_reason"`
	}
	if json.Unmarshal(raw, &t) != nil || (!bool(t.Truncated) && !t.At.ok) {
		return ""
	}
	s := "AlterLab truncated the content"
	if t.At.ok && t.Original.ok {
		s += fmt.Sprintf(" at %d of %d bytes", t.At.int(), t.Original.int())
	}
	if t.Reason != "" {
		s += " (" + string(t.Reason) + ")"
	}
	return s
}

// alterlabHeader reads a header from the target's "headers" map, whatever
// its case.
func alterlabHeader(raw json.RawMessage, name string) string {
	var h map[string]lenientString
	if json.Unmarshal(raw, &h) != nil {
		return ""
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return string(v)
		}
	}
	return ""
}

// alJSONValue returns an extraction as JSON. A string holding a JSON object
// or array (some extraction paths serialise twice) is unwrapped.
func alJSONValue(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		if t := strings.TrimSpace(s); (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
			return json.RawMessage(t)
		}
	}
	return append(json.RawMessage(nil), raw...)
}

// alterlabItem is one element of a batch's "items" or a crawl's "results".
type alterlabItem struct {
	URL    lenientString   `json:"url"`
	Status lenientString   `json:"status"`
	Error  json.RawMessage `json:"error"`
	Result json.RawMessage `json:"result"`
	raw    json.RawMessage
}

// alterlabItems decodes a list of items; bare URL strings become URL-only
// items, anything else unreadable is skipped.
func alterlabItems(raw json.RawMessage) []alterlabItem {
	var elems []json.RawMessage
	if json.Unmarshal(raw, &elems) != nil {
		return nil
	}
	out := make([]alterlabItem, 0, len(elems))
	for _, e := range elems {
		var it alterlabItem
		if json.Unmarshal(e, &it) == nil {
			it.raw = e
			out = append(out, it)
			continue
		}
		var s string
		if json.Unmarshal(e, &s) == nil {
			out = append(out, alterlabItem{URL: lenientString(s)})
		}
	}
	return out
}

// outcome says what an item became: a page (JobCompleted), a failure
// (JobFailed) or nothing yet (JobRunning). An item with no status word is
// judged by what it carries.
func (it *alterlabItem) outcome() JobState {
	if strings.TrimSpace(string(it.Status)) == "" {
		if code, msg := alterlabFailure(it.Error); code != "" || msg != "" {
			return JobFailed
		}
		return JobCompleted
	}
	switch st := NormalizeStatus(string(it.Status)); st {
	case JobCompleted, JobFailed:
		return st
	case JobCancelled:
		return JobFailed
	}
	return JobRunning
}

// doc is the item's scrape result: nested under "result" (batch) or flat
// (crawl pages).
func (it *alterlabItem) doc() *alterlabDoc {
	d := &alterlabDoc{}
	src := it.raw
	if r := bytes.TrimSpace(it.Result); len(r) > 0 && r[0] == '{' {
		src = r
	}
	_ = json.Unmarshal(src, d)
	return d
}
