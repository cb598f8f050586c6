/* qa-scheduler-man SECTION VERSION DATE: write qa-scheduler(1) or
 * qa-scheduler.conf(5) to standard output (the build runs it; it is not
 * installed). */
#include <stdio.h>
#include <stdlib.h>

#include "man.h"

int main(int argc, char **argv)
{
	if (argc != 4) {
		fputs("usage: qa-scheduler-man 1|5 VERSION DATE\n", stderr);
		return 2;
	}
	return man_write(stdout, atoi(argv[1]), argv[2], argv[3]) ? 1 : 0;
}
