/* password — user passwords, hashed with argon2id (libargon2). */
#ifndef CLV_CRYPTO_PASSWORD_H
#define CLV_CRYPTO_PASSWORD_H

#include <stdbool.h>

#include "core/err.h"

/* The argon2id encoded hash ($argon2id$v=19$m=…) of password with a random salt; *out is
 * malloc'd. CLV_CRYPTO on failure. */
clv_code clv_password_hash(const char *password, char **out, clv_err *err);

/* true if password matches the encoded hash (libargon2 compares in constant time). */
bool clv_password_verify(const char *encoded, const char *password);

#endif
