/* rand — the OS CSPRNG (OpenSSL RAND_bytes) and the random identifiers built on it. */
#ifndef CLV_CRYPTO_RAND_H
#define CLV_CRYPTO_RAND_H

#include <stdbool.h>
#include <stddef.h>

/* Fills buf with n bytes from the CSPRNG; false if it failed (never partially random). */
bool clv_rand_bytes(void *buf, size_t n);

/* As clv_rand_bytes, for identifiers that are public (ids, a token's jti): from a
 * per-thread pool of CSPRNG output, emptied on fork. Never for secrets, keys or tokens. */
bool clv_rand_public(void *buf, size_t n);
/* Frees the calling thread's pool now (the main thread's; workers free theirs at exit). */
void clv_rand_thread_cleanup(void);

enum { CLV_ID_MAX = 48 };

/* Writes "<prefix>_<26 base32 lowercase chars of 128 random bits>" into out
 * (CLV_ID_MAX bytes); prefix is at most 8 characters. false if the CSPRNG failed. */
bool clv_rand_id(const char *prefix, char out[CLV_ID_MAX]);

/* Writes base64url (no padding) of nbytes random bytes into out, which must hold
 * 4*nbytes/3+2 bytes. false if the CSPRNG failed. */
bool clv_rand_token(size_t nbytes, char *out);

#endif
