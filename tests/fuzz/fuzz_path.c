/* libFuzzer target: arbitrary bytes as the request target of an HTTP
 * request line ("GET <target> HTTP/1.1"), taken as the daemon takes it:
 * libevent's parser with the flags evhttp uses (EVHTTP_URI_NONCONFORMANT),
 * then the daemon's own route table (routes_of) chooses a route by the
 * path (http_route_of), a token is taken from it (http_path_token) and the
 * query is split into fields as the manager's page and the API do.
 * Checked for every input: the route chosen is the first whose path is the
 * request's (or, ending in '/', begins it) and none is chosen when none
 * does; a token is found exactly when the path is prefix, 43 base64url
 * characters and suffix, and it lies inside the path; nothing leaks (ASan). */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"
#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool matches(const char *route, const char *path)
{
	size_t len = strlen(route);
	return route[len - 1] == '/' ? strncmp(path, route, len) == 0
				     : strcmp(path, route) == 0;
}

/* The token rule written out again, character by character. */
static bool is_token_path(const char *path, const char *prefix,
			  const char *suffix)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t pre = strlen(prefix), suf = strlen(suffix), len = strlen(path);
	if (len != pre + TOKEN_TEXT_LEN + suf || memcmp(path, prefix, pre) ||
	    memcmp(path + len - suf, suffix, suf))
		return false;
	for (size_t i = pre; i < pre + TOKEN_TEXT_LEN; i++)
		if (!strchr(alphabet, path[i]))
			return false;
	return true;
}

static void check_token(const char *path, const char *prefix,
			const char *suffix)
{
	const char *token = http_path_token(path, prefix, suffix);
	if ((token != NULL) != is_token_path(path, prefix, suffix))
		abort();
	if (token && token != path + strlen(prefix))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A request line holds no NUL, CR, LF or space: evhttp splits it on
	 * spaces and lines; what is left is the target. */
	char *target = malloc(size + 1);
	if (!target)
		return 0;
	memcpy(target, data, size);
	target[size] = '\0';
	if (strlen(target) != size || strpbrk(target, " \r\n")) {
		free(target);
		return 0;
	}
	struct evhttp_uri *uri =
		evhttp_uri_parse_with_flags(target, EVHTTP_URI_NONCONFORMANT);
	free(target);
	if (!uri)
		return 0; /* evhttp answers 400 before any route */
	const char *path = evhttp_uri_get_path(uri);

	struct http_route routes[HTTP_MAX_ROUTES];
	size_t n = routes_of(NULL, routes); /* paths only: no handler runs */
	size_t chosen = http_route_of(routes, n, path);
	if (!path) {
		if (chosen != n)
			abort();
	} else {
		for (size_t i = 0; i < n; i++) {
			bool m = matches(routes[i].path, path);
			if (i < chosen && m)
				abort(); /* an earlier route matched */
			if (i == chosen && !m)
				abort();
		}
		check_token(path, "/feeds/", ".ics");
		check_token(path, "/feeds/", "");
		check_token(path, "/manager/", "");
	}

	const char *query = evhttp_uri_get_query(uri);
	if (query) {
		struct evkeyvalq fields = {NULL, &fields.tqh_first};
		if (evhttp_parse_query_str(query, &fields) == 0)
			for (struct evkeyval *kv = fields.tqh_first; kv;
			     kv = kv->next.tqe_next)
				if (!kv->key || !kv->value)
					abort();
		evhttp_clear_headers(&fields);
	}
	evhttp_uri_free(uri);
	return 0;
}
