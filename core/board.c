#include "board.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "date.h"
#include "html.h"
#include "log.h"
#include "rows.h"

/* Lines drawn for each team as well as the whole, up to this many teams;
 * beyond it the chart would be a tangle and the table says it. */
#define MAX_TEAM_LINES 5

struct board {
	const struct report_filter *filter;
	const struct sched_env *env;
	FILE *out;
	size_t n_months;
	int first_month;     /* year * 12 + month - 1 of the range's first */
	const char **labels; /* "Jan".."Dec", one per month */
	struct rows supervision, audits, actions, deadlines;
};

static long long number(const char *cell)
{
	return cell ? strtoll(cell, NULL, 10) : 0;
}

/* The index in the range of a report's month ("YYYY-MM"), or -1. */
static long month_index(const struct board *b, const char *month)
{
	int y, m;
	if (!month || sscanf(month, "%4d-%2d", &y, &m) != 2)
		return -1;
	long i = (long)(y * 12 + m - 1) - b->first_month;
	return i >= 0 && (size_t)i < b->n_months ? i : -1;
}

/* "December 2025" for the range's month i. */
static void month_name(const struct board *b, size_t i, char *buf, size_t size)
{
	int k = b->first_month + (int)i;
	snprintf(buf, size, "%s %d", date_month_name(k % 12 + 1), k / 12);
}

/* "Dec 2025", for a table's row. */
static void month_short(const struct board *b, size_t i, char *buf, size_t size)
{
	snprintf(buf, size, "%s %d", b->labels[i],
		 (b->first_month + (int)i) / 12);
}

static double percent(long long part, long long whole)
{
	/* Unrounded: printed with "%.1f" as the reports print it. */
	return whole ? 100.0 * (double)part / (double)whole : NAN;
}

/* A percentage for a table: one decimal, or a dash with nothing to count. */
static void percent_cell(FILE *out, double p)
{
	if (isnan(p))
		fputs("<td>–</td>", out);
	else
		fprintf(out, "<td>%.1f</td>", p);
}

/* ---- supervision in date ---- */

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The teams the supervision rows name, sorted, each once (pointers into
 * the rows). NULL with n 0 for none; -1 out of memory. */
static int teams_of(const struct rows *r, const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!r->n)
		return 0;
	const char **all = malloc(r->n * sizeof(*all));
	if (!all)
		return -1;
	for (size_t i = 0; i < r->n; i++)
		all[i] = rows_cell(r, i, "team");
	qsort(all, r->n, sizeof(*all), cmp_text);
	size_t kept = 0;
	for (size_t i = 0; i < r->n; i++)
		if (!kept || strcmp(all[kept - 1], all[i]) != 0)
			all[kept++] = all[i];
	*out = all;
	*n = kept;
	return 0;
}

static void supervision_month_table(const struct board *b,
				    const long long (*sum)[6])
{
	FILE *out = b->out;
	fputs("<table id=\"supervision-months\"><caption>Supervision at "
	      "each month's end, all teams shown</caption><thead><tr>"
	      "<th scope=\"col\">Month</th><th scope=\"col\">Staff</th>"
	      "<th scope=\"col\">In date</th><th scope=\"col\">Overdue</th>"
	      "<th scope=\"col\">% in date</th><th scope=\"col\">Sessions</th>"
	      "<th scope=\"col\">On time</th><th "
	      "scope=\"col\">Late</th></tr></thead><tbody>",
	      out);
	for (size_t i = 0; i < b->n_months; i++) {
		char name[32];
		month_short(b, i, name, sizeof(name));
		fprintf(out,
			"<tr><th scope=\"row\">%s</th><td>%lld</td>"
			"<td>%lld</td><td>%lld</td>",
			name, sum[i][0], sum[i][1], sum[i][2]);
		percent_cell(out, percent(sum[i][1], sum[i][0]));
		fprintf(out, "<td>%lld</td><td>%lld</td><td>%lld</td></tr>",
			sum[i][3], sum[i][4], sum[i][5]);
	}
	fputs("</tbody></table>", out);
}

/* Teams down, months across: each team's % in date at each month's end. */
static void supervision_team_table(const struct board *b,
				   const char *const *teams, size_t n_teams,
				   const double *by_team)
{
	FILE *out = b->out;
	fputs("<section id=\"supervision-by-team\" class=\"long\"><h3>"
	      "Supervision in date by team, % at each month's end</h3>"
	      "<table id=\"supervision-teams\" class=\"wide\"><thead><tr>"
	      "<th scope=\"col\">Team</th>",
	      out);
	for (size_t i = 0; i < b->n_months; i++) {
		int k = b->first_month + (int)i;
		fprintf(out, "<th scope=\"col\">%s<br>%d</th>", b->labels[i],
			k / 12);
	}
	fputs("</tr></thead><tbody>", out);
	for (size_t t = 0; t < n_teams; t++) {
		fputs("<tr><th scope=\"row\">", out);
		html_text(out, teams[t]);
		fputs("</th>", out);
		for (size_t i = 0; i < b->n_months; i++)
			percent_cell(out, by_team[t * b->n_months + i]);
		fputs("</tr>", out);
	}
	if (!n_teams)
		fprintf(out,
			"<tr><td colspan=\"%zu\">No one had a supervision "
			"due in these months.</td></tr>",
			b->n_months + 1);
	fputs("</tbody></table></section>", out);
}

static int supervision_section(const struct board *b)
{
	const struct rows *r = &b->supervision;
	size_t n = b->n_months;
	const char **teams = NULL;
	size_t n_teams = 0;
	/* Per month: staff, in date, overdue, sessions, on time, late. */
	long long(*sum)[6] = calloc(n, sizeof(*sum));
	double *all = calloc(n, sizeof(*all));
	double *by_team = NULL;
	struct chart_series *series = NULL;
	int rc = -1;
	if (!sum || !all || teams_of(r, &teams, &n_teams))
		goto out;
	if (!(by_team = malloc((n_teams ? n_teams : 1) * n * sizeof(*by_team))))
		goto out;
	for (size_t k = 0; k < n_teams * n; k++)
		by_team[k] = NAN;
	static const char *const keys[] = {"staff",    "in_date", "overdue",
					   "sessions", "on_time", "late"};
	for (size_t row = 0; row < r->n; row++) {
		long i = month_index(b, rows_cell(r, row, "month"));
		if (i < 0)
			continue;
		for (int k = 0; k < 6; k++)
			sum[i][k] += number(rows_cell(r, row, keys[k]));
		const char *team = rows_cell(r, row, "team");
		const char **t = bsearch(&team, teams, n_teams, sizeof(*teams),
					 cmp_text);
		by_team[(size_t)(t - teams) * n + (size_t)i] =
			percent(number(rows_cell(r, row, "in_date")),
				number(rows_cell(r, row, "staff")));
	}
	size_t last = n;
	for (size_t i = 0; i < n; i++) {
		all[i] = percent(sum[i][1], sum[i][0]);
		if (sum[i][0])
			last = i;
	}
	size_t lines = n_teams > 1 && n_teams <= MAX_TEAM_LINES ? n_teams : 0;
	if (!(series = calloc(1 + lines, sizeof(*series))))
		goto out;
	series[0] = (struct chart_series){"All teams shown", all};
	for (size_t t = 0; t < lines; t++)
		series[1 + t] =
			(struct chart_series){teams[t], by_team + t * n};
	char desc[160];
	if (last < n) {
		char name[32];
		month_name(b, last, name, sizeof(name));
		snprintf(desc, sizeof(desc),
			 "At the end of %s, %.1f%% of staff were in date "
			 "with supervision (%lld of %lld).",
			 name, all[last], sum[last][1], sum[last][0]);
	} else {
		snprintf(desc, sizeof(desc),
			 "No one had a supervision due in these months.");
	}
	FILE *out = b->out;
	fputs("<section id=\"supervision\"><h2>1. Supervision in date</h2>"
	      "<p>",
	      out);
	html_text(out, desc);
	fputs(" A person is in date at a month's end when their next "
	      "supervision was not yet overdue that day (as <code>due "
	      "--as-of</code> the last day of the month says).</p>"
	      "<div class=\"pair\"><figure>",
	      out);
	struct chart c = {"chart-supervision",
			  "Supervision in date at each month's end",
			  desc,
			  CHART_LINES,
			  b->labels,
			  n,
			  series,
			  1 + lines,
			  100,
			  "%"};
	chart_svg(out, &c);
	fputs("</figure><div>", out);
	supervision_month_table(b, (const long long(*)[6])sum);
	fputs("</div></div></section>", out);
	supervision_team_table(b, teams, n_teams, by_team);
	rc = 0;
out:
	if (rc)
		log_err("board: out of memory");
	free(sum);
	free(all);
	free(by_team);
	free(series);
	free(teams);
	return rc;
}

/* ---- audits: done against expected, and the grades ---- */

enum {
	AU_EXPECTED,
	AU_DONE,
	AU_OUTSTANDING,
	AU_GOOD,
	AU_RI,
	AU_INADEQUATE,
	AU_SAFEGUARDING,
	AU_MODERATED,
	AU_REGRADED,
	AU_COUNT
};
static const char *const audit_keys[AU_COUNT] = {"expected",
						 "done",
						 "outstanding",
						 "good",
						 "requires_improvement",
						 "inadequate",
						 "safeguarding",
						 "moderated",
						 "regraded"};

/* Write one chart: c's series are count[first..first+n) by month. */
static int month_chart(const struct board *b, const char *id, const char *title,
		       const char *desc, enum chart_kind kind,
		       const long long (*count)[AU_COUNT], int first,
		       const char *const *names, size_t n_series)
{
	size_t n = b->n_months;
	double *values = calloc(n * n_series, sizeof(*values));
	struct chart_series series[4];
	if (!values || n_series > 4) {
		free(values);
		log_err("board: out of memory");
		return -1;
	}
	for (size_t s = 0; s < n_series; s++) {
		for (size_t i = 0; i < n; i++)
			values[s * n + i] = (double)count[i][first + (int)s];
		series[s] = (struct chart_series){names[s], values + s * n};
	}
	struct chart c = {id, title,  desc,     kind, b->labels,
			  n,  series, n_series, 0,    ""};
	chart_svg(b->out, &c);
	free(values);
	return 0;
}

static void audit_table(const struct board *b, const char *id,
			const char *caption, const long long (*count)[AU_COUNT],
			const char *const *heads, const int *columns,
			size_t n_columns, bool with_percent)
{
	FILE *out = b->out;
	long long total[AU_COUNT] = {0};
	fprintf(out,
		"<table id=\"%s\"><caption>%s</caption><thead><tr><th "
		"scope=\"col\">Month</th>",
		id, caption);
	for (size_t k = 0; k < n_columns; k++)
		fprintf(out, "<th scope=\"col\">%s</th>", heads[k]);
	if (with_percent)
		fputs("<th scope=\"col\">% done</th>", out);
	fputs("</tr></thead><tbody>", out);
	for (size_t i = 0; i <= b->n_months; i++) {
		const long long *row = i < b->n_months ? count[i] : total;
		char name[32] = "Total";
		if (i < b->n_months)
			month_short(b, i, name, sizeof(name));
		fprintf(out, "<tr%s><th scope=\"row\">%s</th>",
			i < b->n_months ? "" : " class=\"total\"", name);
		for (size_t k = 0; k < n_columns; k++) {
			fprintf(out, "<td>%lld</td>", row[columns[k]]);
			if (i < b->n_months)
				total[columns[k]] += row[columns[k]];
		}
		if (with_percent)
			percent_cell(out,
				     percent(row[AU_DONE], row[AU_EXPECTED]));
		fputs("</tr>", out);
	}
	fputs("</tbody></table>", out);
}

static int audits_sections(const struct board *b)
{
	const struct rows *r = &b->audits;
	long long(*count)[AU_COUNT] = calloc(b->n_months, sizeof(*count));
	if (!count) {
		log_err("board: out of memory");
		return -1;
	}
	long long expected = 0, done = 0, graded = 0, poor = 0;
	for (size_t row = 0; row < r->n; row++) {
		long i = month_index(b, rows_cell(r, row, "month"));
		if (i < 0)
			continue;
		for (int k = 0; k < AU_COUNT; k++)
			count[i][k] += number(rows_cell(r, row, audit_keys[k]));
	}
	for (size_t i = 0; i < b->n_months; i++) {
		expected += count[i][AU_EXPECTED];
		done += count[i][AU_DONE];
		for (int k = AU_OUTSTANDING; k <= AU_INADEQUATE; k++)
			graded += count[i][k];
		poor += count[i][AU_RI] + count[i][AU_INADEQUATE];
	}
	const long long(*c)[AU_COUNT] = (const long long(*)[AU_COUNT])count;
	char desc[200];
	FILE *out = b->out;
	int rc = -1;

	snprintf(desc, sizeof(desc),
		 "Over the period, %lld of %lld collaborative audits expected "
		 "were done in their month.",
		 done, expected);
	fputs("<section id=\"audits\"><h2>2. Collaborative audits done "
	      "against expected</h2><p>",
	      out);
	html_text(out, desc);
	fputs(" Each practice manager audits one case file a month; an audit "
	      "dated in a later month does not fill a missed one.</p><div "
	      "class=\"pair\"><figure>",
	      out);
	static const char *const done_names[] = {"Expected", "Done"};
	if (month_chart(b, "chart-audits",
			"Collaborative audits expected "
			"and done, by month",
			desc, CHART_BARS, c, AU_EXPECTED, done_names, 2))
		goto out;
	static const char *const done_heads[] = {"Expected", "Done"};
	static const int done_columns[] = {AU_EXPECTED, AU_DONE};
	fputs("</figure><div>", out);
	audit_table(b, "audits-months", "Audits by month", c, done_heads,
		    done_columns, 2, true);
	fputs("</div></div></section>", out);

	snprintf(desc, sizeof(desc),
		 "%lld audits were graded in the period; %lld of them "
		 "requires improvement or inadequate.",
		 graded, poor);
	fputs("<section id=\"grades\"><h2>3. Grades</h2><p>", out);
	html_text(out, desc);
	fputs(" As the auditor graded them; the moderation's changes are "
	      "counted as regraded.</p><div class=\"pair\"><figure>",
	      out);
	static const char *const grade_names[] = {
		"Outstanding", "Good", "Requires improvement", "Inadequate"};
	if (month_chart(b, "chart-grades", "Audit grades by month", desc,
			CHART_STACKED, c, AU_OUTSTANDING, grade_names, 4))
		goto out;
	static const char *const grade_heads[] = {"Outstanding",
						  "Good",
						  "Requires improvement",
						  "Inadequate",
						  "Safeguarding concern",
						  "Moderated",
						  "Regraded"};
	static const int grade_columns[] = {
		AU_OUTSTANDING,  AU_GOOD,      AU_RI,      AU_INADEQUATE,
		AU_SAFEGUARDING, AU_MODERATED, AU_REGRADED};
	fputs("</figure><div>", out);
	audit_table(b, "grades-months", "Grades by month", c, grade_heads,
		    grade_columns, 7, false);
	fputs("</div></div></section>", out);
	rc = 0;
out:
	free(count);
	return rc;
}

/* ---- audit actions open, by age ---- */

static const struct {
	const char *label;
	long long up_to; /* days open, at most */
} ages[] = {{"0–7 days", 7},
	    {"8–28 days", 28},
	    {"29–90 days", 90},
	    {"Over 90 days", -1}};
#define N_AGES (sizeof(ages) / sizeof(ages[0]))

static size_t age_of(long long days)
{
	size_t a = 0;
	while (a + 1 < N_AGES && days > ages[a].up_to)
		a++;
	return a;
}

static void actions_section(const struct board *b)
{
	const struct rows *r = &b->actions;
	double open[N_AGES] = {0}, overdue[N_AGES] = {0};
	long long on_time = 0, late = 0, n_open = 0, n_overdue = 0;
	for (size_t row = 0; row < r->n; row++) {
		const char *status = rows_cell(r, row, "status");
		size_t a = age_of(number(rows_cell(r, row, "days_open")));
		if (strcmp(status, "open") == 0) {
			open[a]++;
			n_open++;
		} else if (strcmp(status, "overdue") == 0) {
			overdue[a]++;
			n_overdue++;
		} else if (strcmp(status, "closed_on_time") == 0) {
			on_time++;
		} else {
			late++;
		}
	}
	const char *labels[N_AGES];
	for (size_t a = 0; a < N_AGES; a++)
		labels[a] = ages[a].label;
	struct chart_series series[] = {{"Open, not yet due", open},
					{"Overdue", overdue}};
	char desc[200];
	snprintf(desc, sizeof(desc),
		 "%lld audit actions are open today, %lld of them overdue; of "
		 "those closed, %lld were closed on time and %lld late.",
		 n_open + n_overdue, n_overdue, on_time, late);
	FILE *out = b->out;
	fputs("<section id=\"actions\"><h2>4. Audit actions open, by age</h2>"
	      "<p>",
	      out);
	html_text(out, desc);
	fputs(" The actions of audits dated in the period; age is days since "
	      "the audit.</p><div class=\"pair\"><figure>",
	      out);
	struct chart c = {"chart-actions",
			  "Audit actions open today, by days open",
			  desc,
			  CHART_STACKED,
			  labels,
			  N_AGES,
			  series,
			  2,
			  0,
			  ""};
	chart_svg(out, &c);
	fputs("</figure><div><table id=\"actions-ages\"><caption>Open actions "
	      "by "
	      "age</caption><thead><tr><th scope=\"col\">Days open</th><th "
	      "scope=\"col\">Not yet due</th><th scope=\"col\">Overdue</th>"
	      "</tr></thead><tbody>",
	      out);
	for (size_t a = 0; a < N_AGES; a++)
		fprintf(out,
			"<tr><th scope=\"row\">%s</th><td>%.0f</td>"
			"<td>%.0f</td></tr>",
			ages[a].label, open[a], overdue[a]);
	fprintf(out,
		"<tr class=\"total\"><th scope=\"row\">Total</th><td>%lld</td>"
		"<td>%lld</td></tr></tbody></table><table "
		"id=\"actions-closed\"><caption>Actions closed</caption><tbody>"
		"<tr><th scope=\"row\">On time</th><td>%lld</td></tr><tr><th "
		"scope=\"row\">Late</th><td>%lld</td></tr></tbody></table>"
		"</div></div></section>",
		n_open, n_overdue, on_time, late);
}

/* ---- missed deadlines by activity ---- */

static int deadlines_section(const struct board *b)
{
	const struct rows *r = &b->deadlines;
	const char **labels = calloc(r->n ? r->n : 1, sizeof(*labels));
	double *missed = calloc(r->n ? r->n : 1, sizeof(*missed));
	if (!labels || !missed) {
		free(labels);
		free(missed);
		log_err("board: out of memory");
		return -1;
	}
	long long all_missed = 0, all_due = 0;
	for (size_t row = 0; row < r->n; row++) {
		labels[row] = rows_cell(r, row, "activity");
		missed[row] = (double)number(rows_cell(r, row, "missed"));
		all_missed += number(rows_cell(r, row, "missed"));
		all_due += number(rows_cell(r, row, "due"));
	}
	struct chart_series series[] = {{"Missed", missed}};
	char desc[200];
	snprintf(desc, sizeof(desc),
		 "%lld of %lld deadlines falling due in the period were "
		 "missed: their period ended with nothing recorded.",
		 all_missed, all_due);
	FILE *out = b->out;
	fputs("<section id=\"deadlines\"><h2>5. Missed deadlines by "
	      "activity</h2><p>",
	      out);
	html_text(out, desc);
	fputs("</p><div class=\"pair\"><figure>", out);
	struct chart c = {"chart-deadlines",
			  "Deadlines missed in the period, by activity",
			  desc,
			  CHART_HBARS,
			  labels,
			  r->n,
			  series,
			  1,
			  0,
			  ""};
	chart_svg(out, &c);
	fputs("</figure><div><table "
	      "id=\"deadlines-activities\"><caption>Deadlines "
	      "by activity</caption><thead><tr><th "
	      "scope=\"col\">Activity</th><th scope=\"col\">Due</th><th "
	      "scope=\"col\">Done</th><th scope=\"col\">Missed</th><th "
	      "scope=\"col\">Open</th><th scope=\"col\">% done</th></tr>"
	      "</thead><tbody>",
	      out);
	for (size_t row = 0; row < r->n; row++) {
		long long done = number(rows_cell(r, row, "done"));
		long long miss = number(rows_cell(r, row, "missed"));
		fputs("<tr><th scope=\"row\"><span class=\"id\">", out);
		html_text(out, rows_cell(r, row, "activity"));
		fputs("</span> ", out);
		html_text(out, rows_cell(r, row, "title"));
		fprintf(out,
			"</th><td>%lld</td><td>%lld</td><td>%lld</td>"
			"<td>%lld</td>",
			number(rows_cell(r, row, "due")), done, miss,
			number(rows_cell(r, row, "open")));
		percent_cell(out, percent(done, done + miss));
		fputs("</tr>", out);
	}
	fputs("</tbody></table></div></div></section>", out);
	free(labels);
	free(missed);
	return 0;
}

/* ---- the page ---- */

/* The pack's own, after html_page_start's: a chart and its table side by
 * side, wide tables, and each section on a page of its own in print. */
static const char style[] =
	".pair{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}"
	".pair>figure{flex:1 1 24rem;max-width:40rem;margin:0}"
	".pair>div{flex:0 1 auto}"
	"tr.total th,tr.total td{font-weight:700;border-top:2px solid #1a1a1a}"
	"table.wide{font-size:.75rem}.id{font-family:monospace}"
	".long{overflow-x:auto}"
	"@page{size:A4;margin:14mm 12mm}"
	"@media print{section{break-inside:avoid}"
	"section.long{break-inside:auto}"
	".pair{display:block}svg.chart{width:150mm}"
	"table.wide{font-size:7pt}.wide th,.wide td{padding:1pt 2pt}}";

/* "all teams", "team X" or "the line of ID". */
static void scope_text(FILE *out, const struct report_filter *f)
{
	if (f->team) {
		fputs("team ", out);
		html_text(out, f->team);
		if (f->manager_id)
			fputs(", ", out);
	}
	if (f->manager_id) {
		fputs("the line of ", out);
		html_text(out, f->manager_id);
	}
	if (!f->team && !f->manager_id)
		fputs("all teams", out);
}

static void head(const struct board *b)
{
	FILE *out = b->out;
	char from[32], to[32];
	month_name(b, 0, from, sizeof(from));
	month_name(b, b->n_months - 1, to, sizeof(to));
	qa_day day = b->env->today;
	int minute = 0, y, m, d;
	long offset;
	if (date_local_time(b->env->now, b->env->tzid, &day, &minute, &offset))
		minute = 0;
	qa_day_to_ymd(day, &y, &m, &d);
	char title[96];
	snprintf(title, sizeof(title), "Performance Board pack, %s to %s", from,
		 to);
	html_page_start(out, title, style);
	fprintf(out,
		"<header><h1>Performance Board pack</h1><p "
		"class=\"lede\">Supervision and quality assurance, <span "
		"id=\"period\">%s to %s</span>, ",
		from, to);
	scope_text(out, b->filter);
	fprintf(out,
		".</p><p>Made on <time id=\"made\" "
		"datetime=\"%04d-%02d-%02dT%02d:%02d%+03ld:%02ld\">%d %s %d "
		"at %02d:%02d</time> (",
		y, m, d, minute / 60, minute % 60, offset / 3600,
		labs(offset) % 3600 / 60, d, date_month_name(m), y, minute / 60,
		minute % 60);
	html_text(out, b->env->tzid);
	fputs(") by qa-scheduler " QA_VERSION " from the records held then. "
	      "The figures are those of <code>qa-scheduler report</code> "
	      "over the same months.</p><nav aria-label=\"Contents\"><ol>"
	      "<li><a href=\"#supervision\">Supervision in date</a></li>"
	      "<li><a href=\"#audits\">Audits done against expected</a></li>"
	      "<li><a href=\"#grades\">Grades</a></li>"
	      "<li><a href=\"#actions\">Audit actions open</a></li>"
	      "<li><a href=\"#deadlines\">Missed deadlines</a></li>"
	      "</ol></nav></header><main>",
	      out);
}

static int gather(struct board *b, sqlite3 *db, struct errlist *errs)
{
	const struct sched_env *env = b->env;
	const struct report_filter *f = b->filter;
	return report_supervision(db, env, f, &b->supervision, errs) ||
	       report_audits(db, env, f, &b->audits, errs) ||
	       report_actions(db, env, f, &b->actions, errs) ||
	       report_deadlines(db, env, f, &b->deadlines, errs);
}

int board_write(sqlite3 *db, const struct sched_env *env,
		const struct report_filter *filter, FILE *out,
		struct errlist *errs)
{
	int fy, fm, fd, ty, tm, td;
	qa_day_to_ymd(filter->from, &fy, &fm, &fd);
	qa_day_to_ymd(filter->to, &ty, &tm, &td);
	struct board b = {.filter = filter, .env = env, .out = out};
	b.first_month = fy * 12 + fm - 1;
	b.n_months = (size_t)(ty * 12 + tm - 1 - b.first_month + 1);
	int rc = -1;
	if (!(b.labels = malloc(b.n_months * sizeof(*b.labels)))) {
		log_err("board: out of memory");
		return -1;
	}
	for (size_t i = 0; i < b.n_months; i++)
		b.labels[i] =
			date_month_abbrev((b.first_month + (int)i) % 12 + 1);
	if (gather(&b, db, errs))
		goto out;
	head(&b);
	if (supervision_section(&b) || audits_sections(&b))
		goto out;
	actions_section(&b);
	if (deadlines_section(&b))
		goto out;
	fputs("</main></body></html>\n", out);
	rc = 0;
out:
	rows_done(&b.supervision);
	rows_done(&b.audits);
	rows_done(&b.actions);
	rows_done(&b.deadlines);
	free(b.labels);
	return rc;
}
