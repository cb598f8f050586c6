"""`due --as-of D` answers as it would have on D, from what is recorded now
(issue 8, tracked as 11): completions dated after D do not count, a person
whose since is after D is not listed, and the schedule is the one D would
have had. Commands run on Fri 27 Nov 2026; dates worked out by hand (the
monthly audit is due by the last working day of the month; Mon 31 Aug 2026
is the summer bank holiday)."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402


class DueAsOfTest(qa.ClockedCliTest):
    def setUp(self):
        super().setUp()
        self.at("2026-11-27")
        self.add("gm1", "group_manager", team="FS", since="2026-06-01")
        self.add("pm1", "practice_manager", manager="gm1",
                 since="2026-06-01")
        self.add("pm2", "practice_manager", manager="gm1",
                 since="2026-10-01")
        self.add("sw1", "social_worker", manager="pm1", since="2026-06-01")
        path = qa.write(os.path.join(self.ws.dir, "history.csv"),
                        "activity,staff,date,practitioner,grade\n"
                        "collaborative_audit,pm1,2026-07-15,sw1,good\n"
                        "collaborative_audit,pm1,2026-09-15,sw1,good\n"
                        "supervision,sw1,2026-06-03,,\n"
                        "supervision,sw1,2026-07-01,,\n"
                        "supervision,sw1,2026-10-07,,\n")
        self.ok("record", "import", path)

    def rows(self, *args):
        return {(r[0], r[1]) if False else r[0]: r
                for r in self.due_rows(*args)}

    def test_a_past_day_sees_its_own_deadline(self):
        # On 20 Aug pm1 had done July's audit (15 Jul) and not yet
        # September's: August's, due Fri 28 Aug, was upcoming; pm2 was
        # not tracked yet.
        rows = self.rows("--as-of", "2026-08-20", "--activity",
                         "collaborative_audit")
        self.assertEqual(rows, {"pm1": ("pm1", "2026-08-28", "upcoming",
                                        "2026-07-15", None)})
        # On 3 Sep, August had gone by without one: overdue.
        rows = self.rows("--as-of", "2026-09-03", "--activity",
                         "collaborative_audit")
        self.assertEqual(rows["pm1"][1:4],
                         ("2026-08-28", "overdue", "2026-07-15"))

    def test_supervision_as_of_a_past_day(self):
        # Experienced: every 28 days. On 25 Jul the last session was
        # 1 Jul: the next was due Wed 29 Jul, within the week: "due".
        rows = self.rows("--as-of", "2026-07-25", "--activity",
                         "supervision")
        self.assertEqual(rows["sw1"][1:5], ("2026-07-29", "due",
                                            "2026-07-01", "experienced"))
        # On 1 Sep it was overdue since 29 Jul; today it is due 4 Nov
        # (7 Oct + 28), overdue too.
        rows = self.rows("--as-of", "2026-09-01", "--activity",
                         "supervision")
        self.assertEqual(rows["sw1"][1:3], ("2026-07-29", "overdue"))
        rows = self.rows("--activity", "supervision")
        self.assertEqual(rows["sw1"][1:3], ("2026-11-04", "overdue"))

    def test_today_and_a_future_day(self):
        today = self.rows("--activity", "collaborative_audit")
        self.assertEqual(today["pm1"][1:3], ("2026-10-30", "overdue"))
        self.assertEqual(today["pm2"][1:3], ("2026-10-30", "overdue"))
        # As of today, said explicitly: the same.
        self.assertEqual(self.rows("--as-of", "2026-11-27", "--activity",
                                   "collaborative_audit"), today)
        # Nothing stored changes by asking about another day.
        before = self.snapshot()
        self.rows("--as-of", "2026-08-20")
        self.assertEqual(self.snapshot(), before)


if __name__ == "__main__":
    qa.main()
