"""`staff list --format csv` and `staff import`: one CSV, out and back in
(issue 10, item 3). What the list writes imports again unchanged, leavers
and all; a spreadsheet that changes a cell, moves the columns about and ends
its lines in CRLF writes a file that imports too; a bad left_on is refused
by file and line with nothing stored.

Every command runs on Mon 2 Mar 2026 (qa.ClockedCliTest), so a person
added today may leave today: staff leave refuses a date before the day
someone was added, and so does the import."""

import csv
import io
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

TODAY = "2026-03-02"
# A comma, a double quote, an apostrophe and a letter outside ASCII.
ZOE = 'Zoë "Zed" O\'Brien, Jr'
HEADER = b"id,name,email,role,team,manager,nqsw_start,since,left_on\n"


class StaffCsvTest(qa.ClockedCliTest):
    def setUp(self):
        super().setUp()
        self.at(TODAY)
        self.add("gm1", "group_manager", team="North")
        self.add("zoe1", "social_worker", team="North", manager="gm1",
                 nqsw="2026-01-05", name=ZOE)
        self.add("lv1", "practice_manager,qa_team", team="North",
                 manager="gm1", name="Lee Vernon")
        self.ok("staff", "leave", "--id", "lv1")

    def run_in(self, ws, *args):
        """A command against ws's database at self.now, as bytes: the
        comparisons below are byte for byte (no newline translation)."""
        return subprocess.run([qa.BIN, "-c", ws.config, *args],
                              capture_output=True, env=self.env(),
                              timeout=120)

    def ok_in(self, ws, *args):
        r = self.run_in(ws, *args)
        self.assertEqual(r.returncode, 0,
                         f"{args}: {r.stderr.decode(errors='replace')}")
        return r

    def csv_of(self, ws):
        return self.ok_in(ws, "staff", "list", "--format", "csv").stdout

    def people_of(self, ws):
        return {p["id"]: p for p in json.loads(self.ok_in(
            ws, "staff", "list", "--format", "json").stdout)}

    def fresh(self):
        ws = qa.Workspace()
        self.addCleanup(ws.cleanup)
        return ws

    def file(self, name, data):
        path = os.path.join(self.ws.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_what_the_list_writes_imports_back_byte_for_byte(self):
        written = self.csv_of(self.ws)
        self.assertTrue(written.startswith(HEADER), written)
        # RFC 4180: the name in quotes, its quotes doubled, UTF-8 as is.
        self.assertIn('zoe1,"Zoë ""Zed"" O\'Brien, Jr",zoe1@example.org,'
                      'social_worker,North,gm1,2026-01-05,2026-03-02,\n'
                      .encode(),
                      written)
        self.assertIn(b'lv1,Lee Vernon,lv1@example.org,'
                      b'"practice_manager,qa_team",North,gm1,,2026-03-02,'
                      b'2026-03-02\n',
                      written)
        path = self.file("staff.csv", written)

        other = self.fresh()
        r = self.ok_in(other, "staff", "import", path)
        self.assertEqual(r.stdout, f"{path}: 3 staff imported\n".encode())
        self.assertEqual(self.csv_of(other), written)

        # The leaver is a leaver there as staff leave made them here: the
        # same day, nothing due, nothing of theirs left in the schedule.
        people = self.people_of(other)
        self.assertEqual(people["lv1"]["left_on"], TODAY)
        self.assertIsNone(people["zoe1"]["left_on"])
        self.assertEqual(people["zoe1"]["name"], ZOE)
        due = json.loads(self.ok_in(other, "due", "--format", "json").stdout)
        self.assertNotIn("lv1", {row["staff_id"] for row in due})
        self.assertIn("zoe1", {row["staff_id"] for row in due})
        self.assertEqual(
            due, json.loads(self.ok("due", "--format", "json").stdout))

        # Into a fresh database three months on, the leaver too: each is
        # tracked since the day the list says, so they left after it.
        later = self.fresh()
        self.at("2026-06-01")
        self.ok_in(later, "staff", "import", path)
        self.assertEqual(self.csv_of(later), written)
        self.assertEqual(self.people_of(later)["lv1"]["left_on"], TODAY)
        self.at(TODAY)

        # Into the database it came from: a leaver who left on that very
        # day is no news, and nothing changes.
        # (The staff rows' updated_at moves on; the schedule does not.)
        before = self.snapshot()
        self.ok_in(self.ws, "staff", "import", path)
        self.assertEqual(self.csv_of(self.ws), written)
        self.assertEqual(self.snapshot()[:3], before[:3])

    def test_a_spreadsheets_edit_imports(self):
        written = self.csv_of(self.ws).decode()
        rows = list(csv.DictReader(io.StringIO(written, newline="")))
        self.assertEqual([r["id"] for r in rows], ["gm1", "lv1", "zoe1"])
        # One cell changed, the columns in another order, CRLF line ends
        # and the byte order mark a spreadsheet writes.
        rows[2]["team"] = "South"
        order = ["left_on", "team", "name", "id", "role", "nqsw_start",
                 "manager", "since", "email"]
        edited = io.StringIO(newline="")
        out = csv.DictWriter(edited, fieldnames=order, lineterminator="\r\n")
        out.writeheader()
        out.writerows(rows)
        path = self.file("edited.csv",
                         edited.getvalue().encode("utf-8-sig"))
        self.assertIn(b"\r\n", open(path, "rb").read())

        r = self.ok_in(self.ws, "staff", "import", path)
        self.assertEqual(r.stdout, f"{path}: 3 staff imported\n".encode())
        expected = written.replace(
            f'"Zoë ""Zed"" O\'Brien, Jr",zoe1@example.org,social_worker,'
            f"North,", f'"Zoë ""Zed"" O\'Brien, Jr",zoe1@example.org,'
            f"social_worker,South,")
        self.assertNotEqual(expected, written)
        self.assertEqual(self.csv_of(self.ws).decode(), expected)

        # And into a fresh database, where everyone is new.
        other = self.fresh()
        self.ok_in(other, "staff", "import", path)
        self.assertEqual(self.csv_of(other).decode(), expected)
        self.assertEqual(self.people_of(other)["lv1"]["left_on"], TODAY)

    def test_a_bad_left_on_is_refused_by_line_and_nothing_is_stored(self):
        before = self.snapshot()
        path = self.file("bad.csv", (
            "id,name,email,role,team,manager,nqsw_start,left_on\n"
            "new1,New One,new1@example.org,social_worker,North,gm1,,\n"
            "zoe1,Zoë,zoe1@example.org,social_worker,North,gm1,,2026-02-30\n"
            "gm1,Person gm1,gm1@example.org,group_manager,North,,,2026-03-01\n"
            "lv1,Lee Vernon,lv1@example.org,practice_manager,North,gm1,,"
            "2026-03-03\n").encode())
        r = self.run_in(self.ws, "staff", "import", path)
        err = r.stderr.decode()
        self.assertEqual(r.returncode, 1, err)
        self.assertEqual(r.stdout, b"")
        self.assertIn(f'{path}:3: left_on "2026-02-30": not a real date; '
                      "use YYYY-MM-DD", err)
        # As staff leave says it, with the file and line.
        self.assertIn(f'{path}:4: left_on "2026-03-01": before gm1 was '
                      "added on 2026-03-02", err)
        self.assertIn(f'{path}:5: left_on "2026-03-03": lv1 already left on '
                      "2026-03-02", err)
        self.assertIn(f"{path}: nothing imported (3 problem(s))", err)
        self.assertEqual(self.snapshot(), before)

    def test_an_unknown_column_is_refused_by_name(self):
        before = self.snapshot()
        path = self.file("extra.csv", (
            "id,name,email,role,grade,team,manager,nqsw_start\n"
            "new1,New One,new1@example.org,social_worker,good,North,gm1,\n"
            ).encode())
        r = self.run_in(self.ws, "staff", "import", path)
        err = r.stderr.decode()
        self.assertEqual(r.returncode, 1, err)
        self.assertIn(f'{path}:1: header: unknown column "grade"', err)
        self.assertEqual(self.snapshot(), before)


if __name__ == "__main__":
    qa.main()
