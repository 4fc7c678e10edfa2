/* test_store_hygiene — the store's side of client hygiene (docs/OPERATIONS.md "Hygiene") on
 * every backend: a tenant's settings, the list filters unused_since and
 * secret_expires_before (with the other filters, q and paging), the selection of hygiene
 * candidates, the count of registered clients behind the cap of open registration, and the
 * purge lock. Runs on SQLite, and on PostgreSQL with CLAVIS_TEST_STORE_URL set (see the top
 * of test_store.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "testutil.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum { DAY = 86400 };

static char dir[CLV_TEST_DIR_MAX];
static char url[CLV_TEST_URL_MAX];
static clv_store *store;

/* ---- builders ---- */

static void add_tenant(const char *id, int64_t d, int64_t l)
{
    clv_tenant t = {.id = (char *)id, .name = "Tenant", .created_at = 1};

    ck_assert_int_eq(clv_store_tenant_insert(store, &t, NULL), CLV_OK);
    if (d == 0 && l == 0)
        return;
    t.deactivate_unused_after_days = d;
    t.registered_client_lifetime_days = l;
    ck_assert_int_eq(clv_store_tenant_update(store, &t, NULL), CLV_OK);
}

static void add_service(const char *id, const char *tenant_id)
{
    clv_service v = {
        .id = (char *)id, .tenant_id = (char *)tenant_id, .name = "S", .created_at = 1, .updated_at = 1};

    ck_assert_int_eq(clv_store_service_insert(store, &v, NULL), CLV_OK);
}

typedef struct {
    const char *client_id, *service_id, *name;
    clv_status status;
    int64_t created_at, updated_at, last_used_at;
    bool protected_, registered;
} row;

static void add_client(const row *r)
{
    clv_client *c = calloc(1, sizeof *c);
    unsigned char hash[32] = {1};
    char id[64];

    ck_assert_ptr_nonnull(c);
    snprintf(id, sizeof id, "i_%s", r->client_id);
    c->id = strdup(id);
    c->client_id = strdup(r->client_id);
    c->service_id = strdup(r->service_id);
    c->name = strdup(r->name != NULL ? r->name : r->client_id);
    c->type = CLV_TYPE_M2M;
    ck_assert(clv_client_set_defaults(c, 3600, 2592000));
    c->status = r->status;
    c->protected_ = r->protected_;
    c->created_at = r->created_at;
    c->updated_at = r->updated_at != 0 ? r->updated_at : r->created_at;
    if (r->status == CLV_STATUS_DELETED) {
        c->deleted_at = c->updated_at;
        c->purge_at = c->updated_at + 14 * DAY;
    }
    ck_assert_int_eq(clv_store_client_insert(store, c, NULL), CLV_OK);
    if (r->last_used_at != 0)
        ck_assert_int_eq(clv_store_client_touch(store, r->client_id, r->last_used_at, NULL), CLV_OK);
    if (r->registered)
        ck_assert_int_eq(clv_store_regtoken_put(store, r->client_id, hash, NULL), CLV_OK);
    clv_client_free(c);
}

static void add_secret(const char *secret_id, const char *client_id, int64_t expires_at)
{
    clv_secret s = {.secret_id = (char *)secret_id,
                    .client_id = (char *)client_id,
                    .created_at = 1,
                    .expires_at = expires_at};

    ck_assert_int_eq(clv_store_secret_insert(store, &s, NULL), CLV_OK);
}

/* The client_ids of a list, space-separated, in order, following every page. */
static void walk(clv_client_filter f, char *out, size_t cap)
{
    size_t len = 0;
    char *cursor = NULL;

    out[0] = '\0';
    do {
        clv_list l = {0};
        clv_err err = {0};
        f.cursor = cursor;
        ck_assert_msg(clv_store_client_list(store, &f, &l, &err) == CLV_OK, "list: %s",
                      err.detail);
        for (size_t i = 0; i < l.count; i++)
            len += (size_t)snprintf(out + len, cap - len, "%s%s", len > 0 ? " " : "",
                                    ((clv_client *)l.items[i])->client_id);
        free(cursor);
        cursor = l.next_cursor != NULL ? strdup(l.next_cursor) : NULL;
        clv_list_cleanup(&l);
    } while (cursor != NULL);
}

/* ---- tests ---- */

START_TEST(tenant_settings)
{
    clv_tenant *t = NULL;
    clv_list l = {0};

    add_tenant("t1", 0, 0);
    ck_assert_int_eq(clv_store_tenant_get(store, "t1", &t, NULL), CLV_OK);
    ck_assert_int_eq(t->deactivate_unused_after_days, 0); /* off by default */
    ck_assert_int_eq(t->registered_client_lifetime_days, 0);
    t->deactivate_unused_after_days = 30;
    t->registered_client_lifetime_days = 7;
    ck_assert_int_eq(clv_store_tenant_update(store, t, NULL), CLV_OK);
    clv_tenant_free(t);
    ck_assert_int_eq(clv_store_tenant_get(store, "t1", &t, NULL), CLV_OK);
    ck_assert_int_eq(t->deactivate_unused_after_days, 30);
    ck_assert_int_eq(t->registered_client_lifetime_days, 7);
    clv_tenant_free(t);
    ck_assert_int_eq(clv_store_tenant_list(store, NULL, 10, &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 1);
    ck_assert_int_eq(((clv_tenant *)l.items[0])->registered_client_lifetime_days, 7);
    clv_list_cleanup(&l);
}
END_TEST

/* Last use is last_used_at, or created_at if never used. */
static const row list_rows[] = {
    {"c1", "s1", "alpha one", CLV_STATUS_ACTIVE, 100, 0, 0, false, false},
    {"c2", "s1", "alpha two", CLV_STATUS_ACTIVE, 101, 0, 500, false, false},
    {"c3", "s1", "beta three", CLV_STATUS_INACTIVE, 300, 0, 0, false, false},
    {"c4", "s2", "alpha four", CLV_STATUS_ACTIVE, 102, 0, 0, false, false},
    {"c5", "s1", "alpha gone", CLV_STATUS_DELETED, 50, 60, 0, false, false},
};

static const struct {
    int64_t unused_since;
    const char *service_id, *q;
    int status, limit;
    const char *want;
} unused_cases[] = {
    {200, NULL, NULL, -1, 100, "c4 c1"},
    {200, NULL, NULL, -1, 1, "c4 c1"}, /* page by page */
    {400, NULL, NULL, -1, 100, "c3 c4 c1"},
    {600, NULL, NULL, -1, 100, "c3 c4 c2 c1"},
    {600, NULL, NULL, CLV_STATUS_DELETED, 100, "c5"},
    {100, NULL, NULL, -1, 100, ""}, /* before, not at */
    {400, "s1", NULL, -1, 1, "c3 c1"},
    {600, NULL, "alpha", -1, 100, "c4 c2 c1"}, /* q through its index (SQLite) */
    {200, NULL, "alpha", -1, 1, "c4 c1"},
    {200, "s1", "al", -1, 100, "c1"}, /* a short q */
    {600, NULL, "c3", -1, 100, "c3"}, /* q as a client_id */
};

START_TEST(list_unused_since)
{
    char got[256];

    add_tenant("t1", 0, 0);
    add_service("s1", "t1");
    add_service("s2", "t1");
    for (size_t i = 0; i < COUNT(list_rows); i++)
        add_client(&list_rows[i]);
    for (size_t i = 0; i < COUNT(unused_cases); i++) {
        clv_client_filter f = {.service_id = unused_cases[i].service_id,
                               .status = unused_cases[i].status,
                               .type = -1,
                               .q = unused_cases[i].q,
                               .by_unused = true,
                               .unused_since = unused_cases[i].unused_since,
                               .limit = unused_cases[i].limit};
        walk(f, got, sizeof got);
        ck_assert_msg(strcmp(got, unused_cases[i].want) == 0, "case %zu: got '%s', want '%s'", i,
                      got, unused_cases[i].want);
    }
}
END_TEST

START_TEST(list_secret_expires_before)
{
    static const struct {
        int64_t before;
        bool with_unused;
        const char *want;
    } cases[] = {
        {1500, false, "c1"},    {2500, false, "c3 c1"}, {100000, false, "c3 c1"},
        {1000, false, ""},      {2500, true, "c1"}, /* with unused_since 200 */
    };
    char got[256];

    add_tenant("t1", 0, 0);
    add_service("s1", "t1");
    add_service("s2", "t1");
    for (size_t i = 0; i < 4; i++)
        add_client(&list_rows[i]);
    add_secret("k1", "c1", 1000); /* already expired at 1500: still listed */
    add_secret("k2", "c2", 0);    /* never expires */
    add_secret("k3", "c3", 5000);
    add_secret("k4", "c3", 2000);
    for (size_t i = 0; i < COUNT(cases); i++) {
        clv_client_filter f = {.status = -1,
                               .type = -1,
                               .by_secret_expiry = true,
                               .secret_expires_before = cases[i].before,
                               .by_unused = cases[i].with_unused,
                               .unused_since = 200,
                               .limit = 1};
        walk(f, got, sizeof got);
        ck_assert_msg(strcmp(got, cases[i].want) == 0, "case %zu: got '%s', want '%s'", i, got,
                      cases[i].want);
    }
}
END_TEST

/* tA deactivates clients unused for 10 days; tB expires registered clients after 5; tC
 * has no hygiene. */
static const row hygiene_rows[] = {
    {"a1", "sA", NULL, CLV_STATUS_ACTIVE, 1 * DAY, 0, 0, false, false},          /* yes */
    {"a2", "sA", NULL, CLV_STATUS_ACTIVE, 1 * DAY, 0, 15 * DAY, false, false},   /* used */
    {"a3", "sA", NULL, CLV_STATUS_ACTIVE, 1 * DAY, 0, 0, true, false},           /* protected */
    {"a4", "sA", NULL, CLV_STATUS_INACTIVE, 1 * DAY, 0, 0, false, false},        /* inactive */
    {"a5", "sA", NULL, CLV_STATUS_DELETED, 1 * DAY, 2 * DAY, 0, false, false},   /* deleted */
    {"a6", "sA", NULL, CLV_STATUS_ACTIVE, 2 * DAY, 0, 3 * DAY, false, true},     /* yes */
    {"b1", "sB", NULL, CLV_STATUS_ACTIVE, 2 * DAY, 0, 0, false, true},           /* yes */
    {"b2", "sB", NULL, CLV_STATUS_ACTIVE, 1 * DAY, 0, 0, false, false},          /* not reg. */
    {"b3", "sB", NULL, CLV_STATUS_INACTIVE, 1 * DAY, 17 * DAY, 0, false, true},  /* changed */
    {"b4", "sB", NULL, CLV_STATUS_INACTIVE, 1 * DAY, 4 * DAY, 0, false, true},   /* yes */
    {"b5", "sB", NULL, CLV_STATUS_ACTIVE, 1 * DAY, 0, 19 * DAY, false, true},    /* used */
    {"c1", "sC", NULL, CLV_STATUS_ACTIVE, 1 * DAY, 0, 0, false, true},           /* no hygiene */
};

static void hygiene_base(void)
{
    add_tenant("tA", 10, 0);
    add_tenant("tB", 0, 5);
    add_tenant("tC", 0, 0);
    add_service("sA", "tA");
    add_service("sB", "tB");
    add_service("sC", "tC");
    for (size_t i = 0; i < COUNT(hygiene_rows); i++)
        add_client(&hygiene_rows[i]);
}

static void expect_candidates(int64_t now, int limit, const char *want)
{
    clv_list l = {0};
    clv_err err = {0};
    char got[256];
    size_t len = 0;

    got[0] = '\0';
    ck_assert_msg(clv_store_hygiene_candidates(store, now, limit, &l, &err) == CLV_OK, "%s",
                  err.detail);
    for (size_t i = 0; i < l.count; i++)
        len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", i > 0 ? " " : "",
                                ((clv_client *)l.items[i])->client_id);
    clv_list_cleanup(&l);
    ck_assert_msg(strcmp(got, want) == 0, "now %lld: got '%s', want '%s'", (long long)now, got,
                  want);
}

START_TEST(hygiene_selection)
{
    hygiene_base();
    /* day 20: tA's cut is day 10, tB's day 15; longest unused first, ties by id */
    expect_candidates(20 * DAY, 100, "a1 b4 b1 a6");
    expect_candidates(20 * DAY, 2, "a1 b4");
    /* day 8: tA's cut is day -2 (nothing), tB's day 3 */
    expect_candidates(8 * DAY, 100, "b1");
    expect_candidates(6 * DAY, 100, "");
    /* day 30: b3 unchanged since day 17, b5 unused since day 19, a2 since day 15 */
    expect_candidates(30 * DAY, 100, "a1 b3 b4 b1 a6 a2 b5");
}
END_TEST

START_TEST(registered_count)
{
    static const row rows[] = {
        {"r1", "s1", NULL, CLV_STATUS_ACTIVE, 1, 0, 0, false, true},
        {"r2", "s1", NULL, CLV_STATUS_INACTIVE, 2, 0, 0, false, true},
        {"r3", "s1", NULL, CLV_STATUS_DELETED, 3, 0, 0, false, true},
        {"r4", "s1", NULL, CLV_STATUS_ACTIVE, 4, 0, 0, false, false},
        {"r5", "s2", NULL, CLV_STATUS_ACTIVE, 5, 0, 0, false, true},
    };
    int64_t n = -1;

    add_tenant("t1", 0, 0);
    add_service("s1", "t1");
    add_service("s2", "t1");
    add_service("s3", "t1");
    for (size_t i = 0; i < COUNT(rows); i++)
        add_client(&rows[i]);
    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_registered_count(store, "s1", &n, NULL), CLV_OK);
    ck_assert_int_eq(n, 2); /* registered, not deleted */
    ck_assert_int_eq(clv_store_registered_count(store, "s2", &n, NULL), CLV_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(clv_store_registered_count(store, "s3", &n, NULL), CLV_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(clv_store_commit(store, NULL), CLV_OK);
}
END_TEST

/* One node at a time: on PostgreSQL a second connection does not get the lock while the
 * first one's transaction holds it, and gets it after; SQLite serializes writers itself. */
START_TEST(purge_lock)
{
    clv_store *other = NULL;
    bool got = false;

    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_purge_lock(store, &got, NULL), CLV_OK);
    ck_assert(got);
    if (clv_test_store_on("sqlite")) {
        ck_assert_int_eq(clv_store_commit(store, NULL), CLV_OK);
        return;
    }
    ck_assert_int_eq(clv_store_open(url, &other, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_begin(other, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_purge_lock(other, &got, NULL), CLV_OK);
    ck_assert(!got);
    clv_store_rollback(other);
    ck_assert_int_eq(clv_store_commit(store, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_begin(other, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_purge_lock(other, &got, NULL), CLV_OK);
    ck_assert(got);
    ck_assert_int_eq(clv_store_commit(other, NULL), CLV_OK);
    clv_store_free(other);
}
END_TEST

static Suite *hygiene_suite(void)
{
    Suite *s = suite_create("store_hygiene");
    TCase *tc = tcase_create("hygiene");

    clv_test_store_fixture(tc, &store, dir, url, true);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, tenant_settings);
    tcase_add_test(tc, list_unused_since);
    tcase_add_test(tc, list_secret_expires_before);
    tcase_add_test(tc, hygiene_selection);
    tcase_add_test(tc, registered_count);
    tcase_add_test(tc, purge_lock);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return clv_test_run(hygiene_suite());
}
