/* test_json_text — unit tests of src/base/json_text.c: the text it writes is exactly
 * jansson's (json_dumps with JSON_COMPACT). */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json_text.h"
#include "testutil.h"

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

/* CLAVIS_TRUSTED_PROXIES: IP addresses, kept in canonical form; anything else refused. */

static Suite *json_text_suite(void)
{
    Suite *s = suite_create("json_text");
    TCase *tc = tcase_create("json_text");

    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    tcase_add_test(tc, json_text_as_jansson);
    tcase_add_test(tc, json_obj_as_jansson);
    return s;
}

int main(void)
{
    return clv_test_run(json_text_suite());
}
