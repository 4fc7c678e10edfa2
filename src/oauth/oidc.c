/* oidc — subjects, ID tokens and UserInfo (see oidc.h). */
#include "oauth/oidc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "base/strlist.h"
#include "base/uri.h"
#include "core/access_token.h"
#include "crypto/hash.h"
#include "crypto/jwt.h"
#include "crypto/seal.h"


bool clv_oidc_pairwise(const char *sector, const char *user_id, const unsigned char salt[32],
                       char out[44])
{
    size_t ls = strlen(sector), lu = strlen(user_id);
    size_t n = ls + lu + 2 + 32;
    unsigned char *buf = malloc(n), digest[32];
    bool ok;

    if (buf == NULL)
        return false;
    memcpy(buf, sector, ls);
    buf[ls] = '|';
    memcpy(buf + ls + 1, user_id, lu);
    buf[ls + 1 + lu] = '|';
    memcpy(buf + ls + lu + 2, salt, 32);
    ok = clv_sha256(buf, n, digest);
    clv_wipe(buf, n);
    free(buf);
    if (ok)
        clv_b64url_encode(digest, sizeof digest, out);
    return ok;
}

bool clv_oidc_subject(const clv_app *app, const clv_client *c, const char *user_id,
                      char out[CLV_SUB_LEN])
{
    char host[256];
    const char *sector = c->sector_identifier;

    if (c->subject_type != CLV_SUBJECT_PAIRWISE) {
        snprintf(out, CLV_SUB_LEN, "%s", user_id);
        return strlen(user_id) < CLV_SUB_LEN;
    }
    /* The sector is derived when the client is stored; these fallbacks only cover a
     * client stored without one, so that a pairwise client never sees the public sub. */
    if (sector == NULL &&
        clv_uri_host(json_string_value(json_array_get(c->redirect_uris, 0)), host, sizeof host))
        sector = host;
    if (sector == NULL)
        sector = c->client_id;
    return clv_oidc_pairwise(sector, user_id, app->pairwise_salt, out);
}

bool clv_oidc_at_hash(clv_alg alg, const char *access_token, char out[64])
{
    unsigned char digest[64];
    size_t half;

    if (alg == CLV_ALG_EDDSA) {
        if (!clv_sha512(access_token, strlen(access_token), digest))
            return false;
        half = 32;
    } else {
        if (!clv_sha256(access_token, strlen(access_token), digest))
            return false;
        half = 16;
    }
    clv_b64url_encode(digest, half, out);
    return true;
}

clv_code clv_oidc_id_token(clv_app *app, const clv_client *c, const char *sub, int64_t auth_time,
                           const char *nonce, const char *access_token, char **out, clv_err *err)
{
    int64_t now = clv_now();
    char at_hash[64];
    json_t *claims;
    clv_code rc;

    claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "iss", app->cfg->issuer, "sub", sub, "aud",
                       c->client_id, "exp", (json_int_t)(now + c->access_token_lifetime), "iat",
                       (json_int_t)now, "auth_time", (json_int_t)auth_time);
    if (claims == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    if (nonce != NULL)
        json_object_set_new(claims, "nonce", json_string(nonce));
    if (access_token != NULL) {
        if (!clv_oidc_at_hash(clv_client_alg(c, app->cfg->token_alg), access_token, at_hash)) {
            json_decref(claims);
            return clv_fail(err, CLV_CRYPTO, "hash failed");
        }
        json_object_set_new(claims, "at_hash", json_string(at_hash));
    }
    rc = clv_access_sign(app, clv_client_alg(c, app->cfg->token_alg), "JWT", claims, out, err);
    json_decref(claims);
    return rc;
}


clv_code clv_oidc_userinfo(clv_app *app, const char *access_token, json_t **out, char **client_id,
                           clv_err *err)
{
    json_t *claims = NULL, *info = NULL;
    clv_user *u = NULL;
    const char *scope, *cid;
    clv_code rc;

    if (access_token == NULL || access_token[0] == '\0')
        return clv_fail(err, CLV_UNAUTHENTICATED, "a bearer access token is required");
    if ((rc = clv_access_check(app, access_token, &claims, NULL, err)) != CLV_OK)
        return rc;
    cid = json_string_value(json_object_get(claims, "client_id"));
    if (client_id != NULL && cid != NULL)
        *client_id = strdup(cid);
    scope = json_string_value(json_object_get(claims, "scope"));
    if (!clv_scope_word(scope, "openid")) {
        rc = clv_fail(err, CLV_FORBIDDEN, "the token's scope does not include openid");
        goto cleanup;
    }
    if ((rc = clv_access_token_user(app, claims, &u, err)) != CLV_OK)
        goto cleanup;
    info = json_pack("{s:O}", "sub", json_object_get(claims, "sub"));
    if (info != NULL && clv_scope_word(scope, "profile"))
        json_object_set_new(info, "preferred_username", json_string(u->username));
    if (info != NULL && clv_scope_word(scope, "email") && u->email != NULL)
        json_object_set_new(info, "email", json_string(u->email));
    if (info == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    else
        *out = info;
cleanup:
    clv_user_free(u);
    json_decref(claims);
    return rc;
}
