/* ical_write: content lines escaped (RFC 5545 3.3.11) and folded
 * (RFC 5545 3.1) as they are written. Expected outputs are counted out by
 * hand: 75 octets fit on the first line, SP + 74 on each continuation line,
 * and a UTF-8 character or an escape pair never straddles a fold. The
 * random test checks every line of thousands of values against
 * ical_check.h (the rules, the slow way) and against libical's parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <libical/ical.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ical_check.h"
#include "ical_write.h"

/* n copies of unit, in a buffer of the test's own (free it). */
static char *repeat(const char *unit, size_t n)
{
	size_t unit_len = strlen(unit);
	char *text = malloc(unit_len * n + 1);
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		memcpy(text + i * unit_len, unit, unit_len);
	text[unit_len * n] = '\0';
	return text;
}

/* The concatenation of the NULL-terminated list of parts (free it). */
static char *join(const char *first, ...)
{
	size_t len = 0;
	va_list ap;
	va_start(ap, first);
	for (const char *part = first; part; part = va_arg(ap, const char *))
		len += strlen(part);
	va_end(ap);
	char *text = malloc(len + 1);
	assert_non_null(text);
	text[0] = '\0';
	va_start(ap, first);
	for (const char *part = first; part; part = va_arg(ap, const char *))
		strcat(text, part);
	va_end(ap);
	return text;
}

static void assert_well_folded(const char *text, size_t len)
{
	size_t where = 0;
	const char *why = check_lines(text, len, true, true, &where);
	if (why)
		fail_msg("%s at octet %zu: \"%.80s\"", why, where,
			 text + where);
}

/* What the writer holds, as a string the test frees. */
static char *finish(struct ical_writer *w, size_t *len)
{
	char *body = NULL;
	assert_int_equal(ical_writer_finish(w, &body, len), 0);
	assert_non_null(body);
	assert_int_equal(body[*len], '\0');
	return body;
}

/* name + value as TEXT + CRLF must be exactly expected, and well folded. */
static void assert_text_line(const char *name, const char *value,
			     size_t value_len, const char *expected)
{
	struct ical_writer w;
	ical_writer_init(&w, 0);
	ical_put(&w, name, strlen(name));
	ical_put_text(&w, value, value_len);
	ical_end_line(&w);
	size_t len;
	char *body = finish(&w, &len);
	if (len != strlen(expected) || memcmp(body, expected, len) != 0)
		fail_msg("wrote \"%s\", expected \"%s\"", body, expected);
	assert_well_folded(body, len);
	free(body);
}

#define assert_line(name, value, expected) \
	assert_text_line((name), (value), strlen(value), (expected))

static void exactly_75_octets_is_not_folded(void **state)
{
	(void)state;
	char *a67 = repeat("a", 67);
	char *line = join("SUMMARY:", a67, "\r\n", NULL);
	assert_int_equal(strlen(line), 75 + 2);
	assert_line("SUMMARY:", a67, line);
	free(line);
	free(a67);
}

static void octet_76_goes_to_a_continuation_line(void **state)
{
	(void)state;
	char *a67 = repeat("a", 67);
	char *b74 = repeat("b", 74);
	char *c74 = repeat("c", 74);
	char *value = join(a67, "x", NULL);
	char *expected = join("SUMMARY:", a67, "\r\n x\r\n", NULL);
	assert_line("SUMMARY:", value, expected);
	free(value);
	free(expected);
	/* A continuation line holds SP + 74 octets, no more. */
	value = join(a67, b74, c74, "d", NULL);
	expected = join("SUMMARY:", a67, "\r\n ", b74, "\r\n ", c74,
			"\r\n d\r\n", NULL);
	assert_line("SUMMARY:", value, expected);
	free(value);
	free(expected);
	free(c74);
	free(b74);
	free(a67);
}

static void multibyte_character_moves_whole(void **state)
{
	(void)state;
	/* U+20AC is E2 82 AC. At octets 73-75 it fits; at 74-76 and 75-77
	 * the whole character goes to the next line. */
	char *a64 = repeat("a", 64);
	char *a65 = repeat("a", 65);
	char *a66 = repeat("a", 66);
	char *value = join(a64, "\xE2\x82\xAC", NULL);
	char *expected = join("SUMMARY:", value, "\r\n", NULL);
	assert_line("SUMMARY:", value, expected);
	free(value);
	free(expected);
	value = join(a65, "\xE2\x82\xAC", NULL);
	expected = join("SUMMARY:", a65, "\r\n \xE2\x82\xAC\r\n", NULL);
	assert_line("SUMMARY:", value, expected);
	free(value);
	free(expected);
	value = join(a66, "\xE2\x82\xAC", NULL);
	expected = join("SUMMARY:", a66, "\r\n \xE2\x82\xAC\r\n", NULL);
	assert_line("SUMMARY:", value, expected);
	free(value);
	free(expected);
	/* The same on a continuation line: SP + 72 + 3 = 76. */
	char *b72 = repeat("b", 72);
	value = join(a66, "c", b72, "\xE2\x82\xAC", NULL);
	expected = join("SUMMARY:", a66, "c\r\n ", b72, "\r\n \xE2\x82\xAC\r\n",
			NULL);
	assert_line("SUMMARY:", value, expected);
	free(value);
	free(expected);
	free(b72);
	free(a66);
	free(a65);
	free(a64);
}

static void four_byte_emoji(void **state)
{
	(void)state;
	const char *emoji = "\xF0\x9F\x98\x80"; /* U+1F600 */
	char *a63 = repeat("a", 63);
	char *a64 = repeat("a", 64);
	char *value = join(a63, emoji, NULL); /* 8 + 63 + 4 = 75 */
	char *expected = join("SUMMARY:", value, "\r\n", NULL);
	assert_line("SUMMARY:", value, expected);
	free(value);
	free(expected);
	value = join(a64, emoji, NULL); /* 76 */
	expected = join("SUMMARY:", a64, "\r\n ", emoji, "\r\n", NULL);
	assert_line("SUMMARY:", value, expected);
	free(value);
	free(expected);
	/* 40 emoji: 8 + 16 * 4 = 72 on the first line (a 17th would make
	 * 76), then SP + 18 * 4 = 73 per continuation line. */
	char *e40 = repeat(emoji, 40);
	char *e16 = repeat(emoji, 16);
	char *e18 = repeat(emoji, 18);
	char *e6 = repeat(emoji, 6);
	expected =
		join("SUMMARY:", e16, "\r\n ", e18, "\r\n ", e6, "\r\n", NULL);
	assert_line("SUMMARY:", e40, expected);
	free(expected);
	free(e6);
	free(e18);
	free(e16);
	free(e40);
	free(a64);
	free(a63);
}

/* An escape pair is a unit too: "\," at octets 75-76 goes whole to the
 * next line rather than leaving a lone backslash at the end of one. */
static void escape_pair_moves_whole(void **state)
{
	(void)state;
	char *a65 = repeat("a", 65);
	char *a66 = repeat("a", 66);
	char *value = join(a65, ",", NULL); /* 8 + 65 + 2 = 75 */
	char *expected = join("SUMMARY:", a65, "\\,\r\n", NULL);
	assert_line("SUMMARY:", value, expected);
	free(value);
	free(expected);
	const char *const specials[] = {",", ";", "\\", "\n", "\r\n"};
	const char *const escaped[] = {"\\,", "\\;", "\\\\", "\\n", "\\n"};
	for (size_t i = 0; i < 5; i++) {
		value = join(a66, specials[i], NULL);
		expected = join("SUMMARY:", a66, "\r\n ", escaped[i], "\r\n",
				NULL);
		assert_line("SUMMARY:", value, expected);
		free(value);
		free(expected);
	}
	/* Two backslashes make two pairs: the fold goes between them. */
	value = join(a65, "\\\\", NULL);
	expected = join("SUMMARY:", a65, "\\\\\r\n \\\\\r\n", NULL);
	assert_line("SUMMARY:", value, expected);
	free(value);
	free(expected);
	/* And when the text comes escaped already (ical_put), a run of
	 * backslashes is paired off from its start: "\\\\\," is \\ \\ \, and
	 * the last pair moves. */
	struct ical_writer w;
	ical_writer_init(&w, 0);
	ical_put_lit(&w, "SUMMARY:");
	char *a62 = repeat("a", 62);
	ical_put(&w, a62, strlen(a62));
	ical_put_lit(&w, "\\\\\\\\\\,x");
	ical_end_line(&w);
	size_t len;
	char *body = finish(&w, &len);
	expected = join("SUMMARY:", a62, "\\\\\\\\\r\n \\,x\r\n", NULL);
	assert_string_equal(body, expected);
	assert_well_folded(body, len);
	free(body);
	free(expected);
	free(a62);
	free(a66);
	free(a65);
}

static void assert_escapes(const char *in, size_t in_len, const char *expected)
{
	struct ical_buf b = {0};
	ical_escape_text(&b, in, in_len);
	assert_false(b.failed);
	if (b.len != strlen(expected) ||
	    (b.len > 0 && memcmp(b.data, expected, b.len) != 0))
		fail_msg("escaped to \"%.*s\", expected \"%s\"", (int)b.len,
			 b.data ? b.data : "", expected);
	ical_buf_done(&b);
}

#define assert_escape(in, expected) \
	assert_escapes((in), sizeof(in) - 1, (expected))

static void text_escaping(void **state)
{
	(void)state;
	assert_escape("", "");
	assert_escape("plain: \"quoted\" 100% <ok>",
		      "plain: \"quoted\" 100% <ok>");
	assert_escape("a,b;c\\d", "a\\,b\\;c\\\\d");
	assert_escape("\\n is not a newline", "\\\\n is not a newline");
	/* LF and CR LF are newlines; a lone CR is a control character. */
	assert_escape("l1\nl2\r\nl3\rl4\n", "l1\\nl2\\nl3 l4\\n");
	assert_escape("\r\r\n\n", " \\n\\n");
	/* HTAB stays; other controls and DEL become a space each. */
	assert_escape("a\tb", "a\tb");
	assert_escape("\x01\x1F\x7F|\x0B\x0C", "   |  ");
	assert_escape("nul\0inside", "nul inside");
	/* UTF-8 is kept; what is not UTF-8 becomes U+FFFD, one for each
	 * maximal ill-formed subsequence. */
	assert_escape("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
		      "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
#define FFFD "\xEF\xBF\xBD"
	assert_escape("\xE2\x82"
		      "A",
		      FFFD "A");                                /* truncated */
	assert_escape("\xC0\xAF", FFFD FFFD);                   /* overlong */
	assert_escape("\xE0\x80\xAF", FFFD FFFD FFFD);          /* overlong */
	assert_escape("\xED\xA0\x80", FFFD FFFD FFFD);          /* surrogate */
	assert_escape("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* > U+10FFFF */
	assert_escape("\xF0\x9F\x98", FFFD);                    /* at the end */
	assert_escape("\xF0\x9F\x98,", FFFD "\\,");
	assert_escape("\x80\xBF\xFE\xFF", FFFD FFFD FFFD FFFD); /* strays */
	assert_escape("\xC3\xA9\xA9", "\xC3\xA9" FFFD);
#undef FFFD
}

static void calls_continue_the_line(void **state)
{
	(void)state;
	/* The same value in one call or in pieces folds the same. */
	char *words = repeat("word, and; more\\ ", 20);
	struct ical_writer one, pieces;
	ical_writer_init(&one, 0);
	ical_writer_init(&pieces, 64);
	ical_put_lit(&one, "DESCRIPTION:");
	ical_put_text(&one, words, strlen(words));
	ical_end_line(&one);
	ical_put_lit(&pieces, "DESCRIPTION:");
	for (size_t at = 0; at < strlen(words); at += 7) {
		size_t n = strlen(words) - at < 7 ? strlen(words) - at : 7;
		ical_put_text(&pieces, words + at, n);
	}
	ical_end_line(&pieces);
	size_t len_one, len_pieces;
	char *a = finish(&one, &len_one);
	char *b = finish(&pieces, &len_pieces);
	assert_string_equal(a, b);
	assert_well_folded(a, len_one);
	free(a);
	free(b);
	free(words);
}

static void lines_end_in_crlf(void **state)
{
	(void)state;
	struct ical_writer w;
	ical_writer_init(&w, 0);
	const char lines[] = "A:1\nB:2\r\n\r\nC:3\rD:4";
	ical_put_lines(&w, lines, sizeof(lines) - 1);
	char *x100 = repeat("x", 100);
	char *long_line = join("X-LONG:", x100, "\n", NULL);
	ical_put_lines(&w, long_line, strlen(long_line));
	ical_put_lines(&w, "", 0);
	ical_put_lines(&w, "\r\n\n", 3);
	size_t len;
	char *body = finish(&w, &len);
	char *expected = join("A:1\r\nB:2\r\nC:3\r\nD:4\r\nX-LONG:", "", NULL);
	char *x68 = repeat("x", 68);
	char *all = join(expected, x68, "\r\n ", x100 + 68, "\r\n", NULL);
	assert_string_equal(body, all);
	assert_well_folded(body, len);
	free(all);
	free(x68);
	free(expected);
	free(body);
	free(long_line);
	free(x100);
}

/* What `call` (on writer w_) writes must be exactly expected. */
#define assert_writes(call, expected)                  \
	do {                                           \
		struct ical_writer w_;                 \
		ical_writer_init(&w_, 0);              \
		call;                                  \
		size_t len_;                           \
		char *got_ = finish(&w_, &len_);       \
		assert_string_equal(got_, (expected)); \
		free(got_);                            \
	} while (0)

static void values(void **state)
{
	(void)state;
	assert_writes(ical_put_uint(&w_, 0), "0");
	assert_writes(ical_put_uint(&w_, 1234567), "1234567");
	char max[32];
	snprintf(max, sizeof(max), "%lu", ULONG_MAX);
	assert_writes(ical_put_uint(&w_, ULONG_MAX), max);
	assert_writes(ical_put_date(&w_, 2026, 3, 9), "20260309");
	assert_writes(ical_put_date(&w_, 999, 12, 31), "09991231");
	assert_writes(ical_put_local_time(&w_, 2026, 10, 25, 3599),
		      "20261025T005959");
	assert_writes(ical_put_local_time(&w_, 2026, 1, 1, 86399),
		      "20260101T235959");
	assert_writes(ical_put_utc(&w_, 0), "19700101T000000Z");
	/* 2026-03-29 01:00:00 UTC, when British Summer Time starts. */
	assert_writes(ical_put_utc(&w_, 1774746000), "20260329T010000Z");
	assert_writes(ical_put_utc(&w_, -1), "19691231T235959Z");
	assert_writes(ical_put_utc(&w_, 951782400), "20000229T000000Z");
	assert_writes(ical_put_duration(&w_, -2 * 86400), "-P2D");
	assert_writes(ical_put_duration(&w_, -7 * 86400), "-P7D");
	assert_writes(ical_put_duration(&w_, -3600), "-PT1H");
	assert_writes(ical_put_duration(&w_, 5400), "PT1H30M");
	assert_writes(ical_put_duration(&w_, 36 * 3600), "P1DT12H");
	assert_writes(ical_put_duration(&w_, 86400 + 1), "P1DT1S");
	assert_writes(ical_put_duration(&w_, -1), "-PT1S");
	assert_writes(ical_put_duration(&w_, 0), "PT0S");
	assert_writes(ical_put_duration(&w_, 150 * 60), "PT2H30M");
	/* libical reads them back as the same lengths of time. */
	const long lengths[] = {-2 * 86400, -3600, 5400,           36 * 3600,
				-1,         0,     -(86400 + 3661)};
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		struct ical_writer w;
		ical_writer_init(&w, 0);
		ical_put_duration(&w, lengths[i]);
		size_t len;
		char *text = finish(&w, &len);
		struct icaldurationtype d = icaldurationtype_from_string(text);
		assert_int_equal(icaldurationtype_as_int(d), lengths[i]);
		free(text);
	}
}

static void finish_hands_over_a_string(void **state)
{
	(void)state;
	/* Nothing written is an empty string, not NULL. */
	struct ical_writer w;
	ical_writer_init(&w, 0);
	size_t len = 99;
	char *body = finish(&w, &len);
	assert_int_equal(len, 0);
	assert_string_equal(body, "");
	free(body);
	/* A large hint is given back when little was written. */
	ical_writer_init(&w, 1 << 20);
	ical_line_lit(&w, "BEGIN:VCALENDAR");
	body = finish(&w, &len);
	assert_string_equal(body, "BEGIN:VCALENDAR\r\n");
	free(body);
	/* The writer is empty after, and can be freed again. */
	ical_writer_done(&w);
}

static void out_of_memory_is_reported_at_the_end(void **state)
{
	(void)state;
	struct ical_writer w;
	ical_writer_init(&w, 0);
	ical_line_lit(&w, "BEGIN:VCALENDAR");
	assert_false(ical_buf_reserve(&w.out, SIZE_MAX));
	assert_true(w.out.failed);
	/* Writing goes on as if nothing happened... */
	ical_line_lit(&w, "END:VCALENDAR");
	char *body = (char *)&w; /* not to be touched */
	size_t len = 7;
	/* ...and the end says so, handing over nothing. */
	assert_int_equal(ical_writer_finish(&w, &body, &len), -1);
	assert_ptr_equal(body, (char *)&w);
	assert_int_equal(len, 7);
	assert_null(w.out.data);
	/* Text too long to escape is a failure too, not a silent gap. */
	struct ical_buf b = {0};
	ical_escape_text(&b, "x", SIZE_MAX / 2);
	assert_true(b.failed);
	ical_buf_done(&b);
}

/* ---- random values ---- */

/* splitmix64: a fixed seed gives the same values on every libc. */
static uint64_t next_random(uint64_t *seed)
{
	uint64_t z = (*seed += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

static uint32_t random_below(uint64_t *seed, uint32_t n)
{
	return (uint32_t)(next_random(seed) % n);
}

enum {
	KIND_LETTER,
	KIND_SPACE,
	KIND_ESCAPED, /* , ; \ LF */
	KIND_CRLF,
	KIND_CONTROL, /* 0x00-0x1F but LF, 0x7F: HTAB and CR among them */
	KIND_2,
	KIND_3,
	KIND_4,
	KIND_INVALID,
	KINDS
};

/* Octets that are not UTF-8, alone or cut short. */
static const char *const invalid[] = {
	"\x80",         "\xBF",         "\xC0\xAF",     "\xC1\xBF",
	"\xE0\x80\xAF", "\xED\xA0\x80", "\xED\xBF\xBF", "\xF4\x90\x80\x80",
	"\xF5\x80",     "\xFE",         "\xFF",         "\xC3",
	"\xE2\x82",     "\xF0\x9F\x98", "\xF0\x9F",     "\xE1",
};

/* A random value of exactly len octets, each drawing its own mix of kinds
 * so that some are plain runs and some are dense with escapes, controls
 * and invalid octets. It may hold NUL octets. */
static void random_value(uint64_t *seed, unsigned char *value, size_t len)
{
	uint32_t weight[KINDS], total = 0;
	for (int k = 0; k < KINDS; k++)
		total += weight[k] =
			random_below(seed, 4) * random_below(seed, 4);
	if (total == 0)
		weight[KIND_LETTER] = total = 1;
	static const char escaped[] = ",;\\\n";
	size_t at = 0;
	while (at < len) {
		uint32_t pick = random_below(seed, total);
		int kind = 0;
		while (pick >= weight[kind])
			pick -= weight[kind++];
		unsigned char octets[4];
		size_t n = 1;
		uint32_t cp;
		switch (kind) {
		case KIND_SPACE:
			octets[0] = ' ';
			break;
		case KIND_ESCAPED:
			octets[0] =
				(unsigned char)escaped[random_below(seed, 4)];
			break;
		case KIND_CRLF:
			memcpy(octets, "\r\n", 2);
			n = 2;
			break;
		case KIND_CONTROL:
			octets[0] = (unsigned char)random_below(seed, 33);
			if (octets[0] == 32)
				octets[0] = 0x7F;
			if (octets[0] == '\n')
				octets[0] = '\t';
			break;
		case KIND_2:
			cp = 0x80 + random_below(seed, 0x800 - 0x80);
			n = check_put_utf8(octets, cp);
			break;
		case KIND_3:
			do
				cp = 0x800 +
				     random_below(seed, 0x10000 - 0x800);
			while (cp >= 0xD800 && cp <= 0xDFFF);
			n = check_put_utf8(octets, cp);
			break;
		case KIND_4:
			cp = 0x10000 + random_below(seed, 0x110000 - 0x10000);
			n = check_put_utf8(octets, cp);
			break;
		case KIND_INVALID: {
			const char *bad = invalid[random_below(
				seed, sizeof(invalid) / sizeof(invalid[0]))];
			n = strlen(bad);
			memcpy(octets, bad, n);
			break;
		}
		default:
			octets[0] =
				(unsigned char)('a' + random_below(seed, 26));
		}
		if (at + n > len) {
			octets[0] = 'z'; /* fill the last octets exactly */
			n = 1;
		}
		memcpy(value + at, octets, n);
		at += n;
	}
}

/* The value of the logical line starting with name in unfolded text (each
 * line ending CRLF), unescaped into out; its length. */
static size_t value_of(const char *unfolded, const char *name, char *out)
{
	size_t name_len = strlen(name);
	for (const char *line = unfolded; *line;) {
		const char *eol = strstr(line, "\r\n");
		assert_non_null(eol);
		if (strncmp(line, name, name_len) == 0) {
			size_t n = check_unescape(
				line + name_len,
				(size_t)(eol - line) - name_len, out);
			if (n == (size_t)-1)
				fail_msg("%s has a bad escape", name);
			return n;
		}
		line = eol + 2;
	}
	fail_msg("no %s line", name);
	return 0;
}

/* libical trims a value's outer SP and HTAB, and reads an empty one as
 * absent. */
static void assert_parsed(const char *got, const unsigned char *want,
			  size_t want_len, unsigned sample, const char *name)
{
	while (want_len && (want[0] == ' ' || want[0] == '\t')) {
		want++;
		want_len--;
	}
	while (want_len &&
	       (want[want_len - 1] == ' ' || want[want_len - 1] == '\t'))
		want_len--;
	if (want_len == 0 && (!got || !*got))
		return;
	if (!got || strlen(got) != want_len || memcmp(got, want, want_len))
		fail_msg("sample %u: libical read %s as \"%s\", not \"%.*s\"",
			 sample, name, got ? got : "(none)", (int)want_len,
			 (const char *)want);
}

#define RANDOM_MAX_OCTETS 400u
#define SAMPLES_PER_LENGTH 30u

/* Thousands of random values of every length 0-400 through the writer:
 * SUMMARY as one TEXT value, DESCRIPTION as a TEXT value, "\n\n" and a
 * value escaped beforehand (as a feed writes its detail and its fixed
 * words), and an X- property whose name moves where the folds fall.
 * Every line must be right (ical_check.h), unfolding and unescaping must
 * give back the sanitised input, and so must libical. */
static void random_values_round_trip(void **state)
{
	(void)state;
	struct check_prefixes *prefixes = check_prefixes_new();
	assert_non_null(prefixes);
	uint64_t seed = 20261127;
	unsigned char value[RANDOM_MAX_OCTETS], tail[RANDOM_MAX_OCTETS];
	unsigned char want[3 * RANDOM_MAX_OCTETS + 2];
	unsigned char want_desc[6 * RANDOM_MAX_OCTETS + 4];
	char got[6 * RANDOM_MAX_OCTETS + 4];
	unsigned sample = 0;
	for (size_t len = 0; len <= RANDOM_MAX_OCTETS; len++) {
		for (unsigned k = 0; k < SAMPLES_PER_LENGTH; k++, sample++) {
			random_value(&seed, value, len);
			size_t tail_len = random_below(&seed, len + 1);
			random_value(&seed, tail, tail_len);
			struct ical_buf escaped = {0};
			ical_escape_text(&escaped, (const char *)tail,
					 tail_len);
			assert_false(escaped.failed);

			struct ical_writer w;
			ical_writer_init(&w, 0);
			ical_line_lit(&w, "BEGIN:VCALENDAR");
			ical_line_lit(&w, "BEGIN:VEVENT");
			ical_put_lit(&w, "SUMMARY:");
			ical_put_text(&w, (const char *)value, len);
			ical_end_line(&w);
			ical_put_lit(&w, "DESCRIPTION:");
			ical_put_text(&w, (const char *)value, len);
			ical_put_lit(&w, "\\n\\n");
			ical_put(&w, escaped.data, escaped.len);
			ical_end_line(&w);
			char name[32] = "X-";
			size_t name_len = 2 + random_below(&seed, 20);
			memset(name + 2, 'N', name_len - 2);
			name[name_len++] = ':';
			name[name_len] = '\0';
			ical_put(&w, name, name_len);
			ical_put_text(&w, (const char *)value, len);
			ical_end_line(&w);
			ical_line_lit(&w, "END:VEVENT");
			ical_line_lit(&w, "END:VCALENDAR");
			ical_buf_done(&escaped);
			size_t body_len;
			char *body = finish(&w, &body_len);

			size_t where = 0;
			const char *why =
				check_lines(body, body_len, true, true, &where);
			if (why)
				fail_msg("sample %u: %s at octet %zu of:\n%s",
					 sample, why, where, body);
			size_t want_len =
				check_sanitise(prefixes, value, len, want);
			memcpy(want_desc, want, want_len);
			memcpy(want_desc + want_len, "\n\n", 2);
			size_t desc_len =
				want_len + 2 +
				check_sanitise(prefixes, tail, tail_len,
					       want_desc + want_len + 2);

			char *unfolded = strdup(body);
			assert_non_null(unfolded);
			unfolded[check_unfold(unfolded, body_len)] = '\0';
			size_t n = value_of(unfolded, "SUMMARY:", got);
			if (n != want_len || memcmp(got, want, n) != 0)
				fail_msg("sample %u: SUMMARY came back "
					 "changed:\n%s",
					 sample, body);
			n = value_of(unfolded, "DESCRIPTION:", got);
			if (n != desc_len || memcmp(got, want_desc, n) != 0)
				fail_msg("sample %u: DESCRIPTION came back "
					 "changed:\n%s",
					 sample, body);
			n = value_of(unfolded, name, got);
			if (n != want_len || memcmp(got, want, n) != 0)
				fail_msg("sample %u: %s came back changed",
					 sample, name);
			free(unfolded);

			icalcomponent *cal = icalparser_parse_string(body);
			assert_non_null(cal);
			icalcomponent *event =
				icalcomponent_get_first_component(
					cal, ICAL_VEVENT_COMPONENT);
			assert_non_null(event);
			assert_parsed(icalcomponent_get_summary(event), want,
				      want_len, sample, "SUMMARY");
			assert_parsed(icalcomponent_get_description(event),
				      want_desc, desc_len, sample,
				      "DESCRIPTION");
			icalcomponent_free(cal);
			free(body);
		}
	}
	print_message("%u random values of 0-%u octets written, checked "
		      "line by line and read back\n",
		      sample, RANDOM_MAX_OCTETS);
	free(prefixes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exactly_75_octets_is_not_folded),
		cmocka_unit_test(octet_76_goes_to_a_continuation_line),
		cmocka_unit_test(multibyte_character_moves_whole),
		cmocka_unit_test(four_byte_emoji),
		cmocka_unit_test(escape_pair_moves_whole),
		cmocka_unit_test(text_escaping),
		cmocka_unit_test(calls_continue_the_line),
		cmocka_unit_test(lines_end_in_crlf),
		cmocka_unit_test(values),
		cmocka_unit_test(finish_hands_over_a_string),
		cmocka_unit_test(out_of_memory_is_reported_at_the_end),
		cmocka_unit_test(random_values_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
