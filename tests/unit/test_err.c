/* test_err — unit tests of src/base/err.c: the result-code table and the failure record. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "testutil.h"

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

static Suite *err_suite(void)
{
    Suite *s = suite_create("err");
    TCase *tc = tcase_create("err");

    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    tcase_add_test(tc, err_table);
    tcase_add_test(tc, err_out_of_range);
    tcase_add_test(tc, err_records);
    return s;
}

int main(void)
{
    return clv_test_run(err_suite());
}
