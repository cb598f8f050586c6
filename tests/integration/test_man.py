"""The manual pages (issue 14): qa-scheduler(1) and qa-scheduler.conf(5),
written at build time from the command table and the config key table,
render without a warning (`MANWIDTH=80 man --warnings -l`) and name every
command, option and core key the program knows."""

import gzip
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

MAN_DIR = os.path.join(os.path.dirname(os.path.abspath(qa.BIN)), "man")


def render(name):
    r = subprocess.run(["man", "--warnings", "-l",
                        os.path.join(MAN_DIR, name)],
                       capture_output=True, text=True,
                       env=dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="",
                                LANG="C.UTF-8"))
    return r


class ManTest(unittest.TestCase):
    def test_both_render_without_a_warning(self):
        for name in ("qa-scheduler.1", "qa-scheduler.conf.5"):
            r = render(name)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stderr, "", name)
            self.assertGreater(len(r.stdout.splitlines()), 40, name)
            # The compressed copy, which is what is installed, is the same.
            with open(os.path.join(MAN_DIR, name), "rb") as plain, \
                    gzip.open(os.path.join(MAN_DIR, name + ".gz")) as packed:
                self.assertEqual(plain.read(), packed.read(), name)

    def test_page_1_has_every_command_and_option(self):
        text = render("qa-scheduler.1").stdout
        r = subprocess.run([qa.BIN, "help"], capture_output=True, text=True)
        # The first column of each command's line, less its operands
        # (upper case, or in brackets).
        verbs = [" ".join(w for w in first.split()
                          if re.fullmatch(r"[a-z][a-z-]*", w))
                 for first in re.findall(r"^  ([a-z]\S*(?: \S+)*?)(?:  |$)",
                                         r.stdout, re.M)]
        self.assertIn("backup", verbs)
        self.assertIn("help", verbs)
        self.assertIn("staff import", verbs)
        self.assertEqual(len(verbs), len(set(verbs)))
        for verb in verbs:
            self.assertRegex(text, rf"\n       {re.escape(verb)}\b", verb)
            h = subprocess.run([qa.BIN, "help", *verb.split()],
                               capture_output=True, text=True)
            for option in re.findall(r"^  (--[a-z-]+)", h.stdout, re.M):
                self.assertIn(option, text, f"{verb} {option}")

    def test_page_5_has_every_core_key_of_the_shipped_config(self):
        text = render("qa-scheduler.conf.5").stdout
        with open(os.path.join(qa.SOURCE_DIR, "etc", "qa-scheduler.conf"),
                  encoding="utf-8") as f:
            shipped = f.read()
        # The core sections' keys, as the shipped file documents them.
        core = shipped.split("[activity.")[0]
        keys = re.findall(r"^#?([a-z_]+) = ", core, re.M)
        self.assertIn("digest_time", keys)
        for key in keys:
            self.assertRegex(text, rf"\n       {key} = ", key)
        for section in ("server", "database", "plugins", "calendars",
                        "reminders"):
            self.assertIn(f"[{section}]", text)
        self.assertIn("Default: 08:30.", text)


if __name__ == "__main__":
    unittest.main()
