/* multi_agency_audit: the Case Review and Audit Group's quarterly
 * multi-agency audit, due by the last working day of each quarter from the
 * partnership manager who coordinates it. */
#include "qa-scheduler/plugin.h"

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state;
	return host->emit_due_per_period(host, subject, QA_PERIOD_QUARTER, from,
					 to, NULL);
}

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "multi_agency_audit",
	.title = "Multi-agency audit (Case Review and Audit Group)",
	.description =
		"The Case Review and Audit Group undertakes multi-agency "
		"audits to monitor and evaluate the effectiveness of "
		"multi-agency safeguarding practice. This includes audit of "
		"CP Plans, core group meetings and learning review findings. "
		"The Board manager identifies and coordinates this activity.",
	.version = "1.0",
	.cadence = "quarterly, due by the last working day of the quarter",
	.responsible = "Safeguarding Children Partnership Manager",
	.frequency = "Quarterly",
	.reporting = "Reports to the Performance Board and to the "
		     "Safeguarding Children Partnership Board; Policy and "
		     "Practice Steering Group (learning from audits and "
		     "themes: learning loop agenda item); development leads "
		     "and practice groups (forums) monthly.",
	.roles = "partnership_manager",
	.scope = QA_SCOPE_PERSON,
	.duration = "0",
	.reminders = "14d, 7d",
	.config = NULL,
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
