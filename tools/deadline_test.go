package tools

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/client/anakintest"
	"github.com/scrapemcp/scrapemcp/errmap"
)

const apiKey = "test-key-0123456789"

// apiProviders builds each API provider over its fake, in memory (for
// synctest: loopback sockets would stop the fake clock).
func apiProviders(t *testing.T) map[string]func(t *testing.T) (client.Provider, func() [][]byte) {
	return map[string]func(t *testing.T) (client.Provider, func() [][]byte){
		client.Anakin: func(t *testing.T) (client.Provider, func() [][]byte) {
			fake := anakintest.New(anakintest.WithKey(apiKey))
			p, err := client.NewAnakin(client.APIConfig{BaseURL: "http://anakin.test", APIKey: apiKey, HTTPClient: fake.Client()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(fake.Close)
			return p, func() [][]byte { return fake.Bodies(anakintest.RouteScrape) }
		},
		client.AlterLab: func(t *testing.T) (client.Provider, func() [][]byte) {
			fake := alterlabtest.New(alterlabtest.WithKey(apiKey))
			p, err := client.NewAlterLab(client.APIConfig{BaseURL: "http://alterlab.test", APIKey: apiKey, HTTPClient: fake.Client()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(fake.Close)
			return p, func() [][]byte { return fake.Bodies(alterlabtest.RouteScrape) }
		},
	}
}

// A call's timeout bounds it on every API provider: against a job that
// never finishes, scrape returns at its deadline (fake time), never later,
// with the job's id and guidance to collect it with job_status.
func TestTimeoutBoundsTheCallOnEveryAPIProvider(t *testing.T) {
	for name, build := range apiProviders(t) {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, bodies := build(t)
				h := newHarnessDeps(t, nil, &Deps{Provider: p, Poll: client.DefaultPollSchedule})
				start := time.Now()
				res := h.call(context.Background(), "scrape", map[string]any{"url": "https://example.com/?fake=pending", "timeout": 10})
				// At the deadline the handler answers; flushing the progress
				// notifications queued before the answer may add up to flushLimit.
				if took := time.Since(start); took > 10*time.Second+flushLimit {
					t.Errorf("the call took %v, past its 10 s timeout", took)
				}
				rep := reportOf(t, res)
				id, _ := rep.Error.Details["job_id"].(string)
				if rep.Error.Code != client.CodeJobTimeout || !strings.HasPrefix(id, name+":scrape:") {
					t.Fatalf("got %s %v, want job_timeout naming the job", rep.Error.Code, rep.Error.Details)
				}
				if g := rep.Guidance; g.Action != errmap.WaitPrerequisite || g.Retryable || !strings.Contains(g.Hint, "job_status with details.job_id="+id) {
					t.Errorf("guidance %+v", g)
				}
				if name == client.AlterLab && !strings.Contains(string(bodies()[0]), `"timeout":9`) {
					t.Errorf("AlterLab was not asked to give up first: %s", bodies()[0])
				}
			})
		})
	}
}

// The codes the client retries (429 and 5xx) reach the agent too, once the
// retries are spent, with their code, status and a wait; in a synctest
// bubble, since the retries honour Retry-After. (The end-to-end table in
// e2e covers every other code of both references.)
func TestRetriedSeedCodesReachTheAgentAfterTheRetries(t *testing.T) {
	type seed struct {
		provider, code string
		status         int
	}
	var seeds []seed
	for _, c := range anakintest.Catalog {
		seeds = append(seeds, seed{client.Anakin, c.Code, c.Status})
	}
	for _, c := range alterlabtest.Catalog {
		seeds = append(seeds, seed{client.AlterLab, c.Code, c.Status})
	}
	builds := apiProviders(t)
	for _, s := range seeds {
		if s.status != 429 && s.status < 500 || s.status == 504 {
			continue
		}
		t.Run(s.provider+"/"+s.code, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, bodies := builds[s.provider](t)
				h := newHarnessDeps(t, nil, &Deps{Provider: p})
				res := h.call(context.Background(), "scrape", map[string]any{"url": "https://example.com/?fake=code:" + s.code + "@" + strconv.Itoa(s.status)})
				rep := reportOf(t, res)
				if rep.Error.Code != s.code || rep.Error.HTTPStatus != s.status {
					t.Errorf("error %d %s, want %d %s", rep.Error.HTTPStatus, rep.Error.Code, s.status, s.code)
				}
				if g := rep.Guidance; g.Retryable && g.RetryAfterS <= 0 {
					t.Errorf("retryable guidance without a wait: %+v", g)
				}
				if n := len(bodies()); s.code != "SESSION_LIMIT_REACHED" && n < 2 {
					t.Errorf("the client sent the submit %d times; it retries these", n)
				}
			})
		})
	}
}
