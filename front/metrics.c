#include "metrics.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <pthread.h>
#include <string.h>

#include "due.h"
#include "errlist.h"
#include "feed_cache.h"
#include "loaded_plugin.h"
#include "log.h"
#include "plugin_host.h"
#include "remind.h"
#include "report.h"
#include "schedule.h"

static void write_feed_cache(struct evbuffer *buf, struct feed_cache *cache)
{
	struct feed_cache_stats fs;
	feed_cache_stats(cache, &fs);
	evbuffer_add_printf(
		buf,
		"# HELP qa_feed_cache_total Feed requests served "
		"from memory (hit), rendered, or unknown.\n"
		"# TYPE qa_feed_cache_total counter\n"
		"qa_feed_cache_total{result=\"hit\"} %llu\n"
		"qa_feed_cache_total{result=\"render\"} %llu\n"
		"qa_feed_cache_total{result=\"unknown\"} %llu\n"
		"# HELP qa_feed_cache_evictions_total Feeds dropped "
		"from memory to stay within [server] "
		"feed_cache_size.\n"
		"# TYPE qa_feed_cache_evictions_total counter\n"
		"qa_feed_cache_evictions_total %llu\n"
		"# HELP qa_feed_cache_bytes Bytes of feeds (and their "
		"gzip forms) held in memory.\n"
		"# TYPE qa_feed_cache_bytes gauge\n"
		"qa_feed_cache_bytes %zu\n"
		"# HELP qa_feed_cache_entries Feeds held in memory.\n"
		"# TYPE qa_feed_cache_entries gauge\n"
		"qa_feed_cache_entries %zu\n",
		fs.hits, fs.renders, fs.misses, fs.evictions, fs.bytes,
		fs.entries);
}

static void write_reminders(struct evbuffer *buf, sqlite3 *db)
{
	static const char *const names[] = {"qa_reminders", "qa_digests"};
	static const char *const helps[] = {
		"Reminder deliveries in the outbox, by state.",
		"Digest deliveries (daily, weekly, holiday calendar) in the "
		"outbox, by state; delivered ones are kept 35 days."};
	for (int k = 0; k < 2; k++) {
		struct remind_counts rc;
		if (remind_counts(db, k == 1, &rc))
			return;
		evbuffer_add_printf(buf,
				    "# HELP %s %s\n# TYPE %s gauge\n"
				    "%s{state=\"pending\"} %lld\n"
				    "%s{state=\"sent\"} %lld\n"
				    "%s{state=\"failed\"} %lld\n"
				    "%s{state=\"skipped\"} %lld\n",
				    names[k], helps[k], names[k], names[k],
				    rc.pending, names[k], rc.sent, names[k],
				    rc.failed, names[k], rc.skipped);
	}
}

/* A label value as Prometheus' text format wants it: \\, \" and \\n. */
static void put_label(struct evbuffer *buf, const char *value)
{
	for (const char *c = value; *c; c++) {
		if (*c == '\\' || *c == '"')
			evbuffer_add_printf(buf, "\\%c", *c);
		else if (*c == '\n')
			evbuffer_add(buf, "\\n", 2);
		else
			evbuffer_add(buf, c, 1);
	}
}

struct by_channel {
	struct evbuffer *buf;
	const char *kind;
};

static void write_by_channel(const char *channel, const char *state,
			     long long n, void *arg)
{
	struct by_channel *c = arg;
	evbuffer_add_printf(c->buf,
			    "qa_deliveries{kind=\"%s\",channel=\"%s\","
			    "state=\"%s\"} %lld\n",
			    c->kind, channel, state, n);
}

static void write_deliveries(struct evbuffer *buf, sqlite3 *db)
{
	evbuffer_add_printf(buf, "# HELP qa_deliveries Reminders and digests "
				 "in the outboxes, by channel and state.\n"
				 "# TYPE qa_deliveries gauge\n");
	struct by_channel reminders = {buf, "reminder"},
			  digests = {buf, "digest"};
	remind_count_by_channel(db, false, write_by_channel, &reminders);
	remind_count_by_channel(db, true, write_by_channel, &digests);
}

/* One series per plugin: loaded and serving (1) or disabled by a failed
 * generation (0), and its failures since it loaded. */
static void write_plugins(struct evbuffer *buf, const struct plugin_set *set)
{
	evbuffer_add_printf(buf,
			    "# HELP qa_plugin_loaded Each activity plugin: 1 "
			    "loaded and serving, 0 disabled after a failed "
			    "generation (refused ones are counted in "
			    "qa_plugins).\n"
			    "# TYPE qa_plugin_loaded gauge\n");
	for (size_t i = 0; i < set->n; i++) {
		evbuffer_add_printf(buf, "qa_plugin_loaded{activity=\"");
		put_label(buf, set->items[i].desc->id);
		evbuffer_add_printf(buf, "\"} %d\n", !set->items[i].disabled);
	}
	evbuffer_add_printf(buf,
			    "# HELP qa_plugin_generate_errors_total Failed "
			    "generations of each plugin since it was loaded.\n"
			    "# TYPE qa_plugin_generate_errors_total counter\n");
	for (size_t i = 0; i < set->n; i++) {
		evbuffer_add_printf(buf,
				    "qa_plugin_generate_errors_total{activity="
				    "\"");
		put_label(buf, set->items[i].desc->id);
		evbuffer_add_printf(buf, "\"} %lu\n",
				    set->items[i].generate_errors);
	}
}

static void write_regeneration(struct evbuffer *buf, struct app *app)
{
	pthread_mutex_lock(&app->metrics_lock);
	evbuffer_add_printf(buf,
			    "# HELP qa_regeneration_seconds How long each full "
			    "regeneration of the schedule took.\n"
			    "# TYPE qa_regeneration_seconds histogram\n");
	unsigned long cumulative = 0;
	for (size_t b = 0; b <= APP_REGEN_BUCKETS; b++) {
		cumulative += app->regen_buckets[b];
		if (b < APP_REGEN_BUCKETS)
			evbuffer_add_printf(buf,
					    "qa_regeneration_seconds_bucket{le="
					    "\"%g\"} %lu\n",
					    app_regen_bounds[b], cumulative);
		else
			evbuffer_add_printf(buf,
					    "qa_regeneration_seconds_bucket{le="
					    "\"+Inf\"} %lu\n",
					    cumulative);
	}
	evbuffer_add_printf(buf,
			    "qa_regeneration_seconds_sum %.6f\n"
			    "qa_regeneration_seconds_count %lu\n"
			    "# HELP qa_regeneration_last_success_seconds When "
			    "the last full regeneration that succeeded "
			    "finished (Unix time).\n"
			    "# TYPE qa_regeneration_last_success_seconds "
			    "gauge\n"
			    "qa_regeneration_last_success_seconds %lld\n",
			    app->regen_seconds, app->regen_count,
			    (long long)app->regen_last_success);
	pthread_mutex_unlock(&app->metrics_lock);
}

static void write_occurrences(const char *status, long long n, void *arg)
{
	evbuffer_add_printf(arg, "qa_occurrences{status=\"%s\"} %lld\n", status,
			    n);
}

static void write_overdue(const char *team, const char *activity, long long n,
			  void *arg)
{
	struct evbuffer *buf = arg;
	evbuffer_add_printf(buf, "qa_overdue{team=\"");
	put_label(buf, team);
	evbuffer_add_printf(buf, "\",activity=\"");
	put_label(buf, activity);
	evbuffer_add_printf(buf, "\"} %lld\n", n);
}

void metrics_refresh(struct app *app)
{
	if (!plugin_set_find(&app->eng.plugins, "supervision")) {
		/* Not loaded: no figures, and nothing wrong. */
		pthread_mutex_lock(&app->metrics_lock);
		struct rows old = app->last_month;
		memset(&app->last_month, 0, sizeof(app->last_month));
		pthread_mutex_unlock(&app->metrics_lock);
		rows_done(&old);
		return;
	}
	struct sched_env env = engine_env(&app->eng, time(NULL));
	struct report_filter filter = {0};
	qa_day from;
	report_default_range(env.today, &from, &filter.to);
	filter.from = qa_period_start(filter.to, QA_PERIOD_MONTH);
	struct rows rows;
	struct errlist errs = {0};
	if (report_supervision(app->eng.db, &env, &filter, &rows, &errs)) {
		for (size_t i = 0; i < errs.n; i++)
			log_err("metrics: %s", errs.msgs[i]);
		log_err("metrics: supervision in date not worked out; "
			"/metrics keeps the last figures");
		rows_done(&rows);
		errlist_done(&errs);
		return;
	}
	pthread_mutex_lock(&app->metrics_lock);
	struct rows old = app->last_month;
	app->last_month = rows;
	pthread_mutex_unlock(&app->metrics_lock);
	rows_done(&old);
}

static void write_last_month(struct evbuffer *buf, struct app *app)
{
	evbuffer_add_printf(buf,
			    "# HELP qa_supervision_percent_in_date People in "
			    "date with supervision at the end of the last "
			    "whole month, by team, in percent (`report "
			    "supervision`).\n"
			    "# TYPE qa_supervision_percent_in_date gauge\n");
	pthread_mutex_lock(&app->metrics_lock);
	const struct rows *r = &app->last_month;
	for (size_t i = 0; i < r->n; i++) {
		const char *percent = rows_cell(r, i, "percent_in_date");
		if (!percent)
			continue; /* no one to be in date */
		evbuffer_add_printf(buf,
				    "qa_supervision_percent_in_date{team=\"");
		put_label(buf, rows_cell(r, i, "team"));
		evbuffer_add_printf(buf, "\"} %s\n", percent);
	}
	pthread_mutex_unlock(&app->metrics_lock);
}

/* Days left of each holiday calendar: after its last day, every weekday
 * would count as a working day. */
static void write_holidays(struct evbuffer *buf, const struct holidays *h,
			   qa_day today)
{
	evbuffer_add_printf(buf,
			    "# HELP qa_holidays_days_left Days until the last "
			    "day each holiday calendar covers (the end of the "
			    "year of its last holiday).\n"
			    "# TYPE qa_holidays_days_left gauge\n");
	for (size_t i = 0; i < h->n_files; i++) {
		evbuffer_add_printf(buf, "qa_holidays_days_left{file=\"");
		put_label(buf, h->files[i].path);
		evbuffer_add_printf(buf, "\"} %d\n",
				    h->files[i].covers_to - today);
	}
}

static void handle_metrics(struct evhttp_request *req, const char *path,
			   struct http_loop *loop, void *arg)
{
	(void)path;
	struct app *app = arg;
	sqlite3 *db = http_loop_db(loop);
	struct evbuffer *buf = evbuffer_new();
	if (!buf) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	http_write_metrics(http_loop_server(loop), buf);
	write_feed_cache(buf, app->feeds);
	write_reminders(buf, db);
	write_deliveries(buf, db);
	write_regeneration(buf, app);
	evbuffer_add_printf(buf, "# HELP qa_occurrences Occurrences in the "
				 "schedule, by status.\n"
				 "# TYPE qa_occurrences gauge\n");
	sched_count_by_status(db, write_occurrences, buf);
	evbuffer_add_printf(buf, "# HELP qa_overdue People overdue today, by "
				 "team and activity (as `due` lists them).\n"
				 "# TYPE qa_overdue gauge\n");
	pthread_rwlock_rdlock(&app->conf_lock);
	qa_day today = app_today(app);
	pthread_rwlock_unlock(&app->conf_lock);
	due_count_overdue(db, today, write_overdue, buf);
	write_last_month(buf, app);
	pthread_rwlock_rdlock(&app->conf_lock);
	struct plugin_counts plugins = plugin_set_count(&app->eng.plugins);
	write_plugins(buf, &app->eng.plugins);
	write_holidays(buf, &app->eng.holidays, today);
	pthread_rwlock_unlock(&app->conf_lock);
	evbuffer_add_printf(buf,
			    "# HELP qa_plugins Activity plugins, by state.\n"
			    "# TYPE qa_plugins gauge\n"
			    "qa_plugins{state=\"loaded\"} %zu\n"
			    "qa_plugins{state=\"refused\"} %zu\n"
			    "qa_plugins{state=\"disabled\"} %zu\n",
			    plugins.loaded, plugins.refused, plugins.disabled);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	evhttp_add_header(out, "Content-Type",
			  "text/plain; version=0.0.4; charset=utf-8");
	evhttp_add_header(out, "Cache-Control", "no-store");
	evhttp_send_reply(req, HTTP_OK, "OK", buf);
	evbuffer_free(buf);
}

struct http_route metrics_route(struct app *app)
{
	return (struct http_route){.path = "/metrics",
				   .handle = handle_metrics,
				   .arg = app,
				   .read_only = true};
}
