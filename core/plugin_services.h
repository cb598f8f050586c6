/* plugin_services: what the host lends a plugin while it generates (struct
 * qa_host in qa-scheduler/plugin.h): emit, with the checks that keep a
 * misbehaving plugin's occurrences out of the schedule; RRULE expansion;
 * working days; the completions recorded; and the two series most plugins
 * are made of, one deadline a period and an RRULE's dates.
 *
 * Internal to the schedule engine: schedule.c fills a struct gen for each
 * generate() call and lends it through the plugin's host, and the audit
 * workflow emits its built-in series through the same checks. The services
 * read the database (completions) and never write it. */
#ifndef QA_PLUGIN_SERVICES_H
#define QA_PLUGIN_SERVICES_H

#include <sqlite3.h>

#include "holidays.h"
#include "plugin_host.h"
#include "sched_occ.h"

/* Days past which a plugin's dates are nonsense, not a schedule: emit
 * refuses them. */
#define SCHED_MAX_SPAN_DAYS (366 * 3)

/* Statements prepared on first use and kept for a whole run, not prepared
 * again for each person. {0} before the first use. */
struct gen_queries {
	sqlite3_stmt *completions; /* for_each_completion of one person */
	sqlite3_stmt *completions_anyone; /* for_each_completion of anyone */
};

/* Finalize them; *q is left as {0}. */
void services_queries_finish(struct gen_queries *q);

/* What one generate() call works with. */
struct gen {
	sqlite3 *db;
	qa_day today;
	const char *tzid; /* the organisation's: EVENT times to UTC */
	const struct holidays *holidays;
	struct plugin *plugin;      /* whose occurrences these are */
	const char *subject_id;     /* "" for an audience-wide series */
	struct sched_occ_list *out; /* emitted occurrences are appended */
	struct gen_queries *queries;
	int failed; /* emit refused something: the plugin misbehaved */
	/* A service failed for the host's own reason (out of memory, a
	 * database error): not the plugin's fault, so the regeneration
	 * fails rather than the plugin being disabled (issue 14). */
	int host_failed;
};

/* Lend g's services to p for one generate() call: p->host_data = g, and
 * every callback of p->host. The caller sets p->host_data back to NULL
 * after the call; g must outlive it. */
void services_lend(struct plugin *p, struct gen *g);

/* Check o and append it to g->out as g->plugin's occurrence for
 * g->subject_id, completed: the plugin's title for an empty summary, its
 * [activity] duration for none, EVENT times in UTC. Its uid is left "": the
 * engine names occurrences. 0, or -1 after logging: refused (a key used
 * twice, a date years away, ...: the plugin is at fault) or out of memory,
 * g->failed set either way. */
int services_emit(struct gen *g, const struct qa_occurrence *o);

#endif
