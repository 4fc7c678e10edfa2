/* access — minting and checking RFC 9068 access tokens (see access.h). */
#include "oauth/access.h"

#include <stdlib.h>
#include <string.h>

#include "core/client_cache.h"
#include "core/ids.h"
#include "core/json_text.h"
#include "core/token_cache.h"
#include "crypto/hash.h"
#include "crypto/rand.h"

static json_t *audience_claim(const clv_app *app, const clv_client *c)
{
    /* SPEC §5.3: the client's audience list when set, else the issuer. */
    if (c->audience != NULL && json_array_size(c->audience) > 0)
        return json_deep_copy(c->audience);
    return json_string(app->cfg->issuer);
}

clv_code clv_access_sign(const clv_app *app, clv_alg alg, const char *typ, const json_t *claims,
                         char **out, clv_err *err)
{
    size_t len = 0;
    char *payload = json_is_object(claims) ? clv_json_text(claims, &len) : NULL;
    clv_code rc;

    if (payload == NULL)
        return clv_fail(err, json_is_object(claims) ? CLV_NOMEM : CLV_INVALID,
                        "jwt_sign: the claims are not a JSON object, or out of memory");
    rc = clv_jwt_sign(app->keys, alg, typ, payload, len, out, err);
    free(payload);
    return rc;
}

clv_code clv_access_mint(clv_app *app, const clv_client *c, const clv_mint_opts *o,
                         char **token, int64_t *expires_in, clv_err *err)
{
    char jti[CLV_ID_LEN];
    int64_t now = clv_now();
    int64_t life = o->lifetime > 0 ? o->lifetime : c->access_token_lifetime;
    json_t *roles = o->roles != NULL ? o->roles : c->roles;
    json_t *claims = NULL;
    clv_code rc = CLV_NOMEM;

    /* A time-ordered id: its millisecond timestamp lets revoke-tokens cut exactly. */
    if (!clv_id_new("at", jti))
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    claims = json_pack("{s:s, s:s, s:o, s:I, s:I, s:I, s:s, s:s}", "iss", app->cfg->issuer,
                       "sub", o->sub != NULL ? o->sub : c->client_id, "aud",
                       audience_claim(app, c), "exp", (json_int_t)(now + life), "iat",
                       (json_int_t)now, "nbf", (json_int_t)now, "jti", jti, "client_id",
                       c->client_id);
    if (claims == NULL)
        goto cleanup;
    if (o->scope != NULL && o->scope[0] != '\0')
        json_object_set_new(claims, "scope", json_string(o->scope));
    if (roles != NULL && json_array_size(roles) > 0)
        json_object_set(claims, "roles", roles);
    if (c->tenant_id != NULL)
        json_object_set_new(claims, "tenant", json_string(c->tenant_id));
    if (o->extra != NULL)
        json_object_update_missing(claims, o->extra);
    if (o->test)
        json_object_set_new(claims, "test", json_true());
    rc = clv_access_sign(app, c->signing_alg, "at+jwt", claims, token, err);
    if (rc == CLV_OK)
        *expires_in = life;
cleanup:
    json_decref(claims);
    return rc == CLV_NOMEM ? clv_fail(err, rc, "out of memory") : rc;
}

/* The claims checks that need no store: typ, issuer, expiry. */
static clv_code check_claims(const clv_app *app, const json_t *claims, const char *typ,
                             int64_t now, clv_err *err)
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
    else if ((rc = clv_jwt_verify(app->keys, token, &claims, &typ, err)) == CLV_OK)
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
    /* SPEC §1: a client that is not effectively active has no active tokens. */
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
