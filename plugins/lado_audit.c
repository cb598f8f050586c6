/* lado_audit: the LADO themes and trends report each quarter. The annual
 * LADO audit is folded into the report due at the end of the quarter holding
 * `audit_month`, so the people responsible see one deadline, worded for
 * both, instead of two on nearly the same day.
 *
 * One series for the safeguarding lead and the QA team together: the
 * framework's "Safeguarding and Partnership Lead / QA" is read as one
 * officer, the safeguarding lead (the first role, so the owner by default),
 * supported by the QA team, who see it in their feeds too; a report recorded
 * by any of them completes it. */
#include <stdlib.h>

#include "qa-scheduler/plugin.h"
#include "qa-scheduler/util.h"

struct lado {
	int audit_month; /* 1-12 */
};

static int init(const struct qa_host *host, void **state)
{
	int month; /* 1-12, as the schema's range has it */
	if (host->config_int(host, "audit_month", &month) < 0)
		return -1;
	struct lado *lado = malloc(sizeof *lado);
	if (!lado) {
		host->log(host, QA_LOG_ERR, "lado_audit: out of memory");
		return -1;
	}
	lado->audit_month = month;
	*state = lado;
	return 0;
}

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	const struct lado *lado = state;
	/* One quarter at a time, so the audit quarter gets its own summary. */
	for (qa_day quarter = qa_period_start(from, QA_PERIOD_QUARTER);
	     quarter <= to; quarter = qa_day_add_months(quarter, 3)) {
		qa_day first = quarter < from ? from : quarter;
		qa_day last = qa_period_end(quarter, QA_PERIOD_QUARTER);
		if (last > to)
			last = to;
		int year, mon, day;
		qa_day_to_ymd(quarter, &year, &mon, &day);
		int audit_quarter =
			lado->audit_month >= mon && lado->audit_month < mon + 3;
		const char *summary =
			audit_quarter ? "LADO annual audit and themes and "
					"trends report"
				      : NULL;
		if (host->emit_due_per_period(host, subject, QA_PERIOD_QUARTER,
					      first, last, summary) < 0)
			return -1;
	}
	return 0;
}

static void release(void *state)
{
	free(state);
}

static const struct qa_config_key config[] = {
	{QA_CONFIG_INT, "audit_month", "3",
	 "Month (1-12) of the annual LADO audit. It is folded into the "
	 "themes and trends report due at the end of the quarter holding "
	 "this month.",
	 1, 12},
	{0},
};

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "lado_audit",
	.title = "LADO themes and trends report",
	.description =
		"To audit whether the referral process is widely understood; "
		"whether referral forms are completed fully by referrers; "
		"whether strategy discussions have been held and threshold "
		"decisions are appropriate; whether HR procedures have been "
		"followed, with timescales, s47 where appropriate, the safety "
		"of the child and DBS referral; and to identify any trends in "
		"relation to children involved and the quality of the LADO "
		"response. A themes and trends report is due each quarter; "
		"the annual audit is folded into the report due at the end of "
		"the quarter holding audit_month (default March).",
	.version = "1.0",
	.cadence = "quarterly, due by the last working day of the quarter; "
		   "the annual audit with the report of the quarter holding "
		   "audit_month",
	.responsible = "Safeguarding and Partnership Lead / QA",
	.frequency = "Annual audit; quarterly themes and trends report",
	.reporting = "Quarterly themes and trends report to the Performance "
		     "Board. Annual report to the Safeguarding Children "
		     "Partnership Board.",
	.roles = "safeguarding_lead, qa_team",
	.scope = QA_SCOPE_AUDIENCE,
	.duration = "0",
	.reminders = "14d, 7d",
	QA_CONFIG_KEYS(config),
	.init = init,
	.generate = generate,
	.shutdown = release,
};

QA_PLUGIN_DEFINE(plugin)
