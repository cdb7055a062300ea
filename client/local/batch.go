package local

import (
	"context"
	"fmt"
	"sync"

	"github.com/scrapemcp/scrapemcp/client"
)

const maxBatchURLs = 10

// BatchScrape fetches 1–10 URLs, Concurrency at a time, and reports each
// URL's page or error in input order. Per-URL failures never fail the batch.
func (p *Provider) BatchScrape(ctx context.Context, req client.BatchRequest) (*client.BatchResult, error) {
	if n := len(req.URLs); n < 1 || n > maxBatchURLs {
		e := localErr(client.CodeInvalidArgument, fmt.Sprintf("a batch takes 1 to %d URLs, got %d", maxBatchURLs, n), nil)
		e.Field = "urls"
		return nil, e
	}
	if err := p.scrapeSupported(req.Options); err != nil {
		return nil, err
	}
	items := make([]client.BatchItem, len(req.URLs))
	sem := make(chan struct{}, p.opts.Concurrency)
	var wg sync.WaitGroup
	for i, raw := range req.URLs {
		items[i].URL = raw
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				items[i].Err = fetchError(ctx, raw, ctx.Err(), p.opts.MaxRedirects)
				return
			}
			opts := req.Options
			opts.URL = raw
			page, err := p.Scrape(ctx, opts)
			if err != nil {
				items[i].Err = client.AsError(client.Local, err)
				return
			}
			items[i].Page = page
		}()
	}
	wg.Wait()
	return &client.BatchResult{Items: items}, nil
}
