"""The staff commands against a real SQLite file, and bad input."""

import datetime
import hashlib
import json
import os
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

GOOD_CSV = """id,name,email,role,team,manager,nqsw_start
sw1,Sam Walker,sam@example.org,social_worker,Family Safeguarding 1,pm1,2026-01-05
pm1,Pat Moore,pat@example.org,practice_manager,Family Safeguarding 1,gm1,
gm1,"Gale, Morgan",gale@example.org,"group_manager,practice_manager",Family Safeguarding 1,,
"""


class StaffCliTest(unittest.TestCase):
    def setUp(self):
        self.ws = qa.Workspace()

    def tearDown(self):
        self.ws.cleanup()

    def ok(self, *args):
        r = self.ws.run(*args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def staff_rows(self):
        with sqlite3.connect(self.ws.db) as db:
            return db.execute("SELECT id, name, email, team, manager_id, "
                              "nqsw_start, left_on FROM staff ORDER BY id"
                              ).fetchall()

    def test_add_update_list_leave(self):
        self.ok("staff", "add", "--id", "gm1", "--name", "Gale Morgan",
                "--email", "gale@example.org", "--role", "group_manager",
                "--team", "FS1")
        self.ok("staff", "add", "--id", "sw1", "--name", "Sam Walker",
                "--email", "sam@example.org", "--role", "social_worker",
                "--team", "FS1", "--manager", "gm1", "--nqsw-start",
                "2026-01-05")
        # Update: same id, new name.
        self.ok("staff", "add", "--id", "sw1", "--name", "Sam Walker-Jones",
                "--email", "sam@example.org", "--role", "social_worker",
                "--team", "FS1", "--manager", "gm1")
        people = json.loads(self.ok("staff", "list", "--format",
                                    "json").stdout)
        self.assertEqual([p["id"] for p in people], ["gm1", "sw1"])
        sw1 = people[1]
        self.assertEqual(sw1["name"], "Sam Walker-Jones")
        self.assertEqual(sw1["manager_id"], "gm1")
        self.assertEqual(sw1["roles"], ["social_worker"])
        self.assertIsNone(sw1["left_on"])

        # A planned leaving date; one before the person was added is
        # refused.
        leaving = (datetime.date.today() + datetime.timedelta(30)).isoformat()
        r = self.ws.run("staff", "leave", "--id", "sw1", "--date",
                        "2001-01-01")
        self.assertEqual(r.returncode, 1)
        self.assertIn("2001-01-01", r.stderr)
        self.ok("staff", "leave", "--id", "sw1", "--date", leaving)
        people = json.loads(self.ok("staff", "list", "--format",
                                    "json").stdout)
        self.assertEqual(people[1]["left_on"], leaving)
        table = self.ok("staff", "list").stdout
        self.assertIn("Sam Walker-Jones", table)
        self.assertTrue(all(len(l) <= 100 for l in table.splitlines()))

        r = self.ws.run("staff", "leave", "--id", "sw1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("sw1", r.stderr)

    def test_bad_input_changes_nothing(self):
        self.ok("staff", "add", "--id", "gm1", "--name", "Gale Morgan",
                "--email", "gale@example.org", "--role", "group_manager",
                "--team", "FS1")
        before = self.staff_rows()
        cases = [
            (["--email", "not-an-email"], "email"),
            (["--role", "wizard"], "wizard"),
            (["--nqsw-start", "2026-02-30"], "2026-02-30"),
            (["--manager", "nobody"], "nobody"),
            (["--id", "bad id!"], "bad id!"),
        ]
        for change, needle in cases:
            args = {"--id": "sw9", "--name": "New Person",
                    "--email": "new@example.org", "--role": "social_worker",
                    "--team": "FS1"}
            args.update(dict(zip(change[::2], change[1::2])))
            argv = ["staff", "add"]
            for k, v in args.items():
                argv += [k, v]
            r = self.ws.run(*argv)
            self.assertEqual(r.returncode, 1, (change, r.stderr))
            self.assertIn(needle, r.stderr)
            self.assertEqual(self.staff_rows(), before, change)
        # A usage error is exit 2.
        r = self.ws.run("staff", "add", "--id", "x")
        self.assertEqual(r.returncode, 2)
        r = self.ws.run("staff", "frobnicate")
        self.assertEqual(r.returncode, 2)
        r = self.ws.run("no-such-command")
        self.assertEqual(r.returncode, 2)

    def test_import_all_or_nothing(self):
        good = qa.write(os.path.join(self.ws.dir, "good.csv"), GOOD_CSV)
        r = self.ok("staff", "import", good)
        self.assertIn("3 staff imported", r.stdout)
        self.assertEqual(len(self.staff_rows()), 3)
        before = self.staff_rows()

        bad = qa.write(os.path.join(self.ws.dir, "bad.csv"), GOOD_CSV.replace(
            "sam@example.org", "sam-at-example") + (
            "sw2,Alex Doe,alex@example.org,social_worker,FS1,pm1,2026-02-30\n"
            "sw3,Jo Bloggs,jo@example.org,wizard,FS1,pm1,\n"
            "sw4,Lee Smith,lee@example.org,social_worker,FS1,ghost,\n"))
        r = self.ws.run("staff", "import", bad)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"bad\.csv:2: .*email")
        self.assertRegex(r.stderr, r"bad\.csv:5: .*2026-02-30")
        self.assertRegex(r.stderr, r"bad\.csv:6: .*wizard")
        self.assertRegex(r.stderr, r"bad\.csv:7: .*ghost")
        self.assertIn("nothing imported", r.stderr)
        self.assertEqual(self.staff_rows(), before)

    def test_csv_round_trip(self):
        good = qa.write(os.path.join(self.ws.dir, "good.csv"), GOOD_CSV)
        self.ok("staff", "import", good)
        out = self.ok("staff", "list", "--format", "csv").stdout
        other = qa.Workspace()
        try:
            lines = out.splitlines()
            self.assertEqual(lines[0], "id,name,email,role,team,manager,"
                             "nqsw_start,since,left_on")
            # What the list writes imports back as it is.
            path = qa.write(os.path.join(other.dir, "back.csv"), out)
            r = other.run("staff", "import", path)
            self.assertEqual(r.returncode, 0, r.stderr)
            a = json.loads(self.ok("staff", "list", "--format", "json").stdout)
            b = json.loads(other.run("staff", "list", "--format",
                                     "json").stdout)
            for p in a + b:
                p.pop("added_on")
            self.assertEqual(a, b)
        finally:
            other.cleanup()

    def test_csv_writes_formulas_as_text_and_reads_them_back(self):
        # SPEC section 10: a name like =HYPERLINK(...) is accepted, but a
        # spreadsheet must not run it. `staff list` and `due` write it
        # with a leading ' (inside the quotes its comma needs); import takes
        # the ' off again, so the name comes back as it was.
        evil = '=HYPERLINK("http://evil.example","Click, please")'
        self.ok("staff", "add", "--id", "gm1", "--name", "Gale Morgan",
                "--email", "gale@example.org", "--role", "group_manager",
                "--team", "+Team")
        self.ok("staff", "add", "--id", "sw1", "--name", evil, "--email",
                "sw1@example.org", "--role", "social_worker", "--team",
                "@Home", "--manager", "gm1")
        written = ('"\'=HYPERLINK(""http://evil.example"",""Click, '
                   'please"")"')
        lines = self.ok("staff", "list", "--format", "csv").stdout.splitlines()
        # since is the day they were added.
        self.assertRegex(lines[1], r"^gm1,Gale Morgan,gale@example\.org,"
                         r"group_manager,'\+Team,,,\d{4}-\d\d-\d\d,$")
        self.assertTrue(lines[2].startswith(
            f"sw1,{written},sw1@example.org,social_worker,'@Home,gm1,,"),
            lines[2])
        due = self.ok("due", "--format", "csv").stdout.splitlines()
        [sw1] = [line for line in due if line.startswith("sw1,")]
        self.assertTrue(sw1.startswith(f"sw1,{written},'@Home,gm1,"
                                       "supervision,"), sw1)
        # Back in through import, as it is.
        other = qa.Workspace()
        try:
            path = qa.write(os.path.join(other.dir, "back.csv"),
                            "\n".join(lines) + "\n")
            r = other.run("staff", "import", path)
            self.assertEqual(r.returncode, 0, r.stderr)
            back = {p["id"]: p for p in json.loads(other.run(
                "staff", "list", "--format", "json").stdout)}
            self.assertEqual(back["sw1"]["name"], evil)
            self.assertEqual(back["sw1"]["team"], "@Home")
            self.assertEqual(back["gm1"]["team"], "+Team")
        finally:
            other.cleanup()

    def test_newer_schema_is_refused_untouched(self):
        self.ok("staff", "list")
        with sqlite3.connect(self.ws.db) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            db.execute(f"PRAGMA user_version = {version + 1}")
        db.close()
        digest = hashlib.sha256(open(self.ws.db, "rb").read()).hexdigest()
        r = self.ws.run("staff", "list")
        self.assertEqual(r.returncode, 1)
        self.assertIn("newer", r.stderr)
        self.assertEqual(hashlib.sha256(open(self.ws.db, "rb").read())
                         .hexdigest(), digest)


if __name__ == "__main__":
    qa.main()
