#!/usr/bin/env bash
# The benchmark suite: builds scrapemcp, installs the pinned peers
# (bench/peers/package.json, never test/node), runs the Go benchmarks and the
# polling figures, then bench/suite, which measures every server in one run
# and writes docs/benchmarks.md and docs/benchmarks.json. Loopback only; the
# npm registry is the only network it needs. About 5 minutes on 2 cores.
#
#   bash bench/run.sh                 # everything
#   SUITE_FLAGS='-runs 3 -calls 100' bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== build" >&2
go build -o "$work/scrapemcp" .

echo "== peers (pinned)" >&2
(cd bench/peers && npm install --no-audit --no-fund --ignore-scripts --loglevel=error >&2)

echo "== polling figures (fake time)" >&2
BENCH_POLL_OUT="$work/poll.json" go test -count=1 -run '^TestPollingFigures$' ./bench >&2

echo "== Go micro-benchmarks" >&2
go test -run '^$' -bench '^(BenchmarkExplain|BenchmarkScrapeResultBuilding|BenchmarkLocalScrape200KB|BenchmarkLocalFetch200KB)$' \
  -benchmem -benchtime 2s ./errmap ./tools ./bench | tee "$work/micro.txt" >&2

echo "== suite" >&2
# shellcheck disable=SC2086
go run ./bench/suite -bin "$work/scrapemcp" -poll "$work/poll.json" -micro "$work/micro.txt" \
  -cmdline "bash bench/run.sh${SUITE_FLAGS:+  # SUITE_FLAGS='$SUITE_FLAGS'}" ${SUITE_FLAGS:-}
