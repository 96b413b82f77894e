#!/usr/bin/env bash
# Regenerate example-site/data/network/ with the real `staffroom network fetch`,
# from the fictional feeds in scripts/example-network/feeds served on 127.0.0.1.
# The second fetch makes one blog fail, so the example shows an unreachable blog
# that kept its posts.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
PORT=${PORT:-18777}
python3 scripts/example-network/serve.py "$PORT" & first=$!
trap 'kill $first 2>/dev/null || true' EXIT
sleep 0.5
export http_proxy="http://127.0.0.1:$PORT" HTTP_PROXY="http://127.0.0.1:$PORT" NO_PROXY= no_proxy=
rm -rf example-site/data/network
target/debug/staffroom --root example-site network fetch
kill $first; wait $first 2>/dev/null || true
BROKEN=fieldtrips.example.com python3 scripts/example-network/serve.py "$PORT" & second=$!
trap 'kill $second 2>/dev/null || true' EXIT
sleep 0.5
target/debug/staffroom --root example-site network fetch
