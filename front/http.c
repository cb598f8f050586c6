/* http: the transport (http.h). One file of some 900 lines on purpose: the
 * loops, listening, limits, draining and request counts share struct
 * http_loop and one set of threading rules (which thread touches what, and
 * when), and are easier to check against each other read together. No
 * endpoint is here. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "db.h"
#include "log.h"
#include "token.h"

/* Requests answered, by route (an index into the server's routes; n_routes
 * for none) and status code. */
struct request_count {
	size_t route;
	int code;
	unsigned long long count;
};

#define MAX_REQUEST_COUNTS 64

/* One event loop on its own thread, with its own evhttp on its own
 * SO_REUSEPORT socket (the kernel spreads connections over the loops) and
 * its own read-only database connection. What the routes share between
 * loops is theirs to guard. */
struct http_loop {
	struct http_server *srv;
	pthread_t thread;
	bool running; /* the thread was started and not yet joined */
	struct event_base *base;
	struct evhttp *evhttp;
	struct evhttp_bound_socket *bound;
	sqlite3 *db;
	char *db_path;     /* what db was opened on */
	sqlite3 *db_write; /* opened on db_path at the first write */
	/* Handed over by http_open_databases, taken at the next
	 * reconfiguration (under srv->lock). */
	sqlite3 *next_db;
	char *next_db_path;
	/* The daemon's loop asks things of this one by setting bits in
	 * `asked` (atomic) and writing to the eventfd wake_fd: no libevent
	 * object is ever touched from another thread, so the bases need no
	 * locks (evthread would lock each one on every event operation). */
	int wake_fd;
	struct event *wake_event;
	unsigned asked;
	struct event *drain_deadline;
	int in_flight;  /* this loop's; read elsewhere atomically */
	time_t date_at; /* the second date_text shows */
	char date_text[DATE_HTTP_SIZE];
	pthread_mutex_t lock; /* counts */
	bool lock_ready;
	struct request_count counts[MAX_REQUEST_COUNTS];
	size_t n_counts;
};

struct http_server {
	struct event_base *base; /* the daemon's: ended when all loops are */
	struct http_route routes[HTTP_MAX_ROUTES];
	size_t n_routes;
	bool stopping; /* atomic */
	struct http_loop *loops;
	size_t n_loops;
	/* What http_reconfigure hands the loops, read by each in its own
	 * thread. */
	pthread_mutex_t lock;
	int timeout, max_header_size, max_body_size;
	int loops_left; /* loops still running; atomic */
	/* The last loop to end writes to done_fd, watched on the daemon's
	 * loop. */
	int done_fd;
	struct event *done_event;
};

size_t http_route_of(const struct http_route *routes, size_t n,
		     const char *path)
{
	for (size_t i = 0; path && i < n; i++) {
		const char *want = routes[i].path;
		size_t len = strlen(want);
		if (want[len - 1] == '/' ? strncmp(path, want, len) == 0
					 : strcmp(path, want) == 0)
			return i;
	}
	return n;
}

const char *http_path_token(const char *path, const char *prefix,
			    const char *suffix)
{
	size_t len = strlen(path), pre = strlen(prefix), suf = strlen(suffix);
	if (len != pre + TOKEN_TEXT_LEN + suf ||
	    strncmp(path, prefix, pre) != 0 ||
	    strcmp(path + pre + TOKEN_TEXT_LEN, suffix) != 0 ||
	    !token_text_valid(path + pre, TOKEN_TEXT_LEN))
		return NULL;
	return path + pre;
}

static void count_request(struct http_loop *loop, size_t route, int code)
{
	pthread_mutex_lock(&loop->lock);
	size_t i = 0;
	while (i < loop->n_counts &&
	       (loop->counts[i].route != route || loop->counts[i].code != code))
		i++;
	if (i < loop->n_counts)
		loop->counts[i].count++;
	/* The table holds every code this server sends many times over. */
	else if (loop->n_counts < MAX_REQUEST_COUNTS)
		loop->counts[loop->n_counts++] =
			(struct request_count){route, code, 1};
	pthread_mutex_unlock(&loop->lock);
}

static bool server_stopping(const struct http_server *srv)
{
	return __atomic_load_n(&srv->stopping, __ATOMIC_ACQUIRE);
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

/* Status counted for a request whose client went away before the whole
 * reply was written (nginx's number for it). */
#define HTTP_CLIENT_CLOSED 499

/* Longest wait for replies in progress at a stop, in seconds. */
#define HTTP_DRAIN_MAX 10

/* A request being answered. evhttp calls a request's on-complete callback
 * only once its reply has been written; a client that resets the
 * connection, or a write that times out, frees the connection without it,
 * and a stop would wait out the drain for a request that is gone. So each
 * request is also the argument of its connection's close callback, which
 * request_done clears: whichever comes first ends it, once. */
struct pending {
	struct http_loop *loop;
	size_t route;
};

static void pending_end(struct pending *p, int code)
{
	struct http_loop *loop = p->loop;
	size_t route = p->route;
	free(p);
	count_request(loop, route, code);
	int left = __atomic_sub_fetch(&loop->in_flight, 1, __ATOMIC_RELAXED);
	if (left == 0 && server_stopping(loop->srv))
		event_base_loopexit(loop->base, NULL);
}

static void request_done(struct evhttp_request *req, void *arg)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	if (evcon)
		evhttp_connection_set_closecb(evcon, NULL, NULL);
	pending_end(arg, evhttp_request_get_response_code(req));
}

static void connection_closed(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	pending_end(arg, HTTP_CLIENT_CLOSED);
}

void http_send_page(struct evhttp_request *req, int code, const char *reason,
		    const char *html, size_t len)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	evhttp_add_header(out, "Content-Type", "text/html; charset=utf-8");
	evhttp_add_header(out, "Cache-Control", "no-store");
	evhttp_add_header(out, "Referrer-Policy", "no-referrer");
	evhttp_add_header(out, "X-Frame-Options", "DENY");
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(out, "Content-Security-Policy",
			  "default-src 'none'; style-src 'unsafe-inline'; "
			  "img-src 'self' data:; form-action 'self'; "
			  "frame-ancestors 'none'; base-uri 'none'");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		char length[32];
		snprintf(length, sizeof(length), "%zu", len);
		evhttp_add_header(out, "Content-Length", length);
	} else {
		evbuffer_add(evhttp_request_get_output_buffer(req), html, len);
	}
	evhttp_send_reply(req, code, reason, NULL);
}

void http_send_text(struct evhttp_request *req, int code, const char *reason,
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

/* Every route here is read-only: anything but GET or HEAD gets 405 with
 * Allow (evhttp's own refusal would be a 501). Returns false when it
 * answered. */
static bool only_get_or_head(struct evhttp_request *req)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	if (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD)
		return true;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
			  "GET, HEAD");
	http_send_text(req, 405, "Method Not Allowed", "method not allowed\n");
	return false;
}

static void route(struct evhttp_request *req, void *arg)
{
	struct http_loop *loop = arg;
	struct http_server *srv = loop->srv;
	const char *uri = evhttp_request_get_uri(req);
	const struct evhttp_uri *parsed = evhttp_request_get_evhttp_uri(req);
	const char *path = parsed && uri ? evhttp_uri_get_path(parsed) : NULL;
	struct pending *p = malloc(sizeof(*p));
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	if (!p || !evcon) {
		free(p);
		evhttp_send_error(req, HTTP_SERVUNAVAIL, NULL);
		return;
	}
	*p = (struct pending){loop,
			      http_route_of(srv->routes, srv->n_routes, path)};
	__atomic_add_fetch(&loop->in_flight, 1, __ATOMIC_RELAXED);
	evhttp_request_set_on_complete_cb(req, request_done, p);
	evhttp_connection_set_closecb(evcon, connection_closed, p);

	if (!path) {
		http_send_text(req, HTTP_BADREQUEST, "Bad Request",
			       "bad request\n");
		return;
	}
	if (server_stopping(srv))
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Connection", "close");
	if (p->route == srv->n_routes) {
		http_send_text(req, HTTP_NOTFOUND, "Not Found", "not found\n");
		return;
	}
	const struct http_route *r = &srv->routes[p->route];
	if (r->read_only && !only_get_or_head(req))
		return;
	r->handle(req, path, loop, r->arg);
}

sqlite3 *http_loop_db(struct http_loop *loop)
{
	return loop->db;
}

sqlite3 *http_loop_db_write(struct http_loop *loop)
{
	if (!loop->db_write && db_open(loop->db_path, &loop->db_write))
		loop->db_write = NULL;
	return loop->db_write;
}

struct http_server *http_loop_server(struct http_loop *loop)
{
	return loop->srv;
}

const char *http_loop_date(struct http_loop *loop, time_t now)
{
	if (now != loop->date_at) {
		date_http(now, loop->date_text);
		loop->date_at = now;
	}
	return loop->date_text;
}

void http_write_metrics(struct http_server *srv, struct evbuffer *buf)
{
	evbuffer_add_printf(buf, "# HELP qa_http_requests_total HTTP requests "
				 "answered, by route and status.\n"
				 "# TYPE qa_http_requests_total counter\n");
	/* Summed over the loops: one line per route and status. */
	struct request_count total[MAX_REQUEST_COUNTS];
	size_t n_total = 0;
	for (size_t l = 0; l < srv->n_loops; l++) {
		struct http_loop *from = &srv->loops[l];
		pthread_mutex_lock(&from->lock);
		for (size_t i = 0; i < from->n_counts; i++) {
			const struct request_count *c = &from->counts[i];
			size_t j = 0;
			while (j < n_total && (total[j].route != c->route ||
					       total[j].code != c->code))
				j++;
			if (j < n_total)
				total[j].count += c->count;
			else if (n_total < MAX_REQUEST_COUNTS)
				total[n_total++] = *c;
		}
		pthread_mutex_unlock(&from->lock);
	}
	for (size_t i = 0; i < n_total; i++) {
		const char *label = "other";
		int label_len = 5;
		if (total[i].route < srv->n_routes) {
			label = srv->routes[total[i].route].path;
			label_len = (int)strlen(label);
			if (label_len > 1 && label[label_len - 1] == '/')
				label_len--;
		}
		evbuffer_add_printf(buf,
				    "qa_http_requests_total{route=\"%.*s\","
				    "status=\"%d\"} %llu\n",
				    label_len, label, total[i].code,
				    total[i].count);
	}
	/* What a stop would still wait for: requests taken and not yet
	 * answered or abandoned, but for this one. */
	evbuffer_add_printf(buf,
			    "# HELP qa_http_requests_in_flight Requests being "
			    "answered, but for this one.\n"
			    "# TYPE qa_http_requests_in_flight gauge\n"
			    "qa_http_requests_in_flight %d\n",
			    http_in_flight(srv) - 1);
}

/* ---- the loops ---- */

static void apply_limits(struct http_loop *loop)
{
	struct http_server *srv = loop->srv;
	pthread_mutex_lock(&srv->lock);
	evhttp_set_timeout(loop->evhttp, srv->timeout);
	evhttp_set_max_headers_size(loop->evhttp, srv->max_header_size);
	evhttp_set_max_body_size(loop->evhttp, srv->max_body_size);
	sqlite3 *db = loop->next_db;
	char *path = loop->next_db_path;
	loop->next_db = NULL;
	loop->next_db_path = NULL;
	pthread_mutex_unlock(&srv->lock);
	if (!db)
		return;
	/* A new [database] path, opened by http_open_databases. Whatever
	 * this loop rendered from the old one goes. */
	db_close(loop->db);
	db_close(loop->db_write);
	loop->db_write = NULL;
	loop->db = db;
	free(loop->db_path);
	loop->db_path = path;
	for (size_t i = 0; i < srv->n_routes; i++)
		if (srv->routes[i].database_changed)
			srv->routes[i].database_changed(srv->routes[i].arg);
}

static void on_drain_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	struct http_loop *loop = arg;
	log_warn("http: stop: %d request(s) still unanswered; closing",
		 __atomic_load_n(&loop->in_flight, __ATOMIC_RELAXED));
	event_base_loopexit(loop->base, NULL);
}

enum { ASK_RECONFIGURE = 1, ASK_STOP = 2, ASK_EXIT = 4 };

static void stop_loop(struct http_loop *loop)
{
	if (loop->bound) {
		evhttp_del_accept_socket(loop->evhttp, loop->bound);
		loop->bound = NULL;
	}
	if (__atomic_load_n(&loop->in_flight, __ATOMIC_RELAXED) == 0) {
		event_base_loopexit(loop->base, NULL);
		return;
	}
	/* Requests answer from memory, so draining is quick; the deadline
	 * guards against a client that stops reading, and ends well inside
	 * systemd's TimeoutStopSec (30 s in the unit). */
	pthread_mutex_lock(&loop->srv->lock);
	struct timeval limit = {.tv_sec = loop->srv->timeout < HTTP_DRAIN_MAX
						  ? loop->srv->timeout
						  : HTTP_DRAIN_MAX};
	pthread_mutex_unlock(&loop->srv->lock);
	loop->drain_deadline = evtimer_new(loop->base, on_drain_deadline, loop);
	if (!loop->drain_deadline || evtimer_add(loop->drain_deadline, &limit))
		event_base_loopexit(loop->base, NULL);
}

/* Reset an eventfd that woke its loop. */
static void drain_wakeups(int fd)
{
	uint64_t count;
	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_warn("http: reading a wake-up: %s", strerror(errno));
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct http_loop *loop = arg;
	drain_wakeups(fd);
	unsigned asked = __atomic_exchange_n(&loop->asked, 0, __ATOMIC_ACQ_REL);
	if (asked & ASK_RECONFIGURE)
		apply_limits(loop);
	if (asked & ASK_EXIT)
		event_base_loopexit(loop->base, NULL);
	else if (asked & ASK_STOP)
		stop_loop(loop);
}

static void ask(int fd, unsigned *asked, unsigned what)
{
	if (asked)
		__atomic_or_fetch(asked, what, __ATOMIC_ACQ_REL);
	uint64_t one = 1;
	/* Only EAGAIN can fail it here: the counter is full, so the reader
	 * wakes anyway. */
	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("http: waking a loop: %s", strerror(errno));
}

static void *loop_main(void *arg)
{
	struct http_loop *loop = arg;
	if (event_base_dispatch(loop->base) < 0)
		log_err("http: an event loop failed");
	/* The last loop out tells the daemon's loop. */
	if (__atomic_sub_fetch(&loop->srv->loops_left, 1, __ATOMIC_ACQ_REL) ==
	    0)
		ask(loop->srv->done_fd, NULL, 0);
	return NULL;
}

static void on_all_done(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct http_server *srv = arg;
	drain_wakeups(fd);
	event_base_loopexit(srv->base, NULL);
}

/* A listening socket on addr with SO_REUSEPORT, so that every loop has one
 * on the same port. TCP_NODELAY is inherited by accepted sockets on Linux:
 * evhttp writes headers and body separately, and without it Nagle and
 * delayed ACKs cost ~40 ms a response. -1 with errno on failure. */
static evutil_socket_t listen_on(const struct sockaddr *addr, socklen_t len)
{
	evutil_socket_t fd = socket(
		addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    bind(fd, addr, len) || listen(fd, 511)) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Is addr bound by someone else (errno says how)? A plain bind, with
 * SO_REUSEADDR so that our own connections in TIME_WAIT from a moment ago
 * do not count. */
static bool port_taken(const struct sockaddr *addr, socklen_t len)
{
	int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true;
	int one = 1;
	bool taken = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one)) != 0 ||
		     bind(fd, addr, len) != 0;
	int saved = errno;
	close(fd);
	errno = saved;
	return taken;
}

static int loop_init(struct http_loop *loop, evutil_socket_t fd,
		     const char *db_path)
{
	/* With the changelist, libevent folds evhttp's read/write interest
	 * switches into one epoll_ctl per socket per loop turn: about a tenth
	 * of a feed request's CPU (bench/feed.sh). */
	struct event_config *ev_cfg = event_config_new();
	if (ev_cfg)
		event_config_set_flag(ev_cfg,
				      EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	loop->base = ev_cfg ? event_base_new_with_config(ev_cfg) : NULL;
	if (ev_cfg)
		event_config_free(ev_cfg);
	if (!loop->base || pthread_mutex_init(&loop->lock, NULL))
		goto fail_fd;
	loop->lock_ready = true;
	loop->evhttp = evhttp_new(loop->base);
	loop->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->wake_fd >= 0)
		loop->wake_event =
			event_new(loop->base, loop->wake_fd,
				  EV_READ | EV_PERSIST, on_wake, loop);
	if (!loop->evhttp || !loop->wake_event ||
	    event_add(loop->wake_event, NULL))
		goto fail_fd;
	/* Every method reaches route(), which answers 405 itself: evhttp's
	 * own refusal is a 501, which misleads clients. */
	evhttp_set_allowed_methods(
		loop->evhttp, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
				      EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
				      EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
				      EVHTTP_REQ_PATCH);
	evhttp_set_gencb(loop->evhttp, route, loop);
	/* The listener owns fd from here and closes it when freed; backlog 0:
	 * listen_on has called listen() with ours. */
	struct evconnlistener *listener = evconnlistener_new(
		loop->base, NULL, NULL,
		LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (!listener)
		goto fail_fd;
	loop->bound = evhttp_bind_listener(loop->evhttp, listener);
	if (!loop->bound) {
		evconnlistener_free(listener);
		return -1;
	}
	loop->db_path = strdup(db_path);
	if (!loop->db_path || db_open_readonly(db_path, &loop->db))
		return -1;
	apply_limits(loop);
	return 0;
fail_fd:
	close(fd);
	return -1;
}

static unsigned loops_wanted(const struct config *cfg)
{
	if (cfg->http_threads > 0)
		return (unsigned)cfg->http_threads;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores < 1 ? 1 : cores > 16 ? 16 : (unsigned)cores;
}

static void log_listening(evutil_socket_t fd, unsigned n_loops)
{
	struct sockaddr_storage addr;
	socklen_t addr_len = sizeof(addr);
	char addr_text[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (getsockname(fd, (struct sockaddr *)&addr, &addr_len) == 0) {
		if (addr.ss_family == AF_INET6) {
			struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
			inet_ntop(AF_INET6, &a6->sin6_addr, addr_text,
				  sizeof(addr_text));
			port = ntohs(a6->sin6_port);
		} else {
			struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
			inet_ntop(AF_INET, &a4->sin_addr, addr_text,
				  sizeof(addr_text));
			port = ntohs(a4->sin_port);
		}
	}
	log_info(addr.ss_family == AF_INET6
			 ? "listening on [%s]:%u (%u event loop%s)"
			 : "listening on %s:%u (%u event loop%s)",
		 addr_text, port, n_loops, n_loops == 1 ? "" : "s");
}

struct http_server *http_start(struct event_base *base,
			       const struct config *cfg,
			       const struct http_route *routes, size_t n_routes)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	char host[256];
	unsigned short port;
	struct addrinfo *ai = NULL;
	if (!srv || n_routes > HTTP_MAX_ROUTES) {
		free(srv);
		return NULL;
	}
	srv->base = base;
	memcpy(srv->routes, routes, n_routes * sizeof(*routes));
	srv->n_routes = n_routes;
	srv->done_fd = -1;
	if (pthread_mutex_init(&srv->lock, NULL)) {
		free(srv);
		return NULL;
	}
	srv->timeout = cfg->request_timeout;
	srv->max_header_size = cfg->max_header_size;
	srv->max_body_size = cfg->max_body_size;
	srv->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (srv->done_fd >= 0)
		srv->done_event =
			event_new(base, srv->done_fd, EV_READ | EV_PERSIST,
				  on_all_done, srv);
	unsigned n = loops_wanted(cfg);
	srv->loops = calloc(n, sizeof(*srv->loops));
	if (!srv->done_event || !srv->loops || event_add(srv->done_event, NULL))
		goto fail;
	for (unsigned i = 0; i < n; i++)
		srv->loops[i].wake_fd = -1;
	if (split_listen(cfg->listen, host, sizeof(host), &port)) {
		log_err("http: [server] listen \"%s\" is not host:port",
			cfg->listen);
		goto fail;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	char service[8];
	snprintf(service, sizeof(service), "%u", port);
	int gai = getaddrinfo(host, service, &hints, &ai);
	if (gai) {
		log_err("http: cannot listen on %s: %s", cfg->listen,
			gai_strerror(gai));
		goto fail;
	}
	/* The first socket picks the port (0: a free one); the others join
	 * it. SO_REUSEPORT would let a second daemon of the same user join
	 * too and quietly take half the connections: a socket without it
	 * first finds out whether anything listens there already. */
	struct sockaddr_storage addr;
	socklen_t addr_len = (socklen_t)ai->ai_addrlen;
	memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
	if (port != 0 && port_taken((struct sockaddr *)&addr, addr_len)) {
		log_err("http: cannot listen on %s: %s; is another process "
			"using the port?",
			cfg->listen, strerror(errno));
		goto fail;
	}
	for (unsigned i = 0; i < n; i++) {
		struct http_loop *loop = &srv->loops[i];
		loop->srv = srv;
		srv->n_loops = i + 1;
		evutil_socket_t fd =
			listen_on((struct sockaddr *)&addr, addr_len);
		if (fd < 0) {
			log_err("http: cannot listen on %s: %s; is another "
				"process using the port?",
				cfg->listen, strerror(errno));
			goto fail;
		}
		if (i == 0) {
			addr_len = sizeof(addr);
			if (getsockname(fd, (struct sockaddr *)&addr,
					&addr_len)) {
				close(fd);
				goto fail;
			}
			log_listening(fd, n);
		}
		if (loop_init(loop, fd, cfg->db_path)) {
			log_err("http: cannot set up event loop %u", i + 1);
			goto fail;
		}
	}
	freeaddrinfo(ai);
	return srv;
fail:
	if (ai)
		freeaddrinfo(ai);
	http_free(srv);
	return NULL;
}

int http_run(struct http_server *srv)
{
	/* Signals are the daemon loop's: the loops' threads never take
	 * them. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = 0;
	for (size_t i = 0; i < srv->n_loops; i++) {
		struct http_loop *loop = &srv->loops[i];
		__atomic_add_fetch(&srv->loops_left, 1, __ATOMIC_ACQ_REL);
		if (pthread_create(&loop->thread, NULL, loop_main, loop)) {
			__atomic_sub_fetch(&srv->loops_left, 1,
					   __ATOMIC_ACQ_REL);
			log_err("http: cannot start an event loop thread");
			rc = -1;
			break;
		}
		loop->running = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int http_open_databases(struct http_server *srv, const char *path)
{
	sqlite3 **dbs = calloc(srv->n_loops, sizeof(*dbs));
	char **paths = calloc(srv->n_loops, sizeof(*paths));
	size_t opened = 0;
	int rc = -1;
	if (!dbs || !paths)
		goto out;
	for (; opened < srv->n_loops; opened++) {
		paths[opened] = strdup(path);
		if (!paths[opened] || db_open_readonly(path, &dbs[opened])) {
			free(paths[opened]);
			goto out;
		}
	}
	/* Each goes to its loop at the next http_reconfigure; one a loop has
	 * not taken yet (two reloads in a row) is replaced. */
	pthread_mutex_lock(&srv->lock);
	for (size_t i = 0; i < srv->n_loops; i++) {
		struct http_loop *loop = &srv->loops[i];
		sqlite3 *stale = loop->next_db;
		free(loop->next_db_path);
		loop->next_db = dbs[i];
		loop->next_db_path = paths[i];
		dbs[i] = stale; /* closed below, outside the lock */
		paths[i] = NULL;
	}
	pthread_mutex_unlock(&srv->lock);
	rc = 0;
out:
	for (size_t i = 0; dbs && i < srv->n_loops; i++)
		if (rc == 0 || i < opened)
			db_close(dbs[i]);
	for (size_t i = 0; paths && i < opened && rc; i++)
		free(paths[i]);
	free(dbs);
	free(paths);
	if (rc)
		log_err("http: cannot open %s for the HTTP loops", path);
	return rc;
}

void http_reconfigure(struct http_server *srv, const struct config *cfg)
{
	pthread_mutex_lock(&srv->lock);
	srv->timeout = cfg->request_timeout;
	srv->max_header_size = cfg->max_header_size;
	srv->max_body_size = cfg->max_body_size;
	pthread_mutex_unlock(&srv->lock);
	for (size_t i = 0; i < srv->n_loops; i++)
		if (srv->loops[i].running)
			ask(srv->loops[i].wake_fd, &srv->loops[i].asked,
			    ASK_RECONFIGURE);
	if (srv->n_loops != loops_wanted(cfg))
		log_warn("http: reload: [server] threads changed; still %zu "
			 "event "
			 "loop(s) until a restart",
			 srv->n_loops);
}

void http_stop(struct http_server *srv)
{
	__atomic_store_n(&srv->stopping, true, __ATOMIC_RELEASE);
	if (__atomic_load_n(&srv->loops_left, __ATOMIC_ACQUIRE) == 0) {
		ask(srv->done_fd, NULL, 0);
		return;
	}
	for (size_t i = 0; i < srv->n_loops; i++)
		if (srv->loops[i].running)
			ask(srv->loops[i].wake_fd, &srv->loops[i].asked,
			    ASK_STOP);
}

int http_in_flight(const struct http_server *srv)
{
	int n = 0;
	for (size_t i = 0; i < srv->n_loops; i++)
		n += __atomic_load_n(&srv->loops[i].in_flight,
				     __ATOMIC_RELAXED);
	return n;
}

void http_free(struct http_server *srv)
{
	if (!srv)
		return;
	for (size_t i = 0; i < srv->n_loops; i++) {
		struct http_loop *loop = &srv->loops[i];
		if (loop->running) {
			/* Normally ended already (http_stop); this is the
			 * way out of a failed start. */
			ask(loop->wake_fd, &loop->asked, ASK_EXIT);
			pthread_join(loop->thread, NULL);
		}
		if (loop->evhttp)
			evhttp_free(loop->evhttp);
		if (loop->wake_event)
			event_free(loop->wake_event);
		if (loop->drain_deadline)
			event_free(loop->drain_deadline);
		if (loop->wake_fd >= 0)
			close(loop->wake_fd);
		if (loop->base)
			event_base_free(loop->base);
		if (loop->lock_ready)
			pthread_mutex_destroy(&loop->lock);
		db_close(loop->db);
		db_close(loop->db_write);
		free(loop->db_path);
		db_close(loop->next_db);
		free(loop->next_db_path);
	}
	if (srv->done_event)
		event_free(srv->done_event);
	if (srv->done_fd >= 0)
		close(srv->done_fd);
	pthread_mutex_destroy(&srv->lock);
	free(srv->loops);
	free(srv);
}
