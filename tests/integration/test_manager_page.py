"""The managers' page (issue 9, tracked as 12). `manager-url` issues the
secret URL of a manager's page, as `feed-url` does a feed's: shown once,
only its hash kept, rotated or revoked; only for someone who manages
someone and has not left. The page, served by the daemon at a faked
Thursday 3 December 2026, shows the manager's team (overdue first), open
audit actions, moderations waiting for them, their own deadlines, the
teams in their line and the last 12 months; its forms record through the
same checks as `record`, with a form token bound to the URL (403 without
it, 422 with the problems beside the fields and what was typed kept, 303
to the page on success). Debian's chromium fills and sends the forms
(playwright-core), axe-core checks the page, and screenshots at phone and
desktop widths are kept in QA_ARTEFACT_DIR."""

import html
import http.client
import os
import re
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

BASE_URL = "http://127.0.0.1:8080"


class ManagerUrlTest(qa.ClockedCliTest):
    def setUp(self):
        super().setUp()
        self.at("2026-12-03")
        self.add("gm1", "group_manager", team="FS", since="2026-01-01")
        self.add("pm1", "practice_manager", team="FS1", manager="gm1",
                 since="2026-01-01")
        self.add("sw1", "social_worker", team="FS1", manager="pm1",
                 since="2026-01-01")

    def url(self, *args):
        out = self.ok("manager-url", *args).stdout
        self.assertEqual(out.count("\n"), 1, out)
        url = out.strip()
        self.assertRegex(url, "^" + re.escape(BASE_URL) +
                         r"/manager/[A-Za-z0-9_-]{43}$")
        return url

    def stored(self):
        return self.query("SELECT kind, subject, revoked_at IS NULL AS live"
                          " FROM feed_tokens ORDER BY id")

    def test_issue_once_rotate_revoke(self):
        first = self.url("--staff", "pm1")
        # Shown once: only a hash is kept.
        self.fails(["manager-url", "--staff", "pm1"],
                   ["shown only once", "--rotate"])
        token = first.rsplit("/", 1)[1]
        self.assertEqual(self.query("SELECT count(*) FROM feed_tokens "
                                    "WHERE token_hash = ?",
                                    token.encode()), [(0,)])
        second = self.url("--staff", "pm1", "--rotate")
        self.assertNotEqual(first, second)
        self.assertEqual(self.stored(),
                         [("manager", "pm1", 0), ("manager", "pm1", 1)])
        r = self.ok("manager-url", "--staff", "pm1", "--revoke")
        self.assertEqual(r.stdout, "manager pm1: manager page URL revoked; "
                                   "it answers 404 from now on\n")
        self.assertEqual([r[2] for r in self.stored()], [0, 0])
        r = self.ok("manager-url", "--staff", "pm1", "--revoke")
        self.assertEqual(r.stdout,
                         "manager pm1: there was no live manager page "
                         "URL\n")
        # A feed URL of the same person is a token of its own.
        self.ok("feed-url", "--staff", "pm1")
        self.assertEqual(self.stored()[-1][:2], ("staff", "pm1"))

    def test_refusals(self):
        self.fails(["manager-url", "--staff", "sw1"],
                   ["sw1 manages no one"])
        self.fails(["manager-url", "--staff", "ghost"],
                   ['--staff "ghost"', "no such person"])
        self.fails(["manager-url"], ["--staff"], code=2, one_line=False)
        self.fails(["manager-url", "--staff", "pm1", "--rotate", "--revoke"],
                   ["--rotate or --revoke"], code=2, one_line=False)
        # Once sw1 has left, pm1 manages no one in post.
        self.ok("staff", "leave", "--id", "sw1", "--date", "2026-12-01")
        self.fails(["manager-url", "--staff", "pm1"], ["pm1 manages no one"])
        self.url("--staff", "gm1")
        self.ok("staff", "leave", "--id", "gm1", "--date", "2026-12-02")
        self.fails(["manager-url", "--staff", "gm1"],
                   ["gm1 left on 2026-12-02", "no manager page"])


TODAY = "2026-12-03 12:00:00"
XSS = "<img src=x onerror=alert(1)>"
HISTORY = """activity,staff,date,practitioner,grade,moderator
supervision,sw1,2026-10-01,,,
supervision,sw2,2026-11-20,,,
supervision,pm1,2026-11-19,,,
supervision,pm2,2026-11-19,,,
supervision,sw3,2026-11-26,,,
collaborative_audit,pm1,2026-11-25,sw2,good,
collaborative_audit,pm2,2026-12-01,sw3,requires improvement,pm1
"""


class OrgDaemonTest(unittest.TestCase):
    """The daemon at a faked Thursday 3 December 2026 over a small line:
    gm1 manages pm1 (FS1: sw1, sw2) and pm2 (FS2: sw3), with a few months
    of supervision and two audits; self.paths: the manager pages' paths
    of pm1, pm2 and gm1."""
    @classmethod
    def setUpClass(cls):
        if not qa.FAKETIME_LIBS:
            raise AssertionError("libfaketime.so.1 not found: install the "
                                 "Debian package `faketime`")

    def setUp(self):
        self.ws = qa.Workspace()
        self.addCleanup(self.ws.cleanup)
        for sid, role, team, manager, name in [
                ("gm1", "group_manager", "FS", None, "Gina Boss"),
                ("pm1", "practice_manager", "FS1", "gm1", "Pat Manager"),
                ("pm2", "practice_manager", "FS2", "gm1", "Paul Other"),
                ("sw1", "social_worker", "FS1", "pm1", XSS),
                ("sw2", "social_worker", "FS1", "pm1", "Sue Worker"),
                ("sw3", "social_worker", "FS2", "pm2", "Sam Third")]:
            argv = ["staff", "add", "--id", sid, "--name", name, "--email",
                    f"{sid}@example.org", "--role", role, "--team", team,
                    "--since", "2026-06-01"]
            if manager:
                argv += ["--manager", manager]
            self.cli(*argv)
        self.cli("record", "import",
                 qa.write(os.path.join(self.ws.dir, "h.csv"), HISTORY))
        self.paths = {who: self.issue(who) for who in ("pm1", "pm2", "gm1")}
        if self.server:
            self.ws.write_config(server=self.server)
        self.d = qa.Daemon(self.ws, env=qa.faketime_env(TODAY))
        self.addCleanup(self.stop)
        self.d.wait_listening()
        self.d.wait_for(r"serve: ready")

    server = ""  # [server] keys of the daemon's config

    def stop(self):
        if self.d.proc.poll() is None:
            self.assertEqual(self.d.stop(), 0)

    def cli(self, *args):
        r = self.ws.run(*args, env=qa.faketime_env(TODAY))
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        return r.stdout

    def completions(self):
        with qa.sqlite3_connect(self.ws.db) as db:
            return db.execute("SELECT count(*) FROM completions").fetchone()[0]

    def page(self, who, query=""):
        status, headers, body = self.d.get(self.paths[who] + query)
        self.assertEqual(status, 200, body)
        return headers, body.decode()

    def post(self, path, fields):
        c = http.client.HTTPConnection("127.0.0.1", self.d.port, timeout=30)
        c.request("POST", path, urllib.parse.urlencode(fields),
                  {"Content-Type": "application/x-www-form-urlencoded"})
        r = c.getresponse()
        body = r.read().decode()
        c.close()
        return r.status, r.getheader("Location"), body

    def has(self, page, pattern):
        """page matches pattern (the message quotes a little of it)."""
        if not re.search(pattern, page, re.S):
            self.fail(f"no match for {pattern!r} in the page "
                      f"({len(page)} characters)")

    @staticmethod
    def csrf(page):
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def issue(self, who, *flags):
        url = self.cli("manager-url", "--staff", who, *flags).strip()
        return url[len(BASE_URL):]



class ManagerPageTest(OrgDaemonTest):
    def test_the_page_of_a_practice_manager(self):
        headers, page = self.page("pm1")
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(headers["Cache-Control"], "no-store")
        self.assertEqual(headers["Referrer-Policy"], "no-referrer")
        self.assertIn("default-src 'none'",
                      headers["Content-Security-Policy"])
        # The name is text, never markup.
        self.assertNotIn(XSS, page)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", page)
        # Supervision, overdue first: sw1's due 29 Oct (1 Oct + 28); then
        # sw2's, 18 Dec (20 Nov + 28).
        rows = re.findall(r'<li class="row (\w+)" id="supervision-(\w+)"',
                          page)
        self.assertEqual(rows, [("late", "sw1"), ("ok", "sw2")])
        self.has(page, r'id="supervision-sw1">.*?Overdue.*?'
                               r'2026-10-29')
        # The action of pm1's audit of sw2 (25 Nov, good): due 28 days
        # on, Wed 23 Dec.
        self.has(page, r'id="action-\d+"><h3>Sue Worker: audit '
                               r'\d+</h3>.*?datetime="2026-12-23"')
        # pm2's audit of sw3, moderation asked of pm1: due by 15 Dec (10
        # working days from Tue 1 Dec).
        self.has(page, r'id="moderation-\d+">.*?datetime='
                               r'"2026-12-15".*?Paul Other audited Sam '
                               r"Third's case, graded requires "
                               r"improvement")
        # pm1's own: the audit of 25 Nov counts for November, so the next
        # is December's, due by Thu 31 Dec.
        self.has(page, r'id="own-collaborative_audit">.*?'
                               r'datetime="2026-12-31"')
        self.assertNotIn('id="teams"', page)  # one team: no summary
        self.assertIn('<svg xmlns="http://www.w3.org/2000/svg" '
                      'class="chart"', page)
        # Not pm2's people.
        self.assertNotIn("supervision-sw3", page)

    def test_a_group_manager_sees_each_team_and_goes_down(self):
        _, page = self.page("gm1")
        teams = re.findall(r'<a href="[A-Za-z0-9_-]{43}\?team=(\w+)">',
                           page)
        self.assertEqual(teams, ["FS1", "FS2"])
        # FS1: pm1 and sw2 in date, sw1 overdue; one open action (sw2's).
        # FS2: pm2 and sw3 in date; sw3's action open.
        self.has(page, r"FS1</a></th><td>3</td><td>2</td><td>1</td>"
                               r"<td>66.7</td><td>1</td><td>0</td>")
        self.has(page, r"FS2</a></th><td>2</td><td>2</td><td>0</td>"
                               r"<td>100.0</td><td>1</td><td>0</td>")
        _, fs2 = self.page("gm1", "?team=FS2")
        self.assertIn('id="supervision-sw3"', fs2)
        self.assertNotIn('id="supervision-sw1"', fs2)
        # A team outside the line: not found.
        status, _, _ = self.d.get(self.paths["pm1"] + "?team=FS2")
        self.assertEqual(status, 404)

    def test_not_found_head_and_methods(self):
        status, headers, body = self.d.get(self.paths["pm1"], method="HEAD")
        self.assertEqual((status, body), (200, b""))
        self.assertGreater(int(headers["Content-Length"]), 1000)
        status, headers, _ = self.d.get(self.paths["pm1"], method="PUT")
        self.assertEqual((status, headers["Allow"]), (405, "GET, HEAD, POST"))
        for path in ("/manager/" + "A" * 43, "/manager/short",
                     "/manager/" + "A" * 44, "/manager/"):
            self.assertEqual(self.d.get(path)[0], 404, path)
        # A feed token is not a manager's.
        feed = self.cli("feed-url", "--staff", "pm1").strip()
        token = feed.rsplit("/", 1)[1][:-len(".ics")]
        self.assertEqual(self.d.get("/manager/" + token)[0], 404)
        # Revoked, or once the manager has left: 404.
        self.cli("manager-url", "--staff", "pm2", "--revoke")
        self.assertEqual(self.d.get(self.paths["pm2"])[0], 404)
        self.cli("staff", "leave", "--id", "gm1", "--date", "2026-12-02")
        self.assertEqual(self.d.get(self.paths["gm1"])[0], 404)

    def test_forms_without_the_right_token_record_nothing(self):
        _, page = self.page("pm1")
        _, other = self.page("pm2")
        before = self.completions()
        fields = {"form": "supervision", "row": "sw1", "staff": "sw1",
                  "date": "2026-12-02"}
        for csrf in (None, "x" * 43, self.csrf(other)):
            sent = dict(fields, **({"csrf": csrf} if csrf else {}))
            status, _, body = self.post(self.paths["pm1"], sent)
            self.assertEqual(status, 403, csrf)
            self.assertIn("nothing was recorded", body)
        # Replayed after the URL was rotated: the old URL is gone, and the
        # old form token does not fit the new one.
        old = self.paths["pm1"]
        self.paths["pm1"] = self.issue("pm1", "--rotate")
        sent = dict(fields, csrf=self.csrf(page))
        self.assertEqual(self.post(old, sent)[0], 404)
        self.assertEqual(self.post(self.paths["pm1"], sent)[0], 403)
        self.assertEqual(self.completions(), before)

    def test_a_refused_form_comes_back_with_what_was_typed(self):
        _, page = self.page("pm1")
        before = self.completions()
        status, _, body = self.post(self.paths["pm1"], {
            "form": "supervision", "row": "sw2", "staff": "sw2",
            "csrf": self.csrf(page), "date": "2026-12-09"})
        self.assertEqual(status, 422)
        # Beside the field, tied to it, with the date as typed.
        self.has(body, r'<p class="error" id="supervision-date-sw2-'
                               r'error">the date 2026-12-09 is in the '
                               r"future")
        self.has(body, r'id="supervision-date-sw2" name="date" '
                               r'type="date" value="2026-12-09" '
                               r'aria-invalid="true" aria-describedby='
                               r'"supervision-date-sw2-error"')
        # Someone outside the line, forged into the form.
        status, _, body = self.post(self.paths["pm1"], {
            "form": "supervision", "row": "sw3", "staff": "sw3",
            "csrf": self.csrf(page), "date": "2026-12-02"})
        self.assertEqual(status, 422)
        self.assertIn("sw3 is not in your line.", body)
        # An audit with no grade and an unknown moderator.
        status, _, body = self.post(self.paths["pm1"], {
            "form": "audit", "row": "collaborative_audit",
            "csrf": self.csrf(page), "date": "2026-12-02",
            "practitioner": "sw1", "moderator": "ghost"})
        self.assertEqual(status, 422)
        self.assertIn('id="audit-grade-collaborative-5faudit-error"', body)
        self.assertEqual(self.completions(), before)

    def test_in_a_browser(self):
        os.makedirs(qa.ARTEFACT_DIR, exist_ok=True)
        url = self.d.url(self.paths["pm1"])
        action = re.search(r'id="action-(\d+)"', self.page("pm1")[1]).group(1)
        shot = os.path.join(qa.ARTEFACT_DIR, "manager-{}.png")
        seen = qa.page_steps([
            {"op": "goto", "url": url},
            {"op": "axe"},
            {"op": "screenshot", "width": 390, "path": shot.format("phone")},
            {"op": "screenshot", "width": 1200,
             "path": shot.format("desktop")},
            {"op": "text", "sel": "#supervision-sw1 h3"},
            {"op": "text", "sel": "#supervision-sw1 p"},
            {"op": "fill", "sel": "#supervision-date-sw1",
             "value": "2026-12-02"},
            {"op": "click", "sel": "#supervision-sw1 button"},
            {"op": "text", "sel": "[role=status]"},
            {"op": "text", "sel": "#supervision-sw1 p"},
            {"op": "fill", "sel": f"#action-date-{action}",
             "value": "2026-12-01"},
            {"op": "click", "sel": f"#action-{action} button"},
            {"op": "text", "sel": f"#action-{action}"},
            {"op": "text", "sel": "#actions"},
            {"op": "axe"}])
        r = seen["results"]
        self.assertEqual(seen["errors"], [])
        self.assertEqual(seen["requests"], [])
        self.assertEqual(seen["dialogs"], [])  # the name ran no script
        self.assertEqual(r[1], [])
        self.assertEqual(r[4], XSS)
        self.assertIn("Overdue", r[5])
        self.assertEqual(r[7]["status"], 200)
        self.assertIn("saved=supervision", r[7]["url"])
        self.assertEqual(r[8], "✓ The supervision session is recorded.")
        # 2 Dec + 28 = Wed 30 Dec.
        self.assertNotIn("Overdue", r[9])
        self.assertIn("next due 30 December 2026", r[9])
        self.assertIn("last session 2 December 2026", r[9])
        self.assertEqual(r[11]["status"], 200)
        self.assertIsNone(r[12])
        self.assertIn("No audit action is open.", r[13])
        self.assertEqual(r[14], [])
        # What the page recorded is what the CLI reads.
        rows = self.cli("report", "actions", "--format", "csv")
        self.assertIn(f"{action},sw2,pm1,good,no,2026-11-25,2026-12-23,"
                      "2026-12-01,closed_on_time,6", rows)


class SignOnTest(OrgDaemonTest):
    """GET /manager behind the council's proxy: a request from a trusted
    proxy carrying [server] auth_header is the person with that email."""

    server = ("trusted_proxies = 10.9.9.9, 127.0.0.1\n"
              "auth_header = X-Forwarded-Email\n")

    def signed_on(self, email, method="GET", body=None, extra=None):
        c = http.client.HTTPConnection("127.0.0.1", self.d.port, timeout=30)
        headers = {"X-Forwarded-Email": email} if email else {}
        headers.update(extra or {})
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(body)
        c.request(method, "/manager", body, headers)
        r = c.getresponse()
        out = (r.status, r.getheader("Location"), r.read().decode())
        c.close()
        return out

    def test_signed_on_by_email(self):
        status, _, page = self.signed_on("PM1@Example.org")
        self.assertEqual(status, 200)
        self.assertIn("<h1>Supervision and audits: Pat Manager</h1>", page)
        self.assertIn('id="supervision-sw1"', page)
        # Forms post to /manager, with a token bound to the person.
        self.assertIn('<form method="post" action="manager">', page)
        before = self.completions()
        form = {"form": "supervision", "row": "sw1", "staff": "sw1",
                "date": "2026-12-02", "csrf": self.csrf(page)}
        status, location, _ = self.signed_on("pm1@example.org", "POST", form)
        self.assertEqual((status, location),
                         (303, "manager?saved=supervision#supervision"))
        self.assertEqual(self.completions(), before + 1)
        # The URL page's form token is not the signed-on page's, nor the
        # other way round; and another person's email is another page.
        _, token_page = self.page("pm1")
        form.update(date="2026-12-01", csrf=self.csrf(token_page))
        self.assertEqual(self.signed_on("pm1@example.org", "POST",
                                        form)[0], 403)
        form["csrf"] = self.csrf(page)
        self.assertEqual(self.post(self.paths["pm1"], form)[0], 403)
        self.assertEqual(self.signed_on("pm2@example.org", "POST",
                                        form)[0], 403)
        self.assertEqual(self.completions(), before + 1)

    def test_who_is_not_signed_on(self):
        for email in (None, "", "nobody@example.org",
                      "sw1@example.org"):  # sw1 manages no one
            self.assertEqual(self.signed_on(email)[0], 404, email)
        # Once pm2's team has left, pm2 manages no one in post.
        self.assertEqual(self.signed_on("pm2@example.org")[0], 200)
        self.cli("staff", "leave", "--id", "sw3", "--date", "2026-12-01")
        self.assertEqual(self.signed_on("pm2@example.org")[0], 404)
        self.assertEqual(self.signed_on("pm1@example.org", "PUT")[0], 405)


class SignOnUntrustedTest(OrgDaemonTest):
    """From an address not in trusted_proxies the header is ignored."""

    server = ("trusted_proxies = 10.9.9.9\n"
              "auth_header = X-Forwarded-Email\n")

    def test_the_header_is_ignored(self):
        c = http.client.HTTPConnection("127.0.0.1", self.d.port, timeout=30)
        c.request("GET", "/manager", None,
                  {"X-Forwarded-Email": "pm1@example.org"})
        r = c.getresponse()
        r.read()
        self.assertEqual(r.status, 404)
        # The URL pages work as ever.
        self.assertEqual(self.d.get(self.paths["pm1"])[0], 200)


class SubscribePageTest(unittest.TestCase):
    """GET /feeds/<token> without .ics: whose calendar, its next items as
    the feed itself has them (read back here with python3-icalendar), and
    how to subscribe in each client."""

    def setUp(self):
        self.ws = qa.Workspace()
        self.addCleanup(self.ws.cleanup)
        env = qa.faketime_env(TODAY)
        for argv in (["--id", "pm1", "--name", "Pat Manager", "--role",
                      "practice_manager", "--team", "FS1"],
                     ["--id", "sw1", "--name", "Ann <O'Neil>, Jr", "--role",
                      "social_worker", "--team", "FS1", "--manager",
                      "pm1"]):
            r = self.ws.run("staff", "add", *argv, "--email",
                            f"{argv[1]}@example.org", env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
        r = self.ws.run("feed-url", "--staff", "sw1", env=env)
        self.url = r.stdout.strip()
        self.path = self.url[len(BASE_URL):-len(".ics")]
        self.d = qa.Daemon(self.ws, env=env)
        self.addCleanup(lambda: self.d.proc.poll() is None and
                        self.d.stop())
        self.d.wait_listening()
        self.d.wait_for(r"serve: ready")

    def test_the_page(self):
        import icalendar
        status, headers, body = self.d.get(self.path)
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        page = body.decode()
        self.assertIn("<h1>Subscribe to QA schedule: Ann &lt;O&#39;Neil&gt;"
                      ", Jr</h1>", page)
        # The next five items, as the feed has them.
        _, _, ics = self.d.get(self.path + ".ics")
        cal = icalendar.Calendar.from_ical(ics)
        items = []
        for e in cal.walk("VEVENT"):
            start = e.decoded("DTSTART")
            day = start if not hasattr(start, "hour") else start.date()
            if str(day) >= TODAY[:10]:
                key = (str(start.replace(tzinfo=None))
                       if hasattr(start, "hour") else str(start))
                items.append((key, str(e.get("SUMMARY"))))
        items.sort()
        listed = re.findall(r'<li><time datetime="([0-9-]+)">[^<]*</time>'
                            r': ([^<]*)</li>', page)
        self.assertEqual(len(listed), 5)
        self.assertEqual([(d, html.unescape(s)) for d, s in listed],
                         [(k[:10], s) for k, s in items[:5]])
        # The clients: webcal://, Google's and Outlook's add-by-URL, and
        # the address to copy ([server] base_url, http here).
        token = self.path.rsplit("/", 1)[1]
        webcal = f"webcal://127.0.0.1:8080/feeds/{token}.ics"
        self.assertIn(f'href="{webcal}"', page)
        self.assertIn('href="https://calendar.google.com/calendar/render?'
                      'cid=' + urllib.parse.quote(webcal, safe="") + '"',
                      page.replace("%3a", "%3A").replace("%2f", "%2F"))
        self.assertIn("https://outlook.office.com/calendar/0/addfromweb?"
                      "url=" + urllib.parse.quote(self.url, safe=""),
                      page.replace("%3a", "%3A").replace("%2f", "%2F"))
        self.assertIn(f'readonly value="{self.url}"', page)
        self.assertIn("every 12 to 24 hours", page)
        # HEAD, and an unknown token.
        status, headers, body = self.d.get(self.path, method="HEAD")
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(self.d.get("/feeds/" + "A" * 43)[0], 404)
        # In a browser: no request leaves it, axe-core is content.
        os.makedirs(qa.ARTEFACT_DIR, exist_ok=True)
        shot = os.path.join(qa.ARTEFACT_DIR, "subscribe-{}.png")
        seen = qa.page_steps([
            {"op": "goto", "url": self.d.url(self.path)}, {"op": "axe"},
            {"op": "screenshot", "width": 390, "path": shot.format("phone")},
            {"op": "screenshot", "width": 1200,
             "path": shot.format("desktop")}])
        self.assertEqual(seen["results"][:2], [200, []])
        self.assertEqual((seen["requests"], seen["errors"],
                          seen["dialogs"]), ([], [], []))


if __name__ == "__main__":
    qa.main()
