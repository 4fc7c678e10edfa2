/* h_admin_clients — admin API handlers for clients and their secrets (SPEC §4). Each is
 * the shared clv_h_admin_run over an adapter, except list (query filters) and PATCH
 * (If-Match). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/clients.h"
#include "http/handlers.h"

static void set_etag(clv_resp *resp, int64_t version)
{
    char etag[32];

    snprintf(etag, sizeof etag, "\"%lld\"", (long long)version);
    clv_resp_header(resp, "ETag", etag);
}

static clv_code client_create(clv_app *a, const clv_principal *p, const char *id,
                              const char *id2, const json_t *b, json_t **o, clv_err *e)
{
    (void)id;
    (void)id2;
    return clv_admin_client_create(a, p, b, o, e);
}

static clv_code client_get(clv_app *a, const clv_principal *p, const char *id, const char *id2,
                           const json_t *b, json_t **o, clv_err *e)
{
    (void)id2;
    (void)b;
    return clv_admin_client_get(a, p, id, o, NULL, e);
}

static clv_code revoke_tokens(clv_app *a, const clv_principal *p, const char *id,
                              const char *id2, const json_t *b, json_t **o, clv_err *e)
{
    (void)id2;
    (void)b;
    return clv_admin_client_revoke_tokens(a, p, id, o, e);
}

static clv_code secret_list(clv_app *a, const clv_principal *p, const char *id, const char *id2,
                            const json_t *b, json_t **o, clv_err *e)
{
    (void)id2;
    (void)b;
    return clv_admin_secret_list(a, p, id, o, e);
}

static clv_code secret_add(clv_app *a, const clv_principal *p, const char *id, const char *id2,
                           const json_t *b, json_t **o, clv_err *e)
{
    (void)id2;
    return clv_admin_secret_add(a, p, id, b, o, e);
}

static clv_code secret_remove(clv_app *a, const clv_principal *p, const char *id,
                              const char *id2, const json_t *b, json_t **o, clv_err *e)
{
    (void)b;
    *o = NULL;
    return clv_admin_secret_remove(a, p, id, id2, e);
}

void clv_h_clients_create(clv_req *r, clv_resp *resp)
{
    clv_h_admin_run(r, resp, client_create, CLV_H_BODY | CLV_H_NO_STORE, 201);
}

void clv_h_client_get(clv_req *r, clv_resp *resp)
{
    clv_h_admin_run(r, resp, client_get, CLV_H_ETAG, 200);
}

void clv_h_client_revoke_tokens(clv_req *r, clv_resp *resp)
{
    clv_h_admin_run(r, resp, revoke_tokens, 0, 200);
}

void clv_h_secrets_list(clv_req *r, clv_resp *resp)
{
    clv_h_admin_run(r, resp, secret_list, 0, 200);
}

void clv_h_secrets_add(clv_req *r, clv_resp *resp)
{
    clv_h_admin_run(r, resp, secret_add, CLV_H_BODY_OPTIONAL | CLV_H_NO_STORE, 201);
}

void clv_h_secret_remove(clv_req *r, clv_resp *resp)
{
    clv_h_admin_run(r, resp, secret_remove, 0, 204);
}

#define CLIENT_ACTION(handler, action)                                                       \
    static clv_code handler##_fn(clv_app *a, const clv_principal *p, const char *id,         \
                                 const char *id2, const json_t *b, json_t **o, clv_err *e)   \
    {                                                                                        \
        (void)id2;                                                                           \
        (void)b;                                                                             \
        return clv_admin_client_action(a, p, id, action, o, e);                              \
    }                                                                                        \
    void handler(clv_req *r, clv_resp *resp) { clv_h_admin_run(r, resp, handler##_fn, 0, 200); }
CLIENT_ACTION(clv_h_client_delete, CLV_CLIENT_DELETE)
CLIENT_ACTION(clv_h_client_activate, CLV_CLIENT_ACTIVATE)
CLIENT_ACTION(clv_h_client_deactivate, CLV_CLIENT_DEACTIVATE)
CLIENT_ACTION(clv_h_client_restore, CLV_CLIENT_RESTORE)

void clv_h_clients_list(clv_req *r, clv_resp *resp)
{
    clv_principal p;
    clv_client_filter f = {0};
    const char *type = clv_req_query(r, "type");
    clv_client_type t;
    json_t *out = NULL;
    int eff = -1;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    f.type = -1;
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK &&
        (rc = clv_h_page_params(r, &f.limit, &f.cursor, &err)) == CLV_OK &&
        (rc = clv_h_status_param(r, "status", &f.status, &err)) == CLV_OK &&
        (rc = clv_h_status_param(r, "effective_status", &eff, &err)) == CLV_OK) {
        f.by_effective = eff >= 0;
        f.effective_status = eff >= 0 ? (clv_status)eff : CLV_STATUS_ACTIVE;
        if (type != NULL && !clv_client_type_parse(type, &t)) {
            rc = clv_fail_field(&err, CLV_INVALID, "type", "must be public, confidential or m2m");
        } else {
            f.type = type != NULL ? (int)t : -1;
            f.service_id = clv_req_query(r, "service_id");
            f.tenant_id = clv_req_query(r, "tenant_id");
            f.q = clv_req_query(r, "q");
            rc = clv_admin_client_list(clv_req_app(r), &p, &f, &out, &err);
        }
    }
    clv_h_admin_reply(resp, rc, 200, out, &err);
}

void clv_h_client_patch(clv_req *r, clv_resp *resp)
{
    clv_principal p;
    json_t *in = NULL, *out = NULL;
    int64_t version = 0;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK &&
        (rc = clv_req_json_body(r, false, &in, &err)) == CLV_OK)
        rc = clv_admin_client_patch(clv_req_app(r), &p, clv_req_param(r, 0), in,
                                    clv_req_header(r, "If-Match"), &out, &version, &err);
    json_decref(in);
    clv_h_admin_reply(resp, rc, 200, out, &err);
    if (rc == CLV_OK)
        set_etag(resp, version);
}
