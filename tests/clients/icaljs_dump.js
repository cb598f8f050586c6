// Reads an iCalendar document on stdin, parses it with ical.js (the parser in
// Thunderbird) and prints one JSON object: {registered, events}, with one
// entry per event occurrence starting (Europe/London date) in [FROM, TO):
//
//   uid, summary, status, isDate, tzid (the zone ical.js attached to DTSTART:
//   "floating" when it found none), start/end as wall time in Europe/London
//   ("YYYY-MM-DDTHH:MM:SS", or "YYYY-MM-DD" for an all-day item, whose end is
//   exclusive), startUtc/endUtc as ISO instants from
//   ICAL.Time.toJSDate().toISOString() (null for all-day items), recurring.
//
// Usage: node icaljs_dump.js FROM TO [--no-register] < feed.ics
//
// By default every VTIMEZONE in the document is registered with
// ICAL.TimezoneService first, as a calendar client does: ical.js treats a
// TZID it has no zone for as floating, and turns a floating time into an
// instant in the process's own zone (run it with TZ=UTC so that shows).
// --no-register skips that step, to see what ical.js makes of the document
// on its own. Recurring events are expanded with ICAL.Event.iterator().
//
// Used by tests/integration/test_feed_clients.py; `npm ci` in this directory
// installs ical.js (scripts/test.sh does).
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const args = process.argv.slice(2);
const register = !args.includes("--no-register");
const [from, to] = args.filter((a) => !a.startsWith("--"));
const isDate = (s) => /^\d{4}-\d\d-\d\d$/.test(s || "");
if (!isDate(from) || !isDate(to)) {
  process.stderr.write(
    "usage: node icaljs_dump.js FROM TO [--no-register] < feed.ics\n");
  process.exit(2);
}

const vcalendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
if (register) {
  for (const vtimezone of vcalendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(vtimezone);
  }
}
// Wall times are shown in the registered Europe/London (the feed's own
// VTIMEZONE); unregistered, a time is shown in the zone ical.js gave it.
const london = ICAL.TimezoneService.get("Europe/London") || null;

function wall(time) {
  if (time.isDate) {
    return time.toString();
  }
  const shown = london ? time.convertToZone(london) : time;
  return shown.toString().replace(/Z$/, "");
}

function row(event, start, end) {
  return {
    uid: event.uid,
    summary: event.summary,
    status: event.component.getFirstPropertyValue("status"),
    isDate: start.isDate,
    tzid: start.zone ? start.zone.tzid : null,
    start: wall(start),
    end: wall(end),
    startUtc: start.isDate ? null : start.toJSDate().toISOString(),
    endUtc: end.isDate ? null : end.toJSDate().toISOString(),
    recurring: event.isRecurring(),
  };
}

const inWindow = (r) =>
  r.start.slice(0, 10) >= from && r.start.slice(0, 10) < to;
const events = [];
for (const component of vcalendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(component);
  if (!event.isRecurring()) {
    const r = row(event, event.startDate, event.endDate);
    if (inWindow(r)) {
      events.push(r);
    }
    continue;
  }
  const it = event.iterator();
  for (let next = it.next(); next; next = it.next()) {
    const details = event.getOccurrenceDetails(next);
    const r = row(event, details.startDate, details.endDate);
    if (r.start.slice(0, 10) >= to) {
      break;
    }
    if (inWindow(r)) {
      events.push(r);
    }
  }
}

process.stdout.write(
  JSON.stringify({ registered: london !== null, events }) + "\n");
