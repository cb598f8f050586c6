/* mail: a reminder as an email, RFC 5322 with MIME: encoded words for
 * names and subjects that are not ASCII, quoted-printable text, and a
 * base64 .ics attachment. Building it is deliver.c's worker's first step;
 * sending it is the rest. */
#include "mail.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Raw bytes per RFC 2047 encoded word: 39 bytes are 52 base64 characters, so
 * "Subject: =?UTF-8?B?...?=" stays within 76 columns. A multiple of 3 keeps
 * each word free of padding but the last. */
#define ENCODED_WORD_BYTES 39
/* RFC 5322 asks for lines of at most 78 characters. */
#define HEADER_FOLD_COLUMN 78
/* "=_" cannot occur in quoted-printable or base64 output, so the boundary
 * never collides with a part (RFC 2045, section 6.7, note 4). */
#define MIME_BOUNDARY "=_qa-scheduler-part"

static const char base64_digits[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* line_max 0: one unbroken run (inside an encoded word). */
static void write_base64(FILE *out, const char *data, size_t len,
			 size_t line_max)
{
	const unsigned char *bytes = (const unsigned char *)data;
	size_t col = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t group = (uint32_t)bytes[i] << 16;
		if (i + 1 < len)
			group |= (uint32_t)bytes[i + 1] << 8;
		if (i + 2 < len)
			group |= bytes[i + 2];
		if (line_max && col + 4 > line_max) {
			fputs("\r\n", out);
			col = 0;
		}
		fputc(base64_digits[(group >> 18) & 63], out);
		fputc(base64_digits[(group >> 12) & 63], out);
		fputc(i + 1 < len ? base64_digits[(group >> 6) & 63] : '=',
		      out);
		fputc(i + 2 < len ? base64_digits[group & 63] : '=', out);
		col += 4;
	}
}

/* Quoted-printable keeps the message 7-bit and its lines short whatever the
 * text holds, so no relay needs 8BITMIME; lines of the text become CRLF.
 * A line starting with '.' is left alone: libcurl dot-stuffs the upload. */
static void write_quoted_printable(FILE *out, const char *text)
{
	size_t col = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '\r' || *p == '\n') {
			if (*p == '\r' && p[1] == '\n')
				p++;
			fputs("\r\n", out);
			col = 0;
			continue;
		}
		bool line_end = !p[1] || p[1] == '\r' || p[1] == '\n';
		bool literal = (*p >= 33 && *p <= 126 && *p != '=') ||
			       ((*p == ' ' || *p == '\t') && !line_end);
		size_t width = literal ? 1 : 3;
		/* Leave room for the '=' of a soft break in 76 columns. */
		if (col + width > 75) {
			fputs("=\r\n", out);
			col = 0;
		}
		if (literal)
			fputc(*p, out);
		else
			fprintf(out, "=%02X", *p);
		col += width;
	}
}

/* A header value with control characters (CR and LF above all, which would
 * start a new header) turned into spaces, trimmed. NULL when out of memory. */
static char *header_text(const char *value)
{
	char *text = strdup(value ? value : "");
	if (!text)
		return NULL;
	for (char *c = text; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	size_t start = strspn(text, " ");
	size_t len = strlen(text);
	while (len > start && text[len - 1] == ' ')
		len--;
	memmove(text, text + start, len - start);
	text[len - start] = '\0';
	return text;
}

/* Non-ASCII text goes into encoded words, as does text a reader would take
 * for one ("=?") or a word too long for any line. */
static bool needs_encoded_words(const char *text)
{
	if (strstr(text, "=?"))
		return true;
	size_t word = 0;
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		if (*c >= 0x80)
			return true;
		word = *c == ' ' ? 0 : word + 1;
		if (word > 900)
			return true;
	}
	return false;
}

static void write_encoded_words(FILE *out, const char *text)
{
	size_t len = strlen(text);
	size_t off = 0;
	while (off < len) {
		size_t chunk = len - off;
		if (chunk > ENCODED_WORD_BYTES)
			chunk = ENCODED_WORD_BYTES;
		/* Each word must decode on its own: never split a UTF-8
		 * sequence between two. */
		while (chunk > 1 && off + chunk < len &&
		       ((unsigned char)text[off + chunk] & 0xc0) == 0x80)
			chunk--;
		if (off > 0)
			fputs("\r\n ", out);
		fputs("=?UTF-8?B?", out);
		write_base64(out, text + off, chunk, 0);
		fputs("?=", out);
		off += chunk;
	}
}

/* Unstructured ASCII text, folded before a space once a line would pass 78
 * columns. col is where the value starts. */
static void write_folded(FILE *out, size_t col, const char *text)
{
	const char *p = text;
	while (*p) {
		const char *space = strchr(p + 1, ' ');
		size_t word = space ? (size_t)(space - p) : strlen(p);
		if (p != text && col + word > HEADER_FOLD_COLUMN) {
			fputs("\r\n", out);
			col = 0;
		}
		fwrite(p, 1, word, out);
		col += word;
		p += word;
	}
}

static void write_unstructured(FILE *out, const char *name, const char *text)
{
	fprintf(out, "%s: ", name);
	if (needs_encoded_words(text))
		write_encoded_words(out, text);
	else
		write_folded(out, strlen(name) + 2, text);
	fputs("\r\n", out);
}

/* "To: "Pat O'Brien" <pat@example.org>", the name as a quoted string or,
 * when it is not ASCII, as encoded words (RFC 2047 allows them in a
 * phrase, not inside quotes). */
static void write_mailbox(FILE *out, const char *name, const char *display,
			  const char *address)
{
	fprintf(out, "%s: ", name);
	if (*display) {
		if (needs_encoded_words(display)) {
			write_encoded_words(out, display);
		} else {
			fputc('"', out);
			for (const char *c = display; *c; c++) {
				if (*c == '"' || *c == '\\')
					fputc('\\', out);
				fputc(*c, out);
			}
			fputc('"', out);
		}
		fputs(" ", out);
	}
	fprintf(out, "<%s>\r\n", address);
}

/* RFC 5322 date in UTC, with English names whatever the locale. */
static void write_date(FILE *out, time_t now)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
					   "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
					     "May", "Jun", "Jul", "Aug",
					     "Sep", "Oct", "Nov", "Dec"};
	struct tm utc;
	gmtime_r(&now, &utc);
	fprintf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
		days[utc.tm_wday], utc.tm_mday, months[utc.tm_mon],
		utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

static void write_text_part_headers(FILE *out)
{
	fputs("Content-Type: text/plain; charset=utf-8\r\n"
	      "Content-Transfer-Encoding: quoted-printable\r\n",
	      out);
}

/* The whole message, CRLF throughout, in *message (caller frees). 0, or -1
 * when out of memory. */
int mail_build(const struct mail *m, time_t now, char **message,
	       size_t *message_len)
{
	int rc = -1;
	char *name = header_text(m->to_name);
	char *subject = header_text(m->subject);
	FILE *out = NULL;
	*message = NULL;
	*message_len = 0;
	if (!name || !subject)
		goto out;
	out = open_memstream(message, message_len);
	if (!out)
		goto out;

	write_date(out, now);
	fprintf(out, "From: %s\r\n", m->from);
	write_mailbox(out, "To", name, m->to_email);
	write_unstructured(out, "Subject", subject);
	fprintf(out, "Message-ID: <%s@qa-scheduler>\r\n", m->message_id);
	fputs("MIME-Version: 1.0\r\n", out);
	/* Keeps out-of-office replies (RFC 3834; Exchange reads the second)
	 * away from the sender address. */
	fputs("Auto-Submitted: auto-generated\r\n"
	      "X-Auto-Response-Suppress: All\r\n",
	      out);
	const char *text = m->text ? m->text : "";
	if (!m->ics) {
		write_text_part_headers(out);
		fputs("\r\n", out);
		write_quoted_printable(out, text);
	} else {
		fputs("Content-Type: multipart/mixed; "
		      "boundary=\"" MIME_BOUNDARY "\"\r\n"
		      "\r\n"
		      "--" MIME_BOUNDARY "\r\n",
		      out);
		write_text_part_headers(out);
		fputs("\r\n", out);
		write_quoted_printable(out, text);
		fputs("\r\n--" MIME_BOUNDARY "\r\n"
		      "Content-Type: text/calendar; charset=utf-8; "
		      "method=PUBLISH; name=\"invite.ics\"\r\n"
		      "Content-Disposition: attachment; "
		      "filename=\"invite.ics\"\r\n"
		      "Content-Transfer-Encoding: base64\r\n"
		      "\r\n",
		      out);
		write_base64(out, m->ics, strlen(m->ics), 76);
		fputs("\r\n--" MIME_BOUNDARY "--\r\n", out);
	}
	if (ferror(out))
		goto out;
	rc = 0;
out:
	/* fclose sets *message and *message_len for the last time. */
	if (out && fclose(out) != 0)
		rc = -1;
	if (rc != 0) {
		free(*message);
		*message = NULL;
	}
	free(name);
	free(subject);
	return rc;
}
