/* assertion — private_key_jwt (see assertion.h). libjose verifies the signature; the
 * rest — which algorithms, which claims — is checked here before and after it. */
#include "oauth/assertion.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jose/jose.h>

#include "base/b64.h"

enum { JTI_MAX = 256, URL_MAX = 2200 };

/* RFC 7518 §3.1 asymmetric signatures that libjose verifies: no none, no HMAC (a client's
 * public key must never become an HMAC secret). */
static const char *const algs[] = {"RS256", "RS384", "RS512", "PS256", "PS384",
                                   "PS512", "ES256", "ES384", "ES512", NULL};

/* The three base64url parts of a compact JWS; false unless there are exactly three. */
static bool split(const char *jws, const char *part[3], size_t len[3])
{
    const char *p = jws;

    for (int i = 0; i < 3; i++) {
        part[i] = p;
        len[i] = strcspn(p, ".");
        p += len[i];
        if (i < 2 && *p++ != '.')
            return false;
    }
    return *p == '\0' && len[0] > 0 && len[1] > 0 && len[2] > 0;
}

static json_t *decode_object(const char *s, size_t n)
{
    unsigned char *raw = NULL;
    size_t rawlen = 0;
    json_t *j;

    if (!clv_b64url_decode(s, n, &raw, &rawlen))
        return NULL;
    j = json_loadb((const char *)raw, rawlen, JSON_REJECT_DUPLICATES, NULL);
    free(raw);
    if (j != NULL && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

bool clv_assertion_client(const char *assertion, char *out, size_t n)
{
    const char *part[3];
    size_t len[3];
    json_t *claims;
    const char *id;
    bool ok;

    if (assertion == NULL || strlen(assertion) > CLV_ASSERTION_MAX ||
        !split(assertion, part, len) || (claims = decode_object(part[1], len[1])) == NULL)
        return false;
    id = json_string_value(json_object_get(claims, "sub"));
    if (id == NULL)
        id = json_string_value(json_object_get(claims, "iss"));
    ok = id != NULL && strlen(id) < n;
    if (ok)
        snprintf(out, n, "%s", id);
    json_decref(claims);
    return ok;
}

static bool alg_allowed(const char *alg)
{
    for (int i = 0; alg != NULL && algs[i] != NULL; i++)
        if (strcmp(alg, algs[i]) == 0)
            return true;
    return false;
}

/* Verifies the JWS with the client's key named by kid, or with any of its keys. */
static bool signature_ok(const clv_client *c, const char *part[3], const size_t len[3],
                         const char *kid)
{
    json_t *jws = json_pack("{s:s%, s:s%, s:s%}", "protected", part[0], len[0], "payload", part[1],
                            len[1], "signature", part[2], len[2]);
    const json_t *keys = json_object_get(c->jwks, "keys");
    bool ok = false;
    size_t i;
    json_t *k;

    json_array_foreach(keys, i, k) {
        const char *kkid = json_string_value(json_object_get(k, "kid"));
        if (ok || jws == NULL || (kid != NULL && (kkid == NULL || strcmp(kid, kkid) != 0)))
            continue;
        ok = jose_jws_ver(NULL, jws, NULL, k, false);
    }
    json_decref(jws);
    return ok;
}

static bool aud_ok(const clv_app *app, const json_t *aud)
{
    char token_url[URL_MAX];
    size_t i;
    json_t *v;

    snprintf(token_url, sizeof token_url, "%s/token", app->cfg->issuer);
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), token_url) == 0 ||
               strcmp(json_string_value(aud), app->cfg->issuer) == 0;
    json_array_foreach(aud, i, v) {
        if (aud_ok(app, v))
            return true;
    }
    return false;
}

static bool str_is(const json_t *claims, const char *name, const char *want)
{
    const char *v = json_string_value(json_object_get(claims, name));

    return v != NULL && strcmp(v, want) == 0;
}

/* An optional time claim (nbf, iat) that, when present, is an integer not after now. */
static bool not_future(const json_t *t, int64_t now)
{
    return t == NULL || (json_is_integer(t) && json_integer_value(t) <= now + CLV_ASSERTION_SKEW);
}

/* RFC 7523 §3 items 4-5: exp, nbf and iat, with CLV_ASSERTION_SKEW of leeway. */
static clv_code times_ok(const json_t *claims, clv_err *err)
{
    const json_t *exp = json_object_get(claims, "exp");
    int64_t now = clv_now();

    /* exp - skew, not exp + skew: exp is the client's, and may be INT64_MAX */
    if (!json_is_integer(exp) || json_integer_value(exp) <= now - CLV_ASSERTION_SKEW)
        return clv_fail(err, CLV_INVALID_CLIENT, "the assertion has expired or has no exp");
    if (json_integer_value(exp) > now + CLV_ASSERTION_AHEAD + CLV_ASSERTION_SKEW)
        return clv_fail(err, CLV_INVALID_CLIENT, "the assertion's exp is more than %d s ahead",
                        CLV_ASSERTION_AHEAD);
    if (!not_future(json_object_get(claims, "nbf"), now) ||
        !not_future(json_object_get(claims, "iat"), now))
        return clv_fail(err, CLV_INVALID_CLIENT, "the assertion is not valid yet");
    return CLV_OK;
}

/* RFC 7523 §3 items 1-7 but the signature and the replay check. */
static clv_code claims_ok(const clv_app *app, const clv_client *c, const json_t *claims,
                          clv_err *err)
{
    const char *jti = json_string_value(json_object_get(claims, "jti"));
    clv_code rc;

    if (!str_is(claims, "iss", c->client_id) || !str_is(claims, "sub", c->client_id))
        return clv_fail(err, CLV_INVALID_CLIENT,
                        "the assertion's iss and sub must be the client_id");
    if (!aud_ok(app, json_object_get(claims, "aud")))
        return clv_fail(err, CLV_INVALID_CLIENT,
                        "the assertion's aud must name the token endpoint");
    if ((rc = times_ok(claims, err)) != CLV_OK)
        return rc;
    if (jti == NULL || jti[0] == '\0' || strlen(jti) > JTI_MAX)
        return clv_fail(err, CLV_INVALID_CLIENT, "the assertion needs a jti");
    return CLV_OK;
}

clv_code clv_assertion_verify(clv_app *app, const clv_client *c, const char *assertion,
                              clv_err *err)
{
    const char *part[3];
    size_t len[3];
    json_t *hdr = NULL, *claims = NULL;
    clv_code rc = CLV_INVALID_CLIENT;

    if (assertion == NULL || strlen(assertion) > CLV_ASSERTION_MAX ||
        !split(assertion, part, len) || (hdr = decode_object(part[0], len[0])) == NULL ||
        (claims = decode_object(part[1], len[1])) == NULL) {
        rc = clv_fail(err, CLV_INVALID_CLIENT, "client_assertion is not a compact JWS");
    } else if (!alg_allowed(json_string_value(json_object_get(hdr, "alg"))) ||
               json_object_get(hdr, "crit") != NULL) {
        rc = clv_fail(err, CLV_INVALID_CLIENT, "client_assertion's alg is not accepted");
    } else if (c->jwks == NULL) {
        rc = clv_fail(err, CLV_INVALID_CLIENT,
                      "the client has no registered jwks (jwks_uri "
                      "is not supported)");
    } else if (!signature_ok(c, part, len, json_string_value(json_object_get(hdr, "kid")))) {
        rc = clv_fail(err, CLV_INVALID_CLIENT, "client_assertion's signature does not verify");
    } else if ((rc = claims_ok(app, c, claims, err)) == CLV_OK) {
        /* RFC 7523 §3 item 7: single use, remembered until it expires anyway. */
        rc = clv_store_assertion_jti_use(
            app->store, json_string_value(json_object_get(claims, "jti")), c->client_id,
            json_integer_value(json_object_get(claims, "exp")) + CLV_ASSERTION_SKEW, err);
        if (rc == CLV_CONFLICT)
            rc = clv_fail(err, CLV_INVALID_CLIENT, "the assertion was used before (jti replay)");
    }
    json_decref(hdr);
    json_decref(claims);
    return rc;
}
