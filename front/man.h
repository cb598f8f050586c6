/* man: the manual pages qa-scheduler(1) and qa-scheduler.conf(5), written
 * from the command table (cli_table.c) and the config key table
 * (config_describe), so that they cannot drift from the program. */
#ifndef QA_MAN_H
#define QA_MAN_H

#include <stdio.h>

/* Write page 1 or 5 as roff. 0, or -1 for another section or a write
 * error. */
int man_write(FILE *out, int section, const char *version, const char *date);

#endif
