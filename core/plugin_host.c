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

static bool nonempty(const char *s)
{
	return s && *s;
}

/* ---- services every plugin gets from the host itself ---- */

static void host_log(const struct qa_host *host, enum qa_log_level level,
		     const char *fmt, ...) QA_PRINTF(3, 4);

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
	return plugin_config_value(host->host_data, key);
}

static const char *host_config_where(const struct qa_host *host,
				     const char *key)
{
	return plugin_config_where(host->host_data, key);
}

static int host_config_int(const struct qa_host *host, const char *key,
			   int *value)
{
	char why[256];
	if (plugin_config_int(host->host_data, key, value, why, sizeof(why)) ==
	    0)
		return 0;
	host_log(host, QA_LOG_ERR, "config_int(): %s", why);
	return -1;
}

bool plugin_has_homes(const struct plugin *p)
{
	return PLUGIN_HAS(p, 1, for_each_home) && p->desc->for_each_home;
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
		.config_int = host_config_int,
		.abi_minor = QA_PLUGIN_ABI_MINOR,
	};
}

/* ---- loading ---- */

static void plugin_clear(struct plugin *p)
{
	if (p->initialised && p->desc->shutdown)
		p->desc->shutdown(p->state);
	plugin_config_done(p);
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
	if (!config_is_name(d->id)) {
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
	return 0;
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
	/* A descriptor of an older minor is shorter: the host reads what
	 * it had and takes the fields added since as absent. One of a newer
	 * minor holds at least all this host knows, and more it does not
	 * read (plugin.h: "Versions"). */
	size_t needed = d->abi_minor == 0   ? QA_PLUGIN_SIZE_1_0
			: d->abi_minor == 1 ? QA_PLUGIN_SIZE_1_1
					    : sizeof(struct qa_plugin);
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
	if (plugin_config_read_schema(p, why, sizeof(why))) {
		refuse(errs, path, "%s", why);
		goto fail;
	}
	if (plugin_set_find(set, d->id)) {
		refuse(errs, path,
		       "activity id \"%s\" is already loaded from %s", d->id,
		       plugin_set_find(set, d->id)->path);
		goto fail;
	}
	struct errlist config_errs = {0};
	if (plugin_config_apply(p, cfg, &config_errs)) {
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
	if (d->abi_minor > QA_PLUGIN_ABI_MINOR)
		log_notice("plugin %s: built for plugin ABI %u.%u, newer than "
			   "this qa-scheduler's %d.%d: loaded, with what %d.%d "
			   "knows of it; upgrade qa-scheduler for the rest",
			   path, d->abi_major, d->abi_minor,
			   QA_PLUGIN_ABI_MAJOR, QA_PLUGIN_ABI_MINOR,
			   QA_PLUGIN_ABI_MAJOR, QA_PLUGIN_ABI_MINOR);
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

int plugin_set_load(const struct config *cfg, struct plugin_set *set,
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
		if (plugin_set_find(set, a->id) || was_candidate)
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
	config_list_done(&ids);
	return rc;
}

void plugin_set_done(struct plugin_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		plugin_clear(&set->items[i]);
	free(set->items);
	memset(set, 0, sizeof(*set));
}

struct plugin *plugin_set_find(const struct plugin_set *set, const char *id)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->items[i].desc &&
		    strcmp(set->items[i].desc->id, id) == 0)
			return &set->items[i];
	return NULL;
}

struct plugin_counts plugin_set_count(const struct plugin_set *set)
{
	struct plugin_counts c = {.refused = set->n_refused};
	for (size_t i = 0; i < set->n; i++)
		c.disabled += set->items[i].disabled;
	c.loaded = set->n - c.disabled;
	return c;
}
