package client

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scrapemcp/scrapemcp/client/anakintest"
)

// TestAnakinBurstOf100Scrapes: 100 concurrent scrapes against an API that
// allows 60 submits a minute. The client's token bucket queues them, any
// 429 the window still produces is waited out, and no submit is ever
// duplicated: every accepted submit is exactly one job.
func TestAnakinBurstOf100Scrapes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := anakintest.New(anakintest.WithRateLimit(60))
		c, err := NewAnakin(APIConfig{BaseURL: "http://anakin.test", APIKey: anakintest.DefaultKey, HTTPClient: s.Client(), SubmitsPerMinute: 60})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
		defer cancel()

		const n = 100
		pages := make([]*Page, n)
		errs := make([]error, n)
		start := time.Now()
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				pages[i], errs[i] = c.Scrape(ctx, ScrapeRequest{URL: fmt.Sprintf("https://burst.example/p/%d", i)})
			})
		}
		wg.Wait()
		elapsed := time.Since(start)

		for i, err := range errs {
			if err != nil {
				t.Errorf("scrape %d failed: %v", i, err)
				continue
			}
			if u := fmt.Sprintf("https://burst.example/p/%d", i); pages[i].URL != u || !strings.Contains(pages[i].Markdown, u) {
				t.Errorf("scrape %d got the page of %s", i, pages[i].URL)
			}
		}
		answers := s.Statuses(anakintest.RouteScrape)
		submits := s.Count(anakintest.RouteScrape)
		if answers[202] != n || submits != answers[202]+answers[429] || len(answers) > 2 {
			t.Errorf("submits %d answered %v; want %d accepted plus only 429s", submits, answers, n)
		}
		if jobs := len(s.JobIDs()); jobs != n {
			t.Errorf("%d distinct jobs, want %d", jobs, n)
		}
		t.Logf("%d submits (%d answered 429) in %v of fake time", submits, answers[429], elapsed)
	})
}
