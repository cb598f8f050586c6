#include "api.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "date.h"
#include "db.h"
#include "due.h"
#include "history.h"
#include "log.h"
#include "manager.h"
#include "record.h"
#include "report.h"
#include "staff.h"
#include "token.h"

#define API_PREFIX "/api/v1/"

/* front/openapi.json, built in (cmake/embed.cmake). */
extern const unsigned char openapi_doc[];
extern const size_t openapi_doc_len;

/* One call: who makes it and what they asked. */
struct call {
	struct app *app;
	struct http_loop *loop;
	struct evhttp_request *req;
	sqlite3 *db;
	char *manager_id; /* the caller: the token's manager */
	struct evkeyvalq query;
};

static void send_json(struct evhttp_request *req, int code, const char *reason,
		      json_t *body)
{
	char *text =
		body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER |
						JSON_REAL_PRECISION(10))
		     : NULL;
	json_decref(body);
	if (!text) {
		http_send_text(req, HTTP_INTERNAL, "Internal Server Error",
			       "internal error\n");
		return;
	}
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	evhttp_add_header(out, "Content-Type", "application/json");
	evhttp_add_header(out, "Cache-Control", "no-store");
	struct evbuffer *buf = evhttp_request_get_output_buffer(req);
	evbuffer_add(buf, text, strlen(text));
	evbuffer_add(buf, "\n", 1);
	free(text);
	evhttp_send_reply(req, code, reason, NULL);
}

static void send_error(struct evhttp_request *req, int code, const char *reason,
		       const char *fmt, ...) QA_PRINTF(4, 5);
static void send_error(struct evhttp_request *req, int code, const char *reason,
		       const char *fmt, ...)
{
	char message[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	send_json(req, code, reason, json_pack("{s:s}", "error", message));
}

/* ---- who calls ---- */

/* The caller's manager id from "Authorization: Bearer <token>": 1, or 0
 * with the answer sent (401 without one, 404 for one not a live manager's
 * token, or a manager who has left), -1 on an error (sent). */
static int caller(struct call *c)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(c->req);
	const char *auth = evhttp_find_header(in, "Authorization");
	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) {
		evhttp_add_header(evhttp_request_get_output_headers(c->req),
				  "WWW-Authenticate",
				  "Bearer realm=\"qa-scheduler\"");
		send_error(c->req, 401, "Unauthorized",
			   "Authorization: Bearer <token> is needed: the "
			   "token of a manager's page URL (qa-scheduler "
			   "manager-url)");
		return 0;
	}
	const char *token = auth + 7;
	while (*token == ' ')
		token++;
	unsigned char hash[TOKEN_HASH_SIZE];
	int found = manager_by_token(c->db, token, app_today(c->app), hash,
				     &c->manager_id);
	if (found > 0)
		return 1;
	if (found < 0)
		send_error(c->req, HTTP_INTERNAL, "Internal Server Error",
			   "internal error");
	else
		send_error(c->req, HTTP_NOTFOUND, "Not Found",
			   "no such token, or it was revoked");
	return found;
}

/* Is id the caller or someone in their line? 1, 0 (403 sent), -1 (sent). */
static int within_line(struct call *c, const char *what, const char *id)
{
	if (strcmp(id, c->manager_id) == 0)
		return 1;
	int in = manager_in_line(c->db, c->manager_id, id);
	if (in < 0)
		send_error(c->req, HTTP_INTERNAL, "Internal Server Error",
			   "internal error");
	else if (!in)
		send_error(c->req, 403, "Forbidden",
			   "%s \"%s\" is not in your line", what, id);
	return in;
}

/* Is id someone record will refuse as unknown, or the caller, or in their
 * line? True; false with 403 (or 500) sent. */
static bool known_outside_line(struct call *c, const char *what, const char *id)
{
	struct staff s = {0};
	int found = staff_get(c->db, id, &s);
	staff_done(&s);
	return found == 0 || (found > 0 && within_line(c, what, id) > 0);
}

/* Is team the team of someone in the caller's line? As within_line. */
static int team_within_line(struct call *c, const char *team)
{
	int in = manager_team_in_line(c->db, c->manager_id, team);
	if (in < 0)
		send_error(c->req, HTTP_INTERNAL, "Internal Server Error",
			   "internal error");
	else if (!in)
		send_error(c->req, 403, "Forbidden",
			   "team \"%s\" is not in your line", team);
	return in;
}

/* Refuse a query parameter not among known (NULL-terminated): 0, or -1
 * (400 sent). */
static int known_params(struct call *c, const char *const *known)
{
	struct evkeyval *kv;
	TAILQ_FOREACH(kv, &c->query, next)
	{
		bool ok = false;
		for (const char *const *k = known; *k && !ok; k++)
			ok = strcmp(*k, kv->key) == 0;
		if (!ok) {
			send_error(c->req, HTTP_BADREQUEST, "Bad Request",
				   "unknown parameter \"%s\"", kv->key);
			return -1;
		}
	}
	return 0;
}

/* ---- GET /api/v1/due ---- */

static void get_due(struct call *c)
{
	static const char *const known[] = {"team",  "manager", "activity",
					    "as_of", "within",  NULL};
	if (known_params(c, known))
		return;
	const char *team = evhttp_find_header(&c->query, "team");
	const char *manager = evhttp_find_header(&c->query, "manager");
	const char *as_of = evhttp_find_header(&c->query, "as_of");
	const char *within = evhttp_find_header(&c->query, "within");
	struct due_filter f = {
		.activity = evhttp_find_header(&c->query, "activity"),
		.as_of = QA_DAY_NONE,
		.within_days = 7};
	if (as_of && date_parse(as_of, &f.as_of)) {
		send_error(c->req, HTTP_BADREQUEST, "Bad Request",
			   "as_of \"%s\" is not a date (YYYY-MM-DD)", as_of);
		return;
	}
	if (within) {
		char *end = NULL;
		long days = strtol(within, &end, 10);
		if (!*within || *end || days < 0 || days > 366) {
			send_error(c->req, HTTP_BADREQUEST, "Bad Request",
				   "within \"%s\" is not a number of days "
				   "from 0 to 366",
				   within);
			return;
		}
		f.within_days = (int)days;
	}
	if ((manager && within_line(c, "manager", manager) <= 0) ||
	    (team && team_within_line(c, team) <= 0))
		return;
	f.manager_id = manager;
	f.line_of = manager ? NULL : c->manager_id;
	f.team = team;
	sqlite3 *as_of_db = NULL, *db = c->db;
	struct due_list rows = {0};
	pthread_rwlock_rdlock(&c->app->conf_lock);
	struct sched_env env = engine_env(&c->app->eng, time(NULL));
	bool known_activity = !f.activity ||
			      strcmp(f.activity, SCHED_AUDIT_ACTION) == 0 ||
			      strcmp(f.activity, SCHED_MODERATION) == 0 ||
			      plugin_set_find(env.plugins, f.activity);
	if (f.as_of == QA_DAY_NONE)
		f.as_of = env.today;
	int rc = -1;
	if (known_activity) {
		struct sched_env then = env;
		then.today = f.as_of;
		rc = (f.as_of != env.today &&
		      history_as_of(c->db, &then, &as_of_db)) ||
		     due_query(as_of_db ? as_of_db : db, &f, &rows);
	}
	pthread_rwlock_unlock(&c->app->conf_lock);
	if (!known_activity)
		send_error(c->req, HTTP_BADREQUEST, "Bad Request",
			   "activity \"%s\": no such activity", f.activity);
	else if (rc)
		send_error(c->req, HTTP_INTERNAL, "Internal Server Error",
			   "internal error");
	else
		send_json(c->req, HTTP_OK, "OK", due_json(&rows));
	due_list_done(&rows);
	db_close(as_of_db);
}

/* ---- GET /api/v1/reports/<kind> ---- */

static int month_param(struct call *c, const char *name, qa_day *out)
{
	const char *text = evhttp_find_header(&c->query, name);
	char day[16];
	if (!text)
		return 0;
	snprintf(day, sizeof(day), "%.7s-01", text);
	if (strlen(text) != 7 || date_parse(day, out)) {
		send_error(c->req, HTTP_BADREQUEST, "Bad Request",
			   "%s \"%s\" is not a month (YYYY-MM)", name, text);
		return -1;
	}
	return 0;
}

static void get_report(struct call *c, const char *kind)
{
	static const char *const known[] = {"from", "to", "team", "manager",
					    NULL};
	const char *activity = NULL;
	if (strncmp(kind, "activity/", 9) == 0) {
		activity = kind + 9;
		kind = "activity";
	}
	bool supervision = strcmp(kind, "supervision") == 0;
	bool audits = strcmp(kind, "audits") == 0;
	bool actions = strcmp(kind, "actions") == 0;
	if (!supervision && !audits && !actions &&
	    !(activity && *activity && !strchr(activity, '/'))) {
		send_error(c->req, HTTP_NOTFOUND, "Not Found",
			   "no report \"%s\"; there are supervision, audits, "
			   "actions and activity/ID",
			   kind);
		return;
	}
	if (known_params(c, known))
		return;
	const char *team = evhttp_find_header(&c->query, "team");
	const char *manager = evhttp_find_header(&c->query, "manager");
	struct report_filter f = {
		.team = team, .manager_id = manager ? manager : c->manager_id};
	report_default_range(app_today(c->app), &f.from, &f.to);
	qa_day to = QA_DAY_NONE;
	if (month_param(c, "from", &f.from) || month_param(c, "to", &to))
		return;
	if (to != QA_DAY_NONE)
		f.to = qa_period_end(to, QA_PERIOD_MONTH);
	if (f.from > f.to) {
		send_error(c->req, HTTP_BADREQUEST, "Bad Request",
			   "from is after to; the range is empty");
		return;
	}
	if ((manager && within_line(c, "manager", manager) <= 0) ||
	    (team && team_within_line(c, team) <= 0))
		return;
	struct rows rows = {0};
	struct errlist errs = {0};
	pthread_rwlock_rdlock(&c->app->conf_lock);
	struct sched_env env = engine_env(&c->app->eng, time(NULL));
	int rc = supervision ? report_supervision(c->db, &env, &f, &rows, &errs)
		 : audits    ? report_audits(c->db, &env, &f, &rows, &errs)
		 : actions   ? report_actions(c->db, &env, &f, &rows, &errs)
			     : report_activity(c->db, &env, &f, activity, &rows,
					       &errs);
	pthread_rwlock_unlock(&c->app->conf_lock);
	if (rc && errs.n)
		send_error(c->req, activity ? HTTP_NOTFOUND : HTTP_BADREQUEST,
			   activity ? "Not Found" : "Bad Request", "%s",
			   errs.msgs[0]);
	else if (rc)
		send_error(c->req, HTTP_INTERNAL, "Internal Server Error",
			   "internal error");
	else
		send_json(c->req, HTTP_OK, "OK", rows_json(&rows));
	rows_done(&rows);
	errlist_done(&errs);
}

/* ---- POST /api/v1/completions ---- */

/* A 422 body: each problem with the key it is about (errlist tags:
 * enum record_field; the activity's own key for none of them). */
static json_t *problems_json(const struct errlist *errs)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < errs->n; i++) {
		int tag = errlist_tag_of(errs, i);
		const char *msg = errs->msgs[i];
		if (strncmp(msg, "record: ", 8) == 0)
			msg += 8;
		json_array_append_new(
			list,
			json_pack("{s:o, s:s}", "field",
				  tag >= 0
					  ? json_string(record_field_names[tag])
					  : json_null(),
				  "message", msg));
	}
	return json_pack("{s:o}", "errors", list);
}

/* A problem about one key of the body: "KEY WHAT". */
static void key_problem(struct errlist *errs, int field, const char *what)
{
	errlist_add(errs, "%s %s", record_field_names[field], what);
	errlist_tag(errs, errs->n - 1, field);
}

/* The record the body describes: each key checked for its type, the
 * unknown ones refused. The strings point into body. 0, or -1 with the
 * problems in errs. */
int api_record_from_json(json_t *body, struct record_input *in,
			 struct errlist *errs)
{
	const char *key;
	json_t *value;
	memset(in, 0, sizeof(*in));
	json_object_foreach(body, key, value)
	{
		int field = -1;
		for (int f = 0; f < RECORD_FIELD_COUNT && field < 0; f++)
			if (strcmp(record_field_names[f], key) == 0)
				field = f;
		if (strcmp(key, "activity") == 0) {
			if (!json_is_string(value))
				errlist_add(errs, "activity must be a string");
			else
				in->activity = json_string_value(value);
			continue;
		}
		if (field < 0) {
			errlist_add(errs,
				    "\"%s\" is not a key of a completion "
				    "(record import's columns)",
				    key);
			continue;
		}
		if (json_is_null(value))
			continue;
		switch (field) {
		case RECORD_FIELD_SAFEGUARDING:
			if (!json_is_boolean(value))
				key_problem(errs, field,
					    "must be true or false");
			else
				in->safeguarding = json_is_true(value)
							   ? RECORD_FLAG_YES
							   : RECORD_FLAG_NO;
			continue;
		case RECORD_FIELD_AUDIT:
			if (!json_is_integer(value) ||
			    json_integer_value(value) <= 0)
				key_problem(errs, field,
					    "must be an audit's number");
			else
				in->audit_id = json_integer_value(value);
			continue;
		default:
			break;
		}
		if (!json_is_string(value)) {
			key_problem(errs, field, "must be a string");
			continue;
		}
		const char *text = json_string_value(value);
		switch (field) {
		case RECORD_FIELD_STAFF:
			in->staff_id = text;
			break;
		case RECORD_FIELD_DATE:
			if (date_parse(text, &in->date))
				key_problem(errs, field,
					    "is not a date (YYYY-MM-DD)");
			break;
		case RECORD_FIELD_PRACTITIONER:
			in->practitioner_id = text;
			break;
		case RECORD_FIELD_GRADE:
			in->grade = text;
			break;
		case RECORD_FIELD_MODERATOR:
			in->moderator_id = text;
			break;
		case RECORD_FIELD_HOME:
			in->home = text;
			break;
		case RECORD_FIELD_SIGNED_OFF_BY:
			in->signed_off_by = text;
			break;
		default:
			in->note = text;
		}
	}
	if (!in->activity)
		errlist_add(errs, "activity is needed");
	if (!in->staff_id)
		key_problem(errs, RECORD_FIELD_STAFF, "is needed");
	if (!json_object_get(body, "date"))
		key_problem(errs, RECORD_FIELD_DATE, "is needed");
	return errs->n ? -1 : 0;
}

static void post_completion(struct call *c)
{
	struct evbuffer *buf = evhttp_request_get_input_buffer(c->req);
	size_t len = evbuffer_get_length(buf);
	const char *data = (const char *)evbuffer_pullup(buf, -1);
	json_error_t jerr;
	json_t *body =
		data ? json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr)
		     : NULL;
	struct errlist errs = {0};
	struct record_input in;
	sqlite3 *db = NULL;
	char *said = NULL;
	long long id = 0;
	if (!body) {
		send_error(c->req, HTTP_BADREQUEST, "Bad Request",
			   "the body is not JSON: %s (line %d, column %d)",
			   jerr.text, jerr.line, jerr.column);
		goto out;
	}
	if (!json_is_object(body)) {
		send_error(c->req, HTTP_BADREQUEST, "Bad Request",
			   "the body must be a JSON object");
		goto out;
	}
	if (api_record_from_json(body, &in, &errs)) {
		send_json(c->req, 422, "Unprocessable Content",
			  problems_json(&errs));
		goto out;
	}
	/* Someone unknown is the record's problem (422, as record says it);
	 * someone outside the line, the caller's (403). */
	if (!known_outside_line(c, "staff", in.staff_id) ||
	    (in.practitioner_id &&
	     !known_outside_line(c, "practitioner", in.practitioner_id)))
		goto out;
	if (strcmp(in.activity, SCHED_AUDIT_ACTION) == 0 && !in.signed_off_by)
		in.signed_off_by = c->manager_id;
	if (!(db = http_loop_db_write(c->loop))) {
		send_error(c->req, 503, "Service Unavailable",
			   "the database cannot be written to just now");
		goto out;
	}
	pthread_rwlock_rdlock(&c->app->conf_lock);
	struct sched_env env = engine_env(&c->app->eng, time(NULL));
	int rc = -1;
	if (db_begin(db) == 0) {
		if (record_and_regenerate(db, &env, &in, &errs, &id, &said) ||
		    db_commit(db))
			db_rollback(db);
		else
			rc = 0;
	}
	struct due_list next = {0};
	struct due_filter mine = {.staff_id = in.staff_id,
				  .activity = in.activity,
				  .as_of = env.today,
				  .within_days = 7};
	if (rc == 0 && due_query(db, &mine, &next))
		rc = -2;
	pthread_rwlock_unlock(&c->app->conf_lock);
	if (rc == 0) {
		log_info("api: %s recorded: %s", c->manager_id, said);
		feed_cache_invalidate(c->app->feeds);
		struct evkeyvalq *out =
			evhttp_request_get_output_headers(c->req);
		evhttp_add_header(out, "Location", API_PREFIX "completions");
		send_json(c->req, 201, "Created",
			  json_pack("{s:I, s:s, s:o}", "id", (json_int_t)id,
				    "recorded", said, "next_due",
				    due_json(&next)));
	} else if (rc == -1 && errs.n) {
		send_json(c->req, 422, "Unprocessable Content",
			  problems_json(&errs));
	} else {
		send_error(c->req, HTTP_INTERNAL, "Internal Server Error",
			   "internal error");
	}
	due_list_done(&next);
out:
	free(said);
	errlist_done(&errs);
	json_decref(body);
}

/* ---- the route ---- */

static void send_openapi(struct evhttp_request *req)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	evhttp_add_header(out, "Content-Type", "application/json");
	evhttp_add_header(out, "Cache-Control", "public, max-age=3600");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		char length[32];
		snprintf(length, sizeof(length), "%zu", openapi_doc_len);
		evhttp_add_header(out, "Content-Length", length);
	} else {
		evbuffer_add(evhttp_request_get_output_buffer(req), openapi_doc,
			     openapi_doc_len);
	}
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

static void handle_api(struct evhttp_request *req, const char *path,
		       struct http_loop *loop, void *arg)
{
	const char *rest = path + strlen(API_PREFIX);
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	bool read = method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD;
	bool post = strcmp(rest, "completions") == 0;
	bool known = post || strcmp(rest, "openapi.json") == 0 ||
		     strcmp(rest, "due") == 0 ||
		     strncmp(rest, "reports/", 8) == 0;
	if (!known) {
		send_error(req, HTTP_NOTFOUND, "Not Found",
			   "no such endpoint; /api/v1/openapi.json lists them");
		return;
	}
	if (post ? method != EVHTTP_REQ_POST : !read) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Allow", post ? "POST" : "GET, HEAD");
		send_error(req, 405, "Method Not Allowed",
			   "method not allowed");
		return;
	}
	if (strcmp(rest, "openapi.json") == 0) {
		send_openapi(req);
		return;
	}
	struct call c = {
		.app = arg, .loop = loop, .req = req, .db = http_loop_db(loop)};
	TAILQ_INIT(&c.query);
	const char *q =
		evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	if (q && evhttp_parse_query_str(q, &c.query)) {
		send_error(req, HTTP_BADREQUEST, "Bad Request",
			   "the query string is malformed");
		return;
	}
	if (caller(&c) > 0) {
		if (post)
			post_completion(&c);
		else if (strcmp(rest, "due") == 0)
			get_due(&c);
		else
			get_report(&c, rest + 8);
	}
	evhttp_clear_headers(&c.query);
	free(c.manager_id);
}

struct http_route api_route(struct app *app)
{
	return (struct http_route){.path = API_PREFIX,
				   .handle = handle_api,
				   .arg = app,
				   .read_only = false};
}
