/* access_token — RFC 9068 JWT access tokens: minting them, and checking one against the current
 * state (signature, expiry, revocation, and the client's effective status right now). */
#ifndef CLV_CORE_ACCESS_TOKEN_H
#define CLV_CORE_ACCESS_TOKEN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

typedef struct {
    const char *sub;    /* NULL: the client_id (client_credentials, RFC 9068 §2.2) */
    const char *scope;  /* space-separated, already checked; NULL or "" = no scope claim */
    const char *aud;    /* a resource identifier (RFC 8707), or NULL: the client's audience */
    int64_t lifetime;   /* seconds; 0 = the client's access_token_lifetime */
    json_t *roles;      /* borrowed; NULL = the client's roles */
    json_t *extra;      /* borrowed; more claims (test tokens), or NULL */
    bool test;          /* adds "test": true */
} clv_mint_opts;

/* Signs claims (a JSON object) as a JWT with the server's key for alg, header typ typ
 * (crypto/jwt.h); *out is malloc'd. For access tokens and ID tokens alike. */
clv_code clv_access_sign(const clv_app *app, clv_alg alg, const char *typ, const json_t *claims,
                         char **out, clv_err *err);

/* Signs an access token for client c with c->signing_alg. *token is malloc'd; *expires_in
 * is the lifetime. */
clv_code clv_access_mint(clv_app *app, const clv_client *c, const clv_mint_opts *o,
                         char **token, int64_t *expires_in, clv_err *err);

/* Checks a presented access token: our signature, typ at+jwt, our issuer, not expired,
 * jti not revoked, the client still exists with effective status active, and the token
 * was issued after the client's last revoke-tokens. On CLV_OK *claims (new reference) and
 * *client (owned, may be NULL if not wanted) are set. CLV_UNAUTHENTICATED when inactive
 * for any reason; CLV_STORE when the store failed. */
clv_code clv_access_check(clv_app *app, const char *token, json_t **claims, clv_client **client,
                          clv_err *err);

/* The "usr" claim of a user's access token: user_id sealed with a key derived from the
 * server's HMAC key. *out is malloc'd. */
clv_code clv_access_user_ref(const clv_app *app, const char *user_id, char **out, clv_err *err);

/* The user behind a user's access token (its claims, already checked by clv_access_check),
 * if it still exists, is active and belongs to the token's tenant; *out owned. CLV_FORBIDDEN
 * when the token was not issued to a user; CLV_UNAUTHENTICATED when the user is gone. */
clv_code clv_access_token_user(clv_app *app, const json_t *claims, clv_user **out, clv_err *err);

#endif
