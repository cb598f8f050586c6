/* Tests for core/config.c: the INI file, its errors with file:line, and
 * the value checks the plugin host relies on. Each test writes its files in
 * a fresh mkdtemp directory, removed afterwards. */
/* cmocka.h needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>
/* clang-format on */

#include <errno.h>
#include <ftw.h>
#include <libical/ical.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

struct fixture {
	char dir[64];
	struct config cfg;
	struct errlist errs;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/test_config.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	config_done(&f->cfg);
	errlist_done(&f->errs);
	int rc = nftw(f->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return rc;
}

/* Write len bytes to DIR/name; returns the path in a static buffer slot. */
static const char *write_bytes(struct fixture *f, const char *name,
			       const char *data, size_t len)
{
	static char paths[4][PATH_MAX];
	static int next;
	char *path = paths[next++ % 4];
	snprintf(path, PATH_MAX, "%s/%s", f->dir, name);
	FILE *file = fopen(path, "w");
	assert_non_null(file);
	assert_int_equal(fwrite(data, 1, len, file), len);
	assert_int_equal(fclose(file), 0);
	return path;
}

static const char *write_conf(struct fixture *f, const char *text)
{
	return write_bytes(f, "qa.conf", text, strlen(text));
}

static void dump_errors(const struct errlist *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		print_message("  error: %s\n", errs->msgs[i]);
}

/* Fail unless errs holds exactly the message formatted from fmt. */
static void assert_error(const struct errlist *errs, const char *fmt, ...)
	QA_PRINTF(2, 3);

static void assert_error(const struct errlist *errs, const char *fmt, ...)
{
	char want[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < errs->n; i++)
		if (strcmp(errs->msgs[i], want) == 0)
			return;
	print_message("missing error: %s\n", want);
	dump_errors(errs);
	fail();
}

/* Fail unless some message starts with PATH:LINE: and contains needle. */
static void assert_error_at(const struct errlist *errs, const char *path,
			    int line, const char *needle)
{
	char prefix[PATH_MAX + 32];
	snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
	for (size_t i = 0; i < errs->n; i++)
		if (strncmp(errs->msgs[i], prefix, strlen(prefix)) == 0 &&
		    strstr(errs->msgs[i], needle))
			return;
	print_message("missing error: %s...%s\n", prefix, needle);
	dump_errors(errs);
	fail();
}

static void assert_no_errors(const struct errlist *errs, int rc)
{
	if (errs->n)
		dump_errors(errs);
	assert_int_equal(errs->n, 0);
	assert_int_equal(rc, 0);
}

static void assert_lists_equal(const struct config_list *a,
			       const struct config_list *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_string_equal(a->items[i], b->items[i]);
}

static void assert_same_string(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* Every setting of a equals that of b (not path or activities). */
static void assert_same_settings(const struct config *a, const struct config *b)
{
	assert_same_string(a->listen, b->listen);
	assert_same_string(a->base_url, b->base_url);
	assert_int_equal(a->feed_refresh, b->feed_refresh);
	assert_int_equal(a->request_timeout, b->request_timeout);
	assert_int_equal(a->max_header_size, b->max_header_size);
	assert_int_equal(a->max_body_size, b->max_body_size);
	assert_int_equal(a->feed_cache_size, b->feed_cache_size);
	assert_int_equal(a->http_threads, b->http_threads);
	assert_same_string(a->db_path, b->db_path);
	assert_same_string(a->plugins_dir, b->plugins_dir);
	assert_lists_equal(&a->enable, &b->enable);
	assert_int_equal(a->enable_set, b->enable_set);
	assert_same_string(a->timezone, b->timezone);
	assert_lists_equal(&a->holidays, &b->holidays);
	assert_same_string(a->smtp_url, b->smtp_url);
	assert_same_string(a->smtp_from, b->smtp_from);
	assert_same_string(a->smtp_user, b->smtp_user);
	assert_same_string(a->smtp_password, b->smtp_password);
	assert_same_string(a->webhook_url, b->webhook_url);
	assert_same_string(a->send_window, b->send_window);
	assert_int_equal(a->send_window_start, b->send_window_start);
	assert_int_equal(a->send_window_end, b->send_window_end);
	assert_int_equal(a->digest, b->digest);
	assert_int_equal(a->digest_minute, b->digest_minute);
	assert_int_equal(a->weekly_day, b->weekly_day);
}

/* ---- defaults ---- */

static void test_defaults(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(config_defaults(&cfg), 0);
	assert_null(cfg.path);
	assert_string_equal(cfg.listen, "127.0.0.1:8080");
	assert_string_equal(cfg.base_url, "http://127.0.0.1:8080");
	assert_int_equal(cfg.feed_refresh, 3600);
	assert_int_equal(cfg.request_timeout, 30);
	assert_int_equal(cfg.max_header_size, 8192);
	assert_int_equal(cfg.max_body_size, 65536);
	assert_int_equal(cfg.feed_cache_size, 8 * 1024 * 1024);
	assert_int_equal(cfg.http_threads, 0); /* auto */
	assert_string_equal(cfg.db_path,
			    "/var/lib/qa-scheduler/qa-scheduler.db");
	assert_string_equal(cfg.plugins_dir, QA_DEFAULT_PLUGIN_DIR);
	assert_int_equal(cfg.enable.n, 0);
	assert_false(cfg.enable_set);
	assert_string_equal(cfg.timezone, "Europe/London");
	assert_int_equal(cfg.holidays.n, 1);
	/* The install prefix's data dir, set by CMake. */
	assert_string_equal(cfg.holidays.items[0], QA_DEFAULT_HOLIDAYS);
	assert_non_null(strstr(cfg.holidays.items[0],
			       "/qa-scheduler/calendars/"
			       "england-and-wales-bank-holidays.ics"));
	assert_null(cfg.smtp_url);
	assert_null(cfg.smtp_from);
	assert_null(cfg.smtp_user);
	assert_null(cfg.smtp_password);
	assert_null(cfg.webhook_url);
	assert_null(cfg.send_window);
	assert_int_equal(cfg.send_window_start, -1);
	assert_int_equal(cfg.send_window_end, -1);
	assert_int_equal(cfg.digest, 1);
	assert_int_equal(cfg.digest_minute, 8 * 60 + 30);
	assert_int_equal(cfg.weekly_day, 1);
	assert_int_equal(cfg.n_activities, 0);
	config_done(&cfg);
}

static void test_absent_keys_are_defaults(void **state)
{
	struct fixture *f = *state;
	struct config defaults;
	const char *path = write_conf(f, "# nothing but sections\n"
					 "[server]\n[database]\n[plugins]\n"
					 "[calendars]\n[reminders]\n");
	int rc = config_load(path, &f->cfg, &f->errs);
	assert_no_errors(&f->errs, rc);
	assert_string_equal(f->cfg.path, path);
	assert_int_equal(config_defaults(&defaults), 0);
	assert_same_settings(&f->cfg, &defaults);
	config_done(&defaults);
}

static void test_every_key_set(void **state)
{
	struct fixture *f = *state;
	const char *path =
		write_conf(f, "[server]\n"
			      "listen = [::1]:0\n"
			      "base_url = https://qa.example.org/sched//\n"
			      "feed_refresh = 90m\n"
			      "request_timeout = 2m\n"
			      "max_header_size = 16384\n"
			      "max_body_size = 1024\n"
			      "threads = 3\n"
			      "feed_cache_size = 2097152\n"
			      "[database]\n"
			      "path = /srv/qa/qa.db\n"
			      "[plugins]\n"
			      "dir = /opt/qa/plugins\n"
			      "enable = supervision ,dip_sample\n"
			      "[calendars]\n"
			      "timezone = America/New_York\n"
			      "holidays = /a.ics, /b.ics\n"
			      "[reminders]\n"
			      "smtp_url = smtps://mail.example.org:465\n"
			      "from = qa@example.org\n"
			      "username = qa user\n"
			      "password = p@ss=word:x\n"
			      "webhook_url = http://hooks.example.org/x\n"
			      "send_window = 08:30-17:45\n");
	int rc = config_load(path, &f->cfg, &f->errs);
	assert_no_errors(&f->errs, rc);
	const struct config *cfg = &f->cfg;
	assert_string_equal(cfg->listen, "[::1]:0");
	assert_string_equal(cfg->base_url, "https://qa.example.org/sched");
	assert_int_equal(cfg->feed_refresh, 5400);
	assert_int_equal(cfg->request_timeout, 120);
	assert_int_equal(cfg->max_header_size, 16384);
	assert_int_equal(cfg->max_body_size, 1024);
	assert_int_equal(cfg->http_threads, 3);
	assert_int_equal(cfg->feed_cache_size, 2097152);
	assert_string_equal(cfg->db_path, "/srv/qa/qa.db");
	assert_string_equal(cfg->plugins_dir, "/opt/qa/plugins");
	assert_true(cfg->enable_set);
	assert_int_equal(cfg->enable.n, 2);
	assert_string_equal(cfg->enable.items[0], "supervision");
	assert_string_equal(cfg->enable.items[1], "dip_sample");
	assert_string_equal(cfg->timezone, "America/New_York");
	assert_int_equal(cfg->holidays.n, 2);
	assert_string_equal(cfg->holidays.items[0], "/a.ics");
	assert_string_equal(cfg->holidays.items[1], "/b.ics");
	assert_string_equal(cfg->smtp_url, "smtps://mail.example.org:465");
	assert_string_equal(cfg->smtp_from, "qa@example.org");
	assert_string_equal(cfg->smtp_user, "qa user");
	assert_string_equal(cfg->smtp_password, "p@ss=word:x");
	assert_string_equal(cfg->webhook_url, "http://hooks.example.org/x");
	assert_string_equal(cfg->send_window, "08:30-17:45");
	assert_int_equal(cfg->send_window_start, 8 * 60 + 30);
	assert_int_equal(cfg->send_window_end, 17 * 60 + 45);
}

static void test_empty_optional_means_unset(void **state)
{
	struct fixture *f = *state;
	const char *path = write_conf(f, "[reminders]\n"
					 "webhook_url =\n"
					 "send_window =\n"
					 "[calendars]\n"
					 "holidays =\n");
	int rc = config_load(path, &f->cfg, &f->errs);
	assert_no_errors(&f->errs, rc);
	assert_null(f->cfg.webhook_url);
	assert_null(f->cfg.send_window);
	assert_int_equal(f->cfg.send_window_start, -1);
	assert_int_equal(f->cfg.holidays.n, 0);
}

/* ---- values of the wrong type, each named by file:line and key ---- */

static void test_type_errors(void **state)
{
	struct fixture *f = *state;
	const char *path =
		write_conf(f, "[server]\n"                    /* 1 */
			      "listen = localhost\n"          /* 2 */
			      "base_url = ftp://x\n"          /* 3 */
			      "feed_refresh = soon\n"         /* 4 */
			      "request_timeout = 10x\n"       /* 5 */
			      "max_header_size = 8k\n"        /* 6 */
			      "max_body_size = -5\n"          /* 7 */
			      "[database]\n"                  /* 8 */
			      "path =\n"                      /* 9 */
			      "[plugins]\n"                   /* 10 */
			      "dir =\n"                       /* 11 */
			      "enable = Supervision\n"        /* 12 */
			      "[calendars]\n"                 /* 13 */
			      "timezone = Mars/Olympus\n"     /* 14 */
			      "holidays = a.ics,,b.ics\n"     /* 15 */
			      "[reminders]\n"                 /* 16 */
			      "smtp_url = http://mail\n"      /* 17 */
			      "from = not an address\n"       /* 18 */
			      "webhook_url = hooks.example\n" /* 19 */
			      "send_window = 8-18\n");        /* 20 */
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_error(&f->errs,
		     "%s:2: [server] listen = \"localhost\": expected "
		     "host:port or [IPv6]:port with a port from 0 to 65535, "
		     "such as 127.0.0.1:8080",
		     path);
	assert_error_at(&f->errs, path, 3,
			"[server] base_url = \"ftp://x\": expected a URL "
			"starting with http:// or https://");
	assert_error(&f->errs,
		     "%s:4: [server] feed_refresh = \"soon\": expected a "
		     "duration such as 30s, 15m, 1h or 7d",
		     path);
	assert_error_at(&f->errs, path, 5,
			"[server] request_timeout = \"10x\": expected a "
			"duration");
	assert_error_at(&f->errs, path, 6,
			"[server] max_header_size = \"8k\": expected a number "
			"of bytes");
	assert_error_at(&f->errs, path, 7,
			"[server] max_body_size = \"-5\": expected a number "
			"of bytes");
	assert_error_at(&f->errs, path, 9,
			"[database] path = \"\": expected a path");
	assert_error_at(&f->errs, path, 11,
			"[plugins] dir = \"\": expected a path");
	assert_error_at(&f->errs, path, 12,
			"[plugins] enable = \"Supervision\": \"Supervision\" "
			"is not an activity id");
	assert_error_at(&f->errs, path, 14,
			"[calendars] timezone = \"Mars/Olympus\": expected a "
			"time zone name such as Europe/London");
	assert_error_at(&f->errs, path, 15,
			"[calendars] holidays = \"a.ics,,b.ics\": expected a "
			"comma-separated list with no empty items");
	assert_error_at(&f->errs, path, 17,
			"[reminders] smtp_url = \"http://mail\": expected a "
			"URL starting with smtp:// or smtps://");
	assert_error_at(&f->errs, path, 18,
			"[reminders] from = \"not an address\": expected an "
			"email address");
	assert_error_at(&f->errs, path, 19,
			"[reminders] webhook_url = \"hooks.example\": "
			"expected a URL starting with http:// or https://");
	assert_error_at(&f->errs, path, 20,
			"[reminders] send_window = \"8-18\": expected "
			"HH:MM-HH:MM with the start before the end");
	/* One message per bad line, nothing more: 15 bad values, and
	 * smtp_url, refused, does not also trigger "from is missing". */
	if (f->errs.n != 15)
		dump_errors(&f->errs);
	assert_int_equal(f->errs.n, 15);
	/* A refused value leaves the default in place. */
	assert_string_equal(f->cfg.listen, "127.0.0.1:8080");
	assert_int_equal(f->cfg.feed_refresh, 3600);
	assert_string_equal(f->cfg.timezone, "Europe/London");
	assert_false(f->cfg.enable_set);
	assert_int_equal(f->cfg.holidays.n, 1);
	assert_null(f->cfg.send_window);
	assert_int_equal(f->cfg.send_window_start, -1);
}

static void test_range_errors(void **state)
{
	struct fixture *f = *state;
	const char *path =
		write_conf(f, "[server]\n"
			      "feed_refresh = 4m\n"                 /* 2 */
			      "request_timeout = 11m\n"             /* 3 */
			      "max_header_size = 1023\n"            /* 4 */
			      "max_body_size = 99999999999999999\n" /* 5 */
			      "listen = 127.0.0.1:65536\n"          /* 6 */
			      "threads = 65\n"                      /* 7 */
			      "[reminders]\n"
			      "send_window = 18:00-08:00\n" /* 9 */
			      "[plugins]\n"
			      "enable = a, b, a\n"); /* 11 */
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_error(&f->errs,
		     "%s:2: [server] feed_refresh = \"4m\": expected a "
		     "duration from 5m to 1w",
		     path);
	assert_error(&f->errs,
		     "%s:3: [server] request_timeout = \"11m\": expected a "
		     "duration from 1s to 10m",
		     path);
	assert_error(&f->errs,
		     "%s:4: [server] max_header_size = \"1023\": expected a "
		     "number of bytes from 1024 to 1048576",
		     path);
	assert_error_at(&f->errs, path, 5, "max_body_size");
	assert_error_at(&f->errs, path, 6, "listen");
	assert_error(&f->errs,
		     "%s:7: [server] threads = \"65\": expected \"auto\" or a "
		     "number from 1 to 64",
		     path);
	assert_error_at(&f->errs, path, 9, "send_window");
	assert_error_at(&f->errs, path, 11, "\"a\" is listed twice");
	assert_int_equal(f->errs.n, 8);
	assert_int_equal(f->cfg.max_body_size, 65536);
	assert_int_equal(f->cfg.http_threads, 0);
}

/* [server] trusted_proxies and auth_header: the sign-on behind a proxy. */
static void test_digest_keys(void **state)
{
	struct fixture *f = *state;
	const char *path = write_conf(f, "[reminders]\n"
					 "mode = sometimes\n"
					 "digest_time = 8:30\n"
					 "weekly_day = funday\n");
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_error(&f->errs,
		     "%s:2: [reminders] mode = \"sometimes\": expected digest "
		     "(one message a day per person, a weekly one per "
		     "manager) or each (one per item)",
		     path);
	assert_error(&f->errs,
		     "%s:3: [reminders] digest_time = \"8:30\": expected a "
		     "time of day HH:MM, such as 08:30",
		     path);
	assert_error(&f->errs,
		     "%s:4: [reminders] weekly_day = \"funday\": expected a "
		     "day of the week, monday to sunday",
		     path);
	assert_int_equal(f->errs.n, 3);
	/* Refused values leave the defaults. */
	assert_int_equal(f->cfg.digest, 1);
	assert_int_equal(f->cfg.digest_minute, 8 * 60 + 30);
	assert_int_equal(f->cfg.weekly_day, 1);
	errlist_done(&f->errs);
	config_done(&f->cfg);
	path = write_conf(f, "[reminders]\n"
			     "mode = each\n"
			     "digest_time = 07:45\n"
			     "weekly_day = Friday\n");
	int rc = config_load(path, &f->cfg, &f->errs);
	assert_no_errors(&f->errs, rc);
	assert_int_equal(f->cfg.digest, 0);
	assert_int_equal(f->cfg.digest_minute, 7 * 60 + 45);
	assert_int_equal(f->cfg.weekly_day, 5);
}

static void test_sign_on_keys(void **state)
{
	struct fixture *f = *state;
	const char *path = write_conf(f, "[server]\n"
					 "trusted_proxies = 10.0.0.1, proxy\n"
					 "auth_header = X Email\n");
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_error(&f->errs,
		     "%s:2: [server] trusted_proxies = \"10.0.0.1, proxy\": "
		     "\"proxy\" is not an IPv4 or IPv6 address (the proxy's, "
		     "such as 127.0.0.1)",
		     path);
	assert_error(&f->errs,
		     "%s:3: [server] auth_header = \"X Email\": expected a "
		     "header name such as X-Forwarded-Email",
		     path);
	errlist_done(&f->errs);
	config_done(&f->cfg);
	path = write_conf(f, "[server]\n"
			     "trusted_proxies = 127.0.0.1, ::1, 10.1.2.3\n"
			     "auth_header = X-Forwarded-Email\n");
	int rc = config_load(path, &f->cfg, &f->errs);
	assert_no_errors(&f->errs, rc);
	assert_int_equal(f->cfg.trusted_proxies.n, 3);
	assert_string_equal(f->cfg.trusted_proxies.items[1], "::1");
	assert_string_equal(f->cfg.auth_header, "X-Forwarded-Email");
	config_done(&f->cfg);
	/* Unset by default: no sign-on. */
	path = write_conf(f, "[server]\n");
	rc = config_load(path, &f->cfg, &f->errs);
	assert_no_errors(&f->errs, rc);
	assert_int_equal(f->cfg.trusted_proxies.n, 0);
	assert_null(f->cfg.auth_header);
}

static void test_threads(void **state)
{
	struct fixture *f = *state;
	const char *path = write_conf(f, "[server]\nthreads = many\n");
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_error(&f->errs,
		     "%s:2: [server] threads = \"many\": expected \"auto\" or "
		     "a number from 1 to 64",
		     path);
	errlist_done(&f->errs);
	config_done(&f->cfg);
	path = write_conf(f, "[server]\nthreads = 0\n");
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_error_at(&f->errs, path, 2, "from 1 to 64");
	errlist_done(&f->errs);
	config_done(&f->cfg);
	path = write_conf(f, "[server]\nthreads = auto\n");
	int rc = config_load(path, &f->cfg, &f->errs);
	assert_no_errors(&f->errs, rc);
	assert_int_equal(f->cfg.http_threads, 0);
	config_done(&f->cfg);
	path = write_conf(f, "[server]\nthreads = 1\n");
	rc = config_load(path, &f->cfg, &f->errs);
	assert_no_errors(&f->errs, rc);
	assert_int_equal(f->cfg.http_threads, 1);
	config_done(&f->cfg);
	path = write_conf(f, "[server]\nfeed_cache_size = 1048575\n");
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_error(&f->errs,
		     "%s:2: [server] feed_cache_size = \"1048575\": expected a "
		     "number of bytes from 1048576 to 1073741824",
		     path);
}

static void test_listen_forms(void **state)
{
	struct fixture *f = *state;
	static const char *const good[] = {"0.0.0.0:80", "localhost:0",
					   "[::]:8080", "[::ffff:1.2.3.4]:1",
					   "qa-1.example.org:65535"};
	static const char *const bad[] = {
		"127.0.0.1", "::1:8080",       "[::1]8080",    "[zz]:80",
		":8080",     "127.0.0.1:",     "127.0.0.1:8x", "[]:80",
		"a b:80",    "127.0.0.1:99999"};
	char text[256];
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "[server]\nlisten = %s\n",
			 good[i]);
		int rc = config_load(write_conf(f, text), &f->cfg, &f->errs);
		assert_no_errors(&f->errs, rc);
		assert_string_equal(f->cfg.listen, good[i]);
		config_done(&f->cfg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[server]\nlisten = %s\n", bad[i]);
		const char *path = write_conf(f, text);
		if (config_load(path, &f->cfg, &f->errs) != -1)
			fail_msg("listen = %s was accepted", bad[i]);
		assert_int_equal(f->errs.n, 1);
		assert_error_at(&f->errs, path, 2, "[server] listen");
		config_done(&f->cfg);
		errlist_done(&f->errs);
	}
}

static void test_smtp_needs_from(void **state)
{
	struct fixture *f = *state;
	const char *path = write_conf(f, "[reminders]\n"
					 "username = qa\n"
					 "smtp_url = smtp://localhost:25\n");
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_int_equal(f->errs.n, 1);
	assert_error_at(&f->errs, path, 3, "smtp_url is set but from is not");
}

static void test_enable_empty_refused(void **state)
{
	struct fixture *f = *state;
	const char *path = write_conf(f, "[plugins]\nenable =\n");
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_error_at(&f->errs, path, 2, "leave enable out");
	assert_false(f->cfg.enable_set);
}

/* ---- syntax: every malformed line, with its line ---- */

static void test_syntax_errors_all_reported(void **state)
{
	struct fixture *f = *state;
	const char *path =
		write_conf(f, "listen = 1.2.3.4:80\n"     /* 1: no section */
			      "[server]\n"                /* 2 */
			      "listen = 127.0.0.1:9000\n" /* 3 */
			      "this is not a setting\n"   /* 4 */
			      "   base_url = https://x.org\n" /* 5: indented */
			      "= value\n"                     /* 6 */
			      "[database\n"                   /* 7 */
			      "path = /nowhere.db\n"          /* 8: skipped */
			      "[plugins] extra\n"             /* 9 */
			      "dir = /p\n"                    /* 10 */
			      "[]\n"                          /* 11 */
			      "[calendars]  ; fine\n"         /* 12 */
			      "timezone = UTC\n");            /* 13 */
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_error_at(&f->errs, path, 1, "key outside any section");
	assert_error(&f->errs,
		     "%s:4: \"this is not a setting\": expected key = value, "
		     "[section] or a comment starting with # or ;",
		     path);
	assert_error_at(&f->errs, path, 6, "missing key name before '='");
	assert_error_at(
		&f->errs, path, 7,
		"\"[database\": expected ']' to close the section name");
	assert_error_at(&f->errs, path, 9,
			"unexpected text \"extra\" after [plugins]");
	assert_error_at(&f->errs, path, 11, "empty section name []");
	if (f->errs.n != 6)
		dump_errors(&f->errs);
	assert_int_equal(f->errs.n, 6);
	/* Errors come in file order. */
	for (size_t i = 1; i < f->errs.n; i++) {
		int a = atoi(f->errs.msgs[i - 1] + strlen(path) + 1);
		int b = atoi(f->errs.msgs[i] + strlen(path) + 1);
		assert_true(a < b);
	}
	/* The good lines around them still count: an indented key is a key,
	 * not a continuation of the one above, and a key under a broken
	 * header is not credited to the section before it. */
	assert_string_equal(f->cfg.listen, "127.0.0.1:9000");
	assert_string_equal(f->cfg.base_url, "https://x.org");
	assert_string_equal(f->cfg.db_path,
			    "/var/lib/qa-scheduler/qa-scheduler.db");
	assert_string_equal(f->cfg.plugins_dir, "/p");
	assert_string_equal(f->cfg.timezone, "UTC");
}

static void test_long_lines(void **state)
{
	struct fixture *f = *state;
	char text[4096];
	char long_value[300];
	memset(long_value, 'a', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	/* A long key line is refused whole, not cut into two lines (which
	 * inih would do, shifting every later line number); a long comment
	 * is fine; line 4 is still line 4. */
	snprintf(text, sizeof(text),
		 "[reminders]\n"
		 "password = %s\n"
		 "# %s\n"
		 "from = nobody\n",
		 long_value, long_value);
	const char *path = write_conf(f, text);
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_int_equal(f->errs.n, 2);
	assert_error(&f->errs, "%s:2: line longer than 198 characters", path);
	assert_error_at(&f->errs, path, 4, "[reminders] from = \"nobody\"");
	assert_null(f->cfg.smtp_password);
	config_done(&f->cfg);
	errlist_done(&f->errs);

	/* 198 characters is the longest that fits. */
	char value[200];
	memset(value, 'b', 198 - strlen("password = "));
	value[198 - strlen("password = ")] = '\0';
	snprintf(text, sizeof(text), "[reminders]\npassword = %s\n", value);
	int rc = config_load(write_conf(f, text), &f->cfg, &f->errs);
	assert_no_errors(&f->errs, rc);
	assert_string_equal(f->cfg.smtp_password, value);
}

static void test_long_section_name(void **state)
{
	struct fixture *f = *state;
	/* inih keeps 49 characters of a section name and drops the rest
	 * without a word; the name must be refused, not cut. */
	const char *path = write_conf(
		f, "[activity.a_very_long_activity_id_that_does_not_fit_x]\n"
		   "key = value\n"
		   "[activity.just_fits_in_forty_nine_characters_vwxyz]\n"
		   "key = value\n");
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_int_equal(f->errs.n, 1);
	assert_error(&f->errs, "%s:1: section name longer than 49 characters",
		     path);
	assert_int_equal(f->cfg.n_activities, 1);
	assert_non_null(config_activity(
		&f->cfg, "just_fits_in_forty_nine_characters_vwxyz"));
}

static void test_nul_byte(void **state)
{
	struct fixture *f = *state;
	static const char data[] = "[server]\nlisten = 1.2.3.4:80\0junk\n"
				   "base_url = bad\n";
	const char *path = write_bytes(f, "qa.conf", data, sizeof(data) - 1);
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_error(&f->errs, "%s:2: line holds a NUL byte", path);
	assert_error_at(&f->errs, path, 3, "base_url");
	assert_int_equal(f->errs.n, 2);
	assert_string_equal(f->cfg.listen, "127.0.0.1:8080");
}

static void test_bom_crlf_and_comments(void **state)
{
	struct fixture *f = *state;
	const char *path =
		write_conf(f, "\xEF\xBB\xBF[server]\r\n"
			      "; a comment\r\n"
			      "\t# another\r\n"
			      "listen = 10.0.0.1:81 ; inline comment\r\n"
			      "base_url: https://colon.example.org\r\n"
			      "\r\n");
	int rc = config_load(path, &f->cfg, &f->errs);
	assert_no_errors(&f->errs, rc);
	assert_string_equal(f->cfg.listen, "10.0.0.1:81");
	assert_string_equal(f->cfg.base_url, "https://colon.example.org");
}

/* ---- unknown and duplicate sections and keys ---- */

static void test_unknown_section_and_key(void **state)
{
	struct fixture *f = *state;
	const char *path = write_conf(f, "[server]\n"
					 "listen = 127.0.0.1:1\n"
					 "lisen = 127.0.0.1:2\n"  /* 3 */
					 "path = /x.db\n"         /* 4 */
					 "[sever]\n"              /* 5 */
					 "listen = 127.0.0.1:3\n" /* ignored */
					 "anything = at all\n"    /* ignored */
					 "[activity.Bad-Id]\n"    /* 8 */
					 "rrule = FREQ=DAILY\n"); /* ignored */
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_error(
		&f->errs,
		"%s:3: unknown key \"lisen\" in [server]; known keys: "
		"listen, base_url, feed_refresh, request_timeout, "
		"max_header_size, max_body_size, feed_cache_size, threads, "
		"trusted_proxies, auth_header",
		path);
	assert_error(
		&f->errs,
		"%s:4: unknown key \"path\" in [server]; known keys: "
		"listen, base_url, feed_refresh, request_timeout, "
		"max_header_size, max_body_size, feed_cache_size, threads, "
		"trusted_proxies, auth_header "
		"(path belongs in "
		"[database])",
		path);
	assert_error(&f->errs,
		     "%s:5: unknown section [sever]; known sections: server, "
		     "database, plugins, calendars, reminders, activity.<id>",
		     path);
	assert_error_at(&f->errs, path, 8,
			"invalid activity id \"Bad-Id\" in [activity.Bad-Id]");
	/* The keys of a refused section add no errors of their own. */
	assert_int_equal(f->errs.n, 4);
	assert_string_equal(f->cfg.listen, "127.0.0.1:1");
	assert_int_equal(f->cfg.n_activities, 0);
}

static void test_duplicates(void **state)
{
	struct fixture *f = *state;
	const char *path = write_conf(f, "[server]\n"                 /* 1 */
					 "listen = 127.0.0.1:1\n"     /* 2 */
					 "[activity.supervision]\n"   /* 3 */
					 "rrule = FREQ=WEEKLY\n"      /* 4 */
					 "rrule = FREQ=DAILY\n"       /* 5 */
					 "[server]\n"                 /* 6 */
					 "listen = 127.0.0.1:2\n"     /* 7 */
					 "base_url = https://b.org\n" /* 8 */
					 "[activity.supervision]\n"   /* 9 */
					 "reminders = 1d\n");         /* 10 */
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_error(&f->errs,
		     "%s:5: duplicate key \"rrule\" in [activity.supervision]; "
		     "first set on line 4",
		     path);
	assert_error(&f->errs,
		     "%s:6: duplicate section [server]; first on line 1", path);
	assert_error(&f->errs,
		     "%s:7: duplicate key \"listen\" in [server]; first set "
		     "on line 2",
		     path);
	assert_error(&f->errs,
		     "%s:9: duplicate section [activity.supervision]; first "
		     "on line 3",
		     path);
	assert_int_equal(f->errs.n, 4);
	/* The first value stands; new keys of a repeated section still
	 * count, so its other problems are found too. */
	assert_string_equal(f->cfg.listen, "127.0.0.1:1");
	assert_string_equal(f->cfg.base_url, "https://b.org");
	const struct config_activity *a =
		config_activity(&f->cfg, "supervision");
	assert_non_null(a);
	assert_int_equal(f->cfg.n_activities, 1);
	assert_int_equal(a->n_kvs, 2);
	assert_string_equal(a->kvs[0].value, "FREQ=WEEKLY");
	assert_string_equal(a->kvs[1].key, "reminders");
	assert_int_equal(a->kvs[1].line, 10);
}

static void test_many_errors_one_file(void **state)
{
	struct fixture *f = *state;
	const char *path = write_conf(f, "[server]\n"
					 "feed_refresh = often\n" /* 2 */
					 "colour = blue\n"        /* 3 */
					 "[calendars]\n"
					 "timezone = Narnia\n" /* 5 */
					 "oops\n"              /* 6 */
					 "[bogus]\n"           /* 7 */
					 "[reminders]\n"
					 "send_window = 9-5\n"); /* 9 */
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	static const int lines[] = {2, 3, 5, 6, 7, 9};
	assert_int_equal(f->errs.n, 6);
	for (size_t i = 0; i < 6; i++) {
		char prefix[PATH_MAX + 16];
		snprintf(prefix, sizeof(prefix), "%s:%d: ", path, lines[i]);
		assert_true(strncmp(f->errs.msgs[i], prefix, strlen(prefix)) ==
			    0);
	}
}

/* ---- files and paths ---- */

static void test_relative_paths(void **state)
{
	struct fixture *f = *state;
	char sub[256], want[PATH_MAX];
	snprintf(sub, sizeof(sub), "%s/etc", f->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	static const char text[] =
		"[database]\npath = data/qa.db\n"
		"[plugins]\ndir = ../build/plugins\n"
		"[calendars]\nholidays = bank.ics, /abs/x.ics, ./c/y.ics\n";
	write_bytes(f, "etc/qa.conf", text, strlen(text));

	/* Given absolutely. */
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/qa.conf", sub);
	int rc = config_load(path, &f->cfg, &f->errs);
	assert_no_errors(&f->errs, rc);
	snprintf(want, sizeof(want), "%s/data/qa.db", sub);
	assert_string_equal(f->cfg.db_path, want);
	snprintf(want, sizeof(want), "%s/../build/plugins", sub);
	assert_string_equal(f->cfg.plugins_dir, want);
	assert_int_equal(f->cfg.holidays.n, 3);
	snprintf(want, sizeof(want), "%s/bank.ics", sub);
	assert_string_equal(f->cfg.holidays.items[0], want);
	assert_string_equal(f->cfg.holidays.items[1], "/abs/x.ics");
	snprintf(want, sizeof(want), "%s/./c/y.ics", sub);
	assert_string_equal(f->cfg.holidays.items[2], want);
	config_done(&f->cfg);

	/* Given relative to the working directory: the result is still
	 * absolute, so a later chdir cannot change its meaning. */
	char *cwd = getcwd(NULL, 0);
	assert_non_null(cwd);
	assert_int_equal(chdir(f->dir), 0);
	rc = config_load("etc/qa.conf", &f->cfg, &f->errs);
	int back = chdir(cwd);
	free(cwd);
	assert_int_equal(back, 0);
	assert_no_errors(&f->errs, rc);
	snprintf(want, sizeof(want), "%s/data/qa.db", sub);
	/* getcwd may resolve a symlinked /tmp: compare the tail and that it
	 * is absolute. */
	assert_true(f->cfg.db_path[0] == '/');
	assert_non_null(strstr(f->cfg.db_path, "/etc/data/qa.db"));
	assert_string_equal(f->cfg.path, "etc/qa.conf");
}

static void test_missing_file(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/absent.conf", f->dir);
	assert_int_equal(config_load(path, &f->cfg, &f->errs), -1);
	assert_int_equal(f->errs.n, 1);
	assert_error(&f->errs, "%s: cannot open: %s", path, strerror(ENOENT));
	/* What could be read, the defaults, is there and must be freed. */
	assert_string_equal(f->cfg.listen, "127.0.0.1:8080");
	config_done(&f->cfg);
	errlist_done(&f->errs);

	/* A directory opens but cannot be read. */
	assert_int_equal(config_load(f->dir, &f->cfg, &f->errs), -1);
	assert_int_equal(f->errs.n, 1);
	assert_error(&f->errs, "%s: cannot read: %s", f->dir, strerror(EISDIR));
}

static void test_activity_sections(void **state)
{
	struct fixture *f = *state;
	const char *path =
		write_conf(f, "[activity.supervision]\n"              /* 1 */
			      "rrule = FREQ=MONTHLY;BYDAY=2TU\n"      /* 2 */
			      "\n"                                    /* 3 */
			      "note = any text, even = and : signs\n" /* 4 */
			      "[server]\n"                            /* 5 */
			      "[activity.dip_sample]\n"               /* 6 */
			      "[activity.case_audit_2]\n"             /* 7 */
			      "reminders = none\n");                  /* 8 */
	int rc = config_load(path, &f->cfg, &f->errs);
	assert_no_errors(&f->errs, rc);
	assert_int_equal(f->cfg.n_activities, 3);

	const struct config_activity *a =
		config_activity(&f->cfg, "supervision");
	assert_non_null(a);
	assert_string_equal(a->id, "supervision");
	assert_int_equal(a->line, 1);
	assert_int_equal(a->n_kvs, 2);
	assert_string_equal(a->kvs[0].key, "rrule");
	assert_string_equal(a->kvs[0].value, "FREQ=MONTHLY;BYDAY=2TU");
	assert_int_equal(a->kvs[0].line, 2);
	assert_string_equal(a->kvs[1].key, "note");
	assert_string_equal(a->kvs[1].value, "any text, even = and : signs");
	assert_int_equal(a->kvs[1].line, 4);

	/* A section with no keys is still kept: the host may want to know
	 * it names an activity that does not exist. */
	a = config_activity(&f->cfg, "dip_sample");
	assert_non_null(a);
	assert_int_equal(a->line, 6);
	assert_int_equal(a->n_kvs, 0);

	a = config_activity(&f->cfg, "case_audit_2");
	assert_non_null(a);
	assert_int_equal(a->kvs[0].line, 8);
	assert_null(config_activity(&f->cfg, "themed_audit"));
}

/* ---- the shipped file ---- */

static void test_shipped_config_is_defaults(void **state)
{
	struct fixture *f = *state;
	struct config defaults;
	int rc = config_load(QA_SOURCE_DIR "/etc/qa-scheduler.conf", &f->cfg,
			     &f->errs);
	assert_no_errors(&f->errs, rc);
	assert_int_equal(config_defaults(&defaults), 0);
	assert_same_settings(&f->cfg, &defaults);
	config_done(&defaults);
}

/* The "#key = value" examples in the shipped file, uncommented, are a valid
 * config too, and every core key is documented there. */
static void test_shipped_config_examples(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = {"listen",
					   "base_url",
					   "feed_refresh",
					   "request_timeout",
					   "max_header_size",
					   "max_body_size",
					   "path",
					   "dir",
					   "enable",
					   "timezone",
					   "holidays",
					   "smtp_url",
					   "from",
					   "username",
					   "password",
					   "webhook_url",
					   "send_window"};
	bool seen[sizeof(keys) / sizeof(keys[0])] = {false};
	FILE *in = fopen(QA_SOURCE_DIR "/etc/qa-scheduler.conf", "r");
	assert_non_null(in);
	char *text = NULL;
	size_t text_size = 0;
	FILE *out = open_memstream(&text, &text_size);
	assert_non_null(out);
	char line[512];
	while (fgets(line, sizeof(line), in)) {
		const char *setting = line;
		if (line[0] == '#' &&
		    (line[1] == '[' || (line[1] >= 'a' && line[1] <= 'z')))
			setting = line + 1;
		for (size_t i = 0;
		     setting != line && i < sizeof(keys) / sizeof(keys[0]);
		     i++) {
			size_t len = strlen(keys[i]);
			if (strncmp(setting, keys[i], len) == 0 &&
			    strncmp(setting + len, " = ", 3) == 0)
				seen[i] = true;
		}
		fputs(setting, out);
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!seen[i])
			fail_msg("etc/qa-scheduler.conf does not document %s",
				 keys[i]);
	const char *path = write_conf(f, text);
	free(text);
	int rc = config_load(path, &f->cfg, &f->errs);
	assert_no_errors(&f->errs, rc);
	assert_string_equal(f->cfg.smtp_url, "smtp://localhost:25");
	assert_int_equal(f->cfg.send_window_start, 8 * 60);
	assert_true(f->cfg.enable_set);
	assert_non_null(config_activity(&f->cfg, "supervision"));
}

/* ---- config_check_value, one type at a time ---- */

struct value_case {
	enum qa_config_type type;
	const char *value;
	bool valid;
};

static const struct value_case value_cases[] = {
	{QA_CONFIG_STRING, "anything at all", true},
	{QA_CONFIG_STRING, "", false},

	{QA_CONFIG_INT, "0", true},
	{QA_CONFIG_INT, "42", true},
	{QA_CONFIG_INT, "2147483647", true},
	{QA_CONFIG_INT, "2147483648", false},
	{QA_CONFIG_INT, "99999999999999999999", false},
	{QA_CONFIG_INT, "-1", false},
	{QA_CONFIG_INT, "+1", false},
	{QA_CONFIG_INT, "12abc", false},
	{QA_CONFIG_INT, " 5", false},
	{QA_CONFIG_INT, "", false},

	{QA_CONFIG_BOOL, "true", true},
	{QA_CONFIG_BOOL, "No", true},
	{QA_CONFIG_BOOL, "on", true},
	{QA_CONFIG_BOOL, "0", true},
	{QA_CONFIG_BOOL, "maybe", false},
	{QA_CONFIG_BOOL, "", false},

	{QA_CONFIG_DURATION, "90m", true},
	{QA_CONFIG_DURATION, "45", true},
	{QA_CONFIG_DURATION, "2w", true},
	{QA_CONFIG_DURATION, "1d", true},
	{QA_CONFIG_DURATION, "0", false},
	{QA_CONFIG_DURATION, "0m", false},
	{QA_CONFIG_DURATION, "1.5h", false},
	{QA_CONFIG_DURATION, "1h30m", false},
	{QA_CONFIG_DURATION, "h", false},
	{QA_CONFIG_DURATION, "10y", false},
	{QA_CONFIG_DURATION, "-5m", false},
	{QA_CONFIG_DURATION, "5 m", false},
	{QA_CONFIG_DURATION, "99999999w", false},
	{QA_CONFIG_DURATION, "", false},

	{QA_CONFIG_LEADS, "7d, 1d", true},
	{QA_CONFIG_LEADS, "2d", true},
	{QA_CONFIG_LEADS, "none", true},
	{QA_CONFIG_LEADS, "", false},
	{QA_CONFIG_LEADS, "0", false},
	{QA_CONFIG_LEADS, "7d,,1d", false},
	{QA_CONFIG_LEADS, "7d, soon", false},
	{QA_CONFIG_LEADS, "1d, 24h", false},

	{QA_CONFIG_RRULE, "FREQ=MONTHLY;BYDAY=2TU", true},
	{QA_CONFIG_RRULE, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", true},
	{QA_CONFIG_RRULE, "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31", true},
	{QA_CONFIG_RRULE, "RSCALE=GREGORIAN;FREQ=MONTHLY", true},
	{QA_CONFIG_RRULE, "FREQ=SOMETIMES", false},
	{QA_CONFIG_RRULE, "BYDAY=2TU", false},
	{QA_CONFIG_RRULE, "FREQ=MONTHLY;BYDAY=9XX", false},
	{QA_CONFIG_RRULE, "FREQ=MONTHLY;FOO=1", false},
	{QA_CONFIG_RRULE, "RRULE:FREQ=DAILY", false},
	{QA_CONFIG_RRULE, "", false},

	{QA_CONFIG_TIME, "00:00", true},
	{QA_CONFIG_TIME, "09:30", true},
	{QA_CONFIG_TIME, "23:59", true},
	{QA_CONFIG_TIME, "24:00", false},
	{QA_CONFIG_TIME, "12:60", false},
	{QA_CONFIG_TIME, "9:30", false},
	{QA_CONFIG_TIME, "09:30:00", false},
	{QA_CONFIG_TIME, "ab:cd", false},

	{QA_CONFIG_DATE, "2028-02-29", true},
	{QA_CONFIG_DATE, "2026-12-31", true},
	{QA_CONFIG_DATE, "2026-02-30", false},
	{QA_CONFIG_DATE, "2027-02-29", false},
	{QA_CONFIG_DATE, "2026-13-01", false},
	{QA_CONFIG_DATE, "2026-1-5", false},
	{QA_CONFIG_DATE, "31/03/2026", false},

	{QA_CONFIG_LIST, "a, b ,c", true},
	{QA_CONFIG_LIST, "one", true},
	{QA_CONFIG_LIST, "", true},
	{QA_CONFIG_LIST, "a,,b", false},
	{QA_CONFIG_LIST, "a, ", false},
	{QA_CONFIG_LIST, ",a", false},

	{QA_CONFIG_END, "x", false},
	{(enum qa_config_type)99, "x", false},
};

static void test_check_value(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]);
	     i++) {
		const struct value_case *c = &value_cases[i];
		char why[256] = "";
		int rc =
			config_check_value(c->type, c->value, why, sizeof(why));
		if (rc != (c->valid ? 0 : -1))
			fail_msg("%s \"%s\": got %d, want %s (%s)",
				 config_type_name(c->type), c->value, rc,
				 c->valid ? "valid" : "invalid", why);
		if (!c->valid && strlen(why) < 10)
			fail_msg("%s \"%s\": refused without a reason",
				 config_type_name(c->type), c->value);
		/* libical's error state is global: leave none behind. */
		assert_int_equal(icalerrno, ICAL_NO_ERROR);
	}
	/* why is optional. */
	assert_int_equal(config_check_value(QA_CONFIG_INT, "x", NULL, 0), -1);
	assert_int_equal(config_check_value(QA_CONFIG_INT, NULL, NULL, 0), -1);
}

static void test_check_value_reasons(void **state)
{
	(void)state;
	char why[256];
	assert_int_equal(config_check_value(QA_CONFIG_DURATION, "soon", why,
					    sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "duration such as"));
	assert_int_equal(config_check_value(QA_CONFIG_RRULE, "FREQ=SOMETIMES",
					    why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "FREQ=MONTHLY;BYDAY=1TU"));
	assert_int_equal(
		config_check_value(QA_CONFIG_LEADS, "", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "none"));
	/* A short buffer is cut, not overrun (ASan watches). */
	char tiny[8];
	assert_int_equal(
		config_check_value(QA_CONFIG_DATE, "x", tiny, sizeof(tiny)),
		-1);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(config_type_name(QA_CONFIG_DURATION), "duration");
	assert_string_equal(config_type_name(QA_CONFIG_LEADS),
			    "list of durations");
	for (int t = QA_CONFIG_STRING; t <= QA_CONFIG_LIST; t++)
		assert_string_not_equal(
			config_type_name((enum qa_config_type)t), "unknown");
}

/* ---- parse helpers ---- */

static void test_parse_duration(void **state)
{
	(void)state;
	long s;
	assert_int_equal(config_parse_duration("90m", &s), 0);
	assert_int_equal(s, 5400);
	assert_int_equal(config_parse_duration("30", &s), 0);
	assert_int_equal(s, 30);
	assert_int_equal(config_parse_duration("30s", &s), 0);
	assert_int_equal(s, 30);
	assert_int_equal(config_parse_duration("2h", &s), 0);
	assert_int_equal(s, 7200);
	assert_int_equal(config_parse_duration("7d", &s), 0);
	assert_int_equal(s, 604800);
	assert_int_equal(config_parse_duration("4w", &s), 0);
	assert_int_equal(s, 4 * 604800);
	assert_int_equal(config_parse_duration("0", &s), 0);
	assert_int_equal(s, 0);
	/* Always fits an int. */
	assert_int_equal(config_parse_duration("2147483647", &s), 0);
	assert_int_equal(config_parse_duration("2147483648", &s), -1);
	assert_int_equal(config_parse_duration("3550w", &s), 0);
	assert_int_equal(config_parse_duration("3551w", &s), -1);
	assert_int_equal(config_parse_duration("1H", &s), -1);
	assert_int_equal(config_parse_duration("m", &s), -1);
	assert_int_equal(config_parse_duration("", &s), -1);
	assert_int_equal(config_parse_duration(NULL, &s), -1);
}

static void test_parse_leads(void **state)
{
	(void)state;
	long *leads = NULL;
	size_t n = 99;
	assert_int_equal(config_parse_leads("7d, 1d,2h", &leads, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(leads[0], 604800);
	assert_int_equal(leads[1], 86400);
	assert_int_equal(leads[2], 7200);
	free(leads);
	leads = (long *)&n; /* must be overwritten */
	assert_int_equal(config_parse_leads("none", &leads, &n), 0);
	assert_int_equal(n, 0);
	assert_null(leads);
	assert_int_equal(config_parse_leads("7d, 0", &leads, &n), -1);
	assert_int_equal(config_parse_leads("none, 1d", &leads, &n), -1);
}

static void test_parse_small_types(void **state)
{
	(void)state;
	int number;
	bool flag = false;
	assert_int_equal(config_parse_int("0012", &number), 0);
	assert_int_equal(number, 12);
	assert_int_equal(config_parse_int("1e3", &number), -1);
	assert_int_equal(config_parse_bool("YES", &flag), 0);
	assert_true(flag);
	assert_int_equal(config_parse_bool("off", &flag), 0);
	assert_false(flag);
	assert_int_equal(config_parse_bool("2", &flag), -1);
	assert_int_equal(config_parse_time("17:45", &number), 0);
	assert_int_equal(number, 17 * 60 + 45);
	assert_int_equal(config_parse_time("07:5", &number), -1);
}

static void test_split_list(void **state)
{
	(void)state;
	struct config_list list;
	assert_int_equal(config_split_list("  a , b b,c  ", &list), 0);
	assert_int_equal(list.n, 3);
	assert_string_equal(list.items[0], "a");
	assert_string_equal(list.items[1], "b b");
	assert_string_equal(list.items[2], "c");
	config_list_done(&list);
	assert_int_equal(list.n, 0);
	assert_null(list.items);
	assert_int_equal(config_split_list("   ", &list), 0);
	assert_int_equal(list.n, 0);
	assert_int_equal(config_split_list("a,b,", &list), -1);
	assert_int_equal(list.n, 0);
	assert_null(list.items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_setup_teardown(test_absent_keys_are_defaults,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_key_set, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_empty_optional_means_unset,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_type_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_keys, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sign_on_keys, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_range_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_listen_forms, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_smtp_needs_from, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_enable_empty_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_errors_all_reported,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_lines, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_long_section_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bom_crlf_and_comments,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_section_and_key,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_many_errors_one_file,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_paths, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_activity_sections, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_shipped_config_is_defaults,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_shipped_config_examples,
						setup, teardown),
		cmocka_unit_test(test_check_value),
		cmocka_unit_test(test_check_value_reasons),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_parse_leads),
		cmocka_unit_test(test_parse_small_types),
		cmocka_unit_test(test_split_list),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	/* libical keeps the zones it loaded; free them so valgrind reports
	 * only what is ours. */
	icaltimezone_free_builtin_timezones();
	return failed;
}
