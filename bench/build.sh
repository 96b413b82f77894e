#!/usr/bin/env bash
# Build-time benchmark: staffroom against Hugo and Zola on the shared teacher-blog corpus.
#
#   bench/build.sh [POSTS...]        (default: 1000 10000)
#   ZOLA=/path/to/zola RUNS=3 bench/build.sh 1000
#   STAFFROOM=/tmp/staffroom-old bench/build.sh     (another staffroom binary)
#
# For each size: generates the corpus with ../shared/bench/gen_corpus.py (same posts
# for every tool), installs Hugo from Debian's packages when missing, then runs the
# builds in turn (staffroom, Hugo, Zola, staffroom, ...; RUNS times each, after one
# warm-up), output on tmpfs, and prints median wall time, CPU time and peak memory of
# each, and staffroom's ratio to each anchor. Zola runs when $ZOLA names its binary or
# `zola` is on PATH (ANCHORS.md in ../shared/bench says how it was built); without it
# the table has Hugo only. Ratios are what to quote: the machine is shared, so
# absolute figures drift, and turns taken in one run drift together.
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
zola="${ZOLA:-$(command -v zola || true)}"
if [[ -n "$zola" && ! -x "$zola" ]]; then
  echo "ZOLA=$zola is not an executable file" >&2
  exit 1
fi
[[ -n "$zola" ]] || echo "no zola (set ZOLA=/path/to/zola): comparing with Hugo only" >&2
# STAFFROOM=/path/to/binary measures another build of staffroom (an older one, say).
if [[ -z "${STAFFROOM:-}" ]]; then
  cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
fi
staffroom="${STAFFROOM:-$repo/target/release/staffroom}"

work="$repo/bench/work"
tmpfs="$(mktemp -d -p /dev/shm staffroom-bench.XXXX)"
trap 'rm -rf "$tmpfs"' EXIT

# run OUTDIR CMD...: one timed run into a fresh output folder; prints "wall user+sys peakKB".
run() {
  local out="$1"; shift
  rm -rf "$out"
  /usr/bin/time -f "%e %U %S %M" -o "$tmpfs/t" "$@" >/dev/null 2>"$tmpfs/err" || { cat "$tmpfs/err" >&2; exit 1; }
  awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$tmpfs/t"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# build TOOL N: one timed build of the N-post corpus by TOOL, into $tmpfs/TOOL.
build() {
  local dir="$work/c$2/$1" out="$tmpfs/out-$1"
  case "$1" in
    ours) run "$out" "$staffroom" build --root "$dir" --output "$out" --quiet ;;
    hugo) (cd "$dir" && run "$out" hugo --quiet -d "$out") ;;
    zola) (cd "$dir" && run "$out" "$zola" build -o "$out" --force) ;;
  esac
}

tools=(ours hugo)
[[ -n "$zola" ]] && tools+=(zola)
declare -A label=([ours]=staffroom [hugo]=Hugo [zola]=Zola)

head='| posts | tool | wall s (median) | CPU s | peak MiB | files | wall vs Hugo |'
rule='|---:|---|---:|---:|---:|---:|---:|'
[[ -n "$zola" ]] && head+=' wall vs Zola |' && rule+='---:|'
printf '\n%s\n%s\n' "$head" "$rule"
for n in "${sizes[@]}"; do
  for t in "${tools[@]}"; do
    dir="$work/c$n/$t"
    [[ -d "$dir" ]] || python3 "$shared/bench/gen_corpus.py" --posts "$n" --flavor "$t" "$dir" >/dev/null
    : >"$tmpfs/$t"
    build "$t" "$n" >/dev/null
  done
  for _ in $(seq "$runs"); do
    for t in "${tools[@]}"; do build "$t" "$n" >>"$tmpfs/$t"; done
  done
  declare -A wall=()
  for t in "${tools[@]}"; do wall[$t]=$(cut -d' ' -f1 "$tmpfs/$t" | median); done
  for t in hugo zola ours; do
    [[ -f "$tmpfs/$t" && -s "$tmpfs/$t" ]] || continue
    cpu=$(cut -d' ' -f2 "$tmpfs/$t" | median); peak=$(cut -d' ' -f3 "$tmpfs/$t" | median)
    files=$(find "$tmpfs/out-$t" -type f | wc -l)
    awk -v n="$n" -v tool="${label[$t]}" -v w="${wall[$t]}" -v c="$cpu" -v m="$peak" -v f="$files" \
      -v h="${wall[hugo]}" -v z="${wall[zola]:-}" 'BEGIN {
      printf "| %d | %s | %.2f | %.2f | %.0f | %d | %.2f |", n, tool, w, c, m / 1024, f, w / h
      if (z != "") printf " %.2f |", w / z
      printf "\n"
    }'
  done
done
