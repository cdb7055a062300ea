package alterlabtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scrapemcp/scrapemcp/client/internal/fakehttp"
)

// scrapeIn is POST /scrape's body, and one entry of POST /batch.
type scrapeIn struct {
	URL      string   `json:"url"`
	Sync     *bool    `json:"sync"`
	Formats  []string `json:"formats"`
	Mode     string   `json:"mode"`
	Advanced struct {
		RenderJS      any    `json:"render_js"`
		WaitCondition string `json:"wait_condition"`
		Screenshot    bool   `json:"screenshot"`
	} `json:"advanced"`
	WaitFor  string `json:"wait_for"`
	Location struct {
		Country  string `json:"country"`
		Language string `json:"language"`
	} `json:"location"`
	ForceRefresh     bool              `json:"force_refresh"`
	Timeout          *int              `json:"timeout"`
	ExtractionSchema json.RawMessage   `json:"extraction_schema"`
	ExtractionPrompt string            `json:"extraction_prompt"`
	SessionID        string            `json:"session_id"`
	Cookies          map[string]string `json:"cookies"`
	CostControls     struct {
		MaxTier    string   `json:"max_tier"`
		MaxCredits *float64 `json:"max_credits"`
	} `json:"cost_controls"`
}

func (in *scrapeIn) browser() bool {
	return in.Mode == "js" || in.Advanced.RenderJS == true || in.WaitFor != ""
}

// job is one async job of any kind.
type job struct {
	id, kind string
	in       scrapeIn   // scrape
	items    []scrapeIn // batch
	url      string     // crawl
	maxPages int
	query    string // search
	results  int
	scrape   bool

	need      int // the poll that finishes it
	polls     int
	pending   bool
	fail      string
	cancelled int           // pages scraped when cancelled, +1 (0: not cancelled)
	lasts     time.Duration // a job of known length (Lasting); 0: counted in polls
	created   time.Time
}

// preflight handles the magic names that reject or hang a submit. It
// reports whether it answered.
func (s *Server) preflight(w http.ResponseWriter, r *http.Request, targets ...string) bool {
	for _, t := range targets {
		f, ok := rejection(fakehttp.Magic(t))
		if !ok {
			continue
		}
		if f.hang {
			fakehttp.Hold(r, s.done)
			return true
		}
		s.fail(w, r, f)
		return true
	}
	return false
}

func invalid(field, msg string) Fault {
	return Error(http.StatusBadRequest, Docs, "VALIDATION_ERROR", msg).WithDetails(map[string]any{"field": field})
}

// decode reads the JSON body into v, answering 400 if it is not a JSON
// object.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.Unmarshal(from(r).body, v); err != nil {
		s.fail(w, r, Error(http.StatusBadRequest, Docs, "VALIDATION_ERROR", "Invalid JSON body: "+err.Error()))
		return false
	}
	return true
}

func validURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// checkURL answers the documented 400s for a target URL.
func (s *Server) checkURL(w http.ResponseWriter, r *http.Request, field, u string) bool {
	switch {
	case strings.TrimSpace(u) == "":
		s.fail(w, r, invalid(field, field+" is required"))
		return false
	case len(u) > 8192:
		s.fail(w, r, invalid(field, field+" exceeds 8192 characters"))
		return false
	case !validURL(u):
		s.fail(w, r, invalid(field, field+" must be a valid http or https URL"))
		return false
	}
	return true
}

var (
	knownFormats = []string{"text", "json", "json_v2", "html", "markdown", "rag", "content", "raw"}
	knownModes   = []string{"auto", "html", "js", "pdf", "ocr"}
	knownTiers   = []string{"1", "2", "3", "3.5", "4"}
)

// checkScrape validates one scrape body as the API does.
func (s *Server) checkScrape(w http.ResponseWriter, r *http.Request, field string, in *scrapeIn) bool {
	if !s.checkURL(w, r, field, in.URL) {
		return false
	}
	for _, f := range in.Formats {
		if !slices.Contains(knownFormats, f) {
			s.fail(w, r, invalid("formats", "unknown format "+strconv.Quote(f)+"; use one of "+strings.Join(knownFormats, ", ")))
			return false
		}
	}
	var fail Fault
	switch {
	case in.Mode != "" && !slices.Contains(knownModes, in.Mode):
		fail = invalid("mode", "mode must be one of "+strings.Join(knownModes, ", "))
	case in.Timeout != nil && (*in.Timeout < 1 || *in.Timeout > 300):
		fail = invalid("timeout", "timeout must be between 1 and 300 seconds")
	case in.Advanced.Screenshot && in.Advanced.RenderJS != true && in.Advanced.RenderJS != "auto":
		fail = invalid("advanced.screenshot", "advanced.screenshot requires advanced.render_js")
	case len(in.ExtractionSchema) > 64<<10:
		fail = invalid("extraction_schema", "extraction_schema exceeds 64KB")
	case len(in.ExtractionSchema) > 0 && in.ExtractionSchema[0] != '{' && string(in.ExtractionSchema) != "null":
		fail = invalid("extraction_schema", "extraction_schema must be a JSON object")
	case len(in.ExtractionPrompt) > 4000:
		fail = invalid("extraction_prompt", "extraction_prompt exceeds 4000 characters")
	case in.CostControls.MaxTier != "" && !slices.Contains(knownTiers, in.CostControls.MaxTier):
		fail = invalid("cost_controls.max_tier", "max_tier must be one of "+strings.Join(knownTiers, ", "))
	case in.CostControls.MaxCredits != nil && *in.CostControls.MaxCredits <= 0:
		fail = invalid("cost_controls.max_credits", "max_credits must be positive")
	case !s.checkSession(w, r, in):
		return false
	case in.Location.Country != "" && !isCountry(in.Location.Country):
		fail = invalid("location.country", "location.country must be an ISO 3166-1 alpha-2 code")
	default:
		return true
	}
	s.fail(w, r, fail)
	return false
}

func isCountry(c string) bool {
	return len(c) == 2 && strings.Trim(strings.ToUpper(c), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

func (s *Server) handleScrape(w http.ResponseWriter, r *http.Request) {
	var in scrapeIn
	if !s.decode(w, r, &in) || !s.checkScrape(w, r, "url", &in) || s.preflight(w, r, in.URL) {
		return
	}
	if len(in.Formats) == 0 {
		in.Formats = []string{"markdown"}
	}
	name, _ := fakehttp.Magic(in.URL)
	if name == "low_balance" {
		w.Header().Set("X-AlterLab-Balance", "$0.42")
		w.Header().Set("X-AlterLab-Balance-Warning", "low")
	}
	f := from(r).fault
	async := (in.Sync != nil && !*in.Sync) || in.browser() || s.size(in.URL) > s.syncLimit ||
		name == "async" || name == "pending" || name == "polls" || name == "gateway_timeout" || name == "gateway_timeout_job" ||
		failureFor(fakehttp.Magic(in.URL)) != "" || (f != nil && f.modifies)
	if !async {
		fakehttp.WriteJSON(w, http.StatusOK, s.document(&in, in.URL))
		return
	}
	j := &job{kind: "scrape", in: in}
	s.accept(w, r, j, map[string]any{"status": "queued", "message": "Job queued for async processing. Poll GET /api/v1/jobs/{job_id}."})
}

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URLs []scrapeIn `json:"urls"`
	}
	if !s.decode(w, r, &in) {
		return
	}
	if len(in.URLs) == 0 || len(in.URLs) > 100 {
		s.fail(w, r, invalid("urls", fmt.Sprintf("urls must contain between 1 and 100 items, got %d", len(in.URLs))))
		return
	}
	targets := make([]string, len(in.URLs))
	for i := range in.URLs {
		if !s.checkScrape(w, r, fmt.Sprintf("urls[%d].url", i), &in.URLs[i]) {
			return
		}
		targets[i] = in.URLs[i].URL
	}
	if s.preflight(w, r, targets...) {
		return
	}
	ids := make([]string, len(in.URLs))
	s.mu.Lock()
	for i := range ids {
		s.seq++
		ids[i] = jobID(s.seq)
	}
	s.mu.Unlock()
	j := &job{kind: "batch", items: in.URLs}
	s.accept(w, r, j, map[string]any{"status": "processing", "total_urls": len(in.URLs),
		"estimated_credits": len(in.URLs) * 200, "job_ids": ids})
}

func (s *Server) handleCrawl(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL      string `json:"url"`
		MaxPages *int   `json:"max_pages"`
		MaxDepth *int   `json:"max_depth"`
	}
	if !s.decode(w, r, &in) || !s.checkURL(w, r, "url", in.URL) {
		return
	}
	if in.MaxDepth != nil && (*in.MaxDepth < 0 || *in.MaxDepth > 20) {
		s.fail(w, r, invalid("max_depth", fmt.Sprintf("max_depth must be between 0 and 20, got %d", *in.MaxDepth)))
		return
	}
	pages := 50
	if in.MaxPages != nil {
		pages = *in.MaxPages
	}
	if pages < 1 || pages > 100_000 {
		s.fail(w, r, invalid("max_pages", fmt.Sprintf("max_pages must be between 1 and 100000, got %d", pages)))
		return
	}
	if s.preflight(w, r, in.URL) {
		return
	}
	j := &job{kind: "crawl", url: in.URL, maxPages: pages}
	s.accept(w, r, j, map[string]any{"status": "discovering", "url": in.URL, "estimated_pages": pages,
		"total_enqueued": min(pages, 10), "estimated_credits": pages * 1000,
		"message": "Crawl started. Poll GET /api/v1/crawl/{crawl_id} for progress."})
}

func (s *Server) handleMap(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL               string `json:"url"`
		MaxPages          *int   `json:"max_pages"`
		MaxDepth          *int   `json:"max_depth"`
		Search            string `json:"search"`
		IncludeSubdomains bool   `json:"include_subdomains"`
	}
	if !s.decode(w, r, &in) || !s.checkURL(w, r, "url", in.URL) {
		return
	}
	limit := 100
	if in.MaxPages != nil {
		limit = *in.MaxPages
	}
	switch {
	case limit < 1 || limit > 50_000:
		s.fail(w, r, invalid("max_pages", fmt.Sprintf("max_pages must be between 1 and 50000, got %d", limit)))
		return
	case in.MaxDepth != nil && (*in.MaxDepth < 0 || *in.MaxDepth > 10):
		s.fail(w, r, invalid("max_depth", fmt.Sprintf("max_depth must be between 0 and 10, got %d", *in.MaxDepth)))
		return
	case len(in.Search) > 500:
		s.fail(w, r, invalid("search", "search exceeds 500 characters"))
		return
	}
	if s.preflight(w, r, in.URL) {
		return
	}
	urls := MapURLs(in.URL, limit, in.Search, in.IncludeSubdomains)
	out := make([]map[string]any, len(urls))
	for i, u := range urls {
		e := map[string]any{"url": u, "source": "sitemap", "depth": min(i, 1)}
		if i%3 == 2 {
			e["source"] = "links"
		}
		if in.Search != "" {
			e["relevance_score"] = 1 - float64(i)/float64(len(urls)+1)
		}
		out[i] = e
	}
	s.mu.Lock()
	s.seq++
	id := jobID(s.seq)
	s.mu.Unlock()
	fakehttp.WriteJSON(w, http.StatusOK, map[string]any{"map_id": id, "total_urls": len(urls), "urls": out, "sitemap_found": true,
		"robots_txt": map[string]any{"exists": true, "disallowed_paths": []string{"/admin"}}, "credits_used": 1})
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Query         string `json:"query"`
		NumResults    *int   `json:"num_results"`
		ScrapeResults bool   `json:"scrape_results"`
		Country       string `json:"country"`
	}
	if !s.decode(w, r, &in) {
		return
	}
	n := 10
	if in.NumResults != nil {
		n = *in.NumResults
	}
	switch q := strings.TrimSpace(in.Query); {
	case q == "":
		s.fail(w, r, invalid("query", "query is required"))
		return
	case len([]rune(q)) > 500:
		s.fail(w, r, invalid("query", "query exceeds 500 characters"))
		return
	case n < 1 || n > 50:
		s.fail(w, r, invalid("num_results", fmt.Sprintf("num_results must be between 1 and 50, got %d", n)))
		return
	case in.Country != "" && !isCountry(in.Country):
		s.fail(w, r, invalid("country", "country must be an ISO 3166-1 alpha-2 code"))
		return
	}
	if s.preflight(w, r, in.Query) {
		return
	}
	j := &job{kind: "search", query: strings.TrimSpace(in.Query), results: n, scrape: in.ScrapeResults}
	name, _ := fakehttp.Magic(in.Query)
	f := from(r).fault
	// AlterLab answers 202 when it scrapes more than five results.
	if (in.ScrapeResults && n > 5) || name == "async" || name == "pending" || name == "polls" || name == "gateway_timeout" || name == "gateway_timeout_job" ||
		failureFor(fakehttp.Magic(in.Query)) != "" || (f != nil && f.modifies) {
		s.accept(w, r, j, map[string]any{"status": "scraping", "message": "Scraping search results. Poll GET /api/v1/search/{search_id}."})
		return
	}
	s.mu.Lock()
	s.seq++
	j.id = jobID(s.seq)
	s.mu.Unlock()
	fakehttp.WriteJSON(w, http.StatusOK, s.searchResult(j))
}

func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	fakehttp.RecordCancel(s.requestLog, r)
	s.mu.Lock()
	j, ok := s.jobs[id]
	ok = ok && j.kind == "crawl"
	var done, status int
	if ok {
		status, done = s.crawlProgress(j)
		if status == progressRunning {
			j.cancelled = done + 1
		}
	}
	s.mu.Unlock()
	if !ok {
		s.fail(w, r, Error(http.StatusNotFound, Docs, "NOT_FOUND", "Crawl not found"))
		return
	}
	body := map[string]any{"crawl_id": id, "pages_scraped": done, "credits_refunded": 0}
	switch status {
	case progressRunning:
		body["status"], body["credits_refunded"] = "cancelled", (j.maxPages-done)*1000
	case progressFailed:
		body["status"] = "failed"
	case progressCancelled:
		body["status"] = "cancelled"
	default:
		body["status"] = "completed"
	}
	fakehttp.WriteJSON(w, http.StatusOK, body)
}

func jobID(n int) string { return fmt.Sprintf("%08x-a17e-4b1a-9c3d-%012x", n, n) }

// idFields are the id names each kind's submit answers with.
var idFields = map[string]string{"scrape": "job_id", "batch": "batch_id", "crawl": "crawl_id", "search": "search_id"}

// accept stores the job, applying magic and scripted modifiers, and answers
// 202 with its id.
func (s *Server) accept(w http.ResponseWriter, r *http.Request, j *job, answer map[string]any) {
	j.need = s.polls
	targets := []string{j.in.URL, j.url, j.query}
	if j.kind == "batch" { // per-URL failures are the items'
		targets = nil
		for _, it := range j.items {
			targets = append(targets, it.URL)
		}
	}
	for _, t := range targets {
		name, arg := fakehttp.Magic(t)
		switch name {
		case "pending":
			j.pending = true
		case "polls":
			if n, err := strconv.Atoi(arg); err == nil && n > 0 {
				j.need = n
			}
		case "lasts":
			if d, err := time.ParseDuration(arg); err == nil && d > 0 {
				j.lasts = d
			}
		}
		if msg := failureFor(name, arg); msg != "" && j.kind != "batch" {
			j.fail = msg
		}
	}
	accept, withID := 0, false
	for _, t := range targets {
		if name, _ := fakehttp.Magic(t); name == "gateway_timeout" || name == "gateway_timeout_job" {
			accept = http.StatusGatewayTimeout
			withID = name == "gateway_timeout_job"
		}
	}
	f := from(r).fault
	if f != nil {
		if f.accept != 0 {
			accept = f.accept
		}
		j.pending = j.pending || f.pending
		if f.fail != "" {
			j.fail = f.fail
		}
		if f.polls > 0 {
			j.need = f.polls
		}
		if f.lasts > 0 {
			j.lasts = f.lasts
		}
	}
	s.mu.Lock()
	s.seq++
	j.id, j.created = jobID(s.seq), s.now()
	s.jobs[j.id] = j
	s.order = append(s.order, j.id)
	s.mu.Unlock()

	if accept != 0 {
		detail := map[string]any{
			"message":                "Gateway timeout: the request took too long. The job may still be running.",
			"credits_status":         "reserved",
			"estimated_completion_s": 30,
		}
		if withID {
			detail[idFields[j.kind]] = j.id
		}
		fakehttp.WriteJSON(w, accept, map[string]any{"detail": detail})
		return
	}
	field := idFields[j.kind]
	if f != nil && f.idField != "" {
		field = f.idField
	}
	answer[field] = j.id
	answer["created_at"] = j.created.UTC().Format(time.RFC3339)
	fakehttp.WriteJSON(w, http.StatusAccepted, answer)
}

// handleJob serves a poll of the given kind.
func (s *Server) handleJob(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		s.mu.Lock()
		j, ok := s.jobs[id]
		ok = ok && j.kind == kind
		if ok {
			j.polls++
		}
		s.mu.Unlock()
		if !ok {
			what := map[string]string{"scrape": "Job", "batch": "Batch", "crawl": "Crawl", "search": "Search"}[kind]
			s.fail(w, r, Error(http.StatusNotFound, Docs, "NOT_FOUND", what+" not found or expired"))
			return
		}
		switch kind {
		case "scrape":
			fakehttp.WriteJSON(w, http.StatusOK, s.scrapeJob(j))
		case "batch":
			fakehttp.WriteJSON(w, http.StatusOK, s.batchJob(j))
		case "crawl":
			fakehttp.WriteJSON(w, http.StatusOK, s.crawlJob(j, r.URL.Query().Get("include_results") == "true"))
		case "search":
			fakehttp.WriteJSON(w, http.StatusOK, s.searchJob(j))
		}
	}
}

// finished reports whether j has reached the poll that ends it.
func (s *Server) finished(j *job) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !j.pending && !s.running(j)
}

// running reports whether j has work left: polls before the finishing one,
// or time before its length is up. s.mu must be held.
func (s *Server) running(j *job) bool {
	if j.lasts > 0 {
		return s.now().Sub(j.created) < j.lasts
	}
	return j.polls < j.need
}

// pagesDone is how many of a running crawl's pages are scraped: evenly over
// its polls or its length. s.mu must be held.
func (s *Server) pagesDone(j *job) int {
	if j.lasts > 0 {
		return min(int(int64(j.maxPages)*int64(s.now().Sub(j.created))/int64(j.lasts)), j.maxPages)
	}
	return j.maxPages * j.polls / (j.need + 1)
}

func (s *Server) pollCount(j *job) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return j.polls
}

// scrapeJob is GET /jobs/{id}: queued, processing, then succeeded with the
// result nested under "result", or failed with an error string.
func (s *Server) scrapeJob(j *job) map[string]any {
	b := map[string]any{"job_id": j.id, "created_at": j.created.UTC().Format(time.RFC3339), "error": nil}
	if !s.finished(j) {
		b["status"] = "processing"
		if s.pollCount(j) <= 1 {
			b["status"] = "queued"
		}
		return b
	}
	b["completed_at"] = s.now().UTC().Format(time.RFC3339)
	if j.fail != "" {
		b["status"], b["error"], b["result"] = "failed", j.fail, nil
		return b
	}
	b["status"], b["result"] = "succeeded", s.document(&j.in, j.in.URL)
	return b
}

// batchJob is GET /batch/{id}.
func (s *Server) batchJob(j *job) map[string]any {
	b := map[string]any{"batch_id": j.id, "total_urls": len(j.items), "created_at": j.created.UTC().Format(time.RFC3339)}
	items := make([]map[string]any, len(j.items))
	if !s.finished(j) {
		for i, it := range j.items {
			items[i] = map[string]any{"url": it.URL, "status": "processing", "error": nil, "result": nil}
		}
		b["status"], b["completed"], b["failed"], b["items"] = "processing", 0, 0, items
		return b
	}
	ok, failed := 0, 0
	for i := range j.items {
		it := &j.items[i]
		if msg := failureFor(fakehttp.Magic(it.URL)); msg != "" {
			items[i] = map[string]any{"url": it.URL, "status": "failed", "error": msg, "result": nil}
			failed++
			continue
		}
		items[i] = map[string]any{"url": it.URL, "status": "completed", "error": nil, "result": s.document(it, it.URL)}
		ok++
	}
	switch {
	case failed == 0:
		b["status"] = "completed"
	case ok == 0:
		b["status"] = "failed"
	default:
		b["status"] = "partially_failed"
	}
	b["completed"], b["failed"], b["items"], b["credits_used"] = ok, failed, items, ok*200
	return b
}

// Crawl progress states.
const (
	progressRunning = iota
	progressCompleted
	progressFailed
	progressCancelled
)

// crawlProgress is where a crawl stands: pages are scraped evenly over the
// polls until the finishing one. s.mu must be held.
func (s *Server) crawlProgress(j *job) (state, done int) {
	switch {
	case j.cancelled > 0:
		return progressCancelled, j.cancelled - 1
	case j.fail != "" && !j.pending && !s.running(j):
		return progressFailed, 0
	case j.pending || s.running(j):
		return progressRunning, s.pagesDone(j)
	}
	return progressCompleted, j.maxPages
}

// crawlJob is GET /crawl/{id}; results are listed in full, all at once,
// only with include_results=true.
func (s *Server) crawlJob(j *job, results bool) map[string]any {
	s.mu.Lock()
	state, done := s.crawlProgress(j)
	polls := j.polls
	s.mu.Unlock()
	b := map[string]any{"crawl_id": j.id, "url": j.url, "pages_total": j.maxPages, "created_at": j.created.UTC().Format(time.RFC3339), "error": nil}
	switch state {
	case progressFailed:
		b["status"], b["error"], b["pages_scraped"], b["credits_used"] = "failed", j.fail, 0, 0
		return b
	case progressCancelled:
		b["status"] = "cancelled"
	case progressCompleted:
		b["status"] = "completed"
		b["completed_at"] = s.now().UTC().Format(time.RFC3339)
	default:
		b["status"] = "running"
		if polls <= 1 {
			b["status"] = "discovering"
		}
	}
	name, _ := fakehttp.Magic(j.url)
	urls := CrawlURLs(j.url, done)
	pages := make([]map[string]any, len(urls))
	ok := 0
	for i, u := range urls {
		if name == "partial" && i%5 == 4 {
			pages[i] = map[string]any{"url": u, "status": "failed", "error": failures["blocked"]}
			continue
		}
		pages[i] = map[string]any{"url": u, "status": "completed", "status_code": 200, "title": Title(u),
			"markdown": Markdown(u, s.size(j.url)), "depth": min(i, 1), "credits_used": 1000}
		ok++
	}
	b["pages_scraped"], b["credits_used"] = len(urls), ok*1000
	if results {
		b["results"] = pages
	}
	return b
}

// searchJob is GET /search/{id}.
func (s *Server) searchJob(j *job) map[string]any {
	if !s.finished(j) {
		return map[string]any{"search_id": j.id, "status": "scraping", "query": j.query}
	}
	if j.fail != "" {
		return map[string]any{"search_id": j.id, "status": "failed", "error": j.fail, "query": j.query}
	}
	b := s.searchResult(j)
	b["status"] = "completed"
	return b
}

// searchResult is a finished search.
func (s *Server) searchResult(j *job) map[string]any {
	q := stripMagic(j.query)
	results := make([]map[string]any, j.results)
	for i := range results {
		u := SearchURL(j.query, i+1)
		h := map[string]any{"position": i + 1, "url": u, "title": fmt.Sprintf("Result %d for %s", i+1, q),
			"snippet": fmt.Sprintf("A page about %s (hit %d).", q, i+1), "date_published": fmt.Sprintf("2025-01-%02dT00:00:00Z", i%28+1)}
		if j.scrape {
			h["content"] = Markdown(u, s.pageSize)
		}
		results[i] = h
	}
	cost := 1000
	if j.scrape {
		cost += 200 * j.results
	}
	return map[string]any{"search_id": j.id, "query": q, "results_requested": j.results, "results_count": j.results,
		"credits_used": cost, "results": results, "cost_breakdown": map[string]any{"total_microcents": cost}}
}

// document is one scrape result in the sync answer's shape.
func (s *Server) document(in *scrapeIn, u string) map[string]any {
	name, _ := fakehttp.Magic(u)
	formats := in.Formats
	if len(formats) == 0 {
		formats = []string{"markdown"}
	}
	md, page := Markdown(u, s.size(u)), HTML(u)
	extract := len(in.ExtractionSchema) > 0 || in.ExtractionPrompt != ""
	content := map[string]any{}
	var data map[string]any
	for _, f := range formats {
		switch f {
		case "markdown":
			content["markdown"] = md
		case "html":
			content["html"] = page
		case "raw":
			content["raw"] = page
		case "text":
			content["text"] = "Fake page text for " + u
		case "json", "json_v2":
			data = Extraction(u, in.ExtractionSchema, in.ExtractionPrompt)
			content["json"] = data
		case "content":
			content["content"] = map[string]any{"body_markdown": md, "content_hash": contentHash(md), "images": []any{}, "links": Links(u)}
		}
	}
	if extract && data == nil {
		data = Extraction(u, in.ExtractionSchema, in.ExtractionPrompt)
		content["json"] = data
	}
	tier, micro := "1", 200
	if in.browser() {
		tier, micro = "4", 4000
	}
	cached := name == "cached" && !in.ForceRefresh
	if cached {
		micro = 0 // cache hits are free
	}
	d := map[string]any{
		"url": u, "final_url": u, "redirected": false, "status_code": 200, "content": content,
		"title": Title(u), "author": nil, "published_at": nil,
		"metadata": map[string]any{"title": Title(u), "description": Description(u), "language": "en"},
		"headers":  map[string]any{"content-type": "text/html; charset=utf-8"},
		"cached":   cached, "response_time_ms": 420, "size_bytes": len(page),
		"billing": map[string]any{"total_credits": 1, "tier_used": tier, "savings": 0, "final_cost_microcents": micro,
			"escalations": []any{map[string]any{"tier": tier, "result": "success", "credits": 1, "duration_ms": 400}}},
		"extraction_method": "algorithmic", "version": "v1",
	}
	if len(in.ExtractionSchema) > 0 {
		d["filtered_content"] = data
	}
	if in.Advanced.Screenshot {
		d["screenshot_url"] = s.screenshotURL()
	}
	if name == "string_content" {
		// Some sync answers carry the single asked-for format as a bare
		// string.
		if formats[0] == "html" {
			d["content"] = page
		} else {
			d["content"] = md
		}
	}
	if name == "warnings" {
		d["warning"] = "Content may be incomplete: the page uses infinite scroll"
		d["quality_warning"] = map[string]any{"code": "LOW_WORD_COUNT", "reason": "The page has very little text", "word_count": 12, "content_size_bytes": len(md)}
		d["content_truncated"] = map[string]any{"truncated": true, "truncated_at_bytes": 5242880, "original_size_bytes": 7340032, "truncation_reason": "response_body_cap"}
	}
	return d
}

// size is the markdown size for u: its size:<n> magic, else WithPageSize.
func (s *Server) size(u string) int {
	if name, arg := fakehttp.Magic(u); name == "size" {
		if n, err := strconv.Atoi(arg); err == nil {
			return n
		}
	}
	return s.pageSize
}
