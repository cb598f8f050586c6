/* reg44_visit: the QA residential lead's annual safeguarding assurance /
 * Regulation 44 visit to each externally commissioned placement listed in
 * config ("Name of home=MM; ..."), due by the last working day of its month:
 * one series per home.
 *
 * Placements are homes, never children: feeds go to third-party calendars.
 *
 * A visit is recorded with the home it was to (`record reg44_visit --home
 * NAME`; the host checks the name against for_each_home) and counts for
 * that home only: for its due whose 12-month window (ending at the due
 * date) holds it. Visits recorded before homes were (by 0.1.0) keep that
 * release's rule: each counts for the placement due soonest whose window
 * holds it. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qa-scheduler/plugin.h"
#include "qa-scheduler/util.h"

/* Names appear in feed summaries and keys: a line, not an essay. */
#define HOME_MAX 100

struct placement {
	const char *home; /* into text */
	int month;        /* 1-12: the visit is due by the end of it */
};

struct placements {
	char *text; /* owned copy of `placements`, cut in place */
	struct placement *items;
	size_t n;
};

/* "Oak House (Crawley)" -> "oak-house-crawley": the key must not change when
 * only spacing or case does, and must be safe inside a UID. */
static void slugify(const char *home, char slug[HOME_MAX + 1])
{
	size_t len = 0;
	int dash = 0;
	for (const char *c = home; *c && len < HOME_MAX; c++) {
		if (isalnum((unsigned char)*c) && (unsigned char)*c < 128) {
			if (dash && len > 0)
				slug[len++] = '-';
			if (len < HOME_MAX)
				slug[len++] = (char)tolower((unsigned char)*c);
			dash = 0;
		} else {
			dash = 1;
		}
	}
	slug[len] = '\0';
}

static void release(void *state)
{
	struct placements *list = state;
	if (!list)
		return;
	free(list->items);
	free(list->text);
	free(list);
}

static int parse_month(const char *text)
{
	char *end = NULL;
	long month = strtol(text, &end, 10);
	if (!isdigit((unsigned char)*text) || *end || month < 1 || month > 12)
		return -1;
	return (int)month;
}

static int init(const struct qa_host *host, void **state)
{
	const char *value = host->config_get(host, "placements");
	struct placements *list = calloc(1, sizeof *list);
	if (!list || !(list->text = strdup(value ? value : "")))
		goto nomem;
	/* At most one placement per ';'-separated item. */
	size_t max = 1;
	for (const char *c = list->text; *c; c++)
		max += *c == ';';
	if (!(list->items = calloc(max, sizeof *list->items)))
		goto nomem;
	char *cursor = list->text, *home, *month_text;
	int got;
	while ((got = qa_next_pair(&cursor, 1, &home, &month_text)) != 0) {
		if (got < 0) {
			host->log(host, QA_LOG_ERR,
				  "reg44_visit: placements: \"%s\" is not "
				  "HOME=MONTH (e.g. Oak House=03); fix "
				  "[activity.reg44_visit] placements",
				  home);
			goto refuse;
		}
		int month = parse_month(month_text);
		if (month < 0) {
			host->log(host, QA_LOG_ERR,
				  "reg44_visit: placements: \"%s\" has month "
				  "\"%s\"; give the month its visit is due "
				  "by as 1-12",
				  home, month_text);
			goto refuse;
		}
		char slug[HOME_MAX + 1];
		slugify(home, slug);
		if (strlen(home) > HOME_MAX || !*slug) {
			host->log(host, QA_LOG_ERR,
				  "reg44_visit: placements: \"%s\" needs a "
				  "home name of 1 to %d characters with a "
				  "letter or digit",
				  home, HOME_MAX);
			goto refuse;
		}
		/* As `record --home` matches them: "Oak House" and
		 * "Oakhouse" would be one home there. */
		for (size_t i = 0; i < list->n; i++) {
			if (qa_same_name(list->items[i].home, home)) {
				host->log(host, QA_LOG_ERR,
					  "reg44_visit: placements: \"%s\" "
					  "and \"%s\" name the same home; "
					  "list each home once",
					  list->items[i].home, home);
				goto refuse;
			}
		}
		list->items[list->n++] = (struct placement){home, month};
	}
	*state = list;
	return 0;
nomem:
	host->log(host, QA_LOG_ERR, "reg44_visit: out of memory");
refuse:
	release(list);
	return -1;
}

struct visit_due {
	qa_day due;
	size_t placement;
	qa_day done_on;
};

static int by_due(const void *a, const void *b)
{
	const struct visit_due *x = a, *y = b;
	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return x->placement < y->placement ? -1 : x->placement > y->placement;
}

struct visits {
	qa_day *days;
	size_t n, size;
	int failed;
};

static int on_visit(qa_day day, void *arg)
{
	struct visits *visits = arg;
	if (visits->n == visits->size) {
		size_t size = visits->size ? 2 * visits->size : 16;
		qa_day *days = realloc(visits->days, size * sizeof *days);
		if (!days) {
			visits->failed = 1;
			return 1;
		}
		visits->days = days;
		visits->size = size;
	}
	visits->days[visits->n++] = day;
	return 0;
}

/* The visits at home ("" : recorded without one) in [from, to], oldest
 * first, into visits (emptied first). 0 or -1. */
static int visits_at(const struct qa_host *host,
		     const struct qa_subject *subject, const char *home,
		     qa_day from, qa_day to, struct visits *visits)
{
	visits->n = 0;
	if (host->for_each_completion_at(host, "reg44_visit", subject->staff_id,
					 home, from, to, on_visit, visits) < 0)
		return -1;
	if (visits->failed) {
		host->log(host, QA_LOG_ERR, "reg44_visit: out of memory");
		return -1;
	}
	return 0;
}

/* Dues in due order (those of placement `only`, or of every placement when
 * only is SIZE_MAX) each take the earliest unused visit in the 12 months
 * ending on the due date. Windows open in due order, so a visit too early
 * for one due is too early for every later one. */
static void match(struct visit_due *dues, size_t n, size_t only,
		  const struct visits *visits)
{
	size_t next = 0;
	for (size_t k = 0; k < n; k++) {
		if (dues[k].done_on != QA_DAY_NONE ||
		    (only != SIZE_MAX && dues[k].placement != only))
			continue;
		qa_day opens = qa_day_add_months(dues[k].due, -12) + 1;
		while (next < visits->n && visits->days[next] < opens)
			next++;
		if (next < visits->n && visits->days[next] <= dues[k].due)
			dues[k].done_on = visits->days[next++];
	}
}

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	const struct placements *list = state;
	struct visit_due *dues = NULL;
	struct visits visits = {0};
	int rc = -1;
	if (list->n == 0 || to < from)
		return 0;
	if (!QA_HOST_HAS(host, for_each_completion_at)) {
		host->log(host, QA_LOG_ERR,
			  "reg44_visit: this host cannot tell visits by home "
			  "(plugin ABI 1.1 needed)");
		return -1;
	}
	int first_year, last_year, m, d;
	qa_day_to_ymd(from, &first_year, &m, &d);
	qa_day_to_ymd(to, &last_year, &m, &d);
	/* Dues of the year before the window compete for the same visits, so
	 * they are matched too (and not emitted). */
	first_year--;
	size_t n_years = (size_t)(last_year - first_year + 1);
	size_t n = n_years * list->n;
	if (!(dues = calloc(n, sizeof *dues))) {
		host->log(host, QA_LOG_ERR, "reg44_visit: out of memory");
		goto out;
	}
	for (size_t y = 0; y < n_years; y++) {
		for (size_t i = 0; i < list->n; i++) {
			qa_day last = qa_period_end(
				qa_day_from_ymd(first_year + (int)y,
						list->items[i].month, 1),
				QA_PERIOD_MONTH);
			dues[y * list->n + i] = (struct visit_due){
				host->shift_to_working_day(host, last, -1), i,
				QA_DAY_NONE};
		}
	}
	qsort(dues, n, sizeof *dues, by_due);
	qa_day window = qa_day_add_months(dues[0].due, -12) + 1;
	/* A visit counts for the home it was recorded at. */
	for (size_t i = 0; i < list->n; i++) {
		if (visits_at(host, subject, list->items[i].home, window,
			      dues[n - 1].due, &visits) < 0)
			goto out;
		match(dues, n, i, &visits);
	}
	/* Visits recorded before homes were (0.1.0 stored none) keep the
	 * rule they had: each counts for the placement due soonest whose
	 * window holds it, among those no homed visit completed. */
	if (visits_at(host, subject, "", window, dues[n - 1].due, &visits) < 0)
		goto out;
	match(dues, n, SIZE_MAX, &visits);
	for (size_t k = 0; k < n; k++) {
		qa_day due = dues[k].due;
		qa_day month_start = qa_period_start(due, QA_PERIOD_MONTH);
		qa_day month_end = qa_period_end(due, QA_PERIOD_MONTH);
		if (month_end < from || month_start > to)
			continue;
		if (month_end < subject->added_on)
			continue;
		if (subject->left_on != QA_DAY_NONE && due > subject->left_on)
			continue;
		const char *home = list->items[dues[k].placement].home;
		char slug[HOME_MAX + 1], date[11], key[HOME_MAX + 16];
		char summary[HOME_MAX + 32];
		slugify(home, slug);
		/* The year: "oak-house-2026". */
		snprintf(key, sizeof key, "%s-%.4s", slug,
			 qa_day_text(due, date));
		snprintf(summary, sizeof summary, "Regulation 44 visit: %s",
			 home);
		struct qa_occurrence occ = {
			.struct_size = sizeof occ,
			.key = key,
			.kind = QA_OCC_DUE,
			.status = QA_STATUS_CONFIRMED,
			.date = due,
			.summary = summary,
			.done_on = dues[k].done_on,
			.home = home,
		};
		if (host->emit(host, &occ) < 0)
			goto out;
	}
	rc = 0;
out:
	free(visits.days);
	free(dues);
	return rc;
}

static int for_each_home(void *state, int (*cb)(const char *home, void *arg),
			 void *arg)
{
	const struct placements *list = state;
	for (size_t i = 0; i < list->n; i++)
		if (cb(list->items[i].home, arg) != 0)
			break;
	return 0;
}

static const struct qa_config_entry config[] = {
	{QA_CONFIG_STRING, "placements", "",
	 "Externally commissioned placements (homes, never children) and the "
	 "month each one's annual visit is due by: \"Oak House=3; Birch "
	 "Lodge=9\", ';'-separated, month 1-12. Empty: no visits are "
	 "scheduled; the QA team lists the homes here and reloads."},
	{0},
};

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "reg44_visit",
	.title = "Regulation 44 visit",
	.description =
		"Safeguarding assurance visits to children and young people "
		"placed in externally commissioned placements. The "
		"Placement/Commissioning Service takes responsibility for "
		"placements it sources; any provider judged inadequate after "
		"a child has been placed is scrutinised closely to ensure "
		"robust action plans are in place if the decision is made not "
		"to move the young person. Children's homes are subject to "
		"regular visits by officers independent of the residential "
		"service to inspect the quality of care provided to children "
		"living there, including speaking to staff and young people "
		"and scrutinising records held in the home. One visit is due "
		"each year per listed placement; a visit is recorded with its "
		"home (--home) and counts for that home's due within the 12 "
		"months after it.",
	.version = "1.0",
	.cadence = "at least annually per listed placement, due by the last "
		   "working day of its month",
	.responsible = "Placements; QA residential lead",
	.frequency = "Minimum annual visit, in line with guidance",
	.reporting = "Reports to Quality Assurance and SMT.",
	.roles = "qa_residential_lead",
	.scope = QA_SCOPE_PERSON,
	.duration = "0",
	.reminders = "30d, 7d",
	.config = config,
	.init = init,
	.generate = generate,
	.shutdown = release,
	.for_each_home = for_each_home,
};

QA_PLUGIN_DEFINE(plugin)
