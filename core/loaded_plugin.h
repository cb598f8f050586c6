/* loaded_plugin: a plugin as the host holds it once loaded: its file, its
 * descriptor, its config keys and values, its state. plugin_host.c loads
 * and drives it, plugin_config.c fills its config; both read it from here,
 * so neither needs the other's header for it. */
#ifndef QA_LOADED_PLUGIN_H
#define QA_LOADED_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "qa-scheduler/plugin.h"

struct plugin_config_value {
	const char *key; /* points into the schema */
	char *value;     /* after defaults; NULL when unset */
	char *where;     /* "FILE:LINE" where the config set it, or NULL */
};

struct plugin {
	char *path;
	void *handle; /* dlopen */
	const struct qa_plugin *desc;
	/* The plugin's own config keys, copied from its descriptor whatever
	 * table and entry size it declares them with (plugin_config.c). */
	struct qa_config_key *schema;
	size_t n_schema;
	struct plugin_config_value
		*values; /* schema keys + duration + reminders */
	size_t n_values;
	void *state; /* from init() */
	bool initialised;
	bool disabled; /* turned off after a generate() failure */
	unsigned long generate_errors; /* generate() failures since loaded */
	char *disabled_reason;
	struct qa_host host; /* lent to this plugin's callbacks */
	void *host_data;     /* the engine's, set by whoever drives generate */
};

/* Does p's descriptor hold field, which ABI 1.minor appended: is it built
 * for that minor or a later one, and does its struct_size cover it? */
#define PLUGIN_HAS(p, minor, field)         \
	((p)->desc->abi_minor >= (minor) && \
	 (p)->desc->struct_size >=          \
		 offsetof(struct qa_plugin, field) + sizeof((p)->desc->field))

/* Are p's occurrences deadlines (due-by, a duration of "0": audits,
 * reports, dip samples) rather than sessions, meetings or boards? */
static inline bool plugin_has_deadlines(const struct plugin *p)
{
	return strcmp(p->desc->duration, "0") == 0;
}

#endif
