/* errlist: an ordered list of problems, so a check can report every one
 * rather than stopping at the first (check-config, CSV import). */
#ifndef QA_ERRLIST_H
#define QA_ERRLIST_H

#include <stddef.h>

#include "qa-scheduler/plugin.h" /* QA_PRINTF */

struct errlist {
	char **msgs;
	size_t n;
	/* What each message is about, where its writer said (errlist_tag): a
	 * number of the writer's (record.c: the field), so a form can show
	 * the message beside it. n_tags may be less than n. */
	int *tags;
	size_t n_tags;
};

/* Append a formatted message. Out of memory is logged and the message lost. */
void errlist_add(struct errlist *list, const char *fmt, ...) QA_PRINTF(2, 3);
/* Move every message of src to the end of dst; src is left empty. */
void errlist_move(struct errlist *dst, struct errlist *src);
void errlist_done(struct errlist *list);

/* Say that message i is about tag (>= 0). Out of memory is logged and the
 * tag lost. */
void errlist_tag(struct errlist *list, size_t i, int tag);
/* Message i's tag, or -1 for none. */
int errlist_tag_of(const struct errlist *list, size_t i);

#define ERRLIST_SHOWN_SIZE 80

/* value as a one-line message can quote it, in buf: control characters
 * become '?', and a value over 60 bytes is cut (on a UTF-8 boundary) with
 * "…"; NULL is "". Returns buf. */
const char *errlist_shown(const char *value, char buf[ERRLIST_SHOWN_SIZE]);

#endif
