/* test_store_group — concurrent writers, part of the store suite every backend passes (see
 * test_store.c): many threads commit at once (explicit transactions and single writes),
 * one transaction of each round fails on a constraint half-way, and
 *   - every commit that answered CLV_OK is visible, at that moment, through a second
 *     handle on the same database (another connection, as another node or process would
 *     be): nothing is acknowledged before it is committed;
 *   - the failed transaction left nothing (its first insert is gone too) and failed no
 *     other thread's;
 *   - after the store is closed and opened again, every acknowledged write is there.
 * In case "group_sqlite" (SQLite only): the writes were grouped, fewer batches than
 * requests (docs/DESIGN.md D17).
 * In case "q_batch": the names of a batch's new clients, indexed for q when the batch
 * commits (sqlite/q_index.c), are found by q once acknowledged, also when another request
 * of the same batch failed after creating a client (and that one is not found); a client
 * renamed, or overtaken by one whose id sorts before it, before its batch commits is found
 * as it then is. On SQLite, after each, no name waits and the FTS5 indexes are intact.
 * Each test runs in its own process on a fresh store, as in test_store.c. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/sqlite/impl.h" /* clv_sqlite_group_stats */
#include "store/store.h"
#include "testutil.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum { WRITERS = 12, ROUNDS = 15, FAILING = 5 /* the writer whose transactions fail */ };

static char dir[CLV_TEST_DIR_MAX];
static char url[CLV_TEST_URL_MAX];
static clv_store *store;
static pthread_barrier_t start_line;

typedef struct {
    int id;
    int acked;      /* commits answered CLV_OK */
    int failed;     /* transactions that failed as they should (the FAILING writer) */
    int unexpected; /* any other failure */
    int unseen;     /* acknowledged but not visible through the second handle */
    int leftover;   /* a failed transaction's first insert that stayed */
} writer;

static void tenant_id(int w, int r, const char *kind, char *out, size_t cap)
{
    snprintf(out, cap, "%s-%d-%d", kind, w, r);
}

static bool exists(clv_store *s, const char *id)
{
    clv_tenant *t = NULL;
    clv_code rc = clv_store_tenant_get(s, id, &t, NULL);

    clv_tenant_free(t);
    return rc == CLV_OK;
}

/* One round of a writer: a transaction of two inserts (the FAILING writer's second one
 * takes an id that exists: CLV_CONFLICT, rolled back), then a single write on its own. */
static void round_of(writer *w, int r, clv_store *other)
{
    char a[64], b[64], one[64];
    clv_tenant ta = {.name = "A", .created_at = 1}, tb = {.name = "B", .created_at = 1},
               to = {.name = "one", .created_at = 1};
    clv_code rc;

    tenant_id(w->id, r, "tx", a, sizeof a);
    tenant_id(w->id, r, w->id == FAILING ? "taken" : "tx2", b, sizeof b);
    tenant_id(w->id, r, "one", one, sizeof one);
    ta.id = a, tb.id = b, to.id = one;
    if ((rc = clv_store_begin(store, NULL)) == CLV_OK &&
        (rc = clv_store_tenant_insert(store, &ta, NULL)) == CLV_OK &&
        (rc = clv_store_tenant_insert(store, &tb, NULL)) == CLV_OK)
        rc = clv_store_commit(store, NULL);
    if (rc == CLV_OK) {
        w->acked++;
        w->unseen += !exists(other, a) + !exists(other, b);
    } else {
        clv_store_rollback(store);
        if (w->id == FAILING && rc == CLV_CONFLICT)
            w->failed++;
        else
            w->unexpected++;
        w->leftover += exists(other, a) + exists(store, a);
    }
    if ((rc = clv_store_tenant_insert(store, &to, NULL)) == CLV_OK) {
        w->acked++;
        w->unseen += !exists(other, one);
    } else {
        w->unexpected++;
    }
}

static void *write_rounds(void *arg)
{
    writer *w = arg;
    clv_store *other = NULL;
    clv_err err = {0};

    clv_code rc = clv_store_open(url, &other, &err);

    pthread_barrier_wait(&start_line);
    if (rc != CLV_OK) {
        w->unexpected++;
        return NULL;
    }
    for (int r = 0; r < ROUNDS; r++)
        round_of(w, r, other);
    clv_store_free(other);
    return NULL;
}

/* The ids the FAILING writer's second inserts collide with. */
static void add_taken(void)
{
    for (int r = 0; r < ROUNDS; r++) {
        char id[64];
        clv_tenant t = {.id = id, .name = "taken", .created_at = 1};
        tenant_id(FAILING, r, "taken", id, sizeof id);
        ck_assert_int_eq(clv_store_tenant_insert(store, &t, NULL), CLV_OK);
    }
}

static void run_writers(writer w[WRITERS])
{
    pthread_t th[WRITERS];

    add_taken();
    ck_assert_int_eq(pthread_barrier_init(&start_line, NULL, WRITERS), 0);
    for (int i = 0; i < WRITERS; i++) {
        w[i] = (writer){.id = i};
        ck_assert_int_eq(pthread_create(&th[i], NULL, write_rounds, &w[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++)
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
    pthread_barrier_destroy(&start_line);
}

/* After a close and an open: every acknowledged write is there, no failed one. */
static void check_reopened(void)
{
    clv_err err = {0};

    clv_store_free(store);
    store = NULL;
    ck_assert_msg(clv_store_open(url, &store, &err) == CLV_OK, "reopen: %s", err.detail);
    for (int i = 0; i < WRITERS; i++)
        for (int r = 0; r < ROUNDS; r++) {
            char a[64], one[64];
            tenant_id(i, r, "tx", a, sizeof a);
            tenant_id(i, r, "one", one, sizeof one);
            ck_assert_msg(exists(store, a) == (i != FAILING), "%s", a);
            ck_assert_msg(exists(store, one), "%s", one);
        }
}

START_TEST(concurrent_writers)
{
    writer w[WRITERS];

    run_writers(w);
    for (int i = 0; i < WRITERS; i++) {
        ck_assert_int_eq(w[i].unexpected, 0);
        ck_assert_int_eq(w[i].unseen, 0);
        ck_assert_int_eq(w[i].leftover, 0);
        ck_assert_int_eq(w[i].acked, i == FAILING ? ROUNDS : 2 * ROUNDS);
        ck_assert_int_eq(w[i].failed, i == FAILING ? ROUNDS : 0);
    }
    check_reopened();
}
END_TEST

START_TEST(writes_grouped)
{
    writer w[WRITERS];
    long long batches = 0, requests = 0;

    run_writers(w);
    clv_sqlite_group_stats(clv_sqlite_store_group(store), &batches, &requests);
    /* every acknowledged request went through a batch; some batches held several */
    ck_assert_int_ge(requests, (long long)(2 * WRITERS - 1) * ROUNDS);
    ck_assert_int_lt(batches, requests);
}
END_TEST

/* ---- q_batch ---- */

/* Tenant tq with service sq. */
static void add_service(void)
{
    clv_tenant t = {.id = "tq", .name = "T", .created_at = 1};
    clv_service sv = {.id = "sq", .tenant_id = "tq", .name = "S", .created_at = 1};

    ck_assert_int_eq(clv_store_tenant_insert(store, &t, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_service_insert(store, &sv, NULL), CLV_OK);
}

/* Inserts client id (client_id "cid-" id) of service sq; the store's answer. */
static clv_code insert_client(const char *id, int64_t created_at, const char *name)
{
    char cid[64];
    clv_client *c = calloc(1, sizeof *c);
    clv_code rc;

    ck_assert_ptr_nonnull(c);
    snprintf(cid, sizeof cid, "cid-%s", id);
    c->id = strdup(id);
    c->client_id = strdup(cid);
    c->service_id = strdup("sq");
    c->name = strdup(name);
    c->type = CLV_TYPE_CONFIDENTIAL;
    c->created_at = c->updated_at = created_at;
    ck_assert(clv_client_set_defaults(c, 3600, 2592000));
    rc = clv_store_client_insert(store, c, NULL);
    clv_client_free(c);
    return rc;
}

/* The ids q lists (every page of 2), joined by spaces. */
static void q_ids(const char *q, char *ids, size_t cap)
{
    clv_client_filter f = {.status = -1, .type = -1, .q = q, .limit = 2};

    clv_test_store_list_ids(store, f, ids, cap);
}

static void expect_q(const char *q, const char *want)
{
    char got[512];

    q_ids(q, got, sizeof got);
    ck_assert_msg(strcmp(got, want) == 0, "q \"%s\": got \"%s\", want \"%s\"", q, got, want);
}

/* On SQLite, through a connection of its own: no name waits to be indexed, both FTS5
 * indexes pass their integrity check, and the trigram index matches the phrase `want`
 * times. */
static void expect_index(const char *phrase, int want)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char sql[256];

    if (!clv_test_store_on("sqlite"))
        return;
    ck_assert_int_eq(sqlite3_open(url, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db,
                                  "INSERT INTO clients_fts (clients_fts, rank)"
                                  " VALUES ('integrity-check', 0);"
                                  "INSERT INTO clients_grams (clients_grams, rank)"
                                  " VALUES ('integrity-check', 0);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    snprintf(sql, sizeof sql,
             "SELECT (SELECT count(*) FROM clients_q_pending),"
             " (SELECT count(*) FROM clients_fts WHERE clients_fts MATCH '\"%s\"')",
             phrase);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 0);
    ck_assert_int_eq(sqlite3_column_int(st, 1), want);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void rename_client(const char *id, const char *name)
{
    char cid[64];
    clv_client *c = NULL;

    snprintf(cid, sizeof cid, "cid-%s", id);
    ck_assert_int_eq(clv_store_client_get(store, cid, &c, NULL), CLV_OK);
    free(c->name);
    c->name = strdup(name);
    ck_assert_int_eq(clv_store_client_update(store, c, NULL), CLV_OK);
    clv_client_free(c);
}

/* One transaction: a client, one whose id sorts before it in the same second (its key
 * moves while its name waits), the first renamed; then a transaction rolled back. */
START_TEST(q_batch_one_transaction)
{
    add_service();
    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    ck_assert_int_eq(insert_client("cli_b", 500, "quokka first"), CLV_OK);
    ck_assert_int_eq(insert_client("cli_a", 500, "quokka second"), CLV_OK);
    expect_q("quokka", "cli_b cli_a"); /* inside the transaction, on the writer */
    rename_client("cli_b", "wombat first");
    ck_assert_int_eq(clv_store_commit(store, NULL), CLV_OK);
    expect_q("quokka", "cli_a");
    expect_q("wombat", "cli_b");
    expect_q("first", "cli_b");
    expect_index("quokka", 1);
    rename_client("cli_b", "quokka again"); /* indexed now: the trigger moves it */
    expect_q("quokka", "cli_b cli_a");
    expect_q("wombat", "");
    expect_index("quokka", 2);

    ck_assert_int_eq(clv_store_begin(store, NULL), CLV_OK);
    ck_assert_int_eq(insert_client("cli_0", 500, "quokka rolled back"), CLV_OK);
    clv_store_rollback(store);
    ck_assert_int_eq(insert_client("cli_c", 500, "quokka third"), CLV_OK);
    expect_q("quokka", "cli_c cli_b cli_a");
    expect_q("rolled", "");
    expect_index("quokka", 3);
}
END_TEST

/* The two requests of a round: the first creates two clients and commits; the second,
 * started while the first holds the writer, creates a client whose id sorts before both
 * (their waiting keys move), then fails on an id that exists and is rolled back. */
typedef struct {
    int round;
    pthread_barrier_t held; /* the first has created its clients */
    clv_code first_rc, second_rc;
    bool shared; /* the second failed while the first was not yet committed */
} q_round;

static void *q_first(void *arg)
{
    q_round *r = arg;
    const struct timespec pause = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
    char a[32], b[32], name[32];

    snprintf(name, sizeof name, "numbat kept %03d", r->round);
    snprintf(a, sizeof a, "cli_%03d_m", r->round);
    snprintf(b, sizeof b, "cli_%03d_n", r->round);
    r->first_rc = clv_store_begin(store, NULL);
    if (r->first_rc == CLV_OK && (r->first_rc = insert_client(a, 1000 + r->round, name)) == CLV_OK)
        r->first_rc = insert_client(b, 1000 + r->round, name);
    pthread_barrier_wait(&r->held);
    nanosleep(&pause, NULL); /* the second waits for the writer meanwhile */
    if (r->first_rc == CLV_OK)
        r->first_rc = clv_store_commit(store, NULL);
    else
        clv_store_rollback(store);
    return NULL;
}

static void *q_second(void *arg)
{
    q_round *r = arg;
    clv_store *other = NULL;
    clv_client *seen = NULL;
    char id[32], first[32];

    snprintf(id, sizeof id, "cli_%03d_a", r->round);
    snprintf(first, sizeof first, "cid-cli_%03d_m", r->round);
    ck_assert_int_eq(clv_store_open(url, &other, NULL), CLV_OK);
    pthread_barrier_wait(&r->held);
    r->second_rc = clv_store_begin(store, NULL);
    if (r->second_rc == CLV_OK &&
        (r->second_rc = insert_client(id, 1000 + r->round, "numbat gone")) == CLV_OK)
        r->second_rc = insert_client("cli_taken", 1000 + r->round, "numbat taken");
    /* the writer is this request's: the first's clients not yet committed means that
     * they will be, in the batch this request is part of */
    r->shared = clv_store_client_get(other, first, &seen, NULL) == CLV_NOT_FOUND;
    clv_client_free(seen);
    clv_store_rollback(store);
    clv_store_free(other);
    return NULL;
}

START_TEST(q_batch_member_fails)
{
    int shared = 0;

    add_service();
    ck_assert_int_eq(insert_client("cli_taken", 900, "taken"), CLV_OK);
    for (int round = 0; round < 30 && shared < 3; round++) {
        q_round r = {.round = round};
        pthread_t t1, t2;
        char want[64], q[32];
        ck_assert_int_eq(pthread_barrier_init(&r.held, NULL, 2), 0);
        ck_assert_int_eq(pthread_create(&t1, NULL, q_first, &r), 0);
        ck_assert_int_eq(pthread_create(&t2, NULL, q_second, &r), 0);
        ck_assert_int_eq(pthread_join(t1, NULL), 0);
        ck_assert_int_eq(pthread_join(t2, NULL), 0);
        pthread_barrier_destroy(&r.held);
        ck_assert_int_eq(r.first_rc, CLV_OK);
        ck_assert_int_eq(r.second_rc, CLV_CONFLICT);
        shared += r.shared;
        snprintf(want, sizeof want, "cli_%03d_n cli_%03d_m", round, round);
        snprintf(q, sizeof q, "kept %03d", round);
        expect_q(q, want);
        expect_q("gone", "");
        expect_index("numbat", 2 * (round + 1));
    }
    /* on SQLite the second waits for the writer the first holds: in most rounds it joins
     * the first's batch (else the committer took the writer first) */
    if (clv_test_store_on("sqlite"))
        ck_assert_int_gt(shared, 0);
}
END_TEST

static Suite *group_suite(void)
{
    Suite *s = suite_create("store_group");
    TCase *tc = tcase_create("group");

    clv_test_store_fixture(tc, &store, dir, url, true);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, concurrent_writers);
    suite_add_tcase(s, tc);
    tc = tcase_create("q_batch");
    clv_test_store_fixture(tc, &store, dir, url, true);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, q_batch_one_transaction);
    tcase_add_test(tc, q_batch_member_fails);
    suite_add_tcase(s, tc);
    if (clv_test_store_on("sqlite")) {
        tc = tcase_create("group_sqlite");
        clv_test_store_fixture(tc, &store, dir, url, true);
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, writes_grouped);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    return clv_test_run(group_suite());
}
