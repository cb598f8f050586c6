/* practice_week: twice a year senior leaders observe front-line practice
 * for a week. One all-day item per week, Monday to Friday by default (the
 * configured duration, 5d). */
#include <stdio.h>

#include "qa-scheduler/plugin.h"

struct week {
	const struct qa_host *host;
	int failed;
};

/* The key is the first day, so a regenerated week keeps its UID. */
static int emit_week(qa_day day, void *arg)
{
	struct week *week = arg;
	int year, month, mday;
	char key[48];
	qa_day_to_ymd(day, &year, &month, &mday);
	snprintf(key, sizeof key, "%04d-%02d-%02d", year, month, mday);
	struct qa_occurrence occ = {
		.struct_size = sizeof occ,
		.key = key,
		.kind = QA_OCC_ALLDAY,
		.status = QA_STATUS_CONFIRMED,
		.date = day,
		.duration = 0, /* the activity's configured duration, in days */
		.done_on = QA_DAY_NONE,
	};
	if (week->host->emit(week->host, &occ) < 0) {
		week->failed = 1;
		return 1;
	}
	return 0;
}

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state;
	const char *rrule = host->config_get(host, "rrule");
	if (subject->left_on != QA_DAY_NONE && subject->left_on < to)
		to = subject->left_on;
	if (!rrule || to < from)
		return 0;
	struct week week = {host, 0};
	/* A fixed anchor keeps INTERVAL and COUNT rules stable whatever the
	 * window asked for. */
	if (host->rrule_expand(host, rrule, qa_day_from_ymd(2020, 1, 1), from,
			       to, emit_week, &week) < 0 ||
	    week.failed)
		return -1;
	return 0;
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
