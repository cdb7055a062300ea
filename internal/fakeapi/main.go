// Command fakeapi serves a fake provider API on loopback, for tests that
// drive the real scrapemcp binary from another language (test/node) and for
// trying scrapemcp's guidance without an API key. It prints the base URL to
// set as ANAKIN_API_URL or ALTERLAB_API_URL on its first stdout line and,
// with --url-file, writes it to that file once it is listening (the file
// appears whole, by rename, so a script can wait for it without racing the
// build). Request counters are at /_fake/stats.
//
// Faults are chosen per call with magic target URLs
// (https://example.com/?fake=insufficient_credits). The names are listed in
// the package docs of the fakes: go doc ./client/anakintest and go doc
// ./client/alterlabtest (section "Magic URLs").
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
	"path/filepath"
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
	urlFile := flag.String("url-file", "", "also write the base URL to this file, once listening")
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
	url := fmt.Sprintf("http://%s%s", ln.Addr(), base)
	if *urlFile != "" {
		if err := writeAtomically(*urlFile, url+"\n"); err != nil {
			log.Fatalf("fakeapi: --url-file: %v", err)
		}
	}
	fmt.Println(url) // stdout-ok: the test reads the URL here
	go func() { log.Fatal(http.Serve(ln, mux)) }()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
}

// writeAtomically writes a temporary file beside path and renames it, so a
// reader never sees the file half written.
func writeAtomically(path, text string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fakeapi-url-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
