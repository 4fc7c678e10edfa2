/* test_throttle — unit tests of src/core/throttle.c (the bounded table of failures: burst,
 * exponential back-off, forgiveness, eviction, threads; the guessing policy: pairs and
 * addresses, IPv6 /64s, kinds), of the argon2id turns (src/crypto/password.c) and of the
 * throttled sign-in (src/oauth/session.c). Each test runs in its own process (CK_FORK). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/throttle.h"
#include "crypto/password.h"
#include "oauth/session.h"
#include "testutil.h"

static const clv_throttle_rule rule3 = {3, 1000, 8000, 60000};

/* ---- the table ---- */

START_TEST(key_burst_then_doubling_to_max)
{
    clv_throttle *t = clv_throttle_new(0);
    const int64_t waits[] = {0, 0, 1000, 2000, 4000, 8000, 8000};

    ck_assert_ptr_nonnull(t);
    for (unsigned i = 0; i < sizeof waits / sizeof waits[0]; i++) {
        ck_assert_uint_eq(clv_throttle_key_fail(t, &rule3, "k", 1, 5000), i + 1);
        ck_assert_int_eq(clv_throttle_key_wait(t, "k", 1, 5000), waits[i]);
    }
    ck_assert_int_eq(clv_throttle_key_wait(t, "k", 1, 5000 + 7999), 1);
    ck_assert_int_eq(clv_throttle_key_wait(t, "k", 1, 5000 + 8000), 0);
    clv_throttle_free(t);
    clv_throttle_free(NULL);
}
END_TEST

START_TEST(key_failures_are_forgiven_over_time)
{
    const clv_throttle_rule r = {3, 1000, 8000, 10000};
    clv_throttle *t = clv_throttle_new(0);

    for (int i = 0; i < 3; i++)
        clv_throttle_key_fail(t, &r, "k", 1, 0);
    ck_assert_int_eq(clv_throttle_key_wait(t, "k", 1, 0), 1000);
    /* one failure forgiven after 10 s: the next one is the third again, not the fourth */
    ck_assert_uint_eq(clv_throttle_key_fail(t, &r, "k", 1, 10000), 3);
    ck_assert_int_eq(clv_throttle_key_wait(t, "k", 1, 10000), 1000);
    /* left alone long enough, the key starts afresh */
    ck_assert_uint_eq(clv_throttle_key_fail(t, &r, "k", 1, 60000), 1);
    ck_assert_int_eq(clv_throttle_key_wait(t, "k", 1, 60000), 0);
    clv_throttle_free(t);
}
END_TEST

START_TEST(key_clear_and_independence)
{
    clv_throttle *t = clv_throttle_new(0);

    for (int i = 0; i < 3; i++)
        clv_throttle_key_fail(t, &rule3, "a", 1, 0);
    ck_assert_int_gt(clv_throttle_key_wait(t, "a", 1, 0), 0);
    ck_assert_int_eq(clv_throttle_key_wait(t, "b", 1, 0), 0);
    ck_assert_int_eq(clv_throttle_key_wait(t, "ab", 2, 0), 0);
    clv_throttle_key_clear(t, "a", 1);
    ck_assert_int_eq(clv_throttle_key_wait(t, "a", 1, 0), 0);
    ck_assert_uint_eq(clv_throttle_key_fail(t, &rule3, "a", 1, 0), 1);
    clv_throttle_key_clear(t, "never-seen", 10); /* harmless */
    clv_throttle_free(t);
}
END_TEST

/* A table of one bucket (8 slots) flooded with 10,000 one-off keys keeps the key that is
 * made to wait: eviction takes the entries with the fewest failures first. */
START_TEST(table_is_bounded_and_keeps_waiting_keys)
{
    clv_throttle *t = clv_throttle_new(8);
    char key[32];

    for (int i = 0; i < 5; i++)
        clv_throttle_key_fail(t, &rule3, "attacker", 8, 0);
    for (int i = 0; i < 10000; i++) {
        int n = snprintf(key, sizeof key, "flood-%d", i);
        ck_assert_uint_eq(clv_throttle_key_fail(t, &rule3, key, (size_t)n, 1), 1);
    }
    ck_assert_int_eq(clv_throttle_key_wait(t, "attacker", 8, 1), 3999);
    ck_assert_uint_eq(clv_throttle_key_fail(t, &rule3, "attacker", 8, 2), 6);
    clv_throttle_free(t);
}
END_TEST

enum { THREADS = 4, PER_THREAD = 2000 };
static clv_throttle *shared;
static const clv_throttle_rule never = {1u << 30, 1000, 1000, 1000000};

static void *hammer(void *arg)
{
    char own[16];
    int n = snprintf(own, sizeof own, "own-%d", *(int *)arg);

    for (int i = 0; i < PER_THREAD; i++) {
        clv_throttle_key_fail(shared, &never, "same", 4, 0);
        clv_throttle_key_fail(shared, &never, own, (size_t)n, 0);
        (void)clv_throttle_key_wait(shared, "same", 4, 0);
    }
    return NULL;
}

START_TEST(threads_count_every_failure)
{
    pthread_t th[THREADS];
    int ids[THREADS];
    char own[16];

    shared = clv_throttle_new(0);
    for (int i = 0; i < THREADS; i++) {
        ids[i] = i;
        ck_assert_int_eq(pthread_create(&th[i], NULL, hammer, &ids[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    ck_assert_uint_eq(clv_throttle_key_fail(shared, &never, "same", 4, 0),
                      THREADS * PER_THREAD + 1);
    for (int i = 0; i < THREADS; i++) {
        int n = snprintf(own, sizeof own, "own-%d", i);
        ck_assert_uint_eq(clv_throttle_key_fail(shared, &never, own, (size_t)n, 0), PER_THREAD + 1);
    }
    clv_throttle_free(shared);
}
END_TEST

/* ---- the policy ---- */

static void fail_n(clv_throttle *t, clv_guess kind, const char *who, const char *addr, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        clv_throttle_failed(t, kind, who, addr);
}

START_TEST(policy_pair_then_address)
{
    clv_throttle *t = clv_throttle_new(0);
    unsigned pair = clv_throttle_pair_rule.burst, addr = clv_throttle_addr_rule.burst;
    char who[32];
    clv_err err;

    clv_err_init(&err);
    fail_n(t, CLV_GUESS_CLIENT, "c1", "10.0.0.1", pair - 1);
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "c1", "10.0.0.1", &err), CLV_OK);
    fail_n(t, CLV_GUESS_CLIENT, "c1", "10.0.0.1", 1);
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "c1", "10.0.0.1", &err),
                     CLV_THROTTLED);
    ck_assert_int_eq(err.retry_after, 1);
    ck_assert_str_eq(err.detail, "too many failed attempts; retry after 1 s");
    /* never the client alone: c1 from elsewhere, and c2 from there, pass */
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "c1", "10.0.0.2", NULL), CLV_OK);
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "c2", "10.0.0.1", NULL), CLV_OK);
    /* the address alone, once it sprays enough client_ids */
    for (unsigned i = pair; i < addr; i++) {
        snprintf(who, sizeof who, "spray-%u", i);
        ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "c2", "10.0.0.1", NULL), CLV_OK);
        ck_assert_uint_eq(clv_throttle_failed(t, CLV_GUESS_CLIENT, who, "10.0.0.1"), 1);
    }
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "c2", "10.0.0.1", NULL),
                     CLV_THROTTLED);
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_USER, "c2", "10.0.0.1", NULL), CLV_OK);
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "c2", "10.0.0.3", NULL), CLV_OK);
    clv_throttle_free(t);
}
END_TEST

/* Anonymous registration: every attempt counts (successes too), per address; its keys are
 * apart from the guesses'. */
START_TEST(attempts_are_counted_per_address)
{
    clv_throttle *t = clv_throttle_new(0);
    const clv_throttle_rule *rule = &clv_throttle_register_rule;
    clv_err err;

    clv_err_init(&err);
    for (unsigned i = 0; i < rule->burst; i++)
        ck_assert_int_eq(clv_throttle_attempt(t, rule, 'r', "10.0.0.1", &err), CLV_OK);
    ck_assert_int_eq(clv_throttle_attempt(t, rule, 'r', "10.0.0.1", &err), CLV_THROTTLED);
    ck_assert_int_eq(err.retry_after, (int)(rule->base_ms / 1000));
    /* refused attempts are not counted: the wait does not grow */
    ck_assert_int_eq(clv_throttle_attempt(t, rule, 'r', "10.0.0.1", &err), CLV_THROTTLED);
    ck_assert_int_eq(err.retry_after, (int)(rule->base_ms / 1000));
    ck_assert_int_eq(clv_throttle_attempt(t, rule, 'r', "10.0.0.2", NULL), CLV_OK);
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "c1", "10.0.0.1", NULL), CLV_OK);
    ck_assert_int_eq(clv_throttle_attempt(t, rule, 'r', NULL, NULL), CLV_OK);
    ck_assert_int_eq(clv_throttle_attempt(NULL, rule, 'r', "10.0.0.1", NULL), CLV_OK);
    clv_throttle_free(t);
}
END_TEST

/* Refunded attempts (docs/DESIGN.md D15, first fetches): what is given back does not
 * count, and a refund below the burst lifts the wait; what is not given back does. */
START_TEST(attempts_refunded)
{
    clv_throttle *t = clv_throttle_new(0);
    const clv_throttle_rule *rule = &clv_throttle_fetch_rule;

    for (int i = 0; i < 20; i++) { /* quick ones, each given back */
        ck_assert_int_eq(clv_throttle_attempt(t, rule, 'f', "10.0.0.1", NULL), CLV_OK);
        clv_throttle_refund(t, rule, 'f', "10.0.0.1");
    }
    for (unsigned i = 0; i < rule->burst - 1; i++) /* slow ones, kept */
        ck_assert_int_eq(clv_throttle_attempt(t, rule, 'f', "10.0.0.1", NULL), CLV_OK);
    /* at the burst a wait is set; a quick one given back lifts it */
    ck_assert_int_eq(clv_throttle_attempt(t, rule, 'f', "10.0.0.1", NULL), CLV_OK);
    clv_throttle_refund(t, rule, 'f', "10.0.0.1");
    ck_assert_int_eq(clv_throttle_attempt(t, rule, 'f', "10.0.0.1", NULL), CLV_OK);
    ck_assert_int_eq(clv_throttle_attempt(t, rule, 'f', "10.0.0.1", NULL), CLV_THROTTLED);
    /* another kind of attempt of the same address, and a NULL table, are apart */
    ck_assert_int_eq(clv_throttle_attempt(t, &clv_throttle_register_rule, 'r', "10.0.0.1", NULL),
                     CLV_OK);
    clv_throttle_refund(NULL, rule, 'f', "10.0.0.1");
    clv_throttle_refund(t, rule, 'f', NULL);
    clv_throttle_free(t);
}
END_TEST

/* The pair itself must wait, or only its address: what /metrics asks before naming a
 * throttled client. */
START_TEST(pair_waits_apart_from_address)
{
    clv_throttle *t = clv_throttle_new(0);

    fail_n(t, CLV_GUESS_CLIENT, "c1", "10.0.0.1", clv_throttle_pair_rule.burst);
    ck_assert(clv_throttle_pair_waits(t, CLV_GUESS_CLIENT, "c1", "10.0.0.1"));
    ck_assert(!clv_throttle_pair_waits(t, CLV_GUESS_CLIENT, "c1", "10.0.0.2"));
    ck_assert(!clv_throttle_pair_waits(t, CLV_GUESS_USER, "c1", "10.0.0.1"));
    for (int i = 0; i < 40; i++) { /* the address waits, the pairs of other ids do not */
        char who[16];
        snprintf(who, sizeof who, "x%d", i);
        clv_throttle_failed(t, CLV_GUESS_CLIENT, who, "10.0.0.3");
    }
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "new", "10.0.0.3", NULL),
                     CLV_THROTTLED);
    ck_assert(!clv_throttle_pair_waits(t, CLV_GUESS_CLIENT, "new", "10.0.0.3"));
    ck_assert(!clv_throttle_pair_waits(NULL, CLV_GUESS_CLIENT, "c1", "10.0.0.1"));
    clv_throttle_free(t);
}
END_TEST

START_TEST(policy_success_forgets_the_pair)
{
    clv_throttle *t = clv_throttle_new(0);
    unsigned pair = clv_throttle_pair_rule.burst;

    fail_n(t, CLV_GUESS_USER, "ten/alice", "10.0.0.1", pair - 1);
    clv_throttle_passed(t, CLV_GUESS_USER, "ten/alice", "10.0.0.1");
    ck_assert_uint_eq(clv_throttle_failed(t, CLV_GUESS_USER, "ten/alice", "10.0.0.1"), 1);
    fail_n(t, CLV_GUESS_USER, "ten/alice", "10.0.0.1", pair - 2);
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_USER, "ten/alice", "10.0.0.1", NULL), CLV_OK);
    /* usernames without ASCII case: Alice is alice */
    fail_n(t, CLV_GUESS_USER, "ten/Alice", "10.0.0.1", 1);
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_USER, "ten/ALICE", "10.0.0.1", NULL),
                     CLV_THROTTLED);
    clv_throttle_free(t);
}
END_TEST

START_TEST(policy_null_is_never_throttled)
{
    clv_throttle *t = clv_throttle_new(0);

    fail_n(t, CLV_GUESS_CLIENT, "c", NULL, 100);
    fail_n(t, CLV_GUESS_CLIENT, NULL, "10.0.0.1", 100);
    fail_n(NULL, CLV_GUESS_CLIENT, "c", "10.0.0.1", 100);
    ck_assert_uint_eq(clv_throttle_failed(t, CLV_GUESS_CLIENT, "c", NULL), 0);
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "c", NULL, NULL), CLV_OK);
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "c", "10.0.0.1", NULL), CLV_OK);
    ck_assert_int_eq(clv_throttle_check(NULL, CLV_GUESS_CLIENT, "c", "10.0.0.1", NULL), CLV_OK);
    clv_throttle_passed(NULL, CLV_GUESS_CLIENT, "c", "10.0.0.1");
    clv_throttle_free(t);
}
END_TEST

/* An IPv6 host holds a /64: walking it does not start afresh. */
START_TEST(policy_ipv6_by_64)
{
    clv_throttle *t = clv_throttle_new(0);
    char addr[64];

    for (unsigned i = 0; i < clv_throttle_pair_rule.burst; i++) {
        snprintf(addr, sizeof addr, "2001:db8:1:2::%x", i + 1);
        clv_throttle_failed(t, CLV_GUESS_CLIENT, "c", addr);
    }
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "c", "2001:db8:1:2:ffff::9", NULL),
                     CLV_THROTTLED);
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "c", "2001:db8:1:3::1", NULL), CLV_OK);
    clv_throttle_free(t);
}
END_TEST

/* An IPv4-mapped IPv6 address is its IPv4 address: two of them are two hosts (by their /64
 * they would be one), and the mapped form and the plain one are the same host. */
START_TEST(policy_ipv4_mapped)
{
    clv_throttle *t = clv_throttle_new(0);

    for (unsigned i = 0; i < clv_throttle_pair_rule.burst; i++)
        clv_throttle_failed(t, CLV_GUESS_CLIENT, "c", "::ffff:192.0.2.1");
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "c", "::ffff:192.0.2.2", NULL),
                     CLV_OK);
    ck_assert_int_eq(clv_throttle_check(t, CLV_GUESS_CLIENT, "c", "192.0.2.1", NULL),
                     CLV_THROTTLED);
    clv_throttle_free(t);
}
END_TEST

/* ---- argon2id turns ---- */

START_TEST(password_turns_limit_concurrency)
{
    char *hash = NULL;
    clv_err err;

    clv_password_limit(1, 50);
    clv_err_init(&err);
    ck_assert_int_eq(clv_password_hash("pw-123456", &hash, &err), CLV_OK);
    ck_assert(clv_password_turn_take(0));
    ck_assert(!clv_password_turn_take(0)); /* the only turn is taken */
    ck_assert_int_eq(clv_password_check(hash, "pw-123456", &err), CLV_THROTTLED);
    ck_assert_int_eq(err.retry_after, 1);
    ck_assert_int_eq(clv_password_hash("other", &(char *){NULL}, &err), CLV_THROTTLED);
    clv_password_turn_give();
    ck_assert_int_eq(clv_password_check(hash, "pw-123456", &err), CLV_OK);
    ck_assert_int_eq(clv_password_check(hash, "pw-1234567", &err), CLV_ACCESS_DENIED);
    ck_assert_int_eq(clv_password_check(NULL, "pw", &err), CLV_ACCESS_DENIED);
    ck_assert(clv_password_turn_take(0)); /* every check gave its turn back */
    clv_password_turn_give();
    free(hash);
}
END_TEST

/* ---- the sign-in ---- */

START_TEST(signin_is_throttled_per_user_and_address)
{
    char dir[128];
    clv_config cfg;
    clv_app *app;
    clv_user *u = NULL;
    clv_err err;

    clv_password_limit(1, 50);
    clv_test_mkdtemp(dir, sizeof dir, NULL, "throttle");
    clv_test_config(&cfg, dir, "t.db", "http://127.0.0.1:9");
    app = clv_test_app_open(&cfg);
    for (unsigned i = 0; i < clv_throttle_pair_rule.burst; i++)
        ck_assert_int_eq(clv_signin(app, "ten_1", "nobody", "guess", "198.51.100.1", &u, &err),
                         CLV_ACCESS_DENIED);
    ck_assert_int_eq(clv_signin(app, "ten_1", "NoBody", "guess", "198.51.100.1", &u, &err),
                     CLV_THROTTLED);
    ck_assert_int_ge(err.retry_after, 1);
    ck_assert_int_eq(clv_signin(app, "ten_1", "nobody", "guess", "198.51.100.2", &u, &err),
                     CLV_ACCESS_DENIED);
    ck_assert_int_eq(clv_signin(app, "ten_2", "nobody", "guess", "198.51.100.1", &u, &err),
                     CLV_ACCESS_DENIED); /* another tenant's user is another pair */
    /* no argon2id turn in time: throttled too, for an unknown user as for a known one */
    ck_assert(clv_password_turn_take(0));
    ck_assert_int_eq(clv_signin(app, "ten_1", "other", "guess", "198.51.100.3", &u, &err),
                     CLV_THROTTLED);
    clv_password_turn_give();
    ck_assert_int_eq(clv_signin(app, "ten_1", "other", "guess", "198.51.100.3", &u, &err),
                     CLV_ACCESS_DENIED);
    ck_assert_ptr_null(u);
    clv_app_free(app);
    clv_config_cleanup(&cfg);
    clv_test_rm_tree(dir);
}
END_TEST

static Suite *throttle_suite(void)
{
    Suite *s = suite_create("throttle");
    TCase *table = tcase_create("table");
    TCase *policy = tcase_create("policy");
    TCase *password = tcase_create("password");

    tcase_set_timeout(table, 60);
    tcase_set_timeout(password, 120);
    suite_add_tcase(s, table);
    suite_add_tcase(s, policy);
    suite_add_tcase(s, password);
    tcase_add_test(table, key_burst_then_doubling_to_max);
    tcase_add_test(table, key_failures_are_forgiven_over_time);
    tcase_add_test(table, key_clear_and_independence);
    tcase_add_test(table, table_is_bounded_and_keeps_waiting_keys);
    tcase_add_test(table, threads_count_every_failure);
    tcase_add_test(policy, policy_pair_then_address);
    tcase_add_test(policy, policy_success_forgets_the_pair);
    tcase_add_test(policy, policy_null_is_never_throttled);
    tcase_add_test(policy, policy_ipv6_by_64);
    tcase_add_test(policy, policy_ipv4_mapped);
    tcase_add_test(policy, attempts_are_counted_per_address);
    tcase_add_test(policy, attempts_refunded);
    tcase_add_test(policy, pair_waits_apart_from_address);
    tcase_add_test(password, password_turns_limit_concurrency);
    tcase_add_test(password, signin_is_throttled_per_user_and_address);
    return s;
}

int main(void)
{
    return clv_test_run(throttle_suite());
}
