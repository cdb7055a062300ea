package bench

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/client/anakintest"
)

// PollRow is one polled crawl of known length, in fake time.
type PollRow struct {
	Provider string  `json:"provider"`
	Schedule string  `json:"schedule"` // "predictive" (scrapemcp now), "blind" (the same schedule without progress, as before), "fixed 2s" (firecrawl-mcp)
	JobS     float64 `json:"job_s"`
	Pages    int     `json:"pages"`
	Requests int     `json:"requests"` // submit + reads
	NoticedS float64 `json:"noticed_s"`
	LatePct  float64 `json:"late_pct"`
}

// pollCrawl submits a crawl lasting d of pages pages on a fake provider and
// polls it as the crawl tool does; blind hides the job's progress from the
// schedule. Run inside a synctest bubble.
func pollCrawl(t *testing.T, provider string, d time.Duration, pages int, s client.PollSchedule, blind bool) PollRow {
	var (
		p     client.Provider
		count func() int
		err   error
	)
	switch provider {
	case client.Anakin:
		f := anakintest.New()
		f.Script(anakintest.RouteCrawl, anakintest.Lasting(d))
		p, err = client.NewAnakin(client.APIConfig{BaseURL: "http://anakin.test", APIKey: anakintest.DefaultKey, HTTPClient: f.Client(), SubmitsPerMinute: -1})
		count = func() int { return f.Count(anakintest.RouteCrawl) + f.Count(anakintest.RouteCrawlJob) }
	default:
		f := alterlabtest.New()
		f.Script(alterlabtest.RouteCrawl, alterlabtest.Lasting(d))
		p, err = client.NewAlterLab(client.APIConfig{BaseURL: "http://alterlab.test", APIKey: alterlabtest.DefaultKey, HTTPClient: f.Client(), SubmitsPerMinute: -1})
		count = func() int { return f.Count(alterlabtest.RouteCrawl) + f.Count(alterlabtest.RouteCrawlJob) }
	}
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	job, err := p.StartCrawl(t.Context(), client.CrawlRequest{URL: "https://example.com/", MaxPages: pages, MaxDepth: 2})
	if err != nil {
		t.Fatal(err)
	}
	j, err := client.Poll(t.Context(), s, func(ctx context.Context) (*client.Job, error) {
		j, err := p.Job(ctx, job.Ref)
		if blind && j != nil {
			c := *j
			c.Total, c.Completed = 0, 0
			return &c, err
		}
		return j, err
	}, nil)
	if err != nil || j.State != client.JobCompleted {
		t.Fatalf("%+v %v", j, err)
	}
	el := time.Since(start)
	return PollRow{Provider: provider, JobS: d.Seconds(), Pages: pages, Requests: count(), NoticedS: el.Seconds(),
		LatePct: 100 * (el - d).Seconds() / d.Seconds()}
}

// fixedInterval is firecrawl-mcp's crawl loop (src/index.ts: a read right
// after the submit, then one every 2 s until a terminal state), computed.
func fixedInterval(d time.Duration) PollRow {
	reads := 1 + int((d+2*time.Second-1)/(2*time.Second))
	noticed := time.Duration(reads-1) * 2 * time.Second
	return PollRow{Provider: "firecrawl-mcp (computed)", Schedule: "fixed 2s", JobS: d.Seconds(), Requests: 1 + reads,
		NoticedS: noticed.Seconds(), LatePct: 100 * (noticed - d).Seconds() / d.Seconds()}
}

// TestPollingFigures measures how crawls of 10, 60 and 180 s are polled, in
// fake time, and writes the rows to $BENCH_POLL_OUT for bench/suite. It
// asserts nothing about time; client.TestPollPredictsTheEndOfAJobOfKnownLength
// holds the budgets.
func TestPollingFigures(t *testing.T) {
	var rows []PollRow
	blind := client.DefaultPollSchedule
	blind.First = 0 // as before: a read right after the submit
	for _, d := range []time.Duration{10 * time.Second, 60 * time.Second, 180 * time.Second} {
		for _, provider := range []string{client.Anakin, client.AlterLab} {
			synctest.Test(t, func(t *testing.T) {
				r := pollCrawl(t, provider, d, 10, client.DefaultPollSchedule, false)
				r.Schedule = "predictive"
				rows = append(rows, r)
			})
		}
		synctest.Test(t, func(t *testing.T) {
			r := pollCrawl(t, client.Anakin, d, 10, blind, true)
			r.Schedule = "blind (before)"
			rows = append(rows, r)
		})
		rows = append(rows, fixedInterval(d))
	}
	for _, r := range rows {
		t.Logf("%-26s %-15s %4.0fs: %2d requests, noticed at %6.1fs (%+.1f%%)", r.Provider, r.Schedule, r.JobS, r.Requests, r.NoticedS, r.LatePct)
	}
	if out := os.Getenv("BENCH_POLL_OUT"); out != "" {
		b, _ := json.MarshalIndent(rows, "", "  ")
		if err := os.WriteFile(out, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
