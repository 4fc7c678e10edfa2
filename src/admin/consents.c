/* consents — users' remembered consents in the admin API (see consents.h). */
#include "admin/consents.h"

#include <string.h>

#include "admin/operation.h"
#include "core/audit.h"

static json_t *consent_json(const void *item)
{
    const clv_consent *c = item;

    return json_pack("{s:s, s:s, s:o, s:o}", "client_id", c->client_id, "scope", c->scope,
                     "created_at", clv_json_time(c->created_at), "updated_at",
                     clv_json_time(c->updated_at));
}

/* The user must exist and be of a tenant p sees. */
static clv_code user_visible(clv_app *app, const clv_principal *p, const char *id, clv_err *err)
{
    clv_user *u = NULL;
    clv_code rc = clv_store_user_get(app->store, id, &u, err);

    if (rc == CLV_OK && !clv_principal_sees(p, u->tenant_id))
        rc = CLV_NOT_FOUND;
    clv_user_free(u);
    if (rc == CLV_NOT_FOUND)
        return clv_fail(err, CLV_NOT_FOUND, "no user '%.64s'", id);
    return rc;
}

clv_code clv_admin_user_grants(clv_app *app, const clv_admin_args *args, json_t **out,
                               clv_err *err)
{
    clv_list l = {0};
    clv_code rc = user_visible(app, args->p, args->id, err);

    if (rc != CLV_OK || (rc = clv_store_consent_list(app->store, args->id, args->cursor,
                                                     args->limit, &l, err)) != CLV_OK)
        return rc;
    if ((*out = clv_admin_page(&l, consent_json)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return CLV_OK;
}

clv_code clv_admin_user_grant_revoke(clv_app *app, const clv_admin_args *args, json_t **out,
                                     clv_err *err)
{
    const clv_principal *p = args->p;
    const char *user_id = args->id, *client_id = args->id2;
    clv_consent *c = NULL;
    clv_code rc = user_visible(app, p, user_id, err);

    *out = NULL;
    if (rc != CLV_OK || (rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    rc = clv_store_consent_get(app->store, user_id, client_id, &c, err);
    if (rc == CLV_NOT_FOUND)
        rc = clv_fail(err, CLV_NOT_FOUND, "user '%.64s' has not allowed client '%.64s'", user_id,
                      client_id);
    if (rc == CLV_OK)
        rc = clv_store_consent_delete(app->store, user_id, client_id, err);
    if (rc == CLV_OK)
        rc = clv_audit_write(app, p, c->tenant_id, "consent.revoke", "client", client_id,
                             json_pack("{s:{s:s,s:n}, s:{s:s,s:n}}", "user_id", "from", user_id,
                                       "to", "scope", "from", c->scope, "to"),
                             err);
    clv_consent_free(c);
    return clv_write_finish(app, rc, err);
}
