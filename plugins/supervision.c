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
 * none recorded, the first is due on nqsw_start, else on the day the person
 * was added.
 *
 * Held sessions are confirmed events keyed by their date. Projected ones are
 * tentative and keyed "s<N>", N counting the person's sessions (distinct days
 * recorded) from 1: the next due is s<recorded + 1>. Recording a session
 * turns it into a held one and the old s<recorded + 2> becomes the next due
 * under the same key with a new date, so calendars move the event instead of
 * deleting and re-adding it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "qa-scheduler/plugin.h"

/* `horizon` beyond this would project sessions nobody can book. */
#define HORIZON_MAX 24

struct supervision {
	int start_minute;
	int horizon; /* months of projected sessions after the next due */
};

static int init(const struct qa_host *host, void **state)
{
	const char *start = host->config_get(host, "time");
	const char *horizon_text = host->config_get(host, "horizon");
	int hour, minute;
	char extra;
	if (!start || sscanf(start, "%2d:%2d%c", &hour, &minute, &extra) != 2 ||
	    hour < 0 || hour > 23 || minute < 0 || minute > 59) {
		host->log(host, QA_LOG_ERR,
			  "supervision: time \"%s\" is not HH:MM; fix "
			  "[activity.supervision] time",
			  start ? start : "");
		return -1;
	}
	char *end = NULL;
	errno = 0;
	long horizon = horizon_text ? strtol(horizon_text, &end, 10) : -1;
	if (!horizon_text || errno || end == horizon_text || *end ||
	    horizon < 0 || horizon > HORIZON_MAX) {
		host->log(host, QA_LOG_ERR,
			  "supervision: horizon \"%s\" is not a number of "
			  "months 0-%d; fix [activity.supervision] horizon",
			  horizon_text ? horizon_text : "", HORIZON_MAX);
		return -1;
	}
	struct supervision *conf = malloc(sizeof *conf);
	if (!conf) {
		host->log(host, QA_LOG_ERR, "supervision: out of memory");
		return -1;
	}
	conf->start_minute = hour * 60 + minute;
	conf->horizon = (int)horizon;
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
	history->sessions++;
	history->last = day;
	if (day < history->from || day > history->to ||
	    left_by(history->subject, day))
		return 0;
	int year, month, mday;
	char key[48];
	qa_day_to_ymd(day, &year, &month, &mday);
	snprintf(key, sizeof key, "held-%04d-%02d-%02d", year, month, mday);
	struct qa_occurrence occ = {
		.struct_size = sizeof occ,
		.key = key,
		.kind = QA_OCC_EVENT,
		.status = QA_STATUS_CONFIRMED,
		.date = day,
		.start_minute = history->conf->start_minute,
		.duration = 0, /* the activity's configured duration */
		.with_staff_id = history->subject->manager_id,
		.done_on = day,
	};
	if (history->host->emit(history->host, &occ) < 0) {
		history->failed = 1;
		return 1;
	}
	return 0;
}

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	const struct supervision *conf = state;
	if (!subject->manager_id || !subject->staff_id)
		return 0; /* supervision is with a line manager */
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
	if (history.last != QA_DAY_NONE)
		due = history.last + interval_on(subject, history.last);
	else if (subject->nqsw_start != QA_DAY_NONE)
		due = subject->nqsw_start;
	else
		due = subject->added_on;
	if (due == QA_DAY_NONE)
		return 0; /* nothing to count from: a host without added_on */
	qa_day horizon_end = qa_day_add_months(due, conf->horizon);

	/* The chain runs on unshifted dates so that one bank holiday does not
	 * pull every later session a day earlier; only the date shown moves
	 * back to the previous working day (before the due date, never after
	 * it). The next due is shown even with a zero horizon. */
	for (int k = 1; k == 1 || due < horizon_end; k++) {
		qa_day shown = host->shift_to_working_day(host, due, -1);
		if (shown > to || left_by(subject, shown))
			break;
		if (shown >= from) {
			char key[32];
			snprintf(key, sizeof key, "s%d", history.sessions + k);
			struct qa_occurrence occ = {
				.struct_size = sizeof occ,
				.key = key,
				.kind = QA_OCC_EVENT,
				.status = QA_STATUS_TENTATIVE,
				.date = shown,
				.start_minute = conf->start_minute,
				.duration = 0, /* the configured duration */
				.detail = phase_on(subject, due),
				.with_staff_id = subject->manager_id,
				.done_on = QA_DAY_NONE,
			};
			if (host->emit(host, &occ) < 0)
				return -1;
		}
		due += interval_on(subject, due);
	}
	return 0;
}

static const struct qa_config_entry config[] = {
	{QA_CONFIG_TIME, "time", "10:00",
	 "Time shown for projected sessions until the real booking is "
	 "recorded."},
	{QA_CONFIG_INT, "horizon", "6",
	 "Months of projected sessions after the next due one (the framework "
	 "books up to six months ahead); 0-24."},
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
		"recorded the first is due on nqsw_start, or on the day the "
		"person was added. Later sessions are projected (tentative) "
		"at the interval in force on each date and shown on the "
		"previous working day when they fall on a weekend or holiday.",
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
	.config = config,
	.init = init,
	.generate = generate,
	.shutdown = release,
};

QA_PLUGIN_DEFINE(plugin)
