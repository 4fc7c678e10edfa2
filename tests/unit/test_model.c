/* test_model — unit tests of src/base/model.c: RFC 3339 times, effective status, a client's
 * grant types and defaults, and the names of the enum values. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/model.h"
#include "core/grant_types.h"
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
        ck_assert(clv_client_set_defaults(c, 1200, 86400));
        ck_assert_int_eq(c->status, CLV_STATUS_ACTIVE);
        ck_assert_int_eq(c->auth_method, want_auth[i]);
        ck_assert_int_eq(c->require_pkce, want_pkce[i]);
        ck_assert_int_eq(c->signing_alg, CLV_ALG_SERVER); /* follows --token-alg */
        ck_assert_int_eq(clv_client_alg(c, CLV_ALG_ES256), CLV_ALG_ES256);
        ck_assert(c->first_party);
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

static Suite *model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("model");

    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    tcase_add_test(tc, time_parse_zulu);
    tcase_add_test(tc, time_parse_offsets);
    tcase_add_test(tc, time_parse_fractions);
    tcase_add_test(tc, time_parse_leap_days);
    tcase_add_test(tc, time_parse_feb29_non_leap);
    tcase_add_test(tc, time_parse_garbage);
    tcase_add_test(tc, time_format_and_round_trip);
    tcase_add_test(tc, time_four_digit_years);
    tcase_add_test(tc, time_now);
    tcase_add_test(tc, effective_status_table);
    tcase_add_test(tc, effective_status_all);
    tcase_add_test(tc, grant_types);
    tcase_add_test(tc, client_defaults);
    tcase_add_test(tc, enum_names);
    return s;
}

int main(void)
{
    return clv_test_run(model_suite());
}
