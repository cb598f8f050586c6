#include "token.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

static const char *const kind_names[] = {"staff", "team", "manager", "admin"};

const char *token_kind_name(enum token_kind kind)
{
	return kind_names[kind];
}

static int kind_from_name(const char *name, enum token_kind *kind)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(kind_names[i], name) == 0) {
			*kind = (enum token_kind)i;
			return 0;
		}
	return -1;
}

bool token_text_valid(const char *text, size_t len)
{
	if (len != TOKEN_TEXT_LEN)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

void token_hash(const char *text, size_t len,
		unsigned char hash[TOKEN_HASH_SIZE])
{
	crypto_generichash(hash, TOKEN_HASH_SIZE, (const unsigned char *)text,
			   len, NULL, 0);
}

int token_revoke(sqlite3 *db, enum token_kind kind, const char *subject,
		 time_t now)
{
	static const char sql[] =
		"UPDATE feed_tokens SET revoked_at = ?3 WHERE kind = ?1"
		" AND subject = ?2 AND revoked_at IS NULL";
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, token_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		goto out;
	rc = sqlite3_changes(db) > 0 ? 1 : 0;
out:
	if (rc < 0)
		log_err("token: cannot revoke: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

int token_issue(sqlite3 *db, enum token_kind kind, const char *subject,
		time_t now, char text[TOKEN_TEXT_SIZE])
{
	static const char sql[] = "INSERT INTO feed_tokens (kind, subject, "
				  "token_hash, created_at)"
				  " VALUES (?1, ?2, ?3, ?4)";
	unsigned char secret[32];
	unsigned char hash[TOKEN_HASH_SIZE];
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sodium_init() < 0) {
		log_err("token: libsodium cannot start; no random source");
		return -1;
	}
	if (token_revoke(db, kind, subject, now) < 0)
		return -1;
	randombytes_buf(secret, sizeof(secret));
	sodium_bin2base64(text, TOKEN_TEXT_SIZE, secret, sizeof(secret),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(secret, sizeof(secret));
	token_hash(text, TOKEN_TEXT_LEN, hash);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, token_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 3, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
out:
	if (rc) {
		log_err("token: cannot store: %s", sqlite3_errmsg(db));
		sodium_memzero(text, TOKEN_TEXT_SIZE);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int token_live(sqlite3 *db, enum token_kind kind, const char *subject,
	       time_t *issued_at)
{
	static const char sql[] =
		"SELECT created_at FROM feed_tokens WHERE kind = ?1"
		" AND subject = ?2 AND revoked_at IS NULL";
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, token_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, subject, -1, SQLITE_STATIC);
	int step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		*issued_at = (time_t)sqlite3_column_int64(stmt, 0);
		rc = 1;
	} else if (step == SQLITE_DONE) {
		rc = 0;
	}
out:
	if (rc < 0)
		log_err("token: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

int token_find(sqlite3 *db, const unsigned char hash[TOKEN_HASH_SIZE],
	       enum token_kind *kind, char **subject)
{
	/* Kept prepared: every feed rendered starts here. */
	static const char sql[] =
		DB_KEPT "SELECT kind, subject, token_hash FROM feed_tokens"
			" WHERE token_hash = ?1 AND revoked_at IS NULL";
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	*subject = NULL;
	if (db_prepare_kept(db, sql, &stmt))
		goto out;
	sqlite3_bind_blob(stmt, 1, hash, TOKEN_HASH_SIZE, SQLITE_STATIC);
	int step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		rc = 0;
		goto out;
	}
	if (step != SQLITE_ROW)
		goto out;
	/* The index found it by equality already; comparing again in
	 * constant time costs nothing and does not depend on how SQLite
	 * compares blobs. */
	const void *stored = sqlite3_column_blob(stmt, 2);
	if (sqlite3_column_bytes(stmt, 2) != TOKEN_HASH_SIZE ||
	    sodium_memcmp(stored, hash, TOKEN_HASH_SIZE) != 0 ||
	    kind_from_name((const char *)sqlite3_column_text(stmt, 0), kind)) {
		rc = 0;
		goto out;
	}
	*subject = strdup((const char *)sqlite3_column_text(stmt, 1));
	rc = *subject ? 1 : -1;
out:
	if (rc < 0)
		log_err("token: %s", sqlite3_errmsg(db));
	db_release_kept(stmt);
	return rc;
}

int token_form_key(sqlite3 *db, unsigned char key[TOKEN_HASH_SIZE])
{
	static const char read_sql[] =
		"SELECT value FROM meta WHERE key = 'form_key'";
	static const char write_sql[] = "INSERT OR IGNORE INTO meta (key, "
					"value) VALUES ('form_key', ?1)";
	unsigned char fresh[TOKEN_HASH_SIZE];
	char hex[2 * TOKEN_HASH_SIZE + 1];
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sodium_init() < 0)
		goto out;
	/* Made and kept at most once, whoever asks first. */
	randombytes_buf(fresh, sizeof(fresh));
	sodium_bin2hex(hex, sizeof(hex), fresh, sizeof(fresh));
	if (sqlite3_prepare_v2(db, write_sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, hex, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		goto out;
	sqlite3_finalize(stmt);
	if (sqlite3_prepare_v2(db, read_sql, -1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW)
		goto out;
	const char *kept = (const char *)sqlite3_column_text(stmt, 0);
	size_t len = 0;
	if (kept &&
	    sodium_hex2bin(key, TOKEN_HASH_SIZE, kept, strlen(kept), NULL, &len,
			   NULL) == 0 &&
	    len == TOKEN_HASH_SIZE)
		rc = 0;
out:
	if (rc)
		log_err("token: the form secret: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	sodium_memzero(fresh, sizeof(fresh));
	return rc;
}

void token_form(const unsigned char key[TOKEN_HASH_SIZE], const void *binding,
		size_t len, char out[TOKEN_TEXT_SIZE])
{
	unsigned char mac[32];
	crypto_generichash(mac, sizeof(mac), binding, len, key,
			   TOKEN_HASH_SIZE);
	sodium_bin2base64(out, TOKEN_TEXT_SIZE, mac, sizeof(mac),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool token_form_valid(const unsigned char key[TOKEN_HASH_SIZE],
		      const void *binding, size_t len, const char *text)
{
	char want[TOKEN_TEXT_SIZE];
	token_form(key, binding, len, want);
	return text && strlen(text) == TOKEN_TEXT_LEN &&
	       sodium_memcmp(want, text, TOKEN_TEXT_LEN) == 0;
}
