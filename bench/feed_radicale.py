#!/usr/bin/python3
"""Talk to the Radicale peer of bench/feed.sh.

    feed_radicale.py upload URL ICS  -> MKCOL the parent of collection URL
                                        (ends in /), then PUT the whole
                                        VCALENDAR in ICS to URL (Radicale
                                        makes it a calendar, an item a UID)
    feed_radicale.py get URL         -> "STATUS BYTES EVENTS MEDIA_TYPE"
    feed_radicale.py revalidate URL  -> GET URL, then GET it again with
                                        If-None-Match: its ETag; prints the
                                        second status ("no-etag" if none)

EVENTS counts BEGIN:VEVENT lines, whatever the line ending. Python standard
library only; exits non-zero with the server's answer on a failed upload.
"""
import http.client
import posixpath
import sys
import urllib.parse


def request(method, url, body=None, headers=None):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, parts.path or "/", body=body, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, reply.getheaders(), reply.read()
    finally:
        conn.close()


def header(headers, name):
    for k, v in headers:
        if k.lower() == name.lower():
            return v
    return None


def upload(url, ics):
    if not url.endswith("/"):
        sys.exit("feed_radicale.py: the collection URL must end in /")
    parts = urllib.parse.urlsplit(url)
    parent = posixpath.dirname(parts.path.rstrip("/")) + "/"
    base = f"{parts.scheme}://{parts.netloc}"
    if parent != "/":
        status, _, body = request("MKCOL", base + parent)
        if status not in (201, 405):  # 405: it exists
            sys.exit(f"feed_radicale.py: MKCOL {parent}: {status} {body[:300]!r}")
    with open(ics, "rb") as f:
        data = f.read()
    status, _, body = request(
        "PUT", url, data, {"Content-Type": "text/calendar; charset=utf-8"})
    if status not in (200, 201, 204):
        sys.exit(f"feed_radicale.py: PUT {parts.path}: {status} {body[:300]!r}")
    return 0


def get(url):
    status, headers, body = request("GET", url)
    media = (header(headers, "Content-Type") or "-").split(";")[0].strip()
    events = sum(1 for line in body.splitlines() if line == b"BEGIN:VEVENT")
    print(status, len(body), events, media or "-")
    return 0


def revalidate(url):
    _, headers, _ = request("GET", url)
    etag = header(headers, "ETag")
    if not etag:
        print("no-etag")
        return 0
    status, _, _ = request("GET", url, headers={"If-None-Match": etag})
    print(status)
    return 0


def main(argv):
    if argv[:1] == ["upload"] and len(argv) == 3:
        return upload(argv[1], argv[2])
    if argv[:1] == ["get"] and len(argv) == 2:
        return get(argv[1])
    if argv[:1] == ["revalidate"] and len(argv) == 2:
        return revalidate(argv[1])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
