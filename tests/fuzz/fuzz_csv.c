/* libFuzzer target: arbitrary bytes as a CSV file (staff, completions)
 * through csv_read_file, the one CSV reader. Checked for every input: 0
 * with no problem or -1 with one naming the file; records' lines rise and
 * lie within the file; no field is NULL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "errlist.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write(data, size, ".csv");
	struct csv_table table;
	struct errlist errs = {0};
	int rc = csv_read_file(path, &table, &errs);
	if (rc == 0 && errs.n)
		abort();
	if (rc != 0 && errs.n == 0)
		abort(); /* out of memory is logged; fuzzing never runs out */
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' ||
			 (data[i] == '\r' &&
			  (i + 1 == size || data[i + 1] != '\n'));
	unsigned last = 0;
	for (size_t r = 0; rc == 0 && r < table.n; r++) {
		const struct csv_record *rec = &table.records[r];
		if (rec->line <= last || rec->line > lines)
			abort();
		last = rec->line;
		for (size_t f = 0; f < rec->nfields; f++)
			if (!rec->fields[f])
				abort();
	}
	csv_table_done(&table);
	errlist_done(&errs);
	return 0;
}
