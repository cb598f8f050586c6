/* A plugin built against a newer minor version of plugin.h than the host's:
 * it may rely on host services this host lacks, so it is refused. */
#include "qa-scheduler/plugin.h"

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state, (void)subject, (void)from, (void)to, (void)host;
	return 0;
}

static const struct qa_plugin plugin = {
	.abi_major = QA_PLUGIN_ABI_MAJOR,
	.abi_minor = QA_PLUGIN_ABI_MINOR + 1,
	.struct_size = sizeof(struct qa_plugin),
	.id = "newer_minor",
	.title = "Newer minor",
	.description = "Built for a newer host.",
	.version = "1.0",
	.cadence = "never",
	.roles = "qa_team",
	.scope = QA_SCOPE_AUDIENCE,
	.duration = "1h",
	.reminders = "1d",
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
