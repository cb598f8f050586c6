/* chart: inline SVG charts the server draws itself, for pages that must
 * carry no external assets (the board pack, the manager's page). Each chart
 * names itself (<title>, <desc>, role="img") and tells its series apart by
 * shape or hatching as well as colour; a page prints the numbers beside it
 * in a table, so nothing is shown by colour alone. */
#ifndef QA_CHART_H
#define QA_CHART_H

#include <stddef.h>
#include <stdio.h>

enum chart_kind {
	CHART_LINES,   /* one line per series across the labels */
	CHART_BARS,    /* the series' bars side by side at each label */
	CHART_STACKED, /* the series stacked at each label, first at the foot */
	CHART_HBARS,   /* one horizontal bar per label (first series) */
};

struct chart_series {
	const char *name;
	const double *values; /* one per label; NAN: no value */
};

struct chart {
	const char *id;    /* unique in the page: ids of the title and desc */
	const char *title; /* what the chart shows */
	const char *desc;  /* one sentence: the figures that matter */
	enum chart_kind kind;
	const char *const *labels; /* the categories along the axis */
	size_t n_labels;
	const struct chart_series *series;
	size_t n_series;
	double max;       /* the value axis' top; 0: from the values */
	const char *unit; /* after a value ("%"), or "" */
};

/* Write c as an <svg> element. */
void chart_svg(FILE *out, const struct chart *c);

#endif
