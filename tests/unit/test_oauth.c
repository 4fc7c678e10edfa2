/* test_oauth — unit tests of src/oauth: scope resolution (docs/DESIGN.md R2), RFC 9068 access
 * tokens minted and checked against the current state (docs/DESIGN.md M effective status,
 * RFC 7009 revocation, revoke-tokens, issuer), client authentication (RFC 6749 §2.3.1)
 * and the CORS policy (docs/DESIGN.md I1). The objects are put into a real SQLite store directly.
 * Each test runs in its own process (CK_FORK) on a fresh database. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/config.h"
#include "core/access_token.h"
#include "core/app.h"
#include "core/client_cache.h"
#include "core/scope.h"
#include "base/config.h"
#include "core/grant_types.h"
#include "core/secret.h"
#include "core/throttle.h"
#include "crypto/hash.h"
#include "oauth/client_auth.h"
#include "oauth/discovery.h"
#include "oauth/cors_policy.h"
#include "oauth/token.h"
#include "testutil.h"

#define ISSUER "http://127.0.0.1:9"

static char root[64]; /* per test case, made and removed by the parent process */
static char dir[128]; /* per test, inside root */
static clv_config cfg;
static clv_app *app;
static char *secret; /* plaintext of the m2m client's secret */

/* ---- scope resolution (no store) ---- */

static clv_client *scoped(const char *scopes_json, const char *roles_json)
{
    clv_client *c = calloc(1, sizeof *c);

    ck_assert_ptr_nonnull(c);
    c->type = CLV_TYPE_M2M;
    c->scopes = json_loads(scopes_json, 0, NULL);
    c->roles = json_loads(roles_json, 0, NULL);
    ck_assert_ptr_nonnull(c->scopes);
    ck_assert_ptr_nonnull(c->roles);
    return c;
}

static void expect_scope(const clv_client *c, const char *requested, const char *want)
{
    char *got = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert_msg(clv_scope_resolve(c, requested, &got, &err) == CLV_OK, "scope '%s' refused: %s",
                  requested != NULL ? requested : "(null)", err.detail);
    ck_assert_str_eq(got, want);
    free(got);
}

static void expect_invalid_scope(const clv_client *c, const char *requested)
{
    char *got = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_scope_resolve(c, requested, &got, &err), CLV_INVALID_SCOPE);
    ck_assert_int_eq(err.code, CLV_INVALID_SCOPE);
    ck_assert_ptr_null(got);
}

START_TEST(scope_default_all)
{
    clv_client *plain = scoped("[\"read\", \"write\", \"admin\"]", "[\"reader\"]");
    clv_client *ta = scoped("[\"read\", \"admin\", \"write\"]", "[\"tenant_admin\"]");
    clv_client *pa = scoped("[\"admin\", \"read\"]", "[\"x\", \"platform_admin\"]");
    clv_client *none = scoped("[]", "[]");
    clv_client *role_only = scoped("[\"read\"]", "[\"platform_admin\"]");

    expect_scope(plain, NULL, "read write"); /* admin left out without the role */
    expect_scope(ta, NULL, "read admin write");
    expect_scope(pa, NULL, "admin read");
    expect_scope(none, NULL, "");
    expect_scope(role_only, NULL, "read"); /* the role alone grants no admin scope */
    clv_client_free(plain);
    clv_client_free(ta);
    clv_client_free(pa);
    clv_client_free(none);
    clv_client_free(role_only);
}
END_TEST

START_TEST(scope_requested)
{
    clv_client *c = scoped("[\"read\", \"write\", \"delete\", \"admin\"]", "[]");
    clv_client *ta = scoped("[\"read\", \"admin\"]", "[\"tenant_admin\"]");
    clv_client *role_only = scoped("[\"read\"]", "[\"tenant_admin\"]");

    expect_scope(c, "write", "write");
    expect_scope(c, "delete read", "delete read");
    expect_scope(c, "read write delete", "read write delete");
    expect_scope(c, "  read   write ", "read write"); /* repeated spaces tolerated */
    expect_invalid_scope(c, "read unknown");
    expect_invalid_scope(c, "unknown");
    expect_invalid_scope(c, "rea"); /* not a prefix match */
    expect_invalid_scope(c, "readx");
    expect_invalid_scope(c, "READ"); /* scopes are case-sensitive (RFC 6749 §3.3) */
    expect_invalid_scope(c, "read\twrite");
    expect_invalid_scope(c, "admin"); /* allowed but not grantable without the role */
    expect_invalid_scope(c, "read admin");
    expect_scope(ta, "admin", "admin");
    expect_scope(ta, "read admin", "read admin");
    expect_invalid_scope(role_only, "admin"); /* the role without the allowed scope */
    {
        char *got = NULL;
        clv_err err;
        clv_err_init(&err);
        ck_assert_int_eq(clv_scope_resolve(c, "read nope", &got, &err), CLV_INVALID_SCOPE);
        ck_assert_ptr_nonnull(strstr(err.detail, "nope"));
        ck_assert_str_eq(clv_code_oauth(err.code), "invalid_scope");
    }
    clv_client_free(c);
    clv_client_free(ta);
    clv_client_free(role_only);
}
END_TEST

/* ---- a real app ---- */

static void case_setup(void)
{
    snprintf(root, sizeof root, "/tmp/clv_oauth_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static void case_teardown(void)
{
    clv_test_rm_tree(root);
}

/* Adds a secret to client_id; returns its plaintext (caller frees). */
static char *add_secret(const char *client_id, int64_t expires_at)
{
    clv_secret *s = NULL;
    char *plain = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_secret_generate(app, client_id, NULL, expires_at, &s, &plain, &err),
                     CLV_OK);
    ck_assert_msg(clv_store_secret_insert(app->store, s, &err) == CLV_OK, "secret_insert: %s",
                  err.detail);
    clv_cache_bump(); /* a change behind the admin layer's back */
    clv_secret_free(s);
    return plain;
}

static void insert_client(const char *id, const char *client_id, clv_client_type type,
                          clv_auth_method method)
{
    clv_client *c = calloc(1, sizeof *c);
    clv_err err;

    ck_assert_ptr_nonnull(c);
    c->type = type;
    ck_assert(clv_client_set_defaults(c, 3600, 86400));
    c->id = strdup(id);
    c->client_id = strdup(client_id);
    c->service_id = strdup("svc_1");
    c->name = strdup(client_id);
    c->auth_method = method;
    c->created_at = c->updated_at = clv_now();
    c->version = 1;
    json_array_append_new(c->scopes, json_string("read"));
    json_array_append_new(c->scopes, json_string("write"));
    json_array_append_new(c->roles, json_string("reader"));
    if (type == CLV_TYPE_PUBLIC)
        json_array_append_new(c->redirect_uris, json_string("https://app.example/cb"));
    clv_err_init(&err);
    ck_assert_msg(clv_store_client_insert(app->store, c, &err) == CLV_OK, "client_insert: %s",
                  err.detail);
    clv_client_free(c);
}

static void setup(void)
{
    clv_tenant t = {.id = "ten_1", .name = "T", .status = CLV_STATUS_ACTIVE, .created_at = 1};
    clv_service v = {.id = "svc_1",
                     .tenant_id = "ten_1",
                     .name = "S",
                     .created_at = 1,
                     .updated_at = 1,
                     .version = 1};

    snprintf(dir, sizeof dir, "%s/tXXXXXX", root);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    clv_test_config(&cfg, dir, "t.db", ISSUER);
    app = clv_test_app_open(&cfg);
    ck_assert_int_eq(clv_store_tenant_insert(app->store, &t, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_service_insert(app->store, &v, NULL), CLV_OK);
    insert_client("cli_1", "m2m-client", CLV_TYPE_M2M, CLV_AUTH_SECRET_BASIC);
    secret = add_secret("m2m-client", 0);
}

static void teardown(void)
{
    clv_free_secret(secret);
    secret = NULL;
    clv_app_free(app);
    app = NULL;
    clv_config_cleanup(&cfg);
    clv_test_rm_tree(dir);
}

static clv_client *load(const char *client_id)
{
    clv_client *c = NULL;

    ck_assert_int_eq(clv_store_client_get(app->store, client_id, &c, NULL), CLV_OK);
    return c;
}

/* Loads the client, lets change() alter it, and writes it back. */
static void update_client(const char *client_id, void (*change)(clv_client *))
{
    clv_client *c = load(client_id);
    clv_err err;

    change(c);
    clv_err_init(&err);
    ck_assert_msg(clv_store_client_update(app->store, c, &err) == CLV_OK, "client_update: %s",
                  err.detail);
    clv_cache_bump(); /* a change behind the admin layer's back */
    clv_client_free(c);
}

/* Mints a token for the m2m client with scope "read". */
static char *mint(clv_app *a, const char *client_id, int64_t *expires_in)
{
    clv_client *c = NULL;
    clv_mint_opts o = {.scope = "read"};
    char *token = NULL;
    int64_t dummy;
    clv_err err;

    ck_assert_int_eq(clv_store_client_get(a->store, client_id, &c, NULL), CLV_OK);
    clv_err_init(&err);
    ck_assert_msg(
        clv_access_mint(a, c, &o, &token, expires_in != NULL ? expires_in : &dummy, &err) == CLV_OK,
        "mint: %s", err.detail);
    clv_client_free(c);
    return token;
}

static clv_code check(const char *token, json_t **claims, clv_err *err)
{
    *claims = NULL;
    clv_err_init(err);
    return clv_access_check(app, token, claims, NULL, err);
}

static const char *cstr(const json_t *claims, const char *key)
{
    return json_string_value(json_object_get(claims, key));
}

static int64_t cint(const json_t *claims, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(claims, key));
}

/* ---- access tokens ---- */

START_TEST(mint_and_check)
{
    int64_t expires_in = 0, now = clv_now();
    char *token = mint(app, "m2m-client", &expires_in), *roles;
    json_t *claims = NULL;
    clv_client *c = NULL;
    clv_err err;

    ck_assert_int_eq(expires_in, 3600);
    clv_err_init(&err);
    ck_assert_msg(clv_access_check(app, token, &claims, &c, &err) == CLV_OK, "check: %s",
                  err.detail);
    ck_assert_str_eq(cstr(claims, "iss"), ISSUER);
    ck_assert_str_eq(cstr(claims, "sub"), "m2m-client"); /* RFC 9068 §2.2 */
    ck_assert_str_eq(cstr(claims, "aud"), ISSUER);       /* docs/DESIGN.md R3: no audience set */
    ck_assert_str_eq(cstr(claims, "client_id"), "m2m-client");
    ck_assert_str_eq(cstr(claims, "scope"), "read");
    ck_assert_str_eq(cstr(claims, "tenant"), "ten_1");
    ck_assert_ptr_nonnull(cstr(claims, "jti"));
    ck_assert_uint_ge(strlen(cstr(claims, "jti")), 16);
    ck_assert_int_ge(cint(claims, "iat"), now);
    ck_assert_int_le(cint(claims, "iat"), clv_now());
    ck_assert_int_eq(cint(claims, "exp") - cint(claims, "iat"), 3600);
    roles = json_dumps(json_object_get(claims, "roles"), JSON_COMPACT);
    ck_assert_str_eq(roles, "[\"reader\"]");
    free(roles);
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(c->client_id, "m2m-client");
    clv_client_free(c);
    json_decref(claims);

    /* two tokens never share a jti */
    {
        char *t2 = mint(app, "m2m-client", NULL);
        json_t *c2 = NULL;
        ck_assert_int_eq(check(t2, &c2, &err), CLV_OK);
        ck_assert_int_eq(check(token, &claims, &err), CLV_OK);
        ck_assert_str_ne(cstr(c2, "jti"), cstr(claims, "jti"));
        json_decref(c2);
        json_decref(claims);
        free(t2);
    }
    free(token);
}
END_TEST

static void set_audience(clv_client *c)
{
    json_array_append_new(c->audience, json_string("https://api.example.com"));
    json_array_append_new(c->audience, json_string("https://b.example.com/x"));
}

START_TEST(mint_audience)
{
    char *token, *aud;
    json_t *claims = NULL;
    clv_err err;

    update_client("m2m-client", set_audience);
    token = mint(app, "m2m-client", NULL);
    ck_assert_int_eq(check(token, &claims, &err), CLV_OK);
    aud = json_dumps(json_object_get(claims, "aud"), JSON_COMPACT);
    ck_assert_str_eq(aud, "[\"https://api.example.com\",\"https://b.example.com/x\"]");
    free(aud);
    json_decref(claims);
    free(token);
}
END_TEST

static void use_es256(clv_client *c)
{
    c->signing_alg = CLV_ALG_ES256;
}

static void use_eddsa(clv_client *c)
{
    c->signing_alg = CLV_ALG_EDDSA;
}

START_TEST(mint_other_algs)
{
    void (*changes[])(clv_client *) = {use_es256, use_eddsa};

    for (int i = 0; i < 2; i++) {
        char *token;
        json_t *claims = NULL;
        clv_err err;
        update_client("m2m-client", changes[i]);
        token = mint(app, "m2m-client", NULL);
        ck_assert_msg(check(token, &claims, &err) == CLV_OK, "alg %d: %s", i, err.detail);
        json_decref(claims);
        free(token);
    }
}
END_TEST

static void deactivate(clv_client *c)
{
    c->status = CLV_STATUS_INACTIVE;
}

static void activate(clv_client *c)
{
    c->status = CLV_STATUS_ACTIVE;
}

static void soft_delete(clv_client *c)
{
    c->status = CLV_STATUS_DELETED;
    c->deleted_at = clv_now();
    c->purge_at = clv_now() + 100;
}

START_TEST(check_client_status)
{
    char *token = mint(app, "m2m-client", NULL);
    json_t *claims = NULL;
    clv_err err;

    ck_assert_int_eq(check(token, &claims, &err), CLV_OK);
    json_decref(claims);
    update_client("m2m-client", deactivate);
    ck_assert_int_eq(check(token, &claims, &err), CLV_UNAUTHENTICATED);
    ck_assert_ptr_null(claims);
    ck_assert_int_eq(err.code, CLV_UNAUTHENTICATED);
    update_client("m2m-client", activate); /* effective again: the token is good again */
    ck_assert_int_eq(check(token, &claims, &err), CLV_OK);
    json_decref(claims);
    update_client("m2m-client", soft_delete);
    ck_assert_int_eq(check(token, &claims, &err), CLV_UNAUTHENTICATED);
    free(token);
}
END_TEST

static void set_service_status(clv_status st)
{
    clv_service *v = NULL;

    ck_assert_int_eq(clv_store_service_get(app->store, "svc_1", &v, NULL), CLV_OK);
    v->status = st;
    if (st == CLV_STATUS_DELETED)
        v->purge_at = clv_now() + 100;
    ck_assert_int_eq(clv_store_service_update(app->store, v, NULL), CLV_OK);
    clv_cache_bump(); /* a change behind the admin layer's back */
    clv_service_free(v);
}

START_TEST(check_service_and_tenant_status)
{
    char *token = mint(app, "m2m-client", NULL);
    clv_tenant t = {.id = "ten_1", .name = "T", .status = CLV_STATUS_INACTIVE};
    json_t *claims = NULL;
    clv_err err;

    set_service_status(CLV_STATUS_INACTIVE);
    ck_assert_int_eq(check(token, &claims, &err), CLV_UNAUTHENTICATED);
    set_service_status(CLV_STATUS_ACTIVE);
    ck_assert_int_eq(check(token, &claims, &err), CLV_OK);
    json_decref(claims);
    set_service_status(CLV_STATUS_DELETED);
    ck_assert_int_eq(check(token, &claims, &err), CLV_UNAUTHENTICATED);
    set_service_status(CLV_STATUS_ACTIVE);
    ck_assert_int_eq(clv_store_tenant_update(app->store, &t, NULL), CLV_OK);
    clv_cache_bump(); /* a change behind the admin layer's back */
    ck_assert_int_eq(check(token, &claims, &err), CLV_UNAUTHENTICATED);
    free(token);
}
END_TEST

START_TEST(check_revoked_jti)
{
    char *token = mint(app, "m2m-client", NULL), *other = mint(app, "m2m-client", NULL);
    json_t *claims = NULL;
    clv_err err;

    ck_assert_int_eq(check(token, &claims, &err), CLV_OK);
    ck_assert_int_eq(
        clv_store_jti_revoke(app->store, cstr(claims, "jti"), cint(claims, "exp"), NULL), CLV_OK);
    clv_cache_bump(); /* a change behind the admin layer's back */
    json_decref(claims);
    ck_assert_int_eq(check(token, &claims, &err), CLV_UNAUTHENTICATED);
    ck_assert_int_eq(check(other, &claims, &err), CLV_OK); /* only that one */
    json_decref(claims);
    free(token);
    free(other);
}
END_TEST

static int64_t revoke_at;

static void set_revoked_at(clv_client *c)
{
    c->tokens_revoked_at = revoke_at;
}

START_TEST(check_tokens_revoked_at)
{
    char *token = mint(app, "m2m-client", NULL);
    json_t *claims = NULL;
    int64_t iat;
    clv_err err;

    ck_assert_int_eq(check(token, &claims, &err), CLV_OK);
    iat = cint(claims, "iat");
    json_decref(claims);
    /* tokens_revoked_at is in milliseconds; the token's issue time comes from its jti */
    revoke_at = iat * 1000 - 1000; /* an older revoke-tokens does not touch it */
    update_client("m2m-client", set_revoked_at);
    ck_assert_int_eq(check(token, &claims, &err), CLV_OK);
    json_decref(claims);
    revoke_at = iat * 1000 + 999; /* revoked at the end of the second it was issued */
    update_client("m2m-client", set_revoked_at);
    ck_assert_int_eq(check(token, &claims, &err), CLV_UNAUTHENTICATED);
    revoke_at = iat * 1000 + 60000;
    update_client("m2m-client", set_revoked_at);
    ck_assert_int_eq(check(token, &claims, &err), CLV_UNAUTHENTICATED);
    free(token);
}
END_TEST

START_TEST(check_other_issuer)
{
    clv_config cfg2;
    clv_app *app2;
    char *token;
    json_t *claims = NULL;
    clv_err err;

    /* the same database (so the same keys and client), another issuer */
    clv_test_config(&cfg2, dir, "t.db", "https://other.example");
    app2 = clv_test_app_open(&cfg2);
    token = mint(app2, "m2m-client", NULL);
    clv_err_init(&err);
    ck_assert_int_eq(clv_access_check(app2, token, &claims, NULL, &err), CLV_OK);
    json_decref(claims);
    ck_assert_int_eq(check(token, &claims, &err), CLV_UNAUTHENTICATED);
    ck_assert_ptr_nonnull(strstr(err.detail, "issuer"));
    free(token);
    clv_app_free(app2);
    clv_config_cleanup(&cfg2);
}
END_TEST

START_TEST(check_other_keys)
{
    clv_config cfg2;
    clv_app *app2;
    char *token;
    json_t *claims = NULL;
    clv_err err;

    /* another database: other keys, same issuer and client_id */
    clv_test_config(&cfg2, dir, "other.db", ISSUER);
    app2 = clv_test_app_open(&cfg2);
    {
        clv_tenant t = {.id = "ten_1", .name = "T", .created_at = 1};
        clv_service v = {.id = "svc_1", .tenant_id = "ten_1", .name = "S", .version = 1};
        clv_app *keep = app;
        ck_assert_int_eq(clv_store_tenant_insert(app2->store, &t, NULL), CLV_OK);
        ck_assert_int_eq(clv_store_service_insert(app2->store, &v, NULL), CLV_OK);
        app = app2;
        insert_client("cli_1", "m2m-client", CLV_TYPE_M2M, CLV_AUTH_SECRET_BASIC);
        app = keep;
    }
    token = mint(app2, "m2m-client", NULL);
    ck_assert_int_eq(check(token, &claims, &err), CLV_UNAUTHENTICATED);
    free(token);
    clv_app_free(app2);
    clv_config_cleanup(&cfg2);
}
END_TEST

/* Signs claims as the server would, for tokens mint() cannot make. */
static char *sign(json_t *claims, const char *typ)
{
    char *token = NULL;

    ck_assert_int_eq(clv_access_sign(app, CLV_ALG_RS256, typ, claims, &token, NULL), CLV_OK);
    json_decref(claims);
    return token;
}

START_TEST(check_malformed_and_expired)
{
    int64_t now = clv_now();
    char *good = mint(app, "m2m-client", NULL), *t;
    json_t *claims = NULL;
    clv_err err;

    ck_assert_int_eq(check("", &claims, &err), CLV_UNAUTHENTICATED);
    ck_assert_int_eq(check("abc", &claims, &err), CLV_UNAUTHENTICATED);
    ck_assert_int_eq(check("a.b.c", &claims, &err), CLV_UNAUTHENTICATED);
    /* a flipped signature character */
    t = strdup(good);
    t[strlen(t) - 2] = t[strlen(t) - 2] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(check(t, &claims, &err), CLV_UNAUTHENTICATED);
    free(t);

    t = sign(json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "iss", ISSUER, "sub", "m2m-client",
                       "aud", ISSUER, "exp", (json_int_t)(now - 1), "iat", (json_int_t)(now - 100),
                       "jti", "j1", "client_id", "m2m-client"),
             "at+jwt");
    ck_assert_int_eq(check(t, &claims, &err), CLV_UNAUTHENTICATED); /* expired */
    free(t);
    t = sign(json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "iss", ISSUER, "sub", "m2m-client",
                       "aud", ISSUER, "exp", (json_int_t)(now + 100), "iat", (json_int_t)now, "jti",
                       "j2", "client_id", "m2m-client"),
             "JWT");
    ck_assert_int_eq(check(t, &claims, &err), CLV_UNAUTHENTICATED); /* an ID token, not at+jwt */
    free(t);
    t = sign(json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "iss", ISSUER, "sub", "m2m-client", "exp",
                       (json_int_t)(now + 100), "iat", (json_int_t)now, "jti", "j3", "client_id",
                       "no-such-client"),
             "at+jwt");
    ck_assert_int_eq(check(t, &claims, &err), CLV_UNAUTHENTICATED); /* client gone */
    free(t);
    t = sign(json_pack("{s:s, s:s, s:I, s:I, s:s}", "iss", ISSUER, "sub", "m2m-client", "exp",
                       (json_int_t)(now + 100), "iat", (json_int_t)now, "client_id", "m2m-client"),
             "at+jwt");
    ck_assert_int_eq(check(t, &claims, &err), CLV_UNAUTHENTICATED); /* no jti */
    free(t);
    ck_assert_int_eq(check(good, &claims, &err), CLV_OK);
    json_decref(claims);
    free(good);
}
END_TEST

/* ---- client authentication ---- */

static clv_code auth(const char *client_id, const char *sec, clv_auth_method m, clv_err *err,
                     clv_client **out)
{
    clv_client_creds creds = {.client_id = client_id, .client_secret = sec, .method = m,
                              .for_token = true}; /* as at the token endpoint */
    clv_client *c = NULL;
    clv_code rc;

    clv_err_init(err);
    rc = clv_client_authenticate(app, &creds, &c, err);
    if (out != NULL)
        *out = c;
    else
        clv_client_free(c);
    if (rc != CLV_OK)
        ck_assert_ptr_null(c);
    return rc;
}

START_TEST(authenticate_ok)
{
    clv_client *c = NULL;
    clv_err err;

    ck_assert_msg(auth("m2m-client", secret, CLV_AUTH_SECRET_BASIC, &err, &c) == CLV_OK, "auth: %s",
                  err.detail);
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(c->client_id, "m2m-client");
    clv_client_free(c);
    /* last_used_at is recorded on the client */
    c = load("m2m-client");
    ck_assert_int_ge(c->last_used_at, clv_now() - 5);
    clv_client_free(c);
}
END_TEST

START_TEST(authenticate_wrong_like_unknown)
{
    clv_err wrong, unknown, empty;
    char *bad = strdup(secret);

    bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'a' ? 'b' : 'a';
    ck_assert_int_eq(auth("m2m-client", bad, CLV_AUTH_SECRET_BASIC, &wrong, NULL),
                     CLV_INVALID_CLIENT);
    ck_assert_int_eq(auth("no-such-client", secret, CLV_AUTH_SECRET_BASIC, &unknown, NULL),
                     CLV_INVALID_CLIENT);
    ck_assert_int_eq(wrong.code, unknown.code);
    ck_assert_str_eq(wrong.detail, unknown.detail);
    ck_assert_str_eq(wrong.field, unknown.field);
    ck_assert_int_eq(auth("", secret, CLV_AUTH_SECRET_BASIC, &empty, NULL), CLV_INVALID_CLIENT);
    ck_assert_str_eq(empty.detail, unknown.detail);
    ck_assert_int_eq(auth(NULL, secret, CLV_AUTH_SECRET_BASIC, &empty, NULL), CLV_INVALID_CLIENT);
    ck_assert_int_eq(auth("m2m-client", NULL, CLV_AUTH_SECRET_BASIC, &empty, NULL),
                     CLV_INVALID_CLIENT);
    ck_assert_int_eq(auth("m2m-client", "", CLV_AUTH_SECRET_BASIC, &empty, NULL),
                     CLV_INVALID_CLIENT);
    ck_assert_int_eq(auth("m2m-client", secret + 4, CLV_AUTH_SECRET_BASIC, &empty, NULL),
                     CLV_INVALID_CLIENT); /* without its prefix */
    free(bad);
}
END_TEST

/* docs/DESIGN.md D9: Basic and post are one method for a secret client; nothing else is. */
START_TEST(authenticate_method_mismatch)
{
    clv_err err;

    ck_assert_int_eq(auth("m2m-client", secret, CLV_AUTH_SECRET_POST, &err, NULL), CLV_OK);
    ck_assert_int_eq(auth("m2m-client", NULL, CLV_AUTH_NONE, &err, NULL), CLV_INVALID_CLIENT);
    ck_assert_int_eq(auth("m2m-client", NULL, CLV_AUTH_PRIVATE_KEY_JWT, &err, NULL),
                     CLV_INVALID_CLIENT);
    insert_client("cli_2", "post-client", CLV_TYPE_CONFIDENTIAL, CLV_AUTH_SECRET_POST);
    {
        char *s2 = add_secret("post-client", 0);
        ck_assert_int_eq(auth("post-client", s2, CLV_AUTH_SECRET_POST, &err, NULL), CLV_OK);
        ck_assert_int_eq(auth("post-client", s2, CLV_AUTH_SECRET_BASIC, &err, NULL), CLV_OK);
        ck_assert_int_eq(auth("post-client", "clv_wrong", CLV_AUTH_SECRET_BASIC, &err, NULL),
                         CLV_INVALID_CLIENT);
        clv_free_secret(s2);
    }
    /* a public client authenticates with nothing, and with nothing else */
    insert_client("cli_3", "public-client", CLV_TYPE_PUBLIC, CLV_AUTH_NONE);
    ck_assert_int_eq(auth("public-client", NULL, CLV_AUTH_NONE, &err, NULL), CLV_OK);
    ck_assert_int_eq(auth("public-client", secret, CLV_AUTH_SECRET_BASIC, &err, NULL),
                     CLV_INVALID_CLIENT);
}
END_TEST

/* docs/SECURITY.md: "an unknown client_id is treated exactly like a wrong secret" — so a
 * request in the wrong method must not tell an existing client from a missing one. */
START_TEST(authenticate_mismatch_hides_existence)
{
    clv_err known, unknown;

    ck_assert_int_eq(auth("m2m-client", NULL, CLV_AUTH_NONE, &known, NULL), CLV_INVALID_CLIENT);
    ck_assert_int_eq(auth("no-such-client", NULL, CLV_AUTH_NONE, &unknown, NULL),
                     CLV_INVALID_CLIENT);
    ck_assert_str_eq(known.detail, unknown.detail);
}
END_TEST

START_TEST(authenticate_inactive)
{
    clv_err err;

    update_client("m2m-client", deactivate);
    ck_assert_int_eq(auth("m2m-client", secret, CLV_AUTH_SECRET_BASIC, &err, NULL),
                     CLV_INVALID_CLIENT);
    update_client("m2m-client", activate);
    set_service_status(CLV_STATUS_INACTIVE);
    ck_assert_int_eq(auth("m2m-client", secret, CLV_AUTH_SECRET_BASIC, &err, NULL),
                     CLV_INVALID_CLIENT);
    set_service_status(CLV_STATUS_ACTIVE);
    ck_assert_int_eq(auth("m2m-client", secret, CLV_AUTH_SECRET_BASIC, &err, NULL), CLV_OK);
    update_client("m2m-client", soft_delete);
    ck_assert_int_eq(auth("m2m-client", secret, CLV_AUTH_SECRET_BASIC, &err, NULL),
                     CLV_INVALID_CLIENT);
}
END_TEST

START_TEST(authenticate_expired_and_rotated)
{
    char *old = add_secret("m2m-client", clv_now() - 10);
    char *future = add_secret("m2m-client", clv_now() + 3600);
    clv_err err;

    ck_assert_int_eq(auth("m2m-client", old, CLV_AUTH_SECRET_BASIC, &err, NULL),
                     CLV_INVALID_CLIENT);
    ck_assert_int_eq(err.code, CLV_INVALID_CLIENT);
    /* every unexpired secret works during a rotation */
    ck_assert_int_eq(auth("m2m-client", future, CLV_AUTH_SECRET_BASIC, &err, NULL), CLV_OK);
    ck_assert_int_eq(auth("m2m-client", secret, CLV_AUTH_SECRET_BASIC, &err, NULL), CLV_OK);
    clv_free_secret(old);
    clv_free_secret(future);
}
END_TEST

static clv_code auth_from(const char *addr, const char *sec, clv_err *err)
{
    clv_client_creds creds = {.client_id = "m2m-client", .client_secret = sec,
                              .method = CLV_AUTH_SECRET_BASIC, .addr = addr};
    clv_client *c = NULL;
    clv_code rc;

    clv_err_init(err);
    rc = clv_client_authenticate(app, &creds, &c, err);
    clv_client_free(c);
    return rc;
}

/* docs/DESIGN.md R27: after a burst of failures from one address, that address waits (even with
 * the right secret); another address is not slowed down; an expired secret or an
 * inactive client is refused without counting (nothing was guessed). */
START_TEST(authenticate_throttled)
{
    char *old = add_secret("m2m-client", clv_now() - 10);
    clv_err err;

    for (unsigned i = 0; i < 2 * clv_throttle_pair_rule.burst; i++)
        ck_assert_int_eq(auth_from("192.0.2.1", old, &err), CLV_INVALID_CLIENT);
    ck_assert_int_eq(auth_from("192.0.2.1", secret, &err), CLV_OK); /* expired: not counted */
    for (unsigned i = 0; i < clv_throttle_pair_rule.burst; i++)
        ck_assert_int_eq(auth_from("192.0.2.1", "clv_wrong", &err), CLV_INVALID_CLIENT);
    ck_assert_int_eq(auth_from("192.0.2.1", secret, &err), CLV_THROTTLED);
    ck_assert_int_eq(err.code, CLV_THROTTLED);
    ck_assert_int_ge(err.retry_after, 1);
    ck_assert_int_eq(auth_from("192.0.2.2", secret, &err), CLV_OK);
    ck_assert_int_eq(auth_from(NULL, secret, &err), CLV_OK); /* internal callers: never */
    clv_free_secret(old);
}
END_TEST

/* ---- the token endpoint's dispatch (core/grant_types.h, oauth/grants.c) ---- */

/* A request's parameters: pairs of name and value, ending with a NULL name. */
static const char *pair_param(const void *params, const char *name)
{
    for (const char *const *p = params; p[0] != NULL; p += 2)
        if (strcmp(p[0], name) == 0)
            return p[1];
    return NULL;
}

/* A token request of the m2m client with the given parameters. */
static clv_code token(const char *const *params, clv_token_reply *out, clv_err *err)
{
    clv_token_req req = {.creds = {.client_id = "m2m-client",
                                   .client_secret = secret,
                                   .method = CLV_AUTH_SECRET_BASIC,
                                   .for_token = true},
                         .param = pair_param,
                         .params = params};

    clv_err_init(err);
    return clv_token_issue(app, &req, out, err);
}

START_TEST(token_dispatch)
{
    static const char *const none[] = {"scope", "read", NULL};
    static const char *const password[] = {"grant_type", "password", NULL};
    static const char *const code[] = {"grant_type", "authorization_code", "code", "x", NULL};
    static const char *const refresh[] = {"grant_type", "refresh_token", NULL};
    static const char *const cc[] = {"grant_type", "client_credentials", "scope", "read", NULL};
    clv_token_reply reply = {0};
    clv_err err;

    ck_assert_int_eq(token(none, &reply, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "grant_type is required");
    ck_assert_int_eq(token(password, &reply, &err), CLV_UNSUPPORTED_GRANT);
    /* an m2m client's row admits client_credentials only (docs/DESIGN.md M table) */
    ck_assert_int_eq(token(code, &reply, &err), CLV_UNAUTHORIZED_CLIENT);
    ck_assert_str_eq(err.detail, "this client may not use the authorization_code grant");
    ck_assert_int_eq(token(refresh, &reply, &err), CLV_UNAUTHORIZED_CLIENT);
    ck_assert_str_eq(err.detail, "this client may not use the refresh_token grant");
    ck_assert_ptr_null(reply.access_token);
    ck_assert_msg(token(cc, &reply, &err) == CLV_OK, "client_credentials: %s", err.detail);
    ck_assert_ptr_nonnull(reply.access_token);
    ck_assert_str_eq(reply.scope, "read");
    ck_assert_int_gt(reply.expires_in, 0);
    clv_token_reply_cleanup(&reply);
}
END_TEST

/* Discovery lists every grant of the table, in its order (RFC 8414 §2). */
START_TEST(discovery_grants)
{
    json_t *doc = clv_discovery_doc(app, true), *names = clv_grant_names();

    ck_assert_ptr_nonnull(doc);
    ck_assert(json_equal(json_object_get(doc, "grant_types_supported"), names));
    json_decref(names);
    json_decref(doc);
}
END_TEST

/* ---- the CORS policy (docs/DESIGN.md I1) ---- */

static void allow_spa_origin(clv_client *c)
{
    json_array_append_new(c->allowed_cors_origins, json_string("https://spa.example"));
}

START_TEST(cors_allows_by_client)
{
    char long_id[200];

    insert_client("cli_2", "spa", CLV_TYPE_PUBLIC, CLV_AUTH_NONE);
    update_client("spa", allow_spa_origin);
    ck_assert(clv_cors_allows(app, "spa", "https://app.example")); /* a redirect URI's */
    ck_assert(clv_cors_allows(app, "spa", "https://spa.example"));
    ck_assert(!clv_cors_allows(app, "spa", "https://evil.example"));
    ck_assert(!clv_cors_allows(app, "spa", "https://app.example/cb")); /* not an origin */
    ck_assert(!clv_cors_allows(app, "spa", NULL));
    ck_assert(!clv_cors_allows(app, "m2m-client", "https://app.example")); /* another client */
    ck_assert(!clv_cors_allows(app, "nobody", "https://app.example"));
    ck_assert(!clv_cors_allows(app, NULL, "https://app.example"));
    ck_assert(!clv_cors_allows(app, "", "https://app.example"));
    memset(long_id, 's', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    ck_assert(!clv_cors_allows(app, long_id, "https://app.example"));
    /* only while the client is effectively active */
    update_client("spa", deactivate);
    ck_assert(!clv_cors_allows(app, "spa", "https://app.example"));
    update_client("spa", activate);
    ck_assert(clv_cors_allows(app, "spa", "https://app.example"));
    set_service_status(CLV_STATUS_INACTIVE);
    ck_assert(!clv_cors_allows(app, "spa", "https://app.example"));
}
END_TEST

START_TEST(cors_preflight)
{
    insert_client("cli_2", "spa", CLV_TYPE_PUBLIC, CLV_AUTH_NONE);
    update_client("spa", allow_spa_origin);
    ck_assert(clv_cors_preflight_allows(app, "https://app.example"));
    ck_assert(clv_cors_preflight_allows(app, "https://spa.example"));
    ck_assert(!clv_cors_preflight_allows(app, "https://evil.example"));
    ck_assert(!clv_cors_preflight_allows(app, "https://app.example/"));
    ck_assert(!clv_cors_preflight_allows(app, NULL));
    update_client("spa", deactivate);
    ck_assert(!clv_cors_preflight_allows(app, "https://app.example"));
    update_client("spa", activate);
    set_service_status(CLV_STATUS_INACTIVE);
    ck_assert(!clv_cors_preflight_allows(app, "https://spa.example"));
}
END_TEST

static Suite *oauth_suite(void)
{
    Suite *s = suite_create("oauth");
    TCase *scope = tcase_create("scope");
    TCase *access = tcase_create("access");
    TCase *authn = tcase_create("client_auth");
    TCase *grants = tcase_create("grants");
    TCase *cors = tcase_create("cors");
    TCase *with_app[] = {access, authn, grants, cors};

    tcase_set_timeout(scope, 30);
    suite_add_tcase(s, scope);
    for (size_t i = 0; i < sizeof with_app / sizeof with_app[0]; i++) {
        tcase_add_unchecked_fixture(with_app[i], case_setup, case_teardown);
        tcase_add_checked_fixture(with_app[i], setup, teardown);
        tcase_set_timeout(with_app[i], 60);
        suite_add_tcase(s, with_app[i]);
    }
    tcase_add_test(scope, scope_default_all);
    tcase_add_test(scope, scope_requested);
    tcase_add_test(access, mint_and_check);
    tcase_add_test(access, mint_audience);
    tcase_add_test(access, mint_other_algs);
    tcase_add_test(access, check_client_status);
    tcase_add_test(access, check_service_and_tenant_status);
    tcase_add_test(access, check_revoked_jti);
    tcase_add_test(access, check_tokens_revoked_at);
    tcase_add_test(access, check_other_issuer);
    tcase_add_test(access, check_other_keys);
    tcase_add_test(access, check_malformed_and_expired);
    tcase_add_test(authn, authenticate_ok);
    tcase_add_test(authn, authenticate_wrong_like_unknown);
    tcase_add_test(authn, authenticate_method_mismatch);
    tcase_add_test(authn, authenticate_mismatch_hides_existence);
    tcase_add_test(authn, authenticate_inactive);
    tcase_add_test(authn, authenticate_expired_and_rotated);
    tcase_add_test(authn, authenticate_throttled);
    tcase_add_test(grants, token_dispatch);
    tcase_add_test(grants, discovery_grants);
    tcase_add_test(cors, cors_allows_by_client);
    tcase_add_test(cors, cors_preflight);
    return s;
}

int main(void)
{
    return clv_test_run(oauth_suite());
}
