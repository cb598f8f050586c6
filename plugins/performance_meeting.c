/* performance_meeting: the monthly service performance meeting on KPIs,
 * chaired by the service lead with group and practice managers. */
#include "qa-scheduler/plugin.h"

/* One meeting at `time` on each date `rrule` yields, keyed by the date: the
 * host's fixed-date series. */
static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state;
	return host->emit_rrule_series(host, subject, QA_OCC_EVENT, from, to,
				       NULL);
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
