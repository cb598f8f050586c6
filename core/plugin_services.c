#include "plugin_services.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "db.h"
#include "log.h"

/* Anchor of the fixed-date series: RRULEs are expanded from here, so an
 * INTERVAL or COUNT means the same whatever window is asked for. */
#define SCHED_RRULE_ANCHOR_YEAR 2020

void services_queries_finish(struct gen_queries *q)
{
	sqlite3_finalize(q->completions);
	sqlite3_finalize(q->completions_anyone);
	q->completions = q->completions_anyone = NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The host a plugin calls back is its own (plugin_host.c points it at the
 * plugin); the plugin's host_data is what services_lend lent it. */
static struct gen *gen_of(const struct qa_host *host)
{
	const struct plugin *p = host->host_data;
	return p->host_data;
}

static int parse_minutes(const char *text, bool days, int *out)
{
	long seconds;
	if (!text || strcmp(text, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (config_parse_duration(text, &seconds))
		return -1;
	*out = (int)(days ? (seconds + 86399) / 86400 : (seconds + 59) / 60);
	return 0;
}

int services_emit(struct gen *g, const struct qa_occurrence *o)
{
	const struct qa_plugin *d = g->plugin->desc;
	const char *why = NULL;
	if (!o || o->struct_size < QA_OCCURRENCE_SIZE_1_0)
		why = "occurrence struct_size too small";
	else if (!o->key || !*o->key || strlen(o->key) > 200)
		why = "occurrence without a key (or a key over 200 bytes)";
	else if (o->kind != QA_OCC_EVENT && o->kind != QA_OCC_DUE &&
		 o->kind != QA_OCC_ALLDAY)
		why = "occurrence of an unknown kind";
	else if (o->status != QA_STATUS_CONFIRMED &&
		 o->status != QA_STATUS_TENTATIVE)
		why = "occurrence with an unknown status";
	else if (o->date < g->today - SCHED_MAX_SPAN_DAYS ||
		 o->date > g->today + SCHED_MAX_SPAN_DAYS)
		why = "occurrence dated years away from today";
	else if (o->kind == QA_OCC_EVENT &&
		 (o->start_minute < 0 || o->start_minute > 1439))
		why = "event start_minute outside 0-1439";
	else if (o->duration < 0 || o->duration > 60 * 24 * 31)
		why = "negative or month-long duration";
	for (size_t i = 0; !why && i < g->out->n; i++)
		if (strcmp(g->out->items[i].key, o->key) == 0 &&
		    strcmp(g->out->items[i].subject, g->subject_id) == 0 &&
		    strcmp(g->out->items[i].activity, d->id) == 0)
			why = "two occurrences with the same key";
	if (why) {
		log_err("plugin %s: %s (key \"%s\"); the plugin is at fault",
			d->id, why, o && o->key ? o->key : "");
		g->failed = 1;
		return -1;
	}

	struct sched_occ *s = sched_occ_list_push(g->out);
	if (!s)
		goto oom;
	s->activity = strdup(d->id);
	s->subject = strdup(g->subject_id);
	s->key = strdup(o->key);
	s->summary = strdup(o->summary && *o->summary ? o->summary : d->title);
	s->detail = dup_or_null(o->detail);
	s->with_staff_id = dup_or_null(o->with_staff_id);
	/* ABI 1.1 and 1.3: only from a plugin whose occurrence has the
	 * field. */
	const char *home =
		o->struct_size >= QA_OCCURRENCE_SIZE_1_1 && o->home && *o->home
			? o->home
			: NULL;
	s->due_on = o->struct_size >= offsetof(struct qa_occurrence, due_on) +
						    sizeof(o->due_on) &&
				    o->due_on != 0 && o->done_on != QA_DAY_NONE
			    ? o->due_on
			    : QA_DAY_NONE;
	s->home = dup_or_null(home);
	if (!s->activity || !s->subject || !s->key || !s->summary ||
	    (o->detail && !s->detail) ||
	    (o->with_staff_id && !s->with_staff_id) || (home && !s->home))
		goto oom;
	s->moved_from = QA_DAY_NONE;
	s->kind = o->kind;
	s->status = o->status;
	s->date = o->date;
	s->done_on = o->done_on;
	s->start_minute = o->kind == QA_OCC_EVENT ? o->start_minute : -1;
	s->duration = o->duration;
	if (s->duration == 0 && o->kind != QA_OCC_DUE &&
	    parse_minutes(plugin_config_value(g->plugin, "duration"),
			  o->kind == QA_OCC_ALLDAY, &s->duration))
		s->duration = 0;
	if (o->kind == QA_OCC_DUE)
		s->duration = 0;
	if (o->kind == QA_OCC_ALLDAY && s->duration < 1)
		s->duration = 1;
	if (o->kind == QA_OCC_EVENT) {
		if (date_local_to_utc(g->tzid, s->date, s->start_minute,
				      &s->dtstart_utc))
			goto oom;
		s->dtend_utc = s->dtstart_utc + (time_t)s->duration * 60;
	}
	return 0;
oom:
	log_err("plugin %s: out of memory recording an occurrence", d->id);
	g->failed = 1;
	g->host_failed = 1;
	return -1;
}

static int host_emit(const struct qa_host *host, const struct qa_occurrence *o)
{
	return services_emit(gen_of(host), o);
}

static int host_rrule_expand(const struct qa_host *host, const char *rrule,
			     qa_day dtstart, qa_day from, qa_day to,
			     qa_day_cb cb, void *arg)
{
	struct gen *g = gen_of(host);
	icalerror_clear_errno();
	struct icalrecurrencetype recur = icalrecurrencetype_from_string(rrule);
	if (recur.freq == ICAL_NO_RECURRENCE) {
		icalerror_clear_errno();
		log_err("plugin %s: rrule \"%s\" does not parse",
			g->plugin->desc->id, rrule ? rrule : "");
		return -1;
	}
	int y, m, d;
	qa_day_to_ymd(dtstart, &y, &m, &d);
	struct icaltimetype start = icaltime_null_date();
	start.year = y;
	start.month = m;
	start.day = d;
	icalrecur_iterator *it = icalrecur_iterator_new(recur, start);
	if (!it) {
		icalerror_clear_errno();
		log_err("plugin %s: rrule \"%s\" cannot be expanded",
			g->plugin->desc->id, rrule);
		return -1;
	}
	int rc = 0;
	qa_day last = QA_DAY_NONE;
	/* A rule that yields nothing for ever (BYMONTHDAY=31;BYMONTH=2)
	 * must not spin: give up well past any window. */
	for (int guard = 0; guard < 20000; guard++) {
		struct icaltimetype next = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(next))
			break;
		qa_day day = qa_day_from_ymd(next.year, next.month, next.day);
		if (day > to)
			break;
		/* libical 3.0.16 yields some dates twice
		 * (FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=2TU gives 2027-04-13
		 * twice); its dates only ever go forward, so skip repeats. */
		if (day <= last)
			continue;
		last = day;
		if (day >= from && cb(day, arg) != 0)
			break;
	}
	icalrecur_iterator_free(it);
	icalerror_clear_errno();
	return rc;
}

static int host_is_working_day(const struct qa_host *host, qa_day day)
{
	return holidays_is_working_day(gen_of(host)->holidays, day);
}

static qa_day host_add_working_days(const struct qa_host *host, qa_day day,
				    int n)
{
	return holidays_add_working_days(gen_of(host)->holidays, day, n);
}

static qa_day host_shift(const struct qa_host *host, qa_day day, int dir)
{
	return holidays_shift(gen_of(host)->holidays, day, dir);
}

static int host_last_completion(const struct qa_host *host,
				const char *activity, const char *staff_id,
				qa_day before, qa_day *done_on)
{
	static const char sql[] =
		"SELECT max(done_on) FROM completions WHERE activity = ?1"
		" AND (?2 IS NULL OR staff_id = ?2) AND done_on <= ?3";
	struct gen *g = gen_of(host);
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(g->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_text(stmt, 1, activity);
	db_bind_text(stmt, 2, staff_id);
	db_bind_day(stmt, 3, before);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		goto out;
	*done_on = db_column_day(stmt, 0);
	rc = *done_on == QA_DAY_NONE ? 0 : 1;
out:
	if (rc < 0) {
		log_err("sched: completions: %s", sqlite3_errmsg(g->db));
		g->host_failed = 1;
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int host_for_each_completion(const struct qa_host *host,
				    const char *activity, const char *staff_id,
				    qa_day from, qa_day to, qa_day_cb cb,
				    void *arg)
{
	static const char sql[] =
		"SELECT done_on FROM completions WHERE activity = ?1"
		" AND staff_id = ?2 AND done_on BETWEEN ?3 AND ?4"
		" ORDER BY done_on, id";
	static const char sql_anyone[] =
		"SELECT done_on FROM completions WHERE activity = ?1"
		" AND done_on BETWEEN ?3 AND ?4 ORDER BY done_on, id";
	struct gen *g = gen_of(host);
	sqlite3_stmt **slot = staff_id ? &g->queries->completions
				       : &g->queries->completions_anyone;
	if (!*slot && sqlite3_prepare_v2(g->db, staff_id ? sql : sql_anyone, -1,
					 slot, NULL) != SQLITE_OK) {
		log_err("sched: completions: %s", sqlite3_errmsg(g->db));
		g->host_failed = 1;
		return -1;
	}
	sqlite3_stmt *stmt = *slot;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	db_bind_text(stmt, 1, activity);
	if (staff_id)
		db_bind_text(stmt, 2, staff_id);
	db_bind_day(stmt, 3, from);
	db_bind_day(stmt, 4, to);
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		qa_day day = db_column_day(stmt, 0);
		if (day != QA_DAY_NONE && cb(day, arg) != 0)
			break;
	}
	int rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : -1;
	if (rc) {
		log_err("sched: completions: %s", sqlite3_errmsg(g->db));
		g->host_failed = 1;
	}
	sqlite3_reset(stmt);
	return rc;
}

static int host_for_each_completion_at(const struct qa_host *host,
				       const char *activity,
				       const char *staff_id, const char *home,
				       qa_day from, qa_day to, qa_day_cb cb,
				       void *arg)
{
	static const char sql[] =
		"SELECT done_on, home FROM completions WHERE activity = ?1"
		" AND (?2 IS NULL OR staff_id = ?2) AND done_on BETWEEN ?3"
		" AND ?4 ORDER BY done_on, id";
	struct gen *g = gen_of(host);
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;
	if (!home) {
		log_err("plugin %s: for_each_completion_at() without a home",
			g->plugin->desc->id);
		return -1;
	}
	if (sqlite3_prepare_v2(g->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_text(stmt, 1, activity);
	db_bind_text(stmt, 2, staff_id);
	db_bind_day(stmt, 3, from);
	db_bind_day(stmt, 4, to);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *at = (const char *)sqlite3_column_text(stmt, 1);
		bool match = *home ? at && qa_same_name(at, home) : !at;
		qa_day day = db_column_day(stmt, 0);
		if (match && day != QA_DAY_NONE && cb(day, arg) != 0)
			break;
	}
	rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : -1;
out:
	if (rc) {
		log_err("sched: completions: %s", sqlite3_errmsg(g->db));
		g->host_failed = 1;
	}
	sqlite3_finalize(stmt);
	return rc;
}

/* The days of a subject's completions, in date order. */
struct day_list {
	qa_day *days;
	size_t n, cap;
	bool failed; /* out of memory */
};

static int day_list_cb(qa_day day, void *arg)
{
	struct day_list *list = arg;
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 16;
		qa_day *grown = realloc(list->days, cap * sizeof(*grown));
		if (!grown) {
			list->failed = true;
			return 1;
		}
		list->days = grown;
		list->cap = cap;
	}
	list->days[list->n++] = day;
	return 0;
}

static void period_key(qa_day start, enum qa_period period, char *key,
		       size_t size)
{
	int y, m, d;
	qa_day_to_ymd(start, &y, &m, &d);
	switch (period) {
	case QA_PERIOD_WEEK: {
		/* ISO week-year: the year of the week's Thursday. */
		qa_day thursday = start + 3;
		int ty, tm, td;
		qa_day_to_ymd(thursday, &ty, &tm, &td);
		int week = (thursday - qa_day_from_ymd(ty, 1, 1)) / 7 + 1;
		snprintf(key, size, "%04d-W%02d", ty, week);
		break;
	}
	case QA_PERIOD_MONTH:
		snprintf(key, size, "%04d-%02d", y, m);
		break;
	case QA_PERIOD_QUARTER:
		snprintf(key, size, "%04d-Q%d", y, (m - 1) / 3 + 1);
		break;
	case QA_PERIOD_YEAR:
		snprintf(key, size, "%04d", y);
		break;
	}
}

static int host_emit_due_per_period(const struct qa_host *host,
				    const struct qa_subject *subject,
				    enum qa_period period, qa_day from,
				    qa_day to, const char *summary)
{
	struct gen *g = gen_of(host);
	if (period < QA_PERIOD_WEEK || period > QA_PERIOD_YEAR) {
		log_err("plugin %s: emit_due_per_period: unknown period %d",
			g->plugin->desc->id, (int)period);
		return -1;
	}
	qa_day first = qa_period_start(from, period);
	if (subject->staff_id && subject->added_on != QA_DAY_NONE &&
	    qa_period_start(subject->added_on, period) > first)
		first = qa_period_start(subject->added_on, period);
	/* The completions of every period at once: one query a subject, not
	 * one a period (65,000 at 5,000 staff). */
	struct day_list completed = {0};
	int rc = -1;
	if (host_for_each_completion(
		    host, g->plugin->desc->id, subject->staff_id, first,
		    qa_period_end(to, period), day_list_cb, &completed))
		goto out;
	if (completed.failed) {
		log_err("plugin %s: out of memory reading completions",
			g->plugin->desc->id);
		g->host_failed = 1;
		goto out;
	}
	size_t next = 0; /* the first completion not before start */
	for (qa_day start = first; start <= to;
	     start = qa_period_end(start, period) + 1) {
		qa_day end = qa_period_end(start, period);
		qa_day due = holidays_shift(g->holidays, end, -1);
		while (next < completed.n && completed.days[next] < start)
			next++;
		if (due < from || due > to)
			continue;
		/* Someone who has left owes nothing falling due after. */
		if (subject->left_on != QA_DAY_NONE && due > subject->left_on)
			break;
		/* The first done in the period counts for it. */
		qa_day done = next < completed.n && completed.days[next] <= end
				      ? completed.days[next]
				      : QA_DAY_NONE;
		char key[32];
		period_key(start, period, key, sizeof(key));
		struct qa_occurrence occ = {
			.struct_size = sizeof(occ),
			.key = key,
			.kind = QA_OCC_DUE,
			.status = QA_STATUS_CONFIRMED,
			.date = due,
			.summary = summary,
			.done_on = done,
		};
		if (host_emit(host, &occ))
			goto out;
	}
	rc = 0;
out:
	free(completed.days);
	return rc;
}

struct rrule_series {
	const struct qa_host *host;
	enum qa_occurrence_kind kind;
	int start_minute;
	int moving; /* on_non_working_day: -1 previous, 1 next, 0 keep */
	qa_day left_on;
	const char *summary;
	int failed;
};

static int rrule_series_cb(qa_day day, void *arg)
{
	struct rrule_series *series = arg;
	struct gen *g = gen_of(series->host);
	if (series->left_on != QA_DAY_NONE && day > series->left_on)
		return 1;
	/* A timed meeting the rule puts on a weekend or holiday is held on
	 * a working day; it keeps its key (the rule's date), so calendars
	 * see it move rather than vanish and reappear. */
	qa_day date = day;
	char key[16], detail[80] = "";
	if (series->kind == QA_OCC_EVENT && series->moving &&
	    !holidays_is_working_day(g->holidays, day)) {
		date = holidays_shift(g->holidays, day, series->moving);
		snprintf(detail, sizeof(detail),
			 "Moved from %s: not a working day.",
			 qa_day_text(day, key));
	}
	struct qa_occurrence occ = {
		.struct_size = sizeof(occ),
		.key = qa_day_text(day, key),
		.kind = series->kind,
		.status = QA_STATUS_CONFIRMED,
		.date = date,
		.start_minute = series->start_minute,
		.summary = series->summary,
		.detail = *detail ? detail : NULL,
		.done_on = QA_DAY_NONE,
	};
	if (host_emit(series->host, &occ)) {
		series->failed = 1;
		return 1;
	}
	if (date != day)
		g->out->items[g->out->n - 1].moved_from = day;
	return 0;
}

static int host_emit_rrule_series(const struct qa_host *host,
				  const struct qa_subject *subject,
				  enum qa_occurrence_kind kind, qa_day from,
				  qa_day to, const char *summary)
{
	struct gen *g = gen_of(host);
	const char *id = g->plugin->desc->id;
	const char *rrule = plugin_config_value(g->plugin, "rrule");
	const char *moving =
		plugin_config_value(g->plugin, "on_non_working_day");
	struct rrule_series series = {
		.host = host,
		.kind = kind,
		.moving = !moving || strcmp(moving, "previous") == 0 ? -1
			  : strcmp(moving, "next") == 0              ? 1
								     : 0,
		.left_on = subject->left_on,
		.summary = summary,
	};
	if (kind != QA_OCC_EVENT && kind != QA_OCC_ALLDAY) {
		log_err("plugin %s: emit_rrule_series: kind must be EVENT or "
			"ALLDAY",
			id);
		return -1;
	}
	if (!rrule) {
		log_err("plugin %s: emit_rrule_series: no `rrule` key", id);
		return -1;
	}
	if (kind == QA_OCC_EVENT &&
	    qa_time_parse(plugin_config_value(g->plugin, "time"),
			  &series.start_minute)) {
		log_err("plugin %s: emit_rrule_series: `time` is not HH:MM",
			id);
		return -1;
	}
	if (host_rrule_expand(host, rrule,
			      qa_day_from_ymd(SCHED_RRULE_ANCHOR_YEAR, 1, 1),
			      from, to, rrule_series_cb, &series) ||
	    series.failed)
		return -1;
	return 0;
}

void services_lend(struct plugin *p, struct gen *g)
{
	p->host_data = g;
	p->host.emit = host_emit;
	p->host.rrule_expand = host_rrule_expand;
	p->host.is_working_day = host_is_working_day;
	p->host.add_working_days = host_add_working_days;
	p->host.shift_to_working_day = host_shift;
	p->host.last_completion = host_last_completion;
	p->host.for_each_completion = host_for_each_completion;
	p->host.emit_due_per_period = host_emit_due_per_period;
	p->host.emit_rrule_series = host_emit_rrule_series;
	p->host.for_each_completion_at = host_for_each_completion_at;
}
