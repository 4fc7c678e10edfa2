/* h_register — HTTP handlers of dynamic client registration (RFC 7591, RFC 7592; docs/DESIGN.md
 * I1). (The admin routes that go with it, initial access tokens and test tokens, are
 * rows of router.c's table.) */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/handlers.h"
#include "oauth/register.h"

/* The request's Bearer token (RFC 6750 §2.1): *out NULL when there is no Authorization
 * header at all; any other scheme, or an empty token, is CLV_UNAUTHENTICATED. */
static clv_code bearer(const clv_req *r, const char **out, clv_err *err)
{
    const char *a = clv_req_header(r, "Authorization");

    *out = NULL;
    if (a == NULL)
        return CLV_OK;
    if (strncasecmp(a, "Bearer ", 7) != 0)
        return clv_fail(err, CLV_UNAUTHENTICATED, "use Authorization: Bearer");
    for (a += 7; *a == ' ';)
        a++;
    if (*a == '\0')
        return clv_fail(err, CLV_UNAUTHENTICATED, "the Bearer token is empty");
    *out = a;
    return CLV_OK;
}

static void no_store(clv_resp *resp)
{
    clv_resp_header(resp, "Cache-Control", "no-store");
    clv_resp_header(resp, "Pragma", "no-cache");
}

/* RFC 7591 §3.2.2 for metadata errors; RFC 6749 §5.2 JSON otherwise, with RFC 6750 §3's
 * challenge on a bad token. */
static void register_error(clv_resp *resp, const clv_err *err)
{
    const char *name = clv_register_error_name(err);
    char desc[CLV_ERR_TEXT_MAX];
    clv_err e = *err;

    if (name != NULL) {
        clv_err_text(err, desc, sizeof desc);
        clv_resp_json(resp, 400, json_pack("{s:s, s:s}", "error", name, "error_description", desc));
        no_store(resp);
        return;
    }
    if (e.code == CLV_UNSUPPORTED_MEDIA) /* docs/DESIGN.md R12: a protocol endpoint says 400 */
        e.code = CLV_INVALID;
    clv_resp_oauth_error(resp, &e);
    if (e.code == CLV_UNAUTHENTICATED)
        clv_resp_header(resp, "WWW-Authenticate",
                        "Bearer realm=\"clavis\", error=\"invalid_token\"");
}

static void register_reply(clv_resp *resp, clv_code rc, int status, json_t *out, const clv_err *err)
{
    if (rc != CLV_OK) {
        json_decref(out);
        register_error(resp, err);
        return;
    }
    if (out != NULL)
        clv_resp_json(resp, status, out);
    else
        clv_resp_empty(resp, status);
    no_store(resp); /* tokens and secrets: never cached */
}

void clv_h_register_create(clv_req *r, clv_resp *resp)
{
    const char *token = NULL;
    json_t *in = NULL, *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = bearer(r, &token, &err)) == CLV_OK &&
        (rc = clv_req_json_body(r, false, &in, &err)) == CLV_OK)
        rc = clv_register_create(clv_req_app(r), token, in, clv_req_addr(r), &out, &err);
    json_decref(in);
    register_reply(resp, rc, 201, out, &err);
}

void clv_h_register_get(clv_req *r, clv_resp *resp)
{
    const char *token = NULL;
    json_t *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = bearer(r, &token, &err)) == CLV_OK)
        rc = clv_register_read(clv_req_app(r), clv_req_param(r, 0), token, &out, &err);
    register_reply(resp, rc, 200, out, &err);
}

void clv_h_register_put(clv_req *r, clv_resp *resp)
{
    const char *token = NULL;
    json_t *in = NULL, *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = bearer(r, &token, &err)) == CLV_OK &&
        (rc = clv_req_json_body(r, false, &in, &err)) == CLV_OK)
        rc = clv_register_update(clv_req_app(r), clv_req_param(r, 0), token, in, &out, &err);
    json_decref(in);
    register_reply(resp, rc, 200, out, &err);
}

void clv_h_register_delete(clv_req *r, clv_resp *resp)
{
    const char *token = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = bearer(r, &token, &err)) == CLV_OK)
        rc = clv_register_delete(clv_req_app(r), clv_req_param(r, 0), token, &err);
    register_reply(resp, rc, 204, NULL, &err);
}
