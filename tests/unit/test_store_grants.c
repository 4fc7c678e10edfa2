/* test_store_grants — unit tests of the end-user flows and dynamic registration in
 * src/store, part of the store suite every backend passes (see test_store.c):
 * authorization codes and refresh tokens consumed once (also by two threads at once, and
 * inside a caller's transaction), family and client revocation, sessions,
 * client-assertion jtis, initial access tokens, registration tokens, purge of expired
 * rows and cascades; and, in case "sqlite" (SQLite only), the upgrade of a database made
 * by migration 1. Each test runs in its own process (CK_FORK) on a fresh store in its
 * own temporary directory, as in test_store.c. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/impl.h" /* clv_sqlite_migrate_to, clv_sqlite_schema_version */
#include "store/store.h"
#include "testutil.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char dir[CLV_TEST_DIR_MAX]; /* per test (clv_test_store_fixture) */
static char url[CLV_TEST_URL_MAX]; /* the store's URL; for SQLite its file */
static clv_store *store;

/* ---- builders ---- */

/* A distinct 32-byte hash per n. */
static void hash_of(int n, unsigned char h[32])
{
    memset(h, n, 32);
}

/* A tenant with one service. */
static void add_tenant_service(const char *tenant_id, const char *service_id)
{
    clv_tenant t = {.id = (char *)tenant_id, .name = "Tenant", .created_at = 1};
    clv_service v = {.id = (char *)service_id,
                     .tenant_id = (char *)tenant_id,
                     .name = "Service",
                     .created_at = 1,
                     .updated_at = 1};

    ck_assert_int_eq(clv_store_tenant_insert(store, &t, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_service_insert(store, &v, NULL), CLV_OK);
}

static void add_client(const char *id, const char *client_id, const char *service_id)
{
    clv_client *c = calloc(1, sizeof *c);

    ck_assert_ptr_nonnull(c);
    c->id = strdup(id);
    c->client_id = strdup(client_id);
    c->service_id = strdup(service_id);
    c->name = strdup(client_id);
    c->type = CLV_TYPE_CONFIDENTIAL;
    c->created_at = c->updated_at = 1;
    ck_assert(clv_client_set_defaults(c, 3600, 2592000));
    ck_assert_int_eq(clv_store_client_insert(store, c, NULL), CLV_OK);
    clv_client_free(c);
}

/* Tenant t1 with service s1 (clients cid1, cid2) and user u1; tenant t2 with service s2
 * (client cid3). */
static void add_base(void)
{
    clv_user u = {.id = "u1",
                  .tenant_id = "t1",
                  .username = "alice",
                  .password_hash = "$argon2id$v=19$x",
                  .created_at = 1,
                  .updated_at = 1};

    add_tenant_service("t1", "s1");
    add_tenant_service("t2", "s2");
    add_client("c1", "cid1", "s1");
    add_client("c2", "cid2", "s1");
    add_client("c3", "cid3", "s2");
    ck_assert_int_eq(clv_store_user_insert(store, &u, NULL), CLV_OK);
}

static clv_code add_code(int n, const char *client_id, const char *family_id, int64_t expires_at)
{
    clv_authcode a = {.client_id = (char *)client_id,
                      .user_id = "u1",
                      .tenant_id = "t1",
                      .redirect_uri = "https://app.example/cb",
                      .scope = "openid profile",
                      .nonce = "n-0S6",
                      .code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                      .family_id = (char *)family_id,
                      .auth_time = 90,
                      .created_at = 100,
                      .expires_at = expires_at,
                      .used = true}; /* ignored: a new code is unused */

    hash_of(n, a.hash);
    return clv_store_authcode_insert(store, &a, NULL);
}

static clv_code add_refresh(int n, const char *client_id, const char *family_id, int64_t expires_at)
{
    clv_refresh r = {.client_id = (char *)client_id,
                     .user_id = "u1",
                     .tenant_id = "t1",
                     .scope = "openid offline_access",
                     .family_id = (char *)family_id,
                     .auth_time = 90,
                     .created_at = 100,
                     .expires_at = expires_at};

    hash_of(n, r.hash);
    return clv_store_refresh_insert(store, &r, NULL);
}

/* Consumes code n and frees what comes back; returns the code. */
static clv_code use_code(int n)
{
    unsigned char h[32];
    clv_authcode *a = NULL;
    clv_code rc;

    hash_of(n, h);
    rc = clv_store_authcode_consume(store, h, &a, NULL);
    ck_assert(rc == CLV_OK || rc == CLV_CONFLICT ? a != NULL : a == NULL);
    clv_authcode_free(a);
    return rc;
}

static clv_code use_refresh(int n)
{
    unsigned char h[32];
    clv_refresh *r = NULL;
    clv_code rc;

    hash_of(n, h);
    rc = clv_store_refresh_consume(store, h, &r, NULL);
    ck_assert(rc == CLV_OK || rc == CLV_CONFLICT ? r != NULL : r == NULL);
    clv_refresh_free(r);
    return rc;
}

static clv_code add_session(int n, const char *user_id, int64_t expires_at)
{
    clv_session ss = {
        .user_id = (char *)user_id, .tenant_id = "t1", .auth_time = 50, .expires_at = expires_at};

    hash_of(n, ss.hash);
    return clv_store_session_insert(store, &ss, NULL);
}

static clv_code add_iat(int n, const char *id, const char *service_id, int64_t expires_at,
                        int64_t uses_left)
{
    clv_iat t = {.id = (char *)id,
                 .service_id = (char *)service_id,
                 .tenant_id = "t1",
                 .created_by = "u_admin",
                 .created_at = 10,
                 .expires_at = expires_at,
                 .uses_left = uses_left};

    hash_of(n, t.hash);
    return clv_store_iat_insert(store, &t, NULL);
}

/* Uses iat n at now; on CLV_OK checks that uses_left is now `left`. */
static clv_code use_iat(int n, int64_t now, int64_t left)
{
    unsigned char h[32];
    clv_iat *t = NULL;
    clv_code rc;

    hash_of(n, h);
    rc = clv_store_iat_use(store, h, now, &t, NULL);
    if (rc == CLV_OK) {
        ck_assert_ptr_nonnull(t);
        ck_assert_int_eq(t->uses_left, left);
    } else {
        ck_assert_ptr_null(t);
    }
    clv_iat_free(t);
    return rc;
}

static bool family_revoked(const char *family_id)
{
    bool revoked = false;

    ck_assert_int_eq(clv_store_family_is_revoked(store, family_id, &revoked, NULL), CLV_OK);
    return revoked;
}

/* Soft-deletes client cid with the given purge_at. */
static void soft_delete_client(const char *cid, int64_t purge_at)
{
    clv_client *c = NULL;

    ck_assert_int_eq(clv_store_client_get(store, cid, &c, NULL), CLV_OK);
    c->status = CLV_STATUS_DELETED;
    c->deleted_at = purge_at - 10;
    c->purge_at = purge_at;
    ck_assert_int_eq(clv_store_client_update(store, c, NULL), CLV_OK);
    clv_client_free(c);
}

/* ---- authorization codes and refresh tokens ---- */

START_TEST(code_consume_once)
{
    unsigned char h[32], other[32];
    clv_authcode *a = NULL;
    clv_err err = {0};

    add_base();
    ck_assert_int_eq(add_code(1, "cid1", "fam1", 700), CLV_OK);
    ck_assert_int_eq(add_code(1, "cid1", "fam1", 700), CLV_CONFLICT);
    ck_assert_int_eq(add_code(2, "cid_none", "fam2", 700), CLV_NOT_FOUND);

    hash_of(1, h);
    ck_assert_int_eq(clv_store_authcode_consume(store, h, &a, &err), CLV_OK);
    ck_assert_mem_eq(a->hash, h, 32);
    ck_assert_str_eq(a->client_id, "cid1");
    ck_assert_str_eq(a->user_id, "u1");
    ck_assert_str_eq(a->tenant_id, "t1");
    ck_assert_str_eq(a->redirect_uri, "https://app.example/cb");
    ck_assert_str_eq(a->scope, "openid profile");
    ck_assert_str_eq(a->nonce, "n-0S6");
    ck_assert_str_eq(a->code_challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    ck_assert_str_eq(a->family_id, "fam1");
    ck_assert_int_eq(a->auth_time, 90);
    ck_assert_int_eq(a->created_at, 100);
    ck_assert_int_eq(a->expires_at, 700);
    ck_assert(a->used);
    clv_authcode_free(a);
    a = NULL;

    /* a replay: the row comes back, so that the caller can revoke its family */
    ck_assert_int_eq(clv_store_authcode_consume(store, h, &a, &err), CLV_CONFLICT);
    ck_assert_int_eq(err.code, CLV_CONFLICT);
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(a->family_id, "fam1");
    ck_assert(a->used);
    clv_authcode_free(a);
    a = NULL;

    hash_of(9, other);
    ck_assert_int_eq(clv_store_authcode_consume(store, other, &a, &err), CLV_NOT_FOUND);
    ck_assert_ptr_null(a);
}
END_TEST

START_TEST(code_optional_fields)
{
    clv_authcode in = {.client_id = "cid1",
                       .user_id = "u1",
                       .tenant_id = "t1",
                       .redirect_uri = "https://app.example/cb",
                       .scope = "",
                       .family_id = "fam1",
                       .expires_at = 700};
    clv_authcode *a = NULL;

    add_base();
    hash_of(3, in.hash);
    ck_assert_int_eq(clv_store_authcode_insert(store, &in, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_authcode_consume(store, in.hash, &a, NULL), CLV_OK);
    ck_assert_ptr_null(a->nonce);
    ck_assert_ptr_null(a->code_challenge);
    ck_assert_str_eq(a->scope, "");
    clv_authcode_free(a);
}
END_TEST

START_TEST(refresh_consume_once)
{
    unsigned char h[32];
    clv_refresh *r = NULL;
    clv_err err = {0};

    add_base();
    ck_assert_int_eq(add_refresh(1, "cid1", "fam1", 5000), CLV_OK);
    ck_assert_int_eq(add_refresh(1, "cid2", "fam1", 5000), CLV_CONFLICT);
    ck_assert_int_eq(add_refresh(2, "cid_none", "fam1", 5000), CLV_NOT_FOUND);

    hash_of(1, h);
    ck_assert_int_eq(clv_store_refresh_consume(store, h, &r, &err), CLV_OK);
    ck_assert_mem_eq(r->hash, h, 32);
    ck_assert_str_eq(r->client_id, "cid1");
    ck_assert_str_eq(r->user_id, "u1");
    ck_assert_str_eq(r->tenant_id, "t1");
    ck_assert_str_eq(r->scope, "openid offline_access");
    ck_assert_str_eq(r->family_id, "fam1");
    ck_assert_int_eq(r->auth_time, 90);
    ck_assert_int_eq(r->created_at, 100);
    ck_assert_int_eq(r->expires_at, 5000);
    ck_assert(r->used);
    clv_refresh_free(r);
    r = NULL;

    ck_assert_int_eq(clv_store_refresh_consume(store, h, &r, &err), CLV_CONFLICT);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->family_id, "fam1");
    clv_refresh_free(r);
    ck_assert_int_eq(use_refresh(9), CLV_NOT_FOUND);
}
END_TEST

/* Inside a caller's transaction consuming runs in a savepoint: the caller's rollback
 * gives the code back, and a second consume in the same transaction sees the first. */
START_TEST(consume_in_transaction)
{
    add_base();
    ck_assert_int_eq(add_code(1, "cid1", "fam1", 700), CLV_OK);
    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    ck_assert_int_eq(use_code(1), CLV_OK);
    ck_assert_int_eq(use_code(2), CLV_NOT_FOUND); /* rolls back to its savepoint only */
    ck_assert_int_eq(use_code(1), CLV_CONFLICT);
    clv_store_rollback(store);
    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    ck_assert_int_eq(use_code(1), CLV_OK);
    ck_assert_int_eq(clv_store_commit(store, NULL), CLV_OK);
    ck_assert_int_eq(use_code(1), CLV_CONFLICT);
}
END_TEST

START_TEST(family_revoke)
{
    int n = -1;

    add_base();
    ck_assert_int_eq(add_code(1, "cid1", "fam1", 700), CLV_OK);     /* unused */
    ck_assert_int_eq(add_code(2, "cid1", "fam1", 700), CLV_OK);     /* used */
    ck_assert_int_eq(add_refresh(3, "cid1", "fam1", 5000), CLV_OK); /* unused */
    ck_assert_int_eq(add_refresh(4, "cid1", "fam1", 5000), CLV_OK); /* used */
    ck_assert_int_eq(add_code(5, "cid1", "fam2", 700), CLV_OK);
    ck_assert_int_eq(add_refresh(6, "cid1", "fam2", 5000), CLV_OK);
    ck_assert_int_eq(use_code(2), CLV_OK);
    ck_assert_int_eq(use_refresh(4), CLV_OK);
    ck_assert(!family_revoked("fam1"));

    ck_assert_int_eq(clv_store_family_revoke(store, "fam1", 2000, NULL), CLV_OK);
    ck_assert(family_revoked("fam1"));
    ck_assert(!family_revoked("fam2"));
    ck_assert_int_eq(use_code(1), CLV_NOT_FOUND);
    ck_assert_int_eq(use_code(2), CLV_NOT_FOUND);
    ck_assert_int_eq(use_refresh(3), CLV_NOT_FOUND);
    ck_assert_int_eq(use_refresh(4), CLV_NOT_FOUND);
    /* a token issued by a request that raced with the revocation is dead too */
    ck_assert_int_eq(add_refresh(7, "cid1", "fam1", 5000), CLV_OK);
    ck_assert_int_eq(use_refresh(7), CLV_NOT_FOUND);
    ck_assert_int_eq(use_code(5), CLV_OK); /* other families untouched */
    ck_assert_int_eq(use_refresh(6), CLV_OK);

    /* a repeat is no error and keeps the later exp */
    ck_assert_int_eq(clv_store_family_revoke(store, "fam1", 1000, NULL), CLV_OK);
    ck_assert_int_eq(clv_test_store_purge(store, 1500, &n), CLV_OK);
    ck_assert(family_revoked("fam1"));
    ck_assert_int_eq(clv_test_store_purge(store, 2000, &n), CLV_OK);
    ck_assert(!family_revoked("fam1"));
}
END_TEST

START_TEST(client_grants_revoke)
{
    clv_err err = {0};
    int count = -1;

    add_base();
    ck_assert_int_eq(add_code(1, "cid1", "fam1", 700), CLV_OK);
    ck_assert_int_eq(add_code(2, "cid1", "fam2", 700), CLV_OK);
    ck_assert_int_eq(add_code(3, "cid1", "fam3", 700), CLV_OK); /* used */
    ck_assert_int_eq(add_refresh(4, "cid1", "fam1", 5000), CLV_OK);
    ck_assert_int_eq(add_refresh(5, "cid1", "fam2", 5000), CLV_OK);
    ck_assert_int_eq(add_refresh(6, "cid1", "fam3", 5000), CLV_OK); /* used */
    ck_assert_int_eq(add_code(7, "cid2", "fam7", 700), CLV_OK);
    ck_assert_int_eq(add_refresh(8, "cid2", "fam7", 5000), CLV_OK);
    ck_assert_int_eq(use_code(3), CLV_OK);
    ck_assert_int_eq(use_refresh(6), CLV_OK);

    ck_assert_int_eq(clv_store_client_grants_revoke(store, "cid1", &count, &err), CLV_OK);
    ck_assert_int_eq(count, 4);
    ck_assert_int_eq(use_code(1), CLV_NOT_FOUND);
    ck_assert_int_eq(use_code(2), CLV_NOT_FOUND);
    ck_assert_int_eq(use_refresh(4), CLV_NOT_FOUND);
    ck_assert_int_eq(use_refresh(5), CLV_NOT_FOUND);
    ck_assert_int_eq(use_code(3), CLV_CONFLICT); /* the used ones still tell a replay */
    ck_assert_int_eq(use_refresh(6), CLV_CONFLICT);
    ck_assert_int_eq(clv_store_client_grants_revoke(store, "cid1", &count, NULL), CLV_OK);
    ck_assert_int_eq(count, 0);
    ck_assert_int_eq(use_code(7), CLV_OK); /* another client's grants untouched */
    ck_assert_int_eq(use_refresh(8), CLV_OK);
}
END_TEST

START_TEST(refresh_revoke)
{
    unsigned char h[32];
    bool found = true;

    add_base();
    ck_assert_int_eq(add_refresh(1, "cid1", "fam1", 5000), CLV_OK);
    hash_of(1, h);
    ck_assert_int_eq(clv_store_refresh_revoke(store, h, "cid2", &found, NULL), CLV_OK);
    ck_assert(!found); /* another client's token: left alone */
    ck_assert_int_eq(clv_store_refresh_revoke(store, h, "cid1", &found, NULL), CLV_OK);
    ck_assert(found);
    ck_assert_int_eq(clv_store_refresh_revoke(store, h, "cid1", &found, NULL), CLV_OK);
    ck_assert(!found);
    ck_assert_int_eq(use_refresh(1), CLV_NOT_FOUND);

    ck_assert_int_eq(add_refresh(2, "cid1", "fam2", 5000), CLV_OK);
    hash_of(2, h);
    ck_assert_int_eq(clv_store_refresh_revoke(store, h, "cid2", &found, NULL), CLV_OK);
    ck_assert(!found);
    ck_assert_int_eq(use_refresh(2), CLV_OK); /* still works for its own client */
}
END_TEST

/* ---- sessions, assertion jtis ---- */

START_TEST(sessions)
{
    unsigned char h[32];
    clv_session *ss = NULL;
    clv_err err = {0};

    add_base();
    ck_assert_int_eq(add_session(1, "u1", 3600), CLV_OK);
    ck_assert_int_eq(add_session(1, "u1", 3600), CLV_CONFLICT);
    ck_assert_int_eq(add_session(2, "u_none", 3600), CLV_NOT_FOUND);
    hash_of(1, h);
    ck_assert_int_eq(clv_store_session_get(store, h, &ss, &err), CLV_OK);
    ck_assert_mem_eq(ss->hash, h, 32);
    ck_assert_str_eq(ss->user_id, "u1");
    ck_assert_str_eq(ss->tenant_id, "t1");
    ck_assert_int_eq(ss->auth_time, 50);
    ck_assert_int_eq(ss->expires_at, 3600);
    clv_session_free(ss);
    ss = NULL;
    ck_assert_int_eq(clv_store_session_delete(store, h, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_session_get(store, h, &ss, NULL), CLV_NOT_FOUND);
    ck_assert_ptr_null(ss);
    ck_assert_int_eq(clv_store_session_delete(store, h, &err), CLV_NOT_FOUND);

    /* a deleted user's sessions go with the user */
    ck_assert_int_eq(add_session(3, "u1", 3600), CLV_OK);
    ck_assert_int_eq(clv_store_user_delete(store, "u1", NULL), CLV_OK);
    hash_of(3, h);
    ck_assert_int_eq(clv_store_session_get(store, h, &ss, NULL), CLV_NOT_FOUND);
}
END_TEST

START_TEST(assertion_jti_replay)
{
    clv_err err = {0};

    ck_assert_int_eq(clv_store_assertion_jti_use(store, "jti-1", "cid1", 100, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_assertion_jti_use(store, "jti-1", "cid1", 100, &err), CLV_CONFLICT);
    ck_assert_int_eq(err.code, CLV_CONFLICT);
    /* jti is unique per issuer (RFC 7523 §3): another client may use the same one */
    ck_assert_int_eq(clv_store_assertion_jti_use(store, "jti-1", "cid2", 100, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_assertion_jti_use(store, "jti-2", "cid1", 100, NULL), CLV_OK);
}
END_TEST

/* ---- dynamic registration ---- */

START_TEST(iat_single_use)
{
    unsigned char h[32];
    clv_iat *t = NULL;
    clv_err err = {0};

    add_base();
    ck_assert_int_eq(add_iat(1, "iat_1", "s1", 1000, 1), CLV_OK);
    hash_of(1, h);
    ck_assert_int_eq(clv_store_iat_use(store, h, 10, &t, &err), CLV_OK);
    ck_assert_mem_eq(t->hash, h, 32);
    ck_assert_str_eq(t->id, "iat_1");
    ck_assert_str_eq(t->service_id, "s1");
    ck_assert_str_eq(t->tenant_id, "t1");
    ck_assert_str_eq(t->created_by, "u_admin");
    ck_assert_int_eq(t->created_at, 10);
    ck_assert_int_eq(t->expires_at, 1000);
    ck_assert_int_eq(t->uses_left, 0);
    clv_iat_free(t);
    ck_assert_int_eq(use_iat(1, 11, 0), CLV_NOT_FOUND);
    ck_assert_int_eq(use_iat(9, 11, 0), CLV_NOT_FOUND); /* no such token */

    ck_assert_int_eq(add_iat(2, "iat_2", "s1", 1000, 2), CLV_OK);
    ck_assert_int_eq(use_iat(2, 10, 1), CLV_OK);
    ck_assert_int_eq(use_iat(2, 10, 0), CLV_OK);
    ck_assert_int_eq(use_iat(2, 10, 0), CLV_NOT_FOUND);
}
END_TEST

START_TEST(iat_unlimited_and_expired)
{
    clv_iat bad = {.id = "iat_4", .service_id = "s1", .expires_at = 1000, .uses_left = -2};
    clv_err err = {0};

    add_base();
    ck_assert_int_eq(add_iat(1, "iat_1", "s1", 1000, -1), CLV_OK);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(use_iat(1, 10 + i, -1), CLV_OK); /* -1 stays -1 */
    ck_assert_int_eq(use_iat(1, 999, -1), CLV_OK);
    ck_assert_int_eq(use_iat(1, 1000, -1), CLV_NOT_FOUND); /* expired at expires_at */

    ck_assert_int_eq(add_iat(2, "iat_2", "s1", 500, 3), CLV_OK);
    ck_assert_int_eq(use_iat(2, 600, 2), CLV_NOT_FOUND);
    ck_assert_int_eq(use_iat(2, 499, 2), CLV_OK); /* the expired attempt took no use */

    ck_assert_int_eq(add_iat(3, "iat_1", "s1", 1000, 1), CLV_CONFLICT); /* id taken */
    ck_assert_int_eq(add_iat(1, "iat_3", "s1", 1000, 1), CLV_CONFLICT); /* hash taken */
    ck_assert_int_eq(add_iat(3, "iat_3", "s_none", 1000, 1), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_iat_insert(store, &bad, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, "uses_left");
}
END_TEST

/* The ids that clv_store_iat_list gives for (tenant, service) at now, space-separated. */
static void iat_ids(const char *tenant_id, const char *service_id, int64_t now, const char *want)
{
    clv_list l = {0};
    char got[200] = "";
    size_t len = 0;

    ck_assert_int_eq(clv_store_iat_list(store, tenant_id, service_id, now, &l, NULL), CLV_OK);
    ck_assert_ptr_null(l.next_cursor);
    for (size_t i = 0; i < l.count; i++)
        len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", i ? " " : "",
                                ((const clv_iat *)l.items[i])->id);
    clv_list_cleanup(&l);
    ck_assert_str_eq(got, want);
}

START_TEST(iat_list)
{
    static const struct {
        const char *id, *service_id, *tenant_id;
        int64_t created_at, expires_at, uses_left;
    } rows[] = {{"iat_1", "s1", "t1", 10, 1000, 1},
                {"iat_2", "s1", "t1", 20, 1000, -1},
                {"iat_3", "s1", "t1", 30, 100, 5},
                {"iat_4", "s1", "t1", 40, 1000, 1},
                {"iat_5", "s2", "t2", 50, 1000, 2}};

    add_base();
    for (int i = 0; i < 5; i++) {
        clv_iat t = {.id = (char *)rows[i].id,
                     .service_id = (char *)rows[i].service_id,
                     .tenant_id = (char *)rows[i].tenant_id,
                     .created_by = "u_admin",
                     .created_at = rows[i].created_at,
                     .expires_at = rows[i].expires_at,
                     .uses_left = rows[i].uses_left};
        hash_of(i + 1, t.hash);
        ck_assert_int_eq(clv_store_iat_insert(store, &t, NULL), CLV_OK);
    }
    ck_assert_int_eq(use_iat(4, 50, 0), CLV_OK); /* iat_4 used up */
    /* live ones only (iat_3 expired, iat_4 used up), newest first */
    iat_ids(NULL, NULL, 500, "iat_5 iat_2 iat_1");
    iat_ids("t1", NULL, 500, "iat_2 iat_1");
    iat_ids(NULL, "s2", 500, "iat_5");
    iat_ids("t2", "s1", 500, "");
    iat_ids(NULL, NULL, 50, "iat_5 iat_3 iat_2 iat_1");
}
END_TEST

START_TEST(regtoken)
{
    unsigned char h1[32], h2[32], got[32];
    clv_err err = {0};

    add_base();
    hash_of(1, h1);
    hash_of(2, h2);
    ck_assert_int_eq(clv_store_regtoken_get(store, "cid1", got, &err), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_regtoken_put(store, "cid1", h1, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_regtoken_get(store, "cid1", got, NULL), CLV_OK);
    ck_assert_mem_eq(got, h1, 32);
    ck_assert_int_eq(clv_store_regtoken_put(store, "cid1", h2, NULL), CLV_OK); /* replace */
    ck_assert_int_eq(clv_store_regtoken_get(store, "cid1", got, NULL), CLV_OK);
    ck_assert_mem_eq(got, h2, 32);
    ck_assert_int_eq(clv_store_regtoken_get(store, "cid2", got, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_regtoken_put(store, "cid_none", h1, NULL), CLV_NOT_FOUND);
}
END_TEST

/* ---- consent, first-party (docs/DESIGN.md D2, D3) ---- */

static clv_code put_consent(const char *user_id, const char *client_id, const char *scope,
                            int64_t at)
{
    clv_consent v = {.user_id = (char *)user_id,
                     .client_id = (char *)client_id,
                     .tenant_id = "t1",
                     .scope = (char *)scope,
                     .created_at = at,
                     .updated_at = at};

    return clv_store_consent_put(store, &v, NULL);
}

START_TEST(consents)
{
    clv_consent *c = NULL;
    clv_list l = {0};
    clv_err err = {0};

    add_base();
    ck_assert_int_eq(clv_store_consent_get(store, "u1", "cid1", &c, &err), CLV_NOT_FOUND);
    ck_assert_int_eq(put_consent("u1", "cid1", "openid", 10), CLV_OK);
    ck_assert_int_eq(put_consent("u1", "cid2", "openid email", 20), CLV_OK);
    ck_assert_int_eq(put_consent("u1", "cid1", "openid profile", 30), CLV_OK); /* replace */
    ck_assert_int_eq(clv_store_consent_get(store, "u1", "cid1", &c, NULL), CLV_OK);
    ck_assert_str_eq(c->scope, "openid profile");
    ck_assert_int_eq(c->created_at, 10); /* kept */
    ck_assert_int_eq(c->updated_at, 30);
    clv_consent_free(c);
    ck_assert_int_eq(put_consent("u9", "cid1", "openid", 10), CLV_NOT_FOUND); /* no user */
    ck_assert_int_eq(put_consent("u1", "nope", "openid", 10), CLV_NOT_FOUND); /* no client */
    /* newest first, one per page */
    ck_assert_int_eq(clv_store_consent_list(store, "u1", NULL, 1, &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 1);
    ck_assert_str_eq(((clv_consent *)l.items[0])->client_id, "cid2"); /* created at 20 */
    ck_assert_ptr_nonnull(l.next_cursor);
    {
        char *cursor = strdup(l.next_cursor);
        clv_list_cleanup(&l);
        ck_assert_int_eq(clv_store_consent_list(store, "u1", cursor, 1, &l, NULL), CLV_OK);
        free(cursor);
    }
    ck_assert_uint_eq(l.count, 1);
    ck_assert_str_eq(((clv_consent *)l.items[0])->client_id, "cid1");
    clv_list_cleanup(&l);
    ck_assert_int_eq(clv_store_consent_delete(store, "u1", "cid2", NULL), CLV_OK);
    ck_assert_int_eq(clv_store_consent_delete(store, "u1", "cid2", NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_user_delete(store, "u1", NULL), CLV_OK); /* cascades */
    ck_assert_int_eq(clv_store_consent_get(store, "u1", "cid1", &c, NULL), CLV_NOT_FOUND);
}
END_TEST

START_TEST(first_party_kept)
{
    clv_client *c = NULL, *d = NULL;

    add_base();
    ck_assert_int_eq(clv_store_client_get(store, "cid1", &c, NULL), CLV_OK);
    ck_assert(c->first_party); /* the default */
    c->first_party = false;
    ck_assert_int_eq(clv_store_client_update(store, c, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_client_get(store, "cid1", &d, NULL), CLV_OK);
    ck_assert(!d->first_party);
    clv_client_free(c);
    clv_client_free(d);
    c = calloc(1, sizeof *c);
    c->id = strdup("c9");
    c->client_id = strdup("cid9");
    c->service_id = strdup("s1");
    c->name = strdup("registered");
    c->type = CLV_TYPE_PUBLIC;
    ck_assert(clv_client_set_defaults(c, 3600, 2592000));
    c->first_party = false;
    ck_assert_int_eq(clv_store_client_insert(store, c, NULL), CLV_OK);
    clv_client_free(c);
    ck_assert_int_eq(clv_store_client_get(store, "cid9", &d, NULL), CLV_OK);
    ck_assert(!d->first_party);
    ck_assert_int_eq(d->signing_alg, CLV_ALG_SERVER); /* stored as it is: -1 */
    clv_client_free(d);
    /* a release before migration 5 writes no first_party (the column's default, 1) but a
     * registration token for what it registers: the trigger of migration 5 marks it */
    {
        unsigned char h[32] = {7};
        ck_assert_int_eq(clv_store_client_get(store, "cid2", &d, NULL), CLV_OK);
        ck_assert(d->first_party);
        clv_client_free(d);
        ck_assert_int_eq(clv_store_regtoken_put(store, "cid2", h, NULL), CLV_OK);
        ck_assert_int_eq(clv_store_client_get(store, "cid2", &d, NULL), CLV_OK);
        ck_assert(!d->first_party);
        clv_client_free(d);
    }
}
END_TEST

/* ---- purge, migration ---- */

START_TEST(purge_expired)
{
    unsigned char h[32];
    clv_session *ss = NULL;
    int n = -1;

    add_base();
    ck_assert_int_eq(add_code(1, "cid1", "fam1", 1000), CLV_OK); /* expired at 1000 */
    ck_assert_int_eq(add_code(2, "cid1", "fam2", 1001), CLV_OK);
    ck_assert_int_eq(add_refresh(3, "cid1", "fam1", 999), CLV_OK);
    ck_assert_int_eq(add_refresh(4, "cid1", "fam2", 1001), CLV_OK);
    ck_assert_int_eq(clv_store_family_revoke(store, "fam_old", 1000, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_family_revoke(store, "fam_new", 1001, NULL), CLV_OK);
    ck_assert_int_eq(add_session(5, "u1", 1000), CLV_OK);
    ck_assert_int_eq(add_session(6, "u1", 1001), CLV_OK);
    ck_assert_int_eq(clv_store_assertion_jti_use(store, "j_old", "cid1", 1000, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_assertion_jti_use(store, "j_new", "cid1", 1001, NULL), CLV_OK);
    ck_assert_int_eq(add_iat(7, "iat_old", "s1", 1000, -1), CLV_OK);
    ck_assert_int_eq(add_iat(8, "iat_new", "s1", 1001, -1), CLV_OK);

    ck_assert_int_eq(clv_test_store_purge(store, 1000, &n), CLV_OK);
    ck_assert_int_eq(n, 0); /* only clients and services count */

    ck_assert_int_eq(use_code(1), CLV_NOT_FOUND);
    ck_assert_int_eq(use_code(2), CLV_OK);
    ck_assert_int_eq(use_refresh(3), CLV_NOT_FOUND);
    ck_assert_int_eq(use_refresh(4), CLV_OK);
    ck_assert(!family_revoked("fam_old"));
    ck_assert(family_revoked("fam_new"));
    hash_of(5, h);
    ck_assert_int_eq(clv_store_session_get(store, h, &ss, NULL), CLV_NOT_FOUND);
    hash_of(6, h);
    ck_assert_int_eq(clv_store_session_get(store, h, &ss, NULL), CLV_OK);
    clv_session_free(ss);
    ck_assert_int_eq(clv_store_assertion_jti_use(store, "j_old", "cid1", 2000, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_assertion_jti_use(store, "j_new", "cid1", 2000, NULL), CLV_CONFLICT);
    ck_assert_int_eq(add_iat(7, "iat_old", "s1", 2000, -1), CLV_OK); /* gone: insertable */
    ck_assert_int_eq(add_iat(8, "iat_new", "s1", 2000, -1), CLV_CONFLICT);
}
END_TEST

START_TEST(purge_cascades)
{
    unsigned char h[32];
    clv_service *v = NULL;
    int n = -1;

    add_base();
    hash_of(30, h);
    ck_assert_int_eq(add_code(1, "cid1", "fam1", 5000), CLV_OK);
    ck_assert_int_eq(add_refresh(2, "cid1", "fam1", 5000), CLV_OK);
    ck_assert_int_eq(clv_store_regtoken_put(store, "cid1", h, NULL), CLV_OK);
    ck_assert_int_eq(add_code(3, "cid2", "fam3", 5000), CLV_OK);
    ck_assert_int_eq(add_refresh(4, "cid2", "fam3", 5000), CLV_OK);
    ck_assert_int_eq(clv_store_regtoken_put(store, "cid2", h, NULL), CLV_OK);
    ck_assert_int_eq(add_code(5, "cid3", "fam5", 5000), CLV_OK);
    ck_assert_int_eq(add_iat(6, "iat_s2", "s2", 5000, -1), CLV_OK);
    ck_assert_int_eq(add_iat(7, "iat_s1", "s1", 5000, -1), CLV_OK);
    soft_delete_client("cid1", 100);
    ck_assert_int_eq(clv_store_service_get(store, "s2", &v, NULL), CLV_OK);
    v->status = CLV_STATUS_DELETED;
    v->purge_at = 100;
    ck_assert_int_eq(clv_store_service_update(store, v, NULL), CLV_OK);
    clv_service_free(v);

    ck_assert_int_eq(clv_test_store_purge(store, 200, &n), CLV_OK);
    ck_assert_int_eq(n, 3); /* cid1, cid3 (with its service) and s2 */
    ck_assert_int_eq(use_code(1), CLV_NOT_FOUND);
    ck_assert_int_eq(use_refresh(2), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_regtoken_get(store, "cid1", h, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(use_code(5), CLV_NOT_FOUND);
    ck_assert_int_eq(use_iat(6, 300, -1), CLV_NOT_FOUND);
    ck_assert_int_eq(use_code(3), CLV_OK); /* the live client keeps its grants */
    ck_assert_int_eq(use_refresh(4), CLV_OK);
    ck_assert_int_eq(clv_store_regtoken_get(store, "cid2", h, NULL), CLV_OK);
    ck_assert_int_eq(use_iat(7, 300, -1), CLV_OK);
}
END_TEST

/* A database made by a release that had migration 1 only: migrate upgrades it in place. */
START_TEST(migrate_from_v1)
{
    char v1path[200];
    clv_store *fresh = store;
    clv_secret sec = {.secret_id = "sec1", .client_id = "cid1", .created_at = 5};
    clv_client *c = NULL;
    clv_user *u = NULL;
    clv_list l = {0};
    int64_t version = 0;
    clv_err err = {0};

    snprintf(v1path, sizeof v1path, "%s/v1.db", dir);
    ck_assert_int_eq(clv_store_open(v1path, &store, NULL), CLV_OK);
    ck_assert_int_eq(clv_sqlite_migrate_to(store, 1, &err), CLV_OK);
    ck_assert_int_eq(clv_sqlite_schema_version(store, &version, NULL), CLV_OK);
    ck_assert_int_eq(version, 1);
    add_base();
    ck_assert_int_eq(clv_store_secret_insert(store, &sec, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_jti_revoke(store, "j1", 5000, NULL), CLV_OK);
    ck_assert_int_eq(add_code(1, "cid1", "fam1", 5000), CLV_STORE); /* no table yet */

    ck_assert_msg(clv_store_migrate(store, &err) == CLV_OK, "migrate: %s", err.detail);
    ck_assert_int_eq(clv_sqlite_schema_version(store, &version, NULL), CLV_OK);
    ck_assert_int_eq(version, clv_sqlite_migration_count); /* the latest */
    ck_assert_int_eq(clv_store_migrate(store, NULL), CLV_OK); /* idempotent */
    ck_assert_int_eq(clv_sqlite_schema_version(store, &version, NULL), CLV_OK);
    ck_assert_int_eq(version, clv_sqlite_migration_count); /* the latest */

    ck_assert_int_eq(clv_store_client_get(store, "cid3", &c, NULL), CLV_OK);
    ck_assert_str_eq(c->tenant_id, "t2");
    clv_client_free(c);
    ck_assert_int_eq(clv_store_user_get(store, "u1", &u, NULL), CLV_OK);
    clv_user_free(u);
    ck_assert_int_eq(clv_store_secret_list(store, "cid1", &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 1);
    clv_list_cleanup(&l);
    ck_assert_int_eq(add_code(1, "cid1", "fam1", 5000), CLV_OK); /* new tables work */
    ck_assert_int_eq(use_code(1), CLV_OK);
    ck_assert_int_eq(add_session(2, "u1", 5000), CLV_OK);
    clv_store_free(store);
    store = fresh;
}
END_TEST

/* ---- concurrency ---- */

enum { RACE_CODES = 40 };

static pthread_barrier_t race_start;

typedef struct {
    int ok, conflict, other;
} race_tally;

/* Consumes every code of the race and tallies the outcomes. */
static void *race(void *arg)
{
    race_tally *t = arg;

    pthread_barrier_wait(&race_start);
    for (int i = 1; i <= RACE_CODES; i++) {
        clv_code a = use_code(i), r = use_refresh(100 + i);
        t->ok += (a == CLV_OK) + (r == CLV_OK);
        t->conflict += (a == CLV_CONFLICT) + (r == CLV_CONFLICT);
        t->other += (a != CLV_OK && a != CLV_CONFLICT) + (r != CLV_OK && r != CLV_CONFLICT);
    }
    return NULL;
}

START_TEST(concurrent_consume)
{
    race_tally ta = {0}, tb = {0};
    pthread_t a, b;

    add_base();
    for (int i = 1; i <= RACE_CODES; i++) {
        ck_assert_int_eq(add_code(i, "cid1", "fam1", 5000), CLV_OK);
        ck_assert_int_eq(add_refresh(100 + i, "cid1", "fam1", 5000), CLV_OK);
    }
    ck_assert_int_eq(pthread_barrier_init(&race_start, NULL, 2), 0);
    ck_assert_int_eq(pthread_create(&a, NULL, race, &ta), 0);
    ck_assert_int_eq(pthread_create(&b, NULL, race, &tb), 0);
    ck_assert_int_eq(pthread_join(a, NULL), 0);
    ck_assert_int_eq(pthread_join(b, NULL), 0);
    pthread_barrier_destroy(&race_start);
    /* each code and each token went to exactly one of the two; the other saw a replay */
    ck_assert_int_eq(ta.other + tb.other, 0);
    ck_assert_int_eq(ta.ok + tb.ok, 2 * RACE_CODES);
    ck_assert_int_eq(ta.conflict + tb.conflict, 2 * RACE_CODES);
    for (int i = 1; i <= RACE_CODES; i++) {
        ck_assert_int_eq(use_code(i), CLV_CONFLICT);
        ck_assert_int_eq(use_refresh(100 + i), CLV_CONFLICT);
    }
}
END_TEST

/* ---- resources of a service (RFC 8707; docs/DESIGN.md R38) ---- */

static clv_code add_resource(const char *id, const char *service_id, const char *identifier,
                             int64_t at)
{
    clv_resource r = {.id = (char *)id,
                      .service_id = (char *)service_id,
                      .identifier = (char *)identifier,
                      .scopes = json_pack("[s, s]", "read", "write"),
                      .created_at = at};
    clv_code rc = clv_store_resource_insert(store, &r, NULL);

    json_decref(r.scopes);
    return rc;
}

START_TEST(resources)
{
    clv_resource *r = NULL;
    clv_list l = {0};
    clv_service *v = NULL;
    int n = -1;

    add_base();
    ck_assert_int_eq(add_resource("rs1", "s1", "https://api.example/a", 10), CLV_OK);
    ck_assert_int_eq(add_resource("rs2", "s1", "https://api.example/b", 20), CLV_OK);
    ck_assert_int_eq(add_resource("rs3", "s1", "https://api.example/a", 30), CLV_CONFLICT);
    /* an identifier belongs to one service of the whole server */
    ck_assert_int_eq(add_resource("rs4", "s2", "https://api.example/a", 30), CLV_CONFLICT);
    ck_assert_int_eq(add_resource("rs4", "s2", "https://api.example/c", 30), CLV_OK);
    ck_assert_int_eq(add_resource("rs5", "s_none", "https://api.example/z", 30), CLV_NOT_FOUND);

    ck_assert_int_eq(clv_store_resource_find(store, "s1", "https://api.example/a", &r, NULL),
                     CLV_OK);
    ck_assert_str_eq(r->id, "rs1");
    ck_assert_str_eq(r->service_id, "s1");
    ck_assert_ptr_null(r->name);
    ck_assert_int_eq(json_array_size(r->scopes), 2);
    ck_assert_int_eq(r->created_at, 10);
    clv_resource_free(r);
    r = NULL;
    /* exact: no prefix, no case folding */
    ck_assert_int_eq(clv_store_resource_find(store, "s1", "https://api.example/A", &r, NULL),
                     CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_resource_find(store, "s2", "https://api.example/b", &r, NULL),
                     CLV_NOT_FOUND);

    ck_assert_int_eq(clv_store_resource_list(store, "s1", &l, NULL), CLV_OK);
    ck_assert_int_eq(l.count, 2);
    ck_assert_str_eq(((clv_resource *)l.items[0])->id, "rs2"); /* newest first */
    clv_list_cleanup(&l);

    ck_assert_int_eq(clv_store_resource_delete(store, "s2", "rs1", NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_resource_delete(store, "s1", "rs1", NULL), CLV_OK);
    ck_assert_int_eq(clv_store_resource_delete(store, "s1", "rs1", NULL), CLV_NOT_FOUND);

    /* they go with their service */
    ck_assert_int_eq(clv_store_service_get(store, "s2", &v, NULL), CLV_OK);
    v->status = CLV_STATUS_DELETED;
    v->purge_at = 100;
    ck_assert_int_eq(clv_store_service_update(store, v, NULL), CLV_OK);
    clv_service_free(v);
    ck_assert_int_eq(clv_test_store_purge(store, 200, &n), CLV_OK);
    ck_assert_int_eq(clv_store_resource_list(store, "s2", &l, NULL), CLV_OK);
    ck_assert_int_eq(l.count, 0);
    clv_list_cleanup(&l);
}
END_TEST

START_TEST(grant_resource_kept)
{
    clv_authcode a = {.client_id = "cid1",
                      .user_id = "u1",
                      .tenant_id = "t1",
                      .redirect_uri = "https://app.example/cb",
                      .scope = "read",
                      .family_id = "fam1",
                      .resource = "https://api.example/a",
                      .expires_at = 700};
    clv_refresh r = {.client_id = "cid1",
                     .user_id = "u1",
                     .tenant_id = "t1",
                     .scope = "read",
                     .family_id = "fam1",
                     .resource = "https://api.example/a",
                     .expires_at = 700};
    clv_authcode *ac = NULL;
    clv_refresh *rt = NULL;

    add_base();
    hash_of(40, a.hash);
    hash_of(41, r.hash);
    ck_assert_int_eq(clv_store_authcode_insert(store, &a, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_refresh_insert(store, &r, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_authcode_consume(store, a.hash, &ac, NULL), CLV_OK);
    ck_assert_str_eq(ac->resource, "https://api.example/a");
    ck_assert_int_eq(clv_store_refresh_consume(store, r.hash, &rt, NULL), CLV_OK);
    ck_assert_str_eq(rt->resource, "https://api.example/a");
    clv_authcode_free(ac);
    clv_refresh_free(rt);
    ck_assert_int_eq(add_code(42, "cid1", "fam2", 700), CLV_OK); /* none: NULL */
    hash_of(42, a.hash);
    ck_assert_int_eq(clv_store_authcode_consume(store, a.hash, &ac, NULL), CLV_OK);
    ck_assert_ptr_null(ac->resource);
    clv_authcode_free(ac);
}
END_TEST

static Suite *grants_suite(void)
{
    const TTest *grants[] = {
        code_consume_once,    code_optional_fields, refresh_consume_once, consume_in_transaction,
        family_revoke,        client_grants_revoke, refresh_revoke,       sessions,
        assertion_jti_replay, concurrent_consume};
    const TTest *registration[] = {iat_single_use, iat_unlimited_and_expired, iat_list, regtoken,
                                   consents,       first_party_kept};
    const TTest *retention[] = {purge_expired, purge_cascades};
    const TTest *resource[] = {resources, grant_resource_kept};
    const TTest *sqlite[] = {migrate_from_v1}; /* SQLite only: its upgrade from a release */
    const struct {
        const char *name;
        const TTest *const *tests;
        size_t n;
        bool sqlite_only;
    } cases[] = {{"grants", grants, COUNT(grants), false},
                 {"registration", registration, COUNT(registration), false},
                 {"retention", retention, COUNT(retention), false},
                 {"resources", resource, COUNT(resource), false},
                 {"sqlite", sqlite, COUNT(sqlite), true}};
    Suite *s = suite_create("store_grants");

    for (size_t i = 0; i < COUNT(cases); i++) {
        TCase *tc;
        if (cases[i].sqlite_only && !clv_test_store_on("sqlite"))
            continue;
        tc = tcase_create(cases[i].name);
        clv_test_store_fixture(tc, &store, dir, url, true);
        tcase_set_timeout(tc, 60);
        for (size_t j = 0; j < cases[i].n; j++)
            tcase_add_test(tc, cases[i].tests[j]);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    return clv_test_run(grants_suite());
}
