/* token_cache — access tokens this thread has verified, so that introspecting (or
 * presenting) the same token again skips the signature check, and, for up to
 * CLV_CACHE_TTL_MS, its revocation lookup.
 *
 * What is skipped and why it is safe: the signature of a byte-identical token string that
 * this thread verified before under the same keyset (a rotated key keeps verifying until
 * after every token it signed has expired: core/signing_keys.h); and the jti / family revocation lookup when the last one said "not revoked" less
 * than CLV_CACHE_TTL_MS ago and no change was committed in this process since
 * (clv_cache_bump: every revocation here bumps it). The claims checks (expiry, issuer) and
 * the client's current status run on every call. */
#ifndef CLV_CORE_TOKEN_CACHE_H
#define CLV_CORE_TOKEN_CACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/app.h"

/* A verified token's claims (new shallow copy) and typ (borrowed: valid until the
 * thread's next call), or false when this thread has not verified that token under app's
 * keyset. *revocation_fresh says whether its last revocation lookup may be reused. */
bool clv_token_cache_get(const clv_app *app, const char *token, json_t **claims,
                         const char **typ, bool *revocation_fresh);

/* Remembers a token that verified, with its claims (borrowed: a reference is taken) and
 * typ, and that a revocation lookup started under generation (clv_cache_generation(),
 * read before the lookup) answered "not revoked". */
void clv_token_cache_put(const clv_app *app, const char *token, json_t *claims, const char *typ,
                         uint64_t generation);

/* Frees the calling thread's entries. */
void clv_token_cache_clear(void);

#endif
