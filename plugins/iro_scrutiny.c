/* iro_scrutiny: the IRO service's monthly quality monitoring highlight
 * report. The framework also asks for a quarterly audit of the dispute
 * resolution process; rather than a second deadline for the same manager in
 * the same week, it is folded into the report due at the end of each
 * quarter, and that month's summary says so. */
#include "qa-scheduler/plugin.h"
#include "qa-scheduler/util.h"

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state;
	/* One month at a time, so each month can carry its own summary. */
	for (qa_day month = qa_period_start(from, QA_PERIOD_MONTH); month <= to;
	     month = qa_day_add_months(month, 1)) {
		qa_day first = month < from ? from : month;
		qa_day last = qa_period_end(month, QA_PERIOD_MONTH);
		if (last > to)
			last = to;
		int year, mon, day;
		qa_day_to_ymd(month, &year, &mon, &day);
		const char *summary =
			mon % 3 == 0
				? "IRO quality monitoring highlight report "
				  "and dispute resolution audit"
				: NULL;
		if (host->emit_due_per_period(host, subject, QA_PERIOD_MONTH,
					      first, last, summary) < 0)
			return -1;
	}
	return 0;
}

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "iro_scrutiny",
	.title = "IRO quality monitoring highlight report",
	.description =
		"The quality assurance function of the IRO service includes "
		"auditing and monitoring through the quality monitoring form, "
		"Midway Reviews and IRO oversight. IROs should consider: "
		"Looked After numbers; placement stability; Initial Health "
		"Assessments; Personal Education Plans; permanence planning by "
		"the 4-month review; consultation documents; analysis of "
		"performance indicators such as timeliness of reviews and how "
		"children in care participate in their review. The dispute "
		"resolution process is audited quarterly: that audit is folded "
		"into the highlight report due at the end of March, June, "
		"September and December.",
	.version = "1.0",
	.cadence = "monthly, due by the last working day of the month; the "
		   "quarter-end report includes the dispute resolution audit",
	.responsible = "Principal Manager Safeguarding, Quality and Practice "
		       "and IRO Team Manager",
	.frequency = "Monthly in highlight reports; dispute resolution audit "
		     "quarterly",
	.reporting = "Quarterly learning from the escalations to the "
		     "Performance Board.",
	.roles = "iro_manager",
	.scope = QA_SCOPE_PERSON,
	.duration = "0",
	.reminders = "7d, 1d",
	.config = NULL,
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
