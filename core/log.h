/* log: one line per event on stderr, with a level.
 *
 * Under systemd (JOURNAL_STREAM set) lines carry the "<N>" priority prefix
 * journald understands; otherwise they read "LEVEL: message". Nothing in the
 * daemon writes to stdout. */
#ifndef QA_LOG_H
#define QA_LOG_H

#include "qa-scheduler/plugin.h" /* enum qa_log_level */

/* Messages above `level` are dropped. Default QA_LOG_INFO. */
void log_set_level(enum qa_log_level level);
enum qa_log_level log_get_level(void);

void log_msg(enum qa_log_level level, const char *fmt, ...) QA_PRINTF(2, 3);
void log_vmsg(enum qa_log_level level, const char *fmt, va_list ap)
	QA_PRINTF(2, 0);

#define log_err(...) log_msg(QA_LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(QA_LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(QA_LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(QA_LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(QA_LOG_DEBUG, __VA_ARGS__)

#endif
