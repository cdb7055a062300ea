package client

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/client/anakintest"
)

// burst runs n concurrent scrapes of distinct URLs and fails the test for
// any that fails or comes back with another URL's page. It returns how long
// they took (fake time inside a synctest bubble).
func burst(t *testing.T, p Provider, n int) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	pages := make([]*Page, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			pages[i], errs[i] = p.Scrape(ctx, ScrapeRequest{URL: fmt.Sprintf("https://burst.example/p/%d", i)})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("scrape %d failed: %v", i, err)
			continue
		}
		if u := fmt.Sprintf("https://burst.example/p/%d", i); pages[i].URL != u || !strings.Contains(pages[i].Markdown, u) {
			t.Errorf("scrape %d got the page of %s", i, pages[i].URL)
		}
	}
	return time.Since(start)
}

// onlyAcceptedOrRateLimited checks that each of the n scrapes was accepted
// exactly once (answered with status accepted) and that every other submit
// was a 429: nothing failed, nothing was sent twice once accepted.
func onlyAcceptedOrRateLimited(t *testing.T, answers map[int]int, accepted, submits, n int, took time.Duration) {
	t.Helper()
	if answers[accepted] != n || submits != answers[accepted]+answers[429] || len(answers) > 2 {
		t.Errorf("submits %d answered %v; want %d answered %d plus only 429s", submits, answers, n, accepted)
	}
	t.Logf("%d submits (%d answered 429) in %v of fake time", submits, answers[429], took)
}

// 100 concurrent scrapes against an API that allows 60 submits a minute:
// the client's token bucket queues them, any 429 the window still produces
// is waited out, and every accepted submit is exactly one job.
func TestAnakinBurstOf100Scrapes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := anakintest.New(anakintest.WithRateLimit(60))
		c, err := NewAnakin(APIConfig{BaseURL: "http://anakin.test", APIKey: anakintest.DefaultKey, HTTPClient: s.Client(), SubmitsPerMinute: 60})
		if err != nil {
			t.Fatal(err)
		}
		took := burst(t, c, 100)
		onlyAcceptedOrRateLimited(t, s.Statuses(anakintest.RouteScrape), 202, s.Count(anakintest.RouteScrape), 100, took)
		if jobs := len(s.JobIDs()); jobs != 100 {
			t.Errorf("%d distinct jobs, want 100", jobs)
		}
	})
}

// The same on AlterLab's lowest plan (30 submits a minute), with the
// client's default token bucket.
func TestAlterLabBurstOf100Scrapes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := alterlabtest.New(alterlabtest.WithRateLimit(30))
		c, err := NewAlterLab(APIConfig{BaseURL: "http://alterlab.test", APIKey: alterlabtest.DefaultKey, HTTPClient: s.Client()})
		if err != nil {
			t.Fatal(err)
		}
		took := burst(t, c, 100)
		onlyAcceptedOrRateLimited(t, s.Statuses(alterlabtest.RouteScrape), 200, s.Count(alterlabtest.RouteScrape), 100, took)
	})
}
