/* corporate_parenting_board: the quarterly Corporate Parenting Board, on the
 * dates Members' Services set, given here as an RRULE. */
#include <stdio.h>

#include "qa-scheduler/plugin.h"

struct meeting {
	const struct qa_host *host;
	int start_minute;
	int failed;
};

/* The key is the date, so a regenerated board keeps its UID; moving a board
 * to another day is a new meeting, which is what attendees see anyway. */
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
			  "corporate_parenting_board: time \"%s\" is not "
			  "HH:MM; fix [activity.corporate_parenting_board]",
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
	 "Board dates as set by Members' Services, expanded from 2020-01-01. "
	 "[activity.children_in_care_council] has the same default because "
	 "its report is heard at the board: change both together."},
	{QA_CONFIG_TIME, "time", "14:00", "Start time of the board."},
	{0},
};

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "corporate_parenting_board",
	.title = "Corporate Parenting Board",
	.description =
		"The Board scrutinises how the council as a corporate parent "
		"is improving outcomes for children in care and care leavers, "
		"through the monitoring of the Children Looked After and "
		"Leaving Care Strategy and delivering against the pledge "
		"developed by the Children in Care Council.",
	.version = "1.0",
	.cadence = "quarterly (default: 2nd Tuesday of January, April, July "
		   "and October at 14:00)",
	.responsible = "DCS, Assistant Director and Lead Member",
	.frequency = "Quarterly, in line with the frequency determined by "
		     "Members' Services",
	.reporting = "Reports will progress to the Performance Board prior to "
		     "the Corporate Parenting Board.",
	.roles = "dcs, assistant_director, lead_member",
	.scope = QA_SCOPE_AUDIENCE,
	.duration = "2h",
	.reminders = "14d, 1d",
	.config = config,
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
