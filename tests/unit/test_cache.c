/* test_cache — unit tests of src/core/client_cache.c: a cached client is served for at
 * most CLV_CACHE_TTL_MS, a local change (clv_cache_bump) is seen at once, an unknown
 * client is never cached, and entries of one app never answer for another; the same for
 * the resources token requests name (clv_cache_resource_get). Each test
 * runs in its own process (CK_FORK) on a fresh database in a temporary directory. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/config.h"
#include "core/app.h"
#include "core/client_cache.h"
#include "core/ids.h"
#include "testutil.h"

static char dir[64];
static clv_config cfg;
static clv_app *app;

static void setup(void)
{
    char db[128];
    clv_err err;

    snprintf(dir, sizeof dir, "/tmp/clv_cache_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(clv_config_init(&cfg, false, NULL), CLV_OK);
    snprintf(db, sizeof db, "%s/t.db", dir);
    ck_assert(clv_config_set_str(&cfg.db, db));
    ck_assert(clv_config_set_str(&cfg.issuer, "http://127.0.0.1:9"));
    clv_err_init(&err);
    ck_assert_msg(clv_app_open(&cfg, &app, &err) == CLV_OK, "app: %s", err.detail);
}

static void teardown(void)
{
    char cmd[160];

    clv_app_free(app);
    clv_config_cleanup(&cfg);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* A tenant, a service and an m2m client "c1" written straight to the store. */
static void seed(void)
{
    clv_tenant t = {.id = "ten_1", .name = "t", .status = CLV_STATUS_ACTIVE, .created_at = 1};
    clv_service s = {.id = "svc_1", .tenant_id = "ten_1", .name = "s", .version = 1};
    clv_client *c = calloc(1, sizeof *c);

    ck_assert_int_eq(clv_store_tenant_insert(app->store, &t, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_service_insert(app->store, &s, NULL), CLV_OK);
    c->type = CLV_TYPE_M2M;
    ck_assert(clv_client_set_defaults(c, 3600, 86400));
    c->id = strdup("cli_1");
    c->client_id = strdup("c1");
    c->service_id = strdup("svc_1");
    c->name = strdup("one");
    c->version = 1;
    ck_assert_int_eq(clv_store_client_insert(app->store, c, NULL), CLV_OK);
    clv_client_free(c);
}

/* Sets c1's status behind the cache's back (no clv_cache_bump). */
static void set_status(clv_status st)
{
    clv_client *c = NULL;

    ck_assert_int_eq(clv_store_client_get(app->store, "c1", &c, NULL), CLV_OK);
    c->status = st;
    ck_assert_int_eq(clv_store_client_update(app->store, c, NULL), CLV_OK);
    clv_client_free(c);
}

static clv_status cached_status(void)
{
    clv_client *c = NULL;
    const clv_list *secrets = NULL;
    clv_status st;

    ck_assert_int_eq(clv_cache_client_get(app, "c1", &c, &secrets, NULL), CLV_OK);
    ck_assert_ptr_nonnull(secrets);
    st = c->status;
    clv_client_free(c);
    return st;
}

START_TEST(stale_for_at_most_the_ttl)
{
    seed();
    ck_assert_int_eq(cached_status(), CLV_STATUS_ACTIVE);
    set_status(CLV_STATUS_INACTIVE); /* another node's change: no bump here */
    ck_assert_int_eq(cached_status(), CLV_STATUS_ACTIVE); /* within the TTL: the old read */
    usleep((CLV_CACHE_TTL_MS + 50) * 1000);
    ck_assert_int_eq(cached_status(), CLV_STATUS_INACTIVE);
}
END_TEST

START_TEST(bump_is_seen_at_once)
{
    seed();
    ck_assert_int_eq(cached_status(), CLV_STATUS_ACTIVE);
    set_status(CLV_STATUS_INACTIVE);
    clv_cache_bump(); /* a change committed through this process */
    ck_assert_int_eq(cached_status(), CLV_STATUS_INACTIVE);
}
END_TEST

START_TEST(unknown_is_not_cached)
{
    clv_client *c = NULL;

    ck_assert_int_eq(clv_cache_client_get(app, "c1", &c, NULL, NULL), CLV_NOT_FOUND);
    seed(); /* created right after a miss: found at once */
    ck_assert_int_eq(cached_status(), CLV_STATUS_ACTIVE);
}
END_TEST

/* The cache shares its client with callers: each hold is given back with clv_client_free,
 * and a client held while the cache loads a newer one stays whole until its last holder
 * lets it go (ASan would see a use after free). */
START_TEST(shared_holds_outlive_reloads)
{
    clv_client *a = NULL, *b = NULL, *c = NULL;

    seed();
    ck_assert_int_eq(clv_cache_client_get(app, "c1", &a, NULL, NULL), CLV_OK);
    ck_assert_int_eq(clv_cache_client_get(app, "c1", &b, NULL, NULL), CLV_OK);
    ck_assert_ptr_eq(a, b); /* one object, two holds */
    ck_assert_uint_eq(a->shares, 2);
    clv_client_free(b);
    clv_cache_bump(); /* a local change: the next get reads the store again */
    ck_assert_int_eq(clv_cache_client_get(app, "c1", &c, NULL, NULL), CLV_OK);
    ck_assert_ptr_ne(a, c);
    ck_assert_str_eq(a->name, "one"); /* the old object, still whole */
    ck_assert_uint_eq(a->shares, 0);  /* the cache let it go; a is the last holder */
    clv_client_free(a);
    clv_client_free(c);
    ck_assert_uint_eq(c->shares, 0); /* the cache's own hold stays */
    ck_assert_str_eq(c->name, "one");
}
END_TEST

START_TEST(another_app_reads_its_own_store)
{
    clv_config cfg2;
    clv_app *app2 = NULL;
    clv_client *c = NULL;
    char db[160];

    seed();
    ck_assert_int_eq(cached_status(), CLV_STATUS_ACTIVE);
    ck_assert_int_eq(clv_config_init(&cfg2, false, NULL), CLV_OK);
    snprintf(db, sizeof db, "%s/other.db", dir);
    ck_assert(clv_config_set_str(&cfg2.db, db));
    ck_assert(clv_config_set_str(&cfg2.issuer, "http://127.0.0.1:9"));
    ck_assert_int_eq(clv_app_open(&cfg2, &app2, NULL), CLV_OK);
    ck_assert_int_eq(clv_cache_client_get(app2, "c1", &c, NULL, NULL), CLV_NOT_FOUND);
    clv_app_free(app2);
    clv_config_cleanup(&cfg2);
}
END_TEST

/* ---- resources (RFC 8707) that token requests name ---- */

static const char API[] = "https://api.example.com/";

static void add_resource(const char *service_id, const char *id, const char *identifier)
{
    clv_resource r = {.id = (char *)id, .service_id = (char *)service_id,
                      .identifier = (char *)identifier, .scopes = json_array(), .created_at = 1};

    ck_assert_int_eq(clv_store_resource_insert(app->store, &r, NULL), CLV_OK);
    json_decref(r.scopes);
}

static clv_code resource_get(const char *service_id, const char *identifier)
{
    const clv_resource *r = NULL;
    clv_code rc = clv_cache_resource_get(app, service_id, identifier, &r, NULL);

    if (rc == CLV_OK) {
        ck_assert_str_eq(r->identifier, identifier);
        ck_assert_str_eq(r->service_id, service_id);
    } else {
        ck_assert_ptr_null(r);
    }
    return rc;
}

/* A hit reads no database: a resource removed behind the cache's back (another node's
 * change, no notice) is still found, but for at most the TTL, like a client. */
START_TEST(resource_hit_reads_no_store)
{
    seed();
    add_resource("svc_1", "rs_1", API);
    ck_assert_int_eq(resource_get("svc_1", API), CLV_OK);
    ck_assert_int_eq(clv_store_resource_delete(app->store, "svc_1", "rs_1", NULL), CLV_OK);
    ck_assert_int_eq(resource_get("svc_1", API), CLV_OK); /* the cached read */
    usleep((CLV_CACHE_TTL_MS + 50) * 1000);
    ck_assert_int_eq(resource_get("svc_1", API), CLV_NOT_FOUND);
}
END_TEST

START_TEST(resource_bump_is_seen_at_once)
{
    seed();
    add_resource("svc_1", "rs_1", API);
    ck_assert_int_eq(resource_get("svc_1", API), CLV_OK);
    ck_assert_int_eq(clv_store_resource_delete(app->store, "svc_1", "rs_1", NULL), CLV_OK);
    clv_cache_bump(); /* a change committed through this process, or a notice */
    ck_assert_int_eq(resource_get("svc_1", API), CLV_NOT_FOUND);
}
END_TEST

/* Not found is not cached (a resource registered right after a miss works at once); the
 * service is part of the key: another service's resource of that identifier is not it. */
START_TEST(resource_miss_and_other_service)
{
    clv_service s2 = {.id = "svc_2", .tenant_id = "ten_1", .name = "s2", .version = 1};

    seed();
    ck_assert_int_eq(clv_store_service_insert(app->store, &s2, NULL), CLV_OK);
    ck_assert_int_eq(resource_get("svc_1", API), CLV_NOT_FOUND);
    add_resource("svc_2", "rs_2", API);
    ck_assert_int_eq(resource_get("svc_2", API), CLV_OK);
    ck_assert_int_eq(resource_get("svc_1", API), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_resource_delete(app->store, "svc_2", "rs_2", NULL), CLV_OK);
    add_resource("svc_1", "rs_1", API);
    ck_assert_int_eq(resource_get("svc_1", API), CLV_OK);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cache");
    TCase *tc = tcase_create("client_cache");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, stale_for_at_most_the_ttl);
    tcase_add_test(tc, bump_is_seen_at_once);
    tcase_add_test(tc, unknown_is_not_cached);
    tcase_add_test(tc, shared_holds_outlive_reloads);
    tcase_add_test(tc, another_app_reads_its_own_store);
    tcase_add_test(tc, resource_hit_reads_no_store);
    tcase_add_test(tc, resource_bump_is_seen_at_once);
    tcase_add_test(tc, resource_miss_and_other_service);
    suite_add_tcase(s, tc);
    return clv_test_run(s);
}
