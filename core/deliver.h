/* deliver: sending reminders over their channels without blocking the event
 * loop (SPEC section 7).
 *
 * Email (SMTP with libcurl: [reminders] smtp_url, from, username, password,
 * STARTTLS when the server offers it) and webhook (a JSON POST with libcurl)
 * run on one worker thread fed by a queue; the log channel is written at
 * once. Results come back to the loop through an event, where the caller
 * records them in the outbox: nothing here touches SQLite.
 *
 * Every function here is called on the loop's thread. Each transfer is
 * bounded (10 s to connect, 30 s in all), so one dead server delays the
 * queue behind it by at most that. Failures are logged here (warning, with
 * the outbox id), so the caller need not log them again. */
#ifndef QA_DELIVER_H
#define QA_DELIVER_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"

enum deliver_channel { DELIVER_EMAIL, DELIVER_WEBHOOK, DELIVER_LOG };

/* One message, built by the caller from an outbox row. Strings are copied
 * by deliver_submit. A message its channel cannot send (no recipient
 * address, a channel not configured, a bad key) is not refused here: it
 * fails through the callback with the reason, like any other failure. */
struct deliver_message {
	long long outbox_id;
	enum deliver_channel channel;
	/* Message-ID <key@qa-scheduler> / Idempotency-Key header. Letters,
	 * digits and . _ - (any RFC 5322 atext; dots not leading, trailing
	 * or doubled), at most 200 bytes; the same for a retry. */
	const char *idempotency_key;
	const char *to_email; /* email: the recipient's bare address */
	const char *to_name;  /* may be NULL; UTF-8 is encoded for headers */
	const char *subject;  /* email Subject, the log line */
	const char *text;     /* plain-text body, UTF-8, '\n' line ends */
	const char *ics;      /* optional .ics attachment (one VEVENT, METHOD:
				 PUBLISH), sent as invite.ics */
	const char *json;     /* webhook: the whole JSON body */
};

/* Called on the loop's thread for every finished message: ok true when the
 * channel accepted it (SMTP 250 after DATA, HTTP 2xx, log written; error is
 * NULL), else error holds a short reason ("... (Connection refused)",
 * "HTTP 503", "SMTP server refused: 550 ..."), valid during the call. The
 * callback may call deliver_submit, not deliver_free. */
typedef void (*deliver_done_cb)(long long outbox_id, bool ok, const char *error,
				void *arg);

struct deliver;

/* Start the worker. cfg gives the channels' settings (copied; read again by
 * deliver_reconfigure). NULL after logging on failure. */
struct deliver *deliver_new(struct event_base *base, const struct config *cfg,
			    deliver_done_cb done, void *arg);
/* Messages taken by the worker from now on use cfg's settings; one in
 * flight finishes with the old. Out of memory keeps the old (logged). */
void deliver_reconfigure(struct deliver *d, const struct config *cfg);

/* Which channels are configured: email needs smtp_url and from, webhook
 * webhook_url. The log channel always is. */
bool deliver_has_channel(const struct deliver *d, enum deliver_channel ch);

/* Queue a message (copied). 0, or -1 when out of memory or deliver_free
 * has begun (logged). The log channel writes its line before this returns;
 * its callback runs from the loop soon after, like the others: never from
 * inside deliver_submit. */
int deliver_submit(struct deliver *d, const struct deliver_message *msg);

/* Messages submitted whose callback has not run yet (queued, being sent,
 * or finished and waiting for the loop). */
size_t deliver_pending(const struct deliver *d);

/* Stop the worker after the message in hand (this may take up to the 40 s
 * of its timeouts). Queued messages are dropped without a callback: they
 * are still pending in the outbox and go out after a restart. Outcomes
 * already known, the message in hand included, ARE reported to the callback
 * before this returns, so a message the server took is recorded and not
 * sent twice: keep the callback's state (the database) alive until after
 * deliver_free. NULL is a no-op. */
void deliver_free(struct deliver *d);

#endif
