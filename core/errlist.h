/* errlist: an ordered list of problems, so a check can report every one
 * rather than stopping at the first (check-config, CSV import). */
#ifndef QA_ERRLIST_H
#define QA_ERRLIST_H

#include <stddef.h>

#include "qa-scheduler/plugin.h" /* QA_PRINTF */

struct errlist {
	char **msgs;
	size_t n;
};

/* Append a formatted message. Out of memory is logged and the message lost. */
void errlist_add(struct errlist *list, const char *fmt, ...) QA_PRINTF(2, 3);
/* Move every message of src to the end of dst; src is left empty. */
void errlist_move(struct errlist *dst, struct errlist *src);
void errlist_done(struct errlist *list);

#define ERRLIST_SHOWN_SIZE 80

/* value as a one-line message can quote it, in buf: control characters
 * become '?', and a value over 60 bytes is cut (on a UTF-8 boundary) with
 * "…"; NULL is "". Returns buf. */
const char *errlist_shown(const char *value, char buf[ERRLIST_SHOWN_SIZE]);

#endif
