#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <libical/ical.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config_scan.h"
#include "log.h"

/* Install locations; CMake may override them to follow the prefix. */
#ifndef QA_DEFAULT_PLUGIN_DIR
#define QA_DEFAULT_PLUGIN_DIR "/usr/lib/qa-scheduler/plugins"
#endif
#ifndef QA_DEFAULT_DB_PATH
#define QA_DEFAULT_DB_PATH "/var/lib/qa-scheduler/qa-scheduler.db"
#endif
#ifndef QA_DEFAULT_HOLIDAYS
#define QA_DEFAULT_HOLIDAYS                  \
	"/usr/share/qa-scheduler/calendars/" \
	"england-and-wales-bank-holidays.ics"
#endif

#define ACTIVITY_PREFIX "activity."

enum core_section {
	SECTION_SERVER,
	SECTION_DATABASE,
	SECTION_PLUGINS,
	SECTION_CALENDARS,
	SECTION_REMINDERS,
	N_CORE_SECTIONS
};

static const char *const core_section_names[N_CORE_SECTIONS] = {
	"server", "database", "plugins", "calendars", "reminders",
};

enum key_kind {
	KEY_LISTEN,    /* host:port, [v6]:port */
	KEY_HTTP_URL,  /* http:// or https://, trailing '/' dropped */
	KEY_SMTP_URL,  /* smtp:// or smtps:// */
	KEY_DURATION,  /* int seconds within [min, max] */
	KEY_BYTES,     /* int within [min, max] */
	KEY_COUNT,     /* "auto" (0) or an int within [min, max] */
	KEY_PATH,      /* resolved against the file's directory */
	KEY_IDS,       /* list of activity ids; sets enable_set */
	KEY_TIMEZONE,  /* an Olson name libical knows */
	KEY_PATHS,     /* list of paths, each resolved */
	KEY_EMAIL,     /* a bare address */
	KEY_TEXT,      /* anything */
	KEY_WINDOW,    /* HH:MM-HH:MM; fills send_window_start/end */
	KEY_ADDRESSES, /* list of IPv4 or IPv6 addresses */
	KEY_HEADER,    /* an HTTP header's name */
	KEY_MODE,      /* digest (1) or each (0), an int field */
	KEY_CLOCK,     /* HH:MM, an int field of minutes after midnight */
	KEY_WEEKDAY,   /* monday..sunday, an int field 1..7 */
};

/* The core keys as a table, in the manner of Fluent Bit's config maps: the
 * defaults go through the same code as the file, so a default can never be
 * a value the parser would refuse, and the "known keys" hints come from
 * here. */
struct core_key {
	enum core_section section;
	const char *name;
	enum key_kind kind;
	size_t offset;             /* of the field in struct config */
	long min, max;             /* KEY_DURATION, KEY_BYTES */
	bool optional;             /* an empty value means unset (NULL) */
	const char *default_value; /* NULL: unset */
	const char *help;          /* one sentence, for qa-scheduler.conf(5) */
};

#define FIELD(name) offsetof(struct config, name)

static const struct core_key core_keys[] = {
	{SECTION_SERVER, "listen", KEY_LISTEN, FIELD(listen), 0, 0, false,
	 "127.0.0.1:8080",
	 "Address and port the daemon listens on (host:port, [IPv6]:port); "
	 "port 0 picks a free one."},
	{SECTION_SERVER, "base_url", KEY_HTTP_URL, FIELD(base_url), 0, 0, false,
	 "http://127.0.0.1:8080",
	 "The address people reach the daemon at, for the URLs it prints and "
	 "emails."},
	/* Below 5m a feed only costs more requests: Google and Outlook poll
	 * every few hours whatever we say. Above a week, a changed date would
	 * reach subscribers too late to matter. */
	{SECTION_SERVER, "feed_refresh", KEY_DURATION, FIELD(feed_refresh),
	 5 * 60, 7 * 86400, false, "1h",
	 "How often calendar clients are asked to fetch a feed again "
	 "(REFRESH-INTERVAL)."},
	/* Long enough for a slow client, short enough that idle or half-sent
	 * connections cannot pile up (SPEC 12: evhttp never closes them). */
	{SECTION_SERVER, "request_timeout", KEY_DURATION,
	 FIELD(request_timeout), 1, 10 * 60, false, "30s",
	 "How long a connection may stay idle or half-sent before it is "
	 "closed."},
	{SECTION_SERVER, "max_header_size", KEY_BYTES, FIELD(max_header_size),
	 1024, 1024 * 1024, false, "8192",
	 "The largest request header block accepted, in bytes."},
	{SECTION_SERVER, "max_body_size", KEY_BYTES, FIELD(max_body_size), 1024,
	 16 * 1024 * 1024, false, "65536",
	 "The largest request body accepted (the manager's forms, the API), in "
	 "bytes."},
	/* Rendered feeds kept in memory; a miss costs a render of well under
	 * a millisecond, so this bounds memory, not speed. */
	{SECTION_SERVER, "feed_cache_size", KEY_BYTES, FIELD(feed_cache_size),
	 1024 * 1024, 1024L * 1024 * 1024, false, "8388608",
	 "Bytes of rendered feeds kept in memory."},
	/* One event loop per core serves feeds; more than a few dozen only
	 * costs memory (a database connection each). */
	{SECTION_SERVER, "threads", KEY_COUNT, FIELD(http_threads), 1, 64,
	 false, "auto",
	 "Event loops serving HTTP: auto (one per core) or a number."},
	{SECTION_SERVER, "trusted_proxies", KEY_ADDRESSES,
	 FIELD(trusted_proxies), 0, 0, true, NULL,
	 "Addresses of the reverse proxies whose auth_header is believed, for "
	 "sign-on at /manager."},
	{SECTION_SERVER, "auth_header", KEY_HEADER, FIELD(auth_header), 0, 0,
	 true, NULL,
	 "The header a trusted proxy sets to the signed-on manager's email "
	 "address."},
	{SECTION_DATABASE, "path", KEY_PATH, FIELD(db_path), 0, 0, false,
	 QA_DEFAULT_DB_PATH, "The SQLite database."},
	{SECTION_PLUGINS, "dir", KEY_PATH, FIELD(plugins_dir), 0, 0, false,
	 QA_DEFAULT_PLUGIN_DIR, "The folder of activity plugins (qa_<id>.so)."},
	{SECTION_PLUGINS, "enable", KEY_IDS, FIELD(enable), 0, 0, false, NULL,
	 "The activities to load; absent: every plugin in dir."},
	{SECTION_CALENDARS, "timezone", KEY_TIMEZONE, FIELD(timezone), 0, 0,
	 false, "Europe/London",
	 "The organisation's time zone (an Olson name)."},
	{SECTION_CALENDARS, "holidays", KEY_PATHS, FIELD(holidays), 0, 0, false,
	 QA_DEFAULT_HOLIDAYS,
	 "Bank holiday calendars (.ics files), comma-separated; a working day "
	 "is Monday to Friday and in none of them."},
	{SECTION_REMINDERS, "smtp_url", KEY_SMTP_URL, FIELD(smtp_url), 0, 0,
	 true, NULL,
	 "The mail server for reminders and digests: smtp:// or smtps://; "
	 "unset: no email."},
	{SECTION_REMINDERS, "from", KEY_EMAIL, FIELD(smtp_from), 0, 0, true,
	 NULL, "The From address of reminders and digests."},
	{SECTION_REMINDERS, "username", KEY_TEXT, FIELD(smtp_user), 0, 0, true,
	 NULL, "Login for the mail server, if it wants one."},
	{SECTION_REMINDERS, "password", KEY_TEXT, FIELD(smtp_password), 0, 0,
	 true, NULL, "Password for the mail server."},
	{SECTION_REMINDERS, "webhook_url", KEY_HTTP_URL, FIELD(webhook_url), 0,
	 0, true, NULL,
	 "A URL that receives each reminder and digest as a JSON POST; unset: "
	 "none."},
	{SECTION_REMINDERS, "send_window", KEY_WINDOW, FIELD(send_window), 0, 0,
	 true, NULL,
	 "Only send between these local times on working days, HH:MM-HH:MM; "
	 "unset: at once."},
	/* Issue 10: one digest a working day per person and a weekly one
	 * per manager, rather than a message per item. */
	{SECTION_REMINDERS, "mode", KEY_MODE, FIELD(digest), 0, 0, false,
	 "digest",
	 "digest: one message a working day per person and a weekly one per "
	 "manager, urgent items at once; each: one message per item."},
	{SECTION_REMINDERS, "digest_time", KEY_CLOCK, FIELD(digest_minute), 0,
	 0, false, "08:30", "Local time of the day's digests, HH:MM."},
	{SECTION_REMINDERS, "weekly_day", KEY_WEEKDAY, FIELD(weekly_day), 0, 0,
	 false, "monday",
	 "The day of the managers' weekly digest, monday to sunday."},
};

#define N_CORE_KEYS (sizeof(core_keys) / sizeof(core_keys[0]))

/* What each kind of value looks like, for qa-scheduler.conf(5). */
static const char *const kind_words[] = {
	[KEY_LISTEN] = "host:port",   [KEY_HTTP_URL] = "URL",
	[KEY_SMTP_URL] = "URL",       [KEY_DURATION] = "duration",
	[KEY_BYTES] = "bytes",        [KEY_COUNT] = "auto or number",
	[KEY_PATH] = "path",          [KEY_IDS] = "activity ids",
	[KEY_TIMEZONE] = "time zone", [KEY_PATHS] = "paths",
	[KEY_EMAIL] = "address",      [KEY_TEXT] = "text",
	[KEY_WINDOW] = "HH:MM-HH:MM", [KEY_ADDRESSES] = "addresses",
	[KEY_HEADER] = "header name", [KEY_MODE] = "digest or each",
	[KEY_CLOCK] = "HH:MM",        [KEY_WEEKDAY] = "weekday",
};

void config_describe(void (*cb)(const struct config_key_info *key, void *arg),
		     void *arg)
{
	for (size_t i = 0; i < N_CORE_KEYS; i++) {
		const struct core_key *k = &core_keys[i];
		struct config_key_info info = {
			.section = core_section_names[k->section],
			.name = k->name,
			.type = kind_words[k->kind],
			.default_value = k->default_value,
			.help = k->help,
		};
		cb(&info, arg);
	}
}

enum section_kind {
	IN_CORE,     /* one of core_section_names */
	IN_ACTIVITY, /* [activity.<id>] */
	IN_SKIPPED,  /* a header already reported: its keys would only
			cascade into more errors */
};

struct parser {
	struct config *cfg;
	struct errlist *errs;
	const char *dir; /* holding the file, for relative paths */
	int line;        /* the line being read */
	bool failed;

	enum section_kind kind;
	enum core_section core;
	size_t activity;
	int section_line[N_CORE_SECTIONS]; /* 0: not seen */
	int key_line[N_CORE_KEYS];
};

static void parse_error(struct parser *p, const char *fmt, ...) QA_PRINTF(2, 3);

/* Every problem goes through here, so each reads "PATH:LINE: ...". */
static void parse_error(struct parser *p, const char *fmt, ...)
{
	char message[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	errlist_add(p->errs, "%s:%d: %s", p->cfg->path, p->line, message);
	p->failed = true;
}

/* ---- values ---- */

/* ---- core keys ---- */

static int check_listen(const char *value)
{
	const char *port;
	if (value[0] == '[') {
		const char *close = strchr(value, ']');
		char host[INET6_ADDRSTRLEN];
		struct in6_addr addr;
		if (!close || close[1] != ':')
			return -1;
		size_t len = (size_t)(close - value - 1);
		if (len == 0 || len >= sizeof(host))
			return -1;
		memcpy(host, value + 1, len);
		host[len] = '\0';
		if (inet_pton(AF_INET6, host, &addr) != 1)
			return -1;
		port = close + 2;
	} else {
		/* An IPv4 address or a host name; a bare IPv6 address would
		 * be ambiguous with the port, hence the brackets. */
		const char *colon = strchr(value, ':');
		if (!colon || colon == value)
			return -1;
		for (const char *c = value; c < colon; c++)
			if (!isalnum((unsigned char)*c) && *c != '.' &&
			    *c != '-')
				return -1;
		port = colon + 1;
	}
	long number;
	size_t len = strlen(port);
	return len <= 5 && config_parse_digits(port, len, 65535, &number) == 0
		       ? 0
		       : -1;
}

/* scheme://something, with nothing a URL may not hold unescaped. */
static int check_url(const char *value, const char *const schemes[],
		     size_t n_schemes)
{
	const char *rest = NULL;
	for (size_t i = 0; i < n_schemes && !rest; i++)
		if (strncasecmp(value, schemes[i], strlen(schemes[i])) == 0)
			rest = value + strlen(schemes[i]);
	if (!rest || !*rest || *rest == '/')
		return -1;
	for (const char *c = value; *c; c++)
		if (!isgraph((unsigned char)*c) || *c == '"' || *c == '<' ||
		    *c == '>')
			return -1;
	return 0;
}

/* A bare address, as SMTP's MAIL FROM wants it: no display name. */
static int check_email(const char *value)
{
	const char *at = strchr(value, '@');
	if (!at || at == value || !at[1] || strchr(at + 1, '@') ||
	    at[1] == '.' || value[strlen(value) - 1] == '.')
		return -1;
	for (const char *c = value; *c; c++)
		if (!isgraph((unsigned char)*c) || strchr("<>()[]\\,;:\"", *c))
			return -1;
	return 0;
}

static int check_timezone(const char *value)
{
	icaltimezone *zone = icaltimezone_get_builtin_timezone(value);
	/* The lookup sets icalerrno even when it succeeds. */
	icalerror_clear_errno();
	return zone ? 0 : -1;
}

/* "08:00-18:00"; a window across midnight is not supported. */
static int parse_window(const char *value, int *start, int *end)
{
	char first[6];
	if (strlen(value) != 11 || value[5] != '-')
		return -1;
	memcpy(first, value, 5);
	first[5] = '\0';
	if (config_parse_time(first, start) ||
	    config_parse_time(value + 6, end) || *start >= *end)
		return -1;
	return 0;
}

static char *resolve_path(const char *dir, const char *value)
{
	char *path = NULL;
	if (value[0] == '/' || !dir)
		return strdup(value);
	/* A file in / has dir "/": no "//data". */
	bool root = strcmp(dir, "/") == 0;
	if (asprintf(&path, "%s%s%s", root ? "" : dir, "/", value) < 0)
		return NULL;
	return path;
}

static void replace_string(char **field, char *value)
{
	free(*field);
	*field = value;
}

static void replace_list(struct config_list *field, struct config_list *value)
{
	config_list_done(field);
	*field = *value;
	*value = (struct config_list){0};
}

static int apply_string_key(struct config *cfg, const char *dir,
			    const struct core_key *key, const char *value,
			    char *why, size_t why_size)
{
	static const char *const http_schemes[] = {"http://", "https://"};
	static const char *const smtp_schemes[] = {"smtp://", "smtps://"};
	char **field = (char **)((char *)cfg + key->offset);
	char *copy = NULL;
	int start = -1, end = -1;

	switch (key->kind) {
	case KEY_LISTEN:
		if (check_listen(value)) {
			config_set_why(
				why, why_size,
				"expected host:port or [IPv6]:port with a "
				"port from 0 to 65535, such as 127.0.0.1:8080");
			return -1;
		}
		copy = strdup(value);
		break;
	case KEY_HTTP_URL:
		if (check_url(value, http_schemes, 2)) {
			config_set_why(
				why, why_size,
				"expected a URL starting with http:// or "
				"https://, such as https://qa.example.org");
			return -1;
		}
		copy = strdup(value);
		/* Routes are appended as "/feeds/...": a trailing '/' would
		 * double it. check_url() guarantees a host survives. */
		if (copy)
			for (size_t len = strlen(copy); copy[len - 1] == '/';)
				copy[--len] = '\0';
		break;
	case KEY_SMTP_URL:
		if (check_url(value, smtp_schemes, 2)) {
			config_set_why(
				why, why_size,
				"expected a URL starting with smtp:// or "
				"smtps://, such as smtp://localhost:25");
			return -1;
		}
		copy = strdup(value);
		break;
	case KEY_PATH:
		if (!*value) {
			config_set_why(why, why_size, "expected a path");
			return -1;
		}
		copy = resolve_path(dir, value);
		break;
	case KEY_TIMEZONE:
		if (!*value || check_timezone(value)) {
			config_set_why(
				why, why_size,
				"expected a time zone name such as "
				"Europe/London (see /usr/share/zoneinfo)");
			return -1;
		}
		copy = strdup(value);
		break;
	case KEY_EMAIL:
		if (check_email(value)) {
			config_set_why(why, why_size,
				       "expected an email address such as "
				       "qa@example.org");
			return -1;
		}
		copy = strdup(value);
		break;
	case KEY_TEXT:
		copy = strdup(value);
		break;
	case KEY_HEADER:
		if (!*value ||
		    strspn(value,
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
			   "klmnopqrstuvwxyz0123456789-") != strlen(value)) {
			config_set_why(why, why_size,
				       "expected a header name such as "
				       "X-Forwarded-Email");
			return -1;
		}
		copy = strdup(value);
		break;
	case KEY_WINDOW:
		if (parse_window(value, &start, &end)) {
			config_set_why(
				why, why_size,
				"expected HH:MM-HH:MM with the start before "
				"the "
				"end, such as 08:00-18:00");
			return -1;
		}
		copy = strdup(value);
		if (copy) {
			cfg->send_window_start = start;
			cfg->send_window_end = end;
		}
		break;
	default:
		config_set_why(why, why_size,
			       "internal error: not a string key");
		return -1;
	}
	if (!copy) {
		config_set_why(why, why_size, "out of memory");
		return -1;
	}
	replace_string(field, copy);
	return 0;
}

static int apply_list_key(struct config *cfg, const char *dir,
			  const struct core_key *key, const char *value,
			  char *why, size_t why_size)
{
	struct config_list *field =
		(struct config_list *)((char *)cfg + key->offset);
	struct config_list list = {0};
	int rc = -1;

	if (config_split_list(value, &list)) {
		config_set_why(
			why, why_size,
			"expected a comma-separated list with no empty items");
		goto out;
	}
	if (key->kind == KEY_IDS) {
		/* An empty list would quietly run no plugin at all; leaving
		 * the key out is how to say "every plugin". */
		if (list.n == 0) {
			config_set_why(
				why, why_size,
				"expected activity ids such as supervision, "
				"dip_sample; leave enable out to load every "
				"plugin");
			goto out;
		}
		for (size_t i = 0; i < list.n; i++) {
			if (!config_is_name(list.items[i])) {
				config_set_why(why, why_size,
					       "\"%s\" is not an activity id "
					       "(lowercase "
					       "letters, digits and _)",
					       list.items[i]);
				goto out;
			}
			for (size_t j = 0; j < i; j++)
				if (strcmp(list.items[i], list.items[j]) == 0) {
					config_set_why(why, why_size,
						       "\"%s\" is listed twice",
						       list.items[i]);
					goto out;
				}
		}
		cfg->enable_set = true;
	} else if (key->kind == KEY_ADDRESSES) {
		for (size_t i = 0; i < list.n; i++) {
			unsigned char addr[16];
			if (inet_pton(AF_INET, list.items[i], addr) != 1 &&
			    inet_pton(AF_INET6, list.items[i], addr) != 1) {
				config_set_why(why, why_size,
					       "\"%s\" is not an IPv4 or IPv6 "
					       "address (the proxy's, such as "
					       "127.0.0.1)",
					       list.items[i]);
				goto out;
			}
		}
	} else {
		for (size_t i = 0; i < list.n; i++) {
			char *path = resolve_path(dir, list.items[i]);
			if (!path) {
				config_set_why(why, why_size, "out of memory");
				goto out;
			}
			free(list.items[i]);
			list.items[i] = path;
		}
	}
	replace_list(field, &list);
	rc = 0;
out:
	config_list_done(&list);
	return rc;
}

/* A word or a time of day that is stored as an int: mode, digest_time,
 * weekly_day. */
static int apply_int_word(struct config *cfg, const struct core_key *key,
			  const char *value, char *why, size_t why_size)
{
	static const char *const days[] = {"monday",   "tuesday", "wednesday",
					   "thursday", "friday",  "saturday",
					   "sunday"};
	int *field = (int *)((char *)cfg + key->offset);
	int number = -1;
	if (key->kind == KEY_MODE) {
		if (strcmp(value, "digest") == 0 || strcmp(value, "each") == 0)
			number = strcmp(value, "digest") == 0;
		else
			config_set_why(why, why_size,
				       "expected digest (one message a day "
				       "per person, a weekly one per manager) "
				       "or each (one per item)");
	} else if (key->kind == KEY_CLOCK) {
		if (strlen(value) != 5 || config_parse_time(value, &number)) {
			number = -1;
			config_set_why(why, why_size,
				       "expected a time of day HH:MM, such as "
				       "08:30");
		}
	} else {
		for (int i = 0; i < 7; i++)
			if (strcasecmp(value, days[i]) == 0)
				number = i + 1;
		if (number < 0)
			config_set_why(why, why_size,
				       "expected a day of the week, monday to "
				       "sunday");
	}
	if (number < 0)
		return -1;
	*field = number;
	return 0;
}

/* Validate value for key and store it in cfg, replacing what was there.
 * dir resolves relative paths (NULL: none expected). Returns 0, or -1 with
 * why filled and the field untouched. */
static int apply_key(struct config *cfg, const char *dir,
		     const struct core_key *key, const char *value, char *why,
		     size_t why_size)
{
	if (key->optional && !*value && key->kind == KEY_ADDRESSES) {
		config_list_done(
			(struct config_list *)((char *)cfg + key->offset));
		return 0;
	}
	if (key->optional && !*value) {
		char **field = (char **)((char *)cfg + key->offset);
		replace_string(field, NULL);
		if (key->kind == KEY_WINDOW) {
			cfg->send_window_start = -1;
			cfg->send_window_end = -1;
		}
		return 0;
	}
	if (key->kind == KEY_COUNT && strcmp(value, "auto") == 0) {
		*(int *)((char *)cfg + key->offset) = 0;
		return 0;
	}
	if (key->kind == KEY_DURATION || key->kind == KEY_BYTES ||
	    key->kind == KEY_COUNT) {
		int *field = (int *)((char *)cfg + key->offset);
		long number;
		char low[32], high[32];
		if (key->kind == KEY_DURATION) {
			config_format_duration(key->min, low, sizeof(low));
			config_format_duration(key->max, high, sizeof(high));
			if (config_parse_duration(value, &number)) {
				config_set_why(
					why, why_size,
					"expected a "
					"duration " CONFIG_DURATION_EXAMPLES);
				return -1;
			}
		} else {
			snprintf(low, sizeof(low), "%ld", key->min);
			snprintf(high, sizeof(high), "%ld", key->max);
			int count;
			if (config_parse_int(value, &count)) {
				if (key->kind == KEY_COUNT)
					config_set_why(why, why_size,
						       "expected \"auto\" or a "
						       "number from %s to %s",
						       low, high);
				else
					config_set_why(
						why, why_size,
						"expected a number of bytes "
						"such as %s",
						key->default_value);
				return -1;
			}
			number = count;
		}
		if (number < key->min || number > key->max) {
			config_set_why(why, why_size,
				       "expected %s from %s to %s",
				       key->kind == KEY_DURATION ? "a duration"
				       : key->kind == KEY_COUNT
					       ? "\"auto\" or a number"
					       : "a number of bytes",
				       low, high);
			return -1;
		}
		*field = (int)number;
		return 0;
	}
	if (key->kind == KEY_MODE || key->kind == KEY_CLOCK ||
	    key->kind == KEY_WEEKDAY)
		return apply_int_word(cfg, key, value, why, why_size);
	if (key->kind == KEY_IDS || key->kind == KEY_PATHS ||
	    key->kind == KEY_ADDRESSES)
		return apply_list_key(cfg, dir, key, value, why, why_size);
	return apply_string_key(cfg, dir, key, value, why, why_size);
}

static void known_keys(enum core_section section, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < N_CORE_KEYS && used < size; i++) {
		if (core_keys[i].section != section)
			continue;
		int n = snprintf(buf + used, size - used, "%s%s",
				 used ? ", " : "", core_keys[i].name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static void handle_core_key(struct parser *p, const char *name,
			    const char *value)
{
	const char *section = core_section_names[p->core];
	const struct core_key *elsewhere = NULL;
	for (size_t i = 0; i < N_CORE_KEYS; i++) {
		const struct core_key *key = &core_keys[i];
		if (strcmp(key->name, name) != 0)
			continue;
		if (key->section != p->core) {
			elsewhere = key;
			continue;
		}
		if (p->key_line[i]) {
			parse_error(p,
				    "duplicate key \"%s\" in [%s]; first set "
				    "on line %d",
				    name, section, p->key_line[i]);
			return;
		}
		p->key_line[i] = p->line;
		char why[512];
		if (apply_key(p->cfg, p->dir, key, value, why, sizeof(why)))
			parse_error(p, "[%s] %s = \"%s\": %s", section, name,
				    value, why);
		return;
	}
	char keys[256];
	known_keys(p->core, keys, sizeof(keys));
	if (elsewhere)
		parse_error(p,
			    "unknown key \"%s\" in [%s]; known keys: %s (%s "
			    "belongs in [%s])",
			    name, section, keys, name,
			    core_section_names[elsewhere->section]);
	else
		parse_error(p, "unknown key \"%s\" in [%s]; known keys: %s",
			    name, section, keys);
}

/* ---- [activity.<id>] ---- */

static void handle_activity_key(struct parser *p, const char *name,
				const char *value)
{
	struct config_activity *activity = &p->cfg->activities[p->activity];
	for (size_t i = 0; i < activity->n_kvs; i++)
		if (strcmp(activity->kvs[i].key, name) == 0) {
			parse_error(p,
				    "duplicate key \"%s\" in [activity.%s]; "
				    "first set on line %d",
				    name, activity->id, activity->kvs[i].line);
			return;
		}
	struct config_kv *grown =
		realloc(activity->kvs, (activity->n_kvs + 1) * sizeof(*grown));
	if (!grown) {
		parse_error(p, "out of memory");
		return;
	}
	activity->kvs = grown;
	struct config_kv *kv = &activity->kvs[activity->n_kvs];
	kv->key = strdup(name);
	kv->value = strdup(value);
	kv->line = p->line;
	if (!kv->key || !kv->value) {
		free(kv->key);
		free(kv->value);
		parse_error(p, "out of memory");
		return;
	}
	activity->n_kvs++;
}

static void begin_activity(struct parser *p, const char *id)
{
	struct config *cfg = p->cfg;
	if (!config_is_name(id)) {
		parse_error(p,
			    "invalid activity id \"%s\" in [" ACTIVITY_PREFIX
			    "%s]; ids are lowercase letters, digits and _",
			    id, id);
		p->kind = IN_SKIPPED;
		return;
	}
	for (size_t i = 0; i < cfg->n_activities; i++)
		if (strcmp(cfg->activities[i].id, id) == 0) {
			/* Its keys still go to the one activity, so a key
			 * set in both is reported as well. */
			parse_error(p,
				    "duplicate section [" ACTIVITY_PREFIX
				    "%s]; first on line %d",
				    id, cfg->activities[i].line);
			p->kind = IN_ACTIVITY;
			p->activity = i;
			return;
		}
	struct config_activity *grown = realloc(
		cfg->activities, (cfg->n_activities + 1) * sizeof(*grown));
	if (!grown) {
		parse_error(p, "out of memory");
		p->kind = IN_SKIPPED;
		return;
	}
	cfg->activities = grown;
	struct config_activity *activity = &cfg->activities[cfg->n_activities];
	*activity = (struct config_activity){.id = strdup(id), .line = p->line};
	if (!activity->id) {
		parse_error(p, "out of memory");
		p->kind = IN_SKIPPED;
		return;
	}
	p->kind = IN_ACTIVITY;
	p->activity = cfg->n_activities++;
}

static void begin_section(struct parser *p, const char *name)
{
	for (int i = 0; i < N_CORE_SECTIONS; i++) {
		if (strcmp(core_section_names[i], name) != 0)
			continue;
		if (p->section_line[i])
			parse_error(p,
				    "duplicate section [%s]; first on line %d",
				    name, p->section_line[i]);
		else
			p->section_line[i] = p->line;
		p->kind = IN_CORE;
		p->core = (enum core_section)i;
		return;
	}
	if (strncmp(name, ACTIVITY_PREFIX, strlen(ACTIVITY_PREFIX)) == 0) {
		begin_activity(p, name + strlen(ACTIVITY_PREFIX));
		return;
	}
	parse_error(p,
		    "unknown section [%s]; known sections: server, database, "
		    "plugins, calendars, reminders, activity.<id>",
		    name);
	p->kind = IN_SKIPPED;
}

/* ---- reading: config_scan judges the syntax, these what it means ---- */

static bool on_section(void *user, int line, const char *name)
{
	struct parser *p = user;
	p->line = line;
	begin_section(p, name);
	return p->kind != IN_SKIPPED;
}

static void on_pair(void *user, int line, const char *key, const char *value)
{
	struct parser *p = user;
	p->line = line;
	if (p->kind == IN_CORE)
		handle_core_key(p, key, value);
	else if (p->kind == IN_ACTIVITY)
		handle_activity_key(p, key, value);
}

static void on_error(void *user, int line, const char *message)
{
	struct parser *p = user;
	if (line > 0) {
		p->line = line;
		parse_error(p, "%s", message);
		return;
	}
	errlist_add(p->errs, "%s: %s", p->cfg->path, message);
	p->failed = true;
}

/* The absolute directory holding path, so relative paths in the file mean
 * the same whatever the daemon's working directory is later. */
static char *directory_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *cwd = NULL, *dir = NULL;
	if (slash == path)
		return strdup("/");
	if (path[0] == '/')
		return strndup(path, (size_t)(slash - path));
	cwd = getcwd(NULL, 0);
	if (!cwd) /* then relative to wherever we are: the best we have */
		return slash ? strndup(path, (size_t)(slash - path))
			     : strdup(".");
	if (!slash)
		return cwd;
	if (asprintf(&dir, "%s/%.*s", cwd, (int)(slash - path), path) < 0)
		dir = NULL;
	free(cwd);
	return dir;
}

/* Checks that need more than one key. */
static void check_whole(struct parser *p)
{
	const struct config *cfg = p->cfg;
	for (size_t i = 0; i < N_CORE_KEYS; i++)
		if (strcmp(core_keys[i].name, "smtp_url") == 0 &&
		    cfg->smtp_url && !cfg->smtp_from) {
			p->line = p->key_line[i];
			parse_error(p,
				    "[reminders] smtp_url is set but from is "
				    "not; add from = qa@example.org (the "
				    "sender of reminder emails)");
		}
}

int config_defaults(struct config *cfg)
{
	*cfg = (struct config){.send_window_start = -1, .send_window_end = -1};
	for (size_t i = 0; i < N_CORE_KEYS; i++) {
		char why[256];
		const struct core_key *key = &core_keys[i];
		if (!key->default_value)
			continue;
		if (apply_key(cfg, NULL, key, key->default_value, why,
			      sizeof(why))) {
			log_err("config: default [%s] %s = \"%s\": %s",
				core_section_names[key->section], key->name,
				key->default_value, why);
			return -1;
		}
	}
	return 0;
}

int config_load(const char *path, struct config *cfg, struct errlist *errs)
{
	struct parser p = {.cfg = cfg, .errs = errs};
	FILE *file = NULL;
	char *dir = NULL;
	int rc = -1;

	if (config_defaults(cfg)) {
		errlist_add(errs, "%s: out of memory", path);
		goto out;
	}
	cfg->path = strdup(path);
	dir = directory_of(path);
	if (!cfg->path || !dir) {
		errlist_add(errs, "%s: out of memory", path);
		goto out;
	}
	p.dir = dir;
	file = fopen(path, "r");
	if (!file) {
		errlist_add(errs, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	static const struct config_scan_ops ops = {
		.section = on_section,
		.pair = on_pair,
		.error = on_error,
	};
	/* A file read only in part would make a whole-file check wrong. */
	if (config_scan(file, &ops, &p) == 0)
		check_whole(&p);
	rc = p.failed ? -1 : 0;
out:
	if (file)
		fclose(file);
	free(dir);
	return rc;
}

void config_done(struct config *cfg)
{
	free(cfg->path);
	free(cfg->listen);
	free(cfg->base_url);
	config_list_done(&cfg->trusted_proxies);
	free(cfg->auth_header);
	free(cfg->db_path);
	free(cfg->plugins_dir);
	config_list_done(&cfg->enable);
	free(cfg->timezone);
	config_list_done(&cfg->holidays);
	free(cfg->smtp_url);
	free(cfg->smtp_from);
	free(cfg->smtp_user);
	free(cfg->smtp_password);
	free(cfg->webhook_url);
	free(cfg->send_window);
	for (size_t i = 0; i < cfg->n_activities; i++) {
		struct config_activity *activity = &cfg->activities[i];
		for (size_t k = 0; k < activity->n_kvs; k++) {
			free(activity->kvs[k].key);
			free(activity->kvs[k].value);
		}
		free(activity->kvs);
		free(activity->id);
	}
	free(cfg->activities);
	*cfg = (struct config){.send_window_start = -1, .send_window_end = -1};
}

const struct config_activity *config_activity(const struct config *cfg,
					      const char *id)
{
	for (size_t i = 0; i < cfg->n_activities; i++)
		if (strcmp(cfg->activities[i].id, id) == 0)
			return &cfg->activities[i];
	return NULL;
}
