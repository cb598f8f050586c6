/* The sixteen activity plugins, loaded from the build's plugins/ directory
 * exactly as the daemon loads them, driven through a fake host: working days
 * are Monday to Friday minus the 2026 England and Wales bank holidays below,
 * RRULEs expand with libical (in rrule_expand and in the fixed-date series
 * emit_rrule_series, which reads the plugin's own rrule and time keys as the
 * real host does), completions come from a table and everything emitted is
 * recorded. Expected dates are worked by hand from the framework
 * and SPEC section 3. */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "config_value.h"
#include "qa-scheduler/plugin.h"
#include "qa-scheduler/util.h"

static const char *const plugin_ids[] = {
	"practice_week",
	"corporate_parenting_board",
	"children_in_care_council",
	"collaborative_audit",
	"early_help_audit",
	"themed_audit",
	"multi_agency_audit",
	"dip_sample",
	"supervision",
	"reflective_practice",
	"performance_meeting",
	"iro_scrutiny",
	"cp_chair_scrutiny",
	"lado_audit",
	"reg44_visit",
	"qa_quarterly_report",
};
#define N_PLUGINS (sizeof plugin_ids / sizeof plugin_ids[0])

/* SPEC section 3. */
static const char *const role_words[] = {
	"dcs",
	"lead_member",
	"assistant_director",
	"service_lead",
	"early_help_service_lead",
	"group_manager",
	"practice_manager",
	"social_worker",
	"iro_manager",
	"cp_chair_manager",
	"partnership_manager",
	"safeguarding_lead",
	"qa_team",
	"qa_residential_lead",
	"development_lead",
};

static qa_day D(int year, int month, int day)
{
	return qa_day_from_ymd(year, month, day);
}

/* ---- the fake host ---- */

struct completion {
	const char *activity;
	const char *staff_id;
	qa_day day;
	const char *home; /* NULL: recorded without one (0.1.0) */
};

struct emitted {
	char key[64];
	enum qa_occurrence_kind kind;
	enum qa_occurrence_status status;
	qa_day date;
	int start_minute;
	int duration;
	char summary[200]; /* "" when NULL */
	char detail[200];  /* "" when NULL */
	char with_staff_id[32];
	qa_day done_on;
	char home[64]; /* "" when NULL */
};

struct due_call {
	const struct qa_subject *subject;
	enum qa_period period;
	qa_day from, to;
	char summary[200]; /* "" when NULL */
};

#define MAX_EMITTED 64
#define MAX_CALLS 32

struct fake {
	const struct qa_plugin *desc;
	const char *const *config; /* key, value, ..., NULL: overrides */
	const struct completion *completions;
	size_t n_completions;
	int fail_emit; /* emit() answers -1 */
	struct emitted emitted[MAX_EMITTED];
	size_t n_emitted;
	struct due_call calls[MAX_CALLS];
	size_t n_calls;
	size_t n_series; /* emit_rrule_series() calls */
	char log[2048];
};

static struct fake *fake_of(const struct qa_host *host)
{
	return host->host_data;
}

static void fake_log(const struct qa_host *host, enum qa_log_level level,
		     const char *fmt, ...)
{
	struct fake *fake = fake_of(host);
	size_t used = strlen(fake->log);
	(void)level;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fake->log + used, sizeof fake->log - used, fmt, ap);
	va_end(ap);
	used = strlen(fake->log);
	if (used + 1 < sizeof fake->log)
		strcat(fake->log, "\n");
}

/* The i-th key d declares, from `config` or ABI 1.2's `config_keys`
 * (config_key_size apart), as a qa_config_key (no range from `config`); of
 * type QA_CONFIG_END past the last. */
static struct qa_config_key declared(const struct qa_plugin *d, size_t i)
{
	struct qa_config_key key = {0};
	if (d->config_keys)
		memcpy(&key,
		       (const char *)d->config_keys + i * d->config_key_size,
		       sizeof key);
	else if (d->config)
		memcpy(&key, &d->config[i], sizeof d->config[i]);
	return key;
}

/* Overrides first, then the schema's default, as the real host does. */
static const char *fake_config_get(const struct qa_host *host, const char *key)
{
	struct fake *fake = fake_of(host);
	for (const char *const *kv = fake->config; kv && kv[0]; kv += 2)
		if (strcmp(kv[0], key) == 0)
			return kv[1];
	struct qa_config_key e;
	for (size_t i = 0; (e = declared(fake->desc, i)).type; i++)
		if (strcmp(e.key, key) == 0)
			return e.default_value;
	if (strcmp(key, "duration") == 0)
		return fake->desc->duration;
	if (strcmp(key, "reminders") == 0)
		return fake->desc->reminders;
	return NULL;
}

/* The typed value, as the real host gives it from the same text. The real
 * host refuses a value outside the schema's range before init(), so a test
 * that passes one here is wrong. */
static int fake_config_int(const struct qa_host *host, const char *key,
			   int *value)
{
	struct fake *fake = fake_of(host);
	struct qa_config_key e = {.type = QA_CONFIG_DURATION};
	if (strcmp(key, "duration") != 0)
		for (size_t i = 0; (e = declared(fake->desc, i)).type; i++)
			if (strcmp(e.key, key) == 0)
				break;
	if (config_value_int(e.type, fake_config_get(host, key), value)) {
		host->log(host, QA_LOG_ERR, "config_int(\"%s\"): no number",
			  key);
		return -1;
	}
	if (e.min || e.max)
		assert_in_range(*value, e.min, e.max);
	return 0;
}

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static int fake_emit(const struct qa_host *host,
		     const struct qa_occurrence *occ)
{
	struct fake *fake = fake_of(host);
	if (fake->fail_emit)
		return -1;
	assert_true(fake->n_emitted < MAX_EMITTED);
	assert_int_equal(occ->struct_size, sizeof *occ);
	assert_non_null(occ->key);
	struct emitted *e = &fake->emitted[fake->n_emitted++];
	copy_text(e->key, sizeof e->key, occ->key);
	e->kind = occ->kind;
	e->status = occ->status;
	e->date = occ->date;
	e->start_minute = occ->start_minute;
	e->duration = occ->duration;
	copy_text(e->summary, sizeof e->summary, occ->summary);
	copy_text(e->detail, sizeof e->detail, occ->detail);
	copy_text(e->with_staff_id, sizeof e->with_staff_id,
		  occ->with_staff_id);
	e->done_on = occ->done_on;
	copy_text(e->home, sizeof e->home, occ->home);
	return 0;
}

static int fake_rrule_expand(const struct qa_host *host, const char *rrule,
			     qa_day dtstart, qa_day from, qa_day to,
			     qa_day_cb cb, void *arg)
{
	(void)host;
	struct icalrecurrencetype recur = icalrecurrencetype_from_string(rrule);
	if (recur.freq == ICAL_NO_RECURRENCE)
		return -1;
	struct icaltimetype start = icaltime_null_date();
	qa_day_to_ymd(dtstart, &start.year, &start.month, &start.day);
	icalrecur_iterator *it = icalrecur_iterator_new(recur, start);
	if (!it)
		return -1;
	for (struct icaltimetype t = icalrecur_iterator_next(it);
	     !icaltime_is_null_time(t); t = icalrecur_iterator_next(it)) {
		qa_day day = D(t.year, t.month, t.day);
		if (day > to)
			break;
		if (day >= from && cb(day, arg))
			break;
	}
	icalrecur_iterator_free(it);
	return 0;
}

/* England and Wales bank holidays 2026 (Christmas on a Friday, Boxing Day
 * substituted on Monday 28 December). */
static int is_bank_holiday(qa_day day)
{
	static const int holidays[][2] = {{1, 1},  {4, 3},  {4, 6},   {5, 4},
					  {5, 25}, {8, 31}, {12, 25}, {12, 28}};
	for (size_t i = 0; i < sizeof holidays / sizeof holidays[0]; i++)
		if (day == D(2026, holidays[i][0], holidays[i][1]))
			return 1;
	return 0;
}

static int fake_is_working_day(const struct qa_host *host, qa_day day)
{
	(void)host;
	return qa_day_weekday(day) <= 5 && !is_bank_holiday(day);
}

static qa_day fake_shift_to_working_day(const struct qa_host *host, qa_day day,
					int dir)
{
	while (!fake_is_working_day(host, day))
		day += dir > 0 ? 1 : -1;
	return day;
}

static qa_day fake_add_working_days(const struct qa_host *host, qa_day day,
				    int n)
{
	int step = n < 0 ? -1 : 1;
	for (int left = n < 0 ? -n : n; left > 0;) {
		day += step;
		if (fake_is_working_day(host, day))
			left--;
	}
	return day;
}

static int completion_matches(const struct completion *c, const char *activity,
			      const char *staff_id)
{
	return strcmp(c->activity, activity) == 0 &&
	       (!staff_id || strcmp(c->staff_id, staff_id) == 0);
}

static int fake_last_completion(const struct qa_host *host,
				const char *activity, const char *staff_id,
				qa_day before, qa_day *done_on)
{
	struct fake *fake = fake_of(host);
	int found = 0;
	for (size_t i = 0; i < fake->n_completions; i++) {
		const struct completion *c = &fake->completions[i];
		if (completion_matches(c, activity, staff_id) &&
		    c->day <= before && (!found || c->day > *done_on)) {
			*done_on = c->day;
			found = 1;
		}
	}
	return found;
}

static int by_day(const void *a, const void *b)
{
	const struct completion *x = a, *y = b;
	return (x->day > y->day) - (x->day < y->day);
}

/* Oldest first, as the real host promises, whatever order a test lists. */
static int fake_for_each_completion(const struct qa_host *host,
				    const char *activity, const char *staff_id,
				    qa_day from, qa_day to, qa_day_cb cb,
				    void *arg)
{
	struct fake *fake = fake_of(host);
	struct completion sorted[64];
	assert_true(fake->n_completions <= 64);
	if (fake->n_completions == 0)
		return 0; /* completions may be NULL: no memcpy from it */
	memcpy(sorted, fake->completions,
	       fake->n_completions * sizeof sorted[0]);
	qsort(sorted, fake->n_completions, sizeof sorted[0], by_day);
	for (size_t i = 0; i < fake->n_completions; i++) {
		const struct completion *c = &sorted[i];
		if (completion_matches(c, activity, staff_id) &&
		    c->day >= from && c->day <= to && cb(c->day, arg))
			break;
	}
	return 0;
}

/* The same, of the completions at home (qa_same_name), or with none for
 * "". */
static int fake_for_each_completion_at(const struct qa_host *host,
				       const char *activity,
				       const char *staff_id, const char *home,
				       qa_day from, qa_day to, qa_day_cb cb,
				       void *arg)
{
	struct fake *fake = fake_of(host);
	struct completion sorted[64];
	assert_non_null(home);
	assert_true(fake->n_completions <= 64);
	if (fake->n_completions == 0)
		return 0;
	memcpy(sorted, fake->completions,
	       fake->n_completions * sizeof sorted[0]);
	qsort(sorted, fake->n_completions, sizeof sorted[0], by_day);
	for (size_t i = 0; i < fake->n_completions; i++) {
		const struct completion *c = &sorted[i];
		int at = *home ? c->home && qa_same_name(c->home, home)
			       : !c->home;
		if (at && completion_matches(c, activity, staff_id) &&
		    c->day >= from && c->day <= to && cb(c->day, arg))
			break;
	}
	return 0;
}

/* Where a key was set: the fake's overrides are "test.conf:<index>". */
static const char *fake_config_where(const struct qa_host *host,
				     const char *key)
{
	static char where[64];
	struct fake *fake = fake_of(host);
	for (size_t i = 0; fake->config && fake->config[i]; i += 2)
		if (strcmp(fake->config[i], key) == 0) {
			snprintf(where, sizeof where, "test.conf:%zu",
				 i / 2 + 1);
			return where;
		}
	return NULL;
}

static int fake_emit_due_per_period(const struct qa_host *host,
				    const struct qa_subject *subject,
				    enum qa_period period, qa_day from,
				    qa_day to, const char *summary)
{
	struct fake *fake = fake_of(host);
	assert_true(fake->n_calls < MAX_CALLS);
	struct due_call *call = &fake->calls[fake->n_calls++];
	call->subject = subject;
	call->period = period;
	call->from = from;
	call->to = to;
	copy_text(call->summary, sizeof call->summary, summary);
	return 0;
}

/* The value of a key the plugin declares with type in its own table: the real
 * host's series reads nothing else. */
static const char *declared_value(const struct qa_host *host, const char *key,
				  enum qa_config_type type)
{
	struct fake *fake = fake_of(host);
	struct qa_config_key e;
	for (size_t i = 0; (e = declared(fake->desc, i)).type; i++)
		if (strcmp(e.key, key) == 0 && e.type == type)
			return fake_config_get(host, key);
	fail_msg("%s: emit_rrule_series() needs the plugin to declare \"%s\"",
		 fake->desc->id, key);
	return NULL;
}

struct series {
	const struct qa_host *host;
	enum qa_occurrence_kind kind;
	int start_minute;
	const char *summary;
	int failed;
};

static int emit_series_day(qa_day day, void *arg)
{
	struct series *series = arg;
	char key[11];
	struct qa_occurrence occ = {
		.struct_size = sizeof occ,
		.key = qa_day_text(day, key),
		.kind = series->kind,
		.status = QA_STATUS_CONFIRMED,
		.date = day,
		.start_minute = series->start_minute,
		.duration = 0,
		.summary = series->summary,
		.done_on = QA_DAY_NONE,
	};
	if (series->host->emit(series->host, &occ) < 0) {
		series->failed = 1;
		return 1;
	}
	return 0;
}

/* As the plugin API promises: every date of the plugin's rrule in [from, to]
 * expanded from 2020-01-01, none after left_on, keyed by date; an event at
 * the plugin's time. Emits through host->emit, so fail_emit reaches it. */
static int fake_emit_rrule_series(const struct qa_host *host,
				  const struct qa_subject *subject,
				  enum qa_occurrence_kind kind, qa_day from,
				  qa_day to, const char *summary)
{
	struct fake *fake = fake_of(host);
	fake->n_series++;
	assert_true(kind == QA_OCC_EVENT || kind == QA_OCC_ALLDAY);
	struct series series = {host, kind, 0, summary, 0};
	const char *rrule = declared_value(host, "rrule", QA_CONFIG_RRULE);
	if (kind == QA_OCC_EVENT) {
		const char *time = declared_value(host, "time", QA_CONFIG_TIME);
		if (qa_time_parse(time, &series.start_minute) < 0) {
			host->log(host, QA_LOG_ERR,
				  "%s: time \"%s\" is not HH:MM",
				  fake->desc->id, time ? time : "");
			return -1;
		}
	}
	if (subject->left_on != QA_DAY_NONE && subject->left_on < to)
		to = subject->left_on;
	if (to < from)
		return 0;
	if (fake_rrule_expand(host, rrule, D(2020, 1, 1), from, to,
			      emit_series_day, &series) < 0 ||
	    series.failed)
		return -1;
	return 0;
}

static struct qa_host make_host(struct fake *fake)
{
	struct qa_host host = {
		.struct_size = sizeof host,
		.host_data = fake,
		.log = fake_log,
		.config_get = fake_config_get,
		.emit = fake_emit,
		.rrule_expand = fake_rrule_expand,
		.is_working_day = fake_is_working_day,
		.add_working_days = fake_add_working_days,
		.shift_to_working_day = fake_shift_to_working_day,
		.last_completion = fake_last_completion,
		.for_each_completion = fake_for_each_completion,
		.emit_due_per_period = fake_emit_due_per_period,
		.emit_rrule_series = fake_emit_rrule_series,
		.config_where = fake_config_where,
		.for_each_completion_at = fake_for_each_completion_at,
		.config_int = fake_config_int,
		.abi_minor = QA_PLUGIN_ABI_MINOR,
	};
	return host;
}

/* ---- loading ---- */

struct loaded {
	void *handle;
	const struct qa_plugin *desc;
};

static struct loaded load(const char *id)
{
	char path[512];
	snprintf(path, sizeof path, "%s/qa_%s.so", QA_PLUGIN_DIR, id);
	struct loaded plugin = {dlopen(path, RTLD_NOW | RTLD_LOCAL), NULL};
	if (!plugin.handle)
		fail_msg("dlopen %s: %s", path, dlerror());
	void *symbol = dlsym(plugin.handle, "qa_plugin_entry");
	const struct qa_plugin *(*entry)(void) = NULL;
	memcpy(&entry, &symbol, sizeof entry); /* POSIX: object to function */
	if (!entry)
		fail_msg("%s: no qa_plugin_entry", path);
	plugin.desc = entry();
	assert_non_null(plugin.desc);
	return plugin;
}

/* Load id, init with config, generate [from, to] for subject, shut down.
 * Returns generate's answer; init must succeed. */
static int run(const char *id, const char *const *config,
	       const struct completion *completions, size_t n_completions,
	       const struct qa_subject *subject, qa_day from, qa_day to,
	       struct fake *fake)
{
	struct loaded plugin = load(id);
	memset(fake, 0, sizeof *fake);
	fake->desc = plugin.desc;
	fake->config = config;
	fake->completions = completions;
	fake->n_completions = n_completions;
	struct qa_host host = make_host(fake);
	void *state = NULL;
	if (plugin.desc->init && plugin.desc->init(&host, &state) != 0)
		fail_msg("%s: init refused: %s", id, fake->log);
	int rc = plugin.desc->generate(state, subject, from, to, &host);
	if (plugin.desc->shutdown)
		plugin.desc->shutdown(state);
	dlclose(plugin.handle);
	return rc;
}

/* init() alone; the log is left in fake->log. */
static int init_only(const char *id, const char *const *config,
		     struct fake *fake)
{
	struct loaded plugin = load(id);
	memset(fake, 0, sizeof *fake);
	fake->desc = plugin.desc;
	fake->config = config;
	struct qa_host host = make_host(fake);
	void *state = NULL;
	int rc = plugin.desc->init ? plugin.desc->init(&host, &state) : 0;
	if (rc == 0 && plugin.desc->shutdown)
		plugin.desc->shutdown(state);
	dlclose(plugin.handle);
	return rc;
}

static struct qa_subject person(const char *staff_id, const char *manager_id,
				qa_day added_on, qa_day nqsw_start,
				qa_day left_on, qa_day today)
{
	struct qa_subject subject = {
		.struct_size = sizeof subject,
		.staff_id = staff_id,
		.name = staff_id,
		.manager_id = manager_id,
		.added_on = added_on,
		.nqsw_start = nqsw_start,
		.left_on = left_on,
		.today = today,
	};
	return subject;
}

/* The whole audience of an activity, on the organisation's date today. */
static struct qa_subject audience(qa_day today)
{
	struct qa_subject subject = {
		.struct_size = sizeof subject,
		.added_on = QA_DAY_NONE,
		.nqsw_start = QA_DAY_NONE,
		.left_on = QA_DAY_NONE,
		.today = today,
	};
	return subject;
}

/* Compare as text so a failure reads "2026-07-17" != "2026-07-10". */
static void assert_day(qa_day actual, const char *expected)
{
	char buf[11];
	assert_string_equal(actual == QA_DAY_NONE ? "none"
						  : qa_day_text(actual, buf),
			    expected);
}

static const struct emitted *find_key(const struct fake *fake, const char *key)
{
	for (size_t i = 0; i < fake->n_emitted; i++)
		if (strcmp(fake->emitted[i].key, key) == 0)
			return &fake->emitted[i];
	return NULL;
}

/* The date of the occurrence with key; fails the test if there is none. */
static const struct emitted *must_find(const struct fake *fake, const char *key)
{
	const struct emitted *e = find_key(fake, key);
	if (!e)
		fail_msg("no occurrence with key \"%s\" (%zu emitted)", key,
			 fake->n_emitted);
	return e;
}

static qa_day key_day(const struct fake *fake, const char *key)
{
	return must_find(fake, key)->date;
}

/* The tentative (projected) sessions, in emission order. */
static size_t tentatives(const struct fake *fake, const struct emitted **out,
			 size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < fake->n_emitted; i++)
		if (fake->emitted[i].status == QA_STATUS_TENTATIVE && n < max)
			out[n++] = &fake->emitted[i];
	return n;
}

/* ---- descriptors ---- */

static int is_role_word(const char *word, size_t len)
{
	for (size_t i = 0; i < sizeof role_words / sizeof role_words[0]; i++)
		if (strlen(role_words[i]) == len &&
		    strncmp(role_words[i], word, len) == 0)
			return 1;
	return 0;
}

static void check_roles(const char *id, const char *roles)
{
	if (strcmp(roles, "*") == 0)
		return;
	const char *p = roles;
	for (;;) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, ",");
		size_t word = len;
		while (word > 0 && p[word - 1] == ' ')
			word--;
		if (!is_role_word(p, word))
			fail_msg("%s: \"%.*s\" in roles \"%s\" is not a role "
				 "of SPEC section 3",
				 id, (int)word, p, roles);
		if (!p[len])
			break;
		p += len + 1;
	}
}

static void check_text(const char *id, const char *field, const char *text)
{
	if (!text || !*text)
		fail_msg("%s: %s is empty", id, field);
}

static void test_descriptors(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < N_PLUGINS; i++) {
		const char *id = plugin_ids[i];
		struct loaded plugin = load(id);
		const struct qa_plugin *d = plugin.desc;
		assert_int_equal(d->abi_major, QA_PLUGIN_ABI_MAJOR);
		assert_true(d->abi_minor <= QA_PLUGIN_ABI_MINOR);
		assert_int_equal(d->struct_size, sizeof(struct qa_plugin));
		assert_string_equal(d->id, id);
		check_text(id, "title", d->title);
		check_text(id, "description", d->description);
		assert_string_equal(d->version, "1.0");
		check_text(id, "cadence", d->cadence);
		check_text(id, "responsible", d->responsible);
		check_text(id, "frequency", d->frequency);
		check_text(id, "reporting", d->reporting);
		check_text(id, "roles", d->roles);
		check_roles(id, d->roles);
		assert_true(d->scope == QA_SCOPE_AUDIENCE ||
			    d->scope == QA_SCOPE_PERSON);
		check_text(id, "duration", d->duration);
		check_text(id, "reminders", d->reminders);
		assert_non_null(d->generate);
		/* init and shutdown come together: state has one owner. */
		assert_true(!d->init == !d->shutdown);
		/* One schema, of entries the size this header has. */
		assert_true(!d->config || !d->config_keys);
		if (d->config_keys)
			assert_int_equal(d->config_key_size,
					 sizeof(struct qa_config_key));
		struct qa_config_key e;
		for (size_t k = 0; (e = declared(d, k)).type; k++) {
			assert_true(e.type > QA_CONFIG_END &&
				    e.type <= QA_CONFIG_LIST);
			check_text(id, "config key", e.key);
			assert_non_null(e.default_value);
			check_text(id, e.key, e.description);
			/* The host adds these itself. */
			assert_string_not_equal(e.key, "duration");
			assert_string_not_equal(e.key, "reminders");
			/* A range only where there is a number, and the
			 * default inside it. */
			int value;
			if (e.min || e.max) {
				assert_true(config_type_has_range(e.type));
				assert_int_equal(
					config_value_int(e.type,
							 e.default_value,
							 &value),
					0);
				assert_in_range(value, e.min, e.max);
			}
		}
		/* Built with -fvisibility=hidden: nothing else is exported. */
		assert_null(dlsym(plugin.handle, "generate"));
		assert_null(dlsym(plugin.handle, "plugin"));
		dlclose(plugin.handle);
	}
}

static void test_scopes_and_roles(void **unused)
{
	(void)unused;
	struct loaded sup = load("supervision");
	assert_string_equal(sup.desc->roles, "*");
	assert_int_equal(sup.desc->scope, QA_SCOPE_PERSON);
	assert_string_equal(sup.desc->duration, "90m");
	assert_string_equal(sup.desc->reminders, "2d");
	dlclose(sup.handle);
	struct loaded week = load("practice_week");
	assert_int_equal(week.desc->scope, QA_SCOPE_AUDIENCE);
	assert_string_equal(week.desc->duration, "5d");
	dlclose(week.handle);
	struct loaded themed = load("themed_audit");
	assert_int_equal(themed.desc->scope, QA_SCOPE_AUDIENCE);
	assert_string_equal(themed.desc->roles, "qa_team");
	dlclose(themed.handle);
	struct loaded quarterly = load("qa_quarterly_report");
	assert_int_equal(quarterly.desc->scope, QA_SCOPE_AUDIENCE);
	dlclose(quarterly.handle);
	struct loaded reg44 = load("reg44_visit");
	assert_int_equal(reg44.desc->scope, QA_SCOPE_PERSON);
	assert_string_equal(reg44.desc->roles, "qa_residential_lead");
	dlclose(reg44.handle);
}

/* ---- fixed-date activities ---- */

/* Each fixed-date plugin hands its whole series to the host's service, once,
 * and emits nothing of its own. */
static void check_one_series(const struct fake *fake)
{
	assert_int_equal(fake->n_series, 1);
	for (size_t i = 0; i < fake->n_emitted; i++) {
		assert_int_equal(fake->emitted[i].status, QA_STATUS_CONFIRMED);
		assert_int_equal(fake->emitted[i].duration, 0);
		assert_string_equal(fake->emitted[i].summary, "");
		assert_int_equal(fake->emitted[i].done_on, QA_DAY_NONE);
	}
}

static void test_practice_week_default(void **unused)
{
	(void)unused;
	struct qa_subject all = audience(D(2026, 1, 1));
	struct fake fake;
	assert_int_equal(run("practice_week", NULL, NULL, 0, &all,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	check_one_series(&fake);
	/* Second Mondays: March 2026 starts on a Sunday, September on a
	 * Tuesday. */
	assert_int_equal(fake.n_emitted, 2);
	assert_day(fake.emitted[0].date, "2026-03-09");
	assert_string_equal(fake.emitted[0].key, "2026-03-09");
	assert_day(fake.emitted[1].date, "2026-09-14");
	assert_string_equal(fake.emitted[1].key, "2026-09-14");
	/* All-day, lasting the configured duration (0), five days by
	 * default: Monday to Friday. */
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(fake.emitted[i].kind, QA_OCC_ALLDAY);
	struct loaded week = load("practice_week");
	assert_string_equal(week.desc->duration, "5d");
	dlclose(week.handle);
}

static void test_practice_week_configured(void **unused)
{
	(void)unused;
	static const char *const config[] = {
		"rrule", "FREQ=YEARLY;BYMONTH=6;BYDAY=1MO", NULL};
	struct qa_subject all = audience(D(2026, 1, 1));
	struct fake fake;
	assert_int_equal(run("practice_week", config, NULL, 0, &all,
			     D(2026, 1, 1), D(2027, 12, 31), &fake),
			 0);
	check_one_series(&fake);
	assert_int_equal(fake.n_emitted, 2);
	assert_day(fake.emitted[0].date, "2026-06-01");
	assert_day(fake.emitted[1].date, "2027-06-07");
}

static void check_board_days(const struct fake *fake, int start_minute)
{
	static const char *const days[] = {"2026-01-13", "2026-04-14",
					   "2026-07-14", "2026-10-13"};
	check_one_series(fake);
	assert_int_equal(fake->n_emitted, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_day(fake->emitted[i].date, days[i]);
		assert_string_equal(fake->emitted[i].key, days[i]);
		assert_int_equal(fake->emitted[i].kind, QA_OCC_EVENT);
		assert_int_equal(fake->emitted[i].start_minute, start_minute);
	}
}

static void test_board_and_children_in_care_council(void **unused)
{
	(void)unused;
	struct qa_subject all = audience(D(2026, 1, 1));
	struct fake fake;
	/* Second Tuesdays of January, April, July, October 2026, 14:00. */
	assert_int_equal(run("corporate_parenting_board", NULL, NULL, 0, &all,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	check_board_days(&fake, 14 * 60);
	/* The Children in Care Council reports at the board: same days. */
	assert_int_equal(run("children_in_care_council", NULL, NULL, 0, &all,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	check_board_days(&fake, 14 * 60);

	/* The host's series reads the plugin's own time key. */
	static const char *const config[] = {"time", "09:30", NULL};
	assert_int_equal(run("corporate_parenting_board", config, NULL, 0, &all,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	check_board_days(&fake, 9 * 60 + 30);
}

static void test_monthly_meetings(void **unused)
{
	(void)unused;
	struct qa_subject all = audience(D(2026, 1, 1));
	struct fake fake;
	/* Third Wednesdays at 14:00. */
	assert_int_equal(run("reflective_practice", NULL, NULL, 0, &all,
			     D(2026, 1, 1), D(2026, 2, 28), &fake),
			 0);
	check_one_series(&fake);
	assert_int_equal(fake.n_emitted, 2);
	assert_day(fake.emitted[0].date, "2026-01-21");
	assert_day(fake.emitted[1].date, "2026-02-18");
	assert_int_equal(fake.emitted[0].start_minute, 14 * 60);
	assert_int_equal(fake.emitted[0].kind, QA_OCC_EVENT);
	/* Second Thursdays at 10:00: 1 January 2026 is a Thursday and a bank
	 * holiday, which is why the default is not the first. */
	assert_int_equal(run("performance_meeting", NULL, NULL, 0, &all,
			     D(2026, 1, 1), D(2026, 2, 28), &fake),
			 0);
	check_one_series(&fake);
	assert_int_equal(fake.n_emitted, 2);
	assert_day(fake.emitted[0].date, "2026-01-08");
	assert_day(fake.emitted[1].date, "2026-02-12");
	assert_int_equal(fake.emitted[0].start_minute, 10 * 60);
	assert_int_equal(fake.emitted[0].kind, QA_OCC_EVENT);
}

/* The host's series refuses a time that is not HH:MM (the real host already
 * refuses it when loading the config); the plugin passes the failure on. */
static void test_meetings_refuse_bad_time(void **unused)
{
	(void)unused;
	static const char *const ids[] = {
		"corporate_parenting_board", "children_in_care_council",
		"reflective_practice", "performance_meeting"};
	static const char *const bad[] = {"24:00", "9:60", "14:00x", "noon"};
	struct qa_subject all = audience(D(2026, 1, 1));
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
			const char *const config[] = {"time", bad[j], NULL};
			struct fake fake;
			if (run(ids[i], config, NULL, 0, &all, D(2026, 1, 1),
				D(2026, 12, 31), &fake) != -1)
				fail_msg("%s accepted time \"%s\"", ids[i],
					 bad[j]);
			assert_int_equal(fake.n_emitted, 0);
			assert_non_null(strstr(fake.log, bad[j]));
		}
	}
}

/* ---- due-by activities ---- */

static void test_due_per_period(void **unused)
{
	(void)unused;
	static const struct {
		const char *id;
		enum qa_period period;
	} cases[] = {
		{"collaborative_audit", QA_PERIOD_MONTH},
		{"early_help_audit", QA_PERIOD_MONTH},
		{"cp_chair_scrutiny", QA_PERIOD_MONTH},
		{"multi_agency_audit", QA_PERIOD_QUARTER},
		{"qa_quarterly_report", QA_PERIOD_QUARTER},
		{"dip_sample", QA_PERIOD_WEEK},
	};
	struct qa_subject pm = person("pm1", "gm1", D(2025, 6, 1), QA_DAY_NONE,
				      QA_DAY_NONE, D(2026, 1, 10));
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fake fake;
		assert_int_equal(run(cases[i].id, NULL, NULL, 0, &pm,
				     D(2026, 1, 10), D(2026, 12, 20), &fake),
				 0);
		assert_int_equal(fake.n_calls, 1);
		assert_ptr_equal(fake.calls[0].subject, &pm);
		assert_int_equal(fake.calls[0].period, cases[i].period);
		assert_day(fake.calls[0].from, "2026-01-10");
		assert_day(fake.calls[0].to, "2026-12-20");
		assert_string_equal(fake.calls[0].summary, "");
		assert_int_equal(fake.n_emitted, 0);
	}
}

static void test_iro_quarter_end_dispute_audit(void **unused)
{
	(void)unused;
	struct qa_subject iro =
		person("iro1", "am1", D(2025, 1, 1), QA_DAY_NONE, QA_DAY_NONE,
		       D(2026, 1, 15));
	struct fake fake;
	assert_int_equal(run("iro_scrutiny", NULL, NULL, 0, &iro,
			     D(2026, 1, 15), D(2026, 6, 30), &fake),
			 0);
	assert_int_equal(fake.n_calls, 6);
	assert_day(fake.calls[0].from, "2026-01-15");
	assert_day(fake.calls[0].to, "2026-01-31");
	assert_day(fake.calls[1].from, "2026-02-01");
	assert_day(fake.calls[1].to, "2026-02-28");
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(fake.calls[i].period, QA_PERIOD_MONTH);
		assert_ptr_equal(fake.calls[i].subject, &iro);
		int quarter_end = i == 2 || i == 5; /* March, June */
		if (quarter_end)
			assert_non_null(strstr(fake.calls[i].summary,
					       "dispute resolution audit"));
		else
			assert_string_equal(fake.calls[i].summary, "");
	}
}

static void test_lado_annual_audit_quarter(void **unused)
{
	(void)unused;
	struct qa_subject lead =
		person("sl1", "ad1", D(2025, 1, 1), QA_DAY_NONE, QA_DAY_NONE,
		       D(2026, 1, 1));
	struct fake fake;
	assert_int_equal(run("lado_audit", NULL, NULL, 0, &lead, D(2026, 1, 1),
			     D(2026, 12, 31), &fake),
			 0);
	assert_int_equal(fake.n_calls, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(fake.calls[i].period, QA_PERIOD_QUARTER);
	/* Default audit_month 3: the Q1 report carries the annual audit. */
	assert_non_null(strstr(fake.calls[0].summary, "annual audit"));
	assert_string_equal(fake.calls[1].summary, "");
	assert_string_equal(fake.calls[3].summary, "");
	assert_day(fake.calls[3].from, "2026-10-01");
	assert_day(fake.calls[3].to, "2026-12-31");

	static const char *const november[] = {"audit_month", "11", NULL};
	assert_int_equal(run("lado_audit", november, NULL, 0, &lead,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	assert_string_equal(fake.calls[0].summary, "");
	assert_non_null(strstr(fake.calls[3].summary, "annual audit"));

	/* April is in the second quarter, not the first. */
	static const char *const april[] = {"audit_month", "4", NULL};
	assert_int_equal(run("lado_audit", april, NULL, 0, &lead, D(2026, 1, 1),
			     D(2026, 12, 31), &fake),
			 0);
	assert_string_equal(fake.calls[0].summary, "");
	assert_non_null(strstr(fake.calls[1].summary, "annual audit"));
	assert_string_equal(fake.calls[2].summary, "");
	/* 13, 0 or "march" never reach init(): the host refuses them
	 * against the schema's type and range (test_plugin_host.c). */
}

/* ---- themed audits ---- */

static void test_themed_audit_default(void **unused)
{
	(void)unused;
	struct qa_subject all = audience(D(2026, 1, 1));
	struct fake fake;
	assert_int_equal(run("themed_audit", NULL, NULL, 0, &all, D(2026, 1, 1),
			     D(2026, 12, 31), &fake),
			 0);
	/* The seven core areas of practice. */
	assert_int_equal(fake.n_emitted, 7);
	const struct emitted *jan = find_key(&fake, "2026-01");
	assert_non_null(jan);
	assert_day(jan->date, "2026-01-30"); /* 31st is a Saturday */
	assert_int_equal(jan->kind, QA_OCC_DUE);
	assert_string_equal(jan->summary,
			    "Themed audit: Assessments of need, harm and risk");
	assert_int_equal(jan->done_on, QA_DAY_NONE);
	const struct emitted *may = find_key(&fake, "2026-05");
	assert_non_null(may);
	assert_day(may->date, "2026-05-29"); /* 31st is a Sunday */
	assert_null(find_key(&fake, "2026-08"));
	assert_null(find_key(&fake, "2026-12"));
	const struct emitted *oct = find_key(&fake, "2026-10");
	assert_non_null(oct);
	assert_non_null(strstr(oct->summary, "Management oversight"));
}

static void test_themed_audit_configured(void **unused)
{
	(void)unused;
	static const char *const config[] = {
		"themes", " aug = Neglect ; Dec=Exploitation;", NULL};
	static const struct completion done[] = {
		{"themed_audit", "qa2", 0, NULL},
		{"themed_audit", "qa1", 0, NULL},
		{"dip_sample", "qa1", 0, NULL},
	};
	struct completion completions[3];
	memcpy(completions, done, sizeof done);
	completions[0].day = D(2026, 8, 12);
	completions[1].day = D(2026, 7, 31); /* July: not August's */
	completions[2].day = D(2026, 12, 1); /* another activity */
	struct qa_subject all = audience(D(2026, 1, 1));
	struct fake fake;
	assert_int_equal(run("themed_audit", config, completions, 3, &all,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	assert_int_equal(fake.n_emitted, 2);
	const struct emitted *aug = find_key(&fake, "2026-08");
	assert_non_null(aug);
	/* Monday 31 August is the summer bank holiday. */
	assert_day(aug->date, "2026-08-28");
	assert_string_equal(aug->summary, "Themed audit: Neglect");
	/* Anyone in the team completes the team's audit. */
	assert_day(aug->done_on, "2026-08-12");
	const struct emitted *dec = find_key(&fake, "2026-12");
	assert_non_null(dec);
	assert_day(dec->date, "2026-12-31");
	assert_int_equal(dec->done_on, QA_DAY_NONE);
}

static void test_themed_audit_refuses_bad_schedule(void **unused)
{
	(void)unused;
	static const struct {
		const char *themes;
		const char *named; /* what the log line must name */
	} bad[] = {
		{"jan Assessments", "jan Assessments"},
		{"jan=Assessments; febr=Care plans", "febr"},
		{"jan=", "jan"},
		{"jan=Assessments; JAN=Care plans", "twice"},
		{"13=Assessments", "13"},
		{"=Assessments", "is not a month"},
	};
	struct fake fake;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *const config[] = {"themes", bad[i].themes, NULL};
		if (init_only("themed_audit", config, &fake) != -1)
			fail_msg("themes \"%s\" was accepted", bad[i].themes);
		if (!strstr(fake.log, bad[i].named))
			fail_msg("log \"%s\" does not name \"%s\"", fake.log,
				 bad[i].named);
	}
	char long_theme[300] = "jan=";
	memset(long_theme + 4, 'x', 200);
	const char *const too_long[] = {"themes", long_theme, NULL};
	assert_int_equal(init_only("themed_audit", too_long, &fake), -1);

	const char *const empty[] = {"themes", "", NULL};
	struct qa_subject all = audience(D(2026, 1, 1));
	assert_int_equal(run("themed_audit", empty, NULL, 0, &all,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	assert_int_equal(fake.n_emitted, 0);
}

/* ---- Regulation 44 visits ---- */

static const char *const reg44_homes[] = {
	"placements", "Oak House=3; Birch Lodge (Crawley)=08", NULL};

static void test_reg44_visits(void **unused)
{
	(void)unused;
	struct qa_subject lead = person("r1", "sl1", D(2025, 1, 1), QA_DAY_NONE,
					QA_DAY_NONE, D(2026, 1, 1));
	struct fake fake;
	assert_int_equal(run("reg44_visit", reg44_homes, NULL, 0, &lead,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	assert_int_equal(fake.n_emitted, 2);
	const struct emitted *oak = find_key(&fake, "oak-house-2026");
	assert_non_null(oak);
	assert_day(oak->date, "2026-03-31");
	assert_int_equal(oak->kind, QA_OCC_DUE);
	assert_string_equal(oak->summary, "Regulation 44 visit: Oak House");
	assert_int_equal(oak->done_on, QA_DAY_NONE);
	const struct emitted *birch =
		find_key(&fake, "birch-lodge-crawley-2026");
	assert_non_null(birch);
	assert_day(birch->date, "2026-08-28"); /* 31 August: bank holiday */
	assert_string_equal(birch->summary,
			    "Regulation 44 visit: Birch Lodge (Crawley)");

	/* One visit counts once, for the home due soonest. */
	struct completion one[] = {{"reg44_visit", "r1", D(2026, 2, 10), NULL},
				   {"reg44_visit", "r2", D(2026, 5, 5), NULL}};
	assert_int_equal(run("reg44_visit", reg44_homes, one, 2, &lead,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	assert_day(must_find(&fake, "oak-house-2026")->done_on, "2026-02-10");
	assert_int_equal(must_find(&fake, "birch-lodge-crawley-2026")->done_on,
			 QA_DAY_NONE);

	struct completion two[] = {{"reg44_visit", "r1", D(2026, 5, 5), NULL},
				   {"reg44_visit", "r1", D(2026, 2, 10), NULL}};
	assert_int_equal(run("reg44_visit", reg44_homes, two, 2, &lead,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	assert_day(must_find(&fake, "oak-house-2026")->done_on, "2026-02-10");
	assert_day(must_find(&fake, "birch-lodge-crawley-2026")->done_on,
		   "2026-05-05");

	/* A June 2025 visit lies in the 12 months before Oak House's 2026 due
	 * date, but it was Birch Lodge's 2025 visit (due August 2025): it
	 * must not count twice. */
	struct completion earlier[] = {
		{"reg44_visit", "r1", D(2025, 6, 1), NULL}};
	assert_int_equal(run("reg44_visit", reg44_homes, earlier, 1, &lead,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	assert_int_equal(must_find(&fake, "oak-house-2026")->done_on,
			 QA_DAY_NONE);
	assert_int_equal(must_find(&fake, "birch-lodge-crawley-2026")->done_on,
			 QA_DAY_NONE);
}

/* Issue 6: a visit recorded with its home counts for that home only (0.1.0
 * gave a February visit to Birch Lodge to Oak House, due soonest). */
static int list_home(const char *home, void *arg)
{
	char *names = arg;
	strcat(names, home);
	strcat(names, "|");
	return 0;
}

static void test_reg44_visits_count_for_their_home(void **unused)
{
	(void)unused;
	struct qa_subject lead = person("r1", "sl1", D(2025, 1, 1), QA_DAY_NONE,
					QA_DAY_NONE, D(2026, 1, 1));
	/* Birch Lodge visited on Tue 10 Feb 2026: its August due is done;
	 * Oak House, due Tue 31 March, is not. The name is matched whatever
	 * its case and punctuation. */
	struct completion birch[] = {
		{"reg44_visit", "r1", D(2026, 2, 10), "birch lodge crawley"}};
	struct fake fake;
	assert_int_equal(run("reg44_visit", reg44_homes, birch, 1, &lead,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	const struct emitted *oak = must_find(&fake, "oak-house-2026");
	assert_int_equal(oak->done_on, QA_DAY_NONE);
	assert_string_equal(oak->home, "Oak House");
	const struct emitted *lodge =
		must_find(&fake, "birch-lodge-crawley-2026");
	assert_day(lodge->done_on, "2026-02-10");
	assert_string_equal(lodge->home, "Birch Lodge (Crawley)");

	/* A homed visit and an old one without a home: the old one keeps
	 * 0.1.0's rule among the dues left (Oak House, due soonest). */
	struct completion mixed[] = {
		{"reg44_visit", "r1", D(2026, 2, 10), "Birch Lodge (Crawley)"},
		{"reg44_visit", "r1", D(2026, 3, 2), NULL}};
	assert_int_equal(run("reg44_visit", reg44_homes, mixed, 2, &lead,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	assert_day(must_find(&fake, "oak-house-2026")->done_on, "2026-03-02");
	assert_day(must_find(&fake, "birch-lodge-crawley-2026")->done_on,
		   "2026-02-10");

	/* A visit to a home no longer listed counts for none. */
	struct completion gone[] = {
		{"reg44_visit", "r1", D(2026, 2, 10), "Elm Court"}};
	assert_int_equal(run("reg44_visit", reg44_homes, gone, 1, &lead,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	assert_int_equal(must_find(&fake, "oak-house-2026")->done_on,
			 QA_DAY_NONE);
	assert_int_equal(must_find(&fake, "birch-lodge-crawley-2026")->done_on,
			 QA_DAY_NONE);

	/* The homes it is recorded against, as configured, for `record`. */
	struct loaded plugin = load("reg44_visit");
	assert_true(plugin.desc->struct_size >= sizeof(struct qa_plugin));
	assert_non_null(plugin.desc->for_each_home);
	memset(&fake, 0, sizeof fake);
	fake.desc = plugin.desc;
	fake.config = reg44_homes;
	struct qa_host host = make_host(&fake);
	void *state = NULL;
	assert_int_equal(plugin.desc->init(&host, &state), 0);
	char names[256] = "";
	assert_int_equal(plugin.desc->for_each_home(state, list_home, names),
			 0);
	assert_string_equal(names, "Oak House|Birch Lodge (Crawley)|");
	plugin.desc->shutdown(state);
	dlclose(plugin.handle);
}

static void test_reg44_joined_and_left(void **unused)
{
	(void)unused;
	struct fake fake;
	struct qa_subject left = person("r1", "sl1", D(2025, 1, 1), QA_DAY_NONE,
					D(2026, 6, 30), D(2026, 1, 1));
	assert_int_equal(run("reg44_visit", reg44_homes, NULL, 0, &left,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	assert_int_equal(fake.n_emitted, 1);
	assert_non_null(find_key(&fake, "oak-house-2026"));

	struct qa_subject joined =
		person("r1", "sl1", D(2026, 5, 1), QA_DAY_NONE, QA_DAY_NONE,
		       D(2026, 1, 1));
	assert_int_equal(run("reg44_visit", reg44_homes, NULL, 0, &joined,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	assert_int_equal(fake.n_emitted, 1);
	assert_non_null(find_key(&fake, "birch-lodge-crawley-2026"));

	/* The default lists no homes: nothing is scheduled. */
	assert_int_equal(run("reg44_visit", NULL, NULL, 0, &joined,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 0);
	assert_int_equal(fake.n_emitted, 0);
}

static void test_reg44_refuses_bad_placements(void **unused)
{
	(void)unused;
	static const char *const bad[] = {
		"Oak House",
		"Oak House=13",
		"Oak House=0",
		"=3",
		"Oak House=3x",
		"!!!=3",
		"Oak House=3; oak  HOUSE=4",
		/* One home to `record --home`, which ignores punctuation. */
		"Oak House=3; Oakhouse=9",
		"Birch-Lodge=3; Birch Lodge=9",
	};
	struct fake fake;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *const config[] = {"placements", bad[i], NULL};
		if (init_only("reg44_visit", config, &fake) != -1)
			fail_msg("placements \"%s\" was accepted", bad[i]);
		assert_non_null(strstr(fake.log, "placements"));
	}
}

/* ---- supervision ---- */

static struct completion session(const char *staff_id, qa_day day)
{
	struct completion c = {"supervision", staff_id, day, NULL};
	return c;
}

/* The next due after one session: the interval in force ON THE DAY of the
 * session, not on the day it falls due. */
static qa_day next_due_after(qa_day nqsw_start, qa_day session_day)
{
	struct qa_subject sw = person("sw1", "pm1", nqsw_start, nqsw_start,
				      QA_DAY_NONE, session_day);
	struct completion held[] = {session("sw1", session_day)};
	struct fake fake;
	assert_int_equal(run("supervision", NULL, held, 1, &sw, session_day,
			     session_day + 400, &fake),
			 0);
	const struct emitted *next = find_key(&fake, "s2");
	assert_non_null(next);
	assert_int_equal(next->status, QA_STATUS_TENTATIVE);
	return next->date;
}

static void test_supervision_interval_on_session_day(void **unused)
{
	(void)unused;
	/* NQSW from Monday 5 January 2026: weekly until 5 July. */
	assert_day(next_due_after(D(2026, 1, 5), D(2026, 7, 3)), "2026-07-10");
	assert_day(next_due_after(D(2026, 1, 5), D(2026, 7, 6)), "2026-07-20");
	/* Fortnightly until 5 January 2027, then every 28 days. */
	assert_day(next_due_after(D(2026, 1, 5), D(2027, 1, 4)), "2027-01-18");
	assert_day(next_due_after(D(2026, 1, 5), D(2027, 1, 5)), "2027-02-02");
	/* Starting 31 August: six months on is the last day of February,
	 * the 29th in a leap year. */
	assert_day(next_due_after(D(2027, 8, 31), D(2028, 2, 28)),
		   "2028-03-06");
	assert_day(next_due_after(D(2027, 8, 31), D(2028, 2, 29)),
		   "2028-03-14");
	/* 2027 is not a leap year: the 28th. Due Saturday 6 and Sunday 14
	 * March, shown on the Fridays before. */
	assert_day(next_due_after(D(2026, 8, 31), D(2027, 2, 27)),
		   "2027-03-05");
	assert_day(next_due_after(D(2026, 8, 31), D(2027, 2, 28)),
		   "2027-03-12");
}

static void test_supervision_nqsw_chain(void **unused)
{
	(void)unused;
	struct qa_subject sw =
		person("sw1", "pm1", D(2026, 1, 5), D(2026, 1, 5), QA_DAY_NONE,
		       D(2026, 7, 10));
	struct completion held[] = {session("sw1", D(2026, 7, 3)),
				    session("sw1", D(2026, 1, 5)),
				    session("pm1", D(2026, 7, 8))};
	struct fake fake;
	assert_int_equal(run("supervision", NULL, held, 3, &sw, D(2026, 1, 1),
			     D(2027, 6, 30), &fake),
			 0);
	/* Sessions are numbered in date order: 5 Jan is s1, 3 July s2. */
	const struct emitted *first = find_key(&fake, "s1");
	assert_non_null(first);
	assert_int_equal(first->status, QA_STATUS_CONFIRMED);
	assert_int_equal(first->kind, QA_OCC_EVENT);
	assert_day(first->done_on, "2026-01-05");
	assert_string_equal(first->with_staff_id, "pm1");
	assert_int_equal(first->start_minute, 10 * 60);
	assert_day(first->date, "2026-01-05");
	assert_int_equal(find_key(&fake, "s2")->status, QA_STATUS_CONFIRMED);
	assert_day(find_key(&fake, "s2")->done_on, "2026-07-03");
	/* Someone else's session is not this person's: s3 is the next due,
	 * tentative. */
	assert_int_equal(find_key(&fake, "s3")->status, QA_STATUS_TENTATIVE);

	/* From the 3 July session (weekly phase) the next is due 10 July;
	 * from then on fortnightly; Christmas Day is shown on the 24th but the
	 * chain carries on from the 25th (8 January, not the 7th), and the
	 * horizon ends six months after today, 10 July (the due day is not
	 * overdue). */
	static const char *const expected[] = {
		"2026-07-10", "2026-07-24", "2026-08-07", "2026-08-21",
		"2026-09-04", "2026-09-18", "2026-10-02", "2026-10-16",
		"2026-10-30", "2026-11-13", "2026-11-27", "2026-12-11",
		"2026-12-24", "2027-01-08",
	};
	const struct emitted *projected[32];
	size_t n = tentatives(&fake, projected, 32);
	assert_int_equal(n, sizeof expected / sizeof expected[0]);
	for (size_t i = 0; i < n; i++) {
		char key[32];
		snprintf(key, sizeof key, "s%zu", i + 3); /* 2 held */
		assert_day(projected[i]->date, expected[i]);
		assert_string_equal(projected[i]->key, key);
		assert_int_equal(projected[i]->done_on, QA_DAY_NONE);
		assert_string_equal(projected[i]->with_staff_id, "pm1");
		assert_int_equal(projected[i]->duration, 0);
	}
	assert_non_null(strstr(projected[0]->detail, "fortnightly"));
}

static void test_supervision_experienced_from_added_on(void **unused)
{
	(void)unused;
	struct qa_subject sw = person("sw2", "pm1", D(2026, 3, 2), QA_DAY_NONE,
				      QA_DAY_NONE, D(2026, 3, 2));
	struct fake fake;
	assert_int_equal(run("supervision", NULL, NULL, 0, &sw, D(2026, 1, 1),
			     D(2026, 12, 31), &fake),
			 0);
	/* Every 28 days from the day added; Whit Monday 25 May shows on
	 * Friday 22 May and the chain carries on from the 25th. */
	static const char *const expected[] = {
		"2026-03-02", "2026-03-30", "2026-04-27", "2026-05-22",
		"2026-06-22", "2026-07-20", "2026-08-17",
	};
	const struct emitted *projected[16];
	size_t n = tentatives(&fake, projected, 16);
	assert_int_equal(n, 7);
	assert_int_equal(fake.n_emitted, 7);
	for (size_t i = 0; i < n; i++) {
		char key[32];
		snprintf(key, sizeof key, "s%zu", i + 1);
		assert_day(projected[i]->date, expected[i]);
		assert_string_equal(projected[i]->key, key);
	}
	assert_non_null(strstr(projected[0]->detail, "four weeks"));
}

static void test_supervision_first_due_on_nqsw_start(void **unused)
{
	(void)unused;
	struct qa_subject sw =
		person("sw3", "pm1", D(2026, 1, 20), D(2026, 2, 2), QA_DAY_NONE,
		       D(2026, 1, 20));
	struct fake fake;
	assert_int_equal(run("supervision", NULL, NULL, 0, &sw, D(2026, 1, 1),
			     D(2026, 2, 28), &fake),
			 0);
	assert_int_equal(fake.n_emitted, 4);
	assert_day(key_day(&fake, "s1"), "2026-02-02");
	assert_day(key_day(&fake, "s2"), "2026-02-09");
	assert_day(key_day(&fake, "s4"), "2026-02-23");
}

/* Issue 6: nothing before the day we learnt of someone can be known. A
 * newly qualified worker added on Fri 27 Nov 2026 whose nqsw_start was 29
 * Dec 2025, eleven months before, is due today, not eleven months
 * overdue; one added on Sat 28 Nov is due on Mon 30 Nov; an nqsw_start of
 * Fri 25 Dec 2026 (Christmas; Mon 28 Dec is the Boxing Day substitute) is
 * due on Tue 29 Dec. */
static void test_supervision_first_due_never_before_added(void **unused)
{
	(void)unused;
	struct fake fake;
	struct qa_subject late =
		person("sw5", "pm1", D(2026, 11, 27), D(2025, 12, 29),
		       QA_DAY_NONE, D(2026, 11, 27));
	assert_int_equal(run("supervision", NULL, NULL, 0, &late,
			     D(2026, 5, 27), D(2027, 11, 27), &fake),
			 0);
	assert_day(key_day(&fake, "s1"), "2026-11-27");
	/* Fortnightly then (27 Nov is in [29 Jun 2026, 29 Dec 2026)). */
	assert_day(key_day(&fake, "s2"), "2026-12-11");

	struct qa_subject saturday =
		person("sw6", "pm1", D(2026, 11, 28), QA_DAY_NONE, QA_DAY_NONE,
		       D(2026, 11, 28));
	assert_int_equal(run("supervision", NULL, NULL, 0, &saturday,
			     D(2026, 5, 28), D(2027, 11, 28), &fake),
			 0);
	assert_day(key_day(&fake, "s1"), "2026-11-30");

	struct qa_subject christmas =
		person("sw7", "pm1", D(2026, 11, 27), D(2026, 12, 25),
		       QA_DAY_NONE, D(2026, 11, 27));
	assert_int_equal(run("supervision", NULL, NULL, 0, &christmas,
			     D(2026, 5, 27), D(2027, 11, 27), &fake),
			 0);
	assert_day(key_day(&fake, "s1"), "2026-12-29");
}

/* Issue 6: the framework says sessions are 90-120 minutes. */
static void test_supervision_duration_90_to_120_minutes(void **unused)
{
	(void)unused;
	struct fake fake;
	const char *too_short[] = {"duration", "30m", NULL};
	assert_int_not_equal(init_only("supervision", too_short, &fake), 0);
	assert_non_null(strstr(fake.log, "test.conf:1"));
	assert_non_null(strstr(fake.log, "duration = 30m"));
	assert_non_null(strstr(fake.log, "90-120 minutes"));
	const char *bad[][3] = {{"duration", "89m", NULL},
				{"duration", "121m", NULL},
				{"duration", "3h", NULL},
				{"duration", "1d", NULL}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_not_equal(init_only("supervision", bad[i], &fake),
				     0);
	const char *good[][3] = {{"duration", "90m", NULL},
				 {"duration", "2h", NULL},
				 {"duration", "105m", NULL},
				 {"duration", "120m", NULL}};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(init_only("supervision", good[i], &fake), 0);
}

static void test_supervision_bank_holiday_shown_before(void **unused)
{
	(void)unused;
	struct qa_subject sw = person("sw4", "pm1", D(2026, 1, 5), QA_DAY_NONE,
				      QA_DAY_NONE, D(2026, 8, 3));
	struct completion held[] = {session("sw4", D(2026, 8, 3))};
	struct fake fake;
	assert_int_equal(run("supervision", NULL, held, 1, &sw, D(2026, 8, 1),
			     D(2026, 10, 31), &fake),
			 0);
	/* Due Monday 31 August, a bank holiday: shown Friday 28 August. */
	const struct emitted *next = find_key(&fake, "s2");
	assert_non_null(next);
	assert_day(next->date, "2026-08-28");
	assert_day(key_day(&fake, "s3"), "2026-09-28");
}

static void test_supervision_left(void **unused)
{
	(void)unused;
	struct qa_subject sw = person("sw5", "pm1", D(2026, 1, 5), QA_DAY_NONE,
				      D(2026, 3, 1), D(2026, 1, 5));
	struct fake fake;
	assert_int_equal(run("supervision", NULL, NULL, 0, &sw, D(2026, 1, 1),
			     D(2026, 12, 31), &fake),
			 0);
	/* 5 January and 2 February; 2 March is after 1 March. */
	assert_int_equal(fake.n_emitted, 2);
	assert_day(key_day(&fake, "s1"), "2026-01-05");
	assert_day(key_day(&fake, "s2"), "2026-02-02");

	/* A session recorded after leaving (the CLI refuses these, a
	 * back-filled database might not) is not shown, nor anything after. */
	struct completion held[] = {session("sw5", D(2026, 2, 10)),
				    session("sw5", D(2026, 3, 20))};
	sw.today = D(2026, 3, 20);
	assert_int_equal(run("supervision", NULL, held, 2, &sw, D(2026, 1, 1),
			     D(2026, 12, 31), &fake),
			 0);
	assert_int_equal(fake.n_emitted, 1);
	assert_day(find_key(&fake, "s1")->done_on, "2026-02-10");
}

static void test_supervision_needs_a_manager(void **unused)
{
	(void)unused;
	struct qa_subject dcs = person("dcs1", NULL, D(2026, 1, 5), QA_DAY_NONE,
				       QA_DAY_NONE, D(2026, 2, 1));
	struct completion held[] = {session("dcs1", D(2026, 2, 1))};
	struct fake fake;
	assert_int_equal(run("supervision", NULL, held, 1, &dcs, D(2026, 1, 1),
			     D(2026, 12, 31), &fake),
			 0);
	assert_int_equal(fake.n_emitted, 0);
}

static void test_supervision_nothing_to_count_from(void **unused)
{
	(void)unused;
	/* No session, no nqsw_start and no added_on: no date to start the
	 * chain from (and no arithmetic on QA_DAY_NONE, which UBSan would
	 * report as an overflow). */
	struct qa_subject sw = person("sw9", "pm1", QA_DAY_NONE, QA_DAY_NONE,
				      QA_DAY_NONE, D(2026, 1, 1));
	struct fake fake;
	assert_int_equal(run("supervision", NULL, NULL, 0, &sw, D(2026, 1, 1),
			     D(2026, 12, 31), &fake),
			 0);
	assert_int_equal(fake.n_emitted, 0);

	/* A host that gives no today: nothing to project from, and said. */
	struct qa_subject undated =
		person("sw9", "pm1", D(2026, 1, 5), QA_DAY_NONE, QA_DAY_NONE,
		       QA_DAY_NONE);
	assert_int_equal(run("supervision", NULL, NULL, 0, &undated,
			     D(2026, 1, 1), D(2026, 12, 31), &fake),
			 -1);
	assert_int_equal(fake.n_emitted, 0);
	assert_non_null(strstr(fake.log, "today"));
}

static void test_supervision_stable_keys(void **unused)
{
	(void)unused;
	struct qa_subject sw = person("sw6", "pm1", D(2026, 1, 5), QA_DAY_NONE,
				      QA_DAY_NONE, D(2026, 1, 5));
	struct fake before, after;
	assert_int_equal(run("supervision", NULL, NULL, 0, &sw, D(2026, 1, 1),
			     D(2026, 3, 31), &before),
			 0);
	assert_day(key_day(&before, "s1"), "2026-01-05");
	assert_day(key_day(&before, "s2"), "2026-02-02");
	assert_day(key_day(&before, "s3"), "2026-03-02");

	/* The first session is held a day late: s1 stays s1, now held on the
	 * 6th, s2 stays s2 (now the next due) and moves. */
	struct completion held[] = {session("sw6", D(2026, 1, 6))};
	sw.today = D(2026, 1, 6);
	assert_int_equal(run("supervision", NULL, held, 1, &sw, D(2026, 1, 1),
			     D(2026, 3, 31), &after),
			 0);
	assert_int_equal(find_key(&after, "s1")->status, QA_STATUS_CONFIRMED);
	assert_day(key_day(&after, "s1"), "2026-01-06");
	assert_day(key_day(&after, "s2"), "2026-02-03");
	assert_day(key_day(&after, "s3"), "2026-03-03");
}

static void test_supervision_history_before_window(void **unused)
{
	(void)unused;
	struct qa_subject sw = person("sw7", "pm1", D(2025, 10, 1), QA_DAY_NONE,
				      QA_DAY_NONE, D(2025, 12, 1));
	/* Two sessions before the window, one recorded twice. */
	struct completion held[] = {session("sw7", D(2025, 11, 3)),
				    session("sw7", D(2025, 12, 1)),
				    session("sw7", D(2025, 12, 1))};
	struct fake fake;
	assert_int_equal(run("supervision", NULL, held, 3, &sw, D(2026, 1, 1),
			     D(2026, 2, 28), &fake),
			 0);
	/* Today is the day of the last session. Next due 29 December 2025,
	 * before the window, but the next due is always shown (it is what
	 * marks someone overdue); then 26 January 2026 and 23 February,
	 * numbered after the 2 sessions. */
	assert_int_equal(fake.n_emitted, 3);
	assert_day(key_day(&fake, "s3"), "2025-12-29");
	assert_day(key_day(&fake, "s4"), "2026-01-26");
	assert_day(key_day(&fake, "s5"), "2026-02-23");
}

static void test_supervision_horizon(void **unused)
{
	(void)unused;
	struct qa_subject sw = person("sw8", "pm1", D(2026, 3, 2), QA_DAY_NONE,
				      QA_DAY_NONE, D(2026, 3, 2));
	struct fake fake;
	static const char *const one[] = {"horizon", "1", "time", "09:15",
					  NULL};
	assert_int_equal(run("supervision", one, NULL, 0, &sw, D(2026, 1, 1),
			     D(2026, 12, 31), &fake),
			 0);
	assert_int_equal(fake.n_emitted, 2); /* 2 and 30 March */
	assert_int_equal(fake.emitted[0].start_minute, 9 * 60 + 15);
	static const char *const zero[] = {"horizon", "0", NULL};
	assert_int_equal(run("supervision", zero, NULL, 0, &sw, D(2026, 1, 1),
			     D(2026, 12, 31), &fake),
			 0);
	assert_int_equal(fake.n_emitted, 1); /* the next due, always */
	/* A horizon of 25 or a time of 25:00 never reaches init(): the host
	 * refuses them against the schema (test_plugin_host.c). */
}

/* The projected sessions' dates and keys s<first>, s<first + 1>, ... */
static void check_tentatives(const struct fake *fake, size_t first,
			     const char *const *expected, size_t n_expected)
{
	const struct emitted *projected[32];
	size_t n = tentatives(fake, projected, 32);
	assert_int_equal(n, n_expected);
	for (size_t i = 0; i < n; i++) {
		char key[32];
		snprintf(key, sizeof key, "s%zu", first + i);
		assert_string_equal(projected[i]->key, key);
		assert_day(projected[i]->date, expected[i]);
		assert_int_equal(projected[i]->done_on, QA_DAY_NONE);
	}
}

static void test_supervision_overdue(void **unused)
{
	(void)unused;
	/* Experienced: every 28 days. One session, Monday 1 June 2026; today
	 * is Tuesday 15 September. */
	struct qa_subject sw = person("sw10", "pm1", D(2025, 1, 6), QA_DAY_NONE,
				      QA_DAY_NONE, D(2026, 9, 15));
	struct completion held[] = {session("sw10", D(2026, 6, 1))};
	struct fake fake;
	assert_int_equal(run("supervision", NULL, held, 1, &sw, D(2026, 1, 1),
			     D(2027, 12, 31), &fake),
			 0);
	assert_day(find_key(&fake, "s1")->done_on, "2026-06-01");
	/* Due 29 June and missed: still shown on its date, before today,
	 * which is how `due` lists it overdue. The next ones chain from
	 * today: 13 October, then every 28 days, until before today + 6
	 * months, 15 March 2027 (30 March is not). All Tuesdays, none a
	 * holiday. */
	static const char *const expected[] = {
		"2026-06-29", "2026-10-13", "2026-11-10", "2026-12-08",
		"2027-01-05", "2027-02-02", "2027-03-02",
	};
	check_tentatives(&fake, 2, expected, 7);
	assert_int_equal(fake.n_emitted, 8);
	assert_true(must_find(&fake, "s2")->date < sw.today);

	/* Overdue, and today + 28 days is Monday 28 December, the Boxing Day
	 * substitute: shown Thursday 24 December (25th is Christmas Day); the
	 * chain carries on from the 28th. Horizon 2 months: before 30
	 * January 2027. */
	static const char *const two[] = {"horizon", "2", NULL};
	struct completion october[] = {session("sw10", D(2026, 10, 5))};
	sw.today = D(2026, 11, 30);
	assert_int_equal(run("supervision", two, october, 1, &sw, D(2026, 1, 1),
			     D(2027, 12, 31), &fake),
			 0);
	static const char *const christmas[] = {"2026-11-02", "2026-12-24",
						"2027-01-25"};
	check_tentatives(&fake, 2, christmas, 3);

	/* Newly qualified from 5 January 2026: the last session, 1 June, was
	 * in the weekly phase (due 8 June, missed); today, 15 September, is in
	 * the fortnightly phase, so the chain from today goes by 14 days. */
	struct qa_subject nqsw =
		person("sw11", "pm1", D(2026, 1, 5), D(2026, 1, 5), QA_DAY_NONE,
		       D(2026, 9, 15));
	struct completion june[] = {session("sw11", D(2026, 6, 1))};
	assert_int_equal(run("supervision", two, june, 1, &nqsw, D(2026, 1, 1),
			     D(2027, 12, 31), &fake),
			 0);
	static const char *const fortnightly[] = {
		"2026-06-08", "2026-09-29", "2026-10-13",
		"2026-10-27", "2026-11-10",
	};
	check_tentatives(&fake, 2, fortnightly, 5);
	assert_non_null(strstr(must_find(&fake, "s2")->detail, "weekly"));
	assert_non_null(strstr(must_find(&fake, "s3")->detail, "fortnightly"));
}

static void test_supervision_horizon_from_today(void **unused)
{
	(void)unused;
	/* Session Monday 2 March 2026, today 10 March: next due 30 March
	 * (not overdue), then every 28 days; Whit Monday 25 May shows on the
	 * 22nd. Six months from today ends before 10 September, so 14
	 * September is not projected (it would be from the next due). */
	struct qa_subject sw = person("sw12", "pm1", D(2025, 1, 6), QA_DAY_NONE,
				      QA_DAY_NONE, D(2026, 3, 10));
	struct completion held[] = {session("sw12", D(2026, 3, 2))};
	struct fake fake;
	assert_int_equal(run("supervision", NULL, held, 1, &sw, D(2026, 1, 1),
			     D(2027, 12, 31), &fake),
			 0);
	static const char *const expected[] = {
		"2026-03-30", "2026-04-27", "2026-05-22",
		"2026-06-22", "2026-07-20", "2026-08-17",
	};
	check_tentatives(&fake, 2, expected, 6);

	/* One month: before 10 April, so 27 April is not projected. */
	static const char *const one[] = {"horizon", "1", NULL};
	assert_int_equal(run("supervision", one, held, 1, &sw, D(2026, 1, 1),
			     D(2027, 12, 31), &fake),
			 0);
	check_tentatives(&fake, 2, expected, 1);
}

/* ---- failures reach the host ---- */

static void test_emit_failure_is_reported(void **unused)
{
	(void)unused;
	static const char *const ids[] = {
		"practice_week", "corporate_parenting_board",
		"themed_audit",  "reg44_visit",
		"supervision",
	};
	struct qa_subject someone =
		person("x1", "m1", D(2026, 1, 1), QA_DAY_NONE, QA_DAY_NONE,
		       D(2026, 1, 1));
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		struct loaded plugin = load(ids[i]);
		struct fake fake = {.desc = plugin.desc,
				    .config = reg44_homes,
				    .fail_emit = 1};
		struct qa_host host = make_host(&fake);
		void *state = NULL;
		if (plugin.desc->init)
			assert_int_equal(plugin.desc->init(&host, &state), 0);
		if (plugin.desc->generate(state, &someone, D(2026, 1, 1),
					  D(2026, 12, 31), &host) != -1)
			fail_msg("%s: a failed emit was not reported", ids[i]);
		if (plugin.desc->shutdown)
			plugin.desc->shutdown(state);
		dlclose(plugin.handle);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test(test_scopes_and_roles),
		cmocka_unit_test(test_practice_week_default),
		cmocka_unit_test(test_practice_week_configured),
		cmocka_unit_test(test_board_and_children_in_care_council),
		cmocka_unit_test(test_monthly_meetings),
		cmocka_unit_test(test_meetings_refuse_bad_time),
		cmocka_unit_test(test_due_per_period),
		cmocka_unit_test(test_iro_quarter_end_dispute_audit),
		cmocka_unit_test(test_lado_annual_audit_quarter),
		cmocka_unit_test(test_themed_audit_default),
		cmocka_unit_test(test_themed_audit_configured),
		cmocka_unit_test(test_themed_audit_refuses_bad_schedule),
		cmocka_unit_test(test_reg44_visits),
		cmocka_unit_test(test_reg44_visits_count_for_their_home),
		cmocka_unit_test(test_reg44_joined_and_left),
		cmocka_unit_test(test_reg44_refuses_bad_placements),
		cmocka_unit_test(test_supervision_interval_on_session_day),
		cmocka_unit_test(test_supervision_nqsw_chain),
		cmocka_unit_test(test_supervision_experienced_from_added_on),
		cmocka_unit_test(test_supervision_first_due_on_nqsw_start),
		cmocka_unit_test(test_supervision_first_due_never_before_added),
		cmocka_unit_test(test_supervision_duration_90_to_120_minutes),
		cmocka_unit_test(test_supervision_bank_holiday_shown_before),
		cmocka_unit_test(test_supervision_left),
		cmocka_unit_test(test_supervision_needs_a_manager),
		cmocka_unit_test(test_supervision_nothing_to_count_from),
		cmocka_unit_test(test_supervision_stable_keys),
		cmocka_unit_test(test_supervision_history_before_window),
		cmocka_unit_test(test_supervision_horizon),
		cmocka_unit_test(test_supervision_overdue),
		cmocka_unit_test(test_supervision_horizon_from_today),
		cmocka_unit_test(test_emit_failure_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
