/* corporate_parenting_board: the quarterly Corporate Parenting Board, on the
 * dates Members' Services set, given here as an RRULE. */
#include "qa-scheduler/plugin.h"

/* One meeting at `time` on each date `rrule` yields, keyed by the date: the
 * host's fixed-date series. Moving a board to another day is a new meeting,
 * which is what attendees see anyway. */
static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state;
	return host->emit_rrule_series(host, subject, QA_OCC_EVENT, from, to,
				       NULL);
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
