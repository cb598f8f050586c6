/* A plugin whose init() refuses its configuration. */
#include "qa-scheduler/plugin.h"

static int init(const struct qa_host *host, void **state)
{
	(void)state;
	host->log(host, QA_LOG_ERR,
		  "cannot start: the moon is in the wrong "
		  "phase");
	return -1;
}

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state, (void)subject, (void)from, (void)to, (void)host;
	return 0;
}

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,      .id = "init_fails",
	.title = "Init fails", .description = "Refuses to start.",
	.version = "1.0",      .cadence = "never",
	.roles = "qa_team",    .scope = QA_SCOPE_AUDIENCE,
	.duration = "1h",      .reminders = "1d",
	.init = init,          .generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
