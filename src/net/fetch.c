/* fetch — the server's bounded GET, on the one HTTP client (see fetch.h). */
#include "net/fetch.h"

#include <stdlib.h>

#include "net/http_client.h"

clv_code clv_fetch_get(const char *url, char **body, size_t *len, clv_err *err)
{
    const clv_net_req req = {.method = "GET",
                             .url = url,
                             .max_body = CLV_FETCH_MAX,
                             .connect_timeout = CLV_FETCH_TIMEOUT,
                             .timeout = CLV_FETCH_TIMEOUT,
                             .user_agent = "clavis",
                             .name_peer = false}; /* the caller sees only the kind */
    clv_net_client *h = clv_net_client_new();
    clv_net_resp r = {0};
    clv_code rc;

    if (h == NULL)
        return clv_fail(err, CLV_NOMEM, "cannot start an HTTP request");
    rc = clv_net_send(h, &req, &r, err);
    clv_net_client_free(h);
    if (rc == CLV_INVALID && r.too_big)
        return clv_fail(err, CLV_INVALID, "the document is larger than 64 KiB");
    if (rc != CLV_OK)
        return rc;
    if (r.status != 200) {
        rc = clv_fail(err, CLV_INVALID, "the server answered HTTP %ld, not 200", r.status);
        clv_net_resp_cleanup(&r);
        return rc;
    }
    *body = r.body; /* the caller's now: clv_net_resp_cleanup would wipe it */
    *len = r.body_len;
    r.body = NULL;
    r.body_len = 0;
    clv_net_resp_cleanup(&r);
    return CLV_OK;
}
