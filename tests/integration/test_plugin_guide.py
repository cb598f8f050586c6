"""plugins/README.md (issue 14): its complete plugin is built from the page
itself and loaded, and what the page says of it holds, so the guide cannot
drift from the host.

Dates worked out by hand: the huddle's rule FREQ=WEEKLY;INTERVAL=2;BYDAY=WE
is expanded from Wed 2020-01-01. From then to Wed 2026-12-02 is 2,527 days
(2,192 to 2026-01-01, 2020 and 2024 being leap years, then 335): 361 weeks,
an odd number, so 2 Dec is not a huddle and Wed 9 Dec (362 weeks) is; then
every 14 days: 23 Dec, 6 Jan 2027, 20 Jan, 3 Feb. At 09:15 GMT (no clock
change in those months). With the page's [activity.team_huddle] example,
BYDAY=TH at 14:00: the week of 2020-01-01 holds Thu 2020-01-02, and Thu
2026-12-03 is 361 weeks after it: odd again, so Thu 10 Dec, 24 Dec, 7 Jan."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

GUIDE = os.path.join(qa.SOURCE_DIR, "plugins", "README.md")


def block(text, lang):
    """The first fenced block of that language."""
    return re.search(rf"```{lang}\n(.*?)```", text, re.S)[1]


class PluginGuideTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(GUIDE, encoding="utf-8") as f:
            cls.guide = f.read()
        cls.dir = tempfile.mkdtemp(prefix="qa-guide-")
        cls.plugins = os.path.join(cls.dir, "plugins")
        os.mkdir(cls.plugins)
        source = qa.write(os.path.join(cls.dir, "team_huddle.c"),
                          block(cls.guide, "c"))
        # As the page builds it, with warnings as errors, against the
        # header in this tree.
        r = subprocess.run(
            ["cc", "-shared", "-fPIC", "-fvisibility=hidden", "-Wall",
             "-Wextra", "-Werror", "-I",
             os.path.join(qa.SOURCE_DIR, "core", "include"), "-o",
             os.path.join(cls.plugins, "qa_team_huddle.so"), source],
            capture_output=True, text=True)
        if r.returncode:
            raise AssertionError(f"the guide's plugin does not build:\n"
                                 f"{r.stderr}")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.ws = qa.Workspace(plugin_dir=self.plugins)
        self.addCleanup(self.ws.cleanup)

    def run_ok(self, *args):
        r = self.ws.run(*args)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        return r.stdout

    def test_the_guide_is_about_thirty_lines_of_plugin(self):
        lines = block(self.guide, "c").strip().splitlines()
        self.assertLessEqual(len(lines), 45, "no longer a small plugin")

    def test_it_loads_and_its_keys_are_listed(self):
        self.assertIn("team_huddle", self.run_ok("plugins"))
        out = self.run_ok("plugins", "--help", "team_huddle")
        for key, default in (("rrule", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
                             ("time", "09:15"), ("duration", "30m"),
                             ("reminders", "1d")):
            self.assertRegex(out, rf"\n  {key} .*default: {re.escape(default)}")
        self.assertIn(": ok: ", self.run_ok("check-config"))

    def test_next_previews_every_other_wednesday(self):
        out = self.run_ok("next", "team_huddle", "--from", "2026-12-03")
        self.assertEqual(
            re.findall(r"^\w{3} (\d{4}-\d\d-\d\d) (\d\d:\d\d)", out, re.M),
            [("2026-12-09", "09:15"), ("2026-12-23", "09:15"),
             ("2027-01-06", "09:15"), ("2027-01-20", "09:15"),
             ("2027-02-03", "09:15")])

    def test_the_pages_config_example_applies(self):
        with open(self.ws.config, encoding="utf-8") as f:
            text = f.read()
        qa.write(self.ws.config, text + "\n" + block(self.guide, "ini"))
        self.run_ok("check-config")
        out = self.run_ok("next", "team_huddle", "--from", "2026-12-03",
                          "--count", "3")
        self.assertEqual(
            re.findall(r"^\w{3} (\d{4}-\d\d-\d\d) (\d\d:\d\d)", out, re.M),
            [("2026-12-10", "14:00"), ("2026-12-24", "14:00"),
             ("2027-01-07", "14:00")])


if __name__ == "__main__":
    unittest.main()
