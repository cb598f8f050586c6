/* engine: what the configuration names, loaded and opened the one way the
 * command line and the daemon both use: the config, its holiday calendars,
 * the activity plugins, the feed catalog and the database. */
#ifndef QA_ENGINE_H
#define QA_ENGINE_H

#include <sqlite3.h>
#include <time.h>

#include "config.h"
#include "errlist.h"
#include "feed.h"
#include "holidays.h"
#include "plugin_host.h"
#include "schedule.h"

struct engine {
	struct config cfg;
	struct holidays holidays;
	struct plugin_set plugins;
	struct feed_catalog catalog; /* with ENGINE_CATALOG */
	sqlite3 *db;                 /* with ENGINE_DATABASE (read-write) */
};

/* What engine_open opens beyond the config, calendars and plugins. */
enum {
	ENGINE_CATALOG = 1,  /* the feed catalog, for rendering feeds */
	ENGINE_DATABASE = 2, /* the database, read-write (migrated) */
};

enum engine_failure {
	ENGINE_OK = 0,
	ENGINE_BAD_CONFIG,   /* the config has errors */
	ENGINE_BAD_CALENDAR, /* a holiday calendar does not parse */
	ENGINE_NO_CATALOG,   /* out of memory */
	ENGINE_NO_DATABASE,  /* cannot be opened (logged) */
};

/* Load the config at path and everything it names. Every problem is
 * appended to errs, and as much is loaded as can be, so that one run
 * reports everything to fix: a broken config still has its plugins and
 * calendars checked. A refused plugin is a problem but no failure: the
 * others serve. A holiday calendar that does not parse is: every
 * working-day date would be wrong. Returns the first failure in the order
 * of enum engine_failure, or ENGINE_OK; free e with engine_done either
 * way. */
enum engine_failure engine_open(const char *path, unsigned what,
				struct engine *e, struct errlist *errs);

/* Free what e holds (not e). */
void engine_done(struct engine *e);

/* The schedule's view of e at instant now: its day is date_today's. */
struct sched_env engine_env(struct engine *e, time_t now);

#endif
