"""The schedule commands (`record`, `due`, `next`) through the real binary.

Every expected date below is worked out by hand from SPEC section 3 (the
reasoning is in the comments), never copied from the program's output.

Time. The binary takes "today" from the clock in Europe/London, so every
command runs under libfaketime (Debian package `faketime`) with an absolute
instant, FAKETIME="@YYYY-MM-DD HH:MM:SS", read in TZ=UTC (set for the child:
libfaketime reads that string in the process's local zone; the binary itself
takes its zone from the config, not from TZ). The faked clock starts at that
instant and runs at normal speed, so nothing depends on how fast the machine
is: steps start at 12:00 UTC (one at 23:30 UTC, 00:30 in London), hours away
from London's next midnight.

libfaketime and ASan. The sanitizer build links libasan, and ASan insists on
being the first library in the process: with LD_PRELOAD=libfaketime.so.1
alone it refuses to start ("ASan runtime does not come first in initial
library list", exit 1). ASAN_OPTIONS=verify_asan_link_order=0 silences that
check and the program then runs with the faked date, but LeakSanitizer
breaks: at exit, when it has a leak to report, the process aborts with glibc's
"The futex facility returned an unexpected error code." and no report
(libfaketime 0.9.10, gcc 12 / libasan8, Debian 12). Preloading the ASan
runtime first, LD_PRELOAD="libasan.so.8 .../libfaketime.so.1", gives both: the
faked date, and ASan and LSan reports as usual (checked with a small program
that overflows and leaks). So when the binary needs libasan.so.N, that goes
first in LD_PRELOAD; verify_asan_link_order=0 is set as well, which changes
nothing for a binary without ASan.

Bank holidays used (calendars/england-and-wales-bank-holidays.ics): 2026:
Fri 3 Apr (Good Friday), Mon 6 Apr (Easter Monday), Mon 4 May, Mon 25 May,
Mon 31 Aug, Fri 25 Dec, Mon 28 Dec (Boxing Day substitute)."""

import datetime
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402


DUE_KEYS = qa.DUE_KEYS

# `next` prints one line per occurrence: local date and time with the UTC
# offset in force, then the same instant in UTC.
NEXT_EVENT = re.compile(
    r"^(\w{3}) (\d{4}-\d\d-\d\d) (\d\d:\d\d) ([+-]\d\d:\d\d) = "
    r"(\w{3}) (\d{4}-\d\d-\d\d) (\d\d:\d\d) UTC")
NEXT_ALLDAY = re.compile(r"^(\w{3}) (\d{4}-\d\d-\d\d) all day, (\d+) day")


def utc_epoch(text):
    """'2026-03-30 09:00' (UTC) as seconds since the epoch."""
    return int(datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(
        tzinfo=datetime.timezone.utc).timestamp())


class ScheduleTest(qa.ClockedCliTest):
    """One workspace per test; every command runs at self.now."""

    def next_events(self, *args):
        out = self.ok("next", *args).stdout
        lines = out.splitlines()
        events = []
        for line in lines:
            m = NEXT_EVENT.match(line)
            self.assertTrue(m, f"not a `next` event line: {line!r}")
            events.append(m.groups())
        return events

    # -- supervision --

    def test_supervision_due_phases_status_sort_filters(self):
        # Today is Wed 15 Jul 2026 (12:00 UTC = 13:00 BST).
        self.at("2026-07-15")
        self.add("gm1", "group_manager")
        self.add("pm1", "practice_manager", "FS1", "gm1")
        self.add("pm2", "practice_manager", "FS2", "gm1")
        # sw1: NQSW from Mon 5 Jan 2026: weekly in [2026-01-05, 2026-07-05),
        # fortnightly in [2026-07-05, 2027-01-05), then every 28 days.
        self.add("sw1", "social_worker", "FS1", "pm1", "2026-01-05")
        # sw2: no nqsw_start, experienced: 28 days.
        self.add("sw2", "social_worker", "FS1", "pm1")
        # sw3: NQSW from Mon 2 Jun 2025: weekly to 2025-12-02, fortnightly
        # in [2025-12-02, 2026-06-02), experienced from 2026-06-02.
        self.add("sw3", "social_worker", "FS2", "pm2", "2025-06-02")
        # sw4: NQSW from Mon 6 Jul 2026: weekly until 2027-01-06.
        self.add("sw4", "social_worker", "FS1", "pm1", "2026-07-06")

        # No session yet: a first session is due on the later of
        # nqsw_start and the day the person was added (issue 6: nothing
        # before the day we learnt of them can be known). Everyone was added
        # today, Wed 15 Jul, a working day: due today, not overdue, for sw4
        # (nqsw_start Mon 6 Jul), sw1 (Mon 5 Jan 2026) and sw3 (Mon 2 Jun
        # 2025) as for pm1 (experienced).
        rows = {r[0]: r for r in self.due_rows("--activity", "supervision")}
        self.assertEqual(rows["sw4"], ("sw4", "2026-07-15", "due", None,
                                       "nqsw_weekly"))
        self.assertEqual(rows["pm1"], ("pm1", "2026-07-15", "due", None,
                                       "experienced"))
        self.assertNotIn("gm1", rows)  # no line manager: no supervision
        self.assertEqual(rows["sw1"], ("sw1", "2026-07-15", "due", None,
                                       "nqsw_fortnightly"))
        self.assertEqual(rows["sw3"], ("sw3", "2026-07-15", "due", None,
                                       "experienced"))

        # sw1 on Fri 3 Jul 2026: still the weekly phase (before 5 Jul), so
        # the next is due 7 days later, Fri 10 Jul, although 10 Jul is in
        # the fortnightly phase (and today's interval, 14, would give 17
        # Jul). 10 Jul is before today: overdue.
        self.record("supervision", "--staff", "sw1", "--date", "2026-07-03")
        rows = {r[0]: r for r in self.due_rows("--activity", "supervision")}
        self.assertEqual(rows["sw1"], ("sw1", "2026-07-10", "overdue",
                                       "2026-07-03", "nqsw_fortnightly"))
        # sw1 on Fri 10 Jul: fortnightly phase (on or after 5 Jul): 14 days,
        # Fri 24 Jul.
        self.record("supervision", "--staff", "sw1", "--date", "2026-07-10")
        # sw2 (experienced) on Mon 22 Jun: +28 days = Mon 20 Jul.
        self.record("supervision", "--staff", "sw2", "--date", "2026-06-22")
        # sw3 on Fri 29 May 2026: before 2 Jun, still fortnightly: +14 =
        # Fri 12 Jun (28 days, today's interval, would give 26 Jun).
        # Overdue today; phase today (after 2 Jun 2026): experienced.
        self.record("supervision", "--staff", "sw3", "--date", "2026-05-29")
        # sw4 on Mon 13 Jul: weekly: Mon 20 Jul.
        self.record("supervision", "--staff", "sw4", "--date", "2026-07-13")

        # As of today (the default), --within 7: "due" up to Wed 22 Jul.
        # Overdue first, then by date, then by staff id.
        expected = [
            ("sw3", "2026-06-12", "overdue", "2026-05-29", "experienced"),
            ("pm1", "2026-07-15", "due", None, "experienced"),
            ("pm2", "2026-07-15", "due", None, "experienced"),
            ("sw2", "2026-07-20", "due", "2026-06-22", "experienced"),
            ("sw4", "2026-07-20", "due", "2026-07-13", "nqsw_weekly"),
            ("sw1", "2026-07-24", "upcoming", "2026-07-10",
             "nqsw_fortnightly"),
        ]
        self.assertEqual(self.due_rows("--activity", "supervision"), expected)
        self.assertEqual(self.due_rows("--activity", "supervision",
                                       "--as-of", "2026-07-15"), expected)
        full = {r["staff_id"]: r for r in self.due("--activity",
                                                   "supervision")}
        self.assertEqual(full["sw3"]["name"], "Person sw3")
        self.assertEqual(full["sw3"]["team"], "FS2")
        self.assertEqual(full["sw3"]["manager_id"], "pm2")
        self.assertEqual(full["pm1"]["manager_id"], "gm1")
        self.assertEqual(full["sw1"]["activity"], "supervision")

        def sw1(*args):
            rows = [r for r in self.due_rows("--activity", "supervision",
                                             *args) if r[0] == "sw1"]
            self.assertEqual(len(rows), 1)
            return rows[0][1:3]

        # sw1 due Fri 24 Jul. --within counts days after --as-of,
        # inclusive: 15 + 8 = 23 Jul is short of it, 15 + 9 = 24 reaches it.
        self.assertEqual(sw1("--within", "8"), ("2026-07-24", "upcoming"))
        self.assertEqual(sw1("--within", "9"), ("2026-07-24", "due"))
        # On the due date it is due, not overdue; the day after, overdue.
        self.assertEqual(sw1("--as-of", "2026-07-24", "--within", "0"),
                         ("2026-07-24", "due"))
        self.assertEqual(sw1("--as-of", "2026-07-25"),
                         ("2026-07-24", "overdue"))

        # The phase is the one in force on the --as-of date: sw1 is
        # fortnightly from Sun 5 Jul 2026 to Mon 4 Jan 2027, experienced from
        # Tue 5 Jan 2027 (weekly before, when sw1 was not yet tracked).
        def phase(as_of):
            return [r[4] for r in self.due_rows(
                "--activity", "supervision", "--as-of", as_of)
                if r[0] == "sw1"][0]

        self.assertEqual(phase("2026-07-15"), "nqsw_fortnightly")
        self.assertEqual(phase("2027-01-04"), "nqsw_fortnightly")
        self.assertEqual(phase("2027-01-05"), "experienced")
        # Everyone was added today, so tracked since today (issue 8): on an
        # earlier day nobody owed anything yet.
        self.assertEqual(self.due_rows("--activity", "supervision",
                                       "--as-of", "2026-07-04"), [])

        # Every activity: rows of other activities have no phase; overdue
        # rows come first, then dates never go down.
        everything = self.due()
        self.assertGreater(len(everything), len(expected))
        for r in everything:
            if r["activity"] != "supervision":
                self.assertIsNone(r["phase"], r)
        order = [(r["status"] != "overdue", r["due"]) for r in everything]
        self.assertEqual(order, sorted(order))

        # Filters.
        by_pm1 = self.due("--manager", "pm1")
        self.assertEqual({r["staff_id"] for r in by_pm1},
                         {"sw1", "sw2", "sw4"})
        self.assertTrue(all(r["manager_id"] == "pm1" for r in by_pm1))
        self.assertEqual(self.due_rows("--manager", "pm1", "--activity",
                                       "supervision"),
                         [expected[3], expected[4], expected[5]])
        self.assertEqual(
            [r[0] for r in self.due_rows("--manager", "gm1", "--activity",
                                         "supervision")], ["pm1", "pm2"])
        fs2 = self.due("--team", "FS2")
        self.assertEqual({r["staff_id"] for r in fs2}, {"pm2", "sw3"})
        self.assertTrue(all(r["team"] == "FS2" for r in fs2))
        self.assertEqual(self.due_rows("--team", "FS2", "--activity",
                                       "supervision"),
                         [expected[0], expected[2]])
        self.assertEqual(self.due("--team", "No such team"), [])
        self.assertEqual({r["activity"] for r in self.due(
            "--activity", "supervision")}, {"supervision"})

    def test_due_table_fits_in_100_columns(self):
        self.at("2026-07-15")
        self.add("gm1", "group_manager")
        self.add("manager_with_a_long_id", "practice_manager",
                 "Family Safeguarding and Children in Care Team North",
                 "gm1", name="Bartholomew Montgomery-Featherstonehaugh")
        self.add("social_worker_with_a_long_id", "social_worker",
                 "Family Safeguarding and Children in Care Team North",
                 "manager_with_a_long_id", "2026-07-06",
                 name="Ægidius Þórðarson-Featherstonehaugh Smythe")
        self.add("sw1", "social_worker", "FS1", "gm1")
        self.record("supervision", "--staff", "sw1", "--date", "2026-06-22")
        out = self.ok("due").stdout
        lines = out.splitlines()
        rows = self.due()
        self.assertEqual(len(lines), len(rows) + 1, out)
        self.assertIn("STATUS", lines[0])
        self.assertIn("DUE", lines[0])
        for line in lines:
            self.assertLessEqual(len(line), 100, repr(line))
        # sw1's row: 22 Jun + 28 = 20 Jul, within 7 days of 15 Jul: due.
        sw1 = [x for x in lines if " sw1 " in x and "supervision" in x]
        self.assertEqual(len(sw1), 1, out)
        self.assertEqual(sw1[0].split()[:2], ["due", "2026-07-20"])
        self.assertIn("2026-06-22", sw1[0])
        # The same rows in the same order as the JSON.
        self.assertEqual([x.split()[0] for x in lines[1:]],
                         [r["status"] for r in rows])
        self.assertEqual([x.split()[1] for x in lines[1:]],
                         [r["due"] for r in rows])

    def test_today_is_londons_date(self):
        # 23:30 UTC on Tue 30 Jun 2026 is 00:30 BST on Wed 1 Jul in London:
        # today is 1 Jul there (UTC would still say 30 Jun).
        self.at("2026-06-30", "23:30:00")
        self.add("gm1", "group_manager")
        self.add("sw1", "social_worker", "FS1", "gm1")
        people = json.loads(self.ok("staff", "list", "--format",
                                    "json").stdout)
        self.assertEqual({p["added_on"] for p in people}, {"2026-07-01"})
        self.record("supervision", "--staff", "sw1", "--date", "2026-07-01")
        self.fails(["record", "supervision", "--staff", "sw1", "--date",
                    "2026-07-02"], ["2026-07-02", "future"])
        self.assertEqual(self.query(
            "SELECT done_on FROM completions WHERE staff_id = 'sw1'"),
            [("2026-07-01",)])

    # -- monthly due-by --

    def test_collaborative_audit_due_by_last_working_day(self):
        # Today Mon 10 Aug 2026.
        self.at("2026-08-10")
        self.add("gm1", "group_manager")
        self.add("pm1", "practice_manager", "FS1", "gm1")
        self.add("sw1", "social_worker", "FS1", "pm1")
        # August 2026 ends Mon 31 (Summer bank holiday), Sun 30, Sat 29:
        # the last working day is Fri 28 Aug.
        self.assertEqual(
            self.due_rows("--activity", "collaborative_audit"),
            [("pm1", "2026-08-28", "upcoming", None, None)])
        # Within 7 days of Fri 21 Aug (up to the 28th): due; as of Thu 20
        # Aug (up to the 27th): upcoming; Sat 29 Aug: overdue.
        for as_of, status in [("2026-08-20", "upcoming"),
                              ("2026-08-21", "due"),
                              ("2026-08-28", "due"),
                              ("2026-08-29", "overdue")]:
            self.assertEqual(
                self.due_rows("--activity", "collaborative_audit",
                              "--as-of", as_of),
                [("pm1", "2026-08-28", status, None, None)], as_of)
        # The series ahead, month by month: Sep 30 is a Wednesday; Oct 31
        # is a Saturday->Fri 30 Oct; Nov 30 is a Monday; Dec 31 is a
        # Thursday (not a holiday); Jan 31 2027 is a Sunday->Fri 29 Jan.
        dates = [d for (d,) in self.query(
            "SELECT start_date FROM occurrences WHERE activity ="
            " 'collaborative_audit' AND subject = 'pm1'"
            " AND status <> 'cancelled' ORDER BY start_date")]
        self.assertEqual(dates[:6], ["2026-08-28", "2026-09-30",
                                     "2026-10-30", "2026-11-30",
                                     "2026-12-31", "2027-01-29"])

        # One done in August (Fri 7 Aug) completes August: the next is due
        # at the end of September, Wed 30 Sep.
        self.record("collaborative_audit", "--staff", "pm1",
                    "--practitioner", "sw1", "--date", "2026-08-07",
                    "--grade", "good")
        self.assertEqual(
            self.due_rows("--activity", "collaborative_audit"),
            [("pm1", "2026-09-30", "upcoming", "2026-08-07", None)])
        # ... and gives sw1 an audit action 28 days after: 7 Aug + 24 = 31
        # Aug, +4 = Fri 4 Sep. In sw1's line manager's view too.
        self.assertEqual(
            self.due_rows("--activity", "audit_action"),
            [("sw1", "2026-09-04", "upcoming", None, None)])
        self.assertEqual(
            [(r["staff_id"], r["manager_id"]) for r in self.due(
                "--manager", "pm1", "--activity", "audit_action")],
            [("sw1", "pm1")])

    # -- audit actions --

    def test_audit_actions_deadlines_and_closing(self):
        # Today Fri 10 Apr 2026, a week after Easter.
        self.at("2026-04-10")
        self.add("gm1", "group_manager")
        self.add("pm1", "practice_manager", "FS1", "gm1")
        self.add("pm2", "practice_manager", "FS1", "gm1")
        for sw in ("sw1", "sw2", "sw3", "sw4", "sw5"):
            self.add(sw, "social_worker", "FS1", "pm1")
        # pm1 added in April: April's audit is due by Thu 30 Apr.
        self.assertEqual(
            self.due_rows("--activity", "collaborative_audit"),
            [("pm1", "2026-04-30", "upcoming", None, None),
             ("pm2", "2026-04-30", "upcoming", None, None)])

        # Inadequate + safeguarding on Thu 2 Apr: 5 working days after,
        # skipping Good Friday (3 Apr), the weekend and Easter Monday (6
        # Apr): Tue 7 (1), Wed 8 (2), Thu 9 (3), Fri 10 (4), Mon 13 (5).
        self.record("collaborative_audit", "--staff", "pm1",
                    "--practitioner", "sw1", "--date", "2026-04-02",
                    "--grade", "inadequate", "--safeguarding")
        # Legacy 2 is inadequate: the same 5-working-day rule.
        self.record("collaborative_audit", "--staff", "pm1",
                    "--practitioner", "sw2", "--date", "2026-04-02",
                    "--grade", "2", "--safeguarding")
        # Legacy 5 is requires improvement: 28 days even with a
        # safeguarding concern: 2 Apr + 28 = Thu 30 Apr.
        self.record("collaborative_audit", "--staff", "pm2",
                    "--practitioner", "sw3", "--date", "2026-04-02",
                    "--grade", "5", "--safeguarding")
        # Inadequate without a safeguarding concern: 28 days: Wed 1 Apr +
        # 28 = Wed 29 Apr.
        self.record("collaborative_audit", "--staff", "pm2",
                    "--practitioner", "sw4", "--date", "2026-04-01",
                    "--grade", "inadequate")
        self.assertEqual(self.query(
            "SELECT practitioner_id, grade, safeguarding FROM completions"
            " WHERE activity = 'collaborative_audit' ORDER BY id"),
            [("sw1", "inadequate", 1), ("sw2", "inadequate", 1),
             ("sw3", "requires_improvement", 1), ("sw4", "inadequate", 0)])

        # As of today, --within 7 reaches Fri 17 Apr.
        self.assertEqual(
            self.due_rows("--activity", "audit_action"),
            [("sw1", "2026-04-13", "due", None, None),
             ("sw2", "2026-04-13", "due", None, None),
             ("sw4", "2026-04-29", "upcoming", None, None),
             ("sw3", "2026-04-30", "upcoming", None, None)])
        # Overdue the day after its deadline.
        self.assertEqual(
            self.due_rows("--activity", "audit_action", "--as-of",
                          "2026-04-14")[:2],
            [("sw1", "2026-04-13", "overdue", None, None),
             ("sw2", "2026-04-13", "overdue", None, None)])
        # The practitioners' line manager sees them.
        self.assertEqual(
            {r["staff_id"] for r in self.due("--manager", "pm1",
                                             "--activity", "audit_action")},
            {"sw1", "sw2", "sw3", "sw4"})
        # Each audit completed its auditor's April: next due by the last
        # working day of May: Sun 31, Sat 30->Fri 29 May.
        self.assertEqual(
            self.due_rows("--activity", "collaborative_audit"),
            [("pm1", "2026-05-29", "upcoming", "2026-04-02", None),
             ("pm2", "2026-05-29", "upcoming", "2026-04-02", None)])

        # Closing sw1's action on Thu 9 Apr.
        self.record("audit_action", "--staff", "sw1", "--date", "2026-04-09")
        self.assertEqual(
            [r[0] for r in self.due_rows("--activity", "audit_action")],
            ["sw2", "sw4", "sw3"])
        self.assertEqual(self.query(
            "SELECT start_date, done_on FROM occurrences WHERE activity ="
            " 'audit_action' AND subject = 'sw1'"),
            [("2026-04-13", "2026-04-09")])

        # Nothing left to close for sw1; sw5 never had an audit; sw3's
        # audit was on 2 Apr, so there was nothing open on 1 Apr.
        before = self.snapshot()
        for sw, day in [("sw1", "2026-04-10"), ("sw5", "2026-04-10"),
                        ("sw3", "2026-04-01")]:
            self.fails(["record", "audit_action", "--staff", sw, "--date",
                        day], [sw, "no open audit action"])
            self.assertEqual(self.snapshot(), before, sw)

    def test_safeguarding_action_over_christmas(self):
        # Today Wed 23 Dec 2026.
        self.at("2026-12-23")
        self.add("gm1", "group_manager")
        self.add("pm1", "practice_manager", "FS1", "gm1")
        self.add("sw1", "social_worker", "FS1", "pm1")
        # Tue 22 Dec, inadequate with a safeguarding concern: Wed 23 (1),
        # Thu 24 (2), Fri 25 Christmas, weekend, Mon 28 Boxing Day
        # (substitute), Tue 29 (3), Wed 30 (4), Thu 31 Dec (5).
        self.record("collaborative_audit", "--staff", "pm1",
                    "--practitioner", "sw1", "--date", "2026-12-22",
                    "--grade", "inadequate", "--safeguarding")
        # 23 + 7 = 30 Dec: one day short; 23 + 8 reaches it.
        self.assertEqual(self.due_rows("--activity", "audit_action"),
                         [("sw1", "2026-12-31", "upcoming", None, None)])
        self.assertEqual(self.due_rows("--activity", "audit_action",
                                       "--within", "8"),
                         [("sw1", "2026-12-31", "due", None, None)])
        # December's audit done: January 2027 ends Sun 31, Sat 30 -> Fri 29.
        self.assertEqual(
            self.due_rows("--activity", "collaborative_audit"),
            [("pm1", "2027-01-29", "upcoming", "2026-12-22", None)])

    # -- next --

    def test_next_supervision_across_clocks_going_forward(self):
        # Fri 20 Mar 2026. Clocks go forward at 01:00 UTC on Sun 29 Mar.
        self.at("2026-03-20")
        self.add("gm1", "group_manager")
        self.add("pm1", "practice_manager", "FS1", "gm1")
        self.add("sw1", "social_worker", "FS1", "pm1", "2026-01-05")
        # Weekly phase (until 5 Jul): Mon 16 Mar->Mon 23 Mar (GMT, UTC+0),
        # Mon 30 Mar (BST, UTC+1), Mon 6 Apr is Easter Monday, so that one
        # is shown on the previous working day: Fri 3 Apr is Good Friday,
        # so Thu 2 Apr.
        self.record("supervision", "--staff", "sw1", "--date", "2026-03-16")
        self.assertEqual(
            self.next_events("supervision", "--staff", "sw1", "--count",
                             "3"),
            [("Mon", "2026-03-23", "10:00", "+00:00",
              "Mon", "2026-03-23", "10:00"),
             ("Mon", "2026-03-30", "10:00", "+01:00",
              "Mon", "2026-03-30", "09:00"),
             ("Thu", "2026-04-02", "10:00", "+01:00",
              "Thu", "2026-04-02", "09:00")])
        self.assertEqual(len(self.next_events(
            "supervision", "--staff", "sw1", "--count", "1")), 1)
        # The stored instants agree.
        stored = dict(self.query(
            "SELECT start_date, dtstart_utc FROM occurrences WHERE"
            " activity = 'supervision' AND subject = 'sw1' AND status ="
            " 'tentative' AND start_date IN ('2026-03-23', '2026-03-30')"))
        self.assertEqual(stored, {"2026-03-23": utc_epoch("2026-03-23 10:00"),
                                  "2026-03-30": utc_epoch("2026-03-30 09:00")})

    def test_next_supervision_across_clocks_going_back(self):
        # Fri 16 Oct 2026. Clocks go back at 01:00 UTC on Sun 25 Oct.
        self.at("2026-10-16")
        self.add("gm1", "group_manager")
        self.add("pm1", "practice_manager", "FS1", "gm1")
        self.add("sw1", "social_worker", "FS1", "pm1", "2026-10-05")
        # Weekly: Mon 12 Oct->Mon 19 Oct (BST)->Mon 26 Oct (GMT).
        self.record("supervision", "--staff", "sw1", "--date", "2026-10-12")
        self.assertEqual(
            self.next_events("supervision", "--staff", "sw1", "--count",
                             "2"),
            [("Mon", "2026-10-19", "10:00", "+01:00",
              "Mon", "2026-10-19", "09:00"),
             ("Mon", "2026-10-26", "10:00", "+00:00",
              "Mon", "2026-10-26", "10:00")])

    def test_next_local_time_in_the_spring_gap_moves_forward(self):
        # A board at 01:30 on 29 March: on Sun 29 Mar 2026 London's clocks
        # jump from 01:00 GMT to 02:00 BST, so 01:30 does not exist there.
        # It moves forward by the gap, never dropped: 02:30 BST, which is
        # 01:30 UTC.On Mon 29 Mar 2027 (clocks changed on the 28th) 01:30
        # BST is 00:30 UTC. (A Sunday meeting is kept where the rule puts
        # it only with on_non_working_day = keep.)
        self.ws.write_config("""
[activity.corporate_parenting_board]
rrule = FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=29
time = 01:30
on_non_working_day = keep
""")
        self.at("2026-03-20")
        self.assertEqual(
            self.next_events("corporate_parenting_board", "--count", "2"),
            [("Sun", "2026-03-29", "02:30", "+01:00",
              "Sun", "2026-03-29", "01:30"),
             ("Mon", "2027-03-29", "01:30", "+01:00",
              "Mon", "2027-03-29", "00:30")])

    def test_next_practice_week(self):
        self.at("2026-03-20")
        # The 2nd Monday: 1 Mar 2026 is a Sunday, so Mondays 2, 9->9 Mar;
        # 1 Sep 2026 a Tuesday: 7, 14->14 Sep; 1 Mar 2027 a Monday: 1, 8
        # ->8 Mar; 1 Sep 2027 a Wednesday: 6, 13->13 Sep. Mon-Fri.
        def weeks(*args):
            out = self.ok("next", "practice_week", *args).stdout
            found = [NEXT_ALLDAY.match(x) for x in out.splitlines()]
            self.assertTrue(all(found), out)
            return [m.groups() for m in found]

        self.assertEqual(weeks("--count", "3"),
                         [("Mon", "2026-09-14", "5"),
                          ("Mon", "2027-03-08", "5"),
                          ("Mon", "2027-09-13", "5")])
        self.assertEqual(weeks("--from", "2026-03-01", "--count", "2"),
                         [("Mon", "2026-03-09", "5"),
                          ("Mon", "2026-09-14", "5")])

    def test_next_when_nothing_is_left(self):
        self.at("2026-03-20")
        self.add("gm1", "group_manager")
        self.add("sw1", "social_worker", "FS1", "gm1")
        self.ok("staff", "leave", "--id", "sw1")
        # Left today: no session from tomorrow.
        r = self.ok("next", "supervision", "--staff", "sw1", "--from",
                    "2026-03-21")
        self.assertIn("no occurrence of supervision from 2026-03-21",
                      r.stdout)

    # -- reconciliation --

    def test_reconciliation_keeps_uids_and_leave_cancels(self):
        # Fri 20 Mar 2026; supervision projected six months ahead, to 20 Sep.
        self.at("2026-03-20")
        self.add("gm1", "group_manager")
        self.add("pm1", "practice_manager", "FS1", "gm1")
        self.add("sw1", "social_worker", "FS1", "pm1", "2026-01-05")
        self.add("sw2", "social_worker", "FS1", "pm1")
        # sw2, experienced, added today, nothing recorded: s1 due today,
        # then every 28 days: 17 Apr, 15 May, 12 Jun, 10 Jul, 7 Aug, 4 Sep
        # (all Fridays, none a holiday); 2 Oct is past 20 Sep.
        before = self.occurrences("supervision", "sw2")
        self.assertEqual(
            {
k: v[2] for k, v in before.items() if v[1] == "tentative"},
            {"s1": "2026-03-20", "s2": "2026-04-17", "s3": "2026-05-15",
             "s4": "2026-06-12", "s5": "2026-07-10", "s6": "2026-08-07",
             "s7": "2026-09-04"})
        pm1_before = self.occurrences("supervision", "pm1")

        # A session on Wed 18 Mar: the next is 28 days later, Wed 15 Apr,
        # then 13 May, 10 Jun, 8 Jul, 5 Aug, 2 Sep (30 Sep is past 20 Sep).
        # The projected s1 becomes the held session (confirmed, on 18 Mar);
        # s2..s7 move. Every one keeps its UID and its sequence goes up by
        # one, so calendars move the events rather than replace them.
        self.record("supervision", "--staff", "sw2", "--date", "2026-03-18")
        after = self.occurrences("supervision", "sw2")
        moved = {"s2": "2026-04-15", "s3": "2026-05-13", "s4": "2026-06-10",
                 "s5": "2026-07-08", "s6": "2026-08-05", "s7": "2026-09-02"}
        self.assertEqual(
            {
k: v[2] for k, v in after.items() if v[1] == "tentative"},
            moved)
        self.assertEqual(after["s1"][1:3], ("confirmed", "2026-03-18"))
        self.assertEqual(set(after), set(before))
        for key in ["s1"] + list(moved):
            self.assertEqual(after[key][0], before[key][0], key)  # uid
            self.assertNotEqual(after[key][2], before[key][2], key)
            self.assertEqual(after[key][3], before[key][3] + 1, key)
        self.assertEqual(self.query(
            "SELECT occ_key, start_date, status FROM occurrences WHERE"
            " activity = 'supervision' AND subject = 'sw2' AND done_on ="
            " '2026-03-18'"), [("s1", "2026-03-18", "confirmed")])
        self.assertEqual(len({v[0] for v in after.values()}), len(after))
        # Someone else's series is untouched.
        self.assertEqual(self.occurrences("supervision", "pm1"), pm1_before)

        # Regenerating with nothing changed changes nothing.
        self.add("sw2", "social_worker", "FS1", "pm1")
        self.assertEqual(self.occurrences("supervision", "sw2"), after)

        def live(subject, after_day):
            return self.query(
                "SELECT activity, occ_key, uid, sequence FROM occurrences"
                " WHERE subject = ? AND status <> 'cancelled' AND"
                " start_date > ? ORDER BY uid", subject, after_day)

        def rows_of(subject):
            return self.query(
                "SELECT uid, status, start_date, sequence FROM occurrences"
                " WHERE subject = ? ORDER BY uid", subject)

        # sw2 leaves today: everything after today is cancelled; what was
        # held stays.
        self.assertTrue(live("sw2", "2026-03-20"))
        self.ok("staff", "leave", "--id", "sw2")
        self.assertEqual(live("sw2", "2026-03-20"), [])
        self.assertEqual(self.occurrences("supervision", "sw2")["s2"][1],
                         "cancelled")
        self.assertEqual(self.query(
            "SELECT status FROM occurrences WHERE activity = 'supervision'"
            " AND subject = 'sw2' AND done_on = '2026-03-18'"),
            [("confirmed",)])
        # sw2 no longer shows in `due`.
        self.assertNotIn("sw2", {r["staff_id"] for r in self.due()})

        # sw1 will leave on Wed 22 Apr: what falls after is cancelled, what
        # falls before stays as it was.
        sw1_before = rows_of("sw1")
        staying = [r for r in sw1_before if r[2] <= "2026-04-22"]
        self.assertTrue(live("sw1", "2026-04-22"))
        self.assertTrue([r for r in staying if r[1] != "cancelled"])
        self.ok("staff", "leave", "--id", "sw1", "--date", "2026-04-22")
        self.assertEqual(live("sw1", "2026-04-22"), [])
        self.assertEqual([r for r in rows_of("sw1") if r[2] <= "2026-04-22"],
                         staying)
        self.assertEqual(self.occurrences("supervision", "pm1"), pm1_before)

    # -- bad input --

    def test_bad_input_is_refused_and_changes_nothing(self):
        # Mon 2 Mar 2026: swl joins and will leave on Fri 6 Mar.
        self.at("2026-03-02")
        self.add("gm1", "group_manager")
        self.add("pm1", "practice_manager", "FS1", "gm1")
        self.add("sw1", "social_worker", "FS1", "pm1")
        self.add("sw2", "social_worker", "FS1", "pm1")
        self.add("swl", "social_worker", "FS1", "pm1")
        self.ok("staff", "leave", "--id", "swl", "--date", "2026-03-06")
        # Fri 10 Apr 2026.
        self.at("2026-04-10")
        self.record("supervision", "--staff", "sw1", "--date", "2026-04-08")
        self.record("collaborative_audit", "--staff", "pm1",
                    "--practitioner", "sw2", "--date", "2026-04-01",
                    "--grade", "good")
        self.ok("due")
        before = self.snapshot()
        self.assertEqual(before[0]["completions"], 2)

        audit = ["record", "collaborative_audit", "--staff", "pm1",
                 "--practitioner", "sw1", "--date", "2026-04-02"]
        user_errors = [
            (["record", "frobnication", "--staff", "sw1", "--date",
              "2026-04-01"], ["frobnication"]),
            (["record", "supervision", "--staff", "nobody", "--date",
              "2026-04-01"], ["nobody"]),
            (["record", "supervision", "--staff", "sw1", "--date",
              "2026-04-11"], ["2026-04-11", "future"]),
            (["record", "supervision", "--staff", "sw1", "--date",
              "2027-01-01"], ["2027-01-01", "future"]),
            # swl left on Fri 6 Mar; a session on Mon 9 Mar is refused.
            (["record", "supervision", "--staff", "swl", "--date",
              "2026-03-09"], ["2026-03-09", "swl", "2026-03-06"]),
            (["record", "supervision", "--staff", "sw1", "--date",
              "2026-02-30"], ["2026-02-30"]),
            (["record", "supervision", "--staff", "sw1", "--date",
              "10/04/2026"], ["10/04/2026"]),
            (audit + ["--grade", "excellent"], ["excellent"]),
            (audit + ["--grade", "11"], ["\"11\""]),
            (audit + ["--grade", "-1"], ["\"-1\""]),
            (audit + ["--grade", "2.5"], ["2.5"]),
            (audit, ["--grade"]),
            (["record", "collaborative_audit", "--staff", "pm1", "--date",
              "2026-04-02", "--grade", "good"], ["--practitioner"]),
            (["record", "collaborative_audit", "--staff", "pm1",
              "--practitioner", "ghost", "--date", "2026-04-02", "--grade",
              "good"], ["ghost"]),
            # An audit is recorded against a practice manager.
            (["record", "collaborative_audit", "--staff", "sw1",
              "--practitioner", "sw2", "--date", "2026-04-02", "--grade",
              "good"], ["collaborative_audit", "sw1"]),
            (["record", "supervision", "--staff", "sw1", "--date",
              "2026-04-02", "--practitioner", "sw2"], ["--practitioner"]),
            (["record", "supervision", "--staff", "sw1", "--date",
              "2026-04-02", "--grade", "good"], ["--grade"]),
            (["record", "supervision", "--staff", "sw1", "--date",
              "2026-04-02", "--safeguarding"], ["--safeguarding"]),
            # gm1 has no line manager: no supervision to record.
            (["record", "supervision", "--staff", "gm1", "--date",
              "2026-04-02"], ["gm1"]),
            # Duplicates.
            (["record", "supervision", "--staff", "sw1", "--date",
              "2026-04-08"], ["sw1", "2026-04-08", "already recorded"]),
            (["record", "collaborative_audit", "--staff", "pm1",
              "--practitioner", "sw2", "--date", "2026-04-01", "--grade",
              "good"], ["2026-04-01", "already recorded"]),
            (["due", "--within", "-1"], ["--within", "-1"]),
            (["due", "--within", "soon"], ["--within", "soon"]),
            (["due", "--manager", "nobody"], ["--manager", "nobody"]),
            (["due", "--activity", "frobnication"], ["frobnication"]),
            (["due", "--as-of", "2026-02-30"], ["--as-of", "2026-02-30"]),
            (["next", "frobnication"], ["frobnication"]),
            (["next", "supervision"], ["supervision", "--staff"]),
            (["next", "supervision", "--staff", "nobody"], ["nobody"]),
            (["next", "supervision", "--staff", "gm1"], ["gm1"]),
            (["next", "supervision", "--staff", "sw1", "--count", "-1"],
             ["--count", "-1"]),
            (["next", "supervision", "--staff", "sw1", "--from",
              "2026-02-30"], ["--from", "2026-02-30"]),
        ]
        for args, needles in user_errors:
            with self.subTest(args=args):
                self.fails(args, needles)
                self.assertEqual(self.snapshot(), before)

        # Several problems at once: one line each, nothing stored.
        r = self.run_cli("record", "collaborative_audit", "--staff", "pm1",
                         "--practitioner", "ghost", "--date", "2026-04-11",
                         "--grade", "excellent")
        self.assertEqual(r.returncode, 1, r.stderr)
        for needle in ("ghost", "2026-04-11", "excellent"):
            self.assertIn(needle, r.stderr)
        self.assertGreaterEqual(len(r.stderr.strip().splitlines()), 3)
        self.assertEqual(self.snapshot(), before)

        # Usage errors: exit 2. A --format outside table|json|csv is one,
        # as for `staff list`.
        usage_errors = [
            ["record", "supervision", "--staff", "sw1"],
            ["record", "supervision", "--date", "2026-04-02"],
            ["record", "--staff", "sw1", "--date", "2026-04-02"],
            ["record", "supervision", "dip_sample", "--staff", "sw1",
             "--date", "2026-04-02"],
            ["record", "supervision", "--staff", "sw1", "--date",
             "2026-04-02", "--frob"],
            ["due", "--format", "xml"],
            ["due", "extra"],
            ["due", "--within"],
            ["next"],
            ["next", "supervision", "practice_week"],
        ]
        for args in usage_errors:
            with self.subTest(args=args):
                r = self.fails(args, [], code=2, one_line=False)
                if "--format" in args:
                    self.assertIn("xml", r.stderr)
                self.assertEqual(self.snapshot(), before)


if __name__ == "__main__":
    qa.main()
