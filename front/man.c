#include "man.h"

#include <string.h>

#include "cli.h"
#include "config.h"

/* Text as roff reads it: a backslash is \e, a line may not start with a
 * control character, and with hyphen_minus '-' is the \- of options. */
static void put(FILE *out, const char *text, int hyphen_minus)
{
	for (const char *c = text; *c; c++) {
		bool line_start = c == text || c[-1] == '\n';
		if (line_start && (*c == '.' || *c == '\''))
			fputs("\\&", out);
		if (*c == '\\')
			fputs("\\e", out);
		else if (*c == '-' && hyphen_minus)
			fputs("\\-", out);
		else
			fputc(*c, out);
	}
}

static void header(FILE *out, const char *name, int section,
		   const char *version, const char *date, const char *what)
{
	fprintf(out,
		".\\\" Written by qa-scheduler-man from the program's own "
		"tables; do not edit.\n"
		".TH %s %d \"%s\" \"qa-scheduler %s\" \"%s\"\n"
		/* Ragged right, no hyphenation: long command lines cannot
		 * be spread evenly. */
		".ad l\n.nh\n",
		name, section, date, version, what);
}

static const char *const type_args[] = {
	[CLI_TEXT] = "TEXT", [CLI_FLAG] = NULL,       [CLI_DATE] = "YYYY-MM-DD",
	[CLI_COUNT] = "N",   [CLI_MONTH] = "YYYY-MM", [CLI_CHOICE] = "CHOICE",
};

static void option_synopsis(FILE *out, const struct cli_option *o)
{
	fputs(o->required ? " " : " [", out);
	fputs("\\fB\\-\\-", out);
	put(out, o->name, 1);
	fputs("\\fR", out);
	const char *arg = o->arg ? o->arg : type_args[o->type];
	if (arg) {
		fputs(" \\fI", out);
		put(out, arg, 0);
		fputs("\\fR", out);
	}
	if (!o->required)
		fputs("]", out);
}

static void page_1(FILE *out)
{
	fputs(".SH NAME\n"
	      "qa-scheduler \\- a children's social care Quality Assurance "
	      "Framework as a living schedule\n"
	      ".SH SYNOPSIS\n"
	      ".B qa-scheduler\n"
	      "[\\fB\\-c\\fR \\fIFILE\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n"
	      ".SH DESCRIPTION\n"
	      "qa-scheduler turns the framework's activities (supervision, "
	      "audits, practice weeks, boards) into a schedule: calendar feeds "
	      "for each person and team, a page and a JSON API for managers, "
	      "reminders and digests by email, webhook and the log, and "
	      "reports. "
	      "\\fBserve\\fR runs the daemon; the other commands work on the "
	      "same database beside it.\n"
	      ".SH OPTIONS\n"
	      ".TP\n"
	      ".BI \\-c \" FILE\"\n"
	      "The config file: by default \\fB$QA_SCHEDULER_CONFIG\\fR, else "
	      "\\fI" CONFIG_DEFAULT_PATH "\\fR (qa-scheduler.conf(5)).\n"
	      ".SH COMMANDS\n"
	      "Dates are YYYY\\-MM\\-DD. \\fBqa-scheduler help \\fICOMMAND\\fR "
	      "(or \\fICOMMAND\\fR \\fB\\-\\-help\\fR) prints a command's "
	      "options too.\n",
	      out);
	for (size_t i = 0; i < cli_n_verbs; i++) {
		const struct cli_verb *v = &cli_verbs[i];
		fputs(".TP\n\\fB", out);
		put(out, v->name, 1);
		fputs("\\fR", out);
		if (v->operands) {
			fputs(" \\fI", out);
			put(out, v->operands, 0);
			fputs("\\fR", out);
		}
		for (size_t k = 0; k < v->n_options; k++)
			option_synopsis(out, &v->options[k]);
		fputs("\n", out);
		put(out, v->summary, 0);
		fputs(".\n", out);
		if (!v->n_options)
			continue;
		fputs(".RS\n", out);
		for (size_t k = 0; k < v->n_options; k++) {
			const struct cli_option *o = &v->options[k];
			fputs(".TP\n\\fB\\-\\-", out);
			put(out, o->name, 1);
			fputs("\\fR", out);
			const char *arg = o->arg ? o->arg : type_args[o->type];
			if (arg) {
				fputs(" \\fI", out);
				put(out, arg, 0);
				fputs("\\fR", out);
			}
			fputs("\n", out);
			put(out, o->help, 0);
			fputs(o->required ? " (required).\n" : ".\n", out);
		}
		fputs(".RE\n", out);
	}
	fputs(".SH EXIT STATUS\n"
	      "0 on success; 1 when the command failed (the reason is on "
	      "standard error, naming what and where); 2 for a command line "
	      "that is not understood.\n"
	      ".SH ENVIRONMENT\n"
	      ".TP\n"
	      ".B QA_SCHEDULER_CONFIG\n"
	      "The config file when \\fB\\-c\\fR is not given.\n"
	      ".SH FILES\n"
	      ".TP\n"
	      ".I " CONFIG_DEFAULT_PATH "\n"
	      "The config file.\n"
	      ".TP\n"
	      ".I /var/lib/qa-scheduler/qa-scheduler.db\n"
	      "The database (the package's \\fB[database] path\\fR).\n"
	      ".SH SEE ALSO\n"
	      "qa-scheduler.conf(5), systemctl(1); "
	      "\\fI/usr/share/doc/qa-scheduler/README.md\\fR.\n",
	      out);
}

struct section_state {
	FILE *out;
	const char *section; /* the last one opened */
};

static void conf_key(const struct config_key_info *key, void *arg)
{
	struct section_state *st = arg;
	if (!st->section || strcmp(st->section, key->section) != 0) {
		fprintf(st->out, ".SS [%s]\n", key->section);
		st->section = key->section;
	}
	fputs(".TP\n\\fB", st->out);
	put(st->out, key->name, 1);
	fputs("\\fR = \\fI", st->out);
	put(st->out, key->type, 0);
	fputs("\\fR\n", st->out);
	put(st->out, key->help, 0);
	if (key->default_value) {
		fputs(" Default: \\fB", st->out);
		put(st->out, key->default_value, 0);
		fputs("\\fR.", st->out);
	} else {
		fputs(" Unset by default.", st->out);
	}
	fputs("\n", st->out);
}

static void page_5(FILE *out)
{
	fputs(".SH NAME\n"
	      "qa-scheduler.conf \\- qa-scheduler's configuration\n"
	      ".SH DESCRIPTION\n"
	      "An INI file: \\fB[section]\\fR headers, \\fBkey = value\\fR "
	      "lines, and comments starting with \\fB#\\fR or \\fB;\\fR. "
	      "Relative paths are resolved against the folder holding the "
	      "file. An unknown section or key, or a value of the wrong type "
	      "or out of range, is an error naming the file and line; "
	      "\\fBqa-scheduler check-config\\fR lists every one. Durations "
	      "are numbers with s, m, h, d or w (90m, 2h, 7d). "
	      "\\fBsystemctl reload qa-scheduler\\fR reads the file again; a "
	      "broken one is refused and the running one stays.\n"
	      ".SH KEYS\n",
	      out);
	struct section_state st = {out, NULL};
	config_describe(conf_key, &st);
	fputs(".SS [activity.\\fIid\\fR]\n"
	      "One section per activity changes its plugin's settings; "
	      "\\fBqa-scheduler plugins \\-\\-help \\fIid\\fR lists its keys, "
	      "their types and defaults. Every activity also takes "
	      "\\fBduration\\fR (the length of each occurrence; 0 for a due-by "
	      "deadline), \\fBreminders\\fR (lead times such as 7d, 1d; or "
	      "none) and \\fBescalate\\fR (working days after a due date on "
	      "which an overdue item goes to the line manager, then theirs); "
	      "one with an \\fBrrule\\fR also takes \\fBon_non_working_day\\fR "
	      "(previous, next or keep), and one series of deadlines for a "
	      "whole audience \\fBowner\\fR.\n"
	      ".SH FILES\n"
	      ".I " CONFIG_DEFAULT_PATH "\n"
	      ".SH SEE ALSO\n"
	      "qa-scheduler(1)\n",
	      out);
}

int man_write(FILE *out, int section, const char *version, const char *date)
{
	if (section == 1) {
		header(out, "QA-SCHEDULER", 1, version, date, "User Commands");
		page_1(out);
	} else if (section == 5) {
		header(out, "QA-SCHEDULER.CONF", 5, version, date,
		       "File Formats");
		page_5(out);
	} else {
		return -1;
	}
	return fflush(out) || ferror(out) ? -1 : 0;
}
