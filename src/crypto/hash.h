/* hash — keyed hashes, digests and constant-time comparison. */
#ifndef CLV_CRYPTO_HASH_H
#define CLV_CRYPTO_HASH_H

#include <stdbool.h>
#include <stddef.h>

/* HMAC-SHA-256 of data under key into out. false on an OpenSSL failure. */
bool clv_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
                     unsigned char out[32]);

/* SHA-256 of data into out. false on an OpenSSL failure. */
bool clv_sha256(const void *data, size_t n, unsigned char out[32]);

/* SHA-512 of data into out (OIDC at_hash for EdDSA, see oauth/oidc.c). false on an
 * OpenSSL failure. */
bool clv_sha512(const void *data, size_t n, unsigned char out[64]);

/* Compares a and b in time that depends only on n (CRYPTO_memcmp), so that a comparison
 * of a presented secret leaks nothing about where it first differs. */
bool clv_ct_equal(const void *a, const void *b, size_t n);

/* Overwrites n bytes at p in a way the compiler cannot elide (OPENSSL_cleanse). */
void clv_wipe(void *p, size_t n);

/* Wipes and frees a NUL-terminated string; NULL is a no-op. */
void clv_free_secret(char *s);

/* Frees the calling thread's HMAC context now (for the main thread; worker threads free
 * theirs when they exit). */
void clv_hash_thread_cleanup(void);

#endif
