/* cors_policy — which browser origins may read the answers of /token, /userinfo and
 * /revoke (docs/DESIGN.md I1): a client's allowed_cors_origins and the origins of its redirect
 * URIs, and only while the client is effectively active. Origins are compared as RFC 6454
 * serialises them (base/uri.h). The HTTP side (http/cors_headers.c) turns the answer into
 * Access-Control-* headers and decides nothing. */
#ifndef CLV_OAUTH_CORS_POLICY_H
#define CLV_OAUTH_CORS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

/* true if origin (as a browser sends it in Origin) is one of c's allowed_cors_origins or
 * the origin of one of its redirect URIs, compared after normalising both. */
bool clv_cors_client_allows(const clv_client *c, const char *origin);

/* The answer for a request that names its client: true if origin (an Origin header's
 * value; NULL: false) may read the answer meant for client_id — the client exists, is
 * effectively active (its service and tenant too) and allows origin. false for a NULL,
 * empty or over-long client_id, and when the client cannot be read (a store failure
 * grants nothing). */
bool clv_cors_allows(clv_app *app, const char *client_id, const char *origin);

/* The answer for a preflight, which names no client: true if some effectively active
 * client allows origin (NULL: false). Scans the clients page by page; a store failure
 * grants nothing. */
bool clv_cors_preflight_allows(clv_app *app, const char *origin);

#endif
