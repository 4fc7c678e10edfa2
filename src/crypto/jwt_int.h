/* jwt_int — private to src/crypto: the layout of a keyset, shared by keys.c (generation,
 * loading, JWKS) and jwt.c (signing and verifying). It pulls in OpenSSL, so nothing outside
 * src/crypto may include it; the contract is jwt.h. */
#ifndef CLV_CRYPTO_JWT_INT_H
#define CLV_CRYPTO_JWT_INT_H

#include <stddef.h>

#include <openssl/evp.h>

#include "crypto/jwt.h"

enum {
    /* base64url of a SHA-256 digest, unpadded: ceil(32 * 4 / 3) */
    CLV__KID_LEN = 43,
    /* The largest signature (or RSA modulus) handled, in bytes: RSA-8192. Signatures live
     * in stack buffers of this size, so keys.c refuses larger keys. */
    CLV__SIG_MAX = 1024,
    /* The typ values whose headers are encoded once at load time (jwt.h). */
    CLV__TYP_AT = 0,
    CLV__TYP_JWT = 1,
    CLV__TYP_COUNT = 2
};

/* One signing key. pkey NULL means the slot is empty and every other member is unset. */
typedef struct {
    EVP_PKEY *pkey;             /* private key; shared read-only by all signing threads */
    json_t *jwk;                /* its public JWK as published in the JWKS */
    char kid[CLV__KID_LEN + 1]; /* RFC 7638 thumbprint */
    char *hdr[CLV__TYP_COUNT];  /* base64url protected header, per CLV__TYP_* */
    size_t hdr_len[CLV__TYP_COUNT];
} clv__key;

/* Only clv_keyset_add and clv_keyset_add_retired write to a keyset; they are not
 * synchronised with readers, which is why jwt.h says keysets are immutable once loaded
 * (a changed key set is a new keyset, core/signing_keys.c). keys[0..n) in the order they
 * were added; active[alg] is the index of the key that signs for alg, or -1. */
struct clv_keyset {
    clv__key keys[CLV_KEYSET_MAX];
    size_t n;
    int active[CLV_ALG_COUNT];
    clv_alg algs[CLV_KEYSET_MAX]; /* the alg of keys[i] */
    char *jwks; /* never NULL after clv_keyset_new */
};

/* JOSE names of the algorithms (RFC 7518 §3.1, RFC 8037 §3.1), indexed by clv_alg. */
extern const char *const clv__alg_names[CLV_ALG_COUNT];
/* The typ values of CLV__TYP_*. */
extern const char *const clv__typ_names[CLV__TYP_COUNT];

/* The base64url of the compact protected header {"alg","kid","typ"} (typ left out when
 * NULL), malloc'd, with its length in *len; NULL on allocation failure. */
char *clv__jws_header(clv_alg alg, const char *kid, const char *typ, size_t *len);

/* clv_fail with the oldest queued OpenSSL error appended to the detail; empties this
 * thread's OpenSSL error queue so that a later failure does not report a stale error. */
clv_code clv__ossl_fail(clv_err *err, clv_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
