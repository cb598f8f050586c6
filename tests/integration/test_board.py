"""The Performance Board pack (issue 8, tracked as 11): `report board
--format html`, one self-contained page whose every figure is one the
reports give. A history is back-filled (supervision on time, late and not
held; audits in some months and not others, one regraded by its
moderation; actions closed on time and late, or still open; dip samples)
and the page's tables are checked against figures this test adds up itself
from the JSON reports, and a few against hand-worked numbers. Then Debian's
chromium opens the page (playwright-core): no request leaves it, axe-core
finds no WCAG 2.2 AA violation, every chart is drawn; and chromium prints
it to PDF (`--print-to-pdf`), A4, whose pages pdftoppm turns into PNGs kept
in QA_ARTEFACT_DIR. Commands run on Thu 3 Dec 2026."""

import html.parser
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

ARTEFACTS = qa.ARTEFACT_DIR
MONTHS = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
SHORT = {"06": "Jun", "07": "Jul", "08": "Aug", "09": "Sep", "10": "Oct",
         "11": "Nov"}
# A team name that must be escaped wherever the page shows it.
ODD_TEAM = 'FS2 <Care> & "Co"'
# The shipped activities whose occurrences are deadlines (duration "0").
DEADLINE_ACTIVITIES = [
    "collaborative_audit", "cp_chair_scrutiny", "dip_sample",
    "early_help_audit", "iro_scrutiny", "lado_audit", "multi_agency_audit",
    "qa_quarterly_report", "reg44_visit", "themed_audit"]


class Tables(html.parser.HTMLParser):
    """Every <table id=...> of a page as rows of cell texts (th and td)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables = {}
        self.current = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.current = self.tables.setdefault(dict(attrs).get("id"), [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("td", "th") and self.current is not None:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("td", "th") and self.cell is not None:
            self.current[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def pct(part, whole):
    return "–" if not whole else f"{100.0 * part / whole:.1f}"


def body(table):
    """A table's rows under its header row."""
    return table[1:]


class BoardTest(qa.ClockedCliTest):
    def setUp(self):
        super().setUp()
        self.at("2026-12-03")
        self.add("gm1", "group_manager", team="FS", since="2026-06-01")
        self.add("pm1", "practice_manager", team="FS1", manager="gm1",
                 since="2026-06-01")
        self.add("pm2", "practice_manager", team=ODD_TEAM, manager="gm1",
                 since="2026-06-01")
        self.add("sw1", "social_worker", team="FS1", manager="pm1",
                 since="2026-06-01")
        self.add("sw2", "social_worker", team=ODD_TEAM, manager="pm2",
                 nqsw="2026-09-07", since="2026-09-07")
        rows = ["activity,staff,date,practitioner,grade,safeguarding,audit,"
                "signed_off_by"]
        sessions = {
            "pm1": ["2026-06-10", "2026-07-08", "2026-08-20", "2026-09-16"],
            "sw1": ["2026-06-01", "2026-06-26", "2026-08-03", "2026-08-28",
                    "2026-09-25", "2026-10-23", "2026-11-20"],
            "sw2": ["2026-09-07", "2026-09-14", "2026-09-25"],
        }
        rows += [f"supervision,{who},{day},,,,," for who, days in
                 sessions.items() for day in days]
        first = len(rows) + 1  # the file's line of the next row
        rows += [
            "collaborative_audit,pm1,2026-09-01,sw1,good,no,,",       # +0
            "collaborative_audit,pm1,2026-09-10,sw2,requires improvement"
            ",no,,",                                                   # +1
            "collaborative_audit,pm1,2026-10-05,sw1,inadequate,yes,,",  # +2
            "collaborative_audit,pm2,2026-09-14,sw2,good,no,,",        # +3
            "collaborative_audit,pm1,2026-11-30,sw2,good,no,,",        # +4
        ]
        rows += [
            f"moderation,pm1,2026-09-16,,inadequate,yes,line:{first + 3},",
            f"audit_action,sw1,2026-09-20,,,,line:{first},pm1",
            f"audit_action,sw2,2026-10-20,,,,line:{first + 1},pm2",
            f"audit_action,sw2,2026-09-25,,,,line:{first + 3},pm2",
            "dip_sample,pm1,2026-10-07,,,,,",
            "dip_sample,gm1,2026-11-18,,,,,",
        ]
        self.ok("record", "import", qa.write(
            os.path.join(self.ws.dir, "history.csv"), "\n".join(rows) + "\n"))
        self.range = ["--from", MONTHS[0], "--to", MONTHS[-1]]
        self.page = self.ok("report", "board", *self.range).stdout
        parser = Tables()
        parser.feed(self.page)
        self.tables = parser.tables

    def report(self, *args):
        return json.loads(self.ok("report", *args, *self.range, "--format",
                                  "json").stdout)

    def test_supervision_is_report_supervision(self):
        rows = self.report("supervision")
        want = []
        for month in MONTHS:
            of = [r for r in rows if r["month"] == month]
            n = {k: sum(r[k] for r in of) for k in
                 ("staff", "in_date", "overdue", "sessions", "on_time",
                  "late")}
            want.append([f"{SHORT[month[5:]]} 2026", str(n["staff"]),
                         str(n["in_date"]), str(n["overdue"]),
                         pct(n["in_date"], n["staff"]), str(n["sessions"]),
                         str(n["on_time"]), str(n["late"])])
        self.assertEqual(body(self.tables["supervision-months"]), want)
        # By hand: at the end of September pm1 (next due 14 Oct), sw1 (23
        # Oct) and sw2 (weekly: 2 Oct) are in date; pm2, never supervised,
        # has been overdue since 1 Jun. Held in September: pm1 on the 16th
        # (due the 17th), sw1 on the 25th (due the 25th), sw2 on the 7th
        # (its first), the 14th and, late, the 25th (due the 21st).
        self.assertEqual(want[3], ["Sep 2026", "4", "3", "1", "75.0", "5",
                                   "4", "1"])
        teams = sorted({r["team"] for r in rows})
        self.assertEqual(teams, ["FS1", ODD_TEAM])
        by_team = [[t] + [next((f"{r['percent_in_date']:.1f}" for r in rows
                                if r["team"] == t and r["month"] == m), "–")
                          for m in MONTHS] for t in teams]
        self.assertEqual(body(self.tables["supervision-teams"]), by_team)

    def test_audits_and_grades_are_report_audits(self):
        rows = self.report("audits")
        keys = ["expected", "done", "outstanding", "good",
                "requires_improvement", "inadequate", "safeguarding",
                "moderated", "regraded"]
        sums = {m: {k: sum(r[k] for r in rows if r["month"] == m)
                    for k in keys} for m in MONTHS}
        total = {k: sum(s[k] for s in sums.values()) for k in keys}
        label = {m: f"{SHORT[m[5:]]} 2026" for m in MONTHS}
        self.assertEqual(
            body(self.tables["audits-months"]),
            [[label[m], str(s["expected"]), str(s["done"]),
              pct(s["done"], s["expected"])] for m, s in sums.items()] +
            [["Total", str(total["expected"]), str(total["done"]),
              pct(total["done"], total["expected"])]])
        grade_keys = keys[2:]
        self.assertEqual(
            body(self.tables["grades-months"]),
            [[label[m]] + [str(s[k]) for k in grade_keys]
             for m, s in sums.items()] +
            [["Total"] + [str(total[k]) for k in grade_keys]])
        # By hand: two practice managers owe one audit a month from June:
        # 12 expected; pm1 audited in September, October and November and
        # pm2 in September: 4 done. In September, 3 audits: good, requires
        # improvement and good, the last regraded by its moderation.
        self.assertEqual(total["expected"], 12)
        self.assertEqual(total["done"], 4)
        self.assertEqual(sums["2026-09"]["good"], 2)
        self.assertEqual(sums["2026-09"]["regraded"], 1)

    def test_actions_by_age_are_report_actions(self):
        rows = self.report("actions")
        ages = [("0–7 days", 0, 7), ("8–28 days", 8, 28),
                ("29–90 days", 29, 90), ("Over 90 days", 91, 10 ** 9)]
        want = [[label,
                 str(sum(1 for r in rows if r["status"] == "open" and
                         lo <= r["days_open"] <= hi)),
                 str(sum(1 for r in rows if r["status"] == "overdue" and
                         lo <= r["days_open"] <= hi))]
                for label, lo, hi in ages]
        want.append(["Total",
                     str(sum(r["status"] == "open" for r in rows)),
                     str(sum(r["status"] == "overdue" for r in rows))])
        self.assertEqual(body(self.tables["actions-ages"]), want)
        closed = [[s, str(sum(r["status"] == k for r in rows))] for s, k in
                  [("On time", "closed_on_time"), ("Late", "closed_late")]]
        self.assertEqual(self.tables["actions-closed"], closed)
        # By hand: sw1's of 1 Sep closed on time (20 Sep, due 29 Sep);
        # sw2's of 10 Sep closed late (20 Oct, due 8 Oct), as was sw2's of
        # 14 Sep (25 Sep; regraded inadequate with a concern on 16 Sep, so
        # due 23 Sep); sw1's of 5 Oct overdue (due 12 Oct), 59 days open;
        # sw2's of 30 Nov open, 3 days.
        self.assertEqual(want[0][1:], ["1", "0"])
        self.assertEqual(want[2][1:], ["0", "1"])
        self.assertEqual(closed, [["On time", "1"], ["Late", "2"]])

    def test_deadlines_are_report_activity(self):
        want = []
        for activity in DEADLINE_ACTIVITIES:
            rows = self.report("activity", activity)
            n = {s: sum(r["status"] == s for r in rows)
                 for s in ("done", "missed", "open")}
            title = re.search(
                r"^" + activity + r"\s+(.+)$",
                self.ok("plugins").stdout, re.M).group(1).strip()
            want.append([f"{activity} {title}", str(len(rows)),
                         str(n["done"]), str(n["missed"]), str(n["open"]),
                         pct(n["done"], n["done"] + n["missed"])])
        self.assertEqual(body(self.tables["deadlines-activities"]), want)
        # By hand: pm1 and gm1 owe a dip sample each week; pm1 did one in
        # the week of Mon 5 Oct and gm1 in the week of Mon 16 Nov.
        dips = want[DEADLINE_ACTIVITIES.index("dip_sample")]
        self.assertEqual(dips[2], "2")

    def test_self_contained_escaped_and_stamped(self):
        page = self.page
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        # The only link: an empty icon inline, so a browser asks for no
        # favicon.ico.
        bare = page.replace('xmlns="http://www.w3.org/2000/svg"', "")
        self.assertEqual(bare.count('<link rel="icon" href="data:,">'), 1)
        bare = bare.replace('<link rel="icon" href="data:,">', "")
        for needle in ("<script", "<link", "@import", "src=", "http:",
                       "https:"):
            self.assertNotIn(needle, bare)
        # Links only within the page; fills only from its own patterns.
        self.assertEqual(set(re.findall(r'href="([^#][^"]*)"', bare)), set())
        self.assertEqual(set(re.findall(r"url\((?!#)", page)), set())
        self.assertNotIn("<Care>", page)
        self.assertIn("FS2 &lt;Care&gt; &amp; &quot;Co&quot;", page)
        self.assertIn("@page{size:A4", page)
        self.assertIn("June 2026 to November 2026", page)
        # Made at 12:00 UTC on 3 December: 12:00 GMT in London.
        self.assertIn('datetime="2026-12-03T12:00+00:00"', page)
        self.assertEqual(page.count('<svg xmlns="http://www.w3.org/2000/svg"'
                                    ' class="chart"'), 5)

    def test_formats_and_filters(self):
        self.fails(["report", "board", "--format", "json"],
                   ["--format html"], code=2, one_line=False)
        self.fails(["report", "supervision", "--format", "html"],
                   ["report board"], code=2, one_line=False)
        self.fails(["report", "board", "--manager", "ghost"], ["ghost"])
        fs1 = Tables()
        fs1.feed(self.ok("report", "board", *self.range, "--team",
                         "FS1").stdout)
        self.assertEqual([r[0] for r in body(fs1.tables["supervision-teams"])],
                         ["FS1"])

    def test_chromium_renders_and_prints_it(self):
        chromium = qa.need_program("chromium", "chromium")
        qa.need_program("pdftoppm", "poppler-utils")
        os.makedirs(ARTEFACTS, exist_ok=True)
        page = os.path.join(ARTEFACTS, "board.html")
        with open(page, "w", encoding="utf-8") as f:
            f.write(self.page)
        url = "file://" + page
        # playwright-core, with axe-core in the page.
        seen = qa.page_steps([
            {"op": "goto", "url": url}, {"op": "title"}, {"op": "charts"},
            {"op": "axe"},
            {"op": "screenshot", "width": 1200,
             "path": os.path.join(ARTEFACTS, "board-screen.png")}])
        _, title, charts, violations, _ = seen["results"]
        self.assertEqual(seen["requests"], [])
        self.assertEqual(seen["errors"], [])
        self.assertEqual(violations, [])
        self.assertEqual(title,
                         "Performance Board pack, June 2026 to November 2026")
        self.assertEqual(len(charts), 5)
        for chart in charts:
            self.assertGreater(chart["width"], 200, chart)
            self.assertGreater(chart["height"], 80, chart)
            self.assertGreater(chart["marks"], 2, chart)
        # chromium's own print to PDF, then pdftoppm.
        pdf = os.path.join(ARTEFACTS, "board.pdf")
        if os.path.exists(pdf):
            os.unlink(pdf)
        r = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--no-pdf-header-footer", f"--print-to-pdf={pdf}", url],
            capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        info = subprocess.run(["pdfinfo", pdf], capture_output=True,
                              text=True, check=True).stdout
        self.assertRegex(info, r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts "
                               r"\(A4\)")
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        self.assertGreaterEqual(pages, 2)
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"],
                              capture_output=True, text=True,
                              check=True).stdout
        for needle in ("Performance Board pack", "1. Supervision in date",
                       "5. Missed deadlines by activity", ODD_TEAM):
            self.assertIn(needle, text)
        prefix = os.path.join(ARTEFACTS, "board-page")
        subprocess.run(["pdftoppm", "-r", "60", "-png", pdf, prefix],
                       check=True)
        pngs = sorted(p for p in os.listdir(ARTEFACTS)
                      if p.startswith("board-page") and p.endswith(".png"))
        self.assertEqual(len(pngs), pages)
        # The first page is drawn on: some of it is dark.
        gray = subprocess.run(["pdftoppm", "-r", "20", "-gray", "-f", "1",
                               "-l", "1", pdf], capture_output=True,
                              check=True).stdout
        w, h = map(int, gray.split(b"\n")[1].split())
        pixels = gray[-w * h:]
        dark = sum(1 for p in pixels if p < 128)
        self.assertGreater(dark, w * h // 100)


if __name__ == "__main__":
    qa.main()
