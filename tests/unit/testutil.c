/* testutil — see testutil.h. */
#define _XOPEN_SOURCE 700
#include "testutil.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void clv_test_mkdtemp(char *buf, size_t n, const char *parent, const char *name)
{
    if (parent != NULL)
        snprintf(buf, n, "%s/tXXXXXX", parent);
    else
        snprintf(buf, n, "/tmp/clv_%s_XXXXXX", name);
    ck_assert_ptr_nonnull(mkdtemp(buf));
}

static int remove_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(p);
    return 0;
}

void clv_test_rm_tree(const char *path)
{
    nftw(path, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

void clv_test_config(clv_config *c, const char *dir, const char *db_name, const char *issuer)
{
    char db[512];

    ck_assert_int_eq(clv_config_init(c, false, NULL), CLV_OK);
    snprintf(db, sizeof db, "%s/%s", dir, db_name);
    ck_assert(clv_config_set_str(&c->db, db));
    ck_assert(clv_config_set_str(&c->issuer, issuer));
}

clv_app *clv_test_app_open(const clv_config *c)
{
    clv_app *a = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert_msg(clv_app_open(c, &a, &err) == CLV_OK, "clv_app_open: %s", err.detail);
    ck_assert_ptr_nonnull(a);
    return a;
}

int clv_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

json_t *clv_test_json(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &e);

    ck_assert_msg(j != NULL, "bad test JSON: %s: %s", e.text, text);
    return j;
}

clv_store *clv_test_store_open(const char *dir, char *path, size_t n)
{
    clv_store *store = NULL;
    clv_err err;

    snprintf(path, n, "%s/test.db", dir);
    clv_err_init(&err);
    ck_assert_msg(clv_store_open(path, &store, &err) == CLV_OK, "open: %s", err.detail);
    ck_assert_msg(clv_store_migrate(store, &err) == CLV_OK, "migrate: %s", err.detail);
    return store;
}

clv_code clv_test_store_purge(clv_store *s, int64_t now, int *n)
{
    clv_list removed = {0};
    clv_code rc = clv_store_purge(s, now, &removed, NULL);

    if (rc == CLV_OK)
        *n = (int)removed.count;
    clv_list_cleanup(&removed);
    return rc;
}

static struct {
    clv_store **store;
    char *dir, *path;
    bool migrated;
    char root[64];
} fixture;

static void fixture_case_setup(void)
{
    clv_test_mkdtemp(fixture.root, sizeof fixture.root, NULL, "store");
}

static void fixture_case_teardown(void)
{
    clv_test_rm_tree(fixture.root);
}

static void fixture_setup(void)
{
    clv_err err;

    clv_test_mkdtemp(fixture.dir, CLV_TEST_DIR_MAX, fixture.root, NULL);
    if (fixture.migrated) {
        *fixture.store = clv_test_store_open(fixture.dir, fixture.path, CLV_TEST_PATH_MAX);
        return;
    }
    snprintf(fixture.path, CLV_TEST_PATH_MAX, "%s/test.db", fixture.dir);
    clv_err_init(&err);
    ck_assert_msg(clv_store_open(fixture.path, fixture.store, &err) == CLV_OK, "open: %s",
                  err.detail);
}

static void fixture_teardown(void)
{
    clv_store_free(*fixture.store);
    *fixture.store = NULL;
    clv_test_rm_tree(fixture.dir);
}

void clv_test_store_fixture(TCase *tc, clv_store **store, char *dir, char *path, bool migrated)
{
    fixture.store = store;
    fixture.dir = dir;
    fixture.path = path;
    fixture.migrated = migrated;
    tcase_add_unchecked_fixture(tc, fixture_case_setup, fixture_case_teardown);
    tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
}

void clv_test_bounds_config(clv_config *c)
{
    memset(c, 0, sizeof *c);
    c->token_alg = CLV_ALG_RS256;
    c->at_lifetime_min = 60;
    c->at_lifetime_max = 3600;
    c->at_lifetime_default = 3600;
    c->rt_lifetime_default = 30 * 86400;
    c->rt_lifetime_max = 90 * 86400;
}
