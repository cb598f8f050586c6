#include "plugin_host.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "qa-scheduler/util.h"
#include "staff.h"

/* The keys every plugin has without declaring them. */
static const struct qa_config_entry common_keys[] = {
	{QA_CONFIG_DURATION, "duration", NULL,
	 "Length of each occurrence (90m, 2h, 5d); 0 for a due-by deadline."},
	{QA_CONFIG_LEADS, "reminders", NULL,
	 "Reminder lead times before each occurrence, e.g. \"7d, 1d\"; "
	 "\"none\" for no reminders."},
	{QA_CONFIG_END, NULL, NULL, NULL},
};

static bool has_rrule(const struct qa_plugin *d)
{
	for (const struct qa_config_entry *e = d->config; e && e->type; e++)
		if (e->type == QA_CONFIG_RRULE && strcmp(e->key, "rrule") == 0)
			return true;
	return false;
}

/* One series of deadlines (a due-by duration of "0") for the whole
 * audience: boards and meetings have no deadline to own. */
static bool is_shared_deadlines(const struct qa_plugin *d)
{
	return d->scope == QA_SCOPE_AUDIENCE && strcmp(d->duration, "0") == 0;
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

/* Keys the host gives the plugins they apply to (issue 6): where a timed
 * meeting's rule lands on a non-working day, and who owns a series shared
 * by its whole audience. */
static const struct host_key {
	struct qa_config_entry entry;
	bool (*applies)(const struct qa_plugin *d);
	const char *(*check)(const char *value); /* NULL: fine, else why */
} host_keys[] = {
	{{QA_CONFIG_STRING, "on_non_working_day", "previous",
	  "Where a timed meeting goes when its rule lands on a weekend or "
	  "holiday: previous (the working day before), next (the working day "
	  "after) or keep. An all-day span (practice week) is kept as the "
	  "rule gives it."},
	 has_rrule,
	 check_moving},
	{{QA_CONFIG_STRING, "owner", "",
	  "The staff id accountable for these deadlines, one series shared by "
	  "everyone the activity concerns: they appear in `due` against this "
	  "person, remind and escalate. Empty: the one person holding the "
	  "first of its roles (the lowest id if several; check-config names "
	  "them)."},
	 is_shared_deadlines,
	 check_owner},
};

#define N_HOST_KEYS (sizeof(host_keys) / sizeof(host_keys[0]))

static const struct host_key *host_key_find(const struct qa_plugin *d,
					    const char *key)
{
	for (size_t i = 0; i < N_HOST_KEYS; i++)
		if (strcmp(host_keys[i].entry.key, key) == 0 &&
		    host_keys[i].applies(d))
			return &host_keys[i];
	return NULL;
}

static bool valid_key(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

static bool nonempty(const char *s)
{
	return s && *s;
}

/* ---- services every plugin gets from the host itself ---- */

static void host_log(const struct qa_host *host, enum qa_log_level level,
		     const char *fmt, ...)
{
	const struct plugin *p = host->host_data;
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_msg(level, "plugin %s: %s", p->desc ? p->desc->id : p->path, text);
}

static const char *host_config_get(const struct qa_host *host, const char *key)
{
	return plugin_value(host->host_data, key);
}

static const char *host_config_where(const struct qa_host *host,
				     const char *key)
{
	const struct plugin *p = host->host_data;
	for (size_t i = 0; i < p->n_values; i++)
		if (strcmp(p->values[i].key, key) == 0)
			return p->values[i].where;
	return NULL;
}

bool plugin_has_homes(const struct plugin *p)
{
	return p->desc->abi_minor >= 1 &&
	       p->desc->struct_size >= sizeof(struct qa_plugin) &&
	       p->desc->for_each_home;
}

int plugin_for_each_home(const struct plugin *p,
			 int (*cb)(const char *home, void *arg), void *arg)
{
	if (!plugin_has_homes(p))
		return 0;
	if (p->desc->for_each_home(p->state, cb, arg) != 0) {
		log_err("plugin %s: for_each_home() failed", p->desc->id);
		return -1;
	}
	return 0;
}

/* Until a schedule engine lends its services (it replaces these pointers
 * before calling generate), a plugin that asks for them is told so rather
 * than crashing the host. */
static int no_emit(const struct qa_host *host, const struct qa_occurrence *occ)
{
	(void)occ;
	host_log(host, QA_LOG_ERR, "emit() called outside generate()");
	return -1;
}

static int no_rrule(const struct qa_host *host, const char *rrule,
		    qa_day dtstart, qa_day from, qa_day to, qa_day_cb cb,
		    void *arg)
{
	(void)rrule, (void)dtstart, (void)from, (void)to, (void)cb, (void)arg;
	host_log(host, QA_LOG_ERR, "rrule_expand() called outside generate()");
	return -1;
}

static int no_is_working_day(const struct qa_host *host, qa_day day)
{
	(void)host;
	return qa_day_weekday(day) <= 5;
}

static qa_day no_add_working_days(const struct qa_host *host, qa_day day, int n)
{
	host_log(host, QA_LOG_ERR,
		 "add_working_days() called outside "
		 "generate()");
	return day + n;
}

static qa_day no_shift(const struct qa_host *host, qa_day day, int dir)
{
	(void)dir;
	host_log(host, QA_LOG_ERR,
		 "shift_to_working_day() called outside "
		 "generate()");
	return day;
}

static int no_last_completion(const struct qa_host *host, const char *activity,
			      const char *staff_id, qa_day before,
			      qa_day *done_on)
{
	(void)activity, (void)staff_id, (void)before, (void)done_on;
	host_log(host, QA_LOG_ERR,
		 "last_completion() called outside "
		 "generate()");
	return -1;
}

static int no_for_each_completion(const struct qa_host *host,
				  const char *activity, const char *staff_id,
				  qa_day from, qa_day to, qa_day_cb cb,
				  void *arg)
{
	(void)activity, (void)staff_id, (void)from, (void)to, (void)cb,
		(void)arg;
	host_log(host, QA_LOG_ERR,
		 "for_each_completion() called outside "
		 "generate()");
	return -1;
}

static int no_emit_due(const struct qa_host *host,
		       const struct qa_subject *subject, enum qa_period period,
		       qa_day from, qa_day to, const char *summary)
{
	(void)subject, (void)period, (void)from, (void)to, (void)summary;
	host_log(host, QA_LOG_ERR,
		 "emit_due_per_period() called outside "
		 "generate()");
	return -1;
}

static int no_emit_rrule(const struct qa_host *host,
			 const struct qa_subject *subject,
			 enum qa_occurrence_kind kind, qa_day from, qa_day to,
			 const char *summary)
{
	(void)subject, (void)kind, (void)from, (void)to, (void)summary;
	host_log(host, QA_LOG_ERR,
		 "emit_rrule_series() called outside "
		 "generate()");
	return -1;
}

static int no_for_each_completion_at(const struct qa_host *host,
				     const char *activity, const char *staff_id,
				     const char *home, qa_day from, qa_day to,
				     qa_day_cb cb, void *arg)
{
	(void)activity, (void)staff_id, (void)home, (void)from, (void)to;
	(void)cb, (void)arg;
	host_log(host, QA_LOG_ERR,
		 "for_each_completion_at() called outside generate()");
	return -1;
}

static void host_init(struct plugin *p)
{
	p->host = (struct qa_host){
		.struct_size = sizeof(struct qa_host),
		.host_data = p,
		.log = host_log,
		.config_get = host_config_get,
		.emit = no_emit,
		.rrule_expand = no_rrule,
		.is_working_day = no_is_working_day,
		.add_working_days = no_add_working_days,
		.shift_to_working_day = no_shift,
		.last_completion = no_last_completion,
		.for_each_completion = no_for_each_completion,
		.emit_due_per_period = no_emit_due,
		.emit_rrule_series = no_emit_rrule,
		.config_where = host_config_where,
		.for_each_completion_at = no_for_each_completion_at,
	};
}

/* ---- loading ---- */

const char *plugin_value(const struct plugin *p, const char *key)
{
	for (size_t i = 0; i < p->n_values; i++)
		if (strcmp(p->values[i].key, key) == 0)
			return p->values[i].value;
	return NULL;
}

static void plugin_clear(struct plugin *p)
{
	if (p->initialised && p->desc->shutdown)
		p->desc->shutdown(p->state);
	for (size_t i = 0; i < p->n_values; i++) {
		free(p->values[i].value);
		free(p->values[i].where);
	}
	free(p->values);
	free(p->disabled_reason);
	if (p->handle)
		dlclose(p->handle);
	free(p->path);
	memset(p, 0, sizeof(*p));
}

/* Check the descriptor says everything the host and the reader need. On a
 * problem, write the reason into why and return -1. */
static int check_descriptor(const struct qa_plugin *d, const char *file_id,
			    char *why, size_t why_size)
{
	char type_why[160];
	if (!valid_key(d->id)) {
		snprintf(why, why_size, "descriptor: id must be [a-z0-9_]+");
		return -1;
	}
	if (strcmp(d->id, file_id) != 0) {
		snprintf(why, why_size,
			 "descriptor id \"%s\" does not match the file name "
			 "(qa_%s.so)",
			 d->id, d->id);
		return -1;
	}
	const char *missing = !nonempty(d->title)         ? "title"
			      : !nonempty(d->description) ? "description"
			      : !nonempty(d->version)     ? "version"
			      : !nonempty(d->cadence)     ? "cadence"
			      : !nonempty(d->roles)       ? "roles"
			      : !nonempty(d->duration)    ? "duration"
			      : !nonempty(d->reminders)   ? "reminders"
			      : !d->generate              ? "generate callback"
							  : NULL;
	if (missing) {
		snprintf(why, why_size, "incomplete descriptor: no %s",
			 missing);
		return -1;
	}
	if (d->scope != QA_SCOPE_AUDIENCE && d->scope != QA_SCOPE_PERSON) {
		snprintf(why, why_size,
			 "descriptor: scope %d is neither "
			 "QA_SCOPE_AUDIENCE nor QA_SCOPE_PERSON",
			 (int)d->scope);
		return -1;
	}
	if (strcmp(d->roles, "*") != 0) {
		unsigned mask;
		char role_why[512];
		if (roles_parse(d->roles, &mask, role_why, sizeof(role_why))) {
			snprintf(why, why_size, "descriptor roles: %s",
				 role_why);
			return -1;
		}
	}
	if (strcmp(d->duration, "0") != 0 &&
	    config_check_value(QA_CONFIG_DURATION, d->duration, type_why,
			       sizeof(type_why))) {
		snprintf(why, why_size, "descriptor duration \"%s\": %s",
			 d->duration, type_why);
		return -1;
	}
	if (config_check_value(QA_CONFIG_LEADS, d->reminders, type_why,
			       sizeof(type_why))) {
		snprintf(why, why_size, "descriptor reminders \"%s\": %s",
			 d->reminders, type_why);
		return -1;
	}
	for (const struct qa_config_entry *e = d->config; e && e->type; e++) {
		if (e->type < QA_CONFIG_STRING || e->type > QA_CONFIG_LIST ||
		    !valid_key(e->key) || !nonempty(e->description)) {
			snprintf(why, why_size,
				 "config schema entry %d: needs a known type, "
				 "a [a-z0-9_]+ key and a description",
				 (int)(e - d->config));
			return -1;
		}
		bool host_has = false;
		for (const struct qa_config_entry *c = common_keys; c->key; c++)
			host_has = host_has || strcmp(c->key, e->key) == 0;
		for (size_t k = 0; k < N_HOST_KEYS; k++)
			host_has = host_has ||
				   strcmp(host_keys[k].entry.key, e->key) == 0;
		if (host_has) {
			snprintf(why, why_size,
				 "config schema declares \"%s\", which the "
				 "host provides",
				 e->key);
			return -1;
		}
		for (const struct qa_config_entry *o = d->config; o < e; o++)
			if (strcmp(o->key, e->key) == 0) {
				snprintf(why, why_size,
					 "config schema declares \"%s\" twice",
					 e->key);
				return -1;
			}
		if (e->default_value && *e->default_value &&
		    config_check_value(e->type, e->default_value, type_why,
				       sizeof(type_why))) {
			snprintf(why, why_size,
				 "config schema default %s = \"%s\": %s",
				 e->key, e->default_value, type_why);
			return -1;
		}
	}
	return 0;
}

static size_t schema_count(const struct qa_config_entry *e)
{
	size_t n = 0;
	for (; e && e->type; e++)
		n++;
	return n;
}

static const struct qa_config_entry *schema_find(const struct plugin *p,
						 const char *key)
{
	for (const struct qa_config_entry *e = p->desc->config; e && e->type;
	     e++)
		if (strcmp(e->key, key) == 0)
			return e;
	for (const struct qa_config_entry *e = common_keys; e->type; e++)
		if (strcmp(e->key, key) == 0)
			return e;
	const struct host_key *h = host_key_find(p->desc, key);
	return h ? &h->entry : NULL;
}

static void known_keys(const struct plugin *p, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (const struct qa_config_entry *e = p->desc->config; e && e->type;
	     e++)
		used += (size_t)snprintf(buf + used,
					 used < size ? size - used : 0, "%s, ",
					 e->key);
	if (used < size)
		used += (size_t)snprintf(buf + used, size - used,
					 "duration, reminders");
	for (size_t k = 0; k < N_HOST_KEYS && used < size; k++)
		if (host_keys[k].applies(p->desc))
			used += (size_t)snprintf(buf + used, size - used,
						 ", %s",
						 host_keys[k].entry.key);
}

/* Defaults first, then the [activity.<id>] section over them. Every bad
 * key or value is reported with the config file's line. */
static int apply_config(struct plugin *p, const struct config *cfg,
			struct errlist *errs)
{
	size_t n = schema_count(p->desc->config) + 2 + N_HOST_KEYS;
	p->values = calloc(n, sizeof(*p->values));
	if (!p->values)
		return -1;
	for (const struct qa_config_entry *e = p->desc->config; e && e->type;
	     e++) {
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
		const struct qa_config_entry *e = &host_keys[k].entry;
		if (!host_keys[k].applies(p->desc))
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
		const struct qa_config_entry *e = schema_find(p, kv->key);
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
		const struct host_key *h = host_key_find(p->desc, e->key);
		const char *host_why = h ? h->check(kv->value) : NULL;
		if (host_why)
			snprintf(why, sizeof(why), "%s", host_why);
		if (host_why ||
		    (!zero_duration && config_check_value(e->type, kv->value,
							  why, sizeof(why)))) {
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

static void refuse(struct errlist *errs, const char *path, const char *fmt, ...)
	QA_PRINTF(3, 4);

static void refuse(struct errlist *errs, const char *path, const char *fmt, ...)
{
	char why[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	errlist_add(errs, "plugin %s: refused: %s", path, why);
}

/* Load one file into *p. Returns 0, or -1 after refusing it. */
static int load_one(const char *path, const char *file_id,
		    const struct config *cfg, const struct plugin_set *set,
		    struct plugin *p, struct errlist *errs)
{
	memset(p, 0, sizeof(*p));
	p->path = strdup(path);
	if (!p->path) {
		refuse(errs, path, "out of memory");
		return -1;
	}
	dlerror();
	p->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!p->handle) {
		const char *err = dlerror();
		refuse(errs, path,
		       "not a loadable shared object (%s); check it with "
		       "file(1) and ldd(1)",
		       err ? err : "unknown error");
		goto fail;
	}
	typedef const struct qa_plugin *(*entry_fn)(void);
	entry_fn entry;
	/* POSIX blesses this conversion for dlsym. */
	*(void **)&entry = dlsym(p->handle, "qa_plugin_entry");
	if (!entry) {
		refuse(errs, path,
		       "no qa_plugin_entry symbol; a plugin must export it "
		       "with QA_PLUGIN_DEFINE from qa-scheduler/plugin.h");
		goto fail;
	}
	const struct qa_plugin *d = entry();
	if (!d) {
		refuse(errs, path, "qa_plugin_entry() returned NULL");
		goto fail;
	}
	if (d->abi_major != QA_PLUGIN_ABI_MAJOR) {
		refuse(errs, path,
		       "built for plugin ABI %u.%u, this qa-scheduler speaks "
		       "%d.%d; rebuild it against this version's "
		       "qa-scheduler/plugin.h",
		       d->abi_major, d->abi_minor, QA_PLUGIN_ABI_MAJOR,
		       QA_PLUGIN_ABI_MINOR);
		goto fail;
	}
	if (d->abi_minor > QA_PLUGIN_ABI_MINOR) {
		refuse(errs, path,
		       "built for plugin ABI %u.%u, newer than this "
		       "qa-scheduler's %d.%d; upgrade qa-scheduler",
		       d->abi_major, d->abi_minor, QA_PLUGIN_ABI_MAJOR,
		       QA_PLUGIN_ABI_MINOR);
		goto fail;
	}
	/* A descriptor of an older minor is shorter: the host reads what
	 * it had and takes the fields added since as absent. */
	size_t needed = d->abi_minor >= 1 ? sizeof(struct qa_plugin)
					  : QA_PLUGIN_SIZE_1_0;
	if (d->struct_size < needed) {
		refuse(errs, path,
		       "descriptor is %u bytes, ABI %u.%u needs %zu; was it "
		       "built with QA_PLUGIN_HEADER?",
		       d->struct_size, d->abi_major, d->abi_minor, needed);
		goto fail;
	}
	char why[1024];
	if (check_descriptor(d, file_id, why, sizeof(why))) {
		refuse(errs, path, "%s", why);
		goto fail;
	}
	p->desc = d;
	if (plugins_find(set, d->id)) {
		refuse(errs, path,
		       "activity id \"%s\" is already loaded from %s", d->id,
		       plugins_find(set, d->id)->path);
		goto fail;
	}
	struct errlist config_errs = {0};
	if (apply_config(p, cfg, &config_errs)) {
		errlist_move(errs, &config_errs);
		refuse(errs, path,
		       "its [activity.%s] section has the "
		       "problem(s) above",
		       d->id);
		goto fail;
	}
	host_init(p);
	if (d->init && d->init(&p->host, &p->state) != 0) {
		refuse(errs, path,
		       "init() failed; see the plugin's message "
		       "above");
		goto fail;
	}
	p->initialised = true;
	return 0;
fail:
	plugin_clear(p);
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* File names qa_<id>.so in dir, sorted, or the enabled ids. */
static int candidate_ids(const struct config *cfg, struct config_list *ids,
			 struct errlist *errs)
{
	if (cfg->enable_set) {
		for (size_t i = 0; i < cfg->enable.n; i++) {
			char **grown = realloc(ids->items,
					       (ids->n + 1) * sizeof(*grown));
			if (!grown)
				return -1;
			ids->items = grown;
			if (!(ids->items[ids->n] =
				      strdup(cfg->enable.items[i])))
				return -1;
			ids->n++;
		}
		/* Loaded in id order, as from the directory: see below. */
		qsort(ids->items, ids->n, sizeof(*ids->items), cmp_str);
		return 0;
	}
	DIR *dir = opendir(cfg->plugins_dir);
	if (!dir) {
		errlist_add(errs, "%s: [plugins] dir %s: cannot read it: %s",
			    cfg->path ? cfg->path : "(defaults)",
			    cfg->plugins_dir, strerror(errno));
		return -1;
	}
	struct dirent *ent;
	int rc = 0;
	while ((ent = readdir(dir))) {
		size_t len = strlen(ent->d_name);
		if (len <= 6 || strncmp(ent->d_name, "qa_", 3) != 0 ||
		    strcmp(ent->d_name + len - 3, ".so") != 0)
			continue;
		char **grown =
			realloc(ids->items, (ids->n + 1) * sizeof(*grown));
		if (!grown) {
			rc = -1;
			break;
		}
		ids->items = grown;
		if (!(ids->items[ids->n] = strndup(ent->d_name + 3, len - 6))) {
			rc = -1;
			break;
		}
		ids->n++;
	}
	closedir(dir);
	qsort(ids->items, ids->n, sizeof(*ids->items), cmp_str);
	return rc;
}

int plugins_load(const struct config *cfg, struct plugin_set *set,
		 struct errlist *errs)
{
	memset(set, 0, sizeof(*set));
	struct config_list ids = {0};
	int rc = candidate_ids(cfg, &ids, errs);
	if (ids.n) {
		set->items = calloc(ids.n, sizeof(*set->items));
		if (!set->items) {
			rc = -1;
			goto out;
		}
	}
	for (size_t i = 0; i < ids.n; i++) {
		char *path = NULL;
		if (asprintf(&path, "%s/qa_%s.so", cfg->plugins_dir,
			     ids.items[i]) < 0) {
			rc = -1;
			goto out;
		}
		if (cfg->enable_set && access(path, F_OK) != 0) {
			refuse(errs, path,
			       "[plugins] enable names \"%s\" but "
			       "there is no such file in %s",
			       ids.items[i], cfg->plugins_dir);
			rc = -1;
		} else if (load_one(path, ids.items[i], cfg, set,
				    &set->items[set->n], errs) == 0) {
			set->n++;
		} else {
			rc = -1;
			set->n_refused++;
		}
		free(path);
	}
	/* No sorting after loading: each plugin's host points at its own
	 * slot (host_data), and a plugin may keep the host pointer init()
	 * gave it. The ids were sorted before loading, and a file's id is
	 * its descriptor's, so the set is in id order already. */

	/* A section for an activity that is not loaded is a typo or a
	 * missing plugin: say which. Refused plugins were reported already. */
	for (size_t i = 0; i < cfg->n_activities; i++) {
		const struct config_activity *a = &cfg->activities[i];
		bool was_candidate = false;
		for (size_t k = 0; k < ids.n; k++)
			was_candidate |= strcmp(ids.items[k], a->id) == 0;
		if (plugins_find(set, a->id) || was_candidate)
			continue;
		errlist_add(
			errs,
			"%s:%d: [activity.%s]: no plugin qa_%s.so %s in %s; "
			"`qa-scheduler plugins` lists the activity ids",
			cfg->path, a->line, a->id, a->id,
			cfg->enable_set ? "is enabled" : "exists",
			cfg->plugins_dir);
		rc = -1;
	}
out:
	config_list_free(&ids);
	return rc;
}

void plugins_unload(struct plugin_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		plugin_clear(&set->items[i]);
	free(set->items);
	memset(set, 0, sizeof(*set));
}

struct plugin *plugins_find(const struct plugin_set *set, const char *id)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->items[i].desc &&
		    strcmp(set->items[i].desc->id, id) == 0)
			return &set->items[i];
	return NULL;
}

static void print_entry(const struct plugin *p, const struct qa_config_entry *e,
			FILE *out)
{
	const char *value = plugin_value(p, e->key);
	const char *dflt = e == &common_keys[0]   ? p->desc->duration
			   : e == &common_keys[1] ? p->desc->reminders
						  : e->default_value;
	fprintf(out, "  %-18s %-18s default: %s\n", e->key,
		config_type_name(e->type), dflt && *dflt ? dflt : "(none)");
	if (value && (!dflt || strcmp(value, dflt) != 0))
		fprintf(out, "  %-18s %-18s configured: %s\n", "", "", value);
	fprintf(out, "      %s\n", e->description);
}

void plugin_print_help(const struct plugin *p, FILE *out)
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
	if (nonempty(d->responsible))
		fprintf(out, "responsible: %s\n", d->responsible);
	if (nonempty(d->frequency))
		fprintf(out, "frequency:   %s\n", d->frequency);
	if (nonempty(d->reporting))
		fprintf(out, "reporting:   %s\n", d->reporting);
	fprintf(out, "file:        %s\n\n", p->path);
	fprintf(out, "Config keys, in [activity.%s]:\n", d->id);
	for (const struct qa_config_entry *e = d->config; e && e->type; e++)
		print_entry(p, e, out);
	for (const struct qa_config_entry *e = common_keys; e->type; e++)
		print_entry(p, e, out);
	for (size_t k = 0; k < N_HOST_KEYS; k++)
		if (host_keys[k].applies(d))
			print_entry(p, &host_keys[k].entry, out);
}
