// Command hostile runs hostile-client probes against two scrapemcp
// binaries (an old commit and the current tree) and prints one Markdown
// table, | probe | old | new |. Every probe speaks the protocol raw
// (JSON-RPC lines on stdio, raw HTTP), uses only loopback, and is bounded
// in time: a probe that does not finish reports "no answer after Ns".
//
//	go run ./bench/hostile -old BIN_OLD -new BIN_NEW [-only 3,7]
//
// bench/hostile.sh builds both binaries and runs this.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

type probe struct {
	id    string
	name  string
	limit time.Duration
	// fn runs the probe against bin (isNew: the current tree, which has
	// flags the old one lacks) and returns the table cell.
	fn func(r *run, bin string, isNew bool) string
}

func main() {
	oldBin := flag.String("old", "", "scrapemcp binary built at the base revision")
	newBin := flag.String("new", "", "scrapemcp binary built from the current tree")
	only := flag.String("only", "", "comma list of probe numbers to run (default all)")
	flag.Parse()
	if *oldBin == "" || *newBin == "" {
		fmt.Fprintln(os.Stderr, "usage: hostile -old BIN_OLD -new BIN_NEW [-only 1,2]")
		os.Exit(2)
	}
	want := map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	start := time.Now()
	var rows [][3]string
	for _, p := range probes {
		if len(want) > 0 && !want[p.id] && !want[strings.TrimRight(p.id, "ab")] {
			continue
		}
		row := [3]string{p.id + ". " + p.name}
		for j, bin := range []string{*oldBin, *newBin} {
			label := [2]string{"old", "new"}[j]
			logf("probe %s (%s) on %s …", p.id, p.name, label)
			t0 := time.Now()
			row[j+1] = runProbe(p, bin, j == 1)
			logf("probe %s on %s: %s (%.1fs)", p.id, label, row[j+1], time.Since(t0).Seconds())
		}
		rows = append(rows, row)
	}
	logf("all probes done in %.0fs", time.Since(start).Seconds())
	fmt.Println("| probe | old | new |") // stdout-ok: the report is this command's output
	fmt.Println("|---|---|---|")         // stdout-ok: the report is this command's output
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s |\n", cell(r[0]), cell(r[1]), cell(r[2])) // stdout-ok: the report is this command's output
	}
}

func runProbe(p probe, bin string, isNew bool) string {
	r := &run{}
	defer r.close()
	out := make(chan string, 1)
	go func() {
		defer func() {
			if e := recover(); e != nil {
				out <- fmt.Sprintf("probe failed: %v", e)
			}
		}()
		out <- p.fn(r, bin, isNew)
	}()
	select {
	case s := <-out:
		return s
	case <-time.After(p.limit):
		return fmt.Sprintf("no answer after %.0fs", p.limit.Seconds())
	}
}

func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "hostile %s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}
