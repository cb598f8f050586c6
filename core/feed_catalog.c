/* feed_catalog: what feeds say about each activity (its words, categories,
 * lead times, escaped once) and the organisation's VTIMEZONE, built from the
 * plugins and the config when they load, not per request. */
#include "feed.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_workflow.h"
#include "date.h"
#include "ical_write.h"
#include "log.h"
#include "roles.h"
#include "vtimezone.h"

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static void activity_free(struct feed_activity *a)
{
	free(a->id);
	free(a->title);
	free(a->description);
	free(a->responsible);
	free(a->frequency);
	free(a->reporting);
	free(a->categories_text);
	free(a->tail_text);
}

void feed_catalog_done(struct feed_catalog *cat)
{
	for (size_t i = 0; i < cat->n; i++)
		activity_free(&cat->items[i]);
	free(cat->items);
	free(cat->tzid);
	free(cat->vtimezone);
	date_offsets_done(&cat->offsets);
	memset(cat, 0, sizeof(*cat));
}

static int parse_leads(const char *text, struct feed_activity *a)
{
	struct config_list items = {0};
	a->n_leads = 0;
	if (!text || strcmp(text, "none") == 0)
		return 0;
	if (config_split_list(text, &items))
		return -1;
	for (size_t i = 0; i < items.n && a->n_leads < FEED_MAX_LEADS; i++) {
		long seconds;
		if (config_parse_duration(items.items[i], &seconds) == 0 &&
		    seconds > 0)
			a->leads[a->n_leads++] = seconds;
	}
	config_list_done(&items);
	return 0;
}

/* Escalation steps as checked at load (plugin_config_steps); none when
 * unset. */
static void set_steps(int steps[2], size_t *n, const char *text)
{
	int got = plugin_config_steps(text, steps);
	*n = got > 0 ? (size_t)got : 0;
}

/* b's bytes as a NUL-terminated string of the caller's, or NULL when out
 * of memory (b is emptied either way). */
static char *buf_take(struct ical_buf *b, size_t *len)
{
	if (!ical_buf_reserve(b, 1) || b->failed) {
		ical_buf_done(b);
		return NULL;
	}
	b->data[b->len] = '\0';
	char *text = b->data;
	*len = b->len;
	memset(b, 0, sizeof(*b));
	return text;
}

/* The TEXT forms every event of a shows. 0, or -1 when out of memory. */
static int activity_escape(struct feed_activity *a)
{
	struct ical_buf b = {0};
	ical_escape_str(&b, a->title);
	a->categories_text = buf_take(&b, &a->categories_len);
	/* What every DESCRIPTION of a ends with, after the occurrence's own
	 * detail: the description, who is responsible, how often, and where
	 * it is reported. */
	ical_escape_str(&b, a->description);
	static const char responsible[] = "\\n\\nResponsible: ";
	static const char frequency[] = "\\nFrequency: ";
	static const char reporting[] = "\\nReporting: ";
	if (*a->responsible) {
		ical_buf_append(&b, responsible, sizeof(responsible) - 1);
		ical_escape_str(&b, a->responsible);
	}
	if (*a->frequency) {
		ical_buf_append(&b, frequency, sizeof(frequency) - 1);
		ical_escape_str(&b, a->frequency);
	}
	if (*a->reporting) {
		ical_buf_append(&b, reporting, sizeof(reporting) - 1);
		ical_escape_str(&b, a->reporting);
	}
	a->tail_text = buf_take(&b, &a->tail_len);
	return a->categories_text && a->tail_text ? 0 : -1;
}

/* An activity's words (copies; NULL words are empty). 0, or -1 when out of
 * memory (what was copied is freed with the catalog). */
static int set_words(struct feed_activity *a, const char *id, const char *title,
		     const char *description, const char *responsible,
		     const char *frequency, const char *reporting)
{
	a->id = strdup(id);
	a->title = strdup(title);
	a->description = dup_or_empty(description);
	a->responsible = dup_or_empty(responsible);
	a->frequency = dup_or_empty(frequency);
	a->reporting = dup_or_empty(reporting);
	return a->id && a->title && a->description && a->responsible &&
			       a->frequency && a->reporting
		       ? 0
		       : -1;
}

/* The built-in series of the audit workflow, which no plugin describes. */
static const struct builtin {
	const char *id, *title, *description, *responsible, *frequency,
		*reporting, *leads;
	/* collaborative_audit's keys for its escalation, and their
	 * defaults when it is not loaded */
	const char *escalate_key, *escalate, *urgent_key, *urgent;
} builtins[] = {
	/* Due 28 days (or 5 working days) after an audit, signed off by the
	 * line manager. */
	{SCHED_AUDIT_ACTION, "Audit actions",
	 "Actions identified by a collaborative case file audit are "
	 "completed within a 4 week period and signed off by the line "
	 "manager of the social worker; for inadequate audits where "
	 "safeguarding concerns have been identified, within 5 working "
	 "days at most.",
	 "The social worker; signed off by their line manager",
	 "After each collaborative audit",
	 "Progress is tracked for the child or young person to avoid drift "
	 "and delay.",
	 "7d, 1d", "action_escalate", "1, 5", "urgent_action_escalate", "1, 2"},
	/* Stage 2, asked for with an audit. */
	{SCHED_MODERATION, "Stage 2 moderation",
	 "Stage 2: a reflective discussion facilitated by the moderator "
	 "with the manager and the social worker, one hour at most, to "
	 "discuss the case audit and reflect on the practice to enhance "
	 "outcomes. Where the moderator does not agree with the audit "
	 "outcome, they agree a revised grading with the auditor.",
	 "The moderator: a practice manager of another team, a group manager "
	 "or above, or the QA team",
	 "A sample of audits",
	 "Moderators send their moderation to the Quality Assurance Team and "
	 "alert the practice manager and group manager.",
	 "2d", "escalate", "1, 10", NULL, NULL},
};

#define N_BUILTINS (sizeof(builtins) / sizeof(builtins[0]))

/* 1 January of year, 00:00 UTC. */
static time_t year_start(int year)
{
	return (time_t)qa_day_from_ymd(year, 1, 1) * 86400;
}

int feed_catalog_build(const struct plugin_set *plugins,
		       const struct config *cfg, struct feed_catalog *out)
{
	memset(out, 0, sizeof(*out));
	out->items = calloc(plugins->n + N_BUILTINS, sizeof(*out->items));
	out->tzid = strdup(cfg->timezone);
	time_t now = time(NULL);
	int y, m, d;
	qa_day_to_ymd(date_today(cfg->timezone, now), &y, &m, &d);
	out->vtimezone = vtimezone_compact(cfg->timezone, y);
	out->refresh = cfg->feed_refresh;
	char why[256];
	/* Checked once here for the window feeds show, not per request. A
	 * zone whose rules cannot be written as open-ended yearly rules (or
	 * changed lately) gets its times in UTC instead: always right, if
	 * less friendly. */
	if (out->vtimezone &&
	    vtimezone_check(out->vtimezone, cfg->timezone, now - 100 * 86400L,
			    now + 400 * 86400L, why, sizeof(why))) {
		log_warn("feed: the compact VTIMEZONE for %s is wrong (%s); "
			 "feeds give times in UTC",
			 cfg->timezone, why);
		free(out->vtimezone);
		out->vtimezone = NULL;
	} else if (!out->vtimezone) {
		log_warn("feed: no compact VTIMEZONE for %s; feeds give times "
			 "in UTC",
			 cfg->timezone);
	}
	/* Without the table local times still come right, from libical. */
	if (out->vtimezone &&
	    date_offsets_build(cfg->timezone, year_start(y - 1),
			       year_start(y + 5), &out->offsets))
		log_warn("feed: local times in feeds will be slower to work "
			 "out");
	if (!out->items || !out->tzid)
		goto fail;
	for (size_t i = 0; i < plugins->n; i++) {
		const struct plugin *p = &plugins->items[i];
		const struct qa_plugin *desc = p->desc;
		struct feed_activity *a = &out->items[out->n++];
		if (set_words(a, desc->id, desc->title, desc->description,
			      desc->responsible, desc->frequency,
			      desc->reporting))
			goto fail;
		a->everyone = strcmp(desc->roles, "*") == 0;
		a->audience = desc->scope == QA_SCOPE_AUDIENCE;
		unsigned mask = 0;
		char role_why[256];
		if (!a->everyone && roles_parse(desc->roles, &mask, role_why,
						sizeof(role_why)) == 0)
			a->roles = mask; /* as the schedule reads it */
		if (parse_leads(plugin_config_value(p, "reminders"), a))
			goto fail;
		set_steps(a->escalate, &a->n_escalate,
			  plugin_config_value(p, "escalate"));
	}
	const struct plugin *audit =
		plugin_set_find(plugins, "collaborative_audit");
	for (size_t i = 0; i < N_BUILTINS; i++) {
		const struct builtin *b = &builtins[i];
		struct feed_activity *a = &out->items[out->n++];
		if (set_words(a, b->id, b->title, b->description,
			      b->responsible, b->frequency, b->reporting) ||
		    parse_leads(b->leads, a))
			goto fail;
		set_steps(a->escalate, &a->n_escalate,
			  audit ? plugin_config_value(audit, b->escalate_key)
				: b->escalate);
		if (b->urgent_key)
			set_steps(a->urgent_escalate, &a->n_urgent_escalate,
				  audit ? plugin_config_value(audit,
							      b->urgent_key)
					: b->urgent);
	}
	for (size_t i = 0; i < out->n; i++)
		if (activity_escape(&out->items[i]))
			goto fail;
	return 0;
fail:
	log_err("feed: cannot build the activity catalog: out of memory");
	feed_catalog_done(out);
	return -1;
}
