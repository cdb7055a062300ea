package local

import (
	"context"

	"github.com/scrapemcp/scrapemcp/client"
)

// Crawl, map and jobs land in the next step; until then they answer with
// guidance instead of failing obscurely.

type jobStore struct{}

func newJobStore(int, any) *jobStore { return &jobStore{} }

func notYet(op string) *client.Error {
	return client.Unsupported(client.Local, op, "It is not implemented on the local fetcher yet: set ANAKIN_API_KEY or ALTERLAB_API_KEY.")
}

// StartCrawl is not available yet.
func (p *Provider) StartCrawl(context.Context, client.CrawlRequest) (*client.Job, error) {
	return nil, notYet("crawl")
}

// Map is not available yet.
func (p *Provider) Map(context.Context, client.MapRequest) (*client.MapResult, error) {
	return nil, notYet("map")
}

// Job finds no jobs yet.
func (p *Provider) Job(_ context.Context, ref client.JobRef) (*client.Job, error) {
	return nil, localErr(client.CodeNotFound, "no local job "+ref.String(), nil)
}

// CancelJob finds no jobs yet.
func (p *Provider) CancelJob(_ context.Context, ref client.JobRef) (*client.Job, error) {
	return nil, localErr(client.CodeNotFound, "no local job "+ref.String(), nil)
}
