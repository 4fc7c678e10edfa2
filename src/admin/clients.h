/* clients — the admin API's client management (docs/DESIGN.md I2, docs/API.md): create, list, get,
 * update, lifecycle (activate, deactivate, delete, restore), revoke-tokens, and secrets.
 *
 * The operations the API routes to are clv_admin_fns (admin/operation.h), each reading the
 * members of its args named beside it. Every function checks that the principal may see
 * the client's tenant (a foreign or missing client is CLV_NOT_FOUND), writes its change
 * and its audit event in one transaction, and returns the client's JSON in *out (new
 * reference) on CLV_OK. */
#ifndef CLV_ADMIN_CLIENTS_H
#define CLV_ADMIN_CLIENTS_H

#include <jansson.h>

#include "admin/operation.h"
#include "base/err.h"
#include "core/app.h"
#include "store/store.h"

typedef enum {
    CLV_CLIENT_ACTIVATE,
    CLV_CLIENT_DEACTIVATE,
    CLV_CLIENT_DELETE,
    CLV_CLIENT_RESTORE
} clv_client_action;

/* body: the client JSON. Confidential and m2m clients come back with "client_secret" (the
 * plaintext, only here) and "secret" (its metadata). */
clv_code clv_admin_client_create(clv_app *app, const clv_admin_args *args, json_t **out,
                                 clv_err *err);
/* cursor, limit; query status, effective_status, type (CLV_INVALID naming the parameter
 * for a bad value), service_id, tenant_id (forced to the principal's tenant for tenant
 * admins), q. *out is a page {"items": […], "next_cursor": …}. */
clv_code clv_admin_client_list(clv_app *app, const clv_admin_args *args, json_t **out,
                               clv_err *err);
/* id: the client_id. *out carries "version", the client's ETag. */
clv_code clv_admin_client_get(clv_app *app, const clv_admin_args *args, json_t **out,
                              clv_err *err);
/* id; body: the patch; if_match: the versions the caller saw (CLV_PRECONDITION when the
 * client's is not one of them). *out carries the new "version". */
clv_code clv_admin_client_patch(clv_app *app, const clv_admin_args *args, json_t **out,
                                clv_err *err);
/* id; action: a clv_client_action. Protected clients refuse deactivate and delete with
 * CLV_CONFLICT (docs/DESIGN.md R5). */
clv_code clv_admin_client_action(clv_app *app, const clv_admin_args *args, json_t **out,
                                 clv_err *err);
/* id. *out is {"revoked": N}. */
clv_code clv_admin_client_revoke_tokens(clv_app *app, const clv_admin_args *args, json_t **out,
                                        clv_err *err);

/* id: the client_id. */
clv_code clv_admin_secret_list(clv_app *app, const clv_admin_args *args, json_t **out,
                               clv_err *err);
/* id; body: {"description"?, "expires_at"? (RFC 3339 or null = never)}. */
clv_code clv_admin_secret_add(clv_app *app, const clv_admin_args *args, json_t **out,
                              clv_err *err);
/* id: the client_id, id2: the secret_id. *out stays NULL. */
clv_code clv_admin_secret_remove(clv_app *app, const clv_admin_args *args, json_t **out,
                                 clv_err *err);

/* Fetches a client the principal may see (a foreign one is CLV_NOT_FOUND, like a missing
 * one, so that ids of other tenants cannot be probed). *out owned by the caller. */
clv_code clv_admin_client_visible(clv_app *app, const clv_principal *p, const char *client_id,
                                  clv_client **out, clv_err *err);

/* As clv_admin_client_visible, for a change: a client holding the platform_admin role is
 * CLV_FORBIDDEN to anyone but a platform admin. */
clv_code clv_admin_client_writable(clv_app *app, const clv_principal *p, const char *client_id,
                                   clv_client **out, clv_err *err);

#endif
