/* api: the JSON API under /api/v1/ (SPEC section 6): GET due, GET
 * reports/<kind>, POST completions, each with "Authorization: Bearer
 * <manager token>" and limited to that manager's line; and the OpenAPI
 * document that describes them (front/openapi.json, public). JSON is read
 * and written with jansson. */
#ifndef QA_API_H
#define QA_API_H

#include "app.h"
#include "http.h"

struct http_route api_route(struct app *app);

#endif
