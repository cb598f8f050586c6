/* feed: a person's or a team's iCalendar feed (SPEC section 6), written
 * from the occurrences table by ical_write (escaped and folded as it goes).
 *
 * The body depends only on what is stored (no "now" in it), so two requests
 * with nothing changed get the same bytes and the same strong ETag. */
#ifndef QA_FEED_H
#define QA_FEED_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "date.h"
#include "plugin_host.h"
#include "qa-scheduler/plugin.h"

#define FEED_MAX_LEADS 8

/* What a feed needs to know of an activity (from its plugin descriptor and
 * configuration, read once at load): feeds never call plugins. */
struct feed_activity {
	char *id, *title, *description, *responsible, *frequency, *reporting;
	unsigned roles; /* effective role mask of the audience */
	bool everyone;  /* roles "*" */
	bool audience;  /* one series for everyone holding the roles */
	long leads[FEED_MAX_LEADS]; /* reminder lead times, seconds */
	size_t n_leads;
	/* Working days after the due date on which an overdue item escalates,
	 * a step a level up the line each ([activity.<id>] escalate); an
	 * audit's action: the urgent ones' own (urgent_action_escalate). */
	int escalate[2], urgent_escalate[2];
	size_t n_escalate, n_urgent_escalate;
	/* TEXT-escaped once when the catalog is built, so that a render
	 * escapes only what differs from event to event: the title as
	 * CATEGORIES (its commas escaped, so it stays one category), and the
	 * fixed part of every DESCRIPTION (the description, then the
	 * Responsible, Frequency and Reporting lines). */
	char *categories_text;
	size_t categories_len;
	char *tail_text;
	size_t tail_len;
};

struct feed_catalog {
	struct feed_activity *items;
	size_t n;
	char *tzid;
	char *vtimezone; /* compact VTIMEZONE content lines, NULL: UTC times */
	/* tzid's offsets from the year before the catalog was built to five
	 * years after (empty with UTC times): a render finds local times
	 * without libical. */
	struct date_offsets offsets;
	int refresh; /* seconds, [server] feed_refresh */
};

/* Build the catalog from the loaded plugins and the config (plus the
 * built-in audit_action and moderation). 0 or -1 (logged). */
int feed_catalog_build(const struct plugin_set *plugins,
		       const struct config *cfg, struct feed_catalog *out);
void feed_catalog_done(struct feed_catalog *cat);

enum feed_kind { FEED_STAFF, FEED_TEAM };

struct feed_doc {
	char *body; /* CRLF, folded at 75 octets */
	size_t len;
	time_t last_modified; /* the newest change among what is in it */
};

/* Render the feed of a person (everything they take part in) or a team (the
 * series of its members), as of `today`. Returns 1 with the document, 0 when
 * there is no such feed to serve (unknown person, someone who has left, a
 * team with no one in it), -1 on error (logged).
 *
 * Its queries run in one read transaction (a deferred BEGIN ... COMMIT) so
 * they see one snapshot while other connections write; when db is already
 * in a transaction they run in that one instead. cat is only read. */
int feed_render(sqlite3 *db, const struct feed_catalog *cat,
		enum feed_kind kind, const char *subject, qa_day today,
		time_t now, struct feed_doc *out);

void feed_doc_done(struct feed_doc *doc);

/* One occurrence (uid) as a calendar of its own, as viewer's feed writes
 * it (the same UID, SUMMARY and times; METHOD:PUBLISH): the attachment of
 * a session's reminder, so that someone without a subscription can add
 * it. 1 with the document, 0 when there is no such live occurrence or
 * viewer, -1 on an error (logged). */
int feed_render_event(sqlite3 *db, const struct feed_catalog *cat,
		      const char *viewer, const char *uid, qa_day today,
		      struct feed_doc *out);

#endif
