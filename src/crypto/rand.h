/* rand — the OS CSPRNG (OpenSSL RAND_bytes) and the random identifiers built on it. */
#ifndef CLV_CRYPTO_RAND_H
#define CLV_CRYPTO_RAND_H

#include <stdbool.h>
#include <stddef.h>

/* Fills buf with n bytes from the CSPRNG; false if it failed (never partially random). */
bool clv_rand_bytes(void *buf, size_t n);

enum { CLV_ID_MAX = 48 };

/* Writes "<prefix>_<26 base32 lowercase chars of 128 random bits>" into out
 * (CLV_ID_MAX bytes); prefix is at most 8 characters. false if the CSPRNG failed. */
bool clv_rand_id(const char *prefix, char out[CLV_ID_MAX]);

/* Writes base64url (no padding) of nbytes random bytes into out, which must hold
 * 4*nbytes/3+2 bytes. false if the CSPRNG failed. */
bool clv_rand_token(size_t nbytes, char *out);

#endif
