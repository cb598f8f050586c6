#include "feed.h"

#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "db.h"
#include "ical_write.h"
#include "log.h"
#include "staff.h"

/* Cancelled occurrences are left out of feeds: a subscribed client drops
 * an event that vanishes, while STATUS:CANCELLED is shown by Outlook as if
 * the event were on and struck through but kept by Apple and Thunderbird
 * (SPEC section 6). A cancellation this recent still counts for the feed's
 * Last-Modified, so that it never goes back in time while the body
 * changes. */
#define FEED_CANCELLED_DAYS 30
/* History shown before today. */
#define FEED_DAYS_BACK 90

void feed_doc_done(struct feed_doc *doc)
{
	free(doc->body);
	memset(doc, 0, sizeof(*doc));
}

/* ---- who is asking ---- */

struct viewer {
	enum feed_kind kind;
	const char *subject;
	char *name;     /* person's name or the team */
	unsigned roles; /* person: effective roles */
};

/* 1 when the feed exists, 0 when not, -1 on error. */
static int viewer_load(sqlite3 *db, enum feed_kind kind, const char *subject,
		       qa_day today, struct viewer *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->subject = subject;
	if (kind == FEED_TEAM) {
		static const char sql[] =
			"SELECT count(*) FROM staff WHERE team = ?1"
			" AND (left_on IS NULL OR left_on >= ?2)";
		sqlite3_stmt *stmt = NULL;
		int rc = -1;
		if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
			sqlite3_bind_text(stmt, 1, subject, -1, SQLITE_STATIC);
			db_bind_day(stmt, 2, today);
			if (sqlite3_step(stmt) == SQLITE_ROW)
				rc = sqlite3_column_int(stmt, 0) > 0;
		}
		sqlite3_finalize(stmt);
		if (rc == 1 && !(v->name = strdup(subject)))
			rc = -1;
		return rc;
	}
	struct staff s = {0};
	int found = staff_get(db, subject, &s);
	if (found <= 0) {
		staff_done(&s);
		return found;
	}
	/* Someone who has left has no feed: their URL answers 404. */
	if (s.left_on != QA_DAY_NONE && s.left_on < today) {
		staff_done(&s);
		return 0;
	}
	v->roles = roles_effective(s.roles);
	v->name = strdup(s.name);
	staff_done(&s);
	return v->name ? 1 : -1;
}

/* ---- writing the calendar ---- */

static const char *column_text(sqlite3_stmt *stmt, int i)
{
	return (const char *)sqlite3_column_text(stmt, i);
}

struct row {
	const char *uid, *activity, *subject, *kind, *status, *summary, *detail,
		*subject_name, *with_name;
	size_t uid_len, detail_len;
	qa_day date, done_on;
	int start_minute, duration, sequence;
	time_t dtstart_utc, dtend_utc, created_at, last_modified;
};

struct known_name {
	char *id;
	char *name; /* NULL: not on the staff table */
};

/* An event written, and where it goes. Events come in the order the rows
 * do and are put in order after: by start date, start minute (-1 for none)
 * and UID as SQLite's BINARY compares it, which was the query's ORDER BY.
 * Sorting a few integers here takes far less than SQLite's sorter took
 * over twenty columns (half the query's time). */
struct placed {
	qa_day date;
	int minute;
	const char *uid; /* set once every UID is in render.uids */
	size_t uid_at, uid_len;
	size_t start, len; /* the event's octets in the body */
};

/* What one render keeps from event to event. */
struct render {
	sqlite3 *db;
	const struct feed_catalog *cat;
	const struct viewer *v;
	size_t tzid_len;
	struct ical_writer w;
	/* The activity of the row before: a person's feed runs to a few
	 * activities, often one after another, so most lookups end here. */
	const struct feed_activity *last;
	/* The event's SUMMARY, escaped; its alarms say it again. Kept from
	 * event to event so that it is allocated once per render. */
	struct ical_buf summary;
	/* The people named so far, and the statement that finds the next. */
	struct known_name *names;
	size_t n_names, cap_names;
	sqlite3_stmt *name_stmt;
	/* The events written, to be put in order at the end. */
	struct placed *placed;
	size_t n_placed, cap_placed;
	struct ical_buf uids; /* the UIDs of placed, one after another */
	bool in_order;        /* so far, the rows came in order */
	bool failed;          /* an error was logged */
};

static int placed_cmp(const void *a, const void *b);

#define NAME_SQL DB_KEPT "SELECT name FROM staff WHERE id = ?1"

/* The name of staff member id (NULL for '' or someone not on the staff
 * table), looked up on the first row that names them. An error is logged
 * and sets rd->failed. */
static const char *name_of(struct render *rd, const char *id)
{
	if (!id || !*id || rd->failed)
		return NULL;
	for (size_t i = 0; i < rd->n_names; i++)
		if (strcmp(rd->names[i].id, id) == 0)
			return rd->names[i].name;
	if (rd->n_names == rd->cap_names) {
		size_t cap = rd->cap_names ? rd->cap_names * 2 : 16;
		struct known_name *grown =
			reallocarray(rd->names, cap, sizeof(*grown));
		if (!grown)
			goto nomem;
		rd->names = grown;
		rd->cap_names = cap;
	}
	if (!rd->name_stmt &&
	    db_prepare_kept(rd->db, NAME_SQL, &rd->name_stmt)) {
		rd->failed = true;
		return NULL;
	}
	sqlite3_bind_text(rd->name_stmt, 1, id, -1, SQLITE_STATIC);
	int step = sqlite3_step(rd->name_stmt);
	const char *name =
		step == SQLITE_ROW ? column_text(rd->name_stmt, 0) : NULL;
	struct known_name *k = &rd->names[rd->n_names];
	k->id = strdup(id);
	k->name = name ? strdup(name) : NULL;
	sqlite3_reset(rd->name_stmt);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		log_err("feed: cannot read the name of %s: %s", id,
			sqlite3_errmsg(rd->db));
		free(k->id);
		free(k->name);
		rd->failed = true;
		return NULL;
	}
	if (!k->id || (name && !k->name)) {
		free(k->id);
		free(k->name);
		goto nomem;
	}
	rd->n_names++;
	return k->name;
nomem:
	log_err("feed: out of memory");
	rd->failed = true;
	return NULL;
}

/* Whether r sorts after the event placed last (true for the first). */
static bool sorts_after_last(const struct render *rd, const struct row *r)
{
	if (rd->n_placed == 0 || rd->uids.failed)
		return true;
	struct placed last = rd->placed[rd->n_placed - 1];
	last.uid = rd->uids.data + last.uid_at;
	struct placed this = {.date = r->date,
			      .minute = r->start_minute,
			      .uid = r->uid,
			      .uid_len = r->uid_len};
	return placed_cmp(&last, &this) <= 0;
}

static void place_event(struct render *rd, const struct row *r, size_t start)
{
	if (rd->n_placed == rd->cap_placed) {
		size_t cap = rd->cap_placed ? rd->cap_placed * 2 : 128;
		struct placed *grown =
			reallocarray(rd->placed, cap, sizeof(*grown));
		if (!grown) {
			if (!rd->failed)
				log_err("feed: out of memory");
			rd->failed = true;
			return;
		}
		rd->placed = grown;
		rd->cap_placed = cap;
	}
	struct placed *p = &rd->placed[rd->n_placed++];
	*p = (struct placed){.date = r->date,
			     .minute = r->start_minute,
			     .uid_at = rd->uids.len,
			     .uid_len = r->uid_len,
			     .start = start,
			     .len = rd->w.out.len - start};
	ical_buf_append(&rd->uids, r->uid, r->uid_len);
}

static int placed_cmp(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->minute != y->minute)
		return x->minute < y->minute ? -1 : 1;
	size_t n = x->uid_len < y->uid_len ? x->uid_len : y->uid_len;
	int c = n ? memcmp(x->uid, y->uid, n) : 0;
	if (c)
		return c;
	return x->uid_len < y->uid_len ? -1 : x->uid_len > y->uid_len;
}

/* The body with its events in order: a new string, or NULL when out of
 * memory. head octets come first and the rest after the last event. */
static char *body_in_order(struct render *rd, const char *body, size_t len,
			   size_t head)
{
	for (size_t i = 0; i < rd->n_placed; i++)
		rd->placed[i].uid = rd->uids.data + rd->placed[i].uid_at;
	qsort(rd->placed, rd->n_placed, sizeof(*rd->placed), placed_cmp);
	char *ordered = malloc(len + 1);
	if (!ordered)
		return NULL;
	memcpy(ordered, body, head);
	size_t at = head, events_end = head;
	for (size_t i = 0; i < rd->n_placed; i++) {
		const struct placed *p = &rd->placed[i];
		memcpy(ordered + at, body + p->start, p->len);
		at += p->len;
		if (p->start + p->len > events_end)
			events_end = p->start + p->len;
	}
	memcpy(ordered + at, body + events_end, len - events_end);
	ordered[len] = '\0';
	return ordered;
}

static const struct feed_activity *activity_of(struct render *rd,
					       const char *id)
{
	if (rd->last && strcmp(rd->last->id, id) == 0)
		return rd->last;
	for (size_t i = 0; i < rd->cat->n; i++) {
		if (strcmp(rd->cat->items[i].id, id) == 0) {
			rd->last = &rd->cat->items[i];
			return rd->last;
		}
	}
	return NULL;
}

static void escape_or_empty(struct ical_buf *b, const char *s)
{
	if (s)
		ical_escape_str(b, s);
}

#define buf_lit(b, lit) ical_buf_append((b), (lit), sizeof(lit) - 1)

/* The event's SUMMARY as TEXT into rd->summary. */
static void summary_of(struct render *rd, const struct row *r)
{
	struct ical_buf *b = &rd->summary;
	const struct viewer *v = rd->v;
	b->len = 0;
	bool own = v->kind == FEED_STAFF && strcmp(r->subject, v->subject) == 0;
	const char *who = r->subject_name ? r->subject_name : r->subject;
	if (strcmp(r->activity, "supervision") == 0) {
		buf_lit(b, "Supervision: ");
		ical_escape_str(b, who);
		buf_lit(b, " with ");
		ical_escape_str(b, r->with_name ? r->with_name
						: "their line manager");
	} else if (strcmp(r->kind, "due") != 0 || !*r->subject) {
		escape_or_empty(b, r->summary);
	} else {
		buf_lit(b, "Due: ");
		escape_or_empty(b, r->summary);
		if (!own) {
			buf_lit(b, " (");
			ical_escape_str(b, who);
			buf_lit(b, ")");
		}
	}
	if (r->done_on != QA_DAY_NONE)
		buf_lit(b, " (done)");
}

static void put_day(struct ical_writer *w, qa_day day)
{
	int y, m, d;
	qa_day_to_ymd(day, &y, &m, &d);
	ical_put_date(w, y, m, d);
}

static void put_utc_prop(struct ical_writer *w, const char *name,
			 size_t name_len, time_t t)
{
	ical_put(w, name, name_len);
	ical_put_utc(w, t);
	ical_end_line(w);
}

#define put_utc_lit(w, lit, t) put_utc_prop((w), (lit), sizeof(lit) - 1, (t))

/* NAME;TZID=<zone>:<local wall-clock time of instant>; the compact
 * VTIMEZONE in the feed defines the zone. Left out when the zone is unknown
 * (it is known: the catalog built its VTIMEZONE). */
static void put_local_prop(struct render *rd, const char *name, size_t name_len,
			   time_t instant)
{
	qa_day day;
	int minute, y, m, d;
	if (date_offsets_local_time(&rd->cat->offsets, rd->cat->tzid, instant,
				    &day, &minute))
		return;
	qa_day_to_ymd(day, &y, &m, &d);
	ical_put(&rd->w, name, name_len);
	ical_put_lit(&rd->w, ";TZID=");
	ical_put(&rd->w, rd->cat->tzid, rd->tzid_len);
	ical_put_lit(&rd->w, ":");
	ical_put_local_time(&rd->w, y, m, d, minute * 60);
	ical_end_line(&rd->w);
}

#define put_local_lit(rd, lit, t) \
	put_local_prop((rd), (lit), sizeof(lit) - 1, (t))

static void write_event(struct render *rd, const struct row *r)
{
	struct ical_writer *w = &rd->w;
	const struct feed_activity *a = activity_of(rd, r->activity);
	ical_line_lit(w, "BEGIN:VEVENT");
	ical_put_lit(w, "UID:");
	ical_put_text(w, r->uid, r->uid_len);
	ical_end_line(w);
	/* DTSTAMP is when the occurrence last changed, not now: the body
	 * stays byte-identical between requests. */
	put_utc_lit(w, "DTSTAMP:", r->last_modified);
	put_utc_lit(w, "CREATED:", r->created_at);
	put_utc_lit(w, "LAST-MODIFIED:", r->last_modified);
	ical_put_lit(w, "SEQUENCE:");
	ical_put_uint(w, r->sequence > 0 ? (unsigned long)r->sequence : 0);
	ical_end_line(w);
	if (strcmp(r->kind, "event") == 0 && !rd->cat->vtimezone) {
		put_utc_lit(w, "DTSTART:", r->dtstart_utc);
		put_utc_lit(w, "DTEND:", r->dtend_utc);
	} else if (strcmp(r->kind, "event") == 0) {
		put_local_lit(rd, "DTSTART", r->dtstart_utc);
		put_local_lit(rd, "DTEND", r->dtend_utc);
	} else {
		/* All-day: VALUE=DATE with an exclusive end. */
		int days = strcmp(r->kind, "allday") == 0 && r->duration > 0
				   ? r->duration
				   : 1;
		ical_put_lit(w, "DTSTART;VALUE=DATE:");
		put_day(w, r->date);
		ical_end_line(w);
		ical_put_lit(w, "DTEND;VALUE=DATE:");
		put_day(w, r->date + days);
		ical_end_line(w);
		ical_line_lit(w, "TRANSP:TRANSPARENT");
	}
	summary_of(rd, r);
	ical_put_lit(w, "SUMMARY:");
	ical_put(w, rd->summary.data, rd->summary.len);
	ical_end_line(w);
	/* The occurrence's own detail, then the activity's fixed words,
	 * escaped once in the catalog. */
	bool detail = r->detail && r->detail_len > 0;
	if (detail || (a && a->tail_len > 0)) {
		ical_put_lit(w, "DESCRIPTION:");
		if (detail) {
			ical_put_text(w, r->detail, r->detail_len);
			ical_put_lit(w, "\\n\\n");
		}
		if (a)
			ical_put(w, a->tail_text, a->tail_len);
		ical_end_line(w);
	}
	if (strcmp(r->status, "tentative") == 0)
		ical_line_lit(w, "STATUS:TENTATIVE");
	else
		ical_line_lit(w, "STATUS:CONFIRMED");
	if (a) {
		ical_put_lit(w, "CATEGORIES:");
		ical_put(w, a->categories_text, a->categories_len);
		ical_end_line(w);
	}
	for (size_t i = 0; a && r->done_on == QA_DAY_NONE && i < a->n_leads;
	     i++) {
		ical_line_lit(w, "BEGIN:VALARM");
		ical_line_lit(w, "ACTION:DISPLAY");
		ical_put_lit(w, "TRIGGER:");
		ical_put_duration(w, -a->leads[i]);
		ical_end_line(w);
		ical_put_lit(w, "DESCRIPTION:");
		ical_put(w, rd->summary.data, rd->summary.len);
		ical_end_line(w);
		ical_line_lit(w, "END:VALARM");
	}
	ical_line_lit(w, "END:VEVENT");
}

/* The calendar's own lines and its VTIMEZONE. */
static void write_head(struct render *rd)
{
	struct ical_writer *w = &rd->w;
	const struct feed_catalog *cat = rd->cat;
	ical_line_lit(w, "BEGIN:VCALENDAR");
	ical_line_lit(w, "VERSION:2.0");
	ical_line_lit(w, "PRODID:-//qa-scheduler//qa-scheduler " QA_VERSION
			 "//EN");
	ical_line_lit(w, "CALSCALE:GREGORIAN");
	ical_line_lit(w, "METHOD:PUBLISH");
	struct ical_buf *name = &rd->summary;
	name->len = 0;
	buf_lit(name, "QA schedule: ");
	if (rd->v->kind == FEED_TEAM)
		buf_lit(name, "team ");
	ical_escape_str(name, rd->v->name);
	ical_put_lit(w, "X-WR-CALNAME:");
	ical_put(w, name->data, name->len);
	ical_end_line(w);
	ical_put_lit(w, "NAME:");
	ical_put(w, name->data, name->len);
	ical_end_line(w);
	ical_put_lit(w, "X-WR-TIMEZONE:");
	ical_put_text(w, cat->tzid, rd->tzid_len);
	ical_end_line(w);
	ical_put_lit(w, "REFRESH-INTERVAL;VALUE=DURATION:");
	ical_put_duration(w, cat->refresh);
	ical_end_line(w);
	ical_put_lit(w, "X-PUBLISHED-TTL:");
	ical_put_duration(w, cat->refresh);
	ical_end_line(w);
	/* Already content lines: copied, each made sure of its CRLF. */
	if (cat->vtimezone)
		ical_put_lines(w, cat->vtimezone, strlen(cat->vtimezone));
}

/* The audience-wide activities this person belongs to, as ",a,b," for
 * instr() in SQL. */
static char *audience_list(const struct feed_catalog *cat,
			   const struct viewer *v)
{
	size_t size = 3;
	for (size_t i = 0; i < cat->n; i++)
		size += strlen(cat->items[i].id) + 1;
	char *list = malloc(size);
	if (!list)
		return NULL;
	strcpy(list, ",");
	for (size_t i = 0; i < cat->n; i++) {
		const struct feed_activity *a = &cat->items[i];
		if (a->audience && (a->everyone || (a->roles & v->roles))) {
			strcat(list, a->id);
			strcat(list, ",");
		}
	}
	return list;
}

#define FEED_COLUMNS                                                        \
	"o.uid, o.activity, o.subject, o.kind, o.status, o.start_date,"     \
	" coalesce(o.start_minute, -1), o.duration,"                        \
	" coalesce(o.dtstart_utc, 0), coalesce(o.dtend_utc, 0), o.done_on," \
	" o.summary, o.detail, o.with_staff_id, o.sequence, o.created_at,"  \
	" o.last_modified, coalesce(o.cancelled_at, 0)"
/* No join for the names of the subject and the manager: name_of() looks
 * each person up once per render rather than twice per row. */
#define FEED_JOINS " FROM occurrences o"
#define FEED_WINDOW                                            \
	" AND o.start_date >= ?2 AND (o.status <> 'cancelled'" \
	" OR o.cancelled_at >= ?3)"

/* The row stmt (FEED_COLUMNS) is on. */
static void read_row(sqlite3_stmt *stmt, struct row *out)
{
	/* Text before its length: sqlite3_column_bytes after
	 * sqlite3_column_text counts the text as it is returned. */
	*out = (struct row){
		.uid = column_text(stmt, 0),
		.uid_len = (size_t)sqlite3_column_bytes(stmt, 0),
		.activity = column_text(stmt, 1),
		.subject = column_text(stmt, 2),
		.kind = column_text(stmt, 3),
		.status = column_text(stmt, 4),
		.date = db_column_day(stmt, 5),
		.start_minute = sqlite3_column_int(stmt, 6),
		.duration = sqlite3_column_int(stmt, 7),
		.dtstart_utc = (time_t)sqlite3_column_int64(stmt, 8),
		.dtend_utc = (time_t)sqlite3_column_int64(stmt, 9),
		.done_on = db_column_day(stmt, 10),
		.summary = column_text(stmt, 11),
		.detail = column_text(stmt, 12),
		.detail_len = (size_t)sqlite3_column_bytes(stmt, 12),
		.sequence = sqlite3_column_int(stmt, 14),
		.created_at = (time_t)sqlite3_column_int64(stmt, 15),
		.last_modified = (time_t)sqlite3_column_int64(stmt, 16),
	};
}

/* A feed of this many octets needs no more room than it starts with; the
 * body is shrunk to fit when it is done. */
#define FEED_SIZE_HINT (64 * 1024)

int feed_render(sqlite3 *db, const struct feed_catalog *cat,
		enum feed_kind kind, const char *subject, qa_day today,
		time_t now, struct feed_doc *out)
{
	/* Each branch uses an index: the person's own series, the ones they
	 * take part in as manager (or auditor), the ones they attend as a
	 * third participant (a moderation's practitioner), and the
	 * audience-wide ones of their roles or that they own. */
	static const char staff_sql[] = DB_KEPT
		"SELECT " FEED_COLUMNS FEED_JOINS
		" WHERE o.subject = ?1" FEED_WINDOW
		" UNION ALL SELECT " FEED_COLUMNS FEED_JOINS
		" WHERE o.with_staff_id = ?1 AND o.subject <> ?1"
		" AND o.subject <> ''" FEED_WINDOW
		" UNION ALL SELECT " FEED_COLUMNS FEED_JOINS
		" JOIN occurrence_attendees oa ON oa.uid = o.uid"
		" WHERE oa.staff_id = ?1 AND o.subject <> ?1"
		" AND o.with_staff_id IS NOT ?1" FEED_WINDOW
		" UNION ALL SELECT " FEED_COLUMNS FEED_JOINS
		" WHERE o.subject = '' AND (instr(?4, ',' || o.activity || "
		"',') OR o.with_staff_id = ?1)" FEED_WINDOW;
	static const char team_sql[] = DB_KEPT
		"SELECT " FEED_COLUMNS FEED_JOINS
		" WHERE o.subject IN (SELECT id FROM staff WHERE team = "
		"?1)" FEED_WINDOW " AND ?4 IS NOT NULL";
	struct viewer v = {0};
	struct render rd = {.cat = cat,
			    .v = &v,
			    .db = db,
			    .tzid_len = strlen(cat->tzid),
			    .in_order = true};
	sqlite3_stmt *stmt = NULL;
	char *audience = NULL;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	/* One snapshot for every query below, however the tables change
	 * meanwhile; unless the caller's transaction is already one. */
	bool own_transaction = sqlite3_get_autocommit(db);
	if (own_transaction &&
	    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		log_err("feed: cannot start a read transaction: %s",
			sqlite3_errmsg(db));
		return -1;
	}
	unsigned long binds_failed = db_bind_failures();
	int exists = viewer_load(db, kind, subject, today, &v);
	if (exists <= 0) {
		rc = exists;
		goto out;
	}
	audience = kind == FEED_STAFF ? audience_list(cat, &v) : strdup("");
	if (!audience)
		goto out;
	/* Kept prepared on the connection: compiling this query took as
	 * long as running it. */
	if (db_prepare_kept(db, kind == FEED_STAFF ? staff_sql : team_sql,
			    &stmt))
		goto out;
	sqlite3_bind_text(stmt, 1, subject, -1, SQLITE_STATIC);
	db_bind_day(stmt, 2, today - FEED_DAYS_BACK);
	sqlite3_bind_int64(stmt, 3,
			   (sqlite3_int64)(now - FEED_CANCELLED_DAYS * 86400));
	sqlite3_bind_text(stmt, 4, audience, -1, SQLITE_STATIC);

	ical_writer_init(&rd.w, FEED_SIZE_HINT);
	write_head(&rd);
	size_t head_len = rd.w.out.len;
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct row r;
		read_row(stmt, &r);
		/* The schema makes these NOT NULL; a NULL would be a bug. */
		if (!r.uid || !r.activity || !r.subject || !r.kind ||
		    !r.status) {
			log_err("feed: an occurrence with a NULL column");
			goto out;
		}
		if (strcmp(r.status, "cancelled") == 0) {
			if (r.last_modified > out->last_modified)
				out->last_modified = r.last_modified;
			continue;
		}
		r.subject_name = name_of(&rd, r.subject);
		r.with_name = name_of(&rd, column_text(stmt, 13));
		size_t start = rd.w.out.len;
		write_event(&rd, &r);
		rd.in_order = rd.in_order && sorts_after_last(&rd, &r);
		place_event(&rd, &r, start);
		if (r.last_modified > out->last_modified)
			out->last_modified = r.last_modified;
	}
	if (step != SQLITE_DONE) {
		log_err("feed: %s", sqlite3_errmsg(db));
		goto out;
	}
	ical_line_lit(&rd.w, "END:VCALENDAR");
	if (rd.failed)
		goto out;
	if (rd.uids.failed || rd.summary.failed ||
	    db_bind_failures() != binds_failed) {
		log_err("feed: out of memory rendering the feed of %s",
			subject);
		goto out;
	}
	if (ical_writer_finish(&rd.w, &out->body, &out->len))
		goto out;
	if (!rd.in_order) {
		char *ordered =
			body_in_order(&rd, out->body, out->len, head_len);
		if (!ordered) {
			log_err("feed: out of memory ordering the feed of %s",
				subject);
			goto out;
		}
		free(out->body);
		out->body = ordered;
	}
	rc = 1;
out:
	db_release_kept(stmt);
	/* Reading only: COMMIT and ROLLBACK both just end the snapshot. */
	if (own_transaction && !sqlite3_get_autocommit(db) &&
	    sqlite3_exec(db, rc < 0 ? "ROLLBACK" : "COMMIT", NULL, NULL,
			 NULL) != SQLITE_OK) {
		log_err("feed: cannot end the read transaction: %s",
			sqlite3_errmsg(db));
		rc = -1;
	}
	if (rc < 0)
		feed_doc_done(out);
	ical_writer_done(&rd.w);
	ical_buf_done(&rd.summary);
	ical_buf_done(&rd.uids);
	free(rd.placed);
	db_release_kept(rd.name_stmt);
	for (size_t i = 0; i < rd.n_names; i++) {
		free(rd.names[i].id);
		free(rd.names[i].name);
	}
	free(rd.names);
	free(audience);
	free(v.name);
	return rc;
}

int feed_render_event(sqlite3 *db, const struct feed_catalog *cat,
		      const char *viewer, const char *uid, qa_day today,
		      struct feed_doc *out)
{
	static const char sql[] = "SELECT " FEED_COLUMNS FEED_JOINS
				  " WHERE o.uid = ?1 AND o.status <> "
				  "'cancelled'";
	struct viewer v = {0};
	struct render rd = {
		.cat = cat, .v = &v, .db = db, .tzid_len = strlen(cat->tzid)};
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	int exists = viewer_load(db, FEED_STAFF, viewer, today, &v);
	if (exists <= 0) {
		rc = exists;
		goto out;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		log_err("feed: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(stmt, 1, uid, -1, SQLITE_STATIC);
	int step = sqlite3_step(stmt);
	if (step != SQLITE_ROW) {
		if (step == SQLITE_DONE)
			rc = 0;
		else
			log_err("feed: %s", sqlite3_errmsg(db));
		goto out;
	}
	struct row r;
	read_row(stmt, &r);
	r.subject_name = name_of(&rd, r.subject);
	r.with_name = name_of(&rd, column_text(stmt, 13));
	ical_writer_init(&rd.w, 4096);
	write_head(&rd);
	write_event(&rd, &r);
	ical_line_lit(&rd.w, "END:VCALENDAR");
	out->last_modified = r.last_modified;
	if (!rd.failed && !rd.summary.failed &&
	    ical_writer_finish(&rd.w, &out->body, &out->len) == 0)
		rc = 1;
out:
	if (rc < 0)
		feed_doc_done(out);
	sqlite3_finalize(stmt);
	ical_writer_done(&rd.w);
	ical_buf_done(&rd.summary);
	db_release_kept(rd.name_stmt);
	for (size_t i = 0; i < rd.n_names; i++) {
		free(rd.names[i].id);
		free(rd.names[i].name);
	}
	free(rd.names);
	free(v.name);
	return rc;
}
