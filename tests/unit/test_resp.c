/* test_resp — unit tests of src/http/resp.c: the JSON writer that copies long token
 * strings as they are must write exactly what jansson means (any member set, any order),
 * and problem+json / RFC 6749 errors carry their fields (and Retry-After when throttled). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "testutil.h"

/* Writes obj through clv_resp_json and reads the body back. */
static json_t *round_trip(json_t *obj, int *status)
{
    clv_resp resp = {0};
    json_t *back;

    clv_resp_json(&resp, 200, obj);
    *status = resp.status;
    ck_assert_ptr_nonnull(resp.body);
    ck_assert_uint_eq(resp.body_len, strlen(resp.body));
    back = json_loadb(resp.body, resp.body_len, JSON_REJECT_DUPLICATES, NULL);
    ck_assert_msg(back != NULL, "not JSON: %s", resp.body);
    clv_resp_cleanup(&resp);
    return back;
}

static char *long_token(char c, size_t n)
{
    char *t = malloc(n + 1);

    for (size_t i = 0; i < n; i++)
        t[i] = (i % 50 == 49) ? '.' : (char)(c + (char)(i % 3));
    t[n] = '\0';
    return t;
}

START_TEST(tokens_are_written_as_jansson_means_them)
{
    char *at = long_token('a', 600), *rt = long_token('K', 70), *id = long_token('0', 300);
    json_t *obj = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "access_token", at, "token_type",
                            "Bearer", "expires_in", (json_int_t)3600, "refresh_token", rt,
                            "id_token", id, "scope", "openid read \"quoted\" \\ back");
    json_t *want = json_deep_copy(obj), *got;
    int status;

    got = round_trip(obj, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_msg(json_equal(got, want), "members differ");
    json_decref(got);
    json_decref(want);
    free(at);
    free(rt);
    free(id);
}
END_TEST

START_TEST(only_tokens_and_no_tokens)
{
    char *at = long_token('a', 200);
    json_t *only = json_pack("{s:s}", "access_token", at), *want = json_deep_copy(only), *got;
    json_t *none = json_pack("{s:b, s:s}", "active", 0, "x", "short"), *want2;
    int status;

    got = round_trip(only, &status);
    ck_assert(json_equal(got, want));
    json_decref(got);
    want2 = json_deep_copy(none);
    got = round_trip(none, &status);
    ck_assert(json_equal(got, want2));
    json_decref(got);
    json_decref(want);
    json_decref(want2);
    free(at);
}
END_TEST

START_TEST(a_long_string_that_needs_escapes_goes_through_jansson)
{
    char big[200];
    json_t *obj, *want, *got;
    int status;

    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    big[100] = '"'; /* must be escaped */
    obj = json_pack("{s:s}", "access_token", big);
    want = json_deep_copy(obj);
    got = round_trip(obj, &status);
    ck_assert(json_equal(got, want));
    json_decref(got);
    json_decref(want);
}
END_TEST

START_TEST(problem_names_the_field)
{
    clv_resp resp = {0};
    clv_err err;
    json_t *p;

    clv_err_init(&err);
    clv_fail_field(&err, CLV_INVALID, "redirect_uris[1]", "has a fragment");
    clv_resp_problem(&resp, &err);
    ck_assert_int_eq(resp.status, 400);
    ck_assert_str_eq(resp.content_type, "application/problem+json");
    p = json_loads(resp.body, 0, NULL);
    /* detail is "<field>: <message>"; errors[0] holds the two apart */
    ck_assert_str_eq(json_string_value(json_object_get(p, "detail")),
                     "redirect_uris[1]: has a fragment");
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(p, "errors"), 0), "field")),
                     "redirect_uris[1]");
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(p, "errors"), 0), "message")),
                     "has a fragment");
    json_decref(p);
    clv_resp_cleanup(&resp);
}
END_TEST

START_TEST(problem_of_a_server_failure_shows_no_detail)
{
    clv_resp resp = {0};
    clv_err err;
    json_t *p;

    clv_err_init(&err);
    clv_fail_field(&err, CLV_STORE, "name", "disk I/O error");
    clv_resp_problem(&resp, &err);
    ck_assert_int_eq(resp.status, 500);
    p = json_loads(resp.body, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(p, "detail")), "internal error");
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(p, "errors"), 0), "message")),
                     "internal error");
    ck_assert_ptr_null(strstr(resp.body, "disk"));
    json_decref(p);
    clv_resp_cleanup(&resp);
}
END_TEST

static const char *header(const clv_resp *resp, const char *name)
{
    for (int i = 0; i < resp->header_count; i++)
        if (strcmp(resp->header_names[i], name) == 0)
            return resp->header_values[i];
    return NULL;
}

/* RFC 6585 §4: a throttled caller gets 429 and Retry-After, as RFC 6749 JSON or
 * problem+json; no other error gets Retry-After. */
/* A database that cannot be reached (CLV_UNAVAILABLE): 503 with Retry-After, RFC 6749's
 * temporarily_unavailable on protocol endpoints, and a problem that says so — without the
 * store's own words (docs/OPERATIONS.md "PostgreSQL"). */
START_TEST(unavailable_is_503)
{
    clv_resp resp = {0};
    clv_err err;
    json_t *p;

    clv_err_init(&err);
    clv_fail(&err, CLV_UNAVAILABLE, "store: cannot connect to PostgreSQL: host 10.0.0.9 refused");
    clv_resp_oauth_error(&resp, &err);
    ck_assert_int_eq(resp.status, 503);
    ck_assert_str_eq(header(&resp, "Retry-After"), "1");
    p = json_loads(resp.body, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(p, "error")), "temporarily_unavailable");
    ck_assert_ptr_null(strstr(resp.body, "10.0.0.9"));
    json_decref(p);
    clv_resp_cleanup(&resp);
    clv_resp_problem(&resp, &err);
    ck_assert_int_eq(resp.status, 503);
    p = json_loads(resp.body, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(p, "title")), "Service Unavailable");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(p, "detail")), "unavailable"));
    ck_assert_ptr_null(strstr(resp.body, "10.0.0.9"));
    json_decref(p);
    clv_resp_cleanup(&resp);
}
END_TEST

START_TEST(throttled_is_429_with_retry_after)
{
    clv_resp resp = {0};
    clv_err err;
    json_t *p;

    clv_err_init(&err);
    clv_fail(&err, CLV_THROTTLED, "too many failed attempts; retry after 7 s");
    err.retry_after = 7;
    clv_resp_oauth_error(&resp, &err);
    ck_assert_int_eq(resp.status, 429);
    ck_assert_str_eq(header(&resp, "Retry-After"), "7");
    ck_assert_ptr_null(header(&resp, "WWW-Authenticate"));
    p = json_loads(resp.body, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(p, "error")), "temporarily_unavailable");
    json_decref(p);
    clv_resp_cleanup(&resp);
    clv_resp_problem(&resp, &err);
    ck_assert_int_eq(resp.status, 429);
    ck_assert_str_eq(header(&resp, "Retry-After"), "7");
    p = json_loads(resp.body, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(p, "title")), "Too Many Requests");
    json_decref(p);
    clv_resp_cleanup(&resp);
    clv_fail(&err, CLV_INVALID_CLIENT, "client authentication failed");
    clv_resp_oauth_error(&resp, &err);
    ck_assert_ptr_null(header(&resp, "Retry-After"));
    clv_resp_cleanup(&resp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("resp");
    TCase *tc = tcase_create("json");

    tcase_add_test(tc, tokens_are_written_as_jansson_means_them);
    tcase_add_test(tc, only_tokens_and_no_tokens);
    tcase_add_test(tc, a_long_string_that_needs_escapes_goes_through_jansson);
    tcase_add_test(tc, problem_names_the_field);
    tcase_add_test(tc, problem_of_a_server_failure_shows_no_detail);
    tcase_add_test(tc, throttled_is_429_with_retry_after);
    tcase_add_test(tc, unavailable_is_503);
    suite_add_tcase(s, tc);
    return clv_test_run(s);
}
