/* Unit tests of dynamic registration's metadata mapping (RFC 7591 §2, docs/DESIGN.md R11): the
 * client type derived from the metadata, unknown metadata ignored, RFC 7591 §3.2.2 error
 * codes, PUT replacing metadata (RFC 7592 §2.2); and the reserved-claims rule of test
 * tokens. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/testtoken.h"
#include "core/grant_types.h"
#include "oauth/register.h"
#include "testutil.h"

static clv_config cfg;

static void cfg_setup(void)
{
    clv_test_bounds_config(&cfg);
}

/* Registers metadata (create); the client, or NULL with *err filled. */
static clv_client *reg(const char *metadata, clv_err *err)
{
    json_t *md = clv_test_json(metadata);
    clv_client *c = NULL;
    clv_code rc;

    clv_err_init(err);
    rc = clv_register_client(md, NULL, "svc_1", &cfg, &c, err);
    json_decref(md);
    ck_assert_msg((rc == CLV_OK) == (c != NULL), "out set exactly on success");
    return c;
}

static clv_client *reg_ok(const char *metadata)
{
    clv_err err;
    clv_client *c = reg(metadata, &err);

    ck_assert_msg(c != NULL, "%s: expected OK, got %s field '%s': %s", metadata,
                  clv_code_name(err.code), err.field, err.detail);
    return c;
}

/* Expects CLV_INVALID naming field, with the RFC 7591 error code error. */
static void reg_fails(const char *metadata, const char *field, const char *error)
{
    clv_err err;
    clv_client *c = reg(metadata, &err);

    ck_assert_msg(c == NULL, "%s: expected a failure", metadata);
    ck_assert_msg(err.code == CLV_INVALID, "%s: got %s", metadata, clv_code_name(err.code));
    ck_assert_msg(strcmp(err.field, field) == 0, "%s: field '%s', expected '%s' (%s)", metadata,
                  err.field, field, err.detail);
    ck_assert_str_eq(clv_register_error_name(&err), error);
}

static bool has(const json_t *list, const char *s)
{
    size_t i;
    json_t *v;

    json_array_foreach(list, i, v) {
        if (strcmp(json_string_value(v), s) == 0)
            return true;
    }
    return false;
}

#define WEB "\"redirect_uris\":[\"https://app.example.com/cb\"]"

/* ---- the type (docs/DESIGN.md R11) ---- */

START_TEST(test_type_public)
{
    clv_client *c = reg_ok("{" WEB ",\"token_endpoint_auth_method\":\"none\"}");

    ck_assert_int_eq(c->type, CLV_TYPE_PUBLIC);
    ck_assert_int_eq(c->auth_method, CLV_AUTH_NONE);
    ck_assert(c->require_pkce);
    ck_assert(!c->allow_refresh_token);
    clv_client_free(c);
    c = reg_ok("{" WEB ",\"token_endpoint_auth_method\":\"none\","
               "\"grant_types\":[\"authorization_code\",\"refresh_token\"]}");
    ck_assert_int_eq(c->type, CLV_TYPE_PUBLIC);
    ck_assert(c->allow_refresh_token);
    clv_client_free(c);
}
END_TEST

START_TEST(test_type_m2m)
{
    clv_client *c = reg_ok("{\"grant_types\":[\"client_credentials\"]}");

    ck_assert_int_eq(c->type, CLV_TYPE_M2M);
    ck_assert_int_eq(c->auth_method, CLV_AUTH_SECRET_BASIC); /* RFC 7591 §2 default */
    ck_assert(c->allow_client_credentials);
    ck_assert(!c->allow_refresh_token);
    clv_client_free(c);
    c = reg_ok("{\"grant_types\":[\"client_credentials\"],"
               "\"token_endpoint_auth_method\":\"client_secret_post\"}");
    ck_assert_int_eq(c->type, CLV_TYPE_M2M);
    ck_assert_int_eq(c->auth_method, CLV_AUTH_SECRET_POST);
    clv_client_free(c);
}
END_TEST

START_TEST(test_type_confidential)
{
    clv_client *c = reg_ok("{" WEB "}"); /* grant_types defaults to authorization_code */

    ck_assert_int_eq(c->type, CLV_TYPE_CONFIDENTIAL);
    ck_assert(!c->allow_client_credentials);
    ck_assert(!c->allow_refresh_token);
    clv_client_free(c);
    c = reg_ok("{" WEB ",\"grant_types\":[\"authorization_code\",\"client_credentials\","
               "\"refresh_token\"]}");
    ck_assert_int_eq(c->type, CLV_TYPE_CONFIDENTIAL);
    ck_assert(c->allow_client_credentials);
    ck_assert(c->allow_refresh_token);
    clv_client_free(c);
    /* client_credentials with anything else is not "exactly" client_credentials */
    c = reg_ok("{" WEB ",\"grant_types\":[\"client_credentials\",\"refresh_token\"]}");
    ck_assert_int_eq(c->type, CLV_TYPE_CONFIDENTIAL);
    clv_client_free(c);
}
END_TEST

/* ---- what is mapped and what is ignored ---- */

START_TEST(test_mapping)
{
    clv_client *c = reg_ok(
        "{" WEB ",\"client_name\":\"Shop\",\"scope\":\"read  write\","
        "\"contacts\":[\"ops@example.com\"],\"client_uri\":\"https://example.com\","
        "\"logo_uri\":\"https://example.com/l.png\",\"policy_uri\":\"https://example.com/p\","
        "\"tos_uri\":\"https://example.com/t\",\"software_id\":\"shop\","
        "\"software_version\":\"2.0\",\"post_logout_redirect_uris\":"
        "[\"https://app.example.com/bye\"],\"subject_type\":\"pairwise\"}");

    ck_assert_str_eq(c->name, "Shop");
    ck_assert_int_eq(json_array_size(c->scopes), 2);
    ck_assert(has(c->scopes, "read") && has(c->scopes, "write"));
    ck_assert(has(c->contacts, "ops@example.com"));
    ck_assert_str_eq(c->client_uri, "https://example.com");
    ck_assert_str_eq(c->logo_uri, "https://example.com/l.png");
    ck_assert_str_eq(c->policy_uri, "https://example.com/p");
    ck_assert_str_eq(c->tos_uri, "https://example.com/t");
    ck_assert_str_eq(c->software_id, "shop");
    ck_assert_str_eq(c->software_version, "2.0");
    ck_assert(has(c->post_logout_redirect_uris, "https://app.example.com/bye"));
    ck_assert_int_eq(c->subject_type, CLV_SUBJECT_PAIRWISE);
    ck_assert_str_eq(c->service_id, "svc_1");
    clv_client_free(c);
}
END_TEST

START_TEST(test_default_name)
{
    clv_client *c = reg_ok("{\"grant_types\":[\"client_credentials\"]}");

    ck_assert_str_eq(c->name, CLV_REGISTER_DEFAULT_NAME);
    ck_assert_int_eq(json_array_size(c->scopes), 0);
    clv_client_free(c);
}
END_TEST

/* RFC 7591 §2: unknown metadata is ignored — and so are Clavis's own fields, which a
 * registrant must never set (roles would make it an administrator). */
START_TEST(test_unknown_ignored)
{
    clv_client *c = reg_ok("{\"grant_types\":[\"client_credentials\"],\"frob\":{\"x\":1},"
                           "\"client_name#ja-Jpan-JP\":\"x\",\"roles\":[\"platform_admin\"],"
                           "\"audience\":[\"https://api.example.com\"],\"type\":\"public\","
                           "\"access_token_lifetime\":60,\"protected\":true,"
                           "\"client_id\":\"chosen\",\"client_secret\":\"chosen\","
                           "\"software_statement\":\"eyJ...\",\"service_id\":\"svc_other\","
                           "\"id_token_signed_response_alg\":\"ES256\"}");

    ck_assert_int_eq(c->type, CLV_TYPE_M2M);
    ck_assert_int_eq(json_array_size(c->roles), 0);
    ck_assert_int_eq(json_array_size(c->audience), 0);
    ck_assert_int_eq(c->access_token_lifetime, 3600);
    ck_assert(!c->protected_);
    ck_assert_ptr_null(c->client_id);
    ck_assert_str_eq(c->service_id, "svc_1");
    clv_client_free(c);
}
END_TEST

/* ---- errors (RFC 7591 §3.2.2) ---- */

START_TEST(test_redirect_errors)
{
    reg_fails("{\"redirect_uris\":[\"http://evil.example.com/cb\"]}", "redirect_uris[0]",
              "invalid_redirect_uri");
    reg_fails("{\"redirect_uris\":[\"https://a.example.com/cb\",\"https://a.example.com/#x\"]}",
              "redirect_uris[1]", "invalid_redirect_uri");
    reg_fails("{\"redirect_uris\":\"https://a.example.com/cb\"}", "redirect_uris",
              "invalid_redirect_uri");
    reg_fails("{\"token_endpoint_auth_method\":\"none\"}", "redirect_uris", "invalid_redirect_uri");
    reg_fails("{}", "redirect_uris", "invalid_redirect_uri"); /* confidential needs one */
    reg_fails("{" WEB ",\"grant_types\":[\"client_credentials\"]}", "redirect_uris",
              "invalid_redirect_uri");
}
END_TEST

START_TEST(test_metadata_errors)
{
    reg_fails("{" WEB ",\"client_name\":42}", "client_name", "invalid_client_metadata");
    reg_fails("{" WEB ",\"client_name\":\"\"}", "client_name", "invalid_client_metadata");
    reg_fails("{" WEB ",\"scope\":\"read \\\"x\\\"\"}", "scope", "invalid_client_metadata");
    reg_fails("{" WEB ",\"scope\":[\"read\"]}", "scope", "invalid_client_metadata");
    reg_fails("{" WEB ",\"grant_types\":[\"implicit\"]}", "grant_types[0]",
              "invalid_client_metadata");
    reg_fails("{" WEB ",\"grant_types\":[]}", "grant_types", "invalid_client_metadata");
    reg_fails("{" WEB ",\"token_endpoint_auth_method\":\"client_secret_jwt\"}",
              "token_endpoint_auth_method", "invalid_client_metadata");
    reg_fails("{" WEB ",\"response_types\":[\"code\",\"token\"]}", "response_types[1]",
              "invalid_client_metadata");
    reg_fails("{" WEB ",\"token_endpoint_auth_method\":\"none\","
              "\"grant_types\":[\"client_credentials\"]}",
              "grant_types", "invalid_client_metadata");
    reg_fails("{" WEB ",\"contacts\":\"ops@example.com\"}", "contacts", "invalid_client_metadata");
    reg_fails("{" WEB ",\"subject_type\":\"sometimes\"}", "subject_type",
              "invalid_client_metadata");
    reg_fails("{" WEB ",\"jwks\":{\"keys\":[{}]}}", "jwks.keys[0]", "invalid_client_metadata");
}
END_TEST

/* The grant names and who may use them come from the grant table (core/grant_types.h):
 * the message lists every grant, and a type that may not use a grant names it. */
START_TEST(test_grant_messages)
{
    char names[512] = "must be ";
    clv_err err;

    ck_assert_ptr_null(reg("{" WEB ",\"grant_types\":[\"authorization_code\",\"password\"]}",
                           &err));
    ck_assert_str_eq(err.field, "grant_types[1]");
    clv_grant_names_text(names + 8, sizeof names - 8);
    ck_assert_str_eq(err.detail, names);
    ck_assert_ptr_null(reg("{" WEB ",\"token_endpoint_auth_method\":\"none\","
                           "\"grant_types\":[\"refresh_token\",\"client_credentials\"]}",
                           &err));
    ck_assert_str_eq(err.field, "grant_types");
    ck_assert_str_eq(err.detail,
                     "a client that does not authenticate (none) cannot use client_credentials");
}
END_TEST

START_TEST(test_error_name)
{
    clv_err err;

    clv_err_init(&err);
    ck_assert_ptr_null(clv_register_error_name(&err));
    clv_fail(&err, CLV_INVALID, "no field");
    ck_assert_ptr_null(clv_register_error_name(&err)); /* a body error: invalid_request */
    clv_fail_field(&err, CLV_UNAUTHENTICATED, "redirect_uris", "x");
    ck_assert_ptr_null(clv_register_error_name(&err));
    clv_fail_field(&err, CLV_INVALID, "post_logout_redirect_uris[0]", "x");
    ck_assert_str_eq(clv_register_error_name(&err), "invalid_client_metadata");
    clv_fail_field(&err, CLV_INVALID, "redirect_urisX", "x");
    ck_assert_str_eq(clv_register_error_name(&err), "invalid_client_metadata");
    clv_fail_field(&err, CLV_INVALID, "redirect_uris[12]", "x");
    ck_assert_str_eq(clv_register_error_name(&err), "invalid_redirect_uri");
    ck_assert_ptr_null(clv_register_error_name(NULL));
}
END_TEST

/* ---- PUT (RFC 7592 §2.2) ---- */

static clv_client *put(const clv_client *cur, const char *metadata, clv_err *err)
{
    json_t *md = clv_test_json(metadata);
    clv_client *c = NULL;

    clv_err_init(err);
    clv_register_client(md, cur, NULL, &cfg, &c, err);
    json_decref(md);
    return c;
}

START_TEST(test_put_replaces)
{
    clv_client *cur = reg_ok("{\"grant_types\":[\"client_credentials\"],\"client_name\":\"a\","
                             "\"contacts\":[\"x@example.com\"],\"scope\":\"read\","
                             "\"token_endpoint_auth_method\":\"client_secret_post\"}");
    clv_client *c;
    clv_err err;

    /* omitted metadata is removed; omitted auth method and grants are kept */
    c = put(cur, "{\"client_name\":\"b\"}", &err);
    ck_assert_msg(c != NULL, "%s: %s", err.field, err.detail);
    ck_assert_int_eq(c->type, CLV_TYPE_M2M);
    ck_assert_int_eq(c->auth_method, CLV_AUTH_SECRET_POST);
    ck_assert_str_eq(c->name, "b");
    ck_assert_int_eq(json_array_size(c->contacts), 0);
    ck_assert_int_eq(json_array_size(c->scopes), 0);
    clv_client_free(c);
    /* the type cannot change */
    ck_assert_ptr_null(put(cur, "{\"token_endpoint_auth_method\":\"none\"}", &err));
    ck_assert_str_eq(err.field, "token_endpoint_auth_method");
    ck_assert_str_eq(clv_register_error_name(&err), "invalid_client_metadata");
    ck_assert_ptr_null(put(cur, "{" WEB ",\"grant_types\":[\"authorization_code\"]}", &err));
    ck_assert_str_eq(err.field, "grant_types");
    ck_assert_str_eq(cur->name, "a"); /* the current client is untouched */
    clv_client_free(cur);
}
END_TEST

START_TEST(test_put_confidential_keeps_flags)
{
    clv_client *cur = reg_ok("{" WEB ",\"grant_types\":[\"authorization_code\","
                             "\"refresh_token\",\"client_credentials\"]}");
    clv_client *c;
    clv_err err;

    c = put(cur, "{" WEB "}", &err);
    ck_assert_msg(c != NULL, "%s: %s", err.field, err.detail);
    ck_assert(c->allow_refresh_token && c->allow_client_credentials);
    clv_client_free(c);
    c = put(cur, "{" WEB ",\"grant_types\":[\"authorization_code\"]}", &err);
    ck_assert_msg(c != NULL, "%s: %s", err.field, err.detail);
    ck_assert(!c->allow_refresh_token && !c->allow_client_credentials);
    clv_client_free(c);
    clv_client_free(cur);
}
END_TEST

/* ---- writing ---- */

START_TEST(test_metadata_json)
{
    clv_client *c = reg_ok("{\"grant_types\":[\"client_credentials\"],\"client_name\":\"n\","
                           "\"scope\":\"a b\",\"software_id\":\"s\"}");
    json_t *j;

    c->client_id = strdup("cid");
    c->created_at = 1700000000;
    j = clv_register_metadata_json(c);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(j, "client_id")), "cid");
    ck_assert_str_eq(json_string_value(json_object_get(j, "client_name")), "n");
    ck_assert_str_eq(json_string_value(json_object_get(j, "scope")), "a b");
    ck_assert_str_eq(json_string_value(json_object_get(j, "software_id")), "s");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "client_id_issued_at")), 1700000000);
    ck_assert_str_eq(json_string_value(json_object_get(j, "token_endpoint_auth_method")),
                     "client_secret_basic");
    ck_assert_int_eq(json_array_size(json_object_get(j, "grant_types")), 1);
    ck_assert_int_eq(json_array_size(json_object_get(j, "response_types")), 0);
    ck_assert_ptr_null(json_object_get(j, "logo_uri")); /* unset: left out */
    ck_assert_ptr_null(json_object_get(j, "client_secret"));
    json_decref(j);
    clv_client_free(c);
}
END_TEST

/* ---- test tokens: reserved claims ---- */

START_TEST(test_reserved_claims)
{
    static const char *const reserved[] = {
        "iss",   "sub",    "aud",  "exp", "iat", "nbf", "jti",       "client_id", "scope",
        "roles", "tenant", "test", "cnf", "act", "azp", "auth_time", "nonce",     "at_hash"};
    char text[64], field[64];
    clv_err err;

    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        json_t *claims;
        ck_assert_msg(clv_test_claim_reserved(reserved[i]), "%s is reserved", reserved[i]);
        snprintf(text, sizeof text, "{\"ok\":1,\"%s\":\"x\"}", reserved[i]);
        snprintf(field, sizeof field, "claims.%s", reserved[i]);
        claims = clv_test_json(text);
        clv_err_init(&err);
        ck_assert_int_eq(clv_test_claims_check(claims, &err), CLV_INVALID);
        ck_assert_str_eq(err.field, field);
        json_decref(claims);
    }
    ck_assert(!clv_test_claim_reserved("department"));
    ck_assert(!clv_test_claim_reserved("Sub")); /* claim names are case-sensitive */
    ck_assert(!clv_test_claim_reserved(""));
}
END_TEST

START_TEST(test_claims_shape_and_size)
{
    json_t *claims = clv_test_json("{\"department\":\"qa\",\"n\":[1,2,{\"x\":null}]}");
    char *big = malloc(CLV_TEST_CLAIMS_MAX + 16);
    size_t room = CLV_TEST_CLAIMS_MAX - strlen("{\"b\":\"\"}");
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_test_claims_check(claims, &err), CLV_OK);
    json_decref(claims);
    claims = clv_test_json("[]");
    ck_assert_int_eq(clv_test_claims_check(claims, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, "claims");
    json_decref(claims);
    memset(big, 'x', room);
    big[room] = '\0';
    claims = json_pack("{s:s}", "b", big); /* exactly CLV_TEST_CLAIMS_MAX bytes */
    ck_assert_int_eq(clv_test_claims_check(claims, &err), CLV_OK);
    json_object_set_new(claims, "c", json_true());
    ck_assert_int_eq(clv_test_claims_check(claims, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, "claims");
    json_decref(claims);
    free(big);
}
END_TEST

static Suite *register_suite(void)
{
    Suite *s = suite_create("register");
    TCase *tc = tcase_create("register");

    tcase_add_checked_fixture(tc, cfg_setup, NULL);
    tcase_add_test(tc, test_type_public);
    tcase_add_test(tc, test_type_m2m);
    tcase_add_test(tc, test_type_confidential);
    tcase_add_test(tc, test_mapping);
    tcase_add_test(tc, test_default_name);
    tcase_add_test(tc, test_unknown_ignored);
    tcase_add_test(tc, test_redirect_errors);
    tcase_add_test(tc, test_metadata_errors);
    tcase_add_test(tc, test_error_name);
    tcase_add_test(tc, test_grant_messages);
    tcase_add_test(tc, test_put_replaces);
    tcase_add_test(tc, test_put_confidential_keeps_flags);
    tcase_add_test(tc, test_metadata_json);
    tcase_add_test(tc, test_reserved_claims);
    tcase_add_test(tc, test_claims_shape_and_size);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return clv_test_run(register_suite());
}
