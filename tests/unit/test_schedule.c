/* sched, record and due: the schedule engine with the real plugins, a real
 * SQLite file and the shipped holiday calendar, the clock injected as
 * `today`. Every expected date below was worked out by hand from the
 * framework's rules (SPEC section 3); the reasoning is in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit_helpers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "config.h"
#include "date.h"
#include "db.h"
#include "due.h"
#include "holidays.h"
#include "plugin_host.h"
#include "record.h"
#include "schedule.h"
#include "staff.h"

#define HOLIDAYS QA_SOURCE_DIR "/calendars/england-and-wales-bank-holidays.ics"

struct world {
	char dir[64];
	char db_path[128];
	sqlite3 *db;
	struct config cfg;
	struct plugin_set plugins;
	struct holidays holidays;
	struct sched_env env;
};

static qa_day D(int y, int m, int d)
{
	return qa_day_from_ymd(y, m, d);
}

static void assert_day(qa_day day, const char *expected)
{
	char text[DATE_TEXT_SIZE];
	if (day == QA_DAY_NONE)
		strcpy(text, "none");
	else
		date_format(day, text);
	assert_string_equal(text, expected);
}

static void world_open_dir(struct world *w, qa_day today,
			   const char *plugin_dir)
{
	memset(w, 0, sizeof(*w));
	strcpy(w->dir, "/tmp/qa-sched-XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	snprintf(w->db_path, sizeof(w->db_path), "%s/qa.db", w->dir);
	assert_int_equal(db_open(w->db_path, &w->db), 0);
	assert_int_equal(config_defaults(&w->cfg), 0);
	free(w->cfg.plugins_dir);
	w->cfg.plugins_dir = strdup(plugin_dir);
	struct errlist errs = {0};
	plugin_set_load(&w->cfg, &w->plugins, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	errlist_done(&errs);
	char *files[] = {HOLIDAYS};
	struct config_list list = {files, 1};
	assert_int_equal(holidays_load(&list, &w->holidays, &errs), 0);
	w->env = (struct sched_env){.plugins = &w->plugins,
				    .holidays = &w->holidays,
				    .tzid = "Europe/London",
				    .today = today,
				    .now = 1700000000};
}

static void world_open(struct world *w, qa_day today)
{
	world_open_dir(w, today, QA_PLUGIN_DIR);
	assert_int_equal(w->plugins.n, 16);
}

static void world_close(struct world *w)
{
	db_close(w->db);
	plugin_set_done(&w->plugins);
	holidays_done(&w->holidays);
	config_done(&w->cfg);
	unit_remove_database(w->db_path);
	rmdir(w->dir);
}

/* Move the clock: a new day, a later "now" for last_modified. */
static void set_today(struct world *w, qa_day today)
{
	w->env.now += (time_t)(today - w->env.today) * 86400 + 1;
	w->env.today = today;
}

static void add_staff(struct world *w, const char *id, const char *role,
		      const char *manager, const char *nqsw)
{
	struct staff_text text = {.id = id,
				  .name = id,
				  .email = "someone@example.org",
				  .role = role,
				  .team = "Team A",
				  .manager = manager,
				  .nqsw_start = nqsw};
	unit_add_person(w->db, &text, w->env.today);
}

static void regen(struct world *w)
{
	assert_int_equal(sched_regenerate(w->db, &w->env, NULL, NULL), 0);
}

static int try_record(struct world *w, const char *activity, const char *who,
		      qa_day date, const char *practitioner, const char *grade,
		      bool safeguarding)
{
	struct record_input in = {.activity = activity,
				  .staff_id = who,
				  .date = date,
				  .practitioner_id = practitioner,
				  .grade = grade,
				  .safeguarding = safeguarding
							  ? RECORD_FLAG_YES
							  : RECORD_FLAG_UNSET};
	struct errlist errs = {0};
	long long id;
	int rc = record_completion(w->db, &w->plugins, &in, w->env.today, &errs,
				   &id);
	errlist_done(&errs);
	return rc;
}

/* The id of the audit of practitioner's case on date. */
static long long audit_of(struct world *w, const char *practitioner,
			  qa_day date)
{
	sqlite3_stmt *stmt = NULL;
	char day[DATE_TEXT_SIZE];
	assert_int_equal(sqlite3_prepare_v2(
				 w->db,
				 "SELECT id FROM completions WHERE activity = "
				 "'collaborative_audit' AND practitioner_id = "
				 "?1 AND done_on = ?2",
				 -1, &stmt, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(stmt, 1, practitioner, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, date_format(date, day), -1,
			  SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	long long id = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return id;
}

/* Close the action of audit_id (0: the only open one) on date; the
 * messages, if refused, into errs (NULL: dropped). 0 or -1. */
static int try_close(struct world *w, const char *who, qa_day date,
		     long long audit_id, struct errlist *errs)
{
	struct record_input in = {.activity = SCHED_AUDIT_ACTION,
				  .staff_id = who,
				  .date = date,
				  .audit_id = audit_id};
	struct errlist local = {0};
	long long id;
	int rc = record_completion(w->db, &w->plugins, &in, w->env.today,
				   errs ? errs : &local, &id);
	errlist_done(&local);
	return rc;
}

/* Record on `date` (which becomes today) and regenerate. */
static void record_on(struct world *w, const char *activity, const char *who,
		      qa_day date)
{
	set_today(w, date);
	assert_int_equal(try_record(w, activity, who, date, NULL, NULL, false),
			 0);
	regen(w);
}

/* The due row of (who, activity) as of today; fails the test if none. */
static struct due_row due_row(struct world *w, const char *who,
			      const char *activity, struct due_list *list)
{
	struct due_filter filter = {
		.activity = activity, .as_of = w->env.today, .within_days = 7};
	assert_int_equal(due_query(w->db, &filter, list), 0);
	for (size_t i = 0; i < list->n; i++)
		if (strcmp(list->rows[i].staff_id, who) == 0)
			return list->rows[i];
	fail_msg("no due row for %s / %s", who, activity);
	return list->rows[0];
}

static qa_day due_of(struct world *w, const char *who, const char *activity)
{
	struct due_list list;
	qa_day due = due_row(w, who, activity, &list).due;
	due_list_done(&list);
	return due;
}

static void nqsw_supervision_through_the_phases(void **state)
{
	(void)state;
	struct world w;
	/* Start Mon 5 Jan 2026: weekly until 5 July, fortnightly until
	 * 5 Jan 2027, then every 28 days. */
	world_open(&w, D(2026, 1, 5));
	add_staff(&w, "pm", "practice_manager", NULL, NULL);
	add_staff(&w, "sw", "social_worker", "pm", "2026-01-05");
	regen(&w);
	/* No session yet: the first is due on nqsw_start. */
	assert_day(due_of(&w, "sw", "supervision"), "2026-01-05");

	record_on(&w, "supervision", "sw", D(2026, 1, 5));
	assert_day(due_of(&w, "sw", "supervision"), "2026-01-12");
	/* Fri 3 July is before start + 6 months (5 July): weekly still. */
	record_on(&w, "supervision", "sw", D(2026, 7, 3));
	assert_day(due_of(&w, "sw", "supervision"), "2026-07-10");
	/* Mon 6 July is in the fortnightly phase: 14 days. */
	record_on(&w, "supervision", "sw", D(2026, 7, 6));
	assert_day(due_of(&w, "sw", "supervision"), "2026-07-20");
	struct due_list list;
	assert_string_equal(due_row(&w, "sw", "supervision", &list).phase,
			    "nqsw_fortnightly");
	due_list_done(&list);
	/* Mon 4 Jan 2027, the day before start + 12 months: fortnightly. */
	record_on(&w, "supervision", "sw", D(2027, 1, 4));
	assert_day(due_of(&w, "sw", "supervision"), "2027-01-18");
	/* Tue 5 Jan 2027: experienced, 28 days, Tue 2 Feb. */
	record_on(&w, "supervision", "sw", D(2027, 1, 5));
	assert_day(due_of(&w, "sw", "supervision"), "2027-02-02");
	struct due_row row = due_row(&w, "sw", "supervision", &list);
	assert_string_equal(row.phase, "experienced");
	assert_day(row.last_done, "2027-01-05");
	due_list_done(&list);
	world_close(&w);
}

static void start_on_the_31st_and_29_february(void **state)
{
	(void)state;
	struct world w;
	/* Start Tue 31 Aug 2027: + 6 months is clamped to Tue 29 Feb 2028
	 * (a leap year), + 12 months to Thu 31 Aug 2028. */
	world_open(&w, D(2027, 8, 31));
	add_staff(&w, "pm", "practice_manager", NULL, NULL);
	add_staff(&w, "sw", "social_worker", "pm", "2027-08-31");
	/* Mon 28 Feb 2028: still weekly, due Mon 6 March. */
	record_on(&w, "supervision", "sw", D(2028, 2, 28));
	assert_day(due_of(&w, "sw", "supervision"), "2028-03-06");
	/* Tue 29 Feb 2028: fortnightly, due Tue 14 March. */
	record_on(&w, "supervision", "sw", D(2028, 2, 29));
	assert_day(due_of(&w, "sw", "supervision"), "2028-03-14");

	/* Start on 29 Feb 2028: + 6 months is Tue 29 Aug 2028, + 12 months
	 * clamps to Wed 28 Feb 2029. */
	add_staff(&w, "sw2", "social_worker", "pm", "2028-02-29");
	/* Tue 27 Feb 2029: fortnightly still, due Tue 13 March. */
	record_on(&w, "supervision", "sw2", D(2029, 2, 27));
	assert_day(due_of(&w, "sw2", "supervision"), "2029-03-13");
	/* Wed 28 Feb 2029: experienced, due Wed 28 March. */
	record_on(&w, "supervision", "sw2", D(2029, 2, 28));
	assert_day(due_of(&w, "sw2", "supervision"), "2029-03-28");
	world_close(&w);
}

static void overdue_and_leaving(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, D(2026, 3, 2));
	add_staff(&w, "pm", "practice_manager", NULL, NULL);
	add_staff(&w, "sw", "social_worker", "pm", NULL);
	regen(&w);
	/* Experienced, added Mon 2 March with no session: due that day. */
	assert_day(due_of(&w, "sw", "supervision"), "2026-03-02");
	struct due_list list;
	assert_int_equal(due_row(&w, "sw", "supervision", &list).status,
			 DUE_DUE);
	due_list_done(&list);
	/* Nothing recorded by Wed 4 March: overdue. */
	set_today(&w, D(2026, 3, 4));
	regen(&w);
	assert_int_equal(due_row(&w, "sw", "supervision", &list).status,
			 DUE_OVERDUE);
	assert_day(list.rows[0].last_done, "none");
	due_list_done(&list);

	/* Leaving on 10 March cancels every session after it. */
	struct errlist errs = {0};
	assert_int_equal(staff_leave(w.db, "sw", D(2026, 3, 10),
				     &(struct staff_origin){0}, &errs),
			 0);
	errlist_done(&errs);
	regen(&w);
	sqlite3_stmt *stmt;
	assert_int_equal(sqlite3_prepare_v2(w.db,
					    "SELECT count(*), sum(status = "
					    "'cancelled') FROM occurrences "
					    "WHERE subject = 'sw' AND "
					    "start_date > '2026-03-10'",
					    -1, &stmt, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_true(sqlite3_column_int(stmt, 0) > 0);
	assert_int_equal(sqlite3_column_int(stmt, 0),
			 sqlite3_column_int(stmt, 1));
	sqlite3_finalize(stmt);
	/* From the day after, they are off the due list. */
	set_today(&w, D(2026, 3, 11));
	struct due_filter filter = {.as_of = w.env.today, .within_days = 7};
	assert_int_equal(due_query(w.db, &filter, &list), 0);
	for (size_t i = 0; i < list.n; i++)
		assert_string_not_equal(list.rows[i].staff_id, "sw");
	due_list_done(&list);
	/* And nothing can be recorded for them after they left. */
	assert_int_equal(try_record(&w, "supervision", "sw", D(2026, 3, 11),
				    NULL, NULL, false),
			 -1);
	world_close(&w);
}

/* A collaborative audit by pm of sw's case on date (today), graded good. */
static void audit_on(struct world *w, qa_day date)
{
	set_today(w, date);
	assert_int_equal(try_record(w, "collaborative_audit", "pm", date, "sw",
				    "good", false),
			 0);
	regen(w);
}

static void monthly_audit_due_on_the_last_working_day(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, D(2026, 8, 3));
	add_staff(&w, "gm", "group_manager", NULL, NULL);
	add_staff(&w, "pm", "practice_manager", "gm", NULL);
	add_staff(&w, "sw", "social_worker", "pm", NULL);
	regen(&w);
	/* Mon 31 Aug 2026 is the summer bank holiday: Fri 28 Aug. */
	assert_day(due_of(&w, "pm", "collaborative_audit"), "2026-08-28");
	/* Done on 10 Aug: September's is next, Wed 30 Sep. */
	audit_on(&w, D(2026, 8, 10));
	assert_day(due_of(&w, "pm", "collaborative_audit"), "2026-09-30");
	/* Nothing in September: overdue from 1 October... */
	set_today(&w, D(2026, 10, 1));
	regen(&w);
	struct due_list list;
	assert_int_equal(due_row(&w, "pm", "collaborative_audit", &list).status,
			 DUE_OVERDUE);
	due_list_done(&list);
	/* ...and forgiven once October's is done: Mon 30 November next. */
	audit_on(&w, D(2026, 10, 5));
	assert_day(due_of(&w, "pm", "collaborative_audit"), "2026-11-30");
	/* May 2027: Mon 31 May is the spring bank holiday: Fri 28 May. */
	audit_on(&w, D(2027, 4, 30));
	set_today(&w, D(2027, 5, 4));
	regen(&w);
	assert_day(due_of(&w, "pm", "collaborative_audit"), "2027-05-28");

	/* Weekly dip sample, done Fri 19 March 2027: the next week's ends on
	 * Thursday 25 March, Good Friday being the 26th. */
	record_on(&w, "dip_sample", "pm", D(2027, 3, 19));
	set_today(&w, D(2027, 3, 22));
	regen(&w);
	assert_day(due_of(&w, "pm", "dip_sample"), "2027-03-25");
	world_close(&w);
}

static void audit_actions(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, D(2026, 4, 2));
	add_staff(&w, "gm", "group_manager", NULL, NULL);
	add_staff(&w, "pm", "practice_manager", "gm", NULL);
	add_staff(&w, "sw", "social_worker", "pm", NULL);
	add_staff(&w, "sw2", "social_worker", "pm", NULL);
	/* Inadequate with a safeguarding concern on Thu 2 April 2026:
	 * 5 working days across Easter (Good Friday 3rd, Easter Monday 6th):
	 * 7, 8, 9, 10, 13 April. */
	assert_int_equal(try_record(&w, "collaborative_audit", "pm",
				    D(2026, 4, 2), "sw", "inadequate", true),
			 0);
	/* Requires improvement (legacy 4): 28 days, Thu 30 April. */
	assert_int_equal(try_record(&w, "collaborative_audit", "pm",
				    D(2026, 4, 2), "sw2", "4", false),
			 0);
	regen(&w);
	assert_day(due_of(&w, "sw", SCHED_AUDIT_ACTION), "2026-04-13");
	assert_day(due_of(&w, "sw2", SCHED_AUDIT_ACTION), "2026-04-30");
	struct due_list list;
	/* The practitioner's line manager signs it off. */
	assert_string_equal(
		due_row(&w, "sw", SCHED_AUDIT_ACTION, &list).manager_id, "pm");
	due_list_done(&list);
	/* The auditor's own audit for April is done. */
	assert_day(due_of(&w, "pm", "collaborative_audit"), "2026-05-29");

	/* Closing it: sw has none open after. */
	record_on(&w, SCHED_AUDIT_ACTION, "sw", D(2026, 4, 9));
	struct due_filter filter = {.activity = SCHED_AUDIT_ACTION,
				    .as_of = w.env.today,
				    .within_days = 7};
	assert_int_equal(due_query(w.db, &filter, &list), 0);
	assert_int_equal(list.n, 1);
	assert_string_equal(list.rows[0].staff_id, "sw2");
	due_list_done(&list);
	/* A second close with nothing open is refused. */
	assert_int_equal(try_record(&w, SCHED_AUDIT_ACTION, "sw", D(2026, 4, 9),
				    NULL, NULL, false),
			 -1);

	/* Across Christmas: Tue 22 Dec 2026, legacy 1 = inadequate, with a
	 * safeguarding concern: 23, 24, 29, 30, 31 December. */
	set_today(&w, D(2026, 12, 22));
	assert_int_equal(try_record(&w, "collaborative_audit", "pm",
				    D(2026, 12, 22), "sw", "1", true),
			 0);
	regen(&w);
	assert_day(due_of(&w, "sw", SCHED_AUDIT_ACTION), "2026-12-31");
	/* Inadequate without a safeguarding concern: 4 weeks. */
	assert_int_equal(try_record(&w, "collaborative_audit", "pm",
				    D(2026, 12, 22), "sw2", "inadequate",
				    false),
			 0);
	regen(&w);
	/* sw2's April action is still open, so that one is first. */
	assert_day(due_of(&w, "sw2", SCHED_AUDIT_ACTION), "2026-04-30");
	/* Two open: a close must say which. */
	assert_int_equal(try_close(&w, "sw2", D(2026, 12, 22), 0, NULL), -1);
	assert_int_equal(try_close(&w, "sw2", D(2026, 12, 22),
				   audit_of(&w, "sw2", D(2026, 4, 2)), NULL),
			 0);
	regen(&w);
	assert_day(due_of(&w, "sw2", SCHED_AUDIT_ACTION), "2027-01-19");
	world_close(&w);
}

static void grades(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{"0", "inadequate"},
		{"2", "inadequate"},
		{"3", "requires_improvement"},
		{"5", "requires_improvement"},
		{"6", "good"},
		{"8", "good"},
		{"9", "outstanding"},
		{"10", "outstanding"},
		{"good", "good"},
		{"requires_improvement", "requires_improvement"},
		/* The framework's own words, as people type them. */
		{"Good", "good"},
		{"Requires improvement", "requires_improvement"},
		{"requires-improvement", "requires_improvement"},
		{"REQUIRES_IMPROVEMENT", "requires_improvement"},
		{" Requires  improvement ", "requires_improvement"},
		{"Inadequate", "inadequate"},
		{"OUTSTANDING", "outstanding"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(audit_grade(cases[i][0]), cases[i][1]);
	const char *bad[] = {"11",
			     "-1",
			     "",
			     "5.5",
			     "010",
			     "x",
			     "   ",
			     "requiresimprovement",
			     "good!",
			     "good 2",
			     "improvement requires",
			     NULL};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(audit_grade(bad[i]));
}

/* record names a field in its messages the way its caller does: the
 * command line's options, or a file's column names when it gives none. */
static void record_names_fields_as_the_caller_does(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, D(2026, 5, 6));
	add_staff(&w, "pm", "practice_manager", NULL, NULL);
	add_staff(&w, "sw", "social_worker", "pm", NULL);
	static const char *const options[RECORD_FIELD_COUNT] = {
		[RECORD_FIELD_STAFF] = "--by",
		[RECORD_FIELD_HOME] = "--where",
		[RECORD_FIELD_DATE] = "--on"};
	struct record_input in = {.activity = "supervision",
				  .staff_id = "sw",
				  .date = D(2026, 5, 7),
				  .home = "{home}",
				  .names = options};
	struct errlist errs = {0};
	long long id;
	assert_int_equal(record_completion(w.db, &w.plugins, &in, w.env.today,
					   &errs, &id),
			 -1);
	assert_int_equal(errs.n, 2);
	assert_non_null(strstr(errs.msgs[0], "record: --on 2026-05-07 is in "
					     "the future"));
	assert_string_equal(errs.msgs[1],
			    "record: --where belongs to an activity recorded "
			    "per home (reg44_visit), not to supervision");
	errlist_done(&errs);
	in.names = NULL;
	in.staff_id = "nobody";
	assert_int_equal(record_completion(w.db, &w.plugins, &in, w.env.today,
					   &errs, &id),
			 -1);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msgs[0], "record: staff \"nobody\": no "
					     "such person"));
	errlist_done(&errs);
	world_close(&w);
}

static void record_refuses_bad_input(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, D(2026, 5, 6));
	add_staff(&w, "pm", "practice_manager", NULL, NULL);
	add_staff(&w, "sw", "social_worker", "pm", NULL);
	/* Future date, unknown activity or person, wrong role, no manager,
	 * audit details missing or misplaced, the same record twice. */
	assert_int_equal(try_record(&w, "supervision", "sw", D(2026, 5, 7),
				    NULL, NULL, false),
			 -1);
	assert_int_equal(try_record(&w, "no_such", "sw", D(2026, 5, 6), NULL,
				    NULL, false),
			 -1);
	assert_int_equal(try_record(&w, "supervision", "nobody", D(2026, 5, 6),
				    NULL, NULL, false),
			 -1);
	assert_int_equal(try_record(&w, "collaborative_audit", "sw",
				    D(2026, 5, 6), "pm", "good", false),
			 -1);
	assert_int_equal(try_record(&w, "supervision", "pm", D(2026, 5, 6),
				    NULL, NULL, false),
			 -1);
	assert_int_equal(try_record(&w, "collaborative_audit", "pm",
				    D(2026, 5, 6), NULL, "good", false),
			 -1);
	assert_int_equal(try_record(&w, "collaborative_audit", "pm",
				    D(2026, 5, 6), "sw", "brilliant", false),
			 -1);
	assert_int_equal(try_record(&w, "supervision", "sw", D(2026, 5, 6),
				    "pm", NULL, false),
			 -1);
	assert_int_equal(try_record(&w, "supervision", "sw", D(2026, 5, 6),
				    NULL, NULL, false),
			 0);
	assert_int_equal(try_record(&w, "supervision", "sw", D(2026, 5, 6),
				    NULL, NULL, false),
			 -1);
	/* Back-filling history from before the system is fine. */
	assert_int_equal(try_record(&w, "supervision", "sw", D(2025, 1, 6),
				    NULL, NULL, false),
			 0);
	sqlite3_stmt *stmt;
	sqlite3_prepare_v2(w.db, "SELECT count(*) FROM completions", -1, &stmt,
			   NULL);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(stmt, 0), 2);
	sqlite3_finalize(stmt);
	world_close(&w);
}

/* The stored (uid, date, utc start, sequence, status) of one occurrence. */
struct stored_occ {
	char uid[64];
	char date[DATE_TEXT_SIZE];
	long long dtstart_utc;
	int sequence;
	char status[16];
};

static int stored(struct world *w, const char *activity, const char *subject,
		  const char *key, struct stored_occ *out)
{
	sqlite3_stmt *stmt;
	assert_int_equal(sqlite3_prepare_v2(w->db,
					    "SELECT uid, start_date,"
					    " coalesce(dtstart_utc, 0),"
					    " sequence, status FROM occurrences"
					    " WHERE activity = ?1 AND"
					    " subject = ?2 AND occ_key = ?3",
					    -1, &stmt, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(stmt, 1, activity, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, key, -1, SQLITE_STATIC);
	int found = sqlite3_step(stmt) == SQLITE_ROW;
	if (found) {
		snprintf(out->uid, sizeof(out->uid), "%s",
			 sqlite3_column_text(stmt, 0));
		snprintf(out->date, sizeof(out->date), "%s",
			 sqlite3_column_text(stmt, 1));
		out->dtstart_utc = sqlite3_column_int64(stmt, 2);
		out->sequence = sqlite3_column_int(stmt, 3);
		snprintf(out->status, sizeof(out->status), "%s",
			 sqlite3_column_text(stmt, 4));
	}
	sqlite3_finalize(stmt);
	return found;
}

static void reconciliation_keeps_uids_and_bumps_sequence(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, D(2026, 2, 2));
	add_staff(&w, "pm", "practice_manager", NULL, NULL);
	add_staff(&w, "sw", "social_worker", "pm", NULL);
	record_on(&w, "supervision", "sw", D(2026, 2, 2));
	/* s1 held on Mon 2 Feb; s2 due Mon 2 March; s3 Mon 30 March. */
	struct stored_occ s1, s2, s3, again;
	assert_true(stored(&w, "supervision", "sw", "s1", &s1));
	assert_true(stored(&w, "supervision", "sw", "s2", &s2));
	assert_true(stored(&w, "supervision", "sw", "s3", &s3));
	assert_string_equal(s1.status, "confirmed");
	assert_string_equal(s2.date, "2026-03-02");
	assert_string_equal(s2.status, "tentative");
	assert_string_equal(s3.date, "2026-03-30");
	/* Regenerating with nothing changed changes nothing. */
	struct sched_stats stats;
	assert_int_equal(sched_regenerate(w.db, &w.env, NULL, &stats), 0);
	assert_int_equal(stats.inserted + stats.updated + stats.cancelled, 0);
	assert_true(stored(&w, "supervision", "sw", "s2", &again));
	assert_int_equal(again.sequence, s2.sequence);

	/* The second session is held early, on Wed 25 Feb: s2 is now held
	 * that day (same UID, confirmed, SEQUENCE+1), s3 moves to Wed 25
	 * March (same UID, SEQUENCE+1). */
	record_on(&w, "supervision", "sw", D(2026, 2, 25));
	assert_true(stored(&w, "supervision", "sw", "s2", &again));
	assert_string_equal(again.uid, s2.uid);
	assert_string_equal(again.date, "2026-02-25");
	assert_string_equal(again.status, "confirmed");
	assert_int_equal(again.sequence, s2.sequence + 1);
	assert_true(stored(&w, "supervision", "sw", "s3", &again));
	assert_string_equal(again.uid, s3.uid);
	assert_string_equal(again.date, "2026-03-25");
	assert_int_equal(again.sequence, s3.sequence + 1);
	/* UIDs are opaque and stable: recomputed the same from the
	 * installation's salt, and another salt gives another UID. */
	char uid[64];
	unsigned char salt[SCHED_SALT_SIZE];
	assert_int_equal(sched_uid_salt(w.db, false, salt), 0);
	sched_uid(salt, "supervision", "sw", "s3", uid);
	assert_string_equal(uid, s3.uid);
	assert_null(strstr(uid, "sw"));
	salt[0] ^= 1;
	sched_uid(salt, "supervision", "sw", "s3", uid);
	assert_string_not_equal(uid, s3.uid);
	world_close(&w);
}

static void ten_o_clock_stays_local_across_clock_changes(void **state)
{
	(void)state;
	struct world w;
	/* Experienced: every 28 days from Fri 27 Feb 2026: Fri 27 March
	 * (GMT: clocks go forward on Sun 29 March), then Fri 24 April (BST).
	 * From Mon 28 Sep (BST): Mon 26 Oct, the day after clocks go back
	 * (GMT). */
	world_open(&w, D(2026, 2, 27));
	add_staff(&w, "pm", "practice_manager", NULL, NULL);
	add_staff(&w, "sw", "social_worker", "pm", NULL);
	add_staff(&w, "sw2", "social_worker", "pm", NULL);
	record_on(&w, "supervision", "sw", D(2026, 2, 27));
	struct stored_occ o;
	assert_true(stored(&w, "supervision", "sw", "s2", &o));
	assert_string_equal(o.date, "2026-03-27");
	assert_int_equal(o.dtstart_utc, 1774605600); /* 10:00 UTC */
	assert_true(stored(&w, "supervision", "sw", "s3", &o));
	assert_string_equal(o.date, "2026-04-24");
	assert_int_equal(o.dtstart_utc, 1777021200); /* 09:00 UTC */
	set_today(&w, D(2026, 9, 28));
	assert_int_equal(try_record(&w, "supervision", "sw2", D(2026, 9, 28),
				    NULL, NULL, false),
			 0);
	regen(&w);
	assert_true(stored(&w, "supervision", "sw2", "s1", &o));
	assert_int_equal(o.dtstart_utc, 1790586000); /* 28 Sep 09:00 UTC */
	assert_true(stored(&w, "supervision", "sw2", "s2", &o));
	assert_string_equal(o.date, "2026-10-26");
	assert_int_equal(o.dtstart_utc, 1793008800); /* 26 Oct 10:00 UTC */

	/* And the conversion itself: a time in the spring gap moves
	 * forward, a repeated autumn time is the first. */
	time_t t;
	assert_int_equal(
		date_local_to_utc("Europe/London", D(2026, 3, 29), 90, &t), 0);
	assert_int_equal(t, 1774747800); /* 01:30 UTC = 02:30 BST */
	assert_int_equal(
		date_local_to_utc("Europe/London", D(2026, 10, 25), 90, &t), 0);
	assert_int_equal(t, 1792888200); /* 00:30 UTC = 01:30 BST */
	assert_int_equal(
		date_local_to_utc("Europe/London", D(2026, 3, 29), 600, &t), 0);
	assert_int_equal(t, 1774774800); /* 09:00 UTC */
	world_close(&w);
}

static void a_failing_plugin_is_disabled_and_the_rest_go_on(void **state)
{
	(void)state;
	struct world w;
	world_open_dir(&w, D(2026, 6, 1), QA_TEST_PLUGIN_DIR);
	struct plugin *fails = plugin_set_find(&w.plugins, "fails_generate");
	assert_non_null(fails);
	assert_non_null(plugin_set_find(&w.plugins, "emits_one"));
	add_staff(&w, "good", "social_worker", NULL, NULL);
	regen(&w);
	struct stored_occ o;
	assert_true(stored(&w, "fails_generate", "good", "only", &o));
	assert_false(fails->disabled);

	/* Now someone it fails for: it is disabled, "good"'s stored
	 * occurrence is left as it was, nothing of "bad" is stored, and the
	 * other plugin still runs. */
	add_staff(&w, "bad", "social_worker", NULL, NULL);
	set_today(&w, D(2026, 6, 2));
	struct sched_stats stats;
	assert_int_equal(sched_regenerate(w.db, &w.env, NULL, &stats), 0);
	assert_true(fails->disabled);
	assert_non_null(strstr(fails->disabled_reason, "bad"));
	assert_int_equal(stats.plugins_failed, 1);
	assert_false(stored(&w, "fails_generate", "bad", "only", &o));
	assert_true(stored(&w, "fails_generate", "good", "only", &o));
	assert_string_equal(o.status, "confirmed");
	assert_true(stored(&w, "emits_one", "", "one", &o));
	/* 20 days into the new window: the event moved with it. */
	assert_string_equal(o.date, "2025-12-22");
	world_close(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nqsw_supervision_through_the_phases),
		cmocka_unit_test(start_on_the_31st_and_29_february),
		cmocka_unit_test(overdue_and_leaving),
		cmocka_unit_test(monthly_audit_due_on_the_last_working_day),
		cmocka_unit_test(audit_actions),
		cmocka_unit_test(grades),
		cmocka_unit_test(record_refuses_bad_input),
		cmocka_unit_test(record_names_fields_as_the_caller_does),
		cmocka_unit_test(reconciliation_keeps_uids_and_bumps_sequence),
		cmocka_unit_test(ten_o_clock_stays_local_across_clock_changes),
		cmocka_unit_test(
			a_failing_plugin_is_disabled_and_the_rest_go_on),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
