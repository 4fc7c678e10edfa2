/* users — the admin API's users (docs/API.md /admin/v1/users) and audit trail. Same
 * conventions as clients.h: each is a clv_admin_fn (admin/operation.h), reading the members
 * of its args named beside it. Passwords are hashed with argon2id and never returned. */
#ifndef CLV_ADMIN_USERS_H
#define CLV_ADMIN_USERS_H

#include <jansson.h>

#include "admin/operation.h"
#include "base/err.h"
#include "core/app.h"
#include "store/store.h"

/* body: {"tenant_id"?, "username", "password", "email"?, "roles"?}. Only a platform admin
 * may give the role platform_admin. */
clv_code clv_admin_user_create(clv_app *app, const clv_admin_args *args, json_t **out,
                               clv_err *err);
/* cursor, limit; query tenant_id (forced to the principal's for tenant admins). */
clv_code clv_admin_user_list(clv_app *app, const clv_admin_args *args, json_t **out,
                             clv_err *err);
/* id: the user. */
clv_code clv_admin_user_get(clv_app *app, const clv_admin_args *args, json_t **out,
                            clv_err *err);
/* id; body: {"username"?, "password"?, "email"?, "roles"?, "status"?}. */
clv_code clv_admin_user_patch(clv_app *app, const clv_admin_args *args, json_t **out,
                              clv_err *err);
/* id. *out stays NULL. */
clv_code clv_admin_user_delete(clv_app *app, const clv_admin_args *args, json_t **out,
                               clv_err *err);

/* cursor, limit; query target, actor, since (RFC 3339; CLV_INVALID naming "since"
 * otherwise), tenant_id (forced to the principal's for tenant admins). */
clv_code clv_admin_audit_list(clv_app *app, const clv_admin_args *args, json_t **out,
                              clv_err *err);

#endif
