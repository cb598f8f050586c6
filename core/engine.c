#include "engine.h"

#include <string.h>

#include "date.h"
#include "db.h"

enum engine_failure engine_open(const char *path, unsigned what,
				struct engine *e, struct errlist *errs)
{
	memset(e, 0, sizeof(*e));
	enum engine_failure failure = ENGINE_OK;
	if (config_load(path, &e->cfg, errs))
		failure = ENGINE_BAD_CONFIG;
	plugin_set_load(&e->cfg, &e->plugins, errs);
	if (holidays_load(&e->cfg.holidays, &e->holidays, errs) && !failure)
		failure = ENGINE_BAD_CALENDAR;
	if (failure)
		return failure;
	if ((what & ENGINE_CATALOG) &&
	    feed_catalog_build(&e->plugins, &e->cfg, &e->catalog))
		return ENGINE_NO_CATALOG;
	if ((what & ENGINE_DATABASE) && db_open(e->cfg.db_path, &e->db))
		return ENGINE_NO_DATABASE;
	return ENGINE_OK;
}

void engine_done(struct engine *e)
{
	db_close(e->db);
	e->db = NULL;
	feed_catalog_done(&e->catalog);
	holidays_done(&e->holidays);
	plugin_set_done(&e->plugins);
	config_done(&e->cfg);
}

struct sched_env engine_env(struct engine *e, time_t now)
{
	return (struct sched_env){.plugins = &e->plugins,
				  .holidays = &e->holidays,
				  .tzid = e->cfg.timezone,
				  .today = date_today(e->cfg.timezone, now),
				  .now = now};
}
