/* A descriptor naming a role that does not exist. */
#include "qa-scheduler/plugin.h"

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state, (void)subject, (void)from, (void)to, (void)host;
	return 0;
}

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "bad_role",
	.title = "Bad role",
	.description = "Names a role the framework does not have.",
	.version = "1.0",
	.cadence = "never",
	.roles = "qa_team, wizard",
	.scope = QA_SCOPE_AUDIENCE,
	.duration = "1h",
	.reminders = "1d",
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
