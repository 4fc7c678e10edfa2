/* password — user passwords, hashed with argon2id (libargon2), at most a few at a time. */
#ifndef CLV_CRYPTO_PASSWORD_H
#define CLV_CRYPTO_PASSWORD_H

#include <stdbool.h>

#include "base/err.h"

/* Each argon2id computation holds 19 MiB and a core for tens of milliseconds, so at most
 * n run at once (a counting semaphore; n = 0: one per online core); a caller waits at most
 * wait_ms for its turn. Without a call: one per core, 3 s. Only the first call counts,
 * and only before any password is hashed or checked (start-up, or a test). */
void clv_password_limit(unsigned n, int wait_ms);

/* The argon2id encoded hash ($argon2id$v=19$m=…) of password with a random salt; *out is
 * malloc'd. CLV_THROTTLED (err->retry_after 1) when no turn came in time; CLV_CRYPTO on
 * failure. */
clv_code clv_password_hash(const char *password, char **out, clv_err *err);

/* CLV_OK if password matches the encoded hash (libargon2 compares in constant time),
 * CLV_ACCESS_DENIED if it does not or encoded is not a hash (NULL arguments likewise),
 * CLV_THROTTLED (err->retry_after 1) when no turn came in time. */
clv_code clv_password_check(const char *encoded, const char *password, clv_err *err);

/* A turn of the semaphore, as hash and check take it (exposed for tests): true once one is
 * taken within wait_ms (0: only if one is free now); give it back with
 * clv_password_turn_give. */
bool clv_password_turn_take(int wait_ms);
void clv_password_turn_give(void);

#endif
