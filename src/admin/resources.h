/* resources — the admin API's resources of a service (RFC 8707; docs/DESIGN.md R38,
 * docs/API.md): register, list, remove. Same conventions as services.h: each is a
 * clv_admin_fn (admin/operation.h), visibility by the service's tenant, change + audit in
 * one transaction (target the service, changes {"resources": …}). */
#ifndef CLV_ADMIN_RESOURCES_H
#define CLV_ADMIN_RESOURCES_H

#include <jansson.h>

#include "admin/operation.h"
#include "base/err.h"
#include "core/app.h"

/* id: the service; body: {"identifier", "name"?, "scopes"?}. */
clv_code clv_admin_resource_create(clv_app *app, const clv_admin_args *args, json_t **out,
                                   clv_err *err);
/* id: the service. {"items": [...]} newest first, never paged (at most 100). */
clv_code clv_admin_resource_list(clv_app *app, const clv_admin_args *args, json_t **out,
                                 clv_err *err);
/* id: the service, id2: the resource. */
clv_code clv_admin_resource_delete(clv_app *app, const clv_admin_args *args, json_t **out,
                                   clv_err *err);

#endif
