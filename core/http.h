/* http: the evhttp server (SPEC sections 6 and 12). */
#ifndef QA_HTTP_H
#define QA_HTTP_H

#include <event2/event.h>
#include <stdbool.h>

#include "config.h"

struct http_server;
struct app;

/* Bind [server] listen (port 0 picks a free one), set timeouts and limits,
 * TCP_NODELAY, and register the routes. Logs "listening on ADDR:PORT".
 * Returns NULL after logging on failure. */
struct http_server *http_start(struct event_base *base,
			       const struct config *cfg, struct app *app);

/* Apply limits of a reloaded config (the socket stays). */
void http_reconfigure(struct http_server *srv, const struct config *cfg);

/* Stop accepting new connections; requests already in progress finish. */
void http_stop_accepting(struct http_server *srv);

/* Requests received but not yet answered. */
int http_in_flight(const struct http_server *srv);

void http_free(struct http_server *srv);

#endif
