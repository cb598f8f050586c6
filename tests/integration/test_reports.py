"""Reports (issue 8, tracked as 11): `report activity ID`, one row per person
and deadline, done (a completion dated in its period), missed (the period
ended with none; a later completion does not fill it) or open, generated
afresh from what is recorded over the months asked for. Every expected date
and status below is worked out by hand from the framework (a monthly audit
due by the last working day of the month) and the 2026 bank holidays;
commands run on Thu 3 Dec 2026."""

import csv
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

COLUMNS = ["staff_id", "team", "period_start", "period_end", "due",
           "status", "done_on"]
# The last working day of each month of 2026: Sat 31 Jan, Sat 28 Feb, Sun
# 31 May, Mon 31 Aug (summer bank holiday) and Sat 31 Oct move back.
DUE = {1: "2026-01-30", 2: "2026-02-27", 3: "2026-03-31", 4: "2026-04-30",
       5: "2026-05-29", 6: "2026-06-30", 7: "2026-07-31", 8: "2026-08-28",
       9: "2026-09-30", 10: "2026-10-30", 11: "2026-11-30"}
LAST = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30,
        10: 31, 11: 30}


def row(who, team, month, status, done=None):
    return {"staff_id": who, "team": team,
            "period_start": f"2026-{month:02d}-01",
            "period_end": f"2026-{month:02d}-{LAST[month]:02d}",
            "due": DUE[month], "status": status, "done_on": done}


class ActivityReportTest(qa.ClockedCliTest):
    def setUp(self):
        super().setUp()
        self.at("2026-12-03")
        self.add("gm1", "group_manager", team="FS", since="2026-01-01")
        self.add("pm1", "practice_manager", team="FS1", manager="gm1",
                 since="2026-01-01")
        self.add("pm2", "practice_manager", team="FS2", manager="gm1",
                 since="2026-06-15")
        self.add("pm3", "practice_manager", team="FS1", manager="gm1",
                 since="2026-01-01")
        self.ok("staff", "leave", "--id", "pm3", "--date", "2026-03-15")
        for who in ("sw1", "sw2"):
            self.add(who, "social_worker", team="FS1", manager="pm1",
                     since="2026-01-01")
        history = ["activity,staff,date,practitioner,grade"]
        for who, day in [("pm1", "2026-01-20"), ("pm1", "2026-02-27"),
                         ("pm1", "2026-04-01"),
                         # September's audit done on 2 October counts for
                         # October; September stays missed.
                         ("pm1", "2026-10-02"), ("pm2", "2026-07-31")]:
            history.append(f"collaborative_audit,{who},{day},sw1,good")
        path = qa.write(os.path.join(self.ws.dir, "history.csv"),
                        "\n".join(history) + "\n")
        self.ok("record", "import", path)

    def report(self, *args):
        return json.loads(self.ok("report", "activity",
                                  "collaborative_audit", "--format", "json",
                                  *args).stdout)

    def expected(self):
        pm1 = {1: "2026-01-20", 2: "2026-02-27", 4: "2026-04-01",
               10: "2026-10-02"}
        rows = [row("pm1", "FS1", m, "done" if m in pm1 else "missed",
                    pm1.get(m)) for m in range(1, 12)]
        rows += [row("pm2", "FS2", m, "done" if m == 7 else "missed",
                     "2026-07-31" if m == 7 else None)
                 for m in range(6, 12)]
        # pm3 left on 15 March: January and February only.
        rows += [row("pm3", "FS1", m, "missed") for m in (1, 2)]
        return rows

    def test_the_last_twelve_whole_months(self):
        got = self.report()
        for r in got:
            self.assertEqual(list(r), COLUMNS)
        self.assertEqual(got, self.expected())

    def test_range_team_and_line(self):
        self.assertEqual(self.report("--from", "2026-10", "--to", "2026-11"),
                         [r for r in self.expected()
                          if r["period_start"] >= "2026-10"])
        self.assertEqual(self.report("--team", "FS2"),
                         [r for r in self.expected()
                          if r["staff_id"] == "pm2"])
        # gm1's line is everyone; pm1's line holds no practice manager.
        self.assertEqual(self.report("--manager", "gm1"), self.expected())
        self.assertEqual(self.report("--manager", "pm1"), [])
        # An open period: December, asked for, not yet ended.
        dec = self.report("--from", "2026-12", "--to", "2026-12",
                          "--team", "FS1")
        self.assertEqual([(r["staff_id"], r["due"], r["status"])
                          for r in dec], [("pm1", "2026-12-31", "open")])

    def test_csv_and_table_say_the_same(self):
        out = self.ok("report", "activity", "collaborative_audit",
                      "--format", "csv").stdout
        rows = list(csv.DictReader(io.StringIO(out)))
        self.assertEqual(list(rows[0]), COLUMNS)
        self.assertEqual(rows, [{k: v or "" for k, v in r.items()}
                                for r in self.expected()])
        table = self.ok("report", "activity",
                        "collaborative_audit").stdout.splitlines()
        self.assertEqual(table[0].split(), [c.upper() for c in COLUMNS])
        self.assertEqual(len(table), len(self.expected()) + 1)

    def test_refusals(self):
        self.fails(["report", "activity", "no_such"], ["no_such"])
        self.fails(["report", "activity", "supervision"],
                   ["no deadlines", "report supervision"])
        self.fails(["report", "activity", "collaborative_audit",
                    "--manager", "ghost"], ["ghost", "no such person"])
        self.fails(["report", "activity", "collaborative_audit", "--from",
                    "2026-13"], ['--from "2026-13"', "not a month"])
        self.fails(["report", "activity", "collaborative_audit", "--from",
                    "2026-11", "--to", "2026-10"], ["--from", "--to"])
        self.fails(["report", "nothing"], ["nothing"], code=2,
                   one_line=False)


class ActionsReportTest(qa.ClockedCliTest):
    """`report actions`, on Thu 3 Dec 2026: an action is due 28 days after
    its audit (on the working day before when that is not one), 5 working
    days after it when inadequate with a safeguarding concern, re-timed
    from a moderation that regrades it."""

    def setUp(self):
        super().setUp()
        self.at("2026-12-03")
        self.add("gm1", "group_manager", team="FS", since="2026-01-01")
        self.add("pm1", "practice_manager", team="FS1", manager="gm1",
                 since="2026-01-01")
        self.add("pm2", "practice_manager", team="FS2", manager="gm1",
                 since="2026-01-01")
        self.add("sw1", "social_worker", team="FS1", manager="pm1",
                 since="2026-01-01")
        self.add("sw2", "social_worker", team="FS1", manager="pm1",
                 since="2026-01-01")
        path = qa.write(os.path.join(self.ws.dir, "history.csv"), "\n".join([
            "activity,staff,date,practitioner,grade,safeguarding,audit,"
            "signed_off_by",
            "collaborative_audit,pm1,2026-09-01,sw1,good,no,,",       # 2
            "collaborative_audit,pm1,2026-09-10,sw2,requires improvement"
            ",no,,",                                                   # 3
            "collaborative_audit,pm1,2026-10-05,sw1,inadequate,yes,,",  # 4
            "collaborative_audit,pm1,2026-09-14,sw2,good,no,,",        # 5
            "moderation,pm2,2026-09-16,,inadequate,yes,line:5,",
            "audit_action,sw1,2026-09-20,,,,line:2,pm1",
            "audit_action,sw2,2026-10-20,,,,line:3,pm1",
            "audit_action,sw2,2026-09-25,,,,line:5,pm1",
            "collaborative_audit,pm1,2026-11-30,sw2,good,no,,",
        ]) + "\n")
        self.ok("record", "import", path)

    # By practitioner, then by due date.
    def actions(self, *args):
        rows = json.loads(self.ok("report", "actions", "--format", "json",
                                  *args).stdout)
        return [(r["practitioner"], r["audit_date"], r["grade"],
                 r["safeguarding"], r["due"], r["closed_on"], r["status"],
                 r["days_open"]) for r in rows]

    def test_each_action_with_its_outcome(self):
        self.assertEqual(self.actions(), [
            # Tue 1 Sep + 28 = Tue 29 Sep; closed on the 20th, 19 days.
            ("sw1", "2026-09-01", "good", "no", "2026-09-29",
             "2026-09-20", "closed_on_time", 19),
            # Mon 5 Oct, inadequate with a concern: 6, 7, 8, 9 Oct and
            # Mon 12 Oct; still open on 3 Dec, 59 days on.
            ("sw1", "2026-10-05", "inadequate", "yes", "2026-10-12", None,
             "overdue", 59),
            # Mon 14 Sep, good, regraded inadequate with a concern on Wed 16
            # Sep: 17, 18, 21, 22 and Wed 23 Sep; closed on the 25th: late.
            ("sw2", "2026-09-14", "good", "no", "2026-09-23", "2026-09-25",
             "closed_late", 11),
            # Thu 10 Sep + 28 = Thu 8 Oct; closed on 20 Oct: late, 40 days.
            ("sw2", "2026-09-10", "requires_improvement", "no",
             "2026-10-08", "2026-10-20", "closed_late", 40),
            # Mon 30 Nov + 28 = Mon 28 Dec, the Boxing Day bank holiday (25
            # Dec, a Friday, is Christmas): Thu 24 Dec. Open, 3 days.
            ("sw2", "2026-11-30", "good", "no", "2026-12-24", None, "open",
             3),
        ])

    def test_audits_by_team_and_month(self):
        # pm1 (FS1) and pm2 (FS2) each owe one audit a month; pm1 audited
        # on 1, 10 and 14 Sep (the last regraded by its moderation), on 5
        # Oct (inadequate with a concern) and on 30 Nov; pm2 on none.
        rows = json.loads(self.ok("report", "audits", "--from", "2026-09",
                                  "--to", "2026-11", "--format",
                                  "json").stdout)
        keys = ["month", "team", "expected", "done", "outstanding", "good",
                "requires_improvement", "inadequate", "safeguarding",
                "moderated", "regraded"]
        self.assertEqual([list(r) for r in rows], [keys] * len(rows))
        self.assertEqual([tuple(r.values()) for r in rows], [
            ("2026-09", "FS1", 1, 1, 0, 2, 1, 0, 0, 1, 1),
            ("2026-09", "FS2", 1, 0, 0, 0, 0, 0, 0, 0, 0),
            ("2026-10", "FS1", 1, 1, 0, 0, 0, 1, 1, 0, 0),
            ("2026-10", "FS2", 1, 0, 0, 0, 0, 0, 0, 0, 0),
            ("2026-11", "FS1", 1, 1, 0, 1, 0, 0, 0, 0, 0),
            ("2026-11", "FS2", 1, 0, 0, 0, 0, 0, 0, 0, 0),
        ])
        # The team filter, and the default range: the 12 whole months to
        # November, pm1 and pm2 tracked from January.
        fs2 = json.loads(self.ok("report", "audits", "--team", "FS2",
                                 "--format", "json").stdout)
        self.assertEqual([(r["month"], r["expected"], r["done"])
                          for r in fs2],
                         [(f"2026-{m:02d}", 1, 0) for m in range(1, 12)])

    def test_range_and_refusals(self):
        self.assertEqual([r[1] for r in self.actions("--from", "2026-10")],
                         ["2026-10-05", "2026-11-30"])
        self.assertEqual(self.actions("--team", "FS2"), [])
        self.assertEqual(len(self.actions("--manager", "pm1")), 5)
        self.fails(["report", "actions", "x"], ["takes no ID"], code=2,
                   one_line=False)


class SupervisionReportTest(qa.ClockedCliTest):
    """`report supervision` on Thu 3 Dec 2026. Experienced staff are due
    every 28 days, a newly qualified worker every 7 in their first six
    months; the first session on the day they are tracked from; a due date
    on a non-working day is shown on the working day before."""

    def setUp(self):
        super().setUp()
        self.at("2026-12-03")
        self.add("gm1", "group_manager", team="FS", since="2026-06-01")
        self.add("pm1", "practice_manager", team="FS1", manager="gm1",
                 since="2026-06-01")
        self.add("sw1", "social_worker", team="FS1", manager="pm1",
                 since="2026-06-01")
        self.add("sw2", "social_worker", team="FS2", manager="pm1",
                 nqsw="2026-09-07", since="2026-09-07")
        sessions = {
            # First due Mon 1 Jun: late on the 10th; then 10 Jun + 28 =
            # 8 Jul on time; 5 Aug, late on the 20th; 17 Sep, on time on
            # the 16th; next 14 Oct, never held.
            "pm1": ["2026-06-10", "2026-07-08", "2026-08-20", "2026-09-16"],
            # 1 Jun on time; 29 Jun, on time on the 26th; 24 Jul, late on
            # 3 Aug; 31 Aug (bank holiday, so Fri 28 Aug) on time; 25 Sep,
            # 23 Oct, 20 Nov on time; next 18 Dec.
            "sw1": ["2026-06-01", "2026-06-26", "2026-08-03", "2026-08-28",
                    "2026-09-25", "2026-10-23", "2026-11-20"],
            # Weekly: 7 Sep and 14 Sep on time; 21 Sep, late on the 25th;
            # next Fri 2 Oct, never held.
            "sw2": ["2026-09-07", "2026-09-14", "2026-09-25"],
        }
        rows = ["activity,staff,date"] + [
            f"supervision,{who},{day}" for who, days in sessions.items()
            for day in days]
        self.ok("record", "import", qa.write(
            os.path.join(self.ws.dir, "sessions.csv"),
            "\n".join(rows) + "\n"))

    def report(self, *args):
        return json.loads(self.ok("report", "supervision", "--format",
                                  "json", *args).stdout)

    def test_by_team_and_month(self):
        keys = ["month", "team", "staff", "in_date", "overdue",
                "percent_in_date", "sessions", "on_time", "late",
                "nqsw_weekly", "nqsw_fortnightly"]
        rows = self.report("--from", "2026-06", "--to", "2026-11")
        for r in rows:
            self.assertEqual(list(r), keys)
        self.assertEqual([tuple(r.values()) for r in rows], [
            ("2026-06", "FS1", 2, 2, 0, 100.0, 3, 2, 1, 0, 0),
            ("2026-07", "FS1", 2, 1, 1, 50.0, 1, 1, 0, 0, 0),
            ("2026-08", "FS1", 2, 2, 0, 100.0, 3, 1, 2, 0, 0),
            ("2026-09", "FS1", 2, 2, 0, 100.0, 2, 2, 0, 0, 0),
            ("2026-09", "FS2", 1, 1, 0, 100.0, 3, 2, 1, 1, 0),
            ("2026-10", "FS1", 2, 1, 1, 50.0, 1, 1, 0, 0, 0),
            ("2026-10", "FS2", 1, 0, 1, 0.0, 0, 0, 0, 1, 0),
            ("2026-11", "FS1", 2, 1, 1, 50.0, 1, 1, 0, 0, 0),
            ("2026-11", "FS2", 1, 0, 1, 0.0, 0, 0, 0, 1, 0),
        ])

    def test_in_date_at_each_months_end_is_what_due_as_of_says(self):
        rows = self.report("--from", "2026-06", "--to", "2026-11")
        for month, last in [("2026-06", 30), ("2026-07", 31),
                            ("2026-08", 31), ("2026-09", 30),
                            ("2026-10", 31), ("2026-11", 30)]:
            due = self.due("--as-of", f"{month}-{last}", "--activity",
                           "supervision")
            counted = {}
            for r in due:
                c = counted.setdefault(r["team"], [0, 0, 0])
                c[0] += 1
                c[1 if r["status"] != "overdue" else 2] += 1
            reported = {r["team"]: [r["staff"], r["in_date"], r["overdue"]]
                        for r in rows if r["month"] == month}
            self.assertEqual(reported, counted, month)


if __name__ == "__main__":
    qa.main()
