/* An audience-wide plugin emitting one occurrence 20 days into the window,
 * so a test can see the engine carry on past a failing plugin. */
#include "qa-scheduler/plugin.h"

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state, (void)subject, (void)to;
	struct qa_occurrence occ = {
		.struct_size = sizeof(occ),
		.key = "one",
		.kind = QA_OCC_EVENT,
		.status = QA_STATUS_CONFIRMED,
		.date = from + 20,
		.start_minute = 9 * 60,
		.done_on = QA_DAY_NONE,
	};
	return host->emit(host, &occ);
}

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,     .id = "emits_one",
	.title = "Emits one", .description = "One meeting for everyone.",
	.version = "1.0",     .cadence = "once",
	.roles = "qa_team",   .scope = QA_SCOPE_AUDIENCE,
	.duration = "30m",    .reminders = "1d",
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
