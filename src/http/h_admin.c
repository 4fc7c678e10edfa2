/* h_admin — admin API handlers for tenants, services, users and audit, and the bearer
 * authentication every admin route shares (SPEC §2.2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin/consents.h"
#include "admin/services.h"
#include "admin/users.h"
#include "base/strlist.h"
#include "core/access_token.h"
#include "http/handlers.h"
#include "oauth/oidc.h"

/* Who the admin token speaks for: the signed-in user when it was issued to one (the
 * console), else its client; roles as they are now, not as they were at issue. A user's
 * rights reach the admin API only through a first-party client (docs/DESIGN.md D2), so a
 * token that a registered client got for an administrator is refused here too. */
static clv_code token_principal(clv_req *r, const json_t *claims, const clv_client *c,
                                clv_principal *p, clv_err *err)
{
    const json_t *roles = c->roles;
    clv_user *u = NULL;
    clv_code rc = CLV_OK;

    memset(p, 0, sizeof *p);
    p->actor_type = "client";
    snprintf(p->actor_id, sizeof p->actor_id, "%s", c->client_id);
    snprintf(p->tenant_id, sizeof p->tenant_id, "%s", c->tenant_id);
    if (json_object_get(claims, "usr") != NULL) {
        if (!c->first_party)
            return clv_fail(err, CLV_FORBIDDEN,
                            "a user's token reaches the admin API only through a first-party "
                            "client");
        if ((rc = clv_access_token_user(clv_req_app(r), claims, &u, err)) != CLV_OK)
            return rc;
        p->actor_type = "user";
        snprintf(p->actor_id, sizeof p->actor_id, "%s", u->id);
        snprintf(p->tenant_id, sizeof p->tenant_id, "%s", u->tenant_id);
        roles = u->roles;
    }
    p->platform_admin = clv_strarr_has(roles, "platform_admin");
    p->tenant_admin = clv_strarr_has(roles, "tenant_admin");
    clv_user_free(u);
    return rc;
}

clv_code clv_h_admin_principal(clv_req *r, clv_principal *p, clv_err *err)
{
    const char *authz = clv_req_header(r, "Authorization");
    json_t *claims = NULL;
    clv_client *c = NULL;
    clv_code rc;

    if (authz == NULL || strncasecmp(authz, "Bearer ", 7) != 0)
        return clv_fail(err, CLV_UNAUTHENTICATED, CLV_NO_TOKEN);
    rc = clv_access_check(clv_req_app(r), authz + 7, &claims, &c, err);
    if (rc != CLV_OK)
        return rc;
    rc = token_principal(r, claims, c, p, err);
    if (rc == CLV_OK &&
        !clv_words_has(json_string_value(json_object_get(claims, "scope")), "admin", 5))
        rc = clv_fail(err, CLV_FORBIDDEN, "the token lacks the admin scope");
    else if (rc == CLV_OK && !p->platform_admin && !p->tenant_admin)
        rc = clv_fail(err, CLV_FORBIDDEN, "the token's holder is not an administrator");
    json_decref(claims);
    clv_client_free(c);
    return rc;
}

void clv_h_admin_reply(clv_resp *resp, clv_code rc, int status, json_t *out, const clv_err *err)
{
    if (rc != CLV_OK) {
        json_decref(out);
        clv_resp_problem(resp, err);
    } else if (out == NULL || status == 204) {
        json_decref(out);
        clv_resp_empty(resp, status);
    } else {
        clv_resp_json(resp, status, out);
    }
}

void clv_h_admin_run(clv_req *r, clv_resp *resp, clv_h_admin_fn fn, unsigned flags, int status)
{
    clv_principal p;
    json_t *in = NULL, *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK &&
        (!(flags & (CLV_H_BODY | CLV_H_BODY_OPTIONAL)) ||
         (rc = clv_req_json_body(r, flags & CLV_H_BODY_OPTIONAL, &in, &err)) == CLV_OK))
        rc = fn(clv_req_app(r), &p, clv_req_param(r, 0), clv_req_param(r, 1), in, &out, &err);
    json_decref(in);
    if (rc == CLV_OK && (flags & CLV_H_ETAG) && out != NULL) {
        char etag[32]; /* the object's version is its entity tag */
        snprintf(etag, sizeof etag, "\"%lld\"",
                 (long long)json_integer_value(json_object_get(out, "version")));
        clv_resp_header(resp, "ETag", etag);
    }
    clv_h_admin_reply(resp, rc, status, out, &err);
    if (rc == CLV_OK && (flags & CLV_H_NO_STORE)) { /* a secret or token is shown once */
        clv_resp_header(resp, "Cache-Control", "no-store");
        clv_resp_header(resp, "Pragma", "no-cache");
    }
}

/* Adapters from the admin layer's signatures to clv_h_admin_fn. */
#define ADAPT_BODY(name, call)                                                               \
    static clv_code name(clv_app *a, const clv_principal *p, const char *id, const char *id2,  \
                         const json_t *b, json_t **o, clv_err *e)                              \
    {                                                                                          \
        (void)id;                                                                              \
        (void)id2;                                                                             \
        return call(a, p, b, o, e);                                                            \
    }
#define ADAPT_ID(name, call)                                                                 \
    static clv_code name(clv_app *a, const clv_principal *p, const char *id, const char *id2,  \
                         const json_t *b, json_t **o, clv_err *e)                              \
    {                                                                                          \
        (void)id2;                                                                             \
        (void)b;                                                                               \
        return call(a, p, id, o, e);                                                           \
    }
#define ADAPT_ID_BODY(name, call)                                                            \
    static clv_code name(clv_app *a, const clv_principal *p, const char *id, const char *id2,  \
                         const json_t *b, json_t **o, clv_err *e)                              \
    {                                                                                          \
        (void)id2;                                                                             \
        return call(a, p, id, b, o, e);                                                        \
    }

/* ---- tenants ---- */
ADAPT_BODY(tenant_create, clv_admin_tenant_create)
ADAPT_ID(tenant_get, clv_admin_tenant_get)
ADAPT_ID_BODY(tenant_patch, clv_admin_tenant_patch)
void clv_h_tenants_create(clv_req *r, clv_resp *resp)
{
    clv_h_admin_run(r, resp, tenant_create, CLV_H_BODY, 201);
}
void clv_h_tenant_get(clv_req *r, clv_resp *resp) { clv_h_admin_run(r, resp, tenant_get, 0, 200); }
void clv_h_tenant_patch(clv_req *r, clv_resp *resp)
{
    clv_h_admin_run(r, resp, tenant_patch, CLV_H_BODY, 200);
}

/* Reads limit (1..100, default 50) and cursor (the router has checked the query is
 * UTF-8). */
clv_code clv_h_page_params(clv_req *r, int *limit, const char **cursor, clv_err *err)
{
    *cursor = clv_req_query(r, "cursor");
    return clv_req_query_int(r, "limit", 1, 100, 50, limit, err);
}

/* Reads the status filter `name` ("active" | "inactive" | "deleted") into *out (-1 when
 * absent). */
clv_code clv_h_status_param(clv_req *r, const char *name, int *out, clv_err *err)
{
    const char *v = clv_req_query(r, name);
    clv_status st;

    *out = -1;
    if (v == NULL)
        return CLV_OK;
    if (!clv_status_parse(v, &st))
        return clv_fail_field(err, CLV_INVALID, name, "must be active, inactive or deleted");
    *out = (int)st;
    return CLV_OK;
}

void clv_h_tenants_list(clv_req *r, clv_resp *resp)
{
    clv_principal p;
    json_t *out = NULL;
    const char *cursor = NULL;
    int limit = 50;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK &&
        (rc = clv_h_page_params(r, &limit, &cursor, &err)) == CLV_OK)
        rc = clv_admin_tenant_list(clv_req_app(r), &p, cursor, limit, &out, &err);
    clv_h_admin_reply(resp, rc, 200, out, &err);
}

/* ---- services ---- */
ADAPT_BODY(service_create, clv_admin_service_create)
ADAPT_ID(service_get, clv_admin_service_get)
ADAPT_ID_BODY(service_patch, clv_admin_service_patch)
void clv_h_services_create(clv_req *r, clv_resp *resp)
{
    clv_h_admin_run(r, resp, service_create, CLV_H_BODY, 201);
}
void clv_h_service_get(clv_req *r, clv_resp *resp) { clv_h_admin_run(r, resp, service_get, 0, 200); }
void clv_h_service_patch(clv_req *r, clv_resp *resp)
{
    clv_h_admin_run(r, resp, service_patch, CLV_H_BODY, 200);
}

#define SERVICE_ACTION(handler, action, status)                                              \
    static clv_code handler##_fn(clv_app *a, const clv_principal *p, const char *id,         \
                                 const char *id2, const json_t *b, json_t **o, clv_err *e)   \
    {                                                                                        \
        (void)id2;                                                                           \
        (void)b;                                                                             \
        return clv_admin_service_action(a, p, id, action, o, e);                             \
    }                                                                                        \
    void handler(clv_req *r, clv_resp *resp)                                                 \
    {                                                                                        \
        clv_h_admin_run(r, resp, handler##_fn, 0, status);                                   \
    }
SERVICE_ACTION(clv_h_service_approve, CLV_SERVICE_APPROVE, 200)
SERVICE_ACTION(clv_h_service_activate, CLV_SERVICE_ACTIVATE, 200)
SERVICE_ACTION(clv_h_service_deactivate, CLV_SERVICE_DEACTIVATE, 200)
SERVICE_ACTION(clv_h_service_restore, CLV_SERVICE_RESTORE, 200)
SERVICE_ACTION(clv_h_service_delete, CLV_SERVICE_DELETE, 204) /* SPEC §4: 204, no body */

void clv_h_services_list(clv_req *r, clv_resp *resp)
{
    clv_principal p;
    clv_service_filter f = {0};
    json_t *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK &&
        (rc = clv_h_page_params(r, &f.limit, &f.cursor, &err)) == CLV_OK &&
        (rc = clv_h_status_param(r, "status", &f.status, &err)) == CLV_OK) {
        f.tenant_id = clv_req_query(r, "tenant_id");
        rc = clv_admin_service_list(clv_req_app(r), &p, &f, &out, &err);
    }
    clv_h_admin_reply(resp, rc, 200, out, &err);
}

/* ---- users ---- */
ADAPT_BODY(user_create, clv_admin_user_create)
ADAPT_ID(user_get, clv_admin_user_get)
ADAPT_ID_BODY(user_patch, clv_admin_user_patch)
static clv_code user_delete(clv_app *a, const clv_principal *p, const char *id, const char *id2,
                            const json_t *b, json_t **o, clv_err *e)
{
    (void)id2;
    (void)b;
    *o = NULL;
    return clv_admin_user_delete(a, p, id, e);
}
void clv_h_users_create(clv_req *r, clv_resp *resp)
{
    clv_h_admin_run(r, resp, user_create, CLV_H_BODY, 201);
}
void clv_h_user_get(clv_req *r, clv_resp *resp) { clv_h_admin_run(r, resp, user_get, 0, 200); }
void clv_h_user_patch(clv_req *r, clv_resp *resp)
{
    clv_h_admin_run(r, resp, user_patch, CLV_H_BODY, 200);
}
void clv_h_user_delete(clv_req *r, clv_resp *resp) { clv_h_admin_run(r, resp, user_delete, 0, 204); }

void clv_h_users_list(clv_req *r, clv_resp *resp)
{
    clv_principal p;
    clv_user_filter f = {0};
    json_t *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK &&
        (rc = clv_h_page_params(r, &f.limit, &f.cursor, &err)) == CLV_OK) {
        f.tenant_id = clv_req_query(r, "tenant_id");
        rc = clv_admin_user_list(clv_req_app(r), &p, &f, &out, &err);
    }
    clv_h_admin_reply(resp, rc, 200, out, &err);
}

static clv_code user_grant_revoke(clv_app *a, const clv_principal *p, const char *id,
                                  const char *id2, const json_t *b, json_t **o, clv_err *e)
{
    (void)b;
    *o = NULL;
    return clv_admin_user_grant_revoke(a, p, id, id2, e);
}
void clv_h_user_grant_revoke(clv_req *r, clv_resp *resp)
{
    clv_h_admin_run(r, resp, user_grant_revoke, 0, 204);
}

void clv_h_user_grants(clv_req *r, clv_resp *resp)
{
    clv_principal p;
    const char *cursor = NULL;
    int limit = 0;
    json_t *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK &&
        (rc = clv_h_page_params(r, &limit, &cursor, &err)) == CLV_OK)
        rc = clv_admin_user_grants(clv_req_app(r), &p, clv_req_param(r, 0), cursor, limit, &out,
                                   &err);
    clv_h_admin_reply(resp, rc, 200, out, &err);
}

/* ---- audit ---- */
void clv_h_audit_list(clv_req *r, clv_resp *resp)
{
    clv_principal p;
    clv_audit_filter f = {0};
    const char *since;
    json_t *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK &&
        (rc = clv_h_page_params(r, &f.limit, &f.cursor, &err)) == CLV_OK) {
        f.target_id = clv_req_query(r, "target");
        f.actor_id = clv_req_query(r, "actor");
        f.tenant_id = clv_req_query(r, "tenant_id");
        since = clv_req_query(r, "since");
        if (since != NULL && !clv_time_parse(since, &f.since))
            rc = clv_fail_field(&err, CLV_INVALID, "since", "must be an RFC 3339 time");
        else
            rc = clv_admin_audit_list(clv_req_app(r), &p, &f, &out, &err);
    }
    clv_h_admin_reply(resp, rc, 200, out, &err);
}
