/* keys — the server's signing keys: generation as PKCS#8 PEM, loading into a keyset, the
 * RFC 7638 thumbprint that names each key (kid) and the public JWKS (RFC 7517 §5) that
 * relying parties fetch to verify what Clavis signs. Signing and verifying are in jwt.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/b64.h"
#include "crypto/hash.h"
#include "crypto/jwt.h"
#include "crypto/jwt_int.h"

const char *const clv__alg_names[CLV_ALG_COUNT] = {"RS256", "ES256", "EdDSA"};
const char *const clv__typ_names[CLV__TYP_COUNT] = {"at+jwt", "JWT"};

enum {
    RSA_MIN_BITS = 2048, /* RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used" */
    EC_COORD_LEN = 32,   /* P-256 coordinates, fixed length (RFC 7518 §6.2.1.2) */
    ED25519_LEN = 32     /* RFC 8032 §5.1.5 */
};

clv_code clv__ossl_fail(clv_err *err, clv_code code, const char *fmt, ...)
{
    char what[CLV_ERR_DETAIL_MAX];
    char why[160];
    unsigned long e = ERR_get_error();
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    ERR_clear_error();
    if (e == 0)
        return clv_fail(err, code, "%s", what);
    ERR_error_string_n(e, why, sizeof why);
    return clv_fail(err, code, "%s: %s", what, why);
}

char *clv__jws_header(clv_alg alg, const char *kid, const char *typ, size_t *len)
{
    json_t *hdr = NULL;
    char *text = NULL;
    char *b64 = NULL;

    /* RFC 7515 §4.1: alg says how to verify, kid which key; typ is RFC 9068 §2.1 "at+jwt"
     * for access tokens so they cannot be mistaken for ID tokens, and vice versa. */
    if (typ != NULL)
        hdr = json_pack("{s:s, s:s, s:s}", "alg", clv__alg_names[alg], "kid", kid, "typ", typ);
    else
        hdr = json_pack("{s:s, s:s}", "alg", clv__alg_names[alg], "kid", kid);
    if (hdr == NULL)
        goto cleanup;
    text = json_dumps(hdr, JSON_COMPACT);
    if (text == NULL)
        goto cleanup;
    b64 = malloc(clv_b64url_encoded_size(strlen(text)));
    if (b64 == NULL)
        goto cleanup;
    *len = clv_b64url_encode(text, strlen(text), b64);
cleanup:
    free(text);
    json_decref(hdr);
    return b64;
}

/* Copies the PEM text out of a memory BIO into a malloc'd string and wipes the BIO's copy. */
static clv_code take_pem(BIO *bio, char **pem, clv_err *err)
{
    BUF_MEM *mem = NULL;
    char *text = NULL;

    if (BIO_get_mem_ptr(bio, &mem) != 1 || mem == NULL)
        return clv__ossl_fail(err, CLV_CRYPTO, "key_generate: no PEM output");
    text = malloc(mem->length + 1);
    if (text != NULL) {
        memcpy(text, mem->data, mem->length);
        text[mem->length] = '\0';
    }
    OPENSSL_cleanse(mem->data, mem->length);
    if (text == NULL)
        return clv_fail(err, CLV_NOMEM, "key_generate: out of memory");
    *pem = text;
    return CLV_OK;
}

clv_code clv_key_generate_pem(clv_alg alg, char **pem, clv_err *err)
{
    EVP_PKEY *pkey = NULL;
    BIO *bio = NULL;
    clv_code rc = CLV_CRYPTO;

    switch (alg) {
    case CLV_ALG_RS256:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)RSA_MIN_BITS);
        break;
    case CLV_ALG_ES256:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        break;
    case CLV_ALG_EDDSA:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        break;
    default:
        return clv_fail(err, CLV_CRYPTO, "key_generate: unknown alg %d", (int)alg);
    }
    if (pkey == NULL) {
        clv__ossl_fail(err, rc, "key_generate %s", clv__alg_names[alg]);
        goto cleanup;
    }
    /* PEM_write_bio_PrivateKey writes PKCS#8 PrivateKeyInfo ("BEGIN PRIVATE KEY"),
     * unencrypted: the caller stores it wherever its secrets live. */
    bio = BIO_new(BIO_s_mem());
    if (bio == NULL || PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) != 1) {
        clv__ossl_fail(err, rc, "key_generate: PEM encoding");
        goto cleanup;
    }
    rc = take_pem(bio, pem, err);
cleanup:
    BIO_free(bio);
    EVP_PKEY_free(pkey);
    return rc;
}

clv_code clv_keyset_new(clv_keyset **out, clv_err *err)
{
    clv_keyset *ks = calloc(1, sizeof *ks);

    if (ks == NULL || (ks->jwks = strdup("{\"keys\":[]}")) == NULL) {
        free(ks);
        return clv_fail(err, CLV_NOMEM, "keyset_new: out of memory");
    }
    for (size_t i = 0; i < CLV_ALG_COUNT; i++)
        ks->active[i] = -1;
    *out = ks;
    return CLV_OK;
}

static void key_cleanup(clv__key *k)
{
    EVP_PKEY_free(k->pkey);
    json_decref(k->jwk);
    for (size_t i = 0; i < CLV__TYP_COUNT; i++)
        free(k->hdr[i]);
    memset(k, 0, sizeof *k);
}

void clv_keyset_free(clv_keyset *ks)
{
    if (ks == NULL)
        return;
    for (size_t i = 0; i < ks->n; i++)
        key_cleanup(&ks->keys[i]);
    free(ks->jwks);
    free(ks);
}

bool clv_keyset_has(const clv_keyset *ks, clv_alg alg)
{
    return ks != NULL && (unsigned)alg < CLV_ALG_COUNT && ks->active[alg] >= 0;
}

const char *clv_keyset_kid(const clv_keyset *ks, clv_alg alg)
{
    return clv_keyset_has(ks, alg) ? ks->keys[ks->active[alg]].kid : NULL;
}

const char *clv_keyset_jwks(const clv_keyset *ks) { return ks != NULL ? ks->jwks : NULL; }

/* Refuses to prompt on the terminal for an encrypted PEM: a server has no one to ask. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

/* Whether pkey is the kind of key alg needs. RSA-PSS keys are not "RSA" and are refused:
 * RS256 is PKCS#1 v1.5 (RFC 7518 §3.3). EC keys must name P-256; explicit curve
 * parameters are refused along with every other curve (RFC 7518 §3.4). */
static bool key_fits(clv_alg alg, const EVP_PKEY *pkey)
{
    char group[32];

    switch (alg) {
    case CLV_ALG_RS256:
        return EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_get_bits(pkey) >= RSA_MIN_BITS &&
               EVP_PKEY_get_size(pkey) <= CLV__SIG_MAX;
    case CLV_ALG_ES256:
        return EVP_PKEY_is_a(pkey, "EC") &&
               EVP_PKEY_get_group_name(pkey, group, sizeof group, NULL) == 1 &&
               strcmp(group, "prime256v1") == 0;
    case CLV_ALG_EDDSA:
        return EVP_PKEY_is_a(pkey, "ED25519");
    default:
        return false;
    }
}

static clv_code load_key(clv_alg alg, const char *pem, EVP_PKEY **out, clv_err *err)
{
    BIO *bio = BIO_new_mem_buf(pem, -1); /* reads pem in place: no copy of the secret */
    EVP_PKEY *pkey = NULL;
    clv_code rc = CLV_CRYPTO;

    if (bio == NULL) {
        clv__ossl_fail(err, rc, "keyset_add %s: BIO", clv__alg_names[alg]);
        goto cleanup;
    }
    pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    if (pkey == NULL) {
        clv__ossl_fail(err, rc, "keyset_add %s: no private key in PEM", clv__alg_names[alg]);
        goto cleanup;
    }
    if (!key_fits(alg, pkey)) {
        const char *type = EVP_PKEY_get0_type_name(pkey);
        clv_fail(err, rc, "keyset_add %s: PEM holds a %s key of %d bits, not one for %s",
                 clv__alg_names[alg], type != NULL ? type : "unknown", EVP_PKEY_get_bits(pkey),
                 clv__alg_names[alg]);
        goto cleanup;
    }
    *out = pkey;
    pkey = NULL;
    rc = CLV_OK;
cleanup:
    EVP_PKEY_free(pkey);
    BIO_free(bio);
    return rc;
}

/* Sets obj[name] to the base64url of bytes[0..n). 0 on success, as jansson's setters. */
static int set_b64(json_t *obj, const char *name, const unsigned char *bytes, size_t n)
{
    char text[CLV__SIG_MAX * 4 / 3 + 4];

    clv_b64url_encode(bytes, n, text);
    return json_object_set_new(obj, name, json_string(text));
}

/* Sets obj[name] to the base64url of a public integer of pkey, big-endian: in the fewest
 * bytes when width is 0 (RSA n and e, RFC 7518 §6.3.1.1), else left-padded to width bytes
 * (EC coordinates, RFC 7518 §6.2.1.2). 0 on success. */
static int set_bn(json_t *obj, const char *name, const EVP_PKEY *pkey, const char *param, int width)
{
    BIGNUM *bn = NULL;
    unsigned char raw[CLV__SIG_MAX];
    int len = -1;

    if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1)
        return -1;
    if (width > 0)
        len = BN_bn2binpad(bn, raw, width);
    else if (BN_num_bytes(bn) > 0 && BN_num_bytes(bn) <= (int)sizeof raw)
        len = BN_bn2bin(bn, raw);
    BN_free(bn);
    if (len <= 0)
        return -1;
    return set_b64(obj, name, raw, (size_t)len);
}

/* The members of pkey's public JWK that RFC 7638 §3.2 requires for its thumbprint, which
 * are also all the public parameters: RSA {kty,n,e} (RFC 7518 §6.3.1), EC {kty,crv,x,y}
 * (RFC 7518 §6.2.1), OKP {kty,crv,x} (RFC 8037 §2). kty comes first so that the JWKS
 * entry reads naturally; the thumbprint sorts them anyway. NULL on failure. */
static json_t *public_members(clv_alg alg, const EVP_PKEY *pkey)
{
    json_t *m = NULL;
    unsigned char raw[ED25519_LEN];
    size_t rawlen = sizeof raw;
    int bad = 0;

    switch (alg) {
    case CLV_ALG_RS256:
        m = json_pack("{s:s}", "kty", "RSA");
        bad = m == NULL || set_bn(m, "n", pkey, OSSL_PKEY_PARAM_RSA_N, 0) != 0 ||
              set_bn(m, "e", pkey, OSSL_PKEY_PARAM_RSA_E, 0) != 0;
        break;
    case CLV_ALG_ES256:
        m = json_pack("{s:s, s:s}", "kty", "EC", "crv", "P-256");
        bad = m == NULL || set_bn(m, "x", pkey, OSSL_PKEY_PARAM_EC_PUB_X, EC_COORD_LEN) != 0 ||
              set_bn(m, "y", pkey, OSSL_PKEY_PARAM_EC_PUB_Y, EC_COORD_LEN) != 0;
        break;
    case CLV_ALG_EDDSA:
        m = json_pack("{s:s, s:s}", "kty", "OKP", "crv", "Ed25519");
        bad = m == NULL || EVP_PKEY_get_raw_public_key(pkey, raw, &rawlen) != 1 ||
              rawlen != ED25519_LEN || set_b64(m, "x", raw, rawlen) != 0;
        break;
    default:
        bad = 1;
    }
    if (bad) {
        json_decref(m);
        return NULL;
    }
    return m;
}

/* RFC 7638 §3: base64url(SHA-256(the required members, keys sorted, no whitespace)).
 * jansson's compact, sorted output is exactly that form: the member values are
 * base64url strings and fixed names, which need no escaping (§3.3). */
static bool thumbprint(const json_t *members, char kid[CLV__KID_LEN + 1])
{
    char *text = json_dumps(members, JSON_COMPACT | JSON_SORT_KEYS);
    unsigned char digest[32];
    bool ok = text != NULL && clv_sha256(text, strlen(text), digest);

    if (ok)
        clv_b64url_encode(digest, sizeof digest, kid);
    free(text);
    return ok;
}

/* Fills k->jwk, k->kid and k->hdr[] for the key in k->pkey. */
static clv_code describe_key(clv_alg alg, clv__key *k, clv_err *err)
{
    json_t *members = public_members(alg, k->pkey);
    const char *name = NULL;
    json_t *value = NULL;
    clv_code rc = CLV_NOMEM;

    if (members == NULL) {
        clv__ossl_fail(err, CLV_CRYPTO, "keyset_add %s: public parameters", clv__alg_names[alg]);
        rc = CLV_CRYPTO;
        goto cleanup;
    }
    if (!thumbprint(members, k->kid))
        goto cleanup;
    /* RFC 7517 §4: use "sig" and alg tell a relying party what the key is for. */
    k->jwk = json_pack("{s:O, s:s, s:s, s:s}", "kty", json_object_get(members, "kty"), "use", "sig",
                       "alg", clv__alg_names[alg], "kid", k->kid);
    if (k->jwk == NULL)
        goto cleanup;
    json_object_foreach(members, name, value)
    {
        if (strcmp(name, "kty") != 0 && json_object_set(k->jwk, name, value) != 0)
            goto cleanup;
    }
    for (size_t i = 0; i < CLV__TYP_COUNT; i++) {
        k->hdr[i] = clv__jws_header(alg, k->kid, clv__typ_names[i], &k->hdr_len[i]);
        if (k->hdr[i] == NULL)
            goto cleanup;
    }
    rc = CLV_OK;
cleanup:
    if (rc == CLV_NOMEM)
        clv_fail(err, rc, "keyset_add %s: out of memory", clv__alg_names[alg]);
    json_decref(members);
    return rc;
}

/* The JWKS text of ks with fresh (of fresh_alg, active or not) in slot `slot` (which may
 * be ks->n: one more key): by alg in clv_alg order, each alg's active key first, then its
 * retired ones as they were added. */
static char *build_jwks(const clv_keyset *ks, size_t slot, const clv__key *fresh,
                        clv_alg fresh_alg, bool fresh_active)
{
    json_t *keys = json_array();
    json_t *jwks = json_pack("{s:o}", "keys", keys);
    char *text = NULL;
    size_t n = slot == ks->n ? ks->n + 1 : ks->n;

    if (jwks == NULL)
        return NULL;
    for (int pass = 0; pass < 2 * CLV_ALG_COUNT; pass++) {
        clv_alg alg = (clv_alg)(pass / 2);
        for (size_t i = 0; i < n; i++) {
            bool fr = i == slot;
            const clv__key *k = fr ? fresh : &ks->keys[i];
            bool active = fr ? fresh_active : ks->active[alg] == (int)i && !(fresh_active &&
                                                                             fresh_alg == alg);
            if ((fr ? fresh_alg : ks->algs[i]) != alg || active != (pass % 2 == 0))
                continue;
            if (json_array_append(keys, k->jwk) != 0)
                goto cleanup;
        }
    }
    text = json_dumps(jwks, JSON_COMPACT);
cleanup:
    json_decref(jwks);
    return text;
}

/* Loads pem as a key of alg into slot `slot` of ks (ks->n appends). */
static clv_code add_key(clv_keyset *ks, clv_alg alg, const char *pem, size_t slot, bool active,
                        clv_err *err)
{
    clv__key fresh = {0};
    char *jwks = NULL;
    clv_code rc;

    rc = load_key(alg, pem, &fresh.pkey, err);
    if (rc == CLV_OK)
        rc = describe_key(alg, &fresh, err);
    if (rc != CLV_OK)
        goto cleanup;
    jwks = build_jwks(ks, slot, &fresh, alg, active);
    if (jwks == NULL) {
        rc = clv_fail(err, CLV_NOMEM, "keyset_add %s: out of memory", clv__alg_names[alg]);
        goto cleanup;
    }
    /* Everything is built: only now replace the old key, so a failed add changes nothing. */
    if (slot < ks->n)
        key_cleanup(&ks->keys[slot]);
    else
        ks->n++;
    ks->keys[slot] = fresh;
    ks->algs[slot] = alg;
    memset(&fresh, 0, sizeof fresh);
    free(ks->jwks);
    ks->jwks = jwks;
cleanup:
    key_cleanup(&fresh);
    return rc;
}

static clv_code check_add(const clv_keyset *ks, clv_alg alg, const char *pem, bool grows,
                          clv_err *err)
{
    if (ks == NULL || pem == NULL || (unsigned)alg >= CLV_ALG_COUNT)
        return clv_fail(err, CLV_INVALID, "keyset_add: no keyset, PEM or alg");
    if (grows && ks->n == CLV_KEYSET_MAX)
        return clv_fail(err, CLV_INVALID, "keyset_add: more than %d keys", CLV_KEYSET_MAX);
    return CLV_OK;
}

clv_code clv_keyset_add(clv_keyset *ks, clv_alg alg, const char *pem, clv_err *err)
{
    bool grows = ks != NULL && (unsigned)alg < CLV_ALG_COUNT && ks->active[alg] < 0;
    size_t slot;
    clv_code rc = check_add(ks, alg, pem, grows, err);

    if (rc != CLV_OK)
        return rc;
    slot = grows ? ks->n : (size_t)ks->active[alg];
    if ((rc = add_key(ks, alg, pem, slot, true, err)) == CLV_OK)
        ks->active[alg] = (int)slot;
    return rc;
}

clv_code clv_keyset_add_retired(clv_keyset *ks, clv_alg alg, const char *pem, clv_err *err)
{
    clv_code rc = check_add(ks, alg, pem, true, err);

    return rc == CLV_OK ? add_key(ks, alg, pem, ks->n, false, err) : rc;
}

clv_code clv_key_kid(clv_alg alg, const char *pem, char kid[CLV_KID_MAX], clv_err *err)
{
    clv__key k = {0};
    clv_code rc;

    if ((unsigned)alg >= CLV_ALG_COUNT || pem == NULL)
        return clv_fail(err, CLV_INVALID, "key_kid: no PEM or alg");
    rc = load_key(alg, pem, &k.pkey, err);
    if (rc == CLV_OK)
        rc = describe_key(alg, &k, err);
    if (rc == CLV_OK)
        memcpy(kid, k.kid, CLV__KID_LEN + 1);
    key_cleanup(&k);
    return rc;
}
