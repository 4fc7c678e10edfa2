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
 * requests (docs/DESIGN.md D17). Each test runs in its own process on a fresh store, as in
 * test_store.c. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static Suite *group_suite(void)
{
    Suite *s = suite_create("store_group");
    TCase *tc = tcase_create("group");

    clv_test_store_fixture(tc, &store, dir, url, true);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, concurrent_writers);
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
