#include "subscribe_page.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <libical/ical.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "html.h"

/* Items listed: enough to recognise the calendar. */
#define NEXT_ITEMS 5

struct item {
	struct icaltimetype start;
	const char *summary; /* into the parsed feed */
};

/* By start, then by what they are: the same order every time. */
static int cmp_items(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int by_start = icaltime_compare(x->start, y->start);
	return by_start ? by_start : strcmp(x->summary, y->summary);
}

/* The feed's next items from today: read back from the feed itself with
 * libical, so the page lists exactly what a calendar will show. */
static size_t next_items(icalcomponent *cal, qa_day today, struct item *out,
			 size_t max)
{
	int y, m, d;
	qa_day_to_ymd(today, &y, &m, &d);
	struct icaltimetype from = icaltime_null_date();
	from.year = y, from.month = m, from.day = d;
	struct item *all = NULL;
	size_t n = 0, cap = 0;
	for (icalcomponent *e = icalcomponent_get_first_component(
		     cal, ICAL_VEVENT_COMPONENT);
	     e;
	     e = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		struct icaltimetype start = icalcomponent_get_dtstart(e);
		if (icaltime_is_null_time(start) ||
		    icaltime_compare_date_only(start, from) < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			struct item *grown = realloc(all, cap * sizeof(*grown));
			if (!grown)
				break;
			all = grown;
		}
		const char *summary = icalcomponent_get_summary(e);
		all[n++] = (struct item){start, summary ? summary : ""};
	}
	if (n)
		qsort(all, n, sizeof(*all), cmp_items);
	size_t kept = n < max ? n : max;
	if (kept)
		memcpy(out, all, kept * sizeof(*out));
	free(all);
	return kept;
}

static void item_when(FILE *out, struct icaltimetype t)
{
	static const char *const days[] = {"Sunday",    "Monday",   "Tuesday",
					   "Wednesday", "Thursday", "Friday",
					   "Saturday"};
	int weekday = icaltime_day_of_week(t) - 1; /* 1 is Sunday */
	fprintf(out, "<time datetime=\"%04d-%02d-%02d\">%s %d %s %d", t.year,
		t.month, t.day, days[weekday < 0 ? 0 : weekday % 7], t.day,
		date_month_name(t.month), t.year);
	if (!t.is_date)
		fprintf(out, ", %02d:%02d", t.hour, t.minute);
	fputs("</time>", out);
}

/* An iCalendar TEXT value as it reads: "\\," is ",", "\\n" a space. A new
 * string, or NULL. */
static char *text_value(const char *v)
{
	char *out = v ? malloc(strlen(v) + 1) : NULL;
	char *o = out;
	for (; out && *v; v++) {
		if (*v == '\\' && v[1]) {
			v++;
			*o++ = *v == 'n' || *v == 'N' ? ' ' : *v;
		} else {
			*o++ = *v;
		}
	}
	if (o)
		*o = '\0';
	return out;
}

static void url_text(FILE *out, const char *scheme, const char *rest,
		     const char *token)
{
	fprintf(out, "%s", scheme);
	html_text(out, rest);
	fprintf(out, "/feeds/%s.ics", token);
}

/* A link out, the URL encoded as a query parameter's value. */
static void link_with(FILE *out, const char *prefix, const char *url,
		      const char *name_param, const char *name)
{
	char *encoded = evhttp_encode_uri(url);
	char *encoded_name = name ? evhttp_encode_uri(name) : NULL;
	fputs("<a class=\"button\" href=\"", out);
	html_text(out, prefix);
	html_text(out, encoded ? encoded : "");
	if (encoded_name) {
		html_text(out, name_param);
		html_text(out, encoded_name);
	}
	fputs("\">", out);
	free(encoded);
	free(encoded_name);
}

static const char page_style[] =
	".items{padding-left:1.2rem}"
	".client{border:1px solid #c8c8c8;border-radius:4px;padding:.6rem "
	".9rem;margin:.7rem 0}"
	".client h3{margin:.1rem 0 .4rem}.client p{margin:.3rem 0}"
	"a.button{display:inline-block;background:#08519c;color:#fff;"
	"padding:.5rem 1rem;border-radius:4px;text-decoration:none;"
	"font-weight:600}"
	"a.button:focus-visible,input:focus-visible{outline:3px solid #b35806;"
	"outline-offset:2px}"
	"input{font:inherit;width:100%;box-sizing:border-box;padding:.4rem}"
	"label{font-weight:600}";

static void render(FILE *out, const char *name, const struct item *items,
		   size_t n, const char *base_url, const char *token)
{
	char title[256];
	snprintf(title, sizeof(title), "Subscribe to %s", name);
	html_page_start(out, title, page_style);
	/* The https URL, and its webcal:// twin (what the base URL's scheme
	 * is replaced by). */
	const char *rest = strstr(base_url, "://");
	rest = rest ? rest + 3 : base_url;
	char https[512], webcal[512];
	snprintf(https, sizeof(https), "%s/feeds/%s.ics", base_url, token);
	snprintf(webcal, sizeof(webcal), "webcal://%s/feeds/%s.ics", rest,
		 token);
	fputs("<header><h1>", out);
	html_text(out, title);
	fputs("</h1><p>Every supervision, audit, practice week and board that "
	      "concerns you, kept up to date: subscribe once and your "
	      "calendar follows the schedule. This address is yours alone; "
	      "do not share it.</p></header><main><section "
	      "aria-labelledby=\"next-h\"><h2 id=\"next-h\">Next in this "
	      "calendar</h2>",
	      out);
	if (!n)
		fputs("<p>Nothing is coming up.</p>", out);
	else
		fputs("<ol class=\"items\">", out);
	for (size_t i = 0; i < n; i++) {
		fputs("<li>", out);
		item_when(out, items[i].start);
		fputs(": ", out);
		html_text(out, items[i].summary);
		fputs("</li>", out);
	}
	if (n)
		fputs("</ol>", out);
	fputs("</section><section aria-labelledby=\"sub-h\"><h2 "
	      "id=\"sub-h\">Subscribe</h2>",
	      out);
	fputs("<div class=\"client\"><h3>Apple Calendar, Thunderbird, Outlook "
	      "on Windows or Mac</h3><p><a class=\"button\" href=\"",
	      out);
	url_text(out, "webcal://", rest, token);
	fputs("\">Subscribe</a></p><p>Your calendar asks to subscribe; it "
	      "checks for changes about every hour (Outlook: every few "
	      "hours).</p></div>",
	      out);
	fputs("<div class=\"client\"><h3>Google Calendar</h3><p>", out);
	link_with(out,
		  "https://calendar.google.com/calendar/render?cid=", webcal,
		  NULL, NULL);
	fputs("Add to Google Calendar</a></p><p>Google fetches subscribed "
	      "calendars itself, every 12 to 24 hours: a change shows the "
	      "next day.</p></div>",
	      out);
	fputs("<div class=\"client\"><h3>Outlook on the web (Microsoft "
	      "365)</h3><p>",
	      out);
	link_with(out, "https://outlook.office.com/calendar/0/addfromweb?url=",
		  https, "&name=", name);
	fputs("Add to Outlook</a></p><p>Outlook on the web refreshes "
	      "subscribed calendars every few hours.</p></div>",
	      out);
	fputs("<div class=\"client\"><h3>Any other calendar</h3><p><label "
	      "for=\"feed-url\">The calendar's address, to copy</label></p><p>"
	      "<input id=\"feed-url\" readonly value=\"",
	      out);
	html_text(out, https);
	fputs("\"></p><p>Paste it where your calendar adds a calendar \"from "
	      "the internet\" or \"by URL\".</p></div></section></main></body>"
	      "</html>\n",
	      out);
}

void subscribe_page_send(struct evhttp_request *req, struct app *app,
			 const struct feed_body *body, const char *token)
{
	char *html = NULL, *name = NULL, *base_url = NULL;
	size_t len = 0;
	struct item items[NEXT_ITEMS];
	/* The feed's own bytes, NUL-terminated for the parser. */
	char *text = malloc(body->len + 1);
	icalcomponent *cal = NULL;
	FILE *out = NULL;
	if (!text)
		goto fail;
	memcpy(text, body->bytes, body->len);
	text[body->len] = '\0';
	if (!(cal = icalparser_parse_string(text)))
		goto fail;
	icalproperty *p =
		icalcomponent_get_first_property(cal, ICAL_X_PROPERTY);
	for (; p && !name;
	     p = icalcomponent_get_next_property(cal, ICAL_X_PROPERTY))
		if (strcmp(icalproperty_get_x_name(p), "X-WR-CALNAME") == 0)
			name = text_value(icalproperty_get_x(p));
	pthread_rwlock_rdlock(&app->conf_lock);
	base_url = strdup(app->eng.cfg.base_url);
	qa_day today = app_today(app);
	pthread_rwlock_unlock(&app->conf_lock);
	if (!name || !base_url || !(out = open_memstream(&html, &len)))
		goto fail;
	size_t n = next_items(cal, today, items, NEXT_ITEMS);
	render(out, name, items, n, base_url, token);
	if (fclose(out) != 0) {
		out = NULL;
		goto fail;
	}
	out = NULL;
	http_send_page(req, HTTP_OK, "OK", html, len);
	goto out;
fail:
	http_send_text(req, HTTP_INTERNAL, "Internal Server Error",
		       "internal error\n");
out:
	if (out)
		fclose(out);
	if (cal)
		icalcomponent_free(cal);
	free(text);
	free(html);
	free(name);
	free(base_url);
}
