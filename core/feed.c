#include "feed.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "ical_fold.h"
#include "log.h"
#include "schedule.h"
#include "staff.h"
#include "vtimezone.h"

/* Cancelled occurrences stay in feeds this long, so clients that refresh
 * now and then still see them go (SPEC section 6). */
#define FEED_CANCELLED_DAYS 30
/* History shown before today. */
#define FEED_DAYS_BACK 90

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static void activity_free(struct feed_activity *a)
{
	free(a->id);
	free(a->title);
	free(a->description);
	free(a->responsible);
	free(a->frequency);
	free(a->reporting);
}

void feed_catalog_free(struct feed_catalog *cat)
{
	for (size_t i = 0; i < cat->n; i++)
		activity_free(&cat->items[i]);
	free(cat->items);
	free(cat->tzid);
	free(cat->vtimezone);
	memset(cat, 0, sizeof(*cat));
}

static int parse_leads(const char *text, struct feed_activity *a)
{
	struct config_list items = {0};
	a->n_leads = 0;
	if (!text || strcmp(text, "none") == 0)
		return 0;
	if (config_split_list(text, &items))
		return -1;
	for (size_t i = 0; i < items.n && a->n_leads < FEED_MAX_LEADS; i++) {
		long seconds;
		if (config_parse_duration(items.items[i], &seconds) == 0 &&
		    seconds > 0)
			a->leads[a->n_leads++] = seconds;
	}
	config_list_free(&items);
	return 0;
}

int feed_catalog_build(const struct plugin_set *plugins,
		       const struct config *cfg, struct feed_catalog *out)
{
	memset(out, 0, sizeof(*out));
	out->items = calloc(plugins->n + 1, sizeof(*out->items));
	out->tzid = strdup(cfg->timezone);
	qa_day today;
	int y = 2026, m, d;
	if (date_of_instant(time(NULL), cfg->timezone, &today) == 0)
		qa_day_to_ymd(today, &y, &m, &d);
	out->vtimezone = vtimezone_compact(cfg->timezone, y);
	out->refresh = cfg->feed_refresh;
	char why[256];
	time_t now = time(NULL);
	/* Checked once here for the window feeds show, not per request. A
	 * zone whose rules cannot be written as open-ended yearly rules (or
	 * changed lately) gets its times in UTC instead: always right, if
	 * less friendly. */
	if (out->vtimezone &&
	    vtimezone_check(out->vtimezone, cfg->timezone, now - 100 * 86400L,
			    now + 400 * 86400L, why, sizeof(why))) {
		log_warn("feed: the compact VTIMEZONE for %s is wrong (%s); "
			 "feeds give times in UTC",
			 cfg->timezone, why);
		free(out->vtimezone);
		out->vtimezone = NULL;
	} else if (!out->vtimezone) {
		log_warn("feed: no compact VTIMEZONE for %s; feeds give times "
			 "in UTC",
			 cfg->timezone);
	}
	if (!out->items || !out->tzid)
		goto fail;
	for (size_t i = 0; i < plugins->n; i++) {
		const struct plugin *p = &plugins->items[i];
		const struct qa_plugin *desc = p->desc;
		struct feed_activity *a = &out->items[out->n++];
		a->id = strdup(desc->id);
		a->title = strdup(desc->title);
		a->description = dup_or_empty(desc->description);
		a->responsible = dup_or_empty(desc->responsible);
		a->frequency = dup_or_empty(desc->frequency);
		a->reporting = dup_or_empty(desc->reporting);
		if (!a->id || !a->title || !a->description || !a->responsible ||
		    !a->frequency || !a->reporting)
			goto fail;
		a->everyone = strcmp(desc->roles, "*") == 0;
		a->audience = desc->scope == QA_SCOPE_AUDIENCE;
		unsigned mask = 0;
		char role_why[256];
		if (!a->everyone && roles_parse(desc->roles, &mask, role_why,
						sizeof(role_why)) == 0)
			a->roles = mask; /* as the schedule reads it */
		if (parse_leads(plugin_value(p, "reminders"), a))
			goto fail;
	}
	/* The built-in series: due 28 days (or 5 working days) after an
	 * audit, signed off by the line manager. */
	struct feed_activity *a = &out->items[out->n++];
	a->id = strdup(SCHED_AUDIT_ACTION);
	a->title = strdup("Audit actions");
	a->description = strdup(
		"Actions identified by a collaborative case file audit are "
		"completed within a 4 week period and signed off by the line "
		"manager of the social worker; for inadequate audits where "
		"safeguarding concerns have been identified, within 5 working "
		"days at most.");
	a->responsible = strdup("The social worker; signed off by their line "
				"manager");
	a->frequency = strdup("After each collaborative audit");
	a->reporting = strdup("Progress is tracked for the child or young "
			      "person to avoid drift and delay.");
	if (!a->id || !a->title || !a->description || !a->responsible ||
	    !a->frequency || !a->reporting || parse_leads("7d, 1d", a))
		goto fail;
	return 0;
fail:
	log_err("feed: cannot build the activity catalog: out of memory");
	feed_catalog_free(out);
	return -1;
}

static const struct feed_activity *activity_of(const struct feed_catalog *cat,
					       const char *id)
{
	for (size_t i = 0; i < cat->n; i++)
		if (strcmp(cat->items[i].id, id) == 0)
			return &cat->items[i];
	return NULL;
}

void feed_doc_free(struct feed_doc *doc)
{
	free(doc->body);
	memset(doc, 0, sizeof(*doc));
}

/* ---- who is asking ---- */

struct viewer {
	enum feed_kind kind;
	const char *subject;
	char *name;     /* person's name or the team */
	unsigned roles; /* person: effective roles */
};

/* 1 when the feed exists, 0 when not, -1 on error. */
static int viewer_load(sqlite3 *db, enum feed_kind kind, const char *subject,
		       qa_day today, struct viewer *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->subject = subject;
	if (kind == FEED_TEAM) {
		static const char sql[] =
			"SELECT count(*) FROM staff WHERE team = ?1"
			" AND (left_on IS NULL OR left_on >= ?2)";
		sqlite3_stmt *stmt = NULL;
		char day[DATE_TEXT_SIZE];
		int rc = -1;
		if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
			sqlite3_bind_text(stmt, 1, subject, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 2, date_format(today, day), -1,
					  SQLITE_TRANSIENT);
			if (sqlite3_step(stmt) == SQLITE_ROW)
				rc = sqlite3_column_int(stmt, 0) > 0;
		}
		sqlite3_finalize(stmt);
		if (rc == 1 && !(v->name = strdup(subject)))
			rc = -1;
		return rc;
	}
	struct staff s = {0};
	int found = staff_get(db, subject, &s);
	if (found <= 0) {
		staff_free(&s);
		return found;
	}
	/* Someone who has left has no feed: their URL answers 404. */
	if (s.left_on != QA_DAY_NONE && s.left_on < today) {
		staff_free(&s);
		return 0;
	}
	v->roles = roles_effective(s.roles);
	v->name = strdup(s.name);
	staff_free(&s);
	return v->name ? 1 : -1;
}

/* ---- building the calendar ---- */

struct row {
	const char *uid, *activity, *subject, *kind, *status, *summary, *detail,
		*with_staff_id, *subject_name, *with_name;
	qa_day date, done_on;
	int start_minute, duration, sequence;
	time_t dtstart_utc, dtend_utc, created_at, last_modified, cancelled_at;
};

static struct icaltimetype utc_time(time_t t)
{
	return icaltime_from_timet_with_zone(t, 0,
					     icaltimezone_get_utc_timezone());
}

static struct icaltimetype date_value(qa_day day)
{
	int y, m, d;
	qa_day_to_ymd(day, &y, &m, &d);
	struct icaltimetype t = icaltime_null_date();
	t.year = y;
	t.month = m;
	t.day = d;
	return t;
}

/* A local wall-clock time with a TZID parameter (the compact VTIMEZONE in
 * the feed defines it). Floating plus TZID keeps libical from reaching for
 * its own, long VTIMEZONE. */
static icalproperty *local_time_prop(icalproperty *prop, time_t instant,
				     const char *tzid)
{
	qa_day day;
	int minute;
	long offset;
	if (date_local_time(instant, tzid, &day, &minute, &offset)) {
		icalproperty_free(prop);
		return NULL;
	}
	int y, m, d;
	qa_day_to_ymd(day, &y, &m, &d);
	struct icaltimetype t = icaltime_null_time();
	t.year = y;
	t.month = m;
	t.day = d;
	t.hour = minute / 60;
	t.minute = minute % 60;
	icalproperty_set_value(prop, icalvalue_new_datetime(t));
	icalproperty_add_parameter(prop, icalparameter_new_tzid(tzid));
	return prop;
}

static void summary_of(const struct row *r, const struct viewer *v, char *buf,
		       size_t size)
{
	bool own = v->kind == FEED_STAFF && strcmp(r->subject, v->subject) == 0;
	const char *who = r->subject_name ? r->subject_name : r->subject;
	const char *done = r->done_on != QA_DAY_NONE ? " (done)" : "";
	if (strcmp(r->activity, "supervision") == 0)
		snprintf(buf, size, "Supervision: %s with %s%s", who,
			 r->with_name ? r->with_name : "their line manager",
			 done);
	else if (strcmp(r->kind, "due") != 0 || !*r->subject)
		snprintf(buf, size, "%s%s", r->summary, done);
	else if (own)
		snprintf(buf, size, "Due: %s%s", r->summary, done);
	else
		snprintf(buf, size, "Due: %s (%s)%s", r->summary, who, done);
}

static char *description_of(const struct row *r, const struct feed_activity *a)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		return NULL;
	if (r->detail && *r->detail)
		fprintf(out, "%s\n\n", r->detail);
	if (a) {
		fprintf(out, "%s", a->description);
		if (*a->responsible)
			fprintf(out, "\n\nResponsible: %s", a->responsible);
		if (*a->frequency)
			fprintf(out, "\nFrequency: %s", a->frequency);
		if (*a->reporting)
			fprintf(out, "\nReporting: %s", a->reporting);
	}
	fclose(out);
	return text;
}

static void add_alarms(icalcomponent *ev, const struct feed_activity *a,
		       const char *summary)
{
	for (size_t i = 0; a && i < a->n_leads; i++) {
		icalcomponent *alarm = icalcomponent_new_valarm();
		struct icaltriggertype trigger = {0};
		trigger.time = icaltime_null_time();
		trigger.duration = icaldurationtype_from_int(-(int)a->leads[i]);
		icalcomponent_add_property(
			alarm, icalproperty_new_action(ICAL_ACTION_DISPLAY));
		icalcomponent_add_property(alarm,
					   icalproperty_new_trigger(trigger));
		icalcomponent_add_property(
			alarm, icalproperty_new_description(summary));
		icalcomponent_add_component(ev, alarm);
	}
}

static icalcomponent *event_of(const struct row *r, const struct viewer *v,
			       const struct feed_catalog *cat)
{
	const struct feed_activity *a = activity_of(cat, r->activity);
	char summary[512];
	summary_of(r, v, summary, sizeof(summary));
	icalcomponent *ev = icalcomponent_new_vevent();
	icalcomponent_add_property(ev, icalproperty_new_uid(r->uid));
	/* DTSTAMP is when the occurrence last changed, not now: the body
	 * stays byte-identical between requests. */
	icalcomponent_add_property(
		ev, icalproperty_new_dtstamp(utc_time(r->last_modified)));
	icalcomponent_add_property(
		ev, icalproperty_new_created(utc_time(r->created_at)));
	icalcomponent_add_property(
		ev, icalproperty_new_lastmodified(utc_time(r->last_modified)));
	icalcomponent_add_property(ev, icalproperty_new_sequence(r->sequence));
	if (strcmp(r->kind, "event") == 0 && !cat->vtimezone) {
		icalcomponent_add_property(
			ev, icalproperty_new_dtstart(utc_time(r->dtstart_utc)));
		icalcomponent_add_property(
			ev, icalproperty_new_dtend(utc_time(r->dtend_utc)));
	} else if (strcmp(r->kind, "event") == 0) {
		icalproperty *start = local_time_prop(
			icalproperty_new_dtstart(icaltime_null_time()),
			r->dtstart_utc, cat->tzid);
		icalproperty *end = local_time_prop(
			icalproperty_new_dtend(icaltime_null_time()),
			r->dtend_utc, cat->tzid);
		if (start)
			icalcomponent_add_property(ev, start);
		if (end)
			icalcomponent_add_property(ev, end);
	} else {
		/* All-day: VALUE=DATE with an exclusive end. */
		int days = strcmp(r->kind, "allday") == 0 && r->duration > 0
				   ? r->duration
				   : 1;
		icalcomponent_add_property(
			ev, icalproperty_new_dtstart(date_value(r->date)));
		icalcomponent_add_property(
			ev, icalproperty_new_dtend(date_value(r->date + days)));
		icalcomponent_add_property(
			ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	}
	icalcomponent_add_property(ev, icalproperty_new_summary(summary));
	char *description = description_of(r, a);
	if (description)
		icalcomponent_add_property(
			ev, icalproperty_new_description(description));
	free(description);
	enum icalproperty_status status =
		strcmp(r->status, "cancelled") == 0   ? ICAL_STATUS_CANCELLED
		: strcmp(r->status, "tentative") == 0 ? ICAL_STATUS_TENTATIVE
						      : ICAL_STATUS_CONFIRMED;
	icalcomponent_add_property(ev, icalproperty_new_status(status));
	if (a)
		icalcomponent_add_property(
			ev, icalproperty_new_categories(a->title));
	if (status != ICAL_STATUS_CANCELLED && r->done_on == QA_DAY_NONE)
		add_alarms(ev, a, summary);
	return ev;
}

/* The audience-wide activities this person belongs to, as ",a,b," for
 * instr() in SQL. */
static char *audience_list(const struct feed_catalog *cat,
			   const struct viewer *v)
{
	size_t size = 3;
	for (size_t i = 0; i < cat->n; i++)
		size += strlen(cat->items[i].id) + 1;
	char *list = malloc(size);
	if (!list)
		return NULL;
	strcpy(list, ",");
	for (size_t i = 0; i < cat->n; i++) {
		const struct feed_activity *a = &cat->items[i];
		if (a->audience && (a->everyone || (a->roles & v->roles))) {
			strcat(list, a->id);
			strcat(list, ",");
		}
	}
	return list;
}

static const char *column_text(sqlite3_stmt *stmt, int i)
{
	return (const char *)sqlite3_column_text(stmt, i);
}

static qa_day column_day(sqlite3_stmt *stmt, int i)
{
	qa_day day;
	const char *text = column_text(stmt, i);
	return text && date_parse(text, &day) == 0 ? day : QA_DAY_NONE;
}

#define FEED_COLUMNS                                                        \
	"o.uid, o.activity, o.subject, o.kind, o.status, o.start_date,"     \
	" coalesce(o.start_minute, -1), o.duration,"                        \
	" coalesce(o.dtstart_utc, 0), coalesce(o.dtend_utc, 0), o.done_on," \
	" o.summary, o.detail, o.with_staff_id, o.sequence, o.created_at,"  \
	" o.last_modified, coalesce(o.cancelled_at, 0), s1.name, s2.name"
#define FEED_JOINS                                                    \
	" FROM occurrences o LEFT JOIN staff s1 ON s1.id = o.subject" \
	" LEFT JOIN staff s2 ON s2.id = o.with_staff_id"
#define FEED_WINDOW                                            \
	" AND o.start_date >= ?2 AND (o.status <> 'cancelled'" \
	" OR o.cancelled_at >= ?3)"

int feed_render(sqlite3 *db, const struct feed_catalog *cat,
		enum feed_kind kind, const char *subject, qa_day today,
		time_t now, struct feed_doc *out)
{
	/* Each branch uses an index: the person's own series, the ones they
	 * take part in as manager, and the audience-wide ones of their
	 * roles. */
	static const char staff_sql[] =
		"SELECT " FEED_COLUMNS FEED_JOINS
		" WHERE o.subject = ?1" FEED_WINDOW
		" UNION ALL SELECT " FEED_COLUMNS FEED_JOINS
		" WHERE o.with_staff_id = ?1 AND o.subject <> ?1" FEED_WINDOW
		" UNION ALL SELECT " FEED_COLUMNS FEED_JOINS
		" WHERE o.subject = '' AND instr(?4, ',' || o.activity || "
		"',')" FEED_WINDOW " ORDER BY 6, 7, 1";
	static const char team_sql[] =
		"SELECT " FEED_COLUMNS FEED_JOINS
		" WHERE o.subject IN (SELECT id FROM staff WHERE team = "
		"?1)" FEED_WINDOW " AND ?4 IS NOT NULL ORDER BY 6, 7, 1";
	struct viewer v;
	sqlite3_stmt *stmt = NULL;
	icalcomponent *cal = NULL;
	char *audience = NULL, *raw = NULL;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	int exists = viewer_load(db, kind, subject, today, &v);
	if (exists <= 0) {
		free(v.name);
		return exists;
	}
	audience = kind == FEED_STAFF ? audience_list(cat, &v) : strdup("");
	if (!audience)
		goto out;
	if (sqlite3_prepare_v2(db, kind == FEED_STAFF ? staff_sql : team_sql,
			       -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	char from[DATE_TEXT_SIZE];
	sqlite3_bind_text(stmt, 1, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, date_format(today - FEED_DAYS_BACK, from),
			  -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3,
			   (sqlite3_int64)(now - FEED_CANCELLED_DAYS * 86400));
	sqlite3_bind_text(stmt, 4, audience, -1, SQLITE_STATIC);

	cal = icalcomponent_new_vcalendar();
	char name[300], refresh[32];
	snprintf(name, sizeof(name), "QA schedule: %s%s",
		 kind == FEED_TEAM ? "team " : "", v.name);
	snprintf(refresh, sizeof(refresh), "PT%dM", cat->refresh / 60);
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(
		cal,
		icalproperty_new_prodid(
			"-//qa-scheduler//qa-scheduler " QA_VERSION "//EN"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(
		cal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
	icalproperty *x = icalproperty_new_x(name);
	icalproperty_set_x_name(x, "X-WR-CALNAME");
	icalcomponent_add_property(cal, x);
	x = icalproperty_new_x(name);
	icalproperty_set_x_name(x, "NAME");
	icalcomponent_add_property(cal, x);
	x = icalproperty_new_x(cat->tzid);
	icalproperty_set_x_name(x, "X-WR-TIMEZONE");
	icalcomponent_add_property(cal, x);
	x = icalproperty_new_x(refresh);
	icalproperty_set_x_name(x, "REFRESH-INTERVAL");
	icalproperty_add_parameter(
		x, icalparameter_new_value(ICAL_VALUE_DURATION));
	icalcomponent_add_property(cal, x);
	x = icalproperty_new_x(refresh);
	icalproperty_set_x_name(x, "X-PUBLISHED-TTL");
	icalcomponent_add_property(cal, x);
	if (cat->vtimezone) {
		icalcomponent *tz =
			icalcomponent_new_from_string(cat->vtimezone);
		if (!tz) {
			log_err("feed: the compact VTIMEZONE for %s does not "
				"parse",
				cat->tzid);
			goto out;
		}
		icalcomponent_add_component(cal, tz);
	}

	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct row r = {
			.uid = column_text(stmt, 0),
			.activity = column_text(stmt, 1),
			.subject = column_text(stmt, 2),
			.kind = column_text(stmt, 3),
			.status = column_text(stmt, 4),
			.date = column_day(stmt, 5),
			.start_minute = sqlite3_column_int(stmt, 6),
			.duration = sqlite3_column_int(stmt, 7),
			.dtstart_utc = (time_t)sqlite3_column_int64(stmt, 8),
			.dtend_utc = (time_t)sqlite3_column_int64(stmt, 9),
			.done_on = column_day(stmt, 10),
			.summary = column_text(stmt, 11),
			.detail = column_text(stmt, 12),
			.with_staff_id = column_text(stmt, 13),
			.sequence = sqlite3_column_int(stmt, 14),
			.created_at = (time_t)sqlite3_column_int64(stmt, 15),
			.last_modified = (time_t)sqlite3_column_int64(stmt, 16),
			.cancelled_at = (time_t)sqlite3_column_int64(stmt, 17),
			.subject_name = column_text(stmt, 18),
			.with_name = column_text(stmt, 19),
		};
		icalcomponent_add_component(cal, event_of(&r, &v, cat));
		if (r.last_modified > out->last_modified)
			out->last_modified = r.last_modified;
	}
	if (step != SQLITE_DONE) {
		log_err("feed: %s", sqlite3_errmsg(db));
		goto out;
	}
	raw = icalcomponent_as_ical_string_r(cal);
	if (!raw || ical_refold(raw, strlen(raw), &out->body, &out->len))
		goto out;
	rc = 1;
out:
	if (rc < 0)
		feed_doc_free(out);
	free(raw);
	if (cal)
		icalcomponent_free(cal);
	sqlite3_finalize(stmt);
	free(audience);
	free(v.name);
	icalerror_clear_errno();
	return rc;
}
