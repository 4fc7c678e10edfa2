/* token — the token endpoint's dispatch and scope rules (see token.h). */
#include "oauth/token.h"

#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "core/access_token.h"
#include "core/grant_types.h"
#include "core/metrics.h"
#include "core/scope.h"
#include "crypto/hash.h"
#include "oauth/grants.h"

void clv_token_reply_cleanup(clv_token_reply *r)
{
    clv_free_secret(r->access_token);
    clv_free_secret(r->id_token);
    clv_free_secret(r->refresh_token);
    free(r->scope);
    *r = (clv_token_reply){0};
}

const char *clv_token_param(const clv_token_req *req, const char *name)
{
    return req->param != NULL ? req->param(req->params, name) : NULL;
}

clv_code clv_token_issue(clv_app *app, const clv_token_req *req, clv_token_reply *out, clv_err *err)
{
    const char *name = clv_token_param(req, "grant_type");
    clv_client *c = NULL;
    clv_grant g;
    clv_code rc;

    if (name == NULL)
        return clv_fail(err, CLV_INVALID, "grant_type is required");
    if (!clv_grant_parse(name, &g))
        return clv_fail(err, CLV_UNSUPPORTED_GRANT, "grant_type '%.64s' is not supported", name);
    if ((rc = clv_client_authenticate(app, &req->creds, &c, err)) != CLV_OK)
        return rc;
    /* who may use the grant: its row of core/grant_types.h (docs/DESIGN.md M table) */
    if (!clv_grant_allowed(c, g))
        rc = clv_fail(err, CLV_UNAUTHORIZED_CLIENT, "this client may not use the %s grant",
                      clv_grant_name(g));
    else
        rc = clv_grant_run(app, g, c, req, out, err);
    if (rc == CLV_OK)
        clv_metrics_token(g, c->client_id);
    clv_client_free(c);
    return rc;
}
