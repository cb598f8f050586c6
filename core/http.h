/* http: the evhttp server (SPEC sections 6 and 12). */
#ifndef QA_HTTP_H
#define QA_HTTP_H

#include <event2/event.h>
#include <stdbool.h>

#include "config.h"

struct http_server;
struct app;

/* Bind [server] listen (port 0 picks a free one) once per event loop
 * ([server] threads; SO_REUSEPORT), set timeouts and limits, TCP_NODELAY,
 * open each loop's read-only database connection and register the routes.
 * Logs "listening on ADDR:PORT". Connections wait in the backlog until
 * http_run. Returns NULL after logging on failure. */
struct http_server *http_start(struct event_base *base,
			       const struct config *cfg, struct app *app);

/* Start the loops' threads. 0, or -1 (logged) when one could not start. */
int http_run(struct http_server *srv);

/* A reload's new [database] path: open a read-only connection for each
 * loop now, so that a database the loops cannot read refuses the reload.
 * 0, or -1 (logged; nothing changes). The loops take them at the next
 * http_reconfigure and drop what they rendered from the old one. */
int http_open_databases(struct http_server *srv, const char *path);

/* Apply limits of a reloaded config (and databases opened by
 * http_open_databases); the sockets and the number of loops stay. */
void http_reconfigure(struct http_server *srv, const struct config *cfg);

/* Stop accepting; let requests in progress finish (up to request_timeout);
 * when every loop has ended, end base's loop (the daemon's). */
void http_stop(struct http_server *srv);

/* Requests received but not yet answered, over all loops. */
int http_in_flight(const struct http_server *srv);

/* Joins the loops' threads (stop them first) and frees everything. */
void http_free(struct http_server *srv);

#endif
