package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// site is a small loopback website: /page/0 … /page/N-1, each linking to
// all the others, and a robots.txt that allows everything. A hanging site
// never answers its pages (until closed) and tells hit when one is asked.
type site struct {
	srv     *httptest.Server
	release chan struct{}
	hit     chan struct{}
	once    sync.Once
}

const sitePages = 20

func newSite(hang bool) *site {
	s := &site{release: make(chan struct{}), hit: make(chan struct{}, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "User-agent: *\nAllow: /\n")
	})
	mux.HandleFunc("/page/", func(w http.ResponseWriter, r *http.Request) {
		if hang {
			select {
			case s.hit <- struct{}{}:
			default:
			}
			select {
			case <-s.release:
			case <-r.Context().Done():
			}
			return
		}
		var b strings.Builder
		fmt.Fprintf(&b, "<!doctype html><html><head><title>Probe page %s</title></head><body><main><article><h1>Probe page %s</h1>", r.URL.Path, r.URL.Path)
		for i := 0; i < 4; i++ {
			fmt.Fprintf(&b, "<p>This is paragraph %d of a page the hostile probe serves on loopback so that the crawl has real text to turn into Markdown. It says nothing of interest, at some length.</p>", i)
		}
		b.WriteString("<ul>")
		for i := 0; i < sitePages; i++ {
			fmt.Fprintf(&b, `<li><a href="/page/%d">page %d</a></li>`, i, i)
		}
		b.WriteString("</ul></article></main></body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, b.String())
	})
	s.srv = httptest.NewServer(mux)
	return s
}

func (s *site) start() string { return s.srv.URL + "/page/0" }

func (s *site) close() {
	s.once.Do(func() { close(s.release) })
	s.srv.CloseClientConnections()
	s.srv.Close()
}
