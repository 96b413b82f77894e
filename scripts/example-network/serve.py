#!/usr/bin/env python3
"""Serve the example site's fictional blogs as an HTTP proxy on 127.0.0.1.

`staffroom network fetch` reaches them through the standard http_proxy variable,
so the example cache is made by the real fetcher without touching the internet.
A request for http://HOST/PATH answers with feeds/HOST/PATH. Hosts listed in
the BROKEN environment variable (comma-separated) answer 503, to show how the
network page reports a blog that cannot be reached.
"""
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).parent / "feeds"
BROKEN = {h for h in os.environ.get("BROKEN", "").split(",") if h}
TYPES = {".xml": "application/rss+xml", ".json": "application/feed+json"}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlsplit(self.path)
        host = url.hostname or self.headers.get("Host", "")
        if host in BROKEN:
            self.send_response(503)
            self.end_headers()
            return
        path = (ROOT / host / url.path.lstrip("/")).resolve()
        if ROOT.resolve() not in path.parents or not path.is_file():
            self.send_response(404)
            self.end_headers()
            return
        body = path.read_bytes()
        etag = '"%x"' % (hash(body) & 0xFFFFFFFF)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", TYPES.get(path.suffix, "application/xml"))
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.serve_forever()
