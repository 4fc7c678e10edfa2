/* users — the admin API's users (SPEC §4 /admin/v1/users) and audit trail. Same
 * conventions as clients.h. Passwords are hashed with argon2id and never returned. */
#ifndef CLV_ADMIN_USERS_H
#define CLV_ADMIN_USERS_H

#include <jansson.h>

#include "base/err.h"
#include "core/app.h"
#include "store/store.h"

/* body: {"tenant_id"?, "username", "password", "email"?, "roles"?}. Only a platform admin
 * may give the role platform_admin. */
clv_code clv_admin_user_create(clv_app *app, const clv_principal *p, const json_t *body,
                               json_t **out, clv_err *err);
clv_code clv_admin_user_list(clv_app *app, const clv_principal *p, clv_user_filter *f,
                             json_t **out, clv_err *err);
clv_code clv_admin_user_get(clv_app *app, const clv_principal *p, const char *id, json_t **out,
                            clv_err *err);
/* body: {"username"?, "password"?, "email"?, "roles"?, "status"?}. */
clv_code clv_admin_user_patch(clv_app *app, const clv_principal *p, const char *id,
                              const json_t *body, json_t **out, clv_err *err);
clv_code clv_admin_user_delete(clv_app *app, const clv_principal *p, const char *id,
                               clv_err *err);

/* f->tenant_id is forced to the principal's tenant for tenant admins. */
clv_code clv_admin_audit_list(clv_app *app, const clv_principal *p, clv_audit_filter *f,
                              json_t **out, clv_err *err);

#endif
