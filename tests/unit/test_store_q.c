/* test_store_q — unit tests of the q filter of the client list (docs/ARCHITECTURE.md,
 * "q"), part of the
 * store suite every backend passes (see test_store.c): case "q" checks what q lists; on
 * SQLite it also looks inside the index (sqlite_index()), and case "q_sqlite" (SQLite
 * only) checks the trigram index of migrations 3 and 4 (sqlite/sql.c), the upgrades to
 * them and what sqlite/q_index.c asks the index. Both paths of sqlite/clients.c are
 * covered: the index read newest first for q of 3 characters or more, the scan for
 * shorter q. On PostgreSQL, q_many_ways covers both ways of postgres/q.c (the walk, also
 * when it gives up at its budget, and the index) and case "q_postgres" checks its plan.
 * Each test runs in its own process (CK_FORK) on a fresh store in its own directory. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/impl.h" /* clv_pg_sql: the statement of q, for EXPLAIN */
#include "store/sqlite/impl.h"   /* clv_sqlite_migrate_to, clv_sqlite_schema_version */
#include "store/store.h"
#include "testutil.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char dir[CLV_TEST_DIR_MAX]; /* per test (clv_test_store_fixture) */
static char url[CLV_TEST_URL_MAX]; /* the store's URL; for SQLite its file */
static clv_store *store;

static void migrate(void)
{
    clv_err err = {0};

    ck_assert_msg(clv_store_migrate(store, &err) == CLV_OK, "migrate: %s", err.detail);
}

/* Tenant t1 with service s1, tenant t2 with service s2. */
static void add_base(void)
{
    clv_tenant t1 = {.id = "t1", .name = "T", .created_at = 1};
    clv_tenant t2 = {.id = "t2", .name = "T", .created_at = 2};
    clv_service s1 = {.id = "s1", .tenant_id = "t1", .name = "S", .created_at = 3};
    clv_service s2 = {.id = "s2", .tenant_id = "t2", .name = "S", .created_at = 4};

    ck_assert_int_eq(clv_store_tenant_insert(store, &t1, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_tenant_insert(store, &t2, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_service_insert(store, &s1, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_service_insert(store, &s2, NULL), CLV_OK);
}

static void add_client(const char *id, const char *client_id, const char *service_id,
                       int64_t created_at, const char *name, clv_status status)
{
    clv_client *c = calloc(1, sizeof *c);

    ck_assert_ptr_nonnull(c);
    c->id = strdup(id);
    c->client_id = strdup(client_id);
    c->service_id = strdup(service_id);
    c->name = strdup(name);
    c->type = CLV_TYPE_CONFIDENTIAL;
    c->created_at = c->updated_at = created_at;
    ck_assert(clv_client_set_defaults(c, 3600, 2592000));
    c->status = status;
    if (status == CLV_STATUS_DELETED) {
        c->deleted_at = created_at;
        c->purge_at = created_at + 100;
    }
    ck_assert_int_eq(clv_store_client_insert(store, c, NULL), CLV_OK);
    clv_client_free(c);
}

/* The ids of the clients f lists, walking every page, joined by spaces. */
static void walk(clv_client_filter f, char *ids, size_t cap)
{
    clv_test_store_list_ids(store, f, ids, cap);
}

static void expect_q(const char *q, const char *want)
{
    clv_client_filter f = {.status = -1, .type = -1, .q = q, .limit = 100};
    char got[512];

    walk(f, got, sizeof got);
    ck_assert_msg(strcmp(got, want) == 0, "q \"%s\": got \"%s\", want \"%s\"", q, got, want);
}

/* The checks of SQLite's q index itself (its tables), made only when the backend under test
 * is SQLite; what q lists is checked on every backend. */
static bool sqlite_index(void)
{
    return clv_test_store_on("sqlite");
}

/* Runs one SQL statement on its own connection to the SQLite file and returns the integer it
 * selects. */
static int64_t sql_int(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v;

    ck_assert_int_eq(sqlite3_open(url, &db), SQLITE_OK);
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* How many names the trigram index matches for the phrase (a literal of the test). */
static int64_t indexed(const char *phrase)
{
    char sql[256];

    snprintf(sql, sizeof sql, "SELECT count(*) FROM clients_fts WHERE clients_fts MATCH '%s'",
             phrase);
    return sql_int(sql);
}

/* How many names clients_grams holds the word of q (1 or 2 characters) for. */
static int64_t gram_indexed(const char *q)
{
    char word[32], sql[128];

    ck_assert(clv_sqlite_gram_query(q, word));
    snprintf(sql, sizeof sql, "SELECT count(*) FROM clients_grams WHERE clients_grams MATCH '%s'",
             word);
    return sql_int(sql);
}

/* The names and the q the cases below look at; created_at is the row number. */
static const struct {
    const char *id, *client_id, *service_id, *name;
} rows[] = {
    {"c1", "cid1", "s1", "Ölkanne"},        {"c2", "cid2", "s1", "100% Shop"},
    {"c3", "cid3", "s1", "my_app_x"},       {"c4", "cid4", "s2", "star*gazer"},
    {"c5", "cid5", "s2", "say \"hi\" now"}, {"c6", "Xq9_zAB", "s2", "other"},
    {"c7", "cid7", "s1", "NEAR OR AND"},    {"c8", "cid8", "s2", "ölkanne zwei"},
};

static const struct {
    const char *q, *want;
} q_cases[] = {
    {"ölk", "c8 c1"}, /* case-insensitive, also for Ö */
    {"ÖLK", "c8 c1"},   {"KANNE", "c8 c1"},
    {"e zw", "c8"},     {"0% S", "c2"}, /* %, _ and * are literal */
    {"% S", "c2"},      {"%%%", ""},
    {"_ap", "c3"},      {"y_a", "c3"},
    {"a_p", ""},        {"r*g", "c4"},
    {"r*", "c4"},       {"***", ""},
    {"sta*", ""},       {"\"hi\"", "c5"}, /* '"' is literal too */
    {"y \"h", "c5"},    {"hi\" OR \"now", ""},
    {"\"", "c5"},       {"NEAR", "c7"}, /* FTS5 operators are plain text */
    {"OR AND", "c7"},   {"near(", ""},
    {"^ölk", ""},       {"Xq9_zAB", "c6"}, /* exact client_id */
    {"xq9_zab", ""},                       /* … exactly */
    {"Xq9_z", ""},      {"ö", "c8 c1"},    /* 1 and 2 characters: clients_grams */
    {"Sh", "c2"},       {"%", "c2"},
    {"_", "c3"},        {"ne", "c8 c7 c1"},
    {"NE", "c8 c7 c1"}, {"\"", "c5"},
    {"ö ", ""},         {"e ", "c8"},
    {"y", "c5 c3"},     {"nothing like it", ""},
};

static void add_rows(void)
{
    add_base();
    for (size_t i = 0; i < COUNT(rows); i++)
        add_client(rows[i].id, rows[i].client_id, rows[i].service_id, (int64_t)i + 1, rows[i].name,
                   CLV_STATUS_ACTIVE);
}

START_TEST(q_matches)
{
    migrate();
    add_rows();
    for (size_t i = 0; i < COUNT(q_cases); i++)
        expect_q(q_cases[i].q, q_cases[i].want);
}
END_TEST

/* Every other filter, and the keyset pagination, apply on the index path as on the scan. */
START_TEST(q_with_filters_and_pages)
{
    clv_client_filter f = {.status = -1, .type = -1, .q = "page", .limit = 2};
    char ids[256];

    migrate();
    add_rows();
    add_client("p1", "pid1", "s1", 100, "page one", CLV_STATUS_ACTIVE);
    add_client("p2", "pid2", "s2", 200, "Page two", CLV_STATUS_ACTIVE);
    add_client("p3a", "pid3a", "s1", 300, "PAGE three", CLV_STATUS_ACTIVE);
    add_client("p3b", "pid3b", "s1", 300, "pages", CLV_STATUS_INACTIVE);
    add_client("p4", "pid4", "s2", 400, "page gone", CLV_STATUS_DELETED);
    add_client("p5", "page", "s2", 500, "not this name", CLV_STATUS_ACTIVE); /* client_id */
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "p5 p3b p3a p2 p1");
    f.limit = 100;
    f.service_id = "s1";
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "p3b p3a p1");
    f.service_id = NULL;
    f.tenant_id = "t2";
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "p5 p2");
    f.tenant_id = NULL;
    f.status = CLV_STATUS_INACTIVE;
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "p3b");
    f.status = CLV_STATUS_DELETED;
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "p4");
    f.status = -1;
    f.type = CLV_TYPE_PUBLIC;
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "");
}
END_TEST

START_TEST(q_rename)
{
    clv_client *c = NULL;

    migrate();
    add_rows();
    ck_assert_int_eq(clv_store_client_get(store, "cid4", &c, NULL), CLV_OK);
    free(c->name);
    c->name = strdup("Moonwatcher");
    ck_assert_int_eq(clv_store_client_update(store, c, NULL), CLV_OK);
    clv_client_free(c);
    expect_q("moonw", "c4");
    expect_q("gazer", "");
    if (sqlite_index()) {
        ck_assert_int_eq(indexed("gazer"), 0);
        ck_assert_int_eq(indexed("moonw"), 1);
        ck_assert_int_eq(gram_indexed("*"), 0); /* star*gazer's words are gone */
        ck_assert_int_eq(gram_indexed("oo"), 1);
    }
    expect_q("oo", "c4");
    /* an update that keeps the name leaves the index as it is */
    ck_assert_int_eq(clv_store_client_get(store, "cid4", &c, NULL), CLV_OK);
    c->status = CLV_STATUS_INACTIVE;
    ck_assert_int_eq(clv_store_client_update(store, c, NULL), CLV_OK);
    clv_client_free(c);
    expect_q("moonw", "c4");
    if (sqlite_index()) {
        ck_assert_int_eq(indexed("moonw"), 1);
        ck_assert_int_eq(sql_int("SELECT count(*) FROM clients_fts_map"), (int64_t)COUNT(rows));
    }
    /* a status change moves the client's tags: q with a status filter follows it */
    clv_client_filter f = {.status = CLV_STATUS_INACTIVE, .type = -1, .q = "moonw", .limit = 10};
    char ids[64];
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "c4");
    f.status = CLV_STATUS_ACTIVE;
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "");
    f.q = "oo"; /* clients_grams too */
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "");
    f.status = CLV_STATUS_INACTIVE;
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "c4");
    ck_assert_int_eq(clv_store_client_get(store, "cid4", &c, NULL), CLV_OK);
    c->status = CLV_STATUS_DELETED;
    ck_assert_int_eq(clv_store_client_update(store, c, NULL), CLV_OK);
    clv_client_free(c);
    expect_q("moonw", ""); /* no status filter: not deleted */
    expect_q("oo", "");
    f.status = CLV_STATUS_DELETED;
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "c4");
    f.q = "moonw";
    f.service_id = "s2";
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "c4");
    f.service_id = "s1";
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "");
}
END_TEST

START_TEST(q_purged)
{
    clv_service *v = NULL;
    int n = -1;

    migrate();
    add_rows();
    add_client("d1", "did1", "s1", 50, "doomed client", CLV_STATUS_DELETED); /* purge_at 150 */
    add_client("d2", "did2", "s2", 60, "doomed service", CLV_STATUS_ACTIVE);
    ck_assert_int_eq(clv_store_service_get(store, "s2", &v, NULL), CLV_OK);
    v->status = CLV_STATUS_DELETED;
    v->purge_at = 150;
    ck_assert_int_eq(clv_store_service_update(store, v, NULL), CLV_OK);
    clv_service_free(v);
    if (sqlite_index())
        ck_assert_int_eq(indexed("doomed"), 2);

    ck_assert_int_eq(clv_test_store_purge(store, 200, &n), CLV_OK);
    if (sqlite_index()) {
        ck_assert_int_eq(indexed("doomed"), 0); /* both: the client's row and the cascade */
        ck_assert_int_eq(indexed("gazer"), 0);  /* c4 was a client of s2 */
        ck_assert_int_eq(indexed("kanne"), 1);  /* c1 stays; c8 was of s2 */
        ck_assert_int_eq(gram_indexed("oo"), 0);
        ck_assert_int_eq(gram_indexed("Ö"), 1);
        ck_assert_int_eq(sql_int("SELECT count(*) FROM clients_fts_map"),
                         sql_int("SELECT count(*) FROM clients"));
        ck_assert_int_eq(sql_int("SELECT count(*) FROM clients_fts_map m"
                                 " LEFT JOIN clients c ON c.id = m.id WHERE c.id IS NULL"),
                         0);
    }
    expect_q("doomed", "");
    expect_q("kanne", "c1");
}
END_TEST

/* Makes the database of the release whose last migration was n (and writes as it). */
static void old_release(int n)
{
    int64_t version = 0;
    clv_err err = {0};

    ck_assert_int_eq(clv_sqlite_migrate_to(store, n, &err), CLV_OK);
    ck_assert_int_eq(clv_sqlite_schema_version(store, &version, NULL), CLV_OK);
    ck_assert_int_eq(version, n);
}

START_TEST(q_migrate_from_v2)
{
    int64_t version = 0;

    old_release(2);
    add_rows();
    migrate();
    ck_assert_int_eq(clv_sqlite_schema_version(store, &version, NULL), CLV_OK);
    ck_assert_int_eq(version, clv_sqlite_migration_count); /* the latest */
    migrate(); /* idempotent */
    ck_assert_int_eq(indexed("kanne"), 2);
    for (size_t i = 0; i < COUNT(q_cases); i++)
        expect_q(q_cases[i].q, q_cases[i].want);
    add_client("n1", "nid1", "s1", 100, "new kanne", CLV_STATUS_ACTIVE);
    expect_q("kanne", "n1 c8 c1");
}
END_TEST

/* Thousands of names match: the index path stops at the page's last match, newest first,
 * with every other filter. */
START_TEST(q_many_matches)
{
    clv_client_filter f = {.status = -1, .type = -1, .q = "BULK", .limit = 3};
    clv_list l = {0};
    char id[32], cid[32];

    migrate();
    add_rows();
    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    for (int i = 0; i < 5100; i++) {
        snprintf(id, sizeof id, "b%05d", i);
        snprintf(cid, sizeof cid, "bid%05d", i);
        add_client(id, cid, i % 2 ? "s1" : "s2", 1000 + i, "bulk client", CLV_STATUS_ACTIVE);
    }
    ck_assert_int_eq(clv_store_commit(store, NULL), CLV_OK);
    if (sqlite_index())
        ck_assert_int_eq(indexed("bulk"), 5100);
    ck_assert_int_eq(clv_store_client_list(store, &f, &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 3);
    ck_assert_str_eq(((const clv_client *)l.items[0])->id, "b05099");
    ck_assert_str_eq(((const clv_client *)l.items[2])->id, "b05097");
    ck_assert_ptr_nonnull(l.next_cursor);
    clv_list_cleanup(&l);
    f.service_id = "s2";
    ck_assert_int_eq(clv_store_client_list(store, &f, &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 3);
    ck_assert_str_eq(((const clv_client *)l.items[0])->id, "b05098");
    clv_list_cleanup(&l);
    expect_q("bid05000", "b05000"); /* the client_id path is unaffected */
    expect_q("kanne", "c8 c1");
}
END_TEST

/* ---- many clients, both ways of each backend (SQLite: the index read newest first, or
 * the grams; PostgreSQL: the walk with its budget, or the index, postgres/q.c) ---- */

enum { MANY = 2600, MANY_NEW = 1000 };

/* Client i of the set: the newest MANY_NEW are "new …", the older ones "old …", and 1 in
 * 97 of those "old new …"; services, types and statuses vary. */
static void many_row(int i, char *id, char *cid, char *name, const char **service, int *type,
                     clv_status *status)
{
    snprintf(id, 16, "m%05d", i);
    snprintf(cid, 16, "mid%05d", i);
    if (i >= MANY - MANY_NEW)
        snprintf(name, 48, "new Dense %05d", i);
    else if (i % 97 == 0)
        snprintf(name, 48, "old new %05d", i);
    else
        snprintf(name, 48, "old dense %05d", i);
    *service = i % 3 == 0 ? "s2" : "s1";
    *type = i % 10 == 0 ? CLV_TYPE_PUBLIC : i % 10 < 4 ? CLV_TYPE_CONFIDENTIAL : CLV_TYPE_M2M;
    *status = i % 20 == 0 ? CLV_STATUS_INACTIVE : CLV_STATUS_ACTIVE;
}

static void add_many(void)
{
    char id[16], cid[16], name[48];
    const char *service;
    int type;
    clv_status status;

    add_base();
    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    for (int i = 0; i < MANY; i++) {
        clv_client *c = calloc(1, sizeof *c);
        ck_assert_ptr_nonnull(c);
        many_row(i, id, cid, name, &service, &type, &status);
        c->id = strdup(id);
        c->client_id = strdup(cid);
        c->service_id = strdup(service);
        c->name = strdup(name);
        c->type = (clv_client_type)type;
        c->created_at = c->updated_at = 10000 + i / 2; /* two clients a second */
        ck_assert(clv_client_set_defaults(c, 3600, 2592000));
        c->status = status;
        ck_assert_int_eq(clv_store_client_insert(store, c, NULL), CLV_OK);
        clv_client_free(c);
    }
    ck_assert_int_eq(clv_store_commit(store, NULL), CLV_OK);
}

/* Whether ASCII text holds q, case-insensitively. */
static bool holds(const char *text, const char *q)
{
    size_t n = strlen(text), m = strlen(q);

    for (size_t i = 0; i + m <= n; i++) {
        size_t k = 0;
        while (k < m && (text[i + k] | 0x20) == (q[k] | 0x20))
            k++;
        if (k == m)
            return true;
    }
    return false;
}

/* What f must list of the set, newest first (ties by id descending). */
static void many_want(const clv_client_filter *f, char *ids, size_t cap)
{
    char id[16], cid[16], name[48];
    const char *service;
    int type;
    clv_status status;
    size_t n = 0;

    ids[0] = '\0';
    for (int i = MANY - 1; i >= 0; i--) {
        many_row(i, id, cid, name, &service, &type, &status);
        if ((f->service_id != NULL && strcmp(f->service_id, service) != 0) ||
            (f->tenant_id != NULL && strcmp(f->tenant_id, service[1] == '1' ? "t1" : "t2") != 0) ||
            (f->status >= 0 && f->status != (int)status) || (f->type >= 0 && f->type != type) ||
            (!holds(name, f->q) && strcmp(cid, f->q) != 0))
            continue;
        n += (size_t)snprintf(ids + n, cap - n, "%s%s", n > 0 ? " " : "", id);
        ck_assert_uint_lt(n, cap);
    }
}

/* Every page of q over the set, with every filter, is what a scan finds: dense q (a walk),
 * sparse q (the index), q that is dense in the newest clients only (the walk gives up at
 * its budget, the index finishes), q of 1 and 2 characters, an exact client_id. */
START_TEST(q_many_ways)
{
    static const char *const qs[] = {"new",   "DENSE", "old new", "new 0", "n",  "E",  "ew",
                                     "w ",    "zq",    "d 0",     "02",    "00970", "mid02599",
                                     "q",     "ld n"};
    static const struct {
        const char *service, *tenant;
        int status, type, limit;
    } filters[] = {{NULL, NULL, -1, -1, 100}, {NULL, NULL, -1, -1, 7},
                   {"s1", NULL, -1, -1, 100}, {NULL, "t2", -1, -1, 100},
                   {NULL, NULL, CLV_STATUS_INACTIVE, -1, 50},
                   {"s2", NULL, CLV_STATUS_ACTIVE, CLV_TYPE_PUBLIC, 100},
                   {NULL, NULL, -1, CLV_TYPE_M2M, 100}};
    size_t cap = (size_t)MANY * 8;
    char *got = malloc(cap), *want = malloc(cap);

    ck_assert(got != NULL && want != NULL);
    migrate();
    add_many();
    for (size_t i = 0; i < COUNT(qs); i++) {
        for (size_t j = 0; j < COUNT(filters); j++) {
            clv_client_filter f = {.service_id = filters[j].service,
                                   .tenant_id = filters[j].tenant,
                                   .status = filters[j].status,
                                   .type = filters[j].type,
                                   .q = qs[i],
                                   .limit = filters[j].limit};
            walk(f, got, cap);
            many_want(&f, want, cap);
            ck_assert_msg(strcmp(got, want) == 0, "q \"%s\", filters %zu: got %.200s…, want %.200s…",
                          qs[i], j, got, want);
        }
    }
    free(got);
    free(want);
}
END_TEST

/* Rows of clients_fts_map whose key order is not the list order (created_at, id); 0 when
 * the keys follow it (migration 4). */
static int64_t keys_out_of_order(void)
{
    return sql_int("SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY m.k) a,"
                   " row_number() OVER (ORDER BY c.created_at, c.id) b"
                   " FROM clients_fts_map m JOIN clients c ON c.id = m.id) WHERE a <> b");
}

/* Clients of one second that arrive with ids out of order (two nodes, requests of one
 * batch overtaking each other, or a clock set back): the keys after the new client's place
 * move up (sqlite/q_index.c), and pages with q keep the list order. */
START_TEST(q_keys_follow_list_order)
{
    clv_client_filter f = {.status = -1, .type = -1, .q = "same", .limit = 1};
    char ids[256];

    migrate();
    add_rows();
    add_client("s_m", "sid_m", "s1", 700, "same second m", CLV_STATUS_ACTIVE);
    add_client("s_z", "sid_z", "s2", 700, "same second z", CLV_STATUS_ACTIVE);
    add_client("s_a", "sid_a", "s1", 700, "same second a", CLV_STATUS_ACTIVE);   /* before both */
    add_client("s_c", "sid_c", "s1", 700, "same second c", CLV_STATUS_INACTIVE); /* between */
    add_client("s_old", "sid_old", "s2", 650, "same but older", CLV_STATUS_ACTIVE); /* clock back */
    add_client("s_new", "sid_new", "s1", 800, "same but newer", CLV_STATUS_ACTIVE);
    if (sqlite_index()) {
        ck_assert_int_eq(keys_out_of_order(), 0);
        ck_assert_int_eq(sql_int("SELECT count(*) FROM clients_fts_map"), (int64_t)COUNT(rows) + 6);
        ck_assert_int_eq(indexed("same"), 6);
        ck_assert_int_eq(indexed("second"), 4);
    }
    walk(f, ids, sizeof ids); /* a page of one: every cursor falls inside a second */
    ck_assert_str_eq(ids, "s_new s_z s_m s_c s_a s_old");
    f.limit = 2;
    f.service_id = "s1";
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "s_new s_m s_c s_a");
    expect_q("second a", "s_a");
    f.q = "sa";
    f.service_id = NULL;
    f.limit = 1;
    walk(f, ids, sizeof ids);
    ck_assert_str_eq(ids, "s_new s_z s_m s_c s_a s_old c5"); /* c5: "say \"hi\" now" */
    if (sqlite_index())
        ck_assert_int_eq(gram_indexed("sa"), 7);
    expect_q("kanne", "c8 c1");
}
END_TEST

/* A database of migration 3, whose keys were given in insert order: migration 4 keys
 * every client again by list order. */
START_TEST(q_migrate_from_v3)
{
    int64_t version = 0;

    old_release(3);
    add_base();
    add_client("k3", "kid3", "s1", 30, "keyed three", CLV_STATUS_ACTIVE);
    add_client("k1", "kid1", "s1", 10, "keyed one", CLV_STATUS_ACTIVE);
    add_client("k2b", "kid2b", "s2", 20, "keyed two b", CLV_STATUS_ACTIVE);
    add_client("k2a", "kid2a", "s2", 20, "keyed two a", CLV_STATUS_ACTIVE);
    ck_assert_int_gt(keys_out_of_order(), 0);
    {
        unsigned char h[32] = {1};
        ck_assert_int_eq(clv_store_regtoken_put(store, "kid1", h, NULL), CLV_OK); /* registered */
    }
    migrate();
    ck_assert_int_eq(clv_sqlite_schema_version(store, &version, NULL), CLV_OK);
    ck_assert_int_eq(version, clv_sqlite_migration_count); /* the latest */
    { /* migration 5: a client registered before it is not first-party (docs/DESIGN.md D2) */
        clv_client *c = NULL;
        ck_assert_int_eq(clv_store_client_get(store, "kid1", &c, NULL), CLV_OK);
        ck_assert(!c->first_party);
        clv_client_free(c);
        ck_assert_int_eq(clv_store_client_get(store, "kid3", &c, NULL), CLV_OK);
        ck_assert(c->first_party);
        clv_client_free(c);
    }
    ck_assert_int_eq(keys_out_of_order(), 0);
    ck_assert_int_eq(indexed("keyed"), 4);
    expect_q("keyed", "k3 k2b k2a k1");
    add_client("k2c", "kid2c", "s1", 20, "keyed two c", CLV_STATUS_ACTIVE);
    expect_q("keyed", "k3 k2c k2b k2a k1");
    ck_assert_int_eq(keys_out_of_order(), 0);
}
END_TEST

/* The words of clients_grams: every folded character and pair, as hex code points. */
START_TEST(q_gram_words)
{
    char out[256], word[32];

    ck_assert_uint_eq(clv_sqlite_grams("Ab", out, sizeof out), strlen("g61 g62 g61x62"));
    ck_assert_str_eq(out, "g61 g62 g61x62");
    clv_sqlite_grams("Ö%", out, sizeof out);
    ck_assert_str_eq(out, "gf6 g25 gf6x25");
    clv_sqlite_grams("", out, sizeof out);
    ck_assert_str_eq(out, "");
    clv_sqlite_grams("abcdefgh", out, 40); /* stops short, whole words only */
    ck_assert_str_eq(out, "g61 g62 g61x62");
    ck_assert(clv_sqlite_gram_query("Ö", word));
    ck_assert_str_eq(word, "gf6");
    ck_assert(clv_sqlite_gram_query("xÖ", word));
    ck_assert_str_eq(word, "g78xf6");
    ck_assert(!clv_sqlite_gram_query("", word));
    ck_assert(!clv_sqlite_gram_query("abc", word));
}
END_TEST

/* What clv_sqlite_q_match asks the index for q, through store st: want, then the tag of
 * "not deleted" (a list with no status filter). */
static void expect_match_in(clv_store *st, const char *q, const char *want)
{
    clv_client_filter f = {.status = -1, .type = -1, .q = q};
    clv_sqlite_conn *c = NULL;
    clv_sqlite_stmt_id id = ST_CLIENT_LIST_ALL;
    char *match = NULL;
    size_t n = strlen(want);

    ck_assert_int_eq(clv_sqlite_conn_get(st, &c, NULL), CLV_OK);
    ck_assert_int_eq(clv_sqlite_q_match(c, &f, &id, &match, NULL), CLV_OK);
    ck_assert_msg(match != NULL && strncmp(match, want, n) == 0 &&
                      strncmp(match + n, " NOT ", 5) == 0 && strchr(match + n + 5, '"') != NULL,
                  "q \"%s\": asks %s, want %s NOT <tag>", q, match != NULL ? match : "(nothing)",
                  want);
    free(match);
}

static void expect_match(const char *q, const char *want)
{
    expect_match_in(store, q, want);
}

/* Names that mostly share a prefix: q leaves the trigrams most of the newest names hold
 * out of what it asks the index, and still lists exactly the names that contain q. */
START_TEST(q_common_trigrams_left_out)
{
    char id[32], cid[32], name[64];
    clv_store *early = NULL; /* learns its sample before the names below exist */

    migrate();
    add_rows();
    ck_assert_int_eq(clv_store_open(url, &early, NULL), CLV_OK);
    expect_match_in(early, "kanne", "name : \"kanne\""); /* fewer than 200 names: nothing common */
    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "a%03d", i);
        snprintf(cid, sizeof cid, "aid%03d", i);
        snprintf(name, sizeof name, "Acme-Billing-%03d", i);
        add_client(id, cid, "s1", 1000 + i, name, CLV_STATUS_ACTIVE);
    }
    ck_assert_int_eq(clv_store_commit(store, NULL), CLV_OK);
    expect_match("acme-billing-007", "name : \"g-007\"");
    expect_match("ACME-BILLING-2", "name : \"G-2\"");        /* q as it is: the index folds */
    expect_match("acme-billing", "name : \"acme-billing\""); /* every trigram common: q whole */
    expect_match("x\"acme-billing\"y", "name : \"x\"\"ac\" AND name : \"ng\"\"y\""); /* two runs */
    expect_match("ab", "\"g61x62\""); /* 1 and 2 characters: clients_grams */
    expect_q("acme-billing-007", "a007");
    expect_q("ING-29", "a299 a298 a297 a296 a295 a294 a293 a292 a291 a290");
    expect_q("x\"acme-billing\"y", "");
    expect_q("kanne", "c8 c1");
    /* a sample is kept for a while: the early store still asks for q whole */
    expect_match_in(early, "acme-billing-007", "name : \"acme-billing-007\"");
    clv_store_free(early);
}
END_TEST

/* PostgreSQL: a q of rare trigrams is answered by the GIN index clients_q (postgres/sql.c,
 * migration q; postgres/q.c), in the plan made for the values at hand and in the generic
 * plan of the prepared statement, never by parallel workers; the rows are the ones a scan
 * finds. */
START_TEST(q_pg_index)
{
    static const char seed[] =
        "INSERT INTO clients SELECT 'cli_' || g, 'cid' || g, service_id, tenant_id, type,"
        " created_at + g, version, 'App ' || md5(g::text), description, status, redirect_uris,"
        " post_logout_redirect_uris, allowed_cors_origins, scopes, roles, audience, contacts,"
        " auth_method, access_token_lifetime, signing_alg, allow_refresh_token,"
        " refresh_token_lifetime, require_pkce, allow_client_credentials, subject_type,"
        " sector_identifier_uri, sector_identifier, protected, jwks, jwks_uri, client_uri,"
        " logo_uri, policy_uri, tos_uri, software_id, software_version, updated_at, deleted_at,"
        " purge_at, last_used_at, tokens_revoked_at, first_party"
        " FROM clients, generate_series(1, 20000) g; ANALYZE";
    static const char *const modes[] = {"auto", "force_custom_plan", "force_generic_plan"};
    clv_client_filter f = {.status = -1, .type = -1, .limit = 100, .q = "C0ff"};
    char sql[16384], ids[8192], *plan, *want;

    migrate();
    add_base();
    add_client("c0", "cid0", "s1", 100, "template", CLV_STATUS_ACTIVE);
    free(clv_test_store_pg_query(url, seed));
    for (size_t i = 0; i < COUNT(modes); i++) {
        snprintf(sql, sizeof sql,
                 "SET plan_cache_mode = %s; PREPARE q AS %s; EXPLAIN EXECUTE q(NULL, NULL, -1,"
                 " -1, 'c0ff', 9223372036854775807, '', 101, -1, NULL, NULL, '{app,\"pp \"}',"
                 " '{}')",
                 modes[i], clv_pg_sql[PG_CLIENT_LIST_Q_INDEX]);
        plan = clv_test_store_pg_query(url, sql);
        ck_assert_msg(strstr(plan, "Bitmap Index Scan on clients_q") != NULL, "%s: %s", modes[i],
                      plan);
        ck_assert_msg(strstr(plan, "Gather") == NULL, "%s: %s", modes[i], plan);
        free(plan);
    }
    walk(f, ids, sizeof ids); /* the same rows as a scan, newest first */
    want = clv_test_store_pg_query(url, "SELECT string_agg(id, ' ' ORDER BY created_at DESC)"
                                        " FROM clients WHERE strpos(lower(name), 'c0ff') > 0");
    want[strcspn(want, "\n")] = '\0';
    ck_assert_str_ne(want, "");
    ck_assert_str_eq(ids, want);
    free(want);
}
END_TEST

/* PostgreSQL, a role that may not create extensions: migrating works and makes the index
 * of q, which needs none, and q answers the same. */
START_TEST(q_pg_without_extension)
{
    static const char role_sql[] =
        "DO $$ BEGIN CREATE ROLE clavis_limited LOGIN;"
        " EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
        " GRANT ALL ON SCHEMA public TO clavis_limited";
    clv_client_filter f = {.status = -1, .type = -1, .limit = 100, .q = "50%"};
    char role_url[CLV_TEST_URL_MAX + 32], ids[256], *n;
    clv_store *saved = store, *limited = NULL;
    clv_err err = {0};

    free(clv_test_store_pg_query(url, role_sql));
    snprintf(role_url, sizeof role_url, "postgres://clavis_limited%s", strchr(url, '@'));
    ck_assert_int_eq(clv_store_open(role_url, &limited, NULL), CLV_OK);
    ck_assert_msg(clv_store_migrate(limited, &err) == CLV_OK, "migrate: %s", err.detail);
    n = clv_test_store_pg_query(url, "SELECT count(*) FROM pg_indexes"
                                     " WHERE indexname = 'clients_q'");
    ck_assert_str_eq(n, "1\n");
    free(n);
    /* the old name stays only as an empty placeholder (an older release builds nothing) */
    n = clv_test_store_pg_query(url, "SELECT count(*) FROM pg_indexes"
                                     " WHERE indexname = 'clients_name_trgm'"
                                     " AND (indexdef LIKE '%gin%' OR indexdef NOT LIKE '%WHERE false%')");
    ck_assert_str_eq(n, "0\n");
    free(n);
    store = limited; /* the helpers below write through it */
    add_base();
    add_client("c1", "cid1", "s1", 10, "50% off", CLV_STATUS_ACTIVE);
    add_client("c2", "cid2", "s1", 11, "500 offers", CLV_STATUS_ACTIVE);
    walk(f, ids, sizeof ids); /* % is literal */
    store = saved;
    clv_store_free(limited);
    ck_assert_str_eq(ids, "c1");
}
END_TEST

static Suite *store_q_suite(void)
{
    /* every backend: what q lists */
    const TTest *q[] = {q_matches,      q_with_filters_and_pages, q_rename,
                        q_purged,       q_many_matches,           q_keys_follow_list_order,
                        q_many_ways};
    /* SQLite only: its upgrades from old releases and the internals of its q index */
    const TTest *q_sqlite[] = {q_migrate_from_v2, q_migrate_from_v3, q_gram_words,
                               q_common_trigrams_left_out};
    /* PostgreSQL only: its index */
    const TTest *q_postgres[] = {q_pg_index, q_pg_without_extension};
    const struct {
        const char *name;
        const TTest *const *tests;
        size_t n;
        bool sqlite_only;
    } cases[] = {{"q", q, COUNT(q), false},
                 {"q_sqlite", q_sqlite, COUNT(q_sqlite), true},
                 {"q_postgres", q_postgres, COUNT(q_postgres), false}};
    Suite *s = suite_create("store_q");

    for (size_t i = 0; i < COUNT(cases); i++) {
        TCase *tc;
        if (cases[i].sqlite_only && !clv_test_store_on("sqlite"))
            continue;
        if (cases[i].tests == q_postgres && !clv_test_store_on("postgres"))
            continue;
        tc = tcase_create(cases[i].name);
        clv_test_store_fixture(tc, &store, dir, url, false); /* each test migrates */
        tcase_set_timeout(tc, 60);
        for (size_t j = 0; j < cases[i].n; j++)
            tcase_add_test(tc, cases[i].tests[j]);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    return clv_test_run(store_q_suite());
}
