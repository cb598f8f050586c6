/* libFuzzer target for config_scan: arbitrary bytes as a config file, and
 * what the scanner reports must hold what config_scan.h promises.
 *
 * Built by scripts/fuzz.sh (clang, QA_FUZZ); by hand:
 * With clang 14 (Debian 12: clang-14, libclang-rt-14-dev), from the top of
 * the tree:
 *
 *   clang -std=gnu11 -g -O1 -D_GNU_SOURCE \
 *       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *       -Icore -Icore/include tests/fuzz/fuzz_config_scan.c \
 *       core/config_scan.c -o /tmp/fuzz_config_scan
 *   mkdir -p /tmp/scan-corpus && /tmp/fuzz_config_scan -max_len=4096 \
 *       -max_total_time=300 /tmp/scan-corpus
 *
 * Checked for every input:
 * - every call names a line from 1 to the number of lines in the input, in
 *   file order (never going back), and the scan returns 0;
 * - a section name is 1 to CONFIG_SCAN_SECTION_MAX bytes and holds no ']';
 * - a key is not empty, and neither key nor value starts or ends with white
 *   space or holds a NUL or a newline; a key holds no '=' or ':';
 * - a pair comes only after a section was taken;
 * - no line yields two section or pair calls. */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_scan.h"

struct seen {
	int lines;     /* in the input */
	int last;      /* the line of the last call */
	int last_item; /* the line of the last section or pair */
	bool taken;    /* under a section the callback took */
};

static void check_line(struct seen *s, int line)
{
	if (line < 1 || line > s->lines || line < s->last)
		abort();
	s->last = line;
}

static void check_item(struct seen *s, int line)
{
	check_line(s, line);
	if (line == s->last_item)
		abort();
	s->last_item = line;
}

static void check_trimmed(const char *text)
{
	size_t len = strlen(text);
	if (len && (isspace((unsigned char)text[0]) ||
		    isspace((unsigned char)text[len - 1])))
		abort();
	if (strchr(text, '\n'))
		abort();
}

static bool on_section(void *user, int line, const char *name)
{
	struct seen *s = user;
	check_item(s, line);
	size_t len = strlen(name);
	if (len < 1 || len > CONFIG_SCAN_SECTION_MAX || strchr(name, ']'))
		abort();
	/* Take every other section, so skipping is exercised too. */
	s->taken = (len % 2) == 0;
	return s->taken;
}

static void on_pair(void *user, int line, const char *key, const char *value)
{
	struct seen *s = user;
	check_item(s, line);
	if (!s->taken || !*key || strpbrk(key, "=:"))
		abort();
	check_trimmed(key);
	check_trimmed(value);
}

static void on_error(void *user, int line, const char *message)
{
	struct seen *s = user;
	check_line(s, line);
	if (!*message)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct config_scan_ops ops = {on_section, on_pair,
						   on_error};
	struct seen s = {0};
	for (size_t i = 0; i < size; i++)
		s.lines += data[i] == '\n';
	if (size && data[size - 1] != '\n')
		s.lines++;
	if (size == 0)
		return 0;
	FILE *file = fmemopen((void *)data, size, "r");
	if (!file)
		return 0;
	if (config_scan(file, &ops, &s) != 0)
		abort(); /* the cap is far above -max_len */
	fclose(file);
	return 0;
}
