/* practice_week: twice a year senior leaders observe front-line practice
 * for a week. One all-day item per week, Monday to Friday by default (the
 * configured duration, 5d). */
#include "qa-scheduler/plugin.h"

/* One all-day item per week from each date `rrule` yields, keyed by that
 * date and lasting the configured duration (5d): the host's fixed-date
 * series. */
static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state;
	return host->emit_rrule_series(host, subject, QA_OCC_ALLDAY, from, to,
				       NULL);
}

static const struct qa_config_entry config[] = {
	{QA_CONFIG_RRULE, "rrule", "FREQ=YEARLY;BYMONTH=3,9;BYDAY=2MO",
	 "First day of each Practice Week (default: week commencing the 2nd "
	 "Monday of March and of September), expanded from 2020-01-01; the "
	 "week lasts `duration` days from that day."},
	{0},
};

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "practice_week",
	.title = "Practice Week",
	.description =
		"The DCS, Deputy/Assistant Director, Service Leads and Senior "
		"Managers across Early Help and Children's Social Care each "
		"directly observe and assess front-line practice. This is "
		"wide-ranging and includes the statutory services, such as "
		"Child Protection Conferences and visits to families, Looked "
		"After Reviews and visits to Looked After Children, Core "
		"Groups, Placements and Commissioning, Children's Homes, Care "
		"Experienced Young People, the Youth Offending Service and "
		"Early Help.",
	.version = "1.0",
	.cadence = "twice a year, Monday to Friday of the week commencing the "
		   "2nd Monday of March and of September (all-day)",
	.responsible = "Lead Member, DCS, Assistant Director, all Service "
		       "Leads",
	.frequency = "Twice a year",
	.reporting = "Improvement Board. Reports formally to SLT and practice "
		     "observations are shared in DMT.",
	.roles = "dcs, lead_member, assistant_director, service_lead",
	.scope = QA_SCOPE_AUDIENCE,
	.duration = "5d",
	.reminders = "30d, 7d",
	.config = config,
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
