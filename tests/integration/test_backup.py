"""backup and restore (issue 14): a consistent copy while the daemon runs and
others write; a copy put back only when the daemon is stopped and the copy is
whole, ours and not newer; a damaged one refused with nothing changed."""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

WRITERS = 4
SESSIONS = 8  # per writer


def completions(path):
    """(staff_id, done_on) of every supervision recorded in path."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return sorted(db.execute(
            "SELECT staff_id, done_on FROM completions"
            " WHERE activity = 'supervision'").fetchall())
    finally:
        db.close()


def integrity(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in db.execute("PRAGMA integrity_check")]
    finally:
        db.close()


class BackupTest(unittest.TestCase):
    def setUp(self):
        self.ws = qa.Workspace()
        self.addCleanup(self.ws.cleanup)
        # Each writer records sessions for its own social worker, one
        # date after another: 2026-01-05, -12, -19 ... (Mondays).
        r = self.ws.run("staff", "add", "--id", "pm1", "--name", "Pat",
                        "--email", "pm1@example.org", "--role",
                        "practice_manager", "--team", "FS1")
        self.assertEqual(r.returncode, 0, r.stderr)
        for w in range(WRITERS):
            r = self.ws.run("staff", "add", "--id", f"sw{w}", "--name",
                            f"Worker {w}", "--email", f"sw{w}@example.org",
                            "--role", "social_worker", "--team", "FS1",
                            "--manager", "pm1")
            self.assertEqual(r.returncode, 0, r.stderr)
        self.dates = [f"2026-{1 + k // 4:02}-{5 + 7 * (k % 4):02}"
                      for k in range(SESSIONS)]

    def start(self):
        d = qa.Daemon(self.ws)
        self.addCleanup(lambda: d.proc.poll() is None and d.stop())
        d.wait_listening()
        d.wait_for(r"serve: ready")
        return d

    def test_copies_taken_while_four_writers_write_are_whole_prefixes(self):
        d = self.start()
        failures = []

        def writer(w):
            for day in self.dates:
                r = self.ws.run("record", "supervision", "--staff", f"sw{w}",
                                "--date", day)
                if r.returncode != 0:
                    failures.append((w, day, r.stderr))
                    return

        threads = [threading.Thread(target=writer, args=(w,))
                   for w in range(WRITERS)]
        for t in threads:
            t.start()
        copies = []
        while any(t.is_alive() for t in threads) or len(copies) < 2:
            path = os.path.join(self.ws.dir, f"copy-{len(copies)}.db")
            r = self.ws.run("backup", path)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, f"{path}\n")
            copies.append(path)
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        self.assertGreaterEqual(len(copies), 2)
        # Every copy opens, is whole, and holds of each writer's sessions
        # exactly the first few, in order: a snapshot, never half a write.
        for path in copies:
            self.assertEqual(integrity(path), ["ok"], path)
            rows = completions(path)
            for w in range(WRITERS):
                mine = [day for sid, day in rows if sid == f"sw{w}"]
                self.assertEqual(mine, self.dates[:len(mine)], path)
            self.assertFalse(os.path.exists(path + ".partial"))
        # The last copy, taken after the writers finished, has them all.
        last = os.path.join(self.ws.dir, "last.db")
        self.assertEqual(self.ws.run("backup", last).returncode, 0)
        self.assertEqual(len(completions(last)), WRITERS * SESSIONS)

        # Restore is refused while the daemon runs, and changes nothing.
        before = completions(self.ws.db)
        r = self.ws.run("restore", copies[0])
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{self.ws.db}: qa-scheduler serve is running on this "
                      "database; stop it first", r.stderr)
        self.assertEqual(completions(self.ws.db), before)
        self.assertEqual(d.stop(), 0, d.log())

        # Stopped: the first copy goes back, and the daemon serves it.
        r = self.ws.run("restore", copies[0])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout,
                         f"{self.ws.db}: restored from {copies[0]}\n")
        self.assertEqual(completions(self.ws.db), completions(copies[0]))
        self.assertEqual(integrity(self.ws.db), ["ok"])
        d = self.start()
        status, _, body = d.get("/healthz")
        self.assertEqual(status, 200, body)
        self.assertEqual(d.stop(), 0, d.log())

    def test_a_damaged_or_foreign_copy_is_refused_and_changes_nothing(self):
        for day in self.dates[:3]:
            self.assertEqual(self.ws.run("record", "supervision", "--staff",
                                         "sw0", "--date", day).returncode, 0)
        good = os.path.join(self.ws.dir, "good.db")
        self.assertEqual(self.ws.run("backup", good).returncode, 0)
        # Another write after the copy, so a restore would be seen.
        self.assertEqual(self.ws.run("record", "supervision", "--staff",
                                     "sw1", "--date", "2026-03-02").returncode,
                         0)
        before = completions(self.ws.db)

        damaged = os.path.join(self.ws.dir, "damaged.db")
        shutil.copy(good, damaged)
        with open(damaged, "r+b") as f:
            f.seek(4096 * 3)
            f.write(b"\xff" * 4096)
        truncated = os.path.join(self.ws.dir, "truncated.db")
        with open(good, "rb") as f, open(truncated, "wb") as out:
            out.write(f.read(100))
        foreign = os.path.join(self.ws.dir, "foreign.db")
        db = sqlite3.connect(foreign)
        db.execute("CREATE TABLE t (x)")
        db.commit()
        db.close()
        newer = os.path.join(self.ws.dir, "newer.db")
        shutil.copy(good, newer)
        db = sqlite3.connect(newer)
        db.execute("PRAGMA user_version = 99")
        db.commit()
        db.close()
        for path, why in (
                (damaged, r"damaged\.db: damaged: "),
                (truncated, r"truncated\.db: (not a SQLite database|"
                 r"damaged)"),
                (foreign, r"foreign\.db: not a qa-scheduler database"),
                (newer, r"newer\.db: written by a newer qa-scheduler "
                 r"\(schema 99; this one knows up to \d+\)"),
                (os.path.join(self.ws.dir, "absent.db"),
                 r"absent\.db: cannot read: No such file")):
            r = self.ws.run("restore", path)
            self.assertEqual(r.returncode, 1, path)
            self.assertRegex(r.stderr, why)
            self.assertEqual(completions(self.ws.db), before, path)
        # The good one goes back: the write after it is gone.
        r = self.ws.run("restore", good)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(completions(self.ws.db), completions(good))
        self.assertNotIn(("sw1", "2026-03-02"), completions(self.ws.db))

    def test_a_damaged_database_is_named_by_check_config_and_not_served(
            self):
        for day in self.dates[:3]:
            self.assertEqual(self.ws.run("record", "supervision", "--staff",
                                         "sw0", "--date", day).returncode, 0)
        good = os.path.join(self.ws.dir, "good.db")
        self.assertEqual(self.ws.run("backup", good).returncode, 0)
        r = self.ws.run("check-config")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.ws.db, "r+b") as f:
            f.seek(4096 * 3)
            f.write(b"\xff" * 4096)
        r = self.ws.run("check-config")
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{self.ws.db}: damaged: ", r.stderr)
        d = qa.Daemon(self.ws)
        self.assertNotEqual(d.proc.wait(timeout=60), 0)
        self.assertIn("serve: not starting on a damaged database; "
                      "`qa-scheduler restore FILE` puts a copy back", d.log())
        r = self.ws.run("restore", good)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.ws.run("check-config").returncode, 0)
        self.assertEqual(completions(self.ws.db), completions(good))

    def test_keep_writes_into_a_folder_and_keeps_the_newest(self):
        folder = os.path.join(self.ws.dir, "backups")
        os.mkdir(folder)
        old = [f"qa-scheduler-2025010{k}T023000Z.db" for k in range(1, 6)]
        for name in old + ["notes.txt", "qa-scheduler-latest.db"]:
            qa.write(os.path.join(folder, name), "x")
        r = self.ws.run("backup", "--keep", "3", folder)
        self.assertEqual(r.returncode, 0, r.stderr)
        made = r.stdout.strip()
        self.assertRegex(made, re.escape(folder) +
                         r"/qa-scheduler-\d{8}T\d{6}Z\.db$")
        self.assertEqual(integrity(made), ["ok"])
        # The new copy and the two newest old ones; nothing else touched.
        self.assertEqual(sorted(os.listdir(folder)), sorted(
            [os.path.basename(made), old[3], old[4], "notes.txt",
             "qa-scheduler-latest.db"]))
        r = self.ws.run("backup", "--keep", "0", folder)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--keep 0: keep at least 1", r.stderr)

    def test_the_daemon_does_not_start_while_a_restore_holds_the_lock(self):
        # A restore holds <database>.lock exclusively; flock(1) stands in
        # for one that is slow, so the daemon's start meets it.
        lock = self.ws.db + ".lock"
        open(lock, "a").close()
        holder = subprocess.Popen(["flock", "--exclusive", lock, "sleep",
                                   "30"])
        self.addCleanup(lambda: holder.poll() is None and (
            holder.kill(), holder.wait()))
        deadline = 50
        while deadline and subprocess.run(
                ["flock", "--nonblock", "--shared", lock, "true"]
                ).returncode == 0:
            threading.Event().wait(0.1)
            deadline -= 1
        d = qa.Daemon(self.ws)
        self.assertNotEqual(d.proc.wait(timeout=60), 0)
        self.assertRegex(d.log(), re.escape(self.ws.db) +
                         r": a restore is running on this database")


if __name__ == "__main__":
    unittest.main()
