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
#include "loaded_plugin.h"
#include "qa-scheduler/plugin.h"

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
