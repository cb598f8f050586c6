#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum qa_log_level current_level = QA_LOG_INFO;

void log_set_level(enum qa_log_level level)
{
	current_level = level;
}

enum qa_log_level log_get_level(void)
{
	return current_level;
}

static const char *level_word(enum qa_log_level level)
{
	switch (level) {
	case QA_LOG_ERR:
		return "error";
	case QA_LOG_WARNING:
		return "warning";
	case QA_LOG_NOTICE:
		return "notice";
	case QA_LOG_INFO:
		return "info";
	case QA_LOG_DEBUG:
		return "debug";
	}
	return "log";
}

void log_vmsg(enum qa_log_level level, const char *fmt, va_list ap)
{
	if (level > current_level)
		return;
	/* Build the whole line first so one event is one write(2), whole even
	 * when several processes share the stream. */
	char line[2048];
	int used;
	if (getenv("JOURNAL_STREAM"))
		/* journald reads the priority from the prefix and adds the
		 * time itself. */
		used = snprintf(line, sizeof(line), "<%d>%s: ", (int)level,
				level_word(level));
	else
		used = snprintf(line, sizeof(line),
				"qa-scheduler: %s: ", level_word(level));
	if (used < 0)
		return;
	int body = vsnprintf(line + used, sizeof(line) - (size_t)used, fmt, ap);
	if (body < 0)
		return;
	size_t len = strnlen(line, sizeof(line) - 2);
	/* One event, one line: a newline inside a value would forge a second
	 * log line. */
	for (size_t i = 0; i < len; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[len++] = '\n';
	fwrite(line, 1, len, stderr);
	fflush(stderr);
}

void log_msg(enum qa_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
