#include "daemon.h"

#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "backup.h"
#include "date.h"
#include "db.h"
#include "digest.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "remind.h"
#include "routes.h"
#include "schedule.h"
#include "token.h"

struct daemon {
	struct app app;
	struct event *sigterm, *sigint, *sighup;
	struct event *watchdog;
	struct event *midnight;
	struct event *data_check;
	int lock; /* backup_hold's, shared: restore refuses while we run */
};

static void notify_status(const struct app *app, const char *state)
{
	char message[256];
	snprintf(message, sizeof(message),
		 "%s\nSTATUS=%zu activities, %zu "
		 "refused; listening as configured in %s",
		 state, app->eng.plugins.n, app->eng.plugins.n_refused,
		 app->config_path);
	notify_send(message);
}

/* Load the config and what it names (engine_open, no database), logging
 * every problem. 0, or -1 when the config or a calendar is broken: a wrong
 * holiday list would move every working-day date. Refused plugins do not
 * fail the load: the others serve. e is to be freed with engine_done
 * either way. */
static int load_engine(const char *path, struct engine *e)
{
	struct errlist errs = {0};
	enum engine_failure failure =
		engine_open(path, ENGINE_CATALOG, e, &errs);
	for (size_t i = 0; i < errs.n; i++)
		log_err("%s", errs.msgs[i]);
	errlist_done(&errs);
	return failure == ENGINE_OK ? 0 : -1;
}

static void remind_soon(struct app *app);

/* Regenerate the whole schedule for today. */
static void regenerate(struct app *app, const char *why)
{
	struct sched_env env = engine_env(&app->eng, time(NULL));
	qa_day today = env.today;
	struct sched_stats stats;
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	int failed = sched_regenerate(app->eng.db, &env, NULL, &stats);
	clock_gettime(CLOCK_MONOTONIC, &end);
	app_regen_observe(app,
			  (double)(end.tv_sec - start.tv_sec) +
				  (double)(end.tv_nsec - start.tv_nsec) / 1e9,
			  !failed);
	if (failed) {
		log_err("schedule: regeneration (%s) failed; the stored "
			"schedule "
			"stays as it was",
			why);
		return;
	}
	app->generated_for = today;
	/* Once a day at least (a new day regenerates): a calendar running
	 * out is said while there is time to replace it. */
	char running_out[512];
	if (holidays_running_out(&app->eng.holidays, today, running_out,
				 sizeof(running_out)))
		log_warn("holidays: %s", running_out);
	db_data_version(app->eng.db, &app->data_version);
	feed_cache_invalidate(app->feeds);
	remind_soon(app); /* the schedule changed: so may the reminders */
	metrics_refresh(app);
	log_info("schedule: regenerated (%s): %zu new, %zu changed, %zu "
		 "cancelled, %zu unchanged; %zu plugin(s) failed",
		 why, stats.inserted, stats.updated, stats.cancelled,
		 stats.unchanged, stats.plugins_failed);
}

/* ---- reminders ---- */

/* Deliveries handed to the worker at once, at most. */
#define REMIND_BATCH 256

static struct remind_env remind_env_of(const struct app *app)
{
	return (struct remind_env){
		.catalog = &app->eng.catalog,
		.holidays = &app->eng.holidays,
		.tzid = app->eng.cfg.timezone,
		.window_start = app->eng.cfg.send_window_start,
		.window_end = app->eng.cfg.send_window_end,
		.email = deliver_has_channel(app->deliver, DELIVER_EMAIL),
		.webhook = deliver_has_channel(app->deliver, DELIVER_WEBHOOK),
		.base_url = app->eng.cfg.base_url,
		.digest = app->eng.cfg.digest != 0,
		.digest_minute = app->eng.cfg.digest_minute,
		.weekly_day = app->eng.cfg.weekly_day,
		.sign_on = app->eng.cfg.auth_header != NULL,
	};
}

static int cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static void in_flight_add(struct app *app, long long id)
{
	if (app->n_in_flight == app->cap_in_flight) {
		size_t cap = app->cap_in_flight ? app->cap_in_flight * 2 : 64;
		long long *grown =
			realloc(app->in_flight, cap * sizeof(*grown));
		if (!grown)
			return; /* worst case: taken again, same key */
		app->in_flight = grown;
		app->cap_in_flight = cap;
	}
	app->in_flight[app->n_in_flight++] = id;
	qsort(app->in_flight, app->n_in_flight, sizeof(*app->in_flight),
	      cmp_id);
}

static void in_flight_remove(struct app *app, long long id)
{
	for (size_t i = 0; i < app->n_in_flight; i++)
		if (app->in_flight[i] == id) {
			memmove(&app->in_flight[i], &app->in_flight[i + 1],
				(app->n_in_flight - i - 1) *
					sizeof(*app->in_flight));
			app->n_in_flight--;
			return;
		}
}

/* Plan, hand what is due to the worker, and sleep until the next one: one
 * timer, re-armed whenever something changes; never a polling loop. */
static void remind_cycle(struct app *app)
{
	if (app->stopping)
		return;
	time_t now = time(NULL);
	struct remind_env env = remind_env_of(app);
	time_t next = 0;
	time_t digest_next = 0;
	if (remind_plan(app->eng.db, &env, now, &next) ||
	    digest_plan(app->eng.db, &env, now, &digest_next)) {
		/* The database is busy or broken: try again in a minute. */
		next = now + 60;
	} else if (digest_next && (!next || digest_next < next)) {
		next = digest_next;
	}
	/* Digests first: a day's digest is one message where its items
	 * would be many. */
	for (int digests = 1; digests >= 0; digests--) {
		size_t room = app->n_in_flight < REMIND_BATCH
				      ? REMIND_BATCH - app->n_in_flight
				      : 0;
		struct remind_job *jobs = NULL;
		size_t n = 0;
		if (!room || (digests ? digest_take : remind_take)(
				     app->eng.db, &env, now, app->in_flight,
				     app->n_in_flight, room, &jobs, &n))
			continue;
		for (size_t i = 0; i < n; i++) {
			in_flight_add(app, jobs[i].id);
			if (deliver_submit(app->deliver, &jobs[i].msg))
				in_flight_remove(app, jobs[i].id);
		}
		remind_jobs_free(jobs, n);
	}
	/* A full batch may have left more behind: look again once these
	 * are done (remind_done re-plans). */
	if (next) {
		struct timeval in = {.tv_sec = next > now ? next - now : 0};
		evtimer_add(app->remind_timer, &in);
	} else {
		evtimer_del(app->remind_timer);
	}
}

static void on_remind_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	remind_cycle(arg);
}

static void remind_soon(struct app *app)
{
	if (!app->remind_timer)
		return;
	struct timeval now = {0};
	evtimer_add(app->remind_timer, &now);
}

static void remind_done(long long outbox_id, bool ok, const char *error,
			void *arg)
{
	struct app *app = arg;
	in_flight_remove(app, outbox_id);
	/* deliver.c has logged a failure with its reason. */
	remind_record(app->eng.db, outbox_id, ok, error, time(NULL));
	/* Plan and take the next batch once this one is through: planning
	 * reads the schedule and the staff, too much to repeat per message
	 * when thousands go at once (a reminder to every social worker). */
	if (app->n_in_flight == 0)
		remind_soon(app);
}

/* Seconds from now to just after the next local midnight. */
static long seconds_to_midnight(const struct app *app)
{
	time_t now = time(NULL);
	time_t midnight;
	if (date_local_to_utc(app->eng.cfg.timezone,
			      date_today(app->eng.cfg.timezone, now) + 1, 0,
			      &midnight))
		return 3600;
	long left = (long)(midnight - now) + 1;
	return left > 0 ? left : 1;
}

static void arm_midnight(struct daemon *d)
{
	struct timeval in = {.tv_sec = seconds_to_midnight(&d->app)};
	evtimer_add(d->midnight, &in);
}

static void on_midnight(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	struct daemon *d = arg;
	/* A timer can fire early after a clock step; only a new day counts. */
	if (app_today(&d->app) != d->app.generated_for)
		regenerate(&d->app, "a new day");
	arm_midnight(d);
}

/* Another process (the CLI) committed. The CLI runs the engine for what it
 * changed, in the same transaction, so the schedule is complete; what the
 * daemon must do is drop the feeds it rendered (a revoked token must stop
 * working at once) and run the whole schedule only if it is not for today
 * (a CLI that could not, or another day's). A full run for 5,000 staff
 * takes a second the loop would not be serving feeds. Checking PRAGMA
 * data_version is a read of a counter in shared memory, so once a second
 * costs nothing. */
static void on_data_check(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	struct app *app = arg;
	long long version;
	if (app->stopping || db_data_version(app->eng.db, &version))
		return;
	if (version == app->data_version)
		return;
	app->data_version = version;
	feed_cache_invalidate(app->feeds);
	if (!sched_is_current(app->eng.db, app_today(app))) {
		regenerate(app, "the database was changed by another process");
	} else {
		log_info("schedule: the database was changed by another "
			 "process; feeds will be rendered again");
		/* The CLI may have added occurrences (a reminder due at once,
		 * or sooner than the timer is set for) or done some: plan
		 * again now, not at the next timer, which may be tomorrow's
		 * or none. Our own commits do not change data_version. */
		remind_soon(app);
		metrics_refresh(app);
	}
}

static void on_reload(evutil_socket_t sig, short what, void *arg)
{
	(void)sig, (void)what;
	struct daemon *d = arg;
	struct app *app = &d->app;
	notify_reloading();
	log_info("reload: reading %s", app->config_path);

	struct engine next;
	if (load_engine(app->config_path, &next)) {
		engine_done(&next);
		log_err("reload: %s has errors (above); keeping the running "
			"configuration",
			app->config_path);
		notify_status(app, "READY=1");
		return;
	}
	const struct config *cfg = &next.cfg;
	if (strcmp(cfg->listen, app->eng.cfg.listen) != 0)
		log_warn("reload: [server] listen changed to %s; still on %s "
			 "until a restart",
			 cfg->listen, app->eng.cfg.listen);
	if (strcmp(cfg->db_path, app->eng.cfg.db_path) != 0) {
		if (db_open(cfg->db_path, &next.db)) {
			log_err("reload: cannot open the new [database] path "
				"%s; keeping the running configuration",
				cfg->db_path);
			engine_done(&next);
			notify_status(app, "READY=1");
			return;
		}
		if (http_open_databases(app->http, cfg->db_path)) {
			log_err("reload: keeping the running configuration");
			engine_done(&next);
			notify_status(app, "READY=1");
			return;
		}
	} else {
		next.db = app->eng.db; /* the same database: keep it open */
		app->eng.db = NULL;
	}
	/* The HTTP loops read these: swap them while none is. */
	pthread_rwlock_wrlock(&app->conf_lock);
	struct engine old = app->eng;
	app->eng = next;
	pthread_rwlock_unlock(&app->conf_lock);
	engine_done(&old);
	http_reconfigure(app->http, &app->eng.cfg);
	feed_cache_set_budget(app->feeds, (size_t)app->eng.cfg.feed_cache_size);
	deliver_reconfigure(app->deliver, &app->eng.cfg);
	/* Feeds carry the catalog's words and lead times: render them again
	 * even if the schedule itself does not change. */
	feed_cache_invalidate(app->feeds);
	regenerate(app, "reload");
	log_info("reload: done; %zu activities loaded, %zu refused",
		 app->eng.plugins.n, app->eng.plugins.n_refused);
	notify_status(app, "READY=1");
}

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	struct daemon *d = arg;
	struct app *app = &d->app;
	if (app->stopping)
		return;
	__atomic_store_n(&app->stopping, true, __ATOMIC_RELEASE);
	notify_send("STOPPING=1");
	log_info("stop: %s received; finishing %d request(s) in flight",
		 sig == SIGTERM ? "SIGTERM" : "SIGINT",
		 http_in_flight(app->http));
	/* Each HTTP loop stops accepting, drains (up to request_timeout) and
	 * ends; the last one ends this loop. */
	http_stop(app->http);
}

static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	struct app *app = arg;
	char why[256];
	/* Only a daemon that can serve says it is alive. */
	if (app_health(app, app->eng.db, why, sizeof(why)) == 0)
		notify_send("WATCHDOG=1");
	else
		log_warn("watchdog: not pinging systemd: %s", why);
}

static void daemon_free(struct daemon *d)
{
	/* Freeing the signal events restores the default actions; a second
	 * SIGTERM during the last clean-up must not kill us mid-close, so
	 * hold them pending until we are gone. */
	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);
	struct event *events[] = {d->sigterm,  d->sigint,   d->sighup,
				  d->watchdog, d->midnight, d->data_check};
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (events[i])
			event_free(events[i]);
	http_free(d->app.http);
	deliver_free(d->app.deliver);
	if (d->app.remind_timer)
		event_free(d->app.remind_timer);
	free(d->app.in_flight);
	feed_cache_free(d->app.feeds);
	engine_done(&d->app.eng);
	if (d->lock >= 0)
		close(d->lock);
	if (d->app.base)
		event_base_free(d->app.base);
	pthread_rwlock_destroy(&d->app.conf_lock);
	rows_done(&d->app.last_month);
	pthread_mutex_destroy(&d->app.metrics_lock);
}

int daemon_serve(const char *config_path)
{
	struct daemon d = {.lock = -1};
	struct app *app = &d.app;
	int rc = 1;
	app->config_path = config_path;

	/* A client that hangs up mid-reply must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	/* A reload must not wait behind a stream of feed renders: writers
	 * first. */
	pthread_rwlockattr_t lock_attr;
	pthread_rwlockattr_init(&lock_attr);
	pthread_rwlockattr_setkind_np(
		&lock_attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&app->conf_lock, &lock_attr);
	pthread_rwlockattr_destroy(&lock_attr);
	pthread_mutex_init(&app->metrics_lock, NULL);

	if (load_engine(config_path, &app->eng)) {
		log_err("serve: %s has errors (above); not starting",
			config_path);
		goto out;
	}
	struct errlist held = {0};
	d.lock = backup_hold(app->eng.cfg.db_path, false, &held);
	for (size_t i = 0; i < held.n; i++)
		log_err("serve: %s", held.msgs[i]);
	errlist_done(&held);
	if (d.lock < 0 || db_open(app->eng.cfg.db_path, &app->eng.db))
		goto out;
	/* A damaged file is not served from (issue 14): restore a copy. */
	if (backup_quick_check(app->eng.db, app->eng.cfg.db_path, &held)) {
		for (size_t i = 0; i < held.n; i++)
			log_err("serve: %s", held.msgs[i]);
		log_err("serve: not starting on a damaged database; "
			"`qa-scheduler "
			"restore FILE` puts a copy back");
		errlist_done(&held);
		goto out;
	}
	if (token_form_key(app->eng.db, app->form_key))
		goto out;
	app->feeds = feed_cache_new((size_t)app->eng.cfg.feed_cache_size);
	if (!app->feeds)
		goto out;
	/* Signals, timers and the delivery worker's wake-ups: HTTP has loops
	 * of its own (http.c). */
	app->base = event_base_new();
	if (!app->base) {
		log_err("serve: cannot create the event loop");
		goto out;
	}
	/* Signals first: once "listening on" is logged, a supervisor may
	 * send SIGHUP or SIGTERM at any moment. */
	d.sigterm = evsignal_new(app->base, SIGTERM, on_stop, &d);
	d.sigint = evsignal_new(app->base, SIGINT, on_stop, &d);
	d.sighup = evsignal_new(app->base, SIGHUP, on_reload, &d);
	if (!d.sigterm || !d.sigint || !d.sighup ||
	    evsignal_add(d.sigterm, NULL) || evsignal_add(d.sigint, NULL) ||
	    evsignal_add(d.sighup, NULL)) {
		log_err("serve: cannot install signal handlers");
		goto out;
	}
	struct http_route routes[HTTP_MAX_ROUTES];
	app->http = http_start(app->base, &app->eng.cfg, routes,
			       routes_of(app, routes));
	if (!app->http)
		goto out;
	uint64_t watchdog_usec = notify_watchdog_usec();
	if (watchdog_usec) {
		uint64_t half = watchdog_usec / 2;
		struct timeval every = {.tv_sec = (time_t)(half / 1000000u),
					.tv_usec =
						(suseconds_t)(half % 1000000u)};
		d.watchdog =
			event_new(app->base, -1, EV_PERSIST, on_watchdog, app);
		if (!d.watchdog || event_add(d.watchdog, &every)) {
			log_err("serve: cannot arm the watchdog timer");
			goto out;
		}
		on_watchdog(-1, 0, app);
	}

	app->deliver = deliver_new(app->base, &app->eng.cfg, remind_done, app);
	app->remind_timer = evtimer_new(app->base, on_remind_timer, app);
	if (!app->deliver || !app->remind_timer) {
		log_err("serve: cannot start the reminder delivery");
		goto out;
	}
	regenerate(app, "start");
	/* Serve from here: a request that came during the first run waited
	 * in the backlog for the schedule of today. */
	if (http_run(app->http))
		goto out;
	struct timeval every_second = {.tv_sec = 1};
	d.midnight = evtimer_new(app->base, on_midnight, &d);
	d.data_check = event_new(app->base, -1, EV_PERSIST, on_data_check, app);
	if (!d.midnight || !d.data_check ||
	    event_add(d.data_check, &every_second)) {
		log_err("serve: cannot arm the schedule timers");
		goto out;
	}
	arm_midnight(&d);

	log_info("serve: ready; %zu activities loaded, %zu refused, database "
		 "%s",
		 app->eng.plugins.n, app->eng.plugins.n_refused,
		 app->eng.cfg.db_path);
	notify_status(app, "READY=1");
	if (event_base_dispatch(app->base) < 0) {
		log_err("serve: the event loop failed");
		goto out;
	}
	log_info("stop: done");
	rc = 0;
out:
	daemon_free(&d);
	return rc;
}
