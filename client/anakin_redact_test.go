package client

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/scrapemcp/scrapemcp/client/anakintest"
)

// TestAnakinKeyNeverLeaks runs failing and succeeding calls with a
// distinctive key, with an API that (badly) echoes it back, and looks for
// the key in every log line, error and result.
func TestAnakinKeyNeverLeaks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const key = "ak-LEAKCANARY-7f3c9e21d4"
		var logs bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		s := anakintest.New(anakintest.WithKey(key))
		c, err := NewAnakin(APIConfig{BaseURL: "http://anakin.test", APIKey: key, HTTPClient: s.Client(), Logger: log, SubmitsPerMinute: -1})
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
		var seen []string
		for range 6 {
			p, err := c.Scrape(t.Context(), ScrapeRequest{URL: "https://example.com"})
			if err == nil {
				seen = append(seen, fmt.Sprintf("%+v", *p))
				continue
			}
			seen = append(seen, err.Error())
			if e := AsError(Anakin, err); e != nil {
				seen = append(seen, e.Message, e.Field, e.Code, e.RequestID, fmt.Sprintf("%v", e.Details))
			}
		}
		j, err := c.StartCrawl(t.Context(), CrawlRequest{URL: "https://example.com", MaxPages: 3})
		if err != nil {
			t.Fatal(err)
		}
		j, err = c.Job(t.Context(), j.Ref)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, fmt.Sprintf("%+v", *j))

		wrong, _ := NewAnakin(APIConfig{BaseURL: "http://anakin.test", APIKey: key + "-wrong", HTTPClient: s.Client(), Logger: log})
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
	})
}
