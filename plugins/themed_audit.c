/* themed_audit: the QA team's themed audits, one a month in the months the
 * 12-month Themed Audit Schedule gives a theme, due by the last working day
 * of that month. The schedule is config ("jan=Assessments; feb=..."), parsed
 * once in init() so a typo refuses the plugin at load, not at 3am. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "qa-scheduler/plugin.h"
#include "qa-scheduler/util.h"

/* A theme is shown in feed summaries: keep it a line, not an essay. */
#define THEME_MAX 120

struct schedule {
	char *text;            /* owned copy of `themes`, cut in place */
	const char *theme[12]; /* into text; NULL: no themed audit that month */
};

static const char *const month_names[12] = {"jan", "feb", "mar", "apr",
					    "may", "jun", "jul", "aug",
					    "sep", "oct", "nov", "dec"};

static int month_index(const char *name)
{
	for (int i = 0; i < 12; i++)
		if (strcasecmp(name, month_names[i]) == 0)
			return i;
	return -1;
}

static void release(void *state)
{
	struct schedule *schedule = state;
	if (!schedule)
		return;
	free(schedule->text);
	free(schedule);
}

static int init(const struct qa_host *host, void **state)
{
	const char *themes = host->config_get(host, "themes");
	struct schedule *schedule = calloc(1, sizeof *schedule);
	if (!schedule || !(schedule->text = strdup(themes ? themes : "")))
		goto nomem;
	char *cursor = schedule->text, *name, *theme;
	int got;
	while ((got = qa_next_pair(&cursor, 0, &name, &theme)) != 0) {
		if (got < 0) {
			host->log(host, QA_LOG_ERR,
				  "themed_audit: themes: \"%s\" is not "
				  "MONTH=THEME (e.g. jan=Assessments); fix "
				  "[activity.themed_audit] themes",
				  name);
			goto refuse;
		}
		int month = month_index(name);
		if (month < 0) {
			host->log(
				host, QA_LOG_ERR,
				"themed_audit: themes: \"%s\" is not a month; "
				"use jan, feb, ... dec",
				name);
			goto refuse;
		}
		if (!*theme || strlen(theme) > THEME_MAX) {
			host->log(host, QA_LOG_ERR,
				  "themed_audit: themes: %s needs a theme of 1 "
				  "to %d characters",
				  month_names[month], THEME_MAX);
			goto refuse;
		}
		if (schedule->theme[month]) {
			host->log(host, QA_LOG_ERR,
				  "themed_audit: themes: %s is given twice "
				  "(\"%s\" and \"%s\"); keep one theme a month",
				  month_names[month], schedule->theme[month],
				  theme);
			goto refuse;
		}
		schedule->theme[month] = theme;
	}
	*state = schedule;
	return 0;
nomem:
	host->log(host, QA_LOG_ERR, "themed_audit: out of memory");
refuse:
	release(schedule);
	return -1;
}

struct first_completion {
	qa_day day;
};

static int on_completion(qa_day day, void *arg)
{
	struct first_completion *first = arg;
	if (first->day == QA_DAY_NONE)
		first->day = day;
	return 0;
}

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	const struct schedule *schedule = state;
	for (qa_day month = qa_period_start(from, QA_PERIOD_MONTH); month <= to;
	     month = qa_day_add_months(month, 1)) {
		int year, mon, mday;
		qa_day_to_ymd(month, &year, &mon, &mday);
		const char *theme = schedule->theme[mon - 1];
		if (!theme)
			continue;
		qa_day last = qa_period_end(month, QA_PERIOD_MONTH);
		qa_day due = host->shift_to_working_day(host, last, -1);
		if (subject->left_on != QA_DAY_NONE && due > subject->left_on)
			break;
		/* The audit is the team's: anyone's record completes it. */
		struct first_completion done = {QA_DAY_NONE};
		if (host->for_each_completion(host, "themed_audit", NULL, month,
					      last, on_completion, &done) < 0)
			return -1;
		char key[11], summary[THEME_MAX + 32];
		qa_day_text(month, key)[7] = '\0'; /* the month: "2026-03" */
		snprintf(summary, sizeof summary, "Themed audit: %s", theme);
		struct qa_occurrence occ = {
			.struct_size = sizeof occ,
			.key = key,
			.kind = QA_OCC_DUE,
			.status = QA_STATUS_CONFIRMED,
			.date = due,
			.summary = summary,
			.done_on = done.day,
		};
		if (host->emit(host, &occ) < 0)
			return -1;
	}
	return 0;
}

/* The framework's core areas of practice, one a month; April, July, August,
 * November and December are left free for revisiting actions in the
 * following quarter and for themes the QA team adds. */
static const struct qa_config_entry config[] = {
	{QA_CONFIG_STRING, "themes",
	 "jan=Assessments of need, harm and risk; "
	 "feb=Care plans, smarter planning and the effectiveness of "
	 "intervention; "
	 "mar=The voice of the child and direct work; "
	 "may=Relationships with children, young people, their families and "
	 "wider network; "
	 "jun=Partnership working and effectiveness of multi-agency meetings "
	 "and reviews; "
	 "sep=Report writing and case recording; "
	 "oct=Management oversight and decision making (includes supervision)",
	 "The Themed Audit Schedule over 12 months: MONTH=THEME items "
	 "separated by ';', MONTH one of jan..dec; a month without a theme "
	 "has no themed audit. Themes appear in staff calendars: name a "
	 "practice area, never a child or family."},
	{0},
};

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "themed_audit",
	.title = "Themed audit / practice review",
	.description =
		"Provides quantitative and qualitative evidence and "
		"information on practice themes or selected service areas "
		"across children's services including Early Help, following "
		"the Themed Audit Schedule timetabled over 12 months. Overall "
		"themes are identified with objectives agreed with the service "
		"leads; benchmarking and actions are revisited in the "
		"following quarter by way of a dip sample. The default "
		"schedule takes the framework's core areas of practice.",
	.version = "1.0",
	.cadence = "per the 12-month schedule in `themes`, due by the last "
		   "working day of each scheduled month",
	.responsible = "QA with input from SMT",
	.frequency = "Determined by the Themed Audit Schedule (timetabled over "
		     "12 months)",
	.reporting = "Improvement Board (PIP); SLT (only if identified); "
		     "Policy and Practice Steering Group (learning from audits "
		     "and themes: learning loop agenda item); development "
		     "leads and practice groups (forums) monthly.",
	.roles = "qa_team",
	.scope = QA_SCOPE_AUDIENCE,
	.duration = "0",
	.reminders = "14d, 7d",
	.config = config,
	.init = init,
	.generate = generate,
	.shutdown = release,
};

QA_PLUGIN_DEFINE(plugin)
