#include "feed_http.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "feed_cache.h"
#include "subscribe_page.h"
#include "token.h"

#define FEED_PREFIX "/feeds/"
#define FEED_SUFFIX ".ics"
/* Largest single write of a feed reply: a whole feed goes in one. */
#define FEED_MAX_WRITE (1024 * 1024)

static int parse_http_date(const char *text, time_t *out)
{
	struct tm tm = {0};
	const char *end = strptime(text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end || *end)
		return -1;
	*out = timegm(&tm);
	return 0;
}

/* Does an If-None-Match list name etag? Weak comparison, as RFC 9110
 * prescribes for If-None-Match: W/"x" matches "x". */
static bool etag_matches(const char *list, const char *etag)
{
	size_t etag_len = strlen(etag);
	const char *p = list;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"')
			return false;
		const char *close = strchr(p + 1, '"');
		if (!close)
			return false;
		if ((size_t)(close + 1 - p) == etag_len &&
		    memcmp(p, etag, etag_len) == 0)
			return true;
		p = close + 1;
	}
	return false;
}

/* Does Accept-Encoding allow gzip (present, and not q=0)? */
static bool accepts_gzip(const char *header)
{
	if (!header)
		return false;
	const char *p = header;
	while ((p = strstr(p, "gzip"))) {
		bool starts = p == header || p[-1] == ' ' || p[-1] == ',';
		const char *after = p + 4;
		p = after;
		if (!starts ||
		    (*after && *after != ';' && *after != ',' && *after != ' '))
			continue;
		while (*after == ' ')
			after++;
		if (*after != ';')
			return true;
		const char *q = strstr(after, "q=");
		const char *next = strchr(after, ',');
		if (q && (!next || q < next)) {
			double weight = strtod(q + 2, NULL);
			return weight > 0;
		}
		return true;
	}
	return false;
}

static void release_body(const void *data, size_t len, void *arg)
{
	(void)data, (void)len;
	feed_body_release(arg);
}

/* What a render needs: the configuration and the loop's connection. */
struct render_call {
	struct app *app;
	struct http_loop *loop;
};

/* The feed cache's render callback: runs in the loop's thread, on its
 * own connection, with the configuration held still. */
static int render_feed(void *arg, const unsigned char hash[TOKEN_HASH_SIZE],
		       struct feed_doc *doc, int *max_age)
{
	struct render_call *call = arg;
	struct app *app = call->app;
	sqlite3 *db = http_loop_db(call->loop);
	enum token_kind kind;
	char *subject = NULL;
	int found = token_find(db, hash, &kind, &subject);
	if (found <= 0 || (kind != TOKEN_STAFF && kind != TOKEN_TEAM)) {
		free(subject);
		return found < 0 ? -1 : 0;
	}
	int rc = -1;
	time_t now = time(NULL);
	pthread_rwlock_rdlock(&app->conf_lock);
	rc = feed_render(db, &app->eng.catalog,
			 kind == TOKEN_STAFF ? FEED_STAFF : FEED_TEAM, subject,
			 date_today(app->eng.cfg.timezone, now), now, doc);
	/* Clients that honour Cache-Control come back within five minutes
	 * at most, whatever the refresh interval asks of calendar apps. */
	*max_age = app->eng.cfg.feed_refresh < 300 ? app->eng.cfg.feed_refresh
						   : 300;
	pthread_rwlock_unlock(&app->conf_lock);
	free(subject);
	return rc;
}

static void handle_feed(struct evhttp_request *req, const char *path,
			struct http_loop *loop, void *arg)
{
	struct app *app = arg;
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	/* Exactly /feeds/<token>.ics, or without ".ics" the page a browser
	 * gets (subscribe_page.c). */
	const char *token = http_path_token(path, FEED_PREFIX, FEED_SUFFIX);
	bool page = !token && (token = http_path_token(path, FEED_PREFIX, ""));
	if (!token) {
		http_send_text(req, HTTP_NOTFOUND, "Not Found", "not found\n");
		return;
	}
	struct feed_body *body = NULL;
	struct render_call call = {app, loop};
	int found = feed_cache_get(app->feeds, token, TOKEN_TEXT_LEN,
				   time(NULL), render_feed, &call, &body);
	if (found < 0) {
		http_send_text(req, HTTP_INTERNAL, "Internal Server Error",
			       "internal error\n");
		return;
	}
	if (found == 0) {
		http_send_text(req, HTTP_NOTFOUND, "Not Found", "not found\n");
		return;
	}
	if (page) {
		subscribe_page_send(req, app, body, token);
		feed_body_release(body);
		return;
	}
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	bool gzip = accepts_gzip(evhttp_find_header(in, "Accept-Encoding"));
	/* evhttp would format a Date header of its own, per reply. */
	evhttp_add_header(out, "Date", http_loop_date(loop, time(NULL)));
	evhttp_add_header(out, "ETag", gzip ? body->etag_gzip : body->etag);
	evhttp_add_header(out, "Last-Modified", body->last_modified_text);
	evhttp_add_header(out, "Cache-Control", body->cache_control);
	evhttp_add_header(out, "Vary", "Accept-Encoding");

	const char *inm = evhttp_find_header(in, "If-None-Match");
	const char *ims = evhttp_find_header(in, "If-Modified-Since");
	time_t since;
	/* If-None-Match decides when present (RFC 9110 13.2.2); either
	 * representation's tag names the same content. */
	bool not_modified = inm ? etag_matches(inm, body->etag) ||
					    etag_matches(inm, body->etag_gzip)
				: ims && parse_http_date(ims, &since) == 0 &&
					    body->last_modified <= since;
	if (not_modified) {
		evhttp_send_reply(req, HTTP_NOTMODIFIED, "Not Modified", NULL);
		feed_body_release(body);
		return;
	}
	const struct feed_gzip *gz =
		gzip ? feed_cache_gzip(app->feeds, body) : NULL;
	if (gzip && !gz) { /* could not compress: the plain bytes, then */
		evhttp_remove_header(out, "ETag");
		evhttp_add_header(out, "ETag", body->etag);
	}
	const char *bytes = gz ? gz->bytes : body->bytes;
	size_t bytes_len = gz ? gz->len : body->len;
	evhttp_add_header(out, "Content-Type", "text/calendar; charset=utf-8");
	if (gz)
		evhttp_add_header(out, "Content-Encoding", "gzip");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		/* evhttp leaves Content-Length out of a HEAD reply; a HEAD
		 * must carry the length the GET would have. */
		char length[32];
		snprintf(length, sizeof(length), "%zu", bytes_len);
		evhttp_add_header(out, "Content-Length", length);
		evhttp_send_reply(req, HTTP_OK, "OK", NULL);
		feed_body_release(body);
		return;
	}
	/* By reference, straight into the reply: the cached bytes are not
	 * copied per request; the reference is released when the reply has
	 * been written. */
	if (evbuffer_add_reference(evhttp_request_get_output_buffer(req), bytes,
				   bytes_len, release_body, body)) {
		feed_body_release(body);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	/* A bufferevent writes at most 16 KB a loop iteration by default, so
	 * a 24 KB feed took two writev calls, two TCP segments and two trips
	 * round the loop (a 280 KB one eighteen). Let it go in one. */
	struct bufferevent *bev = evhttp_connection_get_bufferevent(
		evhttp_request_get_connection(req));
	if (bev)
		bufferevent_set_max_single_write(bev, FEED_MAX_WRITE);
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

static void drop_rendered(void *arg)
{
	struct app *app = arg;
	feed_cache_invalidate(app->feeds);
}

struct http_route feed_http_route(struct app *app)
{
	return (struct http_route){.path = FEED_PREFIX,
				   .handle = handle_feed,
				   .arg = app,
				   .read_only = true,
				   .database_changed = drop_rendered};
}
