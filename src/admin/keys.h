/* keys — the admin API's signing keys (docs/API.md "Signing keys", docs/DESIGN.md "Signing
 * keys and the KEK"): platform admins only (a tenant admin gets CLV_FORBIDDEN); each is a
 * clv_admin_fn (admin/operation.h). Never any key material, only metadata. */
#ifndef CLV_ADMIN_KEYS_H
#define CLV_ADMIN_KEYS_H

#include <jansson.h>

#include "admin/operation.h"
#include "base/err.h"
#include "core/app.h"

/* {"items": [{kid, alg, state, created_at, retire_at}…]}, newest first. */
clv_code clv_admin_key_list(clv_app *app, const clv_admin_args *args, json_t **out, clv_err *err);
/* body (optional): {"alg"}: rotates that alg's key, or every alg's when absent; the new
 * keys' metadata as {"items": […]}; audited ("key.rotate"). */
clv_code clv_admin_key_rotate(clv_app *app, const clv_admin_args *args, json_t **out, clv_err *err);

/* POST /admin/v1/keys/publish {"alg"?}: publishes a next key per alg that has none; 201
 * {"items": [the keys published]}. Platform admins only. */
clv_code clv_admin_key_publish(clv_app *app, const clv_admin_args *args, json_t **out, clv_err *err);

#endif
