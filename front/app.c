#include "app.h"

#include <stdio.h>
#include <time.h>

#include "date.h"

qa_day app_today(const struct app *app)
{
	return date_today(app->eng.cfg.timezone, time(NULL));
}

int app_health(struct app *app, sqlite3 *db, char *why, size_t why_size)
{
	if (__atomic_load_n(&app->stopping, __ATOMIC_ACQUIRE)) {
		snprintf(why, why_size, "stopping");
		return -1;
	}
	if (!db ||
	    sqlite3_exec(db, "SELECT 1", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(why, why_size, "database %s: %s", app->eng.cfg.db_path,
			 db ? sqlite3_errmsg(db) : "not open");
		return -1;
	}
	if (app->eng.plugins.n == 0) {
		snprintf(why, why_size, "no activity plugin loaded from %s",
			 app->eng.cfg.plugins_dir);
		return -1;
	}
	return 0;
}

/* From a cold regeneration of a few people (milliseconds) to one of 5,000
 * staff (about two seconds) and beyond. */
const double app_regen_bounds[APP_REGEN_BUCKETS] = {0.05, 0.1, 0.25, 0.5,
						    1,    2,   5,    10};

void app_regen_observe(struct app *app, double seconds, bool ok)
{
	pthread_mutex_lock(&app->metrics_lock);
	size_t b = 0;
	while (b < APP_REGEN_BUCKETS && seconds > app_regen_bounds[b])
		b++;
	app->regen_buckets[b]++;
	app->regen_count++;
	app->regen_seconds += seconds;
	if (ok)
		app->regen_last_success = time(NULL);
	pthread_mutex_unlock(&app->metrics_lock);
}
