/* A descriptor without a title: the host refuses incomplete descriptors. */
#include "qa-scheduler/plugin.h"

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state, (void)subject, (void)from, (void)to, (void)host;
	return 0;
}

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "incomplete",
	.description = "Has no title.",
	.version = "1.0",
	.cadence = "never",
	.roles = "qa_team",
	.scope = QA_SCOPE_AUDIENCE,
	.duration = "1h",
	.reminders = "1d",
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
