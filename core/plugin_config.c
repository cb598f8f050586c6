#include "plugin_config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loaded_plugin.h"
#include "staff.h"

static bool has_text(const char *s)
{
	return s && *s;
}

/* The keys every plugin has without declaring them. */
static const struct qa_config_key common_keys[] = {
	{QA_CONFIG_DURATION, "duration", NULL,
	 "Length of each occurrence (90m, 2h, 5d); 0 for a due-by deadline.", 0,
	 0},
	{QA_CONFIG_LEADS, "reminders", NULL,
	 "Reminder lead times before each occurrence, e.g. \"7d, 1d\"; "
	 "\"none\" for no reminders.",
	 0, 0},
	{QA_CONFIG_END, NULL, NULL, NULL, 0, 0},
};

static bool has_rrule(const struct plugin *p)
{
	for (size_t i = 0; i < p->n_schema; i++)
		if (p->schema[i].type == QA_CONFIG_RRULE &&
		    strcmp(p->schema[i].key, "rrule") == 0)
			return true;
	return false;
}

/* One series of deadlines (a due-by duration of "0") for the whole
 * audience: boards and meetings have no deadline to own. */
static bool is_shared_deadlines(const struct plugin *p)
{
	return p->desc->scope == QA_SCOPE_AUDIENCE && plugin_has_deadlines(p);
}

static const char *check_moving(const char *value)
{
	return strcmp(value, "previous") == 0 || strcmp(value, "next") == 0 ||
			       strcmp(value, "keep") == 0
		       ? NULL
		       : "use previous, next or keep";
}

static const char *check_owner(const char *value)
{
	return !*value || staff_id_valid(value)
		       ? NULL
		       : "not a staff id (1-64 of A-Z a-z 0-9 . _ -)";
}

int plugin_config_steps(const char *text, int steps[PLUGIN_MAX_STEPS])
{
	if (!text || strcmp(text, "none") == 0)
		return 0;
	struct config_list items = {0};
	int n = 0;
	if (config_split_list(text, &items) || items.n == 0 ||
	    items.n > PLUGIN_MAX_STEPS)
		n = -1;
	for (size_t i = 0; n >= 0 && i < items.n; i++) {
		char *end = NULL;
		long days = strtol(items.items[i], &end, 10);
		if (!*items.items[i] || *end || days < 1 || days > 60 ||
		    (n && days <= steps[n - 1]))
			n = -1;
		else
			steps[n++] = (int)days;
	}
	config_list_done(&items);
	return n;
}

static const char *check_steps(const char *value)
{
	int steps[PLUGIN_MAX_STEPS];
	return plugin_config_steps(value, steps) >= 0
		       ? NULL
		       : "expected one or two working days after the due "
			 "date, the second later (1 to 60), such as \"2, "
			 "10\", or none";
}

static bool is_supervision(const struct plugin *p)
{
	return strcmp(p->desc->id, "supervision") == 0;
}

static bool is_not_supervision(const struct plugin *p)
{
	return !is_supervision(p);
}

static bool is_audit(const struct plugin *p)
{
	return strcmp(p->desc->id, "collaborative_audit") == 0;
}

#define ESCALATE_HELP                                                       \
	"Working days after the due date on which an item still not "       \
	"recorded escalates: to the person's line manager, then (a second " \
	"number) to that manager's manager; each once, none once it is "    \
	"recorded. \"none\": no escalation."

/* Keys the host gives the plugins they apply to (issue 6): where a timed
 * meeting's rule lands on a non-working day, and who owns a series shared
 * by its whole audience. */
static const struct host_key {
	struct qa_config_key entry;
	bool (*applies)(const struct plugin *p);
	const char *(*check)(const char *value); /* NULL: fine, else why */
} host_keys[] = {
	{{QA_CONFIG_STRING, "on_non_working_day", "previous",
	  "Where a timed meeting goes when its rule lands on a weekend or "
	  "holiday: previous (the working day before), next (the working day "
	  "after) or keep. An all-day span (practice week) is kept as the "
	  "rule gives it.",
	  0, 0},
	 has_rrule,
	 check_moving},
	{{QA_CONFIG_STRING, "owner", "",
	  "The staff id accountable for these deadlines, one series shared by "
	  "everyone the activity concerns: they appear in `due` against this "
	  "person, remind and escalate. Empty: the one person holding the "
	  "first of its roles (the lowest id if several; check-config names "
	  "them).",
	  0, 0},
	 is_shared_deadlines,
	 check_owner},
	/* Issue 10: escalation climbs, later for supervision (a session a
	 * day late is common) than for a missed deadline. */
	{{QA_CONFIG_LIST, "escalate", "2, 10", ESCALATE_HELP, 0, 0},
	 is_supervision,
	 check_steps},
	{{QA_CONFIG_LIST, "escalate", "1, 10", ESCALATE_HELP, 0, 0},
	 is_not_supervision,
	 check_steps},
	{{QA_CONFIG_LIST, "action_escalate", "1, 5",
	  "As escalate, for an audit's action (due 4 weeks after the audit).",
	  0, 0},
	 is_audit,
	 check_steps},
	{{QA_CONFIG_LIST, "urgent_action_escalate", "1, 2",
	  "As escalate, for the action of an audit graded inadequate with a "
	  "safeguarding concern (due 5 working days after it).",
	  0, 0},
	 is_audit,
	 check_steps},
};

#define N_HOST_KEYS (sizeof(host_keys) / sizeof(host_keys[0]))

static const struct host_key *host_key_find(const struct plugin *p,
					    const char *key)
{
	for (size_t i = 0; i < N_HOST_KEYS; i++)
		if (strcmp(host_keys[i].entry.key, key) == 0 &&
		    host_keys[i].applies(p))
			return &host_keys[i];
	return NULL;
}

/* Copy the plugin's own keys into p->schema from the table it declares them
 * in: 1.0 and 1.1's `config` (no ranges), or 1.2's `config_keys`, whose
 * entries are config_key_size bytes apart (more than this host's entry from
 * a later minor: it reads the fields it knows). */
static int read_schema(struct plugin *p, char *why, size_t why_size)
{
	const struct qa_plugin *d = p->desc;
	const struct qa_config_key *keys =
		PLUGIN_HAS(p, 2, config_keys) ? d->config_keys : NULL;
	if (keys && d->config) {
		snprintf(why, why_size,
			 "descriptor sets both config and config_keys; declare "
			 "the keys in config_keys alone");
		return -1;
	}
	if (keys && d->config_key_size < sizeof(struct qa_config_key)) {
		snprintf(why, why_size,
			 "descriptor config_key_size is %u, a config_keys "
			 "entry is at least %zu bytes; set both with "
			 "QA_CONFIG_KEYS(table)",
			 d->config_key_size, sizeof(struct qa_config_key));
		return -1;
	}
	const char *table = keys ? (const char *)keys : (const char *)d->config;
	size_t step = keys ? d->config_key_size : sizeof(*d->config);
	size_t known = keys ? sizeof(*keys) : sizeof(*d->config);
	size_t n = 0;
	/* Both entry types start with the type, QA_CONFIG_END at the end. */
	for (enum qa_config_type type; table; n++) {
		memcpy(&type, table + n * step, sizeof(type));
		if (type == QA_CONFIG_END)
			break;
	}
	p->schema = calloc(n + 1, sizeof(*p->schema));
	if (!p->schema) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	/* A 1.0 or 1.1 entry leaves min and max 0: no range. */
	for (size_t i = 0; i < n; i++)
		memcpy(&p->schema[i], table + i * step, known);
	p->n_schema = n;
	return 0;
}

static bool host_provides(const char *key)
{
	for (const struct qa_config_key *c = common_keys; c->key; c++)
		if (strcmp(c->key, key) == 0)
			return true;
	for (size_t k = 0; k < N_HOST_KEYS; k++)
		if (strcmp(host_keys[k].entry.key, key) == 0)
			return true;
	return false;
}

/* A value of e's type and range; why says what is wrong otherwise. */
static int check_value(const struct qa_config_key *e, const char *value,
		       char *why, size_t why_size)
{
	int number;
	if (config_check_value(e->type, value, why, why_size))
		return -1;
	if (config_type_has_range(e->type) &&
	    config_value_int(e->type, value, &number) == 0 &&
	    config_check_range(e->type, number, e->min, e->max, why, why_size))
		return -1;
	return 0;
}

int plugin_config_read_schema(struct plugin *p, char *why, size_t why_size)
{
	if (read_schema(p, why, why_size))
		return -1;
	char type_why[160];
	for (size_t i = 0; i < p->n_schema; i++) {
		const struct qa_config_key *e = &p->schema[i];
		if (e->type < QA_CONFIG_STRING || e->type > QA_CONFIG_LIST ||
		    !config_is_name(e->key) || !has_text(e->description)) {
			snprintf(why, why_size,
				 "config schema entry %zu: needs a known type, "
				 "a [a-z0-9_]+ key and a description",
				 i);
			return -1;
		}
		if (host_provides(e->key)) {
			snprintf(why, why_size,
				 "config schema declares \"%s\", which the "
				 "host provides",
				 e->key);
			return -1;
		}
		for (size_t o = 0; o < i; o++)
			if (strcmp(p->schema[o].key, e->key) == 0) {
				snprintf(why, why_size,
					 "config schema declares \"%s\" twice",
					 e->key);
				return -1;
			}
		if ((e->min || e->max) && !config_type_has_range(e->type)) {
			snprintf(why, why_size,
				 "config schema key %s (%s): a range (min, "
				 "max) is for whole numbers, durations, times "
				 "and dates",
				 e->key, config_type_name(e->type));
			return -1;
		}
		if (e->min > e->max) {
			snprintf(why, why_size,
				 "config schema key %s: min %d is above max %d",
				 e->key, e->min, e->max);
			return -1;
		}
		if (has_text(e->default_value) &&
		    check_value(e, e->default_value, type_why,
				sizeof(type_why))) {
			snprintf(why, why_size,
				 "config schema default %s = \"%s\": %s",
				 e->key, e->default_value, type_why);
			return -1;
		}
	}
	return 0;
}

static const struct qa_config_key *schema_find(const struct plugin *p,
					       const char *key)
{
	for (size_t i = 0; i < p->n_schema; i++)
		if (strcmp(p->schema[i].key, key) == 0)
			return &p->schema[i];
	for (const struct qa_config_key *e = common_keys; e->type; e++)
		if (strcmp(e->key, key) == 0)
			return e;
	const struct host_key *h = host_key_find(p, key);
	return h ? &h->entry : NULL;
}

static void known_keys(const struct plugin *p, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < p->n_schema; i++)
		used += (size_t)snprintf(buf + used,
					 used < size ? size - used : 0, "%s, ",
					 p->schema[i].key);
	if (used < size)
		used += (size_t)snprintf(buf + used, size - used,
					 "duration, reminders");
	for (size_t k = 0; k < N_HOST_KEYS && used < size; k++)
		if (host_keys[k].applies(p))
			used += (size_t)snprintf(buf + used, size - used,
						 ", %s",
						 host_keys[k].entry.key);
}

/* Defaults first, then the [activity.<id>] section over them. Every bad
 * key or value is reported with the config file's line. */
int plugin_config_apply(struct plugin *p, const struct config *cfg,
			struct errlist *errs)
{
	size_t n = p->n_schema + 2 + N_HOST_KEYS;
	p->values = calloc(n, sizeof(*p->values));
	if (!p->values)
		return -1;
	for (size_t i = 0; i < p->n_schema; i++) {
		const struct qa_config_key *e = &p->schema[i];
		p->values[p->n_values].key = e->key;
		if (e->default_value && *e->default_value &&
		    !(p->values[p->n_values].value = strdup(e->default_value)))
			return -1;
		p->n_values++;
	}
	p->values[p->n_values].key = "duration";
	p->values[p->n_values++].value = strdup(p->desc->duration);
	p->values[p->n_values].key = "reminders";
	p->values[p->n_values++].value = strdup(p->desc->reminders);
	if (!p->values[p->n_values - 1].value ||
	    !p->values[p->n_values - 2].value)
		return -1;
	for (size_t k = 0; k < N_HOST_KEYS; k++) {
		const struct qa_config_key *e = &host_keys[k].entry;
		if (!host_keys[k].applies(p))
			continue;
		p->values[p->n_values].key = e->key;
		if (*e->default_value &&
		    !(p->values[p->n_values].value = strdup(e->default_value)))
			return -1;
		p->n_values++;
	}

	const struct config_activity *section =
		config_activity(cfg, p->desc->id);
	if (!section)
		return 0;
	int rc = 0;
	for (size_t i = 0; i < section->n_kvs; i++) {
		const struct config_kv *kv = &section->kvs[i];
		const struct qa_config_key *e = schema_find(p, kv->key);
		if (!e) {
			char keys[512];
			known_keys(p, keys, sizeof(keys));
			errlist_add(
				errs,
				"%s:%d: unknown key \"%s\" in [activity.%s]; "
				"known keys: %s (see qa-scheduler plugins "
				"--help %s)",
				cfg->path, kv->line, kv->key, p->desc->id, keys,
				p->desc->id);
			rc = -1;
			continue;
		}
		char why[256];
		bool zero_duration = strcmp(e->key, "duration") == 0 &&
				     strcmp(kv->value, "0") == 0;
		const struct host_key *h = host_key_find(p, e->key);
		const char *host_why = h ? h->check(kv->value) : NULL;
		if (host_why)
			snprintf(why, sizeof(why), "%s", host_why);
		if (host_why || (!zero_duration &&
				 check_value(e, kv->value, why, sizeof(why)))) {
			errlist_add(errs,
				    "%s:%d: [activity.%s] %s = \"%s\": %s",
				    cfg->path, kv->line, p->desc->id, kv->key,
				    kv->value, why);
			rc = -1;
			continue;
		}
		for (size_t v = 0; v < p->n_values; v++) {
			if (strcmp(p->values[v].key, e->key) != 0)
				continue;
			char *copy = strdup(kv->value);
			char *where = NULL;
			if (!copy || asprintf(&where, "%s:%d", cfg->path,
					      kv->line) < 0) {
				free(copy);
				return -1;
			}
			free(p->values[v].value);
			free(p->values[v].where);
			p->values[v].value = copy;
			p->values[v].where = where;
		}
	}
	return rc;
}

void plugin_config_done(struct plugin *p)
{
	for (size_t i = 0; i < p->n_values; i++) {
		free(p->values[i].value);
		free(p->values[i].where);
	}
	free(p->values);
	p->values = NULL;
	p->n_values = 0;
	free(p->schema);
	p->schema = NULL;
	p->n_schema = 0;
}

const char *plugin_config_value(const struct plugin *p, const char *key)
{
	for (size_t i = 0; i < p->n_values; i++)
		if (strcmp(p->values[i].key, key) == 0)
			return p->values[i].value;
	return NULL;
}

int plugin_config_int(const struct plugin *p, const char *key, int *value,
		      char *why, size_t why_size)
{
	const struct qa_config_key *e = schema_find(p, key);
	const char *text = plugin_config_value(p, key);
	if (!e) {
		snprintf(why, why_size, "\"%s\" is not one of its keys", key);
		return -1;
	}
	if (!config_type_has_int(e->type)) {
		snprintf(why, why_size, "\"%s\" (%s) has no number", key,
			 config_type_name(e->type));
		return -1;
	}
	if (!text) {
		snprintf(why, why_size, "\"%s\" has no value", key);
		return -1;
	}
	if (config_value_int(e->type, text, value)) {
		/* Every value was checked at load; this is a host bug. */
		snprintf(why, why_size, "\"%s\" = \"%s\" is not a %s value",
			 key, text, config_type_name(e->type));
		return -1;
	}
	return 0;
}

const char *plugin_config_where(const struct plugin *p, const char *key)
{
	for (size_t i = 0; i < p->n_values; i++)
		if (strcmp(p->values[i].key, key) == 0)
			return p->values[i].where;
	return NULL;
}

static void print_entry(const struct plugin *p, const struct qa_config_key *e,
			FILE *out)
{
	const char *value = plugin_config_value(p, e->key);
	const char *dflt = e == &common_keys[0]   ? p->desc->duration
			   : e == &common_keys[1] ? p->desc->reminders
						  : e->default_value;
	char range[80] = "";
	if (e->min || e->max) {
		char low[32], high[32];
		config_format_int(e->type, e->min, low, sizeof(low));
		config_format_int(e->type, e->max, high, sizeof(high));
		snprintf(range, sizeof(range), " (%s to %s)", low, high);
	}
	fprintf(out, "  %-18s %-18s default: %s%s\n", e->key,
		config_type_name(e->type), dflt && *dflt ? dflt : "(none)",
		range);
	if (value && (!dflt || strcmp(value, dflt) != 0))
		fprintf(out, "  %-18s %-18s configured: %s\n", "", "", value);
	fprintf(out, "      %s\n", e->description);
}

void plugin_config_print_help(const struct plugin *p, FILE *out)
{
	const struct qa_plugin *d = p->desc;
	fprintf(out, "%s: %s (version %s)\n\n", d->id, d->title, d->version);
	fprintf(out, "%s\n\n", d->description);
	fprintf(out, "cadence:     %s\n", d->cadence);
	fprintf(out, "who:         %s\n",
		strcmp(d->roles, "*") == 0 ? "everyone with a line manager"
					   : d->roles);
	fprintf(out, "scope:       %s\n",
		d->scope == QA_SCOPE_PERSON ? "one series per person"
					    : "one series for everyone");
	if (has_text(d->responsible))
		fprintf(out, "responsible: %s\n", d->responsible);
	if (has_text(d->frequency))
		fprintf(out, "frequency:   %s\n", d->frequency);
	if (has_text(d->reporting))
		fprintf(out, "reporting:   %s\n", d->reporting);
	fprintf(out, "file:        %s\n\n", p->path);
	fprintf(out, "Config keys, in [activity.%s]:\n", d->id);
	for (size_t i = 0; i < p->n_schema; i++)
		print_entry(p, &p->schema[i], out);
	for (const struct qa_config_key *e = common_keys; e->type; e++)
		print_entry(p, e, out);
	for (size_t k = 0; k < N_HOST_KEYS; k++)
		if (host_keys[k].applies(p))
			print_entry(p, &host_keys[k].entry, out);
}
