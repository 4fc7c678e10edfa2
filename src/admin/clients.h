/* clients — the admin API's client management (SPEC §2.2, §4): create, list, get, update,
 * lifecycle (activate, deactivate, delete, restore), revoke-tokens, and secrets.
 *
 * Every function checks that the principal may see the client's tenant (a foreign or
 * missing client is CLV_NOT_FOUND), writes its change and its audit event in one
 * transaction, and returns the client's JSON in *out (new reference) on CLV_OK. */
#ifndef CLV_ADMIN_CLIENTS_H
#define CLV_ADMIN_CLIENTS_H

#include <jansson.h>

#include "base/err.h"
#include "core/app.h"
#include "store/store.h"

typedef enum {
    CLV_CLIENT_ACTIVATE,
    CLV_CLIENT_DEACTIVATE,
    CLV_CLIENT_DELETE,
    CLV_CLIENT_RESTORE
} clv_client_action;

/* Creates from a JSON body; confidential and m2m clients come back with "client_secret"
 * (the plaintext, only here) and "secret" (its metadata). */
clv_code clv_admin_client_create(clv_app *app, const clv_principal *p, const json_t *body,
                                 json_t **out, clv_err *err);
/* f->tenant_id is forced to the principal's tenant for tenant admins. *out is a page
 * {"items": […], "next_cursor": …}. */
clv_code clv_admin_client_list(clv_app *app, const clv_principal *p, clv_client_filter *f,
                               json_t **out, clv_err *err);
/* *version (may be NULL) receives the version for the ETag. */
clv_code clv_admin_client_get(clv_app *app, const clv_principal *p, const char *client_id,
                              json_t **out, int64_t *version, clv_err *err);
/* if_match: NULL, or the ETag the caller saw ("\"7\"" or "7"); a stale one is
 * CLV_PRECONDITION. */
clv_code clv_admin_client_patch(clv_app *app, const clv_principal *p, const char *client_id,
                                const json_t *patch, const char *if_match, json_t **out,
                                int64_t *version, clv_err *err);
/* Protected clients refuse deactivate and delete with CLV_CONFLICT (SPEC §5.5). */
clv_code clv_admin_client_action(clv_app *app, const clv_principal *p, const char *client_id,
                                 clv_client_action action, json_t **out, clv_err *err);
/* *out is {"revoked": N}. */
clv_code clv_admin_client_revoke_tokens(clv_app *app, const clv_principal *p,
                                        const char *client_id, json_t **out, clv_err *err);

clv_code clv_admin_secret_list(clv_app *app, const clv_principal *p, const char *client_id,
                               json_t **out, clv_err *err);
/* body: {"description"?, "expires_at"? (RFC 3339 or null = never)}. */
clv_code clv_admin_secret_add(clv_app *app, const clv_principal *p, const char *client_id,
                              const json_t *body, json_t **out, clv_err *err);
clv_code clv_admin_secret_remove(clv_app *app, const clv_principal *p, const char *client_id,
                                 const char *secret_id, clv_err *err);

/* Fetches a client the principal may see (a foreign one is CLV_NOT_FOUND, like a missing
 * one, so that ids of other tenants cannot be probed). *out owned by the caller. */
clv_code clv_admin_client_visible(clv_app *app, const clv_principal *p, const char *client_id,
                                  clv_client **out, clv_err *err);

/* As clv_admin_client_visible, for a change: a client holding the platform_admin role is
 * CLV_FORBIDDEN to anyone but a platform admin. */
clv_code clv_admin_client_writable(clv_app *app, const clv_principal *p, const char *client_id,
                                   clv_client **out, clv_err *err);

#endif
