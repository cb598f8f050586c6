/* libFuzzer target: arbitrary bytes as qa-scheduler.conf through
 * config_load, the whole reader (syntax, every key's value, the activity
 * sections). Checked for every input: it returns 0 with no problem or -1
 * with at least one, each "PATH:LINE: ..." (or "PATH: ..."), and what it
 * read is freed without a leak (ASan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "errlist.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write(data, size, ".conf");
	struct config cfg;
	struct errlist errs = {0};
	int rc = config_load(path, &cfg, &errs);
	if ((rc == 0) != (errs.n == 0))
		abort();
	for (size_t i = 0; i < errs.n; i++)
		if (strncmp(errs.msgs[i], path, strlen(path)) != 0 ||
		    errs.msgs[i][strlen(path)] != ':')
			abort(); /* every problem names the file */
	config_done(&cfg);
	errlist_done(&errs);
	return 0;
}
