/* cli_http — the admin command line's requests (see cli_http.h). */
#include "cli/cli_http.h"

#include <stdio.h>

bool clv_cli_http_send(clv_net_client *h, const char *method, const char *url,
                       const char *const *headers, const char *body, clv_net_resp *out,
                       char *errbuf, size_t errcap)
{
    const clv_net_req req = {.method = method,
                             .url = url,
                             .headers = headers,
                             .body = body,
                             .max_body = CLV_CLI_HTTP_MAX_BODY,
                             .connect_timeout = 10,
                             .timeout = 60,
                             .user_agent = "clavis-cli",
                             .name_peer = true}; /* "Failed to connect to HOST port N" */
    clv_err err;

    clv_err_init(&err);
    if (clv_net_send(h, &req, out, &err) == CLV_OK)
        return true;
    snprintf(errbuf, errcap, "%s", err.detail);
    out->too_big = false;
    return false;
}
