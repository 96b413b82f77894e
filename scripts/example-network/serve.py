#!/usr/bin/env python3
"""Serve the example site's fictional blogs as an HTTP proxy on 127.0.0.1.

`staffroom network fetch` reaches them through the standard http_proxy variable,
so the example cache is made by the real fetcher without touching the internet.
A request for http://HOST/PATH (as a proxy request, or through a CONNECT tunnel)
answers with feeds/HOST/PATH. Hosts listed in
the BROKEN environment variable (comma-separated) answer 503, to show how the
network page reports a blog that cannot be reached.
"""
import hashlib
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).parent / "feeds"
BROKEN = {h for h in os.environ.get("BROKEN", "").split(",") if h}
TYPES = {".xml": "application/rss+xml", ".json": "application/feed+json"}


class Handler(BaseHTTPRequestHandler):
    # Keep the connection open after CONNECT: the request comes through the tunnel.
    protocol_version = "HTTP/1.1"

    def do_CONNECT(self):
        # ureq tunnels even plain-HTTP requests through CONNECT; the "tunnel" ends
        # here, and the request that follows on this connection is answered directly.
        self.send_response(200, "Connection established")
        self.end_headers()

    def reply(self, code):
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        url = urlsplit(self.path)
        host = url.hostname or self.headers.get("Host", "").split(":")[0]
        if host in BROKEN:
            self.reply(503)
            return
        path = (ROOT / host / url.path.lstrip("/")).resolve()
        if ROOT.resolve() not in path.parents or not path.is_file():
            self.reply(404)
            return
        body = path.read_bytes()
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        if self.headers.get("If-None-Match") == etag:
            self.reply(304)
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
