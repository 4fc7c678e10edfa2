/* console_client — the web console's own OAuth client (docs/DESIGN.md D13): a protected,
 * first-party public client of the init service, whose redirect URIs follow the issuer. */
#ifndef CLV_CORE_CONSOLE_CLIENT_H
#define CLV_CORE_CONSOLE_CLIENT_H

#include "base/err.h"
#include "core/app.h"

/* Its client_id, fixed like Keycloak's security-admin-console, so that the console's
 * assets can name it. */
#define CLV_CONSOLE_CLIENT_ID "clavis-console"

/* Makes sure the console client exists with redirect URI ISSUER/console/callback and
 * post-logout redirect URI ISSUER/console/ for this issuer: creates it (on a database
 * `clavis init` made before the console existed, too), or sets those two URIs when the
 * issuer changed; otherwise writes nothing. Safe when several nodes start at once. */
clv_code clv_console_client_ensure(clv_app *app, const char *issuer, clv_err *err);

#endif
