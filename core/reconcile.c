#include "reconcile.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "log.h"

static const char *kind_text(enum qa_occurrence_kind kind)
{
	return kind == QA_OCC_EVENT ? "event"
	       : kind == QA_OCC_DUE ? "due"
				    : "allday";
}

static const char *status_text(enum qa_occurrence_status status)
{
	return status == QA_STATUS_TENTATIVE ? "tentative" : "confirmed";
}

/* Write value in decimal, as "%lld" would, at out, then sep; returns
 * the end. */
static char *put_int(char *out, long long value, char sep)
{
	char digits[24];
	size_t n = 0;
	unsigned long long magnitude =
		value < 0 ? 0ULL - (unsigned long long)value
			  : (unsigned long long)value;
	do {
		digits[n++] = (char)('0' + magnitude % 10u);
		magnitude /= 10u;
	} while (magnitude);
	if (value < 0)
		*out++ = '-';
	while (n)
		*out++ = digits[--n];
	*out++ = sep;
	return out;
}

static void content_hash(const struct sched_occ *o, char hex[33])
{
	unsigned char hash[16];
	/* Eight integers of at most 20 characters and their separators. */
	char buf[8 * 21 + 1];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof(hash));
	/* "%d|%d|%d|%d|%d|%lld|%lld|%d" by hand: every occurrence is hashed
	 * at every regeneration, and snprintf was half of the hashing. */
	char *end = buf;
	end = put_int(end, o->kind, '|');
	end = put_int(end, o->status, '|');
	end = put_int(end, o->date, '|');
	end = put_int(end, o->start_minute, '|');
	end = put_int(end, o->duration, '|');
	end = put_int(end, (long long)o->dtstart_utc, '|');
	end = put_int(end, (long long)o->dtend_utc, '|');
	end = put_int(end, o->done_on, '\0');
	/* What 0.1.0 hashed, then what came since only when set, so that an
	 * occurrence stored before is unchanged (its SEQUENCE kept) unless
	 * it really changed. */
	const char *parts[] = {buf,     o->summary, o->detail, o->with_staff_id,
			       o->also, o->home};
	size_t n_parts = o->home ? 6 : o->also ? 5 : 4;
	for (size_t i = 0; i < n_parts; i++) {
		/* NUL-terminated, so a NULL and "" hash alike but adjacent
		 * fields cannot run into each other. */
		const char *part = parts[i] ? parts[i] : "";
		crypto_generichash_update(&st, (const unsigned char *)part,
					  strlen(part) + 1);
	}
	crypto_generichash_final(&st, hash, sizeof(hash));
	sodium_bin2hex(hex, 33, hash, sizeof(hash));
}

int reconcile_prepare(struct reconciler *r, sqlite3 *db, time_t now,
		      qa_day window_from)
{
	static const char existing_sql[] =
		"SELECT occ_key, content_hash, status FROM occurrences"
		" WHERE activity = ?1 AND subject = ?2 AND start_date >= ?3";
	/* One statement for new and changed: a row stored from before the
	 * window (a session that moved forward into it) is found by its
	 * key too. Unchanged content writes nothing. */
	static const char upsert_sql[] =
		"INSERT INTO occurrences (uid, activity, subject, occ_key, "
		"kind,"
		" status, start_date, start_minute, duration, dtstart_utc,"
		" dtend_utc, done_on, summary, detail, with_staff_id, sequence,"
		" content_hash, created_at, last_modified)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?13, ?14, ?15, 0, ?16, ?17, ?17)"
		" ON CONFLICT (activity, subject, occ_key) DO UPDATE SET"
		" kind = excluded.kind, status = excluded.status,"
		" start_date = excluded.start_date,"
		" start_minute = excluded.start_minute,"
		" duration = excluded.duration,"
		" dtstart_utc = excluded.dtstart_utc,"
		" dtend_utc = excluded.dtend_utc, done_on = excluded.done_on,"
		" summary = excluded.summary, detail = excluded.detail,"
		" with_staff_id = excluded.with_staff_id,"
		" content_hash = excluded.content_hash,"
		" sequence = sequence + 1,"
		" last_modified = excluded.last_modified, cancelled_at = NULL"
		" WHERE content_hash <> excluded.content_hash"
		" OR status = 'cancelled'";
	static const char cancel_sql[] =
		"UPDATE occurrences SET status = 'cancelled',"
		" sequence = sequence + 1, last_modified = ?4, cancelled_at = "
		"?4"
		" WHERE activity = ?1 AND subject = ?2 AND occ_key = ?3";
	static const char series_sql[] =
		"INSERT INTO series (activity, subject, next_due, home, shared)"
		" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (activity, subject)"
		" DO UPDATE SET next_due = excluded.next_due,"
		" home = excluded.home, shared = excluded.shared"
		" WHERE next_due IS NOT excluded.next_due"
		" OR home IS NOT excluded.home OR shared <> excluded.shared";
	/* A shared series is owned by one person at a time. */
	static const char owners_clear_sql[] =
		"DELETE FROM series WHERE activity = ?1 AND subject IS NOT ?2";
	/* A series with nothing open keeps no row it did not have. */
	static const char series_clear_sql[] =
		"UPDATE series SET next_due = NULL, home = NULL"
		" WHERE activity = ?1 AND subject = ?2 AND next_due IS NOT "
		"NULL";
	static const char attendees_clear_sql[] =
		"DELETE FROM occurrence_attendees WHERE uid = ?1";
	static const char attendee_add_sql[] =
		"INSERT OR IGNORE INTO occurrence_attendees (uid, staff_id)"
		" VALUES (?1, ?2)";
	memset(r, 0, sizeof(*r));
	r->db = db;
	r->now = now;
	r->window_from = window_from;
	if (sqlite3_prepare_v2(r->db, existing_sql, -1, &r->existing, NULL) ||
	    sqlite3_prepare_v2(r->db, upsert_sql, -1, &r->upsert, NULL) ||
	    sqlite3_prepare_v2(r->db, cancel_sql, -1, &r->cancel, NULL) ||
	    sqlite3_prepare_v2(r->db, series_sql, -1, &r->series, NULL) ||
	    sqlite3_prepare_v2(r->db, series_clear_sql, -1, &r->series_clear,
			       NULL) ||
	    sqlite3_prepare_v2(r->db, attendees_clear_sql, -1,
			       &r->attendees_clear, NULL) ||
	    sqlite3_prepare_v2(r->db, attendee_add_sql, -1, &r->attendee_add,
			       NULL) ||
	    sqlite3_prepare_v2(r->db, owners_clear_sql, -1, &r->owners_clear,
			       NULL)) {
		log_err("sched: %s", sqlite3_errmsg(r->db));
		return -1;
	}
	return 0;
}

void reconcile_finish(struct reconciler *r)
{
	sqlite3_finalize(r->existing);
	sqlite3_finalize(r->upsert);
	sqlite3_finalize(r->cancel);
	sqlite3_finalize(r->series);
	sqlite3_finalize(r->series_clear);
	sqlite3_finalize(r->attendees_clear);
	sqlite3_finalize(r->attendee_add);
	sqlite3_finalize(r->owners_clear);
	r->existing = r->upsert = r->cancel = r->series = NULL;
	r->series_clear = r->attendees_clear = r->attendee_add = NULL;
	r->owners_clear = NULL;
}

static int run_stmt(sqlite3 *db, sqlite3_stmt *stmt)
{
	int step = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (step != SQLITE_DONE) {
		log_err("sched: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* Store o; *changed is whether a row was written (new or changed). */
static int write_occ(struct reconciler *r, const struct sched_occ *o,
		     const char *hash, bool *changed)
{
	sqlite3_stmt *stmt = r->upsert;
	char uid[64];
	sched_uid(r->salt, o->activity, o->subject, o->key, uid);
	db_bind_text(stmt, 1, uid);
	db_bind_text(stmt, 2, o->activity);
	db_bind_text(stmt, 3, o->subject);
	db_bind_text(stmt, 4, o->key);
	db_bind_text(stmt, 5, kind_text(o->kind));
	db_bind_text(stmt, 6, status_text(o->status));
	db_bind_day(stmt, 7, o->date);
	if (o->kind == QA_OCC_EVENT) {
		sqlite3_bind_int(stmt, 8, o->start_minute);
		sqlite3_bind_int64(stmt, 10, o->dtstart_utc);
		sqlite3_bind_int64(stmt, 11, o->dtend_utc);
	}
	sqlite3_bind_int(stmt, 9, o->duration);
	db_bind_day(stmt, 12, o->done_on);
	db_bind_text(stmt, 13, o->summary);
	db_bind_text(stmt, 14, o->detail);
	db_bind_text(stmt, 15, o->with_staff_id);
	db_bind_text(stmt, 16, hash);
	sqlite3_bind_int64(stmt, 17, r->now);
	if (run_stmt(r->db, stmt))
		return -1;
	*changed = sqlite3_changes(r->db) > 0;
	if (!*changed)
		return 0;
	/* The third participant, if any, as the content hash had it. */
	db_bind_text(r->attendees_clear, 1, uid);
	if (run_stmt(r->db, r->attendees_clear))
		return -1;
	if (!o->also)
		return 0;
	db_bind_text(r->attendee_add, 1, uid);
	db_bind_text(r->attendee_add, 2, o->also);
	return run_stmt(r->db, r->attendee_add);
}

/* An occurrence as stored, found again by its key. */
struct stored {
	char *key;
	char hash[33];
	bool cancelled;
	bool seen;
};

static int cmp_stored(const void *a, const void *b)
{
	return strcmp(((const struct stored *)a)->key,
		      ((const struct stored *)b)->key);
}

static bool same_home(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* The date of the latest occurrence done at home (NULL: of those with no
 * home). */
static qa_day last_done_at(const struct sched_occ *occs, size_t n,
			   const char *home)
{
	qa_day last_done = QA_DAY_NONE;
	for (size_t k = 0; k < n; k++)
		if (occs[k].done_on != QA_DAY_NONE &&
		    same_home(occs[k].home, home) &&
		    (last_done == QA_DAY_NONE || occs[k].date > last_done))
			last_done = occs[k].date;
	return last_done;
}

/* A person's series row: its next due date among occs[0..n), on or after
 * since (QA_DAY_NONE: any), as `due` says (see reconcile.h), and the home
 * of that occurrence. */
static int write_series(struct reconciler *r, const char *activity,
			const char *subject, bool shared, qa_day since,
			enum reconcile_due due, const struct sched_occ *occs,
			size_t n)
{
	bool every_open = due == RECONCILE_EVERY_OPEN;
	qa_day next_due = QA_DAY_NONE;
	const char *home = NULL; /* of the occurrence next due */
	/* One series per home (reg44_visit; most have none): a visit to one
	 * home forgives nothing missed at another. */
	bool homes = false;
	for (size_t i = 0; i < n && !homes; i++)
		homes = occs[i].home != NULL;
	qa_day last_done = QA_DAY_NONE;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || homes) /* else the same for every one */
			last_done = last_done_at(occs, n, occs[i].home);
		if (occs[i].done_on == QA_DAY_NONE &&
		    (since == QA_DAY_NONE || occs[i].date >= since) &&
		    (every_open || last_done == QA_DAY_NONE ||
		     occs[i].date > last_done) &&
		    (next_due == QA_DAY_NONE || occs[i].date < next_due)) {
			next_due = occs[i].date;
			home = occs[i].home;
		}
	}
	if (next_due == QA_DAY_NONE) {
		db_bind_text(r->series_clear, 1, activity);
		db_bind_text(r->series_clear, 2, subject);
		return run_stmt(r->db, r->series_clear);
	}
	db_bind_text(r->series, 1, activity);
	db_bind_text(r->series, 2, subject);
	db_bind_day(r->series, 3, next_due);
	db_bind_text(r->series, 4, home);
	sqlite3_bind_int(r->series, 5, shared);
	return run_stmt(r->db, r->series);
}

int reconcile(struct reconciler *r, const char *activity, const char *subject,
	      const struct sched_occ *occs, size_t n, enum reconcile_due due)
{
	struct stored *stored = NULL;
	size_t n_stored = 0, cap = 0;
	int rc = -1;
	sqlite3_stmt *q = r->existing;
	db_bind_text(q, 1, activity);
	db_bind_text(q, 2, subject);
	db_bind_day(q, 3, r->window_from);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (n_stored == cap) {
			cap = cap ? cap * 2 : 16;
			struct stored *grown =
				realloc(stored, cap * sizeof(*grown));
			if (!grown)
				goto out;
			stored = grown;
		}
		struct stored *s = &stored[n_stored];
		memset(s, 0, sizeof(*s));
		s->key = strdup((const char *)sqlite3_column_text(q, 0));
		if (!s->key)
			goto out;
		n_stored++;
		snprintf(s->hash, sizeof(s->hash), "%s",
			 (const char *)sqlite3_column_text(q, 1));
		s->cancelled = strcmp((const char *)sqlite3_column_text(q, 2),
				      "cancelled") == 0;
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (step != SQLITE_DONE) {
		log_err("sched: %s", sqlite3_errmsg(r->db));
		goto out;
	}
	if (n_stored)
		qsort(stored, n_stored, sizeof(*stored), cmp_stored);

	for (size_t i = 0; i < n; i++) {
		const struct sched_occ *o = &occs[i];
		char hash[33];
		content_hash(o, hash);
		struct stored probe = {.key = o->key};
		struct stored *found =
			n_stored ? bsearch(&probe, stored, n_stored,
					   sizeof(*stored), cmp_stored)
				 : NULL;
		if (found) {
			found->seen = true;
			if (!found->cancelled &&
			    strcmp(found->hash, hash) == 0) {
				r->counts.unchanged++;
				continue;
			}
		}
		bool changed;
		if (write_occ(r, o, hash, &changed))
			goto out;
		if (!changed)
			r->counts.unchanged++; /* stored before the window */
		else if (found)
			r->counts.updated++;
		else
			r->counts.inserted++;
	}
	for (size_t i = 0; i < n_stored; i++) {
		if (stored[i].seen || stored[i].cancelled)
			continue;
		db_bind_text(r->cancel, 1, activity);
		db_bind_text(r->cancel, 2, subject);
		db_bind_text(r->cancel, 3, stored[i].key);
		sqlite3_bind_int64(r->cancel, 4, r->now);
		if (run_stmt(r->db, r->cancel))
			goto out;
		r->counts.cancelled++;
	}
	if (*subject && write_series(r, activity, subject, false, QA_DAY_NONE,
				     due, occs, n))
		goto out;
	rc = 0;
out:
	for (size_t i = 0; i < n_stored; i++)
		free(stored[i].key);
	free(stored);
	return rc;
}

int reconcile_orphans(struct reconciler *r, const char *activity,
		      const struct people *kept, const char *only_subject)
{
	/* Every subject stored, from the (activity, subject, occ_key) index
	 * alone; only those not kept are checked for a live occurrence in the
	 * window, in the table. Asking the table of every row of the
	 * activity was 5% of a regeneration with nothing changed. */
	static const char sql[] =
		"SELECT DISTINCT subject FROM occurrences WHERE activity = ?1"
		" AND (?2 IS NULL OR subject = ?2)";
	static const char live_sql[] =
		"SELECT 1 FROM occurrences WHERE activity = ?1 AND subject = ?2"
		" AND status <> 'cancelled' AND start_date >= ?3 LIMIT 1";
	sqlite3_stmt *stmt = NULL, *live = NULL;
	struct config_list orphans = {0};
	int rc = -1;
	if (sqlite3_prepare_v2(r->db, sql, -1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db, live_sql, -1, &live, NULL) != SQLITE_OK)
		goto out;
	db_bind_text(stmt, 1, activity);
	db_bind_text(stmt, 2, only_subject);
	db_bind_text(live, 1, activity);
	db_bind_day(live, 3, r->window_from);
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *subject =
			(const char *)sqlite3_column_text(stmt, 0);
		if (kept ? people_find(kept, subject) != NULL : !*subject)
			continue;
		db_bind_text(live, 2, subject);
		int found = sqlite3_step(live);
		sqlite3_reset(live);
		if (found == SQLITE_DONE)
			continue; /* nothing open in the window */
		if (found != SQLITE_ROW)
			goto out;
		char **grown = realloc(orphans.items,
				       (orphans.n + 1) * sizeof(*grown));
		if (!grown)
			goto out;
		orphans.items = grown;
		if (!(orphans.items[orphans.n] = strdup(subject)))
			goto out;
		orphans.n++;
	}
	if (step != SQLITE_DONE)
		goto out;
	sqlite3_finalize(stmt);
	sqlite3_finalize(live);
	stmt = live = NULL;
	for (size_t i = 0; i < orphans.n; i++)
		if (reconcile(r, activity, orphans.items[i], NULL, 0,
			      RECONCILE_SINCE_DONE))
			goto out;
	rc = 0;
out:
	if (rc)
		log_err("sched: %s", sqlite3_errmsg(r->db));
	sqlite3_finalize(stmt);
	sqlite3_finalize(live);
	config_list_done(&orphans);
	return rc;
}

int reconcile_owner(struct reconciler *r, const char *activity,
		    const char *owner, qa_day since,
		    const struct sched_occ *occs, size_t n)
{
	db_bind_text(r->owners_clear, 1, activity);
	db_bind_text(r->owners_clear, 2, owner);
	if (run_stmt(r->db, r->owners_clear))
		return -1;
	return owner ? write_series(r, activity, owner, true, since,
				    RECONCILE_SINCE_DONE, occs, n)
		     : 0;
}
