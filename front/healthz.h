/* healthz: GET /healthz, 200 "ok" when the daemon can serve, else 503 with
 * the reason (SPEC section 6). */
#ifndef QA_HEALTHZ_H
#define QA_HEALTHZ_H

#include "app.h"
#include "http.h"

struct http_route healthz_route(struct app *app);

#endif
