/* test_assertion — unit tests of src/oauth/assertion.c: private_key_jwt client assertions
 * (RFC 7523 §3) signed with a registered key and checked on a real store (the jti).
 * Each test runs in its own process (CK_FORK) on a fresh database. */
#include <check.h>
#include <jose/jose.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "core/app.h"
#include "oauth/assertion.h"
#include "testutil.h"

#define ISSUER "http://127.0.0.1:9"
#define CLIENT_ID "assertionClient0000001"

static const char ec_jwk[] =
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k1\",\"alg\":\"ES256\","
    "\"x\":\"MG97IFtHPQp3Sx10PbHQEPY8EQMoVGEQHB2NSZkvoXU\","
    "\"y\":\"r0tT303Sq4DhxUuJV66Pyo1ZtJ-ZC2sCbPaygk_O-eM\","
    "\"d\":\"FoOXmhgI8MGezepcQPZzKB2Nh62DRqbeWWjBf725W0c\"}";

static char dir[128];
static clv_config cfg;
static clv_app *app;
static clv_client client;

static void setup(void)
{
    json_t *pub = json_loads(ec_jwk, 0, NULL);

    clv_test_mkdtemp(dir, sizeof dir, NULL, "assertion");
    clv_test_config(&cfg, dir, "test.db", ISSUER);
    app = clv_test_app_open(&cfg);
    ck_assert(pub != NULL && jose_jwk_pub(NULL, pub));
    client.client_id = CLIENT_ID;
    client.jwks = json_pack("{s:[o]}", "keys", pub);
}

static void teardown(void)
{
    json_decref(client.jwks);
    clv_app_free(app);
    clv_config_cleanup(&cfg);
    clv_test_rm_tree(dir);
}

/* A compact JWS of {iss, sub: the client, aud: the token endpoint, jti, exp} signed with
 * the registered key (ES256, kid k1); malloc'd. */
static char *assertion(const char *jti, json_int_t exp)
{
    json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:I}", "iss", CLIENT_ID, "sub", CLIENT_ID,
                               "aud", ISSUER "/token", "jti", jti, "exp", exp);
    char *payload = json_dumps(claims, JSON_COMPACT), *out = NULL;
    json_t *jws = json_pack("{s:o}", "payload", jose_b64_enc(payload, strlen(payload)));
    json_t *sig = json_pack("{s:{s:s, s:s}}", "protected", "alg", "ES256", "kid", "k1");
    json_t *key = json_loads(ec_jwk, 0, NULL);
    size_t n;

    ck_assert(jws != NULL && sig != NULL && key != NULL && jose_jws_sig(NULL, jws, sig, key));
    n = strlen(json_string_value(json_object_get(jws, "protected"))) +
        strlen(json_string_value(json_object_get(jws, "payload"))) +
        strlen(json_string_value(json_object_get(jws, "signature"))) + 3;
    out = malloc(n);
    ck_assert_ptr_nonnull(out);
    snprintf(out, n, "%s.%s.%s", json_string_value(json_object_get(jws, "protected")),
             json_string_value(json_object_get(jws, "payload")),
             json_string_value(json_object_get(jws, "signature")));
    json_decref(claims);
    json_decref(jws);
    json_decref(sig);
    json_decref(key);
    free(payload);
    return out;
}

static clv_code verify(const char *jws, clv_err *err)
{
    clv_err_init(err);
    return clv_assertion_verify(app, &client, jws, NULL, err);
}

START_TEST(fresh_assertion_once)
{
    char *a = assertion("j1", clv_now() + 60);
    clv_err err;

    ck_assert_msg(verify(a, &err) == CLV_OK, "refused: %s", err.detail);
    ck_assert_int_eq(verify(a, &err), CLV_INVALID_CLIENT); /* RFC 7523 §3 item 7 */
    ck_assert_ptr_nonnull(strstr(err.detail, "jti"));
    free(a);
}
END_TEST

/* Found by tests/fuzz/fuzz_assertion.c: an exp within CLV_ASSERTION_SKEW of INT64_MAX
 * overflowed exp + skew (undefined behaviour; it wrapped to "expired"). It is refused as
 * too far ahead. */
START_TEST(exp_at_the_end_of_time)
{
    static const json_int_t exps[] = {INT64_MAX, INT64_MAX - CLV_ASSERTION_SKEW + 1};
    clv_err err;

    for (size_t i = 0; i < sizeof exps / sizeof exps[0]; i++) {
        char *a = assertion("j2", exps[i]);
        ck_assert_int_eq(verify(a, &err), CLV_INVALID_CLIENT);
        ck_assert_msg(strstr(err.detail, "ahead") != NULL, "detail: %s", err.detail);
        free(a);
    }
}
END_TEST

START_TEST(expired_and_too_far_ahead)
{
    char *old = assertion("j3", clv_now() - CLV_ASSERTION_SKEW - 1);
    char *far = assertion("j4", clv_now() + CLV_ASSERTION_AHEAD + CLV_ASSERTION_SKEW + 60);
    clv_err err;

    ck_assert_int_eq(verify(old, &err), CLV_INVALID_CLIENT);
    ck_assert_ptr_nonnull(strstr(err.detail, "expired"));
    ck_assert_int_eq(verify(far, &err), CLV_INVALID_CLIENT);
    ck_assert_ptr_nonnull(strstr(err.detail, "ahead"));
    free(old);
    free(far);
}
END_TEST

static Suite *assertion_suite(void)
{
    Suite *s = suite_create("assertion");
    TCase *tc = tcase_create("verify");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fresh_assertion_once);
    tcase_add_test(tc, exp_at_the_end_of_time);
    tcase_add_test(tc, expired_and_too_far_ahead);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return clv_test_run(assertion_suite());
}
