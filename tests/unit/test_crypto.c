/* test_crypto — unit tests of src/crypto: base64/base64url, hashes, random identifiers,
 * key generation, keysets, JWKS and JWT signing and verification. Each test runs in its
 * own process (CK_FORK). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/b64.h"
#include "crypto/hash.h"
#include "crypto/jwt.h"
#include "crypto/rand.h"
#include "testutil.h"

static const char *const alg_names[CLV_ALG_COUNT] = {"RS256", "ES256", "EdDSA"};

/* Throwaway keys made with the openssl CLI for the negative cases only. */
static const char encrypted_ed25519_pem[] =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgPfuY2rIKhlwICCAAw\n"
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEJinCNT2MrFMvmmGU/NoJmYEQA1Z\n"
    "R8xH6WuCRL1kg6vOCM4GyWE/I530MdSkIXzqS5hmKEtxJEL0VOkz7utZEM1x+Nhh\n"
    "MI2jufcbbFLzeictstQ=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";

static const char rsa1024_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICeAIBADANBgkqhkiG9w0BAQEFAASCAmIwggJeAgEAAoGBAMzrr6baTJ5DPS5q\n"
    "zY//sKfnbK7VEqaFTSxIf+k+rpkOU+cIUormbSuGaZKpqCkuBl+rhJlETW3Mz3KT\n"
    "cV0udp/Lg2IGIAK/VAviy3t8zJcMlO1yBfYKuEw4iMAOgfcsZV44TA/yHrGMkMZ3\n"
    "Md6T6Q0QU0vL4SGe5T949Ii0rfPxAgMBAAECgYEAsHuCyZZUSjDqbiF5bDzvbYt4\n"
    "JJJI/7TqI+tEjiJ3yEV4qQ6X2BxfhQ67uZ33v49t2dMj3cPfU2MCflDRX0j2y1g4\n"
    "yYX/flulUN+Bf38F8nCjAHgA6/6zMHvGJE/TmgrcIAPdnPRyRUvrdrfFITnTlhA9\n"
    "ldSZRoM65nMIYoh3JUkCQQD6ALJqcWJ9HcFygP6gg2Wc5/RF/+WlklPMG6q0nEJt\n"
    "6kCDhV20dFRtrjzpcj4P5yripK4gM4wWap3cGaCNRizrAkEA0dYiNfrJZEILdlSr\n"
    "kzqABue5DT9nSlixB0K2DsdRYmzOg5yTHfurrUg208nWND/JSaZ/Lmh0waFwiZoj\n"
    "2Rg7kwJAWkwcJRQVBanUsD3lOiabcgPZl9rooFfsymEH1DpISBj++kIWaVJHGGKB\n"
    "f7QStH3DYJ8ogVr88y/JGrFq6vv4xwJBAMvWFq+XKfGhkp7lSzKfHmUWzpWG5OC8\n"
    "3WMvM8mRZ4aUKdyBygvTQYb34oLDy7g/ylooSd2cDOdX2wlgWbh3KM8CQQCJrGjM\n"
    "Sl21zRNn7y1pXmNcjpCBXIu5ZFT8Fy/SjpNl+sFZ40+vxCwmIDQj3/XrPMCmWMal\n"
    "Hqc+F70xZR70IZuQ\n"
    "-----END PRIVATE KEY-----\n";

static const char p384_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                               "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDCDnmhukff/t4R0Cbi2\n"
                               "pMUS2FUMKFmN7tT133ncnSOYCShRimRRf2aGVBCIk2vbIGihZANiAAQWOx/wd2rA\n"
                               "gsC9pMGxa42f1qC84y+ksyAbu61dmOlMfTJgo6IWQPa3H+/UAaESFyaqeM1pRyIx\n"
                               "/GLQDSTKQcHWFOdOKl7FhlncPezFjaX1PhI7liP8mOy665lbCRFRF/M=\n"
                               "-----END PRIVATE KEY-----\n";

static const char ed448_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                                "MEcCAQAwBQYDK2VxBDsEOaeYJTnvyMafzMT35IQ6k+LwvcbFK/5/rsCGyt4ms7se\n"
                                "bgfDi/NmAw1WAufTeXwFKc6QRgjOhcuwGw==\n"
                                "-----END PRIVATE KEY-----\n";

/* ---- helpers ---- */

static char *b64url_of(const void *data, size_t n)
{
    char *out = malloc(clv_b64url_encoded_size(n));
    ck_assert_ptr_nonnull(out);
    clv_b64url_encode(data, n, out);
    return out;
}

static char *b64url_str(const char *s)
{
    return b64url_of(s, strlen(s));
}

static char *join3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 3;
    char *out = malloc(n);
    ck_assert_ptr_nonnull(out);
    snprintf(out, n, "%s.%s.%s", a, b, c);
    return out;
}

/* The part-th (0..2) dot-separated part of a compact JWS, malloc'd. */
static char *part_of(const char *token, int part)
{
    const char *p = token;
    const char *end = NULL;
    for (int i = 0; i < part; i++) {
        p = strchr(p, '.');
        ck_assert_ptr_nonnull(p);
        p++;
    }
    end = strchr(p, '.');
    if (end == NULL)
        end = p + strlen(p);
    return strndup(p, (size_t)(end - p));
}

static void hex_of(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* RFC 7638 §3 thumbprint recomputed independently of the module: the canonical JSON is
 * spelled out by hand with the members in lexicographic order and no whitespace. */
static void thumbprint_of(const json_t *jwk, char out[44])
{
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    char canon[2048];
    unsigned char digest[32];

    ck_assert_ptr_nonnull(kty);
    if (strcmp(kty, "RSA") == 0)
        snprintf(canon, sizeof canon, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}",
                 json_string_value(json_object_get(jwk, "e")),
                 json_string_value(json_object_get(jwk, "n")));
    else if (strcmp(kty, "EC") == 0)
        snprintf(canon, sizeof canon, "{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
                 json_string_value(json_object_get(jwk, "crv")),
                 json_string_value(json_object_get(jwk, "x")),
                 json_string_value(json_object_get(jwk, "y")));
    else
        snprintf(canon, sizeof canon, "{\"crv\":\"%s\",\"kty\":\"OKP\",\"x\":\"%s\"}",
                 json_string_value(json_object_get(jwk, "crv")),
                 json_string_value(json_object_get(jwk, "x")));
    ck_assert(clv_sha256(canon, strlen(canon), digest));
    clv_b64url_encode(digest, sizeof digest, out);
}

static clv_keyset *keyset_with(clv_alg alg)
{
    clv_keyset *ks = NULL;
    char *pem = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_key_generate_pem(alg, &pem, &err), CLV_OK);
    ck_assert_int_eq(clv_keyset_new(&ks, &err), CLV_OK);
    ck_assert_msg(clv_keyset_add(ks, alg, pem, &err) == CLV_OK, "add: %s", err.detail);
    clv_free_secret(pem);
    return ks;
}

static json_t *sample_claims(void)
{
    json_t *c = json_pack("{s:s, s:s, s:I, s:{s:[i,i], s:b}, s:s}", "iss", "https://as.example",
                          "sub", "alice", "exp", (json_int_t)1893456000, "nested", "a", 1, 2, "ok",
                          1, "note", "caf\xc3\xa9 \"quoted\" / slash");
    ck_assert_ptr_nonnull(c);
    return c;
}

/* Verification must fail with CLV_UNAUTHENTICATED, leave the outputs alone and, when why
 * is not NULL, say so in a detail containing why (which pins down the check that fired). */
static void assert_rejected_why(const clv_keyset *ks, const char *token, const char *why)
{
    json_t *claims = NULL;
    char *typ = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_jwt_verify(ks, token, &claims, &typ, &err), CLV_UNAUTHENTICATED);
    ck_assert_ptr_null(claims);
    ck_assert_ptr_null(typ);
    ck_assert_int_eq(err.code, CLV_UNAUTHENTICATED);
    ck_assert(err.detail[0] != '\0');
    if (why != NULL)
        ck_assert_msg(strstr(err.detail, why) != NULL, "detail \"%s\", want \"%s\"", err.detail,
                      why);
    /* The token never goes into the detail (it ends up in logs). */
    if (token != NULL && strlen(token) > 8)
        ck_assert_ptr_null(strstr(err.detail, token));
}

static void assert_rejected(const clv_keyset *ks, const char *token)
{
    assert_rejected_why(ks, token, NULL);
}

static const char why_sig[] = "signature does not verify";
static const char why_key[] = "no key for this alg and kid";
static const char why_hdr[] = "header is not a JSON object";

/* ---- base64 ---- */

/* clv_jwt_sign of claims' compact text (NULL for NULL claims). */
static clv_code sign_json(const clv_keyset *ks, clv_alg alg, const char *typ, const json_t *claims,
                          char **out, clv_err *err)
{
    char *text = claims != NULL ? json_dumps(claims, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    clv_code rc = clv_jwt_sign(ks, alg, typ, text, text != NULL ? strlen(text) : 0, out, err);

    free(text);
    return rc;
}

START_TEST(b64url_vectors)
{
    /* RFC 4648 §10, unpadded; and the two characters where base64url differs. */
    static const struct {
        const char *in, *out;
    } v[] = {{"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
             {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
    static const unsigned char url[] = {0xfb, 0xff, 0xbf};
    char buf[32];

    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t n = strlen(v[i].in);
        ck_assert_uint_eq(clv_b64url_encoded_size(n), strlen(v[i].out) + 1);
        ck_assert_uint_eq(clv_b64url_encode(v[i].in, n, buf), strlen(v[i].out));
        ck_assert_str_eq(buf, v[i].out);
    }
    clv_b64url_encode(url, sizeof url, buf);
    ck_assert_str_eq(buf, "-_-_");
}
END_TEST

START_TEST(b64url_round_trip)
{
    unsigned char raw[300];
    char enc[410];
    unsigned char *dec = NULL;
    size_t declen = 0;

    ck_assert(clv_rand_bytes(raw, sizeof raw));
    for (size_t n = 0; n <= sizeof raw; n++) {
        size_t len = clv_b64url_encode(raw, n, enc);
        ck_assert_uint_eq(len + 1, clv_b64url_encoded_size(n));
        ck_assert_uint_eq(strlen(enc), len);
        ck_assert_msg(clv_b64url_decode(enc, len, &dec, &declen), "n=%zu", n);
        ck_assert_uint_eq(declen, n);
        ck_assert(n == 0 || memcmp(dec, raw, n) == 0);
        ck_assert_int_eq(dec[declen], '\0');
        free(dec);
        dec = NULL;
    }
}
END_TEST

START_TEST(b64url_rejects)
{
    static const char *const bad[] = {
        "Zg==",          /* padding */
        "Zm8=",  "ab+c", /* standard alphabet */
        "ab/c",  "Z",    /* 1 mod 4: no whole byte */
        "Zm9vY", "Zm 9", "Zm9\n", "Zm.v", "Zm9v\xc3\xa9",
    };
    unsigned char *out = (unsigned char *)"untouched";
    size_t outlen = 12345;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(!clv_b64url_decode(bad[i], strlen(bad[i]), &out, &outlen), "%s", bad[i]);
        ck_assert_str_eq((const char *)out, "untouched");
        ck_assert_uint_eq(outlen, 12345);
    }
    /* an embedded NUL inside the declared length */
    ck_assert(!clv_b64url_decode("Zm\0v", 4, &out, &outlen));
    ck_assert(!clv_b64url_decode(NULL, 0, &out, &outlen));
}
END_TEST

START_TEST(b64_standard)
{
    static const struct {
        const char *in, *out;
    } good[] = {{"dXNlcjpwYXNz", "user:pass"}, {"Zg==", "f"}, {"Zm8=", "fo"},
                {"Zm9vYmFy", "foobar"},        {"", ""},      {"+/+/", "\xfb\xff\xbf"}};
    static const char *const bad[] = {
        "Zg", "Zm8", "Zg=a", "Z===", "====", "=Zg=", "-_-_", "Zm9v\n", "Zm 9", "Zg==Zg=="};
    unsigned char *out = NULL;
    size_t outlen = 0;

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        ck_assert_msg(clv_b64_decode(good[i].in, strlen(good[i].in), &out, &outlen), "%s",
                      good[i].in);
        ck_assert_uint_eq(outlen, strlen(good[i].out));
        ck_assert_str_eq((const char *)out, good[i].out);
        free(out);
        out = NULL;
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!clv_b64_decode(bad[i], strlen(bad[i]), &out, &outlen), "%s", bad[i]);
    ck_assert_ptr_null(out);
}
END_TEST

/* ---- hashes ---- */

START_TEST(hmac_rfc4231_case2)
{
    unsigned char mac[32];
    char hex[65];
    const char *data = "what do ya want for nothing?";

    ck_assert(clv_hmac_sha256("Jefe", 4, data, strlen(data), mac));
    hex_of(mac, sizeof mac, hex);
    ck_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* An empty key is an ordinary key (RFC 2104), not an error. */
    ck_assert(clv_hmac_sha256(NULL, 0, data, strlen(data), mac));
    hex_of(mac, sizeof mac, hex); /* as Python's hmac.new(b"", data, sha256) */
    ck_assert_str_eq(hex, "76d9e7194e7dbc3aa00bbe8ffb9f6fcb5a932170f971f948bb2ab61607d2b9d6");
    ck_assert(clv_hmac_sha256("", 0, NULL, 0, mac));
    hex_of(mac, sizeof mac, hex);
    ck_assert_str_eq(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    /* the thread's context is keyed anew on every call */
    ck_assert(clv_hmac_sha256("Jefe", 4, data, strlen(data), mac));
    hex_of(mac, sizeof mac, hex);
    ck_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
END_TEST

START_TEST(sha256_vectors)
{
    unsigned char d[32];
    char hex[65];

    /* FIPS 180-2 appendix B.1 and the empty string */
    ck_assert(clv_sha256("abc", 3, d));
    hex_of(d, sizeof d, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ck_assert(clv_sha256(NULL, 0, d));
    hex_of(d, sizeof d, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(ct_equal_and_wipe)
{
    unsigned char a[16] = "0123456789abcdef", b[16] = "0123456789abcdef";
    char *s = strdup("hunter2");

    ck_assert(clv_ct_equal(a, b, sizeof a));
    b[15] ^= 1;
    ck_assert(!clv_ct_equal(a, b, sizeof a));
    ck_assert(clv_ct_equal(a, b, 15));
    b[0] ^= 1;
    ck_assert(!clv_ct_equal(a, b, sizeof a));
    ck_assert(clv_ct_equal(a, b, 0));
    clv_wipe(a, sizeof a);
    for (size_t i = 0; i < sizeof a; i++)
        ck_assert_int_eq(a[i], 0);
    clv_wipe(NULL, 0);
    clv_free_secret(s);
    clv_free_secret(NULL);
}
END_TEST

/* ---- random ---- */

static int cmp_ids(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

START_TEST(rand_id_format_and_uniqueness)
{
    enum { N = 2000 };
    static char ids[N][CLV_ID_MAX];
    char id[CLV_ID_MAX];

    for (size_t i = 0; i < N; i++) {
        ck_assert(clv_rand_id("cli", ids[i]));
        ck_assert_uint_eq(strlen(ids[i]), 4 + 26);
        ck_assert(strncmp(ids[i], "cli_", 4) == 0);
        ck_assert_uint_eq(strspn(ids[i] + 4, "abcdefghijklmnopqrstuvwxyz234567"), 26);
        /* 128 = 25*5 + 3: the last character carries 3 bits and two zero bits */
        ck_assert_ptr_nonnull(strchr("aeimquy4", ids[i][29]));
    }
    qsort(ids, N, sizeof ids[0], cmp_ids);
    for (size_t i = 1; i < N; i++)
        ck_assert_str_ne(ids[i - 1], ids[i]);

    ck_assert(clv_rand_id("abcdefgh", id));
    ck_assert_uint_eq(strlen(id), 8 + 1 + 26);
    ck_assert(!clv_rand_id("abcdefghi", id)); /* prefix over 8 characters */
}
END_TEST

START_TEST(rand_token_lengths)
{
    char a[4 * 64 / 3 + 2], b[4 * 64 / 3 + 2];

    for (size_t n = 0; n <= 64; n++) {
        ck_assert(clv_rand_token(n, a));
        ck_assert_uint_eq(strlen(a), clv_b64url_encoded_size(n) - 1);
        ck_assert_uint_eq(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789-_"),
                          strlen(a));
    }
    ck_assert(clv_rand_token(32, a));
    ck_assert(clv_rand_token(32, b));
    ck_assert_uint_eq(strlen(a), 43);
    ck_assert_str_ne(a, b);
}
END_TEST

/* ---- keys and JWT, once per alg (_i is the clv_alg) ---- */

START_TEST(generate_pem)
{
    char *pem = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_key_generate_pem((clv_alg)_i, &pem, &err), CLV_OK);
    ck_assert(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
    ck_assert_ptr_nonnull(strstr(pem, "-----END PRIVATE KEY-----\n"));
    clv_free_secret(pem);
}
END_TEST

START_TEST(sign_verify_round_trip)
{
    clv_alg alg = (clv_alg)_i;
    clv_keyset *ks = keyset_with(alg);
    json_t *claims = sample_claims(), *got = NULL;
    static const char *const typs[] = {"at+jwt", "JWT", "logout+jwt"};
    char *token = NULL, *typ = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert(clv_keyset_has(ks, alg));
    ck_assert(!clv_keyset_has(ks, (clv_alg)((alg + 1) % CLV_ALG_COUNT)));
    for (size_t i = 0; i < sizeof typs / sizeof typs[0]; i++) {
        ck_assert_int_eq(sign_json(ks, alg, typs[i], claims, &token, &err), CLV_OK);
        ck_assert_msg(clv_jwt_verify(ks, token, &got, &typ, &err) == CLV_OK, "%s", err.detail);
        ck_assert(json_equal(got, claims));
        ck_assert_str_eq(typ, typs[i]);
        json_decref(got);
        free(typ);
        /* typ is optional to ask for */
        ck_assert_int_eq(clv_jwt_verify(ks, token, &got, NULL, &err), CLV_OK);
        json_decref(got);
        free(token);
    }
    /* No typ at all: the header leaves it out and verify reports NULL. */
    ck_assert_int_eq(sign_json(ks, alg, NULL, claims, &token, &err), CLV_OK);
    typ = (char *)"unchanged";
    ck_assert_int_eq(clv_jwt_verify(ks, token, &got, &typ, &err), CLV_OK);
    ck_assert_ptr_null(typ);
    json_decref(got);
    free(token);
    json_decref(claims);
    clv_keyset_free(ks);
}
END_TEST

START_TEST(header_is_exact)
{
    clv_alg alg = (clv_alg)_i;
    clv_keyset *ks = keyset_with(alg);
    json_t *claims = sample_claims();
    json_t *jwks = json_loads(clv_keyset_jwks(ks), 0, NULL);
    const char *kid =
        json_string_value(json_object_get(json_array_get(json_object_get(jwks, "keys"), 0), "kid"));
    char *token = NULL, *hdr = NULL, *payload = NULL, *want = NULL;
    unsigned char *text = NULL;
    size_t len = 0;
    char expect[256];

    ck_assert_ptr_nonnull(kid);
    ck_assert_int_eq(sign_json(ks, alg, "at+jwt", claims, &token, NULL), CLV_OK);
    hdr = part_of(token, 0);
    ck_assert(clv_b64url_decode(hdr, strlen(hdr), &text, &len));
    snprintf(expect, sizeof expect, "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"at+jwt\"}",
             alg_names[alg], kid);
    ck_assert_str_eq((const char *)text, expect);
    free(text);
    /* the payload is the compact JSON of the claims */
    payload = part_of(token, 1);
    text = (unsigned char *)json_dumps(claims, JSON_COMPACT);
    want = b64url_str((const char *)text);
    ck_assert_str_eq(payload, want);
    free(text);
    free(want);
    free(payload);
    free(hdr);
    free(token);
    json_decref(jwks);
    json_decref(claims);
    clv_keyset_free(ks);
}
END_TEST

START_TEST(tampered_rejected)
{
    clv_alg alg = (clv_alg)_i;
    clv_keyset *ks = keyset_with(alg);
    json_t *claims = sample_claims();
    char *token = NULL, *hdr = NULL, *sig = NULL, *evil = NULL, *forged = NULL;

    ck_assert_int_eq(sign_json(ks, alg, "JWT", claims, &token, NULL), CLV_OK);
    hdr = part_of(token, 0);
    sig = part_of(token, 2);

    /* another payload under the original signature */
    evil = b64url_str("{\"sub\":\"mallory\"}");
    forged = join3(hdr, evil, sig);
    assert_rejected_why(ks, forged, why_sig);
    free(forged);

    /* one character of the signature changed, at the start and in the middle (the last
     * character may carry only padding bits, which the decoder ignores) */
    for (size_t at = 0; at < strlen(sig); at += strlen(sig) / 2) {
        char *s2 = strdup(sig);
        s2[at] = s2[at] == 'A' ? 'B' : 'A';
        char *payload = part_of(token, 1);
        forged = join3(hdr, payload, s2);
        assert_rejected_why(ks, forged, why_sig);
        free(forged);
        free(payload);
        free(s2);
    }
    /* a signature that is too short or too long */
    forged = join3(hdr, evil, "AAAA");
    assert_rejected_why(ks, forged, "malformed");
    free(forged);
    {
        size_t n = strlen(token);
        char *longer = malloc(n + 5);
        snprintf(longer, n + 5, "%sAAAA", token);
        assert_rejected(ks, longer);
        free(longer);
    }
    free(evil);
    free(sig);
    free(hdr);
    free(token);
    json_decref(claims);
    clv_keyset_free(ks);
}
END_TEST

START_TEST(other_keyset_rejected)
{
    clv_alg alg = (clv_alg)_i;
    clv_keyset *ours = keyset_with(alg), *theirs = keyset_with(alg);
    json_t *claims = sample_claims();
    char *token = NULL, *our_token = NULL, *hdr = NULL, *payload = NULL, *sig = NULL;
    char *forged = NULL;

    ck_assert_int_eq(sign_json(theirs, alg, "at+jwt", claims, &token, NULL), CLV_OK);
    assert_rejected_why(ours, token, why_key); /* unknown kid */
    /* their signature under our header (our kid): the signature check itself must fail */
    ck_assert_int_eq(sign_json(ours, alg, "at+jwt", claims, &our_token, NULL), CLV_OK);
    hdr = part_of(our_token, 0);
    payload = part_of(our_token, 1);
    sig = part_of(token, 2);
    forged = join3(hdr, payload, sig);
    assert_rejected_why(ours, forged, why_sig);
    free(forged);
    free(sig);
    free(payload);
    free(hdr);
    free(our_token);
    free(token);
    json_decref(claims);
    clv_keyset_free(ours);
    clv_keyset_free(theirs);
}
END_TEST

START_TEST(bad_headers_rejected)
{
    clv_alg alg = (clv_alg)_i;
    const char *a = alg_names[alg];
    clv_keyset *ks = keyset_with(alg);
    json_t *claims = sample_claims();
    json_t *jwks = json_loads(clv_keyset_jwks(ks), 0, NULL);
    const char *kid =
        json_string_value(json_object_get(json_array_get(json_object_get(jwks, "keys"), 0), "kid"));
    char *token = NULL, *payload = NULL, *sig = NULL;
    char json[12][256];
    size_t n = 0;

    ck_assert_ptr_nonnull(kid);
    /* alg "none" (RFC 7518 §3.6), in any spelling, and algs Clavis never signs with */
    snprintf(json[n++], 256, "{\"alg\":\"none\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
    snprintf(json[n++], 256, "{\"alg\":\"NONE\",\"kid\":\"%s\"}", kid);
    snprintf(json[n++], 256, "{\"alg\":\"HS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
    snprintf(json[n++], 256, "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}",
             alg == CLV_ALG_RS256 ? "ES256" : "RS256", kid);
    /* crit (RFC 7515 §4.1.11) and other unknown members */
    snprintf(json[n++], 256, "{\"alg\":\"%s\",\"kid\":\"%s\",\"crit\":[\"exp\"]}", a, kid);
    snprintf(json[n++], 256, "{\"alg\":\"%s\",\"kid\":\"%s\",\"jku\":\"https://x\"}", a, kid);
    /* duplicate members */
    snprintf(json[n++], 256, "{\"alg\":\"%s\",\"alg\":\"%s\",\"kid\":\"%s\"}", a, a, kid);
    /* kid wrong, missing or not a string; typ not a string */
    snprintf(json[n++], 256, "{\"alg\":\"%s\",\"kid\":\"wrong-kid\"}", a);
    snprintf(json[n++], 256, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", a);
    snprintf(json[n++], 256, "{\"alg\":\"%s\",\"kid\":7}", a);
    snprintf(json[n++], 256, "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":7}", a, kid);
    /* not an object, not JSON */
    snprintf(json[n++], 256, "[\"%s\",\"%s\"]", a, kid);

    /* which check refuses each case, in order: the first four name no loaded key, the
     * rest are not the header Clavis writes */
    static const char *const reasons[] = {why_key, why_key, why_key, why_key, why_hdr, why_hdr,
                                          why_hdr, why_key, why_hdr, why_hdr, why_hdr, why_hdr};
    ck_assert_uint_eq(n, sizeof reasons / sizeof reasons[0]);

    ck_assert_int_eq(sign_json(ks, alg, "JWT", claims, &token, NULL), CLV_OK);
    payload = part_of(token, 1);
    sig = part_of(token, 2);
    for (size_t i = 0; i < n; i++) {
        char *hdr = b64url_str(json[i]);
        char *forged = join3(hdr, payload, sig);
        size_t len = strlen(hdr) + strlen(payload) + 3;
        assert_rejected_why(ks, forged, reasons[i]);
        free(forged);
        /* and with an empty signature, as an unsecured JWS is written (RFC 7519 §6.1) */
        forged = malloc(len);
        snprintf(forged, len, "%s.%s.", hdr, payload);
        assert_rejected_why(ks, forged, "three non-empty parts");
        free(forged);
        free(hdr);
    }
    free(sig);
    free(payload);
    free(token);
    json_decref(jwks);
    json_decref(claims);
    clv_keyset_free(ks);
}
END_TEST

START_TEST(garbage_rejected)
{
    clv_alg alg = (clv_alg)_i;
    clv_keyset *ks = keyset_with(alg);
    json_t *claims = sample_claims();
    char *token = NULL, *big = NULL;
    static const char *const junk[] = {
        "",
        ".",
        "..",
        "...",
        "a",
        "a.b",
        "a.b.c",
        "a..c",
        ".b.c",
        "a.b.",
        "a.b.c.d",
        "eyJhbGciOiJub25lIn0.e30.",
        "eyJ.eyJ.eyJ",
        "!!!.@@@.###",
        "Bearer x.y.z",
        "eyJhbGciOiJSUzI1NiJ9.W10.AAAA",
        "e30.e30.e30",
        "W10.W10.W10",
    };

    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        assert_rejected(ks, junk[i]);
    assert_rejected(ks, NULL);
    ck_assert_int_eq(clv_jwt_verify(NULL, "a.b.c", &claims, NULL, NULL), CLV_UNAUTHENTICATED);

    /* a valid token with a dot in front, behind, or doubled */
    ck_assert_int_eq(sign_json(ks, alg, "JWT", claims, &token, NULL), CLV_OK);
    {
        size_t n = strlen(token) + 2;
        char *t = malloc(n);
        snprintf(t, n, ".%s", token);
        assert_rejected(ks, t);
        snprintf(t, n, "%s.", token);
        assert_rejected(ks, t);
        free(t);
    }
    /* over 16 KiB, even if otherwise fine: refused before anything is parsed */
    big = malloc(17 * 1024);
    memset(big, 'A', 17 * 1024 - 1);
    big[17 * 1024 - 1] = '\0';
    memcpy(big, token, strlen(token));
    assert_rejected_why(ks, big, "longer than");
    free(big);
    free(token);
    json_decref(claims);
    clv_keyset_free(ks);
}
END_TEST

START_TEST(jwks_members_and_kid)
{
    clv_alg alg = (clv_alg)_i;
    clv_keyset *ks = keyset_with(alg);
    json_t *jwks = NULL, *keys = NULL, *k = NULL;
    json_error_t jerr;
    char kid[44];
    unsigned char *raw = NULL;
    size_t rawlen = 0;
    const char *x = NULL;

    jwks = json_loads(clv_keyset_jwks(ks), JSON_REJECT_DUPLICATES, &jerr);
    ck_assert_msg(jwks != NULL, "%s", jerr.text);
    ck_assert_uint_eq(json_object_size(jwks), 1);
    keys = json_object_get(jwks, "keys");
    ck_assert_uint_eq(json_array_size(keys), 1);
    k = json_array_get(keys, 0);
    ck_assert_str_eq(json_string_value(json_object_get(k, "use")), "sig");
    ck_assert_str_eq(json_string_value(json_object_get(k, "alg")), alg_names[alg]);
    ck_assert_uint_eq(strlen(json_string_value(json_object_get(k, "kid"))), 43);
    ck_assert_ptr_null(json_object_get(k, "d")); /* no private parts */
    switch (alg) {
    case CLV_ALG_RS256:
        ck_assert_str_eq(json_string_value(json_object_get(k, "kty")), "RSA");
        ck_assert_str_eq(json_string_value(json_object_get(k, "e")), "AQAB");
        x = json_string_value(json_object_get(k, "n"));
        ck_assert(clv_b64url_decode(x, strlen(x), &raw, &rawlen));
        ck_assert_uint_eq(rawlen, 256);
        ck_assert_uint_eq(json_object_size(k), 6);
        ck_assert_ptr_null(json_object_get(k, "p"));
        break;
    case CLV_ALG_ES256:
        ck_assert_str_eq(json_string_value(json_object_get(k, "kty")), "EC");
        ck_assert_str_eq(json_string_value(json_object_get(k, "crv")), "P-256");
        for (int i = 0; i < 2; i++) {
            x = json_string_value(json_object_get(k, i == 0 ? "x" : "y"));
            ck_assert(clv_b64url_decode(x, strlen(x), &raw, &rawlen));
            ck_assert_uint_eq(rawlen, 32); /* fixed length, even with leading zero bytes */
            free(raw);
            raw = NULL;
        }
        ck_assert_uint_eq(json_object_size(k), 7);
        break;
    default:
        ck_assert_str_eq(json_string_value(json_object_get(k, "kty")), "OKP");
        ck_assert_str_eq(json_string_value(json_object_get(k, "crv")), "Ed25519");
        x = json_string_value(json_object_get(k, "x"));
        ck_assert(clv_b64url_decode(x, strlen(x), &raw, &rawlen));
        ck_assert_uint_eq(rawlen, 32);
        ck_assert_uint_eq(json_object_size(k), 6);
        break;
    }
    free(raw);
    thumbprint_of(k, kid);
    ck_assert_str_eq(json_string_value(json_object_get(k, "kid")), kid);
    json_decref(jwks);
    clv_keyset_free(ks);
}
END_TEST

/* R and S are fixed 32-byte fields (RFC 7518 §3.4) even when one has leading zero bytes,
 * which happens once in 128 signatures: sign enough that both cases occur. */
START_TEST(es256_fixed_length)
{
    clv_keyset *ks = keyset_with(CLV_ALG_ES256);
    json_t *claims = json_pack("{s:s}", "sub", "alice"), *got = NULL;
    char *token = NULL, *sig = NULL;

    for (int i = 0; i < 3000; i++) {
        ck_assert_int_eq(sign_json(ks, CLV_ALG_ES256, "JWT", claims, &token, NULL), CLV_OK);
        sig = part_of(token, 2);
        ck_assert_uint_eq(strlen(sig), 86); /* 64 bytes */
        ck_assert_int_eq(clv_jwt_verify(ks, token, &got, NULL, NULL), CLV_OK);
        json_decref(got);
        free(sig);
        free(token);
    }
    json_decref(claims);
    clv_keyset_free(ks);
}
END_TEST

/* ---- keysets across algs ---- */

START_TEST(rfc7638_example_thumbprint)
{
    /* RFC 7638 §3.1: validates thumbprint_of(), which the kid tests compare against. */
    json_t *jwk = json_pack(
        "{s:s, s:s, s:s, s:s}", "kty", "RSA", "e", "AQAB", "alg", "RS256", "n",
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_B"
        "JECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
        "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI"
        "4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw");
    char kid[44];

    thumbprint_of(jwk, kid);
    ck_assert_str_eq(kid, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    json_decref(jwk);
}
END_TEST

START_TEST(keyset_all_algs)
{
    clv_keyset *ks = NULL;
    char *pem[CLV_ALG_COUNT] = {NULL};
    char *old_token = NULL, *token = NULL, *pem2 = NULL;
    json_t *jwks = NULL, *claims = sample_claims(), *got = NULL;
    char before[64];
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_keyset_new(&ks, &err), CLV_OK);
    ck_assert_str_eq(clv_keyset_jwks(ks), "{\"keys\":[]}");
    /* added out of order; the JWKS lists them RS256, ES256, EdDSA */
    for (int i = CLV_ALG_COUNT - 1; i >= 0; i--) {
        ck_assert_int_eq(clv_key_generate_pem((clv_alg)i, &pem[i], &err), CLV_OK);
        ck_assert_int_eq(clv_keyset_add(ks, (clv_alg)i, pem[i], &err), CLV_OK);
    }
    jwks = json_loads(clv_keyset_jwks(ks), 0, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(jwks, "keys")), 3);
    for (size_t i = 0; i < CLV_ALG_COUNT; i++)
        ck_assert_str_eq(json_string_value(json_object_get(
                             json_array_get(json_object_get(jwks, "keys"), i), "alg")),
                         alg_names[i]);
    snprintf(before, sizeof before, "%s",
             json_string_value(json_object_get(
                 json_array_get(json_object_get(jwks, "keys"), CLV_ALG_ES256), "kid")));
    json_decref(jwks);

    /* every alg signs, and each token verifies under the one keyset */
    for (int i = 0; i < CLV_ALG_COUNT; i++) {
        ck_assert_int_eq(sign_json(ks, (clv_alg)i, "JWT", claims, &token, &err), CLV_OK);
        ck_assert_int_eq(clv_jwt_verify(ks, token, &got, NULL, &err), CLV_OK);
        json_decref(got);
        free(token);
    }

    /* replacing the ES256 key: new kid, still three keys, old tokens fail */
    ck_assert_int_eq(sign_json(ks, CLV_ALG_ES256, "JWT", claims, &old_token, &err), CLV_OK);
    ck_assert_int_eq(clv_key_generate_pem(CLV_ALG_ES256, &pem2, &err), CLV_OK);
    ck_assert_int_eq(clv_keyset_add(ks, CLV_ALG_ES256, pem2, &err), CLV_OK);
    jwks = json_loads(clv_keyset_jwks(ks), 0, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(jwks, "keys")), 3);
    ck_assert_str_ne(json_string_value(json_object_get(
                         json_array_get(json_object_get(jwks, "keys"), CLV_ALG_ES256), "kid")),
                     before);
    json_decref(jwks);
    assert_rejected(ks, old_token);

    /* ES256 tokens are not accepted as RS256 ones: the RS256 kid is another key */
    free(old_token);
    for (int i = 0; i < CLV_ALG_COUNT; i++)
        clv_free_secret(pem[i]);
    clv_free_secret(pem2);
    json_decref(claims);
    clv_keyset_free(ks);
}
END_TEST

/* A token of each of the keys pems[0..n) of alg, each signed by a keyset of that key alone,
 * and one keyset in which pems[n - 1] signs and the others are retired (a rotation). */
static void rotation_of(clv_alg alg, char **pems, size_t n, char **tokens, clv_keyset **all)
{
    json_t *claims = sample_claims();
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_keyset_new(all, &err), CLV_OK);
    for (size_t i = 0; i < n; i++) {
        clv_keyset *one = NULL;
        ck_assert_int_eq(clv_key_generate_pem(alg, &pems[i], &err), CLV_OK);
        ck_assert_int_eq(clv_keyset_new(&one, &err), CLV_OK);
        ck_assert_int_eq(clv_keyset_add(one, alg, pems[i], &err), CLV_OK);
        ck_assert_int_eq(sign_json(one, alg, "at+jwt", claims, &tokens[i], &err), CLV_OK);
        clv_keyset_free(one);
        if (i + 1 < n)
            ck_assert_int_eq(clv_keyset_add_retired(*all, alg, pems[i], &err), CLV_OK);
        else
            ck_assert_int_eq(clv_keyset_add(*all, alg, pems[i], &err), CLV_OK);
    }
    json_decref(claims);
}

static void verify_ok(const clv_keyset *ks, const char *token)
{
    json_t *got = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert_msg(clv_jwt_verify(ks, token, &got, NULL, &err) == CLV_OK, "%s", err.detail);
    ck_assert_str_eq(json_string_value(json_object_get(got, "sub")), "alice");
    json_decref(got);
}

/* During a rotation tokens of the active and of a retired key arrive interleaved: the
 * thread keeps a verifying context per key, so once each key has been seen, alternating
 * sets up no context (src/crypto/jwt.c, template_for). */
START_TEST(alternating_kids_set_up_once)
{
    clv_alg alg = (clv_alg)_i; /* RS256, ES256: Ed25519 has no templates */
    char *pems[2] = {NULL}, *tokens[2] = {NULL};
    clv_keyset *ks = NULL;
    unsigned long setups;

    rotation_of(alg, pems, 2, tokens, &ks);
    verify_ok(ks, tokens[0]);
    verify_ok(ks, tokens[1]);
    setups = clv_jwt_thread_setups();
    for (int round = 0; round < 20; round++) {
        verify_ok(ks, tokens[round % 2]);
        verify_ok(ks, tokens[(round + 1) % 2]);
    }
    ck_assert_uint_eq(clv_jwt_thread_setups(), setups);
    for (int i = 0; i < 2; i++) {
        free(tokens[i]);
        clv_free_secret(pems[i]);
    }
    clv_keyset_free(ks);
}
END_TEST

/* More keys than the thread keeps contexts for: each still verifies (the contexts are
 * replaced in turn), and a token whose signature is another key's fails. */
START_TEST(more_kids_than_templates)
{
    enum { N = 7 };
    char *pems[N] = {NULL}, *tokens[N] = {NULL};
    clv_keyset *ks = NULL;
    char *forged = NULL, *p0 = NULL, *p1 = NULL, *p2 = NULL;

    rotation_of(CLV_ALG_ES256, pems, N, tokens, &ks);
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < N; i++)
            verify_ok(ks, tokens[(i * 3 + round) % N]);
    /* token 0's header and payload with token 1's signature: same alg, wrong key */
    p0 = part_of(tokens[0], 0);
    p1 = part_of(tokens[0], 1);
    p2 = part_of(tokens[1], 2);
    forged = join3(p0, p1, p2);
    assert_rejected_why(ks, forged, why_sig);
    free(forged);
    free(p0);
    free(p1);
    free(p2);
    for (int i = 0; i < N; i++) {
        free(tokens[i]);
        clv_free_secret(pems[i]);
    }
    clv_keyset_free(ks);
}
END_TEST

START_TEST(keyset_add_wrong_key)
{
    clv_keyset *ks = NULL;
    char *pem[CLV_ALG_COUNT] = {NULL};
    char *jwks_before = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_keyset_new(&ks, &err), CLV_OK);
    for (int i = 0; i < CLV_ALG_COUNT; i++)
        ck_assert_int_eq(clv_key_generate_pem((clv_alg)i, &pem[i], &err), CLV_OK);
    /* every PEM under every other alg */
    for (int i = 0; i < CLV_ALG_COUNT; i++)
        for (int j = 0; j < CLV_ALG_COUNT; j++)
            if (i != j) {
                clv_err_init(&err);
                ck_assert_int_eq(clv_keyset_add(ks, (clv_alg)j, pem[i], &err), CLV_CRYPTO);
                ck_assert_int_eq(err.code, CLV_CRYPTO);
                ck_assert_msg(strstr(err.detail, alg_names[j]) != NULL, "%s", err.detail);
            }
    ck_assert_str_eq(clv_keyset_jwks(ks), "{\"keys\":[]}");

    /* a failed add leaves the key already there */
    ck_assert_int_eq(clv_keyset_add(ks, CLV_ALG_RS256, pem[CLV_ALG_RS256], &err), CLV_OK);
    jwks_before = strdup(clv_keyset_jwks(ks));
    ck_assert_int_eq(clv_keyset_add(ks, CLV_ALG_RS256, rsa1024_pem, &err), CLV_CRYPTO);
    ck_assert_int_eq(clv_keyset_add(ks, CLV_ALG_RS256, "not a PEM", &err), CLV_CRYPTO);
    ck_assert_int_eq(clv_keyset_add(ks, CLV_ALG_RS256, "", &err), CLV_CRYPTO);
    ck_assert(clv_keyset_has(ks, CLV_ALG_RS256));
    ck_assert_str_eq(clv_keyset_jwks(ks), jwks_before);

    ck_assert_int_eq(clv_keyset_add(ks, CLV_ALG_ES256, p384_pem, &err), CLV_CRYPTO);
    ck_assert_int_eq(clv_keyset_add(ks, CLV_ALG_EDDSA, ed448_pem, &err), CLV_CRYPTO);
    /* an encrypted PEM fails at once rather than prompting for a passphrase */
    ck_assert_int_eq(clv_keyset_add(ks, CLV_ALG_EDDSA, encrypted_ed25519_pem, &err), CLV_CRYPTO);
    ck_assert_int_eq(clv_keyset_add(ks, (clv_alg)CLV_ALG_COUNT, pem[0], &err), CLV_INVALID);
    ck_assert_int_eq(clv_keyset_add(ks, CLV_ALG_RS256, NULL, &err), CLV_INVALID);
    ck_assert(!clv_keyset_has(ks, CLV_ALG_ES256));
    ck_assert(!clv_keyset_has(NULL, CLV_ALG_ES256));

    free(jwks_before);
    for (int i = 0; i < CLV_ALG_COUNT; i++)
        clv_free_secret(pem[i]);
    clv_keyset_free(ks);
    clv_keyset_free(NULL);
}
END_TEST

START_TEST(sign_refusals)
{
    clv_keyset *ks = keyset_with(CLV_ALG_EDDSA);
    json_t *claims = sample_claims(), *arr = json_array();
    char *token = (char *)"untouched";
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(sign_json(ks, CLV_ALG_RS256, "JWT", claims, &token, &err), CLV_INVALID);
    ck_assert_int_eq(sign_json(ks, (clv_alg)7, "JWT", claims, &token, &err), CLV_INVALID);
    ck_assert_int_eq(sign_json(ks, CLV_ALG_EDDSA, "JWT", arr, &token, &err), CLV_INVALID);
    ck_assert_int_eq(sign_json(ks, CLV_ALG_EDDSA, "JWT", NULL, &token, &err), CLV_INVALID);
    ck_assert_int_eq(sign_json(NULL, CLV_ALG_EDDSA, "JWT", claims, &token, &err), CLV_INVALID);
    ck_assert_str_eq(token, "untouched");
    json_decref(arr);
    json_decref(claims);
    clv_keyset_free(ks);
}
END_TEST

/* Many threads signing and verifying with one keyset at once (run under ASan/TSan). */
typedef struct {
    const clv_keyset *ks;
    int failures;
} thread_arg;

static void *sign_many(void *p)
{
    thread_arg *a = p;
    json_t *claims = json_pack("{s:s}", "sub", "thread");

    for (int i = 0; i < 100; i++) {
        clv_alg alg = (clv_alg)(i % CLV_ALG_COUNT);
        char *token = NULL;
        json_t *got = NULL;
        if (sign_json(a->ks, alg, "at+jwt", claims, &token, NULL) != CLV_OK ||
            clv_jwt_verify(a->ks, token, &got, NULL, NULL) != CLV_OK || !json_equal(got, claims))
            a->failures++;
        json_decref(got);
        free(token);
    }
    json_decref(claims);
    return NULL;
}

START_TEST(concurrent_signing)
{
    enum { T = 4 };
    clv_keyset *ks = NULL;
    pthread_t th[T];
    thread_arg args[T];
    char *pem = NULL;

    ck_assert_int_eq(clv_keyset_new(&ks, NULL), CLV_OK);
    for (int i = 0; i < CLV_ALG_COUNT; i++) {
        ck_assert_int_eq(clv_key_generate_pem((clv_alg)i, &pem, NULL), CLV_OK);
        ck_assert_int_eq(clv_keyset_add(ks, (clv_alg)i, pem, NULL), CLV_OK);
        clv_free_secret(pem);
    }
    for (int i = 0; i < T; i++) {
        args[i] = (thread_arg){ks, 0};
        ck_assert_int_eq(pthread_create(&th[i], NULL, sign_many, &args[i]), 0);
    }
    for (int i = 0; i < T; i++) {
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        ck_assert_int_eq(args[i].failures, 0);
    }
    clv_keyset_free(ks);
}
END_TEST

/* clv_rand_public: bytes from the thread's pool are never handed out twice, also across
 * refills, and a forked child does not repeat what its parent draws next. */
START_TEST(rand_public_pool)
{
    enum { N = 200 }; /* 200 * 16 bytes: three refills of the pool */
    static unsigned char seen[N][16];
    unsigned char a[16], b[16], big[400];
    int fds[2];

    for (int i = 0; i < N; i++) {
        ck_assert(clv_rand_public(seen[i], 16));
        for (int j = 0; j < i; j++)
            ck_assert(memcmp(seen[i], seen[j], 16) != 0);
    }
    ck_assert(clv_rand_public(a, 3));            /* odd sizes too */
    ck_assert(clv_rand_public(big, sizeof big)); /* large: straight from the CSPRNG */
    ck_assert(clv_rand_public(b, 0));
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        unsigned char c[16];
        _exit(clv_rand_public(c, sizeof c) && write(fds[1], c, sizeof c) == sizeof c ? 0 : 1);
    }
    ck_assert(clv_rand_public(a, sizeof a));
    ck_assert_int_eq(read(fds[0], b, sizeof b), (ssize_t)sizeof b);
    ck_assert(memcmp(a, b, sizeof a) != 0);
    close(fds[0]);
    close(fds[1]);
    clv_rand_thread_cleanup();
}
END_TEST

static void unhex(const char *hex, unsigned char *out)
{
    for (size_t i = 0; hex[2 * i] != '\0'; i++) {
        unsigned v = 0;
        ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (unsigned char)v;
    }
}

/* RFC 8032 §7.1 TEST 1 and TEST 2: the signatures of other parties' Ed25519 keys (client
 * assertions signed with EdDSA, oauth/assertion.c). */
START_TEST(ed25519_rfc8032_vectors)
{
    unsigned char pub[32], sig[64], pub2[32], sig2[64], msg2 = 0x72;

    unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pub);
    unhex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39"
          "701cf9b46bd25bf5f0595bbe24655141438e7a100b",
          sig);
    unhex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", pub2);
    unhex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f36"
          "13d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
          sig2);
    ck_assert(clv_ed25519_verify(pub, (const unsigned char *)"", 0, sig));
    ck_assert(clv_ed25519_verify(pub2, &msg2, 1, sig2));
    ck_assert(!clv_ed25519_verify(pub2, (const unsigned char *)"", 0, sig)); /* another key */
    ck_assert(!clv_ed25519_verify(pub, &msg2, 1, sig));                      /* another message */
    sig[10] ^= 1;
    ck_assert(!clv_ed25519_verify(pub, (const unsigned char *)"", 0, sig));
}
END_TEST

static Suite *crypto_suite(void)
{
    Suite *s = suite_create("crypto");
    TCase *enc = tcase_create("encoding");
    TCase *hash = tcase_create("hash");
    TCase *rnd = tcase_create("rand");
    TCase *jwt = tcase_create("jwt");

    tcase_add_test(enc, b64url_vectors);
    tcase_add_test(enc, b64url_round_trip);
    tcase_add_test(enc, b64url_rejects);
    tcase_add_test(enc, b64_standard);
    suite_add_tcase(s, enc);

    tcase_add_test(hash, hmac_rfc4231_case2);
    tcase_add_test(hash, sha256_vectors);
    tcase_add_test(hash, ct_equal_and_wipe);
    suite_add_tcase(s, hash);

    tcase_add_test(rnd, rand_id_format_and_uniqueness);
    tcase_add_test(rnd, rand_token_lengths);
    tcase_add_test(rnd, rand_public_pool);
    suite_add_tcase(s, rnd);

    /* RSA key generation is slow under ASan: give the jwt cases room */
    tcase_set_timeout(jwt, 60);
    tcase_add_loop_test(jwt, generate_pem, 0, CLV_ALG_COUNT);
    tcase_add_loop_test(jwt, sign_verify_round_trip, 0, CLV_ALG_COUNT);
    tcase_add_loop_test(jwt, header_is_exact, 0, CLV_ALG_COUNT);
    tcase_add_loop_test(jwt, tampered_rejected, 0, CLV_ALG_COUNT);
    tcase_add_loop_test(jwt, other_keyset_rejected, 0, CLV_ALG_COUNT);
    tcase_add_loop_test(jwt, bad_headers_rejected, 0, CLV_ALG_COUNT);
    tcase_add_loop_test(jwt, garbage_rejected, 0, CLV_ALG_COUNT);
    tcase_add_loop_test(jwt, jwks_members_and_kid, 0, CLV_ALG_COUNT);
    tcase_add_test(jwt, es256_fixed_length);
    tcase_add_test(jwt, rfc7638_example_thumbprint);
    tcase_add_test(jwt, keyset_all_algs);
    tcase_add_test(jwt, keyset_add_wrong_key);
    tcase_add_loop_test(jwt, alternating_kids_set_up_once, CLV_ALG_RS256, CLV_ALG_EDDSA);
    tcase_add_test(jwt, more_kids_than_templates);
    tcase_add_test(jwt, sign_refusals);
    tcase_add_test(jwt, concurrent_signing);
    tcase_add_test(jwt, ed25519_rfc8032_vectors);
    suite_add_tcase(s, jwt);
    return s;
}

int main(void)
{
    return clv_test_run(crypto_suite());
}
