"""The audit workflow of the framework (lines 148-198) through the real binary:
record an audit, ask for and record its Stage 2 moderation, regrade it, sign
its action off by audit, and refuse a close that does not say which action
when several are open. Also a database written by 0.1.0 upgrading with its
history kept.

Every expected date is worked out by hand in the comments (working days skip
weekends and the England and Wales bank holidays: 2026 Fri 25 Dec, Mon 28 Dec
(Boxing Day substitute)). Commands run at a faked instant (see
test_cli_schedule.py for libfaketime and ASan)."""

import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

FIXTURES = os.path.join(qa.SOURCE_DIR, "tests", "fixtures")


def vevents(ics):
    """The VEVENTs of a feed, unfolded, as dicts of their first lines (the
    CLI's output is read as text: its CRLFs arrive as newlines)."""
    text = re.sub(r"\n[ \t]", "", ics.replace("\r\n", "\n"))
    events = []
    for block in text.split("BEGIN:VEVENT\n")[1:]:
        body = block.split("END:VEVENT")[0]
        props = {}
        for line in body.split("\n"):
            if ":" in line and not line.startswith((" ", "\t")):
                name, value = line.split(":", 1)
                props.setdefault(name, value)
        events.append(props)
    return events


class AuditWorkflowTest(qa.ClockedCliTest):

    def organisation(self):
        """Fri 27 Nov 2026. gm1 manages the practice managers pm1 and pm3
        (team FS1) and pm2 (FS2), and qa1 of the QA team; sw1 and sw2 are
        pm1's social workers."""
        self.at("2026-11-02")
        self.add("gm1", "group_manager", "FS")
        self.add("pm1", "practice_manager", "FS1", "gm1")
        self.add("pm2", "practice_manager", "FS2", "gm1")
        self.add("pm3", "practice_manager", "FS1", "gm1")
        self.add("qa1", "qa_team", "QA", "gm1")
        self.add("sw1", "social_worker", "FS1", "pm1")
        self.add("sw2", "social_worker", "FS1", "pm1")
        self.at("2026-11-27")

    def audit_id(self, stdout):
        m = re.match(r"audit (\d+) recorded: ", stdout)
        self.assertTrue(m, stdout)
        return m.group(1)

    def action(self, practitioner, audit):
        """(start_date, done_on) of the action of audit."""
        rows = self.query(
            "SELECT start_date, done_on FROM occurrences WHERE activity ="
            " 'audit_action' AND subject = ? AND occ_key = ?",
            practitioner, f"audit-{audit}")
        self.assertEqual(len(rows), 1, rows)
        return rows[0]

    # -- 1: the action closed is the one named, never the oldest --

    def test_actions_are_closed_by_audit(self):
        self.organisation()
        # pm1 audits sw1's case on Mon 2 Nov, good: 2 Nov + 28 = Mon 30
        # Nov.
        good = self.audit_id(self.record(
            "collaborative_audit", "--staff", "pm1", "--practitioner", "sw1",
            "--date", "2026-11-02", "--grade", "good").stdout)
        # pm2 audits another case of sw1's on Tue 24 Nov, inadequate with a
        # safeguarding concern: 5 working days, Wed 25 (1), Thu 26 (2),
        # Fri 27 (3), Mon 30 (4), Tue 1 Dec (5).
        out = self.record(
            "collaborative_audit", "--staff", "pm2", "--practitioner", "sw1",
            "--date", "2026-11-24", "--grade", "inadequate",
            "--safeguarding").stdout
        urgent = self.audit_id(out)
        self.assertEqual(
            out, f"audit {urgent} recorded: pm2 audited sw1's case on "
            "2026-11-24, graded inadequate with a safeguarding concern; "
            "action for sw1 due 2026-12-01\n")
        # `due` shows the most urgent open action, the earliest due.
        self.assertEqual(self.due_rows("--activity", "audit_action"),
                         [("sw1", "2026-11-30", "due", None, None)])

        # Two open: a close that does not say which records nothing and
        # lists both, with their deadlines.
        before = self.snapshot()
        r = self.run_cli("record", "audit_action", "--staff", "sw1",
                         "--date", "2026-11-27")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("2 open audit actions", r.stderr)
        self.assertIn("--audit N", r.stderr)
        self.assertIn(f"audit {good} of 2026-11-02 by pm1, grade good, "
                      "due 2026-11-30", r.stderr)
        self.assertIn(f"audit {urgent} of 2026-11-24 by pm2, grade "
                      "inadequate, due 2026-12-01", r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(self.snapshot(), before)

        # Signed off by someone outside sw1's line: refused, nothing kept.
        for signer in ("pm2", "sw1", "sw2", "nobody"):
            self.fails(["record", "audit_action", "--staff", "sw1", "--date",
                        "2026-11-27", "--audit", urgent, "--signed-off-by",
                        signer], [signer], one_line=False)
            self.assertEqual(self.snapshot(), before)
        # Not sw1's audit, or no audit at all.
        self.fails(["record", "audit_action", "--staff", "sw2", "--date",
                    "2026-11-27", "--audit", urgent], [urgent, "sw2"])
        self.fails(["record", "audit_action", "--staff", "sw1", "--date",
                    "2026-11-27", "--audit", "999"], ["999"])
        # The urgent audit was on 24 Nov: not closed on 23 Nov.
        self.fails(["record", "audit_action", "--staff", "sw1", "--date",
                    "2026-11-23", "--audit", urgent], ["2026-11-23"])
        self.assertEqual(self.snapshot(), before)

        # The line manager closes the urgent one.
        out = self.record("audit_action", "--staff", "sw1", "--date",
                          "2026-11-27", "--audit", urgent,
                          "--signed-off-by", "pm1").stdout
        self.assertEqual(
            out, f"audit action closed: audit {urgent} of 2026-11-24 by pm2,"
            " on 2026-11-27, signed off by pm1; next open action due "
            "2026-11-30\n")
        self.assertEqual(self.action("sw1", urgent),
                         ("2026-12-01", "2026-11-27"))
        self.assertEqual(self.action("sw1", good), ("2026-11-30", None))
        self.assertEqual(self.query(
            "SELECT audit_id, signed_off_by FROM completions WHERE"
            " activity = 'audit_action'"), [(int(urgent), "pm1")])
        self.assertEqual(self.due_rows("--activity", "audit_action"),
                         [("sw1", "2026-11-30", "due", "2026-11-27", None)])
        # In sw1's feed the urgent one is done, the other still open.
        events = {e["DTSTART;VALUE=DATE"]: e["SUMMARY"]
                  for e in vevents(self.ok("export", "--staff", "sw1").stdout)
                  if e.get("CATEGORIES") == "Audit actions"}
        self.assertEqual(events, {"20261201": "Due: Audit actions (done)",
                                  "20261130": "Due: Audit actions"})
        # A second close of the same audit is refused; with one left open
        # a close needs no --audit, and the manager's manager may sign.
        self.fails(["record", "audit_action", "--staff", "sw1", "--date",
                    "2026-11-27", "--audit", urgent], ["already closed"])
        out = self.record("audit_action", "--staff", "sw1", "--date",
                          "2026-11-27", "--signed-off-by", "gm1").stdout
        self.assertIn(f"audit {good} of 2026-11-02 by pm1", out)
        self.assertIn("no other action open", out)
        self.assertEqual(self.due_rows("--activity", "audit_action"), [])
        self.fails(["record", "audit_action", "--staff", "sw1", "--date",
                    "2026-11-27"], ["no open audit action"])

    # -- 5: a 28-day deadline moves off a non-working day --

    def test_28_day_deadline_moves_to_the_working_day_before(self):
        self.organisation()
        # Fri 27 Nov + 28 = Fri 25 Dec, Christmas Day: Thu 24 Dec.
        a = self.audit_id(self.record(
            "collaborative_audit", "--staff", "pm1", "--practitioner", "sw1",
            "--date", "2026-11-27", "--grade", "good").stdout)
        self.assertEqual(self.action("sw1", a), ("2026-12-24", None))
        # Sat 7 Nov + 28 = Sat 5 Dec: Fri 4 Dec. (An audit may be done on a
        # Saturday; it is recorded as it happened.)
        b = self.audit_id(self.record(
            "collaborative_audit", "--staff", "pm2", "--practitioner", "sw2",
            "--date", "2026-11-07", "--grade", "requires improvement").stdout)
        self.assertEqual(self.action("sw2", b), ("2026-12-04", None))
        # Mon 30 Nov 2026 + 28 = Mon 28 Dec, the Boxing Day substitute;
        # the 25th is Christmas, the 26th-27th the weekend: Thu 24 Dec.
        self.at("2026-11-30")
        c = self.audit_id(self.record(
            "collaborative_audit", "--staff", "pm3", "--practitioner", "sw2",
            "--date", "2026-11-30", "--grade", "outstanding").stdout)
        self.assertEqual(self.action("sw2", c), ("2026-12-24", None))

    # -- 8: the framework's grade words --

    def test_the_frameworks_grade_words(self):
        self.organisation()
        for grade, stored in [("Requires improvement",
                               "requires_improvement"),
                              ("requires-improvement",
                               "requires_improvement"),
                              ("Inadequate", "inadequate"),
                              ("GOOD", "good"), ("Outstanding",
                                                 "outstanding")]:
            with self.subTest(grade=grade):
                day = "2026-11-%02d" % (10 + len(self.query(
                    "SELECT id FROM completions")))
                out = self.record("collaborative_audit", "--staff", "pm1",
                                  "--practitioner", "sw1", "--date", day,
                                  "--grade", grade).stdout
                self.assertIn(f"graded {stored.replace('_', ' ')};", out)
                self.assertEqual(self.query(
                    "SELECT grade FROM completions ORDER BY id DESC"
                    " LIMIT 1"), [(stored,)])
        # "Inadequate" with a safeguarding concern is the urgent one: Mon
        # 23 Nov + 5 working days = Mon 30 Nov.
        a = self.audit_id(self.record(
            "collaborative_audit", "--staff", "pm2", "--practitioner", "sw2",
            "--date", "2026-11-23", "--grade", "Inadequate",
            "--safeguarding").stdout)
        self.assertEqual(self.action("sw2", a), ("2026-11-30", None))
        self.fails(["record", "collaborative_audit", "--staff", "pm2",
                    "--practitioner", "sw2", "--date", "2026-11-24",
                    "--grade", "Requires much improvement"],
                   ["Requires much improvement"])

    # -- 12: record says what it recorded --

    def test_record_prints_what_it_recorded_and_what_is_next(self):
        self.organisation()
        # sw1 is experienced: Fri 20 Nov + 28 = Fri 18 Dec.
        self.assertEqual(
            self.record("supervision", "--staff", "sw1", "--date",
                        "2026-11-20").stdout,
            "supervision recorded: sw1 on 2026-11-20; next due "
            "2026-12-18\n")
        # pm1's dip sample of the week of Mon 23 Nov; the next week's is
        # due by Fri 4 Dec.
        self.assertEqual(
            self.record("dip_sample", "--staff", "pm1", "--date",
                        "2026-11-23").stdout,
            "dip_sample recorded: pm1 on 2026-11-23; next due 2026-12-04\n")

    # -- Stage 2 moderation --

    def test_moderation_is_asked_for_held_and_regrades(self):
        self.organisation()
        audit = ["record", "collaborative_audit", "--staff", "pm1",
                 "--practitioner", "sw1", "--date", "2026-11-16", "--grade",
                 "good"]
        before = self.snapshot()
        # Line 148: a practice manager of another team, a group manager or
        # above, or the QA team; never the auditor or the practitioner.
        for moderator, needle in [("pm3", "another team"),
                                  ("sw2", "moderators are"),
                                  ("pm1", "did the audit"),
                                  ("sw1", "own case"),
                                  ("nobody", "no such person")]:
            with self.subTest(moderator=moderator):
                self.fails(audit + ["--moderator", moderator],
                           [moderator, needle])
                self.assertEqual(self.snapshot(), before)
        # Mon 16 Nov + 10 working days: 17, 18, 19, 20, 23, 24, 25, 26, 27,
        # Mon 30 Nov. The action: 16 Nov + 28 = Mon 14 Dec.
        out = self.record(*audit[1:], "--moderator", "pm2").stdout
        n = self.audit_id(out)
        self.assertEqual(
            out, f"audit {n} recorded: pm1 audited sw1's case on 2026-11-16,"
            " graded good; action for sw1 due 2026-12-14; Stage 2 "
            "moderation by pm2 due by 2026-11-30\n")
        self.assertEqual(self.query(
            "SELECT moderator_id FROM completions WHERE id = ?", int(n)),
            [("pm2",)])
        self.assertEqual(self.due_rows("--activity", "moderation"),
                         [("pm2", "2026-11-30", "due", None, None)])
        # The moderator, the auditor and the practitioner each see one
        # tentative hour on the last day, at 10:00 London time.
        for who in ("pm2", "pm1", "sw1"):
            with self.subTest(feed=who):
                mods = [e for e in vevents(
                    self.ok("export", "--staff", who).stdout)
                    if e["SUMMARY"].startswith("Stage 2 moderation")]
                self.assertEqual(len(mods), 1, mods)
                self.assertEqual(
                    mods[0]["DTSTART;TZID=Europe/London"], "20261130T100000")
                self.assertEqual(
                    mods[0]["DTEND;TZID=Europe/London"], "20261130T110000")
                self.assertEqual(mods[0]["STATUS"], "TENTATIVE")
                self.assertIn("Person sw1", mods[0]["SUMMARY"])
                self.assertNotIn("good", mods[0]["SUMMARY"])
        self.assertEqual(
            [e for e in vevents(self.ok("export", "--staff", "sw2").stdout)
             if e["SUMMARY"].startswith("Stage 2")], [])
        # Changing someone (their email) regenerates their series alone:
        # the moderation keeps its names, content and SEQUENCE.
        before = self.query(
            "SELECT summary, sequence FROM occurrences WHERE activity ="
            " 'moderation' AND subject = 'pm2'")
        self.assertEqual(before, [("Stage 2 moderation: Person sw1's case,"
                                   " audited by Person pm1 (to arrange)",
                                   0)])
        self.ok("staff", "add", "--id", "pm2", "--name", "Person pm2",
                "--email", "pm2.new@example.org", "--role",
                "practice_manager", "--team", "FS2", "--manager", "gm1")
        self.assertEqual(self.query(
            "SELECT summary, sequence FROM occurrences WHERE activity ="
            " 'moderation' AND subject = 'pm2'"), before)

        # Stage 2 before Stage 1, or by someone who may not moderate.
        self.fails(["record", "moderation", "--audit", n, "--staff", "qa1",
                    "--date", "2026-11-13"], ["2026-11-13", "before"])
        self.fails(["record", "moderation", "--audit", n, "--staff", "pm3",
                    "--date", "2026-11-25"], ["pm3", "another team"])
        self.fails(["record", "moderation", "--audit", "999", "--staff",
                    "qa1", "--date", "2026-11-25"], ["999"])
        # Held by qa1 (not the one named) on Wed 25 Nov, who regrades it
        # inadequate with a safeguarding concern: the action is re-timed
        # from 25 Nov, 5 working days: 26, 27, 30 Nov, 1, Wed 2 Dec.
        out = self.record("moderation", "--audit", n, "--staff", "qa1",
                          "--date", "2026-11-25", "--grade", "inadequate",
                          "--safeguarding").stdout
        self.assertEqual(
            out, f"moderation of audit {n} recorded: qa1 on 2026-11-25, "
            "regraded from good to inadequate with a safeguarding concern;"
            " action for sw1 now due 2026-12-02\n")
        self.assertEqual(self.action("sw1", n), ("2026-12-02", None))
        # Both grades are kept.
        self.assertEqual(self.query(
            "SELECT activity, staff_id, grade, safeguarding, audit_id FROM"
            " completions WHERE id = ? OR audit_id = ? ORDER BY id",
            int(n), int(n)),
            [("collaborative_audit", "pm1", "good", 0, None),
             ("moderation", "qa1", "inadequate", 1, int(n))])
        # pm2's moderation is done: confirmed on the day it was held.
        self.assertEqual(self.due_rows("--activity", "moderation"), [])
        self.assertEqual(self.query(
            "SELECT start_date, status, done_on FROM occurrences WHERE"
            " activity = 'moderation' AND subject = 'pm2'"),
            [("2026-11-25", "confirmed", "2026-11-25")])
        self.fails(["record", "moderation", "--audit", n, "--staff", "gm1",
                    "--date", "2026-11-26"], ["already moderated", "qa1"])
        # The escalated action is overdue from Thu 3 Dec.
        self.assertEqual(
            self.due_rows("--activity", "audit_action", "--as-of",
                          "2026-12-03"),
            [("sw1", "2026-12-02", "overdue", None, None)])

    def test_moderation_within_and_time_as_configured(self):
        # The host hands the audit workflow the typed values of
        # [activity.collaborative_audit]: Mon 16 Nov + 3 working days is
        # Thu 19 Nov, at 14:30 London time.
        self.ws.write_config(extra="[activity.collaborative_audit]\n"
                             "moderation_within = 3\n"
                             "moderation_time = 14:30\n")
        self.organisation()
        out = self.record("collaborative_audit", "--staff", "pm1",
                          "--practitioner", "sw1", "--date", "2026-11-16",
                          "--grade", "good", "--moderator", "pm2").stdout
        self.assertIn("Stage 2 moderation by pm2 due by 2026-11-19", out)
        mods = [e for e in vevents(self.ok("export", "--staff",
                                           "pm2").stdout)
                if e["SUMMARY"].startswith("Stage 2 moderation")]
        self.assertEqual(len(mods), 1, mods)
        self.assertEqual(mods[0]["DTSTART;TZID=Europe/London"],
                         "20261119T143000")

    def test_regrading_by_flag_keeping_the_grade_and_after_the_close(self):
        self.organisation()
        # sw2: inadequate with a safeguarding concern on Mon 2 Nov: 3, 4, 5,
        # 6, Mon 9 Nov.
        a = self.audit_id(self.record(
            "collaborative_audit", "--staff", "pm1", "--practitioner", "sw2",
            "--date", "2026-11-02", "--grade", "inadequate",
            "--safeguarding").stdout)
        self.assertEqual(self.action("sw2", a), ("2026-11-09", None))
        # Moderated on Wed 4 Nov: grade kept, the concern cleared: a
        # regrading all the same, to 4 Nov + 28 = Wed 2 Dec.
        out = self.record("moderation", "--audit", a, "--staff", "gm1",
                          "--date", "2026-11-04",
                          "--no-safeguarding").stdout
        self.assertIn("regraded from inadequate with a safeguarding concern "
                      "to inadequate; action for sw2 now due 2026-12-02",
                      out)
        self.assertEqual(self.action("sw2", a), ("2026-12-02", None))

        # sw1: good on Fri 20 Nov (+ 28 = Fri 18 Dec); moderated with no
        # grade and no flag: nothing changes.
        b = self.audit_id(self.record(
            "collaborative_audit", "--staff", "pm2", "--practitioner", "sw1",
            "--date", "2026-11-20", "--grade", "good").stdout)
        out = self.record("moderation", "--audit", b, "--staff", "gm1",
                          "--date", "2026-11-23").stdout
        self.assertIn("grade kept (good); action for sw1 due 2026-12-18",
                      out)
        self.assertEqual(self.action("sw1", b), ("2026-12-18", None))

        # sw1 again: good on Mon 2 Nov (+ 28 = Mon 30 Nov), the action
        # closed on Tue 10 Nov, then moderated inadequate with a concern on
        # Thu 12 Nov: kept on the audit, the action stays closed.
        c = self.audit_id(self.record(
            "collaborative_audit", "--staff", "pm3", "--practitioner", "sw1",
            "--date", "2026-11-02", "--grade", "good").stdout)
        self.record("audit_action", "--staff", "sw1", "--date", "2026-11-10",
                    "--audit", c)
        out = self.record("moderation", "--audit", c, "--staff", "pm2",
                          "--date", "2026-11-12", "--grade", "0",
                          "--safeguarding").stdout
        self.assertIn("regraded from good to inadequate with a safeguarding "
                      "concern; the action was already closed on 2026-11-10 "
                      "and stays closed", out)
        self.assertEqual(self.action("sw1", c), ("2026-11-30", "2026-11-10"))
        self.assertEqual(self.due_rows("--activity", "audit_action",
                                       "--manager", "pm1"),
                         [("sw2", "2026-12-02", "due", None, None),
                          ("sw1", "2026-12-18", "upcoming", "2026-11-10",
                           None)])
        # Options that belong elsewhere are refused.
        self.fails(["record", "moderation", "--audit", c, "--staff", "gm1",
                    "--date", "2026-11-12", "--practitioner", "sw1"],
                   ["--practitioner"])
        self.fails(["record", "supervision", "--staff", "sw1", "--date",
                    "2026-11-12", "--audit", c], ["--audit"])
        self.fails(["record", "supervision", "--staff", "sw1", "--date",
                    "2026-11-12", "--moderator", "gm1"], ["--moderator"])
        r = self.run_cli("record", "moderation", "--audit", c, "--staff",
                         "gm1", "--date", "2026-11-12", "--safeguarding",
                         "--no-safeguarding")
        self.assertEqual(r.returncode, 2, r.stderr)


class UpgradeTest(qa.ClockedCliTest):
    """tests/fixtures/db-0.1.0.sqlite, written by 0.1.0 itself
    (tests/fixtures/make-db-0.1.0.sh tells how), opened by this build."""

    def setUp(self):
        super().setUp()
        shutil.copy(os.path.join(FIXTURES, "db-0.1.0.sqlite"), self.ws.db)
        self.ws.write_config("[activity.reg44_visit]\n"
                             "placements = Oak House=3; Birch Lodge=9\n")
        with open(os.path.join(FIXTURES, "db-0.1.0-tokens.json")) as f:
            import json
            self.urls = json.load(f)

    def test_an_upgrade_changes_no_untouched_event(self):
        # Saturday 21 November 2026, the day after the fixture was written
        # (a full regeneration, the day having changed): what neither
        # issue 6 nor a day changes (dip samples, audits, boards, practice
        # week) keeps its content hash and SEQUENCE, so calendars see
        # nothing modified.
        keep = ("dip_sample", "collaborative_audit",
                "corporate_parenting_board", "practice_week")
        sql = ("SELECT uid, sequence, content_hash FROM occurrences WHERE"
               " activity IN (%s) ORDER BY uid" % ",".join("?" * len(keep)))
        before = self.query(sql, *keep)
        self.assertGreater(len(before), 100)
        self.at("2026-11-21")
        self.ok("due")
        self.assertEqual(self.query("SELECT value FROM meta WHERE key ="
                                    " 'generated_for'"), [("2026-11-21",)])
        self.assertEqual(self.query(sql, *keep), before)

    def test_history_and_feed_urls_survive_the_upgrade(self):
        before = {t: self.query(f'SELECT * FROM "{t}" ORDER BY 1')
                  for t in ("staff", "staff_roles", "completions",
                            "feed_tokens", "reminders_outbox")}
        old_uids = dict(self.query(
            "SELECT occ_key, uid FROM occurrences WHERE activity ="
            " 'audit_action' AND subject = 'sw1'"))
        self.assertEqual(len(before["reminders_outbox"]), 20)
        # Friday 27 November 2026.
        self.at("2026-11-27")
        # 0.1.0 showed sw1's 15 Oct action (inadequate with a safeguarding
        # concern by pm2: 16, 19, 20, 21, Thu 22 Oct) open, because its
        # one close on 20 Oct went to the older 1 Oct audit.
        self.assertEqual(self.due_rows("--activity", "audit_action"),
                         [("sw1", "2026-10-22", "overdue", "2026-10-20",
                           None)])
        self.assertEqual(self.query("PRAGMA user_version"), [(6,)])
        # 0.1.0's people are tracked since the day they were added.
        self.assertEqual(self.query(
            "SELECT count(*) FROM staff WHERE since IS NULL OR since <>"
            " added_on"), [(0,)])
        self.assertEqual(len(before["staff"]),
                         self.query("SELECT count(*) FROM staff")[0][0])
        # Every row is still there, each old close now names its audit.
        for table, rows in before.items():
            after = self.query(f'SELECT * FROM "{table}" ORDER BY 1')
            self.assertEqual(len(after), len(rows), table)
        self.assertEqual(self.query(
            "SELECT id, audit_id FROM completions WHERE activity ="
            " 'audit_action' ORDER BY id"), [(5, 3), (7, 6)])
        self.assertEqual(
            [r[:10] for r in self.query(
                "SELECT id, activity, staff_id, done_on, practitioner_id,"
                " grade, safeguarding, note, recorded_at, audit_id"
                " FROM completions ORDER BY id")],
            [r[:9] + ((3,) if r[0] == 5 else (6,) if r[0] == 7 else (None,))
             for r in before["completions"]])
        # The same occurrences keep their UIDs: calendars see no change.
        self.assertEqual(dict(self.query(
            "SELECT occ_key, uid FROM occurrences WHERE activity ="
            " 'audit_action' AND subject = 'sw1'")), old_uids)
        # The urgent one can now be closed by naming it.
        out = self.record("audit_action", "--staff", "sw1", "--date",
                          "2026-11-27", "--signed-off-by", "pm1").stdout
        self.assertIn("audit action closed: audit 4 of 2026-10-15 by pm2",
                      out)
        self.assertEqual(self.due_rows("--activity", "audit_action"), [])

        # Every feed URL people subscribed to still serves.
        daemon = qa.Daemon(self.ws, env=self.env())
        try:
            daemon.wait_listening()
            for who, url in self.urls.items():
                path = url.split("8080", 1)[1]
                status, headers, body = daemon.get(path)
                self.assertEqual(status, 200, who)
                self.assertTrue(body.startswith(b"BEGIN:VCALENDAR"), who)
        finally:
            self.assertEqual(daemon.stop(), 0)


if __name__ == "__main__":
    qa.main()
