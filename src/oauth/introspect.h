/* introspect — RFC 7662 introspection and RFC 7009 revocation of access tokens. Callers
 * (docs/DESIGN.md R4): active confidential or m2m clients of the token's tenant, and any client
 * with role platform_admin. */
#ifndef CLV_OAUTH_INTROSPECT_H
#define CLV_OAUTH_INTROSPECT_H

#include <jansson.h>

#include "base/err.h"
#include "core/app.h"
#include "oauth/client_auth.h"

/* On CLV_OK *out is {"active": false} or the active token's claims with "active": true. */
clv_code clv_introspect(clv_app *app, const clv_client_creds *caller, const char *token,
                        json_t **out, clv_err *err);

/* Revokes the token if the caller may (RFC 7009 §2.2: an unknown or foreign token is not
 * an error): an access token (by jti), or one of the caller's refresh tokens with its
 * family. Unlike introspection, a public client may call it for its own tokens
 * (RFC 7009 §2.1). */
clv_code clv_revoke(clv_app *app, const clv_client_creds *caller, const char *token,
                    clv_err *err);

#endif
