/* ical_write: iCalendar content lines written straight into a buffer, TEXT
 * escaped and folded as they go (RFC 5545 3.1 and 3.3.11), for feeds.
 *
 * libical is not used to write: building its component tree and
 * serialising it took most of a feed's render time, and libical 3.0.16
 * misfolds lines whose last segment is 73 or 74 octets (CR CR LF SP LF,
 * CR LF SP CR LF; fixed upstream only in 4.0.3).
 *
 * Folding. A content line is at most 75 octets, its CRLF not counted; a
 * fold is CRLF followed by one SP, and that SP counts toward the next
 * line's 75. Lines are folded as late as possible: a fold goes just before
 * the first unit that would take the line past 75 octets, where a unit is a
 * UTF-8 character (1-4 octets) or a TEXT escape pair (`\n`, `\,`, `\;`,
 * `\\`). So a fold never splits a character or an escape pair, the first
 * physical line holds up to 75 octets and each continuation line SP plus up
 * to 74, and the output depends only on the unfolded lines.
 *
 * Out of memory is remembered in the buffer rather than returned by each
 * call: write everything, then ask ical_writer_finish (or look at
 * ical_buf.failed) once. */
#ifndef QA_ICAL_WRITE_H
#define QA_ICAL_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

/* The longest line RFC 5545 3.1 allows, in octets, without its CRLF. */
#define ICAL_LINE_MAX 75

/* A growable byte buffer. Zero-initialised is empty and valid. */
struct ical_buf {
	char *data;
	size_t len, cap;
	bool failed; /* an allocation failed: the contents are incomplete */
};

/* Make room for `more` octets after len; false (and failed set) when out
 * of memory. */
bool ical_buf_reserve(struct ical_buf *b, size_t more);
/* Append s[0..len) as it is. */
void ical_buf_append(struct ical_buf *b, const char *s, size_t len);
void ical_buf_done(struct ical_buf *b);

/* Append the TEXT form (RFC 5545 3.3.11) of s[0..len): backslash,
 * semicolon and comma are escaped with a backslash; LF and CR LF become
 * `\n`; HTAB is kept; every other control character (0x00-0x1F, 0x7F,
 * including a CR not followed by LF) is replaced by a space; bytes that are
 * not valid UTF-8 are replaced by U+FFFD, one per maximal ill-formed
 * subsequence (as Unicode recommends and Python's "replace" does). The
 * result is valid UTF-8, is not folded and holds no raw CR or LF. */
void ical_escape_text(struct ical_buf *b, const char *s, size_t len);

/* ical_escape_text of a NUL-terminated string. */
static inline void ical_escape_str(struct ical_buf *b, const char *s)
{
	ical_escape_text(b, s, strlen(s));
}

/* A feed being written: the folded output, the octets on its current
 * physical line, and scratch space for escaping. */
struct ical_writer {
	struct ical_buf out;
	size_t column;
	struct ical_buf scratch;
};

/* Start empty, with room for size_hint octets (a hint: 0 is fine). */
void ical_writer_init(struct ical_writer *w, size_t size_hint);

/* Append text that is already in its final form (a property name with its
 * parameters and ':', or an escaped value such as ical_escape_text's),
 * folding it. It must be valid UTF-8 holding no CR or LF, and must not end
 * inside an escape pair; each call continues the current content line. */
void ical_put(struct ical_writer *w, const char *s, size_t len);

/* ical_put of a string literal. */
#define ical_put_lit(w, lit) ical_put((w), (lit), sizeof(lit) - 1)

/* Escape s[0..len) as TEXT (see ical_escape_text) and append it, folding. */
void ical_put_text(struct ical_writer *w, const char *s, size_t len);

/* End the current content line (CRLF). */
void ical_end_line(struct ical_writer *w);

/* A whole content line from a string literal: ical_put_lit + CRLF. */
#define ical_line_lit(w, lit)           \
	do {                            \
		ical_put_lit((w), lit); \
		ical_end_line(w);       \
	} while (0)

/* Append lines that are already content lines (e.g. a VTIMEZONE), ending
 * each in CRLF whether it ended in CRLF, LF or CR, dropping empty lines and
 * folding long ones. Lines must not be folded already. */
void ical_put_lines(struct ical_writer *w, const char *s, size_t len);

/* Values, in decimal digits written by hand (no snprintf). */
void ical_put_uint(struct ical_writer *w, unsigned long value);
/* DATE: YYYYMMDD (year 0-9999). */
void ical_put_date(struct ical_writer *w, int year, int month, int day);
/* DATE-TIME, local form: YYYYMMDDTHHMMSS, second_of_day 0-86399. */
void ical_put_local_time(struct ical_writer *w, int year, int month, int day,
			 int second_of_day);
/* DATE-TIME, UTC form: YYYYMMDDTHHMMSSZ of instant t. */
void ical_put_utc(struct ical_writer *w, time_t t);
/* DURATION (RFC 5545 3.3.6) of `seconds`, negative with a leading '-':
 * -P2D, -PT1H, P1DT12H, PT30M, PT0S. Whole days as days, not weeks. */
void ical_put_duration(struct ical_writer *w, long seconds);

/* Hand over what was written: *body (NUL-terminated, the NUL not counted
 * in *len, sized to fit) belongs to the caller. Returns 0, or -1 when an
 * allocation failed at any point (logged; nothing is handed over). The
 * writer is left empty either way. */
int ical_writer_finish(struct ical_writer *w, char **body, size_t *len);

/* Free what the writer holds (after an error, or instead of finishing). */
void ical_writer_done(struct ical_writer *w);

#endif
