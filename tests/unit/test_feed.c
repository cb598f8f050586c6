/* feed: a person's or a team's iCalendar feed rendered from the occurrences
 * table, with the real plugins, a real SQLite file, the shipped holiday
 * calendar and a real config file; today and now are injected.
 *
 * Each feed is checked two ways: re-parsed by libical, and read as text
 * (after unfolding) for what SPEC section 6 asks of the bytes. Expected
 * dates are worked out by hand from the rules (SPEC section 3, README "The
 * schedule"); the reasoning is in the comments. Bank holidays used: 2026
 * Fri 3 Apr, Mon 6 Apr, Mon 4 May, Mon 25 May, Mon 31 Aug. British Summer
 * Time 2026 runs from Sun 29 March to Sun 25 October. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit_helpers.h"
#include <ctype.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "date.h"
#include "db.h"
#include "feed.h"
#include "holidays.h"
#include "plugin_host.h"
#include "record.h"
#include "schedule.h"
#include "staff.h"

#define HOLIDAYS QA_SOURCE_DIR "/calendars/england-and-wales-bank-holidays.ics"
#define TZ_PARAM ";TZID=Europe/London:"
/* [server] feed_refresh in the test config: 150 minutes. */
#define REFRESH_SECONDS (150 * 60)

/* What completions carry that must never reach a feed (SPEC section 3,
 * Privacy: feeds go to third-party calendar services). */
#define NOTE_SESSION "Discussed the Okafor twins and their foster placement"
#define NOTE_AUDIT "Child K: bruising not followed up by the team"

struct world {
	char dir[64];
	char db_path[128];
	char conf_path[128];
	sqlite3 *db;
	struct config cfg;
	struct plugin_set plugins;
	struct holidays holidays;
	struct sched_env env;
	struct feed_catalog catalog;
};

static qa_day D(int y, int m, int d)
{
	return qa_day_from_ymd(y, m, d);
}

/* 12:00 UTC on day: hours from any London midnight. */
static time_t noon_utc(qa_day day)
{
	int y, m, d;
	qa_day_to_ymd(day, &y, &m, &d);
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = m - 1,
			.tm_mday = d,
			.tm_hour = 12};
	return timegm(&tm);
}

static void world_open(struct world *w, qa_day today, const char *extra)
{
	memset(w, 0, sizeof(*w));
	strcpy(w->dir, "/tmp/qa-feed-XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	snprintf(w->db_path, sizeof(w->db_path), "%s/qa.db", w->dir);
	snprintf(w->conf_path, sizeof(w->conf_path), "%s/qa.conf", w->dir);
	FILE *conf = fopen(w->conf_path, "w");
	assert_non_null(conf);
	fprintf(conf,
		"[server]\nfeed_refresh = 150m\n"
		"[database]\npath = %s\n"
		"[plugins]\ndir = %s\n"
		"[calendars]\ntimezone = Europe/London\nholidays = %s\n%s",
		w->db_path, QA_PLUGIN_DIR, HOLIDAYS, extra);
	assert_int_equal(fclose(conf), 0);
	struct errlist errs = {0};
	int rc = config_load(w->conf_path, &w->cfg, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	errlist_done(&errs);
	assert_int_equal(rc, 0);
	assert_int_equal(db_open(w->cfg.db_path, &w->db), 0);
	rc = plugin_set_load(&w->cfg, &w->plugins, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	errlist_done(&errs);
	assert_int_equal(rc, 0);
	assert_int_equal(w->plugins.n, 16);
	assert_int_equal(holidays_load(&w->cfg.holidays, &w->holidays, &errs),
			 0);
	errlist_done(&errs);
	w->env = (struct sched_env){.plugins = &w->plugins,
				    .holidays = &w->holidays,
				    .tzid = "Europe/London",
				    .today = today,
				    .now = noon_utc(today)};
	assert_int_equal(feed_catalog_build(&w->plugins, &w->cfg, &w->catalog),
			 0);
	/* The compact zone, not UTC times: the checks below rely on it. */
	assert_non_null(w->catalog.vtimezone);
}

static void world_close(struct world *w)
{
	if (!w->dir[0])
		return; /* never opened */
	feed_catalog_done(&w->catalog);
	db_close(w->db);
	plugin_set_done(&w->plugins);
	holidays_done(&w->holidays);
	config_done(&w->cfg);
	unit_remove_database(w->db_path);
	unlink(w->conf_path);
	rmdir(w->dir);
}

static void set_today(struct world *w, qa_day today)
{
	w->env.today = today;
	w->env.now = noon_utc(today);
}

static void add_staff(struct world *w, const char *id, const char *name,
		      const char *role, const char *team, const char *manager)
{
	struct staff_text text = {.id = id,
				  .name = name,
				  .email = "someone@example.org",
				  .role = role,
				  .team = team,
				  .manager = manager};
	unit_add_person(w->db, &text, w->env.today);
}

static void regen(struct world *w)
{
	assert_int_equal(sched_regenerate(w->db, &w->env, NULL, NULL), 0);
}

static void record(struct world *w, const char *activity, const char *who,
		   qa_day date, const char *practitioner, const char *grade,
		   bool safeguarding, const char *note)
{
	struct record_input in = {.activity = activity,
				  .staff_id = who,
				  .date = date,
				  .practitioner_id = practitioner,
				  .grade = grade,
				  .safeguarding = safeguarding
							  ? RECORD_FLAG_YES
							  : RECORD_FLAG_UNSET,
				  .note = note};
	struct errlist errs = {0};
	long long id;
	int rc = record_completion(w->db, &w->plugins, &in, w->env.today, &errs,
				   &id);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	errlist_done(&errs);
	assert_int_equal(rc, 0);
}

/* ---- the occurrences table ---- */

/* The UID of (activity, subject, key) as stored; the caller frees it. */
static char *stored_uid(struct world *w, const char *activity,
			const char *subject, const char *key)
{
	sqlite3_stmt *stmt;
	assert_int_equal(
		sqlite3_prepare_v2(w->db,
				   "SELECT uid FROM occurrences WHERE activity "
				   "= ?1 AND subject = ?2 AND occ_key = ?3",
				   -1, &stmt, NULL),
		SQLITE_OK);
	sqlite3_bind_text(stmt, 1, activity, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, key, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		fail_msg("no stored occurrence %s/%s/%s", activity, subject,
			 key);
	char *uid = strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return uid;
}

/* The UID of the one occurrence of activity for subject on date. */
static char *stored_uid_on(struct world *w, const char *activity,
			   const char *subject, const char *date)
{
	sqlite3_stmt *stmt;
	assert_int_equal(sqlite3_prepare_v2(
				 w->db,
				 "SELECT uid FROM occurrences WHERE activity = "
				 "?1 AND subject = ?2 AND start_date = ?3",
				 -1, &stmt, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(stmt, 1, activity, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, date, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		fail_msg("no stored %s of \"%s\" on %s", activity, subject,
			 date);
	char *uid = strdup((const char *)sqlite3_column_text(stmt, 0));
	assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
	sqlite3_finalize(stmt);
	return uid;
}

static long long query_int(struct world *w, const char *sql, const char *arg)
{
	sqlite3_stmt *stmt;
	assert_int_equal(sqlite3_prepare_v2(w->db, sql, -1, &stmt, NULL),
			 SQLITE_OK);
	if (arg)
		sqlite3_bind_text(stmt, 1, arg, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	long long value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

struct stored {
	int sequence;
	time_t last_modified, cancelled_at;
	char status[16];
	char activity[64];
	char start_date[16];
	int start_minute; /* -1 for none */
};

/* The stored row of uid: 1, or 0 when there is none. */
static int stored_row(struct world *w, const char *uid, struct stored *out)
{
	sqlite3_stmt *stmt;
	assert_int_equal(
		sqlite3_prepare_v2(w->db,
				   "SELECT sequence, last_modified, status, "
				   "coalesce(cancelled_at, 0), activity, "
				   "start_date, coalesce(start_minute, -1) "
				   "FROM occurrences WHERE uid = ?1",
				   -1, &stmt, NULL),
		SQLITE_OK);
	sqlite3_bind_text(stmt, 1, uid, -1, SQLITE_STATIC);
	int found = sqlite3_step(stmt) == SQLITE_ROW;
	if (found) {
		out->sequence = sqlite3_column_int(stmt, 0);
		out->last_modified = (time_t)sqlite3_column_int64(stmt, 1);
		snprintf(out->status, sizeof(out->status), "%s",
			 sqlite3_column_text(stmt, 2));
		out->cancelled_at = (time_t)sqlite3_column_int64(stmt, 3);
		snprintf(out->activity, sizeof(out->activity), "%s",
			 sqlite3_column_text(stmt, 4));
		snprintf(out->start_date, sizeof(out->start_date), "%s",
			 sqlite3_column_text(stmt, 5));
		out->start_minute = sqlite3_column_int(stmt, 6);
	}
	sqlite3_finalize(stmt);
	return found;
}

/* ---- rendering and reading the text ---- */

struct feed {
	char *body; /* as rendered */
	size_t len;
	char *unfolded; /* logical lines, each ending CRLF */
	time_t last_modified;
	icalcomponent *parsed;
};

static void feed_free(struct feed *f)
{
	free(f->body);
	free(f->unfolded);
	if (f->parsed)
		icalcomponent_free(f->parsed);
	memset(f, 0, sizeof(*f));
}

/* Undo RFC 5545 folding: CRLF followed by one space or tab. */
static char *unfold(const char *body)
{
	size_t len = strlen(body);
	char *out = malloc(len + 1);
	assert_non_null(out);
	size_t at = 0;
	for (size_t i = 0; i < len; i++) {
		if (body[i] == '\r' && body[i + 1] == '\n' &&
		    (body[i + 2] == ' ' || body[i + 2] == '\t')) {
			i += 2;
			continue;
		}
		out[at++] = body[i];
	}
	out[at] = '\0';
	return out;
}

/* Every line ends CRLF (no bare CR or LF anywhere), none is empty, and none
 * is longer than 75 octets without its CRLF (RFC 5545 3.1). */
static void check_lines(const char *body, size_t len)
{
	assert_true(len > 2);
	assert_int_equal(strlen(body), len);
	assert_memory_equal(body + len - 2, "\r\n", 2);
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (body[i] == '\r') {
			if (i + 1 >= len || body[i + 1] != '\n')
				fail_msg("a bare CR at octet %zu", i);
			size_t octets = i - start;
			if (octets == 0)
				fail_msg("an empty line at octet %zu", i);
			if (octets > 75)
				fail_msg("a line of %zu octets: %.*s", octets,
					 (int)octets, body + start);
			start = i + 2;
			i++;
		} else if (body[i] == '\n') {
			fail_msg("a bare LF at octet %zu", i);
		}
	}
}

/* The number of logical lines equal to line. */
static int count_lines(const char *text, const char *line)
{
	int n = 0;
	size_t len = strlen(line);
	for (const char *p = text; (p = strstr(p, line)); p += len)
		if ((p == text || p[-1] == '\n') && p[len] == '\r' &&
		    p[len + 1] == '\n')
			n++;
	return n;
}

static int count_substr(const char *text, const char *needle)
{
	int n = 0;
	size_t len = strlen(needle);
	for (const char *p = text; (p = strstr(p, needle)); p += len)
		n++;
	return n;
}

/* What follows `name` on the first logical line of block starting with
 * name and then ':' or ';' (so parameters included: ";VALUE=DATE:2026..").
 * NULL when there is none; the caller frees it. */
static char *prop(const char *block, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = block; p && *p;) {
		const char *eol = strstr(p, "\r\n");
		if (!eol)
			break;
		if (strncmp(p, name, len) == 0 &&
		    (p[len] == ':' || p[len] == ';'))
			return strndup(p + len, (size_t)(eol - p - len));
		p = eol + 2;
	}
	return NULL;
}

/* The VEVENT of uid in f's unfolded text: its event-level lines (up to its
 * first VALARM) in *own and the whole component in the return value.
 * NULL when the feed does not have it. The caller frees both. */
static char *event_block(const struct feed *f, const char *uid, char **own)
{
	char needle[128];
	snprintf(needle, sizeof(needle), "\r\nUID:%s\r\n", uid);
	const char *at = strstr(f->unfolded, needle);
	if (!at)
		return NULL;
	assert_null(strstr(at + 1, needle)); /* one event per UID */
	const char *begin = at;
	while (begin > f->unfolded &&
	       strncmp(begin, "BEGIN:VEVENT\r\n", 14) != 0)
		begin--;
	assert_memory_equal(begin, "BEGIN:VEVENT\r\n", 14);
	const char *end = strstr(at, "END:VEVENT\r\n");
	assert_non_null(end);
	char *whole = strndup(begin, (size_t)(end + 12 - begin));
	const char *alarm = strstr(whole, "BEGIN:VALARM\r\n");
	*own = alarm ? strndup(whole, (size_t)(alarm - whole)) : strdup(whole);
	return whole;
}

static void fmt_utc(time_t t, char buf[32])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y%m%dT%H%M%SZ", &tm);
}

static void assert_prop(const char *block, const char *name,
			const char *expected)
{
	char *value = prop(block, name);
	if (!value)
		fail_msg("no %s in\n%s", name, block);
	if (strcmp(value, expected) != 0)
		fail_msg("%s%s, expected %s%s", name, value, name, expected);
	free(value);
}

/* The calendar-level lines SPEC section 6 asks for, the one compact
 * VTIMEZONE, and a VTIMEZONE for every TZID used. */
static void check_calendar(const struct feed *f, const char *name)
{
	const char *u = f->unfolded;
	assert_memory_equal(u, "BEGIN:VCALENDAR\r\n", 17);
	size_t n = strlen(u);
	assert_string_equal(u + n - 15, "END:VCALENDAR\r\n");
	/* The calendar's own lines come before its first component. */
	const char *first = strstr(u, "\r\nBEGIN:V");
	assert_non_null(first);
	char *head = strndup(u, (size_t)(first + 2 - u));
	assert_int_equal(count_lines(head, "VERSION:2.0"), 1);
	assert_int_equal(count_lines(head, "CALSCALE:GREGORIAN"), 1);
	assert_int_equal(count_lines(head, "METHOD:PUBLISH"), 1);
	assert_int_equal(count_lines(head, "X-WR-TIMEZONE:Europe/London"), 1);
	char *prodid = prop(head, "PRODID");
	assert_non_null(prodid);
	assert_true(strlen(prodid) > 3 && prodid[0] == ':');
	free(prodid);
	char *calname = prop(head, "X-WR-CALNAME");
	char *name2 = prop(head, "NAME");
	assert_non_null(calname);
	assert_non_null(name2);
	assert_string_equal(calname, name2);
	if (!strstr(calname, name))
		fail_msg("X-WR-CALNAME%s does not name %s", calname, name);
	free(calname);
	free(name2);
	/* Both carry [server] feed_refresh (150m) as a duration. */
	char *refresh = prop(head, "REFRESH-INTERVAL");
	char *ttl = prop(head, "X-PUBLISHED-TTL");
	assert_non_null(refresh);
	assert_non_null(ttl);
	assert_memory_equal(refresh, ";VALUE=DURATION:", 16);
	assert_int_equal(icaldurationtype_as_int(
				 icaldurationtype_from_string(refresh + 16)),
			 REFRESH_SECONDS);
	assert_int_equal(ttl[0], ':');
	assert_int_equal(
		icaldurationtype_as_int(icaldurationtype_from_string(ttl + 1)),
		REFRESH_SECONDS);
	free(refresh);
	free(ttl);
	free(head);

	/* Exactly one VTIMEZONE, Europe/London's, with open-ended rules. */
	assert_int_equal(count_lines(u, "BEGIN:VTIMEZONE"), 1);
	assert_int_equal(count_lines(u, "END:VTIMEZONE"), 1);
	const char *tz = strstr(u, "BEGIN:VTIMEZONE\r\n");
	const char *tz_end = strstr(u, "END:VTIMEZONE\r\n");
	char *vtz = strndup(tz, (size_t)(tz_end - tz));
	assert_int_equal(count_lines(vtz, "TZID:Europe/London"), 1);
	assert_null(strstr(vtz, "UNTIL"));
	assert_int_equal(count_lines(vtz, "BEGIN:STANDARD"), 1);
	assert_int_equal(count_lines(vtz, "BEGIN:DAYLIGHT"), 1);
	/* Every TZID parameter names a zone the feed defines. */
	for (const char *p = u; (p = strstr(p, ";TZID="));) {
		p += 6;
		size_t len = strcspn(p, ":;");
		char line[128];
		snprintf(line, sizeof(line), "TZID:%.*s", (int)len, p);
		if (count_lines(vtz, line) != 1)
			fail_msg("TZID=%.*s has no VTIMEZONE", (int)len, p);
	}
	free(vtz);
}

/* Every VEVENT: its UID is a stored occurrence's, once; SEQUENCE and
 * STATUS are the stored ones; DTSTAMP is in UTC and is the stored
 * last_modified, as LAST-MODIFIED is; times are local with the zone or
 * whole days with an exclusive end. Events come in order of start date,
 * start minute and UID, so the body does not depend on how the rows were
 * found. */
static void check_events(struct world *w, const struct feed *f)
{
	int events = 0;
	struct stored previous = {.start_date = ""};
	char previous_uid[128] = "";
	for (const char *p = f->unfolded;
	     (p = strstr(p, "\r\nBEGIN:VEVENT\r\n")); p++) {
		events++;
		const char *end = strstr(p, "\r\nEND:VEVENT\r\n");
		assert_non_null(end);
		char *whole = strndup(p + 2, (size_t)(end - p));
		const char *alarm = strstr(whole, "BEGIN:VALARM");
		char *own = alarm ? strndup(whole, (size_t)(alarm - whole))
				  : strdup(whole);
		char *uid = prop(own, "UID");
		assert_non_null(uid);
		assert_int_equal(uid[0], ':');
		struct stored row;
		if (!stored_row(w, uid + 1, &row))
			fail_msg("UID%s is not a stored occurrence", uid);
		int order = strcmp(previous.start_date, row.start_date);
		if (order == 0)
			order = previous.start_minute - row.start_minute;
		if (order == 0)
			order = strcmp(previous_uid, uid + 1);
		if (order > 0)
			fail_msg("UID%s (%s, minute %d) comes after %s (%s, "
				 "minute %d)",
				 uid, row.start_date, row.start_minute,
				 previous_uid, previous.start_date,
				 previous.start_minute);
		previous = row;
		snprintf(previous_uid, sizeof(previous_uid), "%s", uid + 1);
		char text[64], stamp[32];
		snprintf(text, sizeof(text), ":%d", row.sequence);
		assert_prop(own, "SEQUENCE", text);
		fmt_utc(row.last_modified, stamp);
		snprintf(text, sizeof(text), ":%s", stamp);
		assert_prop(own, "DTSTAMP", text);
		assert_prop(own, "LAST-MODIFIED", text);
		const char *status =
			strcmp(row.status, "cancelled") == 0   ? ":CANCELLED"
			: strcmp(row.status, "tentative") == 0 ? ":TENTATIVE"
							       : ":CONFIRMED";
		assert_prop(own, "STATUS", status);
		char *start = prop(own, "DTSTART");
		char *finish = prop(own, "DTEND");
		assert_non_null(start);
		assert_non_null(finish);
		if (strncmp(start, ";VALUE=DATE:", 12) == 0) {
			assert_memory_equal(finish, ";VALUE=DATE:", 12);
			assert_int_equal(strlen(start), 12 + 8);
			assert_true(strcmp(finish + 12, start + 12) > 0);
		} else {
			assert_memory_equal(start, TZ_PARAM, strlen(TZ_PARAM));
			assert_memory_equal(finish, TZ_PARAM, strlen(TZ_PARAM));
			assert_true(strcmp(finish, start) > 0);
		}
		/* No alarm on what is cancelled. */
		if (strcmp(row.status, "cancelled") == 0)
			assert_null(alarm);
		free(start);
		free(finish);
		free(uid);
		free(own);
		free(whole);
	}
	assert_int_equal(count_lines(f->unfolded, "BEGIN:VEVENT"), events);

	/* libical reads it back without complaint, with the same events. */
	assert_non_null(f->parsed);
	assert_int_equal(icalcomponent_isa(f->parsed),
			 ICAL_VCALENDAR_COMPONENT);
	assert_int_equal(icalcomponent_count_errors(f->parsed), 0);
	assert_int_equal(icalcomponent_count_components(f->parsed,
							ICAL_VEVENT_COMPONENT),
			 events);
	assert_int_equal(icalcomponent_count_components(
				 f->parsed, ICAL_VTIMEZONE_COMPONENT),
			 1);
}

/* Render a feed that exists, and check everything every feed must be. */
/* Was any occurrence cancelled after `since`? */
static bool cancelled_since(struct world *w, time_t since)
{
	sqlite3_stmt *stmt;
	assert_int_equal(sqlite3_prepare_v2(w->db,
					    "SELECT count(*) FROM occurrences "
					    "WHERE status = 'cancelled' AND "
					    "cancelled_at > ?1",
					    -1, &stmt, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(stmt, 1, since);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	bool any = sqlite3_column_int(stmt, 0) > 0;
	sqlite3_finalize(stmt);
	return any;
}

static void render(struct world *w, enum feed_kind kind, const char *subject,
		   const char *name, qa_day today, time_t now, struct feed *f)
{
	struct feed_doc doc;
	memset(f, 0, sizeof(*f));
	int rc = feed_render(w->db, &w->catalog, kind, subject, today, now,
			     &doc);
	if (rc != 1)
		fail_msg("feed_render(%s) gave %d", subject, rc);
	f->body = doc.body;
	f->len = doc.len;
	f->last_modified = doc.last_modified;
	doc.body = NULL;
	feed_doc_done(&doc);
	check_lines(f->body, f->len);
	f->unfolded = unfold(f->body);
	f->parsed = icalparser_parse_string(f->body);
	check_calendar(f, name);
	check_events(w, f);
	/* The document's Last-Modified is the newest of its events'. */
	time_t newest = 0;
	for (const char *p = f->unfolded; (p = strstr(p, "\r\nUID:")); p++) {
		char uid[128];
		size_t len = strcspn(p + 6, "\r");
		snprintf(uid, sizeof(uid), "%.*s", (int)len, p + 6);
		struct stored row;
		if (stored_row(w, uid, &row) && row.last_modified > newest)
			newest = row.last_modified;
	}
	/* Newer only when an occurrence left out was cancelled since. */
	assert_true(f->last_modified >= newest);
	if (!cancelled_since(w, newest))
		assert_int_equal(f->last_modified, newest);
}

static int render_rc(struct world *w, enum feed_kind kind, const char *subject,
		     qa_day today)
{
	struct feed_doc doc;
	int rc = feed_render(w->db, &w->catalog, kind, subject, today,
			     noon_utc(today), &doc);
	if (rc == 1)
		feed_doc_done(&doc);
	return rc;
}

/* The VALARM triggers of an event, in order, as whole days ("-7d -1d"). */
static void triggers_of(const char *whole, char *out, size_t size)
{
	out[0] = '\0';
	for (const char *p = whole; (p = strstr(p, "BEGIN:VALARM\r\n"));) {
		const char *end = strstr(p, "END:VALARM\r\n");
		assert_non_null(end);
		char *alarm = strndup(p, (size_t)(end - p));
		char *trigger = prop(alarm, "TRIGGER");
		assert_non_null(trigger);
		assert_int_equal(count_substr(alarm, "\r\nTRIGGER"), 1);
		assert_int_equal(count_lines(alarm, "ACTION:DISPLAY"), 1);
		/* Compared as lengths of time: -P7D and -P1W are the same. */
		assert_int_equal(trigger[0], ':');
		int seconds = icaldurationtype_as_int(
			icaldurationtype_from_string(trigger + 1));
		assert_int_equal(seconds % 86400, 0);
		size_t at = strlen(out);
		snprintf(out + at, size - at, "%s%dd", at ? " " : "",
			 seconds / 86400);
		free(trigger);
		free(alarm);
		p = end;
	}
}

/* The event uid of f: its start and end as written, its status, the
 * triggers of its alarms; fails the test when the feed lacks it. */
static void assert_event(const struct feed *f, const char *uid,
			 const char *dtstart, const char *dtend,
			 const char *status, const char *triggers)
{
	char *own;
	char *whole = event_block(f, uid, &own);
	if (!whole)
		fail_msg("the feed has no event %s", uid);
	assert_prop(own, "DTSTART", dtstart);
	assert_prop(own, "DTEND", dtend);
	assert_prop(own, "STATUS", status);
	char got[256];
	triggers_of(whole, got, sizeof(got));
	assert_string_equal(got, triggers);
	free(own);
	free(whole);
}

static bool has_event(const struct feed *f, const char *uid)
{
	char *own;
	char *whole = event_block(f, uid, &own);
	if (!whole)
		return false;
	free(own);
	free(whole);
	return true;
}

/* The SUMMARY of uid's event as libical reads it back; the caller frees
 * it. */
static char *summary_of(const struct feed *f, const char *uid)
{
	for (icalcomponent *ev = icalcomponent_get_first_component(
		     f->parsed, ICAL_VEVENT_COMPONENT);
	     ev; ev = icalcomponent_get_next_component(f->parsed,
						       ICAL_VEVENT_COMPONENT))
		if (strcmp(icalcomponent_get_uid(ev), uid) == 0)
			return strdup(icalcomponent_get_summary(ev));
	fail_msg("no event %s", uid);
	return NULL;
}

/* ---- privacy ---- */

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Remove every occurrence of part from text, in place. */
static void cut(char *text, const char *part)
{
	size_t len = strlen(part);
	if (len == 0)
		return;
	for (char *p; (p = strstr(text, part));)
		memmove(p, p + len, strlen(p + len) + 1);
}

static void assert_clean(const char *what, const char *text)
{
	static const char *const words[] = {"grade", "inadequate",
					    "safeguarding concern"};
	char *low = strdup(text);
	lower(low);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]))
			fail_msg("%s says \"%s\": %s", what, words[i], text);
	free(low);
}

/* Nothing recorded about a case reaches the feed: no note anywhere, and no
 * SUMMARY or DESCRIPTION (of an event or an alarm) speaks of grades,
 * inadequacy or safeguarding concerns. The one exception is the framework's
 * own fixed wording of an activity (its description, responsible officer,
 * frequency, reporting line), shown the same in every feed whatever was
 * recorded: the framework states the 5-working-day rule for inadequate
 * audits with safeguarding concerns, and that rule is not a case detail. */
static void check_private(struct world *w, const struct feed *f)
{
	static const char *const notes[] = {NOTE_SESSION, NOTE_AUDIT, "Okafor",
					    "Child K", "bruising"};
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++) {
		if (strstr(f->unfolded, notes[i]) || strstr(f->body, notes[i]))
			fail_msg("a completion's note reached a feed: %s",
				 notes[i]);
	}
	icalcomponent *ev = icalcomponent_get_first_component(
		f->parsed, ICAL_VEVENT_COMPONENT);
	for (; ev; ev = icalcomponent_get_next_component(
			   f->parsed, ICAL_VEVENT_COMPONENT)) {
		const char *summary = icalcomponent_get_summary(ev);
		assert_non_null(summary);
		assert_clean("SUMMARY", summary);
		const char *description = icalcomponent_get_description(ev);
		if (description) {
			char *rest = strdup(description);
			for (size_t i = 0; i < w->catalog.n; i++) {
				const struct feed_activity *a =
					&w->catalog.items[i];
				cut(rest, a->description);
				cut(rest, a->responsible);
				cut(rest, a->frequency);
				cut(rest, a->reporting);
			}
			assert_clean("DESCRIPTION", rest);
			free(rest);
		}
		icalcomponent *alarm = icalcomponent_get_first_component(
			ev, ICAL_VALARM_COMPONENT);
		for (; alarm; alarm = icalcomponent_get_next_component(
				      ev, ICAL_VALARM_COMPONENT)) {
			const char *said = icalcomponent_get_description(alarm);
			if (said)
				assert_clean("VALARM DESCRIPTION", said);
		}
	}
}

/* ---- the tests ---- */

/* Mon 2 March 2026. sw is an experienced social worker added today, so
 * supervision every 28 days from today (first due on the day added):
 * s1 Mon 2 Mar, s2 Mon 30 Mar (BST from the 29th), s3 Mon 27 Apr, s4 Mon 25
 * May is the spring bank holiday so shown Fri 22 May, s5 Mon 22 Jun, s6 Mon
 * 20 Jul, s7 Mon 17 Aug; the next, Mon 14 Sep, is past the six-month
 * horizon (Wed 2 Sep). Each at 10:00 local for 90 minutes, tentative, with
 * the plugin's one reminder two days before. */
static void staff_feed_calendar_and_events(void **state)
{
	struct world *w = *state;
	qa_day today = D(2026, 3, 2);
	world_open(w, today, "");
	add_staff(w, "sl", "Robin Lead", "service_lead", "Leaders", NULL);
	add_staff(w, "pm", "Pat Manager", "practice_manager", "FS1", "sl");
	add_staff(w, "sw", "Sam Worker", "social_worker", "FS1", "pm");
	regen(w);

	struct feed f;
	render(w, FEED_STAFF, "sw", "Sam Worker", today, w->env.now, &f);
	static const char *const dates[] = {"20260302", "20260330", "20260427",
					    "20260522", "20260622", "20260720",
					    "20260817"};
	assert_int_equal(query_int(w,
				   "SELECT count(*) FROM occurrences WHERE "
				   "activity = 'supervision' AND subject = ?1",
				   "sw"),
			 7);
	for (int k = 0; k < 7; k++) {
		char key[8], start[64], end[64];
		snprintf(key, sizeof(key), "s%d", k + 1);
		char *uid = stored_uid(w, "supervision", "sw", key);
		snprintf(start, sizeof(start), TZ_PARAM "%sT100000", dates[k]);
		snprintf(end, sizeof(end), TZ_PARAM "%sT113000", dates[k]);
		assert_event(&f, uid, start, end, ":TENTATIVE", "-2d");
		char *summary = summary_of(&f, uid);
		assert_non_null(strstr(summary, "Sam Worker"));
		assert_non_null(strstr(summary, "Pat Manager"));
		free(summary);
		free(uid);
	}
	assert_int_equal(count_substr(f.unfolded, "SUMMARY:Supervision"), 7);
	/* Written as SPEC's example has it, one per projected session. */
	assert_int_equal(count_lines(f.unfolded, "TRIGGER:-P2D"), 7);
	check_private(w, &f);

	/* The body holds no "now": another instant, same bytes. */
	struct feed again;
	render(w, FEED_STAFF, "sw", "Sam Worker", today,
	       w->env.now + 6 * 3600 + 17, &again);
	assert_int_equal(again.len, f.len);
	assert_memory_equal(again.body, f.body, f.len);
	feed_free(&again);
	feed_free(&f);

	/* The service lead: Practice Week, all-day Monday to Friday of the
	 * week of the 2nd Monday of March (1 March 2026 is a Sunday: the 9th)
	 * and of September (1 Sep is a Tuesday: the 14th), DTEND the
	 * Saturday after (exclusive); reminders 30 and 7 days before. */
	render(w, FEED_STAFF, "sl", "Robin Lead", today, w->env.now, &f);
	char *march = stored_uid_on(w, "practice_week", "", "2026-03-09");
	char *september = stored_uid_on(w, "practice_week", "", "2026-09-14");
	assert_event(&f, march, ";VALUE=DATE:20260309", ";VALUE=DATE:20260314",
		     ":CONFIRMED", "-30d -7d");
	assert_event(&f, september, ";VALUE=DATE:20260914",
		     ";VALUE=DATE:20260919", ":CONFIRMED", "-30d -7d");
	free(march);
	free(september);
	check_private(w, &f);
	feed_free(&f);

	/* The practice manager: March's collaborative audit is due by the
	 * last working day, Tue 31 March, as a whole day ending (exclusive)
	 * on 1 April; the plugin reminds 7 and 1 days before. They also see
	 * the supervision they give sw, named for both of them. */
	render(w, FEED_STAFF, "pm", "Pat Manager", today, w->env.now, &f);
	char *audit =
		stored_uid_on(w, "collaborative_audit", "pm", "2026-03-31");
	assert_event(&f, audit, ";VALUE=DATE:20260331", ";VALUE=DATE:20260401",
		     ":CONFIRMED", "-7d -1d");
	free(audit);
	char *s6 = stored_uid(w, "supervision", "sw", "s6");
	assert_event(&f, s6, TZ_PARAM "20260720T100000",
		     TZ_PARAM "20260720T113000", ":TENTATIVE", "-2d");
	char *summary = summary_of(&f, s6);
	assert_non_null(strstr(summary, "Sam Worker"));
	assert_non_null(strstr(summary, "Pat Manager"));
	free(summary);
	free(s6);
	check_private(w, &f);
	feed_free(&f);
}

/* A session is held and noted, and an audit of sw's case is graded
 * inadequate with a safeguarding concern and noted: the feeds move the
 * session (same UID), show the audit action, and keep the notes and the
 * grade to themselves. */
static void held_sessions_audit_actions_and_privacy(void **state)
{
	struct world *w = *state;
	world_open(w, D(2026, 3, 2), "");
	add_staff(w, "sl", "Robin Lead", "service_lead", "Leaders", NULL);
	add_staff(w, "pm", "Pat Manager", "practice_manager", "FS1", "sl");
	add_staff(w, "pm2", "Kim Auditor", "practice_manager", "FS2", "sl");
	add_staff(w, "sw", "Sam Worker", "social_worker", "FS1", "pm");
	regen(w);
	char *s1 = stored_uid(w, "supervision", "sw", "s1");
	char *s2 = stored_uid(w, "supervision", "sw", "s2");

	/* Tue 10 March: s1 held (it was due on the 2nd). */
	set_today(w, D(2026, 3, 10));
	record(w, "supervision", "sw", D(2026, 3, 10), NULL, NULL, false,
	       NOTE_SESSION);
	regen(w);
	/* Wed 11 March: pm2 audits one of sw's cases. */
	set_today(w, D(2026, 3, 11));
	record(w, "collaborative_audit", "pm2", D(2026, 3, 11), "sw",
	       "inadequate", true, NOTE_AUDIT);
	regen(w);
	/* The notes were stored: what follows is not vacuous. */
	assert_int_equal(query_int(w,
				   "SELECT count(*) FROM completions WHERE "
				   "note IS NOT NULL AND note <> ?1",
				   ""),
			 2);

	qa_day today = w->env.today;
	struct feed f;
	render(w, FEED_STAFF, "sw", "Sam Worker", today, w->env.now, &f);
	/* The k-th session keeps its UID: s1 is now the one held on the
	 * 10th, confirmed, no reminder for what is done; s2 is due 28 days
	 * after it, Tue 7 April (Easter Monday is the 6th, not the 7th). */
	char *uid = stored_uid(w, "supervision", "sw", "s1");
	assert_string_equal(uid, s1);
	free(uid);
	uid = stored_uid(w, "supervision", "sw", "s2");
	assert_string_equal(uid, s2);
	free(uid);
	assert_event(&f, s1, TZ_PARAM "20260310T100000",
		     TZ_PARAM "20260310T113000", ":CONFIRMED", "");
	assert_event(&f, s2, TZ_PARAM "20260407T100000",
		     TZ_PARAM "20260407T113000", ":TENTATIVE", "-2d");
	/* s1 changed once (projected -> held), s2 once (moved). */
	char *own;
	char *whole = event_block(&f, s1, &own);
	assert_prop(own, "SEQUENCE", ":1");
	free(own);
	free(whole);
	whole = event_block(&f, s2, &own);
	assert_prop(own, "SEQUENCE", ":1");
	free(own);
	free(whole);

	/* The audit action: inadequate with a safeguarding concern, 5
	 * working days after Wed 11 March: 12, 13, 16, 17, 18. A whole day
	 * with an exclusive end; audit actions remind 7 and 1 days before. */
	char *action = stored_uid_on(w, SCHED_AUDIT_ACTION, "sw", "2026-03-18");
	assert_event(&f, action, ";VALUE=DATE:20260318", ";VALUE=DATE:20260319",
		     ":CONFIRMED", "-7d -1d");
	check_private(w, &f);
	feed_free(&f);

	/* The line manager signs it off: it is in pm's feed, naming sw. So is
	 * the supervision pm gives. */
	render(w, FEED_STAFF, "pm", "Pat Manager", today, w->env.now, &f);
	assert_event(&f, action, ";VALUE=DATE:20260318", ";VALUE=DATE:20260319",
		     ":CONFIRMED", "-7d -1d");
	char *summary = summary_of(&f, action);
	assert_non_null(strstr(summary, "Sam Worker"));
	free(summary);
	assert_true(has_event(&f, s1));
	assert_true(has_event(&f, s2));
	summary = summary_of(&f, s2);
	assert_non_null(strstr(summary, "Sam Worker"));
	assert_non_null(strstr(summary, "Pat Manager"));
	free(summary);
	check_private(w, &f);
	feed_free(&f);

	/* The auditor's feed: their own audit, not sw's action. */
	render(w, FEED_STAFF, "pm2", "Kim Auditor", today, w->env.now, &f);
	assert_false(has_event(&f, action));
	assert_false(has_event(&f, s1));
	check_private(w, &f);
	feed_free(&f);

	/* A team feed holds its members' series: FS1 has sw's and pm's, not
	 * pm2's (FS2). */
	render(w, FEED_TEAM, "FS1", "FS1", today, w->env.now, &f);
	assert_true(has_event(&f, s1));
	assert_true(has_event(&f, s2));
	assert_true(has_event(&f, action));
	char *pm_audit =
		stored_uid_on(w, "collaborative_audit", "pm", "2026-03-31");
	char *pm2_audit =
		stored_uid_on(w, "collaborative_audit", "pm2", "2026-03-31");
	assert_true(has_event(&f, pm_audit));
	assert_false(has_event(&f, pm2_audit));
	check_private(w, &f);
	feed_free(&f);
	render(w, FEED_TEAM, "FS2", "FS2", today, w->env.now, &f);
	assert_true(has_event(&f, pm2_audit));
	assert_false(has_event(&f, pm_audit));
	assert_false(has_event(&f, s1));
	check_private(w, &f);
	feed_free(&f);
	render(w, FEED_STAFF, "sl", "Robin Lead", today, w->env.now, &f);
	check_private(w, &f);
	feed_free(&f);

	/* No such team, no such person: no feed. */
	assert_int_equal(render_rc(w, FEED_TEAM, "FS9", today), 0);
	assert_int_equal(render_rc(w, FEED_STAFF, "nobody", today), 0);
	free(pm_audit);
	free(pm2_audit);
	free(action);
	free(s1);
	free(s2);
}

/* sw leaves on Wed 11 March 2026: the sessions after that day are
 * cancelled, and cancelled occurrences are left out of every feed (issue 9:
 * Outlook shows STATUS:CANCELLED as if the event were on; a subscribed
 * client drops what vanishes). The feed's Last-Modified is the cancellation,
 * so a client asking If-Modified-Since its last copy sees the change; sw's
 * own feed goes the day after the leaving day (their last day in post: a
 * completion dated that day is still accepted, SPEC section 3). */
static void cancelled_occurrences_and_leavers(void **state)
{
	struct world *w = *state;
	world_open(w, D(2026, 3, 2), "");
	add_staff(w, "sl", "Robin Lead", "service_lead", "Leaders", NULL);
	add_staff(w, "pm", "Pat Manager", "practice_manager", "FS1", "sl");
	add_staff(w, "sw", "Sam Worker", "social_worker", "FS1", "pm");
	regen(w);
	qa_day left = D(2026, 3, 11);
	set_today(w, left);
	/* Before: pm's feed has every session of sw's. */
	struct feed f;
	render(w, FEED_STAFF, "pm", "Pat Manager", left, w->env.now, &f);
	char *s3 = stored_uid(w, "supervision", "sw", "s3");
	assert_true(has_event(&f, s3));
	time_t before = f.last_modified;
	feed_free(&f);
	struct errlist errs = {0};
	assert_int_equal(staff_leave(w->db, "sw", left,
				     &(struct staff_origin){0}, &errs),
			 0);
	errlist_done(&errs);
	regen(w);
	time_t cancelled_at = w->env.now;
	assert_true(cancelled_at > before);

	/* Overdue s1 (2 March) is before the leaving day and stays; every
	 * session after it was cancelled now. */
	sqlite3_stmt *stmt;
	assert_int_equal(
		sqlite3_prepare_v2(w->db,
				   "SELECT uid, cancelled_at FROM occurrences "
				   "WHERE subject = 'sw' AND activity = "
				   "'supervision' AND status = 'cancelled' "
				   "ORDER BY start_date",
				   -1, &stmt, NULL),
		SQLITE_OK);
	char *cancelled[16];
	size_t n = 0;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		assert_true(n < 16);
		cancelled[n++] =
			strdup((const char *)sqlite3_column_text(stmt, 0));
		assert_int_equal(sqlite3_column_int64(stmt, 1), cancelled_at);
	}
	sqlite3_finalize(stmt);
	assert_int_equal(n, 6); /* s2 to s7 */
	assert_string_equal(cancelled[1], s3);
	char *s1 = stored_uid(w, "supervision", "sw", "s1");

	/* On the leaving day sw still has a feed, without the cancelled
	 * sessions; the day after, none. */
	render(w, FEED_STAFF, "sw", "Sam Worker", left, cancelled_at, &f);
	for (size_t i = 0; i < n; i++)
		assert_false(has_event(&f, cancelled[i]));
	assert_true(has_event(&f, s1));
	assert_null(strstr(f.body, "STATUS:CANCELLED"));
	assert_int_equal(f.last_modified, cancelled_at);
	feed_free(&f);
	assert_int_equal(render_rc(w, FEED_STAFF, "sw", left + 1), 0);
	assert_int_equal(render_rc(w, FEED_STAFF, "sw", left + 40), 0);

	/* pm's feed: without them, the same bytes at any instant, and its
	 * Last-Modified the cancellation. */
	struct feed later;
	render(w, FEED_STAFF, "pm", "Pat Manager", left, cancelled_at, &f);
	render(w, FEED_STAFF, "pm", "Pat Manager", left,
	       cancelled_at + 31 * 86400, &later);
	assert_int_equal(later.len, f.len);
	assert_memory_equal(later.body, f.body, f.len);
	for (size_t i = 0; i < n; i++)
		assert_false(has_event(&f, cancelled[i]));
	assert_true(has_event(&f, s1));
	assert_null(strstr(f.body, "STATUS:CANCELLED"));
	assert_int_equal(f.last_modified, cancelled_at);
	feed_free(&later);
	feed_free(&f);
	/* The team feed follows the same rule. */
	render(w, FEED_TEAM, "FS1", "FS1", left, cancelled_at, &f);
	for (size_t i = 0; i < n; i++)
		assert_false(has_event(&f, cancelled[i]));
	assert_true(has_event(&f, s1));
	feed_free(&f);

	for (size_t i = 0; i < n; i++)
		free(cancelled[i]);
	free(s1);
	free(s3);
}

/* [activity.supervision] reminders = 7d, 1d: two alarms per projected
 * session instead of the plugin's one. */
static void configured_reminders(void **state)
{
	struct world *w = *state;
	qa_day today = D(2026, 3, 2);
	world_open(w, today, "[activity.supervision]\nreminders = 7d, 1d\n");
	add_staff(w, "pm", "Pat Manager", "practice_manager", "FS1", NULL);
	add_staff(w, "sw", "Sam Worker", "social_worker", "FS1", "pm");
	regen(w);
	struct feed f;
	render(w, FEED_STAFF, "sw", "Sam Worker", today, w->env.now, &f);
	char *s2 = stored_uid(w, "supervision", "sw", "s2");
	assert_event(&f, s2, TZ_PARAM "20260330T100000",
		     TZ_PARAM "20260330T113000", ":TENTATIVE", "-7d -1d");
	assert_int_equal(count_substr(f.unfolded, "TRIGGER:-P2D"), 0);
	free(s2);
	feed_free(&f);
}

/* A zone whose rules cannot be written as a compact VTIMEZONE gets its
 * times in UTC (feed_catalog_build leaves vtimezone NULL): DTSTART and
 * DTEND are the stored instants with a Z, and no TZID is left dangling. */
static void utc_times_without_a_vtimezone(void **state)
{
	struct world *w = *state;
	qa_day today = D(2026, 3, 2);
	world_open(w, today, "");
	add_staff(w, "pm", "Pat Manager", "practice_manager", "FS1", NULL);
	add_staff(w, "sw", "Sam Worker", "social_worker", "FS1", "pm");
	regen(w);
	free(w->catalog.vtimezone);
	w->catalog.vtimezone = NULL;
	struct feed_doc doc;
	assert_int_equal(feed_render(w->db, &w->catalog, FEED_STAFF, "sw",
				     today, w->env.now, &doc),
			 1);
	check_lines(doc.body, doc.len);
	struct feed f = {.body = doc.body, .len = doc.len};
	f.unfolded = unfold(doc.body);
	f.parsed = icalparser_parse_string(doc.body);
	assert_non_null(f.parsed);
	assert_int_equal(icalcomponent_count_errors(f.parsed), 0);
	assert_null(strstr(f.unfolded, "TZID"));
	assert_null(strstr(f.unfolded, "BEGIN:VTIMEZONE"));
	/* s2: Mon 30 March 2026, 10:00-11:30 BST, 09:00-10:30 UTC. */
	char *s2 = stored_uid(w, "supervision", "sw", "s2");
	char *own;
	char *whole = event_block(&f, s2, &own);
	assert_non_null(whole);
	assert_prop(own, "DTSTART", ":20260330T090000Z");
	assert_prop(own, "DTEND", ":20260330T103000Z");
	free(own);
	free(whole);
	free(s2);
	feed_free(&f);
}

static int world_new(void **state)
{
	*state = calloc(1, sizeof(struct world));
	return *state ? 0 : -1;
}

/* Runs after a failed assertion too, so no temporary directory is left. */
static int world_free(void **state)
{
	world_close(*state);
	free(*state);
	return 0;
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, world_new, world_free)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(staff_feed_calendar_and_events),
		TEST(held_sessions_audit_actions_and_privacy),
		TEST(cancelled_occurrences_and_leavers),
		TEST(configured_reminders),
		TEST(utc_times_without_a_vtimezone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
