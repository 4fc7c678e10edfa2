/* consents — the admin API's view of what users allowed clients (docs/DESIGN.md D3):
 * GET /admin/v1/users/{id}/grants and DELETE /admin/v1/users/{id}/grants/{client_id}.
 * Same conventions as clients.h: a user of another tenant is 404. */
#ifndef CLV_ADMIN_CONSENTS_H
#define CLV_ADMIN_CONSENTS_H

#include <jansson.h>

#include "admin/operation.h"
#include "base/err.h"
#include "core/app.h"

/* id: the user; cursor, limit. A page {"items": [{client_id, scope, created_at,
 * updated_at}], "next_cursor"}. (Both are clv_admin_fns, admin/operation.h.) */
clv_code clv_admin_user_grants(clv_app *app, const clv_admin_args *args, json_t **out,
                               clv_err *err);

/* id: the user, id2: the client_id. Forgets the consent (the next authorization asks
 * again), audited as "consent.revoke"; 404 when there is none. *out stays NULL. */
clv_code clv_admin_user_grant_revoke(clv_app *app, const clv_admin_args *args, json_t **out,
                                     clv_err *err);

#endif
