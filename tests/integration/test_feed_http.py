"""Feeds over HTTP: /feeds/<token>.ics served by the real daemon (SPEC
section 6), the URLs issued, rotated and revoked by `feed-url`.

Everything runs under libfaketime (see test_cli_schedule.py for why and how):
the staff are added on Mon 1 June 2026 and everything else happens on
Wed 15 July 2026 at 12:00 UTC (13:00 BST), hours from any London midnight.
Expected dates are worked out by hand from SPEC section 3, never copied from
output. The feed is read by hand (stdlib only): unfold, split at CRLF.

The organisation: gm (group manager) manages pm (practice manager, team
FS1), who manages the social workers sw, lv and lt (team FS1), none of them
newly qualified, so supervision is every 28 days.

sw was added on Mon 1 June with no session: s1 is due that day and is
overdue on 15 July, so it stays on 1 June and the projections restart from
today: s2 Wed 12 Aug (15 Jul + 28), s3 9 Sep, s4 7 Oct, s5 4 Nov, s6 2 Dec,
s7 Wed 30 Dec (all working days), each at 10:00 local."""

import calendar
import contextlib
import email.utils
import gzip
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

SETUP_AT = "2026-06-01 12:00:00"
TODAY_AT = "2026-07-15 12:00:00"
TOMORROW_AT = "2026-07-16 12:00:00"
TZ = ";TZID=Europe/London:"
# The test config's [server] base_url: feed-url prints it before the path.
BASE_URL = "http://127.0.0.1:8080"

STAFF_CSV = """id,name,email,role,team,manager,nqsw_start
gm,Gale Group,gm@example.org,group_manager,Managers,,
pm,Pat Manager,pm@example.org,practice_manager,FS1,gm,
sw,Sam Worker,sw@example.org,social_worker,FS1,pm,
lv,Lee Leaver,lv@example.org,social_worker,FS1,pm,
lt,Toni Today,lt@example.org,social_worker,FS1,pm,
"""

# How long the daemon may take to notice a commit of the CLI (it reads
# PRAGMA data_version once a second). A deadline, not a sleep.
NOTICE_SECONDS = 30


def unfold(body):
    """Logical lines of an iCalendar body (bytes): CRLF + one space or tab
    is a fold (RFC 5545 3.1)."""
    text = body.decode("utf-8")
    text = re.sub(r"\r\n[ \t]", "", text)
    assert text.endswith("\r\n"), "the body does not end with CRLF"
    return text[:-2].split("\r\n")


def events(body):
    """{uid: {property name: what follows the name ("...;PARAM=x:value" or
    ":value")}} for every VEVENT, its VALARMs left out (their count is kept
    as "VALARMS")."""
    found = {}
    current = None
    depth = 0
    for line in unfold(body):
        if line == "BEGIN:VEVENT":
            current = {"VALARMS": 0}
            depth = 0
        elif line == "END:VEVENT":
            found[current[":UID"]] = current
            current = None
        elif current is not None:
            if line == "BEGIN:VALARM":
                depth += 1
                current["VALARMS"] += 1
            elif line == "END:VALARM":
                depth -= 1
            elif depth == 0:
                m = re.match(r"([A-Z0-9-]+)([;:].*)$", line)
                assert m, f"not a content line: {line!r}"
                current.setdefault(m.group(1), m.group(2))
                if m.group(1) == "UID":
                    current[":UID"] = m.group(2)[1:]
    return found


def http_date(text):
    return email.utils.parsedate_to_datetime(text).timestamp()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # an http.client.HTTPMessage: any case
        self.body = body

    def __repr__(self):
        return f"<{self.status} {dict(self.headers)!r} {self.body[:80]!r}>"


class FeedHttpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not qa.FAKETIME_LIBS:
            raise AssertionError(
                "libfaketime.so.1 not found: install the Debian package "
                "`faketime` (scripts/install-deps.sh --test does)")

    def setUp(self):
        self.ws = qa.Workspace()
        self.addCleanup(self.ws.cleanup)
        self.daemons = []
        self.addCleanup(self.kill_daemons)
        csv = qa.write(os.path.join(self.ws.dir, "staff.csv"), STAFF_CSV)
        self.cli(SETUP_AT, "staff", "import", csv)
        self.urls = {}
        for who in ("sw", "lv", "lt", "pm"):
            self.urls[who] = self.issue("--staff", who)
        self.urls["FS1"] = self.issue("--team", "FS1")

    def kill_daemons(self):
        for d in self.daemons:
            if d.proc.poll() is None:
                d.proc.kill()
                d.proc.wait()

    # -- the binary --

    def cli(self, at, *args, code=0):
        r = self.ws.run(*args, env=qa.faketime_env(at))
        self.assertEqual(r.returncode, code, f"{args}: {r.stderr}")
        return r

    def issue(self, *args, at=TODAY_AT):
        """A feed URL from `feed-url`, as the path on our daemon."""
        r = self.cli(at, "feed-url", *args)
        url = r.stdout.strip()
        self.assertEqual(r.stdout.count("\n"), 1, r.stdout)
        self.assertTrue(url.startswith(BASE_URL + "/feeds/"), url)
        path = url[len(BASE_URL):]
        # 32 random bytes as unpadded base64url: 43 characters.
        self.assertRegex(path, r"^/feeds/[A-Za-z0-9_-]{43}\.ics$")
        return path

    def start(self, at=TODAY_AT):
        d = qa.Daemon(self.ws, env=qa.faketime_env(at))
        self.daemons.append(d)
        d.wait_listening()
        d.wait_for(r"schedule: regenerated \(start\)")
        return d

    def export(self, who):
        """`export --staff who`, the bytes as written."""
        r = subprocess.run([qa.BIN, "-c", self.ws.config, "export",
                            "--staff", who], capture_output=True,
                           env=qa.faketime_env(TODAY_AT), timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def query(self, sql, *params):
        with contextlib.closing(sqlite3.connect(
                f"file:{self.ws.db}?mode=ro", uri=True)) as db:
            return db.execute(sql, params).fetchall()

    def uid(self, activity, subject, key):
        rows = self.query("SELECT uid FROM occurrences WHERE activity = ?"
                          " AND subject = ? AND occ_key = ?",
                          activity, subject, key)
        self.assertEqual(len(rows), 1, (activity, subject, key))
        return rows[0][0]

    # -- HTTP --

    def request(self, d, path, method="GET", headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            return Response(resp.status, resp.headers, resp.read())
        finally:
            conn.close()

    def until(self, d, path, predicate, what):
        """GET path until predicate(response) holds; NOTICE_SECONDS at
        most."""
        deadline = time.monotonic() + NOTICE_SECONDS
        while True:
            r = self.request(d, path)
            if predicate(r):
                return r
            if time.monotonic() > deadline:
                self.fail(f"{what}: still {r!r} after {NOTICE_SECONDS} s")
            time.sleep(0.1)

    def assert_calendar(self, r):
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["Content-Type"],
                         "text/calendar; charset=utf-8")
        self.assertTrue(r.body.startswith(b"BEGIN:VCALENDAR\r\n"))
        self.assertTrue(r.body.endswith(b"END:VCALENDAR\r\n"))
        self.assertEqual(int(r.headers["Content-Length"]), len(r.body))

    def assert_not_found(self, r):
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.body, self.not_found_body)
        self.assertNotIn("ETag", r.headers)
        self.assertNotIn("text/calendar", r.headers.get("Content-Type", ""))

    def learn_not_found(self, d):
        """The body of a 404 anywhere: every 404 must look the same."""
        r = self.request(d, "/nowhere")
        self.assertEqual(r.status, 404)
        self.not_found_body = r.body
        return r

    # -- the tests --

    def test_get_head_etag_conditional_and_gzip(self):
        d = self.start()
        path = self.urls["sw"]
        first = self.request(d, path)
        self.assert_calendar(first)
        lines = unfold(first.body)
        self.assertIn("X-WR-CALNAME:QA schedule: Sam Worker", lines)
        self.assertIn("METHOD:PUBLISH", lines)
        # Byte for byte the same on the next request, and what `export`
        # writes for the same person.
        second = self.request(d, path)
        self.assertEqual(second.body, first.body)
        self.assertEqual(self.export("sw"), first.body)

        # A strong ETag (no W/), the same both times.
        etag = first.headers["ETag"]
        self.assertRegex(etag, r'^"[^"\s]+"$')
        self.assertEqual(second.headers["ETag"], etag)
        # Cache-Control is there and lets a client keep it for a while.
        cache = first.headers["Cache-Control"]
        self.assertRegex(cache, r"max-age=\d+")
        self.assertNotIn("no-store", cache)
        # Last-Modified: an IMF-fixdate no earlier than the newest
        # LAST-MODIFIED of the feed's events (the document changed when
        # they did) and no later than the response's Date (RFC 9110 8.8.2).
        modified = first.headers["Last-Modified"]
        self.assertRegex(modified, r"^\w{3}, \d\d \w{3} \d{4} "
                         r"\d\d:\d\d:\d\d GMT$")
        stamps = [e["LAST-MODIFIED"] for e in events(first.body).values()]
        self.assertTrue(stamps)
        newest = max(calendar.timegm(time.strptime(s, ":%Y%m%dT%H%M%SZ"))
                     for s in stamps)
        self.assertGreaterEqual(http_date(modified), newest)
        self.assertLessEqual(http_date(modified),
                             http_date(first.headers["Date"]))
        # One Date, the daemon's clock now (faked: today at 12:00 UTC).
        self.assertEqual(len(first.headers.get_all("Date")), 1)
        at = calendar.timegm(time.strptime(TODAY_AT, "%Y-%m-%d %H:%M:%S"))
        self.assertGreaterEqual(http_date(first.headers["Date"]), at)
        self.assertLess(http_date(first.headers["Date"]), at + 600)

        def status(**headers):
            return self.request(d, path, headers=headers).status

        # If-None-Match: 304 for our ETag, weak or strong, alone or in a
        # list, or *; 200 for any other.
        r = self.request(d, path, headers={"If-None-Match": etag})
        self.assertEqual((r.status, r.body), (304, b""))
        self.assertEqual(r.headers["ETag"], etag)
        self.assertEqual(status(**{"If-None-Match": "W/" + etag}), 304)
        self.assertEqual(status(**{"If-None-Match":
                                   f'"0123abcd", {etag}'}), 304)
        self.assertEqual(status(**{"If-None-Match": '"0123abcd"'}), 200)
        self.assertEqual(status(**{"If-None-Match": etag[:-2] + '"'}), 200)
        self.assertEqual(status(**{"If-None-Match": "*"}), 304)

        # If-Modified-Since: 304 when nothing changed since, 200 when
        # something did (a second before Last-Modified).
        earlier = email.utils.formatdate(http_date(modified) - 1,
                                         usegmt=True)
        self.assertEqual(status(**{"If-Modified-Since": modified}), 304)
        self.assertEqual(status(**{"If-Modified-Since": earlier}), 200)
        # If-None-Match decides when both are sent (RFC 9110 13.2.2).
        self.assertEqual(status(**{"If-None-Match": '"0123abcd"',
                                   "If-Modified-Since": modified}), 200)
        self.assertEqual(status(**{"If-None-Match": etag,
                                   "If-Modified-Since": earlier}), 304)

        # HEAD: the GET's status and headers, its Content-Length, no body.
        head = self.request(d, path, method="HEAD")
        self.assertEqual((head.status, head.body), (200, b""))
        for name in ("Content-Type", "ETag", "Last-Modified",
                     "Cache-Control", "Content-Length"):
            self.assertEqual(head.headers[name], first.headers[name], name)
        self.assertIsNone(head.headers["Content-Encoding"])

        # gzip only when asked for; what it unpacks to is the plain body.
        zipped = self.request(d, path, headers={"Accept-Encoding": "gzip"})
        self.assertEqual(zipped.status, 200)
        self.assertEqual(zipped.headers["Content-Encoding"], "gzip")
        self.assertEqual(int(zipped.headers["Content-Length"]),
                         len(zipped.body))
        self.assertEqual(gzip.decompress(zipped.body), first.body)
        self.assertIn("Accept-Encoding", zipped.headers["Vary"])
        self.assertEqual(zipped.headers["Content-Type"],
                         "text/calendar; charset=utf-8")
        for asked in ("gzip;q=0", "gzip; q=0", "identity", "br",
                      "deflate;q=1.0, gzip;q=0"):
            plain = self.request(d, path,
                                 headers={"Accept-Encoding": asked})
            self.assertEqual(plain.status, 200, asked)
            self.assertIsNone(plain.headers["Content-Encoding"], asked)
            self.assertEqual(plain.body, first.body, asked)
        for asked in ("deflate, gzip", "gzip;q=0.5, identity;q=0.1"):
            r = self.request(d, path, headers={"Accept-Encoding": asked})
            self.assertEqual(r.headers["Content-Encoding"], "gzip", asked)
            self.assertEqual(gzip.decompress(r.body), first.body, asked)
        head = self.request(d, path, method="HEAD",
                            headers={"Accept-Encoding": "gzip"})
        self.assertEqual((head.status, head.body), (200, b""))
        self.assertEqual(head.headers["Content-Encoding"], "gzip")
        self.assertEqual(head.headers["Content-Length"],
                         zipped.headers["Content-Length"])
        self.assertEqual(d.stop(), 0)

    def test_a_recorded_session_moves_the_feed(self):
        d = self.start()
        path = self.urls["sw"]
        before = self.request(d, path)
        self.assert_calendar(before)
        s1 = self.uid("supervision", "sw", "s1")
        s2 = self.uid("supervision", "sw", "s2")
        evs = events(before.body)
        # Overdue s1 stays on its due date; s2 is 28 days after today.
        self.assertEqual(evs[s1]["DTSTART"], TZ + "20260601T100000")
        self.assertEqual(evs[s1]["DTEND"], TZ + "20260601T113000")
        self.assertEqual(evs[s1]["STATUS"], ":TENTATIVE")
        self.assertEqual(evs[s2]["DTSTART"], TZ + "20260812T100000")
        self.assertEqual(evs[s2]["STATUS"], ":TENTATIVE")
        self.assertIn("Sam Worker", evs[s2]["SUMMARY"])
        self.assertIn("Pat Manager", evs[s2]["SUMMARY"])
        self.assertEqual(evs[s2]["VALARMS"], 1)  # 2 days before
        # s3-s7: 9 Sep, 7 Oct, 4 Nov, 2 Dec, 30 Dec; nothing after.
        starts = sorted(e["DTSTART"] for e in evs.values()
                        if e["SUMMARY"].startswith(":Supervision"))
        self.assertEqual(starts, [TZ + day + "T100000" for day in (
            "20260601", "20260812", "20260909", "20261007", "20261104",
            "20261202", "20261230")])
        etag = before.headers["ETag"]

        # Held yesterday, Tue 14 July: s1 is that session, confirmed; the
        # next is due 28 days later, Tue 11 August.
        self.cli(TODAY_AT, "record", "supervision", "--staff", "sw",
                 "--date", "2026-07-14")
        after = self.until(d, path, lambda r: r.status == 200 and
                           r.headers["ETag"] != etag,
                           "the ETag after `record`")
        self.assert_calendar(after)
        moved = events(after.body)
        self.assertEqual(moved[s1]["DTSTART"], TZ + "20260714T100000")
        self.assertEqual(moved[s1]["STATUS"], ":CONFIRMED")
        self.assertEqual(moved[s1]["VALARMS"], 0)  # nothing to remind of
        self.assertEqual(moved[s2]["DTSTART"], TZ + "20260811T100000")
        self.assertEqual(moved[s2]["STATUS"], ":TENTATIVE")
        self.assertEqual(int(moved[s1]["SEQUENCE"][1:]),
                         int(evs[s1]["SEQUENCE"][1:]) + 1)
        self.assertEqual(int(moved[s2]["SEQUENCE"][1:]),
                         int(evs[s2]["SEQUENCE"][1:]) + 1)
        self.assertGreaterEqual(http_date(after.headers["Last-Modified"]),
                                http_date(before.headers["Last-Modified"]))
        # The old ETag no longer matches; the new one does, and stays.
        r = self.request(d, path, headers={"If-None-Match": etag})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, after.body)
        r = self.request(d, path,
                         headers={"If-None-Match": after.headers["ETag"]})
        self.assertEqual(r.status, 304)
        # pm's feed shows the same session (they give it).
        mine = events(self.request(d, self.urls["pm"]).body)
        self.assertEqual(mine[s1]["DTSTART"], TZ + "20260714T100000")
        self.assertEqual(d.stop(), 0)

    def test_several_loops_under_load_and_change(self):
        """[server] threads = 4: four event loops, one feed cache. Clients
        on many connections at once while the CLI records sessions: every
        reply is whole and its ETag is the BLAKE2b-128 of its bytes (a reply
        never mixes two renders), /metrics counts each reply once over all
        the loops, and once the changes stop every loop serves the final
        bytes, the same as `export`."""
        self.ws.write_config(server="threads = 4\n")
        d = self.start()
        d.wait_for(r"listening on \S+ \(4 event loops\)")
        paths = [self.urls[w] for w in ("sw", "lt", "pm", "FS1")]
        replies = []  # (status, ok, why)
        lock = threading.Lock()

        def check(r, gzipped):
            body = gzip.decompress(r.body) if gzipped else r.body
            digest = hashlib.blake2b(body, digest_size=16).hexdigest()
            want = f'"{digest}-gzip"' if gzipped else f'"{digest}"'
            if r.headers["ETag"] != want:
                return f"ETag {r.headers['ETag']} for bytes hashing {want}"
            if not (body.startswith(b"BEGIN:VCALENDAR\r\n") and
                    body.endswith(b"END:VCALENDAR\r\n")):
                return "not a whole calendar"
            return None

        def client(n):
            conn = None
            for i in range(40):
                # Half on one kept-alive connection, half on new ones (the
                # kernel spreads new connections over the loops).
                if conn is None or i % 2:
                    if conn:
                        conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", d.port,
                                                      timeout=30)
                gzipped = (n + i) % 3 == 0
                headers = {"Accept-Encoding": "gzip"} if gzipped else {}
                conn.request("GET", paths[(n + i) % len(paths)],
                             headers=headers)
                resp = conn.getresponse()
                r = Response(resp.status, resp.headers, resp.read())
                why = check(r, gzipped) if r.status == 200 else "status"
                with lock:
                    replies.append((r.status, why))
            conn.close()

        workers = [threading.Thread(target=client, args=(n,))
                   for n in range(8)]
        for w in workers:
            w.start()
        # Meanwhile sessions are recorded (the daemon sees the commits and
        # drops its rendered feeds while the loops are serving them).
        for day in ("2026-07-13", "2026-07-14"):
            self.cli(TODAY_AT, "record", "supervision", "--staff", "lt",
                     "--date", day)
            time.sleep(0.3)
        for w in workers:
            w.join(timeout=120)
            self.assertFalse(w.is_alive())
        self.assertEqual(len(replies), 8 * 40)
        bad = [r for r in replies if r != (200, None)]
        self.assertEqual(bad, [])

        # Settled: every loop serves what `export` writes now.
        final = self.export("lt")
        deadline = time.monotonic() + NOTICE_SECONDS
        seen = 0
        while True:
            got = [self.request(d, self.urls["lt"]) for _ in range(16)]
            seen += len(got)
            if all(r.status == 200 and r.body == final for r in got):
                break
            if time.monotonic() > deadline:
                self.fail("the loops do not all serve the final feed")
            time.sleep(0.2)
        self.assertIn(b"20260714T100000", final)

        text = self.request(d, "/metrics").body.decode()
        m = re.search(r'^qa_http_requests_total\{route="/feeds",'
                      r'status="200"\} (\d+)$', text, re.M)
        self.assertIsNotNone(m, text)
        self.assertEqual(int(m.group(1)), len(replies) + seen)
        # Four feeds asked for, four in memory, their bytes counted.
        entries = re.search(r"^qa_feed_cache_entries (\d+)$", text, re.M)
        held = re.search(r"^qa_feed_cache_bytes (\d+)$", text, re.M)
        self.assertEqual(int(entries.group(1)), len(paths), text)
        self.assertGreaterEqual(int(held.group(1)), len(final))
        # People overdue by team and activity: what `due` lists, counted.
        overdue = {}
        for row in json.loads(self.cli(TODAY_AT, "due", "--format",
                                       "json").stdout):
            if row["status"] == "overdue":
                key = (row["team"], row["activity"])
                overdue[key] = overdue.get(key, 0) + 1
        self.assertTrue(overdue)
        gauges = {(m.group(1), m.group(2)): int(m.group(3)) for m in
                  re.finditer(r'^qa_overdue\{team="([^"]*)",'
                              r'activity="([^"]*)"\} (\d+)$', text, re.M)}
        self.assertEqual(gauges, overdue)
        self.assertEqual(d.stop(), 0)

    def test_metrics_supervision_in_date_last_month(self):
        """/metrics has `report supervision`'s percent_in_date for the last
        whole month by team, and follows a session back-filled by the CLI
        (the daemon works the figures out again when it sees the commit,
        not on each scrape)."""
        d = self.start()

        def gauges():
            text = self.request(d, "/metrics").body.decode()
            return {m.group(1): float(m.group(2)) for m in re.finditer(
                r'^qa_supervision_percent_in_date\{team="([^"]*)"\} '
                r'([0-9.]+)$', text, re.M)}

        def report():
            rows = json.loads(self.cli(
                TODAY_AT, "report", "supervision", "--from", "2026-06",
                "--to", "2026-06", "--format", "json").stdout)
            return {r["team"]: r["percent_in_date"] for r in rows
                    if r["percent_in_date"] is not None}

        # By hand: on 30 June (the last whole month's end on 15 July) pm,
        # sw, lv and lt of FS1, tracked from 1 June, have not been
        # supervised: all overdue since 1 June. gm has no manager.
        self.assertEqual(gauges(), {"FS1": 0.0})
        self.assertEqual(gauges(), report())
        # A session on 10 June puts sw in date until 8 July: 1 of 4.
        self.cli(TODAY_AT, "record", "supervision", "--staff", "sw",
                 "--date", "2026-06-10")
        deadline = time.monotonic() + NOTICE_SECONDS
        while gauges() != {"FS1": 25.0}:
            if time.monotonic() > deadline:
                self.fail(f"/metrics still says {gauges()}")
            time.sleep(0.2)
        self.assertEqual(gauges(), report())
        self.assertEqual(d.stop(), 0)

    def test_clients_that_reset_do_not_hold_up_a_stop(self):
        """Clients that send a request and reset the connection at once:
        evhttp frees such a connection without completing its request, and
        a stop used to wait out the drain for them ("still unanswered").
        Each request ends once, as a reply (200) or a client gone (499),
        and SIGTERM finds nothing in flight."""
        self.ws.write_config(server="threads = 2\n")
        d = self.start()
        path = self.urls["pm"]
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", d.port))
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
            s.close()  # RST
        # Each ended once: no more than were sent, and nothing in flight
        # once the daemon has read them all (its in-flight gauge, which
        # leaves out the /metrics request asking; on a loaded machine a
        # loop may take its time over the resets).
        deadline = time.monotonic() + NOTICE_SECONDS
        seen = -1
        while True:
            text = self.request(d, "/metrics").body.decode()
            ended = sum(int(n) for n in re.findall(
                r'^qa_http_requests_total\{route="/feeds",'
                r'status="(?:200|499)"\} (\d+)$', text, re.M))
            in_flight = int(re.search(r"^qa_http_requests_in_flight (-?\d+)$",
                                      text, re.M).group(1))
            if (ended >= 1 and ended == seen and in_flight == 0) or \
                    time.monotonic() > deadline:
                break
            seen = ended
            time.sleep(0.3)
        self.assertEqual(in_flight, 0, text)
        self.assertGreaterEqual(ended, 1, text)
        self.assertLessEqual(ended, 20, text)
        # The test's own last request must be over too: a client can read
        # a reply before the server has called it complete. With
        # Connection: close, evhttp ends the request before it closes the
        # connection (libevent 2.1's evhttp_send_done), so EOF here means
        # it is no longer in flight.
        s = socket.create_connection(("127.0.0.1", d.port), timeout=30)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\n\r\n")
        while s.recv(4096):
            pass
        s.close()
        self.assertEqual(d.stop(), 0)
        self.assertRegex(d.log(), r"finishing 0 request\(s\) in flight")
        self.assertNotIn("still unanswered", d.log())

    def test_reload_onto_another_database(self):
        """SIGHUP with a new [database] path: every loop reads the new
        database (each loop's connection is opened before the reload is
        accepted; a loop takes its own when it next wakes) and drops what it
        rendered from the old one."""
        self.ws.write_config(server="threads = 2\n")
        d = self.start()
        path = self.urls["lt"]
        old = self.request(d, path)
        self.assert_calendar(old)
        # B: a copy of the database in which lt has had a session.
        other = os.path.join(self.ws.dir, "other.db")
        with contextlib.closing(sqlite3.connect(self.ws.db)) as src, \
                contextlib.closing(sqlite3.connect(other)) as dst:
            src.backup(dst)
        text = open(self.ws.config).read()
        self.assertIn(f"path = {self.ws.db}\n", text)
        other_conf = os.path.join(self.ws.dir, "other.conf")
        qa.write(other_conf, text.replace(f"path = {self.ws.db}\n",
                                          f"path = {other}\n"))
        r = subprocess.run([qa.BIN, "-c", other_conf, "record", "supervision",
                            "--staff", "lt", "--date", "2026-07-14"],
                           capture_output=True, text=True, timeout=120,
                           env=qa.faketime_env(TODAY_AT))
        self.assertEqual(r.returncode, 0, r.stderr)
        r = subprocess.run([qa.BIN, "-c", other_conf, "export", "--staff",
                            "lt"], capture_output=True, timeout=120,
                           env=qa.faketime_env(TODAY_AT))
        self.assertEqual(r.returncode, 0, r.stderr)
        wanted = r.stdout
        self.assertNotEqual(wanted, old.body)

        qa.write(self.ws.config, open(other_conf).read())
        d.signal(signal.SIGHUP)
        d.wait_for(r"reload: done")
        # Every loop (fresh connections spread over both) serves B's feed.
        deadline = time.monotonic() + NOTICE_SECONDS
        while True:
            got = [self.request(d, path) for _ in range(16)]
            if all(r.status == 200 and r.body == wanted for r in got):
                break
            if time.monotonic() > deadline:
                self.fail("the loops do not all serve the new database")
            time.sleep(0.2)
        # And go on doing so: nothing from the old database comes back.
        got = [self.request(d, path) for _ in range(16)]
        self.assertTrue(all(r.body == wanted for r in got))
        self.assertEqual(d.stop(), 0)

    def test_a_change_no_event_shows_moves_last_modified(self):
        # Renaming sw's manager changes every supervision SUMMARY in sw's
        # feed, but no row's LAST-MODIFIED: the feed's Last-Modified must
        # still move, or a client asking If-Modified-Since keeps the old
        # calendar (304).
        d = self.start()
        path = self.urls["sw"]
        before = self.request(d, path)
        self.assert_calendar(before)
        self.assertIn(b"Pat Manager", before.body)
        modified = before.headers["Last-Modified"]
        self.assertEqual(self.request(
            d, path, headers={"If-Modified-Since": modified}).status, 304)
        self.cli(TODAY_AT, "staff", "add", "--id", "pm", "--name",
                 "Pat Renamed", "--email", "pm@example.org", "--role",
                 "practice_manager", "--team", "FS1", "--manager", "gm")
        after = self.until(d, path, lambda r: r.status == 200 and
                           r.headers["ETag"] != before.headers["ETag"],
                           "the ETag after renaming the manager")
        self.assertIn(b"Pat Renamed", after.body)
        self.assertGreater(http_date(after.headers["Last-Modified"]),
                           http_date(modified))
        r = self.request(d, path, headers={"If-Modified-Since": modified})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, after.body)
        self.assertEqual(d.stop(), 0)

    def test_rotate_revoke_and_team(self):
        d = self.start()
        self.learn_not_found(d)
        old = self.urls["sw"]
        body = self.request(d, old)
        self.assert_calendar(body)

        # A second URL without --rotate: refused, the token is shown once.
        r = self.cli(TODAY_AT, "feed-url", "--staff", "sw", code=1)
        self.assertEqual(r.stdout, "")
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn("--rotate", r.stderr)
        self.assertEqual(self.request(d, old).status, 200)

        new = self.issue("--staff", "sw", "--rotate")
        self.assertNotEqual(new, old)
        gone = self.until(d, old, lambda r: r.status != 200,
                          "the rotated-out URL")
        self.assert_not_found(gone)
        fresh = self.request(d, new)
        self.assert_calendar(fresh)
        self.assertEqual(fresh.body, body.body)  # the same feed

        r = self.cli(TODAY_AT, "feed-url", "--staff", "sw", "--revoke")
        self.assertEqual(r.stderr, "")
        gone = self.until(d, new, lambda r: r.status != 200,
                          "the revoked URL")
        self.assert_not_found(gone)
        self.assert_not_found(self.request(d, old))

        # The team's feed: its members' series, sw's among them.
        team = self.request(d, self.urls["FS1"])
        self.assert_calendar(team)
        self.assertIn("X-WR-CALNAME:QA schedule: team FS1",
                      unfold(team.body))
        evs = events(team.body)
        for who in ("sw", "lv", "lt"):
            self.assertIn(self.uid("supervision", who, "s1"), evs, who)
        # pm's own monthly audit: July's, due by Fri 31 July, all day.
        audit = self.query("SELECT uid FROM occurrences WHERE activity ="
                           " 'collaborative_audit' AND subject = 'pm' AND"
                           " start_date = '2026-07-31'")
        self.assertEqual(len(audit), 1)
        self.assertEqual(evs[audit[0][0]]["DTSTART"],
                         ";VALUE=DATE:20260731")
        self.assertEqual(evs[audit[0][0]]["DTEND"], ";VALUE=DATE:20260801")
        # gm is not in FS1: nothing of theirs (gm has no supervision: no
        # line manager; their dip samples are theirs alone).
        gm = {u for (u,) in self.query(
            "SELECT uid FROM occurrences WHERE subject = 'gm'")}
        self.assertTrue(gm)
        self.assertFalse(gm & set(evs))
        self.assertEqual(d.stop(), 0)

    def test_people_who_have_left(self):
        # lv left yesterday, Tue 14 July; lt leaves today. The leaving day
        # is the person's last in post (a completion dated that day is
        # still accepted, SPEC section 3), so lt's feed answers today and
        # is gone tomorrow; lv's is gone already.
        self.cli(TODAY_AT, "staff", "leave", "--id", "lv",
                 "--date", "2026-07-14")
        self.cli(TODAY_AT, "staff", "leave", "--id", "lt")
        d = self.start()
        self.learn_not_found(d)
        self.assert_not_found(self.request(d, self.urls["lv"]))
        head = self.request(d, self.urls["lv"], method="HEAD")
        self.assertEqual((head.status, head.body), (404, b""))
        self.assert_calendar(self.request(d, self.urls["lt"]))
        self.assert_calendar(self.request(d, self.urls["sw"]))
        # No new URL for someone who has left.
        r = self.cli(TODAY_AT, "feed-url", "--staff", "lv", "--rotate",
                     code=1)
        self.assertIn("left", r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(d.stop(), 0)

        d = self.start(at=TOMORROW_AT)
        self.learn_not_found(d)
        self.assert_not_found(self.request(d, self.urls["lt"]))
        self.assert_not_found(self.request(d, self.urls["lv"]))
        self.assert_calendar(self.request(d, self.urls["sw"]))
        self.assertEqual(d.stop(), 0)

    def test_unknown_tokens_hostile_paths_and_methods(self):
        d = self.start()
        self.learn_not_found(d)
        path = self.urls["sw"]
        token = path[len("/feeds/"):-len(".ics")]
        self.assert_calendar(self.request(d, path))

        # A token of the right shape that was never issued, and shapes
        # that are not tokens: all the same 404, no hint which is which.
        other = ("A" if token[0] != "A" else "B") + token[1:]
        for bad in ("/feeds/" + other + ".ics", "/feeds/" + "x" * 43 + ".ics",
                    "/feeds/short.ics", "/feeds/", "/feeds",
                    "/feeds/" + other, "/feeds/" + token + ".ical"):
            self.assert_not_found(self.request(d, bad))
        # Without .ics, a live token's URL is the subscribe page (SPEC
        # section 6; test_manager_page.py has the page itself).
        r = self.request(d, "/feeds/" + token)
        self.assertEqual((r.status, r.headers["Content-Type"]),
                         (200, "text/html; charset=utf-8"))

        # Hostile paths: refused (400) or not found (404), never served,
        # never an internal error. The workspace's own config is the file a
        # traversal would reach for.
        conf = os.path.relpath(self.ws.config, "/")
        traversal = "..%2f" * 12 + conf.replace("/", "%2f")
        hostile = ["/feeds/..%2f..%2fetc%2fpasswd",
                   "/feeds/%2e%2e/x.ics",
                   "/feeds/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                   "/feeds/" + traversal,
                   "/feeds/../../../../" + conf,
                   "/feeds/" + token + "%00.ics",
                   "/feeds/" + token + ".ics%00",
                   "/feeds/" + token + ".ics/..",
                   "/feeds/" + token + ".ics/",
                   "/feeds//" + token + ".ics",
                   "/feeds/./" + token + ".ics",
                   "/feeds/" + token + ".ICS",
                   "/feeds/" + token.lower() + ".ics",
                   "/feeds/%" + token[1:] + ".ics",
                   "/FEEDS/" + token + ".ics"]
        for bad in hostile:
            r = self.request(d, bad)
            self.assertIn(r.status, (400, 404), (bad, r))
            self.assertNotIn(b"BEGIN:VCALENDAR", r.body, bad)
            self.assertNotIn(b"[database]", r.body, bad)
        # A 10,000-character path.
        r = self.raw(d, b"GET /feeds/" + b"a" * 10000 + b".ics HTTP/1.1\r\n"
                     b"Host: x\r\n\r\n")
        self.assertIn(r, (None, 400, 404, 414), "10,000-character path")
        # Bytes http.client will not send: a NUL, a raw space and "..".
        for line in (b"GET /feeds/" + token.encode() + b"\x00.ics HTTP/1.1",
                     b"GET /feeds/../" + token.encode() + b".ics HTTP/1.1",
                     b"GET /feeds/" + token.encode() + b" .ics HTTP/1.1"):
            r = self.raw(d, line + b"\r\nHost: x\r\n\r\n")
            self.assertIn(r, (None, 400, 404), line)

        # Only GET and HEAD: 405 naming them, whether or not the token is
        # known, and the feed is unchanged after.
        for method in ("POST", "PUT", "DELETE"):
            for target in (path, "/feeds/" + other + ".ics"):
                r = self.request(d, target, method=method,
                                 headers={"Content-Length": "0"})
                self.assertEqual(r.status, 405, (method, target))
                self.assertEqual(r.headers["Allow"], "GET, HEAD")
        self.assert_calendar(self.request(d, path))

        # Still healthy, and a clean stop.
        r = self.request(d, "/healthz")
        self.assertEqual((r.status, r.body), (200, b"ok\n"))
        self.assertEqual(d.stop(), 0)

    def raw(self, d, request):
        """Send bytes as they are; the status code answered, or None when
        the server closed the connection without an answer."""
        with socket.create_connection(("127.0.0.1", d.port),
                                      timeout=30) as s:
            s.sendall(request)
            data = b""
            try:
                while b"\r\n" not in data:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except ConnectionResetError:
                return None
        if not data:
            return None
        m = re.match(rb"HTTP/1\.[01] (\d{3}) ", data)
        self.assertTrue(m, data[:100])
        return int(m.group(1))


if __name__ == "__main__":
    qa.main()
