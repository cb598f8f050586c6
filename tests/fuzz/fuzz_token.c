/* libFuzzer target: arbitrary bytes as the token in /feeds/<token>.ics,
 * /manager/<token> and "Authorization: Bearer <token>". token_text_valid
 * is what stands between a hostile path and the database: checked against
 * its definition (exactly 43 base64url characters), and a valid one hashes
 * the same twice, an invalid one is never looked up. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
		"opqrstuvwxyz0123456789-_";
	bool want = size == TOKEN_TEXT_LEN;
	for (size_t i = 0; want && i < size; i++)
		want = data[i] && strchr(alphabet, data[i]);
	if (token_text_valid((const char *)data, size) != want)
		abort();
	if (want) {
		unsigned char a[TOKEN_HASH_SIZE], b[TOKEN_HASH_SIZE];
		token_hash((const char *)data, size, a);
		token_hash((const char *)data, size, b);
		if (memcmp(a, b, sizeof(a)) != 0)
			abort();
	}
	return 0;
}
