/* http: the evhttp transport (SPEC sections 6 and 12): event loops on their
 * own threads, listening, limits, draining, request counts, and a route
 * table. It knows no endpoint: each lives in a file of its own
 * (feed_http.c, metrics.c, healthz.c) and is handed in as a route by the
 * daemon (routes.c), the way evhttp_set_cb(http, path, cb, arg) registers
 * one. */
#ifndef QA_HTTP_H
#define QA_HTTP_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"

struct http_server;
/* One event loop: what a handler runs on, in that loop's thread. */
struct http_loop;

/* Answer req, whose decoded path is path, on loop. */
typedef void http_handler(struct evhttp_request *req, const char *path,
			  struct http_loop *loop, void *arg);

struct http_route {
	/* The path: matched exactly, or as a prefix when it ends in '/'. It
	 * is also the route's label in qa_http_requests_total, without a
	 * trailing '/'. */
	const char *path;
	http_handler *handle;
	void *arg;
	/* Anything but GET or HEAD gets 405 with Allow: GET, HEAD before the
	 * handler is called. */
	bool read_only;
	/* Optional: a loop has switched to another database (a reload's new
	 * [database] path); whatever was rendered from the old one goes.
	 * Called in that loop's thread. */
	void (*database_changed)(void *arg);
};

#define HTTP_MAX_ROUTES 16

/* The route of n answering path: its index, or n for none (and for a NULL
 * path). The first that matches wins. */
size_t http_route_of(const struct http_route *routes, size_t n,
		     const char *path);

/* The token in path when path is exactly prefix, a token (TOKEN_TEXT_LEN
 * base64url characters) and suffix ("" for none), compared on the raw
 * path: %2f, %00, "..", anything longer or shorter never matches, so
 * nothing of a hostile path reaches the file system or the database.
 * A pointer into path, or NULL. */
const char *http_path_token(const char *path, const char *prefix,
			    const char *suffix);

/* Bind [server] listen (port 0 picks a free one) once per event loop
 * ([server] threads; SO_REUSEPORT), set timeouts and limits, TCP_NODELAY,
 * open each loop's read-only database connection and take the n routes
 * (copied; their args must outlive the server). Logs "listening on
 * ADDR:PORT". Connections wait in the backlog until http_run. When every
 * loop has ended after http_stop, base's loop (the daemon's) is ended.
 * Returns NULL after logging on failure. */
struct http_server *http_start(struct event_base *base,
			       const struct config *cfg,
			       const struct http_route *routes, size_t n);

/* Start the loops' threads. 0, or -1 (logged) when one could not start. */
int http_run(struct http_server *srv);

/* A reload's new [database] path: open a read-only connection for each
 * loop now, so that a database the loops cannot read refuses the reload.
 * 0, or -1 (logged; nothing changes). The loops take them at the next
 * http_reconfigure and tell the routes (database_changed). */
int http_open_databases(struct http_server *srv, const char *path);

/* Apply limits of a reloaded config (and databases opened by
 * http_open_databases); the sockets and the number of loops stay. */
void http_reconfigure(struct http_server *srv, const struct config *cfg);

/* Stop accepting; let requests in progress finish (up to request_timeout);
 * when every loop has ended, end base's loop (the daemon's). Replies from
 * here on carry Connection: close. */
void http_stop(struct http_server *srv);

/* Requests received but not yet answered, over all loops. */
int http_in_flight(const struct http_server *srv);

/* Joins the loops' threads (stop them first) and frees everything. */
void http_free(struct http_server *srv);

/* ---- for handlers ---- */

/* The loop's own read-only database connection. */
sqlite3 *http_loop_db(struct http_loop *loop);

/* The loop's own read-write connection, opened at the first call (NULL
 * when it cannot be: logged). For a handler that records: it writes in a
 * transaction of its own (db_begin), waiting for the database's other
 * writers up to the busy timeout; the daemon sees the commit as another
 * process's (PRAGMA data_version) and drops what was rendered. */
sqlite3 *http_loop_db_write(struct http_loop *loop);

/* The server a loop belongs to. */
struct http_server *http_loop_server(struct http_loop *loop);

/* now as an HTTP date, formatted once a second per loop (evhttp would
 * format a Date header of its own per reply). */
const char *http_loop_date(struct http_loop *loop, time_t now);

/* An HTML page the server wrote (html, len bytes), as the pages behind a
 * secret URL are sent: not cached, no Referer to the sites it links to, not
 * framed, no scripts and nothing from elsewhere (Content-Security-Policy);
 * for HEAD, only its length. */
void http_send_page(struct evhttp_request *req, int code, const char *reason,
		    const char *html, size_t len);

/* A short text/plain reply, not cached. */
void http_send_text(struct evhttp_request *req, int code, const char *reason,
		    const char *body);

/* The transport's own numbers for /metrics, in Prometheus' text format:
 * requests answered by route and status, and requests in flight but for the
 * one asking. */
void http_write_metrics(struct http_server *srv, struct evbuffer *out);

#endif
