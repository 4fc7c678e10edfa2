/* services — the admin API's services: CRUD, approval, lifecycle (see services.h). */
#include "admin/services.h"

#include <stdlib.h>
#include <string.h>

#include "admin/operation.h"
#include "core/audit.h"
#include "core/client_json.h"
#include "core/console_client.h"
#include "core/ids.h"
#include "core/service_write.h"

static json_t *service_json(const void *item)
{
    return clv_service_to_json(item);
}

clv_code clv_admin_service_visible(clv_app *app, const clv_principal *p, const char *id,
                                   clv_service **out, clv_err *err)
{
    clv_service *s = NULL;
    clv_code rc = clv_store_service_get(app->store, id, &s, err);

    if (rc == CLV_OK && !clv_principal_sees(p, s->tenant_id)) {
        clv_service_free(s);
        rc = CLV_NOT_FOUND;
    }
    if (rc == CLV_NOT_FOUND)
        return clv_fail(err, CLV_NOT_FOUND, "no service '%.64s'", id);
    if (rc == CLV_OK)
        *out = s;
    return rc;
}

static const char *const create_keys[] = {"tenant_id", "name", "description", NULL};
static const char *const patch_keys[] = {"name", "description", NULL};

/* Reads name and description into s (copies); name is required when require_name. */
static clv_code read_fields(const json_t *body, bool require_name, clv_service *s, clv_err *err)
{
    const char *name = s->name, *desc = s->description;
    bool has_name = false, has_desc = false;
    char *n = NULL, *d = NULL;
    clv_code rc;

    if ((rc = clv_admin_str_field(body, "name", 200, false, &has_name, &name, err)) != CLV_OK ||
        (rc = clv_admin_str_field(body, "description", 2000, true, &has_desc, &desc, err)) !=
            CLV_OK)
        return rc;
    if (require_name && !has_name)
        return clv_fail_field(err, CLV_INVALID, "name", "is required");
    if ((name != NULL && (n = strdup(name)) == NULL) || (desc != NULL && (d = strdup(desc)) == NULL)) {
        free(n);
        return clv_fail(err, CLV_NOMEM, "out of memory");
    }
    free(s->name);
    free(s->description);
    s->name = n;
    s->description = d;
    return CLV_OK;
}

clv_code clv_admin_service_create(clv_app *app, const clv_admin_args *args, json_t **out,
                                  clv_err *err)
{
    const clv_principal *p = args->p;
    const json_t *body = args->body;
    char id[CLV_ID_LEN];
    const char *tenant = p->tenant_id;
    clv_service s = {0};
    json_t *j = NULL;
    clv_code rc;

    if ((rc = clv_admin_only_keys(body, create_keys, err)) != CLV_OK ||
        (rc = clv_admin_str_field(body, "tenant_id", 64, false, NULL, &tenant, err)) != CLV_OK ||
        (rc = read_fields(body, true, &s, err)) != CLV_OK)
        goto cleanup;
    if (!clv_principal_sees(p, tenant)) {
        rc = clv_fail_field(err, CLV_NOT_FOUND, "tenant_id", "no tenant '%.64s'", tenant);
        goto cleanup;
    }
    s.tenant_id = (char *)tenant;
    s.approval = CLV_APPROVAL_SANDBOX;
    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        goto cleanup;
    rc = clv_service_create(app, p, &s, id, NULL, &j, err);
    if (rc == CLV_NOT_FOUND)
        rc = clv_fail_field(err, CLV_NOT_FOUND, "tenant_id", "no tenant '%.64s'", tenant);
    if ((rc = clv_write_finish(app, rc, err)) == CLV_OK)
        *out = json_incref(j);
cleanup:
    json_decref(j);
    free(s.name);
    free(s.description);
    return rc;
}

clv_code clv_admin_service_list(clv_app *app, const clv_admin_args *args, json_t **out,
                                clv_err *err)
{
    clv_service_filter f = {.cursor = args->cursor, .limit = args->limit};
    clv_list l = {0};
    clv_code rc;

    if ((rc = clv_admin_status_query(args, "status", &f.status, err)) != CLV_OK)
        return rc;
    f.tenant_id = clv_admin_tenant_filter(args);
    if ((rc = clv_store_service_list(app->store, &f, &l, err)) != CLV_OK)
        return rc;
    if ((*out = clv_admin_page(&l, service_json)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return CLV_OK;
}

clv_code clv_admin_service_get(clv_app *app, const clv_admin_args *args, json_t **out,
                               clv_err *err)
{
    clv_service *s = NULL;
    clv_code rc = clv_admin_service_visible(app, args->p, args->id, &s, err);

    if (rc == CLV_OK && (*out = service_json(s)) == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    clv_service_free(s);
    return rc;
}

/* The lifecycle of a service (docs/DESIGN.md M, R14) and its approval (platform admins only). */
static clv_code transition(const clv_app *app, const clv_principal *p, clv_service *s,
                           clv_service_action a, const char **name, clv_err *err)
{
    int64_t now = clv_now();
    bool deleted = s->status == CLV_STATUS_DELETED;

    static const char *const names[] = {"service.activate", "service.deactivate",
                                        "service.delete", "service.restore", "service.approve"};
    *name = names[a];
    if (deleted && a != CLV_SERVICE_RESTORE && a != CLV_SERVICE_DELETE)
        return clv_fail(err, CLV_CONFLICT, "the service is deleted; restore it first");
    if ((a == CLV_SERVICE_DEACTIVATE || a == CLV_SERVICE_DELETE) &&
        (clv_admin_holds_protected((clv_app *)app, "init_service_id", s->id) ||
         clv_console_holds((clv_app *)app, s->tenant_id, s->id)))
        return clv_fail(err, CLV_CONFLICT,
                        "this service holds protected clients: it cannot be deactivated or deleted");
    switch (a) {
    case CLV_SERVICE_ACTIVATE: s->status = CLV_STATUS_ACTIVE; break;
    case CLV_SERVICE_DEACTIVATE: s->status = CLV_STATUS_INACTIVE; break;
    case CLV_SERVICE_DELETE:
        if (!deleted) {
            s->status = CLV_STATUS_DELETED;
            s->deleted_at = now;
            s->purge_at = now + app->cfg->retention;
        }
        break;
    case CLV_SERVICE_RESTORE:
        if (!deleted || s->purge_at <= now)
            return clv_fail(err, CLV_CONFLICT, deleted ? "the retention period has passed"
                                                       : "only a deleted service can be restored");
        s->status = CLV_STATUS_ACTIVE;
        s->deleted_at = s->purge_at = 0;
        break;
    case CLV_SERVICE_APPROVE:
        if (!p->platform_admin) /* docs/DESIGN.md R15 */
            return clv_fail(err, CLV_FORBIDDEN, "only a platform admin may approve a service");
        s->approval = CLV_APPROVAL_LIVE; /* credentials stay as they are (docs/DESIGN.md M) */
        break;
    }
    return CLV_OK;
}

/* Loads, changes (by action, or by body when body is not NULL), saves and audits. */
static clv_code change_service(clv_app *app, const clv_principal *p, const char *id,
                               const json_t *body, clv_service_action a, json_t **out,
                               clv_err *err)
{
    clv_service *s = NULL;
    json_t *before = NULL, *after = NULL;
    const char *name = "service.update";
    clv_code rc;

    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = clv_admin_service_visible(app, p, id, &s, err)) != CLV_OK)
        goto cleanup;
    before = service_json(s);
    if (body != NULL && s->status == CLV_STATUS_DELETED)
        rc = clv_fail(err, CLV_CONFLICT, "the service is deleted; restore it first");
    else if (body != NULL && (rc = clv_admin_only_keys(body, patch_keys, err)) == CLV_OK)
        rc = read_fields(body, false, s, err);
    else if (body == NULL)
        rc = transition(app, p, s, a, &name, err);
    if (rc != CLV_OK)
        goto cleanup;
    after = service_json(s);
    if (json_equal(before, after)) /* nothing changes: no write, no event */
        goto cleanup;
    json_decref(after);
    s->updated_at = clv_now();
    if ((rc = clv_store_service_update(app->store, s, err)) != CLV_OK)
        goto cleanup;
    s->version++;
    after = service_json(s);
    rc = clv_audit_write(app, p, s->tenant_id, name, "service", s->id,
                         clv_json_diff(before, after, (const char *const[]){"updated_at",
                                                                            "version", NULL}),
                         err);
cleanup:
    rc = clv_write_finish(app, rc, err);
    if (rc == CLV_OK)
        *out = json_incref(after);
    json_decref(before);
    json_decref(after);
    clv_service_free(s);
    return rc;
}

clv_code clv_admin_service_patch(clv_app *app, const clv_admin_args *args, json_t **out,
                                 clv_err *err)
{
    return change_service(app, args->p, args->id, args->body, CLV_SERVICE_ACTIVATE, out, err);
}

clv_code clv_admin_service_action(clv_app *app, const clv_admin_args *args, json_t **out,
                                  clv_err *err)
{
    if (args->action < CLV_SERVICE_ACTIVATE || args->action > CLV_SERVICE_APPROVE)
        return clv_fail(err, CLV_INTERNAL, "unknown action");
    return change_service(app, args->p, args->id, NULL, (clv_service_action)args->action, out,
                          err);
}
