/* libFuzzer target: arbitrary bytes as a bank holiday calendar (.ics)
 * through holidays_load (libical underneath). Checked for every input: 0
 * with no problem or -1 with one naming the file; the days are sorted and
 * unique, and each is found by holidays_contains and is no working day. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config_value.h"
#include "errlist.h"
#include "fuzz_file.h"
#include "holidays.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = strdup(fuzz_write(data, size, ".ics"));
	struct config_list files = {.items = &path, .n = 1};
	struct holidays h;
	struct errlist errs = {0};
	int rc = holidays_load(&files, &h, &errs);
	if ((rc == 0) != (errs.n == 0))
		abort();
	for (size_t i = 0; i < errs.n; i++)
		if (!strstr(errs.msgs[i], path))
			abort();
	for (size_t i = 0; i < h.n; i++) {
		if ((i && h.days[i] <= h.days[i - 1]) ||
		    !holidays_contains(&h, h.days[i]) ||
		    holidays_is_working_day(&h, h.days[i]))
			abort();
	}
	holidays_done(&h);
	errlist_done(&errs);
	free(path);
	return 0;
}
