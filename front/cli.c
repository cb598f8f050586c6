#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define PROGRAM "qa-scheduler"

static const char global_usage[] =
	"usage: " PROGRAM " [-c FILE] COMMAND [OPTIONS]\n";

/* ---- messages ---- */

const char *cli_option_name(const struct cli_call *call, size_t i, char *buf,
			    size_t size)
{
	snprintf(buf, size, "--%s", call->verb->options[i].name);
	return buf;
}

void cli_field_names(const struct cli_call *call, const size_t *option_of,
		     size_t n, struct cli_field_names *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t f = 0; f < n && f < CLI_MAX_OPTIONS; f++)
		if (option_of[f])
			out->names[f] = cli_option_name(call, option_of[f] - 1,
							out->text[f],
							sizeof(out->text[f]));
}

static int usage_error(const char *verb, const char *fmt, va_list ap)
{
	fputs(PROGRAM ": ", stderr);
	if (verb)
		fprintf(stderr, "%s: ", verb);
	vfprintf(stderr, fmt, ap);
	fputs("\nTry '" PROGRAM " help", stderr);
	if (verb)
		fprintf(stderr, " %s", verb);
	fputs("'.\n", stderr);
	return CLI_USAGE;
}

int cli_usage_error(const struct cli_call *call, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	usage_error(call ? call->verb->name : NULL, fmt, ap);
	va_end(ap);
	return CLI_USAGE;
}

static int verb_usage_error(const struct cli_verb *verb, const char *fmt, ...)
	QA_PRINTF(2, 3);

static int verb_usage_error(const struct cli_verb *verb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	usage_error(verb ? verb->name : NULL, fmt, ap);
	va_end(ap);
	return CLI_USAGE;
}

void cli_print_errors(const struct errlist *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(stderr, PROGRAM ": %s\n", errs->msgs[i]);
}

/* ---- help, generated from the table ---- */

/* Writes words, wrapping before column 79 with an indent. */
struct wrap {
	FILE *out;
	size_t column, indent;
};

static void wrap_word(struct wrap *w, const char *word)
{
	size_t len = strlen(word);
	if (w->column > w->indent && w->column + 1 + len > 79) {
		fprintf(w->out, "\n%*s", (int)w->indent, "");
		w->column = w->indent;
	} else if (w->column > 0) {
		fputc(' ', w->out);
		w->column++;
	}
	fputs(word, w->out);
	w->column += len;
}

/* Each word of text, wrapped. */
static void wrap_text(struct wrap *w, const char *text)
{
	char word[128];
	while (*text) {
		size_t len = strcspn(text, " ");
		if (len >= sizeof(word))
			len = sizeof(word) - 1;
		memcpy(word, text, len);
		word[len] = '\0';
		if (len)
			wrap_word(w, word);
		text += len;
		text += strspn(text, " ");
	}
}

static void option_synopsis(const struct cli_option *o, char *buf, size_t size)
{
	snprintf(buf, size, "%s--%s%s%s%s", o->required ? "" : "[", o->name,
		 o->type == CLI_FLAG ? "" : " ",
		 o->type == CLI_FLAG ? "" : o->arg, o->required ? "" : "]");
}

static void print_verb_help(const struct cli_verb *verb, FILE *out)
{
	char word[128];
	struct wrap w = {out, 0, 8};
	wrap_word(&w, "usage: " PROGRAM " [-c FILE]");
	wrap_word(&w, verb->name);
	if (verb->operands)
		wrap_word(&w, verb->operands);
	for (size_t i = 0; i < verb->n_options; i++) {
		option_synopsis(&verb->options[i], word, sizeof(word));
		wrap_word(&w, word);
	}
	fprintf(out, "\n\n%c%s.\n", toupper((unsigned char)verb->summary[0]),
		verb->summary + 1);
	if (verb->n_options)
		fputs("\noptions:\n", out);
	for (size_t i = 0; i < verb->n_options; i++) {
		const struct cli_option *o = &verb->options[i];
		snprintf(word, sizeof(word), "--%s%s%s", o->name,
			 o->type == CLI_FLAG ? "" : " ",
			 o->type == CLI_FLAG ? "" : o->arg);
		fprintf(out, "  %-26s", word);
		w = (struct wrap){out, 28, 29};
		wrap_text(&w, o->help);
		if (o->required)
			wrap_word(&w, "(required)");
		fputc('\n', out);
	}
}

static void print_usage(FILE *out)
{
	fputs(global_usage, out);
	fputs("\ncommands:\n", out);
	for (size_t i = 0; i < cli_n_verbs; i++) {
		const struct cli_verb *v = &cli_verbs[i];
		char name[64];
		snprintf(name, sizeof(name), "%s%s%s", v->name,
			 v->operands ? " " : "",
			 v->operands ? v->operands : "");
		fprintf(out, "  %-26s", name);
		struct wrap w = {out, 28, 29};
		wrap_text(&w, v->summary);
		fputc('\n', out);
	}
	fputs("\n"
	      "  -c FILE   config file (default $QA_SCHEDULER_CONFIG,\n"
	      "            else " CONFIG_DEFAULT_PATH ")\n"
	      "'" PROGRAM " help COMMAND' (or COMMAND --help) lists a "
	      "command's options.\n"
	      "Dates are YYYY-MM-DD.\n",
	      out);
}

/* ---- finding a verb ---- */

/* Does verb's name start with the words of argv (n of them, all when
 * exact)? */
static bool verb_is(const struct cli_verb *verb, int n, char **argv, bool exact)
{
	const char *name = verb->name;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(argv[i]);
		if (strncmp(name, argv[i], len) != 0 ||
		    (name[len] != ' ' && name[len] != '\0'))
			return false;
		name += len;
		if (*name == ' ')
			name++;
		else if (i < n - 1)
			return false;
	}
	return !exact || *name == '\0';
}

/* The verb named by the first one or two words of argv, and how many
 * words it took; NULL when none. */
static const struct cli_verb *find_verb(int argc, char **argv, int *words)
{
	for (int n = argc < 2 ? argc : 2; n >= 1; n--)
		for (size_t i = 0; i < cli_n_verbs; i++)
			if (verb_is(&cli_verbs[i], n, argv, true)) {
				*words = n;
				return &cli_verbs[i];
			}
	return NULL;
}

/* The subcommands of the verbs whose name is word (len bytes), a space and
 * more, joined into buf by separator and the last by last ("add, import,
 * list or leave" for staff); *plain, when not NULL, says whether a verb is
 * that word alone (record, beside record import). Returns how many. */
static size_t subcommands(const char *word, size_t len, const char *separator,
			  const char *last, char *buf, size_t size, bool *plain)
{
	size_t n = 0, k = 0, used = 0;
	if (plain)
		*plain = false;
	buf[0] = '\0';
	for (size_t i = 0; i < cli_n_verbs; i++)
		if (strncmp(cli_verbs[i].name, word, len) == 0)
			n += cli_verbs[i].name[len] == ' ';
	for (size_t i = 0; i < cli_n_verbs; i++) {
		const char *name = cli_verbs[i].name;
		if (strncmp(name, word, len) != 0)
			continue;
		if (name[len] == '\0' && plain)
			*plain = true;
		if (name[len] != ' ')
			continue;
		k++;
		used += (size_t)snprintf(buf + used,
					 used < size ? size - used : 0, "%s%s",
					 k == 1   ? ""
					 : k == n ? last
						  : separator,
					 name + len + 1);
	}
	return n;
}

/* The subcommands of group word as prose into buf; false when word names
 * no group. */
static bool group_words(const char *word, char *buf, size_t size)
{
	return subcommands(word, strlen(word), ", ", " or ", buf, size, NULL) >
	       0;
}

/* ---- parsing one verb's options ---- */

/* --help asks for the verb's help: anywhere when the verb has no --help
 * of its own, else only as the last word (plugins --help ID). */
static bool wants_help(const struct cli_verb *verb, int argc, char **argv)
{
	bool own = false;
	for (size_t i = 0; i < verb->n_options; i++)
		own |= strcmp(verb->options[i].name, "help") == 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--help") == 0 && (!own || i == argc - 1))
			return true;
	}
	return false;
}

static int take_value(struct cli_call *call, size_t i, const char *text)
{
	const struct cli_option *o = &call->verb->options[i];
	struct cli_value *v = &call->opt[i];
	if (v->given)
		return verb_usage_error(call->verb, "--%s given twice",
					o->name);
	v->given = true;
	v->text = text;
	switch (o->type) {
	case CLI_TEXT:
	case CLI_FLAG:
		return CLI_OK;
	case CLI_DATE:
		if (date_parse(text, &v->day) == 0)
			return CLI_OK;
		fprintf(stderr,
			PROGRAM ": %s: --%s \"%s\": not a date; use YYYY-MM-DD "
				"(a real one: 2026-02-30 is not)\n",
			call->verb->name, o->name, text);
		return CLI_ERROR;
	case CLI_MONTH: {
		char day[16];
		if (strlen(text) == 7 &&
		    snprintf(day, sizeof(day), "%s-01", text) == 10 &&
		    date_parse(day, &v->day) == 0)
			return CLI_OK;
		fprintf(stderr,
			PROGRAM ": %s: --%s \"%s\": not a month; use YYYY-MM\n",
			call->verb->name, o->name, text);
		return CLI_ERROR;
	}
	case CLI_COUNT: {
		char *end;
		long value = strtol(text, &end, 10);
		if (*text && !*end && value >= 0 && value <= o->max) {
			v->count = (int)value;
			return CLI_OK;
		}
		fprintf(stderr,
			PROGRAM ": %s: --%s \"%s\": use a whole number from 0 "
				"to %d\n",
			call->verb->name, o->name, text, o->max);
		return CLI_ERROR;
	}
	case CLI_CHOICE: {
		char list[128] = "";
		size_t used = 0;
		for (int k = 0; o->choices[k]; k++) {
			if (strcmp(o->choices[k], text) == 0) {
				v->choice = k;
				return CLI_OK;
			}
			used += (size_t)snprintf(
				list + used,
				used < sizeof(list) ? sizeof(list) - used : 0,
				"%s%s",
				k == 0              ? ""
				: o->choices[k + 1] ? ", "
						    : " or ",
				o->choices[k]);
		}
		return verb_usage_error(call->verb, "--%s \"%s\": use %s",
					o->name, text, list);
	}
	}
	return CLI_ERROR;
}

/* Parse argv (argv[0] the verb's last word) against verb into call.
 * CLI_OK, or the exit code of a refusal (printed). */
static int parse(const struct cli_verb *verb, int argc, char **argv,
		 struct cli_call *call)
{
	struct option longopts[CLI_MAX_OPTIONS + 1];
	memset(longopts, 0, sizeof(longopts));
	for (size_t i = 0; i < verb->n_options; i++)
		longopts[i] = (struct option){verb->options[i].name,
					      verb->options[i].type == CLI_FLAG
						      ? no_argument
						      : required_argument,
					      NULL, 0x100 + (int)i};
	call->verb = verb;
	int c;
	optind = 0; /* glibc: a full restart, permuting again */
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c < 0x100)
			return verb_usage_error(verb, "unknown option");
		int rc = take_value(call, (size_t)(c - 0x100), optarg);
		if (rc != CLI_OK)
			return rc;
	}
	call->operands = argv + optind;
	call->n_operands = argc - optind;
	if (call->n_operands < verb->min_operands ||
	    call->n_operands > verb->max_operands) {
		if (verb->max_operands == 0)
			return verb_usage_error(verb,
						"unexpected argument \"%s\"",
						argv[optind]);
		return verb_usage_error(verb, "expects %s, not %d argument%s",
					verb->operands, call->n_operands,
					call->n_operands == 1 ? "" : "s");
	}
	for (size_t i = 0; i < verb->n_options; i++)
		if (verb->options[i].required && !call->opt[i].given)
			return verb_usage_error(verb, "--%s is required",
						verb->options[i].name);
	return CLI_OK;
}

/* ---- engine ---- */

int cli_engine_open(const struct cli_call *call, unsigned what,
		    struct engine *e)
{
	struct errlist errs = {0};
	enum engine_failure failure =
		engine_open(call->config_path, what, e, &errs);
	cli_print_errors(&errs);
	if (failure == ENGINE_BAD_CONFIG)
		fprintf(stderr,
			PROGRAM ": %s has %zu problem(s); `" PROGRAM
				" -c %s check-config` lists them all\n",
			call->config_path, errs.n, call->config_path);
	else if (failure == ENGINE_NO_DATABASE)
		fprintf(stderr,
			PROGRAM ": cannot use the database %s (reason above)\n",
			e->cfg.db_path);
	errlist_done(&errs);
	return failure == ENGINE_OK ? 0 : -1;
}

int cli_regenerate(struct engine *e, const struct sched_env *env,
		   const struct sched_filter *filter)
{
	struct sched_stats stats;
	if (sched_regenerate(e->db, env, filter, &stats)) {
		fprintf(stderr, PROGRAM ": the schedule could not be "
					"regenerated (reason above); nothing "
					"changed\n");
		return -1;
	}
	return 0;
}

int cli_ensure_current(struct engine *e, const struct sched_env *env)
{
	if (sched_is_current(e->db, env->today))
		return 0;
	return cli_regenerate(e, env, NULL);
}

/* ---- help and completion, as commands ---- */

int cli_help(const struct cli_call *call)
{
	if (call->n_operands == 0) {
		print_usage(stdout);
		return CLI_OK;
	}
	int words;
	const struct cli_verb *verb =
		find_verb(call->n_operands, call->operands, &words);
	if (verb && words == call->n_operands) {
		print_verb_help(verb, stdout);
		return CLI_OK;
	}
	char subs[256];
	if (call->n_operands == 1 &&
	    group_words(call->operands[0], subs, sizeof(subs))) {
		for (size_t i = 0; i < cli_n_verbs; i++)
			if (verb_is(&cli_verbs[i], 1, call->operands, false) &&
			    strchr(cli_verbs[i].name, ' ')) {
				print_verb_help(&cli_verbs[i], stdout);
				fputc('\n', stdout);
			}
		return CLI_OK;
	}
	return cli_usage_error(call, "no command \"%s\"", call->operands[0]);
}

/* ---- bash completion ---- */

/* The length of the first word of verb i's name. */
static size_t first_word_len(size_t i)
{
	const char *space = strchr(cli_verbs[i].name, ' ');
	return space ? (size_t)(space - cli_verbs[i].name)
		     : strlen(cli_verbs[i].name);
}

/* Is verb i the first of the verbs its first word begins (the table keeps
 * a group's verbs together)? */
static bool first_of_word(size_t i)
{
	size_t len = first_word_len(i);
	return i == 0 || first_word_len(i - 1) != len ||
	       strncmp(cli_verbs[i - 1].name, cli_verbs[i].name, len) != 0;
}

/* Is verb i in a group ("staff add")? */
static bool in_group(size_t i)
{
	return strchr(cli_verbs[i].name, ' ') != NULL;
}

static void complete_words(FILE *out, const char *words)
{
	fprintf(out, "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))", words);
}

/* The subcommands of verb i's first word, joined by separator (see
 * subcommands). */
static size_t group_of(size_t i, const char *separator, char *buf, size_t size,
		       bool *plain)
{
	return subcommands(cli_verbs[i].name, first_word_len(i), separator,
			   separator, buf, size, plain);
}

/* The case arm completing verb v's options, their values and operands;
 * subs, when not empty, are subcommands that may stand for the operand
 * (record import). */
static void complete_verb(FILE *out, const struct cli_verb *v, const char *subs)
{
	char words[512];
	size_t used = 0;
	fprintf(out, "\t\"%s\")\n\t\tcase $prev in\n", v->name);
	for (size_t k = 0; k < v->n_options; k++) {
		const struct cli_option *o = &v->options[k];
		used += (size_t)snprintf(words + used, sizeof(words) - used,
					 "--%s ", o->name);
		if (o->type == CLI_FLAG)
			continue;
		fprintf(out, "\t\t--%s) ", o->name);
		if (o->type == CLI_CHOICE) {
			char choices[128];
			size_t n = 0;
			for (int c = 0; o->choices[c]; c++)
				n += (size_t)snprintf(
					choices + n, sizeof(choices) - n,
					"%s%s", c ? " " : "", o->choices[c]);
			complete_words(out, choices);
			fputs("; return ;;\n", out);
		} else {
			fputs("return ;;\n", out);
		}
	}
	snprintf(words + used, sizeof(words) - used, "--help");
	fputs("\t\tesac\n\t\tif [[ $cur == -* ]]; then\n\t\t\t", out);
	complete_words(out, words);
	fputc('\n', out);
	if (v->operands && strstr(v->operands, "FILE"))
		fputs("\t\telse\n\t\t\tCOMPREPLY=($(compgen -f -- "
		      "\"$cur\"))\n",
		      out);
	else if (v->operands && strcmp(v->operands, "ACTIVITY") == 0)
		/* The activities the configured plugins give. */
		fprintf(out,
			"\t\telse\n\t\t\tCOMPREPLY=($(compgen -W \"%s "
			"$(" PROGRAM " \"${config[@]}\" plugins 2>/dev/null | "
			"awk 'NR > 1 && !/^ / {print $1}')\" -- \"$cur\"))\n",
			subs);
	else if (v->operands && strcmp(v->operands, "SHELL") == 0)
		fputs("\t\telse\n\t\t\tCOMPREPLY=($(compgen -W bash -- "
		      "\"$cur\"))\n",
		      out);
	fputs("\t\tfi ;;\n", out);
}

int cli_completion(const struct cli_call *call)
{
	if (strcmp(call->operands[0], "bash") != 0)
		return cli_usage_error(call, "\"%s\": only bash is known",
				       call->operands[0]);
	FILE *out = stdout;
	fputs("# bash completion for " PROGRAM ", generated by `" PROGRAM
	      " completion bash`\n"
	      "# from its command table: do not edit.\n"
	      "_qa_scheduler()\n{\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} "
	      "prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\tlocal i=1 cmd= config=()\n"
	      "\tCOMPREPLY=()\n"
	      "\tif [[ $prev == -c ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\t# The command: the first word that is no option (and the\n"
	      "\t# next one for a group's subcommand).\n"
	      "\twhile ((i < COMP_CWORD)); do\n"
	      "\t\tcase ${COMP_WORDS[i]} in\n"
	      "\t\t-c) config=(-c \"${COMP_WORDS[i+1]}\"); ((i += 2)); "
	      "continue ;;\n"
	      "\t\t-*) ((i++)); continue ;;\n"
	      "\t\tesac\n"
	      "\t\tcmd=${COMP_WORDS[i]}\n"
	      "\t\tcase $cmd in\n",
	      out);
	char subs[256];
	bool plain;
	/* A group's second word is part of the command when it is one of
	 * its subcommands (record import; not record supervision). */
	for (size_t i = 0; i < cli_n_verbs; i++)
		if (first_of_word(i) &&
		    group_of(i, "|", subs, sizeof(subs), &plain))
			fprintf(out,
				"\t\t%.*s) case ${COMP_WORDS[i+1]} in %s) "
				"((i + 1 < COMP_CWORD)) && cmd=\"$cmd "
				"${COMP_WORDS[i+1]}\" ;; esac ;;\n",
				(int)first_word_len(i), cli_verbs[i].name,
				subs);
	fputs("\t\tesac\n\t\tbreak\n\tdone\n\tcase $cmd in\n\t\"\") ", out);
	char words[512];
	size_t used = 0;
	for (size_t i = 0; i < cli_n_verbs; i++)
		if (first_of_word(i))
			used += (size_t)snprintf(
				words + used, sizeof(words) - used, "%.*s ",
				(int)first_word_len(i), cli_verbs[i].name);
	snprintf(words + used, sizeof(words) - used, "-c --help --version");
	complete_words(out, words);
	fputs(" ;;\n", out);
	for (size_t i = 0; i < cli_n_verbs; i++) {
		size_t n = group_of(i, " ", subs, sizeof(subs), &plain);
		if (n && !plain && first_of_word(i)) {
			fprintf(out, "\t%.*s) ", (int)first_word_len(i),
				cli_verbs[i].name);
			complete_words(out, subs);
			fputs(" ;;\n", out);
		}
		complete_verb(out, &cli_verbs[i], in_group(i) ? "" : subs);
	}
	fputs("\tesac\n}\ncomplete -F _qa_scheduler " PROGRAM "\n", out);
	return CLI_OK;
}

int cli_version(const struct cli_call *call)
{
	(void)call;
	puts(PROGRAM " " QA_VERSION);
	return CLI_OK;
}

/* ---- main ---- */

int cli_main(int argc, char **argv)
{
	const char *config_path = getenv("QA_SCHEDULER_CONFIG");
	if (!config_path || !*config_path)
		config_path = CONFIG_DEFAULT_PATH;
	int c;
	/* '+': options after the command belong to the command. */
	while ((c = getopt(argc, argv, "+c:hV")) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'h':
			print_usage(stdout);
			return CLI_OK;
		case 'V':
			puts(PROGRAM " " QA_VERSION);
			return CLI_OK;
		default:
			return verb_usage_error(NULL, "unknown option");
		}
	}
	if (optind >= argc) {
		print_usage(stderr);
		return CLI_USAGE;
	}
	int rest = argc - optind, words;
	char **words_at = argv + optind;
	const struct cli_verb *verb = find_verb(rest, words_at, &words);
	if (!verb) {
		char subs[256];
		if (group_words(words_at[0], subs, sizeof(subs)))
			return rest < 2 ? verb_usage_error(
						  NULL,
						  "%s needs a subcommand: %s",
						  words_at[0], subs)
					: verb_usage_error(NULL,
							   "%s: unknown "
							   "subcommand \"%s\"; "
							   "use %s",
							   words_at[0],
							   words_at[1], subs);
		return verb_usage_error(NULL, "unknown command \"%s\"",
					words_at[0]);
	}
	/* The verb's own argv: its last word first, as getopt wants. */
	int sub_argc = rest - words + 1;
	char **sub_argv = words_at + words - 1;
	if (wants_help(verb, sub_argc, sub_argv)) {
		print_verb_help(verb, stdout);
		return CLI_OK;
	}
	struct cli_call call = {.config_path = config_path};
	int rc = parse(verb, sub_argc, sub_argv, &call);
	if (rc != CLI_OK)
		return rc;
	return verb->run(&call);
}
