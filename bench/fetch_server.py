#!/usr/bin/env python3
"""200 small feeds on 127.0.0.1, each answer delayed by 100 ms like a distant server.

GET /feed/N.xml answers an RSS feed with an ETag; a request that sends that ETag back
in If-None-Match gets 304 Not Modified (after the same delay).
"""
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LATENCY = 0.1


def feed(n):
    items = "".join(
        f"<item><title>Post {i} of blog {n}</title>"
        f"<link>https://blog{n}.example.org/posts/{i}/</link>"
        f"<guid>https://blog{n}.example.org/posts/{i}/</guid>"
        f"<pubDate>Mon, {i + 1:02d} Jun 2026 08:00:00 +0000</pubDate>"
        f"<description>&lt;p&gt;Notes from class {i}, with a &lt;a href=\"/posts/{i}/more\"&gt;link&lt;/a&gt;.&lt;/p&gt;</description></item>"
        for i in range(10)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Blog {n}</title>'
        f"<link>https://blog{n}.example.org/</link>{items}</channel></rss>"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        time.sleep(LATENCY)
        n = self.path.rsplit("/", 1)[-1].split(".")[0]
        etag = f'"b{n}-1"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = feed(n)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 256
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
