/* test_config_env — unit tests of src/base/config.c: durations, the defaults and the
 * CLAVIS_* variables. Each test runs in its own process (CK_FORK), so setenv in one test
 * does not leak into another. (The issuer and serve's checks: test_config.c.) */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/config.h"
#include "base/err.h"
#include "testutil.h"

/* ---- durations ---- */

static int64_t duration_ok(const char *s)
{
    int64_t v = -1;

    ck_assert_msg(clv_config_parse_duration(s, &v), "refused duration '%s'", s);
    return v;
}

static void duration_bad(const char *s)
{
    int64_t v = -7;

    ck_assert_msg(!clv_config_parse_duration(s, &v), "accepted duration '%s' as %lld",
                  s != NULL ? s : "(null)", (long long)v);
    ck_assert_int_eq(v, -7); /* untouched on failure */
}

START_TEST(durations)
{
    ck_assert_int_eq(duration_ok("3600"), 3600);
    ck_assert_int_eq(duration_ok("0"), 0);
    ck_assert_int_eq(duration_ok("10s"), 10);
    ck_assert_int_eq(duration_ok("5m"), 300);
    ck_assert_int_eq(duration_ok("2h"), 7200);
    ck_assert_int_eq(duration_ok("14d"), 14 * 86400);
    ck_assert_int_eq(duration_ok("9223372036854775807"), INT64_MAX);
    ck_assert_int_eq(duration_ok("106751991167300d"), 106751991167300LL * 86400);
    duration_bad("");
    duration_bad(NULL);
    duration_bad("-1");
    duration_bad("+1");
    duration_bad(" 1");
    duration_bad("1 ");
    duration_bad("1x");
    duration_bad("1dd");
    duration_bad("1D");
    duration_bad("d");
    duration_bad("1.5h");
    duration_bad("9223372036854775808"); /* past INT64_MAX */
    duration_bad("106751991167301d");    /* the product overflows */
    duration_bad("153722867280912931m");
    duration_bad("99999999999999999999999s");
}
END_TEST

/* ---- config ---- */

static const char *const env_names[] = {
    "CLAVIS_LISTEN",
    "CLAVIS_ISSUER",
    "CLAVIS_DB",
    "CLAVIS_KEY_DIR",
    "CLAVIS_MAX_REGISTERED_CLIENTS",
    "CLAVIS_RETENTION",
    "CLAVIS_ACCESS_TOKEN_MIN",
    "CLAVIS_ACCESS_TOKEN_MAX",
    "CLAVIS_REFRESH_TOKEN_MAX",
    "CLAVIS_SECRET_LIFETIME",
    "CLAVIS_PURGE_INTERVAL",
    "CLAVIS_TOKEN_ALG",
    "CLAVIS_TRUSTED_PROXIES",
    "CLAVIS_LOG_FORMAT",
    "CLAVIS_LOG_REQUESTS",
    "CLAVIS_METRICS_CLIENTS",
    "CLAVIS_METRICS_LISTEN",
};

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++)
        unsetenv(env_names[i]);
}

static void assert_defaults(const clv_config *cfg)
{
    ck_assert_str_eq(cfg->listen, "127.0.0.1:8080");
    ck_assert_str_eq(cfg->db, "clavis.db");
    ck_assert_ptr_null(cfg->key_dir);
    ck_assert_int_eq(cfg->token_alg, CLV_ALG_RS256);
    ck_assert_int_eq(cfg->at_lifetime_min, 60);
    ck_assert_int_eq(cfg->at_lifetime_max, 3600);
    ck_assert_int_eq(cfg->at_lifetime_default, 3600);
    ck_assert_int_eq(cfg->rt_lifetime_default, 30 * 86400);
    ck_assert_int_eq(cfg->rt_lifetime_max, 90 * 86400);
    ck_assert_int_eq(cfg->retention, 14 * 86400);
    ck_assert_int_eq(cfg->secret_lifetime, 365 * 86400);
    ck_assert_int_eq(cfg->purge_interval, 3600);
    ck_assert_int_ge(cfg->threads, 1);
    ck_assert(!cfg->log_requests);
}

START_TEST(config_defaults)
{
    clv_config cfg;
    clv_err err;

    clear_env();
    clv_err_init(&err);
    ck_assert_int_eq(clv_config_init(&cfg, true, &err), CLV_OK);
    assert_defaults(&cfg);
    clv_config_cleanup(&cfg);
    ck_assert_ptr_null(cfg.listen); /* zeroed */
    ck_assert_ptr_null(cfg.db);
    clv_config_cleanup(NULL);
}
END_TEST

START_TEST(config_env_ignored_without_env)
{
    clv_config cfg;

    clear_env();
    setenv("CLAVIS_LISTEN", "0.0.0.0:1", 1);
    setenv("CLAVIS_RETENTION", "1d", 1);
    setenv("CLAVIS_TOKEN_ALG", "nonsense", 1);
    ck_assert_int_eq(clv_config_init(&cfg, false, NULL), CLV_OK);
    assert_defaults(&cfg);
    clv_config_cleanup(&cfg);
}
END_TEST

START_TEST(config_env_overrides)
{
    clv_config cfg;
    clv_err err;

    clear_env();
    setenv("CLAVIS_LISTEN", "0.0.0.0:9443", 1);
    setenv("CLAVIS_ISSUER", "https://id.example.com", 1);
    setenv("CLAVIS_DB", "/var/lib/clavis/x.db", 1);
    setenv("CLAVIS_KEY_DIR", "/etc/clavis/keys", 1);
    setenv("CLAVIS_RETENTION", "7d", 1);
    setenv("CLAVIS_ACCESS_TOKEN_MIN", "30", 1);
    setenv("CLAVIS_ACCESS_TOKEN_MAX", "2h", 1);
    setenv("CLAVIS_REFRESH_TOKEN_MAX", "120d", 1);
    setenv("CLAVIS_SECRET_LIFETIME", "30d", 1);
    setenv("CLAVIS_PURGE_INTERVAL", "5m", 1);
    setenv("CLAVIS_TOKEN_ALG", "ES256", 1);
    clv_err_init(&err);
    ck_assert_msg(clv_config_init(&cfg, true, &err) == CLV_OK, "config: %s", err.detail);
    ck_assert_str_eq(cfg.listen, "0.0.0.0:9443");
    ck_assert_str_eq(cfg.issuer, "https://id.example.com");
    ck_assert_str_eq(cfg.db, "/var/lib/clavis/x.db");
    ck_assert_str_eq(cfg.key_dir, "/etc/clavis/keys");
    ck_assert_int_eq(cfg.retention, 7 * 86400);
    ck_assert_int_eq(cfg.at_lifetime_min, 30);
    ck_assert_int_eq(cfg.at_lifetime_max, 7200);
    ck_assert_int_eq(cfg.rt_lifetime_max, 120 * 86400);
    ck_assert_int_eq(cfg.secret_lifetime, 30 * 86400);
    ck_assert_int_eq(cfg.purge_interval, 300);
    ck_assert_int_eq(cfg.token_alg, CLV_ALG_ES256);
    clv_config_cleanup(&cfg);

    setenv("CLAVIS_TOKEN_ALG", "EdDSA", 1);
    ck_assert_int_eq(clv_config_init(&cfg, true, NULL), CLV_OK);
    ck_assert_int_eq(cfg.token_alg, CLV_ALG_EDDSA);
    clv_config_cleanup(&cfg);
}
END_TEST

START_TEST(config_env_empty_is_unset)
{
    clv_config cfg;

    clear_env();
    setenv("CLAVIS_LISTEN", "", 1);
    setenv("CLAVIS_RETENTION", "", 1);
    setenv("CLAVIS_TOKEN_ALG", "", 1);
    ck_assert_int_eq(clv_config_init(&cfg, true, NULL), CLV_OK);
    assert_defaults(&cfg);
    clv_config_cleanup(&cfg);
}
END_TEST

START_TEST(config_env_bad_alg)
{
    static const char *const bad[] = {"HS256", "rs256", "none", "RS256 ", "ES384"};
    clv_config cfg;
    clv_err err;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clear_env();
        setenv("CLAVIS_TOKEN_ALG", bad[i], 1);
        clv_err_init(&err);
        ck_assert_int_eq(clv_config_init(&cfg, true, &err), CLV_INVALID);
        ck_assert_int_eq(err.code, CLV_INVALID);
        ck_assert_str_eq(err.field, "CLAVIS_TOKEN_ALG");
        ck_assert_ptr_nonnull(strstr(err.detail, "CLAVIS_TOKEN_ALG"));
        clv_config_cleanup(&cfg);
    }
}
END_TEST

/* CLAVIS_MAX_REGISTERED_CLIENTS (docs/OPERATIONS.md "Open registration"): 1 to
 * CLV_MAX_REGISTERED_MAX; unset is no cap (0); anything else is refused, naming it. */
START_TEST(config_env_max_registered)
{
    static const char *const bad[] = {"0", "-1", "10k", " 5", "100000001", "1e3"};
    clv_config cfg;
    clv_err err;
    int64_t n = 0;

    clear_env();
    ck_assert_int_eq(clv_config_init(&cfg, true, NULL), CLV_OK);
    ck_assert_int_eq(cfg.max_registered_clients, 0);
    clv_config_cleanup(&cfg);
    setenv("CLAVIS_MAX_REGISTERED_CLIENTS", "5000", 1);
    ck_assert_int_eq(clv_config_init(&cfg, true, NULL), CLV_OK);
    ck_assert_int_eq(cfg.max_registered_clients, 5000);
    clv_config_cleanup(&cfg);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("CLAVIS_MAX_REGISTERED_CLIENTS", bad[i], 1);
        clv_err_init(&err);
        ck_assert_int_eq(clv_config_init(&cfg, true, &err), CLV_INVALID);
        ck_assert_str_eq(err.field, "CLAVIS_MAX_REGISTERED_CLIENTS");
        clv_config_cleanup(&cfg);
    }
    ck_assert(clv_config_parse_count("100000000", CLV_MAX_REGISTERED_MAX, &n));
    ck_assert_int_eq(n, 100000000);
    ck_assert(!clv_config_parse_count("", 10, &n));
    ck_assert(!clv_config_parse_count("11", 10, &n));
    ck_assert(clv_config_parse_count("10", 10, &n));
}
END_TEST

START_TEST(config_env_bad_duration)
{
    static const char *const vars[] = {"CLAVIS_RETENTION",        "CLAVIS_ACCESS_TOKEN_MIN",
                                       "CLAVIS_ACCESS_TOKEN_MAX", "CLAVIS_REFRESH_TOKEN_MAX",
                                       "CLAVIS_SECRET_LIFETIME",  "CLAVIS_PURGE_INTERVAL"};
    clv_config cfg;
    clv_err err;

    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        clear_env();
        setenv(vars[i], "14 days", 1);
        clv_err_init(&err);
        ck_assert_int_eq(clv_config_init(&cfg, true, &err), CLV_INVALID);
        ck_assert_str_eq(err.field, vars[i]);
        clv_config_cleanup(&cfg);
        setenv(vars[i], "-5", 1);
        ck_assert_int_eq(clv_config_init(&cfg, true, &err), CLV_INVALID);
        clv_config_cleanup(&cfg);
    }
}
END_TEST

/* Bounds set through the environment must leave a usable configuration: either the
 * defaults follow the bounds, or clv_config_init refuses the values. Otherwise every
 * client created without an explicit lifetime fails its own validation. */
START_TEST(config_env_bounds_consistent)
{
    clv_config cfg;
    clv_code rc;

    clear_env();
    setenv("CLAVIS_ACCESS_TOKEN_MAX", "1800", 1);
    rc = clv_config_init(&cfg, true, NULL);
    if (rc == CLV_OK) {
        ck_assert_int_le(cfg.at_lifetime_default, cfg.at_lifetime_max);
        ck_assert_int_ge(cfg.at_lifetime_default, cfg.at_lifetime_min);
    } else {
        ck_assert_int_eq(rc, CLV_INVALID);
    }
    clv_config_cleanup(&cfg);

    clear_env();
    setenv("CLAVIS_REFRESH_TOKEN_MAX", "7d", 1);
    rc = clv_config_init(&cfg, true, NULL);
    if (rc == CLV_OK)
        ck_assert_int_le(cfg.rt_lifetime_default, cfg.rt_lifetime_max);
    else
        ck_assert_int_eq(rc, CLV_INVALID);
    clv_config_cleanup(&cfg);

    clear_env();
    setenv("CLAVIS_ACCESS_TOKEN_MIN", "2h", 1); /* min above the max of 1 h */
    rc = clv_config_init(&cfg, true, NULL);
    if (rc == CLV_OK)
        ck_assert_int_le(cfg.at_lifetime_min, cfg.at_lifetime_max);
    else
        ck_assert_int_eq(rc, CLV_INVALID);
    clv_config_cleanup(&cfg);
}
END_TEST

START_TEST(config_set_str)
{
    char *slot = NULL;

    ck_assert(clv_config_set_str(&slot, "a"));
    ck_assert_str_eq(slot, "a");
    ck_assert(clv_config_set_str(&slot, "bb"));
    ck_assert_str_eq(slot, "bb");
    ck_assert(clv_config_set_str(&slot, NULL));
    ck_assert_ptr_null(slot);
}
END_TEST

START_TEST(config_env_trusted_proxies)
{
    clv_config cfg;
    clv_err err;

    clear_env();
    ck_assert_int_eq(clv_config_init(&cfg, true, &err), CLV_OK);
    ck_assert_ptr_null(cfg.trusted_proxies);
    ck_assert(!clv_config_is_proxy(&cfg, "127.0.0.1"));
    clv_config_cleanup(&cfg);
    setenv("CLAVIS_TRUSTED_PROXIES", "127.0.0.1,2001:DB8:0:0::1", 1);
    ck_assert_int_eq(clv_config_init(&cfg, true, &err), CLV_OK);
    ck_assert(clv_config_is_proxy(&cfg, "127.0.0.1"));
    ck_assert(clv_config_is_proxy(&cfg, "2001:db8::1"));
    ck_assert(!clv_config_is_proxy(&cfg, "127.0.0.2"));
    ck_assert(!clv_config_is_proxy(&cfg, "27.0.0.1"));
    ck_assert(!clv_config_is_proxy(&cfg, ""));
    clv_config_cleanup(&cfg);
    static const char *const bad[] = {"localhost", "10.0.0.0/8", "1.2.3.4,,5.6.7.8", ",1.2.3.4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("CLAVIS_TRUSTED_PROXIES", bad[i], 1);
        clv_err_init(&err);
        ck_assert_msg(clv_config_init(&cfg, true, &err) == CLV_INVALID, "accepted '%s'", bad[i]);
        ck_assert_str_eq(err.field, "CLAVIS_TRUSTED_PROXIES");
        clv_config_cleanup(&cfg);
    }
}
END_TEST

/* The operations settings: CLAVIS_LOG_FORMAT, CLAVIS_LOG_REQUESTS, CLAVIS_METRICS_*. */
START_TEST(config_env_ops)
{
    clv_config cfg;
    clv_err err;
    static const char *const bad_n[] = {"-1", "10001", "1e3", "many", " 5"};
    bool text = false;
    int n = -1;

    clear_env();
    ck_assert_int_eq(clv_config_init(&cfg, true, &err), CLV_OK);
    ck_assert(!cfg.log_text && !cfg.log_requests);
    ck_assert_int_eq(cfg.metrics_clients, 100);
    ck_assert_ptr_null(cfg.metrics_listen);
    clv_config_cleanup(&cfg);
    setenv("CLAVIS_LOG_FORMAT", "text", 1);
    setenv("CLAVIS_LOG_REQUESTS", "1", 1);
    setenv("CLAVIS_METRICS_CLIENTS", "0", 1);
    setenv("CLAVIS_METRICS_LISTEN", "127.0.0.1:9464", 1);
    ck_assert_int_eq(clv_config_init(&cfg, true, &err), CLV_OK);
    ck_assert(cfg.log_text && cfg.log_requests);
    ck_assert_int_eq(cfg.metrics_clients, 0);
    ck_assert_str_eq(cfg.metrics_listen, "127.0.0.1:9464");
    clv_config_cleanup(&cfg);
    setenv("CLAVIS_LOG_FORMAT", "xml", 1);
    clv_err_init(&err);
    ck_assert_int_eq(clv_config_init(&cfg, true, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, "CLAVIS_LOG_FORMAT");
    clv_config_cleanup(&cfg);
    setenv("CLAVIS_LOG_FORMAT", "json", 1);
    for (size_t i = 0; i < sizeof bad_n / sizeof bad_n[0]; i++) {
        setenv("CLAVIS_METRICS_CLIENTS", bad_n[i], 1);
        clv_err_init(&err);
        ck_assert_msg(clv_config_init(&cfg, true, &err) == CLV_INVALID, "accepted '%s'", bad_n[i]);
        ck_assert_str_eq(err.field, "CLAVIS_METRICS_CLIENTS");
        clv_config_cleanup(&cfg);
    }
    ck_assert(clv_config_parse_log_format("json", &text) && !text);
    ck_assert(clv_config_parse_log_format("text", &text) && text);
    ck_assert(!clv_config_parse_log_format("JSON", &text) &&
              !clv_config_parse_log_format(NULL, &text));
    ck_assert(clv_config_parse_metrics_clients("10000", &n) && n == 10000);
}
END_TEST

static Suite *config_env_suite(void)
{
    Suite *s = suite_create("config_env");
    TCase *tc = tcase_create("config_env");

    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    tcase_add_test(tc, durations);
    tcase_add_test(tc, config_defaults);
    tcase_add_test(tc, config_env_ignored_without_env);
    tcase_add_test(tc, config_env_overrides);
    tcase_add_test(tc, config_env_empty_is_unset);
    tcase_add_test(tc, config_env_bad_alg);
    tcase_add_test(tc, config_env_bad_duration);
    tcase_add_test(tc, config_env_bounds_consistent);
    tcase_add_test(tc, config_set_str);
    tcase_add_test(tc, config_env_trusted_proxies);
    tcase_add_test(tc, config_env_ops);
    tcase_add_test(tc, config_env_max_registered);
    return s;
}

int main(void)
{
    return clv_test_run(config_env_suite());
}
