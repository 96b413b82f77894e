#!/usr/bin/env bash
# Benchmark: on a generated 1,000-post site, the time from saving one post to the
# live-reload event in `staffroom serve`, next to a full `staffroom build`.
#
#   bench/serve.sh [POSTS]     (default 1000; needs ../shared/bench/gen_corpus.py)
#
# Work files go to bench/work/ (git-ignored). Uses a release build.
set -euo pipefail
cd "$(dirname "$0")/.."

posts="${1:-1000}"
gen="${GEN_CORPUS:-../shared/bench/gen_corpus.py}"
[ -f "$gen" ] || gen=/work/shared/bench/gen_corpus.py
work=bench/work
site="$work/site-$posts"

cargo build --release --quiet
bin="$PWD/target/release/staffroom"

rm -rf "$site" "$work/out"
mkdir -p "$work"
python3 "$gen" --posts "$posts" --flavor ours "$site" >/dev/null
# Older site.toml readers take the author only as a table; this spelling suits all.
sed -i -E 's/^author = (".*")$/author = { name = \1 }/' "$site/site.toml"

echo "staffroom on $posts posts ($(nproc) cores)"
best=""
for i in 1 2 3; do
  start=$(date +%s%N)
  "$bin" build --quiet --root "$site" --output "$PWD/$work/out"
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "  full build (best of 3)             $best ms"
python3 bench/serve_latency.py "$bin" "$site" --runs 20
