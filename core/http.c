#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "app.h"
#include "log.h"
#include "remind.h"
#include "token.h"

enum route_id { ROUTE_FEEDS, ROUTE_HEALTHZ, ROUTE_METRICS, ROUTE_OTHER };
static const char *const route_names[] = {"/feeds", "/healthz", "/metrics",
					  "other"};

/* Requests answered, by route and status code. */
struct request_count {
	enum route_id route;
	int code;
	unsigned long long count;
};

#define MAX_REQUEST_COUNTS 64

struct http_server {
	struct evhttp *evhttp;
	struct evhttp_bound_socket *bound;
	struct app *app;
	int in_flight;
	struct request_count counts[MAX_REQUEST_COUNTS];
	size_t n_counts;
};

static enum route_id route_of(const char *uri)
{
	if (!uri)
		return ROUTE_OTHER;
	if (strncmp(uri, "/feeds/", 7) == 0)
		return ROUTE_FEEDS;
	if (strncmp(uri, "/healthz", 8) == 0)
		return ROUTE_HEALTHZ;
	if (strncmp(uri, "/metrics", 8) == 0)
		return ROUTE_METRICS;
	return ROUTE_OTHER;
}

static void count_request(struct http_server *srv, enum route_id route,
			  int code)
{
	for (size_t i = 0; i < srv->n_counts; i++)
		if (srv->counts[i].route == route &&
		    srv->counts[i].code == code) {
			srv->counts[i].count++;
			return;
		}
	/* The table holds every code this server sends many times over. */
	if (srv->n_counts < MAX_REQUEST_COUNTS)
		srv->counts[srv->n_counts++] =
			(struct request_count){route, code, 1};
}

/* Split "host:port" or "[v6]:port" into its parts. 0 or -1. */
static int split_listen(const char *listen, char *host, size_t host_size,
			unsigned short *port)
{
	const char *colon;
	const char *host_start = listen;
	size_t host_len;
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (!close || close[1] != ':')
			return -1;
		host_start = listen + 1;
		host_len = (size_t)(close - host_start);
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon)
			return -1;
		host_len = (size_t)(colon - listen);
	}
	if (host_len == 0 || host_len >= host_size)
		return -1;
	memcpy(host, host_start, host_len);
	host[host_len] = '\0';
	char *end;
	errno = 0;
	unsigned long value = strtoul(colon + 1, &end, 10);
	if (errno || *end || colon[1] == '\0' || value > 65535)
		return -1;
	*port = (unsigned short)value;
	return 0;
}

static void request_done(struct evhttp_request *req, void *arg)
{
	struct http_server *srv = arg;
	count_request(srv, route_of(evhttp_request_get_uri(req)),
		      evhttp_request_get_response_code(req));
	srv->in_flight--;
	if (srv->app->stopping && srv->in_flight == 0)
		event_base_loopexit(srv->app->base, NULL);
}

static void send_text(struct evhttp_request *req, int code, const char *reason,
		      const char *body)
{
	struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
	evhttp_add_header(headers, "Content-Type", "text/plain; charset=utf-8");
	evhttp_add_header(headers, "Cache-Control", "no-store");
	struct evbuffer *buf = evbuffer_new();
	if (!buf) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	/* evhttp sends no body for HEAD but counts it in Content-Length. */
	evbuffer_add(buf, body, strlen(body));
	evhttp_send_reply(req, code, reason, buf);
	evbuffer_free(buf);
}

static bool method_is_get_or_head(struct evhttp_request *req)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	return cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD;
}

/* Every route here is read-only: anything but GET or HEAD gets 405 with
 * Allow (evhttp's own refusal would be a 501). Returns false when it
 * answered. */
static bool only_get_or_head(struct evhttp_request *req)
{
	if (method_is_get_or_head(req))
		return true;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
			  "GET, HEAD");
	send_text(req, 405, "Method Not Allowed", "method not allowed\n");
	return false;
}

static void handle_healthz(struct http_server *srv, struct evhttp_request *req)
{
	char why[256];
	if (app_health(srv->app, why, sizeof(why)) == 0) {
		send_text(req, HTTP_OK, "OK", "ok\n");
		return;
	}
	char body[300];
	snprintf(body, sizeof(body), "unhealthy: %s\n", why);
	send_text(req, HTTP_SERVUNAVAIL, "Service Unavailable", body);
}

/* ---- metrics ---- */

static void handle_metrics(struct http_server *srv, struct evhttp_request *req)
{
	struct app *app = srv->app;
	struct evbuffer *buf = evbuffer_new();
	if (!buf) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evbuffer_add_printf(buf, "# HELP qa_http_requests_total HTTP requests "
				 "answered, by route and status.\n"
				 "# TYPE qa_http_requests_total counter\n");
	for (size_t i = 0; i < srv->n_counts; i++)
		evbuffer_add_printf(buf,
				    "qa_http_requests_total{route=\"%s\","
				    "status=\"%d\"} %llu\n",
				    route_names[srv->counts[i].route],
				    srv->counts[i].code, srv->counts[i].count);
	struct feed_cache_stats fs;
	feed_cache_stats(app->feeds, &fs);
	evbuffer_add_printf(buf,
			    "# HELP qa_feed_cache_total Feed requests served "
			    "from memory (hit), rendered, or unknown.\n"
			    "# TYPE qa_feed_cache_total counter\n"
			    "qa_feed_cache_total{result=\"hit\"} %llu\n"
			    "qa_feed_cache_total{result=\"render\"} %llu\n"
			    "qa_feed_cache_total{result=\"unknown\"} %llu\n",
			    fs.hits, fs.renders, fs.misses);
	struct remind_counts rc;
	if (remind_counts(app->db, &rc) == 0)
		evbuffer_add_printf(
			buf,
			"# HELP qa_reminders Reminder deliveries in the "
			"outbox, by state.\n"
			"# TYPE qa_reminders gauge\n"
			"qa_reminders{state=\"pending\"} %lld\n"
			"qa_reminders{state=\"sent\"} %lld\n"
			"qa_reminders{state=\"failed\"} %lld\n"
			"qa_reminders{state=\"skipped\"} %lld\n",
			rc.pending, rc.sent, rc.failed, rc.skipped);
	sqlite3_stmt *stmt = NULL;
	evbuffer_add_printf(buf, "# HELP qa_occurrences Occurrences in the "
				 "schedule, by status.\n"
				 "# TYPE qa_occurrences gauge\n");
	if (sqlite3_prepare_v2(app->db,
			       "SELECT status, count(*) FROM occurrences "
			       "GROUP BY status",
			       -1, &stmt, NULL) == SQLITE_OK)
		while (sqlite3_step(stmt) == SQLITE_ROW)
			evbuffer_add_printf(
				buf, "qa_occurrences{status=\"%s\"} %lld\n",
				(const char *)sqlite3_column_text(stmt, 0),
				(long long)sqlite3_column_int64(stmt, 1));
	sqlite3_finalize(stmt);
	size_t disabled = 0;
	for (size_t i = 0; i < app->plugins.n; i++)
		disabled += app->plugins.items[i].disabled;
	evbuffer_add_printf(buf,
			    "# HELP qa_plugins Activity plugins, by state.\n"
			    "# TYPE qa_plugins gauge\n"
			    "qa_plugins{state=\"loaded\"} %zu\n"
			    "qa_plugins{state=\"refused\"} %zu\n"
			    "qa_plugins{state=\"disabled\"} %zu\n",
			    app->plugins.n - disabled, app->plugins.n_refused,
			    disabled);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	evhttp_add_header(out, "Content-Type",
			  "text/plain; version=0.0.4; charset=utf-8");
	evhttp_add_header(out, "Cache-Control", "no-store");
	evhttp_send_reply(req, HTTP_OK, "OK", buf);
	evbuffer_free(buf);
}

/* ---- feeds ---- */

#define FEED_PREFIX "/feeds/"
#define FEED_SUFFIX ".ics"
/* Largest single write of a feed reply: a whole feed goes in one. */
#define FEED_MAX_WRITE (1024 * 1024)

static void http_date(time_t t, char *buf, size_t size)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	/* IMF-fixdate; strftime's %a and %b follow the C locale we run in. */
	strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static int parse_http_date(const char *text, time_t *out)
{
	struct tm tm = {0};
	const char *end = strptime(text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end || *end)
		return -1;
	*out = timegm(&tm);
	return 0;
}

/* Does an If-None-Match list name etag? Weak comparison, as RFC 9110
 * prescribes for If-None-Match: W/"x" matches "x". */
static bool etag_matches(const char *list, const char *etag)
{
	size_t etag_len = strlen(etag);
	const char *p = list;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"')
			return false;
		const char *close = strchr(p + 1, '"');
		if (!close)
			return false;
		if ((size_t)(close + 1 - p) == etag_len &&
		    memcmp(p, etag, etag_len) == 0)
			return true;
		p = close + 1;
	}
	return false;
}

/* Does Accept-Encoding allow gzip (present, and not q=0)? */
static bool accepts_gzip(const char *header)
{
	if (!header)
		return false;
	const char *p = header;
	while ((p = strstr(p, "gzip"))) {
		bool starts = p == header || p[-1] == ' ' || p[-1] == ',';
		const char *after = p + 4;
		p = after;
		if (!starts ||
		    (*after && *after != ';' && *after != ',' && *after != ' '))
			continue;
		while (*after == ' ')
			after++;
		if (*after != ';')
			return true;
		const char *q = strstr(after, "q=");
		const char *next = strchr(after, ',');
		if (q && (!next || q < next)) {
			double weight = strtod(q + 2, NULL);
			return weight > 0;
		}
		return true;
	}
	return false;
}

static void release_body(const void *data, size_t len, void *arg)
{
	(void)data, (void)len;
	feed_body_release(arg);
}

static void handle_feed(struct http_server *srv, struct evhttp_request *req,
			const char *path)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	if (!only_get_or_head(req))
		return;
	/* Exactly /feeds/<43 base64url characters>.ics, compared on the raw
	 * path: %2f, %00, "..", anything longer or shorter never matches and
	 * nothing reaches the file system or the database. */
	size_t len = strlen(path);
	size_t prefix = strlen(FEED_PREFIX), suffix = strlen(FEED_SUFFIX);
	const char *token = path + prefix;
	if (len != prefix + TOKEN_TEXT_LEN + suffix ||
	    strcmp(path + len - suffix, FEED_SUFFIX) != 0 ||
	    !token_text_valid(token, TOKEN_TEXT_LEN)) {
		send_text(req, HTTP_NOTFOUND, "Not Found", "not found\n");
		return;
	}
	struct app *app = srv->app;
	struct feed_body *body = NULL;
	int found = feed_cache_get(app->feeds, app->db, &app->catalog, token,
				   TOKEN_TEXT_LEN, app_today(app), time(NULL),
				   &body);
	if (found < 0) {
		send_text(req, HTTP_INTERNAL, "Internal Server Error",
			  "internal error\n");
		return;
	}
	if (found == 0) {
		send_text(req, HTTP_NOTFOUND, "Not Found", "not found\n");
		return;
	}
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	char modified[64];
	http_date(body->last_modified, modified, sizeof(modified));
	char cache_control[64];
	snprintf(cache_control, sizeof(cache_control), "private, max-age=%d",
		 app->cfg.feed_refresh < 300 ? app->cfg.feed_refresh : 300);
	bool gzip = body->gzip &&
		    accepts_gzip(evhttp_find_header(in, "Accept-Encoding"));
	const char *etag = gzip ? body->etag_gzip : body->etag;
	evhttp_add_header(out, "ETag", etag);
	evhttp_add_header(out, "Last-Modified", modified);
	evhttp_add_header(out, "Cache-Control", cache_control);
	evhttp_add_header(out, "Vary", "Accept-Encoding");

	const char *inm = evhttp_find_header(in, "If-None-Match");
	const char *ims = evhttp_find_header(in, "If-Modified-Since");
	time_t since;
	/* If-None-Match decides when present (RFC 9110 13.2.2); either
	 * representation's tag names the same content. */
	bool not_modified = inm ? etag_matches(inm, body->etag) ||
					    etag_matches(inm, body->etag_gzip)
				: ims && parse_http_date(ims, &since) == 0 &&
					    body->last_modified <= since;
	if (not_modified) {
		evhttp_send_reply(req, HTTP_NOTMODIFIED, "Not Modified", NULL);
		feed_body_release(body);
		return;
	}
	evhttp_add_header(out, "Content-Type", "text/calendar; charset=utf-8");
	if (gzip)
		evhttp_add_header(out, "Content-Encoding", "gzip");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		/* evhttp leaves Content-Length out of a HEAD reply; a HEAD
		 * must carry the length the GET would have. */
		char length[32];
		snprintf(length, sizeof(length), "%zu",
			 gzip ? body->gzip_len : body->len);
		evhttp_add_header(out, "Content-Length", length);
		evhttp_send_reply(req, HTTP_OK, "OK", NULL);
		feed_body_release(body);
		return;
	}
	struct evbuffer *buf = evbuffer_new();
	if (!buf) {
		feed_body_release(body);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	/* By reference: the cached bytes are not copied per request; the
	 * reference is released when the reply has been written. */
	if (evbuffer_add_reference(buf, gzip ? body->gzip : body->bytes,
				   gzip ? body->gzip_len : body->len,
				   release_body, body)) {
		feed_body_release(body);
		evbuffer_free(buf);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	/* A bufferevent writes at most 16 KB a loop iteration by default, so
	 * a 24 KB feed took two writev calls, two TCP segments and two trips
	 * round the loop (a 280 KB one eighteen). Let it go in one. */
	struct bufferevent *bev = evhttp_connection_get_bufferevent(
		evhttp_request_get_connection(req));
	if (bev)
		bufferevent_set_max_single_write(bev, FEED_MAX_WRITE);
	evhttp_send_reply(req, HTTP_OK, "OK", buf);
	evbuffer_free(buf);
}

static void route(struct evhttp_request *req, void *arg)
{
	struct http_server *srv = arg;
	srv->in_flight++;
	evhttp_request_set_on_complete_cb(req, request_done, srv);

	const char *uri = evhttp_request_get_uri(req);
	const struct evhttp_uri *parsed = evhttp_request_get_evhttp_uri(req);
	const char *path = parsed ? evhttp_uri_get_path(parsed) : NULL;
	if (!path || !uri) {
		send_text(req, HTTP_BADREQUEST, "Bad Request", "bad request\n");
		return;
	}
	if (srv->app->stopping)
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Connection", "close");

	if (strcmp(path, "/healthz") == 0) {
		if (!only_get_or_head(req))
			return;
		handle_healthz(srv, req);
		return;
	}
	if (strcmp(path, "/metrics") == 0) {
		if (!only_get_or_head(req))
			return;
		handle_metrics(srv, req);
		return;
	}
	if (strncmp(path, FEED_PREFIX, strlen(FEED_PREFIX)) == 0) {
		handle_feed(srv, req, path);
		return;
	}
	send_text(req, HTTP_NOTFOUND, "Not Found", "not found\n");
}

static void apply_limits(struct http_server *srv, const struct config *cfg)
{
	evhttp_set_timeout(srv->evhttp, cfg->request_timeout);
	evhttp_set_max_headers_size(srv->evhttp, cfg->max_header_size);
	evhttp_set_max_body_size(srv->evhttp, cfg->max_body_size);
}

struct http_server *http_start(struct event_base *base,
			       const struct config *cfg, struct app *app)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	char host[256];
	unsigned short port;
	if (!srv)
		return NULL;
	srv->app = app;
	if (split_listen(cfg->listen, host, sizeof(host), &port)) {
		log_err("http: [server] listen \"%s\" is not host:port",
			cfg->listen);
		goto fail;
	}
	srv->evhttp = evhttp_new(base);
	if (!srv->evhttp)
		goto fail;
	/* Every method reaches route(), which answers 405 itself: evhttp's
	 * own refusal is a 501, which misleads clients. */
	evhttp_set_allowed_methods(
		srv->evhttp, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
				     EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
				     EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
				     EVHTTP_REQ_PATCH);
	apply_limits(srv, cfg);
	evhttp_set_gencb(srv->evhttp, route, srv);
	srv->bound = evhttp_bind_socket_with_handle(srv->evhttp, host, port);
	if (!srv->bound) {
		log_err("http: cannot listen on %s: %s; is another process "
			"using the port?",
			cfg->listen, strerror(errno));
		goto fail;
	}
	evutil_socket_t fd = evhttp_bound_socket_get_fd(srv->bound);
	/* evhttp writes headers and body separately; without TCP_NODELAY
	 * Nagle and delayed ACKs cost ~40 ms a response. Accepted sockets
	 * inherit it from the listener on Linux. */
	int one = 1;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		log_warn("http: TCP_NODELAY: %s", strerror(errno));

	struct sockaddr_storage addr;
	socklen_t addr_len = sizeof(addr);
	char addr_text[INET6_ADDRSTRLEN] = "?";
	unsigned bound_port = 0;
	if (getsockname(fd, (struct sockaddr *)&addr, &addr_len) == 0) {
		if (addr.ss_family == AF_INET6) {
			struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
			inet_ntop(AF_INET6, &a6->sin6_addr, addr_text,
				  sizeof(addr_text));
			bound_port = ntohs(a6->sin6_port);
		} else {
			struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
			inet_ntop(AF_INET, &a4->sin_addr, addr_text,
				  sizeof(addr_text));
			bound_port = ntohs(a4->sin_port);
		}
	}
	log_info(addr.ss_family == AF_INET6 ? "listening on [%s]:%u"
					    : "listening on %s:%u",
		 addr_text, bound_port);
	return srv;
fail:
	http_free(srv);
	return NULL;
}

void http_reconfigure(struct http_server *srv, const struct config *cfg)
{
	apply_limits(srv, cfg);
}

void http_stop_accepting(struct http_server *srv)
{
	if (srv->bound) {
		evhttp_del_accept_socket(srv->evhttp, srv->bound);
		srv->bound = NULL;
	}
}

int http_in_flight(const struct http_server *srv)
{
	return srv->in_flight;
}

void http_free(struct http_server *srv)
{
	if (!srv)
		return;
	if (srv->evhttp)
		evhttp_free(srv->evhttp);
	free(srv);
}
