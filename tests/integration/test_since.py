"""Since when a person is tracked (issue 8, tracked as 11): `staff add
--since`, the CSV's since column, obligations from that day, and 0.1.0's
people tracked from the day they were added (test_audit_workflow's
UpgradeTest). Every date below was worked out by hand from the framework
and the England and Wales bank holidays."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402


class SinceTest(qa.ClockedCliTest):
    def people(self):
        return {p["id"]: p for p in qa.json.loads(self.ok(
            "staff", "list", "--format", "json").stdout)}

    def deadlines(self, activity, who):
        return [row[0] for row in self.query(
            "SELECT start_date FROM occurrences WHERE activity = ? AND"
            " subject = ? AND status <> 'cancelled' ORDER BY start_date",
            activity, who)]

    def test_since_given_kept_and_changed(self):
        self.at("2026-11-27")
        self.add("gm1", "group_manager", team="FS")
        self.add("pm1", "practice_manager", manager="gm1",
                 since="2026-06-01")
        people = self.people()
        self.assertEqual(people["gm1"]["since"], "2026-11-27")
        self.assertEqual(people["pm1"]["since"], "2026-06-01")
        # The record starts at the earlier of the two.
        self.assertEqual(people["pm1"]["added_on"], "2026-06-01")
        self.assertEqual(people["gm1"]["added_on"], "2026-11-27")
        # An update that does not say keeps it; one that does moves it.
        self.add("pm1", "practice_manager", manager="gm1", name="P One")
        self.assertEqual(self.people()["pm1"]["since"], "2026-06-01")
        self.add("pm1", "practice_manager", manager="gm1",
                 since="2026-09-01")
        self.assertEqual(self.people()["pm1"]["since"], "2026-09-01")
        # Not a date: refused naming the option, nothing stored.
        before = self.snapshot()
        self.fails(["staff", "add", "--id", "pm2", "--name", "P2",
                    "--email", "pm2@example.org", "--role",
                    "practice_manager", "--team", "FS1", "--since",
                    "2026-02-30"], ['--since "2026-02-30"', "not a real"])
        self.assertEqual(self.snapshot(), before)

    def test_obligations_start_on_since(self):
        # Fri 27 Nov 2026: a practice manager tracked since Mon 1 June owes
        # an audit by the last working day of every month from June: Tue 30
        # Jun, Fri 31 Jul, Fri 28 Aug (Mon 31 Aug is the summer bank
        # holiday), Wed 30 Sep, Fri 30 Oct (31 Oct is a Saturday), Mon 30
        # Nov. One added the same day without --since owes from November.
        self.at("2026-11-27")
        self.add("gm1", "group_manager", team="FS")
        self.add("pm1", "practice_manager", manager="gm1",
                 since="2026-06-01")
        self.add("pm2", "practice_manager", manager="gm1")
        self.assertEqual(self.deadlines("collaborative_audit", "pm1")[:6],
                         ["2026-06-30", "2026-07-31", "2026-08-28",
                          "2026-09-30", "2026-10-30", "2026-11-30"])
        self.assertEqual(self.deadlines("collaborative_audit", "pm2")[0],
                         "2026-11-30")
        # Nothing recorded since June: June's deadline is the one overdue.
        rows = {r[0]: r for r in self.due_rows(
            "--activity", "collaborative_audit")}
        self.assertEqual(rows["pm1"][1:3], ("2026-06-30", "overdue"))

    def test_first_supervision_on_the_later_of_nqsw_start_and_since(self):
        # An NQSW who started on Mon 5 Jan 2026, tracked since Sat 7 Mar:
        # the first session is due on the next working day, Mon 9 Mar,
        # not on 5 Jan.
        self.at("2026-03-02")
        self.add("pm1", "practice_manager", team="FS1")
        self.add("sw1", "social_worker", manager="pm1", nqsw="2026-01-05",
                 since="2026-03-07")
        self.assertEqual(self.deadlines("supervision", "sw1")[0],
                         "2026-03-09")

    def test_a_leaver_before_their_since_is_refused(self):
        self.at("2026-11-27")
        self.add("gm1", "group_manager", team="FS")
        path = qa.write(os.path.join(self.ws.dir, "staff.csv"),
                        "id,name,email,role,team,manager,nqsw_start,since,"
                        "left_on\n"
                        "pm1,P,pm1@example.org,practice_manager,FS1,gm1,,"
                        "2026-06-01,2026-05-29\n")
        before = self.snapshot()
        self.fails(["staff", "import", path],
                   [f"{path}:2:", 'left_on "2026-05-29"',
                    "before their since, 2026-06-01"], one_line=False)
        self.assertEqual(self.snapshot(), before)


if __name__ == "__main__":
    qa.main()
