/* resources — the admin API's resources of a service (see resources.h). */
#include "admin/resources.h"

#include <stdlib.h>
#include <string.h>

#include "admin/services.h"
#include "core/audit.h"
#include "core/client_write.h"
#include "core/resource.h"

static json_t *item_json(const void *item)
{
    return clv_resource_to_json(item);
}

/* The service of the path, if p sees it and it is not deleted. */
static clv_code live_service(clv_app *app, const clv_admin_args *args, clv_service **out,
                             clv_err *err)
{
    clv_code rc = clv_admin_service_visible(app, args->p, args->id, out, err);

    if (rc == CLV_OK && (*out)->status == CLV_STATUS_DELETED) {
        clv_service_free(*out);
        *out = NULL;
        return clv_fail(err, CLV_CONFLICT, "the service is deleted; restore it first");
    }
    return rc;
}

/* The audit changes of adding (to) or removing (from) a resource. */
static json_t *change(const char *from, const char *to)
{
    return json_pack("{s:{s:s?, s:s?}}", "resource", "from", from, "to", to);
}

static clv_code count_ok(clv_app *app, const char *service_id, clv_err *err)
{
    clv_list l = {0};
    clv_code rc = clv_store_resource_list(app->store, service_id, &l, err);

    if (rc == CLV_OK && l.count >= CLV_RESOURCES_MAX)
        rc = clv_fail_field(err, CLV_INVALID, "identifier",
                            "this service has %d resources, the most it may have",
                            CLV_RESOURCES_MAX);
    clv_list_cleanup(&l);
    return rc;
}

clv_code clv_admin_resource_create(clv_app *app, const clv_admin_args *args, json_t **out,
                                   clv_err *err)
{
    clv_service *s = NULL;
    clv_resource *r = NULL;
    json_t *j = NULL;
    clv_code rc;

    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = live_service(app, args, &s, err)) != CLV_OK ||
        (rc = clv_resource_from_json(args->body, s->id, &r, err)) != CLV_OK ||
        (rc = count_ok(app, s->id, err)) != CLV_OK)
        goto cleanup;
    rc = clv_store_resource_insert(app->store, r, err);
    if (rc == CLV_CONFLICT)
        rc = clv_fail_field(err, CLV_CONFLICT, "identifier",
                            "is registered already: an API belongs to one service of this server");
    if (rc == CLV_OK && (j = clv_resource_to_json(r)) == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    if (rc == CLV_OK)
        rc = clv_audit_write(app, args->p, s->tenant_id, "service.resource.create", "service",
                             s->id, change(NULL, r->identifier), err);
cleanup:
    rc = clv_write_finish(app, rc, err);
    if (rc == CLV_OK)
        *out = json_incref(j);
    json_decref(j);
    clv_resource_free(r);
    clv_service_free(s);
    return rc;
}

clv_code clv_admin_resource_list(clv_app *app, const clv_admin_args *args, json_t **out,
                                 clv_err *err)
{
    clv_service *s = NULL;
    clv_list l = {0};
    clv_code rc = clv_admin_service_visible(app, args->p, args->id, &s, err);

    if (rc == CLV_OK)
        rc = clv_store_resource_list(app->store, s->id, &l, err);
    clv_service_free(s);
    if (rc != CLV_OK)
        return rc;
    if ((*out = clv_admin_page(&l, item_json)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return CLV_OK;
}

/* The identifier of resource id of service_id, for the audit event; *out owned. */
static clv_code find_by_id(clv_app *app, const char *service_id, const char *id, char **out,
                           clv_err *err)
{
    clv_list l = {0};
    clv_code rc = clv_store_resource_list(app->store, service_id, &l, err);

    *out = NULL;
    for (size_t i = 0; rc == CLV_OK && i < l.count && *out == NULL; i++) {
        const clv_resource *r = l.items[i];
        if (strcmp(r->id, id) == 0 && (*out = strdup(r->identifier)) == NULL)
            rc = clv_fail(err, CLV_NOMEM, "out of memory");
    }
    clv_list_cleanup(&l);
    if (rc == CLV_OK && *out == NULL)
        rc = clv_fail(err, CLV_NOT_FOUND, "no resource '%.64s' in this service", id);
    return rc;
}

clv_code clv_admin_resource_delete(clv_app *app, const clv_admin_args *args, json_t **out,
                                   clv_err *err)
{
    clv_service *s = NULL;
    char *identifier = NULL;
    clv_code rc;

    (void)out;
    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = live_service(app, args, &s, err)) == CLV_OK &&
        (rc = find_by_id(app, s->id, args->id2, &identifier, err)) == CLV_OK &&
        (rc = clv_store_resource_delete(app->store, s->id, args->id2, err)) == CLV_OK)
        rc = clv_audit_write(app, args->p, s->tenant_id, "service.resource.delete", "service",
                             s->id, change(identifier, NULL), err);
    rc = clv_write_finish(app, rc, err);
    free(identifier);
    clv_service_free(s);
    return rc;
}
