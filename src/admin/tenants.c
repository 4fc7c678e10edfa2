/* tenants — the admin API's tenants (declared in services.h). Platform admins create,
 * list and change them; a tenant admin may read its own and change its hygiene settings
 * (docs/DESIGN.md D10). */
#include <stdlib.h>
#include <string.h>

#include "admin/operation.h"
#include "admin/services.h"
#include "core/audit.h"
#include "core/client_json.h"
#include "core/console_client.h"
#include "core/ids.h"

/* The largest hygiene setting, in days (ten years). */
enum { CLV_HYGIENE_DAYS_MAX = 3650 };

/* A hygiene setting as JSON: its days, or null when off (0). */
static json_t *days_json(int64_t days)
{
    return days > 0 ? json_integer(days) : json_null();
}

static json_t *tenant_json(const void *item)
{
    const clv_tenant *t = item;

    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "id", t->id, "name", t->name, "status",
                     clv_status_name(t->status), "created_at", clv_json_time(t->created_at),
                     "deactivate_unused_after_days", days_json(t->deactivate_unused_after_days),
                     "registered_client_lifetime_days",
                     days_json(t->registered_client_lifetime_days));
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
        if (rc == CLV_OK) /* its admins' console (docs/DESIGN.md D13) */
            rc = clv_console_tenant_add(app, p, t.id, app->cfg->issuer, err);
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

static const char *const tenant_patch_keys[] = {
    "name", "status", "deactivate_unused_after_days", "registered_client_lifetime_days", NULL};

/* Reads a hygiene setting (docs/API.md "Tenants"): absent leaves *days, null turns it off
 * (0), else an integer 1..CLV_HYGIENE_DAYS_MAX. */
static clv_code days_field(const json_t *body, const char *name, int64_t *days, clv_err *err)
{
    const json_t *v = json_object_get(body, name);

    if (v == NULL)
        return CLV_OK;
    if (json_is_null(v)) {
        *days = 0;
        return CLV_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1 ||
        json_integer_value(v) > CLV_HYGIENE_DAYS_MAX)
        return clv_fail_field(err, CLV_INVALID, name, "must be null or a number of days, 1 to %d",
                              CLV_HYGIENE_DAYS_MAX);
    *days = json_integer_value(v);
    return CLV_OK;
}

/* docs/DESIGN.md D10: a tenant admin may change its own tenant's hygiene settings, only a
 * platform admin its name and status (R15). */
static clv_code patch_allowed(const clv_principal *p, const json_t *body, clv_err *err)
{
    if (p->platform_admin ||
        (json_object_get(body, "name") == NULL && json_object_get(body, "status") == NULL))
        return CLV_OK;
    return clv_fail(err, CLV_FORBIDDEN, "only a platform admin may change a tenant's name or status");
}

static clv_code apply_tenant_patch(clv_tenant *t, const json_t *body, clv_err *err)
{
    const char *name = NULL, *status = NULL;
    bool has_name = false, has_status = false;
    clv_status st;
    clv_code rc;

    if ((rc = clv_admin_only_keys(body, tenant_patch_keys, err)) != CLV_OK ||
        (rc = clv_admin_str_field(body, "name", 200, false, &has_name, &name, err)) != CLV_OK ||
        (rc = clv_admin_str_field(body, "status", 16, false, &has_status, &status, err)) !=
            CLV_OK ||
        (rc = days_field(body, "deactivate_unused_after_days", &t->deactivate_unused_after_days,
                         err)) != CLV_OK ||
        (rc = days_field(body, "registered_client_lifetime_days",
                         &t->registered_client_lifetime_days, err)) != CLV_OK)
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

    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = visible_tenant(app, p, id, &t, err)) != CLV_OK ||
        (rc = patch_allowed(p, body, err)) != CLV_OK)
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
