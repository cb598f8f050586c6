/* A well-formed plugin with keys of its own, for host tests. It reports
 * the configured values from init(), as text and typed, so a test can see
 * what the host passed. Its schema is in `config`, the table of ABI 1.0 and
 * 1.1 (no ranges), which the host still reads. */
#include <string.h>

#include "qa-scheduler/plugin.h"

static const struct qa_config_entry config[] = {
	{QA_CONFIG_TIME, "time", "09:30", "Local start time."},
	{QA_CONFIG_INT, "count", "3", "How many."},
	{QA_CONFIG_RRULE, "rrule", "FREQ=MONTHLY;BYDAY=1MO", "When."},
	{QA_CONFIG_END, NULL, NULL, NULL},
};

static int init(const struct qa_host *host, void **state)
{
	(void)state;
	int minute, count, seconds;
	if (host->config_int(host, "time", &minute) < 0 ||
	    host->config_int(host, "count", &count) < 0 ||
	    host->config_int(host, "duration", &seconds) < 0)
		return -1;
	host->log(host, QA_LOG_INFO,
		  "time=%s count=%s rrule=%s duration=%s "
		  "reminders=%s; typed: minute %d, count %d, %d seconds",
		  host->config_get(host, "time"),
		  host->config_get(host, "count"),
		  host->config_get(host, "rrule"),
		  host->config_get(host, "duration"),
		  host->config_get(host, "reminders"), minute, count, seconds);
	return 0;
}

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state, (void)subject, (void)from, (void)to, (void)host;
	return 0;
}

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "example",
	.title = "Example",
	.description = "A plugin for the host's own tests.",
	.version = "1.0",
	.cadence = "monthly",
	.responsible = "QA team",
	.frequency = "Monthly",
	.reporting = "Reports to nobody.",
	.roles = "qa_team",
	.scope = QA_SCOPE_AUDIENCE,
	.duration = "1h",
	.reminders = "7d, 1d",
	.config = config,
	.init = init,
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
