/* qa_quarterly_report: Stage 3 of the collaborative audit process, one
 * report for the whole QA team each quarter, due by the last working day of
 * the quarter. */
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
	.id = "qa_quarterly_report",
	.title = "QA quarterly report",
	.description =
		"Stage 3 of the collaborative audit process: the Quality "
		"Assurance Team, together with SDLs connected to Policy and "
		"Practice, compiles an analysis of the themes from Stages 1 "
		"and 2, identifying strengths and barriers to effective "
		"interventions and evaluating how practice drives impact and "
		"outcomes for children and young people. The themes are "
		"reported to the Policy and Practice Steering Group and "
		"included in the QA quarterly report. Each quarter the Quality "
		"Assurance Service selects several audited and moderated cases "
		"to present to the Senior Leadership Team for overview and "
		"comments.",
	.version = "1.0",
	.cadence = "quarterly, due by the last working day of the quarter",
	.responsible = "Quality Assurance Team together with SDLs (Policy and "
		       "Practice)",
	.frequency = "Quarterly",
	.reporting = "Reports to the Policy and Practice Steering Group; "
		     "moderated cases to the Senior Leadership Team; the "
		     "report is shared with the senior management team to "
		     "inform the Practice Improvement Plan and presented to "
		     "the Performance Board.",
	.roles = "qa_team",
	.scope = QA_SCOPE_AUDIENCE,
	.duration = "0",
	.reminders = "14d, 7d",
	.config = NULL,
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
