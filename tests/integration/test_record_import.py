"""`record import FILE.csv` (issue 8, tracked as 11): completions back-filled
in one go, all or nothing, with record's own checks, every bad row named by
its line, and line:N for an audit recorded earlier in the same file. Every
command runs on Fri 27 Nov 2026."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

HEADER = ("activity,staff,date,practitioner,grade,safeguarding,moderator,"
          "home,audit,signed_off_by,note\n")


class RecordImportTest(qa.ClockedCliTest):
    def setUp(self):
        super().setUp()
        self.at("2026-11-27")
        self.add("gm1", "group_manager", team="FS", since="2026-06-01")
        self.add("pm1", "practice_manager", manager="gm1",
                 since="2026-06-01")
        self.add("pm2", "practice_manager", team="FS2", manager="gm1",
                 since="2026-06-01")
        self.add("sw1", "social_worker", manager="pm1", since="2026-06-01")

    def file(self, text):
        return qa.write(os.path.join(self.ws.dir, "history.csv"), text)

    def completions(self):
        return self.query(
            "SELECT activity, staff_id, done_on, practitioner_id, grade,"
            " safeguarding, moderator_id, audit_id, signed_off_by, note"
            " FROM completions ORDER BY id")

    def test_back_fill_audits_then_moderate_and_close_them(self):
        path = self.file(
            HEADER +
            "supervision,sw1,2026-06-10,,,,,,,,\n"
            # line 3: an audit asking pm2 to moderate it.
            "collaborative_audit,pm1,2026-07-15,sw1,good,no,pm2,,,,\n"
            # line 4: pm2 regrades it inadequate with a concern.
            "moderation,pm2,2026-07-20,,inadequate,yes,,,line:3,,\n"
            # line 5: its action closed, signed off by the manager.
            "audit_action,sw1,2026-07-21,,,,,,line:3,pm1,\n"
            "collaborative_audit,pm1,2026-08-14,sw1,Requires improvement,"
            ",,,,,'=SUM(1)\n")
        r = self.ok("record", "import", path)
        self.assertEqual(r.stdout, f"{path}: 5 completion(s) recorded, "
                         "2 of them audits\n")
        rows = self.completions()
        audit = self.query("SELECT id FROM completions WHERE done_on ="
                           " '2026-07-15'")[0][0]
        self.assertEqual(rows, [
            ("supervision", "sw1", "2026-06-10", None, None, 0, None, None,
             None, None),
            ("collaborative_audit", "pm1", "2026-07-15", "sw1", "good", 0,
             "pm2", None, None, None),
            ("moderation", "pm2", "2026-07-20", None, "inadequate", 1, None,
             audit, None, None),
            ("audit_action", "sw1", "2026-07-21", None, None, 0, None, audit,
             "pm1", None),
            ("collaborative_audit", "pm1", "2026-08-14", "sw1",
             "requires_improvement", 0, None, None, None, "=SUM(1)")])
        # The schedule knows them: pm1's audits are done for July and
        # August, the next one owed is September's (Wed 30 Sep); the
        # August audit's action is due 28 days on, Fri 11 Sep.
        due = {(r[0], r[1]): r for r in self.due_rows("--within", "0")}
        self.assertEqual(due[("pm1", "2026-09-30")][2:4],
                         ("overdue", "2026-08-14"))
        self.assertEqual(due[("sw1", "2026-09-11")][2], "overdue")

    def test_every_bad_row_by_line_and_nothing_stored(self):
        self.ok("record", "supervision", "--staff", "sw1", "--date",
                "2026-11-02")
        before = self.snapshot()
        path = self.file(
            HEADER +
            "supervision,nobody,2026-07-01,,,,,,,,\n"        # 2
            "moderation,pm2,2026-02-30,,,,,,line:9,,\n"      # 3
            "audit_action,sw1,2026-07-21,,,maybe,,,line:2,,\n"  # 4
            "supervision,sw1,2026-11-02,,,,,,,,\n"           # 5
            "supervision,sw1,2026-12-01,,,,,,,,\n"           # 6
            "supervision,sw1,2026-07-01,,good,,,,,,\n"       # 7
            "supervision,sw1\n"                              # 8
            "supervision,sw1,2026-07-01,,,,,,,,\n")          # 9: fine
        r = self.run_cli("record", "import", path)
        self.assertEqual(r.returncode, 1, r.stderr)
        lines = r.stderr.splitlines()
        expected = [
            (2, 'staff "nobody": no such person'),
            (3, 'date "2026-02-30": not a real date'),
            (3, 'audit "line:9": line:N names an earlier line'),
            (4, 'safeguarding "maybe": use yes or no'),
            (4, 'audit "line:2": line 2 recorded no collaborative audit'),
            (5, "supervision for sw1 on 2026-11-02 is already recorded"),
            (6, "date 2026-12-01 is in the future"),
            (7, "grade belongs to collaborative_audit and moderation"),
            (8, "2 field(s), but the header has 11"),
        ]
        self.assertEqual(len(lines), len(expected) + 1, r.stderr)
        for line, (number, needle) in zip(lines, expected):
            self.assertTrue(line.startswith(f"qa-scheduler: {path}:"
                                            f"{number}: "), line)
            self.assertIn(needle, line)
        self.assertIn("nothing recorded (9 problem(s))", lines[-1])
        self.assertEqual(self.snapshot(), before)

    def test_the_header(self):
        before = self.snapshot()
        self.fails(["record", "import", self.file(
            "activity,staff,when\nsupervision,sw1,2026-07-01\n")],
            ["missing date", 'unknown column "when"'], one_line=False)
        self.fails(["record", "import", self.file(HEADER)],
                   ["no completions"], one_line=False)
        self.assertEqual(self.snapshot(), before)
        # Only the columns that apply, in any order.
        r = self.ok("record", "import", self.file(
            "date,staff,activity\n2026-07-01,sw1,supervision\n"))
        self.assertIn("1 completion(s) recorded", r.stdout)


if __name__ == "__main__":
    qa.main()
