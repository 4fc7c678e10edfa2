/* libFuzzer target: access tokens as a resource server or the admin API presents them —
 * clv_jwt_verify (src/crypto/jwt.c) and clv_access_check (src/oauth/access.c), which
 * /introspect, /userinfo and the admin bearer path call — on the fuzz app's keys and
 * store.
 *
 * The first byte picks the mode. Even: the rest is a token as sent; nothing signed it, so
 * both must refuse it with CLV_UNAUTHENTICATED. Odd: the rest is a claims object that the
 * target signs with the server's key for alg (first byte >> 1) % 3 (RS256, ES256, EdDSA),
 * typ "at+jwt" unless bit 3 is set ("JWT"). What was signed verifies and gives back the
 * same claims and typ; the same token with one payload character changed does not
 * verify. Before clv_access_check, what is missing is filled in as Clavis mints it (our
 * issuer, the fuzz client, a jti, iat now and exp a minute ahead); a member given as null
 * is left out, and integer exp and iat count from now, at most ten years either way: the
 * server signs only times it chose. A token it accepts is ours, alive, and of a client
 * that exists. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access_token.h"
#include "fuzzutil.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CLIENT_ID "fuzzAccessClient000001"

enum { TEN_YEARS = 10 * 366 * 86400 };

static clv_app *app;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    app = clv_fuzz_app();
    clv_client_free(clv_fuzz_client(CLIENT_ID, "{\"name\":\"rs\",\"type\":\"m2m\"}"));
    if (clv_store_jti_revoke(app->store, "revoked", clv_now() + 86400 * 365, NULL) != CLV_OK)
        abort();
    return 0;
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

static void relative(json_t *o, const char *key)
{
    json_int_t v = json_integer_value(json_object_get(o, key));

    if (v > TEN_YEARS)
        v = TEN_YEARS;
    if (v < -TEN_YEARS)
        v = -TEN_YEARS;
    if (json_is_integer(json_object_get(o, key)))
        json_object_set_new(o, key, json_integer(clv_now() + v));
}

/* Signs claims as the server does; verifies the token and a copy with one payload character
 * changed. Returns the token (malloc'd) or NULL when the signer refused the claims. */
static char *sign_checked(const json_t *claims, clv_alg alg, const char *typ)
{
    char *payload = json_dumps(claims, JSON_COMPACT), *token = NULL, *got_typ = NULL, *dot;
    json_t *back = NULL;

    if (payload == NULL ||
        clv_jwt_sign(clv_app_keys(app), alg, typ, payload, strlen(payload), &token, NULL) != CLV_OK) {
        free(payload);
        return NULL;
    }
    free(payload);
    if (clv_jwt_verify(clv_app_keys(app), token, &back, &got_typ, NULL) != CLV_OK ||
        !json_equal(back, claims) || got_typ == NULL || strcmp(got_typ, typ) != 0)
        abort();
    json_decref(back);
    free(got_typ);
    back = NULL;
    dot = strchr(token, '.') + 1; /* the payload's first character carries 6 whole bits */
    *dot = *dot == 'e' ? 'f' : 'e';
    if (clv_jwt_verify(clv_app_keys(app), token, &back, NULL, NULL) != CLV_UNAUTHENTICATED)
        abort();
    *dot = *dot == 'e' ? 'f' : 'e';
    return token;
}

/* clv_access_check; on CLV_OK the token must be one Clavis would honour. */
static void access_checked(const char *token, bool may_pass)
{
    json_t *claims = NULL;
    clv_client *c = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    rc = clv_access_check(app, token, &claims, &c, &err);
    if (rc != CLV_OK && (rc != CLV_UNAUTHENTICATED || err.detail[0] == '\0'))
        abort();
    if (rc == CLV_OK &&
        (!may_pass || c == NULL || strcmp(c->client_id, CLIENT_ID) != 0 ||
         strcmp(json_string_value(json_object_get(claims, "iss")), CLV_FUZZ_ISSUER) != 0 ||
         json_integer_value(json_object_get(claims, "exp")) <= clv_now() - 1))
        abort();
    json_decref(claims);
    clv_client_free(c);
}

static void signed_mode(uint8_t mode, const char *text)
{
    json_t *claims = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    const char *typ = (mode & 8) != 0 ? "JWT" : "at+jwt";
    char *token = NULL;

    if (!json_is_object(claims) ||
        (token = sign_checked(claims, (clv_alg)((mode >> 1) % 3), typ)) == NULL) {
        json_decref(claims);
        return;
    }
    free(token);
    fill(claims, "iss", json_string(CLV_FUZZ_ISSUER));
    fill(claims, "client_id", json_string(CLIENT_ID));
    fill(claims, "jti", json_string("fuzz"));
    fill(claims, "iat", json_integer(0));
    fill(claims, "exp", json_integer(60));
    relative(claims, "iat");
    relative(claims, "exp");
    if ((token = sign_checked(claims, (clv_alg)((mode >> 1) % 3), typ)) != NULL)
        access_checked(token, true);
    free(token);
    json_decref(claims);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *claims = NULL;
    char *text;

    if (size == 0 || size > 17 * 1024)
        return 0;
    text = clv_fuzz_cstr(data + 1, size - 1);
    if ((data[0] & 1) == 0) {
        if (clv_jwt_verify(clv_app_keys(app), text, &claims, NULL, NULL) != CLV_UNAUTHENTICATED)
            abort(); /* nothing signed it */
        access_checked(text, false);
    } else if (size < 4096) {
        signed_mode(data[0], text);
    }
    free(text);
    return 0;
}
