"""The daemon: HTTP basics, systemd notifications, reload and stop."""

import http.client
import os
import signal
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402


class ServeTest(unittest.TestCase):
    def setUp(self):
        self.ws = qa.Workspace()
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            if d.proc.poll() is None:
                d.proc.kill()
                d.proc.wait()
        self.ws.cleanup()

    def start(self, env=None):
        d = qa.Daemon(self.ws, env=env)
        self.daemons.append(d)
        d.wait_listening()
        return d

    def notify_lifecycle(self, abstract):
        sock = qa.NotifySocket(abstract=abstract)
        try:
            d = self.start(env={"NOTIFY_SOCKET": sock.address})
            ready = sock.receive()
            self.assertIn("READY=1", ready.split("\n"))
            self.assertRegex(ready, r"STATUS=16 activities")

            status, _, body = d.get("/healthz")
            self.assertEqual((status, body), (200, b"ok\n"))

            d.signal(signal.SIGHUP)
            reloading = sock.receive()
            lines = reloading.split("\n")
            self.assertEqual(lines[0], "RELOADING=1")
            self.assertRegex(lines[1], r"^MONOTONIC_USEC=\d+$")
            ready_again = sock.receive()
            self.assertIn("READY=1", ready_again.split("\n"))
            d.wait_for(r"reload: done")

            d.signal(signal.SIGTERM)
            stopping = sock.receive()
            self.assertEqual(stopping, "STOPPING=1")
            self.assertEqual(d.stop(), 0)
            self.assertEqual(d.stdout, b"", "serve printed to stdout")
        finally:
            sock.close()

    def test_notify_path_socket_start_reload_stop(self):
        self.notify_lifecycle(abstract=False)

    def test_notify_abstract_socket_start_reload_stop(self):
        self.notify_lifecycle(abstract=True)

    def test_watchdog_pings(self):
        sock = qa.NotifySocket()
        try:
            self.start(env={"NOTIFY_SOCKET": sock.address,
                            "WATCHDOG_USEC": "200000"})
            got = sock.receive_until("READY=1")
            pings = [m for m in got if m == "WATCHDOG=1"]
            # Keep reading: the timer fires every 100 ms.
            while len(pings) < 3:
                msg = sock.receive()
                if msg == "WATCHDOG=1":
                    pings.append(msg)
            self.assertEqual(len(pings), 3)
        finally:
            sock.close()

    def test_watchdog_for_another_pid_is_ignored(self):
        sock = qa.NotifySocket()
        try:
            d = self.start(env={"NOTIFY_SOCKET": sock.address,
                                "WATCHDOG_USEC": "100000",
                                "WATCHDOG_PID": "1"})
            sock.receive_until("READY=1")
            d.signal(signal.SIGTERM)
            rest = sock.receive_until("STOPPING=1")
            self.assertNotIn("WATCHDOG=1", rest)
            self.assertEqual(d.stop(), 0)
        finally:
            sock.close()

    def test_sighup_with_broken_config_keeps_serving(self):
        sock = qa.NotifySocket()
        try:
            d = self.start(env={"NOTIFY_SOCKET": sock.address})
            sock.receive_until("READY=1")
            # One keep-alive connection across the reload: it must survive.
            conn = http.client.HTTPConnection("127.0.0.1", d.port,
                                              timeout=30)
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            self.assertEqual((resp.status, resp.read()), (200, b"ok\n"))

            with open(self.ws.config, "a") as f:
                f.write("\n[server]\nfeed_refresh = soon\n[nonsense]\n")
            d.signal(signal.SIGHUP)
            sock.receive_until("RELOADING=1")
            sock.receive_until("READY=1")
            m = d.wait_for(r"qa\.conf:(\d+): .*feed_refresh")
            self.assertGreater(int(m.group(1)), 10)
            d.wait_for(r"keeping the running configuration")

            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            self.assertEqual((resp.status, resp.read()), (200, b"ok\n"))
            conn.close()
            status, _, _ = d.get("/healthz")
            self.assertEqual(status, 200)
            self.assertEqual(d.stop(), 0)
        finally:
            sock.close()

    def test_sighup_applies_a_good_new_config(self):
        d = self.start()
        # Enable only two activities: the reload must see it.
        with open(self.ws.config) as f:
            text = f.read()
        text = text.replace("[plugins]\n", "[plugins]\nenable = supervision, "
                            "dip_sample\n")
        qa.write(self.ws.config, text)
        d.signal(signal.SIGHUP)
        d.wait_for(r"reload: done; 2 activities loaded, 0 refused")
        self.assertEqual(d.get("/healthz")[0], 200)
        self.assertEqual(d.stop(), 0)

    def test_sigint_exits_zero(self):
        d = self.start()
        d.signal(signal.SIGINT)
        self.assertEqual(d.stop(), 0)

    def test_routes_methods_and_limits(self):
        d = self.start()
        self.assertEqual(d.get("/nowhere")[0], 404)
        self.assertEqual(d.get("/healthz/../etc/passwd")[0], 404)
        status, headers, body = d.get("/healthz", method="HEAD")
        self.assertEqual((status, body), (200, b""))
        status, headers, _ = d.get("/healthz", method="POST")
        self.assertEqual(status, 405)
        self.assertEqual(headers.get("Allow"), "GET, HEAD")
        # A header larger than [server] max_header_size (8192).
        status, _, _ = d.get("/healthz", headers={"X-Big": "a" * 20000})
        self.assertEqual(status, 400)
        # A body larger than max_body_size (65536).
        conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)
        conn.request("POST", "/healthz", body=b"x" * 100000)
        self.assertEqual(conn.getresponse().status, 413)
        conn.close()
        self.assertEqual(d.get("/healthz")[0], 200)
        self.assertEqual(d.stop(), 0)

    def test_idle_connection_is_closed_by_timeout(self):
        d = self.start()  # request_timeout = 5s in the test config
        s = socket.create_connection(("127.0.0.1", d.port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finished
        s.settimeout(60)
        self.assertEqual(s.recv(100), b"", "half-sent request left open")
        s.close()
        self.assertEqual(d.get("/healthz")[0], 200)
        self.assertEqual(d.stop(), 0)

    def test_a_cli_change_makes_the_daemon_regenerate(self):
        d = self.start()
        d.wait_for(r"schedule: regenerated \(start\)")
        r = self.ws.run("staff", "add", "--id", "pm1", "--name", "Pat",
                        "--email", "pat@example.org", "--role",
                        "practice_manager", "--team", "FS1")
        self.assertEqual(r.returncode, 0, r.stderr)
        # The daemon sees PRAGMA data_version move. The CLI ran the engine
        # for pm1 in its own transaction, so the schedule is for today:
        # the daemon only drops its rendered feeds.
        d.wait_for(r"schedule: the database was changed by another "
                   r"process; feeds will be rendered again")
        self.assertNotIn("regenerated (the database was changed", d.log())
        # A stale schedule (as if from another day) is run in full.
        with qa.sqlite3_connect(self.ws.db) as db:
            db.execute("UPDATE meta SET value = '2000-01-01' "
                       "WHERE key = 'generated_for'")
        d.wait_for(r"schedule: regenerated \(the database was changed by "
                   r"another process\)")
        self.assertEqual(d.stop(), 0)

    def test_local_midnight_regenerates(self):
        # 23:59:57 UTC on Sat 28 March 2026 is 23:59:57 GMT in London; the
        # new day starts three seconds later (clocks change at 01:00 UTC).
        d = qa.Daemon(self.ws, env=qa.faketime_env("2026-03-28 23:59:57"))
        self.daemons.append(d)
        d.wait_listening()
        d.wait_for(r"schedule: regenerated \(start\)")
        d.wait_for(r"schedule: regenerated \(a new day\)")
        self.assertEqual(d.get("/healthz")[0], 200)
        self.assertEqual(d.stop(), 0)

    def test_broken_config_refuses_to_start(self):
        with open(self.ws.config, "a") as f:
            f.write("\n[server]\nlisten = nowhere\n")
        r = self.ws.run("serve")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"qa\.conf:\d+: .*listen")
        self.assertEqual(r.stdout, "")

    def test_port_in_use_is_a_clear_error(self):
        d = self.start()
        other = qa.Workspace()
        try:
            other.write_config(listen=f"127.0.0.1:{d.port}")
            r = other.run("serve")
            self.assertEqual(r.returncode, 1)
            self.assertIn(f"cannot listen on 127.0.0.1:{d.port}", r.stderr)
        finally:
            other.cleanup()
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    qa.main()
