/* tenants — the admin API's tenants (declared in services.h). Platform admins create,
 * list and change them; a tenant admin may read its own. */
#include <stdlib.h>
#include <string.h>

#include "admin/operation.h"
#include "admin/services.h"
#include "core/audit.h"
#include "core/client_json.h"
#include "core/ids.h"

static json_t *tenant_json(const void *item)
{
    const clv_tenant *t = item;

    return json_pack("{s:s, s:s, s:s, s:o}", "id", t->id, "name", t->name, "status",
                     clv_status_name(t->status), "created_at", clv_json_time(t->created_at));
}

static clv_code platform_only(const clv_principal *p, clv_err *err)
{
    if (!p->platform_admin) /* docs/DESIGN.md R15 */
        return clv_fail(err, CLV_FORBIDDEN, "only a platform admin may do this");
    return CLV_OK;
}

static const char *const tenant_keys[] = {"name", NULL};

clv_code clv_admin_tenant_create(clv_app *app, const clv_admin_args *args, json_t **out,
                                 clv_err *err)
{
    const clv_principal *p = args->p;
    const json_t *body = args->body;
    char id[CLV_ID_LEN];
    clv_tenant t = {0};
    const char *name = NULL;
    bool present = false;
    json_t *j = NULL;
    clv_code rc;

    if ((rc = platform_only(p, err)) != CLV_OK ||
        (rc = clv_admin_only_keys(body, tenant_keys, err)) != CLV_OK ||
        (rc = clv_admin_str_field(body, "name", 200, false, &present, &name, err)) != CLV_OK)
        return rc;
    if (!present)
        return clv_fail_field(err, CLV_INVALID, "name", "is required");
    if (!clv_id_new("ten", id))
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    t.id = id;
    t.name = (char *)name;
    t.status = CLV_STATUS_ACTIVE;
    t.created_at = clv_now();
    if ((j = tenant_json(&t)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    if ((rc = clv_store_begin(app->store, err)) == CLV_OK) {
        rc = clv_store_tenant_insert(app->store, &t, err);
        if (rc == CLV_OK)
            rc = clv_audit_write(app, p, t.id, "tenant.create", "tenant", t.id,
                                 clv_json_created(j), err);
        rc = clv_write_finish(app, rc, err);
    }
    if (rc == CLV_OK)
        *out = j;
    else
        json_decref(j);
    return rc;
}

clv_code clv_admin_tenant_list(clv_app *app, const clv_admin_args *args, json_t **out,
                               clv_err *err)
{
    clv_list l = {0};
    clv_code rc;

    if ((rc = platform_only(args->p, err)) != CLV_OK ||
        (rc = clv_store_tenant_list(app->store, args->cursor, args->limit, &l, err)) != CLV_OK)
        return rc;
    if ((*out = clv_admin_page(&l, tenant_json)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return CLV_OK;
}

static clv_code visible_tenant(clv_app *app, const clv_principal *p, const char *id,
                               clv_tenant **out, clv_err *err)
{
    clv_tenant *t = NULL;
    clv_code rc = CLV_NOT_FOUND;

    if (clv_principal_sees(p, id))
        rc = clv_store_tenant_get(app->store, id, &t, err);
    if (rc == CLV_NOT_FOUND)
        return clv_fail(err, CLV_NOT_FOUND, "no tenant '%.64s'", id);
    if (rc == CLV_OK)
        *out = t;
    return rc;
}

clv_code clv_admin_tenant_get(clv_app *app, const clv_admin_args *args, json_t **out,
                              clv_err *err)
{
    clv_tenant *t = NULL;
    clv_code rc = visible_tenant(app, args->p, args->id, &t, err);

    if (rc == CLV_OK && (*out = tenant_json(t)) == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    clv_tenant_free(t);
    return rc;
}

static const char *const tenant_patch_keys[] = {"name", "status", NULL};

static clv_code apply_tenant_patch(clv_tenant *t, const json_t *body, clv_err *err)
{
    const char *name = NULL, *status = NULL;
    bool has_name = false, has_status = false;
    clv_status st;
    clv_code rc;

    if ((rc = clv_admin_only_keys(body, tenant_patch_keys, err)) != CLV_OK ||
        (rc = clv_admin_str_field(body, "name", 200, false, &has_name, &name, err)) != CLV_OK ||
        (rc = clv_admin_str_field(body, "status", 16, false, &has_status, &status, err)) !=
            CLV_OK)
        return rc;
    if (has_status && (!clv_status_parse(status, &st) || st == CLV_STATUS_DELETED))
        return clv_fail_field(err, CLV_INVALID, "status", "must be active or inactive");
    if (has_name) {
        char *copy = strdup(name);
        if (copy == NULL)
            return clv_fail(err, CLV_NOMEM, "out of memory");
        free(t->name);
        t->name = copy;
    }
    if (has_status)
        t->status = st;
    return CLV_OK;
}

clv_code clv_admin_tenant_patch(clv_app *app, const clv_admin_args *args, json_t **out,
                                clv_err *err)
{
    const clv_principal *p = args->p;
    const char *id = args->id;
    const json_t *body = args->body;
    clv_tenant *t = NULL;
    json_t *before = NULL, *after = NULL;
    clv_code rc;

    if ((rc = platform_only(p, err)) != CLV_OK || (rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = visible_tenant(app, p, id, &t, err)) != CLV_OK)
        goto cleanup;
    before = tenant_json(t);
    if ((rc = apply_tenant_patch(t, body, err)) != CLV_OK)
        goto cleanup;
    if (t->status != CLV_STATUS_ACTIVE && clv_admin_holds_protected(app, "init_tenant_id", t->id)) {
        rc = clv_fail_field(err, CLV_CONFLICT, "status",
                            "this tenant holds protected clients: it cannot be deactivated");
        goto cleanup;
    }
    after = tenant_json(t);
    if (json_equal(before, after)) /* nothing changes: no write, no event */
        goto cleanup;
    if ((rc = clv_store_tenant_update(app->store, t, err)) != CLV_OK)
        goto cleanup;
    rc = clv_audit_write(app, p, t->id, "tenant.update", "tenant", t->id,
                         clv_json_diff(before, after, NULL), err);
cleanup:
    rc = clv_write_finish(app, rc, err);
    if (rc == CLV_OK)
        *out = json_incref(after);
    json_decref(before);
    json_decref(after);
    clv_tenant_free(t);
    return rc;
}
