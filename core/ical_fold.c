#include "ical_fold.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* What libical 3.0.16 (Debian 12) gets wrong, measured: SUMMARY, DESCRIPTION
 * and LOCATION set to every length 60-160 octets (after 0-7 leading ASCII
 * bytes), of ASCII, 2-, 3- and 4-byte UTF-8, `,` `;` `\`, newline, space and
 * mixes, serialised with icalcomponent_as_ical_string_r (8,888 calendars,
 * 372 of them misfolded):
 *
 *   <last segment: 73 octets> CR CR LF SP LF        (348 times)
 *   <last segment: 74 octets> CR LF SP CR LF        (516 times)
 *
 * e.g. SUMMARY of 73 'a' gives "SUMMARY:" CRLF SP a*73 CR CR LF SP LF, and
 * of 74 'a' gives "SUMMARY:" CRLF SP a*74 CR LF SP CR LF; a value of n
 * ASCII letters misfolds exactly when n >= 73 and n % 74 is 73 or 0.
 *
 * fold_property_line() folds the property *with* its CRLF appended and
 * stops only when fewer than 75 octets are left. When the last segment
 * holds 73 octets it cuts between the CR and the LF of the line ending;
 * with 74 it cuts just before the CR, leaving a continuation line of one
 * SP. (It also folds after the last `;`, `:` or space it finds, so
 * "SUMMARY:" usually stands alone on the first line and values full of
 * escaped `;` or spaces rarely hit the bad lengths.) Strict RFC unfolding
 * happens to undo both, and libical's own parser reads them back, but a
 * parser that also ends lines at a lone CR or LF (common, to accept LF-only
 * files) meets a bare CR, an empty line, or a line holding one SP.
 *
 * Nothing else was wrong: no line over 75 octets, no fold inside a UTF-8
 * sequence (libical steps back to a lead byte), and no content byte lost or
 * doubled: for 57,888 properties of lengths 0-200, deleting every
 * CR LF SP from the output gives back exactly "NAME:" + the escaped value
 * + CRLF, because the folder only ever inserts CR LF SP. So refolding the
 * whole calendar repairs it. (Continuation lines starting SP SP are content
 * spaces after a fold, which RFC 5545 allows; the first SP is the fold.)
 *
 * Unrelated to folding but found on the way: libical drops a raw CR from a
 * TEXT value when it escapes it, and its parser trims leading and trailing
 * whitespace of a value and reads an empty one as absent. */

/* The number of octets the UTF-8 sequence led by c takes, judged by c alone.
 * A continuation byte or a byte no UTF-8 sequence starts with counts as one:
 * it is kept as it is, and folding before it cannot split anything valid. */
static size_t utf8_claimed_len(unsigned char c)
{
	if (c >= 0xC0 && c < 0xE0)
		return 2;
	if (c >= 0xE0 && c < 0xF0)
		return 3;
	if (c >= 0xF0 && c < 0xF8)
		return 4;
	return 1;
}

static int is_line_break(unsigned char c)
{
	return c == '\r' || c == '\n';
}

static void put(char *dst, size_t *at, const char *bytes, size_t n)
{
	if (dst)
		memcpy(dst + *at, bytes, n);
	*at += n;
}

/* One pass over the input: with dst NULL it only counts, so the caller can
 * size the buffer exactly once and the same code decides both times.
 * Returns the number of octets written (or that would be). Every input byte
 * is looked at once, so this is O(len). */
static size_t refold_pass(const unsigned char *in, size_t len, char *dst)
{
	size_t at = 0;
	/* Octets on the current output line, the fold's SP included; 0 when
	 * the current logical line has produced nothing yet. */
	size_t column = 0;
	size_t i = 0;
	while (i < len) {
		if (is_line_break(in[i])) {
			size_t end = i;
			while (end < len && is_line_break(in[end]))
				end++;
			/* A fold goes with its one WSP; a second is content. */
			if (end < len && (in[end] == ' ' || in[end] == '\t')) {
				i = end + 1;
				continue;
			}
			/* A line that produced nothing was empty: drop it. */
			if (column > 0)
				put(dst, &at, "\r\n", 2);
			column = 0;
			i = end;
			continue;
		}
		/* A lead byte reserves room for its whole sequence, so a valid
		 * one is never split; a stray continuation byte claims 1 and
		 * still gets a fold when the line is full. */
		if (column + utf8_claimed_len(in[i]) > ICAL_FOLD_LINE_MAX) {
			put(dst, &at, "\r\n ", 3);
			column = 1;
		}
		/* The same test byte by byte, but the bytes that pass go out
		 * as one run: a feed is hundreds of kilobytes. */
		size_t run = i;
		do {
			column++;
			run++;
		} while (run < len && !is_line_break(in[run]) &&
			 column + utf8_claimed_len(in[run]) <=
				 ICAL_FOLD_LINE_MAX);
		put(dst, &at, (const char *)&in[i], run - i);
		i = run;
	}
	/* The input's last line may lack its line ending. */
	if (column > 0)
		put(dst, &at, "\r\n", 2);
	return at;
}

int ical_refold(const char *in, size_t len, char **out, size_t *out_len)
{
	const unsigned char *bytes = (const unsigned char *)in;
	/* The output is at most twice the input plus a final CRLF ("a\n"
	 * becomes "a\r\n"; a fold adds 3 octets per 74), so the bound keeps
	 * the count from wrapping; past it, need fails the check below. */
	size_t need = len <= (SIZE_MAX - 3) / 2 ? refold_pass(bytes, len, NULL)
						: SIZE_MAX;
	char *grown = NULL;
	if (need <= SIZE_MAX - 1 - *out_len)
		grown = realloc(*out, *out_len + need + 1);
	if (!grown) {
		log_err("ical: out of memory refolding a %zu-octet feed", len);
		return -1;
	}
	refold_pass(bytes, len, grown + *out_len);
	*out = grown;
	*out_len += need;
	grown[*out_len] = '\0';
	return 0;
}
