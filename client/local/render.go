package local

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/local/browser"
)

// needsBrowser says whether req can only be served by rendering the page:
// use_browser (or mode js), actions, or a screenshot.
func needsBrowser(req client.ScrapeRequest) bool {
	return req.UseBrowser || len(req.Actions) > 0 || req.Wants(client.FormatScreenshot) || strings.EqualFold(req.Mode, "js")
}

// startBrowser prepares the shared browser pool (it starts no process) or
// records why there is none.
func (p *Provider) startBrowser() error {
	if p.opts.BrowserPath == "" {
		p.noBrowser = p.opts.NoBrowserReason
		if p.noBrowser == "" {
			p.noBrowser = "no browser was configured"
		}
		return nil
	}
	pool, err := browser.New(browser.Options{
		Path:    p.opts.BrowserPath,
		Tabs:    p.opts.BrowserTabs,
		Dial:    p.guard.dialContext,
		Blocked: blockedReason,
		Settle:  p.opts.BrowserSettle,
		Logger:  p.log,
		// The rendered DOM is read up to the plain fetch's body cap.
		MaxHTMLBytes: int(min(p.opts.MaxBodyBytes, 1<<30)),
	})
	if err != nil {
		return err
	}
	p.browser = pool
	return nil
}

func blockedReason(err error) (string, bool) {
	b, ok := isBlocked(err)
	if !ok {
		return "", false
	}
	return b.Error(), true
}

func (p *Provider) browserUnavailable() *client.Error {
	why := strings.TrimSuffix(p.noBrowser, ".")
	if !strings.Contains(why, "Install") {
		why += ". " + browser.InstallHint(runtime.GOOS)
	} else {
		why += "."
	}
	return localErr(client.CodeBrowserUnavailable, fmt.Sprintf(
		"use_browser, actions and the screenshot format need a headless browser, and this server has none: %s "+
			"Otherwise set ANAKIN_API_KEY or ALTERLAB_API_KEY to use a provider that renders pages, or call again without them "+
			"(pages that build their text with JavaScript may then come back nearly empty).", why), nil)
}

// renderPage is scrapePage through the browser: robots.txt and the host's
// rate limit for the navigation, the guard for every request the page
// makes, then the same extraction and Markdown as a plain fetch.
func (p *Provider) renderPage(ctx context.Context, u *url.URL, req client.ScrapeRequest) (*client.Page, []string, error) {
	if p.browser == nil {
		return nil, nil, p.browserUnavailable()
	}
	ctx, cancel := context.WithTimeout(ctx, p.fetchTimeout(req.Timeout))
	defer cancel()
	target := u.Redacted()
	if err := p.guard.checkLiteral(u.Hostname(), urlPort(u)); err != nil {
		return nil, nil, fetchError(ctx, target, err, p.opts.MaxRedirects)
	}
	if err := p.allowedByRobots(ctx, u); err != nil {
		return nil, nil, err
	}
	if err := p.polite.limiter(hostKey(u)).Wait(ctx); err != nil {
		return nil, nil, fetchError(ctx, target, &rateWaitError{host: hostKey(u), err: err}, p.opts.MaxRedirects)
	}
	res, err := p.browser.Render(ctx, browser.Request{
		URL: u.String(), WaitFor: req.WaitFor, Actions: req.Actions,
		Screenshot: req.Wants(client.FormatScreenshot), FullPage: req.ScreenshotFullPage,
	})
	if err != nil {
		return nil, nil, p.renderError(ctx, target, err)
	}
	if res.Status != 0 && (res.Status < 200 || res.Status > 299) {
		h := http.Header{}
		for k, v := range res.Headers {
			h.Set(k, v)
		}
		return nil, nil, statusError(target, &http.Response{StatusCode: res.Status, Header: h})
	}
	final, err := url.Parse(res.FinalURL)
	if err != nil || final.Host == "" {
		final = u
	}
	if final.String() != u.String() {
		// The browser followed redirects (or the page moved itself) without
		// asking robots.txt; a plain fetch would have refused a disallowed
		// hop, so the rendered result of one is not returned either.
		if err := p.allowedByRobots(ctx, final); err != nil {
			return nil, nil, err
		}
	}
	page := &client.Page{
		URL:         strings.TrimSpace(req.URL),
		FinalURL:    final.String(),
		StatusCode:  res.Status,
		ContentType: "text/html; charset=utf-8",
		Screenshot:  res.Screenshot,
	}
	if page.URL == "" {
		page.URL = u.String()
	}
	if res.MimeType != "" {
		page.ContentType = res.MimeType
	}
	var links []string
	o := extractOpts{onlyMain: req.OnlyMainContent, markdown: req.Wants(client.FormatMarkdown), html: req.Wants(client.FormatHTML)}
	if o.markdown || o.html || req.Wants(client.FormatLinks) {
		ex, err := p.extractHTML(ctx, res.HTML, final, o)
		if err != nil {
			return nil, nil, extractError(ctx, target, err, p.opts.MaxRedirects)
		}
		links = fillPage(page, ex)
	}
	if page.Title == "" {
		page.Title = res.Title
	}
	page.Warnings = append(page.Warnings, res.Warnings...)
	finishPage(page, req, links)
	return page, links, nil
}

func (p *Provider) renderError(ctx context.Context, target string, err error) *client.Error {
	var (
		blocked *browser.BlockedError
		action  *browser.ActionError
		waitFor *browser.WaitForError
		busy    *browser.BusyError
		crash   *browser.CrashError
		load    *browser.LoadError
		start   *browser.StartError
	)
	switch {
	case errors.As(err, &blocked):
		return localErr(client.CodeSSRFBlocked, fmt.Sprintf(
			"%s: %s; the local fetcher does not reach loopback, private, link-local or cloud metadata addresses "+
				"(an operator can allow specific hosts with --allow-hosts)", blocked.Target, blocked.Reason), err)
	case errors.As(err, &action):
		e := localErr(client.CodeActionFailed, action.Error(), err)
		e.Field = fmt.Sprintf("actions[%d]", action.Index)
		return e
	case errors.As(err, &waitFor):
		e := localErr(client.CodeActionFailed, waitFor.Error(), err)
		e.Field = "wait_for"
		return e
	case errors.As(err, &crash):
		return localErr(client.CodePageTooComplex, crash.Error()+
			"; its scripts use more memory than a tab may (512 MB of JavaScript heap). Scrape it without use_browser, or use an API provider.", err)
	case errors.As(err, &busy):
		return localErr(client.CodeBrowserBusy, busy.Error(), err)
	case errors.As(err, &start):
		return localErr(client.CodeBrowserUnavailable, fmt.Sprintf(
			"%s (%s). Check that it runs on this machine, or call again without use_browser, actions or the screenshot format.",
			start.Error(), p.browser.Path()), err)
	case errors.Is(err, browser.ErrClosed):
		return localErr(client.CodeShuttingDown, "the local fetcher is shutting down", err)
	case errors.As(err, &load):
		text := load.Text
		switch {
		case strings.Contains(text, "NAME_NOT_RESOLVED"):
			return localErr(client.CodeDNS, fmt.Sprintf("could not resolve the host of %s (%s)", target, text), err)
		case strings.Contains(text, "CERT") || strings.Contains(text, "SSL"):
			return localErr(client.CodeTLS, fmt.Sprintf("TLS with %s failed in the browser (%s)", target, text), err)
		case strings.Contains(text, "AUTH_CREDENTIALS"):
			// The site asked for HTTP authentication, which no one answers.
			e := localErr(client.CodeHTTPStatus, fmt.Sprintf("%s answered 401 Unauthorized: it asks for a login (%s)", target, text), err)
			e.HTTPStatus = http.StatusUnauthorized
			return e
		case strings.Contains(text, "TIMED_OUT"):
			return localErr(client.CodeTimeout, fmt.Sprintf("%s did not answer in time (%s)", target, text), err)
		case strings.Contains(text, "ERR_ABORTED"):
			// The browser turned the navigation into a download (a file,
			// not a page), which this server refuses.
			return localErr(client.CodeUnsupportedContent, fmt.Sprintf(
				"%s is not a page the browser displays (it would be downloaded; downloads are refused)", target), err)
		}
		return localErr(client.CodeConnection, fmt.Sprintf("the browser could not load %s (%s)", target, text), err)
	}
	return fetchError(ctx, target, err, p.opts.MaxRedirects)
}
