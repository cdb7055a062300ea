package local

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/scrapemcp/scrapemcp/client"
)

const acceptPages = "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"

// Scrape fetches one page, or renders it in the browser when req asks for
// use_browser, actions or a screenshot. JSON extraction is not available
// locally; asking for it returns guidance naming a provider that can.
//
// A body longer than MaxBodyBytes is cut at the cap with a warning when it
// is text (HTML, plain text, JSON, XML): the first megabytes of a page are
// nearly always what was wanted. too_large is returned only when the part
// kept holds no readable text at all.
func (p *Provider) Scrape(ctx context.Context, req client.ScrapeRequest) (*client.Page, error) {
	if err := p.scrapeSupported(req); err != nil {
		return nil, err
	}
	u, err := parseTarget(req.URL)
	if err != nil {
		return nil, err
	}
	page, _, err := p.scrapePage(ctx, u, req)
	return page, err
}

func (p *Provider) scrapeSupported(req client.ScrapeRequest) *client.Error {
	if req.Wants(client.FormatJSON) || len(req.JSONSchema) > 0 || strings.TrimSpace(req.Prompt) != "" {
		return unsupportedExtraction()
	}
	if err := client.CheckActions(client.Local, req.Actions); err != nil {
		return err
	}
	if needsBrowser(req) && p.browser == nil {
		return p.browserUnavailable()
	}
	return nil
}

// parseTarget accepts absolute http(s) URLs only.
func parseTarget(raw string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, invalidURL(raw, "it is empty; pass an absolute http(s) URL such as https://example.com/")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, invalidURL(raw, "it does not parse ("+rootCause(err)+")")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, invalidURL(raw, "only http and https URLs can be fetched")
	}
	if u.Hostname() == "" {
		return nil, invalidURL(raw, "it has no host name")
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// scrapePage fetches u and renders it as req asks. It also returns every
// link on the page, for crawls.
func (p *Provider) scrapePage(ctx context.Context, u *url.URL, req client.ScrapeRequest) (*client.Page, []string, error) {
	if needsBrowser(req) {
		return p.renderPage(ctx, u, req)
	}
	ctx, cancel := context.WithTimeout(ctx, p.fetchTimeout(req.Timeout))
	defer cancel()
	target := u.Redacted()
	if err := p.allowedByRobots(ctx, u); err != nil {
		return nil, nil, err
	}
	resp, err := p.get(ctx, u, acceptPages, nil)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		discard(resp)
		return nil, nil, statusError(target, resp)
	}
	ct := resp.Header.Get("Content-Type")
	mt := mediaType(ct)
	kind := kindOf(mt)
	if mt != "" && kind == kindBinary {
		return nil, nil, unsupportedContent(target, mt)
	}
	body, truncated, err := p.readBody(ctx, target, resp, p.opts.MaxBodyBytes)
	if err != nil {
		return nil, nil, err
	}
	if mt == "" {
		mt = mediaType(http.DetectContentType(body))
		ct, kind = mt, kindOf(mt)
		if kind == kindBinary {
			return nil, nil, unsupportedContent(target, "")
		}
	}

	final := resp.Request.URL
	page := &client.Page{
		URL:         strings.TrimSpace(req.URL),
		FinalURL:    final.String(),
		StatusCode:  resp.StatusCode,
		ContentType: ct,
	}
	if page.URL == "" {
		page.URL = u.String()
	}
	var links []string
	switch kind {
	case kindHTML:
		o := extractOpts{onlyMain: req.OnlyMainContent, markdown: req.Wants(client.FormatMarkdown), html: req.Wants(client.FormatHTML)}
		ex, err := p.extractHTML(ctx, toUTF8(body, ct, true), final, o)
		if err != nil {
			return nil, nil, extractError(ctx, target, err, p.opts.MaxRedirects)
		}
		switch {
		case truncated && ex.text == 0 && (o.markdown || o.html):
			return nil, nil, localErr(client.CodeTooLarge, fmt.Sprintf(
				"%s is larger than %d bytes and the first %d bytes hold no readable text", target, p.opts.MaxBodyBytes, p.opts.MaxBodyBytes), nil)
		case ex.simplified && ex.text == 0 && (o.markdown || o.html):
			// A simpler rendering that found nothing is not an empty page:
			// it is a page we could not read. Say so instead of succeeding
			// with nothing.
			return nil, nil, localErr(client.CodePageTooComplex, fmt.Sprintf(
				"%s is beyond the local extractor's limits and its simplified reading found no text: %s", target, strings.Join(ex.warnings, "; ")), nil)
		}
		if shell := appShell(body, ex.text); shell != "" && !strings.EqualFold(req.Mode, "html") && (o.markdown || o.html) {
			if !shellWarning(ctx) {
				return nil, nil, p.jsRequired(target, shell)
			}
			page.Warnings = append(page.Warnings, fmt.Sprintf(
				"this page is a JavaScript application (%s): its text is built by scripts; scrape it with use_browser=true to read it", shell))
		}
		links = fillPage(page, ex)
		refresh := ex.refresh
		if refresh == "" {
			refresh = absoluteHTTP(final, refreshTarget(resp.Header.Get("Refresh")))
		}
		if refresh != "" && refresh != final.String() {
			page.Warnings = append(page.Warnings, fmt.Sprintf(
				"the page asks the browser to move on to %s (refresh); scrape that URL if this content looks like a placeholder", refresh))
			links = append(links, refresh)
		}
	default:
		text := toUTF8(body, ct, false)
		// The HTML field carries the body as served: it is the page's source.
		if req.Wants(client.FormatHTML) {
			page.HTML = text
		}
		if req.Wants(client.FormatMarkdown) {
			switch kind {
			case kindJSON:
				page.Markdown = fence("json", prettyJSON(text))
			case kindXML:
				page.Markdown = fence("xml", text)
			default:
				page.Markdown = text
			}
		}
	}
	if truncated {
		page.Warnings = append(page.Warnings, fmt.Sprintf(
			"body truncated at %d bytes; the rest of the page is not included", p.opts.MaxBodyBytes))
	}
	finishPage(page, req, links)
	if req.WaitFor != "" {
		page.Warnings = append(page.Warnings, "wait_for is ignored without use_browser: the page was fetched, not rendered")
	}
	return page, links, nil
}

// fillPage copies what extraction found into page, fetched or rendered
// alike, and returns the page's links.
func fillPage(page *client.Page, ex extracted) []string {
	page.Title, page.Description, page.Canonical = ex.title, ex.description, ex.canonical
	page.Markdown, page.HTML = ex.markdown, ex.html
	page.Warnings = append(page.Warnings, ex.warnings...)
	return ex.links
}

// finishPage adds what every local page gets last: its links when asked
// for (an empty list rather than none), and the note that country does
// not apply here.
func finishPage(page *client.Page, req client.ScrapeRequest, links []string) {
	if req.Wants(client.FormatLinks) {
		page.Links = links
		if page.Links == nil {
			page.Links = []string{}
		}
	}
	if req.Country != "" {
		page.Warnings = append(page.Warnings, "country is ignored by the local fetcher: the page was fetched from this machine's network")
	}
}
