/* access_token — minting and checking RFC 9068 access tokens (see access_token.h). */
#include "core/access_token.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_text.h"
#include "core/client_cache.h"
#include "core/ids.h"
#include "core/token_cache.h"
#include "crypto/hash.h"
#include "crypto/rand.h"
#include "crypto/seal.h"

clv_code clv_access_sign(const clv_app *app, clv_alg alg, const char *typ, const json_t *claims,
                         char **out, clv_err *err)
{
    size_t len = 0;
    char *payload = json_is_object(claims) ? clv_json_text(claims, &len) : NULL;
    clv_code rc;

    if (payload == NULL)
        return clv_fail(err, json_is_object(claims) ? CLV_NOMEM : CLV_INVALID,
                        "jwt_sign: the claims are not a JSON object, or out of memory");
    rc = clv_jwt_sign(clv_app_keys(app), alg, typ, payload, len, out, err);
    free(payload);
    return rc;
}

/* Whether key is one of the n keys in keys. */
static bool written(const char *const *keys, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0)
            return true;
    return false;
}

/* The claims every access token has (RFC 9068 §2.2), written as text member by member:
 * this runs for every token. */
static void claims_registered(clv_json_obj *w, const clv_app *app, const clv_client *c,
                              const clv_mint_opts *o, int64_t now, int64_t life, const char *jti)
{
    clv_json_obj_begin(w);
    clv_json_obj_str(w, "iss", app->cfg->issuer);
    clv_json_obj_str(w, "sub", o->sub != NULL ? o->sub : c->client_id);
    if (o->aud != NULL) /* docs/DESIGN.md R38: the resource the token is for */
        clv_json_obj_str(w, "aud", o->aud);
    else if (c->audience != NULL && json_array_size(c->audience) > 0) /* API.md: audience */
        clv_json_obj_value(w, "aud", c->audience);
    else
        clv_json_obj_str(w, "aud", app->cfg->issuer);
    clv_json_obj_int(w, "exp", (json_int_t)(now + life));
    clv_json_obj_int(w, "iat", (json_int_t)now);
    clv_json_obj_int(w, "nbf", (json_int_t)now);
    clv_json_obj_str(w, "jti", jti);
    clv_json_obj_str(w, "client_id", c->client_id);
}

/* scope, roles, tenant, the caller's extra claims (which never replace one written before)
 * and test, last. */
static void claims_optional(clv_json_obj *w, const clv_client *c, const clv_mint_opts *o)
{
    const char *keys[16] = {"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id"};
    const json_t *roles = o->roles != NULL ? o->roles : c->roles;
    size_t nkeys = 8;
    const char *key;
    json_t *v;

    if (o->scope != NULL && o->scope[0] != '\0') {
        clv_json_obj_str(w, "scope", o->scope);
        keys[nkeys++] = "scope";
    }
    if (roles != NULL && json_array_size(roles) > 0) {
        clv_json_obj_value(w, "roles", roles);
        keys[nkeys++] = "roles";
    }
    if (c->tenant_id != NULL) {
        clv_json_obj_str(w, "tenant", c->tenant_id);
        keys[nkeys++] = "tenant";
    }
    if (o->test)
        keys[nkeys++] = "test";
    json_object_foreach(o->extra, key, v) {
        if (!written(keys, nkeys, key))
            clv_json_obj_value(w, key, v);
    }
    if (o->test)
        clv_json_obj_value(w, "test", json_true());
}

clv_code clv_access_mint(clv_app *app, const clv_client *c, const clv_mint_opts *o, char **token,
                         int64_t *expires_in, clv_err *err)
{
    char jti[CLV_ID_LEN];
    int64_t now = clv_now();
    int64_t life = o->lifetime > 0 ? o->lifetime : c->access_token_lifetime;
    size_t plen = 0;
    clv_json_obj w;
    char *payload;
    clv_code rc;

    /* A time-ordered id: its millisecond timestamp lets revoke-tokens cut exactly. */
    if (!clv_id_new("at", jti))
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    claims_registered(&w, app, c, o, now, life, jti);
    claims_optional(&w, c, o);
    if ((payload = clv_json_obj_end(&w, &plen)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    rc = clv_jwt_sign(clv_app_keys(app), clv_client_alg(c, app->cfg->token_alg), "at+jwt", payload, plen,
                      token, err);
    free(payload);
    if (rc == CLV_OK)
        *expires_in = life;
    return rc;
}

/* The claims checks that need no store: typ, issuer, expiry. */
static clv_code check_claims(const clv_app *app, const json_t *claims, const char *typ, int64_t now,
                             clv_err *err)
{
    json_t *exp = json_object_get(claims, "exp");
    const char *iss = json_string_value(json_object_get(claims, "iss"));

    if (typ == NULL || strcmp(typ, "at+jwt") != 0)
        return clv_fail(err, CLV_UNAUTHENTICATED, "not an access token");
    if (iss == NULL || strcmp(iss, app->cfg->issuer) != 0)
        return clv_fail(err, CLV_UNAUTHENTICATED, "the token has another issuer");
    if (!json_is_integer(exp) || json_integer_value(exp) <= now)
        return clv_fail(err, CLV_UNAUTHENTICATED, "the token has expired");
    if (json_string_value(json_object_get(claims, "jti")) == NULL ||
        json_string_value(json_object_get(claims, "client_id")) == NULL ||
        !json_is_integer(json_object_get(claims, "iat")))
        return clv_fail(err, CLV_UNAUTHENTICATED, "the token lacks jti, client_id or iat");
    return CLV_OK;
}

/* When a token was issued, in milliseconds: from its jti when it is one of ours, else the
 * end of its iat second. */
static long long issued_ms(const json_t *claims)
{
    long long ms;

    if (clv_id_time_ms(json_string_value(json_object_get(claims, "jti")), &ms))
        return ms;
    return (long long)json_integer_value(json_object_get(claims, "iat")) * 1000 + 999;
}

/* RFC 7009: the token's own jti; and a user's token carries its grant's family ("fid"),
 * which a replayed code or reused refresh token revokes (RFC 9700 §4.14). */
static clv_code check_revoked(clv_app *app, const json_t *claims, clv_err *err)
{
    const char *fid = json_string_value(json_object_get(claims, "fid"));
    bool revoked = false;
    clv_code rc;

    rc = clv_store_jti_is_revoked(app->store, json_string_value(json_object_get(claims, "jti")),
                                  &revoked, err);
    if (rc == CLV_OK && !revoked && fid != NULL)
        rc = clv_store_family_is_revoked(app->store, fid, &revoked, err);
    if (rc == CLV_OK && revoked)
        rc = clv_fail(err, CLV_UNAUTHENTICATED, "the token was revoked");
    return rc;
}

clv_code clv_access_check(clv_app *app, const char *token, json_t **claims_out,
                          clv_client **client_out, clv_err *err)
{
    json_t *claims = NULL;
    char *typ = NULL;
    const char *cached_typ = NULL;
    clv_client *c = NULL;
    int64_t now = clv_now();
    uint64_t gen = clv_cache_generation(); /* before any lookup: see token_cache.h */
    bool fresh = false;
    clv_code rc;

    if (clv_token_cache_get(app, token, &claims, &cached_typ, &fresh))
        rc = check_claims(app, claims, cached_typ, now, err);
    else if ((rc = clv_jwt_verify(clv_app_keys(app), token, &claims, &typ, err)) == CLV_OK)
        rc = check_claims(app, claims, typ, now, err);
    if (rc != CLV_OK)
        goto cleanup;
    if (!fresh) {
        if ((rc = check_revoked(app, claims, err)) != CLV_OK)
            goto cleanup;
        clv_token_cache_put(app, token, claims, cached_typ != NULL ? cached_typ : typ, gen);
    }
    rc = clv_cache_client_get(app, json_string_value(json_object_get(claims, "client_id")), &c,
                              NULL, err);
    if (rc == CLV_NOT_FOUND)
        rc = clv_fail(err, CLV_UNAUTHENTICATED, "the token's client no longer exists");
    if (rc != CLV_OK)
        goto cleanup;
    /* docs/DESIGN.md M: a client that is not effectively active has no active tokens. */
    if (clv_client_effective_status(c) != CLV_STATUS_ACTIVE)
        rc = clv_fail(err, CLV_UNAUTHENTICATED, "the token's client is not active");
    else if (issued_ms(claims) <= c->tokens_revoked_at)
        rc = clv_fail(err, CLV_UNAUTHENTICATED, "the client's tokens were revoked");
cleanup:
    free(typ);
    if (rc == CLV_OK) {
        *claims_out = claims;
        if (client_out != NULL)
            *client_out = c;
        else
            clv_client_free(c);
        return CLV_OK;
    }
    json_decref(claims);
    clv_client_free(c);
    return rc;
}

/* ---- the user behind a user's token ---- */

static const char seal_label[] = "clavis usr v1";

static bool seal_key(const clv_app *app, unsigned char key[32])
{
    static const char label[] = "seal|usr";

    return clv_hmac_sha256(app->hmac_key, sizeof app->hmac_key, label, sizeof label - 1, key);
}

clv_code clv_access_user_ref(const clv_app *app, const char *user_id, char **out, clv_err *err)
{
    unsigned char key[32];
    clv_code rc;

    if (!seal_key(app, key))
        return clv_fail(err, CLV_CRYPTO, "HMAC failed");
    rc = clv_seal(key, seal_label, user_id, out, err);
    clv_wipe(key, sizeof key);
    return rc;
}


clv_code clv_access_token_user(clv_app *app, const json_t *claims, clv_user **out, clv_err *err)
{
    const char *ref = json_string_value(json_object_get(claims, "usr"));
    const char *tenant = json_string_value(json_object_get(claims, "tenant"));
    unsigned char key[32];
    char *uid = NULL;
    clv_code rc;

    if (ref == NULL)
        return clv_fail(err, CLV_FORBIDDEN, "the token was not issued to a user");
    if (!seal_key(app, key))
        return clv_fail(err, CLV_CRYPTO, "HMAC failed");
    rc = clv_unseal(key, seal_label, ref, &uid, err);
    clv_wipe(key, sizeof key);
    if (rc != CLV_OK)
        return rc;
    rc = clv_store_user_get(app->store, uid, out, err);
    free(uid);
    if (rc == CLV_OK && ((*out)->status != CLV_STATUS_ACTIVE || tenant == NULL ||
                         strcmp((*out)->tenant_id, tenant) != 0)) {
        clv_user_free(*out);
        *out = NULL;
        rc = CLV_NOT_FOUND;
    }
    if (rc == CLV_NOT_FOUND)
        rc = clv_fail(err, CLV_UNAUTHENTICATED, "the token's user is no longer active");
    return rc;
}
