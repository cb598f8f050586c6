/* metrics: GET /metrics in Prometheus' text format (SPEC section 6). It
 * asks each module for its own numbers: the transport (requests), the feed
 * cache, the reminders' outbox, the schedule (occurrences by status) and
 * the plugin host (plugins by state). */
#ifndef QA_METRICS_H
#define QA_METRICS_H

#include "app.h"
#include "http.h"

struct http_route metrics_route(struct app *app);

#endif
