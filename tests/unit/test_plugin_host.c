/* Tests for core/plugin_host.c and core/plugin_config.c: the plugins'
 * config as the real host reads it (ABI 1.2's ranges and typed values, the
 * tables of 1.0 and 1.1 beside them), with every refusal naming the config's
 * file and line. Test plugins from tests/plugins, the tree's own from
 * plugins/; each test writes its config in a fresh mkdtemp directory. */
/* cmocka.h needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>
/* clang-format on */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "plugin_host.h"

struct fixture {
	char dir[64];
	char path[PATH_MAX];
	struct config cfg;
	struct plugin_set set;
	struct errlist errs;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/test_plugin_host.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/qa.conf", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	plugin_set_done(&f->set);
	config_done(&f->cfg);
	errlist_done(&f->errs);
	unlink(f->path);
	int rc = rmdir(f->dir);
	free(f);
	return rc;
}

static void dump_errors(const struct errlist *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		print_message("  error: %s\n", errs->msgs[i]);
}

/* Write "[plugins] dir = DIR, enable = IDS" and then body as the config,
 * read it and load the plugins; returns plugin_set_load's answer. */
static int load(struct fixture *f, const char *dir, const char *ids,
		const char *body)
{
	FILE *file = fopen(f->path, "w");
	assert_non_null(file);
	fprintf(file, "[plugins]\ndir = %s\nenable = %s\n%s", dir, ids, body);
	assert_int_equal(fclose(file), 0);
	if (config_load(f->path, &f->cfg, &f->errs)) {
		dump_errors(&f->errs);
		fail_msg("the config itself is wrong");
	}
	return plugin_set_load(&f->cfg, &f->set, &f->errs);
}

/* Fail unless errs holds exactly "PATH:LINE: rest". */
static void assert_error_at(const struct fixture *f, int line, const char *rest)
{
	char want[PATH_MAX + 512];
	snprintf(want, sizeof(want), "%s:%d: %s", f->path, line, rest);
	for (size_t i = 0; i < f->errs.n; i++)
		if (strcmp(f->errs.msgs[i], want) == 0)
			return;
	print_message("missing error: %s\n", want);
	dump_errors(&f->errs);
	fail();
}

static int typed(const struct plugin *p, const char *key, int *value)
{
	return p->host.config_int(&p->host, key, value);
}

/* ---- ranges (ABI 1.2), refused where the config sets them ---- */

static void test_values_outside_the_range(void **state)
{
	struct fixture *f = *state;
	int rc = load(f, QA_PLUGIN_DIR,
		      "supervision, lado_audit, collaborative_audit",
		      "[activity.supervision]\n"         /* 4 */
		      "horizon = 25\n"                   /* 5 */
		      "[activity.lado_audit]\n"          /* 6 */
		      "audit_month = 0\n"                /* 7 */
		      "[activity.collaborative_audit]\n" /* 8 */
		      "moderation_within = 61\n");       /* 9 */
	assert_int_equal(rc, -1);
	assert_error_at(f, 5,
			"[activity.supervision] horizon = \"25\": expected a "
			"whole number from 0 to 24");
	assert_error_at(f, 7,
			"[activity.lado_audit] audit_month = \"0\": expected "
			"a whole number from 1 to 12");
	assert_error_at(f, 9,
			"[activity.collaborative_audit] moderation_within = "
			"\"61\": expected a whole number from 1 to 60");
	/* Three problems, three refusals. */
	assert_int_equal(f->errs.n, 6);
	assert_int_equal(f->set.n, 0);
	assert_int_equal(f->set.n_refused, 3);
}

/* A value of the wrong type is still refused as before, range or not. */
static void test_values_of_the_wrong_type(void **state)
{
	struct fixture *f = *state;
	int rc = load(f, QA_PLUGIN_DIR, "supervision, lado_audit",
		      "[activity.supervision]\n" /* 4 */
		      "time = 25:00\n"           /* 5 */
		      "horizon = lots\n"         /* 6 */
		      "[activity.lado_audit]\n"  /* 7 */
		      "audit_month = march\n");  /* 8 */
	assert_int_equal(rc, -1);
	assert_error_at(f, 5,
			"[activity.supervision] time = \"25:00\": expected a "
			"time of day HH:MM from 00:00 to 23:59");
	assert_error_at(f, 6,
			"[activity.supervision] horizon = \"lots\": expected "
			"a whole number from 0 to 2147483647, such as 5");
	assert_error_at(f, 8,
			"[activity.lado_audit] audit_month = \"march\": "
			"expected a whole number from 0 to 2147483647, such as "
			"5");
	assert_int_equal(f->set.n, 0);
}

static void test_values_at_the_bounds(void **state)
{
	struct fixture *f = *state;
	int rc = load(f, QA_PLUGIN_DIR,
		      "supervision, lado_audit, collaborative_audit",
		      "[activity.supervision]\nhorizon = 24\n"
		      "[activity.lado_audit]\naudit_month = 12\n"
		      "[activity.collaborative_audit]\n"
		      "moderation_within = 1\n");
	dump_errors(&f->errs);
	assert_int_equal(rc, 0);
	assert_int_equal(f->set.n, 3);
	int value;
	assert_int_equal(typed(plugin_set_find(&f->set, "supervision"),
			       "horizon", &value),
			 0);
	assert_int_equal(value, 24);
	assert_int_equal(typed(plugin_set_find(&f->set, "lado_audit"),
			       "audit_month", &value),
			 0);
	assert_int_equal(value, 12);
	assert_int_equal(typed(plugin_set_find(&f->set, "collaborative_audit"),
			       "moderation_within", &value),
			 0);
	assert_int_equal(value, 1);
}

/* ---- typed values (qa_host.config_int) ---- */

static void test_typed_values(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(load(f, QA_PLUGIN_DIR,
			      "supervision, collaborative_audit",
			      "[activity.supervision]\ntime = 09:15\n"
			      "horizon = 3\nduration = 2h\n"),
			 0);
	const struct plugin *sup = plugin_set_find(&f->set, "supervision");
	int value;
	assert_int_equal(typed(sup, "time", &value), 0);
	assert_int_equal(value, 9 * 60 + 15);
	assert_int_equal(typed(sup, "horizon", &value), 0);
	assert_int_equal(value, 3);
	assert_int_equal(typed(sup, "duration", &value), 0);
	assert_int_equal(value, 2 * 3600);
	/* Lead times have no one number; nor does a key it does not have. */
	value = -7;
	assert_int_equal(typed(sup, "reminders", &value), -1);
	assert_int_equal(typed(sup, "no_such_key", &value), -1);
	assert_int_equal(value, -7);

	/* Defaults, and a due-by duration of "0". */
	const struct plugin *audit =
		plugin_set_find(&f->set, "collaborative_audit");
	assert_int_equal(typed(audit, "moderation_within", &value), 0);
	assert_int_equal(value, 10);
	assert_int_equal(typed(audit, "moderation_time", &value), 0);
	assert_int_equal(value, 10 * 60);
	assert_int_equal(typed(audit, "duration", &value), 0);
	assert_int_equal(value, 0);
}

/* A schema in 1.0 and 1.1's table (qa_config_entry, no ranges) gives typed
 * values all the same. */
static void test_typed_values_from_the_older_table(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(load(f, QA_TEST_PLUGIN_DIR, "example",
			      "[activity.example]\ncount = 7\n"),
			 0);
	const struct plugin *example = plugin_set_find(&f->set, "example");
	assert_non_null(example->desc->config);
	int value;
	assert_int_equal(typed(example, "count", &value), 0);
	assert_int_equal(value, 7);
	assert_int_equal(typed(example, "time", &value), 0);
	assert_int_equal(value, 9 * 60 + 30);
	assert_int_equal(typed(example, "rrule", &value), -1);
}

static void test_help_shows_ranges(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(load(f, QA_PLUGIN_DIR, "supervision", ""), 0);
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	assert_non_null(out);
	plugin_config_print_help(plugin_set_find(&f->set, "supervision"), out);
	assert_int_equal(fclose(out), 0);
	if (!strstr(text, "  horizon            whole number       default: 6 "
			  "(0 to 24)\n"))
		fail_msg("%s", text);
	assert_non_null(strstr(text, "default: 10:00\n"));
	free(text);
}

/* ---- the schema as the descriptor declares it ---- */

static int no_generate(void *state, const struct qa_subject *subject,
		       qa_day from, qa_day to, const struct qa_host *host)
{
	(void)state, (void)subject, (void)from, (void)to, (void)host;
	return 0;
}

static struct qa_plugin descriptor(const struct qa_config_key *keys)
{
	struct qa_plugin d = {
		QA_PLUGIN_HEADER,
		.id = "schema",
		.title = "Schema",
		.description = "A descriptor for the schema checks.",
		.version = "1.0",
		.cadence = "never",
		.roles = "qa_team",
		.scope = QA_SCOPE_AUDIENCE,
		.duration = "1h",
		.reminders = "1d",
		QA_CONFIG_KEYS(keys),
		.generate = no_generate,
	};
	return d;
}

/* Read d's schema as the host does at load; returns its answer, with the
 * reason in why. */
static int read_schema(const struct qa_plugin *d, char *why, size_t size,
		       struct plugin *p)
{
	memset(p, 0, sizeof(*p));
	p->desc = d;
	why[0] = '\0';
	return plugin_config_read_schema(p, why, size);
}

static void assert_schema_refused(const struct qa_config_key *keys,
				  const char *want)
{
	struct qa_plugin d = descriptor(keys);
	struct plugin p;
	char why[512];
	assert_int_equal(read_schema(&d, why, sizeof(why), &p), -1);
	assert_string_equal(why, want);
	plugin_config_done(&p);
}

static void test_schema_ranges_checked(void **unused)
{
	(void)unused;
	static const struct qa_config_key on_text[] = {
		{QA_CONFIG_STRING, "colour", "red", "A colour.", 1, 3},
		{0},
	};
	assert_schema_refused(on_text,
			      "config schema key colour (text): a range (min, "
			      "max) is for whole numbers, durations, times and "
			      "dates");
	static const struct qa_config_key on_bool[] = {
		{QA_CONFIG_BOOL, "on", "yes", "On or off.", 0, 1},
		{0},
	};
	assert_schema_refused(
		on_bool, "config schema key on (true/false): a range (min, "
			 "max) is for whole numbers, durations, times and "
			 "dates");
	static const struct qa_config_key empty[] = {
		{QA_CONFIG_INT, "count", "3", "How many.", 5, 1},
		{0},
	};
	assert_schema_refused(empty,
			      "config schema key count: min 5 is above max 1");
	static const struct qa_config_key int_default[] = {
		{QA_CONFIG_INT, "horizon", "30", "Months.", 0, 24},
		{0},
	};
	assert_schema_refused(int_default,
			      "config schema default horizon = \"30\": "
			      "expected a whole number from 0 to 24");
	static const struct qa_config_key duration_default[] = {
		{QA_CONFIG_DURATION, "length", "3h", "How long.", 90 * 60,
		 2 * 3600},
		{0},
	};
	assert_schema_refused(duration_default,
			      "config schema default length = \"3h\": "
			      "expected a duration from 90m to 2h");
	static const struct qa_config_key time_default[] = {
		{QA_CONFIG_TIME, "start", "06:59", "When.", 7 * 60, 19 * 60},
		{0},
	};
	assert_schema_refused(time_default,
			      "config schema default start = \"06:59\": "
			      "expected a time from 07:00 to 19:00");
	static const struct qa_config_key date_default[] = {
		{QA_CONFIG_DATE, "from", "2019-12-31", "Since.", 18262, 21914},
		{0},
	};
	assert_schema_refused(date_default,
			      "config schema default from = \"2019-12-31\": "
			      "expected a date from 2020-01-01 to 2029-12-31");
}

static void test_schema_tables(void **unused)
{
	(void)unused;
	static const struct qa_config_key keys[] = {
		{QA_CONFIG_INT, "count", "3", "How many.", 1, 9},
		{0},
	};
	static const struct qa_config_entry entries[] = {
		{QA_CONFIG_INT, "count", "3", "How many."},
		{0},
	};
	struct qa_plugin d = descriptor(keys);
	d.config = entries;
	struct plugin p;
	char why[512];
	assert_int_equal(read_schema(&d, why, sizeof(why), &p), -1);
	assert_string_equal(why, "descriptor sets both config and config_keys; "
				 "declare the keys in config_keys alone");
	plugin_config_done(&p);

	/* Filled by hand, without QA_CONFIG_KEYS. */
	d = descriptor(keys);
	d.config_key_size = 0;
	assert_int_equal(read_schema(&d, why, sizeof(why), &p), -1);
	assert_non_null(strstr(why, "config_key_size is 0"));
	assert_non_null(strstr(why, "QA_CONFIG_KEYS(table)"));
	plugin_config_done(&p);

	/* A 1.1 descriptor ends before config_keys: what lies past its
	 * struct_size is not read, so only `config` counts. */
	d = descriptor(keys);
	d.abi_minor = 1;
	d.struct_size = QA_PLUGIN_SIZE_1_1;
	d.config = entries;
	assert_int_equal(read_schema(&d, why, sizeof(why), &p), 0);
	assert_int_equal(p.n_schema, 1);
	assert_int_equal(p.schema[0].min, 0);
	assert_int_equal(p.schema[0].max, 0);
	plugin_config_done(&p);
}

/* Entries of a later minor are longer: the host steps config_key_size
 * bytes from one to the next and reads the fields it knows. */
struct later_key {
	struct qa_config_key key;
	const char *added_later;
	int also_added;
};

static void test_schema_entries_longer_than_ours(void **unused)
{
	(void)unused;
	static const struct later_key later[] = {
		{{QA_CONFIG_INT, "count", "3", "How many.", 1, 9}, "x", 1},
		{{QA_CONFIG_TIME, "start", "09:00", "When.", 0, 0}, "y", 2},
		{{0}, NULL, 0},
	};
	struct qa_plugin d = descriptor(&later[0].key);
	d.config_key_size = sizeof(later[0]);
	struct plugin p;
	char why[512];
	assert_int_equal(read_schema(&d, why, sizeof(why), &p), 0);
	assert_int_equal(p.n_schema, 2);
	assert_string_equal(p.schema[0].key, "count");
	assert_int_equal(p.schema[0].min, 1);
	assert_int_equal(p.schema[0].max, 9);
	assert_string_equal(p.schema[1].key, "start");
	assert_int_equal(p.schema[1].type, QA_CONFIG_TIME);
	plugin_config_done(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_values_outside_the_range,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_values_of_the_wrong_type,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_values_at_the_bounds,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_typed_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_typed_values_from_the_older_table, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_help_shows_ranges, setup,
						teardown),
		cmocka_unit_test(test_schema_ranges_checked),
		cmocka_unit_test(test_schema_tables),
		cmocka_unit_test(test_schema_entries_longer_than_ours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
