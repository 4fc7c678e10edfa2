/* test_grant_types — unit tests of src/core/grant_types.c: the one grant table, its names,
 * and who may use each grant. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/model.h"
#include "core/grant_types.h"
#include "testutil.h"

/* The grant table (core/grant_types.h): every name parses back to its id, in the order
 * discovery and a client's grant_types show, and who may use a grant is its row. (The
 * grants themselves are pinned by grant_types above and the discovery tests.) */
START_TEST(grant_table)
{
    json_t *names = clv_grant_names();
    char text[512], want[512] = "";
    clv_grant g;

    ck_assert_ptr_nonnull(names);
    ck_assert_int_eq(json_array_size(names), CLV_GRANT_COUNT);
    for (int i = 0; i < CLV_GRANT_COUNT; i++) {
        const char *name = clv_grant_name((clv_grant)i);
        ck_assert_str_eq(json_string_value(json_array_get(names, (size_t)i)), name);
        ck_assert(clv_grant_parse(name, &g));
        ck_assert_int_eq(g, i);
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s",
                 i == 0 ? "" : i == CLV_GRANT_COUNT - 1 ? " or " : ", ", name);
    }
    json_decref(names);
    ck_assert(!clv_grant_parse("password", &g));
    ck_assert(!clv_grant_parse("", &g));
    ck_assert(!clv_grant_parse(NULL, &g));
    ck_assert(!clv_grant_parse("client_credentials ", &g));
    ck_assert_ptr_null(clv_grant_name(CLV_GRANT_COUNT));
    clv_grant_names_text(text, sizeof text);
    ck_assert_str_eq(text, want);
    clv_grant_names_text(text, 10); /* truncated, still a string */
    ck_assert_str_eq(text, "authoriza");
    /* who may: the code flow for clients that redirect users, client_credentials for m2m
     * and (with its option) confidential clients */
    ck_assert(clv_grant_type_may(CLV_TYPE_PUBLIC, CLV_GRANT_AUTHORIZATION_CODE));
    ck_assert(clv_grant_type_may(CLV_TYPE_PUBLIC, CLV_GRANT_REFRESH_TOKEN));
    ck_assert(!clv_grant_type_may(CLV_TYPE_PUBLIC, CLV_GRANT_CLIENT_CREDENTIALS));
    ck_assert(clv_grant_type_may(CLV_TYPE_CONFIDENTIAL, CLV_GRANT_CLIENT_CREDENTIALS));
    ck_assert(!clv_grant_type_may(CLV_TYPE_M2M, CLV_GRANT_AUTHORIZATION_CODE));
    ck_assert(!clv_grant_type_may(CLV_TYPE_M2M, CLV_GRANT_REFRESH_TOKEN));
    ck_assert(clv_grant_type_may(CLV_TYPE_M2M, CLV_GRANT_CLIENT_CREDENTIALS));
    ck_assert_ptr_null(clv_grant_option(CLV_GRANT_AUTHORIZATION_CODE));
    ck_assert_str_eq(clv_grant_option(CLV_GRANT_REFRESH_TOKEN), "allow_refresh_token");
    ck_assert_str_eq(clv_grant_option(CLV_GRANT_CLIENT_CREDENTIALS), "allow_client_credentials");
}
END_TEST

/* A client's grant_types is exactly the rows clv_grant_allowed admits, for every type and
 * every setting of the options. */
START_TEST(grant_types_follow_table)
{
    for (int t = CLV_TYPE_PUBLIC; t <= CLV_TYPE_M2M; t++)
        for (int opts = 0; opts < 4; opts++) {
            clv_client c = {.type = (clv_client_type)t,
                            .allow_refresh_token = (opts & 1) != 0,
                            .allow_client_credentials = (opts & 2) != 0};
            json_t *g = clv_client_grant_types(&c);
            size_t k = 0;
            ck_assert_ptr_nonnull(g);
            for (int i = 0; i < CLV_GRANT_COUNT; i++) {
                if (!clv_grant_allowed(&c, (clv_grant)i))
                    continue;
                ck_assert_str_eq(json_string_value(json_array_get(g, k++)),
                                 clv_grant_name((clv_grant)i));
            }
            ck_assert_int_eq(json_array_size(g), k);
            json_decref(g);
        }
}
END_TEST

static Suite *grant_types_suite(void)
{
    Suite *s = suite_create("grant_types");
    TCase *tc = tcase_create("grant_types");

    suite_add_tcase(s, tc);
    tcase_add_test(tc, grant_table);
    tcase_add_test(tc, grant_types_follow_table);
    return s;
}

int main(void)
{
    return clv_test_run(grant_types_suite());
}
