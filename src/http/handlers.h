/* handlers — every route's handler (h_oauth.c: protocol endpoints; h_authorize.c,
 * h_oidc.c: the end-user flows; h_register.c: dynamic registration) and the one runner of
 * the admin API's routes (h_admin.c). Each reads the request, calls the layer below and
 * writes the response; none holds rules of its own. */
#ifndef CLV_HTTP_HANDLERS_H
#define CLV_HTTP_HANDLERS_H

#include <stdbool.h>

#include "admin/operation.h"
#include "http/http.h"

/* Serialises the fixed documents once; false on allocation failure. */
bool clv_h_oauth_init(clv_app *app);
void clv_h_oauth_cleanup(void);

void clv_h_discovery_oidc(clv_req *r, clv_resp *resp);
void clv_h_discovery_oauth(clv_req *r, clv_resp *resp);
void clv_h_jwks(clv_req *r, clv_resp *resp);
void clv_h_healthz(clv_req *r, clv_resp *resp);
void clv_h_readyz(clv_req *r, clv_resp *resp);
/* h_metrics.c: GET /metrics (Prometheus text format 0.0.4, docs/OPERATIONS.md "Metrics");
 * 404 on the listen address when the metrics have their own (--metrics-listen), where
 * clv_h_metrics_serve answers. */
void clv_h_metrics(clv_req *r, clv_resp *resp);
void clv_h_metrics_serve(clv_req *r, clv_resp *resp);
void clv_h_token(clv_req *r, clv_resp *resp);
void clv_h_introspect(clv_req *r, clv_resp *resp);
void clv_h_revoke(clv_req *r, clv_resp *resp);

/* end-user flows: h_authorize.c, h_oidc.c, cors_headers.c */
void clv_h_authorize(clv_req *r, clv_resp *resp);
void clv_h_authorize_post(clv_req *r, clv_resp *resp);
void clv_h_userinfo(clv_req *r, clv_resp *resp);
void clv_h_logout(clv_req *r, clv_resp *resp);
void clv_h_logout_post(clv_req *r, clv_resp *resp);
void clv_h_preflight(clv_req *r, clv_resp *resp);

/* h_register.c: dynamic registration (RFC 7591 / 7592). */
void clv_h_register_create(clv_req *r, clv_resp *resp);
void clv_h_register_get(clv_req *r, clv_resp *resp);
void clv_h_register_put(clv_req *r, clv_resp *resp);
void clv_h_register_delete(clv_req *r, clv_resp *resp);

/* ---- the admin API (h_admin.c) ----
 * Every admin route is one row of router.c's table: its method and path, the admin
 * operation it calls (a clv_admin_fn, admin/operation.h) and a clv_h_admin_route saying what
 * the one runner, clv_h_admin_run, reads from the request and how it answers. */

/* Authenticates the bearer admin token into p (docs/DESIGN.md I2: a Clavis access token with scope
 * admin whose client has role tenant_admin or platform_admin right now). */
clv_code clv_h_admin_principal(clv_req *r, clv_principal *p, clv_err *err);

enum {
    CLV_H_BODY = 1,          /* a JSON object body is required */
    CLV_H_BODY_OPTIONAL = 2, /* a JSON object body, or none (read as {}) */
    CLV_H_NO_STORE = 4,      /* the answer shows a secret or token: Cache-Control: no-store */
    CLV_H_ETAG = 8,          /* send the answer's "version" as its ETag */
    CLV_H_PAGE = 16,         /* reads limit (1..100, default 50) and cursor */
    CLV_H_IF_MATCH = 32      /* honours If-Match (RFC 9110 §13.1.1) as args.if_match */
};

/* What an admin route does around its operation. */
typedef struct {
    clv_admin_fn fn;
    unsigned flags; /* CLV_H_* */
    int status;     /* of a success; 204 sends no body */
    int action;     /* handed to fn as args.action (a lifecycle step), else 0 */
    const char *query[CLV_ADMIN_QUERY_MAX]; /* the query parameters fn reads, NULL-ended */
} clv_h_admin_route;

/* Runs an admin route: authenticates the bearer, reads what route asks for into a
 * clv_admin_args (the path's segments as id and id2), calls route->fn and answers with
 * route->status, or the problem+json of the failure. */
void clv_h_admin_run(clv_req *r, clv_resp *resp, const clv_h_admin_route *route);

/* Parses an If-Match header (RFC 9110 §13.1.1) into *m: "*" is any version; otherwise the
 * versions of the strong tags "N" (or bare N) it lists, others never matching.
 * m->versions is malloc'd: clv_h_if_match_cleanup after, on any code. CLV_NOMEM only. */
clv_code clv_h_if_match_parse(const char *header, clv_version_match *m, clv_err *err);
void clv_h_if_match_cleanup(clv_version_match *m);

#endif
