#!/usr/bin/env bash
# Instruction counts (callgrind) for five one-post rebuilds in `staffroom serve` on the
# 1,000-post site that bench/serve.sh makes. Counts repeat run to run whatever the
# machine is doing, so a change to the rebuild can be judged without timing noise.
#
#   bench/serve_profile.sh [OUT]     (default /tmp/serve.callgrind; needs valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/serve.callgrind}"
site=bench/work/site-1000
[ -d "$site" ] || { echo "run bench/serve.sh first (it makes $site)" >&2; exit 1; }
CARGO_PROFILE_RELEASE_DEBUG=line-tables-only CARGO_TARGET_DIR=target/profiling \
  cargo build --release --quiet --bin staffroom
post="$site/content/posts/$(ls "$site/content/posts" | sed -n 7p)"
cp "$post" "$post.bak"
log=$(mktemp)
trap 'mv "$post.bak" "$post"; rm -f "$log"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out" \
  target/profiling/release/staffroom --root "$site" serve --port 1790 >"$log" 2>&1 &
for _ in $(seq 1 120); do grep -q "Serving at" "$log" && break; sleep 1; done
sleep 2
callgrind_control -z >/dev/null
for i in 1 2 3 4 5; do echo "edit $i" >>"$post"; sleep 6; done
callgrind_control -d >/dev/null
sleep 1
pkill -INT -f "serve --port 1790"
wait || true
grep changed "$log"
callgrind_annotate "$out.1" | grep "PROGRAM TOTALS"
echo "details: callgrind_annotate --inclusive=yes $out.1 | less"
