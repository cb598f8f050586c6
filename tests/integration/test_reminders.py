"""Reminders and escalations (SPEC section 7) through the real daemon, against
a real SMTP server (Debian's python3-aiosmtpd writing a Maildir) and a small
webhook receiver, both on loopback ports of their own.

Every expected instant below is worked out by hand in the comments, never
copied from the program's output.

Time. The daemon and the CLI run under libfaketime (qa.faketime_env) from a
chosen UTC instant; the faked clock then runs at normal speed, and the
daemon's timers run on the (real) monotonic clock. So a daemon started a few
seconds before a reminder is due sleeps those few seconds and sends it; one
started after the instant finds it due at once (catch-up). Nothing here
depends on the machine's speed beyond generous deadlines (30-60 s): a check
that something did NOT happen waits a short settling time after the daemon is
ready, and where it matters the outbox's own record (due_at, sent_at, both in
the faked clock) proves the order of events.

The organisation's zone is Europe/London: BST (UTC+1) until Sun 25 Oct 2026
01:00 UTC, GMT (UTC+0) after it. So 10:00 local on 15 Oct 2026 is 09:00 UTC,
10:00 local on 26 Oct 2026 is 10:00 UTC.

Rules used (remind.h / SPEC 7): a reminder for a timed event goes out its lead
time before the start (supervision: 2d, at 10:00 by default); for a deadline
(kind 'due', e.g. a monthly audit, leads 7d and 1d) its lead time before
09:00 local on the due date (REMIND_DAY_MINUTE), i.e. at 09:00 local on due-7
and due-1; an escalation at 09:00 local on the day after the due date. A lead
of whole days is a calendar (nominal) duration, as a VALARM's TRIGGER:-P2D
is: 10:00 stays 10:00 local across a clock change.

Bank holidays used (calendars/england-and-wales-bank-holidays.ics): Mon 31 Aug
2026 (summer bank holiday)."""

import collections
import contextlib
import datetime
import email
import email.policy
import glob
import http.server
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

PYTHON = "/usr/bin/python3"  # Debian's, with aiosmtpd (SPEC section 12)

TWO_DAYS = "lead:172800"
SEVEN_DAYS = "lead:604800"
ONE_DAY = "lead:86400"

WEBHOOK_FIELDS = {"type", "idempotency_key", "uid", "activity", "summary",
                  "when", "date", "stage", "recipient", "subject", "text"}

# An SMTP handler that stores each message, then takes 0.2 s before it
# answers 250: a kill -9 in that time leaves a message delivered whose
# acceptance the daemon never saw, the case the idempotency key is for (and
# the kill lands while deliveries are in flight).
SLOW_MAILBOX_PY = '''\
import asyncio
from aiosmtpd.handlers import Mailbox


class SlowMailbox(Mailbox):
    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(0.2)
        return reply
'''


def utc(text):
    """'2026-10-13 09:00' (UTC) as seconds since the epoch."""
    fmt = "%Y-%m-%d %H:%M:%S" if text.count(":") == 2 else "%Y-%m-%d %H:%M"
    return int(datetime.datetime.strptime(text, fmt).replace(
        tzinfo=datetime.timezone.utc).timestamp())


def shifted(instant, seconds):
    """The UTC instant text `seconds` after `instant`."""
    t = datetime.datetime.strptime(instant, "%Y-%m-%d %H:%M:%S")
    return (t + datetime.timedelta(seconds=seconds)).strftime(
        "%Y-%m-%d %H:%M:%S")


def free_port():
    """A loopback port nothing listens on now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepting(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


class SmtpSink:
    """`python3 -m aiosmtpd` storing every message in DIR/Maildir."""

    def __init__(self, directory, port=None, slow=False):
        self.port = port or free_port()
        self.maildir = os.path.join(directory, "Maildir")
        env = dict(os.environ)
        handler = "aiosmtpd.handlers.Mailbox"
        if slow:
            qa.write(os.path.join(directory, "slow_mailbox.py"),
                     SLOW_MAILBOX_PY)
            env["PYTHONPATH"] = directory
            handler = "slow_mailbox.SlowMailbox"
        self._log = open(os.path.join(directory, f"smtp-{self.port}.log"),
                         "ab")
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
             "-c", handler, self.maildir],
            stdout=self._log, stderr=self._log, env=env)
        qa._live.append(self.proc)
        deadline = time.monotonic() + 30
        while not accepting(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(
                    f"aiosmtpd never listened on port {self.port} "
                    "(is python3-aiosmtpd installed?)")
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def messages(self):
        """Every stored message, parsed: a list of dicts."""
        out = []
        for sub in ("new", "cur"):
            for path in sorted(glob.glob(os.path.join(self.maildir, sub,
                                                      "*"))):
                with open(path, "rb") as f:
                    m = email.message_from_bytes(f.read(),
                                                 policy=email.policy.default)
                out.append({
                    "to": m["To"].addresses[0].addr_spec,
                    "to_name": m["To"].addresses[0].display_name,
                    "rcpt": str(m["X-RcptTo"]),
                    "from": str(m["From"]),
                    "subject": str(m["Subject"]),
                    "message_id": str(m["Message-ID"]),
                    "text": m.get_body(("plain",)).get_content(),
                    "ics": next((part.get_content() for part in
                                 m.iter_attachments()
                                 if part.get_filename() == "invite.ics"),
                                None),
                })
        return out


class WebhookSink:
    """An HTTP server in this process keeping every POST it answers 200."""

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(n)
                with sink.lock:
                    sink.requests.append({
                        "path": self.path,
                        "headers": {k.lower(): v
                                    for k, v in self.headers.items()},
                        "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def received(self):
        with self.lock:
            return list(self.requests)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class ReminderTest(unittest.TestCase):
    """One workspace per test; its daemons and sinks die with the test."""

    @classmethod
    def setUpClass(cls):
        if not qa.FAKETIME_LIBS:
            raise AssertionError(
                "libfaketime.so.1 not found: install the Debian package "
                "`faketime` (scripts/install-deps.sh --test does)")

    def setUp(self):
        self.ws = None
        self.smtp = None
        self.hook = None

    # -- set-up --

    def workspace(self, enable, smtp=True, smtp_port=None, webhook=False,
                  window=None, activity="", mode="each"):
        """A workspace running only the activities in `enable`, sending
        email to a fresh aiosmtpd (or to smtp_port, where nothing may
        listen yet) and, with webhook, to a WebhookSink. One message per
        item (mode = each) unless mode says otherwise: test_digests.py
        tests the digests."""
        self.ws = qa.Workspace()
        self.addCleanup(self.ws.cleanup)
        lines = ["[reminders]", f"mode = {mode}"]
        if smtp:
            if smtp_port is None:
                self.smtp = SmtpSink(self.ws.dir)
                self.addCleanup(self.smtp.stop)
                smtp_port = self.smtp.port
            lines += [f"smtp_url = smtp://127.0.0.1:{smtp_port}",
                      "from = qa@example.org"]
        if webhook:
            self.hook = WebhookSink()
            self.addCleanup(self.hook.stop)
            lines.append(f"webhook_url = {self.hook.url}")
        if window:
            lines.append(f"send_window = {window}")
        self.ws.write_config("\n".join(lines) + "\n" + activity)
        # [plugins] enable goes with the section Workspace writes.
        with open(self.ws.config, encoding="utf-8") as f:
            text = f.read()
        qa.write(self.ws.config, text.replace(
            "[plugins]\n", f"[plugins]\nenable = {enable}\n", 1))
        return self.ws

    def cli(self, instant, *args):
        r = self.ws.run(*args, env=qa.faketime_env(instant))
        self.assertEqual(r.returncode, 0, f"{args} at {instant}: {r.stderr}")
        return r

    def add(self, instant, sid, name, role, manager=None):
        argv = ["staff", "add", "--id", sid, "--name", name, "--email",
                f"{sid}@example.org", "--role", role, "--team", "FS1"]
        if manager:
            argv += ["--manager", manager]
        self.cli(instant, *argv)

    def start(self, instant):
        """The daemon from `instant` (UTC), listening."""
        d = qa.Daemon(self.ws, env=qa.faketime_env(instant))
        self.addCleanup(self._kill, d)
        d.started = time.monotonic()
        d.instant = utc(instant)
        d.wait_listening()
        d.wait_for(r"serve: ready")
        return d

    @staticmethod
    def _kill(d):
        if d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait()

    def stop(self, d):
        """A clean stop: exit 0 and no sanitizer report."""
        self.assertEqual(d.stop(), 0, d.log())
        self.assertNotRegex(d.log(), r"AddressSanitizer|LeakSanitizer|"
                            r"runtime error:")

    def faked_now(self, d):
        """The daemon's faked clock now (to within a second or so)."""
        return d.instant + (time.monotonic() - d.started)

    # -- reading the results --

    def query(self, sql, *params):
        with contextlib.closing(sqlite3.connect(self.ws.db,
                                                timeout=30)) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute(sql, params).fetchall()]

    def outbox(self, where="1", *params):
        """Outbox rows joined with their occurrence, oldest first."""
        return self.query(
            "SELECT r.*, o.activity, o.subject, o.start_date, o.kind"
            " FROM reminders_outbox r"
            " JOIN occurrences o ON o.uid = r.occurrence_uid"
            f" WHERE {where} ORDER BY r.id", *params)

    def occurrence(self, activity, subject, start_date):
        rows = self.query("SELECT * FROM occurrences WHERE activity = ?"
                          " AND subject = ? AND start_date = ?"
                          " AND status <> 'cancelled'",
                          activity, subject, start_date)
        self.assertEqual(len(rows), 1, (activity, subject, start_date))
        return rows[0]

    def wait_until(self, what, check, d=None, timeout=60):
        """Poll check() until it returns something true; return that."""
        deadline = time.monotonic() + timeout
        while True:
            got = check()
            if got:
                return got
            if time.monotonic() > deadline:
                self.fail(f"timed out waiting for {what}" +
                          (f"; daemon log:\n{d.log()}" if d else ""))
            time.sleep(0.1)

    def settle(self, seconds=3):
        """A short wait before checking that something did NOT happen (the
        daemon plans at once when it starts)."""
        time.sleep(seconds)

    def mail(self):
        return self.smtp.messages()

    def wait_mail(self, n, d):
        """Wait until the Maildir holds n messages; return them."""
        return self.wait_until(f"{n} message(s) in the Maildir",
                               lambda: (len(self.mail()) >= n and
                                        self.mail()), d)

    def metrics(self, d):
        status, _, body = d.get("/metrics")
        self.assertEqual(status, 200)
        return body.decode()

    def assert_one_event_of_feed(self, ics, sid, uid):
        """ics holds exactly the VEVENT uid of sid's feed, byte for byte,
        in a calendar python3-icalendar reads with METHOD:PUBLISH."""
        import icalendar
        cal = icalendar.Calendar.from_ical(ics)
        self.assertEqual(str(cal["METHOD"]), "PUBLISH")
        events = cal.walk("VEVENT")
        self.assertEqual([str(e["UID"]) for e in events], [uid])

        def vevent(text):
            text = text.replace("\r\n", "\n")
            for block in text.split("BEGIN:VEVENT\n")[1:]:
                body = block.split("END:VEVENT\n")[0]
                if f"UID:{uid}\n" in body:
                    return body
            return None
        feed = self.cli("2026-10-13 12:00:00", "export", "--staff", sid)
        self.assertIsNotNone(vevent(feed.stdout))
        self.assertEqual(vevent(ics), vevent(feed.stdout))

    # -- lead times, recipients and contents --

    def test_supervision_reminder_two_days_before_to_both_people(self):
        self.workspace("supervision", webhook=True)
        now = "2026-10-01 12:00:00"
        self.add(now, "gm1", "Gina Boss", "group_manager")
        self.add(now, "pm1", "Pat Manager", "practice_manager", "gm1")
        self.add(now, "sw1", "Sam Worker", "social_worker", "pm1")
        # sw1 is experienced (28 days): a session held Thu 17 Sep makes the
        # next due Thu 15 Oct, at 10:00 local (the plugin's default time),
        # which is 09:00 UTC (BST). The 2d reminder: Tue 13 Oct 10:00 BST =
        # 09:00 UTC, to sw1 AND to the manager pm1.
        self.cli(now, "record", "supervision", "--staff", "sw1", "--date",
                 "2026-09-17")
        # pm1's own next session: 24 Sep + 28 = Thu 22 Oct, its reminder on
        # 20 Oct: out of the way.
        self.cli(now, "record", "supervision", "--staff", "pm1", "--date",
                 "2026-09-24")
        occ = self.occurrence("supervision", "sw1", "2026-10-15")
        self.assertEqual(occ["dtstart_utc"], utc("2026-10-15 09:00"))
        due = utc("2026-10-13 09:00")

        # Start 6 s before the reminder is due: the daemon sleeps until it.
        d = self.start("2026-10-13 08:59:54")
        early = self.outbox("o.uid = ?", occ["uid"])
        if self.faked_now(d) < due - 1:
            self.assertEqual(early, [], "a row before its time")
            self.assertEqual(self.mail(), [], "mail before its time")
        mails = self.wait_mail(2, d)
        self.wait_until("two webhook posts",
                        lambda: len(self.hook.received()) >= 2, d)
        self.settle(1)
        mails = self.mail()
        posts = self.hook.received()
        rows = self.outbox()
        self.stop(d)

        # One row per channel (email, webhook, log) and recipient, all for
        # sw1's session, due 13 Oct 09:00 UTC, sent then and not before.
        self.assertEqual(
            sorted((r["channel"], r["recipient"]) for r in rows),
            [("email", "pm1"), ("email", "sw1"), ("log", "pm1"),
             ("log", "sw1"), ("webhook", "pm1"), ("webhook", "sw1")])
        for r in rows:
            self.assertEqual((r["occurrence_uid"], r["stage"], r["state"],
                              r["attempts"], r["due_at"]),
                             (occ["uid"], TWO_DAYS, "sent", 1, due), r)
            self.assertTrue(due <= r["sent_at"] <= due + 60, r)
        key = {(r["channel"], r["recipient"]): r["idempotency_key"]
               for r in rows}
        self.assertEqual(len(set(key.values())), 6, "keys must differ")

        # The emails: To, Subject, body with what and when in local time
        # (10:00, never the UTC 09:00), Message-ID from the outbox key.
        what = "Supervision: Sam Worker with Pat Manager"
        when = "Thursday 15 October 2026, 10:00"
        self.assertEqual(len(mails), 2, mails)
        by_to = {m["to"]: m for m in mails}
        self.assertEqual(set(by_to), {"sw1@example.org", "pm1@example.org"})
        for sid, name in (("sw1", "Sam Worker"), ("pm1", "Pat Manager")):
            m = by_to[f"{sid}@example.org"]
            self.assertEqual(m["rcpt"], f"{sid}@example.org")
            self.assertEqual(m["to_name"], name)
            self.assertEqual(m["from"], "qa@example.org")
            self.assertEqual(m["subject"], f"Reminder: {what}, {when}")
            self.assertEqual(m["message_id"],
                             f"<{key[('email', sid)]}@qa-scheduler>")
            self.assertIn(f"Dear {name},", m["text"])
            self.assertIn(what, m["text"])
            self.assertIn(f"When: {when}", m["text"])
            self.assertNotIn("09:00", m["text"])
            self.assertIn(f"qa-scheduler feed-url --staff {sid}", m["text"])
            # The session itself, attached (issue 10): one VEVENT, the
            # very one of the recipient's feed, METHOD:PUBLISH.
            self.assertIsNotNone(m["ics"], "no invite.ics attached")
            self.assert_one_event_of_feed(m["ics"], sid, occ["uid"])

        # The webhook: the documented fields, Idempotency-Key = the key.
        self.assertEqual(len(posts), 2, posts)
        names = {"sw1": "Sam Worker", "pm1": "Pat Manager"}
        seen = set()
        for p in posts:
            self.assertEqual(p["path"], "/hook")
            self.assertEqual(p["headers"]["content-type"], "application/json")
            body = json.loads(p["body"])
            self.assertEqual(set(body), WEBHOOK_FIELDS, body)
            rid = body["recipient"]["id"]
            seen.add(rid)
            self.assertEqual(body["recipient"], {
                "id": rid, "name": names[rid],
                "email": f"{rid}@example.org"})
            self.assertEqual(body["idempotency_key"], key[("webhook", rid)])
            self.assertEqual(p["headers"]["idempotency-key"],
                             body["idempotency_key"])
            self.assertEqual(
                {k: body[k] for k in ("type", "uid", "activity", "summary",
                                      "when", "date", "stage", "subject")},
                {"type": "reminder", "uid": occ["uid"],
                 "activity": "supervision", "summary": what, "when": when,
                 "date": "2026-10-15", "stage": TWO_DAYS,
                 "subject": {"id": "sw1", "name": "Sam Worker"}})
            self.assertIn(f"Dear {names[rid]},", body["text"])
            self.assertIn(f"When: {when}", body["text"])
        self.assertEqual(seen, {"sw1", "pm1"})
        # The log channel: one line per recipient.
        for sid, name in (("sw1", "Sam Worker"), ("pm1", "Pat Manager")):
            self.assertIn(f"reminder: to {name} <{sid}@example.org>: "
                          f"Reminder: {what}, {when}", d.log())

    def test_monthly_audit_reminders_at_nine_on_due_minus_7_and_1(self):
        self.workspace("collaborative_audit", webhook=True)
        now = "2026-11-02 12:00:00"
        self.add(now, "gm1", "Gina Boss", "group_manager")
        self.add(now, "pm1", "Pat Manager", "practice_manager", "gm1")
        # pm1's November audit is due by the last working day of November:
        # Mon 30 Nov 2026 (a working day). A deadline: kind 'due'. Its
        # reminders (leads 7d and 1d) go at 09:00 local (REMIND_DAY_MINUTE)
        # on Mon 23 Nov and Sun 29 Nov; GMT, so 09:00 UTC. To pm1 only: the
        # audit is theirs (gm1 is not part of it).
        occ = self.occurrence("collaborative_audit", "pm1", "2026-11-30")
        self.assertEqual(occ["kind"], "due")
        week_before, day_before = utc("2026-11-23 09:00"), utc(
            "2026-11-29 09:00")

        d = self.start("2026-11-23 08:59:55")
        if self.faked_now(d) < week_before - 1:
            self.assertEqual(self.mail(), [], "mail before its time")
        [m] = self.wait_mail(1, d)
        [p] = self.wait_until("a webhook post", self.hook.received, d)
        self.settle(1)
        self.stop(d)
        [row] = self.outbox("r.channel = 'email'")
        self.assertEqual((row["occurrence_uid"], row["stage"],
                          row["recipient"], row["due_at"], row["state"]),
                         (occ["uid"], SEVEN_DAYS, "pm1", week_before, "sent"))
        self.assertGreaterEqual(row["sent_at"], week_before)
        when = "Monday 30 November 2026"
        self.assertEqual(m["to"], "pm1@example.org")
        self.assertEqual(m["subject"],
                         f"Reminder: Collaborative case file audit, {when}")
        self.assertIn(f"Due by the end of {when}", m["text"])
        self.assertEqual(m["message_id"],
                         f"<{row['idempotency_key']}@qa-scheduler>")
        body = json.loads(p["body"])
        self.assertEqual(set(body), WEBHOOK_FIELDS)
        self.assertEqual(
            {k: body[k] for k in ("type", "activity", "when", "date",
                                  "stage", "subject", "recipient")},
            {"type": "reminder", "activity": "collaborative_audit",
             "when": when, "date": "2026-11-30", "stage": SEVEN_DAYS,
             "subject": {"id": "pm1", "name": "Pat Manager"},
             "recipient": {"id": "pm1", "name": "Pat Manager",
                           "email": "pm1@example.org"}})
        self.assertEqual(self.mail(), [m], "only pm1 is reminded")

        # Sun 29 Nov: the 1d reminder. Started 20 s after its time (a
        # catch-up): it is due at 09:00 and goes at once.
        d = self.start("2026-11-29 09:00:20")
        mails = self.wait_mail(2, d)
        self.settle(1)
        self.stop(d)
        rows = self.outbox("r.channel = 'email'")
        self.assertEqual([(r["stage"], r["due_at"], r["state"]) for r in rows],
                         [(SEVEN_DAYS, week_before, "sent"),
                          (ONE_DAY, day_before, "sent")])
        self.assertEqual(len(self.mail()), 2)
        self.assertEqual(
            sorted(m["message_id"] for m in mails),
            sorted(f"<{r['idempotency_key']}@qa-scheduler>" for r in rows))

    def test_day_leads_keep_local_time_across_the_clock_change(self):
        # BST ends Sun 25 Oct 2026. A lead of whole days is a calendar
        # duration (like a VALARM's TRIGGER:-P7D), so the local time of day
        # stays as the issue states it: "09:00 local on due-7", "10:00 on
        # D-2".
        self.workspace("supervision, collaborative_audit", smtp=False)
        now = "2026-10-01 12:00:00"
        self.add(now, "pm1", "Pat Manager", "practice_manager")
        self.add(now, "sw1", "Sam Worker", "social_worker", "pm1")
        # pm1's October audit: due Fri 30 Oct (31 Oct is a Saturday), GMT.
        # 7d: Fri 23 Oct 09:00 BST = 08:00 UTC (not 09:00 UTC = 10:00 BST).
        audit = self.occurrence("collaborative_audit", "pm1", "2026-10-30")
        # sw1: session held Mon 28 Sep, next Mon 26 Oct 10:00 GMT = 10:00
        # UTC. 2d: Sat 24 Oct 10:00 BST = 09:00 UTC (not 10:00 UTC).
        self.cli(now, "record", "supervision", "--staff", "sw1", "--date",
                 "2026-09-28")
        sup = self.occurrence("supervision", "sw1", "2026-10-26")
        self.assertEqual(sup["dtstart_utc"], utc("2026-10-26 10:00"))

        # Sat 24 Oct 10:30 UTC: both have come due (whichever way they were
        # computed) while their occurrences are still ahead: planned now.
        d = self.start("2026-10-24 10:30:00")
        self.wait_until("both log deliveries", lambda: len(self.outbox(
            "r.state = 'sent'")) >= 2, d)
        self.stop(d)
        got = {(r["occurrence_uid"], r["stage"]): r["due_at"]
               for r in self.outbox()}
        self.assertEqual(got, {
            (audit["uid"], SEVEN_DAYS): utc("2026-10-23 08:00"),
            (sup["uid"], TWO_DAYS): utc("2026-10-24 09:00")})

    # -- catch-up once after a restart --

    def test_catch_up_once_after_downtime_and_skip_past_occurrences(self):
        self.workspace("supervision")
        now = "2026-10-01 12:00:00"
        self.add(now, "pm1", "Pat Manager", "practice_manager")
        self.add(now, "sw1", "Sam Worker", "social_worker", "pm1")
        self.add(now, "sw2", "Sue Worker", "social_worker", "pm1")
        # sw1: held Thu 17 Sep, next Thu 15 Oct 10:00 BST (09:00 UTC); the
        # reminder is due Tue 13 Oct 09:00 UTC.
        self.cli(now, "record", "supervision", "--staff", "sw1", "--date",
                 "2026-09-17")
        # sw2: held Tue 15 Sep, next Tue 13 Oct 10:00 BST (09:00 UTC); the
        # reminder is due Sun 11 Oct 09:00 UTC.
        self.cli(now, "record", "supervision", "--staff", "sw2", "--date",
                 "2026-09-15")
        occ1 = self.occurrence("supervision", "sw1", "2026-10-15")
        occ2 = self.occurrence("supervision", "sw2", "2026-10-13")

        # Sat 10 Oct: neither is due yet.
        d = self.start("2026-10-10 12:00:00")
        self.settle()
        self.stop(d)
        self.assertEqual(self.outbox(), [])
        self.assertEqual(self.mail(), [])

        # Down until Wed 14 Oct 12:00 UTC. sw1's reminder time (13 Oct)
        # passed while down and its session (15 Oct) is still ahead: sent at
        # once, once. sw2's (11 Oct) passed too but its session (13 Oct
        # 09:00 UTC) is over: skipped, never sent. (sw2's missed session
        # escalates only on the second working day after it, Thu 15 Oct.)
        d = self.start("2026-10-14 12:00:00")
        self.wait_mail(2, d)
        self.settle()
        self.stop(d)
        first = self.mail()
        reminders = [m for m in first if m["subject"].startswith("Reminder:")]
        self.assertEqual(sorted(m["to"] for m in reminders),
                         ["pm1@example.org", "sw1@example.org"])
        for m in reminders:
            self.assertIn("Sam Worker", m["subject"])
        self.assertEqual(len(first), 2)
        rows1 = self.outbox("o.uid = ?", occ1["uid"])
        self.assertEqual(len(rows1), 4)  # email, log x sw1, pm1
        for r in rows1:
            self.assertEqual((r["stage"], r["state"], r["due_at"]),
                             (TWO_DAYS, "sent", utc("2026-10-13 09:00")))
        rows2 = self.outbox("o.uid = ? AND r.stage = ?", occ2["uid"],
                            TWO_DAYS)
        self.assertEqual(sorted((r["channel"], r["recipient"], r["state"])
                                for r in rows2),
                         [("email", "pm1", "skipped"),
                          ("email", "sw2", "skipped"),
                          ("log", "pm1", "skipped"),
                          ("log", "sw2", "skipped")])
        self.assertEqual([r["attempts"] for r in rows2], [0] * 4)

        # Another restart: nothing is sent again.
        d = self.start("2026-10-14 12:10:00")
        self.settle()
        self.stop(d)
        self.assertEqual(len(self.mail()), 2)
        self.assertEqual(
            collections.Counter(m["message_id"] for m in self.mail()),
            collections.Counter(m["message_id"] for m in first))

    def test_occurrence_created_inside_its_lead_time_goes_at_once(self):
        # SPEC 7: a reminder whose time has passed because the occurrence
        # was created inside its lead time is sent at once. Here the CLI
        # adds the person while the daemon runs.
        self.workspace("supervision")
        self.add("2026-10-13 07:00:00", "pm1", "Pat Manager",
                 "practice_manager")
        d = self.start("2026-10-13 07:00:05")
        self.settle(2)
        # sw1, added on Tue 13 Oct with no session recorded: the first is
        # due that day, 10:00 BST = 09:00 UTC; its 2d reminder time (Sun 11
        # Oct) has passed, the session is ahead: due at once.
        self.add("2026-10-13 07:00:10", "sw1", "Sam Worker", "social_worker",
                 "pm1")
        mails = self.wait_mail(2, d)
        self.stop(d)
        self.assertEqual(sorted(m["to"] for m in mails),
                         ["pm1@example.org", "sw1@example.org"])

    # -- no duplicate after kill -9 --

    def test_kill_9_while_sending_loses_nothing_and_repeats_only_in_flight(
            self):
        """What is promised (SPEC 7, 10, 12): a row is marked sent only after
        the server accepted the message (250 after DATA), in its own commit.
        kill -9 between the server's acceptance and that commit leaves the
        row pending although the message was delivered: it is sent again
        after the restart, with the same Message-ID <key@qa-scheduler>, the
        idempotency key a receiver can drop the repeat by. Nothing else can
        repeat: a row already 'sent' at the kill is never sent again, and no
        row is lost. So after each round:
          - every email row is 'sent' (and every log row);
          - the Maildir's Message-IDs are exactly the email rows' keys;
          - a key that arrived twice was 'pending' with attempts 0 at the
            kill (in flight), and none arrived more than twice;
          - a key 'sent' at the kill arrived exactly once.
        The sink stores each message and then waits 0.2 s before its 250, so
        the kill (right after a random number of messages arrived) lands
        while the last of them is stored but unacknowledged: that one is
        the expected repeat."""
        rng = random.Random(20261013)
        duplicates = 0
        for round_no in range(5):
            with self.subTest(round=round_no):
                duplicates += self.kill_9_round(rng.randint(2, 12))
        sys.stderr.write(f"\nkill -9: {duplicates} message(s) sent twice "
                         "in 5 rounds, each in flight at the kill\n")

    def slow_smtp_workspace(self, mode):
        """A workspace of supervision alone, mailing to an SMTP server that
        takes 0.2 s to accept each message (SlowMailbox)."""
        self.ws = qa.Workspace()
        self.addCleanup(self.ws.cleanup)
        self.smtp = SmtpSink(self.ws.dir, slow=True)
        self.addCleanup(self.smtp.stop)
        self.ws.write_config(f"""[reminders]
mode = {mode}
smtp_url = smtp://127.0.0.1:{self.smtp.port}
from = qa@example.org
""")
        with open(self.ws.config, encoding="utf-8") as f:
            text = f.read()
        qa.write(self.ws.config, text.replace(
            "[plugins]\n", "[plugins]\nenable = supervision\n", 1))
        return self.smtp

    def kill_9_round(self, kill_after):
        smtp = self.slow_smtp_workspace("each")
        # Ten social workers of pm1 (who has no manager, so no supervision
        # of their own), added on Tue 13 Oct: each one's first session is
        # due that day at 10:00 BST (09:00 UTC); its 2d reminder time has
        # passed and the session is ahead, so all 20 emails (each worker,
        # and pm1 once per worker's session) are due at once.
        rows = ["id,name,email,role,team,manager,nqsw_start",
                "pm1,Pat Manager,pm1@example.org,practice_manager,FS1,,"]
        rows += [f"sw{i:02},Worker {i},sw{i:02}@example.org,social_worker,"
                 f"FS1,pm1," for i in range(10)]
        csv = qa.write(os.path.join(self.ws.dir, "staff.csv"),
                       "\n".join(rows) + "\n")
        self.cli("2026-10-13 07:00:00", "staff", "import", csv)

        d = self.start("2026-10-13 07:00:30")
        self.wait_until(f"{kill_after} messages before the kill",
                        lambda: len(smtp.messages()) >= kill_after, d)
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait()
        at_kill = {r["idempotency_key"]: (r["state"], r["attempts"])
                   for r in self.outbox("r.channel = 'email'")}
        self.assertEqual(len(at_kill), 20)

        # Restart three minutes later (still before the 09:00 UTC
        # sessions) and let it finish.
        d = self.start("2026-10-13 07:03:30")
        self.wait_until("every outbox row sent", lambda: self.outbox() and all(
            r["state"] == "sent" for r in self.outbox()), d)
        self.stop(d)

        ids = collections.Counter(m["message_id"] for m in smtp.messages())
        keys = set(at_kill)
        self.assertEqual(set(ids), {f"<{k}@qa-scheduler>" for k in keys})
        twice = {k for k in keys if ids[f"<{k}@qa-scheduler>"] > 1}
        for k in keys:
            n = ids[f"<{k}@qa-scheduler>"]
            self.assertLessEqual(n, 2, k)
            if at_kill[k][0] == "sent":
                self.assertEqual(n, 1, f"{k} was recorded sent at the kill")
        for k in twice:
            self.assertEqual(at_kill[k], ("pending", 0),
                             f"{k} repeated but was not in flight")
        self.assertEqual(len(self.outbox("r.channel = 'log'")), 20)
        return len(twice)

    # -- retries --

    def test_retries_with_back_off_then_fails_after_max_attempts(self):
        port = free_port()  # nothing listens there yet
        self.workspace("supervision", smtp_port=port)
        now = "2026-10-13 07:00:00"
        self.add(now, "pm1", "Pat Manager", "practice_manager")
        self.add(now, "sw1", "Sam Worker", "social_worker", "pm1")
        # sw1's first session: today, Tue 13 Oct 10:00 BST; its reminders
        # (to sw1 and pm1) are due at once.

        # The server is down: connection refused. Each row goes back to
        # pending with attempts 1 and its next attempt 60 s (1 minute, the
        # first back-off) after the failure, which happened within the
        # first 30 s of this run.
        t0 = "2026-10-13 07:00:30"
        d = self.start(t0)
        rows = self.wait_until("two failed attempts", lambda: (
            len(self.outbox("r.channel = 'email' AND r.attempts = 1")) == 2
            and self.outbox("r.channel = 'email'")), d)
        self.stop(d)
        for r in rows:
            self.assertEqual(r["state"], "pending", r)
            self.assertIn("Connection refused", r["last_error"])
            self.assertTrue(utc(t0) + 60 <= r["next_attempt_at"]
                            <= utc(t0) + 90, r)
            self.assertIsNone(r["sent_at"])
        self.assertIn("Connection refused", d.log())
        pm_row = [r for r in rows if r["recipient"] == "pm1"][0]
        sw_row = [r for r in rows if r["recipient"] == "sw1"][0]

        # The last step: pm1's row has failed 7 times (set here); the 8th
        # failure (REMIND_MAX_ATTEMPTS) gives it up as 'failed'. Two minutes
        # on, the server still down: both rows are due again.
        with qa.sqlite3_connect(self.ws.db) as db:
            db.execute("UPDATE reminders_outbox SET attempts = 7 WHERE id = ?",
                       (pm_row["id"],))
        t1 = shifted(t0, 120)
        d = self.start(t1)
        self.wait_until("pm1's row failed", lambda: self.outbox(
            "r.id = ? AND r.state = 'failed'", pm_row["id"]), d)
        self.wait_until("sw1's second attempt", lambda: self.outbox(
            "r.id = ? AND r.attempts = 2", sw_row["id"]), d)
        metrics = self.metrics(d)
        self.stop(d)
        [pm] = self.outbox("r.id = ?", pm_row["id"])
        self.assertEqual((pm["state"], pm["attempts"]), ("failed", 8))
        self.assertIn("Connection refused", pm["last_error"])
        m = re.search(r'^qa_reminders\{state="failed"\} (\d+)$', metrics,
                      re.M)
        self.assertTrue(m, metrics)
        self.assertEqual(int(m.group(1)), 1)
        # sw1's: pending, the second back-off is 2 minutes.
        [sw] = self.outbox("r.id = ?", sw_row["id"])
        self.assertEqual(sw["state"], "pending")
        self.assertTrue(utc(t1) + 120 <= sw["next_attempt_at"]
                        <= utc(t1) + 150, sw)

        # The server comes back; three minutes on (past the back-off and
        # still before the 09:00 UTC session) sw1's reminder arrives.
        self.smtp = SmtpSink(self.ws.dir, port=port)
        self.addCleanup(self.smtp.stop)
        d = self.start(shifted(t1, 180))
        [m] = self.wait_mail(1, d)
        self.wait_until("sw1's row sent", lambda: self.outbox(
            "r.id = ? AND r.state = 'sent'", sw_row["id"]), d)
        self.settle(1)
        self.stop(d)
        self.assertEqual(m["to"], "sw1@example.org")
        self.assertEqual(m["message_id"],
                         f"<{sw_row['idempotency_key']}@qa-scheduler>")
        [sw] = self.outbox("r.id = ?", sw_row["id"])
        self.assertEqual((sw["attempts"], sw["last_error"]), (3, None))
        [pm] = self.outbox("r.id = ?", pm_row["id"])
        self.assertEqual(pm["state"], "failed", "a failed row stays failed")
        self.assertEqual(len(self.mail()), 1)

    # -- the send window --

    def test_send_window_holds_an_early_reminder_until_opening(self):
        self.workspace("supervision", window="08:00-18:00",
                            activity="[activity.supervision]\ntime = 07:00\n")
        now = "2026-10-01 12:00:00"
        self.add(now, "pm1", "Pat Manager", "practice_manager")
        self.add(now, "sw1", "Sam Worker", "social_worker", "pm1")
        # Held Wed 16 Sep: next Wed 14 Oct at 07:00 BST. The 2d reminder is
        # due Mon 12 Oct 07:00 BST, before the window opens: it waits until
        # 08:00 BST = 07:00 UTC the same day.
        self.cli(now, "record", "supervision", "--staff", "sw1", "--date",
                 "2026-09-16")
        opening = utc("2026-10-12 07:00")
        d = self.start("2026-10-12 06:59:53")
        self.wait_until("the held rows", lambda: len(self.outbox()) == 4, d)
        if self.faked_now(d) < opening - 1:
            self.assertEqual(self.mail(), [], "mail before the window")
            self.assertEqual({r["state"] for r in self.outbox()},
                             {"pending"})
        self.assertEqual({r["due_at"] for r in self.outbox()}, {opening})
        self.wait_mail(2, d)
        self.wait_until("all sent", lambda: all(
            r["state"] == "sent" for r in self.outbox()), d)
        self.stop(d)
        for r in self.outbox():
            self.assertGreaterEqual(r["sent_at"], opening, r)

    def test_send_window_friday_evening_waits_for_monday(self):
        self.workspace("supervision", window="08:00-18:00",
                            activity="[activity.supervision]\n"
                                     "time = 19:00\nreminders = 3d\n")
        now = "2026-10-01 12:00:00"
        self.add(now, "pm1", "Pat Manager", "practice_manager")
        self.add(now, "sw1", "Sam Worker", "social_worker", "pm1")
        # Held Mon 14 Sep: next Mon 12 Oct at 19:00 BST. 3d before: Fri 9
        # Oct 19:00 BST (18:00 UTC), after the window closed; Sat and Sun
        # are not working days: Mon 12 Oct 08:00 BST = 07:00 UTC.
        self.cli(now, "record", "supervision", "--staff", "sw1", "--date",
                 "2026-09-14")
        monday = utc("2026-10-12 07:00")
        d = self.start("2026-10-09 18:00:05")
        self.wait_until("the held rows", lambda: len(self.outbox()) == 4, d)
        self.settle()
        self.stop(d)
        self.assertEqual({(r["due_at"], r["state"]) for r in self.outbox()},
                         {(monday, "pending")})
        self.assertEqual(self.mail(), [])

        d = self.start("2026-10-12 06:59:55")
        self.wait_mail(2, d)
        self.wait_until("all sent", lambda: all(
            r["state"] == "sent" for r in self.outbox()), d)
        self.stop(d)
        for r in self.outbox():
            self.assertGreaterEqual(r["sent_at"], monday, r)

    def test_send_window_holds_a_retry_until_it_opens(self):
        # A retry is a sending too: "only send reminders between these local
        # times" holds for it as for the first attempt.
        port = free_port()  # nothing listens there yet
        self.workspace("supervision", smtp_port=port,
                            window="08:00-18:00",
                            activity="[activity.supervision]\ntime = 17:59\n")
        now = "2026-10-01 12:00:00"
        self.add(now, "pm1", "Pat Manager", "practice_manager")
        self.add(now, "sw1", "Sam Worker", "social_worker", "pm1")
        # Held Wed 16 Sep: next Wed 14 Oct 17:59 BST; the 2d reminder is
        # due Mon 12 Oct 17:59 BST = 16:59 UTC, inside the window.
        self.cli(now, "record", "supervision", "--staff", "sw1", "--date",
                 "2026-09-16")
        # 17:59:30 BST: the server is down; the retry would be a minute
        # after the failure, 18:00:30 BST or later: the window has closed.
        d = self.start("2026-10-12 16:59:30")
        rows = self.wait_until("two failed attempts", lambda: (
            len(self.outbox("r.channel = 'email' AND r.attempts = 1")) == 2
            and self.outbox("r.channel = 'email'")), d)
        self.stop(d)
        for r in rows:
            self.assertEqual(r["due_at"], utc("2026-10-12 16:59"))
            self.assertGreaterEqual(r["next_attempt_at"],
                                    utc("2026-10-12 17:00:30"))

        # The server is back at 18:05 BST: closed, so nothing goes.
        self.smtp = SmtpSink(self.ws.dir, port=port)
        self.addCleanup(self.smtp.stop)
        d = self.start("2026-10-12 17:05:00")
        self.settle()
        self.stop(d)
        self.assertEqual(self.mail(), [])
        self.assertEqual({(r["state"], r["attempts"]) for r in self.outbox(
            "r.channel = 'email'")}, {("pending", 1)})

        # Tue 13 Oct 07:59:55 BST: the daemon sleeps until the window opens
        # at 08:00 BST = 07:00 UTC and sends both then.
        opening = utc("2026-10-13 07:00")
        d = self.start("2026-10-13 06:59:55")
        if self.faked_now(d) < opening - 1:
            self.assertEqual(self.mail(), [], "sent before the opening")
        self.wait_mail(2, d)
        self.wait_until("both sent", lambda: all(
            r["state"] == "sent" for r in self.outbox("r.channel = 'email'")),
            d)
        self.stop(d)
        for r in self.outbox("r.channel = 'email'"):
            self.assertGreaterEqual(r["sent_at"], opening, r)

    def test_send_window_skips_a_bank_holiday(self):
        self.workspace("supervision", window="08:00-18:00",
                            activity="[activity.supervision]\n"
                                     "time = 19:00\nreminders = 4d\n")
        now = "2026-08-20 12:00:00"
        self.add(now, "pm1", "Pat Manager", "practice_manager")
        self.add(now, "sw1", "Sam Worker", "social_worker", "pm1")
        # Held Tue 4 Aug: next Tue 1 Sep 19:00 BST. 4d before: Fri 28 Aug
        # 19:00 BST, after closing; Sat 29, Sun 30 Aug are the weekend and
        # Mon 31 Aug is the summer bank holiday: Tue 1 Sep 08:00 BST = 07:00
        # UTC.
        self.cli(now, "record", "supervision", "--staff", "sw1", "--date",
                 "2026-08-04")
        tuesday = utc("2026-09-01 07:00")
        d = self.start("2026-08-28 18:00:05")
        self.wait_until("the held rows", lambda: len(self.outbox()) == 4, d)
        self.stop(d)
        self.assertEqual({(r["due_at"], r["state"]) for r in self.outbox()},
                         {(tuesday, "pending")})

        # Mon 31 Aug 08:00:05 BST: inside the window's hours, but a holiday.
        d = self.start("2026-08-31 07:00:05")
        self.settle()
        self.stop(d)
        self.assertEqual(self.mail(), [])
        self.assertEqual({r["state"] for r in self.outbox()}, {"pending"})

        d = self.start("2026-09-01 06:59:55")
        self.wait_mail(2, d)
        self.wait_until("all sent", lambda: all(
            r["state"] == "sent" for r in self.outbox()), d)
        self.stop(d)
        for r in self.outbox():
            self.assertGreaterEqual(r["sent_at"], tuesday, r)

    # -- escalations --

    def test_overdue_supervision_escalates_and_climbs(self):
        """Issue 10: supervision escalates on the 2nd working day after it
        was due, to the line manager, and on the 10th to theirs; each once;
        and nothing once it is recorded."""
        self.workspace("supervision")
        now = "2026-10-01 12:00:00"
        self.add(now, "gm1", "Gina Boss", "group_manager")
        self.add(now, "pm1", "Pat Manager", "practice_manager", "gm1")
        self.add(now, "sw1", "Sam Worker", "social_worker", "pm1")
        # sw1: due Thu 15 Oct 10:00 BST; nothing recorded. The 2nd working
        # day after it: Mon 19 Oct (Fri 16 the 1st), at 09:00 BST = 08:00
        # UTC, to pm1.
        self.cli(now, "record", "supervision", "--staff", "sw1", "--date",
                 "2026-09-17")
        # pm1's own: 24 Sep + 28 = Thu 22 Oct; held on Fri 23 Oct, before
        # its escalation (Mon 26 Oct): never escalated.
        self.cli(now, "record", "supervision", "--staff", "pm1", "--date",
                 "2026-09-24")
        occ = self.occurrence("supervision", "sw1", "2026-10-15")
        at = utc("2026-10-19 08:00")

        d = self.start("2026-10-19 07:59:55")
        if self.faked_now(d) < at - 1:
            self.assertEqual(self.mail(), [], "escalated early")
        [m] = self.wait_mail(1, d)
        self.settle(1)
        self.stop(d)
        self.assertEqual(m["to"], "pm1@example.org")
        self.assertEqual(m["subject"],
                         "Overdue: Supervision: Sam Worker with Pat Manager, "
                         "due Thursday 15 October 2026, 10:00")
        self.assertIn("Dear Pat Manager,", m["text"])
        self.assertIn("was due on Thursday 15 October 2026, 10:00",
                      m["text"])
        self.assertIn("As the line manager", m["text"])
        self.assertIn("qa-scheduler record supervision --staff sw1",
                      m["text"])
        [row] = self.outbox("r.stage = 'overdue' AND r.channel = 'email'")
        self.assertEqual((row["occurrence_uid"], row["recipient"],
                          row["due_at"], row["state"]),
                         (occ["uid"], "pm1", at, "sent"))
        self.assertGreaterEqual(row["sent_at"], at)
        self.assertEqual(m["message_id"],
                         f"<{row['idempotency_key']}@qa-scheduler>")

        # Not again after a restart, nor the next day.
        for instant in ("2026-10-19 12:00:00", "2026-10-20 08:30:00"):
            d = self.start(instant)
            self.settle()
            self.stop(d)
            self.assertEqual(self.mail(), [m], instant)
        self.cli("2026-10-23 12:00:00", "record", "supervision", "--staff",
                 "pm1", "--date", "2026-10-23")

        # The 10th working day after 15 Oct: Thu 29 Oct (16, 19-23, 26-29),
        # 09:00 GMT now the clocks have gone back: to gm1, pm1's manager.
        step2 = utc("2026-10-29 09:00")
        d = self.start("2026-10-29 08:59:55")
        if self.faked_now(d) < step2 - 1:
            self.assertEqual(self.mail(), [m], "climbed early")
        mails = self.wait_mail(2, d)
        self.settle(1)
        self.stop(d)
        up = mails[1]
        self.assertEqual(up["to"], "gm1@example.org")
        self.assertEqual(up["subject"], m["subject"])
        self.assertIn("Dear Gina Boss,", up["text"])
        self.assertIn("comes to you as the next manager up", up["text"])
        [row] = self.outbox("r.stage = 'overdue-2' AND r.channel = 'email'")
        self.assertEqual((row["recipient"], row["due_at"], row["state"]),
                         ("gm1", step2, "sent"))
        # No third step; and pm1's own, recorded in time, never escalated.
        d = self.start("2026-11-20 12:00:00")
        self.settle()
        self.stop(d)
        self.assertEqual(len(self.mail()), 2)
        self.assertEqual(sorted((r["occurrence_uid"], r["stage"])
                                for r in self.outbox(
                                    "r.channel = 'email' AND r.stage LIKE "
                                    "'overdue%'")),
                         [(occ["uid"], "overdue"), (occ["uid"], "overdue-2")])

    def test_left_people_get_nothing_escalation_skips_a_left_manager(self):
        self.workspace("supervision")
        now = "2026-10-01 12:00:00"
        self.add(now, "gm1", "Gina Boss", "group_manager")
        self.add(now, "pm1", "Pat Manager", "practice_manager", "gm1")
        self.add(now, "sw1", "Sam Worker", "social_worker", "pm1")
        self.add(now, "sw2", "Sue Worker", "social_worker", "gm1")
        # Both workers held a session Thu 17 Sep: next Thu 15 Oct 10:00 BST
        # (reminder Tue 13 Oct 09:00 UTC; escalated on the 2nd working day
        # after, Mon 19 Oct, 09:00 BST = 08:00 UTC).
        for sid in ("sw1", "sw2"):
            self.cli(now, "record", "supervision", "--staff", sid, "--date",
                     "2026-09-17")
        # pm1 (sw1's manager) and sw2 leave on Thu 1 Oct.
        for sid in ("pm1", "sw2"):
            self.cli(now, "staff", "leave", "--id", sid, "--date",
                     "2026-10-01")

        # Tue 13 Oct: the reminder for sw1's session goes to sw1 only (its
        # manager has left); sw2 has left: nothing for or about sw2.
        d = self.start("2026-10-13 09:00:10")
        [m] = self.wait_mail(1, d)
        self.settle()
        self.stop(d)
        self.assertEqual(m["to"], "sw1@example.org")
        self.assertEqual(len(self.mail()), 1)

        # Mon 19 Oct: sw1 is overdue; the line manager pm1 has left, so the
        # escalation goes to the next one up, gm1. Nothing about sw2.
        d = self.start("2026-10-19 08:00:10")
        self.wait_mail(2, d)
        self.settle()
        self.stop(d)
        mails = self.mail()
        self.assertEqual(len(mails), 2, mails)
        [esc] = [x for x in mails if x["subject"].startswith("Overdue:")]
        self.assertEqual(esc["to"], "gm1@example.org")
        self.assertIn("Sam Worker", esc["subject"])
        self.assertIn("Dear Gina Boss,", esc["text"])
        self.assertEqual(self.outbox("r.recipient IN ('pm1', 'sw2')"), [])
        self.assertEqual(self.outbox("o.subject = 'sw2'"), [])
        self.assertEqual(
            {m["to"] for m in mails}, {"sw1@example.org", "gm1@example.org"})

    def test_a_missed_month_escalates_and_stays_missed(self):
        """Issue 8: a period that ends with nothing recorded is missed and
        escalates as any overdue item does. An audit dated in the next
        month counts for that month: it does not fill the missed one (the
        report says missed), and `due` moves on to the current period, so
        nothing escalates again."""
        self.workspace("collaborative_audit")
        now = "2026-09-01 12:00:00"
        self.add(now, "gm1", "Gina Boss", "group_manager")
        self.add(now, "pm1", "Pat Manager", "practice_manager", "gm1")
        self.add(now, "sw1", "Sam Worker", "social_worker", "pm1")
        # pm1's September audit is due by Wed 30 Sep; none is done. Overdue
        # from Thu 1 Oct 09:00 BST = 08:00 UTC: to gm1, once.
        september = self.occurrence("collaborative_audit", "pm1",
                                    "2026-09-30")
        d = self.start("2026-10-01 07:59:55")
        [m] = self.wait_mail(1, d)
        self.settle(1)
        self.stop(d)
        self.assertEqual(m["to"], "gm1@example.org")
        self.assertEqual(m["subject"],
                         "Overdue: Collaborative case file audit (Pat "
                         "Manager), due Wednesday 30 September 2026")
        [row] = self.outbox("r.stage = 'overdue' AND r.channel = 'email'")
        self.assertEqual((row["occurrence_uid"], row["recipient"],
                          row["due_at"], row["state"]),
                         (september["uid"], "gm1", utc("2026-10-01 08:00"),
                          "sent"))
        # Audited on Fri 2 Oct: October's, due by Fri 30 Oct.
        now = "2026-10-02 12:00:00"
        self.cli(now, "record", "collaborative_audit", "--staff", "pm1",
                 "--practitioner", "sw1", "--date", "2026-10-02", "--grade",
                 "good")
        self.assertIsNone(self.occurrence("collaborative_audit", "pm1",
                                          "2026-09-30")["done_on"])
        self.assertEqual(self.occurrence("collaborative_audit", "pm1",
                                         "2026-10-30")["done_on"],
                         "2026-10-02")
        due = json.loads(self.cli(now, "due", "--activity",
                                  "collaborative_audit", "--format",
                                  "json").stdout)
        self.assertEqual([(r["staff_id"], r["due"], r["status"],
                           r["last_done"]) for r in due],
                         [("pm1", "2026-11-30", "upcoming", "2026-10-02")])
        r = self.cli(now, "report", "activity", "collaborative_audit",
                     "--from", "2026-09", "--to", "2026-10", "--format",
                     "json")
        self.assertEqual([(x["period_start"], x["status"], x["done_on"])
                          for x in json.loads(r.stdout)],
                         [("2026-09-01", "missed", None),
                          ("2026-10-01", "done", "2026-10-02")])
        d = self.start("2026-10-02 12:00:05")
        self.settle(2)
        self.stop(d)
        self.assertEqual(self.mail(), [m])

    def test_urgent_audit_action_overdue_goes_to_the_managers_manager(self):
        self.workspace("collaborative_audit")
        now = "2026-10-12 12:00:00"
        self.add(now, "gm1", "Gina Boss", "group_manager")
        self.add(now, "pm1", "Pat Manager", "practice_manager", "gm1")
        self.add(now, "sw1", "Sam Worker", "social_worker", "pm1")
        self.add(now, "sw2", "Sue Worker", "social_worker", "pm1")
        # sw2's case audited Mon 21 Sep, graded good: actions due 28 days
        # later, Mon 19 Oct.
        self.cli(now, "record", "collaborative_audit", "--staff", "pm1",
                 "--practitioner", "sw2", "--date", "2026-09-21", "--grade",
                 "good")
        # sw1's case audited Mon 12 Oct, inadequate with a safeguarding
        # concern: due 5 working days later: Tue 13, Wed 14, Thu 15, Fri
        # 16, Mon 19 Oct.
        self.cli(now, "record", "collaborative_audit", "--staff", "pm1",
                 "--practitioner", "sw1", "--date", "2026-10-12", "--grade",
                 "inadequate", "--safeguarding")
        urgent = self.occurrence("audit_action", "sw1", "2026-10-19")
        plain = self.occurrence("audit_action", "sw2", "2026-10-19")
        # Both due Mon 19 Oct. The 1st working day after, Tue 20 Oct 09:00
        # BST = 08:00 UTC, each goes to the line manager pm1
        # (action_escalate and urgent_action_escalate both start at 1).
        d = self.start("2026-10-20 08:00:10")
        self.wait_mail(2, d)
        self.settle()
        self.stop(d)
        rows = self.outbox("r.stage = 'overdue' AND r.channel = 'email'")
        self.assertEqual(
            sorted((r["occurrence_uid"], r["recipient"]) for r in rows),
            sorted([(urgent["uid"], "pm1"), (plain["uid"], "pm1")]))
        for r in rows:
            self.assertEqual((r["state"], r["due_at"]),
                             ("sent", utc("2026-10-20 08:00")))
        mails = self.mail()
        self.assertEqual(sorted(m["subject"] for m in mails
                                if m["to"] == "pm1@example.org"),
                         ["Overdue: Audit actions (Sam Worker), due Monday "
                          "19 October 2026",
                          "Overdue: Audit actions (Sue Worker), due Monday "
                          "19 October 2026"])
        # The urgent one climbs on the 2nd working day, Wed 21 Oct, to
        # pm1's manager gm1; the other waits for its 5th, Mon 26 Oct (09:00
        # GMT, the clocks gone back).
        d = self.start("2026-10-21 08:00:10")
        self.wait_mail(3, d)
        self.settle()
        self.stop(d)
        [to_gm] = [m for m in self.mail() if m["to"] == "gm1@example.org"]
        self.assertEqual(to_gm["subject"],
                         "Overdue: Audit actions (Sam Worker), due Monday 19 "
                         "October 2026")
        [row] = self.outbox("r.stage = 'overdue-2' AND r.channel = 'email'")
        self.assertEqual((row["occurrence_uid"], row["recipient"],
                          row["due_at"]),
                         (urgent["uid"], "gm1", utc("2026-10-21 08:00")))
        d = self.start("2026-10-26 09:00:10")
        self.wait_mail(4, d)
        self.settle()
        self.stop(d)
        rows = self.outbox("r.stage = 'overdue-2' AND r.channel = 'email'")
        self.assertEqual(
            sorted((r["occurrence_uid"], r["recipient"], r["due_at"])
                   for r in rows),
            sorted([(urgent["uid"], "gm1", utc("2026-10-21 08:00")),
                    (plain["uid"], "gm1", utc("2026-10-26 09:00"))]))
        self.assertEqual(len(self.mail()), 4)

    def test_a_regraded_audit_escalates_as_it_stands(self):
        # sw1's case audited Mon 12 Oct, graded good (28 days: Mon 9 Nov);
        # the moderator (gm1) regrades it on Tue 13 Oct, inadequate with a
        # safeguarding concern: the action is re-timed to 5 working days
        # from the moderation, 14, 15, 16, 19, Tue 20 Oct; it escalates as
        # an urgent action does, to the line manager pm1 on the 1st working
        # day after (Wed 21 Oct 09:00 BST, 08:00 UTC) and to pm1's manager
        # gm1 on the 2nd (Thu 22 Oct). sw2's, graded
        # inadequate with a concern on Mon 12 Oct (due Mon 19 Oct) and
        # regraded good on Tue 13 Oct (13 Oct + 28 = Tue 10 Nov), is not
        # overdue then at all.
        self.workspace("collaborative_audit")
        now = "2026-10-13 12:00:00"
        self.add(now, "gm1", "Gina Boss", "group_manager")
        self.add(now, "pm1", "Pat Manager", "practice_manager", "gm1")
        self.add(now, "sw1", "Sam Worker", "social_worker", "pm1")
        self.add(now, "sw2", "Sue Worker", "social_worker", "pm1")
        out = self.cli(now, "record", "collaborative_audit", "--staff", "pm1",
                       "--practitioner", "sw1", "--date", "2026-10-12",
                       "--grade", "good", "--moderator", "gm1").stdout
        good = out.split()[1]
        out = self.cli(now, "record", "collaborative_audit", "--staff", "pm1",
                       "--practitioner", "sw2", "--date", "2026-10-12",
                       "--grade", "inadequate", "--safeguarding").stdout
        urgent = out.split()[1]
        self.cli(now, "record", "moderation", "--audit", good, "--staff",
                 "gm1", "--date", "2026-10-13", "--grade", "inadequate",
                 "--safeguarding")
        self.cli(now, "record", "moderation", "--audit", urgent, "--staff",
                 "gm1", "--date", "2026-10-13", "--grade", "good",
                 "--no-safeguarding")
        regraded = self.occurrence("audit_action", "sw1", "2026-10-20")
        self.occurrence("audit_action", "sw2", "2026-11-10")
        d = self.start("2026-10-22 08:00:10")
        self.wait_until("two escalations", lambda: len(self.outbox(
            "r.stage LIKE 'overdue%' AND r.channel = 'email'")) >= 2, d)
        self.settle()
        self.stop(d)
        rows = self.outbox("r.stage LIKE 'overdue%' AND r.channel = 'email'")
        self.assertEqual(sorted((r["occurrence_uid"], r["stage"],
                                 r["recipient"], r["due_at"]) for r in rows),
                         sorted([(regraded["uid"], "overdue", "pm1",
                                  utc("2026-10-21 08:00")),
                                 (regraded["uid"], "overdue-2", "gm1",
                                  utc("2026-10-22 08:00"))]))

    def test_a_shared_deadline_reminds_everyone_and_escalates_its_owner(self):
        # Issue 6: the QA quarterly report is one series for the QA team,
        # owned by qa1 (the lowest id holding qa_team; [activity.
        # qa_quarterly_report] owner names no one). Q3 2026 is due by Wed
        # 30 Sep; its 7-day reminder goes on Wed 23 Sep at 09:00 BST
        # (08:00 UTC) to both of the team, with the 14-day one of 16 Sep,
        # missed while the daemon was down and caught up once; overdue from
        # Thu 1 Oct 09:00 BST, one escalation, to the owner's manager ad1
        # alone (not qa2's, gm2).
        self.workspace("qa_quarterly_report")
        now = "2026-09-01 12:00:00"
        self.add(now, "ad1", "Ana Director", "assistant_director")
        self.add(now, "gm2", "Gus Manager", "group_manager", "ad1")
        self.add(now, "qa1", "Quinn Adams", "qa_team", "ad1")
        self.add(now, "qa2", "Quentin Ash", "qa_team", "gm2")
        occ = self.occurrence("qa_quarterly_report", "", "2026-09-30")
        self.assertEqual(occ["with_staff_id"], "qa1")

        d = self.start("2026-09-23 08:00:10")
        self.wait_mail(4, d)
        self.settle()
        self.stop(d)
        mails = self.mail()
        self.assertEqual(sorted(m["to"] for m in mails),
                         ["qa1@example.org", "qa1@example.org",
                          "qa2@example.org", "qa2@example.org"])

        d = self.start("2026-10-01 08:00:10")
        self.wait_mail(5, d)
        self.settle()
        self.stop(d)
        [esc] = self.mail()[4:]
        self.assertEqual(esc["to"], "ad1@example.org")
        self.assertTrue(esc["subject"].startswith("Overdue: QA quarterly "
                                                  "report"), esc["subject"])
        [row] = self.outbox("r.stage = 'overdue' AND r.channel = 'email'")
        self.assertEqual((row["occurrence_uid"], row["recipient"],
                          row["due_at"]),
                         (occ["uid"], "ad1", utc("2026-10-01 08:00")))


if __name__ == "__main__":
    qa.main()
