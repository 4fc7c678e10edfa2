/* test_metrics — unit tests of src/core/metrics.c: per-thread counters summed on a scrape,
 * the statuses and latency buckets, the per-client top N with the rest as "other", a table
 * that stays bounded under a million clients, and the counts of threads that exited. Each
 * test runs in its own process (CK_FORK), so each starts from zero. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"
#include "testutil.h"

static clv_metrics_snap *snap(void)
{
    clv_metrics_snap *s = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_metrics_snapshot(&s, &err), CLV_OK);
    return s;
}

static size_t slot_of(int status)
{
    for (size_t i = 0; i < clv_metrics_status_count; i++)
        if (clv_metrics_statuses[i] == status)
            return i;
    return clv_metrics_status_count - 1;
}

static const clv_metrics_client *find(const clv_metrics_snap *s, const char *id)
{
    for (size_t i = 0; i < s->n_clients; i++)
        if (strcmp(s->clients[i].client_id, id) == 0)
            return &s->clients[i];
    return NULL;
}

/* Tokens and wrong_secret failures summed over every per-client entry. */
static void client_sums(const clv_metrics_snap *s, uint64_t *tokens, uint64_t *wrong)
{
    *tokens = *wrong = 0;
    for (size_t i = 0; i < s->n_clients; i++) {
        *tokens += s->clients[i].tokens;
        *wrong += s->clients[i].failures[CLV_FAIL_WRONG_SECRET];
    }
}

enum { PER_THREAD = 5000, THREADS = 4 };

static void *count_many(void *arg)
{
    char id[32];

    snprintf(id, sizeof id, "client-%ld", (long)(intptr_t)arg);
    for (int i = 0; i < PER_THREAD; i++) {
        clv_metrics_request(1, i % 2 ? 200 : 401, 700);
        clv_metrics_token(CLV_GRANT_CLIENT_CREDENTIALS, id);
        clv_metrics_auth_failure(CLV_FAIL_WRONG_SECRET, "shared");
    }
    return NULL;
}

START_TEST(threads_sum_exactly)
{
    pthread_t t[THREADS];
    clv_metrics_snap *s;
    const clv_metrics_client *shared;

    clv_metrics_setup(100);
    for (long i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, count_many, (void *)(intptr_t)i), 0);
    /* a scrape while they count sees at most what was counted */
    s = snap();
    ck_assert_uint_le(s->tokens[CLV_GRANT_CLIENT_CREDENTIALS], THREADS * PER_THREAD);
    clv_metrics_snap_free(s);
    for (int i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
    s = snap(); /* the threads exited: their counts were kept */
    ck_assert_uint_eq(s->requests[1][slot_of(200)], THREADS * PER_THREAD / 2);
    ck_assert_uint_eq(s->requests[1][slot_of(401)], THREADS * PER_THREAD / 2);
    ck_assert_uint_eq(s->latency[1][1], THREADS * PER_THREAD); /* 700 us: the 1 ms bucket */
    ck_assert_uint_eq(s->latency_sum_us[1], (uint64_t)700 * THREADS * PER_THREAD);
    ck_assert_uint_eq(s->tokens[CLV_GRANT_CLIENT_CREDENTIALS], THREADS * PER_THREAD);
    ck_assert_uint_eq(s->failures[CLV_FAIL_WRONG_SECRET], THREADS * PER_THREAD);
    /* an exited thread's clients are summed under "other" */
    shared = find(s, "other");
    ck_assert_ptr_nonnull(shared);
    ck_assert_uint_eq(shared->tokens, THREADS * PER_THREAD);
    ck_assert_uint_eq(shared->failures[CLV_FAIL_WRONG_SECRET], THREADS * PER_THREAD);
    clv_metrics_snap_free(s);
}
END_TEST

START_TEST(statuses_and_buckets)
{
    clv_metrics_snap *s;

    clv_metrics_setup(10);
    clv_metrics_request(0, 200, 0);
    clv_metrics_request(0, 299, 10000000);   /* a status not in the list: "other" */
    clv_metrics_request(0, -5, 20000000);    /* nonsense too; beyond the last bound: +Inf */
    clv_metrics_request(CLV_METRICS_ENDPOINTS, 200, 1); /* no such endpoint: ignored */
    s = snap();
    ck_assert_uint_eq(s->requests[0][slot_of(200)], 1);
    ck_assert_uint_eq(s->requests[0][clv_metrics_status_count - 1], 2);
    ck_assert_uint_eq(s->latency[0][0], 1);
    ck_assert_uint_eq(s->latency[0][CLV_METRICS_BUCKETS - 1], 1); /* 10 s: le="10" */
    ck_assert_uint_eq(s->latency[0][CLV_METRICS_BUCKETS], 1);
    for (size_t k = 0; k + 1 < CLV_METRICS_BUCKETS; k++)
        ck_assert_int_lt(clv_metrics_bounds_us[k], clv_metrics_bounds_us[k + 1]);
    clv_metrics_snap_free(s);
}
END_TEST

START_TEST(top_n_and_other)
{
    clv_metrics_snap *s;
    uint64_t tokens, wrong;
    const char *ids[] = {"a", "b", "c", "d", "e"};

    clv_metrics_setup(2);
    for (int c = 0; c < 5; c++)
        for (int i = 0; i < (5 - c) * 10; i++)
            clv_metrics_token(CLV_GRANT_CLIENT_CREDENTIALS, ids[c]); /* a: 50 … e: 10 */
    clv_metrics_auth_failure(CLV_FAIL_WRONG_SECRET, "e");
    clv_metrics_auth_failure(CLV_FAIL_UNKNOWN_CLIENT, "nobody"); /* never per client */
    s = snap();
    ck_assert_uint_eq(s->n_clients, 3);
    ck_assert_str_eq(s->clients[0].client_id, "a");
    ck_assert_uint_eq(s->clients[0].tokens, 50);
    ck_assert_str_eq(s->clients[1].client_id, "b");
    ck_assert_uint_eq(s->clients[1].tokens, 40);
    ck_assert_str_eq(s->clients[2].client_id, "other");
    ck_assert_uint_eq(s->clients[2].tokens, 30 + 20 + 10);
    ck_assert_uint_eq(s->clients[2].failures[CLV_FAIL_WRONG_SECRET], 1);
    ck_assert_ptr_null(find(s, "nobody"));
    ck_assert_uint_eq(s->failures[CLV_FAIL_UNKNOWN_CLIENT], 1);
    client_sums(s, &tokens, &wrong);
    ck_assert_uint_eq(tokens, s->tokens[CLV_GRANT_CLIENT_CREDENTIALS]);
    ck_assert_uint_eq(wrong, s->failures[CLV_FAIL_WRONG_SECRET]);
    clv_metrics_snap_free(s);
}
END_TEST

START_TEST(top_zero_counts_no_client)
{
    clv_metrics_snap *s;
    char longid[CLV_METRICS_ID_MAX + 2];

    clv_metrics_setup(0);
    clv_metrics_token(CLV_GRANT_REFRESH_TOKEN, "a");
    s = snap();
    ck_assert_uint_eq(s->n_clients, 0);
    ck_assert_uint_eq(s->tokens[CLV_GRANT_REFRESH_TOKEN], 1);
    clv_metrics_snap_free(s);
    /* an id longer than CLV_METRICS_ID_MAX is counted in the totals only */
    clv_metrics_setup(5);
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    clv_metrics_token(CLV_GRANT_AUTHORIZATION_CODE, longid);
    clv_metrics_token(CLV_GRANT_AUTHORIZATION_CODE, NULL);
    s = snap();
    ck_assert_uint_eq(s->n_clients, 0);
    ck_assert_uint_eq(s->tokens[CLV_GRANT_AUTHORIZATION_CODE], 2);
    clv_metrics_snap_free(s);
}
END_TEST

/* A million distinct clients and one busy one: the table stays its size (a scrape lists at
 * most N + 1 entries), the busy one is named first with (nearly) all its counts, and no
 * count is lost. */
START_TEST(a_million_clients_stay_bounded)
{
    clv_metrics_snap *s;
    uint64_t tokens, wrong;
    char id[32];
    const clv_metrics_client *busy;

    clv_metrics_setup(3);
    for (int i = 0; i < 1000000; i++) {
        snprintf(id, sizeof id, "c%d", i);
        clv_metrics_token(CLV_GRANT_CLIENT_CREDENTIALS, id);
        if (i % 10 == 0)
            clv_metrics_token(CLV_GRANT_CLIENT_CREDENTIALS, "busy");
    }
    s = snap();
    ck_assert_uint_le(s->n_clients, 4);
    busy = find(s, "busy");
    ck_assert_ptr_nonnull(busy);
    ck_assert_str_eq(s->clients[0].client_id, "busy");
    /* early on, before it stood out, its few counts may have gone to "other" */
    ck_assert_uint_ge(busy->tokens, 99000);
    ck_assert_uint_le(busy->tokens, 100000);
    client_sums(s, &tokens, &wrong);
    ck_assert_uint_eq(tokens, 1100000);
    ck_assert_uint_eq(s->tokens[CLV_GRANT_CLIENT_CREDENTIALS], 1100000);
    clv_metrics_snap_free(s);
}
END_TEST

START_TEST(cause_names)
{
    const char *want[] = {"wrong_secret",    "expired_secret",   "unknown_client",
                          "inactive_client", "inactive_service", "throttled"};

    for (int c = 0; c < CLV_FAIL_CAUSES; c++)
        ck_assert_str_eq(clv_fail_cause_name((clv_fail_cause)c), want[c]);
    ck_assert_ptr_null(clv_fail_cause_name(CLV_FAIL_CAUSES));
}
END_TEST

static Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("counting");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, threads_sum_exactly);
    tcase_add_test(tc, statuses_and_buckets);
    tcase_add_test(tc, top_n_and_other);
    tcase_add_test(tc, top_zero_counts_no_client);
    tcase_add_test(tc, a_million_clients_stay_bounded);
    tcase_add_test(tc, cause_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return clv_test_run(metrics_suite());
}
