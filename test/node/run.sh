#!/usr/bin/env bash
# Interop tests with independent MCP clients against the real binary:
# the TypeScript SDK (node:test), the MCP Inspector CLI (--strict schema
# checks, tool calls) and the MCP conformance suite. Installs its pinned npm
# packages itself (npm ci); loopback only.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
export PATH="$PWD/node_modules/.bin:$PATH" # node 22 for conformance, pinned in package.json
export MCP_CATALOG_PATH="$work/inspector-catalog"
export SCRAPEMCP_BIN="$work/scrapemcp" FAKEAPI_BIN="$work/fakeapi"
(cd "$root" && go build -o "$SCRAPEMCP_BIN" . && go build -o "$FAKEAPI_BIN" ./internal/fakeapi)
providers=anakin
[ -d "$root/client/alterlabtest" ] && providers=anakin,alterlab
export FAKE_PROVIDERS=$providers

failures=0
check() { # name, command...
  local name=$1; shift
  if "$@" >"$work/out" 2>&1; then echo "ok   $name"; else echo "FAIL $name"; tail -20 "$work/out"; failures=$((failures+1)); fi
}
expect_exit() { # code, command...
  local want=$1; shift
  set +e; "$@"; local got=$?; set -e
  [ "$got" -eq "$want" ] || { echo "exit $got, want $want"; return 1; }
}
start() { # transport: serve it in the background, logging to $work/<transport>.log
  "$SCRAPEMCP_BIN" "$1" --addr 127.0.0.1:0 </dev/null >/dev/null 2>"$work/$1.log" & pids+=($!)
}
url_of() { # transport → the URL it announced
  for _ in $(seq 100); do
    url=$(grep -o 'url=http://[^ ]*' "$work/$1.log" | head -1 | cut -d= -f2)
    [ -n "$url" ] && { echo "$url"; return; }
    sleep 0.1
  done
  echo "scrapemcp $1 did not start" >&2; return 1
}

echo "== TypeScript SDK ($(node --version), providers: $providers)"
check "node --test" node --test --test-concurrency=2 tests/*.test.mjs

echo "== MCP Inspector CLI 2.12.0"
start http; start sse
http_url=$(url_of http); sse_url=$(url_of sse)
check "stdio tools/list --strict" inspector --cli "$SCRAPEMCP_BIN" stdio --method tools/list --strict
check "http tools/list --strict" inspector --cli "$http_url" --method tools/list --strict
check "sse tools/list --strict" inspector --cli "$sse_url" --method tools/list --strict
# Protocol 2026-07-28 on SSE: mcp-go held these clients to streamable HTTP's
# Mcp-Method header rule and every call failed with -32020.
for era in modern auto; do
  check "sse --protocol-era $era tools/list --strict" inspector --cli "$sse_url" --protocol-era "$era" --method tools/list --strict
  check "sse --protocol-era $era tools/call scrape ftp:// → isError, exit 5" \
    expect_exit 5 inspector --cli "$sse_url" --protocol-era "$era" --method tools/call --tool-name scrape --tool-arg url=ftp://example.com/
done
check "http --protocol-era modern tools/list --strict" inspector --cli "$http_url" --protocol-era modern --method tools/list --strict
check "stdio tools/call (job_status of an unknown local job) → isError, exit 5" \
  expect_exit 5 inspector --cli "$SCRAPEMCP_BIN" stdio --method tools/call --tool-name job_status --tool-arg job_id=local:crawl:none
check "http tools/call scrape ftp:// → isError, exit 5" \
  expect_exit 5 inspector --cli "$http_url" --method tools/call --tool-name scrape --tool-arg url=ftp://example.com/
"$FAKEAPI_BIN" --provider anakin </dev/null >"$work/fake.url" 2>&1 & pids+=($!)
for _ in $(seq 100); do [ -s "$work/fake.url" ] && break; sleep 0.1; done
check "stdio tools/call scrape on the Anakin fake → exit 0" \
  inspector --cli -e "ANAKIN_API_URL=$(head -1 "$work/fake.url")" -e ANAKIN_API_KEY=test-key \
  "$SCRAPEMCP_BIN" stdio --method tools/call --tool-name scrape --tool-arg url=https://example.com/ok

echo "== Conformance 0.1.16 (node $(node --version)) against scrapemcp http"
for scenario in server-initialize ping tools-list logging-set-level dns-rebinding-protection; do
  check "conformance $scenario" conformance server --url "$http_url" --scenario "$scenario"
done

if [ "$failures" -gt 0 ]; then
  echo "node interop: $failures check(s) failed"; exit 1
fi
echo "node interop: all checks passed"
