/* metrics: GET /metrics in Prometheus' text format (SPEC section 6). It
 * asks each module for its own numbers: the transport (requests), the feed
 * cache, the reminders' outbox, the schedule (occurrences by status) and
 * the plugin host (plugins by state). */
#ifndef QA_METRICS_H
#define QA_METRICS_H

#include "app.h"
#include "http.h"

struct http_route metrics_route(struct app *app);

/* Work out again the figures /metrics shows from a report rather than a
 * count: the last whole month's supervision in date by team. A report over
 * 5,000 people takes a tenth of a second, not for every scrape: the
 * daemon's loop calls this when the schedule, the data or the day changes.
 * Keeps the last figures when it fails (logged). */
void metrics_refresh(struct app *app);

#endif
