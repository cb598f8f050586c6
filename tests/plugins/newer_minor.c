/* A plugin built against the next minor of plugin.h, as far as this host can
 * be shown one: it declares the minor after the host's, and its descriptor,
 * config keys and occurrences are longer than the host's, with the fields
 * that minor might append after them. The host loads it and reads what it
 * knows (plugin.h, "Versions"); the plugin, for its part, learns the host's
 * minor and does without what that host lacks. */
#include "qa-scheduler/plugin.h"

/* What the next minor might append to each structure. */
struct next_config_key {
	struct qa_config_key key;
	const char *unit_name;
	int step;
};

struct next_occurrence {
	struct qa_occurrence occ;
	const char *location;
	int capacity;
};

struct next_plugin {
	struct qa_plugin plugin;
	int (*on_archive)(void *state);
	const char *category;
};

static int on_archive(void *state)
{
	(void)state;
	return 0;
}

static const struct next_config_key config[] = {
	{{QA_CONFIG_INT, "count", "2", "How many days ahead (1-5).", 1, 5},
	 "days",
	 1},
	{{QA_CONFIG_TIME, "time", "10:00", "Start time.", 7 * 60, 19 * 60},
	 NULL,
	 0},
	{{0}, NULL, 0},
};

static int init(const struct qa_host *host, void **state)
{
	(void)state;
	int count, minute;
	if (host->config_int(host, "count", &count) < 0 ||
	    host->config_int(host, "time", &minute) < 0)
		return -1;
	/* on_archive is the next minor's: an older host never calls it. */
	unsigned mine = QA_PLUGIN_ABI_MINOR + 1;
	host->log(host, QA_LOG_INFO,
		  "host speaks 1.%u, I was built for 1.%u: count %d, time %d, "
		  "%s",
		  host->abi_minor, mine, count, minute,
		  host->abi_minor < mine ? "no archiving" : "archiving");
	return 0;
}

/* One session count days after today, at time: an occurrence with the
 * next minor's fields after this host's. */
static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state, (void)from, (void)to;
	int count, minute;
	if (host->config_int(host, "count", &count) < 0 ||
	    host->config_int(host, "time", &minute) < 0)
		return -1;
	struct next_occurrence next = {
		.occ =
			{
				.struct_size = sizeof next,
				.key = "next",
				.kind = QA_OCC_EVENT,
				.status = QA_STATUS_CONFIRMED,
				.date = subject->today + count,
				.start_minute = minute,
				.summary = "Built for the next minor",
				.done_on = QA_DAY_NONE,
			},
		.location = "Room 4",
		.capacity = 12,
	};
	return host->emit(host, &next.occ);
}

static const struct next_plugin plugin = {
	.plugin =
		{
			.abi_major = QA_PLUGIN_ABI_MAJOR,
			.abi_minor = QA_PLUGIN_ABI_MINOR + 1,
			.struct_size = sizeof(struct next_plugin),
			.id = "newer_minor",
			.title = "Newer minor",
			.description = "Built for a newer host.",
			.version = "1.0",
			.cadence = "once",
			.roles = "partnership_manager",
			.scope = QA_SCOPE_PERSON,
			.duration = "1h",
			.reminders = "1d",
			.config_keys = &config[0].key,
			.config_key_size = sizeof(config[0]),
			.init = init,
			.generate = generate,
		},
	.on_archive = on_archive,
	.category = "meetings",
};

QA_PLUGIN_EXPORT const struct qa_plugin *qa_plugin_entry(void);
QA_PLUGIN_EXPORT const struct qa_plugin *qa_plugin_entry(void)
{
	return &plugin.plugin;
}
