package main

import (
	"fmt"

	"github.com/scrapemcp/scrapemcp/client/alterlabtest"
	"github.com/scrapemcp/scrapemcp/client/anakintest"
)

// newFake builds the fake for provider, with the routes worth counting, a
// cancel counter and the base path a user would configure.
func newFake(provider, key string) (fake, []string, func() int, string, error) {
	switch provider {
	case "anakin":
		f := anakintest.New(anakintest.WithKey(key))
		routes := []string{anakintest.RouteScrape, anakintest.RouteBatch, anakintest.RouteScrapeJob, anakintest.RouteCrawl,
			anakintest.RouteCrawlJob, anakintest.RouteMap, anakintest.RouteMapJob, anakintest.RouteSearch}
		return f, routes, func() int { return len(f.Cancels()) }, "/v1", nil
	case "alterlab":
		f := alterlabtest.New(alterlabtest.WithKey(key))
		routes := []string{alterlabtest.RouteScrape, alterlabtest.RouteJob, alterlabtest.RouteBatch, alterlabtest.RouteBatchJob,
			alterlabtest.RouteCrawl, alterlabtest.RouteCrawlJob, alterlabtest.RouteCrawlCancel, alterlabtest.RouteMap,
			alterlabtest.RouteSearch, alterlabtest.RouteSearchJob}
		// AlterLab's clients configure the host; /api/v1 is added by them.
		return f, routes, func() int { return len(f.Cancels()) }, "", nil
	}
	return nil, nil, nil, "", fmt.Errorf("fakeapi: unknown provider %q (want anakin or alterlab)", provider)
}
