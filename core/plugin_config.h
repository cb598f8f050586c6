/* plugin_config: an activity plugin's config keys and their values.
 *
 * A plugin declares its keys in its descriptor (type, key, default,
 * description); the host adds `duration` and `reminders` to every plugin,
 * and `on_non_working_day` and `owner` to those they apply to. The values
 * are each key's default, then what [activity.<id>] sets, each checked
 * against its type and range and reported as "FILE:LINE: ..." when it
 * fails; the plugin reads them through qa_host.config_get and, typed,
 * config_int (ABI 1.2). */
#ifndef QA_PLUGIN_CONFIG_H
#define QA_PLUGIN_CONFIG_H

#include <stdio.h>

#include "config.h"
#include "errlist.h"
#include "qa-scheduler/plugin.h"

struct plugin;

/* Read p->desc's config schema into p->schema (from `config`, or from ABI
 * 1.2's `config_keys` with their ranges) and check it: known types,
 * [a-z0-9_]+ keys, descriptions, no key twice or one the host provides,
 * ranges only on types with a number and not empty, defaults of their type
 * and in their range. Returns 0, or -1 with the reason in why. */
int plugin_config_read_schema(struct plugin *p, char *why, size_t why_size);

/* Fill p->values: defaults first, then the [activity.<id>] section of cfg
 * over them. Every unknown key or bad value is appended to errs as
 * "CONF:LINE: ...". Returns 0, or -1 when there was one (or memory ran
 * out); p->values is freed by plugin_config_done either way. */
int plugin_config_apply(struct plugin *p, const struct config *cfg,
			struct errlist *errs);

void plugin_config_done(struct plugin *p);

/* The effective value of key for p (after defaults), or NULL. */
/* Escalation steps (issue 10): a key such as escalate = "2, 10" (one or
 * two working days after the due date, ascending, 1 to 60; "none") read
 * into steps. The number of steps, or -1 when text is not such a list. */
#define PLUGIN_MAX_STEPS 2
int plugin_config_steps(const char *text, int steps[PLUGIN_MAX_STEPS]);

const char *plugin_config_value(const struct plugin *p, const char *key);

/* The number key's value stands for (qa_host.config_int, ABI 1.2): see
 * config_value_int. 0, or -1 with the reason in why: key is not p's, its
 * type has no number, or it has no value. */
int plugin_config_int(const struct plugin *p, const char *key, int *value,
		      char *why, size_t why_size);

/* "CONF:LINE" where the config set key for p, or NULL (its default). */
const char *plugin_config_where(const struct plugin *p, const char *key);

/* Print the descriptor's config keys (plus the common ones) with types,
 * defaults and descriptions, for `plugins --help ID`. */
void plugin_config_print_help(const struct plugin *p, FILE *out);

#endif
