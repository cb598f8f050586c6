#include "holidays.h"

#include <errno.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "log.h"
#include "qa-scheduler/util.h"

static int add_day(struct holidays *h, size_t *cap, qa_day day)
{
	if (h->n == *cap) {
		size_t grown_cap = *cap ? *cap * 2 : 64;
		qa_day *grown = realloc(h->days, grown_cap * sizeof(*grown));
		if (!grown)
			return -1;
		h->days = grown;
		*cap = grown_cap;
	}
	h->days[h->n++] = day;
	return 0;
}

static int cmp_day(const void *a, const void *b)
{
	qa_day x = *(const qa_day *)a, y = *(const qa_day *)b;
	return (x > y) - (x < y);
}

static char *read_file(const char *path, char *why, size_t why_size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(why, why_size, "cannot open: %s", strerror(errno));
		return NULL;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	char chunk[8192];
	size_t got;
	while (mem && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, got, mem);
	bool failed = ferror(f) || !mem;
	fclose(f);
	if (mem)
		fclose(mem);
	if (failed) {
		snprintf(why, why_size, "cannot read: %s", strerror(errno));
		free(text);
		return NULL;
	}
	return text;
}

/* Add the days of one VEVENT. Returns the number added, or -1 with why. */
static int add_event(icalcomponent *ev, struct holidays *h, size_t *cap,
		     char *why, size_t why_size)
{
	icalproperty *start_prop =
		icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
	if (!start_prop) {
		snprintf(why, why_size, "a VEVENT (%s) has no DTSTART",
			 icalcomponent_get_summary(ev)
				 ? icalcomponent_get_summary(ev)
				 : "no SUMMARY");
		return -1;
	}
	struct icaltimetype start = icalcomponent_get_dtstart(ev);
	struct icaltimetype end = icalcomponent_get_dtend(ev);
	if (icaltime_is_null_time(start) || !icaltime_is_valid_time(start)) {
		snprintf(why, why_size, "a VEVENT (%s) has an invalid DTSTART",
			 icalcomponent_get_summary(ev)
				 ? icalcomponent_get_summary(ev)
				 : "no SUMMARY");
		return -1;
	}
	qa_day first = qa_day_from_ymd(start.year, start.month, start.day);
	qa_day after = first + 1;
	if (start.is_date && !icaltime_is_null_time(end) && end.is_date) {
		after = qa_day_from_ymd(end.year, end.month, end.day);
		if (after <= first)
			after = first + 1;
		if (after - first > 366) {
			snprintf(why, why_size,
				 "a VEVENT (%s) spans %d days; a holiday "
				 "calendar holds days off, not years",
				 icalcomponent_get_summary(ev)
					 ? icalcomponent_get_summary(ev)
					 : "no SUMMARY",
				 after - first);
			return -1;
		}
	}
	for (qa_day d = first; d < after; d++)
		if (add_day(h, cap, d))
			return -1;
	return after - first;
}

static int load_file(const char *path, struct holidays *h, size_t *cap,
		     struct errlist *errs)
{
	char why[512];
	char *text = read_file(path, why, sizeof(why));
	if (!text) {
		errlist_add(errs, "%s: holiday calendar: %s", path, why);
		return -1;
	}
	int rc = -1;
	icalerror_clear_errno();
	icalcomponent *root = icalparser_parse_string(text);
	if (!root || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		errlist_add(errs,
			    "%s: holiday calendar: not an iCalendar file "
			    "(expected BEGIN:VCALENDAR ... END:VCALENDAR)",
			    path);
		goto out;
	}
	/* libical keeps going past bad lines, marking them with
	 * X-LIC-ERROR; a calendar we would half-read must be refused. */
	for (icalcomponent *c = icalcomponent_get_first_component(
		     root, ICAL_ANY_COMPONENT);
	     c;
	     c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT)) {
		icalproperty *err = icalcomponent_get_first_property(
			c, ICAL_XLICERROR_PROPERTY);
		if (err) {
			errlist_add(errs, "%s: holiday calendar: %s", path,
				    icalproperty_get_xlicerror(err));
			goto out;
		}
	}
	icalproperty *err =
		icalcomponent_get_first_property(root, ICAL_XLICERROR_PROPERTY);
	if (err) {
		errlist_add(errs, "%s: holiday calendar: %s", path,
			    icalproperty_get_xlicerror(err));
		goto out;
	}
	int events = 0;
	for (icalcomponent *ev = icalcomponent_get_first_component(
		     root, ICAL_VEVENT_COMPONENT);
	     ev; ev = icalcomponent_get_next_component(root,
						       ICAL_VEVENT_COMPONENT)) {
		if (add_event(ev, h, cap, why, sizeof(why)) < 0) {
			errlist_add(errs, "%s: holiday calendar: %s", path,
				    why);
			goto out;
		}
		events++;
	}
	if (events == 0) {
		errlist_add(errs, "%s: holiday calendar: no VEVENT in it",
			    path);
		goto out;
	}
	rc = 0;
out:
	if (root)
		icalcomponent_free(root);
	free(text);
	return rc;
}

int holidays_load(const struct config_list *files, struct holidays *out,
		  struct errlist *errs)
{
	memset(out, 0, sizeof(*out));
	size_t cap = 0;
	int rc = 0;
	for (size_t i = 0; i < files->n; i++) {
		size_t before = out->n;
		if (load_file(files->items[i], out, &cap, errs)) {
			out->n = before; /* none of a refused file's days */
			rc = -1;
			continue;
		}
		/* Its days are those added since before: the last of them
		 * says how far it reaches. */
		qa_day last = out->days[before];
		for (size_t k = before; k < out->n; k++)
			if (out->days[k] > last)
				last = out->days[k];
		int y, m, d;
		qa_day_to_ymd(last, &y, &m, &d);
		struct holidays_file *grown = realloc(
			out->files, (out->n_files + 1) * sizeof(*grown));
		if (grown)
			out->files = grown;
		char *path = grown ? strdup(files->items[i]) : NULL;
		if (!path) {
			errlist_add(errs, "%s: holiday calendar: out of memory",
				    files->items[i]);
			rc = -1;
			continue;
		}
		out->files[out->n_files++] = (struct holidays_file){
			path, qa_day_from_ymd(y, 12, 31)};
	}
	if (out->n) {
		qsort(out->days, out->n, sizeof(*out->days), cmp_day);
		size_t unique = 1;
		for (size_t i = 1; i < out->n; i++)
			if (out->days[i] != out->days[unique - 1])
				out->days[unique++] = out->days[i];
		out->n = unique;
	}
	return rc;
}

const struct holidays_file *holidays_running_out(const struct holidays *h,
						 qa_day today, char *why,
						 size_t why_size)
{
	const struct holidays_file *first = NULL;
	for (size_t i = 0; i < h->n_files; i++)
		if (!first || h->files[i].covers_to < first->covers_to)
			first = &h->files[i];
	if (!first ||
	    today < qa_day_add_months(first->covers_to, -HOLIDAYS_WARN_MONTHS))
		return NULL;
	char to[DATE_TEXT_SIZE];
	date_format(first->covers_to, to);
	int left = first->covers_to - today;
	snprintf(why, why_size,
		 "%s lists holidays only to %s (%d day(s) %s): after that "
		 "every weekday counts as a working day and due dates move; "
		 "replace it with a newer calendar (England and Wales: "
		 "https://www.gov.uk/bank-holidays) and reload",
		 first->path, to, left < 0 ? -left : left,
		 left < 0 ? "ago" : "left");
	return first;
}

void holidays_done(struct holidays *h)
{
	for (size_t i = 0; i < h->n_files; i++)
		free(h->files[i].path);
	free(h->files);
	free(h->days);
	memset(h, 0, sizeof(*h));
}

bool holidays_contains(const struct holidays *h, qa_day day)
{
	return h->n &&
	       bsearch(&day, h->days, h->n, sizeof(*h->days), cmp_day) != NULL;
}

bool holidays_is_working_day(const struct holidays *h, qa_day day)
{
	return qa_day_weekday(day) <= 5 && !holidays_contains(h, day);
}

qa_day holidays_add_working_days(const struct holidays *h, qa_day day, int n)
{
	int step = n < 0 ? -1 : 1;
	for (int left = n < 0 ? -n : n; left > 0;) {
		day += step;
		if (holidays_is_working_day(h, day))
			left--;
	}
	return day;
}

qa_day holidays_shift(const struct holidays *h, qa_day day, int dir)
{
	int step = dir < 0 ? -1 : 1;
	/* A calendar of nothing but holidays would loop for ever; no real
	 * one closes for a year. */
	for (int guard = 0; guard < 366 && !holidays_is_working_day(h, day);
	     guard++)
		day += step;
	return day;
}

qa_day holidays_last_working_day(const struct holidays *h, qa_day day,
				 enum qa_period period)
{
	return holidays_shift(h, qa_period_end(day, period), -1);
}
