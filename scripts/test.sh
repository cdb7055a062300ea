#!/usr/bin/env bash
# The full test suite: formatting, vet, Go tests with the race detector
# (unit, fake-API, and end-to-end tests that drive the built binary with the
# official go-sdk client), then the Node-based interop tests (TypeScript SDK,
# MCP Inspector CLI, conformance suite), which install their own pinned npm
# packages. Needs Go 1.26+ and Node 20+ with npm; no API keys, no network
# beyond the Go module proxy and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './test/node/node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "go test -race"
go test -race -count=1 -timeout 15m ./...

if [ -x test/node/run.sh ]; then
  step "node interop tests"
  test/node/run.sh
fi
step "all tests passed"
