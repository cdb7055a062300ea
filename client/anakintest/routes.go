package anakintest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/scrapemcp/scrapemcp/client/internal/fakehttp"
)

// job is one async job of any kind.
type job struct {
	id, kind string
	url      string
	urls     []string // batch
	formats  []string
	genJSON  bool
	schema   json.RawMessage
	country  string
	browser  bool     // useBrowser, or implied by actions
	actions  []Action // the browser steps, as sent
	maxPages int
	limit    int
	search   string
	subdoms  bool

	need    int // the poll that finishes it
	polls   int
	pending bool
	fail    string
	lasts   time.Duration // a job of known length (Lasting); 0: counted in polls
	created time.Time
}

// rejection is the submit-time answer a magic name asks for, if any.
func rejection(name, arg string) (Fault, bool) {
	switch name {
	case "code":
		return codeFault(arg)
	case "insufficient_credits":
		return Error(402, Flat, "insufficient_credits", "Insufficient credits: this operation costs 1 credit and your balance is 0"), true
	case "credits_wire":
		return Error(402, Wire, "INSUFFICIENT_CREDITS", "You need 5 credits. Current balance: 2").WithDetails(map[string]any{"balance": 2, "required": 5}), true
	case "unauthorized":
		return Error(401, Flat, "unauthorized", "Invalid or missing API key"), true
	case "forbidden":
		return Error(403, Flat, "forbidden", "You do not have access to this resource"), true
	case "invalid_request":
		return Error(400, Flat, "invalid_request", "Invalid request body"), true
	case "fiber":
		return FiberList(400, "url must be a URL address", "country must be a valid ISO 3166-1 alpha-2 code"), true
	case "rate_limit":
		return RateLimited("5"), true
	case "server_error":
		return Error(500, Flat, "server_error", "Internal server error"), true
	case "service_unavailable":
		return Error(503, Flat, "service_unavailable", "Scraper service is temporarily unavailable"), true
	case "bad_gateway":
		return HTMLPage(502), true
	case "malformed":
		return Raw(http.StatusAccepted, `{"jobId": "job-malformed", "status": "pend`), true
	case "hang":
		return Hang(), true
	}
	return Fault{}, false
}

// failures are the job-time magic names and their error strings.
var failures = map[string]string{
	"blocked": "Blocked by website (HTTP 403)",
	"captcha": "CAPTCHA challenge detected (bot detection)",
	"timeout": "Connection timeout: page did not load within 30s",
	"dns":     "DNS resolution failed: no such host",
	"tls":     "TLS handshake failed: SSL certificate problem",
}

func failureFor(name, arg string) string {
	if name == "fail" {
		return arg
	}
	return failures[name]
}

// preflight handles the magic names that reject or hang a submit. It
// reports whether it answered.
func (s *Server) preflight(w http.ResponseWriter, r *http.Request, targets ...string) bool {
	for _, t := range targets {
		name, arg := fakehttp.Magic(t)
		f, ok := rejection(name, arg)
		if !ok {
			continue
		}
		if f.hang {
			select {
			case <-r.Context().Done():
			case <-s.done:
			}
			return true
		}
		s.fail(w, r, f)
		return true
	}
	return false
}

func badRequest(code, msg string) Fault { return Error(http.StatusBadRequest, Flat, code, msg) }

// decode reads the JSON body into v, answering invalid_request if it is not
// a JSON object.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	b := from(r).body
	if err := json.Unmarshal(b, v); err != nil {
		s.fail(w, r, badRequest("invalid_request", "Invalid JSON body: "+err.Error()))
		return false
	}
	return true
}

func validURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// checkURL answers the documented 400s for a target URL.
func (s *Server) checkURL(w http.ResponseWriter, r *http.Request, u string) bool {
	switch {
	case strings.TrimSpace(u) == "":
		s.fail(w, r, badRequest("invalid_request", "url is required"))
		return false
	case !validURL(u):
		s.fail(w, r, badRequest("invalid_url", "url must be a valid http or https URL"))
		return false
	}
	return true
}

var knownFormats = map[string]bool{"markdown": true, "html": true, "cleanedHtml": true, "json": true, "links": true,
	"images": true, "screenshot": true, "screenshotFullPage": true, "summary": true}

func (s *Server) handleScrape(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL          string          `json:"url"`
		Formats      []string        `json:"formats"`
		Country      string          `json:"country"`
		GenerateJSON bool            `json:"generateJson"`
		OutputSchema json.RawMessage `json:"outputSchema"`
		SessionID    string          `json:"sessionId"`
		UseBrowser   bool            `json:"useBrowser"`
		Actions      []Action        `json:"actions"`
	}
	if !s.decode(w, r, &in) || !s.checkURL(w, r, in.URL) || s.preflight(w, r, in.URL) || !s.checkSession(w, r, in.SessionID) {
		return
	}
	if msg := checkActions(in.Actions); msg != "" {
		s.fail(w, r, badRequest("invalid_request", msg))
		return
	}
	for _, f := range in.Formats {
		if !knownFormats[f] {
			s.fail(w, r, badRequest("invalid_request", "unknown format "+strconv.Quote(f)))
			return
		}
	}
	if len(in.OutputSchema) > 50<<10 {
		s.fail(w, r, badRequest("invalid_request", "outputSchema exceeds 50KB"))
		return
	}
	if len(in.Formats) == 0 {
		in.Formats = []string{"markdown"}
	}
	j := &job{kind: "scrape", url: in.URL, formats: in.Formats, country: in.Country, schema: in.OutputSchema,
		genJSON: in.GenerateJSON || len(in.OutputSchema) > 0 || contains(in.Formats, "json"),
		browser: in.UseBrowser || len(in.Actions) > 0, actions: in.Actions}
	s.accept(w, r, j, map[string]any{"status": "pending"})
}

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URLs         []string `json:"urls"`
		Country      string   `json:"country"`
		GenerateJSON bool     `json:"generateJson"`
		SessionID    string   `json:"sessionId"`
	}
	if !s.decode(w, r, &in) {
		return
	}
	if len(in.URLs) == 0 || len(in.URLs) > 10 {
		s.fail(w, r, badRequest("invalid_request", fmt.Sprintf("urls must contain between 1 and 10 URLs, got %d", len(in.URLs))))
		return
	}
	for i, u := range in.URLs {
		if !validURL(u) {
			s.fail(w, r, badRequest("invalid_url", fmt.Sprintf("urls[%d] is not a valid http or https URL", i)))
			return
		}
	}
	if s.preflight(w, r, in.URLs...) || !s.checkSession(w, r, in.SessionID) {
		return
	}
	j := &job{kind: "batch", urls: in.URLs, country: in.Country, genJSON: in.GenerateJSON, formats: []string{"markdown", "html"}}
	s.accept(w, r, j, map[string]any{"status": "pending", "urls": in.URLs})
}

func (s *Server) handleCrawl(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL      string `json:"url"`
		MaxPages *int   `json:"maxPages"`
		Depth    *int   `json:"depth"`
		Country  string `json:"country"`
	}
	if !s.decode(w, r, &in) || !s.checkURL(w, r, in.URL) {
		return
	}
	if in.Depth != nil && (*in.Depth < 1 || *in.Depth > 5) {
		s.fail(w, r, badRequest("invalid_request", fmt.Sprintf("depth must be between 1 and 5, got %d", *in.Depth)))
		return
	}
	pages := 10
	if in.MaxPages != nil {
		pages = *in.MaxPages
	}
	if pages < 1 || pages > 500 {
		s.fail(w, r, badRequest("invalid_request", fmt.Sprintf("maxPages must be between 1 and 500, got %d", pages)))
		return
	}
	if s.preflight(w, r, in.URL) {
		return
	}
	j := &job{kind: "crawl", url: in.URL, maxPages: pages, country: in.Country, formats: []string{"markdown", "html"}}
	s.accept(w, r, j, map[string]any{"status": "pending"})
}

func (s *Server) handleMap(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL               string `json:"url"`
		Limit             *int   `json:"limit"`
		Depth             *int   `json:"depth"`
		IncludeSubdomains bool   `json:"includeSubdomains"`
		Search            string `json:"search"`
	}
	if !s.decode(w, r, &in) || !s.checkURL(w, r, in.URL) {
		return
	}
	limit := 100
	if in.Limit != nil {
		limit = *in.Limit
	}
	if limit < 1 || limit > 5000 {
		s.fail(w, r, badRequest("invalid_request", fmt.Sprintf("limit must be between 1 and 5000, got %d", limit)))
		return
	}
	if in.Depth != nil && (*in.Depth < 1 || *in.Depth > 5) {
		s.fail(w, r, badRequest("invalid_request", fmt.Sprintf("depth must be between 1 and 5, got %d", *in.Depth)))
		return
	}
	if s.preflight(w, r, in.URL) {
		return
	}
	j := &job{kind: "map", url: in.URL, limit: limit, search: in.Search, subdoms: in.IncludeSubdomains}
	s.accept(w, r, j, map[string]any{"status": "pending"})
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Prompt string `json:"prompt"`
		Limit  *int   `json:"limit"`
	}
	if !s.decode(w, r, &in) {
		return
	}
	if strings.TrimSpace(in.Prompt) == "" {
		s.fail(w, r, badRequest("invalid_request", "prompt is required"))
		return
	}
	if len(in.Prompt) > 8<<10 {
		s.fail(w, r, badRequest("invalid_request", "prompt exceeds 8KB"))
		return
	}
	limit := 5
	if in.Limit != nil {
		limit = *in.Limit
	}
	if limit < 1 || limit > 20 {
		s.fail(w, r, badRequest("invalid_request", fmt.Sprintf("limit must be between 1 and 20, got %d", limit)))
		return
	}
	if s.preflight(w, r, in.Prompt) {
		return
	}
	slug := strings.ToLower(strings.Join(strings.Fields(in.Prompt), "-"))
	if len(slug) > 40 {
		slug = slug[:40]
	}
	results := make([]map[string]any, limit)
	for i := range results {
		results[i] = map[string]any{
			"url":     fmt.Sprintf("https://result%d.example.com/%s", i+1, url.PathEscape(slug)),
			"title":   fmt.Sprintf("Result %d for %s", i+1, in.Prompt),
			"snippet": fmt.Sprintf("A page about %s (hit %d).", in.Prompt, i+1),
			"date":    fmt.Sprintf("2025-01-%02d", i%28+1),
		}
	}
	s.mu.Lock()
	s.seq++
	id := jobID(s.seq)
	s.mu.Unlock()
	fakehttp.WriteJSON(w, http.StatusOK, map[string]any{"id": id, "results": results})
}

func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request) {
	fakehttp.RecordCancel(s.requestLog, r)
	s.fail(w, r, Error(http.StatusNotFound, Flat, "not_found", "Cannot "+r.Method+" "+r.URL.Path))
}

func jobID(n int) string { return fmt.Sprintf("%08x-fa4e-4a4b-8c1d-%012x", n, n) }

// accept stores the job, applying magic and scripted modifiers, and answers
// 202 with its id.
func (s *Server) accept(w http.ResponseWriter, r *http.Request, j *job, answer map[string]any) {
	j.need = s.polls
	for _, t := range append([]string{j.url}, j.urls...) {
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
	accept := 0
	for _, t := range append([]string{j.url}, j.urls...) {
		if name, _ := fakehttp.Magic(t); name == "gateway_timeout" {
			accept = http.StatusGatewayTimeout
		}
	}
	f := from(r).fault
	if f != nil && f.accept != 0 {
		accept = f.accept
	}
	if f != nil {
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
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(accept)
		_, _ = w.Write([]byte(strconv.Itoa(accept) + " " + http.StatusText(accept) + ": the upstream did not answer in time\n"))
		return
	}
	field := "jobId"
	if f != nil && f.idField != "" {
		field = f.idField
	}
	answer[field] = j.id
	fakehttp.WriteJSON(w, http.StatusAccepted, answer)
}

// handleJob serves a poll of the given kinds.
func (s *Server) handleJob(kinds ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		s.mu.Lock()
		j, ok := s.jobs[id]
		if ok && !contains(kinds, j.kind) {
			ok = false
		}
		if ok {
			j.polls++
		}
		s.mu.Unlock()
		if !ok {
			s.fail(w, r, Error(http.StatusNotFound, Flat, "not_found", "Job not found"))
			return
		}
		status, body := s.snapshot(j)
		fakehttp.WriteJSON(w, status, body)
	}
}

// snapshot is the job's poll answer: 202 while pending/processing, 200 once
// it has ended.
func (s *Server) snapshot(j *job) (int, map[string]any) {
	s.mu.Lock()
	polls := j.polls
	s.mu.Unlock()
	jobType := map[string]string{"scrape": "url_scraper", "batch": "batch_url_scraper", "crawl": "crawl", "map": "map"}[j.kind]
	b := map[string]any{"id": j.id, "jobType": jobType, "createdAt": j.created.UTC().Format(time.RFC3339)}
	if j.url != "" {
		b["url"] = j.url
	}
	if j.country != "" {
		b["country"] = j.country
	}
	if j.kind == "batch" {
		b["urls"] = j.urls
	}
	running, done := j.pending || polls < j.need, j.maxPages*polls/(j.need+1)
	if j.lasts > 0 {
		el := s.now().Sub(j.created)
		running = j.pending || el < j.lasts
		done = int(int64(j.maxPages) * int64(el) / int64(j.lasts))
	}
	if running {
		b["status"] = "processing"
		if polls <= 1 {
			b["status"] = "pending"
		}
		if j.kind == "crawl" {
			b["totalPages"] = j.maxPages
			b["completedPages"] = min(done, j.maxPages)
		}
		return http.StatusAccepted, b
	}
	b["completedAt"] = s.now().UTC().Format(time.RFC3339)
	b["durationMs"] = 1200 * polls
	if j.fail != "" {
		b["status"], b["error"] = "failed", j.fail
		return http.StatusOK, b
	}
	b["status"], b["error"] = "completed", nil
	switch j.kind {
	case "scrape":
		for k, v := range s.document(j, j.url) {
			b[k] = v
		}
	case "batch":
		results, ok := make([]map[string]any, len(j.urls)), 0
		for i, u := range j.urls {
			d := map[string]any{"index": i, "url": u, "durationMs": 900}
			if msg := failureFor(fakehttp.Magic(u)); msg != "" {
				d["status"], d["error"] = "failed", msg
			} else {
				for k, v := range s.document(j, u) {
					d[k] = v
				}
				d["status"], d["error"] = "completed", nil
				ok++
			}
			results[i] = d
		}
		b["results"] = results
		if ok == 0 {
			b["status"], b["error"] = "failed", "All URLs in the batch failed"
		}
	case "crawl":
		name, _ := fakehttp.Magic(j.url)
		urls := fakehttp.CrawlURLs(j.url, j.maxPages)
		results := make([]map[string]any, len(urls))
		done := 0
		for i, u := range urls {
			d := map[string]any{"url": u, "durationMs": 800}
			if name == "partial" && i%5 == 4 {
				d["status"], d["error"] = "failed", failures["blocked"]
			} else {
				d["status"], d["markdown"], d["html"] = "completed", Markdown(u, s.size(j.url)), HTML(u)
				done++
			}
			results[i] = d
		}
		b["totalPages"], b["completedPages"], b["results"] = len(urls), done, results
	case "map":
		links := fakehttp.MapURLs(j.url, j.limit, j.search, j.subdoms)
		b["links"], b["totalLinks"] = links, len(links)
	}
	return http.StatusOK, b
}

// document is one completed page in the url-scraper's shape.
func (s *Server) document(j *job, u string) map[string]any {
	d := map[string]any{"markdown": Markdown(u, s.size(u)), "html": HTML(u), "cleanedHtml": HTML(u)}
	name, _ := fakehttp.Magic(u)
	d["cached"] = name == "cached"
	if contains(j.formats, "links") {
		d["links"] = Links(u)
	}
	if j.genJSON {
		d["generatedJson"] = generatedJSON(u, j.schema)
	}
	if j.id != "" && j.kind == "scrape" {
		if contains(j.formats, "screenshot") {
			d["screenshotUrl"] = s.screenshotLink(j.id, "viewport")
		}
		if contains(j.formats, "screenshotFullPage") {
			d["fullPageScreenshotUrl"] = s.screenshotLink(j.id, "fullpage")
		}
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
