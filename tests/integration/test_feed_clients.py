"""Real calendar clients read the live feed (SPEC section 6, "Real clients we
test against").

One daemon, started under libfaketime at Mon 16 Mar 2026 12:00 UTC (12:00
GMT in London; the clock then runs normally), serves the feeds of a small
organisation built by the CLI at that same instant. Each client fetches the
feeds over HTTP from that daemon and must see the same occurrences, on the
dates and at the local times worked out by hand below from SPEC section 3:

1. python3-icalendar + python3-recurring-ical-events (Debian), imported here
   (ctest runs this file with /usr/bin/python3, where Debian's modules are).
2. ical.js, Thunderbird's parser (npm, pinned in tests/clients/package.json
   and package-lock.json; `npm ci --prefix tests/clients`, which
   scripts/test.sh runs), through tests/clients/icaljs_dump.js under node.
3. vdirsyncer (Debian) with `type = "http"` storage syncing the live feeds
   into a filesystem vdir, then khal (Debian) listing that vdir.

(libical re-parsing our own output is covered by the C unit tests.) A client
that is missing fails its test with the package to install: nothing is
skipped.

The organisation (names only: feeds go to third parties, SPEC section 3):

    ad1 Alex Director  assistant_director
    sl1 Sol Leader     service_lead        manager ad1
    gm1 Gail Mercer    group_manager       manager sl1
    pm1 Pat Manning    practice_manager    manager gm1
    sw1 Sam Weller     social_worker       manager pm1, NQSW from 5 Jan 2026

Only four activities are enabled (plus the built-in audit_action), with the
settings they would have by default written out in the config, so that what
the feeds hold can be worked out here in full:

    supervision          10:00 local, 90 minutes, projected 6 months ahead
    reflective_practice  FREQ=MONTHLY;BYDAY=3WE (3rd Wednesday), 14:00, 90 min
    practice_week        FREQ=YEARLY;BYMONTH=3,9;BYDAY=2MO, all-day, 5 days
    collaborative_audit  (recorded; its audit action is what sw1's feed shows)

London time: GMT (UTC+0) until Sun 29 Mar 2026 01:00 UTC, then BST (UTC+1)
until Sun 25 Oct 2026 01:00 UTC, GMT again until Sun 28 Mar 2027.

Bank holidays used (calendars/england-and-wales-bank-holidays.ics): Fri 3 Apr
(Good Friday), Mon 6 Apr (Easter Monday), Mon 4 May, Mon 25 May, Mon 31 Aug
2026. A supervision falling on one is shown on the previous working day.

Feeds hold what starts from 90 days before today (16 Dec 2025) on; the tests
compare what each client sees in a window that leaves out the edges."""

import collections
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

NOW = "2026-03-16 12:00:00"  # UTC, = 12:00 GMT in London: Mon 16 Mar 2026
LONDON = ZoneInfo("Europe/London")
UTC = datetime.timezone.utc
CLIENTS_DIR = qa.CLIENTS_DIR
TIMEOUT = 120  # seconds, for every client command

# In sorted order: plugin_set_load() sorts the loaded plugins with qsort after
# each has stored a pointer to itself in its qa_host, so an unsorted list
# leaves stale pointers (the CLI crashed in host_for_each_completion).
ENABLED = ("collaborative_audit, practice_week, reflective_practice, "
           "supervision")
ACTIVITY_CONFIG = """
[activity.supervision]
time = 10:00
duration = 90m
horizon = 6

[activity.reflective_practice]
rrule = FREQ=MONTHLY;BYDAY=3WE
time = 14:00
duration = 90m

[activity.practice_week]
rrule = FREQ=YEARLY;BYMONTH=3,9;BYDAY=2MO
duration = 5d
"""

# -- what the feeds must hold, worked out by hand ---------------------------

# One occurrence: SUMMARY, STATUS, start and end. Timed: local wall times
# "YYYY-MM-DD HH:MM" and London's offset from UTC in hours on that day (so
# the UTC instant is local - offset). All-day: "YYYY-MM-DD" dates, the end
# exclusive as in the feed (DTEND;VALUE=DATE), offset None.
Occ = collections.namedtuple("Occ", "summary status start end offset")


def timed(summary, status, day, start, end, offset):
    return Occ(summary, status, f"{day} {start}", f"{day} {end}", offset)


def allday(summary, status, first, end_exclusive):
    return Occ(summary, status, first, end_exclusive, None)


SW1_SUPERVISION = "Supervision: Sam Weller with Pat Manning"
SW1_HELD = SW1_SUPERVISION + " (done)"
SL1_SUPERVISION = "Supervision: Sol Leader with Alex Director"
GM1_SUPERVISION = "Supervision: Gail Mercer with Sol Leader"
REFLECTIVE = "Group reflective practice"
AUDIT_ACTION = "Due: Audit actions"
PRACTICE_WEEK = "Practice Week"

C, T = "CONFIRMED", "TENTATIVE"


def sw1_supervision(day, offset):
    return timed(SW1_SUPERVISION, T, day, "10:00", "11:30", offset)


def reflective(day, offset):
    return timed(REFLECTIVE, C, day, "14:00", "15:30", offset)


# Sam Weller's feed (sw1), occurrences starting in [1 Mar, 1 Dec 2026).
SW1_WINDOW = ("2026-03-01", "2026-12-01")
SW1_EXPECTED = [
    # Sessions recorded on Mon 2, 9 and 16 Mar (GMT): held, confirmed, shown
    # at the configured 10:00 on the day held, "(done)".
    timed(SW1_HELD, C, "2026-03-02", "10:00", "11:30", 0),
    timed(SW1_HELD, C, "2026-03-09", "10:00", "11:30", 0),
    timed(SW1_HELD, C, "2026-03-16", "10:00", "11:30", 0),
    # NQSW from Mon 5 Jan 2026: weekly in [5 Jan, 5 Jul 2026), fortnightly in
    # [5 Jul 2026, 5 Jan 2027). The last session, 16 Mar, was in the weekly
    # phase: next due Mon 23 Mar, then projected (tentative) one interval
    # after the one before, up to 6 months after today (before 16 Sep):
    sw1_supervision("2026-03-23", 0),   # GMT: 10:00 = 10:00 UTC
    # The week clocks go forward (Sun 29 Mar): still 10:00 local, which is
    # now 09:00 UTC.
    sw1_supervision("2026-03-30", 1),
    # Mon 6 Apr is Easter Monday; Sun 5 and Sat 4, and Fri 3 Apr (Good
    # Friday) are not working days either: shown on Thu 2 Apr.
    sw1_supervision("2026-04-02", 1),
    # The chain goes on from the unshifted 6 Apr.
    sw1_supervision("2026-04-13", 1),
    sw1_supervision("2026-04-20", 1),
    sw1_supervision("2026-04-27", 1),
    sw1_supervision("2026-05-01", 1),   # Mon 4 May bank holiday -> Fri 1 May
    sw1_supervision("2026-05-11", 1),
    sw1_supervision("2026-05-18", 1),
    sw1_supervision("2026-05-22", 1),   # Mon 25 May bank holiday -> Fri 22
    sw1_supervision("2026-06-01", 1),
    sw1_supervision("2026-06-08", 1),
    sw1_supervision("2026-06-15", 1),
    sw1_supervision("2026-06-22", 1),
    sw1_supervision("2026-06-29", 1),   # 29 Jun < 5 Jul: still weekly
    sw1_supervision("2026-07-06", 1),   # 6 Jul >= 5 Jul: fortnightly from here
    sw1_supervision("2026-07-20", 1),
    sw1_supervision("2026-08-03", 1),
    sw1_supervision("2026-08-17", 1),
    sw1_supervision("2026-08-28", 1),   # Mon 31 Aug bank holiday -> Fri 28
    sw1_supervision("2026-09-14", 1),   # next, 28 Sep, is past 16 Sep: none
    # Group reflective practice (sw1 is a social worker): 3rd Wednesday of
    # each month, 14:00-15:30. Mar 2026 starts on a Sunday (Wed 4, 11, 18),
    # Apr on a Wednesday (1, 8, 15), May on a Friday (6, 13, 20), Jun on a
    # Monday (3, 10, 17), Jul on a Wednesday (1, 8, 15), Aug on a Saturday
    # (5, 12, 19), Sep on a Tuesday (2, 9, 16), Oct on a Thursday (7, 14,
    # 21), Nov on a Sunday (4, 11, 18).
    reflective("2026-03-18", 0),
    reflective("2026-04-15", 1),
    reflective("2026-05-20", 1),
    reflective("2026-06-17", 1),
    reflective("2026-07-15", 1),
    reflective("2026-08-19", 1),
    reflective("2026-09-16", 1),
    reflective("2026-10-21", 1),        # before clocks go back on 25 Oct
    reflective("2026-11-18", 0),        # GMT again: 14:00 = 14:00 UTC
    # pm1 audited a case of sw1's on Thu 12 Mar, graded good: sw1's audit
    # action is due 28 days later: 12 Mar + 19 = 31 Mar, + 9 = Thu 9 Apr, a
    # due-by item, all-day on its due date.
    allday(AUDIT_ACTION, C, "2026-04-09", "2026-04-10"),
]


def experienced_supervision(summary, day, offset):
    return timed(summary, T, day, "10:00", "11:30", offset)


# Sol Leader's feed (sl1), occurrences starting in [1 Mar 2026, 1 Apr 2027).
# sl1 and gm1 are experienced (no nqsw_start) and were added today with no
# session recorded: the first is due the day they were added, Mon 16 Mar
# (today, not overdue), then every 28 days up to 6 months ahead: 13 Apr, 11
# May, 8 Jun, 6 Jul, 3 Aug, 31 Aug (summer bank holiday: shown Fri 28 Aug);
# the next, 28 Sep, is past 16 Sep. sl1's feed has sl1's own sessions with ad1
# and, as gm1's manager, gm1's.
SL1_SESSION_DAYS = [("2026-03-16", 0), ("2026-04-13", 1), ("2026-05-11", 1),
                    ("2026-06-08", 1), ("2026-07-06", 1), ("2026-08-03", 1),
                    ("2026-08-28", 1)]
SL1_WINDOW = ("2026-03-01", "2027-04-01")
SL1_EXPECTED = [
    experienced_supervision(who, day, offset)
    for who in (SL1_SUPERVISION, GM1_SUPERVISION)
    for day, offset in SL1_SESSION_DAYS
] + [
    # Practice week, for service leads: Monday to Friday from the 2nd Monday
    # of March and of September. Mar 2026: Mondays 2, 9 -> Mon 9 to Fri 13
    # Mar (past today, still in the feed); Sep 2026: Mondays 7, 14 -> 14-18
    # Sep; Mar 2027: Mondays 1, 8 -> 8-12 Mar. DTEND is exclusive: the
    # Saturday.
    allday(PRACTICE_WEEK, C, "2026-03-09", "2026-03-14"),
    allday(PRACTICE_WEEK, C, "2026-09-14", "2026-09-19"),
    allday(PRACTICE_WEEK, C, "2027-03-08", "2027-03-13"),
]

# What a client reports, normalised: (summary, status, start, end, utc_start)
# with local times "YYYY-MM-DD HH:MM" (dates alone for all-day items, end
# exclusive) and utc_start "YYYY-MM-DD HH:MM" (None for all-day items).


def utc_of(occ):
    if occ.offset is None:
        return None
    local = datetime.datetime.strptime(occ.start, "%Y-%m-%d %H:%M")
    return (local - datetime.timedelta(hours=occ.offset)).strftime(
        "%Y-%m-%d %H:%M")


def rows(expected):
    return sorted((o.summary, o.status, o.start, o.end, utc_of(o))
                  for o in expected)


def minute(dt):
    return dt.strftime("%Y-%m-%d %H:%M")


def run(argv, what, input=None, env=None):
    """Run a client command (stdin: `input`, else nothing); fail with its
    output if it fails or hangs."""
    try:
        r = subprocess.run(argv, capture_output=True, text=True,
                           timeout=TIMEOUT, input=input, env=env,
                           stdin=None if input is not None
                           else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"{what}: {argv} timed out after {TIMEOUT} s;"
                             f" output so far: {e.stdout!r} {e.stderr!r}")
    if r.returncode != 0:
        raise AssertionError(f"{what}: {argv} exited {r.returncode}\n"
                             f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}")
    return r


def icaljs_dump(body, window, *flags):
    """icaljs_dump.js's JSON for this feed body and window."""
    node = qa.need_program("node", "nodejs", "scripts/test.sh does when "
                        "node is missing")
    module = os.path.join(CLIENTS_DIR, "node_modules", "ical.js",
                          "package.json")
    if not os.path.exists(module):
        raise AssertionError(
            f"{module} missing: install the npm packages of "
            f"tests/clients (`npm ci --prefix tests/clients`; "
            f"scripts/test.sh does)")
    env = dict(os.environ)
    # In UTC, a time ical.js took as floating would come out as the wall
    # time itself in UTC: wrong by an hour in summer, so it shows.
    env["TZ"] = "UTC"
    r = run([node, os.path.join(CLIENTS_DIR, "icaljs_dump.js"), *window,
             *flags], "ical.js", input=body.decode("utf-8"), env=env)
    return json.loads(r.stdout)


class FeedClientsTest(unittest.TestCase):
    """One organisation and one daemon for every client."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        if not qa.FAKETIME_LIBS:
            raise AssertionError(
                "libfaketime.so.1 not found: install the Debian package "
                "`faketime` (scripts/install-deps.sh --test does)")
        cls.env = qa.faketime_env(NOW)
        cls.ws = qa.Workspace(extra=ACTIVITY_CONFIG)
        try:
            cls._build_organisation()
            cls.daemon = qa.Daemon(cls.ws, env=cls.env)
            cls.daemon.wait_listening()
        except BaseException:
            cls.ws.cleanup()
            raise

    @classmethod
    def _build_organisation(cls):
        ws = cls.ws
        # Enable only the four activities: `enable` goes in [plugins], which
        # the workspace's config already has.
        with open(ws.config, encoding="utf-8") as f:
            text = f.read()
        line = f"dir = {ws.plugin_dir}\n"
        assert line in text, text
        qa.write(ws.config, text.replace(line, line + f"enable = {ENABLED}\n"))

        def ok(*args):
            r = ws.run(*args, env=cls.env)
            if r.returncode != 0:
                raise AssertionError(f"{args}: exit {r.returncode}: "
                                     f"{r.stderr}")
            return r.stdout

        for sid, name, role, team, manager, nqsw in [
                ("ad1", "Alex Director", "assistant_director", "SLT", None,
                 None),
                ("sl1", "Sol Leader", "service_lead", "SLT", "ad1", None),
                ("gm1", "Gail Mercer", "group_manager", "FS1", "sl1", None),
                ("pm1", "Pat Manning", "practice_manager", "FS1", "gm1",
                 None),
                ("sw1", "Sam Weller", "social_worker", "FS1", "pm1",
                 "2026-01-05")]:
            argv = ["staff", "add", "--id", sid, "--name", name, "--email",
                    f"{sid}@example.org", "--role", role, "--team", team]
            if manager:
                argv += ["--manager", manager]
            if nqsw:
                argv += ["--nqsw-start", nqsw]
            ok(*argv)
        for day in ("2026-03-02", "2026-03-09", "2026-03-16"):
            ok("record", "supervision", "--staff", "sw1", "--date", day)
        ok("record", "collaborative_audit", "--staff", "pm1",
           "--practitioner", "sw1", "--date", "2026-03-12", "--grade", "good")
        # feed-url builds on [server] base_url (the workspace's
        # http://127.0.0.1:8080); the path is what the daemon serves.
        cls.urls = {}
        for sid in ("sw1", "sl1"):
            url = ok("feed-url", "--staff", sid).strip()
            m = re.fullmatch(r"http://127\.0\.0\.1:8080(/feeds/[^/]+\.ics)",
                             url)
            if not m:
                raise AssertionError(f"feed-url --staff {sid}: {url!r}")
            cls.urls[sid] = m.group(1)

    @classmethod
    def tearDownClass(cls):
        try:
            rc = cls.daemon.stop()
            if rc != 0:
                raise AssertionError(f"daemon exited {rc}; log:\n"
                                     f"{cls.daemon.log()}")
        finally:
            cls.ws.cleanup()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="qa-clients-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def url(self, sid):
        return self.daemon.url(self.urls[sid])

    def body(self, sid):
        """The live feed as served (for the clients that read bytes)."""
        status, headers, body = self.daemon.get(self.urls[sid])
        self.assertEqual(status, 200, body)
        self.assertTrue(headers["Content-Type"].startswith("text/calendar"),
                        headers)
        return body

    def feed_cases(self):
        return [("sw1", SW1_WINDOW, SW1_EXPECTED),
                ("sl1", SL1_WINDOW, SL1_EXPECTED)]

    def test_hand_worked_offsets_agree_with_the_system_zone(self):
        # A check on the expectations themselves: the offsets written by hand
        # are London's in the system tzdata.
        for _, _, expected in self.feed_cases():
            for o in expected:
                if o.offset is None:
                    continue
                local = datetime.datetime.strptime(
                    o.start, "%Y-%m-%d %H:%M").replace(tzinfo=LONDON)
                self.assertEqual(local.utcoffset(),
                                 datetime.timedelta(hours=o.offset), o)

    # -- 1. python3-icalendar + python3-recurring-ical-events --

    def test_python_icalendar_and_recurring_ical_events(self):
        try:
            import icalendar
            import recurring_ical_events
        except ImportError as e:
            self.fail(f"{e}: install the Debian packages python3-icalendar "
                      "and python3-recurring-ical-events (scripts/"
                      "install-deps.sh --test does); run with "
                      "/usr/bin/python3")
        for sid, (first, end), expected in self.feed_cases():
            with self.subTest(feed=sid):
                cal = icalendar.Calendar.from_ical(self.body(sid))
                between = recurring_ical_events.of(cal).between(
                    datetime.date.fromisoformat(first),
                    datetime.date.fromisoformat(end))
                seen = []
                for ev in between:
                    start, stop = ev["DTSTART"].dt, ev["DTEND"].dt
                    summary, status = str(ev["SUMMARY"]), str(ev["STATUS"])
                    if isinstance(start, datetime.datetime):
                        self.assertIsNotNone(start.tzinfo,
                                             f"floating: {summary} {start}")
                        seen.append((summary, status,
                                     minute(start.astimezone(LONDON)),
                                     minute(stop.astimezone(LONDON)),
                                     minute(start.astimezone(UTC))))
                    else:
                        seen.append((summary, status, start.isoformat(),
                                     stop.isoformat(), None))
                self.assertEqual(sorted(seen), rows(expected))

                # icalendar reads TZID=Europe/London with pytz, not with the
                # feed's VTIMEZONE (it builds a zone from a VTIMEZONE only for
                # a TZID pytz does not know). Build that zone explicitly
                # (to_tz(), what a non-Olson TZID would get): it must give
                # London's offset at every local time in the feed.
                zones = cal.walk("VTIMEZONE")
                self.assertEqual([str(z["TZID"]) for z in zones],
                                 ["Europe/London"])
                tz = zones[0].to_tz()
                for o in expected:
                    if o.offset is None:
                        continue
                    naive = datetime.datetime.strptime(o.start,
                                                       "%Y-%m-%d %H:%M")
                    self.assertEqual(tz.localize(naive).utcoffset(),
                                     datetime.timedelta(hours=o.offset), o)

    # -- 2. ical.js --

    def icaljs(self, body, window, *flags):
        return icaljs_dump(body, window, *flags)

    def test_icaljs(self):
        self.icaljs(self.body("sw1"), SW1_WINDOW)  # node and ical.js are there
        # Both with the feed's VTIMEZONE registered in ICAL.TimezoneService
        # (as Thunderbird does) and without: ical.js 2.x then looks the TZID
        # up among the document's own VTIMEZONEs (getTimeZoneByID), so both
        # must give the zone and the same instants.
        for sid, window, expected in self.feed_cases():
            body = self.body(sid)
            for flags in ((), ("--no-register",)):
                with self.subTest(feed=sid, flags=flags):
                    out = self.icaljs(body, window, *flags)
                    # Registered, Europe/London is the feed's own VTIMEZONE.
                    self.assertEqual(out["registered"], not flags)
                    seen = []
                    for ev in out["events"]:
                        self.assertFalse(ev["recurring"], ev)
                        if ev["isDate"]:
                            seen.append((ev["summary"], ev["status"],
                                         ev["start"], ev["end"], None))
                            continue
                        # A zone, not floating: the UTC instants below
                        # prove it was the right one.
                        self.assertEqual(ev["tzid"], "Europe/London", ev)
                        utc = datetime.datetime.fromisoformat(
                            ev["startUtc"].replace("Z", "+00:00"))
                        seen.append((ev["summary"], ev["status"],
                                     ev["start"][:16].replace("T", " "),
                                     ev["end"][:16].replace("T", " "),
                                     minute(utc)))
                    self.assertEqual(sorted(seen), rows(expected))

        # The trap ical.js sets (SPEC section 6): a TZID with no VTIMEZONE is
        # floating. The same feed without its VTIMEZONE puts Mon 30 Mar 10:00
        # at 10:00 UTC (process TZ=UTC): an hour late. Ours has the
        # VTIMEZONE, so the check above would catch a feed without it.
        stripped = re.sub(rb"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", b"",
                          self.body("sw1"), flags=re.S)
        self.assertNotIn(b"VTIMEZONE", stripped)
        out = self.icaljs(stripped, ("2026-03-30", "2026-03-31"),
                          "--no-register")
        [ev] = out["events"]
        self.assertEqual((ev["summary"], ev["tzid"], ev["start"],
                          ev["startUtc"]),
                         (SW1_SUPERVISION, "floating", "2026-03-30T10:00:00",
                          "2026-03-30T10:00:00.000Z"))

    # -- 3. vdirsyncer (http storage) + khal --

    def test_vdirsyncer_and_khal(self):
        vdirsyncer = qa.need_program("vdirsyncer", "vdirsyncer")
        khal = qa.need_program("khal", "khal")
        env = dict(os.environ)
        env.update(XDG_CONFIG_HOME=os.path.join(self.tmp, "config"),
                   XDG_DATA_HOME=os.path.join(self.tmp, "data"),
                   XDG_CACHE_HOME=os.path.join(self.tmp, "cache"),
                   HOME=self.tmp, LC_ALL="C.UTF-8", LANG="C.UTF-8")
        cases = self.feed_cases()

        # vdirsyncer: one pair per feed, the daemon's live URL -> a vdir.
        # http storage is read-only: collections = null (a single calendar,
        # no discovery), and it only ever syncs from a to b. The vdir
        # directories are made first: `discover` would ask whether to create
        # them.
        config = [f'[general]\nstatus_path = "{self.tmp}/status/"\n']
        vdirs = {}
        for sid, _, _ in cases:
            vdirs[sid] = os.path.join(self.tmp, "vdir", sid)
            os.makedirs(vdirs[sid])
            config.append(f"""
[pair qa_{sid}]
a = "qa_{sid}_feed"
b = "qa_{sid}_vdir"
collections = null
conflict_resolution = "a wins"

[storage qa_{sid}_feed]
type = "http"
url = "{self.url(sid)}"

[storage qa_{sid}_vdir]
type = "filesystem"
path = "{vdirs[sid]}/"
fileext = ".ics"
""")
        vconf = qa.write(os.path.join(self.tmp, "vdirsyncer.conf"),
                         "".join(config))
        run([vdirsyncer, "-c", vconf, "discover"], "vdirsyncer discover",
            env=env)
        r = run([vdirsyncer, "-c", vconf, "sync"], "vdirsyncer sync", env=env)
        self.assertNotRegex(r.stdout + r.stderr, r"(?i)error|critical|warning",
                            r.stdout + r.stderr)
        for sid, _, _ in cases:
            # One item per VEVENT. vdirsyncer's http storage replaces each
            # UID by a hash of the item (ignore_uids defaults to true: the
            # SPEC trap), so items are matched below by summary and start,
            # never by UID.
            body = self.body(sid)
            items = [f for f in os.listdir(vdirs[sid]) if f.endswith(".ics")]
            self.assertEqual(len(items), body.count(b"BEGIN:VEVENT"), sid)
            for name in items:
                with open(os.path.join(vdirs[sid], name), "rb") as f:
                    item = f.read()
                self.assertEqual(item.count(b"BEGIN:VEVENT"), 1, name)
                self.assertIn(b"BEGIN:VTIMEZONE", item, name)
        # Nothing changed: a second sync finds every item as it was (the
        # feed is byte-stable, so the hashes vdirsyncer made are too).
        r = run([vdirsyncer, "-c", vconf, "sync"], "vdirsyncer sync again",
                env=env)
        self.assertNotRegex(r.stdout + r.stderr,
                            r"(?i)copying|updating|deleting|error|warning",
                            r.stdout + r.stderr)

        # khal on those vdirs, twice: in London (what a user there sees) and
        # in UTC (the instants: a time khal took as floating would show the
        # same wall time in both). Fixed formats so lines parse; --once
        # prints a multi-day item once; khal's all-day end is inclusive.
        calendars = "".join(f"[[{sid}]]\npath = {vdirs[sid]}/\n"
                            f"type = calendar\n" for sid, _, _ in cases)
        fmt = "{start-date}|{start-time}|{end-date}|{end-time}|{all-day}|" \
              "{status}|{title}"
        seen = {}
        for zone in ("Europe/London", "UTC"):
            kconf = qa.write(os.path.join(self.tmp, f"khal-{zone[:3]}.conf"),
                             f"""[calendars]
{calendars}
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = {zone}
default_timezone = {zone}
firstweekday = 0

[default]
default_calendar = {cases[0][0]}

[sqlite]
path = {self.tmp}/khal-{zone[:3]}.db
""")
            for sid, (first, end), _ in cases:
                r = run([khal, "-c", kconf, "list", "-a", sid, "--once",
                         "--day-format", "", "--format", fmt, first, end],
                        f"khal list ({zone})", env=env)
                lines = [x for x in r.stdout.splitlines() if x.strip()]
                parsed = []
                for line in lines:
                    fields = line.split("|")
                    self.assertEqual(len(fields), 7, line)
                    sdate, stime, edate, etime, is_allday, status, title = \
                        fields
                    if sdate >= end:
                        continue  # khal's END day is inclusive
                    if is_allday == "True":
                        parsed.append((title, status.strip(), sdate, edate))
                    else:
                        self.assertEqual(is_allday, "False", line)
                        parsed.append((title, status.strip(),
                                       f"{sdate} {stime}",
                                       f"{edate} {etime}"))
                seen[zone, sid] = sorted(parsed)

        for sid, _, expected in cases:
            with self.subTest(feed=sid):
                def khal_allday_end(o):
                    day = datetime.date.fromisoformat(o.end)
                    return (day - datetime.timedelta(days=1)).isoformat()

                london = sorted(
                    (o.summary, o.status, o.start,
                     o.end if o.offset is not None else khal_allday_end(o))
                    for o in expected)
                # Every item, counted: khal drops events silently when it
                # cannot use a VTIMEZONE (SPEC section 6).
                self.assertEqual(len(seen["Europe/London", sid]),
                                 len(expected))
                self.assertEqual(seen["Europe/London", sid], london)

                def in_utc(o):
                    if o.offset is None:
                        return (o.summary, o.status, o.start,
                                khal_allday_end(o))
                    end = datetime.datetime.strptime(
                        o.end, "%Y-%m-%d %H:%M") - datetime.timedelta(
                            hours=o.offset)
                    return (o.summary, o.status, utc_of(o), minute(end))

                self.assertEqual(seen["UTC", sid],
                                 sorted(in_utc(o) for o in expected))


class CancelledOccurrencesTest(unittest.TestCase):
    """A cancelled occurrence disappears from what each client lists after
    its next refresh (issue 9): feeds leave cancelled occurrences out,
    because Outlook shows STATUS:CANCELLED as if the event were on and Apple
    and Thunderbird keep it struck through; a subscribed client drops an
    event that vanishes from the feed.

    Mon 16 Mar 2026: sw1 (experienced, manager pm1) has a session on 16 Mar,
    so the next is projected for Mon 13 Apr and every 28 days after: 11 May,
    8 Jun, 6 Jul, 3 Aug, 31 Aug (a bank holiday: shown on Fri 28 Aug); 28
    Sep is past the 6 months' horizon (16 Sep). sw1 then leaves on
    Fri 20 Mar: every projected session is cancelled, the held one stays, in
    pm1's feed."""

    WINDOW = ("2026-03-01", "2026-10-01")
    SUMMARY = "Supervision: Sam Weller with Pat Manning"

    def setUp(self):
        if not qa.FAKETIME_LIBS:
            raise AssertionError("libfaketime.so.1 not found: install the "
                                 "Debian package `faketime`")
        self.env = qa.faketime_env(NOW)
        self.ws = qa.Workspace(extra=ACTIVITY_CONFIG)
        self.addCleanup(self.ws.cleanup)
        self.tmp = tempfile.mkdtemp(prefix="qa-clients-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        with open(self.ws.config, encoding="utf-8") as f:
            text = f.read()
        line = f"dir = {self.ws.plugin_dir}\n"
        qa.write(self.ws.config,
                 text.replace(line, line + "enable = supervision\n"))
        for argv in (
                ["--id", "gm1", "--name", "Gail Mercer", "--role",
                 "group_manager", "--team", "FS1"],
                ["--id", "pm1", "--name", "Pat Manning", "--role",
                 "practice_manager", "--team", "FS1", "--manager", "gm1"],
                ["--id", "sw1", "--name", "Sam Weller", "--role",
                 "social_worker", "--team", "FS1", "--manager", "pm1"]):
            self.ok("staff", "add", *argv, "--email",
                    f"{argv[1]}@example.org")
        self.ok("record", "supervision", "--staff", "sw1", "--date",
                "2026-03-16")
        url = self.ok("feed-url", "--staff", "pm1").stdout.strip()
        self.path = url.split("127.0.0.1:8080", 1)[1]
        self.daemon = qa.Daemon(self.ws, env=self.env)
        self.addCleanup(self.daemon.stop)
        self.daemon.wait_listening()

    def ok(self, *args):
        r = self.ws.run(*args, env=self.env)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        return r

    def body(self):
        status, headers, body = self.daemon.get(self.path)
        self.assertEqual(status, 200, body)
        return body, headers["ETag"]

    def sessions(self, body):
        """sw1's session dates each client lists: {client: [dates]}."""
        import icalendar
        import recurring_ical_events
        cal = icalendar.Calendar.from_ical(body)
        seen = {"python-icalendar": sorted(
            ev["DTSTART"].dt.astimezone(LONDON).date().isoformat()
            for ev in recurring_ical_events.of(cal).between(
                datetime.date.fromisoformat(self.WINDOW[0]),
                datetime.date.fromisoformat(self.WINDOW[1]))
            if str(ev["SUMMARY"]).startswith(self.SUMMARY))}
        seen["ical.js"] = sorted(
            ev["start"][:10]
            for ev in icaljs_dump(body, self.WINDOW)["events"]
            if ev["summary"].startswith(self.SUMMARY))
        return seen

    def khal_sessions(self, vconf, kconf, env):
        run([qa.need_program("vdirsyncer", "vdirsyncer"), "-c", vconf, "sync"],
            "vdirsyncer sync", env=env)
        r = run([qa.need_program("khal", "khal"), "-c", kconf, "list", "-a",
                 "pm1", "--once", "--day-format", "", "--format",
                 "{start-date}|{title}", *self.WINDOW], "khal list", env=env)
        return sorted(line.split("|")[0] for line in r.stdout.splitlines()
                      if line.strip() and self.SUMMARY in line)

    def test_a_cancelled_occurrence_vanishes_from_every_client(self):
        env = dict(os.environ)
        env.update(XDG_CONFIG_HOME=os.path.join(self.tmp, "config"),
                   XDG_DATA_HOME=os.path.join(self.tmp, "data"),
                   XDG_CACHE_HOME=os.path.join(self.tmp, "cache"),
                   HOME=self.tmp, LC_ALL="C.UTF-8", LANG="C.UTF-8")
        vdir = os.path.join(self.tmp, "vdir")
        os.makedirs(vdir)
        vconf = qa.write(os.path.join(self.tmp, "vdirsyncer.conf"), f"""
[general]
status_path = "{self.tmp}/status/"
[pair qa]
a = "qa_feed"
b = "qa_vdir"
collections = null
conflict_resolution = "a wins"
[storage qa_feed]
type = "http"
url = "{self.daemon.url(self.path)}"
[storage qa_vdir]
type = "filesystem"
path = "{vdir}/"
fileext = ".ics"
""")
        kconf = qa.write(os.path.join(self.tmp, "khal.conf"), f"""
[calendars]
[[pm1]]
path = {vdir}/
type = calendar
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = Europe/London
default_timezone = Europe/London
[default]
default_calendar = pm1
[sqlite]
path = {self.tmp}/khal.db
""")
        run([qa.need_program("vdirsyncer", "vdirsyncer"), "-c", vconf,
             "discover"], "vdirsyncer discover", env=env)
        held = "2026-03-16"
        projected = ["2026-04-13", "2026-05-11", "2026-06-08", "2026-07-06",
                     "2026-08-03", "2026-08-28"]
        body, etag = self.body()
        self.assertEqual(self.sessions(body),
                         {"python-icalendar": [held] + projected,
                          "ical.js": [held] + projected})
        self.assertEqual(self.khal_sessions(vconf, kconf, env),
                         [held] + projected)

        self.ok("staff", "leave", "--id", "sw1", "--date", "2026-03-20")
        # The daemon sees the CLI's commit within a second or so; wait for
        # the feed to change, however long that takes here.
        for _ in range(600):
            body, new_etag = self.body()
            if new_etag != etag:
                break
            time.sleep(0.1)
        self.assertNotEqual(new_etag, etag, "the feed never changed")
        self.assertEqual(body.count(b"STATUS:CANCELLED"), 0)
        self.assertEqual(self.sessions(body),
                         {"python-icalendar": [held], "ical.js": [held]})
        self.assertEqual(self.khal_sessions(vconf, kconf, env), [held])


if __name__ == "__main__":
    qa.main()
