/* children_in_care_council: the Children in Care Council's report, heard at
 * each Corporate Parenting Board. It is a separate activity because its
 * audience differs from the board's (service leads attend for it); its dates
 * are the board's, which is why its rrule default is the board's. */
#include "qa-scheduler/plugin.h"

/* One meeting at `time` on each date `rrule` yields, keyed by the date: the
 * host's fixed-date series, as the board's. */
static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state;
	return host->emit_rrule_series(host, subject, QA_OCC_EVENT, from, to,
				       NULL);
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
