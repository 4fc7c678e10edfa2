/* services — the admin API's tenants and services (SPEC §2.2, §4, §5.14, §5.15).
 * Same conventions as clients.h: visibility by tenant (foreign = CLV_NOT_FOUND),
 * platform-only actions CLV_FORBIDDEN for tenant admins, change + audit in one
 * transaction, *out a new JSON reference. */
#ifndef CLV_ADMIN_SERVICES_H
#define CLV_ADMIN_SERVICES_H

#include <jansson.h>

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

clv_code clv_admin_tenant_create(clv_app *app, const clv_principal *p, const json_t *body,
                                 json_t **out, clv_err *err);
clv_code clv_admin_tenant_list(clv_app *app, const clv_principal *p, const char *cursor,
                               int limit, json_t **out, clv_err *err);
clv_code clv_admin_tenant_get(clv_app *app, const clv_principal *p, const char *id,
                              json_t **out, clv_err *err);
/* body: {"name"?, "status"? (active|inactive)}; platform admins only. */
clv_code clv_admin_tenant_patch(clv_app *app, const clv_principal *p, const char *id,
                                const json_t *body, json_t **out, clv_err *err);

clv_code clv_admin_service_create(clv_app *app, const clv_principal *p, const json_t *body,
                                  json_t **out, clv_err *err);
clv_code clv_admin_service_list(clv_app *app, const clv_principal *p, clv_service_filter *f,
                                json_t **out, clv_err *err);
clv_code clv_admin_service_get(clv_app *app, const clv_principal *p, const char *id,
                               json_t **out, clv_err *err);
/* body: {"name"?, "description"?}. */
clv_code clv_admin_service_patch(clv_app *app, const clv_principal *p, const char *id,
                                 const json_t *body, json_t **out, clv_err *err);
clv_code clv_admin_service_action(clv_app *app, const clv_principal *p, const char *id,
                                  clv_service_action action, json_t **out, clv_err *err);

#endif
