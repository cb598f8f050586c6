"""Helpers for integration tests: run the real qa-scheduler binary.

Every test gets its own temporary directory holding a config, a database and
(optionally) a plugin directory; daemons are started on port 0 and always
killed on exit, whatever happened."""

import atexit
import contextlib
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

BIN = os.environ.get("QA_BIN", "build/qa-scheduler")
SOURCE_DIR = os.environ.get("QA_SOURCE_DIR", ".")
PLUGIN_DIR = os.environ.get("QA_PLUGIN_DIR", "build/plugins")
TEST_PLUGIN_DIR = os.environ.get("QA_TEST_PLUGIN_DIR", "build/tests/plugins")
HOLIDAYS = os.path.join(SOURCE_DIR, "calendars",
                        "england-and-wales-bank-holidays.ics")

_live = []

# libfaketime, to run the binary at a chosen instant (Debian `faketime`).
FAKETIME_LIBS = sorted(
    glob.glob("/usr/lib/*/faketime/libfaketime.so.1") +
    glob.glob("/usr/lib/faketime/libfaketime.so.1"))


def _asan_runtime():
    """The soname of the ASan runtime the binary needs ('' if none)."""
    try:
        with open(BIN, "rb") as f:
            found = re.search(rb"libasan\.so\.\d+", f.read())
    except OSError:
        return ""
    return found.group().decode() if found else ""


ASAN_RUNTIME = _asan_runtime()


def faketime_env(instant):
    """An environment running the binary from `instant` ("YYYY-MM-DD
    HH:MM:SS", UTC), the clock then running at normal speed.

    ASan insists on coming first among the libraries: with libfaketime
    preloaded alone it refuses to start, and with only
    verify_asan_link_order=0 LeakSanitizer aborts at exit ("The futex
    facility returned an unexpected error code"). Preloading the ASan
    runtime before libfaketime gives both the faked clock and the reports
    (libfaketime 0.9.10, gcc 12, Debian 12). The monotonic clock is left
    alone: libevent's timers run on it."""
    if not FAKETIME_LIBS:
        raise AssertionError("libfaketime.so.1 not found: install the Debian "
                             "package `faketime` (scripts/install-deps.sh "
                             "--test does)")
    env = dict(os.environ)
    asan = env.get("ASAN_OPTIONS", "")
    env["ASAN_OPTIONS"] = ":".join(
        x for x in (asan, "verify_asan_link_order=0") if x)
    env["LD_PRELOAD"] = " ".join(
        x for x in (ASAN_RUNTIME, FAKETIME_LIBS[0], env.get("LD_PRELOAD", ""))
        if x)
    env["FAKETIME"] = "@" + instant
    env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
    env["TZ"] = "UTC"
    return env


def _kill_all():
    for proc in _live:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


atexit.register(_kill_all)


def sqlite3_connect(path):
    """A connection that commits on leaving a with-block and then closes."""
    @contextlib.contextmanager
    def connection():
        db = sqlite3.connect(path, timeout=30)
        try:
            with db:
                yield db
        finally:
            db.close()
    return connection()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


class Workspace:
    """A temporary directory with a config file in it."""

    def __init__(self, plugin_dir=None, extra="", holidays=None):
        self.dir = tempfile.mkdtemp(prefix="qa-it-")
        self.db = os.path.join(self.dir, "qa.db")
        self.plugin_dir = plugin_dir or PLUGIN_DIR
        self.holidays = holidays or HOLIDAYS
        self.config = os.path.join(self.dir, "qa.conf")
        self.write_config(extra)

    def write_config(self, extra="", listen="127.0.0.1:0", server=""):
        write(self.config, f"""[server]
listen = {listen}
base_url = http://127.0.0.1:8080
request_timeout = 5s
{server}
[database]
path = {self.db}

[plugins]
dir = {self.plugin_dir}

[calendars]
timezone = Europe/London
holidays = {self.holidays}
{extra}""")

    def run(self, *args, env=None, input=None):
        """Run a CLI command; returns CompletedProcess (text)."""
        return subprocess.run([BIN, "-c", self.config, *args],
                              capture_output=True, text=True, env=env,
                              input=input, timeout=120)

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Daemon:
    """`qa-scheduler serve` in the background, its stderr collected."""

    def __init__(self, ws, env=None):
        self.ws = ws
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen([BIN, "-c", ws.config, "serve"],
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=full_env)
        _live.append(self.proc)
        self.lines = []
        self.stdout = b""
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._out_reader = threading.Thread(target=self._read_out,
                                            daemon=True)
        self._out_reader.start()
        self.port = None

    def _read(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()

    def _read_out(self):
        self.stdout = self.proc.stdout.read()

    def wait_for(self, pattern, timeout=60):
        """Wait for a stderr line matching pattern; return the match."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for line in self.lines[seen:]:
                    m = regex.search(line)
                    if m:
                        return m
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and
                                 not self._reader.is_alive()):
                    raise AssertionError(
                        f"no log line matching {pattern!r}; log so far:\n" +
                        "\n".join(self.lines))
                self._cond.wait(min(left, 0.2))

    def wait_listening(self):
        m = self.wait_for(r"listening on (\S+):(\d+)")
        self.port = int(m.group(2))
        return self.port

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path, method="GET", headers=None):
        req = urllib.request.Request(self.url(path), method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        self._reader.join(timeout=10)
        self._out_reader.join(timeout=10)
        return rc

    def log(self):
        with self._cond:
            return "\n".join(self.lines)


class NotifySocket:
    """A datagram socket standing in for systemd's $NOTIFY_SOCKET."""

    def __init__(self, abstract=False):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = f"qa-notify-{os.getpid()}-{time.monotonic_ns()}"
            self.sock.bind("\0" + name)
            self.address = "@" + name
            self._dir = None
        else:
            self._dir = tempfile.mkdtemp(prefix="qa-notify-")
            self.address = os.path.join(self._dir, "notify.sock")
            self.sock.bind(self.address)
        self.messages = []

    def receive(self, timeout=60):
        self.sock.settimeout(timeout)
        data = self.sock.recv(4096).decode()
        self.messages.append(data)
        return data

    def receive_until(self, needle, timeout=60):
        """Receive messages until one contains needle; return them all."""
        got = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no notify message with {needle!r}; "
                                     f"got {got!r}")
            msg = self.receive(left)
            got.append(msg)
            if needle in msg:
                return got

    def close(self):
        self.sock.close()
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)


# The keys of every object `due --format json` prints (SPEC section 5).
DUE_KEYS = {"staff_id", "name", "team", "manager_id", "activity", "due",
            "last_done", "status", "phase", "home"}


def need_program(name, package, how="scripts/install-deps.sh --test does"):
    path = shutil.which(name)
    if not path:
        raise AssertionError(
            f"`{name}` not found on PATH: install the Debian package "
            f"`{package}` ({how})")
    return path


CLIENTS_DIR = os.environ.get(
    "QA_CLIENTS_DIR", os.path.join(SOURCE_DIR, "tests", "clients"))
ARTEFACT_DIR = os.environ.get(
    "QA_ARTEFACT_DIR", os.path.join(tempfile.gettempdir(), "qa-artefacts"))


def page_steps(steps):
    """Run steps in Debian's chromium through tests/clients/page_steps.js
    (playwright-core, axe-core); its JSON: results, requests, errors,
    dialogs."""
    node = need_program("node", "nodejs", "scripts/test.sh does")
    need_program("chromium", "chromium")
    with tempfile.NamedTemporaryFile("w", suffix=".json",
                                     delete=False) as f:
        json.dump(steps, f)
    try:
        r = subprocess.run([node, os.path.join(CLIENTS_DIR,
                                               "page_steps.js"), f.name],
                           capture_output=True, text=True, timeout=600)
    finally:
        os.unlink(f.name)
    if r.returncode != 0:
        raise AssertionError(f"page_steps.js failed: {r.stderr}")
    return json.loads(r.stdout)


class ClockedCliTest(unittest.TestCase):
    """One workspace per test; every command runs at self.now."""

    @classmethod
    def setUpClass(cls):
        if not FAKETIME_LIBS:
            raise AssertionError(
                "libfaketime.so.1 not found: install the Debian package "
                "`faketime` (scripts/install-deps.sh --test does)")

    def setUp(self):
        self.ws = Workspace()
        self.addCleanup(self.ws.cleanup)
        self.now = None

    # -- running the binary at a faked time --

    def at(self, day, time="12:00:00"):
        """From now on, commands run at this UTC instant."""
        self.now = f"{day} {time}"

    def env(self):
        assert self.now, "call self.at() first"
        return faketime_env(self.now)

    def run_cli(self, *args):
        return self.ws.run(*args, env=self.env())

    def ok(self, *args):
        r = self.run_cli(*args)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        return r

    def fails(self, args, needles, code=1, one_line=True):
        """The command fails with exit `code`, naming every needle."""
        r = self.run_cli(*args)
        self.assertEqual(r.returncode, code, f"{args}: {r.stderr}")
        for needle in needles:
            self.assertIn(needle, r.stderr, args)
        if one_line:
            self.assertEqual(len(r.stderr.strip().splitlines()), 1,
                             f"{args}: one line expected: {r.stderr}")
        self.assertEqual(r.stdout, "", args)
        return r

    def add(self, sid, role, team="FS1", manager=None, nqsw=None,
            name=None, since=None):
        argv = ["staff", "add", "--id", sid, "--name",
                name or f"Person {sid}", "--email", f"{sid}@example.org",
                "--role", role, "--team", team]
        if manager:
            argv += ["--manager", manager]
        if nqsw:
            argv += ["--nqsw-start", nqsw]
        if since:
            argv += ["--since", since]
        self.ok(*argv)

    def due(self, *args):
        rows = json.loads(self.ok("due", "--format", "json", *args).stdout)
        self.assertIsInstance(rows, list)
        for row in rows:
            self.assertEqual(set(row), DUE_KEYS, row)
        return rows

    def due_rows(self, *args):
        """(staff_id, due, status, last_done, phase) per row."""
        return [(r["staff_id"], r["due"], r["status"], r["last_done"],
                 r["phase"]) for r in self.due(*args)]

    def record(self, *args):
        return self.ok("record", *args)

    # -- reading the database (read-only) --

    def query(self, sql, *params):
        with contextlib.closing(sqlite3.connect(
                f"file:{self.ws.db}?mode=ro", uri=True)) as db:
            return db.execute(sql, params).fetchall()

    def occurrences(self, activity, subject):
        """{occ_key: (uid, status, start_date, sequence)}."""
        return {row[0]: row[1:] for row in self.query(
            "SELECT occ_key, uid, status, start_date, sequence"
            " FROM occurrences WHERE activity = ? AND subject = ?",
            activity, subject)}

    def snapshot(self):
        """Row counts of every table, and checksums of the completions,
        occurrences and staff tables."""
        tables = [t for (t,) in self.query(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " ORDER BY name")]
        counts = {
t: self.query(f'SELECT count(*) FROM "{t}"')[0][0]
                  for t in tables}

        def digest(sql):
            return hashlib.sha256(
                repr(self.query(sql)).encode()).hexdigest()

        return (counts,
                digest("SELECT * FROM completions ORDER BY id"),
                digest("SELECT * FROM occurrences ORDER BY uid"),
                digest("SELECT * FROM staff ORDER BY id"))


def main():
    unittest.main(verbosity=2)
