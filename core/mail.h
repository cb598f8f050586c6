/* mail: a reminder as an email (RFC 5322, MIME), ready for SMTP. */
#ifndef QA_MAIL_H
#define QA_MAIL_H

#include <stddef.h>
#include <time.h>

struct mail {
	const char *from;       /* the From header, as configured */
	const char *to_name;    /* may be NULL; UTF-8 is encoded */
	const char *to_email;   /* the bare address */
	const char *subject;    /* UTF-8 */
	const char *message_id; /* <message_id@qa-scheduler> */
	const char *text;       /* plain-text body, UTF-8, '\n' line ends */
	const char *ics;        /* optional .ics attachment (invite.ics) */
};

/* Write m, dated now, as a new string in *message (CRLF line ends) of
 * *message_len bytes. 0, or -1 when out of memory (*message NULL). */
int mail_build(const struct mail *m, time_t now, char **message,
	       size_t *message_len);

#endif
