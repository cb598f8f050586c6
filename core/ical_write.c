#include "ical_write.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "qa-scheduler/util.h"

/* Octets TEXT carries as they are: HTAB and printable ASCII but for the
 * three that are escaped, as one bit each (bytes from 0x80 are looked at as
 * UTF-8). */
#define OCTET_BIT(c) ((uint64_t)1 << ((c)&63))
/* 0x00-0x3F: HTAB, and SP to '?' but ',' and ';'. */
#define PLAIN_LOW          \
	(OCTET_BIT('\t') | \
	 ((UINT64_C(0xFFFFFFFF) << 32) & ~OCTET_BIT(',') & ~OCTET_BIT(';')))
/* 0x40-0x7F: '@' to '~' but '\\'; 0x7F (DEL) is a control character. */
#define PLAIN_HIGH (~OCTET_BIT('\\') & ~OCTET_BIT(0x7F))

static inline bool text_plain(unsigned char c)
{
	return c < 64 ? (PLAIN_LOW >> c) & 1
		      : c < 128 && (PLAIN_HIGH >> (c - 64)) & 1;
}

/* Ranges the octet after a lead byte may take (Unicode 15, table 3-7):
 * they rule out overlong forms, surrogates and code points past U+10FFFF.
 * Every later octet is 80..BF. */
static bool utf8_second_ok(unsigned char lead, unsigned char c)
{
	switch (lead) {
	case 0xE0:
		return c >= 0xA0 && c <= 0xBF;
	case 0xED:
		return c >= 0x80 && c <= 0x9F;
	case 0xF0:
		return c >= 0x90 && c <= 0xBF;
	case 0xF4:
		return c >= 0x80 && c <= 0x8F;
	default:
		return c >= 0x80 && c <= 0xBF;
	}
}

/* The length the sequence led by c has when valid; 0 for a byte that
 * starts none (a continuation byte, C0, C1, F5-FF). */
static size_t utf8_lead_len(unsigned char c)
{
	if (c >= 0xC2 && c <= 0xDF)
		return 2;
	if (c >= 0xE0 && c <= 0xEF)
		return 3;
	if (c >= 0xF0 && c <= 0xF4)
		return 4;
	return 0;
}

/* s[0] >= 0x80, n >= 1 octets left. Returns the length of the valid
 * sequence at s; or, when there is none, minus the length of its maximal
 * ill-formed subsequence (the lead and the octets that could still have
 * continued it; at least 1), which becomes one U+FFFD. */
static long utf8_at(const unsigned char *s, size_t n)
{
	size_t want = utf8_lead_len(s[0]);
	if (want == 0)
		return -1;
	if (n < 2 || !utf8_second_ok(s[0], s[1]))
		return -1;
	size_t got = 2;
	while (got < want && got < n && (s[got] & 0xC0) == 0x80)
		got++;
	return got == want ? (long)want : -(long)got;
}

bool ical_buf_reserve(struct ical_buf *b, size_t more)
{
	if (b->cap - b->len >= more)
		return true;
	if (more > SIZE_MAX / 2 - b->len) {
		b->failed = true;
		return false;
	}
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len < more)
		cap *= 2;
	char *grown = realloc(b->data, cap);
	if (!grown) {
		b->failed = true;
		return false;
	}
	b->data = grown;
	b->cap = cap;
	return true;
}

void ical_buf_append(struct ical_buf *b, const char *s, size_t len)
{
	if (len == 0 || !ical_buf_reserve(b, len))
		return;
	memcpy(b->data + b->len, s, len);
	b->len += len;
}

void ical_buf_done(struct ical_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void ical_escape_text(struct ical_buf *b, const char *text, size_t len)
{
	/* Each input octet becomes at most 3 (a stray one becomes U+FFFD). */
	if (len == 0)
		return;
	if (len > SIZE_MAX / 3) {
		b->failed = true;
		return;
	}
	if (!ical_buf_reserve(b, len * 3))
		return;
	const unsigned char *s = (const unsigned char *)text;
	char *dst = b->data + b->len;
	size_t i = 0;
	while (i < len) {
		/* The longest run that goes out as it is, in one copy. */
		size_t start = i;
		while (i < len) {
			if (text_plain(s[i])) {
				i++;
				continue;
			}
			if (s[i] < 0x80)
				break;
			long n = utf8_at(s + i, len - i);
			if (n < 0)
				break;
			i += (size_t)n;
		}
		memcpy(dst, s + start, i - start);
		dst += i - start;
		if (i == len)
			break;
		unsigned char c = s[i];
		if (c == '\\' || c == ';' || c == ',') {
			dst[0] = '\\';
			dst[1] = (char)c;
			dst += 2;
			i++;
		} else if (c == '\n' ||
			   (c == '\r' && i + 1 < len && s[i + 1] == '\n')) {
			dst[0] = '\\';
			dst[1] = 'n';
			dst += 2;
			i += c == '\r' ? 2 : 1;
		} else if (c < 0x80) {
			*dst++ = ' '; /* any other control character */
			i++;
		} else {
			memcpy(dst, "\xEF\xBF\xBD", 3);
			dst += 3;
			i += (size_t)-utf8_at(s + i, len - i);
		}
	}
	b->len = (size_t)(dst - b->data);
}

void ical_writer_init(struct ical_writer *w, size_t size_hint)
{
	memset(w, 0, sizeof(*w));
	if (size_hint)
		ical_buf_reserve(&w->out, size_hint);
}

/* Octets n octets of content can take once folded: a fold (3 octets) per
 * 70 octets at least, since a continuation line is not cut before it holds
 * SP + 70 (74 less at most 3 continuation octets and a backslash, even for
 * text that breaks the rules), and one more fold at the start. */
static size_t folded_bound(size_t n)
{
	return n + 3 * (n / 70 + 1);
}

void ical_put(struct ical_writer *w, const char *s, size_t len)
{
	if (len == 0)
		return;
	if (len > SIZE_MAX / 2) {
		w->out.failed = true;
		return;
	}
	if (!ical_buf_reserve(&w->out, folded_bound(len)))
		return;
	char *dst = w->out.data + w->out.len;
	size_t column = w->column;
	while (len > ICAL_LINE_MAX - column) {
		size_t room = ICAL_LINE_MAX - column;
		size_t cut = room;
		/* s[cut] starts the next line, so it must start a character:
		 * back up over continuation octets (3 at most, so text that is
		 * not UTF-8 still makes progress). */
		size_t floor = room > 3 ? room - 3 : 0;
		while (cut > floor && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		/* A backslash that starts an escape stays with what it escapes.
		 * s starts on a unit boundary, so in a run of backslashes
		 * ending at cut - 1 they pair off from its start: an odd run
		 * leaves the last one starting an escape. */
		if (cut > 0 && s[cut - 1] == '\\') {
			size_t run = 1;
			while (run < cut && s[cut - 1 - run] == '\\')
				run++;
			if (run % 2 == 1)
				cut--;
		}
		memcpy(dst, s, cut);
		memcpy(dst + cut, "\r\n ", 3);
		dst += cut + 3;
		s += cut;
		len -= cut;
		column = 1;
	}
	memcpy(dst, s, len);
	dst += len;
	w->column = column + len;
	w->out.len = (size_t)(dst - w->out.data);
}

void ical_put_text(struct ical_writer *w, const char *s, size_t len)
{
	w->scratch.len = 0;
	ical_escape_text(&w->scratch, s, len);
	if (w->scratch.failed)
		w->out.failed = true;
	else
		ical_put(w, w->scratch.data, w->scratch.len);
}

void ical_end_line(struct ical_writer *w)
{
	if (!ical_buf_reserve(&w->out, 2))
		return;
	memcpy(w->out.data + w->out.len, "\r\n", 2);
	w->out.len += 2;
	w->column = 0;
}

void ical_put_lines(struct ical_writer *w, const char *s, size_t len)
{
	const char *end = s + len;
	while (s < end) {
		const char *eol = s;
		while (eol < end && *eol != '\r' && *eol != '\n')
			eol++;
		if (eol > s) {
			ical_put(w, s, (size_t)(eol - s));
			ical_end_line(w);
		}
		s = eol;
		while (s < end && (*s == '\r' || *s == '\n'))
			s++;
	}
}

/* Write value as exactly `width` decimal digits (the low ones). */
static void digits(char *to, unsigned long value, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		to[i] = (char)('0' + value % 10);
		value /= 10;
	}
}

void ical_put_uint(struct ical_writer *w, unsigned long value)
{
	char text[24];
	int at = (int)sizeof(text);
	do {
		text[--at] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	ical_put(w, text + at, sizeof(text) - (size_t)at);
}

static void date_digits(char to[8], int year, int month, int day)
{
	digits(to, (unsigned long)year % 10000u, 4);
	digits(to + 4, (unsigned long)month, 2);
	digits(to + 6, (unsigned long)day, 2);
}

void ical_put_date(struct ical_writer *w, int year, int month, int day)
{
	char text[8];
	date_digits(text, year, month, day);
	ical_put(w, text, sizeof(text));
}

/* YYYYMMDDTHHMMSS into to[15]. */
static void time_digits(char to[15], int year, int month, int day,
			int second_of_day)
{
	date_digits(to, year, month, day);
	unsigned long s = (unsigned long)second_of_day;
	to[8] = 'T';
	digits(to + 9, s / 3600, 2);
	digits(to + 11, s / 60 % 60, 2);
	digits(to + 13, s % 60, 2);
}

void ical_put_local_time(struct ical_writer *w, int year, int month, int day,
			 int second_of_day)
{
	char text[15];
	time_digits(text, year, month, day, second_of_day);
	ical_put(w, text, sizeof(text));
}

void ical_put_utc(struct ical_writer *w, time_t t)
{
	/* Floor division, so instants before 1970 land on the right day. */
	long long days = (long long)t / 86400;
	long long second = (long long)t % 86400;
	if (second < 0) {
		second += 86400;
		days--;
	}
	int y, m, d;
	qa_day_to_ymd((qa_day)days, &y, &m, &d);
	char text[16];
	time_digits(text, y, m, d, (int)second);
	text[15] = 'Z';
	ical_put(w, text, sizeof(text));
}

void ical_put_duration(struct ical_writer *w, long seconds)
{
	char text[48];
	size_t at = 0;
	unsigned long rest = seconds < 0 ? 0ul - (unsigned long)seconds
					 : (unsigned long)seconds;
	if (seconds < 0)
		text[at++] = '-';
	text[at++] = 'P';
	unsigned long days = rest / 86400, h = rest / 3600 % 24,
		      m = rest / 60 % 60, s = rest % 60;
	/* Each part: its digits, then its letter. */
	struct {
		unsigned long value;
		char letter;
	} parts[] = {{days, 'D'}, {h, 'H'}, {m, 'M'}, {s, 'S'}};
	bool in_time = false;
	for (size_t i = 0; i < 4; i++) {
		/* Zero parts are left out; a zero duration is PT0S. */
		bool last = i == 3 && at == (seconds < 0 ? 2u : 1u);
		if (parts[i].value == 0 && !last)
			continue;
		if (i > 0 && !in_time) {
			text[at++] = 'T';
			in_time = true;
		}
		char number[24];
		int n = (int)sizeof(number);
		unsigned long v = parts[i].value;
		do {
			number[--n] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		memcpy(text + at, number + n, sizeof(number) - (size_t)n);
		at += sizeof(number) - (size_t)n;
		text[at++] = parts[i].letter;
	}
	ical_put(w, text, at);
}

int ical_writer_finish(struct ical_writer *w, char **body, size_t *len)
{
	ical_buf_done(&w->scratch);
	if (w->out.failed || !ical_buf_reserve(&w->out, 1)) {
		log_err("ical: out of memory writing a %zu-octet calendar",
			w->out.len);
		ical_writer_done(w);
		return -1;
	}
	w->out.data[w->out.len] = '\0';
	/* The body is kept as long as it is cached: give back the slack of
	 * the doubling (shrinking in place, where realloc can). */
	char *fit = w->out.data;
	if (w->out.cap - w->out.len > w->out.len / 16 + 64) {
		fit = realloc(w->out.data, w->out.len + 1);
		if (!fit)
			fit = w->out.data; /* keep the larger block */
	}
	*body = fit;
	*len = w->out.len;
	memset(w, 0, sizeof(*w));
	return 0;
}

void ical_writer_done(struct ical_writer *w)
{
	ical_buf_done(&w->out);
	ical_buf_done(&w->scratch);
	w->column = 0;
}
