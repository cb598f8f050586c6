#include "sched_occ.h"

#include <sodium.h>
#include <stdio.h>
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

void sched_uid(const unsigned char salt[SCHED_SALT_SIZE], const char *activity,
	       const char *subject, const char *key, char uid[64])
{
	unsigned char hash[16];
	crypto_generichash_state st;
	crypto_generichash_init(&st, salt, SCHED_SALT_SIZE, sizeof(hash));
	/* NUL separators: ("a", "bc") and ("ab", "c") differ. */
	crypto_generichash_update(&st, (const unsigned char *)activity,
				  strlen(activity) + 1);
	crypto_generichash_update(&st, (const unsigned char *)subject,
				  strlen(subject) + 1);
	crypto_generichash_update(&st, (const unsigned char *)key,
				  strlen(key) + 1);
	crypto_generichash_final(&st, hash, sizeof(hash));
	char hex[33];
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	snprintf(uid, 64, "%s@qa-scheduler", hex);
}
