package client

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/client/anakintest"
)

// leakWatch collects everything a key could leak into: every log line, and
// every error and result a caller sees.
type leakWatch struct {
	logs bytes.Buffer
	seen []string
}

func (w *leakWatch) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(&w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (w *leakWatch) result(v any) { w.seen = append(w.seen, fmt.Sprintf("%+v", v)) }

func (w *leakWatch) err(provider string, err error) {
	w.seen = append(w.seen, err.Error())
	if e := AsError(provider, err); e != nil {
		w.seen = append(w.seen, e.Message, e.Field, e.Code, e.RequestID, fmt.Sprintf("%v", e.Details))
	}
}

// scrapes runs n scrapes, recording what each returns.
func (w *leakWatch) scrapes(t *testing.T, provider string, p Provider, n int) {
	for range n {
		page, err := p.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
		if err != nil {
			w.err(provider, err)
			continue
		}
		w.result(*page)
	}
}

// crawl starts a crawl and polls it once.
func (w *leakWatch) crawl(t *testing.T, p Provider) {
	j, err := p.StartCrawl(t.Context(), CrawlRequest{URL: "https://example.com", MaxPages: 3})
	if err != nil {
		t.Fatal(err)
	}
	if j, err = p.Job(t.Context(), j.Ref); err != nil {
		t.Fatal(err)
	}
	w.result(*j)
}

func (w *leakWatch) check(t *testing.T, marker string, atLeast int) {
	t.Helper()
	if !strings.Contains(w.logs.String(), "retrying API call") {
		t.Error("the retry was not logged; the log check proves nothing")
	}
	for _, line := range strings.Split(w.logs.String(), "\n") {
		if strings.Contains(line, marker) {
			t.Errorf("log line carries the key: %s", line)
		}
	}
	for _, s := range w.seen {
		if strings.Contains(s, marker) {
			t.Errorf("output carries the key: %s", s)
		}
	}
	if len(w.seen) < atLeast {
		t.Errorf("only %d outputs checked", len(w.seen))
	}
}

// Both tests run failing and succeeding calls with a distinctive key,
// against an API that (badly) echoes it back in every place it could.

func TestAnakinKeyNeverLeaks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const key = "ak-LEAKCANARY-7f3c9e21d4"
		var w leakWatch
		s := anakintest.New(anakintest.WithKey(key))
		c, err := NewAnakin(APIConfig{BaseURL: "http://anakin.test", APIKey: key, HTTPClient: s.Client(), Logger: w.logger(), SubmitsPerMinute: -1})
		if err != nil {
			t.Fatal(err)
		}
		s.Script(anakintest.RouteScrape,
			anakintest.Error(401, anakintest.Wire, "AUTH_EXPIRED", "key "+key+" expired").
				WithDetails(map[string]any{"connect_url": "/connect?k=" + key, "details": map[string]any{"key": key, "seen": []any{key}}}),
			anakintest.Error(401, anakintest.FlatCode, "unauthorized", "bad key "+key).WithRequestID(key),
			anakintest.Error(500, anakintest.Flat, "server_error", "boom for "+key),
			anakintest.FailJob("Blocked while using "+key),
			anakintest.ConnRefused(), anakintest.ResetAfterWrite(),
		)
		w.scrapes(t, Anakin, c, 6)
		w.crawl(t, c)
		wrong, _ := NewAnakin(APIConfig{BaseURL: "http://anakin.test", APIKey: key + "-wrong", HTTPClient: s.Client(), Logger: w.logger()})
		w.scrapes(t, Anakin, wrong, 1)
		w.check(t, "LEAKCANARY", 15)
	})
}

func TestAlterLabKeyNeverLeaks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const key = "sk_live_LEAKCANARY7f3c9e21d4aa"
		var w leakWatch
		s := alterlabtest.New(alterlabtest.WithKey(key))
		c, err := NewAlterLab(APIConfig{BaseURL: "http://alterlab.test", APIKey: key, HTTPClient: s.Client(), Logger: w.logger(), SubmitsPerMinute: -1})
		if err != nil {
			t.Fatal(err)
		}
		s.Script(alterlabtest.RouteScrape,
			alterlabtest.Error(401, alterlabtest.Docs, "INVALID_API_KEY", "key "+key+" revoked").
				WithDetails(map[string]any{"key": key, "seen": []any{key, map[string]any{"k": key}}, "field": key}),
			alterlabtest.Error(403, alterlabtest.DetailObject, "BLOCKED_BY_ANTIBOT", "blocked "+key).WithRequestID(key),
			alterlabtest.Raw(504, `{"detail":{"message":"timeout for `+key+`","credits_status":"`+key+`"}}`),
			alterlabtest.Raw(422, `{"detail":[{"loc":["body","`+key+`"],"msg":"bad `+key+`"}]}`),
			alterlabtest.Error(500, alterlabtest.Detail, "", "boom for "+key),
			alterlabtest.FailJob("Blocked while using "+key),
			alterlabtest.Raw(200, `{"content":{"markdown":"m"},"warning":"request with key `+key+`"}`),
			alterlabtest.ConnRefused(), alterlabtest.ResetAfterWrite(),
		)
		w.scrapes(t, AlterLab, c, 9)
		s.Script(alterlabtest.RouteBatchJob, alterlabtest.Raw(200, `{"status":"partially_failed","items":[
			{"url":"https://a.example","status":"failed","error":{"code":"`+key+`","message":"no `+key+`"}}]}`))
		if res, err := c.BatchScrape(t.Context(), BatchRequest{URLs: []string{"https://a.example"}}); err == nil {
			w.result(fmt.Sprintf("%+v %v", *res, res.Items[0].Err.Details))
		}
		w.crawl(t, c)
		wrong, _ := NewAlterLab(APIConfig{BaseURL: "http://alterlab.test", APIKey: key + "-wrong", HTTPClient: s.Client(), Logger: w.logger()})
		w.scrapes(t, AlterLab, wrong, 1)
		w.check(t, "LEAKCANARY", 20)
	})
}
