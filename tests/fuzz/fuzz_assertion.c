/* libFuzzer target: private_key_jwt client assertions (src/oauth/assertion.c, RFC 7523)
 * checked against one registered client's fixed JWKS, on the real store (jti replay).
 *
 * The first byte picks the mode. Even: the rest is the assertion as a client sends it —
 * clv_assertion_client and clv_assertion_verify must refuse it cleanly (nobody but the
 * fuzzer holds the key, and it signs nothing in this mode). Odd: the rest is a JWS header
 * object and a claims object separated by a NUL byte, which the target signs with the
 * client's ES256 key (kid "k1") after filling in what is missing with valid values
 * (iss = sub = the client, aud = the token endpoint, a fresh jti, exp a minute ahead); a
 * member given as null is left out, and integer exp, nbf and iat count from now, so that
 * seeds keep meaning the same thing, while a real one (1e99, say) is that absolute time,
 * clamped to 64 bits — the ends of time in a few characters. An assertion that verifies names its
 * client, and verifies only once: bit 1 of the first byte presents it a second time, which must be
 * refused as a replay. */
#include <jansson.h>
#include <jose/jose.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "oauth/assertion.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CLIENT_ID "fuzzAssertionClient001"

/* A fixed P-256 key, so that a seed signed with it stays valid across runs. */
static const char ec_jwk[] = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k1\",\"alg\":\"ES256\","
                             "\"x\":\"MG97IFtHPQp3Sx10PbHQEPY8EQMoVGEQHB2NSZkvoXU\","
                             "\"y\":\"r0tT303Sq4DhxUuJV66Pyo1ZtJ-ZC2sCbPaygk_O-eM\","
                             "\"d\":\"FoOXmhgI8MGezepcQPZzKB2Nh62DRqbeWWjBf725W0c\"}";

static clv_app *app;
static clv_client client;
static json_t *signing_key;
static unsigned long counter;
static jose_cfg_t *quiet; /* libjose's errors would flood the fuzzer's output */

static void no_log(void *misc, const char *file, int line, uint64_t err, const char *fmt,
                   va_list ap)
{
    (void)misc, (void)file, (void)line, (void)err, (void)fmt, (void)ap;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_t *rsa = json_pack("{s:s, s:s}", "alg", "RS256", "kid", "k2");
    json_t *pub;

    (void)argc;
    (void)argv;
    app = clv_fuzz_app();
    if ((quiet = jose_cfg()) == NULL)
        abort();
    jose_cfg_set_err_func(quiet, no_log, NULL);
    signing_key = json_loads(ec_jwk, 0, NULL);
    pub = json_deep_copy(signing_key);
    if (rsa == NULL || pub == NULL || !jose_jwk_gen(NULL, rsa) || !jose_jwk_pub(NULL, rsa) ||
        !jose_jwk_pub(NULL, pub))
        abort();
    client.client_id = CLIENT_ID;
    /* k1 and k2 by kid; the same EC key once more without one ("any key" when no kid);
     * k3 an Ed25519 key (RFC 8037 §A.2), for the EdDSA path (OpenSSL, not libjose). */
    client.jwks = json_pack("{s:[o, o, o, {s:s, s:s, s:s, s:s}]}", "keys", pub, rsa,
                            json_deep_copy(pub), "kty", "OKP", "crv", "Ed25519", "x",
                            "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid", "k3");
    if (client.jwks == NULL)
        abort();
    json_object_del(json_array_get(json_object_get(client.jwks, "keys"), 2), "kid");
    return 0;
}

/* An integer v is v + now (or v itself when that would overflow); a real is itself,
 * clamped to 64 bits. Anything else stays as it is. */
static void time_claim(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    long long sum;
    double r;

    if (json_is_integer(v)) {
        if (__builtin_add_overflow((long long)json_integer_value(v), (long long)clv_now(), &sum))
            sum = json_integer_value(v);
        json_object_set_new(o, key, json_integer(sum));
    } else if (json_is_real(v)) {
        r = json_real_value(v);
        sum = r >= 0x1p63 ? INT64_MAX : r < -0x1p63 ? INT64_MIN : (long long)r;
        json_object_set_new(o, key, json_integer(sum));
    }
}

static void fill(json_t *o, const char *key, json_t *dflt)
{
    json_t *v = json_object_get(o, key);

    if (v == NULL)
        json_object_set(o, key, dflt);
    else if (json_is_null(v))
        json_object_del(o, key);
    json_decref(dflt);
}

/* The claims object completed as the header comment says; NULL if text is not one. */
static json_t *claims_of(const char *text)
{
    json_t *c = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    const char *jti;
    char buf[300];

    if (!json_is_object(c)) {
        json_decref(c);
        return NULL;
    }
    counter++;
    jti = json_string_value(json_object_get(c, "jti"));
    snprintf(buf, sizeof buf, "%.200s.%lu", jti != NULL ? jti : "fuzz", counter);
    if (jti != NULL && strlen(jti) <= 200)
        json_object_set_new(c, "jti", json_string(buf)); /* fresh, unless very long */
    fill(c, "jti", json_string(buf));
    fill(c, "iss", json_string(CLIENT_ID));
    fill(c, "sub", json_string(CLIENT_ID));
    fill(c, "aud", json_string(CLV_FUZZ_ISSUER "/token"));
    fill(c, "exp", json_integer(60));
    time_claim(c, "exp");
    time_claim(c, "nbf");
    time_claim(c, "iat");
    return c;
}

/* Signs claims under header (completed with alg ES256 and kid k1) into a compact JWS;
 * NULL when libjose will not sign it (an alg that does not fit the key, say). */
static char *sign(json_t *hdr, const json_t *claims)
{
    char *payload = json_dumps(claims, JSON_COMPACT), *out = NULL;
    json_t *jws = NULL, *sig = NULL;
    const char *part[3];

    fill(hdr, "alg", json_string("ES256"));
    fill(hdr, "kid", json_string("k1"));
    if (payload != NULL && strlen(payload) < 6000)
        jws = json_pack("{s:o}", "payload", jose_b64_enc(payload, strlen(payload)));
    sig = json_pack("{s:O}", "protected", hdr);
    if (jws != NULL && sig != NULL && jose_jws_sig(quiet, jws, sig, signing_key)) {
        part[0] = json_string_value(json_object_get(jws, "protected"));
        part[1] = json_string_value(json_object_get(jws, "payload"));
        part[2] = json_string_value(json_object_get(jws, "signature"));
        if (part[0] != NULL && part[1] != NULL && part[2] != NULL) {
            size_t n = strlen(part[0]) + strlen(part[1]) + strlen(part[2]) + 3;
            if ((out = malloc(n)) != NULL)
                snprintf(out, n, "%s.%s.%s", part[0], part[1], part[2]);
        }
    }
    json_decref(jws);
    json_decref(sig);
    free(payload);
    return out;
}

/* Verifies s; a failure must be invalid_client with a reason. */
static clv_code verify(const char *s)
{
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    rc = clv_assertion_verify(app, &client, s, "127.0.0.1", &err);
    if (rc != CLV_OK && (rc != CLV_INVALID_CLIENT || err.detail[0] == '\0'))
        abort();
    return rc;
}

static void signed_mode(uint8_t mode, const char *text, size_t size)
{
    size_t hlen = strlen(text);
    json_t *hdr = json_loads(hlen < size ? text : "{}", JSON_REJECT_DUPLICATES, NULL);
    json_t *claims = claims_of(hlen < size ? text + hlen + 1 : text);
    char *jws = NULL, id[64];

    if (json_is_object(hdr) && claims != NULL && (jws = sign(hdr, claims)) != NULL &&
        verify(jws) == CLV_OK) {
        if (!clv_assertion_client(jws, id, sizeof id) || strcmp(id, CLIENT_ID) != 0)
            abort(); /* a verified assertion names its client */
        if ((mode & 2) != 0 && verify(jws) == CLV_OK)
            abort(); /* RFC 7523 §3 item 7: single use */
    }
    free(jws);
    json_decref(hdr);
    json_decref(claims);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text, id[24];

    if (size == 0 || size > CLV_ASSERTION_MAX + 16)
        return 0;
    text = clv_fuzz_cstr(data + 1, size - 1);
    if ((data[0] & 1) == 0) {
        (void)clv_assertion_client(text, id, sizeof id); /* small buffer: must refuse */
        if (verify(text) == CLV_OK)
            abort(); /* nothing signed it */
    } else {
        signed_mode(data[0], text, size - 1);
    }
    free(text);
    return 0;
}
