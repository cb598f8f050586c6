#include "config_value.h"

#include <ctype.h>
#include <libical/ical.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"

void config_set_why(char *why, size_t why_size, const char *fmt, ...)
{
	if (!why || why_size == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, why_size, fmt, ap);
	va_end(ap);
}

static bool is_blank(const char *text)
{
	for (; *text; text++)
		if (!isspace((unsigned char)*text))
			return false;
	return true;
}

bool config_is_name(const char *text)
{
	if (!text || !*text)
		return false;
	for (; *text; text++)
		if (!((*text >= 'a' && *text <= 'z') ||
		      (*text >= '0' && *text <= '9') || *text == '_'))
			return false;
	return true;
}

/* Digits only, into *value, refusing anything above max. */
int config_parse_digits(const char *text, size_t len, long max, long *value)
{
	long result = 0;
	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		if (result > (max - (text[i] - '0')) / 10)
			return -1;
		result = result * 10 + (text[i] - '0');
	}
	*value = result;
	return 0;
}

int config_parse_duration(const char *text, long *seconds)
{
	if (!text)
		return -1;
	size_t len = strlen(text);
	if (len == 0)
		return -1;
	long unit = 1;
	size_t digits = len;
	switch (text[len - 1]) {
	case 's':
		unit = 1;
		digits--;
		break;
	case 'm':
		unit = 60;
		digits--;
		break;
	case 'h':
		unit = 3600;
		digits--;
		break;
	case 'd':
		unit = 86400;
		digits--;
		break;
	case 'w':
		unit = 7 * 86400;
		digits--;
		break;
	}
	long count;
	if (config_parse_digits(text, digits, INT_MAX / unit, &count))
		return -1;
	*seconds = count * unit;
	return 0;
}

int config_parse_int(const char *text, int *out)
{
	long value;
	if (!text || config_parse_digits(text, strlen(text), INT_MAX, &value))
		return -1;
	*out = (int)value;
	return 0;
}

int config_parse_bool(const char *text, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	if (!text)
		return -1;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int config_parse_time(const char *text, int *minute)
{
	long hour, min;
	if (!text || strlen(text) != 5 || text[2] != ':' ||
	    config_parse_digits(text, 2, 23, &hour) ||
	    config_parse_digits(text + 3, 2, 59, &min))
		return -1;
	*minute = (int)(hour * 60 + min);
	return 0;
}

void config_list_done(struct config_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->n = 0;
}

int config_split_list(const char *text, struct config_list *out)
{
	struct config_list list = {0};
	int rc = -1;
	out->items = NULL;
	out->n = 0;
	if (!text)
		goto out;
	if (is_blank(text)) {
		rc = 0;
		goto out;
	}
	const char *item = text;
	for (;;) {
		const char *comma = strchr(item, ',');
		const char *end = comma ? comma : item + strlen(item);
		const char *start = item;
		while (start < end && isspace((unsigned char)*start))
			start++;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		if (start == end)
			goto out;
		char **grown =
			realloc(list.items, (list.n + 1) * sizeof(*grown));
		if (!grown)
			goto out;
		list.items = grown;
		list.items[list.n] = strndup(start, (size_t)(end - start));
		if (!list.items[list.n])
			goto out;
		list.n++;
		if (!comma)
			break;
		item = comma + 1;
	}
	*out = list;
	list = (struct config_list){0};
	rc = 0;
out:
	config_list_done(&list);
	return rc;
}

int config_parse_leads(const char *text, long **seconds, size_t *n)
{
	struct config_list items = {0};
	long *leads = NULL;
	int rc = -1;
	if (!text)
		goto out;
	if (strcmp(text, "none") == 0) {
		*seconds = NULL;
		*n = 0;
		rc = 0;
		goto out;
	}
	if (config_split_list(text, &items) || items.n == 0)
		goto out;
	leads = calloc(items.n, sizeof(*leads));
	if (!leads)
		goto out;
	for (size_t i = 0; i < items.n; i++) {
		if (config_parse_duration(items.items[i], &leads[i]) ||
		    leads[i] <= 0)
			goto out;
		/* "1d, 24h" would send the same reminder twice. */
		for (size_t j = 0; j < i; j++)
			if (leads[j] == leads[i])
				goto out;
	}
	*seconds = leads;
	*n = items.n;
	leads = NULL;
	rc = 0;
out:
	free(leads);
	config_list_done(&items);
	return rc;
}

static int check_rrule(const char *text)
{
	/* libical reports a bad rule through icalerrno and a freq of
	 * ICAL_NO_RECURRENCE; a rule without FREQ parses "fine" with no
	 * recurrence at all, so both are checked. icalerrno is global:
	 * leave it clear for the next caller. */
	icalerror_clear_errno();
	struct icalrecurrencetype rule = icalrecurrencetype_from_string(text);
	int rc = icalerrno == ICAL_NO_ERROR && rule.freq != ICAL_NO_RECURRENCE
			 ? 0
			 : -1;
	/* RSCALE= is the one part libical allocates for the caller. */
	if (rule.rscale)
		icalmemory_free_buffer(rule.rscale);
	icalerror_clear_errno();
	return rc;
}

int config_check_value(enum qa_config_type type, const char *value, char *why,
		       size_t why_size)
{
	long seconds;
	int number;
	bool flag;
	qa_day day;
	long *leads = NULL;
	size_t n_leads;
	struct config_list list;

	if (!value) {
		config_set_why(why, why_size, "expected a value");
		return -1;
	}
	switch (type) {
	case QA_CONFIG_STRING:
		if (*value)
			return 0;
		config_set_why(why, why_size, "expected some text");
		return -1;
	case QA_CONFIG_INT:
		if (config_parse_int(value, &number) == 0)
			return 0;
		config_set_why(
			why, why_size,
			"expected a whole number from 0 to %d, such as 5",
			INT_MAX);
		return -1;
	case QA_CONFIG_BOOL:
		if (config_parse_bool(value, &flag) == 0)
			return 0;
		config_set_why(
			why, why_size,
			"expected true or false (or yes/no, on/off, 1/0)");
		return -1;
	case QA_CONFIG_DURATION:
		if (config_parse_duration(value, &seconds) == 0 && seconds > 0)
			return 0;
		config_set_why(why, why_size,
			       "expected a duration " CONFIG_DURATION_EXAMPLES
			       " (units s, m, h, d, w)");
		return -1;
	case QA_CONFIG_LEADS:
		if (config_parse_leads(value, &leads, &n_leads) == 0) {
			free(leads);
			return 0;
		}
		config_set_why(
			why, why_size,
			"expected comma-separated lead times such as 7d, 1d "
			"(each a duration, none twice) or none");
		return -1;
	case QA_CONFIG_RRULE:
		if (check_rrule(value) == 0)
			return 0;
		config_set_why(
			why, why_size,
			"expected an RFC 5545 recurrence rule with FREQ, such "
			"as FREQ=MONTHLY;BYDAY=1TU");
		return -1;
	case QA_CONFIG_TIME:
		if (config_parse_time(value, &number) == 0)
			return 0;
		config_set_why(
			why, why_size,
			"expected a time of day HH:MM from 00:00 to 23:59");
		return -1;
	case QA_CONFIG_DATE:
		if (date_parse(value, &day) == 0)
			return 0;
		config_set_why(
			why, why_size,
			"expected a real date YYYY-MM-DD, such as 2026-03-31");
		return -1;
	case QA_CONFIG_LIST:
		if (config_split_list(value, &list) == 0) {
			config_list_done(&list);
			return 0;
		}
		config_set_why(
			why, why_size,
			"expected a comma-separated list with no empty items, "
			"such as a, b");
		return -1;
	case QA_CONFIG_END:
		break;
	}
	config_set_why(why, why_size, "unknown value type %d", (int)type);
	return -1;
}

const char *config_type_name(enum qa_config_type type)
{
	switch (type) {
	case QA_CONFIG_STRING:
		return "text";
	case QA_CONFIG_INT:
		return "whole number";
	case QA_CONFIG_BOOL:
		return "true/false";
	case QA_CONFIG_DURATION:
		return "duration";
	case QA_CONFIG_LEADS:
		return "list of durations";
	case QA_CONFIG_RRULE:
		return "recurrence rule";
	case QA_CONFIG_TIME:
		return "time HH:MM";
	case QA_CONFIG_DATE:
		return "date YYYY-MM-DD";
	case QA_CONFIG_LIST:
		return "list";
	case QA_CONFIG_END:
		break;
	}
	return "unknown";
}

void config_format_duration(long seconds, char *buf, size_t size)
{
	static const struct {
		long seconds;
		char unit;
	} units[] = {{7 * 86400, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (seconds > 0 && seconds % units[i].seconds == 0) {
			snprintf(buf, size, "%ld%c", seconds / units[i].seconds,
				 units[i].unit);
			return;
		}
	snprintf(buf, size, "%lds", seconds);
}

bool config_type_has_int(enum qa_config_type type)
{
	return type == QA_CONFIG_INT || type == QA_CONFIG_BOOL ||
	       type == QA_CONFIG_DURATION || type == QA_CONFIG_TIME ||
	       type == QA_CONFIG_DATE;
}

bool config_type_has_range(enum qa_config_type type)
{
	return config_type_has_int(type) && type != QA_CONFIG_BOOL;
}

int config_value_int(enum qa_config_type type, const char *text, int *out)
{
	long seconds;
	bool flag;
	qa_day day;
	if (!text)
		return -1;
	switch (type) {
	case QA_CONFIG_INT:
		return config_parse_int(text, out);
	case QA_CONFIG_BOOL:
		if (config_parse_bool(text, &flag))
			return -1;
		*out = flag ? 1 : 0;
		return 0;
	case QA_CONFIG_DURATION:
		/* At most INT_MAX seconds: config_parse_duration says so. */
		if (config_parse_duration(text, &seconds))
			return -1;
		*out = (int)seconds;
		return 0;
	case QA_CONFIG_TIME:
		return config_parse_time(text, out);
	case QA_CONFIG_DATE:
		if (date_parse(text, &day))
			return -1;
		*out = day;
		return 0;
	default:
		return -1;
	}
}

void config_format_int(enum qa_config_type type, int value, char *buf,
		       size_t size)
{
	switch (type) {
	case QA_CONFIG_DURATION:
		config_format_duration(value, buf, size);
		return;
	case QA_CONFIG_TIME:
		if (value >= 0 && value < 24 * 60) {
			snprintf(buf, size, "%02d:%02d", value / 60,
				 value % 60);
			return;
		}
		break;
	case QA_CONFIG_DATE:
		if (size >= DATE_TEXT_SIZE) {
			date_format(value, buf);
			return;
		}
		break;
	default:
		break;
	}
	snprintf(buf, size, "%d", value);
}

int config_check_range(enum qa_config_type type, int value, int min, int max,
		       char *why, size_t why_size)
{
	if ((min == 0 && max == 0) || (value >= min && value <= max))
		return 0;
	char low[32], high[32];
	config_format_int(type, min, low, sizeof(low));
	config_format_int(type, max, high, sizeof(high));
	const char *what = type == QA_CONFIG_DURATION ? "a duration"
			   : type == QA_CONFIG_TIME   ? "a time"
			   : type == QA_CONFIG_DATE   ? "a date"
						      : "a whole number";
	config_set_why(why, why_size, "expected %s from %s to %s", what, low,
		       high);
	return -1;
}
