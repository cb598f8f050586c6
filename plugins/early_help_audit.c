/* early_help_audit: one audit a month per Early Help service lead, due by
 * the last working day of the month. */
#include "qa-scheduler/plugin.h"

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state;
	return host->emit_due_per_period(host, subject, QA_PERIOD_MONTH, from,
					 to, NULL);
}

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "early_help_audit",
	.title = "Service Leads for Early Help audit",
	.description = "Service Leads for Early Help will each undertake one "
		       "audit per month.",
	.version = "1.0",
	.cadence = "monthly, one per Early Help service lead, due by the last "
		   "working day of the month",
	.responsible = "Service Leads",
	.frequency = "Monthly",
	.reporting = "Reports to the Policy and Practice Steering Group "
		     "(learning from audits and themes: learning loop agenda "
		     "item). Reports into the Performance Board.",
	.roles = "early_help_service_lead",
	.scope = QA_SCOPE_PERSON,
	.duration = "0",
	.reminders = "7d, 1d",
	.config = NULL,
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
