#!/usr/bin/env bash
# Peak memory of `build` on one huge post, per byte of the post.
#
#   bench/memory.sh [MB [SHAPE...]]  (default: 10)
#
# Shapes of an MB-megabyte post: one paragraph (prose with quotes, dashes and
# apostrophes, wrapped at 80 columns), many short paragraphs, one fenced code block
# (Python, so it is highlighted), and one line or paragraph of a repeated inline
# piece: `_a_ `, `*a* `, code spans, links, inline HTML, entities, hard breaks (both
# kinds), strikethrough, footnote references. `bench/memory.sh MB SHAPE...` measures
# only the shapes named. Past about 20 MB a post makes more than 32 MB of HTML, more
# than a page may hold: the build stops early (with exit 1, reported beside the figure). Prints the post's size, the build's peak
# resident set size (/usr/bin/time -v) and their ratio. The goal is at most about 10
# (DESIGN: a build's memory is a small multiple of its largest post). Set STAFFROOM
# to measure another binary (the default is a release build of this repository).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
mb="${1:-10}"
shift || true
shapes=("$@")
[[ ${#shapes[@]} -gt 0 ]] || shapes=(paragraph paragraphs code underscore star code_spans links
  span bold entities backslash_breaks space_breaks strike footnotes)
[[ -x /usr/bin/time ]] || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
if [[ -z "${STAFFROOM:-}" ]]; then
  cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
  STAFFROOM="$repo/target/release/staffroom"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

make_site() { # NAME SHAPE
  local site="$work/$1"
  mkdir -p "$site/content/posts"
  printf 'title = "Memory"\nbase_url = "https://teacher.example/"\n' >"$site/site.toml"
  python3 - "$site/content/posts/big.md" "$2" "$mb" <<'PY'
import sys
path, shape, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
size = mb * 1024 * 1024
unit = {
    "underscore": "_a_ ", "star": "*a* ", "code_spans": "`a` ", "links": "[a](b) ",
    "span": "<span>", "bold": "<b>", "entities": "&amp; ", "backslash_breaks": "a\\\n",
    "space_breaks": "a  \n", "strike": "~~a~~ ", "footnotes": "[^1] ",
}
words = ["the", "class", "read", "\"quoted\"", "it's", "--", "notes", "and", "...", "pupils"]
with open(path, "w") as f:
    f.write("---\ntitle: Big\ndate: 2024-01-01\n---\n")
    if shape in unit:
        u = unit[shape]
        f.write(u * (size // len(u)) + "\n")
        if shape == "footnotes":
            f.write("\n[^1]: The note.\n")
        sys.exit(0)
    if shape == "code":
        f.write("```python\n")
    n, line, i = 0, [], 0
    while n < size:
        if shape == "code":
            s = f"total_{i} = total_{i} + {i}  # add \"{i}\"\n"
        else:
            w = words[i % len(words)]
            line.append(w)
            if sum(len(x) + 1 for x in line) < 80:
                i += 1
                continue
            s = " ".join(line) + ("\n\n" if shape == "paragraphs" else "\n")
            line = []
        f.write(s)
        n += len(s)
        i += 1
    if shape == "code":
        f.write("```\n")
PY
}

printf '%-16s %10s %12s %8s\n' shape "post MB" "peak RSS MB" "ratio"
for shape in "${shapes[@]}"; do
  make_site "$shape" "$shape"
  post="$work/$shape/content/posts/big.md"
  bytes=$(stat -c %s "$post")
  note=""
  /usr/bin/time -f "%M" -o "$work/t" "$STAFFROOM" --root "$work/$shape" build --quiet 2>"$work/err" || note="  (build stopped: $(head -c 60 "$work/err"))"
  kb=$(tail -n 1 "$work/t") # a failed build adds a line before the figure
  awk -v s="$shape" -v b="$bytes" -v k="$kb" -v n="$note" \
    'BEGIN { printf "%-16s %10.1f %12.1f %8.1f%s\n", s, b / 1048576, k / 1024, k * 1024 / b, n }'
done
