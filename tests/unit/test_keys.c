/* test_keys — unit tests of the signing keys at rest and their rotation (src/core/kek.c,
 * src/core/signing_keys.c, clv_seal_key; docs/DESIGN.md "Signing keys and the KEK"): the
 * rows are sealed under the KEK and bound to their kid; a database of the layout before
 * (keys in clear in meta, or in --key-dir files) is moved into the table in one
 * transaction; retire_at and the JWKS; two apps on one database. SQLite. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/b64.h"
#include "base/config.h"
#include "core/app.h"
#include "core/signing_keys.h"
#include "crypto/hash.h"
#include "crypto/seal.h"
#include "store/sqlite/impl.h" /* clv_sqlite_migrate_to: the layout of the release before */
#include "testutil.h"

static char root[64];
static char dir[128];

static void case_setup(void)
{
    snprintf(root, sizeof root, "/tmp/clv_keys_XXXXXX");
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
}

static void teardown(void)
{
    clv_test_rm_tree(dir);
}

static clv_list key_rows(clv_app *app)
{
    clv_list l = {0};

    ck_assert_int_eq(clv_store_signing_key_list(app->store, &l, NULL), CLV_OK);
    return l;
}

static const clv_signing_key *active_row(const clv_list *l, clv_alg alg)
{
    for (size_t i = 0; i < l->count; i++) {
        const clv_signing_key *k = l->items[i];
        if (k->active && k->alg == alg)
            return k;
    }
    return NULL;
}

static size_t jwks_count(clv_app *app)
{
    json_t *j = json_loads(clv_keyset_jwks(clv_app_keys(app)), 0, NULL);
    size_t n = json_array_size(json_object_get(j, "keys"));

    json_decref(j);
    return n;
}

START_TEST(seal_key_values)
{
    unsigned char kek[32] = {1}, other[32] = {2};
    char *big = malloc(CLV_SEAL_KEY_MAX + 2), *sealed = NULL, *plain = NULL;

    ck_assert_ptr_nonnull(big);
    memset(big, 'k', 5000);
    big[5000] = '\0';
    ck_assert_int_eq(clv_seal_key(kek, "label a", big, &sealed, NULL), CLV_OK);
    ck_assert_ptr_null(strstr(sealed, "kkkk"));
    ck_assert_int_eq(clv_unseal_key(kek, "label a", sealed, &plain, NULL), CLV_OK);
    ck_assert_str_eq(plain, big);
    clv_free_secret(plain);
    plain = NULL;
    /* another label (another row) or another KEK opens nothing */
    ck_assert_int_eq(clv_unseal_key(kek, "label b", sealed, &plain, NULL), CLV_UNAUTHENTICATED);
    ck_assert_int_eq(clv_unseal_key(other, "label a", sealed, &plain, NULL), CLV_UNAUTHENTICATED);
    sealed[10] = sealed[10] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(clv_unseal_key(kek, "label a", sealed, &plain, NULL), CLV_UNAUTHENTICATED);
    ck_assert_ptr_null(plain);
    free(sealed);
    /* the short form keeps its bound */
    ck_assert_int_eq(clv_seal(kek, "x", big, &sealed, NULL), CLV_INVALID);
    memset(big, 'k', CLV_SEAL_KEY_MAX + 1);
    big[CLV_SEAL_KEY_MAX + 1] = '\0';
    ck_assert_int_eq(clv_seal_key(kek, "x", big, &sealed, NULL), CLV_INVALID);
    free(big);
}
END_TEST

START_TEST(rows_are_sealed_and_bound_to_their_kid)
{
    clv_config cfg;
    clv_app *app;
    clv_list l;
    char label[96], *pem = NULL, *kek = NULL, path[256];
    struct stat st;

    clv_test_config(&cfg, dir, "t.db", "http://127.0.0.1:9");
    app = clv_test_app_open(&cfg);
    l = key_rows(app);
    ck_assert_uint_eq(l.count, 3);
    for (size_t i = 0; i < l.count; i++) {
        const clv_signing_key *k = l.items[i];
        char kid[CLV_KID_MAX];
        ck_assert(k->active);
        ck_assert_int_eq(k->retire_at, 0);
        ck_assert_ptr_null(strstr(k->sealed, "PRIVATE"));
        snprintf(label, sizeof label, "clavis signing key %s", k->kid);
        ck_assert_int_eq(clv_unseal_key(app->kek, label, k->sealed, &pem, NULL), CLV_OK);
        ck_assert_ptr_nonnull(strstr(pem, "-----BEGIN PRIVATE KEY-----"));
        ck_assert_int_eq(clv_key_kid(k->alg, pem, kid, NULL), CLV_OK);
        ck_assert_str_eq(kid, k->kid);
        ck_assert_str_eq(clv_keyset_kid(clv_app_keys(app), k->alg), k->kid);
        clv_free_secret(pem);
        pem = NULL;
        /* a row's sealed key under another row's kid opens nothing */
        snprintf(label, sizeof label, "clavis signing key %s",
                 ((const clv_signing_key *)l.items[(i + 1) % l.count])->kid);
        ck_assert_int_eq(clv_unseal_key(app->kek, label, k->sealed, &pem, NULL),
                         CLV_UNAUTHENTICATED);
    }
    clv_list_cleanup(&l);
    /* the KEK: beside the database, 0600, not in it */
    snprintf(path, sizeof path, "%s/t.db.kek", dir);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(clv_store_meta_get(app->store, "kek", &kek, NULL), CLV_NOT_FOUND);
    clv_app_free(app);
    clv_config_cleanup(&cfg);
}
END_TEST

/* The HMAC check value a release before wrote in meta (key_check, core/app.c). */
static void key_check_of(const unsigned char hmac[32], char out[64])
{
    static const char label[] = "clavis key check";
    unsigned char mac[32];

    ck_assert(clv_hmac_sha256(hmac, 32, label, sizeof label - 1, mac));
    clv_b64url_encode(mac, 16, out);
}

/* A database as the release before left it: schema up to migration 5, every key in clear
 * in meta. pems[alg] gets the PEMs (caller frees); bad_es256 puts a broken ES256 key. */
static void old_layout(const char *db, const unsigned char hmac[32], char *pems[CLV_ALG_COUNT],
                       bool bad_es256)
{
    static const char *const names[CLV_ALG_COUNT] = {"key:rs256", "key:es256", "key:eddsa"};
    clv_store *store = NULL;
    char text[64], check[64];
    unsigned char salt[32];

    ck_assert_int_eq(clv_store_open(db, &store, NULL), CLV_OK);
    ck_assert_int_eq(clv_sqlite_migrate_to(store, 5, NULL), CLV_OK);
    clv_b64url_encode(hmac, 32, text);
    ck_assert_int_eq(clv_store_meta_put(store, "key:hmac", text, NULL), CLV_OK);
    memset(salt, 9, sizeof salt);
    clv_b64url_encode(salt, 32, text);
    ck_assert_int_eq(clv_store_meta_put(store, "key:pairwise_salt", text, NULL), CLV_OK);
    key_check_of(hmac, check);
    ck_assert_int_eq(clv_store_meta_put(store, "key_check", check, NULL), CLV_OK);
    for (int a = 0; a < CLV_ALG_COUNT; a++) {
        ck_assert_int_eq(clv_key_generate_pem((clv_alg)a, &pems[a], NULL), CLV_OK);
        ck_assert_int_eq(clv_store_meta_put(store, names[a],
                                            bad_es256 && a == CLV_ALG_ES256 ? "junk" : pems[a],
                                            NULL),
                         CLV_OK);
    }
    clv_store_free(store);
}

START_TEST(migrates_keys_in_clear_from_meta)
{
    unsigned char hmac[32], salt[32];
    char db[256], *pems[CLV_ALG_COUNT] = {NULL}, *v = NULL;
    clv_config cfg;
    clv_app *app;
    clv_list l;

    memset(hmac, 5, sizeof hmac);
    memset(salt, 9, sizeof salt);
    snprintf(db, sizeof db, "%s/old.db", dir);
    old_layout(db, hmac, pems, false);
    clv_test_config(&cfg, dir, "old.db", "http://127.0.0.1:9");
    app = clv_test_app_open(&cfg);
    /* the same keys, now sealed in the table; nothing in clear is left in meta */
    ck_assert_mem_eq(app->hmac_key, hmac, 32);
    ck_assert_mem_eq(app->pairwise_salt, salt, 32);
    l = key_rows(app);
    ck_assert_uint_eq(l.count, 3);
    for (int a = 0; a < CLV_ALG_COUNT; a++) {
        char kid[CLV_KID_MAX];
        const clv_signing_key *k = active_row(&l, (clv_alg)a);
        ck_assert_ptr_nonnull(k);
        ck_assert_int_eq(clv_key_kid((clv_alg)a, pems[a], kid, NULL), CLV_OK);
        ck_assert_str_eq(k->kid, kid); /* tokens signed before the upgrade still verify */
        ck_assert_str_eq(clv_keyset_kid(clv_app_keys(app), (clv_alg)a), kid);
        clv_free_secret(pems[a]);
    }
    clv_list_cleanup(&l);
    for (const char *const *n = (const char *const[]){"key:hmac", "key:pairwise_salt", "key:rs256",
                                                      "key:es256", "key:eddsa", NULL};
         *n != NULL; n++)
        ck_assert_int_eq(clv_store_meta_get(app->store, *n, &v, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_meta_get(app->store, "sealed:hmac", &v, NULL), CLV_OK);
    free(v);
    clv_app_free(app);
    /* and opens again as it is */
    app = clv_test_app_open(&cfg);
    ck_assert_mem_eq(app->hmac_key, hmac, 32);
    clv_app_free(app);
    clv_config_cleanup(&cfg);
}
END_TEST

START_TEST(a_failed_migration_changes_nothing)
{
    unsigned char hmac[32];
    char db[256], *pems[CLV_ALG_COUNT] = {NULL}, *v = NULL;
    clv_config cfg;
    clv_app *app = NULL;
    clv_store *store = NULL;
    clv_list l = {0};
    clv_err err;

    memset(hmac, 6, sizeof hmac);
    snprintf(db, sizeof db, "%s/bad.db", dir);
    old_layout(db, hmac, pems, true);
    clv_test_config(&cfg, dir, "bad.db", "http://127.0.0.1:9");
    clv_err_init(&err);
    ck_assert_int_ne(clv_app_open(&cfg, &app, &err), CLV_OK);
    ck_assert_ptr_null(app);
    /* all in one transaction: the keys are still where they were, none was moved */
    ck_assert_int_eq(clv_store_open(db, &store, NULL), CLV_OK);
    ck_assert_int_eq(clv_store_meta_get(store, "key:hmac", &v, NULL), CLV_OK);
    free(v);
    ck_assert_int_eq(clv_store_meta_get(store, "key:rs256", &v, NULL), CLV_OK);
    free(v);
    ck_assert_int_eq(clv_store_meta_get(store, "sealed:hmac", &v, NULL), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_signing_key_list(store, &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 0);
    clv_list_cleanup(&l);
    clv_store_free(store);
    for (int a = 0; a < CLV_ALG_COUNT; a++)
        clv_free_secret(pems[a]);
    clv_config_cleanup(&cfg);
}
END_TEST

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(imports_key_dir_files)
{
    char keys[192], path[256], *pem = NULL, kid[CLV_KID_MAX], hmac_text[64];
    unsigned char hmac[32];
    clv_config cfg;
    clv_app *app;
    struct stat st;

    snprintf(keys, sizeof keys, "%s/keys", dir);
    ck_assert_int_eq(mkdir(keys, 0700), 0);
    ck_assert_int_eq(clv_key_generate_pem(CLV_ALG_RS256, &pem, NULL), CLV_OK);
    snprintf(path, sizeof path, "%s/rs256.key", keys);
    write_file(path, pem);
    memset(hmac, 3, sizeof hmac);
    clv_b64url_encode(hmac, 32, hmac_text);
    snprintf(path, sizeof path, "%s/hmac.key", keys);
    write_file(path, hmac_text);
    clv_test_config(&cfg, dir, "kd.db", "http://127.0.0.1:9");
    ck_assert(clv_config_set_str(&cfg.key_dir, keys));
    app = clv_test_app_open(&cfg);
    ck_assert_int_eq(clv_key_kid(CLV_ALG_RS256, pem, kid, NULL), CLV_OK);
    ck_assert_str_eq(clv_keyset_kid(clv_app_keys(app), CLV_ALG_RS256), kid);
    ck_assert_mem_eq(app->hmac_key, hmac, 32);
    snprintf(path, sizeof path, "%s/kek", keys);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    clv_app_free(app);
    clv_free_secret(pem);
    clv_config_cleanup(&cfg);
}
END_TEST

START_TEST(retire_at_and_the_jwks)
{
    clv_config cfg;
    clv_app *app;
    clv_list l;
    json_t *made = NULL, *claims = NULL;
    char *token = NULL, old_kid[CLV_KID_MAX];
    const clv_signing_key *old = NULL;
    int64_t t0;
    clv_err err;

    clv_test_config(&cfg, dir, "r.db", "http://127.0.0.1:9");
    cfg.at_lifetime_min = 1;
    cfg.at_lifetime_max = 1;
    cfg.key_retire_margin = 1;
    ck_assert_int_eq(clv_config_check(&cfg, NULL), CLV_OK);
    ck_assert_int_eq(clv_keys_retire_after(&cfg), 2);
    app = clv_test_app_open(&cfg);
    snprintf(old_kid, sizeof old_kid, "%s", clv_keyset_kid(clv_app_keys(app), CLV_ALG_ES256));
    ck_assert_int_eq(
        clv_jwt_sign(clv_app_keys(app), CLV_ALG_ES256, "JWT", "{\"a\":1}", 7, &token, NULL),
        CLV_OK);
    clv_err_init(&err);
    t0 = clv_now();
    ck_assert_msg(clv_keys_rotate(app, NULL, CLV_ALG_ES256, 0, &made, &err) == CLV_OK, "%s",
                  err.detail);
    ck_assert_uint_eq(json_array_size(made), 1);
    ck_assert_str_ne(json_string_value(json_object_get(json_array_get(made, 0), "kid")), old_kid);
    json_decref(made);
    l = key_rows(app);
    ck_assert_uint_eq(l.count, 4);
    for (size_t i = 0; i < l.count; i++)
        if (strcmp(((const clv_signing_key *)l.items[i])->kid, old_kid) == 0)
            old = l.items[i];
    ck_assert_ptr_nonnull(old);
    ck_assert(!old->active);
    ck_assert_int_ge(old->retire_at, t0 + 2); /* rotation + the longest lifetime + margin */
    ck_assert_int_le(old->retire_at, clv_now() + 2);
    clv_list_cleanup(&l);
    /* retired: still published, still verifies; the new key signs */
    ck_assert_uint_eq(jwks_count(app), 4);
    ck_assert_str_ne(clv_keyset_kid(clv_app_keys(app), CLV_ALG_ES256), old_kid);
    ck_assert_int_eq(clv_jwt_verify(clv_app_keys(app), token, &claims, NULL, NULL), CLV_OK);
    json_decref(claims);
    claims = NULL;
    /* an automatic rotation of a key younger than its period changes nothing */
    ck_assert_int_eq(clv_keys_rotate(app, NULL, CLV_ALG_ES256, 3600, &made, NULL), CLV_OK);
    ck_assert_uint_eq(json_array_size(made), 0);
    json_decref(made);
    ck_assert_uint_eq(jwks_count(app), 4);
    /* past retire_at, the next reload drops it from the JWKS and the table */
    sleep(3);
    ck_assert_int_eq(clv_keys_reload(app, false, NULL), CLV_OK);
    ck_assert_uint_eq(jwks_count(app), 3);
    ck_assert_int_eq(clv_jwt_verify(clv_app_keys(app), token, &claims, NULL, NULL),
                     CLV_UNAUTHENTICATED);
    l = key_rows(app);
    ck_assert_uint_eq(l.count, 3);
    clv_list_cleanup(&l);
    free(token);
    clv_app_free(app);
    clv_config_cleanup(&cfg);
}
END_TEST

START_TEST(two_apps_one_database)
{
    clv_config cfg;
    clv_app *a, *b;
    json_t *made = NULL;
    const char *kid;

    clv_test_config(&cfg, dir, "two.db", "http://127.0.0.1:9");
    a = clv_test_app_open(&cfg);
    b = clv_test_app_open(&cfg);
    ck_assert_str_eq(clv_keyset_jwks(clv_app_keys(a)), clv_keyset_jwks(clv_app_keys(b)));
    ck_assert_int_eq(clv_keys_rotate(a, NULL, -1, 0, &made, NULL), CLV_OK);
    ck_assert_uint_eq(json_array_size(made), 3);
    kid = json_string_value(json_object_get(json_array_get(made, 0), "kid"));
    ck_assert_str_ne(clv_keyset_kid(clv_app_keys(b), CLV_ALG_RS256), kid);
    ck_assert_int_eq(clv_keys_reload(b, false, NULL), CLV_OK); /* the poll of the serve loop */
    ck_assert_str_eq(clv_keyset_kid(clv_app_keys(b), CLV_ALG_RS256), kid);
    ck_assert_str_eq(clv_keyset_jwks(clv_app_keys(a)), clv_keyset_jwks(clv_app_keys(b)));
    ck_assert_uint_eq(jwks_count(b), 6);
    /* b's automatic rotation finds a's keys young: one key per alg, not two */
    ck_assert_int_eq(clv_keys_rotate(b, NULL, -1, 3600, NULL, NULL), CLV_OK);
    ck_assert_str_eq(clv_keyset_kid(clv_app_keys(b), CLV_ALG_RS256), kid);
    json_decref(made);
    clv_app_free(b);
    clv_app_free(a);
    clv_config_cleanup(&cfg);
}
END_TEST

/* The kid of the next (not active, retire_at CLV_KEY_NEXT) key of alg in l, or NULL. */
static const char *next_kid(const clv_list *l, clv_alg alg)
{
    for (size_t i = 0; i < l->count; i++) {
        const clv_signing_key *k = l->items[i];
        if (!k->active && k->retire_at == CLV_KEY_NEXT && k->alg == alg)
            return k->kid;
    }
    return NULL;
}

START_TEST(a_published_next_key_signs_only_after_the_rotation)
{
    clv_config cfg;
    clv_app *app, *b;
    clv_list l;
    json_t *made = NULL, *list = NULL;
    char before[CLV_KID_MAX], next[CLV_KID_MAX], *text;

    clv_test_config(&cfg, dir, "n.db", "http://127.0.0.1:9");
    app = clv_test_app_open(&cfg);
    b = clv_test_app_open(&cfg);
    snprintf(before, sizeof before, "%s", clv_keyset_kid(clv_app_keys(app), CLV_ALG_ES256));
    ck_assert_int_eq(clv_keys_publish(app, NULL, CLV_ALG_ES256, &made, NULL), CLV_OK);
    ck_assert_uint_eq(json_array_size(made), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(made, 0), "state")), "next");
    snprintf(next, sizeof next, "%s",
             json_string_value(json_object_get(json_array_get(made, 0), "kid")));
    json_decref(made);
    /* published, not signing; the purge of retired keys leaves it */
    ck_assert_uint_eq(jwks_count(app), 4);
    ck_assert_ptr_nonnull(strstr(clv_keyset_jwks(clv_app_keys(app)), next));
    ck_assert_str_eq(clv_keyset_kid(clv_app_keys(app), CLV_ALG_ES256), before);
    ck_assert_int_eq(clv_store_signing_key_purge(app->store, clv_now() + 86400, NULL), CLV_OK);
    l = key_rows(app);
    ck_assert_str_eq(next_kid(&l, CLV_ALG_ES256), next);
    clv_list_cleanup(&l);
    ck_assert_int_eq(clv_keys_list(app, &list, NULL), CLV_OK);
    text = json_dumps(list, 0);
    ck_assert_ptr_nonnull(strstr(text, "\"state\": \"next\""));
    free(text);
    json_decref(list);
    /* a second publication leaves it as it is */
    ck_assert_int_eq(clv_keys_publish(app, NULL, CLV_ALG_ES256, &made, NULL), CLV_OK);
    ck_assert_uint_eq(json_array_size(made), 0);
    json_decref(made);
    /* the other node learns it at its poll and publishes it too */
    ck_assert_int_eq(clv_keys_reload(b, false, NULL), CLV_OK);
    ck_assert_str_eq(clv_keyset_jwks(clv_app_keys(app)), clv_keyset_jwks(clv_app_keys(b)));
    /* the rotation makes the published key active, no new one */
    ck_assert_int_eq(clv_keys_rotate(b, NULL, CLV_ALG_ES256, 0, &made, NULL), CLV_OK);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(made, 0), "kid")), next);
    json_decref(made);
    ck_assert_str_eq(clv_keyset_kid(clv_app_keys(b), CLV_ALG_ES256), next);
    ck_assert_int_eq(clv_keys_reload(app, false, NULL), CLV_OK);
    ck_assert_str_eq(clv_keyset_kid(clv_app_keys(app), CLV_ALG_ES256), next);
    l = key_rows(app);
    ck_assert_uint_eq(l.count, 4);
    ck_assert_ptr_null(next_kid(&l, CLV_ALG_ES256));
    ck_assert_int_ge(active_row(&l, CLV_ALG_ES256)->created_at, clv_now() - 2);
    clv_list_cleanup(&l);
    clv_app_free(b);
    clv_app_free(app);
    clv_config_cleanup(&cfg);
}
END_TEST

START_TEST(publish_ahead_of_the_automatic_rotation)
{
    clv_config cfg;

    clv_test_config(&cfg, dir, "a.db", "http://127.0.0.1:9");
    cfg.key_retire_margin = 300;
    cfg.key_rotation = 30 * 86400;
    ck_assert_int_eq(clv_keys_publish_ahead(&cfg), CLV_JWKS_MAX_AGE + 300);
    cfg.key_rotation = 4; /* a short period (tests): half of it */
    ck_assert_int_eq(clv_keys_publish_ahead(&cfg), 2);
    clv_config_cleanup(&cfg);
}
END_TEST

static Suite *keys_suite(void)
{
    Suite *s = suite_create("keys");
    TCase *tc = tcase_create("keys");

    tcase_add_unchecked_fixture(tc, case_setup, case_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, seal_key_values);
    tcase_add_test(tc, rows_are_sealed_and_bound_to_their_kid);
    tcase_add_test(tc, migrates_keys_in_clear_from_meta);
    tcase_add_test(tc, a_failed_migration_changes_nothing);
    tcase_add_test(tc, imports_key_dir_files);
    tcase_add_test(tc, retire_at_and_the_jwks);
    tcase_add_test(tc, two_apps_one_database);
    tcase_add_test(tc, a_published_next_key_signs_only_after_the_rotation);
    tcase_add_test(tc, publish_ahead_of_the_automatic_rotation);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return clv_test_run(keys_suite());
}
