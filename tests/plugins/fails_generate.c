/* A plugin whose generate() fails for one person ("bad") after emitting:
 * the engine must disable it, keep nothing half-generated and leave its
 * stored schedule alone, while the other plugins go on. */
#include <string.h>

#include "qa-scheduler/plugin.h"

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state, (void)to;
	struct qa_occurrence occ = {
		.struct_size = sizeof(occ),
		.key = "only",
		.kind = QA_OCC_DUE,
		.status = QA_STATUS_CONFIRMED,
		.date = from + 10,
		.done_on = QA_DAY_NONE,
	};
	if (host->emit(host, &occ))
		return -1;
	if (strcmp(subject->staff_id, "bad") == 0) {
		host->log(host, QA_LOG_ERR, "cannot schedule %s",
			  subject->staff_id);
		return -1;
	}
	return 0;
}

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "fails_generate",
	.title = "Fails to generate",
	.description = "Fails for the person with id \"bad\".",
	.version = "1.0",
	.cadence = "once",
	.roles = "social_worker",
	.scope = QA_SCOPE_PERSON,
	.duration = "0",
	.reminders = "1d",
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
