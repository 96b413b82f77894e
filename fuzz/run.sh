#!/usr/bin/env bash
# Run each fuzz target for SECONDS (default 300) with its seeds; crashers land in
# fuzz/artifacts/TARGET/. cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP lets the
# stable toolchain provide them.   Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-300}"; shift || true
targets=("${@:-post site_toml feed opml network_toml webmention}")
read -r -a targets <<<"${targets[*]}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
seeds() {
  case "$1" in
    feed) echo ../tests/fixtures/feeds/rss ../tests/fixtures/feeds/atom ../tests/fixtures/feeds/json ../tests/fixtures/feeds/broken ../tests/fixtures/feeds/hostile ;;
    opml) echo ../tests/fixtures/opml ;;
    *) echo "seeds/$1" ;;
  esac
}
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  # shellcheck disable=SC2046
  RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$t" "corpus/$t" $(seeds "$t") -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -max_len=262144 -timeout=10
done
