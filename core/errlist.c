#include "errlist.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void errlist_add(struct errlist *list, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	va_start(ap, fmt);
	int rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		log_err("out of memory recording an error");
		return;
	}
	char **grown = realloc(list->msgs, (list->n + 1) * sizeof(*grown));
	if (!grown) {
		log_err("out of memory recording: %s", msg);
		free(msg);
		return;
	}
	list->msgs = grown;
	list->msgs[list->n++] = msg;
}

void errlist_move(struct errlist *dst, struct errlist *src)
{
	char **grown =
		realloc(dst->msgs, (dst->n + src->n) * sizeof(*grown) + 1);
	if (!grown) {
		log_err("out of memory merging error lists");
		errlist_done(src);
		return;
	}
	dst->msgs = grown;
	for (size_t i = 0; i < src->n; i++) {
		dst->msgs[dst->n++] = src->msgs[i];
		if (errlist_tag_of(src, i) >= 0)
			errlist_tag(dst, dst->n - 1, errlist_tag_of(src, i));
	}
	free(src->msgs);
	free(src->tags);
	memset(src, 0, sizeof(*src));
}

void errlist_tag(struct errlist *list, size_t i, int tag)
{
	if (i >= list->n_tags) {
		int *grown = realloc(list->tags, (i + 1) * sizeof(*grown));
		if (!grown) {
			log_err("out of memory recording an error");
			return;
		}
		for (size_t k = list->n_tags; k <= i; k++)
			grown[k] = -1;
		list->tags = grown;
		list->n_tags = i + 1;
	}
	list->tags[i] = tag;
}

int errlist_tag_of(const struct errlist *list, size_t i)
{
	return i < list->n_tags ? list->tags[i] : -1;
}

void errlist_done(struct errlist *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->msgs[i]);
	free(list->msgs);
	free(list->tags);
	memset(list, 0, sizeof(*list));
}

static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

const char *errlist_shown(const char *value, char buf[ERRLIST_SHOWN_SIZE])
{
	size_t limit = 60, used = 0;
	const char *c = value ? value : "";
	for (; *c && used < limit; c++)
		buf[used++] = is_control((unsigned char)*c) ? '?' : *c;
	if (*c) {
		/* Drop a character the limit split. */
		if (((unsigned char)*c & 0xc0) == 0x80) {
			while (used > 0 &&
			       ((unsigned char)buf[used - 1] & 0xc0) == 0x80)
				used--;
			if (used > 0)
				used--;
		}
		memcpy(buf + used, "\xe2\x80\xa6", 3);
		used += 3;
	}
	buf[used] = '\0';
	return buf;
}
