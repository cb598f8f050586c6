/* feed_cache: rendered feeds kept in memory between requests.
 *
 * A feed is rendered once and its bytes served by reference until the
 * schedule changes: the daemon bumps the generation when it regenerates or
 * sees another process commit (PRAGMA data_version), and a stale entry is
 * rendered again (token checked first) on its next request. The gzip form
 * is made on the first request that asks for it, so a miss from a client
 * that does not pays only for the render.
 *
 * Thread-safe: the daemon's HTTP loops share one cache. Lookups hold a
 * mutex for a hash probe; renders run outside it, each loop on its own
 * database connection; bodies are reference-counted and released by
 * whichever thread finishes sending them. */
#ifndef QA_FEED_CACHE_H
#define QA_FEED_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "date.h"
#include "feed.h"
#include "token.h"

struct feed_gzip {
	size_t len;
	char bytes[];
};

/* One rendered feed; shared by the cache and the replies still being sent.
 * Everything but gzip and refs is fixed once the body is in the cache. */
struct feed_body {
	char *bytes;
	size_t len;
	struct feed_gzip *gzip; /* NULL until asked for; see feed_body_gzip */
	char etag[40];          /* "\"<32 hex>\"", strong, over the bytes */
	char etag_gzip[48];     /* the gzip variant's: "\"<32 hex>-gzip\"" */
	/* When these bytes first differed from what was served before: the
	 * newest change among the events, but never earlier than the change
	 * itself was seen (a feed also changes when a role, a team or a window
	 * does, which no event's LAST-MODIFIED shows). */
	time_t last_modified;
	char last_modified_text[DATE_HTTP_SIZE]; /* for the header */
	char cache_control[32];                  /* "private, max-age=N" */
	int refs;                                /* atomic */
	bool cached;    /* in the cache (under its lock) */
	size_t charged; /* bytes counted against its budget (under its lock) */
};

struct feed_cache;

/* A cache holding at most about budget bytes of feeds (bodies and their
 * gzip forms; the newest entry stays even if it alone is larger). */
struct feed_cache *feed_cache_new(size_t budget);
void feed_cache_set_budget(struct feed_cache *cache, size_t budget);
void feed_cache_free(struct feed_cache *cache);

/* The schedule (or the token table) changed: every entry is stale. */
void feed_cache_invalidate(struct feed_cache *cache);

struct feed_cache_stats {
	unsigned long long hits, renders, misses; /* misses: unknown token */
	unsigned long long evictions;             /* to keep within budget */
	size_t entries, bytes;                    /* now */
};
void feed_cache_stats(struct feed_cache *cache, struct feed_cache_stats *out);

/* Render the feed of the token with this hash (called without the cache's
 * lock held): 1 with *doc filled and *max_age the seconds clients may keep
 * it, 0 when the token is unknown or revoked or its feed gone, -1 on
 * error. */
typedef int (*feed_render_fn)(void *arg,
			      const unsigned char hash[TOKEN_HASH_SIZE],
			      struct feed_doc *doc, int *max_age);

/* The feed of token text (already checked with token_text_valid), from
 * memory or rendered by render(arg, ...). Returns 1 with *body (one
 * reference taken: release it), 0 when there is no such feed (404), -1 on
 * error. */
int feed_cache_get(struct feed_cache *cache, const char *text, size_t len,
		   time_t now, feed_render_fn render, void *arg,
		   struct feed_body **body);

/* The gzip form of body, compressed on first use and kept with it (and
 * counted against the cache's budget); NULL when it cannot be made (out of
 * memory): serve the bytes plain. */
const struct feed_gzip *feed_cache_gzip(struct feed_cache *cache,
					struct feed_body *body);

void feed_body_release(struct feed_body *body);

#endif
