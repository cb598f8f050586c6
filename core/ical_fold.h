/* ical_fold: RFC 5545 line folding that does not depend on libical's.
 *
 * libical 3.0.16 misplaces the line break of a content line whose last
 * folded segment is 73 or 74 octets long (see ical_fold.c); every feed goes
 * through ical_refold after icalcomponent_as_ical_string_r. */
#ifndef QA_ICAL_FOLD_H
#define QA_ICAL_FOLD_H

#include <stddef.h>

/* The longest line RFC 5545 3.1 allows, in octets, without its CRLF. */
#define ICAL_FOLD_LINE_MAX 75

/* Rewrite iCalendar text so that every content line ends in CRLF and is
 * folded at 75 octets (RFC 5545 3.1) without splitting a UTF-8 sequence.
 * Whatever folding the input has is undone first: any run of CR and LF
 * followed by one SP or HTAB is a fold (removed with that one whitespace
 * character), any other run of CR and LF ends a line (iCalendar text holds
 * no raw CR or LF: TEXT values escape newlines as \n). Empty lines are
 * dropped. Appends to *out (realloc'd; *out may be NULL) and updates
 * *out_len. Returns 0, or -1 when out of memory.
 *
 * Lines are folded as late as possible: a fold goes before the first
 * character that would take the line past 75 octets, so the first line
 * holds up to 75 octets and a continuation line SP plus up to 74. A
 * character is a UTF-8 lead byte with its continuation bytes; bytes that
 * are not valid UTF-8 are kept as they are and may be folded between, but
 * no line is ever longer than 75 octets. The output therefore depends only
 * on the unfolded lines: refolding it again changes nothing.
 *
 * On success *out stays NUL-terminated (the NUL is not counted in
 * *out_len), so it can go straight to icalparser_parse_string. On failure
 * *out and *out_len are untouched and the caller still owns *out. */
int ical_refold(const char *in, size_t len, char **out, size_t *out_len);

#endif
