/* grants — the handlers of the grant table (see grants.h). */
#include "oauth/grants.h"

#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "core/access_token.h"
#include "core/client_cache.h"
#include "core/resource.h"
#include "core/scope.h"
#include "crypto/hash.h"
#include "crypto/rand.h"
#include "oauth/authorize.h"
#include "oauth/oidc.h"

enum { TOKEN_PARAM_MAX = 512 };

/* What a grant issues tokens for: the user, the scope and the family they join. */
typedef struct {
    const char *user_id, *scope, *family_id, *nonce, *resource;
    int64_t auth_time;
} user_grant;

/* The user of a grant, if it still exists, is active and is of the client's tenant. */
static clv_code grant_user(clv_app *app, const clv_client *c, const char *user_id, clv_user **out,
                           clv_err *err)
{
    clv_code rc = clv_store_user_get(app->store, user_id, out, err);

    if (rc == CLV_OK && ((*out)->status != CLV_STATUS_ACTIVE || c->tenant_id == NULL ||
                         strcmp((*out)->tenant_id, c->tenant_id) != 0)) {
        clv_user_free(*out);
        *out = NULL;
        rc = CLV_NOT_FOUND;
    }
    if (rc == CLV_NOT_FOUND)
        return clv_fail(err, CLV_INVALID_GRANT, "the user is no longer active");
    return rc;
}

/* A new refresh token of the family, stored by its bound hash; *token is its value. */
static clv_code new_refresh(clv_app *app, const clv_client *c, const clv_user *u,
                            const user_grant *g, char token[CLV_TOKEN_LEN], clv_err *err)
{
    clv_refresh r = {0};

    if (!clv_rand_token(32, token) || !clv_refresh_hash(c->client_id, token, r.hash))
        return clv_fail(err, CLV_CRYPTO, "CSPRNG or SHA-256 failed");
    r.client_id = c->client_id;
    r.user_id = u->id;
    r.tenant_id = u->tenant_id;
    r.scope = (char *)g->scope;
    r.family_id = (char *)g->family_id;
    r.resource = (char *)g->resource;
    r.auth_time = g->auth_time;
    r.created_at = clv_now();
    r.expires_at = r.created_at + c->refresh_token_lifetime;
    return clv_store_refresh_insert(app->store, &r, err);
}

/* Mints the access token of a user: sub as the client sees the user, the user's roles (for
 * a first-party client only: docs/DESIGN.md D2 — a third party learns no one's roles and
 * gets none to present elsewhere), and the private claims usr (sealed user id, for UserInfo), fid
 * (the family, checked by
 * clv_access_check) and auth_time. */
static clv_code user_access_token(clv_app *app, const clv_client *c, const clv_user *u,
                                  const user_grant *g, const char *sub, char **token,
                                  int64_t *expires_in, clv_err *err)
{
    clv_mint_opts opts = {0};
    char *ref = NULL;
    json_t *extra, *none = json_array();
    clv_code rc;

    if (none == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    if ((rc = clv_access_user_ref(app, u->id, &ref, err)) != CLV_OK) {
        json_decref(none);
        return rc;
    }
    extra = json_pack("{s:s, s:s, s:I}", "usr", ref, "fid", g->family_id, "auth_time",
                      (json_int_t)g->auth_time);
    free(ref);
    if (extra == NULL) {
        json_decref(none);
        return clv_fail(err, CLV_NOMEM, "out of memory");
    }
    opts.sub = sub;
    opts.scope = g->scope;
    opts.aud = g->resource;
    opts.roles = c->first_party ? u->roles : none; /* an empty list writes no claim */
    opts.extra = extra;
    rc = clv_access_mint(app, c, &opts, token, expires_in, err);
    json_decref(extra);
    json_decref(none);
    return rc;
}

/* The RFC 6749 §5.1 response for a user's grant. */
/* docs/DESIGN.md D2, checked again at every token (a code's, and a refresh token's, which
 * may predate a change): admin stays in a user's scope only while the client is first-party
 * and the user an administrator. *own holds the narrowed scope when it had to change. */
static clv_code admin_now(const clv_client *c, const clv_user *u, user_grant *g, char **own,
                          clv_err *err)
{
    bool admin = clv_roles_admin(u->roles);

    if ((c->first_party && admin) || !clv_scope_word(g->scope, "admin"))
        return CLV_OK;
    if ((*own = clv_words_without(g->scope, "admin")) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    g->scope = *own;
    return CLV_OK;
}

static clv_code user_tokens(clv_app *app, const clv_client *c, const user_grant *grant,
                            clv_token_reply *out, clv_err *err)
{
    clv_user *u = NULL;
    char sub[CLV_SUB_LEN], rt[CLV_TOKEN_LEN], *scope = NULL;
    user_grant narrowed = *grant, *g = &narrowed;
    clv_token_reply reply = {0};
    clv_code rc;

    if ((rc = grant_user(app, c, g->user_id, &u, err)) != CLV_OK)
        return rc;
    if ((rc = admin_now(c, u, g, &scope, err)) != CLV_OK)
        goto cleanup;
    if (!clv_oidc_subject(app, c, u->id, sub)) {
        rc = clv_fail(err, CLV_CRYPTO, "subject derivation failed");
        goto cleanup;
    }
    if ((rc = user_access_token(app, c, u, g, sub, &reply.access_token, &reply.expires_in, err)) !=
        CLV_OK)
        goto cleanup;
    if ((reply.scope = strdup(g->scope)) == NULL) {
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
        goto cleanup;
    }
    /* OIDC Core §3.1.3.3: an ID token when openid was granted. */
    if (clv_scope_word(g->scope, "openid"))
        rc = clv_oidc_id_token(app, c, sub, g->auth_time, g->nonce, reply.access_token,
                               &reply.id_token, err);
    if (rc == CLV_OK && c->allow_refresh_token && /* docs/DESIGN.md R16 */
        (rc = new_refresh(app, c, u, g, rt, err)) == CLV_OK &&
        (reply.refresh_token = strdup(rt)) == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    if (rc == CLV_OK) {
        *out = reply;
        reply = (clv_token_reply){0};
    }
cleanup:
    clv_token_reply_cleanup(&reply);
    clv_user_free(u);
    clv_wipe(rt, sizeof rt);
    free(scope);
    return rc;
}

/* RFC 8707 at the token endpoint, for a grant issued for the resource `granted` (NULL:
 * none): a request may name that resource again, or none, but no other (docs/DESIGN.md
 * R38: one resource a grant, so narrowing leaves it as it is); and it must still be
 * registered. */
static clv_code grant_resource(clv_app *app, const clv_client *c, const char *granted,
                               const char *asked, clv_err *err)
{
    const clv_resource *r = NULL;

    if (asked != NULL && (granted == NULL || strcmp(asked, granted) != 0))
        return clv_fail(err, CLV_INVALID_TARGET,
                        "resource must be the one this grant was issued for");
    if (granted == NULL)
        return CLV_OK;
    return clv_resource_resolve(app, c, granted, &r, err);
}

/* Replay (RFC 6749 §4.1.2, RFC 9700 §4.14.2): revoke everything of the family, keeping the
 * record until the last access token it can have issued has expired. */
static clv_code revoke_family(clv_app *app, const char *family_id, const char *what, clv_err *err)
{
    clv_code rc =
        clv_store_family_revoke(app->store, family_id, clv_now() + app->cfg->at_lifetime_max, err);

    if (rc == CLV_OK && (rc = clv_store_commit(app->store, err)) == CLV_OK)
        clv_cache_bump(); /* cached "not revoked" answers of this process are stale */
    if (rc != CLV_OK) {
        clv_store_rollback(app->store);
        return rc;
    }
    return clv_fail(err, CLV_INVALID_GRANT,
                    "the %s was used before; every token issued from it is revoked", what);
}

/* The parameters of the code grant (RFC 6749 §4.1.3, RFC 7636 §4.5). */
typedef struct {
    const char *code, *redirect_uri, *code_verifier;
} code_params;

/* The stored key of the presented code (authorize.h clv_authcode_hash). */
static clv_code code_key(const clv_client *c, const code_params *req, unsigned char hash[32],
                         clv_err *err)
{
    const char *redirect = req->redirect_uri;
    char challenge[44];
    const char *verifier = req->code_verifier;

    if (req->code == NULL || req->code[0] == '\0')
        return clv_fail(err, CLV_INVALID, "code is required");
    if (strlen(req->code) > TOKEN_PARAM_MAX)
        return clv_fail(err, CLV_INVALID_GRANT, "the code is not valid");
    /* RFC 6749 §4.1.3: required when the request named it — which it must have unless
     * the client has only one redirect URI. */
    if (redirect == NULL && (redirect = clv_redirect_uri_match(c, NULL)) == NULL)
        return clv_fail(err, CLV_INVALID, "redirect_uri is required");
    if (verifier != NULL && !clv_pkce_verifier_valid(verifier))
        return clv_fail(err, CLV_INVALID,
                        "code_verifier must be 43-128 characters of "
                        "[A-Za-z0-9-._~] (RFC 7636 §4.1)");
    if (verifier != NULL && !clv_pkce_s256(verifier, challenge))
        return clv_fail(err, CLV_CRYPTO, "SHA-256 failed");
    if (!clv_authcode_hash(c->client_id, redirect, verifier != NULL ? challenge : NULL, req->code,
                       hash))
        return clv_fail(err, CLV_CRYPTO, "SHA-256 failed");
    return CLV_OK;
}

/* Belt and braces: the lookup by bound hash has already matched all of this. */
static bool code_matches(const clv_authcode *ac, const clv_client *c, const code_params *req)
{
    if (strcmp(ac->client_id, c->client_id) != 0)
        return false;
    if (req->redirect_uri != NULL && strcmp(ac->redirect_uri, req->redirect_uri) != 0)
        return false;
    if (ac->code_challenge != NULL)
        return clv_pkce_check(req->code_verifier, ac->code_challenge);
    return req->code_verifier == NULL;
}

/* Ends a grant's transaction: commits and hands reply out on success, else rolls
 * back (the code or refresh token is then unused again: a failed request changes nothing). */
static clv_code finish(clv_app *app, clv_code rc, clv_token_reply *reply, clv_token_reply *out,
                       clv_err *err)
{
    if (rc == CLV_OK)
        rc = clv_store_commit(app->store, err);
    if (rc != CLV_OK) {
        clv_store_rollback(app->store);
        clv_token_reply_cleanup(reply);
        return rc;
    }
    *out = *reply;
    return CLV_OK;
}

static clv_code authorization_code(clv_app *app, const clv_client *c, const clv_token_req *req,
                                   clv_token_reply *out, clv_err *err)
{
    code_params cp = {clv_token_param(req, "code"), clv_token_param(req, "redirect_uri"),
                      clv_token_param(req, "code_verifier")};
    clv_authcode *ac = NULL;
    unsigned char hash[32] = {0};
    clv_token_reply reply = {0};
    clv_code rc;

    if ((rc = code_key(c, &cp, hash, err)) != CLV_OK ||
        (rc = clv_store_begin(app->store, err)) != CLV_OK)
        goto cleanup;
    rc = clv_store_authcode_consume(app->store, hash, &ac, err);
    if (rc == CLV_CONFLICT && ac != NULL) {
        rc = revoke_family(app, ac->family_id, "code", err);
        goto cleanup;
    }
    if (rc == CLV_NOT_FOUND || rc == CLV_CONFLICT || (rc == CLV_OK && !code_matches(ac, c, &cp)))
        rc = clv_fail(err, CLV_INVALID_GRANT,
                      "the code is not valid (unknown, or issued to "
                      "another client, redirect_uri or code_verifier)");
    else if (rc == CLV_OK && ac->expires_at <= clv_now())
        rc = clv_fail(err, CLV_INVALID_GRANT, "the code has expired");
    if (rc == CLV_OK)
        rc = grant_resource(app, c, ac->resource, clv_token_param(req, "resource"), err);
    if (rc == CLV_OK) {
        user_grant g = {ac->user_id, ac->scope, ac->family_id, ac->nonce, ac->resource,
                        ac->auth_time};
        rc = user_tokens(app, c, &g, &reply, err);
    }
    rc = finish(app, rc, &reply, out, err);
cleanup:
    clv_wipe(hash, sizeof hash);
    clv_authcode_free(ac);
    return rc;
}

/* RFC 6749 §6: a requested scope must be within the original grant (and still allowed
 * for the client); without one, the original scope. *out is malloc'd. */
static clv_code refresh_scope(const clv_client *c, const clv_refresh *r, const char *requested,
                              char **out, clv_err *err)
{
    clv_code rc = clv_scope_resolve_user(c, requested != NULL ? requested : r->scope, out, err);

    if (rc != CLV_OK || requested == NULL)
        return rc;
    for (const char *p = *out; *p != '\0';) {
        size_t n = strcspn(p, " ");
        char w[129];
        snprintf(w, sizeof w, "%.*s", (int)(n < 128 ? n : 128), p);
        if (!clv_scope_word(r->scope, w)) {
            free(*out);
            *out = NULL;
            return clv_fail(err, CLV_INVALID_SCOPE, "scope '%s' was not granted originally", w);
        }
        p += n + (p[n] == ' ');
    }
    return CLV_OK;
}

static clv_code refresh_token(clv_app *app, const clv_client *c, const clv_token_req *req,
                              clv_token_reply *out, clv_err *err)
{
    const char *token = clv_token_param(req, "refresh_token");
    clv_refresh *r = NULL;
    char *scope = NULL;
    unsigned char hash[32] = {0};
    clv_token_reply reply = {0};
    clv_code rc;

    if (token == NULL || token[0] == '\0') {
        rc = clv_fail(err, CLV_INVALID, "refresh_token is required");
        goto cleanup;
    }
    if (strlen(token) > TOKEN_PARAM_MAX || !clv_refresh_hash(c->client_id, token, hash)) {
        rc = clv_fail(err, CLV_INVALID_GRANT, "the refresh token is not valid");
        goto cleanup;
    }
    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        goto cleanup;
    rc = clv_store_refresh_consume(app->store, hash, &r, err);
    if (rc == CLV_CONFLICT && r != NULL) {
        rc = revoke_family(app, r->family_id, "refresh token", err);
        goto cleanup;
    }
    if (rc == CLV_NOT_FOUND || rc == CLV_CONFLICT)
        rc = clv_fail(err, CLV_INVALID_GRANT, "the refresh token is not valid for this client");
    else if (rc == CLV_OK && r->expires_at <= clv_now())
        rc = clv_fail(err, CLV_INVALID_GRANT, "the refresh token has expired");
    if (rc == CLV_OK)
        rc = grant_resource(app, c, r->resource, clv_token_param(req, "resource"), err);
    if (rc == CLV_OK &&
        (rc = refresh_scope(c, r, clv_token_param(req, "scope"), &scope, err)) == CLV_OK) {
        user_grant g = {r->user_id, scope, r->family_id, NULL, r->resource, r->auth_time};
        rc = user_tokens(app, c, &g, &reply, err);
    }
    rc = finish(app, rc, &reply, out, err);
cleanup:
    clv_wipe(hash, sizeof hash);
    free(scope);
    clv_refresh_free(r);
    return rc;
}

/* RFC 6749 §4.4: a token for the client itself, with the scopes it asked for (docs/DESIGN.md R2).
 * Who may use it (m2m, or confidential with allow_client_credentials) is the grant's row. */
static clv_code client_credentials(clv_app *app, const clv_client *c, const clv_token_req *req,
                                   clv_token_reply *out, clv_err *err)
{
    const char *asked = clv_token_param(req, "scope");
    char *scope = NULL, *narrowed = NULL, *token = NULL;
    int64_t expires_in = 0;
    clv_mint_opts opts = {0};
    const clv_resource *r = NULL;
    clv_code rc;

    if ((rc = clv_scope_resolve(c, asked, &scope, err)) != CLV_OK)
        return rc;
    /* docs/DESIGN.md R38: the resource named, if any, narrows the scope and is the aud; a
     * request without one (the usual case) costs nothing more */
    rc = clv_resource_resolve(app, c, clv_token_param(req, "resource"), &r, err);
    if (rc == CLV_OK && r != NULL &&
        (rc = clv_resource_scope(r, scope, asked != NULL, &narrowed, err)) == CLV_OK) {
        free(scope);
        scope = narrowed;
        opts.aud = r->identifier;
    }
    opts.scope = scope;
    if (rc == CLV_OK)
        rc = clv_access_mint(app, c, &opts, &token, &expires_in, err);
    if (rc != CLV_OK) {
        free(scope);
        return rc;
    }
    out->access_token = token;
    out->expires_in = expires_in;
    out->scope = scope;
    return CLV_OK;
}

/* The handler of each row of core/grant_types.h. A switch over the enum without a default:
 * a row without a handler here fails the build (-Wswitch, -Werror). */
clv_code clv_grant_run(clv_app *app, clv_grant g, const clv_client *c, const clv_token_req *req,
                       clv_token_reply *out, clv_err *err)
{
    switch (g) {
    case CLV_GRANT_AUTHORIZATION_CODE:
        return authorization_code(app, c, req, out, err);
    case CLV_GRANT_REFRESH_TOKEN:
        return refresh_token(app, c, req, out, err);
    case CLV_GRANT_CLIENT_CREDENTIALS:
        return client_credentials(app, c, req, out, err);
    case CLV_GRANT_COUNT:
        break;
    }
    return clv_fail(err, CLV_UNSUPPORTED_GRANT, "grant_type is not supported");
}

clv_code clv_grant_refresh_revoke(clv_app *app, const char *client_id, const char *token,
                                  bool *found, clv_err *err)
{
    unsigned char hash[32];
    clv_refresh *r = NULL;
    clv_code rc;

    *found = false;
    if (strlen(token) > TOKEN_PARAM_MAX || !clv_refresh_hash(client_id, token, hash))
        return CLV_OK;
    rc = clv_store_refresh_consume(app->store, hash, &r, err);
    if (rc == CLV_NOT_FOUND)
        return CLV_OK;
    if ((rc == CLV_OK || rc == CLV_CONFLICT) && r != NULL) {
        *found = true;
        rc = clv_store_family_revoke(app->store, r->family_id,
                                     clv_now() + app->cfg->at_lifetime_max, err);
        if (rc == CLV_OK)
            clv_cache_bump();
    }
    clv_refresh_free(r);
    return rc;
}
