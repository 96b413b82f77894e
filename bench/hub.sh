#!/usr/bin/env bash
# District hub benchmark: 5,000 blogs of 50 entries each from a local server that adds
# a little latency, then `staffroom build` of the site that follows them all.
# Targets (issue 7): fetch under 60 s, the build (network page, blogroll) under 10 s,
# memory bounded. Peak memory comes from /usr/bin/time when it is installed.
#
#   bench/hub.sh [FEEDS] [ENTRIES]      (defaults 5000 50; a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --bin staffroom --example fetch_bench
BENCH_FEEDS="${1:-5000}" BENCH_ENTRIES="${2:-50}" BENCH_LATENCY_MS="${LATENCY_MS:-20}" \
  BENCH_BUILD=1 target/release/examples/fetch_bench target/release/staffroom
