/* initial_access_tokens — initial access tokens for dynamic client registration (RFC 7591 §3,
 * docs/DESIGN.md I1, docs/API.md): a tenant admin makes one for one service; POST /register
 * presents it as a Bearer token, and the registered client joins that service.
 *
 * A token is "clv_iat_" + 43 base64url characters (256 bits from the CSPRNG), shown once
 * in the response that creates it and stored only as its keyed hash (core/secret.h), like
 * a client secret. It is single-use by default; "uses" makes it good for N registrations,
 * or for any number until it expires when "uses" is null. */
#ifndef CLV_ADMIN_INITIAL_ACCESS_TOKENS_H
#define CLV_ADMIN_INITIAL_ACCESS_TOKENS_H

#include <jansson.h>

#include "admin/operation.h"
#include "base/err.h"
#include "core/app.h"

/* Prefix of every initial access token, for secret scanners. */
#define CLV_IAT_PREFIX "clv_iat_"

enum {
    CLV_IAT_LIFETIME_DEFAULT = 86400,  /* one day */
    CLV_IAT_LIFETIME_MIN = 1,          /* seconds */
    CLV_IAT_LIFETIME_MAX = 30 * 86400, /* thirty days */
    CLV_IAT_USES_MAX = 1000000
};

/* Creates a token (a clv_admin_fn, admin/operation.h). body: {"service_id", "expires_in"? (seconds,
 * 1..30 days, default one day), "uses"? (1..1000000, default 1; null = unlimited until expiry)};
 * unknown keys and bad values are CLV_INVALID naming the field, a service the principal cannot see
 * (or a deleted one) CLV_NOT_FOUND naming "service_id". Stores the hash and an audit event (action
 * "initial_access_token.create", target the service) in one transaction. On CLV_OK *out is {"id",
 * "token" (the plaintext, only here), "service_id", "expires_at", "uses" (number or null),
 * "created_at"}. */
clv_code clv_admin_iat_create(clv_app *app, const clv_admin_args *args, json_t **out,
                              clv_err *err);

/* Lists the tokens still usable (not expired, uses left) — a clv_admin_fn. Query: "service_id"
 * and (platform admins) "tenant_id"; a tenant admin sees its own tenant's. On CLV_OK *out is
 * {"items": [{"id", "service_id", "expires_at", "uses" (uses left, or null), "created_at",
 * "created_by"}]}, newest first, never a token. */
clv_code clv_admin_iat_list(clv_app *app, const clv_admin_args *args, json_t **out, clv_err *err);

#endif
