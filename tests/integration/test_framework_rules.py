"""Issue 6's readings of the framework through the real binary: one owner
for a series shared by its audience (LADO audit, themed audits, the QA
quarterly report), Regulation 44 visits per home, timed meetings off
non-working days, supervision's 90-120 minutes, a first supervision never
before the day someone was added, and group reflective practice in the
development leads' feeds.

Expected dates are worked out by hand in the comments. Bank holidays used
(calendars/england-and-wales-bank-holidays.ics): 2026 Fri 3 Apr (Good
Friday), Mon 6 Apr (Easter Monday), Mon 4 May, Mon 25 May, Mon 31 Aug, Fri 25
Dec, Mon 28 Dec (Boxing Day substitute). Commands run at a faked instant
(test_cli_schedule.py explains libfaketime with ASan)."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402


def summaries(ics):
    """SUMMARY values of a feed (unfolded; the CLI's CRLFs come as \\n)."""
    text = re.sub(r"\n[ \t]", "", ics.replace("\r\n", "\n"))
    return re.findall(r"^SUMMARY:(.*)$", text, flags=re.M)


def starts(ics, summary_prefix):
    """The DTSTART lines of the events whose SUMMARY starts with prefix."""
    text = re.sub(r"\n[ \t]", "", ics.replace("\r\n", "\n"))
    found = []
    for block in text.split("BEGIN:VEVENT\n")[1:]:
        m = re.search(r"^SUMMARY:(.*)$", block, flags=re.M)
        if m and m.group(1).startswith(summary_prefix):
            found.append(re.search(r"^DTSTART[^\n]*", block,
                                   flags=re.M).group(0))
    return sorted(found)


class FrameworkRulesTest(qa.ClockedCliTest):

    # -- items 2 and 4: one owner for a shared series' deadlines --

    def qa_office(self):
        """Added Mon 2 Nov 2026: sl1, the safeguarding lead; qa1 and qa2
        of the QA team; all managed by ad1. Then Fri 27 Nov 2026."""
        self.at("2026-11-02")
        self.add("ad1", "assistant_director", "SLT")
        self.add("sl1", "safeguarding_lead", "QA", "ad1")
        self.add("qa1", "qa_team", "QA", "ad1")
        self.add("qa2", "qa_team", "QA", "ad1")
        self.at("2026-11-27")

    def rows(self, activity, *args):
        return [(r["staff_id"], r["due"], r["status"], r["last_done"])
                for r in self.due("--activity", activity, *args)]

    def test_lado_audit_is_owed_by_one_officer(self):
        self.qa_office()
        # One row, the safeguarding lead's (the first of its roles): the
        # Q4 themes and trends report, due Thu 31 Dec 2026. 0.1.0 gave one
        # row to each of sl1, qa1 and qa2, each with its own reminders.
        self.assertEqual(self.rows("lado_audit"),
                         [("sl1", "2026-12-31", "upcoming", None)])
        # Everyone it concerns sees it in their feed, once.
        for who in ("sl1", "qa1", "qa2"):
            with self.subTest(feed=who):
                mine = [x for x in summaries(
                    self.ok("export", "--staff", who).stdout)
                    if x.startswith("LADO")]
                # Feeds hold 90 days back to 12 months ahead: Q3 2026 (Wed
                # 30 Sep), Q4, then the Q1 2027 report holding the annual
                # audit (audit_month 3), Q2 and Q3 2027 (Q4's 31 Dec 2027
                # is past the window).
                self.assertEqual(
                    mine, ["LADO themes and trends report",
                           "LADO themes and trends report",
                           "LADO annual audit and themes and trends report",
                           "LADO themes and trends report",
                           "LADO themes and trends report"])
        # A report recorded by one of the QA team completes it for the
        # owner: next, Q1 2027, Wed 31 Mar 2027.
        out = self.record("lado_audit", "--staff", "qa2", "--date",
                          "2026-11-27").stdout
        self.assertEqual(out, "lado_audit recorded: qa2 on 2026-11-27; "
                         "next due 2027-03-31\n")
        self.assertEqual(self.rows("lado_audit"),
                         [("sl1", "2027-03-31", "upcoming", "2026-11-27")])
        # Overdue, and escalating, the day after: as of Thu 1 Apr 2027.
        self.assertEqual(self.rows("lado_audit", "--as-of", "2027-04-01"),
                         [("sl1", "2027-03-31", "overdue", "2026-11-27")])

        # The accountable officer can be named; the CLI takes the change on
        # the next day's first command (the daemon on its reload).
        self.ws.write_config("[activity.lado_audit]\nowner = qa2\n")
        self.at("2026-11-30")
        self.assertEqual(self.rows("lado_audit"),
                         [("qa2", "2027-03-31", "upcoming", "2026-11-27")])

    def test_team_deadlines_are_due_against_their_owner(self):
        self.qa_office()
        # Both QA team activities are due against qa1, the lowest id of the
        # two holding qa_team: the Q4 report by Thu 31 Dec 2026; the next
        # themed audit in January 2027 (no theme in Nov or Dec), by Fri 29
        # Jan 2027 (Sun 31, Sat 30).
        self.assertEqual(self.rows("qa_quarterly_report"),
                         [("qa1", "2026-12-31", "upcoming", None)])
        self.assertEqual(self.rows("themed_audit"),
                         [("qa1", "2027-01-29", "upcoming", None)])
        # They can be overdue: the report on Mon 4 Jan 2027.
        self.assertEqual(
            self.rows("qa_quarterly_report", "--as-of", "2027-01-04"),
            [("qa1", "2026-12-31", "overdue", None)])
        # check-config names the two who could own them.
        r = self.ok("check-config")
        for activity in ("themed_audit", "qa_quarterly_report"):
            self.assertRegex(r.stderr, rf"warning: {activity}: 2 people hold "
                             r"its lead role \(qa1, qa2\); qa1 owns")
        self.assertNotIn("lado_audit", r.stderr)

        # Named in the config, qa2 owns the report from the next run (Mon
        # 30 Nov, the CLI's first command of the day).
        self.ws.write_config("[activity.qa_quarterly_report]\n"
                             "owner = qa2\n")
        self.at("2026-11-30")
        r = self.ok("check-config")
        self.assertNotIn("qa_quarterly_report", r.stderr)
        self.assertEqual(self.rows("qa_quarterly_report"),
                         [("qa2", "2026-12-31", "upcoming", None)])
        self.assertEqual(self.rows("themed_audit"),
                         [("qa1", "2027-01-29", "upcoming", None)])
        # In qa2's feed each report once, though qa2 both owns it and is of
        # the QA team: Q3 2026 (90 days back) to Q3 2027 (12 months on).
        mine = [x for x in summaries(self.ok("export", "--staff",
                                             "qa2").stdout)
                if x.startswith("QA quarterly report")]
        self.assertEqual(len(mine), 5)
        # An owner outside the audience sees it too: ad1.
        self.ws.write_config("[activity.qa_quarterly_report]\n"
                             "owner = ad1\n")
        self.at("2026-12-01")
        self.assertEqual(self.rows("qa_quarterly_report"),
                         [("ad1", "2026-12-31", "upcoming", None)])
        theirs = [x for x in summaries(self.ok("export", "--staff",
                                               "ad1").stdout)
                  if x.startswith("QA quarterly report")]
        self.assertEqual(len(theirs), 5)
        # The owner can record it, though it is for the QA team; someone
        # else outside the team still cannot.
        self.fails(["record", "qa_quarterly_report", "--staff", "sl1",
                    "--date", "2026-12-01"], ["does not concern sl1"])
        self.record("qa_quarterly_report", "--staff", "ad1", "--date",
                    "2026-12-01")
        self.assertEqual(self.rows("qa_quarterly_report"),
                         [("ad1", "2027-03-31", "upcoming", "2026-12-01")])

        # Someone who is not in post cannot be the owner.
        self.ws.write_config("[activity.qa_quarterly_report]\n"
                             "owner = nobody\n")
        r = self.run_cli("check-config")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stderr, re.escape(self.ws.config) +
                         r":\d+: \[activity\.qa_quarterly_report\] owner = "
                         r"nobody: nobody in post")
        self.ws.write_config("[activity.qa_quarterly_report]\n"
                             "owner = not an id\n")
        r = self.run_cli("check-config")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("not a staff id", r.stderr)
        # owner belongs to shared series of deadlines only: not to a
        # person's series, nor to a board, which has no deadline.
        for activity in ("supervision", "corporate_parenting_board"):
            self.ws.write_config(f"[activity.{activity}]\nowner = qa1\n")
            r = self.run_cli("check-config")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn('unknown key "owner"', r.stderr)

    # -- item 3: Regulation 44 visits per home --

    def test_reg44_visit_counts_for_its_home(self):
        # res1 added Mon 5 Jan 2026. Oak House is due by Fri 31 Jul 2026,
        # Birch Lodge by Wed 30 Sep 2026 (both inside the six months the
        # schedule keeps behind today, Fri 27 Nov 2026).
        self.ws.write_config("[activity.reg44_visit]\n"
                             "placements = Oak House=7; Birch Lodge=9\n")
        self.at("2026-01-05")
        self.add("ad1", "assistant_director", "SLT")
        self.add("res1", "qa_residential_lead", "QA", "ad1")
        self.at("2026-11-27")
        before = self.snapshot()
        self.fails(["record", "reg44_visit", "--staff", "res1", "--date",
                    "2026-09-10"], ["--home", '"Oak House"',
                                    '"Birch Lodge"'])
        self.fails(["record", "reg44_visit", "--staff", "res1", "--date",
                    "2026-09-10", "--home", "Elm Court"],
                   ['"Elm Court"', '"Oak House"', '"Birch Lodge"'])
        self.fails(["record", "supervision", "--staff", "res1", "--date",
                    "2026-09-10", "--home", "Oak House"], ["--home"])
        self.assertEqual(self.snapshot(), before)
        # Birch Lodge visited Thu 10 Sep (typed loosely): Oak House stays
        # overdue. (0.1.0, given the home in the note, gave the visit to
        # Oak House, due soonest, and left Birch Lodge overdue.)
        out = self.record("reg44_visit", "--staff", "res1", "--date",
                          "2026-09-10", "--home", "birch lodge").stdout
        self.assertEqual(out, "reg44_visit recorded: res1 on 2026-09-10 at "
                         "Birch Lodge; next due 2026-07-31\n")
        self.assertEqual(self.query(
            "SELECT home FROM completions WHERE activity = 'reg44_visit'"),
            [("Birch Lodge",)])
        [row] = self.due("--activity", "reg44_visit")
        self.assertEqual((row["due"], row["status"], row["home"]),
                         ("2026-07-31", "overdue", "Oak House"))
        self.assertEqual(self.query(
            "SELECT occ_key, done_on FROM occurrences WHERE activity ="
            " 'reg44_visit' ORDER BY start_date"),
            [("oak-house-2026", None), ("birch-lodge-2026", "2026-09-10"),
             ("oak-house-2027", None), ("birch-lodge-2027", None)])
        # Oak House visited Fri 20 Nov: too late for July's visit, which
        # stays missed, but it is next year's (due Fri 30 Jul 2027: Sat 31).
        # Nothing at either home is open before Birch Lodge's Thu 30 Sep
        # 2027.
        self.record("reg44_visit", "--staff", "res1", "--date", "2026-11-20",
                    "--home", "OAK-HOUSE")
        [row] = self.due("--activity", "reg44_visit")
        self.assertEqual((row["due"], row["status"], row["home"]),
                         ("2027-09-30", "upcoming", "Birch Lodge"))
        # The CSV carries the home too; other rows have none.
        csv = self.ok("due", "--format", "csv").stdout.splitlines()
        self.assertTrue(csv[0].endswith(",phase,home"), csv[0])
        # Its last visit is Birch Lodge's own, 10 Sep, not Oak House's.
        self.assertIn("res1,Person res1,QA,ad1,reg44_visit,2027-09-30,"
                      "2026-09-10,upcoming,,Birch Lodge", csv)
        for r in self.due():
            if r["activity"] != "reg44_visit":
                self.assertIsNone(r["home"], r)

    # -- item 6: timed meetings off non-working days --

    def test_meetings_move_off_non_working_days(self):
        self.at("2026-03-10")
        rule = "[activity.performance_meeting]\nrrule = FREQ=MONTHLY;BYDAY=1MO\n"
        moved = re.compile(r"\(moved from (\w{3} \d{4}-\d\d-\d\d), not a "
                           r"working day\)$")

        def meetings(extra=""):
            self.ws.write_config(rule + extra)
            out = self.ok("next", "performance_meeting", "--from",
                          "2026-03-10", "--count", "3").stdout
            got = []
            for line in out.splitlines():
                m = moved.search(line)
                got.append((line[:14], m.group(1) if m else None))
            return got

        # The first Mondays of April and May 2026 are Easter Monday and the
        # May bank holiday. previous (the default): Thu 2 Apr (Fri 3 is Good
        # Friday), Fri 1 May; then Mon 1 Jun.
        self.assertEqual(meetings(), [
            ("Thu 2026-04-02", "Mon 2026-04-06"),
            ("Fri 2026-05-01", "Mon 2026-05-04"),
            ("Mon 2026-06-01", None)])
        self.assertEqual(meetings("on_non_working_day = previous\n"),
                         meetings())
        # next: Tue 7 Apr, Tue 5 May.
        self.assertEqual(meetings("on_non_working_day = next\n"), [
            ("Tue 2026-04-07", "Mon 2026-04-06"),
            ("Tue 2026-05-05", "Mon 2026-05-04"),
            ("Mon 2026-06-01", None)])
        self.assertEqual(meetings("on_non_working_day = keep\n"), [
            ("Mon 2026-04-06", None), ("Mon 2026-05-04", None),
            ("Mon 2026-06-01", None)])
        # A rule on the 1st of the month lands on Sun 1 Feb and Sun 1 Mar
        # 2026: Fri 30 Jan, Fri 27 Feb.
        self.ws.write_config("[activity.performance_meeting]\n"
                             "rrule = FREQ=MONTHLY;BYMONTHDAY=1\n")
        self.at("2026-01-10")
        lines = self.ok("next", "performance_meeting", "--count",
                        "2").stdout.splitlines()
        self.assertEqual([x[:14] for x in lines],
                         ["Fri 2026-01-30", "Fri 2026-02-27"])
        # The feed shows the meeting on the day it is held, 10:00 local.
        self.add("sl1", "service_lead", "SLT")
        self.assertEqual(
            [x for x in starts(self.ok("export", "--staff", "sl1").stdout,
                               "Service performance meeting")
             if "2026011" < x.split(":")[1] < "20260310"],
            ["DTSTART;TZID=Europe/London:20260130T100000",
             "DTSTART;TZID=Europe/London:20260227T100000"])
        # A bad value is refused with its file and line.
        self.ws.write_config("[activity.performance_meeting]\n"
                             "on_non_working_day = sometimes\n")
        r = self.run_cli("check-config")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stderr, re.escape(self.ws.config) +
                         r":\d+: \[activity\.performance_meeting\] "
                         r"on_non_working_day = \"sometimes\": use previous,"
                         r" next or keep")
        # Only activities with a rule have it.
        self.ws.write_config("[activity.dip_sample]\n"
                             "on_non_working_day = next\n")
        r = self.run_cli("check-config")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('unknown key "on_non_working_day"', r.stderr)

    # -- item 7: supervision is 90-120 minutes --

    def test_supervision_duration_outside_90_to_120_is_refused(self):
        self.at("2026-11-27")
        for duration, ok in [("30m", False), ("89m", False), ("90m", True),
                             ("2h", True), ("121m", False), ("3h", False)]:
            with self.subTest(duration=duration):
                self.ws.write_config("[activity.supervision]\n"
                                     f"duration = {duration}\n")
                r = self.run_cli("check-config")
                if ok:
                    self.assertEqual(r.returncode, 0, r.stderr)
                    continue
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertRegex(
                    r.stderr, re.escape(self.ws.config) + r":\d+: "
                    rf"\[activity\.supervision\] duration = {duration}: "
                    r"supervision sessions are 90-120 minutes")

    # -- item 9: nothing before the day someone was added --

    def test_first_supervision_never_before_the_day_added(self):
        self.at("2026-11-27")
        self.add("gm1", "group_manager", "FS")
        self.add("pm1", "practice_manager", "FS1", "gm1")
        # nqsw_start Mon 29 Dec 2025, eleven months ago; added today, Fri
        # 27 Nov 2026: due today, in the fortnightly phase ([29 Jun 2026,
        # 29 Dec 2026)), not eleven months overdue.
        self.add("sw1", "social_worker", "FS1", "pm1", "2025-12-29")
        rows = {r[0]: r for r in self.due_rows("--activity", "supervision")}
        self.assertEqual(rows["sw1"], ("sw1", "2026-11-27", "due", None,
                                       "nqsw_fortnightly"))
        # Added on Sat 28 Nov: due Mon 30 Nov.
        self.at("2026-11-28")
        self.add("sw2", "social_worker", "FS1", "pm1")
        # Starting on Fri 25 Dec 2026 (Christmas; Mon 28 the Boxing Day
        # substitute): due Tue 29 Dec.
        self.add("sw3", "social_worker", "FS1", "pm1", "2026-12-25")
        # As of Sat 28 Nov, sw1's is a day overdue; the others are due.
        rows = {r[0]: r for r in self.due_rows("--activity", "supervision",
                                               "--within", "40")}
        self.assertEqual(rows["sw1"], ("sw1", "2026-11-27", "overdue", None,
                                       "nqsw_fortnightly"))
        self.assertEqual(rows["sw2"], ("sw2", "2026-11-30", "due", None,
                                       "experienced"))
        self.assertEqual(rows["sw3"], ("sw3", "2026-12-29", "due", None,
                                       "nqsw_weekly"))

    # -- item 10: development leads facilitate reflective practice --

    def test_development_leads_see_group_reflective_practice(self):
        self.at("2026-11-27")
        self.add("gm1", "group_manager", "FS")
        self.add("dl1", "development_lead", "FS", "gm1")
        self.add("pm1", "practice_manager", "FS1", "gm1")
        self.add("sw1", "social_worker", "FS1", "pm1")
        # The 3rd Wednesday at 14:00: Wed 16 Dec 2026 (GMT), 20 Jan 2027.
        for who, expected in (("dl1", True), ("sw1", True), ("pm1", False)):
            with self.subTest(feed=who):
                found = starts(self.ok("export", "--staff", who).stdout,
                               "Group reflective practice")
                self.assertEqual(
                    "DTSTART;TZID=Europe/London:20261216T140000" in found,
                    expected, found)
                if expected:
                    self.assertIn(
                        "DTSTART;TZID=Europe/London:20270120T140000", found)


if __name__ == "__main__":
    qa.main()
