"""Digests (issue 10, tracked as 13): one message a working day per person,
a weekly one per manager, urgent items not held, the QA team's monthly word
about a holiday calendar running out; through the real daemon against a real
SMTP server (aiosmtpd) and webhook receiver, under libfaketime, as
test_reminders.py does (its helpers are used here; its tests are not run
again).

Every expected line is worked out by hand in the comments.

The organisation's zone is Europe/London: BST (UTC+1) until Sun 25 Oct 2026
01:00 UTC, GMT after. digest_time is 08:30 local by default: 07:30 UTC in
October before the change, 08:30 UTC after it.

Supervision here (experienced staff) is due 28 days after the last session,
at 10:00 local, with a 2-day lead time; it escalates on the 2nd working day
after its due date to the line manager and the 10th to theirs.

Bank holidays used: Fri 25 Dec 2026 (Christmas Day), Mon 28 Dec 2026 (Boxing
Day, substitute)."""

import collections
import datetime
import json
import os
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402
from test_reminders import ReminderTest, utc  # noqa: E402

NOW = "2026-10-01 12:00:00"


class DigestTest(ReminderTest):
    """ReminderTest's set-up and helpers, with mode = digest."""

    def digests(self, where="1", *params):
        return self.query("SELECT * FROM digests_outbox WHERE "
                          f"{where} ORDER BY id", *params)

    def hooks(self, kind):
        out = []
        for r in self.hook.received():
            body = json.loads(r["body"])
            if body["type"] == kind:
                out.append(body)
        return out

    def line_org(self):
        """gm1 > pm1 > sw1, sw2 (team FS1), added on Thu 1 Oct 2026.

        sw1: last session Thu 17 Sep: due Thu 15 Oct 10:00; never held.
        sw2: last session Mon 21 Sep: due Mon 19 Oct 10:00; never held.
        pm1: last session Thu 24 Sep: due Thu 22 Oct 10:00; never held.
        gm1 has no manager, so no supervision of their own."""
        self.add(NOW, "gm1", "Gina Boss", "group_manager")
        self.add(NOW, "pm1", "Pat Manager", "practice_manager", "gm1")
        self.add(NOW, "sw1", "Sam Worker", "social_worker", "pm1")
        self.add(NOW, "sw2", "Sue Second", "social_worker", "pm1")
        for sid, day in (("sw1", "2026-09-17"), ("sw2", "2026-09-21"),
                         ("pm1", "2026-09-24")):
            self.cli(NOW, "record", "supervision", "--staff", sid, "--date",
                     day)

    def by_to(self, mails, prefix):
        return {m["to"].split("@")[0]: m for m in mails
                if m["subject"].startswith(prefix)}

    # -- the daily digest --

    def test_daily_digest_lines_recipients_and_once_a_day(self):
        self.workspace("supervision", webhook=True, mode="digest",
                       window="08:00-18:00")
        self.line_org()
        # Mon 19 Oct 2026, 08:30 BST = 07:30 UTC. Also Monday's weekly
        # digests, to pm1 and gm1: 3 daily + 2 weekly.
        at = utc("2026-10-19 07:30")
        d = self.start("2026-10-19 07:29:55")
        if self.faked_now(d) < at - 1:
            self.assertEqual(self.mail(), [], "a digest before 08:30")
        mails = self.wait_mail(5, d)
        self.settle(2)
        self.stop(d)
        self.assertEqual(len(self.mail()), 5)
        daily = self.by_to(mails, "QA schedule, Monday 19 October 2026")
        # gm1 has nothing within its lead time today: no daily digest.
        self.assertEqual(sorted(daily), ["pm1", "sw1", "sw2"])

        # sw1: their own session of Thu 15 Oct, overdue.
        m = daily["sw1"]
        self.assertEqual(m["subject"], "QA schedule, Monday 19 October "
                         "2026: 1 overdue")
        self.assertIn("Dear Sam Worker,\n\nYour QA schedule for Monday 19 "
                      "October 2026.\n\nOverdue\n  - Supervision: Sam Worker "
                      "with Pat Manager: was due Thursday 15 October 2026, "
                      "10:00\n\nEach is in your calendar feed", m["text"])
        # sw2: today's session (its 2-day lead time came on Sat 17 Oct).
        m = daily["sw2"]
        self.assertEqual(m["subject"], "QA schedule, Monday 19 October "
                         "2026: 1 today")
        self.assertIn("\nToday\n  - Supervision: Sue Second with Pat "
                      "Manager: Monday 19 October 2026, 10:00\n", m["text"])
        # pm1: sw1's session escalated to them today (the 2nd working day
        # after Thu 15 Oct: Fri 16, Mon 19), and sw2's session today, which
        # they hold. Their own of Thu 22 Oct reaches its lead time on Tue
        # 20 Oct, not yet.
        m = daily["pm1"]
        self.assertEqual(m["subject"], "QA schedule, Monday 19 October "
                         "2026: 1 overdue, 1 today")
        self.assertIn(
            "\nOverdue\n  - Supervision: Sam Worker with Pat Manager: was "
            "due Thursday 15 October 2026, 10:00; escalated to you as the "
            "line manager today\n\nToday\n  - Supervision: Sue Second with "
            "Pat Manager: Monday 19 October 2026, 10:00\n", m["text"])
        self.assertNotIn("Thursday 22 October", m["text"])

        # The outbox: one row per person and channel, due at 08:30 BST,
        # inside the window, sent once; the key is the Message-ID.
        rows = self.digests("kind = 'daily' AND channel = 'email'")
        self.assertEqual(sorted(r["recipient"] for r in rows),
                         ["pm1", "sw1", "sw2"])
        for r in rows:
            self.assertEqual((r["period"], r["due_at"], r["state"]),
                             ("2026-10-19", at, "sent"))
            self.assertEqual(daily[r["recipient"]]["message_id"],
                             f"<{r['idempotency_key']}@qa-scheduler>")
        # The log channel: one line per digest.
        self.assertEqual(len(self.digests("channel = 'log'")), 5)
        # The webhook: the same digests as JSON.
        hooks = {h["recipient"]["id"]: h for h in self.hooks("daily_digest")}
        self.assertEqual(sorted(hooks), ["pm1", "sw1", "sw2"])
        h = hooks["pm1"]
        self.assertEqual(h["period"], "2026-10-19")
        self.assertEqual(h["recipient"], {"id": "pm1", "name": "Pat Manager",
                                          "email": "pm1@example.org"})
        [over] = h["overdue"]
        self.assertEqual(
            (over["activity"], over["date"], over["subject"],
             over["escalation"], over["escalated_today"], over["urgent"]),
            ("supervision", "2026-10-15",
             {"id": "sw1", "name": "Sam Worker"}, 1, True, False))
        [today] = h["today"]
        self.assertEqual((today["date"], today["when"], today["subject"]),
                         ("2026-10-19", "Monday 19 October 2026, 10:00",
                          {"id": "sw2", "name": "Sue Second"}))
        self.assertEqual((h["next_7_days"], h["coming_up"]), ([], []))
        self.assertEqual(h["text"], daily["pm1"]["text"])
        [hrow] = self.digests("kind = 'daily' AND channel = 'webhook' AND "
                              "recipient = 'pm1'")
        self.assertEqual(h["idempotency_key"], hrow["idempotency_key"])

        # Once a day: not again after a restart the same day.
        d = self.start("2026-10-19 12:00:00")
        self.settle()
        self.stop(d)
        self.assertEqual(len(self.mail()), 5)

        # Tue 20 Oct: sw2's session now overdue too (its escalation comes
        # on Wed 21 Oct); pm1's own of Thu 22 Oct is within its lead time,
        # for pm1 and for gm1, who holds it. No weekly digest on Tuesday.
        d = self.start("2026-10-20 07:29:55")
        mails = self.wait_mail(9, d)
        self.settle(2)
        self.stop(d)
        self.assertEqual(len(self.mail()), 9)
        daily = self.by_to(mails, "QA schedule, Tuesday 20 October 2026")
        self.assertEqual(sorted(daily), ["gm1", "pm1", "sw1", "sw2"])
        self.assertIn(
            "\nOverdue\n  - Supervision: Sam Worker with Pat Manager: was "
            "due Thursday 15 October 2026, 10:00; escalated to you as the "
            "line manager\n\nNext 7 days\n  - Supervision: Pat Manager with "
            "Gina Boss: Thursday 22 October 2026, 10:00\n",
            daily["pm1"]["text"])
        self.assertEqual(daily["gm1"]["subject"],
                         "QA schedule, Tuesday 20 October 2026: 1 in the "
                         "next 7 days")
        self.assertIn("\nOverdue\n  - Supervision: Sue Second with Pat "
                      "Manager: was due Monday 19 October 2026, 10:00\n\n",
                      daily["sw2"]["text"])

        # Recorded: it stops. sw1's session held on Tue 20 Oct; on Wed 21
        # Oct sw1 has nothing (next due 17 Nov) and pm1 no longer hears of
        # it, but now of sw2's (escalated today, the 2nd working day after
        # Mon 19 Oct).
        self.cli("2026-10-20 15:00:00", "record", "supervision", "--staff",
                 "sw1", "--date", "2026-10-20")
        d = self.start("2026-10-21 07:29:55")
        mails = self.wait_until(
            "Wednesday's digests",
            lambda: len(self.by_to(self.mail(), "QA schedule, Wednesday")) >= 3,
            d)
        self.settle(2)
        self.stop(d)
        daily = self.by_to(self.mail(), "QA schedule, Wednesday 21 October")
        self.assertEqual(sorted(daily), ["gm1", "pm1", "sw2"])
        self.assertNotIn("Sam Worker", daily["pm1"]["text"])
        self.assertIn("  - Supervision: Sue Second with Pat Manager: was due "
                      "Monday 19 October 2026, 10:00; escalated to you as "
                      "the line manager today\n", daily["pm1"]["text"])

    def test_coming_up_once_on_the_day_a_long_lead_time_arrives(self):
        self.workspace("supervision", mode="digest",
                       activity="[activity.supervision]\nreminders = 10d, "
                       "2d\n")
        self.line_org()
        # Fri 9 Oct, 08:30 BST: sw1's session (Thu 15 Oct) reached its 10d
        # lead time on Mon 5 Oct and is within the next 7 days (to Thu 15);
        # sw2's (Mon 19 Oct) reaches it today: coming up. pm1's (Thu 22 Oct)
        # reaches it on Mon 12 Oct: not yet. gm1: nothing, no digest.
        d = self.start("2026-10-09 07:29:55")
        self.wait_until("Friday's dailies", lambda: len(self.by_to(
            self.mail(), "QA schedule")) >= 3, d)
        self.settle(2)
        self.stop(d)
        daily = self.by_to(self.mail(), "QA schedule, Friday 9 October 2026")
        self.assertEqual(sorted(daily), ["pm1", "sw1", "sw2"])
        self.assertEqual(daily["pm1"]["subject"],
                         "QA schedule, Friday 9 October 2026: 1 in the next "
                         "7 days, 1 coming up")
        self.assertIn("\nNext 7 days\n  - Supervision: Sam Worker with Pat "
                      "Manager: Thursday 15 October 2026, 10:00\n\nComing "
                      "up\n  - Supervision: Sue Second with Pat Manager: "
                      "Monday 19 October 2026, 10:00\n\n",
                      daily["pm1"]["text"])
        # Mon 12 Oct (the working day after Friday): sw2's session is no
        # longer news (its 2d lead time comes on Sat 17 Oct), so sw2 hears
        # nothing; pm1's own reaches its 10d lead time today, for pm1 and
        # gm1.
        d = self.start("2026-10-12 07:29:55")
        self.wait_until("Monday's dailies", lambda: len(self.by_to(
            self.mail(), "QA schedule, Monday")) >= 3, d)
        self.settle(2)
        self.stop(d)
        daily = self.by_to(self.mail(), "QA schedule, Monday 12 October 2026")
        self.assertEqual(sorted(daily), ["gm1", "pm1", "sw1"])
        self.assertIn("\nNext 7 days\n  - Supervision: Sam Worker with Pat "
                      "Manager: Thursday 15 October 2026, 10:00\n\nComing "
                      "up\n  - Supervision: Pat Manager with Gina Boss: "
                      "Thursday 22 October 2026, 10:00\n\nEach",
                      daily["pm1"]["text"])
        self.assertEqual(daily["gm1"]["subject"],
                         "QA schedule, Monday 12 October 2026: 1 coming up")

    def test_a_digest_that_missed_its_day_is_skipped_never_sent_late(self):
        self.workspace("supervision", mode="digest", window="09:00-17:00")
        self.line_org()
        # Mon 19 Oct, 18:30 BST (17:30 UTC), the daemon's first start that
        # day: Monday's digests are planned, due at 09:00 BST (08:00 UTC;
        # 08:30 is before the window opens), but the window has shut.
        d = self.start("2026-10-19 17:30:00")
        self.settle(3)
        self.stop(d)
        self.assertEqual(self.mail(), [])
        monday = self.digests("kind = 'daily'")
        self.assertEqual(sorted({r["recipient"] for r in monday}),
                         ["pm1", "sw1", "sw2"])
        for r in monday:
            self.assertEqual((r["period"], r["state"], r["due_at"]),
                             ("2026-10-19", "pending",
                              utc("2026-10-19 08:00")))
        # Tue 20 Oct, the window opens at 09:00 BST (08:00 UTC): Monday's
        # dailies are skipped, never sent; Tuesday's (sw1, sw2, pm1 and
        # gm1, as in the test above) go, and the week's weeklies, planned
        # on Monday, go now, still in their week.
        d = self.start("2026-10-20 07:59:55")
        mails = self.wait_mail(6, d)
        self.settle(2)
        metrics = self.metrics(d)
        self.stop(d)
        self.assertEqual(len(self.mail()), 6)
        self.assertEqual(sorted(self.by_to(mails, "QA schedule, Tuesday")),
                         ["gm1", "pm1", "sw1", "sw2"])
        self.assertEqual(sorted(self.by_to(mails, "Your line this week "
                                           "(Monday 19 October 2026)")),
                         ["gm1", "pm1"])
        self.assertEqual({r["state"] for r in self.digests(
            "period = '2026-10-19'")}, {"skipped"})
        # /metrics counts them: Monday's 3 dailies on 2 channels (email,
        # log) skipped; Tuesday's 4 and the 2 weeklies sent.
        self.assertIn('qa_digests{state="skipped"} 6\n', metrics)
        self.assertIn('qa_digests{state="sent"} 12\n', metrics)
        for channel in ("email", "log"):
            self.assertIn(f'qa_deliveries{{kind="digest",channel="{channel}",'
                          'state="skipped"} 3\n', metrics)
            self.assertIn(f'qa_deliveries{{kind="digest",channel="{channel}",'
                          'state="sent"} 6\n', metrics)

    def test_no_digest_on_a_weekend_or_a_bank_holiday(self):
        self.workspace("supervision", mode="digest")
        self.line_org()
        # Sat 17 Oct 2026 and Fri 25 Dec 2026 (Christmas Day), Mon 28 Dec
        # (Boxing Day, substitute): sw1 is overdue all along, yet nothing.
        for instant in ("2026-10-17 07:29:55", "2026-12-25 08:29:55",
                        "2026-12-28 08:29:55"):
            d = self.start(instant)
            self.settle(4)
            self.stop(d)
            self.assertEqual(self.mail(), [], instant)
        self.assertEqual(self.digests(), [])
        # Tue 29 Dec, 08:30 GMT: the dailies (sw1, sw2 and pm1 overdue, and
        # each escalated: sw1's and sw2's to pm1, pm1's to gm1), and the
        # week's weekly digests (Monday was a bank holiday: the first
        # working day after it, in ISO week 2026-W53, the week of Thursday
        # 31 December).
        d = self.start("2026-12-29 08:29:55")
        mails = self.wait_mail(6, d)
        self.settle(2)
        self.stop(d)
        self.assertEqual(len(self.mail()), 6)
        weekly = self.digests("kind = 'weekly' AND channel = 'email'")
        self.assertEqual(sorted((r["recipient"], r["period"], r["due_at"])
                                for r in weekly),
                         [("gm1", "2026-W53", utc("2026-12-29 08:30")),
                          ("pm1", "2026-W53", utc("2026-12-29 08:30"))])
        self.assertEqual(sorted(self.by_to(mails, "QA schedule, Tuesday 29 "
                                           "December 2026")),
                         ["gm1", "pm1", "sw1", "sw2"])

    # -- the weekly digest --

    def test_weekly_digest_figures_equal_report_supervision(self):
        self.workspace("supervision", webhook=True, mode="digest")
        self.line_org()
        # sw2 held a session on Tue 10 Nov: next due Tue 8 Dec. pm1 on Fri
        # 30 Oct: next due Fri 27 Nov. sw1 never since: due Thu 15 Oct.
        self.cli("2026-11-10 15:00:00", "record", "supervision", "--staff",
                 "sw2", "--date", "2026-11-10")
        self.cli("2026-11-10 15:00:00", "record", "supervision", "--staff",
                 "pm1", "--date", "2026-10-30")
        # Mon 30 Nov 2026, 08:30 GMT: the month's last day, so `report
        # supervision` for November counts as of the same day.
        d = self.start("2026-11-30 08:29:55")
        self.wait_until("two weekly digests",
                        lambda: len(self.hooks("weekly_digest")) >= 2, d)
        # and the dailies: sw1's own overdue session, escalated to pm1
        # (step 1) and gm1 (step 2, the 10th working day after 15 Oct);
        # pm1's own overdue since Fri 27 Nov (it reaches gm1 on Tue 1 Dec).
        self.wait_mail(5, d)
        self.settle(2)
        self.stop(d)
        weekly = {h["recipient"]["id"]: h for h in self.hooks("weekly_digest")}
        self.assertEqual(sorted(weekly), ["gm1", "pm1"])
        gm = weekly["gm1"]
        self.assertEqual((gm["period"], gm["as_of"]), ("2026-W49",
                                                       "2026-11-30"))
        # gm1's line on 30 Nov: sw1 overdue (15 Oct), pm1 overdue (27
        # Nov), sw2 in date (8 Dec): 1 of 3. On Mon 23 Nov: pm1 was in
        # date too: 2 of 3.
        self.assertEqual(gm["supervision"]["now"],
                         {"as_of": "2026-11-30", "staff": 3, "in_date": 1,
                          "overdue": 2, "percent_in_date": 33.3})
        self.assertEqual(gm["supervision"]["week_before"],
                         {"as_of": "2026-11-23", "staff": 3, "in_date": 2,
                          "overdue": 1, "percent_in_date": 66.7})
        # The same figures from the reports and from due --as-of.
        r = self.cli("2026-11-30 09:00:00", "report", "supervision",
                     "--manager", "gm1", "--from", "2026-11", "--to",
                     "2026-11", "--format", "json")
        [nov] = json.loads(r.stdout)
        self.assertEqual(
            (nov["staff"], nov["in_date"], nov["overdue"],
             nov["percent_in_date"]),
            (gm["supervision"]["now"]["staff"],
             gm["supervision"]["now"]["in_date"],
             gm["supervision"]["now"]["overdue"],
             gm["supervision"]["now"]["percent_in_date"]))
        # (`due --manager` lists direct reports; everyone with a
        # supervision here is in gm1's line.)
        for key, day in (("now", "2026-11-30"), ("week_before", "2026-11-23")):
            r = self.cli("2026-11-30 09:00:00", "due", "--activity",
                         "supervision", "--as-of", day, "--format", "json")
            rows = json.loads(r.stdout)
            self.assertEqual(
                (len(rows), sum(x["status"] != "overdue" for x in rows)),
                (gm["supervision"][key]["staff"],
                 gm["supervision"][key]["in_date"]), key)
        self.assertEqual(
            [(o["staff_id"], o["due"], o["days_overdue"])
             for o in gm["overdue"]],
            [("sw1", "2026-10-15", 46), ("pm1", "2026-11-27", 3)])
        [mail] = [m for m in self.mail() if m["to"] == "gm1@example.org"
                  and m["subject"].startswith("Your line")]
        self.assertEqual(mail["subject"],
                         "Your line this week (Monday 30 November 2026): 1 "
                         "of 3 in date for supervision, 0 open audit "
                         "action(s), 0 moderation(s) waiting")
        self.assertIn("Supervision in date\n  now:        1 of 3 (33.3%)\n"
                      "  a week ago: 2 of 3 (66.7%) (Monday 23 November "
                      "2026)\n\nOverdue for supervision\n  - Sam Worker "
                      "(FS1): due Thursday 15 October 2026, overdue 46 "
                      "day(s)\n  - Pat Manager (FS1): due Friday 27 November "
                      "2026, overdue 3 day(s)\n", mail["text"])
        self.assertIn("manager-url --staff gm1", mail["text"])
        self.assertIsNone(gm["page"])
        # pm1's line is sw1 and sw2: 1 of 2 both days.
        pm = weekly["pm1"]
        self.assertEqual((pm["supervision"]["now"]["in_date"],
                          pm["supervision"]["now"]["staff"],
                          pm["supervision"]["week_before"]["in_date"]),
                         (1, 2, 1))

    # -- urgent items --

    def test_an_urgent_action_is_not_held_for_the_digest(self):
        self.workspace("collaborative_audit", mode="digest")
        now = "2026-10-12 12:00:00"
        self.add(now, "gm1", "Gina Boss", "group_manager")
        self.add(now, "pm1", "Pat Manager", "practice_manager", "gm1")
        self.add(now, "sw1", "Sam Worker", "social_worker", "pm1")
        self.add(now, "sw2", "Sue Second", "social_worker", "pm1")
        # As in test_reminders: sw2's action (good, 21 Sep) and sw1's
        # (inadequate with a safeguarding concern, 12 Oct) both due Mon 19
        # Oct; both escalate to pm1 on Tue 20 Oct 09:00 BST (08:00 UTC).
        # sw2's audit asks gm1 to moderate it (Stage 2).
        self.cli(now, "record", "collaborative_audit", "--staff", "pm1",
                 "--practitioner", "sw2", "--date", "2026-09-21", "--grade",
                 "good", "--moderator", "gm1")
        self.cli(now, "record", "collaborative_audit", "--staff", "pm1",
                 "--practitioner", "sw1", "--date", "2026-10-12", "--grade",
                 "inadequate", "--safeguarding")
        urgent = self.occurrence("audit_action", "sw1", "2026-10-19")
        [moderation] = json.loads(self.cli(
            now, "due", "--activity", "moderation", "--format",
            "json").stdout)
        self.assertEqual(moderation["staff_id"], "gm1")
        d = self.start("2026-10-20 08:00:05")
        self.wait_until(
            "the urgent escalation and pm1's digest",
            lambda: {"Overdue: Audit actions (Sam Worker), due Monday 19 "
                     "October 2026", "QA schedule, Tuesday 20 October 2026: "
                     "2 overdue"} <= {m["subject"] for m in self.mail()
                                      if m["to"] == "pm1@example.org"}, d)
        self.wait_until("the week's digests", lambda: len(
            [m for m in self.mail()
             if m["subject"].startswith("Your line this week")]) >= 2, d)
        self.settle(2)
        self.stop(d)
        to_pm = [m["subject"] for m in self.mail()
                 if m["to"] == "pm1@example.org"]
        # The plain action goes in the digest only; the urgent one by
        # itself as well, at once.
        self.assertEqual(
            [s for s in to_pm if s.startswith("Overdue:")],
            ["Overdue: Audit actions (Sam Worker), due Monday 19 October "
             "2026"])
        [row] = self.outbox("r.channel = 'email' AND r.stage = 'overdue'")
        self.assertEqual((row["occurrence_uid"], row["recipient"],
                          row["due_at"]),
                         (urgent["uid"], "pm1", utc("2026-10-20 08:00")))
        [digest] = [m for m in self.mail() if m["to"] == "pm1@example.org"
                    and m["subject"].startswith("QA schedule")]
        self.assertIn("  - Audit actions (Sam Worker): was due Monday 19 "
                      "October 2026 (urgent); escalated to you as the line "
                      "manager today\n", digest["text"])
        self.assertIn("  - Audit actions (Sue Second): was due Monday 19 "
                      "October 2026; escalated to you as the line manager "
                      "today\n", digest["text"])
        # The week's digests, caught up on Tuesday: both actions are open in
        # pm1's line and in gm1's, oldest audit first (21 Sep: 29 days open
        # on 20 Oct; 12 Oct: 8 days); the moderation waits for gm1.
        actions = ("\nOpen audit actions, oldest first\n"
                   "  - Sue Second's case, audited by Pat Manager: open 29 "
                   "day(s), due Monday 19 October 2026 (overdue)\n"
                   "  - Sam Worker's case, audited by Pat Manager: open 8 "
                   "day(s), due Monday 19 October 2026 (overdue) (urgent)\n")
        weekly = {m["to"].split("@")[0]: m for m in self.mail()
                  if m["subject"].startswith("Your line this week")}
        self.assertEqual(sorted(weekly), ["gm1", "pm1"])
        self.assertIn(actions, weekly["pm1"]["text"])
        self.assertIn(actions, weekly["gm1"]["text"])
        self.assertNotIn("Moderations waiting", weekly["pm1"]["text"])
        day = datetime.date.fromisoformat(moderation["due"])
        self.assertIn("\nModerations waiting for you\n  - Sue Second's case, "
                      f"audited by Pat Manager: due {day:%A} {day.day} "
                      f"{day:%B %Y}\n", weekly["gm1"]["text"])
        self.assertTrue(weekly["gm1"]["subject"].endswith(
            "2 open audit action(s), 1 moderation(s) waiting"))

    # -- at most once, nothing lost --

    def test_kill_9_during_a_digest_run_sends_none_twice_and_loses_none(
            self):
        smtp = self.slow_smtp_workspace("digest")
        # Twenty social workers of pm1 (no manager of their own), added on
        # Tue 13 Oct: each one's first session is due that day at 10:00;
        # at 08:30 BST (07:30 UTC) each has it today, and pm1 holds all:
        # 21 daily digests; and pm1's weekly one, Monday's caught up on
        # Tuesday (the daemon did not run on Monday): 22.
        rows = ["id,name,email,role,team,manager,nqsw_start",
                "pm1,Pat Manager,pm1@example.org,practice_manager,FS1,,"]
        rows += [f"sw{i:02},Worker {i},sw{i:02}@example.org,social_worker,"
                 f"FS1,pm1," for i in range(20)]
        csv = qa.write(os.path.join(self.ws.dir, "staff.csv"),
                       "\n".join(rows) + "\n")
        self.cli("2026-10-13 07:00:00", "staff", "import", csv)
        d = self.start("2026-10-13 07:29:58")
        self.wait_until("6 digests before the kill",
                        lambda: len(smtp.messages()) >= 6, d)
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait()
        at_kill = {r["idempotency_key"]: r["state"]
                   for r in self.digests("channel = 'email'")}
        self.assertEqual(len(at_kill), 22)
        d = self.start("2026-10-13 07:33:00")
        self.wait_until("every digest sent", lambda: all(
            r["state"] == "sent" for r in self.digests()), d)
        self.stop(d)
        ids = collections.Counter(m["message_id"] for m in smtp.messages())
        self.assertEqual(set(ids), {f"<{k}@qa-scheduler>" for k in at_kill})
        for k, state in at_kill.items():
            n = ids[f"<{k}@qa-scheduler>"]
            # Only one the server took as the daemon died goes twice, with
            # the same key; one recorded sent never does.
            self.assertLessEqual(n, 2, k)
            if state == "sent":
                self.assertEqual(n, 1, k)
        self.assertEqual(len({m["to"] for m in smtp.messages()}), 21)

    # -- the holiday calendar --

    def test_qa_team_hears_monthly_while_the_holiday_calendar_runs_out(self):
        self.workspace("supervision", mode="each")
        short = qa.write(os.path.join(self.ws.dir, "short.ics"), "".join(
            f"BEGIN:VEVENT\r\nUID:{d}@test\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART;VALUE=DATE:{d}\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\n"
            for d in ("20261225", "20261228", "20270101", "20270830")
        ).join(["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n",
                "END:VCALENDAR\r\n"]))
        with open(self.ws.config, encoding="utf-8") as f:
            text = f.read()
        qa.write(self.ws.config, text.replace(
            f"holidays = {self.ws.holidays}\n", f"holidays = {short}\n", 1))
        self.add("2026-12-01 12:00:00", "qa1", "Quinn Assurance", "qa_team")
        self.add("2026-12-01 12:00:00", "sw9", "Not Told", "social_worker")
        # It covers to 31 Dec 2027: the warning starts on 31 Dec 2026. The
        # first working day of January 2027 is Mon 4 Jan (Fri 1 Jan a
        # holiday), 08:30 GMT: one message to the QA team only.
        d = self.start("2027-01-04 08:29:55")
        [m] = self.wait_mail(1, d)
        self.settle(2)
        self.stop(d)
        self.assertEqual(m["to"], "qa1@example.org")
        self.assertEqual(m["subject"], f"The holiday calendar {short} runs "
                         "out on 2027-12-31")
        self.assertIn(f"{short} lists holidays only to 2027-12-31 (361 "
                      "day(s) left)", m["text"])
        self.assertIn("systemctl reload qa-scheduler", m["text"])
        # Once a month: not again later in January; again on Mon 1 Feb.
        d = self.start("2027-01-20 12:00:00")
        self.settle()
        self.stop(d)
        self.assertEqual(len(self.mail()), 1)
        d = self.start("2027-02-01 08:29:55")
        mails = self.wait_mail(2, d)
        self.settle(2)
        self.stop(d)
        self.assertEqual(len(self.mail()), 2)
        self.assertIn("(333 day(s) left)", mails[1]["text"])
        self.assertEqual([r["period"] for r in self.digests(
            "channel = 'email'")], ["2027-01", "2027-02"])


def load_tests(loader, tests, pattern):
    """Only this file's tests, not ReminderTest's again."""
    suite = unittest.TestSuite()
    for name in loader.getTestCaseNames(DigestTest):
        if name in DigestTest.__dict__:
            suite.addTest(DigestTest(name))
    return suite


if __name__ == "__main__":
    unittest.main()
