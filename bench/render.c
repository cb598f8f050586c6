/* render: how long feed_render takes on a cache miss, against libical
 * serialising the same calendar (the peer, measured in the same run).
 *
 *   render [-n N] [-e EVENTS,...] CONFIG [STAFF_ID...]
 *
 * With no STAFF_ID it renders every current person's feed once and picks,
 * for each number in -e (default 25,100,170), the person whose feed has the
 * closest number of events; it prints "pick ID EVENTS" for each. Then, for
 * each person, one warm-up render and N timed ones (default 200), and N
 * times the peer: icalcomponent_as_ical_string_r of the rendered feed as
 * libical parsed it (serialisation only: no database, no refolding). One
 * line per person:
 *
 *   render ID events E bytes B mean_us M min_us m libical_us L ratio R
 *
 * where R = M / L (below 1: the render, SQL included, beats libical's
 * serialiser alone). Times are CLOCK_MONOTONIC per call. Built and run by
 * bench/render.sh against a Release libqa_core.a; not part of the tests
 * (tests never time things). For instruction counts, run it under
 * `valgrind --tool=callgrind --toggle-collect=feed_render` with the ids. */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "date.h"
#include "db.h"
#include "errlist.h"
#include "feed.h"
#include "plugin_host.h"

#define MAX_TARGETS 8

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static size_t count_events(const struct feed_doc *doc)
{
	size_t n = 0;
	const char *p = doc->body;
	while ((p = strstr(p, "BEGIN:VEVENT\r\n"))) {
		n++;
		p += 14;
	}
	return n;
}

struct bench {
	sqlite3 *db;
	struct feed_catalog catalog;
	qa_day today;
	time_t now;
};

/* 1 with the feed, 0 when there is none, -1 on error. */
static int render_once(struct bench *b, const char *id, struct feed_doc *doc)
{
	return feed_render(b->db, &b->catalog, FEED_STAFF, id, b->today, b->now,
			   doc);
}

static int pick(struct bench *b, const long *targets, size_t n_targets,
		char **picked)
{
	sqlite3_stmt *stmt = NULL;
	long best_diff[MAX_TARGETS];
	for (size_t t = 0; t < n_targets; t++)
		best_diff[t] = -1;
	if (sqlite3_prepare_v2(b->db,
			       "SELECT id FROM staff WHERE left_on IS NULL "
			       "ORDER BY id",
			       -1, &stmt, NULL) != SQLITE_OK) {
		fprintf(stderr, "render: %s\n", sqlite3_errmsg(b->db));
		return -1;
	}
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(stmt, 0);
		struct feed_doc doc;
		if (render_once(b, id, &doc) != 1)
			continue;
		long events = (long)count_events(&doc);
		feed_doc_done(&doc);
		for (size_t t = 0; t < n_targets; t++) {
			long diff = labs(events - targets[t]);
			if (best_diff[t] < 0 || diff < best_diff[t]) {
				best_diff[t] = diff;
				free(picked[t]);
				picked[t] = strdup(id);
			}
		}
	}
	sqlite3_finalize(stmt);
	for (size_t t = 0; t < n_targets; t++)
		if (!picked[t])
			return -1;
	return 0;
}

static int measure(struct bench *b, const char *id, long runs)
{
	struct feed_doc doc;
	if (render_once(b, id, &doc) != 1) {
		fprintf(stderr, "render: no feed for %s\n", id);
		return -1;
	}
	size_t events = count_events(&doc);
	size_t bytes = doc.len;
	double total = 0, fastest = 0;
	for (long i = 0; i < runs; i++) {
		struct feed_doc again;
		double t0 = now_us();
		int rc = render_once(b, id, &again);
		double took = now_us() - t0;
		if (rc != 1) {
			feed_doc_done(&doc);
			return -1;
		}
		feed_doc_done(&again);
		total += took;
		if (i == 0 || took < fastest)
			fastest = took;
	}
	icalcomponent *cal = icalparser_parse_string(doc.body);
	feed_doc_done(&doc);
	if (!cal) {
		fprintf(stderr, "render: libical cannot parse the feed of %s\n",
			id);
		return -1;
	}
	double peer = 0;
	for (long i = 0; i < runs; i++) {
		double t0 = now_us();
		char *text = icalcomponent_as_ical_string_r(cal);
		peer += now_us() - t0;
		free(text);
	}
	icalcomponent_free(cal);
	double mean = total / (double)runs, peer_mean = peer / (double)runs;
	printf("render %s events %zu bytes %zu mean_us %.1f min_us %.1f "
	       "libical_us %.1f ratio %.2f\n",
	       id, events, bytes, mean, fastest, peer_mean, mean / peer_mean);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: render [-n N] [-e EVENTS,...] CONFIG [STAFF_ID...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	long runs = 200;
	long targets[MAX_TARGETS] = {25, 100, 170};
	size_t n_targets = 3;
	int arg = 1;
	for (; arg < argc && argv[arg][0] == '-'; arg++) {
		if (strcmp(argv[arg], "-n") == 0 && arg + 1 < argc) {
			runs = strtol(argv[++arg], NULL, 10);
		} else if (strcmp(argv[arg], "-e") == 0 && arg + 1 < argc) {
			char *p = argv[++arg];
			n_targets = 0;
			while (*p && n_targets < MAX_TARGETS) {
				targets[n_targets++] = strtol(p, &p, 10);
				if (*p == ',')
					p++;
				else if (*p)
					return usage();
			}
		} else {
			return usage();
		}
	}
	if (arg >= argc || runs < 1 || n_targets == 0)
		return usage();
	const char *config_path = argv[arg++];

	struct config cfg;
	struct plugin_set plugins = {0};
	struct errlist errs = {0};
	struct bench b = {0};
	char *picked[MAX_TARGETS] = {0};
	int rc = 1;
	int loaded = config_load(config_path, &cfg, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	errlist_done(&errs);
	if (loaded)
		goto out;
	loaded = plugin_set_load(&cfg, &plugins, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	errlist_done(&errs);
	if (loaded || db_open_readonly(cfg.db_path, &b.db) ||
	    feed_catalog_build(&plugins, &cfg, &b.catalog))
		goto out;
	b.now = time(NULL);
	if (date_of_instant(b.now, cfg.timezone, &b.today))
		goto out;
	if (arg == argc) {
		if (pick(&b, targets, n_targets, picked))
			goto out;
		for (size_t t = 0; t < n_targets; t++) {
			struct feed_doc doc;
			if (render_once(&b, picked[t], &doc) != 1)
				goto out;
			printf("pick %s %zu\n", picked[t], count_events(&doc));
			feed_doc_done(&doc);
		}
		fflush(stdout);
		for (size_t t = 0; t < n_targets; t++)
			if (measure(&b, picked[t], runs))
				goto out;
	} else {
		for (; arg < argc; arg++)
			if (measure(&b, argv[arg], runs))
				goto out;
	}
	rc = 0;
out:
	for (size_t t = 0; t < MAX_TARGETS; t++)
		free(picked[t]);
	feed_catalog_done(&b.catalog);
	db_close(b.db);
	plugin_set_done(&plugins);
	config_done(&cfg);
	return rc;
}
