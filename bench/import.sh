#!/usr/bin/env bash
# Import benchmark: a generated 200-post WordPress export (classic and block-editor
# posts, one image on the old site per post, 3 comments each), its images served from
# 127.0.0.1 with 50 ms added to every answer. Reports the wall time of the first
# `staffroom import` (target: under 30 s) and of the second, which must change nothing
# (target: under 2 s).
# Usage: bench/import.sh [posts]   (PROFILE=dev for an unoptimised binary)
set -euo pipefail
cd "$(dirname "$0")/.."
POSTS=${1:-200}
PROFILE=${PROFILE:-release}
dir=$([ "$PROFILE" = release ] && echo release || echo debug)
cargo build --quiet --profile "$PROFILE" --bin staffroom
bin="$PWD/target/$dir/staffroom"
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

python3 - "$work" "$POSTS" <<'PY'
import sys, struct, zlib
work, n = sys.argv[1], int(sys.argv[2])
def esc(s): return s.replace("]]>", "]]]]><![CDATA[>")
items = []
for i in range(1, n + 1):
    day = f"2019-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}"
    img = f"https://bench-teacher.wordpress.com/wp-content/uploads/2019/01/photo-{i}.jpg"
    if i % 2:
        body = (f"Paragraph one of post {i}, about fractions.\nA line break.\n\n"
                f"[caption id=\"attachment_{i}\" width=\"300\"]<img src=\"{img}\" alt=\"Photo {i}\" /> "
                f"Our class, week {i}[/caption]\n\nA second paragraph with <a href=\"https://example.org/\">a link</a>.")
    else:
        body = (f"<!-- wp:paragraph -->\n<p>Block post {i}: <strong>reading</strong> corner.</p>\n<!-- /wp:paragraph -->\n\n"
                f"<!-- wp:image -->\n<figure class=\"wp-block-image\"><img src=\"{img}\" alt=\"Photo {i}\"/>"
                f"<figcaption>Week {i}</figcaption></figure>\n<!-- /wp:image -->")
    comments = "".join(
        f"""<wp:comment><wp:comment_id>{i * 10 + c}</wp:comment_id><wp:comment_author><![CDATA[Parent {c}]]></wp:comment_author>
<wp:comment_author_url>https://parent{c}.example.net/</wp:comment_author_url><wp:comment_date>{day} 12:0{c}:00</wp:comment_date>
<wp:comment_date_gmt>{day} 11:0{c}:00</wp:comment_date_gmt><wp:comment_content><![CDATA[Comment {c} on post {i}.]]></wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type>
<wp:comment_parent>{i * 10 + c - 1 if c > 1 else 0}</wp:comment_parent></wp:comment>
""" for c in (1, 2, 3))
    items.append(f"""<item><title>Post number {i}</title>
<link>https://bench-teacher.wordpress.com/{day.replace('-', '/')}/post-number-{i}/</link>
<pubDate>Mon, 01 Jan 2019 10:00:00 +0000</pubDate><dc:creator>teacher</dc:creator>
<content:encoded><![CDATA[{esc(body)}]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>{1000 + i}</wp:post_id><wp:post_date>{day} 10:00:00</wp:post_date><wp:post_date_gmt>{day} 09:00:00</wp:post_date_gmt>
<wp:post_name>post-number-{i}</wp:post_name><wp:status>publish</wp:status><wp:post_parent>0</wp:post_parent>
<wp:menu_order>0</wp:menu_order><wp:post_type>post</wp:post_type><wp:post_password></wp:post_password>
<category domain="category" nicename="maths"><![CDATA[Maths]]></category>
<category domain="post_tag" nicename="week-{i % 10}"><![CDATA[week {i % 10}]]></category>
{comments}</item>""")
with open(f"{work}/bench.wordpress.xml", "w") as f:
    f.write(f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench class blog</title><link>https://bench-teacher.wordpress.com</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://bench-teacher.wordpress.com</wp:base_blog_url>
{chr(10).join(items)}
</channel></rss>
""")
PY

# A real JPEG-sized answer (about 60 KB) for every image, 50 ms late.
python3 - "$work/port" <<'PY' &
import http.server, socketserver, sys, time, os
body = b"\xff\xd8\xff\xe0" + os.urandom(60 * 1024) + b"\xff\xd9"
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        time.sleep(0.05)
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
server=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

"$bin" init "$work/site" >/dev/null
# Wall time is what the target is about; user and system time show how much of it was
# this process's own work on a shared machine.
TIMEFORMAT='%R s wall (%U s user, %S s system)'
run() {
  echo "$1 run:"
  time "$bin" --root "$work/site" import "$work/bench.wordpress.xml" \
    --download-from "http://127.0.0.1:$port/" > "$work/report-$1.txt"
  sed -n '1,5p' "$work/report-$1.txt" | sed 's/^/    /'
}
run first
run second
