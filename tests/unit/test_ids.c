/* test_ids — unit tests of src/core/ids.c: the shape, order and randomness of ids and
 * client_ids. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/model.h"
#include "core/ids.h"
#include "testutil.h"

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

static Suite *ids_suite(void)
{
    Suite *s = suite_create("ids");
    TCase *tc = tcase_create("ids");

    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    tcase_add_test(tc, id_format);
    tcase_add_test(tc, id_sorts_by_time);
    tcase_add_test(tc, id_unique_random_part);
    tcase_add_test(tc, client_id_format_and_unique);
    return s;
}

int main(void)
{
    return clv_test_run(ids_suite());
}
