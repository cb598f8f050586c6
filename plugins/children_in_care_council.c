/* children_in_care_council: the Children in Care Council's report, heard at
 * each Corporate Parenting Board. It is a separate activity because its
 * audience differs from the board's (service leads attend for it); its dates
 * are the board's, which is why its rrule default is the board's. */
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
			  "children_in_care_council: time \"%s\" is not "
			  "HH:MM; fix [activity.children_in_care_council]",
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
	{QA_CONFIG_RRULE, "rrule", "FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=2TU",
	 "Dates of the Corporate Parenting Boards the report is heard at, "
	 "expanded from 2020-01-01. Keep it the same as "
	 "[activity.corporate_parenting_board] rrule: change both together."},
	{QA_CONFIG_TIME, "time", "14:00",
	 "Start time of the board; keep it the same as the board's."},
	{0},
};

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "children_in_care_council",
	.title = "Children in Care Council report at the Corporate Parenting "
		 "Board",
	.description =
		"The Children in Care Council has a key role in auditing the "
		"progress the council makes against the promises for children "
		"and young people in care in the pledge and the Corporate "
		"Parenting action plan, and holds senior officers and elected "
		"members to account for delivery against these. It reports at "
		"each Corporate Parenting Board, so this falls on the same day "
		"as the board: rrule and time default to the board's and both "
		"activities must be changed together.",
	.version = "1.0",
	.cadence = "quarterly, the same day as the Corporate Parenting Board "
		   "(default: 2nd Tuesday of January, April, July and October "
		   "at 14:00)",
	.responsible = "DCS, Assistant Director and Service Leads",
	.frequency = "Quarterly throughout the year at Corporate Parenting "
		     "Boards",
	.reporting = "Reports formally to the Corporate Parenting Board.",
	.roles = "dcs, assistant_director, service_lead",
	.scope = QA_SCOPE_AUDIENCE,
	.duration = "2h",
	.reminders = "14d, 1d",
	.config = config,
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
