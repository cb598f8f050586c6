/* reflective_practice: the monthly group reflective practice session with
 * development leads: one series for every social worker and for the
 * development leads who facilitate it (issue 6: they had not seen it). */
#include "qa-scheduler/plugin.h"

/* One session at `time` on each date `rrule` yields, keyed by the date: the
 * host's fixed-date series. */
static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state;
	return host->emit_rrule_series(host, subject, QA_OCC_EVENT, from, to,
				       NULL);
}

static const struct qa_config_entry config[] = {
	{QA_CONFIG_RRULE, "rrule", "FREQ=MONTHLY;BYDAY=3WE",
	 "Dates of the monthly group sessions, expanded from 2020-01-01."},
	{QA_CONFIG_TIME, "time", "14:00", "Start time of a session."},
	{0},
};

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "reflective_practice",
	.title = "Group reflective practice",
	.description =
		"Group and individual reflective practice discussions take "
		"place with development leads through observation and "
		"feedback once a month (3 sessions).",
	.version = "1.0",
	.cadence = "monthly (default: 3rd Wednesday at 14:00)",
	.responsible = "Development leads, with all managers in Children's "
		       "Services",
	.frequency = "Once a month",
	.reporting = "Development leads and practice groups (forums) "
		     "monthly.",
	.roles = "social_worker, development_lead",
	.scope = QA_SCOPE_AUDIENCE,
	.duration = "90m",
	.reminders = "7d, 1d",
	.config = config,
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
