/* test_core — unit tests of src/core that need no store: RFC 3339 times, durations, the
 * configuration (defaults and CLAVIS_* variables), effective status, grant types, ids
 * and the error table. Each test runs in its own process (CK_FORK), so setenv in one
 * test does not leak into another. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/json_text.h"
#include "core/model.h"
#include "testutil.h"

/* ---- time ---- */

static int64_t parse_ok(const char *s)
{
    int64_t t = -12345;

    ck_assert_msg(clv_time_parse(s, &t), "clv_time_parse refused '%s'", s);
    return t;
}

static void parse_bad(const char *s)
{
    int64_t t = -12345;

    ck_assert_msg(!clv_time_parse(s, &t), "clv_time_parse accepted '%s' as %lld", s, (long long)t);
}

START_TEST(time_parse_zulu)
{
    ck_assert_int_eq(parse_ok("2026-01-02T03:04:05Z"), 1767323045);
    ck_assert_int_eq(parse_ok("2026-01-02t03:04:05z"), 1767323045); /* RFC 3339 §5.6 NOTE */
    ck_assert_int_eq(parse_ok("1970-01-01T00:00:00Z"), 0);
    ck_assert_int_eq(parse_ok("1999-12-31T23:59:59Z"), 946684799);
    ck_assert_int_eq(parse_ok("2099-12-31T23:59:59Z"), 4102444799LL);
}
END_TEST

START_TEST(time_parse_offsets)
{
    ck_assert_int_eq(parse_ok("2026-01-02T05:04:05+02:00"), 1767323045);
    ck_assert_int_eq(parse_ok("2026-01-01T22:04:05-05:00"), 1767323045);
    ck_assert_int_eq(parse_ok("2026-01-02T08:34:05+05:30"), 1767323045);
    ck_assert_int_eq(parse_ok("2026-01-02T03:04:05+00:00"), 1767323045);
    ck_assert_int_eq(parse_ok("2026-01-02T03:04:05-00:00"), 1767323045);
    /* an offset that crosses a year boundary */
    ck_assert_int_eq(parse_ok("2000-01-01T00:59:59+01:00"), 946684799);
}
END_TEST

START_TEST(time_parse_fractions)
{
    ck_assert_int_eq(parse_ok("2026-01-02T03:04:05.1Z"), 1767323045);
    ck_assert_int_eq(parse_ok("2026-01-02T03:04:05.999999999Z"), 1767323045);
    ck_assert_int_eq(parse_ok("2026-01-02T05:04:05.5+02:00"), 1767323045);
    parse_bad("2026-01-02T03:04:05.Z");
    parse_bad("2026-01-02T03:04:05.+02:00");
    parse_bad("2026-01-02T03:04:05,5Z");
}
END_TEST

START_TEST(time_parse_leap_days)
{
    ck_assert_int_eq(parse_ok("2024-02-29T00:00:00Z"), 1709164800);
    ck_assert_int_eq(parse_ok("2000-02-29T12:00:00Z"), 951825600); /* divisible by 400 */
    ck_assert_int_eq(parse_ok("2024-03-01T00:00:00Z"), 1709164800 + 86400);
    parse_bad("2024-02-30T00:00:00Z");
    parse_bad("2026-02-30T00:00:00Z");
    parse_bad("2026-04-31T00:00:00Z");
    parse_bad("2026-06-31T00:00:00Z");
    parse_bad("2026-01-32T00:00:00Z");
}
END_TEST

/* February 29th exists only in leap years (RFC 3339 §5.7, Appendix C). */
START_TEST(time_parse_feb29_non_leap)
{
    parse_bad("2026-02-29T00:00:00Z");
    parse_bad("2025-02-29T00:00:00Z");
    parse_bad("1900-02-29T00:00:00Z"); /* divisible by 100, not by 400 */
    parse_bad("2100-02-29T00:00:00Z");
}
END_TEST

START_TEST(time_parse_garbage)
{
    static const char *const bad[] = {
        "",
        "garbage",
        "2026-01-02",
        "2026-01-02T03:04:05",       /* no zone */
        "2026-01-02T03:04:05+0200",  /* offset without colon */
        "2026-01-02T03:04:05+02",    /* short offset */
        "2026-01-02T03:04:05+24:00", /* offset hour */
        "2026-01-02T03:04:05+02:60", /* offset minute */
        "2026-01-02T03:04:05Zjunk",
        "2026-01-02T03:04:05ZZ",
        "2026-01-02T03:04:05 Z",
        "2026-01-02X03:04:05Z",
        "2026/01/02T03:04:05Z",
        "2026-1-02T03:04:05Z",
        "2026-00-02T03:04:05Z",
        "2026-13-02T03:04:05Z",
        "2026-01-00T03:04:05Z",
        "2026-01-02T24:00:00Z",
        "2026-01-02T03:60:05Z",
        "2026-01-02T03:04:61Z",
        "+026-01-02T03:04:05Z",
        "2026-01-02T03:04:0aZ",
        "20260102T030405Z",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        parse_bad(bad[i]);
    {
        int64_t t = 0;
        ck_assert(!clv_time_parse(NULL, &t));
    }
}
END_TEST

/* Found by tests/fuzz/fuzz_time.c: what clv_time_parse accepts, clv_time_format writes back
 * with a four-digit year (RFC 3339 §5.6) that reads as the same second; an offset that
 * carries the instant out of years 0000-9999 UTC is refused (it showed as 1970). */
START_TEST(time_four_digit_years)
{
    static const char *const edges[] = {"0000-01-01T00:00:00Z", "0999-12-31T23:59:59Z",
                                        "9999-12-31T23:59:59Z"};
    char buf[21];

    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        clv_time_format(parse_ok(edges[i]), buf);
        ck_assert_str_eq(buf, edges[i]);
    }
    clv_time_format(parse_ok("9999-12-31T23:59:59+23:59"), buf);
    ck_assert_str_eq(buf, "9999-12-31T00:00:59Z");
    parse_bad("9999-12-31T23:59:59-00:01"); /* 10000-01-01T00:00:59Z */
    parse_bad("9999-12-31T23:00:00-23:59");
    parse_bad("0000-01-01T00:00:00+00:01"); /* the last minute of year -1 */
}
END_TEST

START_TEST(time_format_and_round_trip)
{
    static const int64_t ts[] = {0,         1,          59,         86399,       946684799,
                                 951825600, 1709164800, 1767323045, 4102444799LL};
    char buf[21];

    clv_time_format(0, buf);
    ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
    clv_time_format(1767323045, buf);
    ck_assert_str_eq(buf, "2026-01-02T03:04:05Z");
    clv_time_format(1709164800, buf);
    ck_assert_str_eq(buf, "2024-02-29T00:00:00Z");
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        clv_time_format(ts[i], buf);
        ck_assert_uint_eq(strlen(buf), 20);
        ck_assert_int_eq(parse_ok(buf), ts[i]);
    }
    /* parse → format keeps the text when it is already canonical */
    clv_time_format(parse_ok("2000-02-29T12:00:00Z"), buf);
    ck_assert_str_eq(buf, "2000-02-29T12:00:00Z");
    clv_time_format(parse_ok("2026-01-02T05:04:05.25+02:00"), buf);
    ck_assert_str_eq(buf, "2026-01-02T03:04:05Z");
}
END_TEST

START_TEST(time_now)
{
    int64_t s = clv_now(), us = clv_now_us();

    ck_assert_int_ge(s, 1700000000);
    ck_assert_int_ge(us / 1000000, s - 1);
    ck_assert_int_le(us / 1000000, s + 1);
}
END_TEST

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
    "CLAVIS_RETENTION",
    "CLAVIS_ACCESS_TOKEN_MIN",
    "CLAVIS_ACCESS_TOKEN_MAX",
    "CLAVIS_REFRESH_TOKEN_MAX",
    "CLAVIS_SECRET_LIFETIME",
    "CLAVIS_PURGE_INTERVAL",
    "CLAVIS_TOKEN_ALG",
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

/* ---- effective status ---- */

START_TEST(effective_status_table)
{
    static const struct {
        clv_status tenant, service, client, want;
    } cases[] = {
        {CLV_STATUS_ACTIVE, CLV_STATUS_ACTIVE, CLV_STATUS_ACTIVE, CLV_STATUS_ACTIVE},
        {CLV_STATUS_ACTIVE, CLV_STATUS_ACTIVE, CLV_STATUS_INACTIVE, CLV_STATUS_INACTIVE},
        {CLV_STATUS_ACTIVE, CLV_STATUS_INACTIVE, CLV_STATUS_ACTIVE, CLV_STATUS_INACTIVE},
        {CLV_STATUS_INACTIVE, CLV_STATUS_ACTIVE, CLV_STATUS_ACTIVE, CLV_STATUS_INACTIVE},
        {CLV_STATUS_ACTIVE, CLV_STATUS_ACTIVE, CLV_STATUS_DELETED, CLV_STATUS_DELETED},
        {CLV_STATUS_ACTIVE, CLV_STATUS_DELETED, CLV_STATUS_ACTIVE, CLV_STATUS_DELETED},
        {CLV_STATUS_INACTIVE, CLV_STATUS_DELETED, CLV_STATUS_ACTIVE, CLV_STATUS_DELETED},
        {CLV_STATUS_INACTIVE, CLV_STATUS_ACTIVE, CLV_STATUS_DELETED, CLV_STATUS_DELETED},
        {CLV_STATUS_INACTIVE, CLV_STATUS_INACTIVE, CLV_STATUS_INACTIVE, CLV_STATUS_INACTIVE},
        {CLV_STATUS_ACTIVE, CLV_STATUS_INACTIVE, CLV_STATUS_DELETED, CLV_STATUS_DELETED},
    };
    clv_client c = {0};

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        c.tenant_status = cases[i].tenant;
        c.service_status = cases[i].service;
        c.status = cases[i].client;
        ck_assert_msg(clv_client_effective_status(&c) == cases[i].want,
                      "case %zu: tenant %s service %s client %s gave %s, want %s", i,
                      clv_status_name(cases[i].tenant), clv_status_name(cases[i].service),
                      clv_status_name(cases[i].client),
                      clv_status_name(clv_client_effective_status(&c)),
                      clv_status_name(cases[i].want));
    }
}
END_TEST

START_TEST(effective_status_all)
{
    static const clv_status all[] = {CLV_STATUS_ACTIVE, CLV_STATUS_INACTIVE, CLV_STATUS_DELETED};
    clv_client c = {0};

    for (int t = 0; t < 3; t++)
        for (int s = 0; s < 3; s++)
            for (int k = 0; k < 3; k++) {
                bool any_deleted, all_active;
                clv_status want, got;
                c.tenant_status = all[t];
                c.service_status = all[s];
                c.status = all[k];
                any_deleted = all[t] == CLV_STATUS_DELETED || all[s] == CLV_STATUS_DELETED ||
                              all[k] == CLV_STATUS_DELETED;
                all_active = all[t] == CLV_STATUS_ACTIVE && all[s] == CLV_STATUS_ACTIVE &&
                             all[k] == CLV_STATUS_ACTIVE;
                want = any_deleted  ? CLV_STATUS_DELETED
                       : all_active ? CLV_STATUS_ACTIVE
                                    : CLV_STATUS_INACTIVE;
                got = clv_client_effective_status(&c);
                ck_assert_msg(got == want, "t=%d s=%d c=%d: got %s want %s", t, s, k,
                              clv_status_name(got), clv_status_name(want));
            }
}
END_TEST

/* ---- grant types ---- */

static void assert_grants(clv_client_type type, bool refresh, bool cc, const char *want)
{
    clv_client c = {0};
    json_t *g;
    char *text;

    c.type = type;
    c.allow_refresh_token = refresh;
    c.allow_client_credentials = cc;
    g = clv_client_grant_types(&c);
    ck_assert_ptr_nonnull(g);
    text = json_dumps(g, JSON_COMPACT);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strcmp(text, want) == 0, "%s refresh=%d cc=%d: got %s want %s",
                  clv_client_type_name(type), refresh, cc, text, want);
    free(text);
    json_decref(g);
}

START_TEST(grant_types)
{
    assert_grants(CLV_TYPE_PUBLIC, false, false, "[\"authorization_code\"]");
    assert_grants(CLV_TYPE_PUBLIC, true, false, "[\"authorization_code\",\"refresh_token\"]");
    /* a public client never gets client_credentials, whatever the flag says */
    assert_grants(CLV_TYPE_PUBLIC, false, true, "[\"authorization_code\"]");
    assert_grants(CLV_TYPE_PUBLIC, true, true, "[\"authorization_code\",\"refresh_token\"]");
    assert_grants(CLV_TYPE_CONFIDENTIAL, false, false, "[\"authorization_code\"]");
    assert_grants(CLV_TYPE_CONFIDENTIAL, true, false, "[\"authorization_code\",\"refresh_token\"]");
    assert_grants(CLV_TYPE_CONFIDENTIAL, false, true,
                  "[\"authorization_code\",\"client_credentials\"]");
    assert_grants(CLV_TYPE_CONFIDENTIAL, true, true,
                  "[\"authorization_code\",\"refresh_token\",\"client_credentials\"]");
    assert_grants(CLV_TYPE_M2M, false, false, "[\"client_credentials\"]");
    assert_grants(CLV_TYPE_M2M, true, true, "[\"client_credentials\"]");
}
END_TEST

START_TEST(client_defaults)
{
    static const clv_client_type types[] = {CLV_TYPE_PUBLIC, CLV_TYPE_CONFIDENTIAL, CLV_TYPE_M2M};
    static const clv_auth_method want_auth[] = {CLV_AUTH_NONE, CLV_AUTH_SECRET_BASIC,
                                                CLV_AUTH_SECRET_BASIC};
    static const bool want_pkce[] = {true, true, false};

    for (int i = 0; i < 3; i++) {
        clv_client *c = calloc(1, sizeof *c);
        ck_assert_ptr_nonnull(c);
        c->type = types[i];
        ck_assert(clv_client_set_defaults(c, CLV_ALG_ES256, 1200, 86400));
        ck_assert_int_eq(c->status, CLV_STATUS_ACTIVE);
        ck_assert_int_eq(c->auth_method, want_auth[i]);
        ck_assert_int_eq(c->require_pkce, want_pkce[i]);
        ck_assert_int_eq(c->signing_alg, CLV_ALG_ES256);
        ck_assert_int_eq(c->access_token_lifetime, 1200);
        ck_assert_int_eq(c->refresh_token_lifetime, 86400);
        ck_assert(!c->allow_refresh_token);
        ck_assert(json_is_array(c->redirect_uris) && json_array_size(c->redirect_uris) == 0);
        ck_assert(json_is_array(c->scopes) && json_is_array(c->roles));
        ck_assert(json_is_array(c->audience) && json_is_array(c->contacts));
        clv_client_free(c);
    }
    clv_client_free(NULL);
}
END_TEST

/* ---- ids ---- */

static const char crockford[] = "0123456789abcdefghjkmnpqrstvwxyz";

static void assert_id_shape(const char *id, const char *prefix)
{
    size_t plen = strlen(prefix);

    ck_assert_uint_eq(strlen(id), plen + 1 + 26);
    ck_assert_msg(strncmp(id, prefix, plen) == 0 && id[plen] == '_', "bad prefix in %s", id);
    for (size_t i = plen + 1; id[i] != '\0'; i++)
        ck_assert_msg(strchr(crockford, id[i]) != NULL, "'%c' at %zu of %s is not Crockford", id[i],
                      i, id);
}

START_TEST(id_format)
{
    char id[CLV_ID_LEN];
    uint64_t ms = 0;
    int64_t now_ms;

    ck_assert(clv_id_new("cli", id));
    now_ms = clv_now_us() / 1000;
    assert_id_shape(id, "cli");
    /* the first 10 characters after the prefix are the creation time in ms */
    for (int i = 0; i < 10; i++)
        ms = ms * 32 + (uint64_t)(strchr(crockford, id[4 + i]) - crockford);
    ck_assert_int_le((int64_t)ms, now_ms);
    ck_assert_int_ge((int64_t)ms, now_ms - 5000);

    ck_assert(clv_id_new("sec", id));
    assert_id_shape(id, "sec");
    ck_assert(clv_id_new("abcdefgh", id)); /* 8 characters: the maximum */
    assert_id_shape(id, "abcdefgh");
    ck_assert(!clv_id_new("abcdefghi", id));
}
END_TEST

START_TEST(id_sorts_by_time)
{
    char a[CLV_ID_LEN], b[CLV_ID_LEN];

    for (int i = 0; i < 5; i++) {
        ck_assert(clv_id_new("ev", a));
        usleep(2000);
        ck_assert(clv_id_new("ev", b));
        ck_assert_msg(strcmp(a, b) < 0, "%s made before %s sorts after it", a, b);
    }
}
END_TEST

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

START_TEST(id_unique_random_part)
{
    enum { N = 1000 };
    static char ids[N][CLV_ID_LEN];
    char *ptrs[N];

    for (int i = 0; i < N; i++) {
        ck_assert(clv_id_new("x", ids[i]));
        ptrs[i] = ids[i];
    }
    qsort(ptrs, N, sizeof ptrs[0], cmp_str);
    for (int i = 1; i < N; i++)
        ck_assert_str_ne(ptrs[i - 1], ptrs[i]);
}
END_TEST

START_TEST(client_id_format_and_unique)
{
    enum { N = 1000 };
    static char ids[N][CLV_ID_LEN];
    char *ptrs[N];

    for (int i = 0; i < N; i++) {
        ck_assert(clv_client_id_new(ids[i]));
        ck_assert_uint_eq(strlen(ids[i]), 22);
        for (const char *p = ids[i]; *p != '\0'; p++)
            ck_assert_msg((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_',
                          "'%c' in client_id %s is not URL-safe", *p, ids[i]);
        ptrs[i] = ids[i];
    }
    qsort(ptrs, N, sizeof ptrs[0], cmp_str);
    for (int i = 1; i < N; i++)
        ck_assert_str_ne(ptrs[i - 1], ptrs[i]);
}
END_TEST

/* ---- errors ---- */

START_TEST(err_table)
{
    ck_assert_int_eq(clv_code_status(CLV_INVALID_CLIENT), 401);
    ck_assert_str_eq(clv_code_oauth(CLV_INVALID_CLIENT), "invalid_client");
    ck_assert_int_eq(clv_code_status(CLV_INVALID_SCOPE), 400);
    ck_assert_str_eq(clv_code_oauth(CLV_INVALID_SCOPE), "invalid_scope");
    ck_assert_int_eq(clv_code_status(CLV_STORE), 500);
    ck_assert_str_eq(clv_code_oauth(CLV_STORE), "server_error");
    ck_assert_str_eq(clv_code_name(CLV_STORE), "CLV_STORE");
    ck_assert_int_eq(clv_code_status(CLV_OK), 200);
    ck_assert_int_eq(clv_code_status(CLV_INVALID), 400);
    ck_assert_str_eq(clv_code_oauth(CLV_INVALID), "invalid_request");
    ck_assert_int_eq(clv_code_status(CLV_UNAUTHENTICATED), 401);
    ck_assert_int_eq(clv_code_status(CLV_FORBIDDEN), 403);
    ck_assert_int_eq(clv_code_status(CLV_NOT_FOUND), 404);
    ck_assert_int_eq(clv_code_status(CLV_CONFLICT), 409);
    ck_assert_int_eq(clv_code_status(CLV_PRECONDITION), 412);
    ck_assert_int_eq(clv_code_status(CLV_TOO_LARGE), 413);
    ck_assert_int_eq(clv_code_status(CLV_UNSUPPORTED_MEDIA), 415);
    ck_assert_str_eq(clv_code_oauth(CLV_INVALID_GRANT), "invalid_grant");
    ck_assert_str_eq(clv_code_oauth(CLV_UNSUPPORTED_GRANT), "unsupported_grant_type");
    ck_assert_str_eq(clv_code_oauth(CLV_UNAUTHORIZED_CLIENT), "unauthorized_client");
    ck_assert_int_eq(clv_code_status(CLV_NOMEM), 500);
    ck_assert_int_eq(clv_code_status(CLV_CRYPTO), 500);
    ck_assert_int_eq(clv_code_status(CLV_INTERNAL), 500);
}
END_TEST

START_TEST(err_out_of_range)
{
    clv_code past = (clv_code)CLV_CODE_COUNT, far = (clv_code)(CLV_CODE_COUNT + 7);

    ck_assert_int_eq(clv_code_status(past), 500);
    ck_assert_str_eq(clv_code_oauth(past), "server_error");
    ck_assert_str_eq(clv_code_name(past), "CLV_UNKNOWN");
    ck_assert_int_eq(clv_code_status(far), 500);
    ck_assert_str_eq(clv_code_oauth(far), "server_error");
}
END_TEST

START_TEST(err_records)
{
    clv_err err;
    char longer[600];

    clv_err_init(&err);
    ck_assert_int_eq(err.code, CLV_OK);
    ck_assert_str_eq(err.detail, "");
    ck_assert_int_eq(clv_fail(&err, CLV_CONFLICT, "x=%d", 5), CLV_CONFLICT);
    ck_assert_int_eq(err.code, CLV_CONFLICT);
    ck_assert_str_eq(err.detail, "x=5");
    ck_assert_str_eq(err.field, "");
    ck_assert_int_eq(clv_fail_field(&err, CLV_INVALID, "redirect_uris[1]", "bad %s", "uri"),
                     CLV_INVALID);
    ck_assert_str_eq(err.field, "redirect_uris[1]");
    ck_assert_str_eq(err.detail, "bad uri");
    ck_assert_int_eq(clv_fail(&err, CLV_STORE, "db"), CLV_STORE);
    ck_assert_str_eq(err.field, ""); /* a later failure without a field clears it */
    ck_assert_int_eq(clv_fail(NULL, CLV_STORE, "ignored"), CLV_STORE);
    ck_assert_int_eq(clv_fail_field(NULL, CLV_INVALID, "f", "ignored"), CLV_INVALID);
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    clv_fail_field(&err, CLV_INVALID, longer, "%s", longer);
    ck_assert_uint_eq(strlen(err.detail), CLV_ERR_DETAIL_MAX - 1);
    ck_assert_uint_eq(strlen(err.field), CLV_ERR_FIELD_MAX - 1);
    clv_err_init(NULL);
}
END_TEST

/* ---- enum names ---- */

START_TEST(enum_names)
{
    clv_alg a = CLV_ALG_RS256;
    clv_client_type t = CLV_TYPE_PUBLIC;
    clv_status s = CLV_STATUS_ACTIVE;

    ck_assert(clv_alg_parse("EdDSA", &a));
    ck_assert_int_eq(a, CLV_ALG_EDDSA);
    ck_assert(!clv_alg_parse("eddsa", &a));
    ck_assert_int_eq(a, CLV_ALG_EDDSA); /* untouched */
    ck_assert(!clv_alg_parse(NULL, &a));
    ck_assert_str_eq(clv_alg_name(CLV_ALG_ES256), "ES256");
    ck_assert(clv_client_type_parse("m2m", &t));
    ck_assert_int_eq(t, CLV_TYPE_M2M);
    ck_assert(!clv_client_type_parse("M2M", &t));
    ck_assert(clv_status_parse("deleted", &s));
    ck_assert_int_eq(s, CLV_STATUS_DELETED);
    ck_assert_str_eq(clv_status_name(CLV_STATUS_INACTIVE), "inactive");
    ck_assert_str_eq(clv_approval_name(CLV_APPROVAL_LIVE), "live");
    ck_assert_str_eq(clv_auth_method_name(CLV_AUTH_SECRET_POST), "client_secret_post");
    ck_assert_str_eq(clv_status_name((clv_status)7), "unknown");
}
END_TEST

/* clv_json_text writes the same text as json_dumps(JSON_COMPACT | JSON_ENCODE_ANY). */
START_TEST(json_text_as_jansson)
{
    static const char *const cases[] = {
        "{}",
        "[]",
        "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
        "{\"iss\":\"https://as.example.com/t/x\",\"scope\":\"read write\",\"exp\":1764000000}",
        "{\"q\":\"say \\\"hi\\\"\",\"bs\":\"a\\\\b\",\"nl\":\"x\\ny\\t\\u0001\"}",
        "{\"\\u00f6lkanne\":\"Gr\\u00fc\\u00dfe \\ud83d\\ude00\",\"del\":\"\\u007f\"}",
        "{\"key \\\"quoted\\\"\":\"v\",\"slash\":\"a/b\"}",
        "{\"r\":1.5,\"e\":-2.5e-10,\"big\":9223372036854775807,\"neg\":-9223372036854775808}",
        "[[[[[]]]],{\"\":\"\"},[1,[2,[3]]]]",
        "\"just a string\"",
        "42",
        "null",
    };
    size_t len = 0;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *v = json_loads(cases[i], JSON_DECODE_ANY, NULL);
        char *want, *got;

        ck_assert_msg(v != NULL, "case %zu does not parse", i);
        want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        got = clv_json_text(v, &len);
        ck_assert_ptr_nonnull(got);
        ck_assert_str_eq(got, want);
        ck_assert_uint_eq(len, strlen(want));
        free(want);
        free(got);
        json_decref(v);
    }
    /* a long value grows the buffer */
    {
        char *big = malloc(5001), *got;
        json_t *v;
        memset(big, 'x', 5000);
        big[5000] = '\0';
        v = json_pack("{s:s, s:[s,s]}", "t", big, "l", big, big);
        got = clv_json_text(v, &len);
        ck_assert_ptr_nonnull(got);
        ck_assert_uint_eq(len, 3 * 5002 + strlen("{\"t\":,\"l\":[,]}"));
        free(got);
        json_decref(v);
        free(big);
    }
    ck_assert_ptr_null(clv_json_text(NULL, &len));
}
END_TEST

/* clv_json_obj writes, member by member, the text jansson writes for the same object. */
START_TEST(json_obj_as_jansson)
{
    json_t *roles = json_pack("[s,s]", "a", "b\"c"), *obj;
    clv_json_obj w;
    char *got, *want;
    size_t len = 0;

    clv_json_obj_begin(&w);
    clv_json_obj_str(&w, "iss", "https://as.example.com");
    clv_json_obj_str(&w, "name \"q\"", "Gr\u00fc\u00dfe\n");
    clv_json_obj_int(&w, "exp", -42);
    clv_json_obj_value(&w, "roles", roles);
    clv_json_obj_value(&w, "t", json_true());
    got = clv_json_obj_end(&w, &len);
    obj = json_pack("{s:s, s:s, s:I, s:O, s:b}", "iss", "https://as.example.com", "name \"q\"",
                    "Gr\u00fc\u00dfe\n", "exp", (json_int_t)-42, "roles", roles, "t", 1);
    want = json_dumps(obj, JSON_COMPACT);
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, want);
    ck_assert_uint_eq(len, strlen(want));
    free(got);
    free(want);
    clv_json_obj_begin(&w);
    clv_json_obj_str(&w, "bad", "\xff not UTF-8"); /* jansson would refuse it too */
    ck_assert_ptr_null(clv_json_obj_end(&w, &len));
    clv_json_obj_begin(&w);
    got = clv_json_obj_end(&w, &len);
    ck_assert_str_eq(got, "{}");
    free(got);
    json_decref(obj);
    json_decref(roles);
}
END_TEST

static Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *time = tcase_create("time");
    TCase *config = tcase_create("config");
    TCase *model = tcase_create("model");
    TCase *ids = tcase_create("ids");
    TCase *err = tcase_create("err");
    TCase *all[] = {time, config, model, ids, err};

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        tcase_set_timeout(all[i], 30);
        suite_add_tcase(s, all[i]);
    }
    tcase_add_test(time, time_parse_zulu);
    tcase_add_test(time, time_parse_offsets);
    tcase_add_test(time, time_parse_fractions);
    tcase_add_test(time, time_parse_leap_days);
    tcase_add_test(time, time_parse_feb29_non_leap);
    tcase_add_test(time, time_parse_garbage);
    tcase_add_test(time, time_format_and_round_trip);
    tcase_add_test(time, time_four_digit_years);
    tcase_add_test(time, time_now);
    tcase_add_test(config, durations);
    tcase_add_test(config, config_defaults);
    tcase_add_test(config, config_env_ignored_without_env);
    tcase_add_test(config, config_env_overrides);
    tcase_add_test(config, config_env_empty_is_unset);
    tcase_add_test(config, config_env_bad_alg);
    tcase_add_test(config, config_env_bad_duration);
    tcase_add_test(config, config_env_bounds_consistent);
    tcase_add_test(config, config_set_str);
    tcase_add_test(model, effective_status_table);
    tcase_add_test(model, effective_status_all);
    tcase_add_test(model, grant_types);
    tcase_add_test(model, json_text_as_jansson);
    tcase_add_test(model, json_obj_as_jansson);
    tcase_add_test(model, client_defaults);
    tcase_add_test(model, enum_names);
    tcase_add_test(ids, id_format);
    tcase_add_test(ids, id_sorts_by_time);
    tcase_add_test(ids, id_unique_random_part);
    tcase_add_test(ids, client_id_format_and_unique);
    tcase_add_test(err, err_table);
    tcase_add_test(err, err_out_of_range);
    tcase_add_test(err, err_records);
    return s;
}

int main(void)
{
    return clv_test_run(core_suite());
}
