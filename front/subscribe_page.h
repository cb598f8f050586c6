/* subscribe_page: GET /feeds/<token> without ".ics" (SPEC section 6), what
 * a person gets who opens their feed URL in a browser: whose calendar it
 * is, its next items (read back from the feed itself), and how to
 * subscribe: webcal:// for Apple, Thunderbird and Outlook on the desktop,
 * Google Calendar's and Outlook on the web's add-by-URL links, and the
 * plain address to copy, each with how often that client looks again. */
#ifndef QA_SUBSCRIBE_PAGE_H
#define QA_SUBSCRIBE_PAGE_H

#include <event2/http.h>

#include "app.h"
#include "feed_cache.h"
#include "http.h"

/* Answer req with the page of the feed body (the token's, as served). */
void subscribe_page_send(struct evhttp_request *req, struct app *app,
			 const struct feed_body *body, const char *token);

#endif
