"""The managers' page (issue 9, tracked as 12): `manager-url` issues the
secret URL of a manager's page, as `feed-url` does a feed's: shown once,
only its hash kept, rotated or revoked; only for someone who manages
someone and has not left."""

import os
import re
import sys

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


if __name__ == "__main__":
    qa.main()
