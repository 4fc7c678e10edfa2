/* test_page_trim — src/cli/page_trim.c: after the clean library pages are dropped, the process works
 * on as before (they fault back from the files), and its resident file pages shrink. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/page_trim.h"
#include "crypto/hash.h"
#include "crypto/jwt.h"
#include "testutil.h"

static long rss_file_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;

    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "RssFile: %ld kB", &kb) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return kb;
}

START_TEST(works_on_after_trimming)
{
    clv_keyset *ks = NULL;
    char *pem = NULL, *token = NULL, *text;
    json_t *claims = json_pack("{s:s}", "sub", "x"), *back = NULL;
    unsigned char mac[32];
    long before, after;

    ck_assert_int_eq(clv_keyset_new(&ks, NULL), CLV_OK);
    ck_assert_int_eq(clv_key_generate_pem(CLV_ALG_ES256, &pem, NULL), CLV_OK);
    ck_assert_int_eq(clv_keyset_add(ks, CLV_ALG_ES256, pem, NULL), CLV_OK);
    before = rss_file_kb();
    ck_assert_int_gt(clv_trim_clean_file_pages(), 0);
    after = rss_file_kb();
    ck_assert_msg(after < before, "RssFile %ld kB -> %ld kB", before, after);
    /* libcrypto, jansson and libc code and constants are read back from their files */
    text = json_dumps(claims, JSON_COMPACT); /* jansson's code too */
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(clv_jwt_sign(ks, CLV_ALG_ES256, "at+jwt", text, strlen(text), &token, NULL),
                     CLV_OK);
    free(text);
    ck_assert_int_eq(clv_jwt_verify(ks, token, &back, NULL, NULL), CLV_OK);
    ck_assert_str_eq(json_string_value(json_object_get(back, "sub")), "x");
    ck_assert(clv_hmac_sha256("k", 1, "d", 1, mac));
    json_decref(back);
    json_decref(claims);
    free(token);
    clv_free_secret(pem);
    clv_keyset_free(ks);
    clv_jwt_thread_cleanup();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("trim");
    TCase *tc = tcase_create("trim");

    tcase_add_test(tc, works_on_after_trimming);
    suite_add_tcase(s, tc);
    return clv_test_run(s);
}
