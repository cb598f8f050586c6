#include "config_scan.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "qa-scheduler/plugin.h" /* QA_PRINTF */

/* A physical line longer than this is refused without being looked at
 * (a comment is let through); well above CONFIG_SCAN_LINE_MAX, so that
 * the trimmed length decides for any line that could be valid. */
#define LINE_BUFFER 1024

enum scan_state {
	BEFORE_SECTIONS, /* no header yet: a key here belongs nowhere */
	IN_SECTION,      /* keys go to the caller */
	SKIPPING,        /* under a header that was refused */
};

struct scan {
	FILE *file;
	const struct config_scan_ops *ops;
	void *user;
	char text[LINE_BUFFER];
	size_t bytes; /* read so far */
	int line;
	enum scan_state state;
};

static void scan_error(struct scan *s, int line, const char *fmt, ...)
	QA_PRINTF(3, 4);

static void scan_error(struct scan *s, int line, const char *fmt, ...)
{
	char message[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	s->ops->error(s->user, line, message);
}

/* The first of chars in text, or of an inline comment (a ';' after white
 * space), or its end. */
static char *find_chars_or_comment(char *text, const char *chars)
{
	bool was_space = false;
	while (*text && !strchr(chars, *text) && !(was_space && *text == ';')) {
		was_space = isspace((unsigned char)*text);
		text++;
	}
	return text;
}

static char *trim(char *text)
{
	while (isspace((unsigned char)*text))
		text++;
	size_t end = strlen(text);
	while (end > 0 && isspace((unsigned char)text[end - 1]))
		text[--end] = '\0';
	return text;
}

/* "[name]" and what may follow it. */
static void scan_section(struct scan *s, char *text)
{
	char *close = find_chars_or_comment(text + 1, "]");
	if (*close != ']') {
		scan_error(s, s->line,
			   "\"%.60s\": expected ']' to close the section name",
			   text);
		/* Its keys belong to no section anybody named. */
		s->state = SKIPPING;
		return;
	}
	const char *after = close + 1;
	while (isspace((unsigned char)*after))
		after++;
	if (*after && *after != ';' && *after != '#')
		scan_error(s, s->line,
			   "unexpected text \"%.40s\" after [%.*s]; only a "
			   "comment may follow",
			   after, (int)(close - text - 1), text + 1);
	size_t len = (size_t)(close - text - 1);
	if (len == 0 || len > CONFIG_SCAN_SECTION_MAX) {
		if (len)
			scan_error(s, s->line,
				   "section name longer than %d characters",
				   CONFIG_SCAN_SECTION_MAX);
		else
			scan_error(s, s->line, "empty section name []");
		s->state = SKIPPING;
		return;
	}
	*close = '\0';
	s->state = s->ops->section(s->user, s->line, text + 1) ? IN_SECTION
							       : SKIPPING;
}

/* "key = value" or "key: value". */
static void scan_pair(struct scan *s, char *text)
{
	char *equals = find_chars_or_comment(text, "=:");
	if (*equals != '=' && *equals != ':') {
		scan_error(s, s->line,
			   "\"%.60s\": expected key = value, [section] or a "
			   "comment starting with # or ;",
			   text);
		return;
	}
	if (equals == text) {
		scan_error(s, s->line,
			   "\"%.60s\": missing key name before '%c'", text,
			   *equals);
		return;
	}
	if (s->state == BEFORE_SECTIONS) {
		scan_error(s, s->line,
			   "\"%.60s\": key outside any section; put it under "
			   "its section, such as [server]",
			   text);
		return;
	}
	if (s->state == SKIPPING)
		return;
	*equals = '\0';
	char *value = equals + 1;
	*find_chars_or_comment(value, "") = '\0';
	s->ops->pair(s->user, s->line, trim(text), trim(value));
}

/* Read one physical line into s->text. Returns its length, or -1 at the end
 * of the file or after a read error (reported). Sets *too_long when the
 * line did not fit and *nul when it held a NUL. */
static long read_physical_line(struct scan *s, bool *too_long, bool *nul)
{
	size_t len = 0;
	int c = EOF;
	*too_long = false;
	*nul = false;
	while ((c = getc(s->file)) != EOF) {
		if (++s->bytes > CONFIG_SCAN_MAX_BYTES) {
			scan_error(s, 0,
				   "larger than %d bytes; is it a config file?",
				   CONFIG_SCAN_MAX_BYTES);
			return -2;
		}
		if (c == '\n')
			break;
		if (c == '\0')
			*nul = true;
		if (len + 1 < sizeof(s->text))
			s->text[len++] = (char)c;
		else
			*too_long = true;
	}
	s->text[len] = '\0';
	if (c == EOF && ferror(s->file)) {
		scan_error(s, 0, "cannot read: %s", strerror(errno));
		return -2;
	}
	if (c == EOF && len == 0)
		return -1;
	return (long)len;
}

int config_scan(FILE *file, const struct config_scan_ops *ops, void *user)
{
	struct scan s = {.file = file, .ops = ops, .user = user};
	bool too_long, nul;
	long len;
	while ((len = read_physical_line(&s, &too_long, &nul)) >= 0) {
		s.line++;
		char *text = s.text;
		if (s.line == 1 && strncmp(text, "\xEF\xBB\xBF", 3) == 0)
			text += 3; /* a UTF-8 byte order mark, as editors write
				    */
		text = trim(text);
		if (nul)
			scan_error(&s, s.line, "line holds a NUL byte");
		else if (*text == ';' || *text == '#')
			continue; /* comments may be as long as they like */
		else if (too_long || strlen(text) > CONFIG_SCAN_LINE_MAX)
			scan_error(&s, s.line, "line longer than %d characters",
				   CONFIG_SCAN_LINE_MAX);
		else if (!*text)
			continue;
		else if (*text == '[')
			scan_section(&s, text);
		else
			scan_pair(&s, text);
	}
	return len == -1 ? 0 : -1;
}
