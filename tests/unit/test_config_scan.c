/* Tests for core/config_scan.c: the INI syntax, line by line. Each test
 * scans text from memory and compares what the scanner reported, in order,
 * one "LINE: what" string per call, so every line number is checked. The
 * meaning of sections and keys (config.c) is tested in test_config.c. */
/* cmocka.h needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_scan.h"

#define MAX_EVENTS 32

struct events {
	char *said[MAX_EVENTS];
	size_t n;
	const char *refuse; /* a section name whose keys are skipped */
};

static void record(struct events *e, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void record(struct events *e, int line, const char *fmt, ...)
{
	char text[2048];
	int used = snprintf(text, sizeof(text), "%d: ", line);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text + used, sizeof(text) - (size_t)used, fmt, ap);
	va_end(ap);
	assert_true(e->n < MAX_EVENTS);
	e->said[e->n] = strdup(text);
	assert_non_null(e->said[e->n]);
	e->n++;
}

static bool on_section(void *user, int line, const char *name)
{
	struct events *e = user;
	record(e, line, "[%s]", name);
	return !e->refuse || strcmp(name, e->refuse) != 0;
}

static void on_pair(void *user, int line, const char *key, const char *value)
{
	record(user, line, "<%s>=<%s>", key, value);
}

static void on_error(void *user, int line, const char *message)
{
	record(user, line, "error: %s", message);
}

static const struct config_scan_ops ops = {on_section, on_pair, on_error};

static void events_free(struct events *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->said[i]);
	e->n = 0;
}

/* Scan len bytes of data; fail unless the calls were exactly expected
 * (NULL-terminated) and the scan returned rc. */
static void check_scan_bytes(const char *data, size_t len, int rc,
			     const char *const *expected, const char *refuse)
{
	struct events e = {.refuse = refuse};
	FILE *file = fmemopen((void *)data, len, "r");
	assert_non_null(file);
	assert_int_equal(config_scan(file, &ops, &e), rc);
	fclose(file);
	size_t n = 0;
	while (expected[n])
		n++;
	for (size_t i = 0; i < e.n || i < n; i++) {
		const char *got = i < e.n ? e.said[i] : "(nothing)";
		const char *want = i < n ? expected[i] : "(nothing)";
		if (strcmp(got, want) != 0) {
			for (size_t k = 0; k < e.n; k++)
				print_message("  said: %s\n", e.said[k]);
			fail_msg("call %zu: got \"%s\", want \"%s\"", i, got,
				 want);
		}
	}
	events_free(&e);
}

static void check_scan(const char *text, const char *const *expected)
{
	check_scan_bytes(text, strlen(text), 0, expected, NULL);
}

static void test_keys_sections_and_comments(void **unused)
{
	(void)unused;
	static const char *const want[] = {
		"2: [server]",
		"3: <listen>=<1.2.3.4:80>",
		"4: <base_url>=<https://x.org>",
		"7: <indented>=<is a key>",
		"8: <spaced key>=<spaced value>",
		"9: <empty>=<>",
		"10: [activity.x]",
		"11: <rrule>=<FREQ=DAILY;BYDAY=MO>",
		"12: <tabs>=<x>",
		NULL,
	};
	check_scan("; comment\n"                            /* 1 */
		   "[server] ; what follows is a comment\n" /* 2 */
		   "listen = 1.2.3.4:80\n"                  /* 3 */
		   "base_url: https://x.org\n"              /* 4 */
		   "# comment\n"                            /* 5 */
		   "\n"                                     /* 6 */
		   "    indented = is a key\n"              /* 7 */
		   "spaced key   =   spaced value   \n"     /* 8 */
		   "empty =\n"                              /* 9 */
		   "[activity.x]  # comment\n"              /* 10 */
		   "rrule = FREQ=DAILY;BYDAY=MO\n"          /* 11 */
		   "\ttabs\t=\tx\t\n",                      /* 12 */
		   want);
}

/* A ';' ends a value only after white space, as inih read it. */
static void test_inline_comments(void **unused)
{
	(void)unused;
	static const char *const want[] = {
		"1: [s]",
		"2: <a>=<x;y>",
		"3: <b>=<x>",
		"4: <c>=<>",
		"5: <d>=<;x>",
		"6: error: \"e ;= v\": expected key = value, [section] or a "
		"comment starting with # or ;",
		"7: <f>=<x # not a comment>",
		NULL,
	};
	check_scan("[s]\n"
		   "a = x;y\n"
		   "b = x ;y\n"
		   "c = ; nothing\n"
		   "d =;x\n"
		   "e ;= v\n"
		   "f = x # not a comment\n",
		   want);
}

/* The first '=' or ':' splits key and value; the rest is the value's. */
static void test_separators(void **unused)
{
	(void)unused;
	static const char *const want[] = {
		"1: [s]",
		"2: <listen>=<127.0.0.1:8080>",
		"3: <url>=<http://x.org/a=b>",
		"4: error: \"= value\": missing key name before '='",
		"5: error: \": value\": missing key name before ':'",
		NULL,
	};
	check_scan("[s]\n"
		   "listen = 127.0.0.1:8080\n"
		   "url: http://x.org/a=b\n"
		   "= value\n"
		   ": value\n",
		   want);
}

static void test_line_without_equals(void **unused)
{
	(void)unused;
	static const char *const want[] = {
		"1: [s]",
		"3: error: \"just words\": expected key = value, [section] or "
		"a comment starting with # or ;",
		"4: <after>=<still read>",
		NULL,
	};
	check_scan("[s]\n\njust words\nafter = still read\n", want);
}

static void test_key_before_any_section(void **unused)
{
	(void)unused;
	static const char *const want[] = {
		"2: error: \"early = 1\": key outside any section; put it "
		"under its section, such as [server]",
		"3: [s]",
		"4: <late>=<2>",
		NULL,
	};
	check_scan("# header\nearly = 1\n[s]\nlate = 2\n", want);
}

/* A broken header skips the keys under it (they would be credited to the
 * section above), until the next good one. */
static void test_broken_section_headers(void **unused)
{
	(void)unused;
	static const char *const want[] = {
		"1: [s]",
		"2: error: \"[unterminated\": expected ']' to close the "
		"section name",
		"4: error: \"[\": expected ']' to close the section name",
		"5: error: \"[a ;b]\": expected ']' to close the section name",
		"6: error: empty section name []",
		"8: error: unexpected text \"trailing\" after [t]; only a "
		"comment may follow",
		"8: [t]",
		"9: <kept>=<yes>",
		"10: [ spaced ]",
		NULL,
	};
	check_scan("[s]\n"
		   "[unterminated\n"
		   "lost = 1\n"
		   "[\n"
		   "[a ;b]\n"
		   "[]\n"
		   "lost = 2\n"
		   "[t] trailing\n"
		   "kept = yes\n"
		   "[ spaced ]\n",
		   want);
}

/* A section the caller refuses: its keys are skipped, the next one is
 * read. */
static void test_refused_section_skips_its_keys(void **unused)
{
	(void)unused;
	static const char *const want[] = {
		"1: [bad]",
		"3: [good]",
		"4: <b>=<2>",
		NULL,
	};
	static const char text[] = "[bad]\na = 1\n[good]\nb = 2\n";
	check_scan_bytes(text, strlen(text), 0, want, "bad");
}

static void test_section_name_limit(void **unused)
{
	(void)unused;
	char text[256];
	char name[CONFIG_SCAN_SECTION_MAX + 2];
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(text, sizeof(text), "[%s]\nk = 1\n[%.*s]\nk = 2\n", name,
		 CONFIG_SCAN_SECTION_MAX, name);
	char fits[80];
	snprintf(fits, sizeof(fits), "3: [%.*s]", CONFIG_SCAN_SECTION_MAX,
		 name);
	const char *const want[] = {
		"1: error: section name longer than 49 characters",
		fits,
		"4: <k>=<2>",
		NULL,
	};
	check_scan(text, want);
}

/* CRLF, as Windows editors write: the CR is trimmed and lines count as
 * lines. */
static void test_crlf(void **unused)
{
	(void)unused;
	static const char *const want[] = {
		"1: [s]",
		"2: <a>=<1>",
		"4: error: \"oops\": expected key = value, [section] or a "
		"comment starting with # or ;",
		"5: <b>=<2>",
		NULL,
	};
	check_scan("[s]\r\na = 1\r\n\r\noops\r\nb = 2\r\n", want);
}

/* A byte order mark opens line 1 and is not part of it. */
static void test_byte_order_mark(void **unused)
{
	(void)unused;
	static const char *const want[] = {
		"1: error: \"k = v\": key outside any section; put it under "
		"its section, such as [server]",
		"2: [s]",
		NULL,
	};
	check_scan("\xEF\xBB\xBFk = v\n[s]\n", want);
	static const char *const header[] = {"1: [s]", "2: <a>=<b>", NULL};
	check_scan("\xEF\xBB\xBF[s]\na = b\n", header);
	/* Only on line 1: elsewhere it is text. */
	static const char *const later[] = {
		"1: [s]",
		"2: <\xEF\xBB\xBF"
		"a>=<b>",
		NULL,
	};
	check_scan("[s]\n\xEF\xBB\xBF"
		   "a = b\n",
		   later);
}

static void test_no_final_newline(void **unused)
{
	(void)unused;
	static const char *const want[] = {
		"1: [s]",
		"2: <a>=<1>",
		"3: error: \"last\": expected key = value, [section] or a "
		"comment starting with # or ;",
		NULL,
	};
	check_scan("[s]\na = 1\nlast", want);
}

/* Longer than the line buffer, and longer than the limit: refused whole
 * (never read as two lines), and the lines after keep their numbers; a
 * comment may be as long as it likes. */
static void test_long_lines(void **unused)
{
	(void)unused;
	size_t size = 16384;
	char *text = malloc(size);
	assert_non_null(text);
	char filler[5000];
	memset(filler, 'x', sizeof(filler) - 1);
	filler[sizeof(filler) - 1] = '\0';
	char just[CONFIG_SCAN_LINE_MAX + 1];
	memset(just, 'y', sizeof(just) - 1);
	memcpy(just, "k = ", 4);
	just[sizeof(just) - 1] = '\0';
	snprintf(text, size,
		 "[s]\n"
		 "a = %s\n"     /* 2: far too long */
		 "# %s\n"       /* 3: a long comment is fine */
		 "b = %.196s\n" /* 4: 200 characters */
		 "%s\n"         /* 5: exactly the limit */
		 "   %s   \n"   /* 6: the limit once trimmed */
		 "c = 3\n",     /* 7 */
		 filler, filler, filler, just, just);
	char key[CONFIG_SCAN_LINE_MAX + 16];
	snprintf(key, sizeof(key), "5: <k>=<%s>", just + 4);
	char trimmed[CONFIG_SCAN_LINE_MAX + 16];
	snprintf(trimmed, sizeof(trimmed), "6: <k>=<%s>", just + 4);
	const char *const want[] = {
		"1: [s]",
		"2: error: line longer than 198 characters",
		"4: error: line longer than 198 characters",
		key,
		trimmed,
		"7: <c>=<3>",
		NULL,
	};
	check_scan(text, want);
	free(text);
}

static void test_nul_byte(void **unused)
{
	(void)unused;
	static const char data[] = "[s]\n# a comment\0with a NUL\na\0 = 1\n"
				   "b = 2\n";
	static const char *const want[] = {
		"1: [s]",
		"2: error: line holds a NUL byte",
		"3: error: line holds a NUL byte",
		"4: <b>=<2>",
		NULL,
	};
	check_scan_bytes(data, sizeof(data) - 1, 0, want, NULL);
}

/* Not a config file: refused as a whole (line 0) once it passes the cap,
 * after what was read before it. */
static void test_too_large(void **unused)
{
	(void)unused;
	size_t size = CONFIG_SCAN_MAX_BYTES + 100;
	char *data = malloc(size);
	assert_non_null(data);
	memset(data, '#', size);
	memcpy(data, "[s]\na = 1\n", 10);
	for (size_t i = 100; i < size; i += 100)
		data[i] = '\n';
	static const char *const want[] = {
		"1: [s]",
		"2: <a>=<1>",
		"0: error: larger than 1048576 bytes; is it a config file?",
		NULL,
	};
	check_scan_bytes(data, size, -1, want, NULL);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_sections_and_comments),
		cmocka_unit_test(test_inline_comments),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_line_without_equals),
		cmocka_unit_test(test_key_before_any_section),
		cmocka_unit_test(test_broken_section_headers),
		cmocka_unit_test(test_refused_section_skips_its_keys),
		cmocka_unit_test(test_section_name_limit),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_byte_order_mark),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_too_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
