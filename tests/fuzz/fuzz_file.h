/* The fuzzers whose parser reads a file: the input written to a file of this
 * process's own (in $TMPDIR), rewritten for every input. */
#ifndef QA_FUZZ_FILE_H
#define QA_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The path of this process's input file with the given extension. */
static inline const char *fuzz_path(const char *ext)
{
	static char path[256];
	if (!path[0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(path, sizeof(path), "%s/qa-fuzz-%ld%s",
			 dir ? dir : "/tmp", (long)getpid(), ext);
	}
	return path;
}

/* Write data to fuzz_path(ext); abort when that fails (the machine's
 * fault, not the parser's). */
static inline const char *fuzz_write(const uint8_t *data, size_t size,
				     const char *ext)
{
	const char *path = fuzz_path(ext);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	return path;
}

#endif
