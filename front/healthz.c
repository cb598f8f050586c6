#include "healthz.h"

#include <pthread.h>
#include <stdio.h>

static void handle_healthz(struct evhttp_request *req, const char *path,
			   struct http_loop *loop, void *arg)
{
	(void)path;
	struct app *app = arg;
	char why[256];
	pthread_rwlock_rdlock(&app->conf_lock);
	int health = app_health(app, http_loop_db(loop), why, sizeof(why));
	pthread_rwlock_unlock(&app->conf_lock);
	if (health == 0) {
		http_send_text(req, HTTP_OK, "OK", "ok\n");
		return;
	}
	char body[300];
	snprintf(body, sizeof(body), "unhealthy: %s\n", why);
	http_send_text(req, HTTP_SERVUNAVAIL, "Service Unavailable", body);
}

struct http_route healthz_route(struct app *app)
{
	return (struct http_route){.path = "/healthz",
				   .handle = handle_healthz,
				   .arg = app,
				   .read_only = true};
}
