/* app: the running daemon's state, shared by the daemon's loop and the
 * HTTP endpoints (feed_http.c, healthz.c, metrics.c); app.c answers what
 * "today" and "healthy" are for it. */
#ifndef QA_APP_H
#define QA_APP_H

#include <event2/event.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "deliver.h"
#include "engine.h"
#include "feed_cache.h"
#include "rows.h"
#include "token.h"

struct http_server;

/* The daemon's own loop (signals, timers, the schedule, reminders) owns
 * everything here and is the only writer; the HTTP loops' threads read cfg,
 * eng's config, plugins and catalog under conf_lock (read), which a reload
 * takes to swap them, and read stopping atomically. */
/* The regeneration histogram's upper bounds, in seconds. */
#define APP_REGEN_BUCKETS 8
extern const double app_regen_bounds[APP_REGEN_BUCKETS];

struct app {
	struct event_base *base;
	const char *config_path;
	pthread_rwlock_t conf_lock;
	/* The config, calendars, plugins and catalog (replaced whole by a
	 * reload) and the daemon's read-write connection (eng.db). */
	struct engine eng;
	struct feed_cache *feeds;
	struct deliver *deliver;
	struct event *remind_timer;
	long long *in_flight; /* outbox ids being delivered, sorted */
	size_t n_in_flight, cap_in_flight;
	long long data_version; /* last seen PRAGMA data_version */
	qa_day generated_for;   /* the day of the last full regeneration */
	struct http_server *http;
	/* The last whole month's `report supervision`, for /metrics: worked
	 * out by the daemon's loop when the schedule or the data changes
	 * (metrics_refresh), read by the HTTP loops under metrics_lock. */
	pthread_mutex_t metrics_lock;
	struct rows last_month;
	/* Full regenerations, for /metrics (under metrics_lock too): how long
	 * each took, as a histogram of APP_REGEN_BUCKETS upper bounds, and
	 * when the last that succeeded finished. */
	unsigned long regen_buckets[APP_REGEN_BUCKETS + 1]; /* +Inf last */
	unsigned long regen_count;
	double regen_seconds;
	time_t regen_last_success;
	/* The database's form secret (token_form_key), read at start: the
	 * manager page's forms carry tokens made with it. */
	unsigned char form_key[TOKEN_HASH_SIZE];
	bool stopping; /* atomic */
};


/* Count a full regeneration that took seconds (and, ok, finished now). */
void app_regen_observe(struct app *app, double seconds, bool ok);

/* The organisation's date now. */
qa_day app_today(const struct app *app);

/* Is the daemon fit to serve, reading through db? 0 when it is; -1 with
 * the reason in why. Outside the daemon's loop, hold conf_lock. */
int app_health(struct app *app, sqlite3 *db, char *why, size_t why_size);

#endif
