/* testutil — see testutil.h. */
#define _XOPEN_SOURCE 700
#include "testutil.h"

#include <check.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

clv_code clv_test_store_purge(clv_store *s, int64_t now, int *n)
{
    clv_list removed = {0};
    clv_code rc = clv_store_purge(s, now, &removed, NULL);

    if (rc == CLV_OK)
        *n = (int)removed.count;
    clv_list_cleanup(&removed);
    return rc;
}

/* ---- the store suites' backends ---- */

/* A backend the store suites can run against. */
typedef struct {
    const char *name;
    const char *scheme; /* what CLAVIS_TEST_STORE_URL starts with to pick it; NULL: default */
    /* Writes into url (n bytes) the URL of a fresh, empty store for one test, made from
     * base (CLAVIS_TEST_STORE_URL, NULL for the default); dir is the test's own directory. */
    void (*fresh)(const char *base, const char *dir, char *url, size_t n);
    /* Removes the store fresh made, after the test (NULL: dir holds all of it). */
    void (*drop)(const char *base, const char *url);
} test_backend;

static void sqlite_fresh(const char *base, const char *dir, char *url, size_t n)
{
    (void)base;
    ck_assert_int_lt(snprintf(url, n, "%s/test.db", dir), (int)n);
}

/* Runs one statement on base's server (its maintenance database), failing the test if it
 * fails. */
static void pg_admin(const char *base, const char *sql)
{
    PGconn *db = PQconnectdb(base);
    PGresult *res;

    ck_assert_msg(PQstatus(db) == CONNECTION_OK, "PostgreSQL %s: %s", base, PQerrorMessage(db));
    res = PQexec(db, sql);
    ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(db));
    PQclear(res);
    PQfinish(db);
}

/* The database name in a libpq URI: what follows the first '/' after the host, up to '?'. */
static const char *pg_url_db(const char *url, const char **query)
{
    const char *host = strstr(url, "://");
    const char *path = strchr(host != NULL ? host + 3 : url, '/');

    *query = strchr(url, '?');
    if (path == NULL || (*query != NULL && path > *query))
        path = *query != NULL ? *query : url + strlen(url);
    return path;
}

/* A database of its own for each test, named by the test's process and a random number,
 * on the server of base; the URL is base's with that database. */
static void pg_fresh(const char *base, const char *dir, char *url, size_t n)
{
    const char *query, *path = pg_url_db(base, &query);
    char name[64], sql[160];

    (void)dir;
    srandom((unsigned)getpid() ^ (unsigned)time(NULL));
    snprintf(name, sizeof name, "clv_t_%d_%08lx", (int)getpid(), (unsigned long)random());
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    pg_admin(base, sql);
    ck_assert_int_lt(snprintf(url, n, "%.*s/%s%s", (int)(path - base), base, name,
                              query != NULL ? query : ""),
                     (int)n);
}

static void pg_drop(const char *base, const char *url)
{
    const char *query, *path = pg_url_db(url, &query);
    char sql[160];

    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %.*s WITH (FORCE)",
             (int)((query != NULL ? query : url + strlen(url)) - path - 1), path + 1);
    pg_admin(base, sql);
}

void clv_test_store_pg_drop_sessions(const char *url)
{
    PGconn *db = PQconnectdb(url);
    PGresult *res;

    ck_assert_msg(PQstatus(db) == CONNECTION_OK, "PostgreSQL %s: %s", url, PQerrorMessage(db));
    res = PQexec(db, "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                     " WHERE datname = current_database() AND pid <> pg_backend_pid()");
    ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    PQclear(res);
    PQfinish(db);
}

char *clv_test_store_pg_query(const char *url, const char *sql)
{
    PGconn *db = PQconnectdb(url);
    PGresult *res = NULL;
    size_t len = 0, cap = 1;
    char *out = calloc(1, 1);

    ck_assert_msg(PQstatus(db) == CONNECTION_OK, "PostgreSQL %s: %s", url, PQerrorMessage(db));
    ck_assert_int_eq(PQsendQuery(db, sql), 1);
    for (PGresult *r; (r = PQgetResult(db)) != NULL; res = r) {
        ExecStatusType st = PQresultStatus(r);
        ck_assert_msg(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK, "%s: %s", sql,
                      PQerrorMessage(db));
        PQclear(res);
        for (int i = 0; st == PGRES_TUPLES_OK && i < PQntuples(r); i++) {
            size_t n = strlen(PQgetvalue(r, i, 0));
            while (len + n + 2 > cap)
                out = realloc(out, cap *= 2);
            memcpy(out + len, PQgetvalue(r, i, 0), n);
            len += n;
            out[len++] = '\n';
            out[len] = '\0';
        }
    }
    PQclear(res);
    PQfinish(db);
    return out;
}

int clv_test_store_pg_sessions(const char *url)
{
    PGconn *db = PQconnectdb(url);
    PGresult *res;
    int n;

    ck_assert_msg(PQstatus(db) == CONNECTION_OK, "PostgreSQL %s: %s", url, PQerrorMessage(db));
    res = PQexec(db, "SELECT count(*) FROM pg_stat_activity"
                     " WHERE datname = current_database() AND pid <> pg_backend_pid()");
    ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    n = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    PQfinish(db);
    return n;
}

/* A new backend adds its row here: its URL scheme, a function that makes a fresh store for
 * one test, and one that removes it after. */
static const test_backend backends[] = {
    {"sqlite", NULL, sqlite_fresh, NULL},
    {"postgres", "postgres://", pg_fresh, pg_drop},
    {"postgres", "postgresql://", pg_fresh, pg_drop},
};

static const test_backend *backend(void)
{
    const char *base = getenv("CLAVIS_TEST_STORE_URL");

    if (base == NULL || *base == '\0' || strcmp(base, "sqlite") == 0)
        return &backends[0];
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (backends[i].scheme != NULL &&
            strncmp(base, backends[i].scheme, strlen(backends[i].scheme)) == 0)
            return &backends[i];
    fprintf(stderr, "CLAVIS_TEST_STORE_URL=%s: no store backend for that URL in testutil.c\n",
            base);
    exit(EXIT_FAILURE);
}

static const char *backend_base(void)
{
    const char *base = getenv("CLAVIS_TEST_STORE_URL");

    return backend()->scheme != NULL ? base : NULL;
}

const char *clv_test_store_backend(void)
{
    return backend()->name;
}

bool clv_test_store_on(const char *name)
{
    return strcmp(backend()->name, name) == 0;
}

/* ---- the store suites' fixture ---- */

static struct {
    clv_store **store;
    char *dir, *url;
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

static void fixture_setup(bool migrated)
{
    clv_err err;

    clv_test_mkdtemp(fixture.dir, CLV_TEST_DIR_MAX, fixture.root, NULL);
    backend()->fresh(backend_base(), fixture.dir, fixture.url, CLV_TEST_URL_MAX);
    clv_err_init(&err);
    ck_assert_msg(clv_store_open(fixture.url, fixture.store, &err) == CLV_OK, "open: %s",
                  err.detail);
    if (migrated)
        ck_assert_msg(clv_store_migrate(*fixture.store, &err) == CLV_OK, "migrate: %s", err.detail);
}

static void fixture_setup_migrated(void)
{
    fixture_setup(true);
}

static void fixture_setup_fresh(void)
{
    fixture_setup(false);
}

static void fixture_teardown(void)
{
    clv_store_free(*fixture.store);
    *fixture.store = NULL;
    if (backend()->drop != NULL)
        backend()->drop(backend_base(), fixture.url);
    clv_test_rm_tree(fixture.dir);
}

void clv_test_store_fixture(TCase *tc, clv_store **store, char *dir, char *url, bool migrated)
{
    fixture.store = store;
    fixture.dir = dir;
    fixture.url = url;
    tcase_add_unchecked_fixture(tc, fixture_case_setup, fixture_case_teardown);
    tcase_add_checked_fixture(tc, migrated ? fixture_setup_migrated : fixture_setup_fresh,
                              fixture_teardown);
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

void clv_test_store_list_ids(clv_store *store, clv_client_filter f, char *ids, size_t cap)
{
    char *cursor = NULL;
    clv_list l = {0};
    clv_err err = {0};

    ids[0] = '\0';
    do {
        f.cursor = cursor;
        ck_assert_msg(clv_store_client_list(store, &f, &l, &err) == CLV_OK, "%s", err.detail);
        for (size_t i = 0; i < l.count; i++) {
            size_t n = strlen(ids);
            int w = snprintf(ids + n, cap - n, "%s%s", n > 0 ? " " : "",
                             ((const clv_client *)l.items[i])->id);
            ck_assert_int_lt(w, (int)(cap - n));
        }
        free(cursor);
        cursor = l.next_cursor;
        l.next_cursor = NULL;
        clv_list_cleanup(&l);
    } while (cursor != NULL);
}
