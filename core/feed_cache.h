/* feed_cache: rendered feeds kept in memory between requests.
 *
 * A feed is rendered once and its bytes (and their gzip) served by
 * reference until the schedule changes: the daemon bumps the generation when
 * it regenerates or sees another process commit (PRAGMA data_version), and
 * a stale entry is checked against the token table and rendered again on
 * its next request. */
#ifndef QA_FEED_CACHE_H
#define QA_FEED_CACHE_H

#include <sqlite3.h>
#include <stddef.h>
#include <time.h>

#include "feed.h"
#include "token.h"

/* One rendered feed; shared by the cache and the replies still being sent.
 */
struct feed_body {
	char *bytes;
	size_t len;
	char *gzip; /* NULL when it could not be compressed */
	size_t gzip_len;
	char etag[40];      /* "\"<32 hex>\"", strong, over the plain bytes */
	char etag_gzip[48]; /* the gzip variant's: "\"<32 hex>-gzip\"" */
	/* When these bytes first differed from what was served before: the
	 * newest change among the events, but never earlier than the change
	 * itself was seen (a feed also changes when a role, a team or a window
	 * does, which no event's LAST-MODIFIED shows). */
	time_t last_modified;
	int refs;
};

struct feed_cache;

struct feed_cache *feed_cache_new(void);
void feed_cache_free(struct feed_cache *cache);

/* The schedule (or the token table) changed: every entry is stale. */
void feed_cache_invalidate(struct feed_cache *cache);

struct feed_cache_stats {
	unsigned long long hits, renders, misses; /* misses: unknown token */
};
void feed_cache_stats(const struct feed_cache *cache,
		      struct feed_cache_stats *out);

/* The feed of token text (already checked with token_text_valid). Returns 1
 * with *body (one reference taken: release it), 0 when the token is unknown,
 * revoked or its feed gone (404), -1 on error. */
int feed_cache_get(struct feed_cache *cache, sqlite3 *db,
		   const struct feed_catalog *cat, const char *text, size_t len,
		   qa_day today, time_t now, struct feed_body **body);

void feed_body_release(struct feed_body *body);

#endif
