#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "date.h"
#include "db.h"
#include "log.h"
#include "schedule.h"
#include "staff.h"

const char *const record_field_names[RECORD_FIELD_COUNT] = {
	[RECORD_FIELD_STAFF] = "staff",
	[RECORD_FIELD_DATE] = "date",
	[RECORD_FIELD_PRACTITIONER] = "practitioner",
	[RECORD_FIELD_GRADE] = "grade",
	[RECORD_FIELD_SAFEGUARDING] = "safeguarding",
	[RECORD_FIELD_MODERATOR] = "moderator",
	[RECORD_FIELD_HOME] = "home",
	[RECORD_FIELD_AUDIT] = "audit",
	[RECORD_FIELD_SIGNED_OFF_BY] = "signed_off_by",
	[RECORD_FIELD_NOTE] = "note",
};

/* The messages below name a field as {column} ("{home} \"%s\" is not a
 * home"); once written, each is renamed the way the reader knows it: the
 * command line's option or the file's column, and tagged (errlist_tag)
 * with the first field it names, enum record_field, so a form can show it
 * beside that field. */
static void name_fields(struct errlist *errs, size_t from,
			const char *const *names)
{
	for (size_t i = from; i < errs->n; i++) {
		const char *msg = errs->msgs[i];
		if (!strchr(msg, '{'))
			continue;
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);
		if (!f)
			return; /* the message keeps {column}: still clear */
		while (*msg) {
			const char *close =
				*msg == '{' ? strchr(msg, '}') : NULL;
			size_t k = 0;
			for (; close && k < RECORD_FIELD_COUNT; k++)
				if (strlen(record_field_names[k]) ==
					    (size_t)(close - msg - 1) &&
				    strncmp(msg + 1, record_field_names[k],
					    (size_t)(close - msg - 1)) == 0)
					break;
			if (close && k < RECORD_FIELD_COUNT) {
				if (errlist_tag_of(errs, i) < 0)
					errlist_tag(errs, i, (int)k);
				fputs(names && names[k] ? names[k]
							: record_field_names[k],
				      f);
				msg = close + 1;
			} else {
				fputc(*msg++, f);
			}
		}
		if (fclose(f) == 0 && out) {
			free(errs->msgs[i]);
			errs->msgs[i] = out;
		} else {
			free(out);
		}
	}
}

static const char *moderator_refusal(const struct staff *moderator,
				     const struct staff *auditor,
				     const char *practitioner_id)
{
	unsigned roles = roles_effective(moderator->roles);
	const unsigned senior = ROLE_GROUP_MANAGER | ROLE_SERVICE_LEAD |
				ROLE_ASSISTANT_DIRECTOR | ROLE_DCS |
				ROLE_QA_TEAM;
	if (auditor && strcmp(moderator->id, auditor->id) == 0)
		return "they did the audit; Stage 2 is moderated by someone "
		       "else";
	if (practitioner_id && strcmp(moderator->id, practitioner_id) == 0)
		return "it is their own case";
	if (roles & senior)
		return NULL;
	if ((roles & ROLE_PRACTICE_MANAGER) &&
	    (!auditor || strcmp(moderator->team, auditor->team) != 0))
		return NULL;
	if (roles & ROLE_PRACTICE_MANAGER)
		return "a practice manager moderates audits of another team "
		       "(framework line 148)";
	return "moderators are practice managers of another team, group "
	       "managers and above, or the QA team (framework line 148)";
}

static bool concerns(const struct qa_plugin *d, const struct staff *s)
{
	if (strcmp(d->roles, "*") == 0)
		return s->manager_id != NULL;
	unsigned mask = 0;
	char why[256];
	if (roles_parse(d->roles, &mask, why, sizeof(why)))
		return false;
	/* Only the person's roles imply others (see schedule.c). */
	return (mask & roles_effective(s->roles)) != 0;
}

/* Does who own p's shared deadlines ([activity.<id>] owner may name
 * someone who holds none of its roles: they can record it)? 1, 0, -1. */
static int owns_shared(sqlite3 *db, const struct plugin *p,
		       const struct staff *who, qa_day today)
{
	if (p->desc->scope != QA_SCOPE_AUDIENCE)
		return 0;
	char *owner = NULL;
	struct config_list holders;
	if (sched_owner(db, p, today, &owner, &holders))
		return -1;
	int owns = owner && strcmp(owner, who->id) == 0;
	free(owner);
	config_list_done(&holders);
	return owns;
}

/* Is candidate person's line manager, or above them? 1, 0, -1. */
static int in_line_above(sqlite3 *db, const char *person, const char *candidate)
{
	static const char sql[] =
		"WITH RECURSIVE up(id, depth) AS ("
		" SELECT manager_id, 1 FROM staff WHERE id = ?1"
		" UNION ALL SELECT s.manager_id, up.depth + 1 FROM staff s"
		" JOIN up ON s.id = up.id WHERE up.depth < 64)"
		" SELECT count(*) FROM up WHERE id = ?2";
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_text(stmt, 1, person, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, candidate, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			rc = sqlite3_column_int(stmt, 0) > 0;
	}
	if (rc < 0)
		log_err("record: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

/* The open actions of practitioner on date (audits on or before it with no
 * close), oldest first: the first one's id in *first_id, and one line each
 * in list, for the refusal when there are several. Returns how many, or
 * -1. */
static int open_actions(sqlite3 *db, const char *practitioner, qa_day date,
			long long *first_id, struct errlist *list)
{
	static const char sql[] =
		"SELECT a.id, a.done_on, a.staff_id,"
		" coalesce((SELECT m.grade FROM completions m WHERE m.activity"
		"  = 'moderation' AND m.audit_id = a.id), a.grade),"
		" (SELECT o.start_date FROM occurrences o WHERE o.activity ="
		"  'audit_action' AND o.subject = a.practitioner_id"
		"  AND o.occ_key = 'audit-' || a.id)"
		" FROM completions a WHERE a.activity = 'collaborative_audit'"
		" AND a.practitioner_id = ?1 AND a.done_on <= ?2"
		" AND NOT EXISTS (SELECT 1 FROM completions c WHERE c.activity"
		"  = 'audit_action' AND c.audit_id = a.id)"
		" ORDER BY a.done_on, a.id";
	sqlite3_stmt *stmt = NULL;
	int n = 0, step;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(stmt, 1, practitioner, -1, SQLITE_STATIC);
	db_bind_day(stmt, 2, date);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n++ == 0)
			*first_id = sqlite3_column_int64(stmt, 0);
		const char *due = (const char *)sqlite3_column_text(stmt, 4);
		errlist_add(list, "  audit %lld of %s by %s, grade %s, due %s",
			    sqlite3_column_int64(stmt, 0),
			    (const char *)sqlite3_column_text(stmt, 1),
			    (const char *)sqlite3_column_text(stmt, 2),
			    audit_grade_words(
				    (const char *)sqlite3_column_text(stmt, 3)),
			    due ? due : "(not yet scheduled)");
	}
	if (step != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(stmt);
	return n;
fail:
	log_err("record: open audit actions: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return -1;
}

static int already_recorded(sqlite3 *db, const struct record_input *in)
{
	static const char sql[] =
		"SELECT count(*) FROM completions WHERE activity = ?1"
		" AND staff_id = ?2 AND done_on = ?3"
		" AND coalesce(practitioner_id, '') = coalesce(?4, '')"
		" AND coalesce(audit_id, 0) = ?5"
		" AND coalesce(home, '') = coalesce(?6, '')";
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_text(stmt, 1, in->activity, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, in->staff_id, -1, SQLITE_STATIC);
		db_bind_day(stmt, 3, in->date);
		if (in->practitioner_id)
			sqlite3_bind_text(stmt, 4, in->practitioner_id, -1,
					  SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 5, in->audit_id);
		if (in->home)
			sqlite3_bind_text(stmt, 6, in->home, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			rc = sqlite3_column_int(stmt, 0) > 0;
	}
	if (rc < 0)
		log_err("record: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

static void bind_or_null(sqlite3_stmt *stmt, int index, const char *text)
{
	if (text && *text)
		sqlite3_bind_text(stmt, index, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, index);
}

static int insert(sqlite3 *db, const struct record_input *in, const char *grade,
		  bool safeguarding, long long *id)
{
	static const char sql[] =
		"INSERT INTO completions (activity, staff_id, done_on,"
		" practitioner_id, grade, safeguarding, note, recorded_at,"
		" audit_id, moderator_id, signed_off_by, home)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, in->activity, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, in->staff_id, -1, SQLITE_STATIC);
	db_bind_day(stmt, 3, in->date);
	bind_or_null(stmt, 4, in->practitioner_id);
	bind_or_null(stmt, 5, grade);
	sqlite3_bind_int(stmt, 6, safeguarding ? 1 : 0);
	bind_or_null(stmt, 7, in->note);
	sqlite3_bind_int64(stmt, 8, (sqlite3_int64)time(NULL));
	if (in->audit_id > 0)
		sqlite3_bind_int64(stmt, 9, in->audit_id);
	bind_or_null(stmt, 10, in->moderator_id);
	bind_or_null(stmt, 11, in->signed_off_by);
	bind_or_null(stmt, 12, in->home);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		goto out;
	*id = sqlite3_last_insert_rowid(db);
	rc = 0;
out:
	if (rc)
		log_err("record: cannot store the completion: %s",
			sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

/* Load id as the person named by option, reporting one who is unknown.
 * 1 found, 0 not (reported), -1 error. */
static int person(sqlite3 *db, const char *option, const char *id,
		  struct staff *out, struct errlist *errs)
{
	int found = staff_get(db, id, out);
	if (found == 0)
		errlist_add(errs,
			    "record: %s \"%s\": no such person; `qa-scheduler "
			    "staff list` lists them",
			    option, id);
	return found;
}

/* Options that belong to other activities than in->activity. */
static void refuse_foreign(const struct record_input *in, bool audit,
			   bool moderation, bool action, bool homes,
			   struct errlist *errs)
{
	struct {
		bool given, allowed;
		const char *option, *owner;
	} checks[] = {
		{in->practitioner_id != NULL, audit, "{practitioner}",
		 "collaborative_audit"},
		{in->grade != NULL, audit || moderation, "{grade}",
		 "collaborative_audit and moderation"},
		{in->safeguarding != RECORD_FLAG_UNSET, audit || moderation,
		 "{safeguarding}", "collaborative_audit and moderation"},
		{in->moderator_id != NULL, audit, "{moderator}",
		 "collaborative_audit"},
		{in->audit_id != 0, action || moderation, "{audit}",
		 "audit_action and moderation"},
		{in->signed_off_by != NULL, action, "{signed_off_by}",
		 "audit_action"},
		{in->home != NULL, homes, "{home}",
		 "an activity recorded per home (reg44_visit)"},
	};
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (checks[i].given && !checks[i].allowed)
			errlist_add(errs, "record: %s belongs to %s, not to %s",
				    checks[i].option, checks[i].owner,
				    in->activity);
}

/* The homes an activity is recorded against, as configured. */
struct homes {
	char **names;
	size_t n;
	bool failed;
};

static int collect_home(const char *home, void *arg)
{
	struct homes *homes = arg;
	char **grown =
		realloc(homes->names, (homes->n + 1) * sizeof(*homes->names));
	if (!grown || !(grown[homes->n] = strdup(home))) {
		if (grown)
			homes->names = grown;
		homes->failed = true;
		return 1;
	}
	homes->names = grown;
	homes->n++;
	return 0;
}

static void homes_free(struct homes *homes)
{
	for (size_t i = 0; i < homes->n; i++)
		free(homes->names[i]);
	free(homes->names);
}

/* --home for an activity recorded per home: one of the configured homes,
 * written as configured into *canonical (which the caller frees). */
static int check_home(const struct plugin *p, const char *home,
		      char **canonical, struct errlist *errs)
{
	struct homes homes = {0};
	char list[1024] = "";
	size_t used = 0;
	int rc = -1;
	if (plugin_for_each_home(p, collect_home, &homes) || homes.failed) {
		log_err("record: cannot list the homes of %s", p->desc->id);
		goto out;
	}
	for (size_t i = 0; i < homes.n && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used,
					 "%s\"%s\"", i ? ", " : "",
					 homes.names[i]);
	rc = 0;
	if (homes.n == 0) {
		errlist_add(errs,
			    "record: %s has no homes configured; list them in "
			    "[activity.%s] and reload",
			    p->desc->id, p->desc->id);
		goto out;
	}
	if (!home) {
		errlist_add(errs, "record: %s needs {home} NAME, one of %s",
			    p->desc->id, list);
		goto out;
	}
	for (size_t i = 0; i < homes.n; i++)
		if (qa_same_name(home, homes.names[i])) {
			*canonical = homes.names[i];
			homes.names[i] = NULL;
			goto out;
		}
	errlist_add(errs,
		    "record: {home} \"%s\" is not a home of %s; the "
		    "configured ones are %s",
		    home, p->desc->id, list);
out:
	homes_free(&homes);
	return rc;
}

/* A collaborative audit: the practitioner, the grade, the moderator. */
static int check_audit(sqlite3 *db, const struct record_input *in,
		       const struct staff *auditor, const char **grade,
		       struct errlist *errs)
{
	struct staff practitioner = {0}, moderator = {0};
	char d1[DATE_TEXT_SIZE], d2[DATE_TEXT_SIZE];
	int rc = -1, found;
	if (!in->practitioner_id)
		errlist_add(errs, "record: collaborative_audit needs "
				  "{practitioner}, the social worker whose "
				  "case was audited");
	if (!in->grade)
		errlist_add(errs, "record: collaborative_audit needs {grade}: "
				  "outstanding, good, requires improvement, "
				  "inadequate, or 0-10");
	else if (!(*grade = audit_grade(in->grade)))
		errlist_add(errs,
			    "record: {grade} \"%s\": use outstanding, good, "
			    "requires improvement, inadequate (any case, "
			    "with spaces, hyphens or underscores), or the "
			    "legacy 0-10 scale",
			    in->grade);
	if (in->practitioner_id) {
		found = person(db, "{practitioner}", in->practitioner_id,
			       &practitioner, errs);
		if (found < 0)
			goto out;
		if (found && strcmp(practitioner.id, auditor->id) == 0)
			errlist_add(errs, "record: {practitioner} is the "
					  "auditor; a collaborative audit is "
					  "of someone else's case");
		else if (found && practitioner.left_on != QA_DAY_NONE &&
			 in->date > practitioner.left_on)
			errlist_add(errs,
				    "record: {practitioner} %s left on %s, "
				    "before {date} %s",
				    practitioner.id,
				    date_format(practitioner.left_on, d1),
				    date_format(in->date, d2));
	}
	if (in->moderator_id) {
		found = person(db, "{moderator}", in->moderator_id, &moderator,
			       errs);
		if (found < 0)
			goto out;
		const char *why = found ? moderator_refusal(&moderator, auditor,
							    in->practitioner_id)
					: NULL;
		if (why)
			errlist_add(errs,
				    "record: {moderator} %s cannot moderate "
				    "this audit: %s",
				    moderator.id, why);
		else if (found && moderator.left_on != QA_DAY_NONE &&
			 moderator.left_on <= in->date)
			errlist_add(errs,
				    "record: {moderator} %s left on %s; name "
				    "someone in post",
				    moderator.id,
				    date_format(moderator.left_on, d1));
	}
	rc = 0;
out:
	staff_done(&practitioner);
	staff_done(&moderator);
	return rc;
}

/* A Stage 2 moderation of audit in->audit_id by `who`. */
/* A Stage 2 moderation of audit in->audit_id by `who`. *grade and
 * *safeguarding are set to how the audit stands after it, which is how
 * the moderation is stored: what was given, or the audit's own. */
static int check_moderation(sqlite3 *db, const struct record_input *in,
			    const struct staff *who, const char **grade,
			    bool *safeguarding, struct errlist *errs)
{
	struct audit a;
	struct staff auditor = {0};
	char d1[DATE_TEXT_SIZE], d2[DATE_TEXT_SIZE];
	int rc = -1;
	if (in->grade && !(*grade = audit_grade(in->grade)))
		errlist_add(errs,
			    "record: {grade} \"%s\": use outstanding, good, "
			    "requires improvement, inadequate, or the legacy "
			    "0-10 scale",
			    in->grade);
	if (in->audit_id <= 0) {
		errlist_add(errs, "record: moderation needs {audit} N, the "
				  "audit's number (`record "
				  "collaborative_audit` printed it)");
		return 0;
	}
	int found = audit_get(db, in->audit_id, &a);
	if (found < 0)
		return -1;
	if (!found) {
		errlist_add(errs,
			    "record: {audit} %lld: no collaborative audit "
			    "has that number",
			    in->audit_id);
		return 0;
	}
	if (a.moderated_on != QA_DAY_NONE) {
		errlist_add(errs,
			    "record: audit %lld was already moderated by %s "
			    "on %s",
			    a.id, a.moderated_by,
			    date_format(a.moderated_on, d1));
		return 0;
	}
	if (in->date < a.date)
		errlist_add(errs,
			    "record: {date} %s is before audit %lld of %s; "
			    "Stage 2 follows Stage 1",
			    date_format(in->date, d1), a.id,
			    date_format(a.date, d2));
	if (!in->grade)
		*grade = audit_grade(a.grade);
	*safeguarding = in->safeguarding == RECORD_FLAG_UNSET
				? a.safeguarding
				: in->safeguarding == RECORD_FLAG_YES;
	found = staff_get(db, a.auditor, &auditor);
	if (found < 0)
		goto out;
	const char *why =
		moderator_refusal(who, found ? &auditor : NULL, a.practitioner);
	if (why)
		errlist_add(errs,
			    "record: {staff} %s cannot moderate audit "
			    "%lld: %s",
			    who->id, a.id, why);
	rc = 0;
out:
	staff_done(&auditor);
	return rc;
}

/* Closing an audit action: which audit, and who signed it off. */
static int check_action(sqlite3 *db, struct record_input *in,
			const struct staff *sw, struct errlist *errs)
{
	char d1[DATE_TEXT_SIZE], d2[DATE_TEXT_SIZE];
	if (in->signed_off_by) {
		struct staff signer = {0};
		int found = person(db, "{signed_off_by}", in->signed_off_by,
				   &signer, errs);
		staff_done(&signer);
		if (found < 0)
			return -1;
		int above = found ? in_line_above(db, sw->id, in->signed_off_by)
				  : 1;
		if (above < 0)
			return -1;
		if (!above)
			errlist_add(errs,
				    "record: {signed_off_by} %s is not %s's "
				    "line manager or above; actions are "
				    "signed off by the line manager "
				    "(framework line 178)",
				    in->signed_off_by, sw->id);
	}
	if (in->audit_id > 0) {
		struct audit a;
		int found = audit_get(db, in->audit_id, &a);
		if (found < 0)
			return -1;
		if (!found || strcmp(a.practitioner, sw->id) != 0)
			errlist_add(errs,
				    "record: {audit} %lld is not an audit of "
				    "%s's case",
				    in->audit_id, sw->id);
		else if (a.closed_on != QA_DAY_NONE)
			errlist_add(errs,
				    "record: the action of audit %lld was "
				    "already closed on %s",
				    a.id, date_format(a.closed_on, d1));
		else if (a.date > in->date)
			errlist_add(errs,
				    "record: audit %lld is of %s, after "
				    "{date} %s",
				    a.id, date_format(a.date, d1),
				    date_format(in->date, d2));
		return 0;
	}
	long long only = 0;
	struct errlist listed = {0};
	int open = open_actions(db, sw->id, in->date, &only, &listed);
	if (open == 0)
		errlist_add(errs,
			    "record: %s has no open audit action on %s "
			    "to close",
			    sw->id, date_format(in->date, d1));
	else if (open == 1)
		in->audit_id = only;
	else if (open > 1) {
		errlist_add(errs,
			    "record: %s has %d open audit actions on %s; "
			    "say which one with {audit} N:",
			    sw->id, open, date_format(in->date, d1));
		errlist_move(errs, &listed);
	}
	errlist_done(&listed);
	return open < 0 ? -1 : 0;
}

int record_completion(sqlite3 *db, const struct plugin_set *plugins,
		      const struct record_input *given, qa_day today,
		      struct errlist *errs, long long *id)
{
	struct record_input in = *given;
	struct staff who = {0};
	char *home = NULL;
	char d1[DATE_TEXT_SIZE], d2[DATE_TEXT_SIZE];
	const char *grade = NULL;
	bool safeguarding = in.safeguarding == RECORD_FLAG_YES;
	size_t errors_before = errs->n;
	int rc = -1;
	bool audit = strcmp(in.activity, "collaborative_audit") == 0;
	bool action = strcmp(in.activity, SCHED_AUDIT_ACTION) == 0;
	bool moderation = strcmp(in.activity, SCHED_MODERATION) == 0;
	const struct plugin *p = plugin_set_find(plugins, in.activity);
	if (!p && !action && !moderation) {
		errlist_add(errs,
			    "record: unknown activity \"%s\"; "
			    "`qa-scheduler plugins` lists them (and "
			    "audit_action closes an audit's action, "
			    "moderation records a Stage 2 moderation)",
			    in.activity);
		goto out;
	}
	int found = person(db, "{staff}", in.staff_id, &who, errs);
	if (found <= 0)
		goto out;
	if (in.date > today)
		errlist_add(errs,
			    "record: {date} %s is in the future "
			    "(today is %s); record what has happened",
			    date_format(in.date, d1), date_format(today, d2));
	if (who.left_on != QA_DAY_NONE && in.date > who.left_on)
		errlist_add(errs, "record: {date} %s is after %s left on %s",
			    date_format(in.date, d1), who.id,
			    date_format(who.left_on, d2));
	int owns = p ? owns_shared(db, p, &who, today) : 0;
	if (owns < 0)
		goto out;
	if (p && !owns && !concerns(p->desc, &who)) {
		if (strcmp(p->desc->roles, "*") == 0)
			errlist_add(errs,
				    "record: %s has no line manager; "
				    "supervision is held with the line "
				    "manager (`qa-scheduler staff add` sets "
				    "one)",
				    who.id);
		else
			errlist_add(errs,
				    "record: %s does not concern %s: it "
				    "is for %s",
				    in.activity, who.id, p->desc->roles);
	}
	/* Every problem at once, but the workflow's own checks only on
	 * options that belong. */
	size_t before_foreign = errs->n;
	bool homes = p && plugin_has_homes(p);
	refuse_foreign(&in, audit, moderation, action, homes, errs);
	bool foreign = errs->n > before_foreign;
	if (homes && check_home(p, in.home, &home, errs))
		goto out;
	if (home)
		in.home = home;
	if (!foreign &&
	    ((audit && check_audit(db, &in, &who, &grade, errs)) ||
	     (moderation &&
	      check_moderation(db, &in, &who, &grade, &safeguarding, errs)) ||
	     (action && check_action(db, &in, &who, errs))))
		goto out;
	if (errs->n > errors_before)
		goto out;
	int dup = already_recorded(db, &in);
	if (dup < 0)
		goto out;
	if (dup) {
		errlist_add(errs,
			    "record: %s for %s on %s is already "
			    "recorded",
			    in.activity, who.id, date_format(in.date, d1));
		goto out;
	}
	rc = insert(db, &in, grade, safeguarding, id);
out:
	name_fields(errs, errors_before, given->names);
	staff_done(&who);
	free(home);
	return rc;
}
