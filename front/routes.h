/* routes: the daemon's HTTP routes, one line each; a new endpoint is a file
 * of its own (like feed_http.c) that gives its route, and a line here. */
#ifndef QA_ROUTES_H
#define QA_ROUTES_H

#include <stddef.h>

#include "app.h"
#include "http.h"

/* Fill routes (HTTP_MAX_ROUTES) with the daemon's; returns how many. */
size_t routes_of(struct app *app, struct http_route *routes);

#endif
