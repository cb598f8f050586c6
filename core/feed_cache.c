#include "feed_cache.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "date.h"
#include "log.h"

struct entry {
	unsigned char hash[TOKEN_HASH_SIZE];
	unsigned long generation;
	struct feed_body *body;
	bool used;
	bool referenced; /* served since the clock hand last passed */
};

/* Kept within a budget of bytes (the bodies and their gzip forms) by the
 * CLOCK algorithm: a hit marks its entry (a new one starts unmarked); when
 * an insertion goes over the budget, a hand sweeps the slots, giving marked
 * entries a second chance (unmarking them) and dropping the first unmarked
 * one, until the cache fits again. A miss costs a render of well under a
 * millisecond, so the budget bounds memory at 5,000 subscribers without costing
 * much. */
struct feed_cache {
	pthread_mutex_t lock; /* everything below */
	struct entry *slots;  /* open addressing, power-of-two size */
	size_t cap, n;
	size_t bytes, budget;
	size_t hand;
	unsigned long generation;
	time_t started; /* no Last-Modified earlier: we cannot know older */
	/* The newest Last-Modified of a feed dropped from the cache: a feed
	 * rendered again after that must not claim an older one, or a client
	 * holding it would be told 304 for changed bytes. */
	time_t forgotten;
	struct feed_cache_stats stats;
};

struct feed_cache *feed_cache_new(size_t budget)
{
	struct feed_cache *cache = calloc(1, sizeof(*cache));
	if (!cache)
		return NULL;
	cache->budget = budget;
	cache->cap = 64;
	cache->slots = calloc(cache->cap, sizeof(*cache->slots));
	if (!cache->slots || pthread_mutex_init(&cache->lock, NULL)) {
		free(cache->slots);
		free(cache);
		return NULL;
	}
	cache->generation = 1;
	cache->started = time(NULL);
	return cache;
}

void feed_body_release(struct feed_body *body)
{
	if (!body || __atomic_sub_fetch(&body->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free(body->bytes);
	free(body->gzip);
	free(body);
}

static void body_ref(struct feed_body *body)
{
	__atomic_add_fetch(&body->refs, 1, __ATOMIC_RELAXED);
}

void feed_cache_free(struct feed_cache *cache)
{
	if (!cache)
		return;
	for (size_t i = 0; i < cache->cap; i++)
		if (cache->slots[i].used)
			feed_body_release(cache->slots[i].body);
	pthread_mutex_destroy(&cache->lock);
	free(cache->slots);
	free(cache);
}

void feed_cache_invalidate(struct feed_cache *cache)
{
	pthread_mutex_lock(&cache->lock);
	cache->generation++;
	pthread_mutex_unlock(&cache->lock);
}

void feed_cache_set_budget(struct feed_cache *cache, size_t budget)
{
	pthread_mutex_lock(&cache->lock);
	cache->budget = budget; /* met at the next insertion */
	pthread_mutex_unlock(&cache->lock);
}

void feed_cache_stats(struct feed_cache *cache, struct feed_cache_stats *out)
{
	pthread_mutex_lock(&cache->lock);
	*out = cache->stats;
	out->entries = cache->n;
	out->bytes = cache->bytes;
	pthread_mutex_unlock(&cache->lock);
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
	struct feed_body *body = cache->slots[i].body;
	if (body->last_modified > cache->forgotten)
		cache->forgotten = body->last_modified;
	cache->bytes -= body->charged;
	body->cached = false;
	feed_body_release(body);
	memset(&cache->slots[i], 0, sizeof(cache->slots[i]));
	cache->n--;
	for (size_t j = (i + 1) & (cache->cap - 1); cache->slots[j].used;
	     j = (j + 1) & (cache->cap - 1)) {
		struct entry moved = cache->slots[j];
		memset(&cache->slots[j], 0, sizeof(cache->slots[j]));
		cache->slots[slot_of(cache, moved.hash)] = moved;
	}
}

/* Level 1: feeds repeat the framework's words event after event, so the
 * fastest level already shrinks them ~30-fold, at about twice the speed of
 * the default level and within a tenth of its size. */
static struct feed_gzip *compress_gzip(const char *bytes, size_t len)
{
	z_stream z = {0};
	/* 15 + 16: a gzip wrapper, which is what Content-Encoding: gzip
	 * means (zlib's own wrapper is "deflate"). */
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return NULL;
	uLong bound = deflateBound(&z, (uLong)len);
	struct feed_gzip *gz = malloc(sizeof(*gz) + bound);
	if (!gz) {
		deflateEnd(&z);
		return NULL;
	}
	z.next_in = (Bytef *)bytes;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)gz->bytes;
	z.avail_out = (uInt)bound;
	int rc = deflate(&z, Z_FINISH);
	gz->len = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(gz);
		return NULL;
	}
	/* deflateBound is about the plain size; the result a thirtieth of
	 * it. Keep only that (the budget counts gz->len). */
	struct feed_gzip *fit = realloc(gz, sizeof(*gz) + gz->len);
	return fit ? fit : gz;
}

/* Drop entries, the clock hand's way, until the cache fits its budget;
 * the one holding hash stays (it was just put in). */
static void evict(struct feed_cache *cache,
		  const unsigned char keep[TOKEN_HASH_SIZE])
{
	/* Two turns of the hand unmark and then drop everything. */
	for (size_t steps = 0; cache->bytes > cache->budget && cache->n > 1 &&
			       steps < 2 * cache->cap;
	     steps++) {
		size_t i = cache->hand;
		cache->hand = (cache->hand + 1) & (cache->cap - 1);
		struct entry *e = &cache->slots[i];
		if (!e->used || memcmp(e->hash, keep, TOKEN_HASH_SIZE) == 0)
			continue;
		if (e->referenced) {
			e->referenced = false;
			continue;
		}
		remove_slot(cache, i);
		cache->stats.evictions++;
		/* remove_slot may have moved a later entry into slot i. */
		cache->hand = i;
	}
}

const struct feed_gzip *feed_cache_gzip(struct feed_cache *cache,
					struct feed_body *body)
{
	struct feed_gzip *gz = __atomic_load_n(&body->gzip, __ATOMIC_ACQUIRE);
	if (gz)
		return gz;
	/* Two threads may compress the same body at once; the first to
	 * publish wins and the other's copy goes. */
	struct feed_gzip *made = compress_gzip(body->bytes, body->len);
	if (!made) {
		log_warn("feed: cannot gzip a feed; serving it plain");
		return NULL;
	}
	struct feed_gzip *expected = NULL;
	if (!__atomic_compare_exchange_n(&body->gzip, &expected, made, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		free(made);
		return expected;
	}
	/* Counted against the budget while the body is in the cache; the
	 * next insertion makes room. */
	pthread_mutex_lock(&cache->lock);
	if (body->cached) {
		body->charged += made->len;
		cache->bytes += made->len;
	}
	pthread_mutex_unlock(&cache->lock);
	return made;
}

static struct feed_body *body_of(struct feed_doc *doc, int max_age)
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
	snprintf(body->cache_control, sizeof(body->cache_control),
		 "private, max-age=%d", max_age);
	body->refs = 1;
	return body;
}

int feed_cache_get(struct feed_cache *cache, const char *text, size_t len,
		   time_t now, feed_render_fn render, void *arg,
		   struct feed_body **out)
{
	unsigned char hash[TOKEN_HASH_SIZE];
	token_hash(text, len, hash);
	pthread_mutex_lock(&cache->lock);
	struct entry *e = &cache->slots[slot_of(cache, hash)];
	if (e->used && e->generation == cache->generation) {
		cache->stats.hits++;
		e->referenced = true;
		body_ref(e->body);
		*out = e->body;
		pthread_mutex_unlock(&cache->lock);
		return 1;
	}
	/* What the render will see was committed before this generation
	 * began: a change committed during the render bumps the generation
	 * past it, and the entry is rendered again on its next request. */
	unsigned long generation = cache->generation;
	pthread_mutex_unlock(&cache->lock);

	/* Unknown, or stale: the render asks the token table first (a
	 * revoked token must stop working at once). */
	struct feed_doc doc = {0};
	int max_age = 0;
	int rendered = render(arg, hash, &doc, &max_age);
	struct feed_body *body = NULL;
	if (rendered == 1) {
		body = body_of(&doc, max_age);
		feed_doc_done(&doc);
		if (!body)
			rendered = -1;
	}

	pthread_mutex_lock(&cache->lock);
	size_t i = slot_of(cache, hash);
	e = &cache->slots[i];
	if (rendered <= 0) {
		if (e->used)
			remove_slot(cache, i);
		cache->stats.misses += rendered == 0;
		pthread_mutex_unlock(&cache->lock);
		return rendered;
	}
	cache->stats.renders++;
	/* A render from before the entry's was slower than that one: keep
	 * the newer in the cache, serve this one as it is. */
	bool older = e->used && e->generation > generation;
	time_t floor = cache->started;
	if (cache->forgotten) {
		/* Later than the newest forgotten, but never in the future. */
		time_t after =
			cache->forgotten + 1 < now ? cache->forgotten + 1 : now;
		if (after > floor)
			floor = after;
	}
	if (e->used && strcmp(e->body->etag, body->etag) == 0)
		body->last_modified = e->body->last_modified;
	else if (body->last_modified < (e->used ? now : floor))
		body->last_modified = e->used ? now : floor;
	date_http(body->last_modified, body->last_modified_text);
	if (older) {
		pthread_mutex_unlock(&cache->lock);
		*out = body;
		return 1;
	}
	if (e->used) {
		cache->bytes -= e->body->charged;
		e->body->cached = false;
		feed_body_release(e->body);
	} else {
		if ((cache->n + 1) * 2 > cache->cap) {
			if (grow(cache)) {
				pthread_mutex_unlock(&cache->lock);
				*out = body; /* serve it uncached */
				return 1;
			}
			e = &cache->slots[slot_of(cache, hash)];
		}
		memcpy(e->hash, hash, TOKEN_HASH_SIZE);
		e->used = true;
		cache->n++;
	}
	e->body = body;
	e->generation = generation;
	/* Unmarked until served again from memory: a feed fetched once (a
	 * client subscribing, a scan) goes before one fetched now and
	 * then, as in SIEVE. */
	e->referenced = false;
	body->cached = true;
	body->charged = body->len;
	cache->bytes += body->len;
	body_ref(body);
	*out = body;
	evict(cache, hash);
	pthread_mutex_unlock(&cache->lock);
	return 1;
}
