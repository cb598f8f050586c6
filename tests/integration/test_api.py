"""The JSON API (issue 9, tracked as 12): /api/v1/due, /api/v1/reports/<kind>
and POST /api/v1/completions, with "Authorization: Bearer <manager token>"
and limited to that manager's line; /api/v1/openapi.json, public, checked
by @apidevtools/swagger-parser, and every answer below checked against it
with ajv (tests/clients/openapi_check.js). The answers are compared with
what the CLI says over the same line: the API is the same engine."""

import http.client
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402
from test_manager_page import OrgDaemonTest  # noqa: E402


class ApiTest(OrgDaemonTest):
    def setUp(self):
        super().setUp()
        self.answers = []
        self.tokens = {who: path.rsplit("/", 1)[1]
                       for who, path in self.paths.items()}

    def call(self, method, path, who="pm1", body=None, raw=None,
             template=None, headers=None, documented=True):
        """(status, JSON body); the answer is kept for the OpenAPI check
        (template: the document's path, when path has values in it),
        unless it is for a path the document does not have."""
        c = http.client.HTTPConnection("127.0.0.1", self.d.port, timeout=60)
        sent = dict(headers or {})
        if who:
            sent["Authorization"] = f"Bearer {self.tokens.get(who, who)}"
        data = raw if raw is not None else (
            json.dumps(body) if body is not None else None)
        if data is not None:
            sent["Content-Type"] = "application/json"
        c.request(method, "/api/v1" + path, data, sent)
        r = c.getresponse()
        text = r.read().decode()
        c.close()
        parsed = json.loads(text) if r.getheader(
            "Content-Type") == "application/json" else None
        if documented:
            self.answers.append({
                "path": template or path.split("?")[0],
                "method": method.lower(), "status": r.status,
                "body": parsed})
        self.last_headers = dict(r.getheaders())
        return r.status, parsed

    def cli_json(self, *args):
        return json.loads(self.cli(*args, "--format", "json"))

    def tearDown(self):
        # Every answer the test saw fits the document.
        if not self.answers:
            return
        spec = os.path.join(self.ws.dir, "openapi.json")
        status, doc = self.call("GET", "/openapi.json", who=None)
        self.assertEqual(status, 200)
        with open(spec, "w") as f:
            json.dump(doc, f)
        answers = os.path.join(self.ws.dir, "answers.json")
        with open(answers, "w") as f:
            json.dump(self.answers, f)
        node = qa.need_program("node", "nodejs", "scripts/test.sh does")
        r = subprocess.run([node, os.path.join(qa.CLIENTS_DIR,
                                               "openapi_check.js"),
                            spec, answers], capture_output=True, text=True,
                           timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        seen = json.loads(r.stdout)
        self.assertIsNone(seen["spec"])
        bad = [(a["method"], a["path"], a["status"], why)
               for a, why in zip(self.answers, seen["answers"]) if why]
        self.assertEqual(bad, [])

    def test_who_may_call(self):
        self.assertEqual(self.call("GET", "/due", who=None)[0], 401)
        self.assertEqual(self.last_headers["WWW-Authenticate"],
                         'Bearer realm="qa-scheduler"')
        self.assertEqual(self.call("GET", "/due", who="A" * 43)[0], 404)
        self.assertEqual(self.call("GET", "/due", who="short")[0], 404)
        feed = self.cli("feed-url", "--staff", "pm1").strip()
        self.assertEqual(self.call("GET", "/due", who=feed.rsplit(
            "/", 1)[1][:-4])[0], 404)
        self.cli("manager-url", "--staff", "pm2", "--revoke")
        self.assertEqual(self.call("GET", "/due", who="pm2")[0], 404)
        self.assertEqual(self.call("GET", "/nothing", documented=False)[0],
                         404)
        self.assertEqual(self.call("DELETE", "/due", documented=False)[0],
                         405)
        self.assertEqual(self.last_headers["Allow"], "GET, HEAD")
        self.assertEqual(self.call("GET", "/completions",
                                   documented=False)[0], 405)

    def test_due_over_the_line(self):
        status, rows = self.call("GET", "/due")
        self.assertEqual(status, 200)
        everyone = self.cli_json("due")
        line = {"sw1", "sw2"}
        self.assertEqual(rows, [r for r in everyone if r["staff_id"] in line])
        # gm1's line is everyone but gm1; the direct reports of pm1.
        _, rows = self.call("GET", "/due", who="gm1")
        self.assertEqual(rows, [r for r in everyone if r["staff_id"] != "gm1"])
        _, rows = self.call("GET", "/due?manager=pm1&activity=supervision",
                            who="gm1")
        self.assertEqual(rows, self.cli_json("due", "--manager", "pm1",
                                             "--activity", "supervision"))
        _, rows = self.call("GET", "/due?as_of=2026-11-01&within=14")
        self.assertEqual(rows, [r for r in self.cli_json(
            "due", "--as-of", "2026-11-01", "--within", "14")
            if r["staff_id"] in line])
        _, rows = self.call("GET", "/due?team=FS2", who="gm1")
        self.assertEqual({r["staff_id"] for r in rows}, {"pm2", "sw3"})
        for path, code in [("/due?team=FS2", 403), ("/due?manager=pm2", 403),
                           ("/due?activity=nope", 400),
                           ("/due?within=x", 400), ("/due?as_of=2026-13-01",
                                                    400),
                           ("/due?bogus=1", 400)]:
            self.assertEqual(self.call("GET", path)[0], code, path)

    def test_reports_over_the_line(self):
        for kind in ("supervision", "audits", "actions"):
            status, rows = self.call("GET", f"/reports/{kind}", who="gm1")
            self.assertEqual(status, 200)
            self.assertEqual(rows, self.cli_json("report", kind,
                                                 "--manager", "gm1"), kind)
        status, rows = self.call(
            "GET", "/reports/activity/collaborative_audit?from=2026-06",
            template="/reports/activity/{id}")
        self.assertEqual(status, 200)
        self.assertEqual(rows, self.cli_json(
            "report", "activity", "collaborative_audit", "--from",
            "2026-06", "--manager", "pm1"))
        _, rows = self.call("GET", "/reports/supervision?team=FS1&"
                                   "from=2026-09&to=2026-10", who="gm1")
        self.assertEqual(rows, self.cli_json(
            "report", "supervision", "--team", "FS1", "--from", "2026-09",
            "--to", "2026-10", "--manager", "gm1"))
        self.assertEqual([r["month"] for r in rows], ["2026-09", "2026-10"])
        self.assertEqual(self.call("GET", "/reports/board",
                                   documented=False)[0], 404)
        for path, code in [("/reports/activity/nope", 404),
                           ("/reports/supervision?from=2026-13", 400),
                           ("/reports/supervision?from=2026-11&to=2026-10",
                            400),
                           ("/reports/supervision?team=FS2", 403),
                           ("/reports/audits?manager=gm1", 403)]:
            template = ("/reports/activity/{id}" if "activity/" in path
                        else None)
            status, _ = self.call("GET", path, template=template)
            self.assertEqual(status, code, path)

    def test_recording(self):
        before = self.completions()
        # A session for sw1 (overdue since 29 Oct): next due 28 days on.
        status, out = self.call("POST", "/completions", body={
            "activity": "supervision", "staff": "sw1", "date": "2026-12-02",
            "note": "held <late>"})
        self.assertEqual(status, 201, out)
        self.assertEqual(out["recorded"],
                         "supervision recorded: sw1 on 2026-12-02; next due "
                         "2026-12-30")
        self.assertEqual([(r["staff_id"], r["due"], r["status"])
                          for r in out["next_due"]],
                         [("sw1", "2026-12-30", "upcoming")])
        self.assertEqual([r for r in self.cli_json("due", "--activity",
                                                   "supervision")
                          if r["staff_id"] == "sw1"], out["next_due"])
        # pm1's own audit of sw2's case, then its action signed off (by
        # pm1, the caller, when not given).
        status, audit = self.call("POST", "/completions", body={
            "activity": "collaborative_audit", "staff": "pm1",
            "date": "2026-12-03", "practitioner": "sw2", "grade": "Good",
            "safeguarding": False, "moderator": None})
        self.assertEqual(status, 201, audit)
        status, out = self.call("POST", "/completions", body={
            "activity": "audit_action", "staff": "sw2",
            "date": "2026-12-03", "audit": audit["id"]})
        self.assertEqual(status, 201, out)
        self.assertIn(f"audit {audit['id']} of 2026-12-03 by pm1", 
                      out["recorded"])
        self.assertIn("signed off by pm1", out["recorded"])
        self.assertEqual(self.completions(), before + 3)

    def test_refusals_record_nothing(self):
        before = self.completions()
        cases = [
            # Malformed: 400.
            (dict(raw="{bad"), 400, None),
            (dict(raw="[1, 2]"), 400, None),
            (dict(raw='{"a": 1, "a": 2}'), 400, None),
            # Outside the line: 403.
            (dict(body={"activity": "supervision", "staff": "sw3",
                        "date": "2026-12-02"}), 403, None),
            (dict(body={"activity": "collaborative_audit", "staff": "pm1",
                        "date": "2026-12-02", "practitioner": "sw3",
                        "grade": "good"}), 403, None),
            # Invalid records: 422, field by field.
            (dict(body={"activity": "supervision", "staff": "sw1",
                        "date": "2026-12-09"}), 422, ["date"]),
            (dict(body={"activity": "supervision", "staff": "ghost",
                        "date": "2026-12-02"}), 422, ["staff"]),
            (dict(body={"activity": "supervision", "staff": "sw1",
                        "date": "2 Dec", "audit": "x",
                        "safeguarding": "yes"}), 422,
             ["date", "audit", "safeguarding"]),
            (dict(body={"activity": "supervision", "staff": "sw1",
                        "date": "2026-12-02", "colour": "red"}), 422,
             [None]),
            (dict(body={"staff": "sw1"}), 422, [None, "date"]),
            (dict(body={"activity": "collaborative_audit", "staff": "pm1",
                        "date": "2026-12-02", "practitioner": "sw1"}),
             422, ["grade"]),
        ]
        for kwargs, code, fields in cases:
            status, out = self.call("POST", "/completions", **kwargs)
            self.assertEqual(status, code, (kwargs, out))
            if fields is not None:
                self.assertEqual([e["field"] for e in out["errors"]],
                                 fields, out)
        # Over 64 KiB: refused before it is read.
        status, _ = self.call("POST", "/completions", raw=json.dumps(
            {"activity": "supervision", "staff": "sw1",
             "date": "2026-12-02", "note": "x" * 70000}))
        self.assertEqual(status, 413)
        self.answers.pop()  # evhttp's own text/plain answer
        self.assertEqual(self.completions(), before)


if __name__ == "__main__":
    qa.main()
