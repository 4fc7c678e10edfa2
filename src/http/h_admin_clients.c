/* h_admin_clients — admin API handlers for clients and their secrets (SPEC §4). */
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

void clv_h_clients_create(clv_req *r, clv_resp *resp)
{
    clv_principal p;
    json_t *in = NULL, *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK &&
        (rc = clv_req_json_body(r, false, &in, &err)) == CLV_OK)
        rc = clv_admin_client_create(clv_req_app(r), &p, in, &out, &err);
    json_decref(in);
    clv_h_admin_reply(resp, rc, 201, out, &err);
    if (rc == CLV_OK) /* the response shows a secret: never cache it */
        clv_resp_header(resp, "Cache-Control", "no-store");
}

void clv_h_clients_list(clv_req *r, clv_resp *resp)
{
    clv_principal p;
    clv_client_filter f = {0};
    const char *type = clv_req_query(r, "type");
    clv_client_type t;
    json_t *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    f.type = -1;
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK &&
        (rc = clv_h_page_params(r, &f.limit, &f.cursor, &err)) == CLV_OK &&
        (rc = clv_h_status_param(r, &f.status, &err)) == CLV_OK) {
        if (type != NULL && !clv_client_type_parse(type, &t)) {
            rc = clv_fail_field(&err, CLV_INVALID, "type",
                                "type must be public, confidential or m2m");
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

void clv_h_client_get(clv_req *r, clv_resp *resp)
{
    clv_principal p;
    json_t *out = NULL;
    int64_t version = 0;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK)
        rc = clv_admin_client_get(clv_req_app(r), &p, clv_req_param(r, 0), &out, &version, &err);
    clv_h_admin_reply(resp, rc, 200, out, &err);
    if (rc == CLV_OK)
        set_etag(resp, version);
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

static void action(clv_req *r, clv_resp *resp, clv_client_action a)
{
    clv_principal p;
    json_t *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK)
        rc = clv_admin_client_action(clv_req_app(r), &p, clv_req_param(r, 0), a, &out, &err);
    clv_h_admin_reply(resp, rc, 200, out, &err);
}

void clv_h_client_delete(clv_req *r, clv_resp *resp) { action(r, resp, CLV_CLIENT_DELETE); }
void clv_h_client_activate(clv_req *r, clv_resp *resp) { action(r, resp, CLV_CLIENT_ACTIVATE); }
void clv_h_client_deactivate(clv_req *r, clv_resp *resp)
{
    action(r, resp, CLV_CLIENT_DEACTIVATE);
}
void clv_h_client_restore(clv_req *r, clv_resp *resp) { action(r, resp, CLV_CLIENT_RESTORE); }

void clv_h_client_revoke_tokens(clv_req *r, clv_resp *resp)
{
    clv_principal p;
    json_t *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK)
        rc = clv_admin_client_revoke_tokens(clv_req_app(r), &p, clv_req_param(r, 0), &out, &err);
    clv_h_admin_reply(resp, rc, 200, out, &err);
}

void clv_h_secrets_list(clv_req *r, clv_resp *resp)
{
    clv_principal p;
    json_t *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK)
        rc = clv_admin_secret_list(clv_req_app(r), &p, clv_req_param(r, 0), &out, &err);
    clv_h_admin_reply(resp, rc, 200, out, &err);
}

void clv_h_secrets_add(clv_req *r, clv_resp *resp)
{
    clv_principal p;
    json_t *in = NULL, *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK &&
        (rc = clv_req_json_body(r, true, &in, &err)) == CLV_OK)
        rc = clv_admin_secret_add(clv_req_app(r), &p, clv_req_param(r, 0), in, &out, &err);
    json_decref(in);
    clv_h_admin_reply(resp, rc, 201, out, &err);
    if (rc == CLV_OK)
        clv_resp_header(resp, "Cache-Control", "no-store");
}

void clv_h_secret_remove(clv_req *r, clv_resp *resp)
{
    clv_principal p;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK)
        rc = clv_admin_secret_remove(clv_req_app(r), &p, clv_req_param(r, 0),
                                     clv_req_param(r, 1), &err);
    clv_h_admin_reply(resp, rc, 204, NULL, &err);
}
