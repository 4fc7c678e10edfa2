/* token — the grants of the token endpoint (see token.h). */
#include "oauth/token.h"

#include <stdlib.h>
#include <string.h>

#include "core/access_token.h"
#include "core/scope.h"
#include "crypto/hash.h"
#include "oauth/grants.h"

void clv_token_reply_cleanup(clv_token_reply *r)
{
    clv_free_secret(r->access_token);
    clv_free_secret(r->id_token);
    clv_free_secret(r->refresh_token);
    free(r->scope);
    *r = (clv_token_reply){0};
}

static clv_code client_credentials(clv_app *app, const clv_token_req *req, clv_token_reply *out,
                                   clv_err *err)
{
    clv_client *c = NULL;
    char *scope = NULL, *token = NULL;
    int64_t expires_in = 0;
    clv_mint_opts opts = {0};
    clv_code rc;

    if ((rc = clv_client_authenticate(app, &req->creds, &c, err)) != CLV_OK)
        return rc;
    /* RFC 6749 §4.4: confidential clients only; SPEC §1: m2m, or confidential with
     * allow_client_credentials. */
    if (c->type == CLV_TYPE_PUBLIC ||
        (c->type == CLV_TYPE_CONFIDENTIAL && !c->allow_client_credentials)) {
        rc = clv_fail(err, CLV_UNAUTHORIZED_CLIENT,
                      "this client may not use the client_credentials grant");
        goto cleanup;
    }
    if ((rc = clv_scope_resolve(c, req->scope, &scope, err)) != CLV_OK)
        goto cleanup;
    opts.scope = scope;
    if ((rc = clv_access_mint(app, c, &opts, &token, &expires_in, err)) != CLV_OK)
        goto cleanup;
    out->access_token = token;
    out->expires_in = expires_in;
    out->scope = scope;
    token = scope = NULL;
cleanup:
    free(scope);
    free(token);
    clv_client_free(c);
    return rc;
}

clv_code clv_token_issue(clv_app *app, const clv_token_req *req, clv_token_reply *out, clv_err *err)
{
    if (req->grant_type == NULL)
        return clv_fail(err, CLV_INVALID, "grant_type is required");
    if (strcmp(req->grant_type, "client_credentials") == 0)
        return client_credentials(app, req, out, err);
    if (strcmp(req->grant_type, "authorization_code") == 0)
        return clv_grant_authorization_code(app, req, out, err);
    if (strcmp(req->grant_type, "refresh_token") == 0)
        return clv_grant_refresh_token(app, req, out, err);
    return clv_fail(err, CLV_UNSUPPORTED_GRANT, "grant_type '%.64s' is not supported",
                    req->grant_type);
}
