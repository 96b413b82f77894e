#!/usr/bin/env python3
"""Time `staffroom serve` from saving a file to the reload event, as a browser sees it.

Usage: serve_latency.py BINARY SITE_DIR [--runs N]

Starts BINARY serve on a free port for SITE_DIR, opens the live-reload event stream,
then for each run appends a sentence to a different post (or changes the stylesheet,
or a template) and measures the time until the matching event arrives. Prints one
line per kind: median, 90th percentile and worst, in milliseconds, and the CPU time
serve spent per post edit (which, unlike wall time, barely depends on machine load). Standard library
only; the server is stopped with Ctrl-C (SIGINT) at the end.
"""
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time


def open_events(url):
    m = re.match(r"http://([^/]+)(/.*)", url)
    host, path = m.group(1), m.group(2)
    h, p = host.rsplit(":", 1)
    s = socket.create_connection((h.strip("[]"), int(p)))
    s.sendall(f"GET {path}__staffroom/events HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    return s.makefile("rb")


def next_event(stream):
    name = None
    while True:
        line = stream.readline()
        if not line:
            raise SystemExit("the event stream closed")
        line = line.decode().rstrip("\r\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line == "" and name:
            return name


def measure(stream, change, want, runs):
    times = []
    for i in range(runs):
        time.sleep(0.15)  # let the previous rebuild settle, like a person between saves
        start = time.perf_counter()
        change(i)
        while next_event(stream) != want:
            pass
        times.append((time.perf_counter() - start) * 1000)
    return times


def cpu_ms(pid):
    """User + system CPU time of the process so far, in ms (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def report(label, times):
    times = sorted(times)
    p90 = times[int(len(times) * 0.9) - 1] if len(times) >= 10 else times[-1]
    print(f"  {label:<34} median {statistics.median(times):6.1f} ms   p90 {p90:6.1f} ms   worst {times[-1]:6.1f} ms   ({len(times)} runs)")


def main():
    binary, site = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 20
    proc = subprocess.Popen([binary, "serve", "--port", "0", "--root", site],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = None
    log = []
    for line in proc.stdout:
        log.append(line.rstrip())
        m = re.match(r"Serving at (\S+)", line)
        if m:
            url = m.group(1)
            break
    if not url:
        raise SystemExit("serve did not start:\n" + "\n".join(log))
    print("  " + log[0])
    stream = open_events(url)
    next_event(stream)  # hello

    posts_dir = os.path.join(site, "content", "posts")
    posts = sorted(f for f in os.listdir(posts_dir) if f.endswith(".md"))

    def edit_post(i):
        path = os.path.join(posts_dir, posts[(i * 37) % len(posts)])
        with open(path, "a") as f:
            f.write(f"\nOne more sentence, number {i}.\n")

    style = os.path.join(site, "static", "style.css")

    def edit_css(i):
        with open(style, "a") as f:
            f.write(f"\n.bench-{i} {{ color: red; }}\n")

    tpl_dir = os.path.join(site, "templates")
    os.makedirs(tpl_dir, exist_ok=True)
    tpl = os.path.join(tpl_dir, "404.html")

    def edit_template(i):
        with open(tpl, "w") as f:
            f.write("{% extends \"base.html\" %}{% block content %}<h1>Lost " + str(i) + "</h1>{% endblock %}")

    try:
        before = cpu_ms(proc.pid)
        report("save one post -> reload event", measure(stream, edit_post, "reload", runs))
        after = cpu_ms(proc.pid)
        if before is not None and after is not None:
            # Wall time depends on what else the machine runs; CPU time much less.
            print(f"  {'CPU time per post edit':<34} {(after - before) / runs:6.1f} ms (all threads)")
        report("save style.css -> css event", measure(stream, edit_css, "css", max(5, runs // 4)))
        report("save a template -> reload event", measure(stream, edit_template, "reload", max(3, runs // 5)))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        lines = [l for l in out.splitlines() if "pages rendered" in l]
        if lines:
            print("  serve's own account of the last post edit: " + next(
                (l for l in reversed(lines) if "content/posts" in l), lines[-1]))


if __name__ == "__main__":
    main()
