// Command fakeapi serves a fake provider API on loopback for tests that
// drive the real scrapemcp binary from another language (test/node). It
// prints the base URL to set as ANAKIN_API_URL or ALTERLAB_API_URL on its
// first stdout line, and serves request counters at /_fake/stats.
//
// Faults are chosen per call with magic target URLs (…?fake=insufficient_credits);
// see the anakintest and alterlabtest package docs.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

// fake is what both fake APIs offer this command.
type fake interface {
	http.Handler
	Count(route string) int
}

func main() {
	provider := flag.String("provider", "anakin", "anakin or alterlab")
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	key := flag.String("key", "test-key", "the API key the fake accepts")
	flag.Parse()

	f, routes, cancels, base, err := newFake(*provider, *key)
	if err != nil {
		log.Fatal(err)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("fakeapi: --addr %q must be a loopback address", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/_fake/stats", func(w http.ResponseWriter, _ *http.Request) {
		counts := map[string]int{}
		for _, r := range routes {
			counts[r] = f.Count(r)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"counts": counts, "cancels": cancels()})
	})
	mux.Handle("/", f)
	fmt.Printf("http://%s%s\n", ln.Addr(), base) // stdout-ok: the test reads the URL here
	go func() { log.Fatal(http.Serve(ln, mux)) }()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
}
