"""check-config: every problem, each named by file:line."""

import datetime
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402


class CheckConfigTest(unittest.TestCase):
    def setUp(self):
        self.ws = qa.Workspace()

    def tearDown(self):
        self.ws.cleanup()

    def test_good_config(self):
        r = self.ws.run("check-config")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"ok: 16 activities, 1 holiday "
                         r"calendar\(s\) with 91 days off, time zone "
                         r"Europe/London")

    def test_shipped_config_checks_clean(self):
        # etc/qa-scheduler.conf documents every key with its default; with
        # the paths pointed here, it is a valid config.
        text = open(os.path.join(qa.SOURCE_DIR, "etc",
                                 "qa-scheduler.conf")).read()
        for section, key in [("database", f"path = {self.ws.db}"),
                             ("plugins", f"dir = {qa.PLUGIN_DIR}"),
                             ("calendars", f"holidays = {qa.HOLIDAYS}")]:
            self.assertIn(f"\n[{section}]\n", text)
            text = text.replace(f"\n[{section}]\n",
                                f"\n[{section}]\n{key}\n", 1)
        path = qa.write(os.path.join(self.ws.dir, "shipped.conf"), text)
        r = qa.subprocess.run([qa.BIN, "-c", path, "check-config"],
                              capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_every_problem_with_its_line(self):
        text = "\n".join([
            "[server]",                      # 1
            "listen = 127.0.0.1:99999",      # 2 port out of range
            "feed_refresh = soon",           # 3 not a duration
            "lisen = 127.0.0.1:80",          # 4 unknown key
            "[database]",                    # 5
            f"path = {self.ws.db}",          # 6
            "[sever]",                       # 7 unknown section
            "[calendars]",                   # 8
            "timezone = Mars/Olympus",       # 9 unknown zone
            f"holidays = {self.ws.dir}/nope.ics",  # 10 missing file
            "[plugins]",                     # 11
            f"dir = {qa.PLUGIN_DIR}",        # 12
            "[activity.supervision]",        # 13
            "horizon = lots",                # 14 not an integer
            "[reminders]",                   # 15
            "send_window = 18:00-08:00",     # 16 backwards
            "",
        ])
        qa.write(self.ws.config, text)
        r = self.ws.run("check-config")
        self.assertEqual(r.returncode, 1)
        conf = self.ws.config
        for line, needle in [(2, "listen"), (3, "feed_refresh"),
                             (4, "lisen"), (7, "sever"), (9, "Mars/Olympus"),
                             (14, "horizon"), (16, "send_window")]:
            self.assertRegex(r.stderr, rf"{conf}:{line}: .*{needle}",
                             r.stderr)
        self.assertRegex(r.stderr, r"nope\.ics: .*cannot open")

    def test_missing_file(self):
        missing = os.path.join(self.ws.dir, "absent.conf")
        r = qa.subprocess.run([qa.BIN, "-c", missing, "check-config"],
                              capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{missing}: cannot open", r.stderr)

    def test_environment_names_the_config(self):
        env = dict(os.environ, QA_SCHEDULER_CONFIG=self.ws.config)
        r = qa.subprocess.run([qa.BIN, "check-config"], capture_output=True,
                              text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(self.ws.config, r.stdout)

    def test_escalation_steps(self):
        # Issue 10: escalate is one or two ascending working days (1 to
        # 60) or none, for every activity; collaborative_audit has its
        # actions' own two.
        self.ws.write_config(extra=(
            "[activity.supervision]\nescalate = 10, 2\n"
            "[activity.dip_sample]\nescalate = none\n"
            "[activity.collaborative_audit]\naction_escalate = 0\n"
            "urgent_action_escalate = 1, 2, 3\n"
            "[activity.iro_scrutiny]\naction_escalate = 1\n"))
        r = self.ws.run("check-config")
        self.assertEqual(r.returncode, 1)
        want = ("expected one or two working days after the due date, the "
                "second later (1 to 60), such as \"2, 10\", or none")
        for key, value in [("supervision] escalate", "10, 2"),
                           ("collaborative_audit] action_escalate", "0"),
                           ("collaborative_audit] urgent_action_escalate",
                            "1, 2, 3")]:
            self.assertIn(f"[activity.{key} = \"{value}\": {want}",
                          r.stderr)
        self.assertIn('unknown key "action_escalate" in '
                      "[activity.iro_scrutiny]", r.stderr)
        self.assertNotIn("dip_sample", r.stderr)
        self.assertIn("7 problem(s)", r.stderr)  # and 3 plugins refused
        # The defaults, as plugins --help shows them.
        self.ws.write_config()
        out = self.ws.run("plugins", "--help", "supervision").stdout
        self.assertRegex(out, r"escalate\s+list\s+default: 2, 10")
        out = self.ws.run("plugins", "--help", "collaborative_audit").stdout
        self.assertRegex(out, r"escalate\s+list\s+default: 1, 10")
        self.assertRegex(out, r"action_escalate\s+list\s+default: 1, 5")
        self.assertRegex(out, r"urgent_action_escalate\s+list\s+default: "
                              r"1, 2")

    def test_holiday_file_that_does_not_parse(self):
        bad = qa.write(os.path.join(self.ws.dir, "bad.ics"),
                       "this is not a calendar\n")
        self.ws.holidays = f"{qa.HOLIDAYS}, {bad}"
        self.ws.write_config()
        r = self.ws.run("check-config")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"bad\.ics: holiday calendar: ")


SHORT_CALENDAR = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//short//EN\r
BEGIN:VEVENT\r
UID:a@test\r
DTSTAMP:20260101T000000Z\r
DTSTART;VALUE=DATE:20261225\r
SUMMARY:Christmas Day\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:b@test\r
DTSTAMP:20260101T000000Z\r
DTSTART;VALUE=DATE:20270830\r
SUMMARY:Summer bank holiday\r
END:VEVENT\r
END:VCALENDAR\r
"""


class HolidaysRunningOutTest(qa.ClockedCliTest):
    """A holiday calendar covers to the end of the year of its last holiday
    (here 2027-12-31); from 12 months before that, check-config warns (and
    still passes), the daemon logs it, and /metrics has the days left of
    each calendar."""

    def setUp(self):
        super().setUp()
        self.short = qa.write(os.path.join(self.ws.dir, "short.ics"),
                              SHORT_CALENDAR)
        self.ws.holidays = f"{qa.HOLIDAYS}, {self.short}"
        self.ws.write_config()

    def test_check_config_warns_from_twelve_months_before(self):
        self.at("2026-12-30")
        r = self.ok("check-config")
        self.assertEqual(r.stderr, "")
        self.at("2026-12-31")
        r = self.ok("check-config")
        self.assertIn("ok: 16 activities, 2 holiday calendar(s)", r.stdout)
        self.assertEqual(
            r.stderr,
            f"qa-scheduler: warning: {self.short} lists holidays only to "
            "2027-12-31 (365 day(s) left): after that every weekday counts "
            "as a working day and due dates move; replace it with a newer "
            "calendar (England and Wales: https://www.gov.uk/bank-holidays)"
            " and reload\n")
        self.at("2028-01-05")
        self.assertIn("(5 day(s) ago)", self.ok("check-config").stderr)
        # The shipped calendar alone: years to go.
        self.ws.holidays = qa.HOLIDAYS
        self.ws.write_config()
        self.assertEqual(self.ok("check-config").stderr, "")

    def test_the_daemon_logs_it_and_metrics_count_the_days(self):
        d = qa.Daemon(self.ws, env=qa.faketime_env("2027-06-01 12:00:00"))
        self.addCleanup(lambda: d.proc.poll() is None and d.stop())
        d.wait_listening()
        m = d.wait_for(r"warning: holidays: (\S+) lists holidays only to "
                       r"2027-12-31 \((\d+) day\(s\) left\)")
        self.assertEqual((m.group(1), m.group(2)), (self.short, "213"))
        d.wait_for(r"serve: ready")
        status, _, body = d.get("/metrics")
        self.assertEqual(status, 200)
        left = dict(re.findall(r'^qa_holidays_days_left\{file="([^"]+)"\} '
                               r'(-?\d+)$', body.decode(), re.M))
        shipped = (datetime.date(2030, 12, 31) -
                   datetime.date(2027, 6, 1)).days
        self.assertEqual(left, {qa.HOLIDAYS: str(shipped),
                                self.short: "213"})
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    qa.main()
