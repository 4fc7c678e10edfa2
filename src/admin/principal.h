/* principal — the admin API's one authorisation decision (I2): a bearer access token
 * Clavis issued, with scope admin, whose holder is an administrator now — an m2m client
 * with role tenant_admin or platform_admin, or a signed-in user with that role through a
 * first-party client (docs/DESIGN.md D2). src/http reads the header and calls this. */
#ifndef CLV_ADMIN_PRINCIPAL_H
#define CLV_ADMIN_PRINCIPAL_H

#include "base/err.h"
#include "core/app.h"

/* Checks token (the bearer's value) and fills *p with who it speaks for: roles as they
 * are now. CLV_UNAUTHENTICATED for a token that is not (or no longer) valid; CLV_FORBIDDEN
 * without the admin scope or an administrator's role. */
clv_code clv_admin_principal(clv_app *app, const char *token, clv_principal *p, clv_err *err);

#endif
