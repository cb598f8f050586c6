/* token: the secrets in feed and manager-page URLs (SPEC section 6).
 *
 * A token is 32 random bytes from the OS (libsodium), written as 43
 * characters of base64url. Only its BLAKE2b-256 hash is stored, so a copy of
 * the database does not open anyone's feed; a token is shown once, when it
 * is issued. One live token per (kind, subject); rotating issues a new one
 * and the old one stops working at once. */
#ifndef QA_TOKEN_H
#define QA_TOKEN_H

#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

#define TOKEN_TEXT_LEN 43
#define TOKEN_TEXT_SIZE (TOKEN_TEXT_LEN + 1)
#define TOKEN_HASH_SIZE 32

enum token_kind { TOKEN_STAFF, TOKEN_TEAM, TOKEN_MANAGER, TOKEN_ADMIN };

/* "staff", "team", "manager", "admin". */
const char *token_kind_name(enum token_kind kind);

/* Is text shaped like a token (43 base64url characters)? Checked before
 * anything else so a hostile path never reaches the database. */
bool token_text_valid(const char *text, size_t len);

/* The stored hash of a token's text. */
void token_hash(const char *text, size_t len,
		unsigned char hash[TOKEN_HASH_SIZE]);

/* Revoke the live token of (kind, subject), if any, and issue a new one;
 * its text goes to text. Inside the caller's transaction. 0 or -1. */
int token_issue(sqlite3 *db, enum token_kind kind, const char *subject,
		time_t now, char text[TOKEN_TEXT_SIZE]);

/* Revoke the live token of (kind, subject). Returns 1 if there was one, 0 if
 * not, -1 on error. */
int token_revoke(sqlite3 *db, enum token_kind kind, const char *subject,
		 time_t now);

/* When the live token of (kind, subject) was issued: 1 and *issued_at, 0
 * when there is none, -1 on error. */
int token_live(sqlite3 *db, enum token_kind kind, const char *subject,
	       time_t *issued_at);

/* Find the live token whose hash is hash: 1 with its kind and subject (a
 * malloc'd copy), 0 when unknown or revoked, -1 on error. The stored hash is
 * compared in constant time. */
int token_find(sqlite3 *db, const unsigned char hash[TOKEN_HASH_SIZE],
	       enum token_kind *kind, char **subject);

/* Forms (the manager's page) carry a token of their own against cross-site
 * requests: BLAKE2b, keyed with a secret of the database's, over what the
 * page is for (a manager token's hash), so another page's, or a rotated
 * token's, is refused. */

/* The form secret: 32 random bytes kept in the database (meta 'form_key'),
 * made by the first call; inside the caller's transaction or none. 0, or
 * -1 (logged). */
int token_form_key(sqlite3 *db, unsigned char key[TOKEN_HASH_SIZE]);

/* The form token for binding, as 43 characters of base64url. */
void token_form(const unsigned char key[TOKEN_HASH_SIZE], const void *binding,
		size_t len, char out[TOKEN_TEXT_SIZE]);

/* Is text the form token for binding? Compared in constant time. */
bool token_form_valid(const unsigned char key[TOKEN_HASH_SIZE],
		      const void *binding, size_t len, const char *text);

#endif
