#!/usr/bin/env bash
# Fetch benchmark: 200 feeds from a local server that adds 100 ms to every answer.
# Reports the wall time of `staffroom network fetch` (target: under 3 s) and of the
# second, conditional run that gets 304s (target: under 1 s).
# Usage: bench/fetch.sh [path/to/staffroom]   (CONCURRENCY=N to override [network] concurrency)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/debug/staffroom}
[ -x "$BIN" ] || cargo build --quiet
PORT=${PORT:-18790}
WORK=bench/work
rm -rf "$WORK" && mkdir -p "$WORK"
python3 bench/fetch_server.py "$PORT" & server=$!
trap 'kill $server 2>/dev/null || true' EXIT
{
  echo 'title = "Bench"'
  echo 'base_url = "https://bench.example.org/"'
  if [ -n "${CONCURRENCY:-}" ]; then echo "[network]"; echo "concurrency = $CONCURRENCY"; fi
} > "$WORK/site.toml"
for n in $(seq 1 200); do
  printf '[[blog]]\nname = "Blog %s"\nfeed = "http://127.0.0.1:%s/feed/%s.xml"\n\n' "$n" "$PORT" "$n"
done > "$WORK/network.toml"
sleep 0.5
run() {
  local start end
  start=$(date +%s.%N)
  "$BIN" --root "$WORK" --quiet network fetch
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
first=$(run)
second=$(run)
ok=$(ls "$WORK/data/network" | wc -l)
echo "feeds cached: $ok/200"
printf 'first fetch:        %.2f s (target < 3 s)\n' "$first"
printf 'conditional re-run: %.2f s (target < 1 s)\n' "$second"
