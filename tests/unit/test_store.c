/* test_store — the store suite: unit tests of src/store through its public interface
 * (store.h, store_ops.h) that every backend must pass: migrations, every object's round
 * trip, versioned updates, list order, keyset pagination and filters, purge, transactions
 * and concurrent use from two threads. test_store_grants.c (end-user flows, registration)
 * and test_store_q.c (the client list's q) belong to it. Each test runs in its own process
 * (CK_FORK) on a fresh, empty store, with a temporary directory of its own
 * (clv_test_store_fixture, testutil.c).
 *
 * The backend. By default the suite runs on SQLite, a new file per test. To run it on
 * another backend:
 *   1. give that backend a row in the `backends` table of testutil.c: the URL scheme that
 *      picks it, a function that makes a fresh, empty store for one test from a base URL
 *      (PostgreSQL: a database of its own on that server) and writes its URL, and one
 *      that removes it after the test;
 *   2. run the store tests with that base URL in CLAVIS_TEST_STORE_URL, e.g.
 *        CLAVIS_TEST_STORE_URL=postgres://clavis@localhost/clavis_test \
 *            ctest --output-on-failure -R test_store
 * Nothing else changes: the tests only call clv_store_* and open the store by its URL.
 * What is SQLite's own (its upgrades from old releases through clv_sqlite_migrate_to, the
 * tables of its q index) is in the test cases named "sqlite" and "q_sqlite", or guarded
 * by sqlite_index() in test_store_q.c; those run only when the backend is SQLite
 * (clv_test_store_on). A new backend with checks of its own adds them the same way. */
#include <check.h>
#include <pthread.h>
#include <time.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/b64.h"
#include "store/store.h"
#include "testutil.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char dir[CLV_TEST_DIR_MAX]; /* per test (clv_test_store_fixture) */
static char url[CLV_TEST_URL_MAX]; /* the store's URL; for SQLite its file */
static clv_store *store;

/* ---- builders ---- */

static void add_tenant(const char *id, int64_t created_at)
{
    clv_tenant t = {.id = (char *)id, .name = "Tenant", .created_at = created_at};

    ck_assert_int_eq(clv_store_tenant_insert(store, &t, NULL), CLV_OK);
}

static void add_service(const char *id, const char *tenant_id, int64_t created_at)
{
    clv_service v = {.id = (char *)id,
                     .tenant_id = (char *)tenant_id,
                     .name = "Service",
                     .created_at = created_at,
                     .updated_at = created_at};

    ck_assert_int_eq(clv_store_service_insert(store, &v, NULL), CLV_OK);
}

/* A client with defaults; the caller frees it. */
static clv_client *new_client(const char *id, const char *client_id, const char *service_id,
                              int64_t created_at)
{
    clv_client *c = calloc(1, sizeof *c);

    ck_assert_ptr_nonnull(c);
    c->id = strdup(id);
    c->client_id = strdup(client_id);
    c->service_id = strdup(service_id);
    c->name = strdup(client_id);
    c->type = CLV_TYPE_CONFIDENTIAL;
    c->created_at = c->updated_at = created_at;
    ck_assert(clv_client_set_defaults(c, 3600, 2592000));
    return c;
}

static clv_code add_client_full(const char *id, const char *client_id, const char *service_id,
                                int64_t created_at, const char *name, clv_client_type type,
                                clv_status status)
{
    clv_client *c = new_client(id, client_id, service_id, created_at);
    clv_code rc;

    free(c->name);
    c->name = strdup(name);
    c->type = type;
    c->status = status;
    if (status == CLV_STATUS_DELETED) {
        c->deleted_at = created_at;
        c->purge_at = created_at + 100;
    }
    rc = clv_store_client_insert(store, c, NULL);
    clv_client_free(c);
    return rc;
}

static void add_client(const char *id, const char *client_id, const char *service_id,
                       int64_t created_at)
{
    ck_assert_int_eq(add_client_full(id, client_id, service_id, created_at, client_id,
                                     CLV_TYPE_CONFIDENTIAL, CLV_STATUS_ACTIVE),
                     CLV_OK);
}

/* The standard layout: tenant t1 with service s1, tenant t2 with service s2. */
static void add_base(void)
{
    add_tenant("t1", 1);
    add_tenant("t2", 2);
    add_service("s1", "t1", 10);
    add_service("s2", "t2", 11);
}

static void assert_json(const json_t *got, const char *want)
{
    json_t *w = json_loads(want, JSON_DECODE_ANY, NULL);

    ck_assert_ptr_nonnull(w);
    ck_assert_msg(json_equal((json_t *)got, w), "json differs from %s", want);
    json_decref(w);
}

/* Appends the ids of l's items, in order, to the space-separated list in buf. */
static void join_ids(const clv_list *l, const char *(*id_of)(const void *), char *buf, size_t cap)
{
    for (size_t i = 0; i < l->count; i++) {
        size_t n = strlen(buf);
        int w = snprintf(buf + n, cap - n, "%s%s", n > 0 ? " " : "", id_of(l->items[i]));
        ck_assert_int_lt(w, (int)(cap - n));
    }
}

/* The id of each kind of list item, for join_ids. */
#define ID_OF(name, type, field)                                                                   \
    static const char *name(const void *p)                                                         \
    {                                                                                              \
        return ((const type *)p)->field;                                                           \
    }
ID_OF(tenant_id_of, clv_tenant, id)
ID_OF(service_id_of, clv_service, id)
ID_OF(client_id_of, clv_client, id)
ID_OF(secret_id_of, clv_secret, secret_id)
ID_OF(user_id_of, clv_user, id)
ID_OF(event_id_of, clv_audit, id)

/* Checks that the ids of l's items, in order and joined by spaces, are `want`. */
static void expect_ids(const clv_list *l, const char *(*id_of)(const void *), const char *want)
{
    char got[512] = "";

    join_ids(l, id_of, got, sizeof got);
    ck_assert_str_eq(got, want);
}

static void expect_clients(clv_client_filter f, const char *want)
{
    clv_list l = {0};
    clv_err err = {0};

    ck_assert_msg(clv_store_client_list(store, &f, &l, &err) == CLV_OK, "%s", err.detail);
    expect_ids(&l, client_id_of, want);
    clv_list_cleanup(&l);
}

static const clv_client_filter all_clients = {.status = -1, .type = -1, .limit = 100};

/* Pages through the clients of f (f.limit a page), every id into ids; returns the number
 * of pages. */
static int walk_clients(clv_client_filter f, char *ids, size_t cap)
{
    char *cursor = NULL;
    clv_list l = {0};
    int pages = 0;

    ids[0] = '\0';
    do {
        f.cursor = cursor;
        ck_assert_int_eq(clv_store_client_list(store, &f, &l, NULL), CLV_OK);
        ck_assert_uint_le(l.count, (size_t)f.limit);
        join_ids(&l, client_id_of, ids, cap);
        free(cursor);
        cursor = l.next_cursor;
        l.next_cursor = NULL;
        clv_list_cleanup(&l);
        pages++;
    } while (cursor != NULL);
    return pages;
}

/* ---- open, migrate, meta ---- */

START_TEST(migrate_twice)
{
    clv_store *other = NULL;

    ck_assert_int_eq(clv_store_migrate(store, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_open(url, &other, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_migrate(other, NULL), CLV_OK);
    clv_store_free(other);
    add_tenant("t1", 1);
}
END_TEST

static void *open_and_migrate(void *arg)
{
    clv_store *s = NULL;
    long ok;

    (void)arg;
    ok = clv_store_open(url, &s, NULL) == CLV_OK && clv_store_migrate(s, NULL) == CLV_OK;
    clv_store_free(s);
    return (void *)ok;
}

/* Nodes started together migrate one new database at once, each through its own store:
 * every one succeeds and the schema is made once (PostgreSQL: the advisory lock). */
START_TEST(migrate_at_once)
{
    pthread_t t[4];
    void *ok;

    for (size_t i = 0; i < COUNT(t); i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, open_and_migrate, NULL), 0);
    for (size_t i = 0; i < COUNT(t); i++) {
        ck_assert_int_eq(pthread_join(t[i], &ok), 0);
        ck_assert_int_eq((long)ok, 1);
    }
    ck_assert_int_eq(clv_store_migrate(store, NULL), CLV_OK);
    add_tenant("t1", 1);
}
END_TEST

START_TEST(open_urls)
{
    clv_store *s = NULL;
    clv_err err = {0};

    /* a PostgreSQL URL goes to that backend, which connects at once: port 1 refuses, and a
     * database that cannot be reached is unavailable (503), not a failure of ours (500) */
    ck_assert_int_eq(clv_store_open("postgres://u@127.0.0.1:1/db", &s, &err), CLV_UNAVAILABLE);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(err.detail, "cannot connect to PostgreSQL"));
    ck_assert_int_eq(clv_store_open("postgresql://u@127.0.0.1:1/db", &s, NULL), CLV_UNAVAILABLE);
    ck_assert_int_eq(clv_store_open("/nonexistent/dir/x.db", &s, &err), CLV_STORE);
    ck_assert_ptr_null(s);
    clv_store_free(NULL);
}
END_TEST

START_TEST(meta_put_get)
{
    char *v = NULL;
    clv_err err = {0};

    ck_assert_int_eq(clv_store_meta_get(store, "key:hmac", &v, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_meta_put(store, "key:hmac", "c2VjcmV0", NULL), CLV_OK);
    ck_assert_int_eq(clv_store_meta_get(store, "key:hmac", &v, NULL), CLV_OK);
    ck_assert_str_eq(v, "c2VjcmV0");
    free(v);
    ck_assert_int_eq(clv_store_meta_put(store, "key:hmac", "other", &err), CLV_CONFLICT);
    ck_assert_int_eq(err.code, CLV_CONFLICT);
}
END_TEST

/* The signing keys' rows (docs/DESIGN.md "Signing keys and the KEK"): one active key per
 * alg, retire by kid (a second retire finds nothing: another node rotated), purge past
 * retire_at, a next key made active by kid, and a version that moves with every change;
 * meta_delete. */
START_TEST(signing_key_rows)
{
    clv_signing_key a = {"kid-a", CLV_ALG_ES256, true, 100, 0, "sealed-a"};
    clv_signing_key b = {"kid-b", CLV_ALG_ES256, true, 200, 0, "sealed-b"};
    clv_signing_key r = {"kid-r", CLV_ALG_RS256, true, 150, 0, "sealed-r"};
    clv_signing_key n = {"kid-n", CLV_ALG_RS256, false, 300, CLV_KEY_NEXT, "sealed-n"};
    const clv_signing_key *k;
    clv_list l = {0};
    int64_t v0 = -1, v1 = -1, v2 = -1, v3 = -1;
    char *v = NULL;

    ck_assert_int_eq(clv_store_signing_key_version(store, &v0, NULL), CLV_OK);
    ck_assert_int_eq(v0, 0);
    ck_assert_int_eq(clv_store_signing_key_insert(store, &a, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_signing_key_insert(store, &r, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_signing_key_insert(store, &b, NULL), CLV_CONFLICT); /* 2 active */
    ck_assert_int_eq(clv_store_signing_key_insert(store, &a, NULL), CLV_CONFLICT); /* same kid */
    ck_assert_int_eq(clv_store_signing_key_version(store, &v1, NULL), CLV_OK);
    ck_assert_int_ne(v1, v0);
    ck_assert_int_eq(clv_store_signing_key_retire(store, "kid-a", 5000, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_signing_key_retire(store, "kid-a", 6000, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_signing_key_insert(store, &b, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_signing_key_version(store, &v2, NULL), CLV_OK);
    ck_assert_int_ne(v2, v1);
    ck_assert_int_eq(clv_store_signing_key_list(store, &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 3);
    k = l.items[0]; /* newest first */
    ck_assert_str_eq(k->kid, "kid-b");
    ck_assert(k->active);
    k = l.items[2];
    ck_assert_str_eq(k->kid, "kid-a");
    ck_assert(!k->active);
    ck_assert_int_eq(k->alg, CLV_ALG_ES256);
    ck_assert_int_eq(k->created_at, 100);
    ck_assert_int_eq(k->retire_at, 5000);
    ck_assert_str_eq(k->sealed, "sealed-a");
    clv_list_cleanup(&l);
    ck_assert_int_eq(clv_store_signing_key_purge(store, 4999, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_signing_key_version(store, &v3, NULL), CLV_OK);
    ck_assert_int_eq(v3, v2); /* nothing past its retire_at yet */
    ck_assert_int_eq(clv_store_signing_key_purge(store, 5000, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_signing_key_version(store, &v3, NULL), CLV_OK);
    ck_assert_int_ne(v3, v2);
    ck_assert_int_eq(clv_store_signing_key_list(store, &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 2); /* active keys are never purged */
    clv_list_cleanup(&l);
    /* a next key (not active, retire_at CLV_KEY_NEXT): never purged; activated once, by kid */
    ck_assert_int_eq(clv_store_signing_key_insert(store, &n, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_signing_key_purge(store, 1000000, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_signing_key_activate(store, "kid-n", 400, NULL), CLV_CONFLICT);
    ck_assert_int_eq(clv_store_signing_key_version(store, &v2, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_signing_key_retire(store, "kid-r", 9000, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_signing_key_activate(store, "kid-n", 400, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_signing_key_activate(store, "kid-n", 500, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_signing_key_activate(store, "kid-r", 500, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_signing_key_version(store, &v3, NULL), CLV_OK);
    ck_assert_int_ne(v3, v2);
    ck_assert_int_eq(clv_store_signing_key_list(store, &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 3);
    k = l.items[0]; /* newest first: its created_at is when it began to sign */
    ck_assert_str_eq(k->kid, "kid-n");
    ck_assert(k->active);
    ck_assert_int_eq(k->created_at, 400);
    ck_assert_int_eq(k->retire_at, 0);
    clv_list_cleanup(&l);
    ck_assert_int_eq(clv_store_meta_put(store, "key:x", "1", NULL), CLV_OK);
    ck_assert_int_eq(clv_store_meta_delete(store, "key:x", NULL), CLV_OK);
    ck_assert_int_eq(clv_store_meta_get(store, "key:x", &v, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_meta_delete(store, "key:x", NULL), CLV_OK);
}
END_TEST

/* ---- tenants and services ---- */

START_TEST(tenant_round_trip)
{
    clv_tenant t = {
        .id = "t1", .name = "Acme", .status = CLV_STATUS_INACTIVE, .created_at = 1700000000};
    clv_tenant *got = NULL;
    clv_list l = {0}, page2 = {0};

    ck_assert_int_eq(clv_store_tenant_insert(store, &t, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_tenant_insert(store, &t, NULL), CLV_CONFLICT);
    ck_assert_int_eq(clv_store_tenant_get(store, "t1", &got, NULL), CLV_OK);
    ck_assert_str_eq(got->id, "t1");
    ck_assert_str_eq(got->name, "Acme");
    ck_assert_int_eq(got->status, CLV_STATUS_INACTIVE);
    ck_assert_int_eq(got->created_at, 1700000000);
    clv_tenant_free(got);
    t.name = "Acme 2";
    t.status = CLV_STATUS_ACTIVE;
    ck_assert_int_eq(clv_store_tenant_update(store, &t, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_tenant_get(store, "t1", &got, NULL), CLV_OK);
    ck_assert_str_eq(got->name, "Acme 2");
    ck_assert_int_eq(got->status, CLV_STATUS_ACTIVE);
    clv_tenant_free(got);
    t.id = "nope";
    ck_assert_int_eq(clv_store_tenant_update(store, &t, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_tenant_get(store, "nope", &got, NULL), CLV_NOT_FOUND);
    add_tenant("t2", 1700000001);
    ck_assert_int_eq(clv_store_tenant_list(store, NULL, 1, &l, NULL), CLV_OK);
    expect_ids(&l, tenant_id_of, "t2");
    ck_assert_int_eq(clv_store_tenant_list(store, l.next_cursor, 1, &page2, NULL), CLV_OK);
    expect_ids(&page2, tenant_id_of, "t1");
    ck_assert_ptr_null(page2.next_cursor);
    clv_list_cleanup(&l);
    clv_list_cleanup(&page2);
}
END_TEST

START_TEST(service_round_trip)
{
    clv_service v = {.id = "s1",
                     .tenant_id = "t1",
                     .name = "Shop",
                     .description = "Web shop",
                     .status = CLV_STATUS_INACTIVE,
                     .approval = CLV_APPROVAL_LIVE,
                     .created_at = 100,
                     .updated_at = 101,
                     .deleted_at = 102,
                     .purge_at = 103,
                     .version = 42};
    clv_service *got = NULL;
    clv_err err = {0};

    ck_assert_int_eq(clv_store_service_insert(store, &v, &err), CLV_NOT_FOUND); /* no t1 */
    add_tenant("t1", 1);
    ck_assert_int_eq(clv_store_service_insert(store, &v, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_service_insert(store, &v, NULL), CLV_CONFLICT);
    ck_assert_int_eq(clv_store_service_get(store, "s1", &got, NULL), CLV_OK);
    ck_assert_str_eq(got->tenant_id, "t1");
    ck_assert_str_eq(got->name, "Shop");
    ck_assert_str_eq(got->description, "Web shop");
    ck_assert_int_eq(got->status, CLV_STATUS_INACTIVE);
    ck_assert_int_eq(got->approval, CLV_APPROVAL_LIVE);
    ck_assert_int_eq(got->created_at, 100);
    ck_assert_int_eq(got->updated_at, 101);
    ck_assert_int_eq(got->deleted_at, 102);
    ck_assert_int_eq(got->purge_at, 103);
    ck_assert_int_eq(got->version, 1); /* inserted with version 1 whatever was given */
    ck_assert_int_eq(got->tenant_status, CLV_STATUS_ACTIVE);

    got->description = (free(got->description), NULL);
    got->status = CLV_STATUS_ACTIVE;
    ck_assert_int_eq(clv_store_service_update(store, got, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_service_update(store, got, &err), CLV_PRECONDITION);
    ck_assert_int_eq(err.code, CLV_PRECONDITION);
    clv_service_free(got);
    ck_assert_int_eq(clv_store_service_get(store, "s1", &got, NULL), CLV_OK);
    ck_assert_ptr_null(got->description);
    ck_assert_int_eq(got->version, 2);
    free(got->id);
    got->id = strdup("missing");
    ck_assert_int_eq(clv_store_service_update(store, got, NULL), CLV_NOT_FOUND);
    clv_service_free(got);
}
END_TEST

static void expect_services(const char *tenant_id, int status, const char *want)
{
    clv_service_filter f = {.tenant_id = tenant_id, .status = status, .limit = 100};
    clv_list l = {0};

    ck_assert_int_eq(clv_store_service_list(store, &f, &l, NULL), CLV_OK);
    expect_ids(&l, service_id_of, want);
    clv_list_cleanup(&l);
}

START_TEST(service_list_filters)
{
    clv_service *v = NULL;

    add_base();
    add_service("s3", "t1", 12);
    ck_assert_int_eq(clv_store_service_get(store, "s3", &v, NULL), CLV_OK);
    v->status = CLV_STATUS_DELETED;
    ck_assert_int_eq(clv_store_service_update(store, v, NULL), CLV_OK);
    clv_service_free(v);
    expect_services(NULL, -1, "s2 s1");
    expect_services("t1", -1, "s1");
    expect_services(NULL, CLV_STATUS_DELETED, "s3");
    expect_services("t2", CLV_STATUS_DELETED, "");
    expect_services(NULL, CLV_STATUS_ACTIVE, "s2 s1");
}
END_TEST

/* ---- clients ---- */

/* The client's fields by kind, to fill and compare every one of them. */
#define CF(f) offsetof(clv_client, f)
#define FIELD(c, type, off) (*(type *)((char *)(c) + (off)))
/* clang-format off */
static const size_t client_strs[] = {
    CF(name), CF(description), CF(sector_identifier_uri), CF(sector_identifier), CF(jwks_uri),
    CF(client_uri), CF(logo_uri), CF(policy_uri), CF(tos_uri), CF(software_id),
    CF(software_version)};
static const size_t client_lists[] = {
    CF(redirect_uris), CF(post_logout_redirect_uris), CF(allowed_cors_origins), CF(scopes),
    CF(roles), CF(audience), CF(contacts)};
static const size_t client_ints[] = {
    CF(access_token_lifetime), CF(refresh_token_lifetime), CF(created_at), CF(updated_at),
    CF(deleted_at), CF(purge_at), CF(last_used_at), CF(tokens_revoked_at)};
/* clang-format on */

/* Every field set, each to a value of its own and none to its default. */
static clv_client *full_client(void)
{
    clv_client *c = new_client("c_full", "cid_full", "s1", 1000);
    char v[32];

    for (size_t i = 0; i < COUNT(client_strs); i++) {
        free(FIELD(c, char *, client_strs[i]));
        snprintf(v, sizeof v, "text %zu", i);
        FIELD(c, char *, client_strs[i]) = strdup(v);
    }
    for (size_t i = 0; i < COUNT(client_lists); i++) {
        json_array_append_new(FIELD(c, json_t *, client_lists[i]), json_sprintf("a%zu", i));
        json_array_append_new(FIELD(c, json_t *, client_lists[i]), json_string("b"));
    }
    for (size_t i = 0; i < COUNT(client_ints); i++)
        FIELD(c, int64_t, client_ints[i]) = 1000 + (int64_t)i;
    c->type = CLV_TYPE_M2M;
    c->status = CLV_STATUS_INACTIVE;
    c->auth_method = CLV_AUTH_PRIVATE_KEY_JWT;
    c->signing_alg = CLV_ALG_EDDSA;
    c->subject_type = CLV_SUBJECT_PAIRWISE;
    c->allow_refresh_token = c->protected_ = true;
    c->require_pkce = false;
    c->allow_client_credentials = true;
    c->jwks = json_pack("{s:[{s:s,s:s}]}", "keys", "kty", "OKP", "crv", "Ed25519");
    c->version = 9;
    return c;
}

/* got, as read back, holds every field of want, as written (version aside). */
static void assert_client_eq(const clv_client *want, const clv_client *got)
{
    for (size_t i = 0; i < COUNT(client_strs); i++) {
        const char *w = FIELD(want, char *, client_strs[i]);
        const char *g = FIELD(got, char *, client_strs[i]);
        if (w == NULL)
            ck_assert_ptr_null(g);
        else
            ck_assert_str_eq(g, w);
    }
    for (size_t i = 0; i < COUNT(client_lists); i++)
        ck_assert(json_equal(FIELD(want, json_t *, client_lists[i]),
                             FIELD(got, json_t *, client_lists[i])));
    for (size_t i = 0; i < COUNT(client_ints); i++)
        ck_assert_int_eq(FIELD(got, int64_t, client_ints[i]), FIELD(want, int64_t, client_ints[i]));
    ck_assert_str_eq(got->id, want->id);
    ck_assert_str_eq(got->client_id, want->client_id);
    ck_assert_str_eq(got->service_id, want->service_id);
    ck_assert_int_eq(got->type, want->type);
    ck_assert_int_eq(got->status, want->status);
    ck_assert_int_eq(got->auth_method, want->auth_method);
    ck_assert_int_eq(got->signing_alg, want->signing_alg);
    ck_assert_int_eq(got->subject_type, want->subject_type);
    ck_assert_int_eq(got->allow_refresh_token, want->allow_refresh_token);
    ck_assert_int_eq(got->require_pkce, want->require_pkce);
    ck_assert_int_eq(got->allow_client_credentials, want->allow_client_credentials);
    ck_assert_int_eq(got->protected_, want->protected_);
    if (want->jwks == NULL)
        ck_assert_ptr_null(got->jwks);
    else
        ck_assert(json_equal(want->jwks, got->jwks));
}

START_TEST(client_round_trip)
{
    clv_client *c = full_client();
    clv_client *g = NULL;

    add_base();
    ck_assert_int_eq(clv_store_client_insert(store, c, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_client_get(store, "cid_full", &g, NULL), CLV_OK);
    assert_client_eq(c, g);
    ck_assert_str_eq(g->tenant_id, "t1");
    ck_assert_int_eq(g->version, 1); /* inserted with version 1 whatever was given */
    assert_json(g->scopes, "[\"a3\",\"b\"]");
    ck_assert(g->protected_ && g->allow_refresh_token && !g->require_pkce);
    clv_client_free(g);
    clv_client_free(c);

    /* the NULL side: optional strings and jwks stay NULL, booleans false, lists empty */
    c = new_client("c_min", "cid_min", "s2", 5);
    c->require_pkce = false;
    ck_assert_int_eq(clv_store_client_insert(store, c, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_client_get(store, "cid_min", &g, NULL), CLV_OK);
    assert_client_eq(c, g);
    ck_assert_str_eq(g->tenant_id, "t2");
    ck_assert_ptr_null(g->description);
    ck_assert_ptr_null(g->jwks);
    ck_assert(!g->require_pkce && !g->protected_ && !g->allow_refresh_token);
    assert_json(g->redirect_uris, "[]");
    clv_client_free(g);
    clv_client_free(c);
    ck_assert_int_eq(clv_store_client_get(store, "cid_none", &g, NULL), CLV_NOT_FOUND);
}
END_TEST

START_TEST(client_joined_statuses)
{
    clv_service *v = NULL;
    clv_tenant t = {.id = "t1", .name = "Tenant", .status = CLV_STATUS_INACTIVE};
    clv_client *g = NULL;

    add_base();
    add_client("c1", "cid1", "s1", 100);
    ck_assert_int_eq(clv_store_client_get(store, "cid1", &g, NULL), CLV_OK);
    ck_assert_int_eq(g->service_status, CLV_STATUS_ACTIVE);
    ck_assert_int_eq(g->service_approval, CLV_APPROVAL_SANDBOX);
    ck_assert_int_eq(g->tenant_status, CLV_STATUS_ACTIVE);
    clv_client_free(g);

    ck_assert_int_eq(clv_store_service_get(store, "s1", &v, NULL), CLV_OK);
    v->status = CLV_STATUS_INACTIVE;
    v->approval = CLV_APPROVAL_LIVE;
    ck_assert_int_eq(clv_store_service_update(store, v, NULL), CLV_OK);
    clv_service_free(v);
    ck_assert_int_eq(clv_store_tenant_update(store, &t, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_client_get(store, "cid1", &g, NULL), CLV_OK);
    ck_assert_int_eq(g->status, CLV_STATUS_ACTIVE);
    ck_assert_int_eq(g->service_status, CLV_STATUS_INACTIVE);
    ck_assert_int_eq(g->service_approval, CLV_APPROVAL_LIVE);
    ck_assert_int_eq(g->tenant_status, CLV_STATUS_INACTIVE);
    ck_assert_int_eq(clv_client_effective_status(g), CLV_STATUS_INACTIVE);
    clv_client_free(g);
}
END_TEST

START_TEST(client_insert_conflicts)
{
    static const struct {
        const char *id, *client_id, *service_id;
        clv_code want;
    } cases[] = {{"c2", "cid1", "s1", CLV_CONFLICT}, /* client_id taken */
                 {"c1", "cid2", "s1", CLV_CONFLICT}, /* id taken */
                 {"c3", "cid3", "s_missing", CLV_NOT_FOUND}};

    add_base();
    add_client("c1", "cid1", "s1", 100);
    for (size_t i = 0; i < COUNT(cases); i++) {
        clv_client *c = new_client(cases[i].id, cases[i].client_id, cases[i].service_id, 1);
        clv_err err = {0};
        ck_assert_int_eq(clv_store_client_insert(store, c, &err), cases[i].want);
        ck_assert_int_eq(err.code, cases[i].want);
        clv_client_free(c);
    }
}
END_TEST

START_TEST(client_update_versions)
{
    clv_client *w = full_client();
    clv_client *g = NULL;
    clv_err err = {0};

    add_base();
    add_client("c1", "cid1", "s1", 100);
    /* every mutable column from full_client; id, client_id, service_id, type and
     * created_at are not written */
    free(w->id), free(w->client_id);
    w->id = strdup("c1"), w->client_id = strdup("cid1");
    w->version = 1;
    ck_assert_int_eq(clv_store_client_update(store, w, &err), CLV_OK);
    ck_assert_int_eq(clv_store_client_update(store, w, &err), CLV_PRECONDITION); /* stale */
    ck_assert_int_eq(err.code, CLV_PRECONDITION);
    ck_assert_int_eq(clv_store_client_get(store, "cid1", &g, NULL), CLV_OK);
    ck_assert_int_eq(g->version, 2);
    ck_assert_int_eq(g->type, CLV_TYPE_CONFIDENTIAL);
    ck_assert_int_eq(g->created_at, 100);
    w->type = CLV_TYPE_CONFIDENTIAL, w->created_at = 100;
    assert_client_eq(w, g);
    clv_client_free(g);

    /* touch changes last_used_at only */
    ck_assert_int_eq(clv_store_client_touch(store, "cid1", 5555, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_client_touch(store, "nope", 5555, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_client_get(store, "cid1", &g, NULL), CLV_OK);
    ck_assert_int_eq(g->last_used_at, 5555);
    ck_assert_int_eq(g->version, 2);
    ck_assert_int_eq(g->updated_at, w->updated_at);
    /* an update from an older read does not move last_used_at back */
    w->version = 2;
    ck_assert_int_eq(clv_store_client_update(store, w, &err), CLV_OK);
    clv_client_free(g);
    ck_assert_int_eq(clv_store_client_get(store, "cid1", &g, NULL), CLV_OK);
    ck_assert_int_eq(g->last_used_at, 5555);
    ck_assert_int_eq(g->version, 3);

    free(g->id);
    g->id = strdup("missing");
    ck_assert_int_eq(clv_store_client_update(store, g, &err), CLV_NOT_FOUND);
    ck_assert_int_eq(err.code, CLV_NOT_FOUND);
    clv_client_free(g);
    clv_client_free(w);
}
END_TEST

/* client_count: clients by their own status (for /metrics). */
START_TEST(client_count)
{
    int64_t n[3] = {-1, -1, -1};
    const char *ids[] = {"cid2", "cid3"};
    const clv_status to[] = {CLV_STATUS_INACTIVE, CLV_STATUS_DELETED};

    add_base();
    ck_assert_int_eq(clv_store_client_count(store, n, NULL), CLV_OK);
    ck_assert(n[0] == 0 && n[1] == 0 && n[2] == 0);
    add_client("c1", "cid1", "s1", 100);
    add_client("c2", "cid2", "s1", 101);
    add_client("c3", "cid3", "s2", 102);
    add_client("c4", "cid4", "s2", 103);
    for (int i = 0; i < 2; i++) {
        clv_client *g = NULL;
        ck_assert_int_eq(clv_store_client_get(store, ids[i], &g, NULL), CLV_OK);
        g->status = to[i];
        ck_assert_int_eq(clv_store_client_update(store, g, NULL), CLV_OK);
        clv_client_free(g);
    }
    ck_assert_int_eq(clv_store_client_count(store, n, NULL), CLV_OK);
    ck_assert_int_eq(n[CLV_STATUS_ACTIVE], 2);
    ck_assert_int_eq(n[CLV_STATUS_INACTIVE], 1);
    ck_assert_int_eq(n[CLV_STATUS_DELETED], 1);
}
END_TEST

START_TEST(client_list_order)
{
    add_base();
    add_client("c1", "cid1", "s1", 100);
    add_client("c3", "cid3", "s1", 200);
    add_client("c4a", "cid4a", "s1", 300);
    add_client("c4b", "cid4b", "s1", 300); /* same second: id breaks the tie, descending */
    add_client("c5", "cid5", "s2", 400);
    expect_clients(all_clients, "c5 c4b c4a c3 c1");
}
END_TEST

START_TEST(client_pagination)
{
    clv_client_filter f = all_clients;
    char ids[256];

    add_base();
    add_client("c1", "cid1", "s1", 100);
    add_client("c2", "cid2", "s1", 200);
    add_client("c3", "cid3", "s1", 200);
    add_client("c4", "cid4", "s1", 200);
    add_client("c5", "cid5", "s1", 300);
    f.limit = 2; /* every one exactly once, the cursor falling inside a tie */
    ck_assert_int_eq(walk_clients(f, ids, sizeof ids), 3);
    ck_assert_str_eq(ids, "c5 c4 c3 c2 c1");
    f.limit = 5; /* a page that ends exactly at the last row has no next cursor */
    ck_assert_int_eq(walk_clients(f, ids, sizeof ids), 1);
    f.limit = 4;
    ck_assert_int_eq(walk_clients(f, ids, sizeof ids), 2);
    ck_assert_str_eq(ids, "c5 c4 c3 c2 c1");
}
END_TEST

/* The filters of store.h, one at a time and combined (status and type -1: any, but
 * deleted only when asked for). */
static const struct {
    const char *tenant_id, *service_id;
    int status, type;
    const char *q, *want;
} filter_cases[] = {
    {NULL, NULL, -1, -1, NULL, "c5 c4 c3 c2 c1"},
    {"t1", NULL, -1, -1, NULL, "c3 c2 c1"},
    {NULL, "s2", -1, -1, NULL, "c5 c4"},
    {"t1", "s2", -1, -1, NULL, ""},
    {NULL, NULL, CLV_STATUS_ACTIVE, -1, NULL, "c5 c3 c2 c1"},
    {NULL, NULL, CLV_STATUS_INACTIVE, -1, NULL, "c4"},
    {NULL, NULL, CLV_STATUS_DELETED, -1, NULL, "c6"},
    {"t2", NULL, CLV_STATUS_DELETED, -1, NULL, ""},
    {NULL, NULL, -1, CLV_TYPE_PUBLIC, NULL, "c5 c2"}, /* c6 is public too, but deleted */
    {NULL, NULL, -1, -1, "%", "c1"},                  /* literal, not a LIKE wildcard */
    {NULL, NULL, -1, -1, "_", "c2"},
    {NULL, NULL, -1, -1, "*", ""},
    {NULL, NULL, -1, -1, "sHoP", "c3 c1"}, /* case-insensitive substring of the name */
    {NULL, NULL, -1, -1, "Xq9_z", "c4"},   /* exact client_id */
    {NULL, NULL, -1, -1, "Xq9", ""},       /* a client_id matches only exactly */
    {"t1", NULL, -1, CLV_TYPE_M2M, "shop", "c3 c1"},
    {NULL, "s1", CLV_STATUS_DELETED, -1, "shop", "c6"},
};

/* The clients the filter cases above look at; created_at is the row number. */
static const struct {
    const char *id, *client_id, *service_id, *name;
    clv_client_type type;
    clv_status status;
} filter_rows[] = {
    {"c1", "cid1", "s1", "100% Shop", CLV_TYPE_M2M, CLV_STATUS_ACTIVE},
    {"c2", "cid2", "s1", "my_app", CLV_TYPE_PUBLIC, CLV_STATUS_ACTIVE},
    {"c3", "cid3", "s1", "SHOP mobile", CLV_TYPE_M2M, CLV_STATUS_ACTIVE},
    {"c4", "Xq9_z", "s2", "myxapp", CLV_TYPE_CONFIDENTIAL, CLV_STATUS_INACTIVE},
    {"c5", "cid5", "s2", "other", CLV_TYPE_PUBLIC, CLV_STATUS_ACTIVE},
    {"c6", "cid6", "s1", "gone shop", CLV_TYPE_PUBLIC, CLV_STATUS_DELETED},
};

START_TEST(client_list_filters)
{
    add_base();
    for (size_t i = 0; i < COUNT(filter_rows); i++)
        ck_assert_int_eq(add_client_full(filter_rows[i].id, filter_rows[i].client_id,
                                         filter_rows[i].service_id, (int64_t)i + 1,
                                         filter_rows[i].name, filter_rows[i].type,
                                         filter_rows[i].status),
                         CLV_OK);
    for (size_t i = 0; i < COUNT(filter_cases); i++) {
        clv_client_filter f = {.tenant_id = filter_cases[i].tenant_id,
                               .service_id = filter_cases[i].service_id,
                               .status = filter_cases[i].status,
                               .type = filter_cases[i].type,
                               .q = filter_cases[i].q,
                               .limit = 100};
        expect_clients(f, filter_cases[i].want);
    }
}
END_TEST

/* Effective status (the weakest of client, service and tenant): the clients of an inactive
 * tenant or service are inactive, those of a deleted service deleted, whatever their own
 * status; with and without q (the index and the scan), and page by page. */
static const struct {
    const char *id, *client_id, *service_id;
    clv_status status, effective;
} effective_rows[] = {
    {"e1", "cid1", "s1", CLV_STATUS_ACTIVE, CLV_STATUS_ACTIVE},
    {"e2", "cid2", "s1", CLV_STATUS_INACTIVE, CLV_STATUS_INACTIVE},
    {"e3", "cid3", "s1", CLV_STATUS_DELETED, CLV_STATUS_DELETED},
    {"e4", "cid4", "s3", CLV_STATUS_ACTIVE, CLV_STATUS_INACTIVE}, /* inactive service */
    {"e5", "cid5", "s4", CLV_STATUS_ACTIVE, CLV_STATUS_DELETED},  /* deleted service */
    {"e6", "cid6", "s4", CLV_STATUS_INACTIVE, CLV_STATUS_DELETED},
    {"e7", "cid7", "s5", CLV_STATUS_ACTIVE, CLV_STATUS_INACTIVE}, /* inactive tenant */
    {"e8", "cid8", "s2", CLV_STATUS_ACTIVE, CLV_STATUS_ACTIVE},
};

static const struct {
    int status, effective;
    const char *service_id, *want;
} effective_cases[] = {
    {-1, CLV_STATUS_ACTIVE, NULL, "e8 e1"},
    {-1, CLV_STATUS_INACTIVE, NULL, "e7 e4 e2"},
    {-1, CLV_STATUS_DELETED, NULL, "e6 e5 e3"}, /* asked for: deleted clients too */
    {CLV_STATUS_ACTIVE, CLV_STATUS_DELETED, NULL, "e5"},
    {CLV_STATUS_ACTIVE, CLV_STATUS_INACTIVE, NULL, "e7 e4"},
    {CLV_STATUS_INACTIVE, CLV_STATUS_ACTIVE, NULL, ""},
    {CLV_STATUS_DELETED, CLV_STATUS_DELETED, NULL, "e3"},
    {-1, CLV_STATUS_DELETED, "s4", "e6 e5"},
    {-1, -1, NULL, "e8 e7 e6 e5 e4 e2 e1"}, /* no effective filter: own status only */
};

static void add_effective_layout(void)
{
    clv_tenant t3 = {.id = "t3", .name = "Off", .status = CLV_STATUS_INACTIVE, .created_at = 3};
    clv_service s3 = {.id = "s3", .tenant_id = "t1", .name = "Off", .status = CLV_STATUS_INACTIVE,
                      .created_at = 12, .updated_at = 12};
    clv_service s4 = {.id = "s4", .tenant_id = "t1", .name = "Gone", .status = CLV_STATUS_DELETED,
                      .created_at = 13, .updated_at = 13, .deleted_at = 13, .purge_at = 99999};
    clv_service s5 = {.id = "s5", .tenant_id = "t3", .name = "On", .created_at = 14,
                      .updated_at = 14};
    char name[32];

    add_base();
    ck_assert_int_eq(clv_store_tenant_insert(store, &t3, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_service_insert(store, &s3, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_service_insert(store, &s4, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_service_insert(store, &s5, NULL), CLV_OK);
    for (size_t i = 0; i < COUNT(effective_rows); i++) {
        snprintf(name, sizeof name, "Shop app %zu", i + 1);
        ck_assert_int_eq(add_client_full(effective_rows[i].id, effective_rows[i].client_id,
                                         effective_rows[i].service_id, 100 + (int64_t)i, name,
                                         CLV_TYPE_M2M, effective_rows[i].status),
                         CLV_OK);
    }
}

START_TEST(client_list_effective_status)
{
    static const char *const qs[] = {NULL, "app", "AP", "p"}; /* scan, trigrams, grams */
    char ids[256];

    add_effective_layout();
    for (size_t i = 0; i < COUNT(effective_cases); i++) {
        for (size_t k = 0; k < COUNT(qs); k++) {
            clv_client_filter f = {.service_id = effective_cases[i].service_id,
                                   .status = effective_cases[i].status,
                                   .by_effective = effective_cases[i].effective >= 0,
                                   .effective_status = effective_cases[i].effective >= 0
                                                           ? effective_cases[i].effective
                                                           : CLV_STATUS_ACTIVE,
                                   .type = -1,
                                   .q = qs[k],
                                   .limit = 100};
            expect_clients(f, effective_cases[i].want);
            for (f.limit = 1; f.limit <= 2; f.limit++) { /* the same, page by page */
                walk_clients(f, ids, sizeof ids);
                ck_assert_msg(strcmp(ids, effective_cases[i].want) == 0,
                              "case %zu q %s limit %d: got '%s'", i, qs[k] ? qs[k] : "-",
                              f.limit, ids);
            }
        }
    }
}
END_TEST

/* q as an exact client_id obeys the effective status too (the index's second branch). */
START_TEST(client_list_effective_status_by_client_id)
{
    clv_client_filter f = {.status = -1, .type = -1, .q = "cid5", .limit = 10};

    add_effective_layout();
    f.by_effective = true;
    f.effective_status = CLV_STATUS_DELETED;
    expect_clients(f, "e5");
    f.effective_status = CLV_STATUS_ACTIVE;
    expect_clients(f, "");
    f.by_effective = false; /* its own status is active */
    expect_clients(f, "e5");
    f.by_effective = true;
    f.effective_status = (clv_status)7;
    {
        clv_list l = {0};
        clv_err err;
        clv_err_init(&err);
        ck_assert_int_eq(clv_store_client_list(store, &f, &l, &err), CLV_INVALID);
        ck_assert_str_eq(err.field, "effective_status");
    }
}
END_TEST

START_TEST(bad_cursor)
{
    static const char *const bad[] = {
        "!!!", "YWJj" /* "abc" */, "MTI6" /* "12:" */, "OmFi" /* ":ab" */, "LTE6YQ" /* "-1:a" */,
        "="};
    clv_client_filter f = all_clients;
    clv_list l = {0};
    clv_err err;
    char *good;

    add_base();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clv_err_init(&err);
        f.cursor = bad[i];
        ck_assert_int_eq(clv_store_client_list(store, &f, &l, &err), CLV_INVALID);
        ck_assert_str_eq(err.field, "cursor");
        ck_assert_ptr_null(l.items);
    }
    clv_err_init(&err);
    ck_assert_int_eq(clv_store_tenant_list(store, "!!!", 10, &l, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, "cursor");
    good = malloc(clv_b64url_encoded_size(5));
    clv_b64url_encode("12:ab", 5, good);
    f.cursor = good;
    ck_assert_int_eq(clv_store_client_list(store, &f, &l, NULL), CLV_OK);
    clv_list_cleanup(&l);
    free(good);
    f.cursor = NULL;
    f.limit = 0;
    clv_err_init(&err);
    ck_assert_int_eq(clv_store_client_list(store, &f, &l, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, "limit");
}
END_TEST

/* next_cursor is base64url (RFC 4648 §5, no padding) of "<created_at>:<id>" of a page's
 * last row, for every length of that text modulo 3 (cursors handed out before stay good). */
START_TEST(cursor_format)
{
    static const char *const ids[] = {"c_abc", "c_ab", "c_a"}; /* "10x:" + 5, 4, 3 */
    clv_client_filter f = all_clients;
    char plain[32], want[64], cid[32];
    clv_list l = {0};

    add_base();
    for (size_t i = 0; i < COUNT(ids); i++) {
        snprintf(cid, sizeof cid, "cid_%s", ids[i]);
        add_client(ids[i], cid, "s1", 103 - (int64_t)i);
    }
    add_client("c_last", "cid_last", "s1", 1);
    f.limit = 1;
    for (size_t i = 0; i < COUNT(ids); i++) {
        ck_assert_int_eq(clv_store_client_list(store, &f, &l, NULL), CLV_OK);
        ck_assert_uint_eq(l.count, 1);
        ck_assert_str_eq(((clv_client *)l.items[0])->id, ids[i]);
        snprintf(plain, sizeof plain, "%d:%s", 103 - (int)i, ids[i]);
        ck_assert_uint_lt(clv_b64url_encoded_size(strlen(plain)), sizeof want);
        clv_b64url_encode(plain, strlen(plain), want);
        ck_assert_str_eq(l.next_cursor, want);
        free((char *)f.cursor);
        f.cursor = l.next_cursor; /* taken over from l */
        l.next_cursor = NULL;
        clv_list_cleanup(&l);
    }
    free((char *)f.cursor);
}
END_TEST

/* ---- secrets ---- */

static void add_secret(const char *secret_id, const char *client_id, int64_t created_at,
                       const char *description)
{
    clv_secret s = {.secret_id = (char *)secret_id,
                    .client_id = (char *)client_id,
                    .description = (char *)description,
                    .created_at = created_at,
                    .expires_at = created_at + 1000};

    memset(s.hash, (int)created_at, sizeof s.hash);
    ck_assert_int_eq(clv_store_secret_insert(store, &s, NULL), CLV_OK);
}

static void expect_secrets(const char *client_id, const char *want)
{
    clv_list l = {0};

    ck_assert_int_eq(clv_store_secret_list(store, client_id, &l, NULL), CLV_OK);
    ck_assert_ptr_null(l.next_cursor);
    expect_ids(&l, secret_id_of, want);
    clv_list_cleanup(&l);
}

START_TEST(secrets)
{
    clv_secret s = {.secret_id = "sec_x", .client_id = "nope", .created_at = 1};
    unsigned char want[32];
    clv_list l = {0};
    clv_secret *got;

    add_base();
    add_client("c1", "cid1", "s1", 100);
    add_secret("sec_a", "cid1", 10, NULL);
    add_secret("sec_b", "cid1", 20, "rotation");
    ck_assert_int_eq(clv_store_secret_insert(store, &s, NULL), CLV_NOT_FOUND);
    s.client_id = "cid1";
    s.secret_id = "sec_a";
    ck_assert_int_eq(clv_store_secret_insert(store, &s, NULL), CLV_CONFLICT);

    ck_assert_int_eq(clv_store_secret_touch(store, "sec_a", 77, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_secret_touch(store, "sec_zz", 77, NULL), CLV_NOT_FOUND);
    expect_secrets("cid1", "sec_b sec_a"); /* newest first */
    ck_assert_int_eq(clv_store_secret_list(store, "cid1", &l, NULL), CLV_OK);
    got = l.items[0];
    ck_assert_str_eq(got->client_id, "cid1");
    ck_assert_str_eq(got->description, "rotation");
    ck_assert_int_eq(got->expires_at, 1020);
    memset(want, 20, sizeof want);
    ck_assert_mem_eq(got->hash, want, sizeof want);
    got = l.items[1];
    ck_assert_ptr_null(got->description);
    ck_assert_int_eq(got->last_used_at, 77);
    clv_list_cleanup(&l);

    ck_assert_int_eq(clv_store_secret_delete(store, "cid1", "sec_a", NULL), CLV_OK);
    ck_assert_int_eq(clv_store_secret_delete(store, "cid1", "sec_a", NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_secret_delete(store, "cid_other", "sec_b", NULL), CLV_NOT_FOUND);
    expect_secrets("cid1", "sec_b");
    expect_secrets("nope", "");
}
END_TEST

/* ---- users ---- */

static clv_code add_user(const char *id, const char *tenant_id, const char *username,
                         int64_t created_at)
{
    clv_user u = {.id = (char *)id,
                  .tenant_id = (char *)tenant_id,
                  .username = (char *)username,
                  .password_hash = "$argon2id$v=19$x",
                  .created_at = created_at,
                  .updated_at = created_at};

    return clv_store_user_insert(store, &u, NULL);
}

START_TEST(users)
{
    clv_user_filter f = {.limit = 100};
    clv_user *u = NULL;
    clv_list l = {0};

    add_base();
    ck_assert_int_eq(add_user("u1", "t1", "alice", 1), CLV_OK);
    ck_assert_int_eq(add_user("u2", "t1", "alice", 2), CLV_CONFLICT);
    ck_assert_int_eq(add_user("u2", "t2", "alice", 2), CLV_OK); /* another tenant */
    ck_assert_int_eq(add_user("u3", "t9", "bob", 3), CLV_NOT_FOUND);
    ck_assert_int_eq(add_user("u3", "t1", "bob", 3), CLV_OK);

    ck_assert_int_eq(clv_store_user_find(store, "t1", "alice", &u, NULL), CLV_OK);
    ck_assert_str_eq(u->id, "u1");
    ck_assert_ptr_null(u->email);
    assert_json(u->roles, "[]");
    ck_assert_str_eq(u->password_hash, "$argon2id$v=19$x");
    free(u->username);
    u->username = strdup("alicia");
    u->email = strdup("a@example.com");
    json_array_append_new(u->roles, json_string("tenant_admin"));
    u->status = CLV_STATUS_INACTIVE;
    u->updated_at = 50;
    ck_assert_int_eq(clv_store_user_update(store, u, NULL), CLV_OK);
    clv_user_free(u);
    ck_assert_int_eq(clv_store_user_find(store, "t1", "alice", &u, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_user_get(store, "u1", &u, NULL), CLV_OK);
    ck_assert_str_eq(u->username, "alicia");
    ck_assert_str_eq(u->email, "a@example.com");
    assert_json(u->roles, "[\"tenant_admin\"]");
    ck_assert_int_eq(u->status, CLV_STATUS_INACTIVE);
    ck_assert_int_eq(u->updated_at, 50);
    ck_assert_int_eq(u->created_at, 1);
    free(u->username);
    u->username = strdup("bob");
    ck_assert_int_eq(clv_store_user_update(store, u, NULL), CLV_CONFLICT);
    free(u->id);
    u->id = strdup("u_missing");
    ck_assert_int_eq(clv_store_user_update(store, u, NULL), CLV_NOT_FOUND);
    clv_user_free(u);

    f.tenant_id = "t1";
    ck_assert_int_eq(clv_store_user_list(store, &f, &l, NULL), CLV_OK);
    expect_ids(&l, user_id_of, "u3 u1");
    clv_list_cleanup(&l);
    ck_assert_int_eq(clv_store_user_delete(store, "u3", NULL), CLV_OK);
    ck_assert_int_eq(clv_store_user_delete(store, "u3", NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_user_get(store, "u3", &u, NULL), CLV_NOT_FOUND);
    f.tenant_id = NULL;
    ck_assert_int_eq(clv_store_user_list(store, &f, &l, NULL), CLV_OK);
    expect_ids(&l, user_id_of, "u2 u1");
    clv_list_cleanup(&l);
}
END_TEST

/* ---- audit ---- */

static void add_event(const char *id, int64_t at, const char *actor, const char *tenant,
                      const char *target)
{
    clv_audit a = {.id = (char *)id,
                   .at = at,
                   .actor_type = "client",
                   .actor_id = (char *)actor,
                   .tenant_id = (char *)tenant,
                   .action = "update",
                   .target_type = "client",
                   .target_id = (char *)target};

    a.changes = json_pack("{s:{s:s,s:s}}", "name", "from", "a", "to", "b");
    ck_assert_int_eq(clv_store_audit_insert(store, &a, NULL), CLV_OK);
    json_decref(a.changes);
}

static void expect_events(clv_audit_filter f, const char *want)
{
    clv_list l = {0};

    f.limit = f.limit != 0 ? f.limit : 100;
    ck_assert_int_eq(clv_store_audit_list(store, &f, &l, NULL), CLV_OK);
    expect_ids(&l, event_id_of, want);
    ck_assert_ptr_null(l.next_cursor);
    clv_list_cleanup(&l);
}

START_TEST(audit)
{
    clv_audit_filter f = {0};
    clv_list l = {0};
    clv_audit *a;

    add_event("e1", 10, "cli_a", "t1", "cid1");
    add_event("e2", 20, "cli_b", "t1", "cid2");
    add_event("e3", 30, "cli_a", NULL, "cid1");
    add_event("e4", 40, "cli_b", "t1", "cid3");
    expect_events(f, "e4 e3 e2 e1");
    f.target_id = "cid1";
    expect_events(f, "e3 e1");
    f = (clv_audit_filter){.actor_id = "cli_b"};
    expect_events(f, "e4 e2");
    f = (clv_audit_filter){.since = 30};
    expect_events(f, "e4 e3");
    f = (clv_audit_filter){.tenant_id = "t1"};
    expect_events(f, "e4 e2 e1");
    f = (clv_audit_filter){
        .tenant_id = "t1", .actor_id = "cli_b", .since = 15, .target_id = "cid2"};
    expect_events(f, "e2");

    f = (clv_audit_filter){.limit = 3};
    ck_assert_int_eq(clv_store_audit_list(store, &f, &l, NULL), CLV_OK);
    expect_ids(&l, event_id_of, "e4 e3 e2");
    a = l.items[2];
    ck_assert_str_eq(a->actor_type, "client");
    ck_assert_str_eq(a->actor_id, "cli_b");
    ck_assert_str_eq(a->tenant_id, "t1");
    ck_assert_str_eq(a->action, "update");
    ck_assert_str_eq(a->target_type, "client");
    ck_assert_str_eq(a->target_id, "cid2");
    ck_assert_int_eq(a->at, 20);
    assert_json(a->changes, "{\"name\":{\"from\":\"a\",\"to\":\"b\"}}");
    ck_assert_ptr_null(((clv_audit *)l.items[1])->tenant_id);
    f.cursor = l.next_cursor;
    expect_events(f, "e1"); /* and no next cursor */
    clv_list_cleanup(&l);
}
END_TEST

/* ---- revoked tokens, purge ---- */

START_TEST(revoked_jti)
{
    bool revoked = true;
    int n = -1;

    ck_assert_int_eq(clv_store_jti_is_revoked(store, "j1", &revoked, NULL), CLV_OK);
    ck_assert(!revoked);
    ck_assert_int_eq(clv_store_jti_revoke(store, "j1", 100, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_jti_revoke(store, "j1", 100, NULL), CLV_OK); /* repeat */
    ck_assert_int_eq(clv_store_jti_revoke(store, "j2", 300, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_jti_is_revoked(store, "j1", &revoked, NULL), CLV_OK);
    ck_assert(revoked);
    ck_assert_int_eq(clv_test_store_purge(store, 200, &n), CLV_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(clv_store_jti_is_revoked(store, "j1", &revoked, NULL), CLV_OK);
    ck_assert(!revoked); /* expired: no need to remember it */
    ck_assert_int_eq(clv_store_jti_is_revoked(store, "j2", &revoked, NULL), CLV_OK);
    ck_assert(revoked);
}
END_TEST

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

static int cmp_row(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The "kind:id:tenant_id" of each row a purge removed, space-separated, sorted. */
static void removed_rows(const clv_list *l, char *buf, size_t cap)
{
    char rows[8][64];

    ck_assert_uint_le(l->count, 8);
    for (size_t i = 0; i < l->count; i++) {
        const clv_store_purged *r = l->items[i];
        ck_assert_ptr_nonnull(r->tenant_id);
        snprintf(rows[i], sizeof rows[i], "%s:%s:%s", r->kind, r->id, r->tenant_id);
    }
    qsort(rows, l->count, sizeof rows[0], cmp_row);
    buf[0] = '\0';
    for (size_t i = 0; i < l->count; i++) {
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n, "%s%s", n > 0 ? " " : "", rows[i]);
    }
}

START_TEST(purge)
{
    clv_audit_filter af = {.actor_id = "purge", .limit = 100};
    clv_client_filter f = all_clients;
    clv_service *v = NULL;
    clv_client *c = NULL;
    clv_list l = {0};
    char rows[512];
    int n = -1;

    add_base();
    add_client("c_gone", "cid_gone", "s1", 1);
    add_client("c_future", "cid_future", "s1", 2);
    add_client("c_active", "cid_active", "s1", 3);
    add_client("c_svc", "cid_svc", "s2", 4); /* active, but its service goes */
    add_secret("sec_gone", "cid_gone", 5, NULL);
    add_event("e_old", 5, "cli_x", "t1", "cid_gone");
    soft_delete_client("cid_gone", 100);
    soft_delete_client("cid_future", 1000);
    ck_assert_int_eq(clv_store_service_get(store, "s2", &v, NULL), CLV_OK);
    v->status = CLV_STATUS_DELETED;
    v->purge_at = 150;
    ck_assert_int_eq(clv_store_service_update(store, v, NULL), CLV_OK);
    clv_service_free(v);

    ck_assert_int_eq(clv_test_store_purge(store, 99, &n), CLV_OK);
    ck_assert_int_eq(n, 0);
    /* what went, and where it was: the caller writes their audit events */
    ck_assert_int_eq(clv_store_purge(store, 200, &l, NULL), CLV_OK);
    removed_rows(&l, rows, sizeof rows);
    ck_assert_str_eq(rows, "client:cid_gone:t1 client:cid_svc:t2 service:s2:t2");
    clv_list_cleanup(&l);
    ck_assert_int_eq(clv_store_client_get(store, "cid_gone", &c, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_client_get(store, "cid_svc", &c, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_service_get(store, "s2", &v, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_secret_list(store, "cid_gone", &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 0); /* cascaded */
    clv_list_cleanup(&l);
    expect_clients(all_clients, "c_active");
    f.status = CLV_STATUS_DELETED;
    expect_clients(f, "c_future");

    /* storage only: the store itself writes no event (src/core/retention.c does) */
    ck_assert_int_eq(clv_store_audit_list(store, &af, &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 0);
    clv_list_cleanup(&l);
    af = (clv_audit_filter){.target_id = "cid_gone", .actor_id = "cli_x"};
    expect_events(af, "e_old"); /* kept */
    ck_assert_int_eq(clv_test_store_purge(store, 200, &n), CLV_OK);
    ck_assert_int_eq(n, 0);
}
END_TEST

/* ---- transactions, threads ---- */

START_TEST(transactions)
{
    clv_tenant *t = NULL;
    int n = -1;

    clv_store_rollback(store); /* none open: harmless */
    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    add_tenant("t1", 1);
    clv_store_rollback(store);
    ck_assert_int_eq(clv_store_tenant_get(store, "t1", &t, NULL), CLV_NOT_FOUND);

    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_STORE); /* no nesting */
    add_tenant("t2", 1);
    ck_assert_int_eq(clv_test_store_purge(store, 10, &n), CLV_OK); /* savepoint inside */
    ck_assert_int_eq(clv_store_commit(store, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_tenant_get(store, "t2", &t, NULL), CLV_OK);
    clv_tenant_free(t);
    ck_assert_int_eq(clv_store_commit(store, NULL), CLV_STORE); /* none open */
    clv_store_rollback(store);
}
END_TEST

/* A statement that fails inside a transaction (here a duplicate) fails alone: the calls
 * before and after it commit (PostgreSQL: each write in a transaction runs in a savepoint,
 * as a failed statement in SQLite leaves its transaction as it was). */
START_TEST(failed_statement_in_transaction)
{
    clv_tenant dup = {.id = "t1", .name = "Again", .created_at = 2};
    clv_tenant *t = NULL;

    add_tenant("t1", 1);
    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    add_tenant("t2", 1);
    ck_assert_int_eq(clv_store_tenant_insert(store, &dup, NULL), CLV_CONFLICT);
    add_tenant("t3", 1);
    ck_assert_int_eq(clv_store_commit(store, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_tenant_get(store, "t2", &t, NULL), CLV_OK);
    clv_tenant_free(t);
    ck_assert_int_eq(clv_store_tenant_get(store, "t3", &t, NULL), CLV_OK);
    clv_tenant_free(t);
    ck_assert_int_eq(clv_store_tenant_get(store, "t1", &t, NULL), CLV_OK);
    ck_assert_str_eq(t->name, "Tenant");
    clv_tenant_free(t);
}
END_TEST

/* PostgreSQL: a connection the server dropped fails the call that meets the drop and is
 * connected again on the next one (docs/OPERATIONS.md, "PostgreSQL"). */
START_TEST(pg_reconnect)
{
    clv_tenant *t = NULL;

    add_tenant("t1", 1);
    clv_test_store_pg_drop_sessions(url);
    ck_assert_int_eq(clv_store_tenant_get(store, "t1", &t, NULL), CLV_UNAVAILABLE); /* 503 */
    ck_assert_int_eq(clv_store_tenant_get(store, "t1", &t, NULL), CLV_OK);
    clv_tenant_free(t);
    add_tenant("t2", 2);
}
END_TEST

/* A drop met by a write inside a transaction (PostgreSQL sends its savepoint, the statement
 * and the release in one pipeline) fails that write; the transaction is gone, and the
 * connection works again on the next call. */
START_TEST(pg_reconnect_in_transaction)
{
    clv_tenant *t = NULL;
    clv_tenant t2 = {.id = "t2", .name = "Two", .created_at = 2};

    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    add_tenant("t1", 1);
    clv_test_store_pg_drop_sessions(url);
    ck_assert_int_eq(clv_store_tenant_insert(store, &t2, NULL), CLV_UNAVAILABLE);
    clv_store_rollback(store);
    ck_assert_int_eq(clv_store_tenant_get(store, "t1", &t, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    add_tenant("t3", 3);
    ck_assert_int_eq(clv_store_commit(store, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_tenant_get(store, "t3", &t, NULL), CLV_OK);
    clv_tenant_free(t);
}
END_TEST

/* What changes_wait delivered: "kind:id" lines. */
static char heard[4096];

static void hear(void *ctx, const char *kind, const char *id)
{
    size_t n = strlen(heard);

    (void)ctx;
    snprintf(heard + n, sizeof heard - n, "%s:%s\n", kind, id);
}

/* Waits (up to 5 s) until changes_wait has delivered want ("kind:id\n"). */
static bool heard_within(const char *want)
{
    for (int i = 0; i < 50 && strstr(heard, want) == NULL; i++)
        ck_assert_int_eq(clv_store_changes_wait(store, 100, hear, NULL, NULL), CLV_OK);
    return strstr(heard, want) != NULL;
}

/* Changes committed through one connection are told on the channel that another
 * connection listens to (docs/OPERATIONS.md "PostgreSQL"); SQLite has no channel. */
START_TEST(changes)
{
    clv_client *c = NULL;

    heard[0] = '\0';
    if (!clv_test_store_on("postgres")) {
        ck_assert_int_eq(clv_store_changes_wait(store, 0, hear, NULL, NULL), CLV_NOT_FOUND);
        return;
    }
    ck_assert_int_eq(clv_store_changes_wait(store, 0, hear, NULL, NULL), CLV_OK);
    ck_assert_str_eq(heard, "*:\n"); /* listening from now on: anything may have changed */
    add_base();
    ck_assert_int_eq(add_client_full("c1", "cid1", "s1", 100, "One", CLV_TYPE_M2M,
                                     CLV_STATUS_ACTIVE), CLV_OK);
    ck_assert_int_eq(clv_store_client_touch(store, "cid1", 200, NULL), CLV_OK); /* no news */
    ck_assert_int_eq(clv_store_client_get(store, "cid1", &c, NULL), CLV_OK);
    c->status = CLV_STATUS_INACTIVE;
    ck_assert_int_eq(clv_store_client_update(store, c, NULL), CLV_OK);
    clv_client_free(c);
    ck_assert(heard_within("client:cid1\n"));
    ck_assert_ptr_null(strstr(heard, "tenant:")); /* inserts are no news */
    ck_assert_int_eq(clv_store_jti_revoke(store, "j1", 999, NULL), CLV_OK);
    ck_assert(heard_within("jti:j1\n"));
    ck_assert_int_eq(clv_store_family_revoke(store, "f1", 999, NULL), CLV_OK);
    ck_assert(heard_within("family:f1\n"));
    /* the client's touch told nothing: one line for the client, from its update */
    ck_assert_ptr_null(strstr(strstr(heard, "client:cid1\n") + 1, "client:cid1\n"));
}
END_TEST

static void *insert_many(void *arg)
{
    const char *tag = arg;
    char id[32], cid[32];
    long ok = 0;

    for (int i = 0; i < 100; i++) {
        snprintf(id, sizeof id, "c_%s_%03d", tag, i);
        snprintf(cid, sizeof cid, "cid_%s_%03d", tag, i);
        if (add_client_full(id, cid, "s1", 1000 + i, cid, CLV_TYPE_M2M, CLV_STATUS_ACTIVE) ==
            CLV_OK)
            ok++;
    }
    return (void *)ok;
}

START_TEST(two_threads)
{
    pthread_t a, b;
    void *ra, *rb;
    char ids[4096];
    size_t n = 1;

    add_base();
    ck_assert_int_eq(pthread_create(&a, NULL, insert_many, "a"), 0);
    ck_assert_int_eq(pthread_create(&b, NULL, insert_many, "b"), 0);
    ck_assert_int_eq(pthread_join(a, &ra), 0);
    ck_assert_int_eq(pthread_join(b, &rb), 0);
    ck_assert_int_eq((long)ra, 100);
    ck_assert_int_eq((long)rb, 100);
    ck_assert_int_eq(walk_clients(all_clients, ids, sizeof ids), 2);
    for (const char *p = ids; *p != '\0'; p++)
        n += *p == ' ';
    ck_assert_uint_eq(n, 200);
}
END_TEST

static void *purge_other(void *arg __attribute__((unused)))
{
    int n = -1;

    ck_assert_int_eq(clv_test_store_purge(store, 1000, &n), CLV_OK);
    return (void *)(long)n;
}

/* The purge runs on one node at a time (docs/OPERATIONS.md "PostgreSQL"): while one
 * transaction holds the purge lock, another purge (another connection) removes nothing and
 * does not wait; after it, it does its work. */
START_TEST(pg_purge_one_at_a_time)
{
    pthread_t t;
    void *n;

    add_base();
    add_client("c_gone", "cid_gone", "s1", 1);
    soft_delete_client("cid_gone", 100);
    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    ck_assert_int_eq(clv_test_store_purge(store, 1, &(int){0}), CLV_OK); /* holds the lock */
    ck_assert_int_eq(pthread_create(&t, NULL, purge_other, NULL), 0);
    ck_assert_int_eq(pthread_join(t, &n), 0);
    ck_assert_int_eq((long)n, 0); /* another node's turn: nothing */
    ck_assert_int_eq(clv_store_commit(store, NULL), CLV_OK);
    ck_assert_int_eq(pthread_create(&t, NULL, purge_other, NULL), 0);
    ck_assert_int_eq(pthread_join(t, &n), 0);
    ck_assert_int_eq((long)n, 1);
}
END_TEST

/* --db-pool: eight threads writing at once share two connections (docs/OPERATIONS.md
 * "Pool sizing"), counted while they run; each sees its writes through. */
START_TEST(pg_pool)
{
    pthread_t t[8];
    static const char *const tags[8] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    void *r;

    add_base();
    clv_store_pool_limit(store, 2);
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, insert_many, (void *)tags[i]), 0);
    for (int i = 0; i < 20; i++) {
        struct timespec pause = {0, 20 * 1000000L};
        ck_assert_int_le(clv_test_store_pg_sessions(url), 2);
        nanosleep(&pause, NULL);
    }
    for (int i = 0; i < 8; i++) {
        ck_assert_int_eq(pthread_join(t[i], &r), 0);
        ck_assert_int_eq((long)r, 100);
    }
    ck_assert_int_le(clv_test_store_pg_sessions(url), 2);
    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK); /* a transaction keeps its own */
    add_tenant("t9", 9);
    ck_assert_int_eq(clv_store_commit(store, NULL), CLV_OK);
}
END_TEST

static Suite *store_suite(void)
{
    const TTest *basic[] = {migrate_twice, open_urls,   meta_put_get, transactions,
                            failed_statement_in_transaction, two_threads, revoked_jti, purge,
                            changes, signing_key_rows};
    const TTest *fresh[] = {migrate_at_once};
    const TTest *postgres[] = {pg_reconnect, pg_reconnect_in_transaction, pg_pool, pg_purge_one_at_a_time};
    const TTest *objects[] = {
        tenant_round_trip,       service_round_trip,     client_round_trip, client_joined_statuses,
        client_insert_conflicts, client_update_versions, secrets,           users,
        client_count};
    const TTest *lists[] = {service_list_filters,
                            client_list_order,
                            client_pagination,
                            client_list_filters,
                            client_list_effective_status,
                            client_list_effective_status_by_client_id,
                            bad_cursor,
                            cursor_format,
                            audit};
    const struct {
        const char *name;
        const TTest *const *tests;
        size_t n;
        bool migrated;
    } cases[] = {{"basic", basic, COUNT(basic), true},
                 {"fresh", fresh, COUNT(fresh), false},
                 {"objects", objects, COUNT(objects), true},
                 {"lists", lists, COUNT(lists), true},
                 {"postgres", postgres, COUNT(postgres), true}};
    Suite *s = suite_create("store");

    for (size_t i = 0; i < COUNT(cases); i++) {
        TCase *tc;
        if (strcmp(cases[i].name, "postgres") == 0 && !clv_test_store_on("postgres"))
            continue;
        tc = tcase_create(cases[i].name);
        clv_test_store_fixture(tc, &store, dir, url, cases[i].migrated);
        tcase_set_timeout(tc, 60);
        for (size_t j = 0; j < cases[i].n; j++)
            tcase_add_test(tc, cases[i].tests[j]);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    return clv_test_run(store_suite());
}
