/* cors_headers — Access-Control-* headers of /token, /userinfo and /revoke (docs/DESIGN.md I1;
 * Fetch standard §3.2) and their preflight. Whether an origin is allowed is
 * oauth/cors_policy.c's call; this file reads the Origin header and writes headers. */
#include <string.h>

#include "http/browser.h"
#include "http/handlers.h"
#include "oauth/cors_policy.h"

void clv_cors_for_client(const clv_req *r, clv_resp *resp, const char *client_id)
{
    const char *origin = clv_req_header(r, "Origin");

    if (origin == NULL)
        return;
    clv_resp_header(resp, "Vary", "Origin");
    if (!clv_cors_allows(clv_req_app(r), client_id, origin))
        return;
    clv_resp_header(resp, "Access-Control-Allow-Origin", origin);
    clv_resp_header(resp, "Access-Control-Expose-Headers", "WWW-Authenticate");
}

/* OPTIONS /token, /userinfo, /revoke. A preflight names no client, so an origin passes
 * when some active client allows it; the real request is then checked against its own
 * client (clv_cors_for_client). Any other origin gets no Access-Control-* header. */
void clv_h_preflight(clv_req *r, clv_resp *resp)
{
    const char *origin = clv_req_header(r, "Origin");
    bool userinfo = strcmp(clv_req_path(r), "/userinfo") == 0;

    clv_resp_empty(resp, 204);
    clv_resp_header(resp, "Allow", userinfo ? "GET, POST, OPTIONS" : "POST, OPTIONS");
    if (origin == NULL)
        return;
    clv_resp_header(resp, "Vary", "Origin");
    if (!clv_cors_preflight_allows(clv_req_app(r), origin))
        return;
    clv_resp_header(resp, "Access-Control-Allow-Origin", origin);
    clv_resp_header(resp, "Access-Control-Allow-Methods", userinfo ? "GET, POST" : "POST");
    clv_resp_header(resp, "Access-Control-Allow-Headers", "Authorization, Content-Type");
    clv_resp_header(resp, "Access-Control-Max-Age", "600"); /* seconds a browser may cache it */
}
