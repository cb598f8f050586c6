"""Loading plugins: broken ones are refused one by one, the rest serve."""

import os
import re
import shutil
import time
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

BROKEN = {
    # file: the reason the host must give
    "qa_wrong_abi.so": r"built for plugin ABI 2\.0, this qa-scheduler "
                       r"speaks 1\.\d+",
    "qa_no_entry.so": r"no qa_plugin_entry symbol",
    "qa_incomplete.so": r"incomplete descriptor: no title",
    "qa_init_fails.so": r"init\(\) failed",
    "qa_bad_role.so": r"unknown role \"wizard\"|\"wizard\"",
    "qa_garbage.so": r"not a loadable shared object",
    "qa_misnamed.so": r"does not match the file name",
}


class PluginHostTest(unittest.TestCase):
    def setUp(self):
        self.plugins = os.path.join(qa.tempfile.mkdtemp(prefix="qa-plug-"))
        for name in os.listdir(qa.PLUGIN_DIR):
            if name.startswith("qa_") and name.endswith(".so"):
                shutil.copy(os.path.join(qa.PLUGIN_DIR, name), self.plugins)
        for name in os.listdir(qa.TEST_PLUGIN_DIR):
            if name.endswith(".so"):
                shutil.copy(os.path.join(qa.TEST_PLUGIN_DIR, name),
                            self.plugins)
        qa.write(os.path.join(self.plugins, "qa_garbage.so"),
                 "this is not an ELF file\n")
        # A real plugin under another file name: its id does not match.
        shutil.copy(os.path.join(qa.TEST_PLUGIN_DIR, "qa_example.so"),
                    os.path.join(self.plugins, "qa_misnamed.so"))
        # Files the host must not even look at.
        qa.write(os.path.join(self.plugins, "README"), "not a plugin\n")
        qa.write(os.path.join(self.plugins, "libfoo.so"), "not ours\n")
        self.ws = qa.Workspace(plugin_dir=self.plugins)

    def tearDown(self):
        self.ws.cleanup()
        shutil.rmtree(self.plugins, ignore_errors=True)

    def refusal_lines(self, stderr):
        return [l for l in stderr.splitlines() if ": refused: " in l]

    def assert_each_refused_once(self, stderr):
        lines = self.refusal_lines(stderr)
        for name, reason in BROKEN.items():
            mine = [l for l in lines if f"/{name}: refused: " in l]
            self.assertEqual(len(mine), 1, f"{name}: {mine!r}\n{stderr}")
            self.assertRegex(mine[0], reason)
        self.assertEqual(len(lines), len(BROKEN), stderr)

    def test_plugins_lists_the_good_and_refuses_the_broken(self):
        r = self.ws.run("plugins")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_each_refused_once(r.stderr)
        listed = [l.split()[0] for l in r.stdout.splitlines()
                  if l and not l.startswith(" ") and not l.startswith("ID")]
        # 16 + example, emits_one, fails_generate, newer_minor
        self.assertEqual(len(listed), 20, r.stdout)
        for activity in ("practice_week", "supervision", "reg44_visit",
                         "example"):
            self.assertIn(activity, listed)
        self.assertIn("init_fails: cannot start: the moon", r.stderr)

    def test_check_config_reports_every_refusal_and_fails(self):
        r = self.ws.run("check-config")
        self.assertEqual(r.returncode, 1)
        self.assert_each_refused_once(r.stderr)

    def test_daemon_serves_with_the_others(self):
        # "bad" makes fails_generate fail (and be disabled) at the start.
        r = self.ws.run("staff", "add", "--id", "bad", "--name", "Bad",
                        "--email", "bad@example.org", "--role",
                        "social_worker", "--team", "T")
        self.assertEqual(r.returncode, 0, r.stderr)
        d = qa.Daemon(self.ws)
        try:
            d.wait_listening()
            d.wait_for(r"20 activities loaded, 7 refused")
            self.assertEqual(d.get("/healthz")[0], 200)
            self.assert_each_refused_once(d.log())
            # /metrics (issue 14): a series per plugin, and the
            # regeneration's duration and last success.
            status, _, body = d.get("/metrics")
            self.assertEqual(status, 200)
            metrics = body.decode()
            for activity, loaded, errors in (("fails_generate", 0, 1),
                                             ("supervision", 1, 0),
                                             ("example", 1, 0)):
                self.assertIn(f'qa_plugin_loaded{{activity="{activity}"}} '
                              f"{loaded}\n", metrics)
                self.assertIn("qa_plugin_generate_errors_total{activity="
                              f'"{activity}"}} {errors}\n', metrics)
            self.assertEqual(len(re.findall(r"^qa_plugin_loaded\{",
                                            metrics, re.M)), 20)
            count = int(re.search(r"^qa_regeneration_seconds_count (\d+)$",
                                  metrics, re.M)[1])
            self.assertGreaterEqual(count, 1)
            self.assertIn('qa_regeneration_seconds_bucket{le="+Inf"} '
                          f"{count}\n", metrics)
            last = int(re.search(
                r"^qa_regeneration_last_success_seconds (\d+)$", metrics,
                re.M)[1])
            self.assertLessEqual(abs(last - time.time()), 120)
            self.assertEqual(d.stop(), 0)
        finally:
            if d.proc.poll() is None:
                d.proc.kill()

    def test_help_prints_the_schema_and_configured_values(self):
        self.ws.write_config("[activity.example]\ncount = 5\n"
                             "reminders = 3d\n")
        r = self.ws.run("plugins", "--help", "example")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout
        self.assertRegex(out, r"time\s+time.*default: 09:30")
        self.assertRegex(out, r"count\s+whole number\s+default: 3")
        self.assertRegex(out, r"configured: 5")
        self.assertRegex(out, r"rrule\s+.*default: FREQ=MONTHLY;BYDAY=1MO")
        self.assertRegex(out, r"reminders\s+.*default: 7d, 1d")
        self.assertRegex(out, r"configured: 3d")
        self.assertIn("How many.", out)
        self.assertIn("Reports to nobody.", out)

    def test_help_for_unknown_activity(self):
        r = self.ws.run("plugins", "--help", "no_such_thing")
        self.assertEqual(r.returncode, 1)
        self.assertIn('no activity "no_such_thing"', r.stderr)

    def test_config_values_reach_the_plugin(self):
        self.ws.write_config("[activity.example]\ntime = 14:15\n"
                             "duration = 2h\n")
        r = self.ws.run("plugins")
        self.assertIn("plugin example: time=14:15 count=3 "
                      "rrule=FREQ=MONTHLY;BYDAY=1MO duration=2h "
                      "reminders=7d, 1d", r.stderr)
        # ABI 1.2: the same values typed (qa_host.config_int).
        self.assertIn("typed: minute 855, count 3, 7200 seconds", r.stderr)

    def test_unknown_key_and_bad_value_refuse_that_plugin(self):
        self.ws.write_config("[activity.example]\ncolour = blue\n"
                             "count = many\n"
                             "[activity.supervision]\ntime = 25:00\n"
                             "[activity.no_such_activity]\nx = 1\n")
        r = self.ws.run("check-config")
        self.assertEqual(r.returncode, 1)
        conf = self.ws.config
        self.assertRegex(r.stderr, rf"{conf}:\d+: unknown key \"colour\" in "
                         r"\[activity\.example\]; known keys: time, count, "
                         r"rrule, duration, reminders")
        self.assertRegex(r.stderr, rf"{conf}:\d+: \[activity\.example\] "
                         r"count = \"many\"")
        self.assertRegex(r.stderr, rf"{conf}:\d+: \[activity\.supervision\] "
                         r"time = \"25:00\"")
        self.assertRegex(r.stderr, rf"{conf}:\d+: \[activity\."
                         r"no_such_activity\]: no plugin")
        self.assertRegex(r.stderr, r"qa_example\.so: refused")
        self.assertRegex(r.stderr, r"qa_supervision\.so: refused")
        # The others still load.
        r = self.ws.run("plugins")
        self.assertIn("dip_sample", r.stdout)
        self.assertNotIn("\nexample ", r.stdout)

    def test_enable_loads_only_those(self):
        self.ws.write_config("")
        text = open(self.ws.config).read().replace(
            "[plugins]\n", "[plugins]\nenable = supervision, example, "
            "not_there\n")
        qa.write(self.ws.config, text)
        r = self.ws.run("plugins")
        listed = sorted(l.split()[0] for l in r.stdout.splitlines()
                        if l and not l.startswith(" ") and
                        not l.startswith("ID"))
        self.assertEqual(listed, ["example", "supervision"])
        self.assertRegex(r.stderr, r"qa_not_there\.so: refused: \[plugins\] "
                         r"enable names \"not_there\"")
        self.assertEqual(len(self.refusal_lines(r.stderr)), 1, r.stderr)


ABI10_PLUGIN_DIR = os.environ.get("QA_ABI10_PLUGIN_DIR",
                                  "build/tests/plugins-abi-1.0")


class OlderMinorTest(qa.ClockedCliTest):
    """Plugins built by 0.1.0 against its plugin.h (ABI 1.0,
    tests/fixtures/abi-1.0) in this host (ABI 1.2): the ABI grows by
    appending, so they load and run; what 1.1 added (homes) they simply do
    not have."""

    def setUp(self):
        super().setUp()
        self.plugins = qa.tempfile.mkdtemp(prefix="qa-abi10-")
        self.addCleanup(shutil.rmtree, self.plugins, True)
        for name in ("qa_dip_sample.so", "qa_reg44_visit.so"):
            shutil.copy(os.path.join(ABI10_PLUGIN_DIR, name), self.plugins)
        self.ws.plugin_dir = self.plugins
        self.ws.write_config("[activity.reg44_visit]\n"
                             "placements = Oak House=7; Birch Lodge=9\n")

    def test_a_plugin_built_for_abi_1_0_loads_and_runs(self):
        self.at("2026-11-02")
        r = self.ok("check-config")
        self.assertIn("ok: 2 activities", r.stdout)
        r = self.ok("plugins")
        self.assertIn("dip_sample", r.stdout)
        self.assertIn("reg44_visit", r.stdout)
        self.add("gm1", "group_manager", "FS")
        self.add("pm1", "practice_manager", "FS1", "gm1")
        self.add("res1", "qa_residential_lead", "QA", "gm1")
        # dip_sample (the host's due-per-period series): this week's, due
        # Fri 6 Nov 2026.
        self.assertEqual(self.due_rows("--activity", "dip_sample",
                                       "--manager", "gm1"),
                         [("pm1", "2026-11-06", "due", None, None)])
        # reg44_visit emits its own occurrences with 1.0's smaller struct:
        # Birch Lodge by Wed 30 Sep 2027 (res1 was added after this
        # year's), Oak House by Fri 30 Jul 2027 (Sat 31).
        out = self.ok("next", "reg44_visit", "--staff", "res1", "--count",
                      "2").stdout.splitlines()
        self.assertEqual([x[:14] for x in out],
                         ["Fri 2027-07-30", "Thu 2027-09-30"])
        # It has no homes (1.1's for_each_home): a visit is recorded as
        # 0.1.0 recorded it, and --home is refused.
        self.fails(["record", "reg44_visit", "--staff", "res1", "--date",
                    "2026-11-02", "--home", "Oak House"], ["--home"])
        self.record("reg44_visit", "--staff", "res1", "--date", "2026-11-02")
        [row] = self.due("--activity", "reg44_visit")
        self.assertEqual((row["due"], row["home"]), ("2027-09-30", None))


ABI11_PLUGIN_DIR = os.environ.get("QA_ABI11_PLUGIN_DIR",
                                  "build/tests/plugins-abi-1.1")


class Minor11Test(qa.ClockedCliTest):
    """Plugins built against ABI 1.1's plugin.h (as at d3dac14,
    tests/fixtures/abi-1.1) in this host (1.2): their descriptor is shorter
    than 1.2's and their keys are in 1.1's table, and what 1.1 added (homes)
    still works."""

    def setUp(self):
        super().setUp()
        self.plugins = qa.tempfile.mkdtemp(prefix="qa-abi11-")
        self.addCleanup(shutil.rmtree, self.plugins, True)
        for name in ("qa_lado_audit.so", "qa_reg44_visit.so"):
            shutil.copy(os.path.join(ABI11_PLUGIN_DIR, name), self.plugins)
        self.ws.plugin_dir = self.plugins

    def test_a_plugin_built_for_abi_1_1_loads_and_runs(self):
        self.ws.write_config("[activity.reg44_visit]\n"
                             "placements = Oak House=7; Birch Lodge=9\n"
                             "[activity.lado_audit]\naudit_month = 11\n")
        self.at("2026-11-02")
        r = self.ok("check-config")
        self.assertIn("ok: 2 activities", r.stdout)
        r = self.ok("plugins", "--help", "lado_audit")
        self.assertRegex(r.stdout, r"audit_month\s+whole number\s+"
                         r"default: 3\n\s+configured: 11")
        self.add("gm1", "group_manager", "FS")
        self.add("res1", "qa_residential_lead", "QA", "gm1")
        # Its occurrences name their homes (1.1's occurrence.home): Oak
        # House's visit is due first, by Fri 30 Jul 2027.
        [row] = self.due("--activity", "reg44_visit")
        self.assertEqual((row["due"], row["home"]), ("2027-07-30", "Oak House"))
        # Its for_each_home, read from a 1.1-sized descriptor: --home must
        # name one of its homes, and the visit counts for that one.
        self.fails(["record", "reg44_visit", "--staff", "res1", "--date",
                    "2026-11-02", "--home", "Elm Court"], ["Elm Court"])
        self.record("reg44_visit", "--staff", "res1", "--date",
                    "2026-11-02", "--home", "Oak House")
        [row] = self.due("--activity", "reg44_visit")
        self.assertEqual((row["due"], row["home"]),
                         ("2027-09-30", "Birch Lodge"))

    def test_a_1_1_plugin_still_checks_its_own_values(self):
        # Before 1.2 a plugin refused a value out of range itself, in
        # init(); the host passes 1.1's keys on as before.
        self.ws.write_config("[activity.lado_audit]\naudit_month = 13\n")
        self.at("2026-11-02")
        r = self.run_cli("check-config")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('lado_audit: audit_month "13" is not a month number '
                      '1-12', r.stderr)
        self.assertRegex(r.stderr, r"qa_lado_audit\.so: refused: init\(\) "
                         r"failed")


class NewerMinorTest(qa.ClockedCliTest):
    """A plugin built for the minor after this host's (tests/plugins/
    newer_minor.c: its descriptor, config keys and occurrences longer than
    this host's): it loads, and the host reads what it knows of it
    (plugin.h, "Versions"; issue 10, item 5)."""

    def setUp(self):
        super().setUp()
        self.plugins = qa.tempfile.mkdtemp(prefix="qa-next-")
        self.addCleanup(shutil.rmtree, self.plugins, True)
        shutil.copy(os.path.join(qa.TEST_PLUGIN_DIR, "qa_newer_minor.so"),
                    self.plugins)
        self.ws.plugin_dir = self.plugins

    def test_it_loads_and_runs(self):
        self.ws.write_config("")
        self.at("2026-11-02")
        r = self.ok("check-config")
        # This host's minor, as its header says; the plugin's is the next.
        header = open(os.path.join(qa.SOURCE_DIR, "core", "include",
                                   "qa-scheduler", "plugin.h")).read()
        minor = int(re.search(r"#define QA_PLUGIN_ABI_MINOR (\d+)",
                              header).group(1))
        self.assertIn(f"plugin newer_minor: host speaks 1.{minor}, I was "
                      f"built for 1.{minor + 1}: count 2, time 600, no "
                      "archiving", r.stderr)
        self.assertIn(f"qa_newer_minor.so: built for plugin ABI "
                      f"1.{minor + 1}, newer than this qa-scheduler's "
                      f"1.{minor}: loaded", r.stderr)
        # Its keys' ranges, read from entries longer than this host's.
        r = self.ok("plugins", "--help", "newer_minor")
        self.assertRegex(r.stdout, r"count\s+whole number\s+default: 2 "
                         r"\(1 to 5\)")
        self.assertRegex(r.stdout, r"time\s+time HH:MM\s+default: 10:00 "
                         r"\(07:00 to 19:00\)")
        # Its occurrence, longer than this host's: Wed 4 Nov at 10:00.
        self.add("pm1", "partnership_manager", "QA")
        [line] = self.ok("next", "newer_minor", "--staff",
                         "pm1").stdout.splitlines()
        self.assertTrue(line.startswith("Wed 2026-11-04 10:00"), line)
        self.assertIn("60 min  confirmed  Built for the next minor", line)

    def test_its_ranges_refuse_with_file_and_line(self):
        self.ws.write_config("[activity.newer_minor]\ncount = 6\n"
                             "time = 06:30\n")
        self.at("2026-11-02")
        r = self.run_cli("check-config")
        self.assertEqual(r.returncode, 1, r.stderr)
        conf = self.ws.config
        self.assertRegex(r.stderr, rf"{conf}:\d+: \[activity\.newer_minor\] "
                         r"count = \"6\": expected a whole number from 1 to 5")
        self.assertRegex(r.stderr, rf"{conf}:\d+: \[activity\.newer_minor\] "
                         r"time = \"06:30\": expected a time from 07:00 to "
                         r"19:00")


if __name__ == "__main__":
    qa.main()
