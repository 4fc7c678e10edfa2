/* router — maps a method and path to a handler; captured {id} segments become params. */
#ifndef CLV_HTTP_ROUTER_H
#define CLV_HTTP_ROUTER_H

#include "http/http.h"

typedef void (*clv_handler)(clv_req *r, clv_resp *resp);

/* Finds the route and runs its handler; 404 for no path, 405 for a path without the
 * method. Admin paths answer problem+json, the others RFC 6749 JSON. */
void clv_router_dispatch(clv_req *r, clv_resp *resp);

/* Records captured path segment i (called by the router; seg is NUL-terminated and must
 * live as long as the request). */
void clv_req_set_param(clv_req *r, int i, const char *seg);

enum { CLV_PATH_MAX = 2048 };

/* The endpoints /metrics counts requests by (core/metrics.h): one per distinct route pattern
 * (each '*' written "{id}": a bounded set, never a raw path), then "other" for a path no
 * route has. clv_router_init makes them, once, before the server starts. */
void clv_router_init(void);
size_t clv_router_endpoint_count(void);
const char *clv_router_endpoint_name(size_t i);
/* The endpoint called name (e.g. "/metrics"); "other"'s when none is. */
size_t clv_router_endpoint_of(const char *name);
/* Records the endpoint of the matched route (called by the router). */
void clv_req_set_endpoint(clv_req *r, unsigned endpoint);

/* A CLV_PATH_MAX-byte buffer that lives as long as the request, for the router. */
char *clv_req_path_buf(clv_req *r);

#endif
