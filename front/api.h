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

/* POST completions' body (a JSON object) as a record: each key of
 * record_field_names and "activity", each a string (safeguarding a
 * boolean, audit a number); strings point into body. 0, or -1 with each
 * problem in errs, tagged with its field. For the handler and its fuzzer
 * (tests/fuzz/fuzz_api_body.c). */
typedef struct json_t json_t;
struct record_input;
struct errlist;
int api_record_from_json(json_t *body, struct record_input *in,
			 struct errlist *errs);

#endif
