#include "feed_cache.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "log.h"

struct entry {
	unsigned char hash[TOKEN_HASH_SIZE];
	unsigned long generation;
	struct feed_body *body;
	bool used;
};

struct feed_cache {
	struct entry *slots; /* open addressing, power-of-two size */
	size_t cap, n;
	unsigned long generation;
	time_t started; /* no Last-Modified earlier: we cannot know older */
	struct feed_cache_stats stats;
};

struct feed_cache *feed_cache_new(void)
{
	struct feed_cache *cache = calloc(1, sizeof(*cache));
	if (!cache)
		return NULL;
	cache->cap = 64;
	cache->slots = calloc(cache->cap, sizeof(*cache->slots));
	if (!cache->slots) {
		free(cache);
		return NULL;
	}
	cache->generation = 1;
	cache->started = time(NULL);
	return cache;
}

void feed_body_release(struct feed_body *body)
{
	if (!body || --body->refs > 0)
		return;
	free(body->bytes);
	free(body->gzip);
	free(body);
}

void feed_cache_free(struct feed_cache *cache)
{
	if (!cache)
		return;
	for (size_t i = 0; i < cache->cap; i++)
		if (cache->slots[i].used)
			feed_body_release(cache->slots[i].body);
	free(cache->slots);
	free(cache);
}

void feed_cache_invalidate(struct feed_cache *cache)
{
	cache->generation++;
}

void feed_cache_stats(const struct feed_cache *cache,
		      struct feed_cache_stats *out)
{
	*out = cache->stats;
}

static size_t slot_of(const struct feed_cache *cache,
		      const unsigned char hash[TOKEN_HASH_SIZE])
{
	size_t h;
	memcpy(&h, hash, sizeof(h)); /* the hash is uniform already */
	size_t i = h & (cache->cap - 1);
	while (cache->slots[i].used &&
	       memcmp(cache->slots[i].hash, hash, TOKEN_HASH_SIZE) != 0)
		i = (i + 1) & (cache->cap - 1);
	return i;
}

static int grow(struct feed_cache *cache)
{
	struct entry *old = cache->slots;
	size_t old_cap = cache->cap;
	cache->slots = calloc(old_cap * 2, sizeof(*cache->slots));
	if (!cache->slots) {
		cache->slots = old;
		return -1;
	}
	cache->cap = old_cap * 2;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].used)
			cache->slots[slot_of(cache, old[i].hash)] = old[i];
	free(old);
	return 0;
}

/* Drop the entry in slot i, keeping later probes reachable. */
static void remove_slot(struct feed_cache *cache, size_t i)
{
	feed_body_release(cache->slots[i].body);
	memset(&cache->slots[i], 0, sizeof(cache->slots[i]));
	cache->n--;
	for (size_t j = (i + 1) & (cache->cap - 1); cache->slots[j].used;
	     j = (j + 1) & (cache->cap - 1)) {
		struct entry moved = cache->slots[j];
		memset(&cache->slots[j], 0, sizeof(cache->slots[j]));
		cache->slots[slot_of(cache, moved.hash)] = moved;
	}
}

static int compress_gzip(struct feed_body *body)
{
	z_stream z = {0};
	/* 15 + 16: a gzip wrapper, which is what Content-Encoding: gzip
	 * means (zlib's own wrapper is "deflate"). */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	uLong bound = deflateBound(&z, (uLong)body->len);
	body->gzip = malloc(bound);
	if (!body->gzip) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (Bytef *)body->bytes;
	z.avail_in = (uInt)body->len;
	z.next_out = (Bytef *)body->gzip;
	z.avail_out = (uInt)bound;
	int rc = deflate(&z, Z_FINISH);
	body->gzip_len = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(body->gzip);
		body->gzip = NULL;
		return -1;
	}
	return 0;
}

static struct feed_body *body_of(struct feed_doc *doc)
{
	struct feed_body *body = calloc(1, sizeof(*body));
	if (!body)
		return NULL;
	body->bytes = doc->body;
	body->len = doc->len;
	body->last_modified = doc->last_modified;
	doc->body = NULL;
	unsigned char hash[16];
	char hex[33];
	crypto_generichash(hash, sizeof(hash), (unsigned char *)body->bytes,
			   body->len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	snprintf(body->etag, sizeof(body->etag), "\"%s\"", hex);
	/* A strong ETag names one representation (RFC 9110 8.8.3): the gzip
	 * bytes get their own. */
	snprintf(body->etag_gzip, sizeof(body->etag_gzip), "\"%s-gzip\"", hex);
	if (compress_gzip(body))
		log_warn("feed: cannot gzip a feed; serving it plain");
	body->refs = 1;
	return body;
}

int feed_cache_get(struct feed_cache *cache, sqlite3 *db,
		   const struct feed_catalog *cat, const char *text, size_t len,
		   qa_day today, time_t now, struct feed_body **out)
{
	unsigned char hash[TOKEN_HASH_SIZE];
	token_hash(text, len, hash);
	size_t i = slot_of(cache, hash);
	struct entry *e = &cache->slots[i];
	if (e->used && e->generation == cache->generation) {
		cache->stats.hits++;
		e->body->refs++;
		*out = e->body;
		return 1;
	}
	/* Unknown, or stale: ask the token table (a revoked token must stop
	 * working at once) and render. */
	enum token_kind kind;
	char *subject = NULL;
	int found = token_find(db, hash, &kind, &subject);
	if (found <= 0 || (kind != TOKEN_STAFF && kind != TOKEN_TEAM)) {
		free(subject);
		if (e->used)
			remove_slot(cache, i);
		cache->stats.misses++;
		return found < 0 ? -1 : 0;
	}
	struct feed_doc doc;
	int rendered = feed_render(db, cat,
				   kind == TOKEN_STAFF ? FEED_STAFF : FEED_TEAM,
				   subject, today, now, &doc);
	free(subject);
	if (rendered <= 0) {
		if (e->used)
			remove_slot(cache, i);
		cache->stats.misses += rendered == 0;
		return rendered;
	}
	struct feed_body *body = body_of(&doc);
	feed_doc_free(&doc);
	if (!body)
		return -1;
	cache->stats.renders++;
	if (e->used && strcmp(e->body->etag, body->etag) == 0)
		body->last_modified = e->body->last_modified;
	else if (body->last_modified < (e->used ? now : cache->started))
		body->last_modified = e->used ? now : cache->started;
	if (e->used) {
		feed_body_release(e->body);
	} else {
		if ((cache->n + 1) * 2 > cache->cap) {
			if (grow(cache)) {
				*out = body; /* serve it uncached */
				return 1;
			}
			i = slot_of(cache, hash);
			e = &cache->slots[i];
		}
		memcpy(e->hash, hash, TOKEN_HASH_SIZE);
		e->used = true;
		cache->n++;
	}
	e->body = body;
	e->generation = cache->generation;
	body->refs++;
	*out = body;
	return 1;
}
