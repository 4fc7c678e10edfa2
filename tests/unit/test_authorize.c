/* test_authorize — unit tests of the end-user flows' pure pieces: PKCE S256 against the
 * RFC 7636 Appendix B vector, exact redirect URI matching (RFC 6749 §3.1.2.3, RFC 9700
 * §2.1), the redirect URL, the bound code hash, pairwise subjects (OIDC Core §8.1),
 * at_hash (§3.1.3.6), CSRF tokens, the admin-scope rule for users, origins for CORS and
 * the sealed user reference. No store: nothing here needs one. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/uri.h"
#include "core/app.h"
#include "crypto/seal.h"
#include "oauth/authorize.h"
#include "oauth/cors_policy.h"
#include "oauth/oidc.h"
#include "oauth/session.h"
#include "testutil.h"

/* RFC 7636 Appendix B */
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static clv_client *client_with(const char *redirects_json)
{
    clv_client *c = calloc(1, sizeof *c);

    ck_assert_ptr_nonnull(c);
    c->client_id = strdup("cid");
    c->redirect_uris = json_loads(redirects_json, 0, NULL);
    c->allowed_cors_origins = json_array();
    ck_assert_ptr_nonnull(c->redirect_uris);
    return c;
}

/* ---- PKCE ---- */

START_TEST(pkce_rfc7636_vector)
{
    char out[44];

    ck_assert(clv_pkce_s256(VERIFIER, out));
    ck_assert_str_eq(out, CHALLENGE);
    ck_assert(clv_pkce_check(VERIFIER, CHALLENGE));
}
END_TEST

START_TEST(pkce_mismatch_and_plain_refused)
{
    /* one character off */
    ck_assert(!clv_pkce_check("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj", CHALLENGE));
    /* plain: the challenge is the verifier itself — never accepted */
    ck_assert(!clv_pkce_check(VERIFIER, VERIFIER));
    ck_assert(!clv_pkce_check(NULL, CHALLENGE));
    ck_assert(!clv_pkce_check(VERIFIER, NULL));
    ck_assert(!clv_pkce_check(VERIFIER, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c"));
}
END_TEST

START_TEST(pkce_verifier_form)
{
    char v[130];

    memset(v, 'a', sizeof v);
    v[42] = '\0';
    ck_assert(!clv_pkce_verifier_valid(v)); /* 42: too short */
    v[42] = 'a';
    v[43] = '\0';
    ck_assert(clv_pkce_verifier_valid(v));
    memset(v, 'a', sizeof v);
    v[128] = '\0';
    ck_assert(clv_pkce_verifier_valid(v));
    v[128] = 'a';
    v[129] = '\0';
    ck_assert(!clv_pkce_verifier_valid(v)); /* 129: too long */
    ck_assert(clv_pkce_verifier_valid("abcdefghijklmnopqrstuvwxyz-._~ABCDEFGHIJKLM0123"));
    ck_assert(!clv_pkce_verifier_valid("abcdefghijklmnopqrstuvwxyz+/=ABCDEFGHIJKLM0123"));
    ck_assert(!clv_pkce_verifier_valid(NULL));
}
END_TEST

/* ---- redirect URIs ---- */

START_TEST(redirect_exact_match)
{
    clv_client *c = client_with("[\"https://app.example.com/cb\", "
                                "\"https://app.example.com/cb?x=1\", \"com.example.app:/cb\"]");

    ck_assert_str_eq(clv_redirect_uri_match(c, "https://app.example.com/cb"),
                     "https://app.example.com/cb");
    ck_assert_str_eq(clv_redirect_uri_match(c, "https://app.example.com/cb?x=1"),
                     "https://app.example.com/cb?x=1");
    ck_assert_str_eq(clv_redirect_uri_match(c, "com.example.app:/cb"), "com.example.app:/cb");
    ck_assert_ptr_null(clv_redirect_uri_match(c, "https://app.example.com/cb/"));    /* slash */
    ck_assert_ptr_null(clv_redirect_uri_match(c, "https://APP.example.com/cb"));     /* case */
    ck_assert_ptr_null(clv_redirect_uri_match(c, "HTTPS://app.example.com/cb"));     /* case */
    ck_assert_ptr_null(clv_redirect_uri_match(c, "https://app.example.com/CB"));     /* case */
    ck_assert_ptr_null(clv_redirect_uri_match(c, "https://app.example.com/cb?x=2")); /* query */
    ck_assert_ptr_null(clv_redirect_uri_match(c, "https://app.example.com/cb?"));
    ck_assert_ptr_null(clv_redirect_uri_match(c, "https://app.example.com/c")); /* prefix */
    ck_assert_ptr_null(clv_redirect_uri_match(c, "https://app.example.com/cb/x"));
    ck_assert_ptr_null(clv_redirect_uri_match(c, "https://app.example.com:443/cb")); /* port */
    ck_assert_ptr_null(clv_redirect_uri_match(c, "https://app.example.com/cb#f"));
    ck_assert_ptr_null(clv_redirect_uri_match(c, "https://app.example.com/%63b")); /* escape */
    ck_assert_ptr_null(clv_redirect_uri_match(c, ""));
    /* none given: only when exactly one is registered */
    ck_assert_ptr_null(clv_redirect_uri_match(c, NULL));
    clv_client_free(c);
    c = client_with("[\"https://app.example.com/cb\"]");
    ck_assert_str_eq(clv_redirect_uri_match(c, NULL), "https://app.example.com/cb");
    clv_client_free(c);
}
END_TEST

/* RFC 8252 §7.3 (docs/DESIGN.md D8): loopback IP literals match with any port, nothing else
 * about them is loosened, and no other host gets the exception. */
START_TEST(redirect_loopback_any_port)
{
    clv_client *c = client_with("[\"http://127.0.0.1/cb\", \"http://[::1]:8080/cb?x=1\", "
                                "\"http://localhost:3000/cb\", \"https://app.example.com/cb\"]");

    ck_assert_str_eq(clv_redirect_uri_match(c, "http://127.0.0.1:54321/cb"), "http://127.0.0.1/cb");
    ck_assert_str_eq(clv_redirect_uri_match(c, "http://127.0.0.1/cb"), "http://127.0.0.1/cb");
    ck_assert_str_eq(clv_redirect_uri_match(c, "http://127.0.0.1:1/cb"), "http://127.0.0.1/cb");
    ck_assert_str_eq(clv_redirect_uri_match(c, "http://[::1]/cb?x=1"), "http://[::1]:8080/cb?x=1");
    ck_assert_str_eq(clv_redirect_uri_match(c, "http://[::1]:9/cb?x=1"),
                     "http://[::1]:8080/cb?x=1");
    ck_assert_ptr_null(clv_redirect_uri_match(c, "http://127.0.0.1:54321/cb/"));  /* path */
    ck_assert_ptr_null(clv_redirect_uri_match(c, "http://127.0.0.1:54321/cb?a")); /* query */
    ck_assert_ptr_null(clv_redirect_uri_match(c, "http://127.0.0.1:/cb"));        /* no digits */
    ck_assert_ptr_null(clv_redirect_uri_match(c, "http://127.0.0.1:123456/cb"));  /* 6 digits */
    ck_assert_ptr_null(clv_redirect_uri_match(c, "http://127.0.0.1:80@evil.example/cb"));
    ck_assert_ptr_null(clv_redirect_uri_match(c, "http://127.0.0.1.evil.example/cb"));
    ck_assert_ptr_null(clv_redirect_uri_match(c, "http://127.0.0.2:80/cb"));   /* another host */
    ck_assert_ptr_null(clv_redirect_uri_match(c, "http://[::1]:9/cb"));        /* query differs */
    ck_assert_ptr_null(clv_redirect_uri_match(c, "https://127.0.0.1:9/cb"));   /* scheme */
    ck_assert_ptr_null(clv_redirect_uri_match(c, "http://localhost:3001/cb")); /* a name: exact */
    ck_assert_str_eq(clv_redirect_uri_match(c, "http://localhost:3000/cb"),
                     "http://localhost:3000/cb");
    ck_assert_ptr_null(clv_redirect_uri_match(c, "https://app.example.com:8443/cb"));
    clv_client_free(c);
}
END_TEST

START_TEST(redirect_url_building)
{
    const char *const kv[][2] = {{"code", "a b&c=d"}, {"state", NULL}, {"iss", "https://i/x"}};
    char *u = clv_authz_redirect_url("https://app.example.com/cb", kv, 3);

    ck_assert_str_eq(u, "https://app.example.com/cb?code=a%20b%26c%3Dd&iss=https%3A%2F%2Fi%2Fx");
    free(u);
    u = clv_authz_redirect_url("https://app.example.com/cb?x=1", kv, 1);
    ck_assert_str_eq(u, "https://app.example.com/cb?x=1&code=a%20b%26c%3Dd");
    free(u);
    u = clv_authz_redirect_url("com.example.app:/cb", kv + 1, 1);
    ck_assert_str_eq(u, "com.example.app:/cb");
    free(u);
}
END_TEST

START_TEST(code_hash_binds_everything)
{
    unsigned char a[32], b[32];

    ck_assert(clv_authcode_hash("c1", "https://a/cb", CHALLENGE, "code", a));
    ck_assert(clv_authcode_hash("c1", "https://a/cb", CHALLENGE, "code", b));
    ck_assert_mem_eq(a, b, 32);
    ck_assert(clv_authcode_hash("c2", "https://a/cb", CHALLENGE, "code", b));
    ck_assert(memcmp(a, b, 32) != 0);
    ck_assert(clv_authcode_hash("c1", "https://a/cb/", CHALLENGE, "code", b));
    ck_assert(memcmp(a, b, 32) != 0);
    ck_assert(clv_authcode_hash("c1", "https://a/cb", NULL, "code", b));
    ck_assert(memcmp(a, b, 32) != 0);
    ck_assert(clv_authcode_hash("c1", "https://a/cb", CHALLENGE, "codf", b));
    ck_assert(memcmp(a, b, 32) != 0);
    /* the parts cannot slide into each other */
    ck_assert(clv_authcode_hash("c", "1https://a/cb", CHALLENGE, "code", b));
    ck_assert(memcmp(a, b, 32) != 0);
    ck_assert(clv_refresh_hash("c1", "code", b));
    ck_assert(memcmp(a, b, 32) != 0);
}
END_TEST

/* ---- pairwise, at_hash ---- */

static const unsigned char salt[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                       11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                                       22, 23, 24, 25, 26, 27, 28, 29, 30, 31};

START_TEST(pairwise_stable_and_per_sector)
{
    char a[44], b[44];
    unsigned char salt2[32];

    ck_assert(clv_oidc_pairwise("app.example.com", "usr_1", salt, a));
    /* base64url(SHA-256("app.example.com|usr_1|" salt)) */
    ck_assert_str_eq(a, "3-5zzZsHWkfKrPFgwYtgI8vwTU4kU3S7CzBHfiIzt1U");
    ck_assert(clv_oidc_pairwise("app.example.com", "usr_1", salt, b));
    ck_assert_str_eq(a, b);
    ck_assert(clv_oidc_pairwise("other.example.com", "usr_1", salt, b));
    ck_assert_str_ne(a, b);
    ck_assert(clv_oidc_pairwise("app.example.com", "usr_2", salt, b));
    ck_assert_str_ne(a, b);
    memcpy(salt2, salt, 32);
    salt2[0] = 99;
    ck_assert(clv_oidc_pairwise("app.example.com", "usr_1", salt2, b));
    ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(subject_public_and_pairwise)
{
    clv_app app;
    clv_client *c1 = client_with("[\"https://app.example.com/a\"]");
    clv_client *c2 = client_with("[\"https://app.example.com/b\"]");
    clv_client *c3 = client_with("[\"https://other.example.com/a\"]");
    char s1[CLV_SUB_LEN], s2[CLV_SUB_LEN], s3[CLV_SUB_LEN];

    memset(&app, 0, sizeof app);
    memcpy(app.pairwise_salt, salt, 32);
    ck_assert(clv_oidc_subject(&app, c1, "usr_1", s1));
    ck_assert_str_eq(s1, "usr_1"); /* public: the user id */
    c1->subject_type = c2->subject_type = c3->subject_type = CLV_SUBJECT_PAIRWISE;
    c1->sector_identifier = strdup("app.example.com");
    c2->sector_identifier = strdup("app.example.com");
    c3->sector_identifier = strdup("other.example.com");
    ck_assert(clv_oidc_subject(&app, c1, "usr_1", s1));
    ck_assert(clv_oidc_subject(&app, c2, "usr_1", s2));
    ck_assert(clv_oidc_subject(&app, c3, "usr_1", s3));
    ck_assert_str_eq(s1, s2); /* one host, one sector: the same sub (docs/DESIGN.md M) */
    ck_assert_str_ne(s1, s3);
    ck_assert_str_ne(s1, "usr_1");
    /* no stored sector: the redirect URIs' host still makes it */
    free(c3->sector_identifier);
    c3->sector_identifier = NULL;
    json_array_set_new(c3->redirect_uris, 0, json_string("https://app.example.com/z"));
    ck_assert(clv_oidc_subject(&app, c3, "usr_1", s3));
    ck_assert_str_eq(s1, s3);
    clv_client_free(c1);
    clv_client_free(c2);
    clv_client_free(c3);
}
END_TEST

START_TEST(at_hash_per_alg)
{
    const char *tok = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
    char out[64];

    ck_assert(clv_oidc_at_hash(CLV_ALG_RS256, tok, out));
    ck_assert_str_eq(out, "7Jf-YPfMRnZX33yX_pRwgQ"); /* left 128 bits of SHA-256 */
    ck_assert(clv_oidc_at_hash(CLV_ALG_ES256, tok, out));
    ck_assert_str_eq(out, "7Jf-YPfMRnZX33yX_pRwgQ");
    ck_assert(clv_oidc_at_hash(CLV_ALG_EDDSA, tok, out));
    ck_assert_str_eq(out, "XlxsXM03ai8GetLN_62Npxno6zZDukDrcZBUgO5LhgU"); /* SHA-512 half */
}
END_TEST

/* ---- CSRF, scope for users ---- */

START_TEST(csrf_tokens)
{
    clv_app app;
    char tok[CLV_CSRF_LEN], bad[CLV_CSRF_LEN];

    memset(&app, 0, sizeof app);
    memset(app.hmac_key, 7, sizeof app.hmac_key);
    ck_assert(clv_csrf_make(&app, "authorize", "bind", 2000, tok));
    ck_assert(clv_csrf_check(&app, "authorize", "bind", tok, 1000));
    ck_assert(!clv_csrf_check(&app, "authorize", "bind", tok, 2000));  /* expired */
    ck_assert(!clv_csrf_check(&app, "authorize", "bind2", tok, 1000)); /* other cookie */
    ck_assert(!clv_csrf_check(&app, "logout", "bind", tok, 1000));     /* other form */
    ck_assert(!clv_csrf_check(&app, "authorize", "bind", NULL, 1000));
    ck_assert(!clv_csrf_check(&app, "authorize", NULL, tok, 1000));
    ck_assert(!clv_csrf_check(&app, "authorize", "bind", "", 1000));
    memcpy(bad, tok, sizeof bad);
    bad[strlen(bad) - 1] ^= 1; /* tampered MAC */
    ck_assert(!clv_csrf_check(&app, "authorize", "bind", bad, 1000));
    memcpy(bad, tok, sizeof bad);
    bad[0] = '3'; /* tampered expiry */
    ck_assert(!clv_csrf_check(&app, "authorize", "bind", bad, 1000));
    memset(app.hmac_key, 8, sizeof app.hmac_key); /* another server key */
    ck_assert(!clv_csrf_check(&app, "authorize", "bind", tok, 1000));
}
END_TEST

START_TEST(admin_scope_for_administrators_only)
{
    clv_client c = {.first_party = true};
    clv_authz a = {.client = &c};
    clv_user u = {0};
    clv_err err;

    u.roles = json_array();
    a.scope = strdup("admin openid admin profile");
    ck_assert_int_eq(clv_authz_user_scope(&a, &u, &err), CLV_OK);
    ck_assert_str_eq(a.scope, "openid profile"); /* implicit: dropped */
    free(a.scope);
    a.scope = strdup("openid admin");
    a.scope_given = true;
    ck_assert_int_eq(clv_authz_user_scope(&a, &u, &err), CLV_ACCESS_DENIED);
    json_array_append_new(u.roles, json_string("tenant_admin"));
    ck_assert_int_eq(clv_authz_user_scope(&a, &u, &err), CLV_OK);
    ck_assert_str_eq(a.scope, "openid admin");
    /* docs/DESIGN.md D2: an administrator's rights never reach a client that is not
     * first-party — asked for, refused; implicit, dropped */
    c.first_party = false;
    ck_assert_int_eq(clv_authz_user_scope(&a, &u, &err), CLV_ACCESS_DENIED);
    ck_assert_str_eq(a.scope, "openid admin"); /* unchanged on failure: not used */
    a.scope_given = false;
    ck_assert_int_eq(clv_authz_user_scope(&a, &u, &err), CLV_OK);
    ck_assert_str_eq(a.scope, "openid");
    free(a.scope);
    json_decref(u.roles);
}
END_TEST

/* ---- CORS origins, sealing ---- */

START_TEST(origins)
{
    char o[128];
    clv_client *c = client_with("[\"https://app.example.com:443/cb\", \"com.x.app:/cb\"]");

    ck_assert(clv_uri_origin("https://App.Example.com/cb?x#y", o, sizeof o));
    ck_assert_str_eq(o, "https://app.example.com");
    ck_assert(clv_uri_origin("http://127.0.0.1:8080/cb", o, sizeof o));
    ck_assert_str_eq(o, "http://127.0.0.1:8080");
    ck_assert(clv_uri_origin("http://localhost:80", o, sizeof o));
    ck_assert_str_eq(o, "http://localhost");
    ck_assert(!clv_uri_origin("com.x.app:/cb", o, sizeof o));
    ck_assert(!clv_uri_origin("https://user@evil.example/", o, sizeof o));
    json_array_append_new(c->allowed_cors_origins, json_string("https://spa.example.com"));
    ck_assert(clv_cors_client_allows(c, "https://app.example.com"));
    ck_assert(clv_cors_client_allows(c, "https://spa.example.com"));
    ck_assert(!clv_cors_client_allows(c, "https://evil.example.com"));
    ck_assert(!clv_cors_client_allows(c, "http://app.example.com"));
    ck_assert(!clv_cors_client_allows(c, "https://app.example.com/cb")); /* not an origin */
    ck_assert(!clv_cors_client_allows(c, "null"));
    clv_client_free(c);
}
END_TEST

START_TEST(seal_round_trip_and_tamper)
{
    unsigned char key[32] = {1}, other[32] = {2};
    char *s = NULL, *p = NULL;

    ck_assert_int_eq(clv_seal(key, "l", "usr_123", &s, NULL), CLV_OK);
    ck_assert_int_eq(clv_unseal(key, "l", s, &p, NULL), CLV_OK);
    ck_assert_str_eq(p, "usr_123");
    free(p);
    ck_assert_int_eq(clv_unseal(other, "l", s, &p, NULL), CLV_UNAUTHENTICATED);
    ck_assert_int_eq(clv_unseal(key, "m", s, &p, NULL), CLV_UNAUTHENTICATED);
    s[20] = s[20] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(clv_unseal(key, "l", s, &p, NULL), CLV_UNAUTHENTICATED);
    ck_assert_int_eq(clv_unseal(key, "l", "!!", &p, NULL), CLV_UNAUTHENTICATED);
    ck_assert_int_eq(clv_unseal(key, "l", "", &p, NULL), CLV_UNAUTHENTICATED);
    free(s);
}
END_TEST

static Suite *authorize_suite(void)
{
    Suite *s = suite_create("authorize");
    TCase *tc = tcase_create("pure");

    tcase_add_test(tc, pkce_rfc7636_vector);
    tcase_add_test(tc, pkce_mismatch_and_plain_refused);
    tcase_add_test(tc, pkce_verifier_form);
    tcase_add_test(tc, redirect_exact_match);
    tcase_add_test(tc, redirect_loopback_any_port);
    tcase_add_test(tc, redirect_url_building);
    tcase_add_test(tc, code_hash_binds_everything);
    tcase_add_test(tc, pairwise_stable_and_per_sector);
    tcase_add_test(tc, subject_public_and_pairwise);
    tcase_add_test(tc, at_hash_per_alg);
    tcase_add_test(tc, csrf_tokens);
    tcase_add_test(tc, admin_scope_for_administrators_only);
    tcase_add_test(tc, origins);
    tcase_add_test(tc, seal_round_trip_and_tamper);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return clv_test_run(authorize_suite());
}
