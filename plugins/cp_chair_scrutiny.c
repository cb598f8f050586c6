/* cp_chair_scrutiny: the monthly highlight report on the audit and scrutiny
 * function of child protection conference chairs, due by the last working
 * day of the month. */
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
	.id = "cp_chair_scrutiny",
	.title = "CP chairs' highlight report",
	.description =
		"The quality assurance function of the CP chairs includes "
		"auditing and monitoring: social work report in timescale; "
		"report shared with the parents in a timely manner; children "
		"under 5 years; young people's participation; SMARTer CP "
		"Plans; CP numbers; children subject to a plan for a 2nd or "
		"subsequent time; children removed from a CP Plan at the "
		"first review; children remaining subject to a plan following "
		"a 3rd conference. The DCS, Assistant Director and Quality "
		"Assurance hold the CP chairs to account for smarter and "
		"timely planning for children subject to a CP Plan and for "
		"evidencing how they challenge areas requiring improvement.",
	.version = "1.0",
	.cadence = "monthly, due by the last working day of the month",
	.responsible = "Principal Manager Safeguarding, Quality and Practice "
		       "and IRO Team Manager; Group Manager/Service Leads hold "
		       "social work teams accountable",
	.frequency = "Highlight report (monthly)",
	.reporting = "Reports to SMT and SLT.",
	.roles = "cp_chair_manager",
	.scope = QA_SCOPE_PERSON,
	.duration = "0",
	.reminders = "7d, 1d",
	.config = NULL,
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
