/* assertion — private_key_jwt (see assertion.h). libjose verifies RS*, PS* and ES*
 * signatures, OpenSSL EdDSA ones (libjose has no Ed25519); the rest — which algorithms,
 * which claims — is checked here before and after it. A client's keys are its jwks, or
 * the document at its jwks_uri (core/doc_cache.h: kept by its cache headers, fetched
 * again once when an assertion names a kid it lacks). */
#include "oauth/assertion.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jose/jose.h>

#include "base/b64.h"
#include "core/doc_cache.h"
#include "crypto/jwt.h"

enum { JTI_MAX = 256, URL_MAX = 2200 };

/* RFC 7518 §3.1 asymmetric signatures that libjose verifies, and EdDSA by its RFC 8037
 * name and its RFC 9864 fully-specified one (Ed25519, what oauth4webapi signs with): no
 * none, no HMAC (a client's public key must never become an HMAC secret). */
static const char *const algs[] = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                                   "ES256", "ES384", "ES512", "EdDSA", "Ed25519", NULL};

/* jwks_uri documents (docs/SECURITY.md "Outgoing fetches"): 64 KiB, 5 s, kept 1 min to
 * 24 h by their Cache-Control (10 min when it says nothing), fetched at most every 10 s; a
 * good one serves up to 24 h past its freshness while its refetches fail (D15). */
static const clv_doc_cache_rules jwks_rules = {.max_body = 64 * 1024,
                                               .timeout = 5,
                                               .min_ttl = 60,
                                               .max_ttl = 24 * 3600,
                                               .default_ttl = 600,
                                               .refetch_min = 10,
                                               .max_stale = 24 * 3600,
                                               .max_entries = 1024};
static clv_doc_cache *jwks_cache;
static pthread_once_t jwks_once = PTHREAD_ONCE_INIT;

static void jwks_cache_init(void)
{
    jwks_cache = clv_doc_cache_new(&jwks_rules);
}

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

static bool str_is(const json_t *claims, const char *name, const char *want)
{
    const char *v = json_string_value(json_object_get(claims, name));

    return v != NULL && strcmp(v, want) == 0;
}

/* EdDSA (RFC 8037 §3.1): an OKP Ed25519 key checks the signature over "header.payload". */
static bool eddsa_ok(const json_t *k, const char *part[3], const size_t len[3])
{
    const char *x = json_string_value(json_object_get(k, "x"));
    const char *kalg = json_string_value(json_object_get(k, "alg"));
    unsigned char *pub = NULL, *sig = NULL;
    size_t publen = 0, siglen = 0;
    bool ok;

    if (!str_is(k, "kty", "OKP") || !str_is(k, "crv", "Ed25519") || x == NULL ||
        (kalg != NULL && strcmp(kalg, "EdDSA") != 0 && strcmp(kalg, "Ed25519") != 0))
        return false;
    ok = clv_b64url_decode(x, strlen(x), &pub, &publen) && publen == CLV_ED25519_PUB &&
         clv_b64url_decode(part[2], len[2], &sig, &siglen) && siglen == CLV_ED25519_SIG &&
         clv_ed25519_verify(pub, (const unsigned char *)part[0], len[0] + 1 + len[1], sig);
    free(pub);
    free(sig);
    return ok;
}

static bool has_kid(const json_t *jwks, const char *kid)
{
    size_t i;
    json_t *k;

    json_array_foreach(json_object_get(jwks, "keys"), i, k) {
        if (str_is(k, "kid", kid))
            return true;
    }
    return false;
}

/* Verifies the JWS with the key of jwks named by kid, or with any of its keys. */
static bool signature_ok(const json_t *jwks, const char *alg, const char *part[3],
                         const size_t len[3], const char *kid)
{
    json_t *jws = json_pack("{s:s%, s:s%, s:s%}", "protected", part[0], len[0], "payload", part[1],
                            len[1], "signature", part[2], len[2]);
    bool ok = false, eddsa = strcmp(alg, "EdDSA") == 0 || strcmp(alg, "Ed25519") == 0;
    size_t i;
    json_t *k;

    json_array_foreach(json_object_get(jwks, "keys"), i, k) {
        if (ok || jws == NULL || (kid != NULL && !str_is(k, "kid", kid)))
            continue;
        ok = eddsa ? eddsa_ok(k, part, len) : jose_jws_ver(NULL, jws, NULL, k, false);
    }
    json_decref(jws);
    return ok;
}

/* The keys c's assertions are checked with (a new reference): its jwks, or its jwks_uri's
 * document, fetched again (at most once) when it lacks kid. A fetch that could not happen
 * (no fetch slot free, addr throttled: docs/DESIGN.md D15) is the server's condition,
 * answered as such (503, 429), never as the client's failure. */
static clv_code client_keys(clv_app *app, const clv_client *c, const char *kid,
                            const char *addr, json_t **jwks, clv_err *err)
{
    clv_doc_ask ask = {.addr = addr, .throttle = app->throttle};
    bool fetched = false;
    clv_err ferr;
    clv_code rc;

    *jwks = NULL;
    if (c->jwks_uri == NULL) {
        *jwks = json_incref(c->jwks);
        return c->jwks != NULL ? CLV_OK
                               : clv_fail(err, CLV_INVALID_CLIENT, "the client has no keys");
    }
    pthread_once(&jwks_once, jwks_cache_init);
    if (jwks_cache == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    clv_err_init(&ferr);
    rc = clv_doc_cache_get(jwks_cache, c->jwks_uri, &ask, jwks, &fetched, &ferr);
    if (rc == CLV_OK && kid != NULL && !has_kid(*jwks, kid) && !fetched) {
        json_decref(*jwks); /* the client may have rotated its keys: look again, once */
        ask.force = true;
        rc = clv_doc_cache_get(jwks_cache, c->jwks_uri, &ask, jwks, NULL, &ferr);
    }
    if (rc == CLV_OK && !json_is_array(json_object_get(*jwks, "keys")))
        rc = clv_fail(&ferr, CLV_INVALID, "the document is not a JWK Set (RFC 7517 §5)");
    if (rc == CLV_OK)
        return CLV_OK;
    json_decref(*jwks);
    *jwks = NULL;
    if (rc == CLV_THROTTLED && err != NULL)
        err->retry_after = ferr.retry_after;
    return clv_fail(err, rc == CLV_INVALID ? CLV_INVALID_CLIENT : rc, "the client's jwks_uri: %s",
                    ferr.detail);
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

/* The header's checks, then the signature with the client's keys. */
static clv_code signed_by_client(clv_app *app, const clv_client *c, const char *addr,
                                 const json_t *hdr, const char *part[3], const size_t len[3],
                                 clv_err *err)
{
    const char *alg = json_string_value(json_object_get(hdr, "alg"));
    const char *kid = json_string_value(json_object_get(hdr, "kid"));
    json_t *jwks = NULL;
    clv_code rc;

    if (!alg_allowed(alg) || json_object_get(hdr, "crit") != NULL)
        return clv_fail(err, CLV_INVALID_CLIENT, "client_assertion's alg is not accepted");
    if ((rc = client_keys(app, c, kid, addr, &jwks, err)) != CLV_OK)
        return rc;
    if (!signature_ok(jwks, alg, part, len, kid))
        rc = clv_fail(err, CLV_INVALID_CLIENT, "client_assertion's signature does not verify");
    json_decref(jwks);
    return rc;
}

clv_code clv_assertion_verify(clv_app *app, const clv_client *c, const char *assertion,
                              const char *addr, clv_err *err)
{
    const char *part[3];
    size_t len[3];
    json_t *hdr = NULL, *claims = NULL;
    clv_code rc = CLV_INVALID_CLIENT;

    if (assertion == NULL || strlen(assertion) > CLV_ASSERTION_MAX ||
        !split(assertion, part, len) || (hdr = decode_object(part[0], len[0])) == NULL ||
        (claims = decode_object(part[1], len[1])) == NULL) {
        rc = clv_fail(err, CLV_INVALID_CLIENT, "client_assertion is not a compact JWS");
    } else if ((rc = signed_by_client(app, c, addr, hdr, part, len, err)) != CLV_OK) {
        /* rc and err set */
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
