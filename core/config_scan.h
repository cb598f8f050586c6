/* config_scan: the INI syntax of the config file, line by line.
 *
 * The grammar is the one 0.1.0 read with inih, so every file means what it
 * meant; it is written out here, and inih is no longer used, because
 * Debian's inih (built with INI_HANDLER_LINENO 0) tells its handler nothing
 * about lines and reports only the first bad line (SPEC section 12): every
 * bad line must be reported with its number, and judging lines ahead of
 * inih meant two scanners of one grammar.
 *
 *  - Lines end at '\n'. Each is trimmed of white space at both ends (a CR
 *    before the '\n' included), so a value never continues on the next line
 *    and an indented key is a key. A UTF-8 byte order mark opening the file
 *    is skipped.
 *  - A blank line, or one starting with ';' or '#', is a comment, of any
 *    length.
 *  - "[name]" opens a section. The name is what lies between the brackets,
 *    as written (not trimmed), 1 to CONFIG_SCAN_SECTION_MAX characters; a
 *    comment may follow the ']', nothing else may.
 *  - "key = value" (or "key: value") under a section: the key is the text
 *    before the first '=' or ':', trimmed; the value the rest, trimmed,
 *    ending where a ';' follows white space (an inline comment). So
 *    "a = x;y" is "x;y" and "a = x ;y" is "x".
 *  - Any other line, other than a comment, is an error; so is a line over
 *    CONFIG_SCAN_LINE_MAX characters after trimming (refused whole, never
 *    cut into two), and a line holding a NUL byte.
 *
 * The scanner judges syntax only; what the sections and keys mean is the
 * caller's (config.c). */
#ifndef QA_CONFIG_SCAN_H
#define QA_CONFIG_SCAN_H

#include <stdbool.h>
#include <stdio.h>

/* The longest line (trimmed) and section name read, as 0.1.0 read them
 * (inih's buffers then): a config valid in one release is valid in all. */
#define CONFIG_SCAN_LINE_MAX 198
#define CONFIG_SCAN_SECTION_MAX 49
/* A config file is a few kilobytes. The cap stops a wrong -c (a log, a
 * device) from being read for ever. */
#define CONFIG_SCAN_MAX_BYTES (1024 * 1024)

struct config_scan_ops {
	/* A section header on line. Returns true to take the keys under it;
	 * false skips them (the callback reported why: its keys would only
	 * cascade into more errors). */
	bool (*section)(void *user, int line, const char *name);
	/* A key and its value under a section that was taken. */
	void (*pair)(void *user, int line, const char *key, const char *value);
	/* A line that breaks the syntax (line >= 1), or the file as a whole
	 * (line 0: unreadable, or too large to be a config file). */
	void (*error)(void *user, int line, const char *message);
};

/* Read file to its end, calling ops in file order; a key or section that
 * breaks the syntax is reported and the scan goes on. Returns 0 when the
 * whole file was read, -1 when it could not be (reported with line 0). */
int config_scan(FILE *file, const struct config_scan_ops *ops, void *user);

#endif
