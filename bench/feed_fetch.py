#!/usr/bin/python3
"""Fetch a URL once for bench/feed.sh.

    feed_fetch.py URL [OUT]      -> "STATUS BYTES EVENTS"
    feed_fetch.py --port PORT    -> exits 0 once 127.0.0.1:PORT accepts
    feed_fetch.py --free-port    -> prints a free loopback TCP port
    feed_fetch.py --metric NAME URL -> the value of Prometheus sample NAME
                                       (with its labels, as written) at URL

The body is saved to OUT when given. EVENTS counts BEGIN:VEVENT lines.
Python standard library only.
"""
import socket
import sys
import time
import urllib.error
import urllib.request


def fetch(url, out):
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:
            status, body = reply.status, reply.read()
    except urllib.error.HTTPError as err:
        status, body = err.code, err.read()
    if out:
        with open(out, "wb") as f:
            f.write(body)
    print(status, len(body), body.count(b"\r\nBEGIN:VEVENT\r\n"))


def metric(name, url):
    with urllib.request.urlopen(url, timeout=30) as reply:
        for line in reply.read().decode().splitlines():
            if line.startswith(name + " "):
                print(line.split()[-1])
                return 0
    sys.exit(f"feed_fetch.py: no {name} at {url}")


def wait_port(port, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return 0
        except OSError:
            time.sleep(0.05)
    return 1


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def main(argv):
    if argv[:1] == ["--port"] and len(argv) == 2:
        return wait_port(int(argv[1]))
    if argv[:1] == ["--metric"] and len(argv) == 3:
        return metric(argv[1], argv[2])
    if argv == ["--free-port"]:
        free_port()
        return 0
    if len(argv) in (1, 2) and not argv[0].startswith("-"):
        fetch(argv[0], argv[1] if len(argv) == 2 else None)
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
