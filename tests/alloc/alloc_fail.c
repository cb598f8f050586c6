/* Allocation failure (issue 14), as SQLite's own *fault.test files do it:
 * the n-th allocation fails, for every n from 1 until an operation runs
 * through without reaching it, and for a sample beyond; each run must end
 * in success or a clean error, never a crash or a leak (ASan), and a
 * database that fails must be as it was before, never half-written.
 *
 * The allocations counted: every malloc, calloc, realloc, reallocarray,
 * strdup and strndup of the engine (linked with -Wl,--wrap, so libc's own
 * and other libraries' inside them are not), and every one SQLite makes
 * (SQLITE_CONFIG_MALLOC). Each failure is transient: the n-th fails, the
 * rest succeed, as a brief memory shortage would.
 *
 * Usage: alloc_fail CONFIG FIXTURE.db WORK.db STAFF.csv [MAX]
 * The fixture holds a few people and completions (tests/alloc/run.sh makes
 * it with the real CLI); each run works on a fresh copy of it. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "db.h"

/* The sanitizers' runtime has it; a plain build (valgrind's) does not. */
void __sanitizer_print_stack_trace(void) __attribute__((weak));
#include "engine.h"
#include "errlist.h"
#include "feed.h"
#include "log.h"
#include "record.h"
#include "schedule.h"
#include "staff_import.h"

/* ---- counting and failing ---- */

static long countdown = -1; /* allocations until one fails; -1: none */
static bool failed;         /* the armed failure happened */

static bool fail_now(void)
{
	if (countdown < 0)
		return false;
	if (countdown-- == 0) {
		failed = true;
		/* Where it failed, when one case is looked into. */
		if (getenv("ALLOC_FAIL_LOG") && __sanitizer_print_stack_trace)
			__sanitizer_print_stack_trace();
		return true;
	}
	return false;
}

/* __wrap_NAME fails when its turn comes, else calls libc's (__real_NAME). */
#define WRAP(type, name, params, args)                         \
	type __real_##name params;                             \
	type __wrap_##name params;                             \
	type __wrap_##name params                              \
	{                                                      \
		return fail_now() ? NULL : __real_##name args; \
	}
WRAP(void *, malloc, (size_t size), (size))
WRAP(void *, calloc, (size_t n, size_t size), (n, size))
WRAP(void *, realloc, (void *p, size_t size), (p, size))
WRAP(void *, reallocarray, (void *p, size_t n, size_t size), (p, n, size))
WRAP(char *, strdup, (const char *s), (s))
WRAP(char *, strndup, (const char *s, size_t n), (s, n))

static sqlite3_mem_methods sqlite_default;

static void *sqlite_malloc(int size)
{
	return fail_now() ? NULL : sqlite_default.xMalloc(size);
}
static void *sqlite_realloc(void *p, int size)
{
	return fail_now() ? NULL : sqlite_default.xRealloc(p, size);
}

static void arm(long n)
{
	countdown = n;
	failed = false;
}

static void disarm(void)
{
	countdown = -1;
}

/* ---- the fixture ---- */

static const char *config_path, *fixture, *work, *staff_csv;

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[65536];
	size_t n;
	if (!in || !out)
		goto fail;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			goto fail;
	if (fclose(in) || fclose(out))
		goto fail;
	return;
fail:
	fprintf(stderr, "alloc_fail: cannot copy %s to %s: %s\n", from, to,
		strerror(errno));
	exit(2);
}

/* A fresh copy of the fixture as the work database. */
static void fresh(void)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s-wal", work);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", work);
	unlink(path);
	copy_file(fixture, work);
}

/* Every row of the tables that matter, as one text: "before" and "after"
 * compare whole states. A new string. */
static char *state_of(sqlite3 *db)
{
	static const char *const tables[] = {
		"staff",       "staff_roles", "completions", "series",
		"occurrences", "feed_tokens", "meta"};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	for (size_t t = 0; f && t < sizeof(tables) / sizeof(*tables); t++) {
		char sql[128];
		sqlite3_stmt *stmt = NULL;
		snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY 1, 2",
			 tables[t]);
		if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
			break;
		while (sqlite3_step(stmt) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(stmt); c++) {
				const unsigned char *v =
					sqlite3_column_text(stmt, c);
				/* created_at-like times move with the clock
				 * between runs: only what was stored. */
				const char *name = sqlite3_column_name(stmt, c);
				if (strstr(name, "_at") ||
				    strcmp(name, "last_modified") == 0)
					continue;
				fprintf(f, "%s|", v ? (const char *)v : "NULL");
			}
			fputc('\n', f);
		}
		sqlite3_finalize(stmt);
	}
	if (!f || fclose(f)) {
		fprintf(stderr, "alloc_fail: cannot read the state\n");
		exit(2);
	}
	return out;
}

static char *state_of_file(const char *path)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "alloc_fail: cannot open %s\n", path);
		exit(2);
	}
	sqlite3_stmt *stmt = NULL;
	sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL);
	if (sqlite3_step(stmt) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(stmt, 0), "ok") != 0) {
		fprintf(stderr, "alloc_fail: %s is damaged\n", path);
		exit(1);
	}
	sqlite3_finalize(stmt);
	char *s = state_of(db);
	sqlite3_close(db);
	return s;
}

/* ---- the operations ---- */

struct op {
	const char *name;
	/* 0 success, -1 a clean error; the engine is open on the work db. */
	int (*run)(struct engine *e, char **output);
};

static const time_t NOW = 1796292000; /* Thu 2026-12-03 10:00 UTC */

static int op_record(struct engine *e, char **output)
{
	(void)output;
	struct sched_env env = engine_env(e, NOW);
	struct record_input in = {.activity = "supervision",
				  .staff_id = "sw1",
				  .date = qa_day_from_ymd(2026, 12, 1)};
	struct errlist errs = {0};
	long long id = 0;
	char *said = NULL;
	int rc = -1;
	if (db_begin(e->db) == 0) {
		if (record_and_regenerate(e->db, &env, &in, &errs, &id,
					  &said) ||
		    db_commit(e->db))
			db_rollback(e->db);
		else
			rc = 0;
	}
	free(said);
	errlist_done(&errs);
	return rc;
}

static int op_import(struct engine *e, char **output)
{
	(void)output;
	struct sched_env env = engine_env(e, NOW);
	struct errlist errs = {0};
	struct sched_stats stats;
	int rc = -1;
	if (db_begin(e->db) == 0) {
		if (staff_import_csv(e->db, staff_csv, env.today, &errs) < 0 ||
		    sched_regenerate(e->db, &env, NULL, &stats) ||
		    db_commit(e->db))
			db_rollback(e->db);
		else
			rc = 0;
	}
	errlist_done(&errs);
	return rc;
}

static int op_regenerate(struct engine *e, char **output)
{
	(void)output;
	struct sched_env env = engine_env(e, NOW + 40L * 86400);
	struct sched_stats stats;
	return sched_regenerate(e->db, &env, NULL, &stats) ? -1 : 0;
}

static int op_feed(struct engine *e, char **output)
{
	struct feed_doc doc = {0};
	int found = feed_render(e->db, &e->catalog, FEED_STAFF, "pm1",
				qa_day_from_ymd(2026, 12, 3), NOW, &doc);
	if (found == 1)
		*output = doc.body ? __real_strdup(doc.body) : NULL;
	feed_doc_done(&doc);
	return found == 1 ? 0 : -1;
}

/* Each person's supervision dates and whether each was done, as the
 * history the reports read (generated afresh, nothing stored). */
static int history_line(const struct person *person, const char *owner,
			const struct sched_occ_list *occs, void *arg)
{
	(void)person;
	FILE *f = arg;
	fprintf(f, "%s:", owner ? owner : "");
	for (size_t i = 0; i < occs->n; i++) {
		char day[DATE_TEXT_SIZE];
		fprintf(f, " %s%s", date_format(occs->items[i].date, day),
			occs->items[i].done_on == QA_DAY_NONE ? "" : "+");
	}
	fputc('\n', f);
	return 0;
}

static int op_history(struct engine *e, char **output)
{
	struct sched_env env = engine_env(e, NOW);
	struct errlist errs = {0};
	size_t len = 0;
	FILE *f = open_memstream(output, &len); /* libc's own allocations */
	if (!f)
		return -1;
	int rc = sched_history(e->db, &env, "supervision",
			       qa_day_from_ymd(2026, 1, 1),
			       qa_day_from_ymd(2026, 12, 31), NULL, NULL,
			       history_line, f, &errs);
	fclose(f);
	errlist_done(&errs);
	return rc;
}

static const struct op ops[] = {
	{"regeneration", op_regenerate}, {"feed render", op_feed},
	{"CSV import", op_import},       {"record", op_record},
	{"history", op_history},
};

static struct engine engine; /* config, plugins, catalog: opened once */

/* Run op once on a fresh copy, failing the n-th allocation (n < 0: none).
 * Returns its result; *reached says whether the failure happened. */
static int run_once(const struct op *op, long n, bool *reached, char **output)
{
	fresh();
	if (db_open(work, &engine.db)) {
		fprintf(stderr, "alloc_fail: cannot open %s\n", work);
		exit(2);
	}
	arm(n);
	int rc = op->run(&engine, output);
	disarm();
	*reached = failed;
	db_close(engine.db);
	engine.db = NULL;
	return rc;
}

/* ALLOC_FAIL_DUMP=DIR keeps both states of a failing case, to compare. */
static void dump_states(size_t o, long n, const char *got, const char *want)
{
	const char *dir = getenv("ALLOC_FAIL_DUMP");
	const char *const texts[] = {got, want}, *const names[] = {"got",
								   "want"};
	for (int i = 0; dir && i < 2; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%zu-%ld-%s", dir, o, n,
			 names[i]);
		FILE *f = fopen(path, "w");
		if (f)
			fputs(texts[i], f), fclose(f);
	}
}

/* Operation o with allocation 1, 2, ... failing in turn until one runs
 * through (every 97th after max); before: the fixture's state. 0 when
 * every run ended as it should. */
static int check_op(size_t o, const char *before, long max)
{
	const struct op *op = &ops[o];
	bool reached;
	char *want_output = NULL;
	if (run_once(op, -1, &reached, &want_output)) {
		fprintf(stderr, "alloc_fail: %s fails with no failure\n",
			op->name);
		return 1;
	}
	char *after = state_of_file(work);
	int status = 0;
	long n, errors = 0, total = 0;
	for (n = 0;; n += n < max ? 1 : 97) {
		char *output = NULL;
		int rc = run_once(op, n, &reached, &output);
		char *now = state_of_file(work);
		const char *want = rc == 0 ? after : before;
		if (strcmp(now, want) != 0) {
			fprintf(stderr,
				"alloc_fail: %s, allocation %ld failing: the "
				"database is %s\n",
				op->name, n + 1,
				rc == 0 ? "not as a success leaves it"
					: "half-written");
			dump_states(o, n + 1, now, want);
			status = 1;
		}
		/* Only readers have output; a writer's is its state. */
		if (rc == 0 && want_output &&
		    (!output || strcmp(output, want_output) != 0)) {
			fprintf(stderr,
				"alloc_fail: %s, allocation %ld failing: "
				"succeeded with other output\n",
				op->name, n + 1);
			status = 1;
		}
		errors += rc != 0;
		total++;
		free(now);
		free(output);
		if (!reached || n > max * 20)
			break;
	}
	if (n < max)
		printf("alloc_fail: %s: %ld runs, allocations 1 to %ld failed "
		       "in turn",
		       op->name, total, n + 1);
	else
		printf("alloc_fail: %s: %ld runs, allocations 1 to %ld failed "
		       "in turn, then every 97th to %ld",
		       op->name, total, max, n + 1);
	printf(" (the last ran through): %ld clean errors, the rest "
	       "succeeded\n",
	       errors);
	free(after);
	free(want_output);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fputs("usage: alloc_fail CONFIG FIXTURE.db WORK.db STAFF.csv "
		      "[MAX]\n",
		      stderr);
		return 2;
	}
	config_path = argv[1];
	fixture = argv[2];
	work = argv[3];
	staff_csv = argv[4];
	long max = argc > 5 ? atol(argv[5]) : 2000;
	sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_default);
	sqlite3_mem_methods counting = sqlite_default;
	counting.xMalloc = sqlite_malloc;
	counting.xRealloc = sqlite_realloc;
	sqlite3_config(SQLITE_CONFIG_MALLOC, &counting);
	/* Quiet: each failure logs its reason, thousands of times. */
	log_set_level(getenv("ALLOC_FAIL_LOG")
			      ? QA_LOG_DEBUG
			      : (enum qa_log_level)(QA_LOG_ERR - 1));
	struct errlist errs = {0};
	if (engine_open(config_path, ENGINE_CATALOG, &engine, &errs) !=
	    ENGINE_OK) {
		fprintf(stderr, "alloc_fail: cannot open the engine\n");
		return 2;
	}
	errlist_done(&errs);
	int status = 0;
	/* ALLOC_FAIL_ONLY=OP:N runs operation OP (0-4) with allocation N
	 * failing, once, and says how it ended. */
	const char *only = getenv("ALLOC_FAIL_ONLY");
	if (only && *only) {
		size_t o = (size_t)atoi(only);
		long n = atol(strchr(only, ':') ? strchr(only, ':') + 1 : "1");
		if (o >= sizeof(ops) / sizeof(*ops)) {
			fprintf(stderr, "alloc_fail: ALLOC_FAIL_ONLY=OP:N, OP "
					"0 to 4\n");
			status = 2;
		} else {
			bool reached;
			char *output = NULL;
			int rc = run_once(&ops[o], n - 1, &reached, &output);
			printf("alloc_fail: %s with allocation %ld failing: "
			       "%s%s\n",
			       ops[o].name, n, rc ? "error" : "success",
			       reached ? "" : " (not reached)");
			free(output);
		}
	} else {
		char *before = state_of_file(fixture);
		for (size_t o = 0; o < sizeof(ops) / sizeof(*ops); o++)
			status |= check_op(o, before, max);
		free(before);
	}
	engine_done(&engine);
	return status;
}
