/* Unit tests of client_json: the JSON form of a client and every field rule
 * (docs/DESIGN.md M, R). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client_json.h"
#include "testutil.h"

static clv_config cfg;
static char last_detail[CLV_ERR_DETAIL_MAX]; /* of the last expect_invalid */

static void cfg_setup(void)
{
    clv_test_bounds_config(&cfg);
}

/* ---- helpers ---- */

static const char *PUBLIC_BODY =
    "{\"service_id\":\"svc_1\",\"name\":\"SPA\",\"type\":\"public\","
    "\"redirect_uris\":[\"https://app.example.com/cb\"]}";
static const char *CONF_BODY =
    "{\"service_id\":\"svc_1\",\"name\":\"Web\",\"type\":\"confidential\","
    "\"redirect_uris\":[\"https://web.example.com/cb\"]}";
static const char *M2M_BODY = "{\"service_id\":\"svc_1\",\"name\":\"Batch\",\"type\":\"m2m\"}";

/* from_json of base with the members of extra (a JSON object text) set on top. */
static clv_code create_with(const char *base, const char *extra, clv_client **out,
                            clv_err *err)
{
    json_t *body = clv_test_json(base);
    clv_code rc;

    if (extra != NULL) {
        json_t *x = clv_test_json(extra);
        json_object_update(body, x);
        json_decref(x);
    }
    clv_err_init(err);
    rc = clv_client_from_json(body, &cfg, out, err);
    json_decref(body);
    return rc;
}

static void expect_ok(const char *base, const char *extra)
{
    clv_client *c = NULL;
    clv_err err;
    clv_code rc = create_with(base, extra, &c, &err);

    ck_assert_msg(rc == CLV_OK, "%.120s: expected OK, got %s field '%s': %s",
                  extra ? extra : base, clv_code_name(rc), err.field, err.detail);
    ck_assert_ptr_nonnull(c);
    clv_client_free(c);
}

static void expect_invalid(const char *base, const char *extra, const char *field)
{
    clv_client *c = (clv_client *)(uintptr_t)1;
    clv_err err;
    clv_code rc = create_with(base, extra, &c, &err);

    ck_assert_msg(rc == CLV_INVALID, "%.120s: expected CLV_INVALID, got %s",
                  extra ? extra : base, clv_code_name(rc));
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.field, field);
    ck_assert_msg(err.detail[0] != '\0', "no detail message");
    /* the caller's text names the field once: clv_err_text adds it, the message does not */
    ck_assert_msg(field[0] == '\0' || strncmp(err.detail, field, strlen(field)) != 0,
                  "%s: message repeats the field: %s", field, err.detail);
    memcpy(last_detail, err.detail, sizeof last_detail);
}

static void redirect_ok(const char *uri)
{
    clv_err err;

    clv_err_init(&err);
    ck_assert_msg(clv_redirect_uri_check(uri, "redirect_uri", &err) == CLV_OK, "%.120s: %s", uri,
                  err.detail);
}

static void redirect_bad(const char *uri)
{
    clv_err err;

    clv_err_init(&err);
    ck_assert_msg(clv_redirect_uri_check(uri, "redirect_uris[0]", &err) == CLV_INVALID,
                  "%.120s accepted", uri);
    ck_assert_str_eq(err.field, "redirect_uris[0]");
    memcpy(last_detail, err.detail, sizeof last_detail);
}

/* A JSON string literal of n copies of the UTF-8 sequence s. */
static char *repeat_json(const char *s, size_t n)
{
    size_t len = strlen(s);
    char *out = malloc(n * len + 3);

    ck_assert_ptr_nonnull(out);
    out[0] = '"';
    for (size_t i = 0; i < n; i++)
        memcpy(out + 1 + i * len, s, len);
    out[1 + n * len] = '"';
    out[2 + n * len] = '\0';
    return out;
}

static clv_client *make(const char *base, const char *extra)
{
    clv_client *c = NULL;
    clv_err err;

    ck_assert_msg(create_with(base, extra, &c, &err) == CLV_OK, "%s: %s", err.field,
                  err.detail);
    return c;
}

/* ---- required redirect URIs per type ---- */

START_TEST(test_public_needs_redirect)
{
    expect_ok(PUBLIC_BODY, NULL);
    expect_invalid(PUBLIC_BODY, "{\"redirect_uris\":[]}", "redirect_uris");
}
END_TEST

START_TEST(test_confidential_needs_redirect)
{
    expect_ok(CONF_BODY, NULL);
    expect_invalid(CONF_BODY, "{\"redirect_uris\":[]}", "redirect_uris");
}
END_TEST

START_TEST(test_m2m_no_redirect)
{
    expect_ok(M2M_BODY, NULL);
    expect_invalid(M2M_BODY, "{\"redirect_uris\":[\"https://a.example.com/cb\"]}",
                   "redirect_uris");
}
END_TEST

/* ---- redirect URI form ---- */

START_TEST(test_redirect_http_loopback)
{
    redirect_ok("http://127.0.0.1/cb");
    redirect_ok("http://127.0.0.1:51004/cb");
    redirect_ok("http://[::1]:8080/cb");
    redirect_ok("http://localhost:3000/callback?x=1");
    redirect_ok("https://app.example.com/cb");
    redirect_ok("https://[2001:db8::1]:8443/cb");
    redirect_bad("http://app.example.com/cb");
    redirect_bad("http://127.0.0.2/cb");
    redirect_bad("http://localhost.evil.com/cb");
    redirect_bad("http://[::2]/cb");
    expect_invalid(PUBLIC_BODY,
                   "{\"redirect_uris\":[\"https://a.example.com/cb\",\"http://evil.com/cb\"]}",
                   "redirect_uris[1]");
}
END_TEST

START_TEST(test_redirect_fragment)
{
    redirect_bad("https://app.example.com/cb#frag");
    redirect_bad("https://app.example.com/cb#");
    redirect_ok("https://app.example.com/cb?state=x");
}
END_TEST

START_TEST(test_redirect_wildcard)
{
    redirect_bad("https://*.example.com/cb");
    ck_assert_ptr_nonnull(strstr(last_detail, "wildcard"));
    redirect_bad("https://app.*.com/cb");
    redirect_bad("https://*/cb");
    redirect_bad("com.example.app://*/cb");
}
END_TEST

START_TEST(test_redirect_private_use)
{
    redirect_ok("com.example.app:/oauth2redirect/example-provider");
    redirect_ok("com.example.app://callback");
    redirect_bad("myapp:/callback");   /* no '.': not a reverse domain name */
    redirect_bad("javascript:alert(1)");
    redirect_bad("data:text/html,hi");
    expect_ok(PUBLIC_BODY, "{\"redirect_uris\":[\"com.example.app:/cb\"]}");
}
END_TEST

START_TEST(test_redirect_malformed)
{
    redirect_bad("");
    redirect_bad("/relative/cb");
    redirect_bad("app.example.com/cb");
    redirect_bad("https://app.example.com/c b");
    redirect_bad("https://app.example.com/cb\n");
    redirect_bad("https://app.example.com\\@evil.com/");
    redirect_bad("https://user@app.example.com/cb");
    redirect_bad("https://good.com@evil.com/cb");
    redirect_bad("https:///cb");
    redirect_bad("https:/cb");
    redirect_bad("https://app.example.com:99999/cb");
    redirect_bad("https://app.example.com:/cb");
    redirect_bad("https://app.example.com/%zz");
    redirect_bad("https://[::1/cb");
    redirect_bad("https://caf\xc3\xa9.example.com/cb");
    redirect_bad("ftp://files.example.com/cb");
}
END_TEST

START_TEST(test_redirect_too_long)
{
    char uri[2100];
    const char *prefix = "https://app.example.com/";
    size_t n = strlen(prefix);

    memcpy(uri, prefix, n);
    memset(uri + n, 'a', 2000 - n);
    uri[2000] = '\0';
    redirect_ok(uri);
    uri[2000] = 'a';
    uri[2001] = '\0';
    redirect_bad(uri);
}
END_TEST

START_TEST(test_redirect_count)
{
    char buf[8192];
    size_t len = 0;

    for (int n = 50; n <= 51; n++) {
        len = (size_t)snprintf(buf, sizeof buf, "{\"redirect_uris\":[");
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s\"https://a.example.com/%d\"",
                                    i ? "," : "", i);
        snprintf(buf + len, sizeof buf - len, "]}");
        if (n == 50)
            expect_ok(CONF_BODY, buf);
        else
            expect_invalid(CONF_BODY, buf, "redirect_uris");
    }
}
END_TEST

START_TEST(test_redirect_duplicate)
{
    expect_invalid(CONF_BODY,
                   "{\"redirect_uris\":[\"https://a.example.com/cb\",\"https://a.example.com/x\","
                   "\"https://a.example.com/cb\"]}",
                   "redirect_uris[2]");
    expect_invalid(CONF_BODY, "{\"scopes\":[\"read\",\"read\"]}", "scopes[1]");
}
END_TEST

START_TEST(test_post_logout_and_cors)
{
    expect_ok(CONF_BODY, "{\"post_logout_redirect_uris\":[\"https://web.example.com/bye\"],"
                         "\"allowed_cors_origins\":[\"https://web.example.com\","
                         "\"http://localhost:3000\"]}");
    expect_invalid(CONF_BODY, "{\"post_logout_redirect_uris\":[\"http://web.example.com/\"]}",
                   "post_logout_redirect_uris[0]");
    expect_invalid(CONF_BODY, "{\"allowed_cors_origins\":[\"https://web.example.com/\"]}",
                   "allowed_cors_origins[0]");
    expect_invalid(CONF_BODY, "{\"allowed_cors_origins\":[\"https://web.example.com\","
                              "\"http://web.example.com\"]}",
                   "allowed_cors_origins[1]");
    expect_invalid(CONF_BODY, "{\"allowed_cors_origins\":[\"https://*.example.com\"]}",
                   "allowed_cors_origins[0]");
    expect_invalid(M2M_BODY, "{\"post_logout_redirect_uris\":[\"https://a.example.com/\"]}",
                   "post_logout_redirect_uris");
}
END_TEST

/* ---- lifetimes ---- */

START_TEST(test_access_token_lifetime)
{
    expect_ok(CONF_BODY, "{\"access_token_lifetime\":60}");
    expect_ok(CONF_BODY, "{\"access_token_lifetime\":3600}");
    expect_invalid(CONF_BODY, "{\"access_token_lifetime\":59}", "access_token_lifetime");
    expect_invalid(CONF_BODY, "{\"access_token_lifetime\":3601}", "access_token_lifetime");
    expect_invalid(CONF_BODY, "{\"access_token_lifetime\":60.5}", "access_token_lifetime");
    expect_invalid(CONF_BODY, "{\"access_token_lifetime\":\"60\"}", "access_token_lifetime");
}
END_TEST

START_TEST(test_refresh_token_lifetime)
{
    expect_ok(CONF_BODY, "{\"refresh_token_lifetime\":60}");
    expect_ok(CONF_BODY, "{\"refresh_token_lifetime\":7776000}");
    expect_invalid(CONF_BODY, "{\"refresh_token_lifetime\":59}", "refresh_token_lifetime");
    expect_invalid(CONF_BODY, "{\"refresh_token_lifetime\":7776001}", "refresh_token_lifetime");
}
END_TEST

/* ---- strings ---- */

START_TEST(test_name_length_in_characters)
{
    char extra[2048];
    char *name200 = repeat_json("\xc3\xa9", 200); /* é: 2 bytes, 1 character */
    char *name201 = repeat_json("\xe2\x82\xac", 201); /* €: 3 bytes */

    snprintf(extra, sizeof extra, "{\"name\":%s}", name200);
    expect_ok(CONF_BODY, extra);
    snprintf(extra, sizeof extra, "{\"name\":%s}", name201);
    expect_invalid(CONF_BODY, extra, "name");
    free(name200);
    free(name201);
    expect_invalid(CONF_BODY, "{\"name\":\"\"}", "name");
    expect_invalid(CONF_BODY, "{\"name\":\"a\\u0007b\"}", "name");
    expect_invalid(CONF_BODY, "{\"name\":\"a\\u0085b\"}", "name");
    expect_invalid(CONF_BODY, "{\"name\":null}", "name");
    expect_invalid(CONF_BODY, "{\"name\":42}", "name");
}
END_TEST

START_TEST(test_description)
{
    char extra[8192];
    char *d2000 = repeat_json("\xc3\xa9", 2000);
    char *d2001 = repeat_json("x", 2001);

    snprintf(extra, sizeof extra, "{\"description\":%s}", d2000);
    expect_ok(CONF_BODY, extra);
    snprintf(extra, sizeof extra, "{\"description\":%s}", d2001);
    expect_invalid(CONF_BODY, extra, "description");
    free(d2000);
    free(d2001);
    expect_ok(CONF_BODY, "{\"description\":\"two\\nlines\"}");
    expect_ok(CONF_BODY, "{\"description\":null}");
    expect_invalid(CONF_BODY, "{\"description\":[]}", "description");
}
END_TEST

START_TEST(test_required_fields)
{
    expect_invalid("{\"service_id\":\"s\",\"name\":\"n\"}", NULL, "type");
    expect_invalid("{\"service_id\":\"s\",\"type\":\"m2m\"}", NULL, "name");
    expect_invalid("{\"name\":\"n\",\"type\":\"m2m\"}", NULL, "service_id");
    expect_invalid(M2M_BODY, "{\"type\":\"spa\"}", "type");
    expect_invalid(M2M_BODY, "{\"type\":1}", "type");
    expect_invalid("[]", NULL, "");
}
END_TEST

START_TEST(test_unknown_field)
{
    expect_invalid(CONF_BODY, "{\"redirect_uri\":\"https://a.example.com/\"}", "redirect_uri");
    expect_invalid(CONF_BODY, "{\"grant_type\":\"password\"}", "grant_type");
    ck_assert_str_eq(last_detail, "unknown field");
}
END_TEST

START_TEST(test_read_only_fields)
{
    static const char *const ro[] = {
        "id",         "client_id",  "tenant_id", "grant_types",  "sector_identifier",
        "protected",  "last_used_at", "environment", "effective_status", "status",
        "created_at", "updated_at", "deleted_at", "purge_at",     "version"};
    char extra[128];

    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
        snprintf(extra, sizeof extra, "{\"%s\":null}", ro[i]);
        expect_invalid(CONF_BODY, extra, ro[i]);
        ck_assert_str_eq(last_detail, "read-only field");
    }
    expect_invalid(CONF_BODY, "{\"client_secret\":\"x\"}", "client_secret");
    expect_invalid(CONF_BODY, "{\"grant_types\":[\"password\"]}", "grant_types");
}
END_TEST

START_TEST(test_wrong_json_types)
{
    expect_invalid(CONF_BODY, "{\"redirect_uris\":\"https://a.example.com/\"}", "redirect_uris");
    expect_invalid(CONF_BODY, "{\"redirect_uris\":[\"https://web.example.com/cb\",1]}",
                   "redirect_uris[1]");
    expect_invalid(CONF_BODY, "{\"allow_refresh_token\":\"true\"}", "allow_refresh_token");
    expect_invalid(CONF_BODY, "{\"jwks\":[]}", "jwks");
    expect_invalid(CONF_BODY, "{\"token_endpoint_auth_method\":3}", "token_endpoint_auth_method");
    expect_invalid(CONF_BODY, "{\"access_token_signing_alg\":\"HS256\"}",
                   "access_token_signing_alg");
    expect_invalid(CONF_BODY, "{\"subject_type\":\"secret\"}", "subject_type");
    expect_ok(CONF_BODY, "{\"access_token_signing_alg\":\"EdDSA\"}");
}
END_TEST

/* ---- scopes, roles, audience, metadata ---- */

START_TEST(test_scopes_charset)
{
    expect_ok(CONF_BODY, "{\"scopes\":[\"openid\",\"read:all\",\"a!#[]~\"]}");
    expect_invalid(CONF_BODY, "{\"scopes\":[\"read write\"]}", "scopes[0]");
    expect_invalid(CONF_BODY, "{\"scopes\":[\"ok\",\"a\\\"b\"]}", "scopes[1]");
    expect_invalid(CONF_BODY, "{\"scopes\":[\"a\\\\b\"]}", "scopes[0]");
    expect_invalid(CONF_BODY, "{\"scopes\":[\"\"]}", "scopes[0]");
    expect_invalid(CONF_BODY, "{\"scopes\":[\"caf\\u00e9\"]}", "scopes[0]");
    expect_invalid(CONF_BODY, "{\"roles\":[\"admin\",\"tab\\tbed\"]}", "roles[1]");
    expect_ok(CONF_BODY, "{\"roles\":[\"tenant_admin\"]}");
}
END_TEST

START_TEST(test_scopes_limits)
{
    char *tok128 = repeat_json("s", 128), *tok129 = repeat_json("s", 129);
    char extra[4096];
    size_t len;

    snprintf(extra, sizeof extra, "{\"scopes\":[%s]}", tok128);
    expect_ok(CONF_BODY, extra);
    snprintf(extra, sizeof extra, "{\"scopes\":[%s]}", tok129);
    expect_invalid(CONF_BODY, extra, "scopes[0]");
    free(tok128);
    free(tok129);
    len = (size_t)snprintf(extra, sizeof extra, "{\"scopes\":[\"s0\"");
    for (int i = 1; i <= 100; i++)
        len += (size_t)snprintf(extra + len, sizeof extra - len, ",\"s%d\"", i);
    snprintf(extra + len, sizeof extra - len, "]}");
    expect_invalid(CONF_BODY, extra, "scopes");
}
END_TEST

START_TEST(test_audience)
{
    char extra[2048];
    size_t len;

    expect_ok(M2M_BODY, "{\"audience\":[\"https://api.example.com\",\"urn:example:api\"]}");
    expect_invalid(M2M_BODY, "{\"audience\":[\"api\"]}", "audience[0]");
    for (int n = 10; n <= 11; n++) {
        len = (size_t)snprintf(extra, sizeof extra, "{\"audience\":[");
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(extra + len, sizeof extra - len,
                                    "%s\"https://api%d.example.com\"", i ? "," : "", i);
        snprintf(extra + len, sizeof extra - len, "]}");
        if (n == 10)
            expect_ok(M2M_BODY, extra);
        else
            expect_invalid(M2M_BODY, extra, "audience");
    }
}
END_TEST

START_TEST(test_metadata)
{
    expect_ok(CONF_BODY, "{\"client_uri\":\"http://web.example.com/\",\"logo_uri\":null,"
                         "\"contacts\":[\"ops@example.com\"],\"software_id\":\"x\","
                         "\"software_version\":\"1.2\",\"tos_uri\":\"https://e.com/tos\"}");
    expect_invalid(CONF_BODY, "{\"policy_uri\":\"ftp://e.com/p\"}", "policy_uri");
    expect_invalid(CONF_BODY, "{\"jwks_uri\":\"http://e.com/jwks\"}", "jwks_uri");
    expect_invalid(CONF_BODY,
                   "{\"contacts\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\","
                   "\"11\"]}",
                   "contacts");
}
END_TEST

/* ---- cross-field rules ---- */

START_TEST(test_public_require_pkce)
{
    clv_client *c;

    expect_invalid(PUBLIC_BODY, "{\"require_pkce\":false}", "require_pkce");
    expect_invalid(PUBLIC_BODY, "{\"token_endpoint_auth_method\":\"client_secret_basic\"}",
                   "token_endpoint_auth_method");
    expect_invalid(PUBLIC_BODY, "{\"allow_client_credentials\":true}",
                   "allow_client_credentials");
    c = make(PUBLIC_BODY, "{\"allow_refresh_token\":true}");
    ck_assert(c->require_pkce);
    ck_assert_int_eq(c->auth_method, CLV_AUTH_NONE);
    clv_client_free(c);
}
END_TEST

START_TEST(test_confidential_defaults)
{
    clv_client *c = make(CONF_BODY, NULL);

    ck_assert_int_eq(c->auth_method, CLV_AUTH_SECRET_BASIC);
    ck_assert(c->require_pkce); /* docs/DESIGN.md R17 */
    ck_assert(!c->allow_client_credentials);
    ck_assert_int_eq(c->access_token_lifetime, 3600);
    ck_assert_int_eq(c->refresh_token_lifetime, 30 * 86400);
    ck_assert_int_eq(c->signing_alg, CLV_ALG_SERVER); /* null: the server's, at issue time */
    ck_assert(c->first_party);                         /* made by an administrator */
    ck_assert_ptr_null(c->sector_identifier);
    clv_client_free(c);
    expect_ok(CONF_BODY, "{\"require_pkce\":false,\"allow_client_credentials\":true}");
    expect_invalid(CONF_BODY, "{\"token_endpoint_auth_method\":\"none\"}",
                   "token_endpoint_auth_method");
}
END_TEST

START_TEST(test_m2m_rules)
{
    clv_client *c = make(M2M_BODY, "{\"require_pkce\":true}");

    ck_assert(c->allow_client_credentials);
    ck_assert(!c->require_pkce);
    clv_client_free(c);
    expect_invalid(M2M_BODY, "{\"allow_refresh_token\":true}", "allow_refresh_token");
    expect_invalid(M2M_BODY, "{\"allow_client_credentials\":false}", "allow_client_credentials");
    expect_invalid(M2M_BODY, "{\"token_endpoint_auth_method\":\"none\"}",
                   "token_endpoint_auth_method");
    expect_ok(M2M_BODY, "{\"token_endpoint_auth_method\":\"client_secret_post\"}");
}
END_TEST

START_TEST(test_private_key_jwt)
{
    expect_invalid(M2M_BODY, "{\"token_endpoint_auth_method\":\"private_key_jwt\"}", "jwks");
    expect_ok(M2M_BODY, "{\"token_endpoint_auth_method\":\"private_key_jwt\","
                        "\"jwks_uri\":\"https://batch.example.com/jwks\"}");
    expect_ok(M2M_BODY, "{\"token_endpoint_auth_method\":\"private_key_jwt\","
                        "\"jwks\":{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"a\","
                        "\"y\":\"b\"}]}}");
    expect_invalid(M2M_BODY, "{\"token_endpoint_auth_method\":\"private_key_jwt\","
                             "\"jwks\":{\"keys\":[]},\"jwks_uri\":\"https://e.com/jwks\"}",
                   "jwks_uri");
    expect_invalid(M2M_BODY, "{\"jwks\":{\"nokeys\":[]}}", "jwks");
    expect_invalid(M2M_BODY, "{\"jwks\":{\"keys\":[{\"kty\":\"RSA\",\"n\":\"a\",\"e\":\"AQAB\","
                             "\"d\":\"secret\"}]}}",
                   "jwks.keys[0]");
}
END_TEST

START_TEST(test_pairwise)
{
    clv_client *c;

    expect_invalid(CONF_BODY,
                   "{\"subject_type\":\"pairwise\",\"redirect_uris\":"
                   "[\"https://a.example.com/cb\",\"https://b.example.com/cb\"]}",
                   "sector_identifier_uri");
    c = make(CONF_BODY, "{\"subject_type\":\"pairwise\",\"redirect_uris\":"
                        "[\"https://App.Example.com/cb\",\"https://app.example.com:8443/x\"]}");
    ck_assert_str_eq(c->sector_identifier, "app.example.com");
    clv_client_free(c);
    c = make(CONF_BODY, "{\"subject_type\":\"pairwise\",\"redirect_uris\":"
                        "[\"https://a.example.com/cb\",\"https://b.example.com/cb\"],"
                        "\"sector_identifier_uri\":\"https://sector.example.com/uris.json\"}");
    ck_assert_str_eq(c->sector_identifier, "sector.example.com");
    clv_client_free(c);
    expect_invalid(CONF_BODY, "{\"sector_identifier_uri\":\"http://sector.example.com/\"}",
                   "sector_identifier_uri");
    expect_invalid(PUBLIC_BODY,
                   "{\"subject_type\":\"pairwise\",\"redirect_uris\":[\"com.example.app:/cb\"]}",
                   "sector_identifier_uri");
}
END_TEST

/* ---- PATCH ---- */

static clv_code patch_with(const clv_client *c, const char *text, clv_client **out,
                           clv_err *err)
{
    json_t *p = clv_test_json(text);
    clv_code rc;

    clv_err_init(err);
    rc = clv_client_patch(c, p, &cfg, out, err);
    json_decref(p);
    return rc;
}

START_TEST(test_patch_refused_fields)
{
    static const char *const cases[][2] = {
        {"{\"client_id\":\"other\"}", "client_id"},
        {"{\"type\":\"public\"}", "type"},
        {"{\"service_id\":\"svc_2\"}", "service_id"},
        {"{\"client_secret\":\"s3cret\"}", "client_secret"},
        {"{\"secrets\":[]}", "secrets"},
        {"{\"name\":\"Renamed\",\"secret\":{}}", "secret"},
    };
    clv_client *c = make(CONF_BODY, NULL), *out;
    json_t *before = clv_client_to_json(c), *after;
    clv_err err;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        out = (clv_client *)(uintptr_t)1;
        ck_assert_int_eq(patch_with(c, cases[i][0], &out, &err), CLV_INVALID);
        ck_assert_ptr_null(out);
        ck_assert_str_eq(err.field, cases[i][1]);
    }
    ck_assert_str_eq(err.detail, "secrets are added and removed through /secrets, never updated");
    after = clv_client_to_json(c);
    ck_assert(json_equal(before, after));
    ck_assert_str_eq(c->name, "Web");
    json_decref(before);
    json_decref(after);
    clv_client_free(c);
}
END_TEST

START_TEST(test_patch_null_resets)
{
    clv_client *c = make(CONF_BODY, "{\"description\":\"old\",\"scopes\":[\"a\"],"
                                    "\"access_token_lifetime\":120}");
    clv_client *out = NULL;
    clv_err err;

    ck_assert_int_eq(patch_with(c, "{\"description\":null,\"scopes\":null,"
                                   "\"access_token_lifetime\":null}",
                                &out, &err),
                     CLV_OK);
    ck_assert_ptr_null(out->description);
    ck_assert_int_eq(json_array_size(out->scopes), 0);
    ck_assert_int_eq(out->access_token_lifetime, 3600);
    ck_assert_str_eq(c->description, "old");
    ck_assert_int_eq(c->access_token_lifetime, 120);
    clv_client_free(out);
    clv_client_free(c);
}
END_TEST

START_TEST(test_patch_validates_whole)
{
    clv_client *c = make(PUBLIC_BODY, NULL), *out = NULL;
    clv_err err;

    ck_assert_int_eq(patch_with(c, "{\"require_pkce\":false}", &out, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, "require_pkce");
    ck_assert_int_eq(patch_with(c, "{\"redirect_uris\":null}", &out, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, "redirect_uris");
    ck_assert_int_eq(patch_with(c, "{\"subject_type\":\"pairwise\",\"name\":\"N\"}", &out, &err),
                     CLV_OK);
    ck_assert_str_eq(out->sector_identifier, "app.example.com");
    ck_assert_str_eq(out->name, "N");
    ck_assert_ptr_null(c->sector_identifier);
    clv_client_free(c);
    c = out;
    ck_assert_int_eq(patch_with(c, "{\"subject_type\":\"public\"}", &out, &err), CLV_OK);
    ck_assert_ptr_null(out->sector_identifier); /* recomputed on every patch */
    clv_client_free(out);
    ck_assert_int_eq(patch_with(c, "[1]", &out, &err), CLV_INVALID);
    ck_assert_int_eq(patch_with(c, "{\"version\":3}", &out, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "read-only field");
    clv_client_free(c);
}
END_TEST

/* ---- to_json ---- */

static const char *const read_only_keys[] = {
    "id",         "client_id",  "tenant_id", "grant_types",  "sector_identifier",
    "protected",  "last_used_at", "environment", "effective_status", "status",
    "created_at", "updated_at", "deleted_at", "purge_at",     "version"};

static void round_trip(const char *base, const char *extra)
{
    clv_client *c = make(base, extra), *back = NULL;
    json_t *j1, *j2;
    clv_err err;

    c->id = strdup("cli_01");
    c->client_id = strdup("abcDEF123");
    c->created_at = 1764034182;
    c->version = 7;
    j1 = clv_client_to_json(c);
    ck_assert_ptr_nonnull(j1);
    for (size_t i = 0; i < sizeof read_only_keys / sizeof read_only_keys[0]; i++)
        ck_assert_int_eq(json_object_del(j1, read_only_keys[i]), 0);
    clv_err_init(&err);
    ck_assert_msg(clv_client_from_json(j1, &cfg, &back, &err) == CLV_OK, "%s: %s", err.field,
                  err.detail);
    j2 = clv_client_to_json(back);
    for (size_t i = 0; i < sizeof read_only_keys / sizeof read_only_keys[0]; i++)
        json_object_del(j2, read_only_keys[i]);
    ck_assert_msg(json_equal(j1, j2), "round trip differs for %s", base);
    json_decref(j1);
    json_decref(j2);
    clv_client_free(c);
    clv_client_free(back);
}

START_TEST(test_round_trip)
{
    round_trip(PUBLIC_BODY, "{\"allow_refresh_token\":true,\"scopes\":[\"openid\"],"
                            "\"subject_type\":\"pairwise\",\"description\":\"d\"}");
    round_trip(CONF_BODY, "{\"allowed_cors_origins\":[\"https://web.example.com\"],"
                          "\"contacts\":[\"a@example.com\"],\"access_token_signing_alg\":"
                          "\"ES256\",\"client_uri\":\"https://web.example.com\"}");
    round_trip(M2M_BODY, "{\"roles\":[\"tenant_admin\"],"
                         "\"audience\":[\"https://api.example.com\"],"
                         "\"token_endpoint_auth_method\":\"private_key_jwt\","
                         "\"jwks\":{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
                         "\"x\":\"a\"}]}}");
}
END_TEST

START_TEST(test_to_json_fields)
{
    static const char *const keys[] = {
        "id", "client_id", "service_id", "tenant_id", "name", "description", "type", "status",
        "effective_status", "redirect_uris", "post_logout_redirect_uris",
        "allowed_cors_origins", "grant_types", "scopes", "roles", "token_endpoint_auth_method",
        "access_token_lifetime", "access_token_signing_alg", "allow_refresh_token",
        "refresh_token_lifetime", "require_pkce", "allow_client_credentials", "audience",
        "subject_type", "sector_identifier_uri", "sector_identifier", "protected",
        "first_party", "environment", "jwks", "jwks_uri", "client_uri", "logo_uri", "policy_uri", "tos_uri",
        "contacts", "software_id", "software_version", "created_at", "updated_at",
        "deleted_at", "purge_at", "last_used_at", "version"};
    clv_client *c = make(CONF_BODY, "{\"allow_client_credentials\":true,"
                                    "\"allow_refresh_token\":true}");
    json_t *j;

    c->created_at = 1764034182;
    c->service_status = CLV_STATUS_INACTIVE;
    c->service_approval = CLV_APPROVAL_LIVE;
    j = clv_client_to_json(c);
    ck_assert_int_eq(json_object_size(j), sizeof keys / sizeof keys[0]);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        ck_assert_msg(json_object_get(j, keys[i]) != NULL, "missing %s", keys[i]);
    ck_assert_str_eq(json_string_value(json_object_get(j, "created_at")), "2025-11-25T01:29:42Z");
    ck_assert(json_is_null(json_object_get(j, "deleted_at")));
    ck_assert_str_eq(json_string_value(json_object_get(j, "effective_status")), "inactive");
    ck_assert_str_eq(json_string_value(json_object_get(j, "environment")), "live");
    ck_assert_int_eq(json_array_size(json_object_get(j, "grant_types")), 3);
    ck_assert(json_is_integer(json_object_get(j, "version")));
    json_decref(j);
    clv_client_free(c);
}
END_TEST

/* ---- diff and host ---- */

START_TEST(test_json_diff)
{
    json_t *a = clv_test_json("{\"name\":\"A\",\"x\":1,\"gone\":true,\"same\":[1,2],\"updated_at\":1}");
    json_t *b = clv_test_json("{\"name\":\"B\",\"x\":1,\"new\":\"n\",\"same\":[1,2],\"updated_at\":2}");
    json_t *want = clv_test_json("{\"name\":{\"from\":\"A\",\"to\":\"B\"},"
                         "\"gone\":{\"from\":true,\"to\":null},"
                         "\"new\":{\"from\":null,\"to\":\"n\"}}");
    const char *const ignore[] = {"updated_at", NULL};
    json_t *d = clv_json_diff(a, b, ignore), *d2 = clv_json_diff(a, a, NULL);

    ck_assert_ptr_nonnull(d);
    ck_assert_msg(json_equal(d, want), "diff: %s", json_dumps(d, JSON_COMPACT));
    ck_assert_int_eq(json_object_size(d2), 0);
    json_decref(d);
    json_decref(d2);
    d = clv_json_diff(a, b, NULL);
    ck_assert_int_eq(json_object_size(d), 4);
    json_decref(d);
    json_decref(a);
    json_decref(b);
    json_decref(want);
}
END_TEST

/* The text a caller sees is "<field>: <message>" (docs/API.md, "Admin errors"). */
START_TEST(test_error_text_names_the_field)
{
    char name[202], body[300], text[CLV_ERR_TEXT_MAX];
    clv_client *c = NULL;
    clv_err err;

    memset(name, 'n', 201);
    name[201] = '\0';
    snprintf(body, sizeof body, "{\"name\":\"%s\"}", name);
    ck_assert_int_eq(create_with(M2M_BODY, body, &c, &err), CLV_INVALID);
    ck_assert_str_eq(clv_err_text(&err, text, sizeof text), "name: must be at most 200 characters");

    ck_assert_int_eq(create_with(PUBLIC_BODY,
                                 "{\"redirect_uris\":[\"https://a.example.com/cb\","
                                 "\"http://b.example.com/cb\"]}",
                                 &c, &err),
                     CLV_INVALID);
    clv_err_text(&err, text, sizeof text);
    ck_assert_msg(strncmp(text, "redirect_uris[1]: must use https", 32) == 0, "%s", text);

    clv_err_init(&err); /* no field: the message alone */
    clv_fail(&err, CLV_CONFLICT, "a protected client cannot be deleted");
    ck_assert_str_eq(clv_err_text(&err, text, sizeof text), "a protected client cannot be deleted");
    /* the longest field and detail fit whole */
    memset(err.field, 'f', sizeof err.field - 1);
    err.field[sizeof err.field - 1] = '\0';
    memset(err.detail, 'd', sizeof err.detail - 1);
    err.detail[sizeof err.detail - 1] = '\0';
    ck_assert_uint_eq(strlen(clv_err_text(&err, text, sizeof text)),
                      (CLV_ERR_FIELD_MAX - 1) + 2 + (CLV_ERR_DETAIL_MAX - 1));
}
END_TEST

static Suite *client_json_suite(void)
{
    Suite *s = suite_create("client_json");
    TCase *tc = tcase_create("rules");

    tcase_add_checked_fixture(tc, cfg_setup, NULL);
    tcase_add_test(tc, test_public_needs_redirect);
    tcase_add_test(tc, test_confidential_needs_redirect);
    tcase_add_test(tc, test_m2m_no_redirect);
    tcase_add_test(tc, test_redirect_http_loopback);
    tcase_add_test(tc, test_redirect_fragment);
    tcase_add_test(tc, test_redirect_wildcard);
    tcase_add_test(tc, test_redirect_private_use);
    tcase_add_test(tc, test_redirect_malformed);
    tcase_add_test(tc, test_redirect_too_long);
    tcase_add_test(tc, test_redirect_count);
    tcase_add_test(tc, test_redirect_duplicate);
    tcase_add_test(tc, test_post_logout_and_cors);
    tcase_add_test(tc, test_access_token_lifetime);
    tcase_add_test(tc, test_refresh_token_lifetime);
    tcase_add_test(tc, test_name_length_in_characters);
    tcase_add_test(tc, test_description);
    tcase_add_test(tc, test_required_fields);
    tcase_add_test(tc, test_unknown_field);
    tcase_add_test(tc, test_read_only_fields);
    tcase_add_test(tc, test_wrong_json_types);
    tcase_add_test(tc, test_scopes_charset);
    tcase_add_test(tc, test_scopes_limits);
    tcase_add_test(tc, test_audience);
    tcase_add_test(tc, test_metadata);
    tcase_add_test(tc, test_public_require_pkce);
    tcase_add_test(tc, test_confidential_defaults);
    tcase_add_test(tc, test_m2m_rules);
    tcase_add_test(tc, test_private_key_jwt);
    tcase_add_test(tc, test_pairwise);
    tcase_add_test(tc, test_patch_refused_fields);
    tcase_add_test(tc, test_patch_null_resets);
    tcase_add_test(tc, test_patch_validates_whole);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_to_json_fields);
    tcase_add_test(tc, test_json_diff);
    tcase_add_test(tc, test_error_text_names_the_field);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return clv_test_run(client_json_suite());
}
