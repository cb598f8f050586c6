/* plugin_host: loads activity plugins (qa_<id>.so) and never trusts them.
 *
 * A file that is not a shared object, lacks qa_plugin_entry, has the wrong
 * ABI, an incomplete descriptor, a config key it does not declare or a value
 * of the wrong type, or whose init() fails is refused with one log line
 * naming the file and the reason; the others load. */
#ifndef QA_PLUGIN_HOST_H
#define QA_PLUGIN_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "errlist.h"
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

struct plugin_set {
	struct plugin *items; /* sorted by id */
	size_t n;
	size_t n_refused;
};

/* Load the plugins config names ([plugins] dir, enable) and validate the
 * [activity.<id>] sections against their schemas. Every refusal is appended
 * to errs as one line ("plugin FILE: refused: reason" or "CONF:LINE:
 * reason"); the caller logs or prints them. Returns 0
 * when nothing was refused, -1 otherwise; *set holds the plugins that
 * loaded either way and must be freed with plugin_set_done. */
int plugin_set_load(const struct config *cfg, struct plugin_set *set,
		    struct errlist *errs);

void plugin_set_done(struct plugin_set *set);

struct plugin *plugin_set_find(const struct plugin_set *set, const char *id);

/* How many of set's plugins are loaded and serving, refused at load, or
 * disabled since (a generation failed). */
struct plugin_counts {
	size_t loaded, refused, disabled;
};
struct plugin_counts plugin_set_count(const struct plugin_set *set);

/* Is p recorded per home (its descriptor has for_each_home, ABI 1.1)? */
bool plugin_has_homes(const struct plugin *p);

/* Call cb with each home p is recorded against; 0, or -1 when the plugin
 * failed (logged). cb returns non-zero to stop. */
int plugin_for_each_home(const struct plugin *p,
			 int (*cb)(const char *home, void *arg), void *arg);

/* plugin_config_value(), plugin_config_print_help() and the rest of a plugin's
 * config. */
#include "plugin_config.h"

#endif
