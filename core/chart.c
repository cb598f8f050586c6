#include "chart.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "html.h"

/* The drawing's own units; the page scales it to its width. */
enum {
	WIDTH = 640,
	HEIGHT = 260,
	TOP = 34,    /* the legend above the plot */
	BOTTOM = 28, /* the labels below it */
	LEFT = 44,   /* the value axis' labels */
	RIGHT = 12,
	CHAR_WIDTH = 7 /* near enough, at font-size 12 */
};

/* Colours that each keep 3:1 against white (WCAG 1.4.11) and differ for
 * the common colour blindnesses: blue, orange, green, purple, red, grey. */
static const char *const colours[] = {"#08519c", "#b35806", "#1b7837",
				      "#6a3d9a", "#b2182b", "#525252"};
#define N_COLOURS (sizeof(colours) / sizeof(colours[0]))

static const char *colour(size_t series)
{
	return colours[series % N_COLOURS];
}

/* A value as text: whole numbers without a point. */
static void value_text(FILE *out, double v, const char *unit)
{
	if (v == floor(v))
		fprintf(out, "%.0f%s", v, unit);
	else
		fprintf(out, "%.1f%s", v, unit);
}

/* The smallest of 1, 2 or 5 times a power of ten that splits max into at
 * most five steps; at least 1 when the values are counts (no max given):
 * there is no half an audit. */
static double nice_step(const struct chart *c, double max)
{
	double raw = max / 5, power = pow(10, floor(log10(raw)));
	if (c->max <= 0 && power < 1)
		power = 1;
	for (int i = 0; i < 3; i++) {
		static const double f[] = {1, 2, 5};
		if (f[i] * power >= raw)
			return f[i] * power;
	}
	return 10 * power;
}

/* The value axis' top: c->max, or the largest value (or stack) rounded up
 * to a whole step; 1 when everything is 0 or absent. */
static double axis_top(const struct chart *c)
{
	if (c->max > 0)
		return c->max;
	double top = 0;
	for (size_t l = 0; l < c->n_labels; l++) {
		double stack = 0;
		for (size_t s = 0; s < c->n_series; s++) {
			double v = c->series[s].values[l];
			if (isnan(v))
				continue;
			stack = c->kind == CHART_STACKED ? stack + v : v;
			if (stack > top)
				top = stack;
		}
	}
	if (top <= 0)
		return 1;
	double step = nice_step(c, top);
	return ceil(top / step) * step;
}

/* Diagonal hatching over the colour of every second series, so stacked
 * and side-by-side bars differ by more than colour. */
static void patterns(FILE *out, const struct chart *c)
{
	fputs("<defs>", out);
	for (size_t s = 1; s < c->n_series; s += 2)
		fprintf(out,
			"<pattern id=\"%s-p%zu\" width=\"6\" height=\"6\" "
			"patternUnits=\"userSpaceOnUse\" "
			"patternTransform=\"rotate(45)\"><rect width=\"6\" "
			"height=\"6\" fill=\"%s\"/><line x1=\"0\" y1=\"0\" "
			"x2=\"0\" y2=\"6\" stroke=\"#fff\" "
			"stroke-width=\"2\"/></pattern>",
			c->id, s, colour(s));
	fputs("</defs>", out);
}

static void fill_of(FILE *out, const struct chart *c, size_t s)
{
	if (s % 2 && c->kind != CHART_LINES)
		fprintf(out, "url(#%s-p%zu)", c->id, s);
	else
		fputs(colour(s), out);
}

/* A line chart's mark for series s at (x, y): circle, square, diamond or
 * triangle in turn. */
static void marker(FILE *out, size_t s, double x, double y)
{
	const char *col = colour(s);
	switch (s % 4) {
	case 0:
		fprintf(out,
			"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
			"fill=\"%s\"/>",
			x, y, col);
		break;
	case 1:
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" "
			"height=\"7\" fill=\"%s\"/>",
			x - 3.5, y - 3.5, col);
		break;
	case 2:
		fprintf(out,
			"<path d=\"M%.1f %.1fl4 4-4 4-4-4z\" fill=\"%s\"/>", x,
			y - 4, col);
		break;
	default:
		fprintf(out, "<path d=\"M%.1f %.1fl4.5 8h-9z\" fill=\"%s\"/>",
			x, y - 4.5, col);
	}
}

/* The series' names above the plot, each after its mark. */
static void legend(FILE *out, const struct chart *c)
{
	double x = LEFT;
	for (size_t s = 0; s < c->n_series && c->kind != CHART_HBARS; s++) {
		if (c->kind == CHART_LINES) {
			marker(out, s, x + 5, 14);
		} else {
			fprintf(out,
				"<rect x=\"%.1f\" y=\"8\" width=\"12\" "
				"height=\"12\" fill=\"",
				x);
			fill_of(out, c, s);
			fputs("\"/>", out);
		}
		fprintf(out, "<text x=\"%.1f\" y=\"18\">", x + 16);
		html_text(out, c->series[s].name);
		fputs("</text>", out);
		x += 16 + CHAR_WIDTH * (double)strlen(c->series[s].name) + 18;
	}
}

/* Grid lines and labels of the value axis, from 0 to top, along y
 * (vertical charts) or x (horizontal ones, from left). */
static void value_axis(FILE *out, const struct chart *c, double top,
		       double left)
{
	double step = nice_step(c, c->max > 0 ? c->max : top);
	for (double v = 0; v <= top + step / 1000; v += step) {
		if (c->kind == CHART_HBARS) {
			double x = left + (WIDTH - RIGHT - left) * v / top;
			fprintf(out,
				"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
				"y2=\"%d\" class=\"grid\"/><text x=\"%.1f\" "
				"y=\"%d\" text-anchor=\"middle\">",
				x, TOP, x, HEIGHT - BOTTOM, x,
				HEIGHT - BOTTOM + 16);
		} else {
			double y = HEIGHT - BOTTOM -
				   (HEIGHT - BOTTOM - TOP) * v / top;
			fprintf(out,
				"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
				"y2=\"%.1f\" class=\"grid\"/><text x=\"%d\" "
				"y=\"%.1f\" text-anchor=\"end\">",
				LEFT, y, WIDTH - RIGHT, y, LEFT - 6, y + 4);
		}
		value_text(out, v, c->unit);
		fputs("</text>", out);
	}
}

/* The labels along the foot, as many as fit. */
static void label_axis(FILE *out, const struct chart *c, double band)
{
	size_t every = 1;
	size_t widest = 1;
	for (size_t l = 0; l < c->n_labels; l++)
		if (strlen(c->labels[l]) > widest)
			widest = strlen(c->labels[l]);
	while (band * (double)every < CHAR_WIDTH * (double)widest + 4)
		every++;
	for (size_t l = 0; l < c->n_labels; l += every) {
		fprintf(out,
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
			LEFT + band * ((double)l + 0.5), HEIGHT - BOTTOM + 16);
		html_text(out, c->labels[l]);
		fputs("</text>", out);
	}
}

/* A hover title on a mark: "label, series: value". */
static void mark_title(FILE *out, const struct chart *c, size_t l, size_t s,
		       double v)
{
	fputs("<title>", out);
	html_text(out, c->labels[l]);
	if (c->n_series > 1) {
		fputs(", ", out);
		html_text(out, c->series[s].name);
	}
	fputs(": ", out);
	value_text(out, v, c->unit);
	fputs("</title>", out);
}

static void lines(FILE *out, const struct chart *c, double top, double band)
{
	double h = HEIGHT - BOTTOM - TOP;
	for (size_t s = 0; s < c->n_series; s++) {
		const double *v = c->series[s].values;
		/* A gap where a value is absent. */
		bool open = false;
		for (size_t l = 0; l < c->n_labels; l++) {
			if (isnan(v[l])) {
				if (open)
					fputs("\"/>", out);
				open = false;
				continue;
			}
			double x = LEFT + band * ((double)l + 0.5);
			double y = HEIGHT - BOTTOM - h * v[l] / top;
			if (!open)
				fprintf(out,
					"<polyline fill=\"none\" "
					"stroke=\"%s\" stroke-width=\"2\" "
					"points=\"",
					colour(s));
			fprintf(out, "%s%.1f,%.1f", open ? " " : "", x, y);
			open = true;
		}
		if (open)
			fputs("\"/>", out);
		for (size_t l = 0; l < c->n_labels; l++) {
			if (isnan(v[l]))
				continue;
			double x = LEFT + band * ((double)l + 0.5);
			double y = HEIGHT - BOTTOM - h * v[l] / top;
			fputs("<g>", out);
			marker(out, s, x, y);
			mark_title(out, c, l, s, v[l]);
			fputs("</g>", out);
		}
	}
}

static void bars(FILE *out, const struct chart *c, double top, double band)
{
	double h = HEIGHT - BOTTOM - TOP;
	bool stacked = c->kind == CHART_STACKED;
	double width = band * 0.8 / (stacked ? 1 : (double)c->n_series);
	for (size_t l = 0; l < c->n_labels; l++) {
		double base = 0;
		for (size_t s = 0; s < c->n_series; s++) {
			double v = c->series[s].values[l];
			if (isnan(v) || v <= 0)
				continue;
			double x = LEFT + band * (double)l + band * 0.1 +
				   (stacked ? 0 : width * (double)s);
			double y = HEIGHT - BOTTOM - h * (base + v) / top;
			fprintf(out,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" fill=\"",
				x, y, width, h * v / top);
			fill_of(out, c, s);
			fputs("\">", out);
			mark_title(out, c, l, s, v);
			fputs("</rect>", out);
			if (stacked)
				base += v;
		}
	}
}

/* Horizontal bars, the labels on the left, each value at its bar's end. */
static void hbars(FILE *out, const struct chart *c, double top, double left)
{
	double band = (double)(HEIGHT - BOTTOM - TOP) / (double)c->n_labels;
	const double *v = c->n_series ? c->series[0].values : NULL;
	for (size_t l = 0; l < c->n_labels; l++) {
		double y = TOP + band * (double)l;
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
			left - 6, y + band / 2 + 4);
		html_text(out, c->labels[l]);
		fputs("</text>", out);
		if (!v || isnan(v[l]))
			continue;
		double w = (WIDTH - RIGHT - left) * v[l] / top;
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\" fill=\"%s\">",
			left, y + band * 0.15, w, band * 0.7, colour(0));
		mark_title(out, c, l, 0, v[l]);
		fprintf(out, "</rect><text x=\"%.1f\" y=\"%.1f\">",
			left + w + 4, y + band / 2 + 4);
		value_text(out, v[l], c->unit);
		fputs("</text>", out);
	}
}

void chart_svg(FILE *out, const struct chart *c)
{
	double top = axis_top(c);
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
		"viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-labelledby=\"%s-t %s-d\"><title id=\"%s-t\">",
		WIDTH, HEIGHT, c->id, c->id, c->id);
	html_text(out, c->title);
	fprintf(out, "</title><desc id=\"%s-d\">", c->id);
	html_text(out, c->desc);
	fputs("</desc>", out);
	patterns(out, c);
	legend(out, c);
	if (c->kind == CHART_HBARS) {
		size_t widest = 0;
		for (size_t l = 0; l < c->n_labels; l++)
			if (strlen(c->labels[l]) > widest)
				widest = strlen(c->labels[l]);
		double left = 12 + CHAR_WIDTH * (double)widest;
		if (left > WIDTH / 2)
			left = WIDTH / 2;
		value_axis(out, c, top, left);
		if (c->n_labels)
			hbars(out, c, top, left);
	} else {
		value_axis(out, c, top, 0);
		double band = c->n_labels ? (double)(WIDTH - RIGHT - LEFT) /
						    (double)c->n_labels
					  : 1;
		label_axis(out, c, band);
		if (c->kind == CHART_LINES)
			lines(out, c, top, band);
		else
			bars(out, c, top, band);
	}
	fprintf(out,
		"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		"class=\"axis\"/></svg>",
		LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
}
