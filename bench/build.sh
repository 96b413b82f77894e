#!/usr/bin/env bash
# Build-time benchmark: staffroom against Hugo on the shared teacher-blog corpus.
#
#   bench/build.sh [POSTS...]        (default: 1000 10000)
#
# For each size: generates the corpus with ../shared/bench/gen_corpus.py (same posts
# for both tools), installs Hugo from Debian's packages when missing, then runs the two
# builds alternately (RUNS times each, after one warm-up), output on tmpfs, and prints
# median wall time, CPU time and peak memory of each, and staffroom's ratio to Hugo.
# Ratios are what to quote: the machine is shared, so absolute figures drift.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
shared="${SHARED:-$repo/../shared}"
runs="${RUNS:-5}"
sizes=("${@:-1000 10000}")
read -r -a sizes <<<"${sizes[*]}"

if ! command -v hugo >/dev/null; then
  echo "installing hugo (Debian package)" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo >/dev/null
fi
[[ -x /usr/bin/time ]] || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
staffroom="$repo/target/release/staffroom"

work="$repo/bench/work"
tmpfs="$(mktemp -d -p /dev/shm staffroom-bench.XXXX)"
trap 'rm -rf "$tmpfs"' EXIT

# run NAME OUTDIR CMD...: one timed run into a fresh output folder; prints "wall user+sys peakKB".
run() {
  local out="$1"; shift
  rm -rf "$out"
  /usr/bin/time -f "%e %U %S %M" -o "$tmpfs/t" "$@" >/dev/null 2>"$tmpfs/err" || { cat "$tmpfs/err" >&2; exit 1; }
  awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$tmpfs/t"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

printf '\n| posts | tool | wall s (median) | CPU s | peak MiB | files | wall vs Hugo | peak vs Hugo |\n|---:|---|---:|---:|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
  for flavor in ours hugo; do
    dir="$work/c$n/$flavor"
    [[ -d "$dir" ]] || python3 "$shared/bench/gen_corpus.py" --posts "$n" --flavor "$flavor" "$dir" >/dev/null
  done
  : >"$tmpfs/ours" ; : >"$tmpfs/hugo"
  run "$tmpfs/o" "$staffroom" build --root "$work/c$n/ours" --output "$tmpfs/o" --quiet >/dev/null
  (cd "$work/c$n/hugo" && run "$tmpfs/h" hugo --quiet -d "$tmpfs/h") >/dev/null
  for _ in $(seq "$runs"); do
    run "$tmpfs/o" "$staffroom" build --root "$work/c$n/ours" --output "$tmpfs/o" --quiet >>"$tmpfs/ours"
    (cd "$work/c$n/hugo" && run "$tmpfs/h" hugo --quiet -d "$tmpfs/h") >>"$tmpfs/hugo"
  done
  ours_files=$(find "$tmpfs/o" -type f | wc -l); hugo_files=$(find "$tmpfs/h" -type f | wc -l)
  ow=$(cut -d' ' -f1 "$tmpfs/ours" | median); oc=$(cut -d' ' -f2 "$tmpfs/ours" | median); om=$(cut -d' ' -f3 "$tmpfs/ours" | median)
  hw=$(cut -d' ' -f1 "$tmpfs/hugo" | median); hc=$(cut -d' ' -f2 "$tmpfs/hugo" | median); hm=$(cut -d' ' -f3 "$tmpfs/hugo" | median)
  awk -v n="$n" -v ow="$ow" -v oc="$oc" -v om="$om" -v hw="$hw" -v hc="$hc" -v hm="$hm" -v of="$ours_files" -v hf="$hugo_files" 'BEGIN {
    printf "| %d | Hugo | %.2f | %.2f | %.0f | %d | 1.00 | 1.00 |\n", n, hw, hc, hm / 1024, hf
    printf "| %d | staffroom | %.2f | %.2f | %.0f | %d | %.2f | %.2f |\n", n, ow, oc, om / 1024, of, ow / hw, om / hm
  }'
done
