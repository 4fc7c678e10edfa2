/* cors — which browser origins may read the answers of /token, /userinfo and /revoke
 * (SPEC §2.1): a client's allowed_cors_origins and the origins of its redirect URIs. The
 * HTTP side (http/cors.c) turns the answer into Access-Control-* headers. */
#ifndef CLV_OAUTH_CORS_H
#define CLV_OAUTH_CORS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

/* true if origin (as a browser sends it in Origin) is one of c's allowed_cors_origins or
 * the origin of one of its redirect URIs, compared after normalising both. */
bool clv_cors_client_allows(const clv_client *c, const char *origin);

/* For a preflight, which names no client: *known is true if some effectively active
 * client allows origin. Scans the clients page by page. */
clv_code clv_cors_origin_known(clv_app *app, const char *origin, bool *known, clv_err *err);

#endif
