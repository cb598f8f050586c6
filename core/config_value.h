/* config_value: the types a config value can have, parsed and checked.
 *
 * One place reads a value of each type, for the core keys (config.c) and
 * for the plugins' keys the plugin host checks against their schemas, so a
 * duration or a time means the same in every section. The errors are
 * phrases for the reader ("expected a duration such as 90m"), which the
 * caller puts after the file, line and key. */
#ifndef QA_CONFIG_VALUE_H
#define QA_CONFIG_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "qa-scheduler/plugin.h"

#define CONFIG_DURATION_EXAMPLES "such as 30s, 15m, 1h or 7d"

struct config_list {
	char **items;
	size_t n;
};

/* Check one value against a schema type. Returns 0 when it is valid; else
 * -1 with a phrase for the reader in why ("expected a duration such as 90m,
 * 2h or 7d"). */
int config_check_value(enum qa_config_type type, const char *value, char *why,
		       size_t why_size);

/* "90m" -> 5400. Units s, m, h, d, w; a bare number is seconds. Returns 0 or
 * -1 when the text is not a duration. "0" parses (as 0) but is not a valid
 * QA_CONFIG_DURATION, which must be positive. At most INT_MAX seconds, so
 * the result always fits an int. */
int config_parse_duration(const char *text, long *seconds);

/* Lead times "7d, 1d" -> {604800, 86400} in *seconds (caller frees), or
 * "none" -> *n 0 and *seconds NULL. Each a positive duration, none twice.
 * Returns 0 or -1 (nothing allocated). */
int config_parse_leads(const char *text, long **seconds, size_t *n);

/* A decimal integer from 0 to INT_MAX, nothing else. 0 or -1. */
int config_parse_int(const char *text, int *out);

/* The first len characters of text, all digits, as a number no greater than
 * max. 0 or -1. */
int config_parse_digits(const char *text, size_t len, long max, long *value);

/* true/false, yes/no, on/off, 1/0 (any case). 0 or -1. */
int config_parse_bool(const char *text, bool *out);

/* "HH:MM" (00:00 to 23:59) -> minutes after midnight. 0 or -1. */
int config_parse_time(const char *text, int *minute);

/* Split "a, b ,c" into trimmed items (empty items refused). Blank text is an
 * empty list. On -1 *out is left empty. */
int config_split_list(const char *text, struct config_list *out);
void config_list_done(struct config_list *list);

/* Does a value of type stand for a number (qa_host.config_int, ABI 1.2)?
 * int, bool, duration, time and date do. */
bool config_type_has_int(enum qa_config_type type);

/* May a qa_config_key of type have a range (min, max)? The types with a
 * number but bool. */
bool config_type_has_range(enum qa_config_type type);

/* The number text stands for as a value of type: an int's number, a bool's
 * 1 or 0, a duration's seconds ("0" included), a time's minutes after
 * midnight, a date's qa_day. 0, or -1 when text is not one or type has no
 * number. */
int config_value_int(enum qa_config_type type, const char *text, int *out);

/* Write the number of a type with a range as it would be written in the
 * file: 24, 2h, 09:30, 2026-03-31. */
void config_format_int(enum qa_config_type type, int value, char *buf,
		       size_t size);

/* Check the number of a value of type against [min, max] (both 0: no
 * range). 0, or -1 with "expected a whole number from 0 to 24" (a
 * duration, a time, a date) in why. */
int config_check_range(enum qa_config_type type, int value, int min, int max,
		       char *why, size_t why_size);

/* [a-z0-9_]+: an activity id, or a key of a plugin's schema. NULL is
 * not. */
bool config_is_name(const char *text);

/* A readable name for a schema type ("duration", "list of durations"). */
const char *config_type_name(enum qa_config_type type);

/* seconds in the largest unit that divides it exactly: 300 -> "5m". */
void config_format_duration(long seconds, char *buf, size_t size);

/* snprintf into why, which may be NULL (then nothing is written). */
void config_set_why(char *why, size_t why_size, const char *fmt, ...)
	QA_PRINTF(3, 4);

#endif
