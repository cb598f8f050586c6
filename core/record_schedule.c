#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "schedule.h"

/* Regenerate what filter names; a failure is said in errs. */
static int regenerate(sqlite3 *db, const struct sched_env *env,
		      const struct sched_filter *filter, struct errlist *errs)
{
	struct sched_stats stats;
	if (sched_regenerate(db, env, filter, &stats) == 0)
		return 0;
	errlist_add(errs, "the schedule could not be regenerated (reason "
			  "above); nothing changed");
	return -1;
}

int record_and_regenerate(sqlite3 *db, const struct sched_env *env,
			  const struct record_input *in, struct errlist *errs,
			  long long *id, char **said)
{
	/* The person's own series; and for the audit workflow, the built-in
	 * series (actions, moderations) of everyone it touches. */
	struct sched_filter mine = {.activity = in->activity,
				    .staff_id = in->staff_id};
	struct sched_filter audits = {.activity = SCHED_AUDIT_ACTION};
	bool workflow = strcmp(in->activity, "collaborative_audit") == 0 ||
			strcmp(in->activity, SCHED_AUDIT_ACTION) == 0 ||
			strcmp(in->activity, SCHED_MODERATION) == 0;
	bool plugin = plugin_set_find(env->plugins, in->activity) != NULL;
	*said = NULL;
	if (record_completion(db, env->plugins, in, env->today, errs, id) ||
	    (plugin && regenerate(db, env, &mine, errs)) ||
	    (workflow && regenerate(db, env, &audits, errs)))
		return -1;
	return (*said = record_describe(db, in, *id)) ? 0 : -1;
}
