/* performance_meeting: the monthly service performance meeting on KPIs,
 * chaired by the service lead with group and practice managers. */
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
			  "performance_meeting: time \"%s\" is not "
			  "HH:MM; fix [activity.performance_meeting]",
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
	{QA_CONFIG_RRULE, "rrule", "FREQ=MONTHLY;BYDAY=2TH",
	 "Dates of the monthly performance meeting, expanded from "
	 "2020-01-01."},
	{QA_CONFIG_TIME, "time", "10:00", "Start time of the meeting."},
	{0},
};

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "performance_meeting",
	.title = "Service performance meeting",
	.description =
		"Service Leads chair a monthly performance meeting with Group "
		"and Practice Managers on service-specific KPIs, linked to the "
		"Mosaic management information pack. The meetings support "
		"front-line managers in owning and using management "
		"information and quality assurance information to deliver "
		"consistently good performance. The content of the meeting "
		"informs the service highlight reports.",
	.version = "1.0",
	.cadence = "monthly (default: 2nd Thursday at 10:00)",
	.responsible = "Service Leads, Group Managers, Practice Managers",
	.frequency = "Monthly",
	.reporting = "Information informs the highlight report. Highlight "
		     "reports to SMT; reports formally to the Performance "
		     "Board.",
	.roles = "service_lead, group_manager, practice_manager",
	.scope = QA_SCOPE_AUDIENCE,
	.duration = "90m",
	.reminders = "7d, 1d",
	.config = config,
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
