#include "manager_page.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "audit.h"
#include "chart.h"
#include "date.h"
#include "db.h"
#include "html.h"
#include "log.h"
#include "manager.h"
#include "record.h"
#include "report.h"
#include "token.h"

#define MANAGER_PREFIX "/manager/"

/* The forms of the page, by what they record. */
enum form {
	FORM_SUPERVISION, /* a session held, with one of those shown */
	FORM_ACTION,      /* an audit action signed off */
	FORM_MODERATION,  /* a Stage 2 moderation by the manager */
	FORM_AUDIT,       /* the manager's own collaborative audit */
	FORM_DEADLINE,    /* another of the manager's own deadlines */
	FORM_COUNT
};
static const char *const form_names[FORM_COUNT] = {
	"supervision", "action", "moderation", "audit", "deadline"};

/* What a refused POST sent, shown again in its form with the problems
 * beside the fields they are about (errlist tags: enum record_field). */
struct posted {
	enum form form;
	const char *row; /* which row's form: a staff id, an audit number or
			    an activity */
	const char *value[RECORD_FIELD_COUNT];
	const char *activity; /* FORM_DEADLINE */
	struct errlist errs;
};

struct page {
	struct app *app;
	FILE *out;
	const char *base; /* the page's last path segment: the URL token, or
			     "manager" behind the proxy's sign-on */
	char csrf[TOKEN_TEXT_SIZE];
	const char *team;  /* ?team= */
	const char *saved; /* ?saved=: the form that just recorded */
	struct manager_view view;
	const struct feed_catalog *catalog;
	const struct posted *posted; /* NULL but on a refused POST */
	char action[128];            /* the forms' action: this page's URL */
};

/* ---- small pieces ---- */

/* "20 November 2026". */
static void day_text(FILE *out, qa_day day)
{
	if (day == QA_DAY_NONE) {
		fputs("never", out);
		return;
	}
	int y, m, d;
	qa_day_to_ymd(day, &y, &m, &d);
	char iso[DATE_TEXT_SIZE];
	fprintf(out, "<time datetime=\"%s\">%d %s %d</time>",
		date_format(day, iso), d, date_month_name(m), y);
}

static const char *activity_title(const struct page *p, const char *id)
{
	if (strcmp(id, SCHED_AUDIT_ACTION) == 0)
		return "Audit actions";
	if (strcmp(id, SCHED_MODERATION) == 0)
		return "Stage 2 moderation";
	for (size_t i = 0; i < p->catalog->n; i++)
		if (strcmp(p->catalog->items[i].id, id) == 0)
			return p->catalog->items[i].title;
	return id;
}

/* A status in words and a mark, never colour alone. */
static void status_badge(FILE *out, enum due_status status)
{
	static const char *const text[] = {"⚠ Overdue", "Due soon", "Upcoming"};
	static const char *const class[] = {"overdue", "due", "upcoming"};
	fprintf(out, "<span class=\"badge %s\">%s</span>", class[status],
		text[status]);
}

/* A problem as a person reads it: without the "record: " the command
 * line's messages start with. */
static void problem_text(FILE *out, const char *msg)
{
	if (strncmp(msg, "record: ", 8) == 0)
		msg += 8;
	html_text(out, msg);
}

/* Is this the form (kind, row) that was refused? */
static bool is_posted(const struct page *p, enum form form, const char *row)
{
	return p->posted && p->posted->form == form &&
	       strcmp(p->posted->row ? p->posted->row : "", row) == 0;
}

/* What was typed into field of this form, if it was the refused one. */
static const char *typed(const struct page *p, enum form form, const char *row,
			 enum record_field field)
{
	return is_posted(p, form, row) ? p->posted->value[field] : NULL;
}

/* The problems about field of this form, each in a paragraph with an id
 * the field names in aria-describedby; true when there were any. */
static bool field_errors(const struct page *p, enum form form, const char *row,
			 int field, const char *id)
{
	if (!is_posted(p, form, row))
		return false;
	bool any = false;
	const struct errlist *e = &p->posted->errs;
	for (size_t i = 0; i < e->n; i++) {
		if (errlist_tag_of(e, i) != field)
			continue;
		fprintf(p->out, "<p class=\"error\" id=\"%s-error\">", id);
		problem_text(p->out, e->msgs[i]);
		fputs("</p>", p->out);
		any = true;
	}
	return any;
}

/* The start of a form: where it goes, which it is, its row, the token. */
static void form_start(const struct page *p, enum form form, const char *row,
		       const char *activity)
{
	FILE *out = p->out;
	fputs("<form method=\"post\" action=\"", out);
	html_text(out, p->action);
	fprintf(out, "\"><input type=\"hidden\" name=\"form\" value=\"%s\">",
		form_names[form]);
	fputs("<input type=\"hidden\" name=\"row\" value=\"", out);
	html_text(out, row);
	fprintf(out, "\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">",
		p->csrf);
	if (activity) {
		fputs("<input type=\"hidden\" name=\"activity\" value=\"", out);
		html_text(out, activity);
		fputs("\">", out);
	}
	/* The problems about no one field, at the form's head. */
	if (is_posted(p, form, row)) {
		const struct errlist *e = &p->posted->errs;
		for (size_t i = 0; i < e->n; i++)
			if (errlist_tag_of(e, i) < 0) {
				fputs("<p class=\"error\" role=\"alert\">",
				      out);
				problem_text(out, e->msgs[i]);
				fputs("</p>", out);
			}
	}
}

/* An id for a field of a row's form: letters, digits and '-' only. */
static void field_id(char *buf, size_t size, enum form form, const char *row,
		     const char *field)
{
	int used = snprintf(buf, size, "%s-%s-", form_names[form], field);
	for (const char *c = row; *c && used > 0 && (size_t)used + 4 < size;
	     c++) {
		unsigned char u = (unsigned char)*c;
		if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
		    (u >= '0' && u <= '9'))
			buf[used++] = (char)u;
		else
			used += snprintf(buf + used, size - (size_t)used,
					 "-%02x", u);
	}
	buf[used > 0 && (size_t)used < size ? used : 0] = '\0';
}

/* A labelled input; what was typed kept, the problems beside it. */
static void input(const struct page *p, enum form form, const char *row,
		  enum record_field field, const char *label, const char *type,
		  const char *value, const char *extra)
{
	FILE *out = p->out;
	char id[160];
	field_id(id, sizeof(id), form, row, record_field_names[field]);
	const char *kept = typed(p, form, row, field);
	fprintf(out, "<div class=\"field\"><label for=\"%s\">%s</label>", id,
		label);
	bool bad = field_errors(p, form, row, (int)field, id);
	fprintf(out, "<input id=\"%s\" name=\"%s\" type=\"%s\" value=\"", id,
		record_field_names[field], type);
	html_text(out, kept ? kept : value ? value : "");
	fputs("\"", out);
	if (bad)
		fprintf(out,
			" aria-invalid=\"true\" aria-describedby=\"%s-error\"",
			id);
	fprintf(out, "%s></div>", extra ? extra : "");
}

static void date_input(const struct page *p, enum form form, const char *row,
		       const char *label)
{
	char today[DATE_TEXT_SIZE], max[64];
	date_format(p->view.today, today);
	snprintf(max, sizeof(max), " max=\"%s\" required", today);
	input(p, form, row, RECORD_FIELD_DATE, label, "date", today, max);
}

static void note_input(const struct page *p, enum form form, const char *row)
{
	input(p, form, row, RECORD_FIELD_NOTE, "Note (optional)", "text", NULL,
	      " maxlength=\"500\"");
}

/* The four grades, the one typed (or none) selected. */
static void grade_select(const struct page *p, enum form form, const char *row)
{
	static const char *const grades[][2] = {
		{"outstanding", "Outstanding"},
		{"good", "Good"},
		{"requires_improvement", "Requires improvement"},
		{"inadequate", "Inadequate"}};
	FILE *out = p->out;
	char id[160];
	field_id(id, sizeof(id), form, row, "grade");
	const char *kept = typed(p, form, row, RECORD_FIELD_GRADE);
	fprintf(out, "<div class=\"field\"><label for=\"%s\">Grade</label>",
		id);
	bool bad = field_errors(p, form, row, RECORD_FIELD_GRADE, id);
	fprintf(out, "<select id=\"%s\" name=\"grade\" required", id);
	if (bad)
		fprintf(out,
			" aria-invalid=\"true\" aria-describedby=\"%s-error\"",
			id);
	fputs("><option value=\"\">Choose a grade</option>", out);
	for (size_t i = 0; i < 4; i++)
		fprintf(out, "<option value=\"%s\"%s>%s</option>", grades[i][0],
			kept && strcmp(kept, grades[i][0]) == 0 ? " selected"
								: "",
			grades[i][1]);
	fputs("</select></div>", out);
}

static void safeguarding_box(const struct page *p, enum form form,
			     const char *row)
{
	FILE *out = p->out;
	char id[160];
	field_id(id, sizeof(id), form, row, "safeguarding");
	const char *kept = typed(p, form, row, RECORD_FIELD_SAFEGUARDING);
	fputs("<div class=\"field check\">", out);
	bool bad = field_errors(p, form, row, RECORD_FIELD_SAFEGUARDING, id);
	fprintf(out,
		"<input id=\"%s\" name=\"safeguarding\" type=\"checkbox\" "
		"value=\"yes\"%s%s><label for=\"%s\">A safeguarding concern "
		"was raised</label></div>",
		id, kept && strcmp(kept, "yes") == 0 ? " checked" : "",
		bad ? " aria-invalid=\"true\"" : "", id);
}

static void button(FILE *out, const char *text)
{
	fprintf(out, "<button type=\"submit\">%s</button></form>", text);
}

/* ---- the sections ---- */

static void saved_note(const struct page *p)
{
	static const char *const said[FORM_COUNT] = {
		"The supervision session is recorded.",
		"The audit action is signed off.",
		"The moderation is recorded.",
		"The audit is recorded; its action and any moderation are "
		"now due.",
		"It is recorded."};
	for (int f = 0; p->saved && f < FORM_COUNT; f++)
		if (strcmp(p->saved, form_names[f]) == 0)
			fprintf(p->out,
				"<p class=\"saved\" role=\"status\">✓ %s</p>",
				said[f]);
}

static void supervision_section(const struct page *p)
{
	FILE *out = p->out;
	const struct due_list *l = &p->view.supervision;
	fputs("<section id=\"supervision\" aria-labelledby=\"supervision-h\">"
	      "<h2 id=\"supervision-h\">Supervision</h2>",
	      out);
	if (!l->n)
		fputs("<p>No one here has a supervision due.</p>", out);
	fputs("<ul class=\"rows\">", out);
	for (size_t i = 0; i < l->n; i++) {
		const struct due_row *r = &l->rows[i];
		fprintf(out, "<li class=\"row %s\" id=\"supervision-",
			r->status == DUE_OVERDUE ? "late" : "ok");
		html_text(out, r->staff_id);
		fputs("\"><h3>", out);
		html_text(out, r->name);
		fputs("</h3><p>", out);
		status_badge(out, r->status);
		fputs(" next due ", out);
		day_text(out, r->due);
		fputs(" · last session ", out);
		day_text(out, r->last_done);
		if (r->phase && strcmp(r->phase, "experienced") != 0)
			fprintf(out, " · newly qualified, %s",
				strcmp(r->phase, "nqsw_weekly") == 0
					? "weekly (first six months)"
					: "fortnightly (months 7 to 12)");
		fputs("</p>", out);
		form_start(p, FORM_SUPERVISION, r->staff_id, NULL);
		fputs("<input type=\"hidden\" name=\"staff\" value=\"", out);
		html_text(out, r->staff_id);
		fputs("\">", out);
		date_input(p, FORM_SUPERVISION, r->staff_id, "Date held");
		button(out, "Record session");
		fputs("</li>", out);
	}
	fputs("</ul></section>", out);
}

/* One audit: its number and date, who audited whose case, the grade and
 * the concern. */
static void audit_text(const struct page *p, const struct manager_audit *m)
{
	const struct audit *a = &m->audit;
	FILE *out = p->out;
	fprintf(out, "Audit %lld of ", a->id);
	day_text(out, a->date);
	fputs(": ", out);
	html_text(out, m->auditor_name);
	fputs(" audited ", out);
	html_text(out, m->practitioner_name);
	fputs("'s case, graded ", out);
	html_text(out, audit_grade_words(a->grade[0] ? a->grade : NULL));
	if (a->safeguarding)
		fputs(", with a safeguarding concern", out);
	fputs(".", out);
}

static void actions_section(const struct page *p)
{
	FILE *out = p->out;
	const struct manager_audits *l = &p->view.actions;
	fputs("<section id=\"actions\" aria-labelledby=\"actions-h\"><h2 "
	      "id=\"actions-h\">Open audit actions</h2>",
	      out);
	if (!l->n)
		fputs("<p>No audit action is open.</p>", out);
	fputs("<ul class=\"rows\">", out);
	for (size_t i = 0; i < l->n; i++) {
		const struct manager_audit *m = &l->items[i];
		char row[24];
		snprintf(row, sizeof(row), "%lld", m->audit.id);
		bool late = m->due < p->view.today;
		fprintf(out, "<li class=\"row %s\" id=\"action-%s\"><h3>",
			late ? "late" : "ok", row);
		html_text(out, m->practitioner_name);
		fprintf(out, ": audit %s</h3><p>", row);
		if (m->urgent)
			fputs("<strong class=\"badge urgent\">⚠ Urgent: 5 "
			      "working days</strong> ",
			      out);
		status_badge(out, late                          ? DUE_OVERDUE
				  : m->due <= p->view.today + 7 ? DUE_DUE
								: DUE_UPCOMING);
		fputs(" due ", out);
		day_text(out, m->due);
		fputs("</p><p>", out);
		audit_text(p, m);
		fputs("</p>", out);
		form_start(p, FORM_ACTION, row, NULL);
		fputs("<input type=\"hidden\" name=\"staff\" value=\"", out);
		html_text(out, m->audit.practitioner);
		fprintf(out,
			"\"><input type=\"hidden\" name=\"audit\" "
			"value=\"%s\">",
			row);
		date_input(p, FORM_ACTION, row, "Date closed");
		note_input(p, FORM_ACTION, row);
		button(out, "Sign off");
		fputs("</li>", out);
	}
	fputs("</ul></section>", out);
}

static void moderations_section(const struct page *p)
{
	FILE *out = p->out;
	const struct manager_audits *l = &p->view.moderations;
	if (!l->n)
		return;
	fputs("<section id=\"moderations\" aria-labelledby=\"moderations-h\">"
	      "<h2 id=\"moderations-h\">Moderations waiting for you</h2><ul "
	      "class=\"rows\">",
	      out);
	for (size_t i = 0; i < l->n; i++) {
		const struct manager_audit *m = &l->items[i];
		char row[24];
		snprintf(row, sizeof(row), "%lld", m->audit.id);
		bool late = m->due < p->view.today;
		fprintf(out,
			"<li class=\"row %s\" id=\"moderation-%s\"><h3>Audit "
			"%s</h3><p>",
			late ? "late" : "ok", row, row);
		status_badge(out, late ? DUE_OVERDUE : DUE_DUE);
		fputs(" due by ", out);
		day_text(out, m->due);
		fputs("</p><p>", out);
		audit_text(p, m);
		fputs("</p>", out);
		form_start(p, FORM_MODERATION, row, NULL);
		fprintf(out,
			"<input type=\"hidden\" name=\"audit\" value=\"%s\">",
			row);
		date_input(p, FORM_MODERATION, row, "Date moderated");
		grade_select(p, FORM_MODERATION, row);
		safeguarding_box(p, FORM_MODERATION, row);
		note_input(p, FORM_MODERATION, row);
		button(out, "Record moderation");
		fputs("</li>", out);
	}
	fputs("</ul></section>", out);
}

/* A select of those shown, for the practitioner of an audit. */
static void practitioner_select(const struct page *p, const char *row)
{
	FILE *out = p->out;
	char id[160];
	field_id(id, sizeof(id), FORM_AUDIT, row, "practitioner");
	const char *kept = typed(p, FORM_AUDIT, row, RECORD_FIELD_PRACTITIONER);
	fprintf(out,
		"<div class=\"field\"><label for=\"%s\">Whose case</label>",
		id);
	bool bad =
		field_errors(p, FORM_AUDIT, row, RECORD_FIELD_PRACTITIONER, id);
	fprintf(out, "<select id=\"%s\" name=\"practitioner\" required%s>", id,
		bad ? " aria-invalid=\"true\"" : "");
	fputs("<option value=\"\">Choose a practitioner</option>", out);
	for (size_t i = 0; i < p->view.people.n; i++) {
		const struct staff *s = &p->view.people.people[i];
		fputs("<option value=\"", out);
		html_text(out, s->id);
		fprintf(out, "\"%s>",
			kept && strcmp(kept, s->id) == 0 ? " selected" : "");
		html_text(out, s->name);
		fputs("</option>", out);
	}
	fputs("</select></div>", out);
}

/* A text field with the moderators offered (a datalist: a long list
 * still works without JavaScript). */
static void moderator_input(const struct page *p, const char *row)
{
	input(p, FORM_AUDIT, row, RECORD_FIELD_MODERATOR,
	      "Stage 2 moderator's id (optional)", "text", NULL,
	      " list=\"moderators\" autocomplete=\"off\"");
}

static void moderators_list(const struct page *p)
{
	FILE *out = p->out;
	fputs("<datalist id=\"moderators\">", out);
	for (size_t i = 0; i < p->view.moderators.n; i++) {
		const struct staff *s = &p->view.moderators.people[i];
		fputs("<option value=\"", out);
		html_text(out, s->id);
		fputs("\">", out);
		html_text(out, s->name);
		fputs("</option>", out);
	}
	fputs("</datalist>", out);
}

static void own_section(const struct page *p)
{
	FILE *out = p->out;
	const struct due_list *l = &p->view.own;
	if (!l->n)
		return;
	fputs("<section id=\"own\" aria-labelledby=\"own-h\"><h2 "
	      "id=\"own-h\">Your own audits and deadlines</h2><ul "
	      "class=\"rows\">",
	      out);
	for (size_t i = 0; i < l->n; i++) {
		const struct due_row *r = &l->rows[i];
		bool audit = strcmp(r->activity, "collaborative_audit") == 0;
		fprintf(out, "<li class=\"row %s\" id=\"own-",
			r->status == DUE_OVERDUE ? "late" : "ok");
		html_text(out, r->activity);
		fputs("\"><h3>", out);
		html_text(out, activity_title(p, r->activity));
		fputs("</h3><p>", out);
		status_badge(out, r->status);
		fputs(" due by ", out);
		day_text(out, r->due);
		fputs(" · last done ", out);
		day_text(out, r->last_done);
		fputs("</p>", out);
		if (audit) {
			form_start(p, FORM_AUDIT, r->activity, NULL);
			date_input(p, FORM_AUDIT, r->activity, "Date audited");
			practitioner_select(p, r->activity);
			grade_select(p, FORM_AUDIT, r->activity);
			safeguarding_box(p, FORM_AUDIT, r->activity);
			moderator_input(p, r->activity);
			note_input(p, FORM_AUDIT, r->activity);
			button(out, "Record audit");
		} else if (!r->home) {
			form_start(p, FORM_DEADLINE, r->activity, r->activity);
			date_input(p, FORM_DEADLINE, r->activity, "Date done");
			note_input(p, FORM_DEADLINE, r->activity);
			button(out, "Record it");
		}
		fputs("</li>", out);
	}
	fputs("</ul></section>", out);
}

static void teams_section(const struct page *p)
{
	FILE *out = p->out;
	const struct manager_view *v = &p->view;
	if (v->n_teams < 2)
		return;
	fputs("<section id=\"teams\" aria-labelledby=\"teams-h\"><h2 "
	      "id=\"teams-h\">Teams in your line</h2><div class=\"scroll\" "
	      "tabindex=\"0\" role=\"region\" aria-labelledby=\"teams-h\">"
	      "<table><thead><tr><th scope=\"col\">Team</th><th "
	      "scope=\"col\">Staff</th><th scope=\"col\">In date</th><th "
	      "scope=\"col\">Overdue</th><th scope=\"col\">% in date</th><th "
	      "scope=\"col\">Open actions</th><th scope=\"col\">Overdue "
	      "actions</th></tr></thead><tbody>",
	      out);
	for (size_t i = 0; i < v->n_teams; i++) {
		const struct manager_team *t = &v->teams[i];
		char *escaped = evhttp_encode_uri(t->team);
		fputs("<tr><th scope=\"row\"><a href=\"", out);
		html_text(out, p->base);
		fputs("?team=", out);
		html_text(out, escaped ? escaped : "");
		fputs("\">", out);
		html_text(out, t->team);
		fprintf(out, "</a></th><td>%d</td><td>%d</td><td>%d</td>",
			t->staff, t->in_date, t->overdue);
		if (t->staff)
			fprintf(out, "<td>%.1f</td>",
				100.0 * t->in_date / t->staff);
		else
			fputs("<td>–</td>", out);
		fprintf(out, "<td>%d</td><td>%d</td></tr>", t->open_actions,
			t->overdue_actions);
		free(escaped);
	}
	fputs("</tbody></table></div></section>", out);
}

/* The last 12 months: % in date at each month's end, all teams shown. */
static void chart_section(const struct page *p)
{
	FILE *out = p->out;
	const struct rows *r = &p->view.months;
	qa_day from, to;
	report_default_range(p->view.today, &from, &to);
	enum { MONTHS = 12 };
	long long staff[MONTHS] = {0}, in_date[MONTHS] = {0};
	double pct[MONTHS];
	const char *labels[MONTHS];
	int fy, fm, fd;
	qa_day_to_ymd(from, &fy, &fm, &fd);
	for (size_t row = 0; row < r->n; row++) {
		int y, m;
		if (sscanf(rows_cell(r, row, "month"), "%4d-%2d", &y, &m) != 2)
			continue;
		int i = (y - fy) * 12 + m - fm;
		if (i < 0 || i >= MONTHS)
			continue;
		staff[i] += strtoll(rows_cell(r, row, "staff"), NULL, 10);
		in_date[i] += strtoll(rows_cell(r, row, "in_date"), NULL, 10);
	}
	for (int i = 0; i < MONTHS; i++) {
		labels[i] = date_month_abbrev((fm - 1 + i) % 12 + 1);
		pct[i] = staff[i]
				 ? 100.0 * (double)in_date[i] / (double)staff[i]
				 : NAN;
	}
	struct chart_series series[] = {{"In date", pct}};
	struct chart c = {"chart-supervision",
			  "Supervision in date at each month's end",
			  "The share of those shown in date with supervision "
			  "at the end of each of the last 12 months; the "
			  "table beside gives the numbers.",
			  CHART_LINES,
			  labels,
			  MONTHS,
			  series,
			  1,
			  100,
			  "%"};
	fputs("<section id=\"compliance\" aria-labelledby=\"compliance-h\">"
	      "<h2 id=\"compliance-h\">Supervision in date, the last 12 "
	      "months</h2><div class=\"pair\"><figure>",
	      out);
	chart_svg(out, &c);
	fputs("</figure><div class=\"scroll\" tabindex=\"0\" role=\"region\" "
	      "aria-labelledby=\"compliance-h\"><table "
	      "id=\"compliance-months\"><thead><tr><th "
	      "scope=\"col\">Month</th><th scope=\"col\">Staff</th><th "
	      "scope=\"col\">In date</th><th scope=\"col\">% in "
	      "date</th></tr></thead><tbody>",
	      out);
	for (int i = 0; i < MONTHS; i++) {
		int k = (fy * 12 + fm - 1) + i;
		fprintf(out,
			"<tr><th scope=\"row\">%s %d</th><td>%lld</td>"
			"<td>%lld</td>",
			labels[i], k / 12, staff[i], in_date[i]);
		if (staff[i])
			fprintf(out, "<td>%.1f</td></tr>", pct[i]);
		else
			fputs("<td>–</td></tr>", out);
	}
	fputs("</tbody></table></div></div></section>", out);
}

static const char page_style[] =
	".rows{list-style:none;padding:0;margin:0}"
	".row{border:1px solid #c8c8c8;border-left:6px solid #1b7837;"
	"border-radius:4px;padding:.5rem .8rem;margin:.6rem 0}"
	".row.late{border-left-color:#b2182b}"
	".row h3{margin:.1rem 0 .3rem}.row p{margin:.2rem 0}"
	".badge{font-weight:700;padding:0 .3rem;border:1px solid;"
	"border-radius:3px;white-space:nowrap}"
	".badge.overdue,.badge.urgent{color:#a50f15}"
	".badge.due{color:#8a4b00}.badge.upcoming{color:#1b5e20}"
	"form{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:flex-end;"
	"margin-top:.4rem}"
	".field{display:flex;flex-direction:column}"
	".field.check{flex-direction:row;align-items:center;gap:.3rem}"
	"label{font-size:.85rem}"
	"input,select,button{font:inherit;padding:.35rem .4rem;"
	"min-height:2.5rem;box-sizing:border-box}"
	"input[type=checkbox]{min-height:auto;width:1.2rem;height:1.2rem}"
	"button{background:#08519c;color:#fff;border:0;border-radius:4px;"
	"padding:.4rem 1rem;cursor:pointer}"
	"button:focus-visible,input:focus-visible,select:focus-visible,"
	"a:focus-visible{outline:3px solid #b35806;outline-offset:2px}"
	".error{color:#a50f15;font-weight:600;margin:.2rem 0}"
	".saved{border:2px solid #1b7837;padding:.4rem .8rem;font-weight:600}"
	".problems{border:2px solid #a50f15;padding:.4rem .8rem}"
	".scroll{overflow-x:auto}"
	".pair{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}"
	".pair>figure{flex:1 1 22rem;max-width:40rem;margin:0}"
	"@media print{form{display:none}.row{break-inside:avoid}}";

static void render(struct page *p)
{
	FILE *out = p->out;
	const struct manager_view *v = &p->view;
	char title[200];
	snprintf(title, sizeof(title), "Supervision and audits: %s",
		 v->manager.name);
	html_page_start(out, title, page_style);
	fputs("<header><h1>", out);
	html_text(out, title);
	fputs("</h1><p>", out);
	if (p->team) {
		fputs("Team ", out);
		html_text(out, p->team);
		fputs(" · <a href=\"", out);
		html_text(out, p->base);
		fputs("\">back to your own team</a>", out);
	} else {
		fputs("Your team: those who report to you", out);
	}
	fputs(" · today ", out);
	day_text(out, v->today);
	fputs("</p><nav aria-label=\"Sections\"><ol><li><a "
	      "href=\"#supervision\">Supervision</a></li><li><a "
	      "href=\"#actions\">Audit actions</a></li>",
	      out);
	if (v->moderations.n)
		fputs("<li><a href=\"#moderations\">Moderations</a></li>", out);
	if (v->own.n)
		fputs("<li><a href=\"#own\">Your own</a></li>", out);
	if (v->n_teams > 1)
		fputs("<li><a href=\"#teams\">Teams</a></li>", out);
	fputs("<li><a href=\"#compliance\">Last 12 months</a></li></ol></nav>"
	      "</header><main>",
	      out);
	if (p->posted && p->posted->errs.n) {
		fputs("<div class=\"problems\" role=\"alert\"><p>Nothing was "
		      "recorded:</p><ul>",
		      out);
		for (size_t i = 0; i < p->posted->errs.n; i++) {
			fputs("<li>", out);
			problem_text(out, p->posted->errs.msgs[i]);
			fputs("</li>", out);
		}
		fputs("</ul></div>", out);
	}
	saved_note(p);
	supervision_section(p);
	actions_section(p);
	moderations_section(p);
	own_section(p);
	teams_section(p);
	chart_section(p);
	moderators_list(p);
	fputs("</main></body></html>\n", out);
}

/* ---- requests ---- */

/* Build the page into p->out's buffer and send it with code. */
static void answer(struct evhttp_request *req, struct page *p, sqlite3 *db,
		   const char *manager_id, int code, const char *reason)
{
	char *html = NULL;
	size_t len = 0;
	struct errlist errs = {0};
	p->out = open_memstream(&html, &len);
	if (!p->out) {
		http_send_text(req, HTTP_INTERNAL, "Internal Server Error",
			       "internal error\n");
		return;
	}
	pthread_rwlock_rdlock(&p->app->conf_lock);
	struct sched_env env = engine_env(&p->app->eng, time(NULL));
	p->catalog = &p->app->eng.catalog;
	int loaded = manager_view_load(db, &env, manager_id, p->team, &p->view,
				       &errs);
	if (loaded == 0)
		render(p);
	pthread_rwlock_unlock(&p->app->conf_lock);
	manager_view_done(&p->view);
	for (size_t i = 0; i < errs.n; i++)
		log_err("manager: %s", errs.msgs[i]);
	errlist_done(&errs);
	if (fclose(p->out) != 0 || loaded < 0)
		http_send_text(req, HTTP_INTERNAL, "Internal Server Error",
			       "internal error\n");
	else if (loaded > 0)
		http_send_text(req, HTTP_NOTFOUND, "Not Found", "not found\n");
	else
		http_send_page(req, code, reason, html, len);
	free(html);
}

/* A form body's fields, '+' read as a space as browsers write it. NULL
 * when the body is too large or not a form (answered). */
int manager_form_parse(const char *data, size_t len, struct evkeyvalq *fields)
{
	char *body = malloc(len + 1);
	if (!body)
		return -1;
	memcpy(body, data, len);
	body[len] = '\0';
	for (char *c = body; *c; c++)
		if (*c == '+')
			*c = ' ';
	int rc =
		strlen(body) == len ? evhttp_parse_query_str(body, fields) : -1;
	free(body);
	return rc;
}

static int read_form(struct evhttp_request *req, struct evkeyvalq *fields)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	const char *data = (const char *)evbuffer_pullup(in, -1);
	return manager_form_parse(data ? data : "", data ? len : 0, fields);
}

static enum form form_of(const char *name)
{
	for (int f = 0; name && f < FORM_COUNT; f++)
		if (strcmp(name, form_names[f]) == 0)
			return (enum form)f;
	return FORM_COUNT;
}

/* What the refused form's fields were, from the body. */
static void keep_posted(struct posted *posted, struct evkeyvalq *fields)
{
	for (int f = 0; f < RECORD_FIELD_COUNT; f++)
		posted->value[f] =
			evhttp_find_header(fields, record_field_names[f]);
	posted->row = evhttp_find_header(fields, "row");
	posted->activity = evhttp_find_header(fields, "activity");
}

/* The record a form asks for, checked against the page's scope: whom it
 * names must be in the manager's line. 0, or -1 with the problems in
 * posted->errs. */
static int record_of(sqlite3 *db, const char *manager_id, struct posted *posted,
		     struct record_input *in)
{
	static const char *const labels[RECORD_FIELD_COUNT] = {
		[RECORD_FIELD_STAFF] = "the person",
		[RECORD_FIELD_DATE] = "the date",
		[RECORD_FIELD_PRACTITIONER] = "whose case",
		[RECORD_FIELD_GRADE] = "the grade",
		[RECORD_FIELD_SAFEGUARDING] = "the safeguarding concern",
		[RECORD_FIELD_MODERATOR] = "the moderator",
		[RECORD_FIELD_HOME] = "the home",
		[RECORD_FIELD_AUDIT] = "the audit",
		[RECORD_FIELD_SIGNED_OFF_BY] = "who signed it off",
		[RECORD_FIELD_NOTE] = "the note"};
	const char *const *v = posted->value;
	struct errlist *errs = &posted->errs;
	memset(in, 0, sizeof(*in));
	in->names = labels;
	in->note = v[RECORD_FIELD_NOTE] && *v[RECORD_FIELD_NOTE]
			   ? v[RECORD_FIELD_NOTE]
			   : NULL;
	const char *date = v[RECORD_FIELD_DATE];
	if (!date || date_parse(date, &in->date)) {
		errlist_add(errs,
			    "Enter the date as YYYY-MM-DD, e.g. 2026-12-03.");
		errlist_tag(errs, errs->n - 1, RECORD_FIELD_DATE);
	}
	const char *whom = NULL; /* who must be in the line */
	switch (posted->form) {
	case FORM_SUPERVISION:
		in->activity = "supervision";
		in->staff_id = whom = v[RECORD_FIELD_STAFF];
		break;
	case FORM_ACTION:
		in->activity = SCHED_AUDIT_ACTION;
		in->staff_id = whom = v[RECORD_FIELD_STAFF];
		in->signed_off_by = manager_id;
		break;
	case FORM_MODERATION:
		in->activity = SCHED_MODERATION;
		in->staff_id = manager_id;
		break;
	case FORM_AUDIT:
		in->activity = "collaborative_audit";
		in->staff_id = manager_id;
		in->practitioner_id = whom = v[RECORD_FIELD_PRACTITIONER];
		in->moderator_id =
			v[RECORD_FIELD_MODERATOR] && *v[RECORD_FIELD_MODERATOR]
				? v[RECORD_FIELD_MODERATOR]
				: NULL;
		break;
	case FORM_DEADLINE:
		in->activity = posted->activity ? posted->activity : "";
		in->staff_id = manager_id;
		break;
	default:
		break;
	}
	if (posted->form == FORM_MODERATION || posted->form == FORM_AUDIT) {
		const char *grade = v[RECORD_FIELD_GRADE];
		in->grade = grade && *grade ? grade : NULL;
		in->safeguarding =
			v[RECORD_FIELD_SAFEGUARDING] &&
					strcmp(v[RECORD_FIELD_SAFEGUARDING],
					       "yes") == 0
				? RECORD_FLAG_YES
				: RECORD_FLAG_NO;
	}
	if (posted->form == FORM_ACTION || posted->form == FORM_MODERATION) {
		const char *audit = v[RECORD_FIELD_AUDIT];
		char *end = NULL;
		in->audit_id = audit ? strtoll(audit, &end, 10) : 0;
		if (!audit || !*audit || *end || in->audit_id <= 0) {
			errlist_add(errs, "Which audit is not clear; reload "
					  "the page.");
			in->audit_id = 0;
		}
	}
	if (whom && *whom) {
		int in_line = manager_in_line(db, manager_id, whom);
		if (in_line < 0)
			return -1;
		if (!in_line) {
			errlist_add(errs, "%s is not in your line.", whom);
			errlist_tag(errs, errs->n - 1,
				    posted->form == FORM_AUDIT
					    ? RECORD_FIELD_PRACTITIONER
					    : RECORD_FIELD_STAFF);
		}
	} else if (posted->form == FORM_SUPERVISION ||
		   posted->form == FORM_ACTION || posted->form == FORM_AUDIT) {
		errlist_add(errs, "Choose whose case it was.");
		errlist_tag(errs, errs->n - 1,
			    posted->form == FORM_AUDIT
				    ? RECORD_FIELD_PRACTITIONER
				    : RECORD_FIELD_STAFF);
	}
	return errs->n ? -1 : 0;
}

/* Record what the form says, on the loop's write connection. 0 recorded;
 * -1 refused (posted->errs) or failed (logged, and said). */
static int record_posted(struct page *p, struct http_loop *loop,
			 const char *manager_id, struct posted *posted)
{
	sqlite3 *db = http_loop_db_write(loop);
	struct record_input in;
	long long id = 0;
	char *said = NULL;
	if (!db) {
		errlist_add(&posted->errs, "The database cannot be written "
					   "to just now; try again.");
		return -1;
	}
	if (record_of(db, manager_id, posted, &in))
		return -1;
	pthread_rwlock_rdlock(&p->app->conf_lock);
	struct sched_env env = engine_env(&p->app->eng, time(NULL));
	int rc = -1;
	if (db_begin(db) == 0) {
		if (record_and_regenerate(db, &env, &in, &posted->errs, &id,
					  &said) ||
		    db_commit(db))
			db_rollback(db);
		else
			rc = 0;
	} else {
		errlist_add(&posted->errs, "The database is busy; try again.");
	}
	pthread_rwlock_unlock(&p->app->conf_lock);
	if (rc == 0) {
		log_info("manager: %s recorded: %s", manager_id, said);
		/* Feeds show it at once, not at the daemon's next look. */
		feed_cache_invalidate(p->app->feeds);
	}
	free(said);
	return rc;
}

/* Serve the page of manager_id: its forms carry tokens bound to binding
 * and post to base (relative to /manager/ or /). */
static void serve(struct evhttp_request *req, struct http_loop *loop,
		  struct app *app, const char *manager_id, const void *binding,
		  size_t binding_len, const char *base)
{
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	sqlite3 *db = http_loop_db(loop);
	struct evkeyvalq query;
	TAILQ_INIT(&query);
	const char *q =
		evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	if (q)
		evhttp_parse_query_str(q, &query);
	struct page p = {.app = app, .base = base};
	p.team = evhttp_find_header(&query, "team");
	p.saved = evhttp_find_header(&query, "saved");
	token_form(app->form_key, binding, binding_len, p.csrf);
	snprintf(p.action, sizeof(p.action), "%s", base);
	if (p.team) {
		char *escaped = evhttp_encode_uri(p.team);
		snprintf(p.action, sizeof(p.action), "%s?team=%s", base,
			 escaped ? escaped : "");
		free(escaped);
	}
	if (method != EVHTTP_REQ_POST) {
		answer(req, &p, db, manager_id, HTTP_OK, "OK");
		goto out;
	}
	struct evkeyvalq fields;
	TAILQ_INIT(&fields);
	struct posted posted = {0};
	if (read_form(req, &fields)) {
		http_send_text(req, HTTP_BADREQUEST, "Bad Request",
			       "not a form\n");
		goto out_form;
	}
	posted.form = form_of(evhttp_find_header(&fields, "form"));
	keep_posted(&posted, &fields);
	p.posted = &posted;
	if (!token_form_valid(app->form_key, binding, binding_len,
			      evhttp_find_header(&fields, "csrf"))) {
		errlist_add(&posted.errs,
			    "This form did not come from your page as it is "
			    "now (it may be from before the link was "
			    "changed); nothing was recorded. Try again below.");
		answer(req, &p, db, manager_id, 403, "Forbidden");
		goto out_form;
	}
	if (posted.form == FORM_COUNT) {
		http_send_text(req, HTTP_BADREQUEST, "Bad Request",
			       "unknown form\n");
		goto out_form;
	}
	if (record_posted(&p, loop, manager_id, &posted)) {
		answer(req, &p, db, manager_id, 422, "Unprocessable Content");
		goto out_form;
	}
	/* Post/Redirect/Get: a reload does not record it twice. */
	char location[256];
	snprintf(location, sizeof(location), "%s%ssaved=%s#%s", p.action,
		 p.team ? "&" : "?", form_names[posted.form],
		 posted.form == FORM_SUPERVISION  ? "supervision"
		 : posted.form == FORM_ACTION     ? "actions"
		 : posted.form == FORM_MODERATION ? "moderations"
						  : "own");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
			  location);
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Cache-Control", "no-store");
	evhttp_send_reply(req, 303, "See Other", NULL);
out_form:
	errlist_done(&posted.errs);
	evhttp_clear_headers(&fields);
out:
	evhttp_clear_headers(&query);
}

/* GET, HEAD and POST only: 0, or -1 with 405 sent. */
static int allowed(struct evhttp_request *req)
{
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	if (method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD ||
	    method == EVHTTP_REQ_POST)
		return 0;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
			  "GET, HEAD, POST");
	http_send_text(req, 405, "Method Not Allowed", "method not allowed\n");
	return -1;
}

static void not_found_or_error(struct evhttp_request *req, int found)
{
	if (found < 0)
		http_send_text(req, HTTP_INTERNAL, "Internal Server Error",
			       "internal error\n");
	else
		http_send_text(req, HTTP_NOTFOUND, "Not Found", "not found\n");
}

static void handle_manager(struct evhttp_request *req, const char *path,
			   struct http_loop *loop, void *arg)
{
	struct app *app = arg;
	if (allowed(req))
		return;
	/* Exactly /manager/<token>. */
	const char *token = http_path_token(path, MANAGER_PREFIX, "");
	if (!token) {
		not_found_or_error(req, 0);
		return;
	}
	unsigned char hash[TOKEN_HASH_SIZE];
	char *manager_id = NULL;
	int found = manager_by_token(http_loop_db(loop), token, app_today(app),
				     hash, &manager_id);
	if (found <= 0)
		not_found_or_error(req, found);
	else
		serve(req, loop, app, manager_id, hash, sizeof(hash), token);
	free(manager_id);
}

/* Is the peer of req one of the trusted proxies? Addresses are compared
 * as the bytes they stand for ("::1" and "0:0::1" alike). */
static bool from_trusted_proxy(struct evhttp_request *req,
			       const struct config_list *proxies)
{
	char *peer = NULL;
	ev_uint16_t port;
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	if (!conn || !proxies->n)
		return false;
	evhttp_connection_get_peer(conn, &peer, &port);
	unsigned char a[16], b[16];
	int family = peer && inet_pton(AF_INET, peer, a) == 1    ? AF_INET
		     : peer && inet_pton(AF_INET6, peer, a) == 1 ? AF_INET6
								 : 0;
	size_t len = family == AF_INET ? 4 : 16;
	for (size_t i = 0; family && i < proxies->n; i++)
		if (inet_pton(family, proxies->items[i], b) == 1 &&
		    memcmp(a, b, len) == 0)
			return true;
	return false;
}

/* GET /manager behind the council's proxy: the person whose email the
 * trusted proxy's [server] auth_header names. From anywhere else, or
 * without the header, not found, as an unknown token is. */
static void handle_sso(struct evhttp_request *req, const char *path,
		       struct http_loop *loop, void *arg)
{
	(void)path;
	struct app *app = arg;
	if (allowed(req))
		return;
	char *email = NULL, *manager_id = NULL;
	pthread_rwlock_rdlock(&app->conf_lock);
	const char *header = app->eng.cfg.auth_header;
	if (header && from_trusted_proxy(req, &app->eng.cfg.trusted_proxies)) {
		const char *value = evhttp_find_header(
			evhttp_request_get_input_headers(req), header);
		email = value ? strdup(value) : NULL;
	}
	pthread_rwlock_unlock(&app->conf_lock);
	int found = 0;
	if (email)
		found = staff_find_manager_by_email(
			http_loop_db(loop), email, app_today(app), &manager_id);
	if (found <= 0) {
		not_found_or_error(req, found);
	} else {
		/* Form tokens bound to the person, not to a URL. */
		char binding[96];
		int len = snprintf(binding, sizeof(binding), "sign-on:%s",
				   manager_id);
		serve(req, loop, app, manager_id, binding, (size_t)len,
		      "manager");
	}
	free(email);
	free(manager_id);
}

struct http_route manager_sso_route(struct app *app)
{
	return (struct http_route){.path = "/manager",
				   .handle = handle_sso,
				   .arg = app,
				   .read_only = false};
}

struct http_route manager_page_route(struct app *app)
{
	return (struct http_route){.path = MANAGER_PREFIX,
				   .handle = handle_manager,
				   .arg = app,
				   .read_only = false};
}
