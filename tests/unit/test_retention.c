/* test_retention — unit tests of src/core/retention.c: the purge removes what the store
 * says is due and writes one "purge" audit event per client and service removed, in the
 * same transaction as the removal. Each test runs on a fresh app (SQLite) in its own
 * temporary directory. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/retention.h"
#include "testutil.h"

static char root[64]; /* per test case, made and removed by the parent process */
static char dir[128]; /* per test, inside root */
static clv_config cfg;
static clv_app *app;

static void case_setup(void)
{
    clv_test_mkdtemp(root, sizeof root, NULL, "retention");
}

static void case_teardown(void)
{
    clv_test_rm_tree(root);
}

static void setup(void)
{
    clv_test_mkdtemp(dir, sizeof dir, root, NULL);
    clv_test_config(&cfg, dir, "t.db", "http://127.0.0.1:9");
    app = clv_test_app_open(&cfg);
}

static void teardown(void)
{
    clv_app_free(app);
    app = NULL;
    clv_config_cleanup(&cfg);
    clv_test_rm_tree(dir);
}

/* ---- builders ---- */

static void add_service(const char *id, const char *tenant_id, int64_t purge_at)
{
    clv_tenant t = {.id = (char *)tenant_id, .name = "Tenant", .created_at = 1};
    clv_service v = {.id = (char *)id,
                     .tenant_id = (char *)tenant_id,
                     .name = "Service",
                     .created_at = 1,
                     .updated_at = 1};
    clv_tenant *have = NULL;

    if (clv_store_tenant_get(app->store, tenant_id, &have, NULL) == CLV_NOT_FOUND)
        ck_assert_int_eq(clv_store_tenant_insert(app->store, &t, NULL), CLV_OK);
    clv_tenant_free(have);
    if (purge_at != 0) {
        v.status = CLV_STATUS_DELETED;
        v.deleted_at = 1;
        v.purge_at = purge_at;
    }
    ck_assert_int_eq(clv_store_service_insert(app->store, &v, NULL), CLV_OK);
}

/* A client of service_id; deleted with that purge_at unless purge_at is 0. */
static void add_client(const char *client_id, const char *service_id, int64_t purge_at)
{
    clv_client *c = calloc(1, sizeof *c);
    char id[64];

    ck_assert_ptr_nonnull(c);
    snprintf(id, sizeof id, "c_%s", client_id);
    c->id = strdup(id);
    c->client_id = strdup(client_id);
    c->service_id = strdup(service_id);
    c->name = strdup(client_id);
    c->type = CLV_TYPE_CONFIDENTIAL;
    c->created_at = c->updated_at = 2;
    ck_assert(clv_client_set_defaults(c, 3600, 2592000));
    if (purge_at != 0) {
        c->status = CLV_STATUS_DELETED;
        c->deleted_at = 2;
        c->purge_at = purge_at;
    }
    ck_assert_int_eq(clv_store_client_insert(app->store, c, NULL), CLV_OK);
    clv_client_free(c);
}

/* The layout of both tests: cid_gone (deleted, purge_at 100) and cid_future (purge_at
 * 1000) in s1 of t1; cid_svc (active) in s2 of t2, which is deleted with purge_at 150. */
static void add_layout(void)
{
    add_service("s1", "t1", 0);
    add_service("s2", "t2", 150);
    add_client("cid_gone", "s1", 100);
    add_client("cid_future", "s1", 1000);
    add_client("cid_svc", "s2", 0);
}

static size_t purge_events(void)
{
    clv_audit_filter af = {.actor_id = "purge", .limit = 100};
    clv_list l = {0};
    size_t n;

    ck_assert_int_eq(clv_store_audit_list(app->store, &af, &l, NULL), CLV_OK);
    n = l.count;
    clv_list_cleanup(&l);
    return n;
}

/* ---- tests ---- */

START_TEST(purge_writes_events)
{
    clv_audit_filter af = {.actor_id = "purge", .limit = 100};
    clv_client *c = NULL;
    clv_list l = {0};
    int n = -1;

    add_layout();
    ck_assert_int_eq(clv_retention_purge(app, 99, &n, NULL), CLV_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_uint_eq(purge_events(), 0);
    ck_assert_int_eq(clv_retention_purge(app, 200, &n, NULL), CLV_OK);
    ck_assert_int_eq(n, 3); /* cid_gone, cid_svc and s2 */
    ck_assert_int_eq(clv_store_client_get(app->store, "cid_gone", &c, NULL), CLV_NOT_FOUND);

    ck_assert_int_eq(clv_store_audit_list(app->store, &af, &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 3);
    for (size_t i = 0; i < l.count; i++) { /* newest first, so the order is not fixed */
        clv_audit *a = l.items[i];
        ck_assert_str_eq(a->actor_type, "system");
        ck_assert_str_eq(a->actor_id, "purge");
        ck_assert_str_eq(a->action, "purge");
        ck_assert_int_eq(a->at, 200);
        ck_assert(json_is_object(a->changes));
        ck_assert_uint_eq(json_object_size(a->changes), 0);
        ck_assert(strncmp(a->id, "ev_", 3) == 0);
        if (strcmp(a->target_id, "s2") == 0) {
            ck_assert_str_eq(a->target_type, "service");
            ck_assert_str_eq(a->tenant_id, "t2");
        } else if (strcmp(a->target_id, "cid_svc") == 0) {
            ck_assert_str_eq(a->target_type, "client");
            ck_assert_str_eq(a->tenant_id, "t2");
        } else {
            ck_assert_str_eq(a->target_id, "cid_gone");
            ck_assert_str_eq(a->target_type, "client");
            ck_assert_str_eq(a->tenant_id, "t1");
        }
    }
    clv_list_cleanup(&l);
    ck_assert_int_eq(clv_retention_purge(app, 200, &n, NULL), CLV_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_uint_eq(purge_events(), 3);
}
END_TEST

/* Runs one statement on the test's database through a connection of its own. */
static void db_exec(const char *sql)
{
    sqlite3 *db = NULL;

    ck_assert_int_eq(sqlite3_open(cfg.db, &db), SQLITE_OK);
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    sqlite3_close(db);
}

/* The rows and their events land together: when an event cannot be written, nothing is
 * removed. (A trigger refuses audit rows: SQLite-specific, like the app of these tests.) */
START_TEST(purge_is_one_transaction)
{
    clv_client *c = NULL;
    clv_service *v = NULL;
    clv_err err;
    int n = -1;

    add_layout();
    db_exec("CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'no'); END");
    clv_err_init(&err);
    ck_assert_int_eq(clv_retention_purge(app, 200, &n, &err), CLV_STORE);
    ck_assert_int_eq(n, -1);
    ck_assert_int_eq(clv_store_client_get(app->store, "cid_gone", &c, NULL), CLV_OK);
    clv_client_free(c);
    ck_assert_int_eq(clv_store_service_get(app->store, "s2", &v, NULL), CLV_OK);
    clv_service_free(v);
    ck_assert_uint_eq(purge_events(), 0);

    db_exec("DROP TRIGGER no_audit");
    ck_assert_int_eq(clv_retention_purge(app, 200, &n, NULL), CLV_OK);
    ck_assert_int_eq(n, 3);
    ck_assert_uint_eq(purge_events(), 3);
}
END_TEST

/* ---- hygiene (docs/OPERATIONS.md "Hygiene") ---- */

enum { DAY = 86400 };

/* A client of platform power is never switched off by a tenant's setting (docs/DESIGN.md
 * D10): its tenant admin may set the hygiene, not change such a client. */
START_TEST(hygiene_keeps_platform_power)
{
    json_t *pa = json_pack("[s]", "platform_admin"), *admin = json_pack("[s, s]", "openid", "admin");
    clv_client m2m = {.status = CLV_STATUS_ACTIVE, .created_at = DAY, .updated_at = DAY,
                      .type = CLV_TYPE_M2M, .roles = pa};
    clv_client web = {.status = CLV_STATUS_ACTIVE, .created_at = DAY, .updated_at = DAY,
                      .type = CLV_TYPE_PUBLIC, .first_party = true, .scopes = admin};
    clv_client plain = {.status = CLV_STATUS_ACTIVE, .created_at = DAY, .updated_at = DAY,
                        .type = CLV_TYPE_M2M};
    clv_tenant t = {.deactivate_unused_after_days = 1, .registered_client_lifetime_days = 1};

    ck_assert_int_eq(clv_hygiene_decide(&m2m, &t, false, 20 * DAY), CLV_HYGIENE_KEEP);
    ck_assert_int_eq(clv_hygiene_decide(&web, &t, false, 20 * DAY), CLV_HYGIENE_KEEP);
    ck_assert_int_eq(clv_hygiene_decide(&plain, &t, false, 20 * DAY), CLV_HYGIENE_DEACTIVATE);
    json_decref(pa);
    json_decref(admin);
}
END_TEST

/* clv_hygiene_decide on one client: D 10 days, L 5 days (0 when off), now day 20. */
START_TEST(hygiene_decide_table)
{
    static const struct {
        clv_status status;
        int64_t created, updated, used, d, l;
        bool registered, protected_;
        clv_hygiene_step want;
    } cases[] = {
        {CLV_STATUS_ACTIVE, 1 * DAY, 1 * DAY, 0, 10, 0, false, false, CLV_HYGIENE_DEACTIVATE},
        {CLV_STATUS_ACTIVE, 1 * DAY, 1 * DAY, 0, 0, 0, false, false, CLV_HYGIENE_KEEP},
        {CLV_STATUS_ACTIVE, 1 * DAY, 1 * DAY, 11 * DAY, 10, 0, false, false, CLV_HYGIENE_KEEP},
        {CLV_STATUS_ACTIVE, 1 * DAY, 1 * DAY, 10 * DAY, 10, 0, false, false,
         CLV_HYGIENE_DEACTIVATE}, /* exactly D days: due */
        {CLV_STATUS_ACTIVE, 1 * DAY, 1 * DAY, 0, 10, 0, false, true, CLV_HYGIENE_KEEP},
        {CLV_STATUS_INACTIVE, 1 * DAY, 1 * DAY, 0, 10, 0, false, false, CLV_HYGIENE_KEEP},
        {CLV_STATUS_DELETED, 1 * DAY, 1 * DAY, 0, 10, 5, true, false, CLV_HYGIENE_KEEP},
        {CLV_STATUS_ACTIVE, 1 * DAY, 1 * DAY, 0, 0, 5, false, false, CLV_HYGIENE_KEEP},
        {CLV_STATUS_ACTIVE, 1 * DAY, 1 * DAY, 0, 0, 5, true, false, CLV_HYGIENE_DEACTIVATE},
        {CLV_STATUS_ACTIVE, 1 * DAY, 1 * DAY, 16 * DAY, 0, 5, true, false, CLV_HYGIENE_KEEP},
        {CLV_STATUS_INACTIVE, 1 * DAY, 14 * DAY, 0, 0, 5, true, false, CLV_HYGIENE_DELETE},
        {CLV_STATUS_INACTIVE, 1 * DAY, 16 * DAY, 0, 0, 5, true, false, CLV_HYGIENE_KEEP},
        {CLV_STATUS_INACTIVE, 1 * DAY, 2 * DAY, 16 * DAY, 0, 5, true, false, CLV_HYGIENE_KEEP},
        {CLV_STATUS_INACTIVE, 1 * DAY, 2 * DAY, 0, 0, 5, true, true, CLV_HYGIENE_KEEP},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clv_client c = {.status = cases[i].status,
                        .created_at = cases[i].created,
                        .updated_at = cases[i].updated,
                        .last_used_at = cases[i].used,
                        .protected_ = cases[i].protected_};
        clv_tenant t = {.deactivate_unused_after_days = cases[i].d,
                        .registered_client_lifetime_days = cases[i].l};
        ck_assert_msg(clv_hygiene_decide(&c, &t, cases[i].registered, 20 * DAY) == cases[i].want,
                      "case %zu", i);
    }
}
END_TEST

/* A run deactivates the unused client with an event of the system's "hygiene", in the same
 * transaction as the purge; a second run changes nothing. */
START_TEST(hygiene_run)
{
    clv_tenant *t = NULL;
    clv_client *c = NULL;
    clv_retention_report r;
    clv_audit_filter af = {.actor_id = "hygiene", .limit = 100};
    clv_list l = {0};
    clv_audit *ev;
    clv_err err = {0};

    add_layout();
    add_client("cid_live", "s1", 0); /* active, never used */
    ck_assert_int_eq(clv_store_tenant_get(app->store, "t1", &t, NULL), CLV_OK);
    t->deactivate_unused_after_days = 1;
    ck_assert_int_eq(clv_store_tenant_update(app->store, t, NULL), CLV_OK);
    clv_tenant_free(t);
    ck_assert_msg(clv_retention_run(app, 2 + DAY, &r, &err) == CLV_OK, "%s", err.detail);
    ck_assert(!r.skipped);
    ck_assert_int_eq(r.deactivated, 1); /* cid_live; t2 has no hygiene */
    ck_assert_int_eq(r.purged, 4);       /* cid_gone, cid_future, s2 with cid_svc */
    ck_assert_int_eq(clv_store_client_get(app->store, "cid_live", &c, NULL), CLV_OK);
    ck_assert_int_eq(c->status, CLV_STATUS_INACTIVE);
    clv_client_free(c);
    ck_assert_int_eq(clv_store_audit_list(app->store, &af, &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 1);
    ev = l.items[0];
    ck_assert_str_eq(ev->actor_type, "system");
    ck_assert_str_eq(ev->action, "client.deactivate");
    ck_assert_str_eq(ev->target_id, "cid_live");
    ck_assert_str_eq(ev->tenant_id, "t1");
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(ev->changes, "status"), "to")),
                     "inactive");
    clv_list_cleanup(&l);
    ck_assert_int_eq(clv_retention_run(app, 2 + DAY, &r, &err), CLV_OK);
    ck_assert_int_eq(r.deactivated + r.deleted + r.purged, 0);
}
END_TEST

static Suite *retention_suite(void)
{
    Suite *s = suite_create("retention");
    TCase *tc = tcase_create("purge");

    tcase_add_unchecked_fixture(tc, case_setup, case_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, purge_writes_events);
    tcase_add_test(tc, purge_is_one_transaction);
    tcase_add_test(tc, hygiene_decide_table);
    tcase_add_test(tc, hygiene_keeps_platform_power);
    tcase_add_test(tc, hygiene_run);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return clv_test_run(retention_suite());
}
