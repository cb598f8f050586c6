/* feed_http: GET /feeds/<token>.ics, the personal and team feeds (SPEC
 * section 6): served from the feed cache with ETag, Last-Modified, gzip and
 * conditional requests; rendered on the loop's own connection on a miss. */
#ifndef QA_FEED_HTTP_H
#define QA_FEED_HTTP_H

#include "app.h"
#include "http.h"

/* The route, reading app's configuration under its conf_lock. */
struct http_route feed_http_route(struct app *app);

#endif
