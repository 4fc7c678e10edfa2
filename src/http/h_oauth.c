/* h_oauth — HTTP handlers of the protocol endpoints: discovery, JWKS, token,
 * introspection, revocation, health (docs/DESIGN.md I1, I5). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/json_text.h"
#include "core/signing_keys.h"
#include "crypto/hash.h"
#include "http/browser.h"
#include "http/form.h"
#include "http/handlers.h"
#include "oauth/assertion.h"
#include "oauth/discovery.h"
#include "oauth/introspect.h"
#include "oauth/token.h"

/* Documents that never change while the server runs: serialised once at start-up. */
static char *doc_oidc, *doc_oauth;

bool clv_h_oauth_init(clv_app *app)
{
    json_t *a = clv_discovery_doc(app, true), *b = clv_discovery_doc(app, false);

    free(doc_oidc);
    free(doc_oauth);
    doc_oidc = a != NULL ? json_dumps(a, JSON_COMPACT) : NULL;
    doc_oauth = b != NULL ? json_dumps(b, JSON_COMPACT) : NULL;
    json_decref(a);
    json_decref(b);
    return doc_oidc != NULL && doc_oauth != NULL;
}

void clv_h_oauth_cleanup(void)
{
    free(doc_oidc);
    free(doc_oauth);
    doc_oidc = doc_oauth = NULL;
}

static void static_json(clv_resp *resp, const char *text, const char *cache)
{
    resp->status = 200;
    resp->content_type = "application/json";
    resp->body = strdup(text);
    resp->body_len = resp->body != NULL ? strlen(text) : 0;
    clv_resp_header(resp, "Cache-Control", cache);
    clv_resp_header(resp, "Access-Control-Allow-Origin", "*"); /* public metadata */
}

void clv_h_discovery_oidc(clv_req *r, clv_resp *resp)
{
    (void)r;
    static_json(resp, doc_oidc, "public, max-age=3600");
}

void clv_h_discovery_oauth(clv_req *r, clv_resp *resp)
{
    (void)r;
    static_json(resp, doc_oauth, "public, max-age=3600");
}

void clv_h_jwks(clv_req *r, clv_resp *resp)
{
    static_json(resp, clv_keyset_jwks(clv_app_keys(clv_req_app(r))), CLV_JWKS_CACHE_CONTROL);
}

void clv_h_healthz(clv_req *r, clv_resp *resp)
{
    (void)r;
    clv_resp_json(resp, 200, json_pack("{s:s}", "status", "ok"));
}

void clv_h_readyz(clv_req *r, clv_resp *resp)
{
    if (clv_app_ready(clv_req_app(r)))
        clv_resp_json(resp, 200, json_pack("{s:s}", "status", "ready"));
    else
        clv_resp_json(resp, 503, json_pack("{s:s}", "status", "database unavailable"));
}

/* Reads a protocol endpoint's form body (docs/DESIGN.md R12: a wrong type is invalid_request). */
static clv_code read_form(const clv_req *r, clv_form *form, clv_err *err)
{
    const char *ct = clv_req_header(r, "Content-Type");
    size_t len;
    const char *body = clv_req_body(r, &len);
    const char *want = "application/x-www-form-urlencoded";

    if (ct == NULL || strncasecmp(ct, want, strlen(want)) != 0 ||
        (ct[strlen(want)] != '\0' && ct[strlen(want)] != ';'))
        return clv_fail(err, CLV_INVALID, "the body must be application/x-www-form-urlencoded");
    return clv_form_parse(body, len, form, err);
}

/* RFC 7523 §2.2: a client assertion, alone; the client is the form's client_id, else the
 * one the assertion names (*owned_id). */
static clv_code assertion_creds(const clv_form *form, clv_client_creds *creds, char **owned_id,
                                clv_err *err)
{
    const char *type = clv_form_get(form, "client_assertion_type");
    const char *assertion = clv_form_get(form, "client_assertion");
    const char *fid = clv_form_get(form, "client_id");
    char id[CLV_CLIENT_ID_MAX + 1];

    if (type == NULL || strcmp(type, CLV_ASSERTION_TYPE) != 0 || assertion == NULL)
        return clv_fail(err, CLV_INVALID,
                        "client_assertion_type must be " CLV_ASSERTION_TYPE
                        " and come with client_assertion");
    if (fid == NULL) {
        if (!clv_assertion_client(assertion, id, sizeof id))
            return clv_fail(err, CLV_INVALID_CLIENT, "client authentication failed");
        if ((*owned_id = strdup(id)) == NULL)
            return clv_fail(err, CLV_NOMEM, "out of memory");
        fid = *owned_id;
    }
    creds->client_id = fid;
    creds->client_secret = NULL;
    creds->client_assertion = assertion;
    creds->method = CLV_AUTH_PRIVATE_KEY_JWT;
    return CLV_OK;
}

/* RFC 6749 §2.3: credentials in the Basic header, in the body, or as an assertion (RFC 7523
 * §2.2) — one method only. */
static clv_code read_creds(const clv_req *r, const clv_form *form, clv_client_creds *creds,
                           char **basic_id, char **basic_secret, clv_err *err)
{
    const char *authz = clv_req_header(r, "Authorization");
    const char *fid = clv_form_get(form, "client_id");
    const char *fsecret = clv_form_get(form, "client_secret");
    clv_code rc;

    if (clv_form_get(form, "client_assertion") != NULL ||
        clv_form_get(form, "client_assertion_type") != NULL) {
        if (authz != NULL || fsecret != NULL)
            return clv_fail(err, CLV_INVALID, "use one client authentication method, not two");
        return assertion_creds(form, creds, basic_id, err);
    }
    if (authz != NULL) {
        if (fsecret != NULL)
            return clv_fail(err, CLV_INVALID, "use one client authentication method, not two");
        if ((rc = clv_basic_parse(authz, basic_id, basic_secret, err)) != CLV_OK)
            return rc;
        if (fid != NULL && strcmp(fid, *basic_id) != 0)
            return clv_fail(err, CLV_INVALID, "client_id differs from the Basic credentials");
        creds->client_id = *basic_id;
        creds->client_secret = *basic_secret;
        creds->method = CLV_AUTH_SECRET_BASIC;
        return CLV_OK;
    }
    creds->client_id = fid;
    creds->client_secret = fsecret;
    creds->method = fsecret != NULL ? CLV_AUTH_SECRET_POST : CLV_AUTH_NONE;
    if (fid == NULL)
        return clv_fail(err, CLV_INVALID_CLIENT, "client authentication is required");
    return CLV_OK;
}

typedef enum { EP_TOKEN, EP_INTROSPECT, EP_REVOKE } endpoint;

/* The grants read their parameters by name (oauth/token.h). */
static const char *form_param(const void *form, const char *name)
{
    return clv_form_get(form, name);
}

/* RFC 6749 §5.1, written member by member (clv_json_obj): this answers every token. */
static void token_reply(clv_resp *resp, const clv_token_reply *t)
{
    clv_json_obj w;

    clv_json_obj_begin(&w);
    clv_json_obj_str(&w, "access_token", t->access_token);
    clv_json_obj_str(&w, "token_type", "Bearer");
    clv_json_obj_int(&w, "expires_in", (json_int_t)t->expires_in);
    if (t->scope != NULL && t->scope[0] != '\0')
        clv_json_obj_str(&w, "scope", t->scope);
    if (t->id_token != NULL)
        clv_json_obj_str(&w, "id_token", t->id_token);
    if (t->refresh_token != NULL)
        clv_json_obj_str(&w, "refresh_token", t->refresh_token);
    clv_resp_json_text(resp, 200, clv_json_obj_end(&w, NULL));
}

static void protocol(clv_req *r, clv_resp *resp, endpoint ep)
{
    clv_form form = {0};
    clv_client_creds creds = {0};
    char *bid = NULL, *bsecret = NULL;
    json_t *out = NULL;
    clv_token_reply reply = {0};
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = read_form(r, &form, &err)) == CLV_OK &&
        (rc = read_creds(r, &form, &creds, &bid, &bsecret, &err)) == CLV_OK) {
        creds.for_token = ep == EP_TOKEN;
        creds.addr = clv_req_addr(r); /* guessing is throttled per address (client_auth.h) */
        if (ep == EP_TOKEN) {
            clv_token_req treq = {.creds = creds, .param = form_param, .params = &form};
            rc = clv_token_issue(clv_req_app(r), &treq, &reply, &err);
        } else if (ep == EP_INTROSPECT) {
            rc = clv_introspect(clv_req_app(r), &creds, clv_form_get(&form, "token"), &out, &err);
        } else {
            rc = clv_revoke(clv_req_app(r), &creds, clv_form_get(&form, "token"), &err);
        }
    }
    if (rc != CLV_OK) {
        clv_resp_oauth_error(resp, &err);
    } else {
        if (ep == EP_TOKEN)
            token_reply(resp, &reply);
        else if (out != NULL)
            clv_resp_json(resp, 200, out);
        else
            clv_resp_empty(resp, 200);
        clv_resp_header(resp, "Cache-Control", "no-store");
        clv_resp_header(resp, "Pragma", "no-cache");
    }
    /* docs/DESIGN.md I1: browsers may read /token and /revoke answers from the client's origins */
    if (ep != EP_INTROSPECT)
        clv_cors_for_client(r, resp, creds.client_id);
    clv_token_reply_cleanup(&reply);
    free(bid);
    clv_free_secret(bsecret);
    clv_form_cleanup(&form);
}

void clv_h_token(clv_req *r, clv_resp *resp)
{
    protocol(r, resp, EP_TOKEN);
}
void clv_h_introspect(clv_req *r, clv_resp *resp)
{
    protocol(r, resp, EP_INTROSPECT);
}
void clv_h_revoke(clv_req *r, clv_resp *resp)
{
    protocol(r, resp, EP_REVOKE);
}
