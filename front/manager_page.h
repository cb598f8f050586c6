/* manager_page: GET /manager/<token> (SPEC section 6), a manager's page:
 * their team's supervision, open audit actions, moderations waiting, their
 * own audits and deadlines, the teams in their line and the last 12 months,
 * server-rendered, with forms that record (POST, a form token bound to the
 * manager's URL token; Post/Redirect/Get; a refused form comes back with
 * what was typed and each problem beside its field). */
#ifndef QA_MANAGER_PAGE_H
#define QA_MANAGER_PAGE_H

#include "app.h"
#include "http.h"

struct http_route manager_page_route(struct app *app);

/* GET and POST /manager: the same page for the person a trusted proxy's
 * [server] auth_header names by email (single sign-on); not found from
 * anywhere else. */
struct http_route manager_sso_route(struct app *app);

/* A form body (application/x-www-form-urlencoded, '+' as a space, as
 * browsers write it) into fields (evhttp_clear_headers them). -1 for one
 * holding a NUL or that evhttp cannot read. For the page and its fuzzer
 * (tests/fuzz/fuzz_form.c). */
struct evkeyvalq;
int manager_form_parse(const char *data, size_t len, struct evkeyvalq *fields);

#endif
