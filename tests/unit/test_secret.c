/* test_secret — unit tests of src/core/secret.c (docs/DESIGN.md M "Secret") with a real clv_app:
 * generation, the keyed hash and its key's persistence (database or key directory), and
 * checking a presented secret against several stored ones. Each test runs in its own
 * process (CK_FORK) on a fresh database in its own temporary directory. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/config.h"
#include "core/app.h"
#include "core/secret.h"
#include "crypto/hash.h"
#include "testutil.h"

static char root[64]; /* per test case, made and removed by the parent process */
static char dir[128]; /* per test, inside root */
static clv_config cfg;
static clv_app *app;

static void case_setup(void)
{
    snprintf(root, sizeof root, "/tmp/clv_secret_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static void case_teardown(void)
{
    clv_test_rm_tree(root);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "%s/tXXXXXX", root);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    clv_test_config(&cfg, dir, "t.db", "http://127.0.0.1:9");
    app = clv_test_app_open(&cfg);
}

static void teardown(void)
{
    clv_app_free(app);
    app = NULL;
    clv_config_cleanup(&cfg);
    clv_test_rm_tree(dir);
}

static void hex(const unsigned char *h, char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* Compares two hashes, printing both on failure. */
#define assert_hash_eq(a, b)                                                                       \
    do {                                                                                           \
        char ha_[65], hb_[65];                                                                     \
        hex((a), ha_);                                                                             \
        hex((b), hb_);                                                                             \
        ck_assert_str_eq(ha_, hb_);                                                                \
    } while (0)
#define assert_hash_ne(a, b)                                                                       \
    do {                                                                                           \
        char ha_[65], hb_[65];                                                                     \
        hex((a), ha_);                                                                             \
        hex((b), hb_);                                                                             \
        ck_assert_str_ne(ha_, hb_);                                                                \
    } while (0)

static bool b64url_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_';
}

/* ---- generation ---- */

START_TEST(generate_shape)
{
    clv_secret *s = NULL, *t = NULL;
    char *plain = NULL, *plain2 = NULL;
    unsigned char h[32];
    int64_t before = clv_now();
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_secret_generate(app, "cid_1", "first", before + 100, &s, &plain, &err),
                     CLV_OK);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(plain);
    ck_assert_uint_eq(strlen(plain), 4 + 43);
    ck_assert_int_eq(strncmp(plain, CLV_SECRET_PREFIX, 4), 0);
    ck_assert_str_eq(CLV_SECRET_PREFIX, "clv_");
    for (size_t i = 4; plain[i] != '\0'; i++)
        ck_assert_msg(b64url_char(plain[i]), "'%c' at %zu of the secret is not base64url", plain[i],
                      i);
    ck_assert_ptr_nonnull(s->secret_id);
    ck_assert_int_eq(strncmp(s->secret_id, "sec_", 4), 0);
    ck_assert_str_eq(s->client_id, "cid_1");
    ck_assert_str_eq(s->description, "first");
    ck_assert_int_eq(s->expires_at, before + 100);
    ck_assert_int_ge(s->created_at, before);
    ck_assert_int_le(s->created_at, clv_now());
    ck_assert_int_eq(s->last_used_at, 0);

    /* the stored hash is the keyed hash of the plaintext, not the plaintext */
    ck_assert(clv_secret_hash(app, plain, h));
    assert_hash_eq(s->hash, h);
    ck_assert(memcmp(s->hash, plain, 32) != 0);
    ck_assert(memcmp(s->hash, plain + 4, 32) != 0);

    /* a second secret differs in every part */
    ck_assert_int_eq(clv_secret_generate(app, "cid_1", NULL, 0, &t, &plain2, &err), CLV_OK);
    ck_assert_str_ne(plain, plain2);
    ck_assert_str_ne(s->secret_id, t->secret_id);
    assert_hash_ne(s->hash, t->hash);
    ck_assert_ptr_null(t->description);
    ck_assert_int_eq(t->expires_at, 0);

    clv_free_secret(plain);
    clv_free_secret(plain2);
    clv_secret_free(s);
    clv_secret_free(t);
    clv_secret_free(NULL);
}
END_TEST

START_TEST(generate_many_distinct)
{
    enum { N = 50 };
    char *plains[N];

    for (int i = 0; i < N; i++) {
        clv_secret *s = NULL;
        ck_assert_int_eq(clv_secret_generate(app, "c", NULL, 0, &s, &plains[i], NULL), CLV_OK);
        clv_secret_free(s);
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(plains[i], plains[j]);
    }
    for (int i = 0; i < N; i++)
        clv_free_secret(plains[i]);
}
END_TEST

START_TEST(hash_depends_on_key)
{
    clv_config cfg2;
    clv_app *app2;
    unsigned char h1[32], h2[32], h1b[32];
    const char *plain = "clv_the-same-plaintext-in-both-apps";

    clv_test_config(&cfg2, dir, "other.db", "http://127.0.0.1:9");
    app2 = clv_test_app_open(&cfg2);
    ck_assert(clv_secret_hash(app, plain, h1));
    ck_assert(clv_secret_hash(app, plain, h1b));
    ck_assert(clv_secret_hash(app2, plain, h2));
    assert_hash_eq(h1, h1b); /* deterministic */
    assert_hash_ne(h1, h2);  /* another database, another HMAC key */
    ck_assert(clv_secret_hash(app, "clv_the-same-plaintext-in-both-appt", h1b));
    assert_hash_ne(h1, h1b);
    clv_app_free(app2);
    clv_config_cleanup(&cfg2);
}
END_TEST

/* ---- checking ---- */

static clv_secret make(unsigned char fill, int64_t expires_at)
{
    clv_secret s = {.secret_id = "sec_x", .client_id = "cid", .expires_at = expires_at};

    memset(s.hash, fill, sizeof s.hash);
    return s;
}

static clv_list list_of(clv_secret **items, size_t n)
{
    clv_list l = {.items = (void **)items, .count = n};

    return l;
}

static const char *match_name(clv_secret_match m)
{
    return m == CLV_SECRET_OK ? "OK" : m == CLV_SECRET_EXPIRED ? "EXPIRED" : "NO_MATCH";
}

#define assert_match(got, want) ck_assert_str_eq(match_name(got), match_name(want))

START_TEST(check_real_secret)
{
    clv_secret *s = NULL;
    char *plain = NULL;
    unsigned char h[32];
    const clv_secret *which = NULL;
    clv_list l;
    int64_t now = clv_now();

    ck_assert_int_eq(clv_secret_generate(app, "cid", NULL, now + 3600, &s, &plain, NULL), CLV_OK);
    l = list_of(&s, 1);
    ck_assert(clv_secret_hash(app, plain, h));
    assert_match(clv_secret_check(h, &l, now, &which), CLV_SECRET_OK);
    ck_assert_ptr_eq(which, s);

    /* one character off */
    plain[strlen(plain) - 1] ^= 1;
    ck_assert(clv_secret_hash(app, plain, h));
    which = NULL;
    assert_match(clv_secret_check(h, &l, now, &which), CLV_SECRET_NO_MATCH);
    ck_assert_ptr_null(which);
    /* without the prefix */
    plain[strlen(plain) - 1] ^= 1;
    ck_assert(clv_secret_hash(app, plain + 4, h));
    assert_match(clv_secret_check(h, &l, now, NULL), CLV_SECRET_NO_MATCH);

    /* after expiry */
    ck_assert(clv_secret_hash(app, plain, h));
    assert_match(clv_secret_check(h, &l, now + 3600, &which), CLV_SECRET_EXPIRED);
    assert_match(clv_secret_check(h, &l, now + 3599, NULL), CLV_SECRET_OK);
    clv_free_secret(plain);
    clv_secret_free(s);
}
END_TEST

START_TEST(check_expiry)
{
    clv_secret past = make(0xAA, 1000), never = make(0xBB, 0), future = make(0xCC, 5000);
    clv_secret *items[] = {&past, &never, &future};
    clv_list l = list_of(items, 3);
    unsigned char h[32];
    const clv_secret *which = NULL;

    memset(h, 0xAA, sizeof h);
    assert_match(clv_secret_check(h, &l, 2000, &which), CLV_SECRET_EXPIRED);
    ck_assert_ptr_eq(which, &past);
    assert_match(clv_secret_check(h, &l, 999, NULL), CLV_SECRET_OK);
    assert_match(clv_secret_check(h, &l, 1000, NULL), CLV_SECRET_EXPIRED); /* at expiry */

    memset(h, 0xBB, sizeof h); /* expires_at 0: never expires */
    assert_match(clv_secret_check(h, &l, INT64_MAX, &which), CLV_SECRET_OK);
    ck_assert_ptr_eq(which, &never);

    memset(h, 0xCC, sizeof h);
    assert_match(clv_secret_check(h, &l, 4999, &which), CLV_SECRET_OK);
    ck_assert_ptr_eq(which, &future);
    assert_match(clv_secret_check(h, &l, 5001, NULL), CLV_SECRET_EXPIRED);
}
END_TEST

START_TEST(check_several)
{
    clv_secret a = make(0x01, 0), b = make(0x02, 0), c = make(0x03, 0);
    clv_secret *items[] = {&a, &b, &c};
    clv_list l = list_of(items, 3), empty = list_of(items, 0);
    unsigned char h[32];
    const clv_secret *which = NULL;

    memset(h, 0x02, sizeof h); /* the second one matches */
    assert_match(clv_secret_check(h, &l, 100, &which), CLV_SECRET_OK);
    ck_assert_ptr_eq(which, &b);
    memset(h, 0x03, sizeof h);
    assert_match(clv_secret_check(h, &l, 100, &which), CLV_SECRET_OK);
    ck_assert_ptr_eq(which, &c);
    memset(h, 0x04, sizeof h);
    which = NULL;
    assert_match(clv_secret_check(h, &l, 100, &which), CLV_SECRET_NO_MATCH);
    ck_assert_ptr_null(which);
    /* a hash that differs only in its last byte */
    memset(h, 0x02, sizeof h);
    h[31] = 0x03;
    assert_match(clv_secret_check(h, &l, 100, NULL), CLV_SECRET_NO_MATCH);
    memset(h, 0x01, sizeof h);
    assert_match(clv_secret_check(h, &empty, 100, NULL), CLV_SECRET_NO_MATCH);
}
END_TEST

/* The same hash stored twice (one expired, one live) authenticates in either order. */
START_TEST(check_expired_and_live_twin)
{
    clv_secret old = make(0x07, 50), cur = make(0x07, 0);
    clv_secret *fwd[] = {&old, &cur}, *rev[] = {&cur, &old};
    clv_list l1 = list_of(fwd, 2), l2 = list_of(rev, 2);
    unsigned char h[32];
    const clv_secret *which = NULL;

    memset(h, 0x07, sizeof h);
    assert_match(clv_secret_check(h, &l1, 100, &which), CLV_SECRET_OK);
    ck_assert_ptr_eq(which, &cur);
    assert_match(clv_secret_check(h, &l2, 100, &which), CLV_SECRET_OK);
    ck_assert_ptr_eq(which, &cur);
}
END_TEST

/* ---- the HMAC key ---- */

START_TEST(hmac_key_persists_in_db)
{
    unsigned char h1[32], h2[32];
    const char *plain = "clv_persistence-check";
    char *meta = NULL;

    ck_assert(clv_secret_hash(app, plain, h1));
    /* sealed under the KEK (docs/DESIGN.md "Signing keys and the KEK"), never in clear */
    ck_assert_int_eq(clv_store_meta_get(app->store, "key:hmac", &meta, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_meta_get(app->store, "sealed:hmac", &meta, NULL), CLV_OK);
    ck_assert_uint_gt(strlen(meta), 43);
    clv_free_secret(meta);
    clv_app_free(app);
    app = clv_test_app_open(&cfg);
    ck_assert(clv_secret_hash(app, plain, h2));
    assert_hash_eq(h1, h2);
}
END_TEST

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 16384);
    size_t n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_ptr_nonnull(buf);
    n = fread(buf, 1, 16383, f);
    fclose(f);
    ck_assert_uint_gt(n, 0);
    return buf;
}

START_TEST(key_dir_files)
{
    char keys[192], path[256], *meta = NULL, *kek1 = NULL, *kek2 = NULL;
    unsigned char h1[32], h2[32];
    const char *plain = "clv_key-dir-check";
    clv_config kc;
    clv_app *ka;
    struct stat st;

    snprintf(keys, sizeof keys, "%s/keys", dir);
    clv_test_config(&kc, dir, "k.db", "http://127.0.0.1:9");
    ck_assert(clv_config_set_str(&kc.key_dir, keys));
    ka = clv_test_app_open(&kc);
    ck_assert(clv_secret_hash(ka, plain, h1));
    /* with a key directory, the KEK is there, and the keys are in the database, sealed */
    ck_assert_int_eq(clv_store_meta_get(ka->store, "key:hmac", &meta, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_meta_get(ka->store, "key:rs256", &meta, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_meta_get(ka->store, "sealed:hmac", &meta, NULL), CLV_OK);
    free(meta);
    clv_app_free(ka);

    ck_assert_int_eq(stat(keys, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_int_eq(st.st_mode & 077, 0); /* nobody else may list it */
    snprintf(path, sizeof path, "%s/kek", keys);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    kek1 = slurp(path);
    snprintf(path, sizeof path, "%s/rs256.key", keys);
    ck_assert_int_ne(stat(path, &st), 0); /* no key in clear */
    snprintf(path, sizeof path, "%s/k.db.kek", dir);
    ck_assert_int_ne(stat(path, &st), 0); /* not beside the database */

    /* reopened with the same directory: the same keys */
    ka = clv_test_app_open(&kc);
    ck_assert(clv_secret_hash(ka, plain, h2));
    assert_hash_eq(h1, h2);
    clv_app_free(ka);
    snprintf(path, sizeof path, "%s/kek", keys);
    kek2 = slurp(path);
    ck_assert_str_eq(kek1, kek2); /* never rewritten */
    /* the default database's own key differs */
    ck_assert(clv_secret_hash(app, plain, h2));
    assert_hash_ne(h1, h2);
    clv_free_secret(kek1);
    clv_free_secret(kek2);
    clv_config_cleanup(&kc);
}
END_TEST

START_TEST(app_free_null)
{
    clv_app_free(NULL);
}
END_TEST

static Suite *secret_suite(void)
{
    Suite *s = suite_create("secret");
    TCase *gen = tcase_create("generate");
    TCase *check = tcase_create("check");
    TCase *key = tcase_create("key");
    TCase *all[] = {gen, check, key};

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        tcase_add_unchecked_fixture(all[i], case_setup, case_teardown);
        tcase_add_checked_fixture(all[i], setup, teardown);
        tcase_set_timeout(all[i], 60);
        suite_add_tcase(s, all[i]);
    }
    tcase_add_test(gen, generate_shape);
    tcase_add_test(gen, generate_many_distinct);
    tcase_add_test(gen, hash_depends_on_key);
    tcase_add_test(check, check_real_secret);
    tcase_add_test(check, check_expiry);
    tcase_add_test(check, check_several);
    tcase_add_test(check, check_expired_and_live_twin);
    tcase_add_test(key, hmac_key_persists_in_db);
    tcase_add_test(key, key_dir_files);
    tcase_add_test(key, app_free_null);
    return s;
}

int main(void)
{
    return clv_test_run(secret_suite());
}
