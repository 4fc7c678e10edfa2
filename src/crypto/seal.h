/* seal — authenticated encryption (AES-256-GCM) of short server-private values that travel
 * inside tokens the server reads back later, such as the user behind a pairwise subject
 * (oauth/oidc.c): a client can carry them but neither read nor change them; and the
 * server's own key material at rest (clv_seal_key). */
#ifndef CLV_CRYPTO_SEAL_H
#define CLV_CRYPTO_SEAL_H

#include "base/err.h"

enum { CLV_SEAL_PLAIN_MAX = 256, CLV_SEAL_KEY_MAX = 16384 };

/* Encrypts plain (at most CLV_SEAL_PLAIN_MAX bytes) under key, binding label as associated
 * data, with a fresh random nonce. *out is malloc'd base64url of nonce | ciphertext | tag.
 * CLV_INVALID if plain is too long; CLV_CRYPTO on an OpenSSL or CSPRNG failure. */
clv_code clv_seal(const unsigned char key[32], const char *label, const char *plain, char **out,
                  clv_err *err);

/* Opens what clv_seal made with the same key and label; *plain is malloc'd.
 * CLV_UNAUTHENTICATED if sealed is malformed, was changed, or used another key or label. */
clv_code clv_unseal(const unsigned char key[32], const char *label, const char *sealed,
                    char **plain, clv_err *err);

/* The same for key material at rest (docs/DESIGN.md "Signing keys and the KEK"): PEM
 * private keys, the HMAC key and the pairwise salt sealed under the key-encryption key,
 * label naming what the value is (so a sealed value cannot be moved to another row).
 * plain may be up to CLV_SEAL_KEY_MAX bytes; what is opened the caller frees with
 * clv_free_secret. */
clv_code clv_seal_key(const unsigned char kek[32], const char *label, const char *plain,
                      char **out, clv_err *err);
clv_code clv_unseal_key(const unsigned char kek[32], const char *label, const char *sealed,
                        char **plain, clv_err *err);

#endif
