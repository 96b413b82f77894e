#!/usr/bin/env bash
# The CI-sized fuzz run: every target for SECONDS (default 10) from its seeds only,
# with a throwaway corpus, so nothing in fuzz/ grows. Exits 1 if any target finds a
# crash, a hang or a use of memory past the limit (the input lands in
# fuzz/artifacts/TARGET/ and its base64 in the log printed here).
#
# Built for a short run, not for speed (run.sh is the campaign): all targets in one
# `cargo fuzz build`, unoptimised and with no sanitizer (the code is Rust; ASan would
# not instrument the onig C library anyway), with debug assertions and overflow checks
# as in `cargo test`. From a clean state that build takes 3-5 minutes on 2 cores,
# against 11.5 optimised; FUZZ_SMOKE_OPT_LEVEL=1 runs 10-25 times more inputs in the
# same seconds for about twice the build.   Usage: fuzz/smoke.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-10}"; shift || true
targets=("${@:-post site_toml feed opml network_toml webmention}")
read -r -a targets <<<"${targets[*]}"
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP lets the stable toolchain give them.
export RUSTC_BOOTSTRAP=1
cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked
build=(--dev -s none -a)
export CARGO_PROFILE_DEV_OPT_LEVEL="${FUZZ_SMOKE_OPT_LEVEL:-0}"
export CARGO_PROFILE_DEV_DEBUG=line-tables-only
# The same seeds as run.sh.
seeds() {
  case "$1" in
    feed) echo ../tests/fixtures/feeds/rss ../tests/fixtures/feeds/atom ../tests/fixtures/feeds/json ../tests/fixtures/feeds/broken ../tests/fixtures/feeds/hostile ;;
    opml) echo ../tests/fixtures/opml ;;
    *) echo "seeds/$1" ;;
  esac
}

cargo fuzz build "${build[@]}"
corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
failed=()
for t in "${targets[@]}"; do
  mkdir "$corpus/$t"
  log="$corpus/$t.log"
  # shellcheck disable=SC2046
  if cargo fuzz run "${build[@]}" "$t" "$corpus/$t" $(seeds "$t") -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -max_len=262144 -timeout=10 >"$log" 2>&1; then
    echo "fuzz smoke: $t ok: $(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
  else
    failed+=("$t")
    echo "fuzz smoke: $t FAILED:" >&2
    grep -m 1 -A 2 "panicked at" "$log" >&2 || true
    echo "... the end of its log:" >&2
    tail -n 30 "$log" >&2
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz smoke: ${failed[*]} failed; run one input again with: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run ${build[*]} TARGET artifacts/TARGET/FILE" >&2
  exit 1
fi
