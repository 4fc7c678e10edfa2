/* scope — the scopes a token receives (RFC 6749 §3.3): a request without scope gets every
 * scope the client is allowed, and any scope it is not allowed fails the request — never
 * silently narrowed. Shared by the grants (oauth) and test tokens (admin). */
#ifndef CLV_CORE_SCOPE_H
#define CLV_CORE_SCOPE_H

#include "base/err.h"
#include "base/model.h"

/* Resolves a requested scope for client c (docs/DESIGN.md R2): NULL → every allowed scope (admin
 * only when grantable); otherwise every token must be allowed, else CLV_INVALID_SCOPE.
 * *out is a malloc'd space-separated string. */
clv_code clv_scope_resolve(const clv_client *c, const char *requested, char **out, clv_err *err);

/* As clv_scope_resolve for a grant to a user (authorization code, refresh): admin is
 * allowed when the client lists it; whether the user may have it is decided after
 * sign-in from the user's roles (clv_authz_user_scope). */
clv_code clv_scope_resolve_user(const clv_client *c, const char *requested, char **out,
                                clv_err *err);

/* true if roles (a JSON array) holds tenant_admin or platform_admin: the roles that admin
 * reaches (docs/DESIGN.md R2, D2), for a client's roles and a user's alike. */
bool clv_roles_admin(const json_t *roles);

/* What gives client c platform power, or NULL: the role platform_admin ("roles"), or the
 * admin scope at a first-party client users sign in to ("scopes": an administrator who
 * follows its link hands it their rights, docs/DESIGN.md D2). Only a platform admin
 * changes such a client, and no tenant setting (the hygiene) switches it off. */
const char *clv_client_platform_power(const clv_client *c);

#endif
