"""A full disk and a read-only database (issue 14): clear errors, the daemon
goes on serving the feeds it has, and nothing is lost when space returns.

The tests run as root, whom no quota or file mode stops, so a full disk is
SQLite's own stand-in (QA_TEST_DB_FULL=1 caps a connection's file at the
size it has when opened: PRAGMA max_page_count, as SQLite's tests do), and a
read-only database is one the unprivileged user `nobody` may read but not
write (setpriv)."""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

FULL = {"QA_TEST_DB_FULL": "1"}
PEOPLE = 300


def counts(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("staff", "completions", "feed_tokens")}
    finally:
        db.close()


class FaultTest(unittest.TestCase):
    def setUp(self):
        self.ws = qa.Workspace()
        self.addCleanup(self.ws.cleanup)

    def enable(self, activities):
        with open(self.ws.config, encoding="utf-8") as f:
            text = f.read()
        text = "\n".join(l for l in text.splitlines()
                         if not l.startswith("enable = "))
        qa.write(self.ws.config, text.replace(
            "[plugins]\n", f"[plugins]\nenable = {activities}\n", 1) + "\n")

    def run_ok(self, *args, env=None):
        r = self.ws.run(*args, env=dict(os.environ, **(env or {})))
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        return r.stdout

    def import_people(self):
        rows = ["id,name,email,role,team,manager,nqsw_start",
                "pm1,Pat Manager,pm1@example.org,practice_manager,FS1,,"]
        rows += [f"sw{i},Worker {i},sw{i}@example.org,social_worker,FS1,"
                 "pm1," for i in range(PEOPLE)]
        return qa.write(os.path.join(self.ws.dir, "staff.csv"),
                        "\n".join(rows) + "\n")

    def test_a_full_disk_keeps_what_is_stored_and_the_feeds_serving(self):
        # Stored with dip samples only: pm1 has a feed of them.
        self.enable("dip_sample")
        csv = self.import_people()
        self.run_ok("staff", "add", "--id", "qa1", "--name", "Quinn",
                    "--email", "qa1@example.org", "--role", "qa_team",
                    "--team", "QA")
        r = self.ws.run("staff", "import", csv, env=dict(os.environ, **FULL))
        # The CLI on a full disk: a clear error, nothing imported.
        self.assertEqual(r.returncode, 1)
        self.assertIn("database or disk is full", r.stderr)
        self.assertIn(f"nothing imported: the database {self.ws.db} could "
                      "not be written", r.stderr)
        self.assertEqual(counts(self.ws.db)["staff"], 1)
        self.run_ok("staff", "import", csv)
        url = self.run_ok("feed-url", "--staff", "pm1").strip()
        path = url[url.index("/feeds/"):]
        before = self.run_ok("export", "--staff", "pm1")
        stored = counts(self.ws.db)

        # The daemon now runs supervision too, on a full disk: its first
        # regeneration (300 people's sessions) cannot be stored; it says
        # so, keeps what was stored, and serves the feeds from it.
        self.enable("dip_sample, supervision")
        d = qa.Daemon(self.ws, env=FULL)
        self.addCleanup(lambda: d.proc.poll() is None and d.proc.kill())
        d.wait_listening()
        d.wait_for(r"serve: ready")
        self.assertRegex(d.log(), r"database or disk is full")
        self.assertIn("schedule: regeneration (start) failed; the stored "
                      "schedule stays as it was", d.log())
        status, _, body = d.get(path)
        self.assertEqual(status, 200)
        self.assertEqual(body.decode().replace("\r\n", "\n"),
                         before.replace("\r\n", "\n"))
        self.assertNotIn("Supervision", body.decode())
        self.assertEqual(d.get("/healthz")[0], 200)
        self.assertEqual(d.stop(), 0, d.log())
        self.assertEqual(counts(self.ws.db), stored)

        # Space again: everything regenerates, nothing was lost.
        d = qa.Daemon(self.ws)
        self.addCleanup(lambda: d.proc.poll() is None and d.proc.kill())
        d.wait_listening()
        d.wait_for(r"serve: ready")
        self.assertNotIn("regeneration (start) failed", d.log())
        status, _, body = d.get(path)
        self.assertEqual(status, 200)
        self.assertEqual(body.decode().count("SUMMARY:Supervision: "),
                         body.decode().count("SUMMARY:Supervision: Worker"))
        self.assertGreaterEqual(body.decode().count("SUMMARY:Supervision: "),
                                PEOPLE)
        self.assertEqual(d.stop(), 0, d.log())
        self.assertEqual(counts(self.ws.db), stored)

    def test_a_read_only_database_is_a_clear_error_and_left_alone(self):
        if not shutil.which("setpriv"):
            self.skipTest("setpriv (util-linux) is not installed")
        # nobody must reach the binary, the plugins and the calendar
        # wherever the tree is (a clean clone may sit in a folder only root
        # may enter): copies of them in a folder of their own.
        shared = tempfile.mkdtemp(prefix="qa-ro-")
        self.addCleanup(shutil.rmtree, shared, True)
        os.chmod(shared, 0o755)
        binary = shutil.copy2(qa.BIN, shared)
        self.ws.plugin_dir = shutil.copytree(
            self.ws.plugin_dir, os.path.join(shared, "plugins"))
        self.ws.holidays = shutil.copy2(self.ws.holidays, shared)
        self.ws.write_config()
        self.enable("supervision")
        self.run_ok("staff", "import", self.import_people())
        stored = counts(self.ws.db)
        with open(self.ws.db, "rb") as f:
            image = f.read()
        # The folder is nobody's (SQLite makes its -shm file there); the
        # database root's, which nobody may read and not write.
        os.chown(self.ws.dir, 65534, 65534)
        os.chmod(self.ws.db, 0o644)
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534",
                     "--clear-groups", binary, "-c", self.ws.config]
        r = subprocess.run(as_nobody + ["record", "supervision", "--staff",
                                        "sw1", "--date", "2026-11-02"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"db: {self.ws.db} is read-only for this user; "
                      "qa-scheduler needs to write it: check its owner and "
                      "mode", r.stderr)
        d = subprocess.run(as_nobody + ["serve"], capture_output=True,
                           text=True, timeout=60)
        self.assertNotEqual(d.returncode, 0)
        self.assertIn(f"{self.ws.db} is read-only for this user", d.stderr)
        self.assertEqual(counts(self.ws.db), stored)
        with open(self.ws.db, "rb") as f:
            self.assertEqual(f.read(), image)


if __name__ == "__main__":
    unittest.main()
