package client

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
)

// TestAlterLabKeyNeverLeaks runs failing and succeeding calls with a
// distinctive key, against an API that (badly) echoes it back in every
// place it could, and looks for the key in every log line, error and result.
func TestAlterLabKeyNeverLeaks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const key = "sk_live_LEAKCANARY7f3c9e21d4aa"
		var logs bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		s := alterlabtest.New(alterlabtest.WithKey(key))
		c, err := NewAlterLab(APIConfig{BaseURL: "http://alterlab.test", APIKey: key, HTTPClient: s.Client(), Logger: log, SubmitsPerMinute: -1})
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
		var seen []string
		for range 9 {
			p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
			if err == nil {
				seen = append(seen, fmt.Sprintf("%+v", *p))
				continue
			}
			seen = append(seen, err.Error())
			if e := AsError(AlterLab, err); e != nil {
				seen = append(seen, e.Message, e.Field, e.Code, e.RequestID, fmt.Sprintf("%v", e.Details))
			}
		}
		s.Script(alterlabtest.RouteBatchJob, alterlabtest.Raw(200, `{"status":"partially_failed","items":[
			{"url":"https://a.example","status":"failed","error":{"code":"`+key+`","message":"no `+key+`"}}]}`))
		if res, err := c.BatchScrape(t.Context(), BatchRequest{URLs: []string{"https://a.example"}}); err == nil {
			seen = append(seen, fmt.Sprintf("%+v %v", *res, res.Items[0].Err.Details))
		}
		j, err := c.StartCrawl(t.Context(), CrawlRequest{URL: "https://example.com", MaxPages: 3})
		if err != nil {
			t.Fatal(err)
		}
		if j, err = c.Job(t.Context(), j.Ref); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, fmt.Sprintf("%+v", *j))

		wrong, _ := NewAlterLab(APIConfig{BaseURL: "http://alterlab.test", APIKey: key + "-wrong", HTTPClient: s.Client(), Logger: log})
		if _, err := wrong.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"}); err != nil {
			seen = append(seen, err.Error())
		}

		if !strings.Contains(logs.String(), "retrying API call") {
			t.Error("the retry was not logged; the log check proves nothing")
		}
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "LEAKCANARY") {
				t.Errorf("log line carries the key: %s", line)
			}
		}
		for _, s := range seen {
			if strings.Contains(s, "LEAKCANARY") {
				t.Errorf("output carries the key: %s", s)
			}
		}
		if len(seen) < 20 {
			t.Errorf("only %d outputs checked", len(seen))
		}
	})
}
