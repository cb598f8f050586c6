/* supervision: individual supervision of everyone who has a line manager,
 * with that manager.
 *
 * The framework (section 5): sessions booked up to six months ahead, at least
 * every four weeks for experienced staff; newly qualified staff weekly for at
 * least six months, then fortnightly for a further six months. Read exactly
 * as SPEC section 3: the interval in force on a date is 7 days in
 * [nqsw_start, +6 months), 14 in [+6 months, +12 months), 28 after, and 28
 * for staff without nqsw_start. The next session is due one interval (the one
 * in force on the day of the last recorded session) after that session; with
 * none recorded, the first is due on the later of nqsw_start and the day the
 * person was added, moved to the next working day when that is not one.
 *
 * The next due session is shown on its due date even when that has passed,
 * even before the window asked for: that is how it shows as overdue. Projected
 * sessions run until `horizon` months after today (the organisation's date,
 * from the host), each one interval (the one in force on the previous date)
 * after the one before; when the next due is overdue they chain from today
 * instead of from the missed date, so the first is one interval (the one in
 * force today) after today.
 *
 * Sessions are keyed "s<N>", N counting the person's sessions (distinct days
 * recorded) from 1: held ones are confirmed, the next due is s<recorded + 1>
 * and the projected ones after it are tentative. Recording a session turns
 * the projected s<k> into the held s<k> (same UID, confirmed, on the day it
 * was held) and the old s<k + 1> becomes the next due under the same key with
 * a new date, so calendars move events instead of deleting and re-adding
 * them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qa-scheduler/plugin.h"
#include "qa-scheduler/util.h"

struct supervision {
	int start_minute;
	int horizon; /* months after today that sessions are projected to */
};

static int init(const struct qa_host *host, void **state)
{
	/* The host checked each value against its type and range (the
	 * schema below) when it loaded the plugin. */
	int seconds, start_minute, horizon;
	if (host->config_int(host, "duration", &seconds) < 0 ||
	    host->config_int(host, "time", &start_minute) < 0 ||
	    host->config_int(host, "horizon", &horizon) < 0)
		return -1;
	/* Framework: sessions are 90-120 minutes long. */
	int minutes = (int)(((long)seconds + 59) / 60);
	if (minutes < 90 || minutes > 120) {
		const char *duration = host->config_get(host, "duration");
		const char *where = host->config_where(host, "duration");
		host->log(host, QA_LOG_ERR,
			  "%s%s[activity.supervision] duration = %s: "
			  "supervision sessions are 90-120 minutes long (the "
			  "framework's supervision standard); give 90m to 2h",
			  where ? where : "", where ? ": " : "",
			  duration ? duration : "");
		return -1;
	}
	struct supervision *conf = malloc(sizeof *conf);
	if (!conf) {
		host->log(host, QA_LOG_ERR, "supervision: out of memory");
		return -1;
	}
	conf->start_minute = start_minute;
	conf->horizon = horizon;
	*state = conf;
	return 0;
}

static void release(void *state)
{
	free(state);
}

/* Days between sessions in force on `day`. Before nqsw_start counts as the
 * weekly phase: someone about to start as a newly qualified social worker
 * needs the closest support, not the least. */
static int interval_on(const struct qa_subject *subject, qa_day day)
{
	if (subject->nqsw_start == QA_DAY_NONE)
		return 28;
	if (day < qa_day_add_months(subject->nqsw_start, 6))
		return 7;
	if (day < qa_day_add_months(subject->nqsw_start, 12))
		return 14;
	return 28;
}

static const char *phase_on(const struct qa_subject *subject, qa_day day)
{
	switch (interval_on(subject, day)) {
	case 7:
		return "Newly qualified: weekly supervision for the first six "
		       "months.";
	case 14:
		return "Newly qualified: fortnightly supervision for the "
		       "second six months.";
	default:
		return "Supervision at least every four weeks.";
	}
}

/* A session with the manager: held when done_on is set, else projected. */
static int emit_session(const struct qa_host *host,
			const struct qa_subject *subject,
			const struct supervision *conf, const char *key,
			qa_day date, const char *detail, qa_day done_on,
			qa_day due_on)
{
	struct qa_occurrence occ = {
		.struct_size = sizeof occ,
		.key = key,
		.kind = QA_OCC_EVENT,
		.status = done_on == QA_DAY_NONE ? QA_STATUS_TENTATIVE
						 : QA_STATUS_CONFIRMED,
		.date = date,
		.start_minute = conf->start_minute,
		.duration = 0, /* the activity's configured duration */
		.detail = detail,
		.with_staff_id = subject->manager_id,
		.done_on = done_on,
		.due_on = due_on,
	};
	return host->emit(host, &occ);
}

/* The first session: on nqsw_start or the day the person is tracked from,
 * whichever is later (nothing before the day we learnt of them can be
 * known, so none is overdue the day they are added), on the next working
 * day when that is not one; QA_DAY_NONE with neither. */
static qa_day first_due(const struct qa_host *host,
			const struct qa_subject *subject)
{
	qa_day due = subject->added_on;
	if (subject->nqsw_start != QA_DAY_NONE &&
	    (due == QA_DAY_NONE || subject->nqsw_start > due))
		due = subject->nqsw_start;
	return due == QA_DAY_NONE ? QA_DAY_NONE
				  : host->shift_to_working_day(host, due, 1);
}

struct history {
	const struct qa_host *host;
	const struct qa_subject *subject;
	const struct supervision *conf;
	qa_day from, to;
	int sessions; /* distinct days with a session recorded */
	qa_day last;  /* the latest of them, QA_DAY_NONE if none */
	int failed;
};

static int left_by(const struct qa_subject *subject, qa_day day)
{
	return subject->left_on != QA_DAY_NONE && day > subject->left_on;
}

/* Completions arrive oldest first: count them all (keys depend on the count,
 * not on the window) and show the ones in the window as held sessions. */
static int on_session(qa_day day, void *arg)
{
	struct history *history = arg;
	if (history->failed)
		return 1;
	if (history->last != QA_DAY_NONE && day <= history->last)
		return 0; /* the same session recorded twice */
	/* The due date this session met, shown as `due` showed it: one
	 * interval after the last, or the first due. */
	qa_day due = history->last != QA_DAY_NONE
			     ? history->last + interval_on(history->subject,
							   history->last)
			     : first_due(history->host, history->subject);
	if (due != QA_DAY_NONE)
		due = history->host->shift_to_working_day(history->host, due,
							  -1);
	history->sessions++;
	history->last = day;
	if (day < history->from || day > history->to ||
	    left_by(history->subject, day))
		return 0;
	/* The k-th session keeps the key it had while projected, so a
	 * calendar sees the tentative s<k> confirmed on the day it was held,
	 * not one event deleted and another added. */
	char key[16];
	snprintf(key, sizeof key, "s%d", history->sessions);
	if (emit_session(history->host, history->subject, history->conf, key,
			 day, NULL, day, due) < 0) {
		history->failed = 1;
		return 1;
	}
	return 0;
}

/* Session s<n>, due on `due`. The chain runs on unshifted dates so that one
 * bank holiday does not pull every later session a day earlier; only the
 * date shown moves back to the previous working day (before the due date,
 * never after it). Returns 0, -1 on failure, or 1 when nothing later can be
 * shown (past the window or after leaving). */
static int project(const struct qa_host *host, const struct qa_subject *subject,
		   const struct supervision *conf, qa_day from, qa_day to,
		   int n, qa_day due, int next_due)
{
	qa_day shown = host->shift_to_working_day(host, due, -1);
	if (shown > to || left_by(subject, shown))
		return 1;
	/* The next due is the overdue marker: shown however long ago it
	 * fell, or a person never supervised would look up to date. */
	if (shown < from && !next_due)
		return 0;
	char key[16];
	snprintf(key, sizeof key, "s%d", n);
	return emit_session(host, subject, conf, key, shown,
			    phase_on(subject, due), QA_DAY_NONE, QA_DAY_NONE);
}

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	const struct supervision *conf = state;
	if (!subject->manager_id || !subject->staff_id)
		return 0; /* supervision is with a line manager */
	if (subject->today == QA_DAY_NONE) {
		host->log(host, QA_LOG_ERR,
			  "supervision: the host gave no today to project "
			  "sessions from");
		return -1;
	}
	struct history history = {
		.host = host,
		.subject = subject,
		.conf = conf,
		.from = from,
		.to = to,
		.last = QA_DAY_NONE,
	};
	/* The whole history, so the count and the last session do not depend
	 * on the window. */
	if (host->for_each_completion(host, "supervision", subject->staff_id,
				      qa_day_from_ymd(1900, 1, 1),
				      qa_day_from_ymd(9999, 12, 31), on_session,
				      &history) < 0 ||
	    history.failed)
		return -1;

	qa_day due;
	if (history.last != QA_DAY_NONE) {
		due = history.last + interval_on(subject, history.last);
	} else {
		due = first_due(host, subject);
		if (due == QA_DAY_NONE)
			return 0; /* nothing to count from */
	}
	qa_day horizon_end = qa_day_add_months(subject->today, conf->horizon);

	/* The next due is shown even when overdue (its date shown before
	 * today) and even with a zero horizon; when it is overdue, what
	 * follows chains from today rather than from the missed date. */
	int n = history.sessions + 1;
	int rc = project(host, subject, conf, from, to, n, due, 1);
	qa_day next = due;
	if (host->shift_to_working_day(host, due, -1) < subject->today)
		next = subject->today;
	while (rc == 0 && (next += interval_on(subject, next)) < horizon_end)
		rc = project(host, subject, conf, from, to, ++n, next, 0);
	return rc < 0 ? -1 : 0;
}

static const struct qa_config_key config[] = {
	{QA_CONFIG_TIME, "time", "10:00",
	 "Time shown for projected sessions until the real booking is "
	 "recorded.",
	 0, 0},
	/* Beyond 24 months it would project sessions nobody can book. */
	{QA_CONFIG_INT, "horizon", "6",
	 "Months after today that sessions are projected to (the framework "
	 "books up to six months ahead); 0-24. The next due session is shown "
	 "whatever this is.",
	 0, 24},
	{0},
};

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "supervision",
	.title = "Individual supervision",
	.description =
		"Supervision has three main elements: line management, "
		"professional development and casework oversight. Sessions "
		"should be booked in advance for up to six months and be "
		"90-120 minutes long. Supervision should take place at a "
		"minimum of every four weeks for experienced staff; newly "
		"qualified staff are supervised weekly for at least six "
		"months, then fortnightly for a further six months. Read here "
		"as: the interval in force on a date is 7 days in the six "
		"months from nqsw_start, 14 days in the six months after, then "
		"28 days (28 days for staff without nqsw_start). The next "
		"session is due one interval, the one in force on the day of "
		"the last recorded session, after that session; with none "
		"recorded the first is due on the later of nqsw_start and the "
		"day the person was added (the next working day when that is "
		"not one), and it is shown on its due date even when that has "
		"passed (overdue). Later sessions are projected "
		"(tentative) up to `horizon` months (default six) after "
		"today, each one interval, the one in force on the date "
		"before, after the one before; when the next due is overdue "
		"they chain from today, the first one interval (the one in "
		"force today) after today. Sessions falling on a weekend or "
		"holiday are shown on the previous working day.",
	.version = "1.0",
	.cadence = "NQSW weekly for 6 months, then fortnightly for 6 months; "
		   "then at least every 4 weeks",
	.responsible = "All Managers in Children's Services",
	.frequency = "Minimum monthly",
	.reporting = "Reports to SMT, SLT and DMT; development leads and "
		     "practice groups (forums) monthly.",
	.roles = "*",
	.scope = QA_SCOPE_PERSON,
	.duration = "90m",
	.reminders = "2d",
	QA_CONFIG_KEYS(config),
	.init = init,
	.generate = generate,
	.shutdown = release,
};

QA_PLUGIN_DEFINE(plugin)
