/* h_admin — admin API handlers for tenants, services, users and audit, and the bearer
 * authentication every admin route shares (SPEC §2.2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin/services.h"
#include "admin/users.h"
#include "http/handlers.h"
#include "oauth/access.h"

static bool has_word(const char *list, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = list; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, " ");
        if (len == n && memcmp(p, word, n) == 0)
            return true;
        p += len + (p[len] == ' ');
    }
    return false;
}

static bool has_role(const json_t *roles, const char *role)
{
    size_t i;
    json_t *v;

    json_array_foreach(roles, i, v) {
        if (json_is_string(v) && strcmp(json_string_value(v), role) == 0)
            return true;
    }
    return false;
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
    memset(p, 0, sizeof *p);
    p->actor_type = "client";
    snprintf(p->actor_id, sizeof p->actor_id, "%s", c->client_id);
    snprintf(p->tenant_id, sizeof p->tenant_id, "%s", c->tenant_id);
    /* Roles from the client as it is now, not as it was when the token was issued. */
    p->platform_admin = has_role(c->roles, "platform_admin");
    p->tenant_admin = has_role(c->roles, "tenant_admin");
    if (!has_word(json_string_value(json_object_get(claims, "scope")), "admin"))
        rc = clv_fail(err, CLV_FORBIDDEN, "the token lacks the admin scope");
    else if (!p->platform_admin && !p->tenant_admin)
        rc = clv_fail(err, CLV_FORBIDDEN, "the client is not an administrator");
    json_decref(claims);
    clv_client_free(c);
    return rc;
}

void clv_h_admin_reply(clv_resp *resp, clv_code rc, int status, json_t *out, const clv_err *err)
{
    if (rc != CLV_OK) {
        json_decref(out);
        clv_resp_problem(resp, err);
    } else if (out == NULL) {
        clv_resp_empty(resp, status);
    } else {
        clv_resp_json(resp, status, out);
    }
}

/* The shape every admin handler has: authenticate, read the body (when it takes one),
 * act, reply. */
typedef clv_code (*with_body)(clv_app *, const clv_principal *, const char *id,
                              const json_t *body, json_t **out, clv_err *);

static void run(clv_req *r, clv_resp *resp, with_body fn, bool body, int status)
{
    clv_principal p;
    json_t *in = NULL, *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK &&
        (!body || (rc = clv_req_json_body(r, false, &in, &err)) == CLV_OK))
        rc = fn(clv_req_app(r), &p, clv_req_param(r, 0), in, &out, &err);
    json_decref(in);
    clv_h_admin_reply(resp, rc, status, out, &err);
}

/* ---- tenants ---- */
static clv_code tenant_create(clv_app *a, const clv_principal *p, const char *id,
                              const json_t *b, json_t **o, clv_err *e)
{
    (void)id;
    return clv_admin_tenant_create(a, p, b, o, e);
}
static clv_code tenant_get(clv_app *a, const clv_principal *p, const char *id, const json_t *b,
                           json_t **o, clv_err *e)
{
    (void)b;
    return clv_admin_tenant_get(a, p, id, o, e);
}
void clv_h_tenants_create(clv_req *r, clv_resp *resp) { run(r, resp, tenant_create, true, 201); }
void clv_h_tenant_get(clv_req *r, clv_resp *resp) { run(r, resp, tenant_get, false, 200); }
void clv_h_tenant_patch(clv_req *r, clv_resp *resp)
{
    run(r, resp, clv_admin_tenant_patch, true, 200);
}

/* Reads limit (1..100, default 50) and cursor. */
clv_code clv_h_page_params(clv_req *r, int *limit, const char **cursor, clv_err *err)
{
    clv_code rc = clv_req_check_query(r, err);

    if (rc == CLV_OK)
        rc = clv_req_query_int(r, "limit", 1, 100, 50, limit, err);
    *cursor = clv_req_query(r, "cursor");
    return rc;
}

/* Reads a status filter ("active" | "inactive" | "deleted") into *out (-1 when absent). */
clv_code clv_h_status_param(clv_req *r, int *out, clv_err *err)
{
    const char *v = clv_req_query(r, "status");
    clv_status st;

    *out = -1;
    if (v == NULL)
        return CLV_OK;
    if (!clv_status_parse(v, &st))
        return clv_fail_field(err, CLV_INVALID, "status",
                              "status must be active, inactive or deleted");
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
static clv_code service_create(clv_app *a, const clv_principal *p, const char *id,
                               const json_t *b, json_t **o, clv_err *e)
{
    (void)id;
    return clv_admin_service_create(a, p, b, o, e);
}
static clv_code service_get(clv_app *a, const clv_principal *p, const char *id,
                            const json_t *b, json_t **o, clv_err *e)
{
    (void)b;
    return clv_admin_service_get(a, p, id, o, e);
}
void clv_h_services_create(clv_req *r, clv_resp *resp) { run(r, resp, service_create, true, 201); }
void clv_h_service_get(clv_req *r, clv_resp *resp) { run(r, resp, service_get, false, 200); }
void clv_h_service_patch(clv_req *r, clv_resp *resp)
{
    run(r, resp, clv_admin_service_patch, true, 200);
}

#define SERVICE_ACTION(fname, action)                                                        \
    static clv_code fname##_fn(clv_app *a, const clv_principal *p, const char *id,         \
                               const json_t *b, json_t **o, clv_err *e)                    \
    {                                                                                      \
        (void)b;                                                                           \
        return clv_admin_service_action(a, p, id, action, o, e);                           \
    }
SERVICE_ACTION(svc_approve, CLV_SERVICE_APPROVE)
SERVICE_ACTION(svc_activate, CLV_SERVICE_ACTIVATE)
SERVICE_ACTION(svc_deactivate, CLV_SERVICE_DEACTIVATE)
SERVICE_ACTION(svc_restore, CLV_SERVICE_RESTORE)
SERVICE_ACTION(svc_delete, CLV_SERVICE_DELETE)

void clv_h_service_approve(clv_req *r, clv_resp *resp) { run(r, resp, svc_approve_fn, false, 200); }
void clv_h_service_activate(clv_req *r, clv_resp *resp) { run(r, resp, svc_activate_fn, false, 200); }
void clv_h_service_deactivate(clv_req *r, clv_resp *resp)
{
    run(r, resp, svc_deactivate_fn, false, 200);
}
void clv_h_service_restore(clv_req *r, clv_resp *resp) { run(r, resp, svc_restore_fn, false, 200); }

void clv_h_service_delete(clv_req *r, clv_resp *resp)
{
    run(r, resp, svc_delete_fn, false, 204);
    if (resp->status == 204) { /* SPEC §4: 204, no body */
        free(resp->body);
        resp->body = NULL;
        resp->body_len = 0;
        resp->content_type = NULL;
    }
}

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
        (rc = clv_h_status_param(r, &f.status, &err)) == CLV_OK) {
        f.tenant_id = clv_req_query(r, "tenant_id");
        rc = clv_admin_service_list(clv_req_app(r), &p, &f, &out, &err);
    }
    clv_h_admin_reply(resp, rc, 200, out, &err);
}

/* ---- users ---- */
static clv_code user_create(clv_app *a, const clv_principal *p, const char *id,
                            const json_t *b, json_t **o, clv_err *e)
{
    (void)id;
    return clv_admin_user_create(a, p, b, o, e);
}
static clv_code user_get(clv_app *a, const clv_principal *p, const char *id, const json_t *b,
                         json_t **o, clv_err *e)
{
    (void)b;
    return clv_admin_user_get(a, p, id, o, e);
}
static clv_code user_delete(clv_app *a, const clv_principal *p, const char *id,
                            const json_t *b, json_t **o, clv_err *e)
{
    (void)b;
    *o = NULL;
    return clv_admin_user_delete(a, p, id, e);
}
void clv_h_users_create(clv_req *r, clv_resp *resp) { run(r, resp, user_create, true, 201); }
void clv_h_user_get(clv_req *r, clv_resp *resp) { run(r, resp, user_get, false, 200); }
void clv_h_user_patch(clv_req *r, clv_resp *resp) { run(r, resp, clv_admin_user_patch, true, 200); }
void clv_h_user_delete(clv_req *r, clv_resp *resp) { run(r, resp, user_delete, false, 204); }

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
            rc = clv_fail_field(&err, CLV_INVALID, "since", "since must be an RFC 3339 time");
        else
            rc = clv_admin_audit_list(clv_req_app(r), &p, &f, &out, &err);
    }
    clv_h_admin_reply(resp, rc, 200, out, &err);
}
