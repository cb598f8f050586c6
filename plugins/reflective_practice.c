/* reflective_practice: the monthly group reflective practice session with
 * development leads, one series for every social worker. */
#include <stdio.h>

#include "qa-scheduler/plugin.h"

struct meeting {
	const struct qa_host *host;
	int start_minute;
	int failed;
};

/* The key is the date, so a regenerated meeting keeps its UID; moving it to
 * another day is a new meeting, which is what attendees see anyway. */
static int emit_meeting(qa_day day, void *arg)
{
	struct meeting *meeting = arg;
	int year, month, mday;
	char key[48];
	qa_day_to_ymd(day, &year, &month, &mday);
	snprintf(key, sizeof key, "%04d-%02d-%02d", year, month, mday);
	struct qa_occurrence occ = {
		.struct_size = sizeof occ,
		.key = key,
		.kind = QA_OCC_EVENT,
		.status = QA_STATUS_CONFIRMED,
		.date = day,
		.start_minute = meeting->start_minute,
		.duration = 0, /* the activity's configured duration */
		.done_on = QA_DAY_NONE,
	};
	if (meeting->host->emit(meeting->host, &occ) < 0) {
		meeting->failed = 1;
		return 1;
	}
	return 0;
}

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state;
	const char *rrule = host->config_get(host, "rrule");
	const char *start_time = host->config_get(host, "time");
	int hour, minute;
	char extra;
	if (!start_time ||
	    sscanf(start_time, "%2d:%2d%c", &hour, &minute, &extra) != 2 ||
	    hour < 0 || hour > 23 || minute < 0 || minute > 59) {
		host->log(host, QA_LOG_ERR,
			  "reflective_practice: time \"%s\" is not "
			  "HH:MM; fix [activity.reflective_practice]",
			  start_time ? start_time : "");
		return -1;
	}
	if (subject->left_on != QA_DAY_NONE && subject->left_on < to)
		to = subject->left_on;
	if (!rrule || to < from)
		return 0;
	struct meeting meeting = {host, hour * 60 + minute, 0};
	/* A fixed anchor keeps INTERVAL and COUNT rules stable whatever the
	 * window asked for. */
	if (host->rrule_expand(host, rrule, qa_day_from_ymd(2020, 1, 1), from,
			       to, emit_meeting, &meeting) < 0 ||
	    meeting.failed)
		return -1;
	return 0;
}

static const struct qa_config_entry config[] = {
	{QA_CONFIG_RRULE, "rrule", "FREQ=MONTHLY;BYDAY=3WE",
	 "Dates of the monthly group sessions, expanded from 2020-01-01."},
	{QA_CONFIG_TIME, "time", "14:00", "Start time of a session."},
	{0},
};

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "reflective_practice",
	.title = "Group reflective practice",
	.description =
		"Group and individual reflective practice discussions take "
		"place with development leads through observation and "
		"feedback once a month (3 sessions).",
	.version = "1.0",
	.cadence = "monthly (default: 3rd Wednesday at 14:00)",
	.responsible = "Development leads, with all managers in Children's "
		       "Services",
	.frequency = "Once a month",
	.reporting = "Development leads and practice groups (forums) "
		     "monthly.",
	.roles = "social_worker",
	.scope = QA_SCOPE_AUDIENCE,
	.duration = "90m",
	.reminders = "7d, 1d",
	.config = config,
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
