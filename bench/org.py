#!/usr/bin/python3
"""Synthetic organisation and history for bench/schedule.sh.

    org.py staff --count N --today YYYY-MM-DD [--seed S] > staff.csv
    org.py history --db FILE --today YYYY-MM-DD [--seed S]
    org.py stats --db FILE

`staff` writes a CSV for `qa-scheduler staff import`: a DCS and a lead member,
assistant directors, service leads (the Early Help ones as
early_help_service_lead), group managers, practice managers with teams of 6-8
social workers (about 15% of them newly qualified, nqsw_start spread over the
last 14 months), and the specialist roles (IRO and CP chair managers,
partnership managers, the QA team with safeguarding leads, QA residential
leads, development leads). Every manager is defined and no chain loops.

`history` writes six months of completions straight into the database (the
CLI would take one process per record): supervision sessions at each
person's cadence (some people fall behind, a few have none), monthly
collaborative audits with a practitioner and a grade, and the audit actions
closed afterwards, weekly dip samples, the monthly and quarterly reports and
a few Regulation 44 visits. It back-dates `added_on` to before that history
(the import stamps today), marks about 1% of social workers as leavers, and
deletes meta 'generated_for' so the next command regenerates in full.

`stats` prints "key value" lines about the database (after a WAL
checkpoint).

Python standard library only; the same seed gives the same organisation.
"""
import argparse
import csv
import datetime as dt
import os
import random
import sqlite3
import sys

FIRST = ("Aisha Alex Amara Amy Ben Bethan Callum Carys Chloe Daniel Dev Eleanor "
         "Emma Farah Finn Gareth Grace Hannah Harry Imran Isla Jack Jade James "
         "Joanna Kemi Kieran Laura Leah Liam Lucy Maria Mark Megan Mohammed "
         "Nadia Nathan Niamh Oliver Olivia Omar Owen Priya Rachel Rhys Ruth "
         "Ryan Sam Sarah Sean Sophie Tariq Tom Una Victoria Wei Will Yusuf "
         "Zara Zoe").split()
LAST = ("Adeyemi Ahmed Ali Baker Barker Begum Bennett Brown Campbell Chen Clarke "
        "Cooper Davies Edwards Evans Fisher Green Griffiths Hall Harris Hughes "
        "Hussain Jackson James Jones Kaur Khan Kowalski Lewis Lloyd Martin "
        "Mensah Mitchell Morgan Murphy Nguyen O'Brien Okafor Owen Patel Phillips "
        "Price Raman Roberts Robinson Scott Shaw Singh Smith Taylor Thomas "
        "Thompson Turner Walker Ward Watson White Williams Wilson Wright "
        "Young").split()

OPERATIONAL = (  # (division, service areas, early help?)
    ("Children's Social Care North", ("Assessment", "Family Safeguarding",
                                      "Children in Need"), False),
    ("Children's Social Care South", ("Assessment", "Family Safeguarding",
                                      "Court and Proceedings"), False),
    ("Children in Care", ("Children in Care", "Care Leavers",
                          "Fostering", "Disabled Children"), False),
    ("Early Help", ("Early Help", "Family Support", "Youth Support"), True),
)

# The homes of bench/lib.sh's and bench/schedule.sh's [activity.reg44_visit].
HOMES = ("Oak House", "Birch Lodge", "Cedar View", "Elm Court", "Fern Lodge",
         "Hazel House")
GRADES = (("outstanding", 5), ("good", 45), ("requires_improvement", 38),
          ("inadequate", 12))


def parse_day(text):
    return dt.date.fromisoformat(text)


def add_months(day, months):
    m = day.month - 1 + months
    y, m = day.year + m // 12, m % 12 + 1
    last = [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31,
            30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    return dt.date(y, m, min(day.day, last))


def weekday_on_or_before(day):
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def weekday_on_or_after(day):
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


class Org:
    def __init__(self, rng, today):
        self.rng = rng
        self.today = today
        self.rows = []
        self.used = {}

    def person(self, prefix, role, team, manager, nqsw=None):
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        base = f"{first}.{last}".lower().replace("'", "")
        n = self.used.get(base, 0) + 1
        self.used[base] = n
        ident = f"{prefix}-{len(self.rows) + 1:05d}"
        email = f"{base}{n if n > 1 else ''}@example.org"
        self.rows.append({"id": ident, "name": f"{first} {last}",
                          "email": email, "role": role, "team": team,
                          "manager": manager or "",
                          "nqsw_start": nqsw.isoformat() if nqsw else ""})
        return ident


def make_staff(count, today, seed):
    if count < 200:
        raise SystemExit("org.py: --count must be at least 200")
    rng = random.Random(seed)
    org = Org(rng, today)
    org.person("dcs", "dcs", "Leadership", None)
    org.person("lm", "lead_member", "Leadership", None)
    ads = [org.person("ad", "assistant_director", "Leadership", "dcs-00001")
           for _ in OPERATIONAL]
    ad_qa = org.person("ad", "assistant_director", "Leadership", "dcs-00001")
    ad_dev = org.person("ad", "assistant_director", "Leadership", "dcs-00001")

    # Specialists: about 9% of the organisation.
    spec = round(count * 0.09)
    qa_heads = [org.person("qa", "qa_team,safeguarding_lead",
                           "Safeguarding and QA", ad_qa)
                for _ in range(max(1, spec // 60))]
    dev_sls = [org.person("sl", "service_lead", "Practice Development",
                          ad_dev) for _ in range(max(1, spec // 120))]
    kinds = (("iro", "iro_manager", "IRO Service", 16),
             ("cp", "cp_chair_manager", "Child Protection Chairs", 16),
             ("pt", "partnership_manager", "Safeguarding Partnership", 10),
             ("qa", "qa_team", "Quality Assurance", 24),
             ("qa", "qa_team,safeguarding_lead", "Quality Assurance", 4),
             ("qr", "qa_residential_lead", "Quality Assurance", 5),
             ("dl", "development_lead", "Practice Development", 25))
    weights = [k[3] for k in kinds]
    while len(org.rows) < 7 + spec:
        prefix, role, team, _ = rng.choices(kinds, weights)[0]
        if role == "development_lead":
            manager = rng.choice(dev_sls)
        elif role in ("qa_team", "qa_residential_lead",
                      "qa_team,safeguarding_lead"):
            manager = rng.choice(qa_heads)
        elif role == "partnership_manager":
            manager = ad_dev
        else:
            manager = ad_qa
        org.person(prefix, role, team, manager)

    # Operational hierarchy until the count is reached: service leads
    # (3-5 group managers), group managers (4-6 practice managers),
    # practice managers (6-8 social workers).
    nqsw_from = add_months(today, -14)
    nqsw_span = (today - nqsw_from).days
    unit = 0
    while len(org.rows) < count:
        div, areas, early_help = OPERATIONAL[unit % len(OPERATIONAL)]
        area = areas[(unit // len(OPERATIONAL)) % len(areas)]
        unit += 1
        sl = org.person("sl", "early_help_service_lead" if early_help
                        else "service_lead", f"{div}: {area}",
                        ads[(unit - 1) % len(ads)])
        for _ in range(rng.randint(3, 5)):
            if len(org.rows) >= count:
                break
            gm = org.person("gm", "group_manager", f"{area} {unit}", sl)
            for _ in range(rng.randint(4, 6)):
                if len(org.rows) >= count:
                    break
                team = f"{area} {unit}.{len(org.rows) + 1}"
                pm = org.person("pm", "practice_manager", team, gm)
                for _ in range(rng.randint(6, 8)):
                    if len(org.rows) >= count:
                        break
                    nqsw = None
                    if rng.random() < 0.15:
                        nqsw = nqsw_from + dt.timedelta(
                            days=rng.randrange(nqsw_span + 1))
                    org.person("sw", "social_worker", team, pm, nqsw)
    out = csv.DictWriter(sys.stdout, ["id", "name", "email", "role", "team",
                                      "manager", "nqsw_start"],
                         lineterminator="\n")
    out.writeheader()
    out.writerows(org.rows)


def interval_on(nqsw, day):
    if nqsw is None:
        return 28
    if day < add_months(nqsw, 6):
        return 7
    if day < add_months(nqsw, 12):
        return 14
    return 28


def month_starts(first, last):
    day = first.replace(day=1)
    while day <= last:
        yield day
        day = add_months(day, 1)


def random_workday(rng, first, last):
    """A weekday in [first, last], or None."""
    days = [first + dt.timedelta(days=i)
            for i in range((last - first).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    return rng.choice(days) if days else None


def make_history(path, today, seed):
    rng = random.Random(seed + 1)
    db = sqlite3.connect(path, timeout=30)
    staff = {}
    for ident, manager, nqsw in db.execute(
            "SELECT id, manager_id, nqsw_start FROM staff"):
        staff[ident] = {"manager": manager, "roles": set(),
                        "nqsw": parse_day(nqsw) if nqsw else None}
    for ident, role in db.execute("SELECT staff_id, role FROM staff_roles"):
        staff[ident]["roles"].add(role)
    reports = {}
    for ident, s in staff.items():
        if s["manager"]:
            reports.setdefault(s["manager"], []).append(ident)

    start = add_months(today, -6)
    go_live = add_months(today, -7)
    rows = []

    # Completion ids follow the rows: an action's close names its audit
    # (schema 4), as `record audit_action --audit N` stores it.
    first_id = db.execute(
        "SELECT coalesce(max(id), 0) + 1 FROM completions").fetchone()[0]

    def done(activity, who, day, practitioner=None, grade=None,
             safeguarding=0, note=None, audit_id=None, home=None):
        at = dt.datetime.combine(day, dt.time(9 + rng.randrange(8)),
                                 dt.timezone.utc)
        rows.append((activity, who, day.isoformat(), practitioner, grade,
                     safeguarding, note, int(at.timestamp()), audit_id,
                     home))
        return first_id + len(rows) - 1

    # A few social workers left during the period (history kept).
    leavers = {}
    for ident, s in staff.items():
        if "social_worker" in s["roles"] and rng.random() < 0.01:
            leavers[ident] = start + dt.timedelta(
                days=rng.randrange((today - start).days))

    def last_day(ident):
        return min(today, leavers.get(ident, today))

    # Supervision: everyone with a line manager.
    for ident, s in staff.items():
        if not s["manager"]:
            continue
        r = rng.random()
        if r < 0.04:
            continue  # never supervised in the system: overdue
        stop = last_day(ident)
        if r < 0.16:  # fallen behind: nothing in the last 5-10 weeks
            stop = min(stop, today - dt.timedelta(days=rng.randint(35, 70)))
        nqsw = s["nqsw"]
        day = start if nqsw is None or nqsw < start else nqsw
        day = weekday_on_or_after(day + dt.timedelta(
            days=rng.randrange(interval_on(nqsw, day))))
        while day <= stop:
            done("supervision", ident, day,
                 note="Held in person" if rng.random() < 0.1 else None)
            step = interval_on(nqsw, day)
            jitter = rng.randint(-3, 2) if step == 28 else rng.randint(-1, 1)
            day = weekday_on_or_after(day + dt.timedelta(days=step + jitter))

    # Collaborative audits (monthly per practice manager, with one of their
    # social workers) and the audit actions that follow.
    for ident, s in staff.items():
        if "practice_manager" not in s["roles"]:
            continue
        team = [w for w in reports.get(ident, [])
                if "social_worker" in staff[w]["roles"]]
        if not team:
            continue
        for month in month_starts(start, today):
            if rng.random() < 0.1:
                continue  # missed this month
            end = min(add_months(month, 1) - dt.timedelta(days=1), today)
            sw = rng.choice(team)
            day = random_workday(rng, max(month, start), min(end, last_day(sw)))
            if day is None:
                continue
            grade = rng.choices([g for g, _ in GRADES],
                                [w for _, w in GRADES])[0]
            urgent = (grade == "inadequate" and rng.random() < 0.35) or \
                (grade == "requires_improvement" and rng.random() < 0.03)
            audit = done("collaborative_audit", ident, day,
                         practitioner=sw, grade=grade,
                         safeguarding=int(urgent))
            if rng.random() < (0.85 if urgent else 0.8):
                close = weekday_on_or_after(day + dt.timedelta(
                    days=rng.randint(2, 7) if urgent
                    else rng.randint(14, 35)))
                if close <= last_day(sw):
                    done("audit_action", sw, close, audit_id=audit)

    # Weekly dip samples by front-line managers.
    for ident, s in staff.items():
        if not s["roles"] & {"practice_manager", "group_manager"}:
            continue
        week = start - dt.timedelta(days=start.weekday())
        while week <= today:
            if rng.random() < 0.8:
                day = random_workday(rng, max(week, start),
                                     min(week + dt.timedelta(days=4), today))
                if day:
                    done("dip_sample", ident, day)
            week += dt.timedelta(days=7)

    # Monthly and quarterly reports, Regulation 44 visits.
    monthly = {"early_help_service_lead": "early_help_audit",
               "iro_manager": "iro_scrutiny",
               "cp_chair_manager": "cp_chair_scrutiny"}
    quarterly = {"partnership_manager": "multi_agency_audit",
                 "safeguarding_lead": "lado_audit"}
    for ident, s in staff.items():
        for role, activity in monthly.items():
            if role in s["roles"]:
                for month in month_starts(start, today):
                    end = min(add_months(month, 1) - dt.timedelta(days=1),
                              today)
                    day = random_workday(rng, max(month, start), end)
                    if day and rng.random() < 0.9:
                        done(activity, ident, day)
        for role, activity in quarterly.items():
            if role in s["roles"]:
                for month in month_starts(start, today):
                    if month.month % 3 == 0 and rng.random() < 0.9:
                        end = min(add_months(month, 1) -
                                  dt.timedelta(days=1), today)
                        day = random_workday(rng, max(month, start), end)
                        if day:
                            done(activity, ident, day)
        if "qa_residential_lead" in s["roles"]:
            for _ in range(rng.randint(1, 3)):
                done("reg44_visit", ident,
                     random_workday(rng, start, today),
                     home=rng.choice(HOMES))

    with db:
        db.executemany(
            "INSERT INTO completions (activity, staff_id, done_on,"
            " practitioner_id, grade, safeguarding, note, recorded_at,"
            " audit_id, home) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        # The import stamped everyone as added and tracked from today;
        # the history says they were there before it (what `staff import`
        # of a since column does at a real go-live).
        db.execute("UPDATE staff SET added_on = ?1, since = ?1"
                   " WHERE added_on > ?1", (go_live.isoformat(),))
        db.executemany("UPDATE staff SET left_on = ? WHERE id = ?",
                       [(d.isoformat(), i) for i, d in leavers.items()])
        db.execute("DELETE FROM meta WHERE key = 'generated_for'")
    db.close()
    print(f"{len(rows)} completions, {len(leavers)} leavers")


def stats(path):
    db = sqlite3.connect(path, timeout=30)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    q = lambda sql: db.execute(sql).fetchone()[0]
    wal = path + "-wal"
    print("db_bytes", os.path.getsize(path)
          + (os.path.getsize(wal) if os.path.exists(wal) else 0))
    print("staff", q("SELECT count(*) FROM staff"))
    print("completions", q("SELECT count(*) FROM completions"))
    print("occurrences", q("SELECT count(*) FROM occurrences"))
    for status in ("confirmed", "tentative", "cancelled"):
        print(f"occurrences_{status}", q(
            f"SELECT count(*) FROM occurrences WHERE status = '{status}'"))
    print("attendees", q("SELECT count(*) FROM occurrence_attendees"))
    db.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=("staff", "history", "stats"))
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--today", type=parse_day, default=dt.date.today())
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db")
    a = ap.parse_args()
    if a.what == "staff":
        make_staff(a.count, a.today, a.seed)
    elif not a.db:
        ap.error("--db is required")
    elif a.what == "history":
        make_history(a.db, a.today, a.seed)
    else:
        stats(a.db)


if __name__ == "__main__":
    main()
