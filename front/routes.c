#include "routes.h"

#include "api.h"
#include "feed_http.h"
#include "healthz.h"
#include "manager_page.h"
#include "metrics.h"

size_t routes_of(struct app *app, struct http_route *routes)
{
	size_t n = 0;
	routes[n++] = feed_http_route(app);    /* /feeds/<token>.ics */
	routes[n++] = healthz_route(app);      /* /healthz */
	routes[n++] = metrics_route(app);      /* /metrics */
	routes[n++] = manager_page_route(app); /* /manager/<token> */
	routes[n++] = manager_sso_route(app);  /* /manager, signed on */
	routes[n++] = api_route(app);          /* /api/v1/... */
	return n;
}
