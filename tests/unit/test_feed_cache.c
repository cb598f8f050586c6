/* feed_cache: rendered feeds kept in memory. A renderer of the test's own
 * stands in for feed_render (which test_feed covers) so that sizes, bytes
 * and answers are the test's to choose: hits and renders, staleness after
 * invalidation, Last-Modified, unknown tokens, the gzip form made on first
 * use, and the byte budget kept by CLOCK eviction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "feed_cache.h"

#define KB 1024
#define MB (1024 * 1024)

struct renderer {
	size_t size;   /* bytes of the next body */
	char fill;     /* what it is made of */
	int answer;    /* 1, 0 (no such feed) or -1 */
	time_t newest; /* its events' newest LAST-MODIFIED */
	int calls;
};

static int fake_render(void *arg, const unsigned char hash[TOKEN_HASH_SIZE],
		       struct feed_doc *doc, int *max_age)
{
	(void)hash;
	struct renderer *r = arg;
	r->calls++;
	if (r->answer != 1)
		return r->answer;
	doc->body = malloc(r->size);
	assert_non_null(doc->body);
	memset(doc->body, r->fill, r->size);
	doc->len = r->size;
	doc->last_modified = r->newest;
	*max_age = 300;
	return 1;
}

/* The feed of token text, asserting the answer. */
static struct feed_body *get(struct feed_cache *cache, struct renderer *r,
			     const char *text, time_t now)
{
	struct feed_body *body = NULL;
	assert_int_equal(feed_cache_get(cache, text, strlen(text), now,
					fake_render, r, &body),
			 1);
	assert_non_null(body);
	return body;
}

static void test_hit_after_render(void **state)
{
	(void)state;
	struct feed_cache *cache = feed_cache_new(16 * MB);
	time_t began = time(NULL);
	struct renderer r = {
		.size = 100, .fill = 'a', .answer = 1, .newest = 1000};
	time_t now = 2000;
	struct feed_body *first = get(cache, &r, "tok-a", now);
	struct feed_body *again = get(cache, &r, "tok-a", now);
	assert_ptr_equal(first, again);
	assert_int_equal(r.calls, 1);
	/* The strong ETag is BLAKE2b-128 of the bytes, in hex. */
	unsigned char hash[16];
	char hex[33], want[48];
	crypto_generichash(hash, sizeof(hash), (unsigned char *)first->bytes,
			   first->len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	snprintf(want, sizeof(want), "\"%s\"", hex);
	assert_string_equal(first->etag, want);
	snprintf(want, sizeof(want), "\"%s-gzip\"", hex);
	assert_string_equal(first->etag_gzip, want);
	assert_string_equal(first->cache_control, "private, max-age=300");
	/* A first render is never dated before the cache began (it cannot
	 * know what was served before it). */
	assert_true(first->last_modified >= began);
	struct feed_cache_stats st;
	feed_cache_stats(cache, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.renders, 1);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.bytes, 100);
	feed_body_release(first);
	feed_body_release(again);
	feed_cache_free(cache);
}

static void test_invalidated_feeds_render_again(void **state)
{
	(void)state;
	struct feed_cache *cache = feed_cache_new(16 * MB);
	struct renderer r = {
		.size = 100, .fill = 'a', .answer = 1, .newest = 1000};
	struct feed_body *first = get(cache, &r, "tok-a", 2000);
	time_t was = first->last_modified;
	feed_body_release(first);

	/* Stale but the same bytes: rendered, and Last-Modified stays. */
	feed_cache_invalidate(cache);
	struct feed_body *same = get(cache, &r, "tok-a", 3000);
	assert_int_equal(r.calls, 2);
	assert_int_equal(same->last_modified, was);
	feed_body_release(same);

	/* Other bytes, from a change no event shows (its newest
	 * LAST-MODIFIED is older than now): Last-Modified is when the change
	 * was seen. */
	feed_cache_invalidate(cache);
	r.fill = 'b';
	struct feed_body *changed = get(cache, &r, "tok-a", 4000);
	assert_int_equal(r.calls, 3);
	assert_int_equal(changed->last_modified, 4000);
	assert_string_equal(changed->last_modified_text,
			    "Thu, 01 Jan 1970 01:06:40 GMT");
	assert_int_equal(changed->bytes[0], 'b');
	feed_body_release(changed);

	/* A body still being sent outlives its replacement in the cache. */
	struct feed_body *held = get(cache, &r, "tok-a", 4000);
	feed_cache_invalidate(cache);
	r.fill = 'c';
	struct feed_body *next = get(cache, &r, "tok-a", 5000);
	assert_int_equal(held->bytes[held->len - 1], 'b');
	assert_int_equal(next->bytes[0], 'c');
	feed_body_release(held);
	feed_body_release(next);
	feed_cache_free(cache);
}

static void test_unknown_and_failing(void **state)
{
	(void)state;
	struct feed_cache *cache = feed_cache_new(16 * MB);
	struct renderer r = {.size = 100, .fill = 'a', .answer = 0};
	struct feed_body *body = NULL;
	assert_int_equal(
		feed_cache_get(cache, "nobody", 6, 10, fake_render, &r, &body),
		0);
	assert_null(body);

	/* A cached feed whose token is then revoked: gone at the next
	 * request after the change, and not served from memory after. */
	r.answer = 1;
	feed_body_release(get(cache, &r, "tok-a", 10));
	feed_cache_invalidate(cache);
	r.answer = 0;
	assert_int_equal(
		feed_cache_get(cache, "tok-a", 5, 10, fake_render, &r, &body),
		0);
	r.answer = -1;
	assert_int_equal(
		feed_cache_get(cache, "tok-a", 5, 10, fake_render, &r, &body),
		-1);
	struct feed_cache_stats st;
	feed_cache_stats(cache, &st);
	assert_int_equal(st.misses, 2);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.bytes, 0);
	assert_int_equal(r.calls, 4);
	feed_cache_free(cache);
}

static void test_gzip_made_once_and_counted(void **state)
{
	(void)state;
	struct feed_cache *cache = feed_cache_new(16 * MB);
	struct renderer r = {.size = 64 * KB, .fill = 'z', .answer = 1};
	struct feed_body *body = get(cache, &r, "tok-a", 10);
	assert_null(body->gzip); /* not until asked for */
	const struct feed_gzip *gz = feed_cache_gzip(cache, body);
	assert_non_null(gz);
	assert_ptr_equal(feed_cache_gzip(cache, body), gz);
	/* A gzip stream (RFC 1952 magic) that inflates to the bytes. */
	assert_true(gz->len > 18 && gz->len < body->len);
	assert_int_equal((unsigned char)gz->bytes[0], 0x1f);
	assert_int_equal((unsigned char)gz->bytes[1], 0x8b);
	z_stream z = {0};
	assert_int_equal(inflateInit2(&z, 16 + 15), Z_OK);
	char *out = malloc(body->len + 1);
	z.next_in = (Bytef *)gz->bytes;
	z.avail_in = (uInt)gz->len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)body->len + 1;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, body->len);
	assert_memory_equal(out, body->bytes, body->len);
	inflateEnd(&z);
	free(out);
	struct feed_cache_stats st;
	feed_cache_stats(cache, &st);
	assert_int_equal(st.bytes, body->len + gz->len);
	/* What is held is about what is counted, not deflateBound's guess. */
	assert_true(malloc_usable_size((void *)gz) <
		    sizeof(*gz) + gz->len + 1024);
	feed_body_release(body);
	feed_cache_free(cache);
}

/* A feed dropped to keep the budget, changed, and rendered again must not
 * claim an older Last-Modified than it was served with: a client asking
 * If-Modified-Since that date would be told 304 for the changed bytes. */
static void test_last_modified_after_eviction(void **state)
{
	(void)state;
	time_t t = time(NULL);
	struct feed_cache *cache = feed_cache_new(MB);
	struct renderer r = {
		.size = 600 * KB, .fill = 'a', .answer = 1, .newest = 1000};
	feed_body_release(get(cache, &r, "A", t));
	feed_cache_invalidate(cache);
	r.fill = 'b';
	struct feed_body *served = get(cache, &r, "A", t + 100);
	assert_int_equal(served->last_modified, t + 100);
	feed_body_release(served);
	feed_body_release(get(cache, &r, "B", t + 150)); /* drops A */
	struct feed_cache_stats st;
	feed_cache_stats(cache, &st);
	assert_int_equal(st.evictions, 1);
	r.fill = 'c';
	struct feed_body *again = get(cache, &r, "A", t + 200);
	assert_true(again->last_modified > t + 100);
	assert_true(again->last_modified <= t + 200);
	feed_body_release(again);
	feed_cache_free(cache);
}

/* The budget holds three 300 KB feeds. Ten more tokens come and go; the
 * cache never holds more than its budget, and a feed served between
 * arrivals (A) keeps its place, where a cache that dropped the oldest
 * would render it again every few arrivals. */
static void test_budget_keeps_what_is_served(void **state)
{
	(void)state;
	struct feed_cache *cache = feed_cache_new(MB);
	struct renderer r = {.size = 300 * KB, .fill = 'a', .answer = 1};
	feed_body_release(get(cache, &r, "A", 10));
	feed_body_release(get(cache, &r, "B", 10));
	feed_body_release(get(cache, &r, "C", 10));
	struct feed_cache_stats st;
	feed_cache_stats(cache, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.evictions, 0);

	int a_renders = 0;
	for (int i = 0; i < 40; i++) {
		int before = r.calls;
		feed_body_release(get(cache, &r, "A", 10));
		a_renders += r.calls > before;
		char token[16];
		snprintf(token, sizeof(token), "X%d", i);
		feed_body_release(get(cache, &r, token, 10));
		feed_cache_stats(cache, &st);
		assert_true(st.bytes <= MB);
		assert_int_equal(st.entries, 3);
	}
	/* Each arrival past the third drops one feed. */
	assert_int_equal(st.evictions, 40 + a_renders);
	assert_true(a_renders <= 2);
	feed_cache_free(cache);
}

/* A feed larger than the whole budget is still served and kept (alone):
 * the next one in makes room by dropping it. */
static void test_a_feed_larger_than_the_budget(void **state)
{
	(void)state;
	struct feed_cache *cache = feed_cache_new(MB);
	struct renderer r = {.size = 2 * MB, .fill = 'L', .answer = 1};
	struct feed_body *big = get(cache, &r, "big", 10);
	assert_int_equal(big->len, 2 * MB);
	feed_body_release(big);
	feed_body_release(get(cache, &r, "big", 10));
	assert_int_equal(r.calls, 1);
	r.size = 10;
	feed_body_release(get(cache, &r, "small", 10));
	struct feed_cache_stats st;
	feed_cache_stats(cache, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.bytes, 10);
	assert_int_equal(st.evictions, 1);
	/* A smaller budget on reload is met at the next insertion. */
	feed_cache_set_budget(cache, MB);
	feed_cache_free(cache);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_after_render),
		cmocka_unit_test(test_invalidated_feeds_render_again),
		cmocka_unit_test(test_unknown_and_failing),
		cmocka_unit_test(test_gzip_made_once_and_counted),
		cmocka_unit_test(test_budget_keeps_what_is_served),
		cmocka_unit_test(test_a_feed_larger_than_the_budget),
		cmocka_unit_test(test_last_modified_after_eviction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
