/* grants — the handlers of the token endpoint's grants, one per row of the grant table
 * (core/grant_types.h): authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6) and
 * refresh_token (RFC 6749 §6), with the ID token of OIDC Core §3.1.3.3; client_credentials
 * (RFC 6749 §4.4); and the revocation of refresh tokens (RFC 7009 §2.1).
 *
 * Codes are single use and live CLV_CODE_LIFETIME seconds; presenting a used one revokes
 * every token issued from it (RFC 6749 §4.1.2). Refresh tokens are rotated on every use
 * and a reused one revokes its whole family (RFC 9700 §4.14.2). docs/DESIGN.md R16: a refresh
 * token comes with every authorization_code and refresh_token grant of a client whose
 * allow_refresh_token is on. */
#ifndef CLV_OAUTH_GRANTS_H
#define CLV_OAUTH_GRANTS_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "core/app.h"
#include "base/err.h"
#include "core/grant_types.h"
#include "oauth/token.h"

/* Runs grant g for client c, which clv_token_issue has authenticated and checked against
 * g's row. On CLV_OK *out is the RFC 6749 §5.1 response (access_token, token_type,
 * expires_in, scope; for the user grants id_token with openid and refresh_token when
 * allowed). CLV_INVALID for a missing parameter, CLV_INVALID_GRANT for a code or refresh
 * token that is unknown, expired, used, or bound to another client, redirect URI or PKCE
 * challenge, CLV_INVALID_SCOPE for a scope the client may not have. */
clv_code clv_grant_run(clv_app *app, clv_grant g, const clv_client *c, const clv_token_req *req,
                       clv_token_reply *out, clv_err *err);

/* RFC 7009 §2.1: if token is a live refresh token of client_id, revokes it and its family
 * (the access tokens issued with it too) and sets *found; an unknown one is no error. */
clv_code clv_grant_refresh_revoke(clv_app *app, const char *client_id, const char *token,
                                  bool *found, clv_err *err);

#endif
