/* db: opening, pragmas, migrations, refusals that leave a file untouched,
 * and two connections at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "qa-scheduler/util.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/qa-test-db-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/qa.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	DIR *dir = opendir(f->dir);
	struct dirent *entry;
	char path[PATH_MAX];
	chmod(f->dir, 0700);
	while (dir && (entry = readdir(dir))) {
		if (entry->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->dir, entry->d_name);
		unlink(path);
	}
	if (dir)
		closedir(dir);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The whole file, NUL-terminated; *size gets its length. */
static char *slurp(const char *path, size_t *size)
{
	FILE *file = fopen(path, "rb");
	char *data = NULL;
	long len;
	if (!file)
		return NULL;
	if (fseek(file, 0, SEEK_END) == 0 && (len = ftell(file)) >= 0 &&
	    fseek(file, 0, SEEK_SET) == 0 && (data = malloc((size_t)len + 1))) {
		if (fread(data, 1, (size_t)len, file) != (size_t)len) {
			free(data);
			data = NULL;
		} else {
			data[len] = '\0';
			if (size)
				*size = (size_t)len;
		}
	}
	fclose(file);
	return data;
}

/* FNV-1a of the whole file, and its size: to see it left untouched. */
static uint64_t checksum(const char *path, size_t *size)
{
	char *data = slurp(path, size);
	uint64_t hash = 14695981039346656037ull;
	assert_non_null(data);
	for (size_t i = 0; i < *size; i++) {
		hash ^= (unsigned char)data[i];
		hash *= 1099511628211ull;
	}
	free(data);
	return hash;
}

static void spill(const char *path, const char *data, size_t size)
{
	FILE *file = fopen(path, "wb");
	assert_non_null(file);
	assert_int_equal(fwrite(data, 1, size, file), size);
	assert_int_equal(fclose(file), 0);
}

/* stderr (the log) into a file, to check what a person would read. */
struct capture {
	int saved_fd;
	char path[PATH_MAX];
};

static void capture_start(struct capture *c, const char *dir)
{
	fflush(stderr);
	snprintf(c->path, sizeof(c->path), "%s/stderr.txt", dir);
	int fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	c->saved_fd = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

static char *capture_end(struct capture *c)
{
	fflush(stderr);
	dup2(c->saved_fd, STDERR_FILENO);
	close(c->saved_fd);
	char *text = slurp(c->path, NULL);
	unlink(c->path);
	assert_non_null(text);
	/* Show it too: a failing test should say what was logged. */
	fputs(text, stderr);
	return text;
}

static long long query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	long long value = -1;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *error = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &error);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, error ? error : "?");
	sqlite3_free(error);
}

static int exec_rc(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static const char *const tables[] = {
	"staff",
	"staff_roles",
	"completions",
	"occurrences",
	"occurrence_attendees",
	"feed_tokens",
	"reminders_outbox",
	"meta",
};

static void fresh_file_is_migrated(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = NULL;
	assert_int_equal(db_open(f->path, &db), 0);
	assert_int_equal(db_schema_version(db), DB_SCHEMA_VERSION);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		sqlite3_stmt *stmt = NULL;
		assert_int_equal(
			sqlite3_prepare_v2(db,
					   "SELECT count(*) FROM sqlite_schema "
					   "WHERE type = 'table' AND name = ?1",
					   -1, &stmt, NULL),
			SQLITE_OK);
		sqlite3_bind_text(stmt, 1, tables[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
		if (sqlite3_column_int(stmt, 0) != 1)
			fail_msg("table %s missing", tables[i]);
		sqlite3_finalize(stmt);
	}
	/* The indexes the engine, feeds and reminders lean on. */
	assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_schema "
				       "WHERE type = 'index' AND name IN ("
				       "'completions_by_activity_staff',"
				       "'occurrences_by_subject',"
				       "'occurrences_by_status_date',"
				       "'occurrence_attendees_by_staff',"
				       "'feed_tokens_live',"
				       "'reminders_outbox_by_state')"),
			 6);
	db_close(db);
}

static void pragmas_on_every_connection(void **state)
{
	struct fixture *f = *state;
	sqlite3 *first = NULL, *second = NULL;
	assert_int_equal(db_open(f->path, &first), 0);
	/* The second connection finds the file migrated: its pragmas must
	 * come from db_open, not from the migration. */
	assert_int_equal(db_open(f->path, &second), 0);
	sqlite3 *both[] = {first, second};
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *stmt = NULL;
		assert_int_equal(sqlite3_prepare_v2(both[i],
						    "PRAGMA journal_mode", -1,
						    &stmt, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
		assert_string_equal(sqlite3_column_text(stmt, 0), "wal");
		sqlite3_finalize(stmt);
		assert_int_equal(query_int(both[i], "PRAGMA foreign_keys"), 1);
		assert_int_equal(query_int(both[i], "PRAGMA synchronous"), 2);
		assert_int_equal(query_int(both[i], "PRAGMA busy_timeout"),
				 DB_BUSY_TIMEOUT_MS);
	}
	db_close(first);
	db_close(second);
}

static void reopening_changes_nothing(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = NULL;
	assert_int_equal(db_open(f->path, &db), 0);
	exec_ok(db, "INSERT INTO meta (key, value) VALUES ('k', 'v')");
	long long objects = query_int(db, "SELECT count(*) FROM sqlite_schema");
	db_close(db);

	assert_int_equal(db_open(f->path, &db), 0);
	assert_int_equal(db_schema_version(db), DB_SCHEMA_VERSION);
	assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_schema"),
			 objects);
	assert_int_equal(query_int(db, "SELECT count(*) FROM meta "
				       "WHERE key = 'k' AND value = 'v'"),
			 1);
	assert_int_equal(db_migrate_to(db, DB_SCHEMA_VERSION), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_schema"),
			 objects);
	db_close(db);
}

static void assert_refused_untouched(struct fixture *f, const char *expect)
{
	size_t size_before = 0, size_after = 0;
	uint64_t before = checksum(f->path, &size_before);
	struct capture capture;
	sqlite3 *db = NULL;

	capture_start(&capture, f->dir);
	assert_int_equal(db_open(f->path, &db), -1);
	assert_null(db);
	assert_int_equal(db_open_readonly(f->path, &db), -1);
	assert_null(db);
	char *log = capture_end(&capture);
	if (!strstr(log, expect))
		fail_msg("expected \"%s\" in the log", expect);
	free(log);

	assert_true(checksum(f->path, &size_after) == before);
	assert_int_equal(size_after, size_before);
	char wal[256];
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(access(wal, F_OK), -1);
}

static void newer_schema_is_refused_untouched(void **state)
{
	struct fixture *f = *state;
	sqlite3 *raw = NULL;
	char sql[128], expect[512];
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	exec_ok(raw, "CREATE TABLE future (x TEXT); "
		     "INSERT INTO future VALUES ('from a later version')");
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		 DB_SCHEMA_VERSION + 1);
	exec_ok(raw, sql);
	sqlite3_close(raw);
	snprintf(expect, sizeof(expect),
		 "db: %s has schema version %d, newer than this qa-scheduler "
		 "understands (%d); upgrade qa-scheduler or restore a backup",
		 f->path, DB_SCHEMA_VERSION + 1, DB_SCHEMA_VERSION);
	assert_refused_untouched(f, expect);
}

static void non_sqlite_file_is_refused_untouched(void **state)
{
	struct fixture *f = *state;
	char text[4096];
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = "id,name,email\nsw1,Ann,ann@example.org\n"[i % 38];
	spill(f->path, text, sizeof(text));
	assert_refused_untouched(f, "is not a SQLite database");
	/* Shorter than a SQLite header. */
	spill(f->path, "hello\n", 6);
	assert_refused_untouched(f, "is not a SQLite database");
}

static void other_programs_database_is_refused(void **state)
{
	struct fixture *f = *state;
	sqlite3 *raw = NULL;
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	exec_ok(raw, "CREATE TABLE bookmarks (url TEXT)");
	sqlite3_close(raw);
	assert_refused_untouched(f, "tables of another program");

	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	exec_ok(raw, "PRAGMA application_id = 1234; PRAGMA user_version = 1");
	sqlite3_close(raw);
	assert_refused_untouched(f, "another program (application_id 1234)");
}

static void migrate_to_builds_old_schemas(void **state)
{
	struct fixture *f = *state;
	sqlite3 *raw = NULL;
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	assert_int_equal(db_migrate_to(raw, 0), 0);
	assert_int_equal(db_schema_version(raw), 0);
	assert_int_equal(query_int(raw, "SELECT count(*) FROM sqlite_schema"),
			 0);
	assert_int_equal(db_migrate_to(raw, DB_SCHEMA_VERSION + 1), -1);
	assert_int_equal(db_schema_version(raw), 0);
	assert_int_equal(db_migrate_to(raw, 1), 0);
	assert_int_equal(db_schema_version(raw), 1);
	assert_int_equal(query_int(raw, "SELECT count(*) FROM sqlite_schema "
					"WHERE name = 'staff'"),
			 1);
	/* Migrations only go forward. */
	assert_int_equal(db_migrate_to(raw, 0), -1);
	assert_int_equal(db_schema_version(raw), 1);
	sqlite3_close(raw);
}

static void schema_enforces_its_rules(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = NULL;
	assert_int_equal(db_open(f->path, &db), 0);
	exec_ok(db, "INSERT INTO staff (id, name, email, team, added_on, "
		    "updated_at) VALUES ('pm1', 'Pat', 'pat@example.org', "
		    "'North', '2026-01-05', 0)");
	/* The manager foreign key waits for COMMIT (imports name managers
	 * defined later) but holds there. */
	exec_ok(db, "BEGIN");
	exec_ok(db, "INSERT INTO staff (id, name, email, team, manager_id, "
		    "added_on, updated_at) VALUES ('sw1', 'Sam', "
		    "'sam@example.org', 'North', 'ghost', '2026-01-05', 0)");
	assert_int_not_equal(exec_rc(db, "COMMIT"), SQLITE_OK);
	exec_ok(db, "ROLLBACK");
	assert_int_equal(query_int(db, "SELECT count(*) FROM staff"), 1);
	/* A completion names someone we know. */
	assert_int_not_equal(
		exec_rc(db, "INSERT INTO completions (activity, staff_id, "
			    "done_on, recorded_at) VALUES ('supervision', "
			    "'ghost', '2026-01-05', 0)"),
		SQLITE_OK);
	assert_int_not_equal(
		exec_rc(db, "INSERT INTO completions (activity, staff_id, "
			    "done_on, grade, recorded_at) VALUES "
			    "('collaborative_audit', 'pm1', '2026-01-05', "
			    "'excellent', 0)"),
		SQLITE_OK);
	exec_ok(db, "INSERT INTO completions (activity, staff_id, done_on, "
		    "grade, safeguarding, recorded_at) VALUES "
		    "('collaborative_audit', 'pm1', '2026-01-05', "
		    "'requires_improvement', 1, 0)");
	/* A date is text, not a number (STRICT), in YYYY-MM-DD. */
	assert_int_not_equal(
		exec_rc(db, "UPDATE staff SET nqsw_start = 20260105"),
		SQLITE_OK);
	assert_int_not_equal(
		exec_rc(db, "UPDATE staff SET nqsw_start = '5 Jan 2026'"),
		SQLITE_OK);
	/* One occurrence per (activity, subject, key). */
	const char *occurrence =
		"INSERT INTO occurrences (uid, activity, subject, occ_key, "
		"kind, status, start_date, duration, summary, content_hash, "
		"created_at, last_modified) VALUES (?, 'dip_sample', 'pm1', "
		"'2026-W02', 'due', 'confirmed', '2026-01-09', 0, 'Dip "
		"sample', 'h', 0, 0)";
	sqlite3_stmt *stmt = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, occurrence, -1, &stmt, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(stmt, 1, "u1", -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
	sqlite3_reset(stmt);
	sqlite3_bind_text(stmt, 1, "u2", -1, SQLITE_STATIC);
	assert_int_not_equal(sqlite3_step(stmt), SQLITE_DONE);
	sqlite3_finalize(stmt);
	/* Attendees go with their occurrence. */
	exec_ok(db, "INSERT INTO occurrence_attendees VALUES ('u1', 'pm1')");
	exec_ok(db, "INSERT INTO reminders_outbox (occurrence_uid, stage, "
		    "channel, recipient, due_at, idempotency_key) VALUES "
		    "('u1', '7d', 'email', 'pat@example.org', 0, 'k1')");
	assert_int_not_equal(
		exec_rc(db, "INSERT INTO reminders_outbox (occurrence_uid, "
			    "stage, channel, recipient, due_at, "
			    "idempotency_key) VALUES ('u1', '1d', 'email', "
			    "'pat@example.org', 0, 'k1')"),
		SQLITE_OK);
	assert_int_not_equal(
		exec_rc(db, "INSERT INTO reminders_outbox (occurrence_uid, "
			    "stage, channel, recipient, due_at, "
			    "idempotency_key) VALUES ('u1', '1d', 'pager', "
			    "'pat@example.org', 0, 'k2')"),
		SQLITE_OK);
	assert_int_equal(query_int(db, "SELECT count(*) FROM reminders_outbox "
				       "WHERE state = 'pending' AND "
				       "attempts = 0"),
			 1);
	exec_ok(db, "DELETE FROM occurrences WHERE uid = 'u1'");
	assert_int_equal(
		query_int(db, "SELECT count(*) FROM occurrence_attendees"), 0);
	/* One live token per feed; a revoked one does not count. */
	exec_ok(db, "INSERT INTO feed_tokens (kind, subject, token_hash, "
		    "created_at) VALUES ('staff', 'pm1', x'01', 0)");
	assert_int_not_equal(
		exec_rc(db, "INSERT INTO feed_tokens (kind, subject, "
			    "token_hash, created_at) VALUES ('staff', 'pm1', "
			    "x'02', 0)"),
		SQLITE_OK);
	exec_ok(db, "UPDATE feed_tokens SET revoked_at = 1");
	exec_ok(db, "INSERT INTO feed_tokens (kind, subject, token_hash, "
		    "created_at) VALUES ('staff', 'pm1', x'02', 0)");
	assert_int_not_equal(
		exec_rc(db, "INSERT INTO feed_tokens (kind, subject, "
			    "token_hash, created_at) VALUES ('wizard', 'x', "
			    "x'03', 0)"),
		SQLITE_OK);
	db_close(db);
}

struct second_writer {
	const char *path;
	int ready;
	int done;
	int result;
};

static void *write_second(void *arg)
{
	struct second_writer *w = arg;
	sqlite3 *db = NULL;
	int result = -1;
	if (db_open(w->path, &db) == 0) {
		__atomic_store_n(&w->ready, 1, __ATOMIC_SEQ_CST);
		if (db_begin(db) == 0 &&
		    sqlite3_exec(db, "INSERT INTO meta VALUES ('second', 'b')",
				 NULL, NULL, NULL) == SQLITE_OK &&
		    db_commit(db) == 0)
			result = 0;
		else
			db_rollback(db);
		db_close(db);
	}
	w->result = result;
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&w->ready, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void pause_ms(long ms)
{
	struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&pause, NULL);
}

static void second_writer_waits_for_the_first(void **state)
{
	struct fixture *f = *state;
	struct second_writer w = {.path = f->path};
	sqlite3 *db = NULL;
	pthread_t thread;
	assert_int_equal(db_open(f->path, &db), 0);
	assert_int_equal(db_begin(db), 0);
	exec_ok(db, "INSERT INTO meta VALUES ('first', 'a')");
	assert_int_equal(pthread_create(&thread, NULL, write_second, &w), 0);
	while (!__atomic_load_n(&w.ready, __ATOMIC_SEQ_CST))
		pause_ms(1);
	/* Holding the write lock: the second cannot have finished. */
	pause_ms(300);
	assert_int_equal(__atomic_load_n(&w.done, __ATOMIC_SEQ_CST), 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(pthread_join(thread, NULL), 0);
	/* It waited (busy_timeout) instead of failing with SQLITE_BUSY. */
	assert_int_equal(w.result, 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM meta"), 2);
	db_close(db);
}

static void locked_database_is_a_clear_error(void **state)
{
	struct fixture *f = *state;
	sqlite3 *holder = NULL, *waiter = NULL;
	struct capture capture;
	assert_int_equal(db_open(f->path, &holder), 0);
	assert_int_equal(db_open(f->path, &waiter), 0);
	assert_int_equal(db_begin(holder), 0);
	exec_ok(holder, "INSERT INTO meta VALUES ('kept', 'yes')");
	assert_int_equal(db_set_busy_timeout(waiter, 50), 0);
	capture_start(&capture, f->dir);
	assert_int_equal(db_begin(waiter), -1);
	char *log = capture_end(&capture);
	assert_non_null(strstr(log, "cannot start a write transaction"));
	assert_non_null(strstr(log, "locked"));
	assert_non_null(strstr(log, f->path));
	free(log);
	/* The holder's work is not lost, and the waiter can go on after. */
	assert_int_equal(db_commit(holder), 0);
	assert_int_equal(db_begin(waiter), 0);
	db_rollback(waiter);
	assert_int_equal(query_int(waiter, "SELECT count(*) FROM meta "
					   "WHERE key = 'kept'"),
			 1);
	db_close(holder);
	db_close(waiter);
}

static void data_version_sees_other_commits(void **state)
{
	struct fixture *f = *state;
	sqlite3 *reader = NULL, *writer = NULL;
	long long before, after;
	assert_int_equal(db_open(f->path, &reader), 0);
	assert_int_equal(db_open(f->path, &writer), 0);
	assert_int_equal(db_data_version(reader, &before), 0);
	assert_int_equal(db_data_version(reader, &after), 0);
	assert_true(after == before);
	exec_ok(writer, "INSERT INTO meta VALUES ('last_regeneration', '1')");
	assert_int_equal(db_data_version(reader, &after), 0);
	assert_true(after != before);
	db_close(reader);
	db_close(writer);
}

/* A kept statement is handed out again once released, a second one is
 * prepared while the first is in use, text without DB_KEPT is refused, and
 * db_close finalizes what is kept (valgrind and ASan see no leak, and the
 * close does not complain of an unfinalized statement). */
static void kept_statements(void **state)
{
	struct fixture *f = *state;
	static const char sql[] = DB_KEPT "SELECT count(*) FROM staff";
	sqlite3 *db = NULL;
	sqlite3_stmt *first = NULL, *second = NULL, *again = NULL;
	assert_int_equal(db_open(f->path, &db), 0);
	assert_int_equal(db_prepare_kept(db, sql, &first), 0);
	assert_non_null(first);
	assert_int_equal(sqlite3_step(first), SQLITE_ROW);
	/* first is in use: another is prepared. */
	assert_int_equal(db_prepare_kept(db, sql, &second), 0);
	assert_non_null(second);
	assert_ptr_not_equal(first, second);
	db_release_kept(first);
	db_release_kept(second);
	/* Released: one of them comes back, reset. */
	assert_int_equal(db_prepare_kept(db, sql, &again), 0);
	assert_true(again == first || again == second);
	assert_int_equal(sqlite3_step(again), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(again, 0), 0);
	db_release_kept(again);
	db_release_kept(NULL);
	/* A statement of its own, unfinalized, is not db_close's to take. */
	sqlite3_stmt *other = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT 1", -1, &other, NULL),
			 SQLITE_OK);
	struct capture capture;
	capture_start(&capture, f->dir);
	sqlite3_stmt *refused = (sqlite3_stmt *)&capture;
	assert_int_equal(db_prepare_kept(db, "SELECT 1", &refused), -1);
	assert_null(refused);
	char *said = capture_end(&capture);
	assert_non_null(strstr(said, "must start with DB_KEPT"));
	free(said);
	sqlite3_finalize(other);
	capture_start(&capture, f->dir);
	db_close(db);
	said = capture_end(&capture);
	assert_string_equal(said, "");
	free(said);
}

static void readonly_open(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = NULL;
	struct capture capture;
	/* Not there: not created. */
	capture_start(&capture, f->dir);
	assert_int_equal(db_open_readonly(f->path, &db), -1);
	free(capture_end(&capture));
	assert_int_equal(access(f->path, F_OK), -1);
	/* Not yet migrated: said so. */
	spill(f->path, "", 0);
	capture_start(&capture, f->dir);
	assert_int_equal(db_open_readonly(f->path, &db), -1);
	char *log = capture_end(&capture);
	assert_non_null(strstr(log, "older than"));
	free(log);

	assert_int_equal(db_open(f->path, &db), 0);
	exec_ok(db, "INSERT INTO meta VALUES ('k', 'v')");
	db_close(db);
	assert_int_equal(db_open_readonly(f->path, &db), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM meta"), 1);
	assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_not_equal(exec_rc(db, "DELETE FROM meta"), SQLITE_OK);
	db_close(db);
}

/* Run db_open(path) as a user without write access (root ignores file
 * modes, so a root test drops to nobody in a child). Returns its result;
 * the log goes to log_path. */
static int open_as_unprivileged(const char *path, const char *log_path)
{
	pid_t child;
	int status;
	fflush(stderr);
	child = fork();
	if (child == 0) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		sqlite3 *db = NULL;
		if (fd < 0)
			_exit(3);
		dup2(fd, STDERR_FILENO);
		if (geteuid() == 0 &&
		    (setgroups(0, NULL) || setgid(65534) || setuid(65534)))
			_exit(4);
		if (db_open(path, &db) == 0) {
			db_close(db);
			_exit(0);
		}
		_exit(1);
	}
	assert_true(child > 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status) == 0   ? 0
	       : WEXITSTATUS(status) == 1 ? -1
					  : -2;
}

static void read_only_file_or_directory_is_a_clear_error(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = NULL;
	char log_path[PATH_MAX];
	size_t size_before, size_after;
	snprintf(log_path, sizeof(log_path), "/tmp/qa-test-db-log-%d.txt",
		 (int)getpid());
	assert_int_equal(db_open(f->path, &db), 0);
	exec_ok(db, "INSERT INTO meta VALUES ('kept', 'yes')");
	db_close(db);
	uint64_t before = checksum(f->path, &size_before);

	/* The file read-only, its directory open. */
	assert_int_equal(chmod(f->dir, 0755), 0);
	assert_int_equal(chmod(f->path, 0444), 0);
	assert_int_equal(open_as_unprivileged(f->path, log_path), -1);
	char *log = slurp(log_path, NULL);
	assert_non_null(log);
	fputs(log, stderr);
	assert_non_null(strstr(log, "is read-only for this user"));
	free(log);

	/* The file writable, its directory not: SQLite cannot make the
	 * -wal and -shm files beside it. */
	assert_int_equal(chmod(f->path, 0666), 0);
	assert_int_equal(chmod(f->dir, 0555), 0);
	assert_int_equal(open_as_unprivileged(f->path, log_path), -1);
	log = slurp(log_path, NULL);
	assert_non_null(log);
	fputs(log, stderr);
	assert_non_null(strstr(log, f->path));
	assert_non_null(strstr(log, "writable"));
	free(log);
	unlink(log_path);

	assert_int_equal(chmod(f->dir, 0700), 0);
	assert_true(checksum(f->path, &size_after) == before);
	assert_int_equal(size_after, size_before);
	assert_int_equal(db_open(f->path, &db), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM meta "
				       "WHERE key = 'kept'"),
			 1);
	db_close(db);
}

static void missing_directory_is_a_clear_error(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = NULL;
	struct capture capture;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/no/such/dir/qa.db", f->dir);
	capture_start(&capture, f->dir);
	assert_int_equal(db_open(path, &db), -1);
	char *log = capture_end(&capture);
	assert_non_null(strstr(log, path));
	assert_non_null(strstr(log, "cannot open"));
	free(log);
}

/* The readers and binders every module shares: a NULL or a text that is not
 * a real date reads as no day, and no day binds as NULL. */
static void day_and_text_columns(void **state)
{
	(void)state;
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT '2026-03-10', NULL,"
					    " '2026-02-30', 'soon', 20260310",
					    -1, &stmt, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_int_equal(db_column_day(stmt, 0), qa_day_from_ymd(2026, 3, 10));
	for (int column = 1; column <= 4; column++)
		assert_int_equal(db_column_day(stmt, column), QA_DAY_NONE);
	char *text = db_column_dup(stmt, 0);
	assert_string_equal(text, "2026-03-10");
	free(text);
	assert_null(db_column_dup(stmt, 1));
	sqlite3_finalize(stmt);

	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT ?1, ?2 IS NULL, ?3,"
					    " ?4 IS NULL",
					    -1, &stmt, NULL),
			 SQLITE_OK);
	char word[] = "x";
	assert_int_equal(db_bind_day(stmt, 1, qa_day_from_ymd(2026, 12, 31)),
			 SQLITE_OK);
	assert_int_equal(db_bind_day(stmt, 2, QA_DAY_NONE), SQLITE_OK);
	/* Copied: the caller's buffer may change before the step. */
	assert_int_equal(db_bind_text(stmt, 3, word), SQLITE_OK);
	word[0] = 'y';
	assert_int_equal(db_bind_text(stmt, 4, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(stmt, 0),
			    "2026-12-31");
	assert_int_equal(sqlite3_column_int(stmt, 1), 1);
	assert_string_equal((const char *)sqlite3_column_text(stmt, 2), "x");
	assert_int_equal(sqlite3_column_int(stmt, 3), 1);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(fresh_file_is_migrated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(pragmas_on_every_connection,
						setup, teardown),
		cmocka_unit_test_setup_teardown(reopening_changes_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			newer_schema_is_refused_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(
			non_sqlite_file_is_refused_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(
			other_programs_database_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(migrate_to_builds_old_schemas,
						setup, teardown),
		cmocka_unit_test_setup_teardown(schema_enforces_its_rules,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			second_writer_waits_for_the_first, setup, teardown),
		cmocka_unit_test_setup_teardown(
			locked_database_is_a_clear_error, setup, teardown),
		cmocka_unit_test_setup_teardown(data_version_sees_other_commits,
						setup, teardown),
		cmocka_unit_test_setup_teardown(kept_statements, setup,
						teardown),
		cmocka_unit_test_setup_teardown(readonly_open, setup, teardown),
		cmocka_unit_test_setup_teardown(
			read_only_file_or_directory_is_a_clear_error, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			missing_directory_is_a_clear_error, setup, teardown),
		cmocka_unit_test(day_and_text_columns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
