/* A plugin built against a future, incompatible plugin.h: the host must
 * refuse it by its ABI major. */
#include "qa-scheduler/plugin.h"

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state, (void)subject, (void)from, (void)to, (void)host;
	return 0;
}

static const struct qa_plugin plugin = {
	.abi_major = QA_PLUGIN_ABI_MAJOR + 1,
	.abi_minor = 0,
	.struct_size = sizeof(struct qa_plugin),
	.id = "wrong_abi",
	.title = "Wrong ABI",
	.description = "Built for an ABI this host does not speak.",
	.version = "1.0",
	.cadence = "never",
	.roles = "qa_team",
	.scope = QA_SCOPE_AUDIENCE,
	.duration = "1h",
	.reminders = "1d",
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
