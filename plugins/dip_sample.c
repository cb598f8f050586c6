/* dip_sample: every front-line manager dip-samples open case files each
 * week, due by the last working day of the ISO week. */
#include "qa-scheduler/plugin.h"

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state;
	return host->emit_due_per_period(host, subject, QA_PERIOD_WEEK, from,
					 to, NULL);
}

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "dip_sample",
	.title = "Dip sample of open case files",
	.description = "Dip sample of open children's case files on Mosaic, "
		       "to ensure actions related to cases have been completed "
		       "and to identify any drift or delay. Any actions should "
		       "be recorded on the child's record.",
	.version = "1.0",
	.cadence = "weekly, due by the last working day of the week",
	.responsible = "All front-line managers in Early Help and Children's "
		       "Services",
	.frequency = "Weekly",
	.reporting = "Information to be captured in Service Leads' highlight "
		     "reports.",
	.roles = "practice_manager, group_manager",
	.scope = QA_SCOPE_PERSON,
	.duration = "0",
	.reminders = "1d",
	.config = NULL,
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
