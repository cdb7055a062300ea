#!/usr/bin/env bash
# bench/hostile.sh [BASE_REV]: build scrapemcp at BASE_REV (default a8d1477,
# the commit before the "Safe to expose" hardening) and from the current
# tree, run every hostile-client probe of bench/hostile against both, and
# print one Markdown table (| probe | old | new |) on stdout. Progress goes
# to stderr. Loopback only; a few minutes on 2 cores.
set -euo pipefail

base=${1:-a8d1477}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hostile.XXXXXX")
cleanup() {
	git -C "$root" worktree remove --force "$tmp/old" >/dev/null 2>&1 || true
	rm -rf "$tmp"
	git -C "$root" worktree prune >/dev/null 2>&1 || true
}
trap cleanup EXIT

# Probe 3 holds 2,000 connections open; the old server keeps one fd each.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
unset $(env | grep -oE '^(ANAKIN|ALTERLAB|SCRAPEMCP)_[A-Z_]*' || true)

echo "hostile: building $base (old) …" >&2
git -C "$root" worktree add --quiet --detach "$tmp/old" "$base" >&2
(cd "$tmp/old" && go build -o "$tmp/scrapemcp-old" .)
echo "hostile: building the current tree (new) …" >&2
(cd "$root" && go build -o "$tmp/scrapemcp-new" .)

cd "$root"
go run ./bench/hostile -old "$tmp/scrapemcp-old" -new "$tmp/scrapemcp-new"
