/* What an iCalendar writer must get right, checked the slow, obvious way:
 * shared by test_ical_write.c and the libFuzzer target
 * tests/fuzz/fuzz_ical_write.c (which includes it with -Itests/unit).
 * Nothing here uses cmocka: a check returns why it failed, or NULL. */
#ifndef QA_ICAL_CHECK_H
#define QA_ICAL_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ICAL_CHECK_LINE_MAX 75

/* Length of the valid UTF-8 sequence at s (at most n octets), or 0: the
 * code point is worked out and held against the ranges. */
static inline size_t check_utf8_sequence(const unsigned char *s, size_t n)
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

static inline bool check_valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t step = check_utf8_sequence(s + i, n - i);
		if (step == 0)
			return false;
		i += step;
	}
	return true;
}

static inline size_t check_put_utf8(unsigned char *to, uint32_t cp)
{
	if (cp < 0x80) {
		to[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		to[0] = (unsigned char)(0xC0 | cp >> 6);
		to[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		to[0] = (unsigned char)(0xE0 | cp >> 12);
		to[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		to[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	to[0] = (unsigned char)(0xF0 | cp >> 18);
	to[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	to[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	to[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The proper prefixes of every valid UTF-8 sequence, found by encoding
 * every scalar value: prefix1[a], prefix2[a][b], and bit (a, b, c) of
 * prefix3. */
struct check_prefixes {
	bool prefix1[256];
	bool prefix2[256][256];
	uint8_t prefix3[256 * 256 * 256 / 8];
};

static inline struct check_prefixes *check_prefixes_new(void)
{
	struct check_prefixes *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	for (uint32_t cp = 0x80; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		unsigned char e[4];
		size_t n = check_put_utf8(e, cp);
		p->prefix1[e[0]] = true;
		if (n > 2)
			p->prefix2[e[0]][e[1]] = true;
		if (n > 3) {
			uint32_t bit = (uint32_t)e[0] << 16 | e[1] << 8 | e[2];
			p->prefix3[bit / 8] |= (uint8_t)(1u << (bit % 8));
		}
	}
	return p;
}

/* The length of the maximal subpart at s (s[0] >= 0x80, not valid): the
 * longest run of octets that starts some valid sequence, or 1. */
static inline size_t check_maximal_subpart(const struct check_prefixes *p,
					   const unsigned char *s, size_t n)
{
	if (!p->prefix1[s[0]])
		return 1;
	/* A lead of two octets followed by a continuation octet would have
	 * been valid: prefix2 holds only the starts of longer ones. */
	if (n < 2 || !p->prefix2[s[0]][s[1]])
		return 1;
	if (n < 3)
		return 2;
	uint32_t bit = (uint32_t)s[0] << 16 | s[1] << 8 | s[2];
	if (!(p->prefix3[bit / 8] & (1u << (bit % 8))))
		return 2;
	return 3;
}

/* What ical_escape_text must leave of s once unescaped: LF and CR LF as
 * LF, other control characters as SP (HTAB kept), each maximal ill-formed
 * subsequence as U+FFFD. Appends to out, which has room for 3 * n octets;
 * returns the new length. */
static inline size_t check_sanitise(const struct check_prefixes *p,
				    const unsigned char *s, size_t n,
				    unsigned char *out)
{
	size_t at = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c == '\r' && i + 1 < n && s[i + 1] == '\n') {
			out[at++] = '\n';
			i += 2;
		} else if (c == '\n' || c == '\t') {
			out[at++] = c;
			i++;
		} else if (c < 0x20 || c == 0x7F) {
			out[at++] = ' ';
			i++;
		} else if (c < 0x80) {
			out[at++] = c;
			i++;
		} else {
			size_t len = check_utf8_sequence(s + i, n - i);
			if (len) {
				memcpy(out + at, s + i, len);
				at += len;
				i += len;
			} else {
				memcpy(out + at, "\xEF\xBF\xBD", 3);
				at += 3;
				i += check_maximal_subpart(p, s + i, n - i);
			}
		}
	}
	return at;
}

/* Why text is not folded as RFC 5545 3.1 and ical_write.h promise, or
 * NULL when it is; *where gets the offset of the line at fault. Every line
 * ends in CRLF (no other CR or LF), none is empty or over 75 octets, and a
 * continuation line starts with one SP and holds more than it. With utf8
 * set, every line but for that SP is valid UTF-8 on its own (so no fold
 * splits a character); with escapes set, every backslash starts an escape
 * RFC 5545 3.3.11 knows (\n \N \\ \, \;) and no fold falls inside one. */
static inline const char *check_lines(const char *text, size_t len, bool utf8,
				      bool escapes, size_t *where)
{
	const unsigned char *s = (const unsigned char *)text;
	bool in_escape = false; /* after a backslash, across folds */
	for (size_t start = 0; start < len;) {
		*where = start;
		size_t end = start;
		while (end < len && s[end] != '\r' && s[end] != '\n')
			end++;
		if (end == len)
			return "last line lacks CRLF";
		if (s[end] == '\n')
			return "bare LF";
		if (end + 1 == len || s[end + 1] != '\n')
			return "bare CR";
		if (end == start)
			return "empty line";
		if (end - start > ICAL_CHECK_LINE_MAX)
			return "line over 75 octets";
		size_t content = start;
		if (s[start] == ' ' || s[start] == '\t') {
			if (start == 0)
				return "first line starts with whitespace";
			if (s[start] == '\t')
				return "fold by HTAB, not SP";
			if (end - start == 1)
				return "continuation line holds only its SP";
			content++; /* a second SP or HTAB is content */
			if (in_escape)
				return "a fold splits an escape pair";
		} else {
			if (in_escape)
				return "a line ends in a lone backslash";
		}
		if (utf8 && !check_valid_utf8(s + content, end - content))
			return "line break inside a UTF-8 sequence, or not "
			       "UTF-8";
		for (size_t i = content; escapes && i < end; i++) {
			if (in_escape) {
				if (!strchr("nN\\,;", s[i]) || !s[i])
					return "a backslash escapes nothing "
					       "RFC 5545 knows";
				in_escape = false;
			} else if (s[i] == '\\') {
				in_escape = true;
			}
		}
		start = end + 2;
	}
	if (in_escape)
		return "the text ends in a lone backslash";
	return NULL;
}

/* Undo folding (CRLF + one SP or HTAB) in place; returns the new length. */
static inline size_t check_unfold(char *text, size_t len)
{
	size_t at = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\r' && i + 2 < len && text[i + 1] == '\n' &&
		    (text[i + 2] == ' ' || text[i + 2] == '\t')) {
			i += 2;
			continue;
		}
		text[at++] = text[i];
	}
	return at;
}

/* Undo TEXT escaping of s[0..n) into out (n octets of room); returns the
 * length, or (size_t)-1 for a backslash that escapes nothing known. */
static inline size_t check_unescape(const char *s, size_t n, char *out)
{
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			out[at++] = s[i];
			continue;
		}
		if (++i == n)
			return (size_t)-1;
		if (s[i] == 'n' || s[i] == 'N')
			out[at++] = '\n';
		else if (s[i] == '\\' || s[i] == ',' || s[i] == ';')
			out[at++] = s[i];
		else
			return (size_t)-1;
	}
	return at;
}

#endif
