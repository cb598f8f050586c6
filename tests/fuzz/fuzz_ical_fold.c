/* libFuzzer target for ical_refold: arbitrary bytes in, and the output must
 * hold what ical_fold.h promises.
 *
 * Not built by CMake (the compiler may be gcc, which has no libFuzzer).
 * With clang 14 (Debian 12: clang-14, libclang-rt-14-dev), from the top of
 * the tree:
 *
 *   clang -std=gnu11 -g -O1 -D_GNU_SOURCE \
 *       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *       -Icore -Icore/include tests/fuzz/fuzz_ical_fold.c core/ical_fold.c \
 *       core/log.c -o /tmp/fuzz_ical_fold
 *   mkdir -p /tmp/fold-corpus && /tmp/fuzz_ical_fold -max_len=4096 \
 *       -max_total_time=300 /tmp/fold-corpus
 *
 * Checked for every input:
 * - every line ends in CRLF, no other CR or LF, none empty, none over 75
 *   octets; a line after the first that starts with whitespace is a
 *   continuation: it starts with SP and holds more than that SP;
 * - the unfolded lines of the output are those of the input (the rules of
 *   ical_fold.h, done here the slow, obvious way), so nothing is lost,
 *   added or moved across lines;
 * - when those lines are valid UTF-8, every output line is too (its fold SP
 *   aside): no line break falls inside a sequence;
 * - refolding the output gives it back byte for byte;
 * - what *out held before the call is kept. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ical_fold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PREFIX "PREFIX"
#define PREFIX_LEN (sizeof(PREFIX) - 1)

static void check(bool ok, const char *why)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ical_fold: %s\n", why);
		abort();
	}
}

static bool is_break(uint8_t c)
{
	return c == '\r' || c == '\n';
}

/* The logical lines of text, each followed by one LF, empty ones left out:
 * a run of CR and LF before SP or HTAB is a fold and goes with that one
 * character; any other run ends a line. */
static char *unfold(const uint8_t *text, size_t len, size_t *out_len)
{
	char *lines = malloc(len + 2);
	check(lines != NULL, "out of memory");
	size_t n = 0;
	size_t line_start = 0;
	for (size_t i = 0; i < len;) {
		if (!is_break(text[i])) {
			lines[n++] = (char)text[i++];
			continue;
		}
		while (i < len && is_break(text[i]))
			i++;
		if (i < len && (text[i] == ' ' || text[i] == '\t')) {
			i++;
			continue;
		}
		if (n > line_start)
			lines[n++] = '\n';
		line_start = n;
	}
	if (n > line_start)
		lines[n++] = '\n';
	*out_len = n;
	return lines;
}

/* Length of the valid UTF-8 sequence at s (n octets left), or 0. */
static size_t utf8_sequence(const uint8_t *s, size_t n)
{
	size_t len;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] < 0xE0) {
		len = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] < 0xF0) {
		len = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] < 0xF5) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	static const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < smallest[len] || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

static bool valid_utf8(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t step = utf8_sequence(s + i, n - i);
		if (step == 0)
			return false;
		i += step;
	}
	return true;
}

static void check_lines(const uint8_t *s, size_t len, bool utf8)
{
	for (size_t start = 0; start < len;) {
		size_t end = start;
		while (end < len && !is_break(s[end]))
			end++;
		check(end + 1 < len && s[end] == '\r' && s[end + 1] == '\n',
		      "a line does not end in CRLF");
		check(end > start, "empty line");
		check(end - start <= ICAL_FOLD_LINE_MAX, "line over 75 octets");
		size_t content = start;
		if (start > 0 && (s[start] == ' ' || s[start] == '\t')) {
			check(s[start] == ' ', "fold by HTAB");
			check(end - start > 1, "continuation of only its SP");
			content++;
		}
		if (utf8)
			check(valid_utf8(s + content, end - content),
			      "line break inside a UTF-8 sequence");
		start = end + 2;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = malloc(PREFIX_LEN + 1);
	check(out != NULL, "out of memory");
	memcpy(out, PREFIX, PREFIX_LEN + 1);
	size_t out_len = PREFIX_LEN;
	check(ical_refold((const char *)data, size, &out, &out_len) == 0,
	      "ical_refold failed");
	check(memcmp(out, PREFIX, PREFIX_LEN) == 0, "*out's text was lost");
	check(out[out_len] == '\0', "output not NUL-terminated");
	const uint8_t *folded = (const uint8_t *)out + PREFIX_LEN;
	size_t folded_len = out_len - PREFIX_LEN;

	size_t want_len, got_len;
	char *want = unfold(data, size, &want_len);
	char *got = unfold(folded, folded_len, &got_len);
	check(want_len == got_len && memcmp(want, got, want_len) == 0,
	      "the unfolded lines changed");
	/* The LFs unfold() puts between lines are valid UTF-8 too. */
	check_lines(folded, folded_len, valid_utf8((uint8_t *)want, want_len));

	char *again = NULL;
	size_t again_len = 0;
	check(ical_refold(out + PREFIX_LEN, folded_len, &again, &again_len) ==
		      0,
	      "ical_refold failed");
	check(again_len == folded_len && memcmp(again, folded, folded_len) == 0,
	      "refolding the output changed it");

	free(again);
	free(got);
	free(want);
	free(out);
	return 0;
}
