/* services — the admin API's tenants and services (docs/DESIGN.md I2, docs/API.md, docs/DESIGN.md
 * R14, R15). Same conventions as clients.h: each is a clv_admin_fn (admin/operation.h), reading the
 * members of its args named beside it; visibility by tenant (foreign = CLV_NOT_FOUND),
 * platform-only actions CLV_FORBIDDEN for tenant admins, change + audit in one transaction, *out a
 * new JSON reference. */
#ifndef CLV_ADMIN_SERVICES_H
#define CLV_ADMIN_SERVICES_H

#include <jansson.h>

#include "admin/operation.h"
#include "base/err.h"
#include "core/app.h"
#include "store/store.h"

typedef enum {
    CLV_SERVICE_ACTIVATE,
    CLV_SERVICE_DEACTIVATE,
    CLV_SERVICE_DELETE,
    CLV_SERVICE_RESTORE,
    CLV_SERVICE_APPROVE
} clv_service_action;

/* body: {"name"}; platform admins only. */
clv_code clv_admin_tenant_create(clv_app *app, const clv_admin_args *args, json_t **out,
                                 clv_err *err);
/* cursor, limit; platform admins only. */
clv_code clv_admin_tenant_list(clv_app *app, const clv_admin_args *args, json_t **out,
                               clv_err *err);
/* id: the tenant. */
clv_code clv_admin_tenant_get(clv_app *app, const clv_admin_args *args, json_t **out,
                              clv_err *err);
/* id; body: {"name"?, "status"? (active|inactive)}; platform admins only. */
clv_code clv_admin_tenant_patch(clv_app *app, const clv_admin_args *args, json_t **out,
                                clv_err *err);

/* The service id as p may see it: CLV_NOT_FOUND (with a message) when it does not exist
 * or is of another tenant (docs/DESIGN.md R15); *out owned. */
clv_code clv_admin_service_visible(clv_app *app, const clv_principal *p, const char *id,
                                   clv_service **out, clv_err *err);

/* body: {"tenant_id"?, "name", "description"?}. */
clv_code clv_admin_service_create(clv_app *app, const clv_admin_args *args, json_t **out,
                                  clv_err *err);
/* cursor, limit; query status, tenant_id (forced to the principal's for tenant admins). */
clv_code clv_admin_service_list(clv_app *app, const clv_admin_args *args, json_t **out,
                                clv_err *err);
/* id: the service. */
clv_code clv_admin_service_get(clv_app *app, const clv_admin_args *args, json_t **out,
                               clv_err *err);
/* id; body: {"name"?, "description"?}. */
clv_code clv_admin_service_patch(clv_app *app, const clv_admin_args *args, json_t **out,
                                 clv_err *err);
/* id; action: a clv_service_action. */
clv_code clv_admin_service_action(clv_app *app, const clv_admin_args *args, json_t **out,
                                  clv_err *err);

#endif
