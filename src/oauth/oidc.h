/* oidc — OpenID Connect on top of the OAuth grants: the subject a client sees (public or
 * pairwise, OIDC Core §8), the ID token (§2, §3.1.3.6) and the UserInfo endpoint (§5.3).
 * Access tokens of users carry a sealed reference to the user ("usr", crypto/seal.h) so
 * that UserInfo finds the user behind a pairwise sub without the token revealing it. */
#ifndef CLV_OAUTH_OIDC_H
#define CLV_OAUTH_OIDC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

enum { CLV_SUB_LEN = 64 };

/* OIDC Core §8.1: base64url(SHA-256(sector "|" user_id "|" salt)) into out (44 bytes). */
bool clv_oidc_pairwise(const char *sector, const char *user_id, const unsigned char salt[32],
                       char out[44]);

/* The sub client c sees for user_id: the user id itself (public), or the pairwise value
 * for c's sector (its sector_identifier, i.e. the host of its redirect URIs or of its
 * sector_identifier_uri, docs/DESIGN.md M, R6). false on a hash failure. */
bool clv_oidc_subject(const clv_app *app, const clv_client *c, const char *user_id,
                      char out[CLV_SUB_LEN]);

/* OIDC Core §3.1.3.6: base64url of the left half of the hash of the access token's ASCII,
 * the hash being the one of the ID token's alg: SHA-256 for RS256 and ES256, SHA-512 for
 * EdDSA over Ed25519 (as the OpenID Foundation's certified libraries do). out: 64 bytes. */
bool clv_oidc_at_hash(clv_alg alg, const char *access_token, char out[64]);

/* Signs an ID token (typ JWT, c->signing_alg) with iss, sub, aud = client_id, exp (the
 * access token's lifetime), iat, auth_time, nonce (when not NULL) and at_hash (when
 * access_token is not NULL). *out is malloc'd. */
clv_code clv_oidc_id_token(clv_app *app, const clv_client *c, const char *sub, int64_t auth_time,
                           const char *nonce, const char *access_token, char **out, clv_err *err);

/* UserInfo (OIDC Core §5.3): checks the bearer token (clv_access_check), which must be a
 * user's token with scope openid, and answers sub, plus preferred_username with profile
 * and email with email. *client_id (may be NULL; malloc'd) names the token's client even
 * when the answer is an error, for CORS. CLV_UNAUTHENTICATED (invalid_token) for a bad
 * token or a user who is gone or inactive; CLV_FORBIDDEN (insufficient_scope) for a token
 * without openid or not issued to a user. */
clv_code clv_oidc_userinfo(clv_app *app, const char *access_token, json_t **out, char **client_id,
                           clv_err *err);

#endif
