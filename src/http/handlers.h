/* handlers — every route's handler (h_oauth.c: protocol endpoints; h_admin.c,
 * h_admin_clients.c: the admin API). Each reads the request, calls the layer below and
 * writes the response; none holds rules of its own. */
#ifndef CLV_HTTP_HANDLERS_H
#define CLV_HTTP_HANDLERS_H

#include <stdbool.h>

#include "http/http.h"

/* Serialises the fixed documents once; false on allocation failure. */
bool clv_h_oauth_init(clv_app *app);
void clv_h_oauth_cleanup(void);

void clv_h_discovery_oidc(clv_req *r, clv_resp *resp);
void clv_h_discovery_oauth(clv_req *r, clv_resp *resp);
void clv_h_jwks(clv_req *r, clv_resp *resp);
void clv_h_healthz(clv_req *r, clv_resp *resp);
void clv_h_readyz(clv_req *r, clv_resp *resp);
void clv_h_token(clv_req *r, clv_resp *resp);
void clv_h_introspect(clv_req *r, clv_resp *resp);
void clv_h_revoke(clv_req *r, clv_resp *resp);

/* end-user flows: h_authorize.c, h_oidc.c, cors.c */
void clv_h_authorize(clv_req *r, clv_resp *resp);
void clv_h_authorize_post(clv_req *r, clv_resp *resp);
void clv_h_userinfo(clv_req *r, clv_resp *resp);
void clv_h_logout(clv_req *r, clv_resp *resp);
void clv_h_logout_post(clv_req *r, clv_resp *resp);
void clv_h_preflight(clv_req *r, clv_resp *resp);

void clv_h_tenants_create(clv_req *r, clv_resp *resp);
void clv_h_tenants_list(clv_req *r, clv_resp *resp);
void clv_h_tenant_get(clv_req *r, clv_resp *resp);
void clv_h_tenant_patch(clv_req *r, clv_resp *resp);

void clv_h_services_create(clv_req *r, clv_resp *resp);
void clv_h_services_list(clv_req *r, clv_resp *resp);
void clv_h_service_get(clv_req *r, clv_resp *resp);
void clv_h_service_patch(clv_req *r, clv_resp *resp);
void clv_h_service_delete(clv_req *r, clv_resp *resp);
void clv_h_service_approve(clv_req *r, clv_resp *resp);
void clv_h_service_activate(clv_req *r, clv_resp *resp);
void clv_h_service_deactivate(clv_req *r, clv_resp *resp);
void clv_h_service_restore(clv_req *r, clv_resp *resp);

void clv_h_clients_create(clv_req *r, clv_resp *resp);
void clv_h_clients_list(clv_req *r, clv_resp *resp);
void clv_h_client_get(clv_req *r, clv_resp *resp);
void clv_h_client_patch(clv_req *r, clv_resp *resp);
void clv_h_client_delete(clv_req *r, clv_resp *resp);
void clv_h_client_activate(clv_req *r, clv_resp *resp);
void clv_h_client_deactivate(clv_req *r, clv_resp *resp);
void clv_h_client_restore(clv_req *r, clv_resp *resp);
void clv_h_client_revoke_tokens(clv_req *r, clv_resp *resp);
void clv_h_secrets_list(clv_req *r, clv_resp *resp);
void clv_h_secrets_add(clv_req *r, clv_resp *resp);
void clv_h_secret_remove(clv_req *r, clv_resp *resp);

void clv_h_users_create(clv_req *r, clv_resp *resp);
void clv_h_users_list(clv_req *r, clv_resp *resp);
void clv_h_user_grants(clv_req *r, clv_resp *resp);
void clv_h_user_grant_revoke(clv_req *r, clv_resp *resp);
void clv_h_user_get(clv_req *r, clv_resp *resp);
void clv_h_user_patch(clv_req *r, clv_resp *resp);
void clv_h_user_delete(clv_req *r, clv_resp *resp);
void clv_h_audit_list(clv_req *r, clv_resp *resp);

/* h_register.c: dynamic registration (RFC 7591 / 7592), initial access tokens, test
 * tokens. */
void clv_h_register_create(clv_req *r, clv_resp *resp);
void clv_h_register_get(clv_req *r, clv_resp *resp);
void clv_h_register_put(clv_req *r, clv_resp *resp);
void clv_h_register_delete(clv_req *r, clv_resp *resp);
void clv_h_iat_create(clv_req *r, clv_resp *resp);
void clv_h_client_test_token(clv_req *r, clv_resp *resp);

/* Shared by the admin handlers (h_admin.c): authenticates the bearer admin token into p
 * (SPEC §2.2: a Clavis access token with scope admin whose client has role tenant_admin
 * or platform_admin right now). */
clv_code clv_h_admin_principal(clv_req *r, clv_principal *p, clv_err *err);
/* An admin action: id and id2 are the route's captured segments (or NULL), body the JSON
 * body (NULL when the route takes none); *out the JSON to send. */
typedef clv_code (*clv_h_admin_fn)(clv_app *app, const clv_principal *p, const char *id,
                                   const char *id2, const json_t *body, json_t **out,
                                   clv_err *err);

enum {
    CLV_H_BODY = 1,          /* a JSON object body is required */
    CLV_H_BODY_OPTIONAL = 2, /* a JSON object body, or none (read as {}) */
    CLV_H_NO_STORE = 4,      /* the answer shows a secret or token: Cache-Control: no-store */
    CLV_H_ETAG = 8           /* send the answer's "version" as its ETag */
};

/* Every admin handler's shape: authenticate the bearer, read the body, run fn, reply
 * with status (204: no body) or the problem. */
void clv_h_admin_run(clv_req *r, clv_resp *resp, clv_h_admin_fn fn, unsigned flags, int status);

/* Sends out (stolen) with status on CLV_OK (204 drops it), else the problem for err. */
void clv_h_admin_reply(clv_resp *resp, clv_code rc, int status, json_t *out, const clv_err *err);

/* Reads limit (1..100, default 50) and cursor. */
clv_code clv_h_page_params(clv_req *r, int *limit, const char **cursor, clv_err *err);
/* Reads the query parameter `name` ("status", "effective_status": active | inactive |
 * deleted) into *out; -1 when absent; CLV_INVALID naming it otherwise. */
clv_code clv_h_status_param(clv_req *r, const char *name, int *out, clv_err *err);

#endif
