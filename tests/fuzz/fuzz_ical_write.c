/* libFuzzer target for ical_write: arbitrary bytes in, and what is written
 * must hold what ical_write.h promises.
 *
 * Built by scripts/fuzz.sh (clang, QA_FUZZ); by hand:
 * With clang 14 (Debian 12: clang-14, libclang-rt-14-dev), from the top of
 * the tree:
 *
 *   clang -std=gnu11 -g -O1 -D_GNU_SOURCE \
 *       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *       -Icore -Icore/include -Itests/unit tests/fuzz/fuzz_ical_write.c \
 *       core/ical_write.c core/log.c -o /tmp/fuzz_ical_write
 *   mkdir -p /tmp/write-corpus && /tmp/fuzz_ical_write -max_len=4096 \
 *       -max_total_time=300 /tmp/write-corpus
 *
 * The first octet of the input picks a property name length (so folds fall
 * everywhere) and where the rest is cut in two, value and tail. Checked
 * for every input:
 * - TEXT: "X-N...:" + value as TEXT + "\n" "\n" + tail escaped beforehand
 *   (as a feed writes its detail and its fixed words): every line ends in
 *   CRLF, none is empty or over 75 octets, continuation lines start with
 *   one SP, every line is valid UTF-8 on its own, every backslash starts a
 *   known escape and no fold splits one (tests/unit/ical_check.h); and
 *   unfolding and unescaping give back value and tail sanitised (LF and
 *   CR LF as LF, other controls as SP, ill-formed UTF-8 as U+FFFD);
 * - the same line written again in pieces of every size is the same;
 * - ical_put_lines of the raw input (which breaks its rules: any octets)
 *   still gives lines that end in CRLF and are at most 75 octets, and
 *   unfolding them gives back the input's non-empty lines. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ical_check.h"
#include "ical_write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *why)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ical_write: %s\n", why);
		abort();
	}
}

static char *take(struct ical_writer *w, size_t *len)
{
	char *body = NULL;
	check(ical_writer_finish(w, &body, len) == 0, "finish failed");
	check(body[*len] == '\0', "not NUL-terminated");
	return body;
}

/* The line as TEXT: name, value, "\n\n", the escaped tail; pieces > 0
 * writes value in pieces of that many octets. */
static char *write_text(const char *name, size_t name_len, const uint8_t *value,
			size_t value_len, const struct ical_buf *tail,
			size_t pieces, size_t *len)
{
	struct ical_writer w;
	ical_writer_init(&w, 0);
	ical_put(&w, name, name_len);
	if (pieces == 0) {
		ical_put_text(&w, (const char *)value, value_len);
	} else {
		/* Cut on character boundaries only: a cut inside a
		 * sequence makes two ill-formed ones. */
		size_t at = 0;
		while (at < value_len) {
			size_t end = at + pieces < value_len ? at + pieces
							     : value_len;
			while (end < value_len && (value[end] & 0xC0) == 0x80)
				end++;
			/* Keep CR LF together: apart, CR alone is a
			 * control character. */
			if (end < value_len && value[end] == '\n' &&
			    value[end - 1] == '\r')
				end++;
			ical_put_text(&w, (const char *)value + at, end - at);
			at = end;
		}
	}
	ical_put_lit(&w, "\\n\\n");
	ical_put(&w, tail->data, tail->len);
	ical_end_line(&w);
	return take(&w, len);
}

static struct check_prefixes *prefixes;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!prefixes) {
		prefixes = check_prefixes_new();
		check(prefixes != NULL, "out of memory");
	}
	uint8_t control = size ? data[0] : 0;
	const uint8_t *rest = size ? data + 1 : data;
	size_t rest_len = size ? size - 1 : 0;
	size_t cut = rest_len ? (size_t)(control >> 5) * rest_len / 7 : 0;
	if (cut > rest_len)
		cut = rest_len;
	char name[40] = "X-";
	size_t name_len = 2 + (control & 31);
	memset(name + 2, 'N', name_len - 2);
	name[name_len++] = ':';

	struct ical_buf tail = {0};
	ical_escape_text(&tail, (const char *)rest + cut, rest_len - cut);
	check(!tail.failed, "escaping failed");
	size_t len;
	char *body = write_text(name, name_len, rest, cut, &tail, 0, &len);
	size_t where;
	const char *why = check_lines(body, len, true, true, &where);
	if (why) {
		fprintf(stderr, "at octet %zu: %s\n", where, body);
		check(false, why);
	}

	/* Unfolded and unescaped: the sanitised value and tail. */
	uint8_t *want = malloc(3 * rest_len + 2);
	char *got = malloc(len + 1);
	check(want && got, "out of memory");
	size_t want_len = check_sanitise(prefixes, rest, cut, want);
	memcpy(want + want_len, "\n\n", 2);
	want_len += 2;
	want_len += check_sanitise(prefixes, rest + cut, rest_len - cut,
				   want + want_len);
	char *unfolded = malloc(len + 1);
	check(unfolded != NULL, "out of memory");
	memcpy(unfolded, body, len);
	size_t unfolded_len = check_unfold(unfolded, len);
	check(unfolded_len >= name_len + 2 &&
		      memcmp(unfolded, name, name_len) == 0 &&
		      memcmp(unfolded + unfolded_len - 2, "\r\n", 2) == 0,
	      "the line lost its name or its CRLF");
	size_t got_len = check_unescape(unfolded + name_len,
					unfolded_len - name_len - 2, got);
	check(got_len != (size_t)-1, "a bad escape");
	check(got_len == want_len && memcmp(got, want, got_len) == 0,
	      "the value came back changed");

	/* In pieces, the same bytes. */
	for (size_t pieces = 1; pieces <= 9; pieces += 4) {
		size_t again_len;
		char *again = write_text(name, name_len, rest, cut, &tail,
					 pieces, &again_len);
		check(again_len == len && memcmp(again, body, len) == 0,
		      "written in pieces, the line differs");
		free(again);
	}

	/* Raw lines that break every rule still keep the line limit. */
	struct ical_writer w;
	ical_writer_init(&w, 0);
	ical_put_lines(&w, (const char *)data, size);
	size_t lines_len;
	char *lines = take(&w, &lines_len);
	why = check_lines(lines, lines_len, false, false, &where);
	if (why && strcmp(why, "first line starts with whitespace") != 0 &&
	    strcmp(why, "fold by HTAB, not SP") != 0 &&
	    strcmp(why, "continuation line holds only its SP") != 0)
		check(false, why);
	size_t raw_len = check_unfold(lines, lines_len);
	/* The input's non-empty lines, each with CRLF. */
	char *expect = malloc(size * 2 + 2);
	check(expect != NULL, "out of memory");
	size_t n = 0;
	for (size_t i = 0; i < size;) {
		size_t end = i;
		while (end < size && data[end] != '\r' && data[end] != '\n')
			end++;
		if (end > i) {
			memcpy(expect + n, data + i, end - i);
			n += end - i;
			memcpy(expect + n, "\r\n", 2);
			n += 2;
		}
		i = end;
		while (i < size && (data[i] == '\r' || data[i] == '\n'))
			i++;
	}
	/* A raw line starting with SP or HTAB reads as a fold once written
	 * out: compare only when no line does. */
	bool ambiguous = false;
	for (size_t i = 0; i < n; i++)
		if ((i == 0 || expect[i - 1] == '\n') &&
		    (expect[i] == ' ' || expect[i] == '\t'))
			ambiguous = true;
	check(ambiguous || (raw_len == n && memcmp(lines, expect, n) == 0),
	      "ical_put_lines changed the lines");

	free(expect);
	free(lines);
	free(unfolded);
	free(got);
	free(want);
	free(body);
	ical_buf_done(&tail);
	return 0;
}
