#include "sched_occ.h"

#include <stdlib.h>
#include <string.h>

struct sched_occ *sched_occ_list_push(struct sched_occ_list *list)
{
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 32;
		struct sched_occ *grown =
			realloc(list->items, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		list->items = grown;
		list->cap = cap;
	}
	struct sched_occ *o = &list->items[list->n++];
	memset(o, 0, sizeof(*o));
	return o;
}

static void occ_free(struct sched_occ *o)
{
	free(o->activity);
	free(o->subject);
	free(o->key);
	free(o->summary);
	free(o->detail);
	free(o->with_staff_id);
	free(o->also);
	free(o->home);
	memset(o, 0, sizeof(*o));
}

void sched_occ_list_truncate(struct sched_occ_list *list, size_t keep)
{
	while (list->n > keep)
		occ_free(&list->items[--list->n]);
}

void sched_occ_list_done(struct sched_occ_list *list)
{
	sched_occ_list_truncate(list, 0);
	free(list->items);
	memset(list, 0, sizeof(*list));
}
