#!/usr/bin/env bash
# Fetch benchmark: 200 feeds from a local server (examples/fetch_bench.rs) that adds
# 100 ms to every answer. Reports the wall time of `staffroom network fetch` (target:
# under 3 s) and of the second, conditional run (target: under 1 s).
# Usage: bench/fetch.sh [concurrency]   (PROFILE=release for an optimised binary)
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-dev}
dir=$([ "$PROFILE" = release ] && echo release || echo debug)
cargo build --quiet --profile "$PROFILE" --bin staffroom --example fetch_bench
"target/$dir/examples/fetch_bench" "target/$dir/staffroom" "$@"
