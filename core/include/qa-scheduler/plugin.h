/*
 * qa-scheduler plugin API.
 *
 * This header is the ABI between the host and an activity plugin: the
 * structures they hand each other and the services the host lends. The
 * helpers a plugin may use besides (date arithmetic on qa_day, trimming,
 * KEY=VALUE lists) are in qa-scheduler/util.h, which is not ABI. A plugin is
 * a shared object named qa_<id>.so that exports exactly one symbol:
 *
 *     const struct qa_plugin *qa_plugin_entry(void);
 *
 * The returned descriptor starts with the ABI version and its own size, so
 * the host can refuse a plugin built against an incompatible header and
 * read one built against another minor safely.
 *
 * Versions. Removing, reordering or changing the meaning of a field bumps
 * QA_PLUGIN_ABI_MAJOR, and a host refuses a plugin of another major. The
 * ABI otherwise grows by appending fields to the end of a structure,
 * bumping QA_PLUGIN_ABI_MINOR; each structure carries its size
 * (struct_size; config_key_size for the entries of config_keys), so each
 * side reads only what both know:
 *  - A host loads a plugin of an older minor, reading its descriptor,
 *    config keys and occurrences up to the sizes they declare; the fields
 *    added since count as absent (QA_PLUGIN_SIZE_1_0, _1_1).
 *  - From 1.2, a host also loads a plugin of a newer minor, reading the
 *    fields it knows and skipping the rest, with a notice that it does
 *    (hosts before 1.2 refuse newer minors). So a field a minor appends
 *    must be one an older host may leave unread: absent (NULL, 0) and
 *    unknown mean the same. A plugin that cannot do without something a
 *    newer host has checks in init() (host->abi_minor, or QA_HOST_HAS for a
 *    service) and refuses there, saying what it needs; likewise it reads a
 *    field a later minor appends to what the host hands it (qa_host,
 *    qa_subject) only when that structure's struct_size covers it.
 *
 * Data flows one way: the host calls generate() for each subject and the
 * plugin answers with occurrences through host->emit(). Plugins never touch
 * the database or the network; everything they need is lent by the host.
 *
 * Dates are qa_day values: days since 1970-01-01 in the organisation's
 * calendar (a local date, not an instant). Times of day are minutes after
 * local midnight; the host turns them into instants in the organisation's
 * time zone.
 */
#ifndef QA_SCHEDULER_PLUGIN_H
#define QA_SCHEDULER_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QA_PLUGIN_ABI_MAJOR 1
#define QA_PLUGIN_ABI_MINOR 3

#if defined(__GNUC__)
#define QA_PLUGIN_EXPORT __attribute__((visibility("default")))
#define QA_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define QA_PLUGIN_EXPORT
#define QA_PRINTF(fmt, args)
#endif

/* A local calendar date: days since 1970-01-01. */
typedef int32_t qa_day;

/* Log levels, as syslog(3). */
enum qa_log_level {
	QA_LOG_ERR = 3,
	QA_LOG_WARNING = 4,
	QA_LOG_NOTICE = 5,
	QA_LOG_INFO = 6,
	QA_LOG_DEBUG = 7,
};

/*
 * Declarative configuration schema: a table terminated by an entry whose
 * type is QA_CONFIG_END. The host validates [activity.<id>] against it
 * (unknown keys and ill-typed values are refused with file:line), applies the
 * defaults and prints the table in `qa-scheduler plugins --help ID`.
 */
enum qa_config_type {
	QA_CONFIG_END = 0,
	QA_CONFIG_STRING,   /* free text */
	QA_CONFIG_INT,      /* decimal integer, >= 0 */
	QA_CONFIG_BOOL,     /* true/false, yes/no, on/off, 1/0 */
	QA_CONFIG_DURATION, /* 90m, 2h, 1d, 4w: a length of time */
	QA_CONFIG_LEADS,    /* comma-separated durations: 7d, 1d */
	QA_CONFIG_RRULE,    /* an RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=1TU */
	QA_CONFIG_TIME,     /* HH:MM local time */
	QA_CONFIG_DATE,     /* YYYY-MM-DD */
	QA_CONFIG_LIST,     /* comma-separated free-text items */
};

struct qa_config_entry {
	enum qa_config_type type;
	const char *key;
	const char *default_value; /* as it would be written in the file */
	const char *description;
};

/*
 * ABI 1.2: a config key with the range its value must lie in, in the table
 * qa_plugin.config_keys. Its first four fields are a qa_config_entry's.
 *
 * It is a new type in a new table, not qa_config_entry grown, because a
 * schema is an array: longer entries would move every entry after the
 * first, and a host would read a 1.0 or 1.1 plugin's table (an older host a
 * newer plugin's) at the wrong places. For the same reason the descriptor
 * says how long its entries are (config_key_size): a later minor may append
 * fields to this one, and a host steps over what it does not know.
 *
 * The range bounds the key's typed value, the one qa_host.config_int hands
 * the plugin: the number of a QA_CONFIG_INT, the seconds of a
 * QA_CONFIG_DURATION, the minutes after midnight of a QA_CONFIG_TIME, the
 * qa_day of a QA_CONFIG_DATE; both 0 is no bound but the type's, and the
 * other types take none. The host refuses a value outside it where the
 * config sets it (file and line), and a plugin whose default lies outside.
 */
struct qa_config_key {
	enum qa_config_type type;
	const char *key;
	const char *default_value; /* as it would be written in the file */
	const char *description;
	int min, max; /* inclusive */
};

/* Keys every plugin accepts; the host adds them, plugins do not declare them.
 */
#define QA_CONFIG_COMMON_KEYS "duration, reminders"
/* And, where they apply: on_non_working_day (a plugin with an `rrule` key of
 * type QA_CONFIG_RRULE), owner (QA_SCOPE_AUDIENCE with a duration of "0":
 * one series of deadlines shared by the whole audience), escalate (every
 * plugin: working days after a due date on which an overdue item goes up
 * the line) and, for collaborative_audit, action_escalate and
 * urgent_action_escalate. */

enum qa_scope {
	/* One series for the whole audience (a board, practice week). */
	QA_SCOPE_AUDIENCE = 1,
	/* One series per person holding one of the roles (an audit,
	   supervision). */
	QA_SCOPE_PERSON = 2,
};

/* The person (or, for QA_SCOPE_AUDIENCE, nobody) a series is generated for. */
struct qa_subject {
	uint32_t struct_size;
	const char *staff_id;   /* NULL for an audience-wide series */
	const char *name;       /* display name, NULL for audience */
	const char *manager_id; /* line manager, may be NULL */
	qa_day added_on;        /* obligations start: their since (the day added
				 * by default); the name is 1.0's */
	qa_day nqsw_start;      /* QA_DAY_NONE when not newly qualified */
	qa_day left_on;         /* QA_DAY_NONE when still in post */
	qa_day today;           /* the organisation's local date now */
};

#define QA_DAY_NONE INT32_MIN

enum qa_occurrence_kind {
	QA_OCC_EVENT = 1, /* a meeting at a time: supervision, a board */
	QA_OCC_DUE = 2,   /* a deadline: due by the end of a day (all-day) */
	QA_OCC_ALLDAY = 3 /* an all-day item spanning days: practice week */
};

enum qa_occurrence_status {
	QA_STATUS_CONFIRMED = 1,
	QA_STATUS_TENTATIVE = 2, /* projected, not yet booked */
};

/* One occurrence, handed to host->emit(); the host copies what it needs. */
struct qa_occurrence {
	uint32_t struct_size;
	/* Stable key within (activity, subject), e.g. "2026-03" or "2026-W11";
	 * the UID is derived from it, so the same occurrence keeps its key
	 * when it moves. */
	const char *key;
	enum qa_occurrence_kind kind;
	enum qa_occurrence_status status;
	qa_day date;      /* first day (EVENT, ALLDAY) or due date (DUE) */
	int start_minute; /* EVENT: minutes after local midnight */
	int duration;     /* EVENT: minutes; ALLDAY: days; DUE: ignored; 0: the
			     activity's configured `duration` */
	const char *summary; /* NULL: the plugin's title */
	const char *detail;  /* extra line for the description, may be NULL */
	const char *with_staff_id; /* a second participant, e.g. the manager */
	/* The completion that fulfilled it; QA_DAY_NONE while open. */
	qa_day done_on;

	/* ---- ABI 1.1 (the host reads them only when struct_size covers
	 * them, so a plugin built against 1.0 still works) ---- */

	/* The home the occurrence is for (reg44_visit: one series per home),
	 * shown by `due`; NULL for most activities. */
	const char *home;

	/* ---- ABI 1.3 ---- */

	/* For one done (done_on set), the date it was due, where that is not
	 * simply its date: supervision gives each session held the due date
	 * it met, so reports can tell on time from late. 0 (absent) or
	 * QA_DAY_NONE: not given. */
	qa_day due_on;
};

/* Periods of due-by activities. */
enum qa_period {
	QA_PERIOD_WEEK = 1,    /* ISO week, Monday to Sunday; key 2026-W09 */
	QA_PERIOD_MONTH = 2,   /* key 2026-03 */
	QA_PERIOD_QUARTER = 3, /* calendar quarters; key 2026-Q1 */
	QA_PERIOD_YEAR = 4,    /* key 2026 */
};

struct qa_host;

typedef int (*qa_day_cb)(qa_day day, void *arg);

/*
 * Services the host lends to a plugin. Every function takes the host pointer
 * first. Functions returning int return 0 on success, -1 on failure after
 * logging the reason.
 */
struct qa_host {
	uint32_t struct_size;
	void *host_data; /* the host's own; plugins leave it alone */

	void (*log)(const struct qa_host *host, enum qa_log_level level,
		    const char *fmt, ...) QA_PRINTF(3, 4);

	/* The value of one of this plugin's config keys after defaults, or NULL
	 * when the key has no value. Valid until shutdown(). */
	const char *(*config_get)(const struct qa_host *host, const char *key);

	/* Record one occurrence of the series being generated. */
	int (*emit)(const struct qa_host *host,
		    const struct qa_occurrence *occ);

	/* Call cb for every date an RRULE yields in [from, to], starting at
	 * dtstart, expanded in the organisation's time zone. cb returns
	 * non-zero to stop early. */
	int (*rrule_expand)(const struct qa_host *host, const char *rrule,
			    qa_day dtstart, qa_day from, qa_day to,
			    qa_day_cb cb, void *arg);

	/* Working days: Monday to Friday and no holiday in any calendar. */
	int (*is_working_day)(const struct qa_host *host, qa_day day);
	/* n may be negative; 0 returns day itself even if it is not working. */
	qa_day (*add_working_days)(const struct qa_host *host, qa_day day,
				   int n);
	/* day itself when working, else the next (dir > 0) or previous working
	 * day. */
	qa_day (*shift_to_working_day)(const struct qa_host *host, qa_day day,
				       int dir);

	/* The most recent completion of activity by staff_id on or before
	 * `before`; returns 1 and sets *done_on when there is one, 0 when not.
	 */
	int (*last_completion)(const struct qa_host *host, const char *activity,
			       const char *staff_id, qa_day before,
			       qa_day *done_on);

	/* Call cb with the date of every completion of activity by staff_id
	 * (NULL: by anyone) in [from, to], oldest first; cb returns non-zero
	 * to stop early. */
	int (*for_each_completion)(const struct qa_host *host,
				   const char *activity, const char *staff_id,
				   qa_day from, qa_day to, qa_day_cb cb,
				   void *arg);

	/* The common due-by series (SPEC section 3): one QA_OCC_DUE per period
	 * overlapping [from, to], from the period holding subject->added_on
	 * (audience: from `from`) and none after subject->left_on; each due on
	 * the last working day of its period and done (done_on set) when a
	 * completion of this plugin's activity by the subject falls in the
	 * period. summary NULL: the plugin's title. */
	int (*emit_due_per_period)(const struct qa_host *host,
				   const struct qa_subject *subject,
				   enum qa_period period, qa_day from,
				   qa_day to, const char *summary);

	/* The common fixed-date series: one occurrence of kind (QA_OCC_EVENT
	 * at the plugin's `time` key, or QA_OCC_ALLDAY) on every date the
	 * plugin's `rrule` key yields in [from, to], expanded from 2020-01-01
	 * in the organisation's zone, none after subject->left_on; keyed by
	 * date (YYYY-MM-DD), lasting the configured duration. summary NULL:
	 * the plugin's title. */
	int (*emit_rrule_series)(const struct qa_host *host,
				 const struct qa_subject *subject,
				 enum qa_occurrence_kind kind, qa_day from,
				 qa_day to, const char *summary);

	/* ---- ABI 1.1: check host->struct_size before calling these ---- */

	/* Where this plugin's key was set, "FILE:LINE" of the config, for a
	 * refusal message that names the place to fix; NULL when the key has
	 * its default. Valid until shutdown(). */
	const char *(*config_where)(const struct qa_host *host,
				    const char *key);

	/* for_each_completion, of the completions recorded at `home`
	 * (compared as qa_same_name does); home "" gives those recorded with
	 * no home (before homes were recorded). */
	int (*for_each_completion_at)(const struct qa_host *host,
				      const char *activity,
				      const char *staff_id, const char *home,
				      qa_day from, qa_day to, qa_day_cb cb,
				      void *arg);

	/* ---- ABI 1.2: a host older than 1.2 refuses a plugin built for 1.2
	 * or later, so such a plugin may call these without asking ---- */

	/* The typed value of one of this plugin's keys after defaults, as the
	 * host checked it against its type and range when the plugin loaded
	 * (struct qa_config_key): a QA_CONFIG_INT's number, a
	 * QA_CONFIG_DURATION's seconds (0 for a due-by `duration` of "0"), a
	 * QA_CONFIG_TIME's minutes after midnight, a QA_CONFIG_DATE's qa_day,
	 * a QA_CONFIG_BOOL's 1 or 0. Any key of the plugin's, its own or the
	 * host's (`duration`). Returns 0 and sets *value; -1, logged, when the
	 * key is not the plugin's, its type has no number, or it has no
	 * value. */
	int (*config_int)(const struct qa_host *host, const char *key,
			  int *value);

	/* The host's QA_PLUGIN_ABI_MINOR: a plugin built for a later minor,
	 * which hosts from 1.2 on load, learns here what the host lacks. */
	uint32_t abi_minor;
};

/* Does host lend service (a member of struct qa_host)? A plugin built for
 * a minor after 1.2 asks before calling a service its own minor added:
 * a host from 1.2 on loads it, and may be older (see "Versions" above). */
#define QA_HOST_HAS(host, service) \
	((host)->struct_size >=    \
	 offsetof(struct qa_host, service) + sizeof((host)->service))

struct qa_plugin {
	/* Must come first and stay in this order. */
	uint16_t abi_major;
	uint16_t abi_minor;
	uint32_t struct_size;

	const char *id;    /* activity id: [a-z0-9_]+ */
	const char *title; /* framework wording */
	const char
		*description; /* the framework's description of the activity */
	const char *version;
	const char *cadence;     /* human-readable: "monthly, due by the last
				    working day" */
	const char *responsible; /* framework: responsible officer */
	const char *frequency;   /* framework: frequency */
	const char *reporting;   /* framework: reporting arrangements */
	const char *roles;       /* comma-separated roles of the audience */
	enum qa_scope scope;
	const char
		*duration; /* default duration: "90m", "1d"; "0" for due-by */
	const char *reminders; /* default lead times: "7d, 1d" */
	const struct qa_config_entry
		*config; /* may be NULL: no keys of its own */

	/* Optional. Prepare state from config; non-zero refuses the plugin. */
	int (*init)(const struct qa_host *host, void **state);
	/* Emit the occurrences of one series in [from, to]. */
	int (*generate)(void *state, const struct qa_subject *subject,
			qa_day from, qa_day to, const struct qa_host *host);
	/* Optional. Free state. */
	void (*shutdown)(void *state);

	/* ---- ABI 1.1 (read only when struct_size covers it) ---- */

	/* Optional. The homes this activity is recorded against
	 * (reg44_visit's placements): `record --home NAME` must name one of
	 * them, and the completion counts for that home only. Call cb with
	 * each home's name, as configured; cb returns non-zero to stop. 0 or
	 * -1. */
	int (*for_each_home)(void *state,
			     int (*cb)(const char *home, void *arg), void *arg);

	/* ---- ABI 1.2 (read only when struct_size covers it) ---- */

	/* The config schema with ranges, ending at an entry of type
	 * QA_CONFIG_END. A plugin declares its keys here or in `config`, not
	 * both; may be NULL. */
	const struct qa_config_key *config_keys;
	/* The size of an entry of config_keys as the plugin was built;
	 * QA_CONFIG_KEYS(table) sets both. */
	uint32_t config_key_size;
};

/* The size of the descriptor and of an occurrence as ABI 1.0 had them, and
 * the descriptor's as 1.1 had it: the host accepts these from plugins
 * built against those minors. */
#define QA_PLUGIN_SIZE_1_0 offsetof(struct qa_plugin, for_each_home)
#define QA_OCCURRENCE_SIZE_1_0 offsetof(struct qa_occurrence, home)
#define QA_OCCURRENCE_SIZE_1_1 offsetof(struct qa_occurrence, due_on)
#define QA_PLUGIN_SIZE_1_1 offsetof(struct qa_plugin, config_keys)

/* Fill the version fields of a descriptor. */
#define QA_PLUGIN_HEADER                                                    \
	.abi_major = QA_PLUGIN_ABI_MAJOR, .abi_minor = QA_PLUGIN_ABI_MINOR, \
	.struct_size = sizeof(struct qa_plugin)

/* Fill config_keys with table (an array of struct qa_config_key ending at
 * QA_CONFIG_END) and config_key_size with the size of its entries. (They
 * are the descriptor's last fields: a C++20 plugin, whose designated
 * initializers must keep the declaration order, puts this last.) */
#define QA_CONFIG_KEYS(table) \
	.config_keys = (table), .config_key_size = sizeof((table)[0])

/* Declare the entry point returning `desc`. */
#define QA_PLUGIN_DEFINE(desc)                                          \
	QA_PLUGIN_EXPORT const struct qa_plugin *qa_plugin_entry(void); \
	QA_PLUGIN_EXPORT const struct qa_plugin *qa_plugin_entry(void)  \
	{                                                               \
		return &(desc);                                         \
	}

#ifdef __cplusplus
}
#endif

/* The date and text helpers lived here until ABI 1.2; they are not ABI and
 * are in util.h now. Included for plugins written before then. */
#ifndef QA_PLUGIN_NO_UTIL
#include "util.h"
#endif

#endif /* QA_SCHEDULER_PLUGIN_H */
