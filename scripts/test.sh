#!/usr/bin/env bash
# The full test suite: formatting, vet, Go tests with the race detector
# (unit, fake-API, and end-to-end tests that drive the built binary with the
# official go-sdk client), then the Node-based interop tests (TypeScript SDK,
# MCP Inspector CLI, conformance suite), which install their own pinned npm
# packages. Needs Go 1.26+ and Node 20+ with npm; no API keys, no network
# beyond the Go module proxy, the npm registry and (for the headless-browser
# tests, when no Chromium or Chrome is installed) the system's packages.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# The headless-browser tests need Chromium. Install Debian/Ubuntu's package
# when none is found and this shell may (root, or sudo without a password);
# otherwise say the one command to run. Under CI=true the browser tests fail
# rather than skip when no browser can be found.
step "headless browser"
if command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null \
   || command -v google-chrome-stable >/dev/null || [ -n "${SCRAPEMCP_BROWSER:-}" ]; then
  echo "found: $(command -v chromium chromium-browser google-chrome google-chrome-stable 2>/dev/null | head -1)${SCRAPEMCP_BROWSER:+ (SCRAPEMCP_BROWSER=$SCRAPEMCP_BROWSER)}"
elif command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  echo "installing Debian's chromium package"
  export DEBIAN_FRONTEND=noninteractive
  if $SUDO apt-get install -y -qq chromium >/dev/null 2>&1 \
     || { $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y -qq chromium >/dev/null 2>&1; }; then
    echo "installed: $(command -v chromium || echo 'chromium (not on PATH; set SCRAPEMCP_BROWSER)')"
  else
    # Not fatal here: the browser tests then say what is missing (and fail under CI=true).
    echo "installing chromium failed; run 'sudo apt-get install -y chromium' by hand"
  fi
else
  echo "no Chromium found and no rights to install it: run 'sudo apt-get install -y chromium' (Debian, Ubuntu)"
  echo "or set SCRAPEMCP_BROWSER to a Chrome binary; the browser tests skip without one (they fail under CI=true)"
fi

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
