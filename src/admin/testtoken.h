/* testtoken — test access tokens for a client (docs/DESIGN.md I2, docs/API.md "test-token"; light-portal's
 * "create token"): a tenant admin asks for a token of one of its clients with a chosen
 * lifetime, a subset of the client's scopes, and optionally a user, roles and custom
 * claims. The token is minted like any other (core/access_token.h), carries "test": true, and
 * the request is audited (never the token). */
#ifndef CLV_ADMIN_TESTTOKEN_H
#define CLV_ADMIN_TESTTOKEN_H

#include <jansson.h>
#include <stdbool.h>

#include "admin/operation.h"
#include "base/err.h"
#include "core/app.h"

enum { CLV_TEST_CLAIMS_MAX = 4096, CLV_TEST_ROLES_MAX = 50, CLV_TEST_USER_ID_MAX = 255 };

/* true if name is a claim Clavis sets itself, which custom claims may not carry: iss sub
 * aud exp iat nbf jti client_id scope roles tenant test cnf act azp auth_time nonce
 * at_hash. */
bool clv_test_claim_reserved(const char *name);

/* Checks custom claims: an object, at most CLV_TEST_CLAIMS_MAX bytes as compact JSON
 * (docs/DESIGN.md R20), no reserved name (CLV_INVALID naming "claims.<name>"). */
clv_code clv_test_claims_check(const json_t *claims, clv_err *err);

/* Mints a test token (a clv_admin_fn, admin/operation.h) for the client args->id. body:
 * {"lifetime"? (cfg at_lifetime_min..at_lifetime_max seconds; default the client's
 * access_token_lifetime), "scope"? (space-separated subset of the client's scopes, docs/DESIGN.md
 * R2; default all of them; "admin" never), "user_id"? (becomes sub), "roles"? (≤ 50 strings;
 * replace the client's), "claims"? (object)}. A client the principal cannot see is CLV_NOT_FOUND;
 * one not effectively active is CLV_CONFLICT; a scope not allowed is CLV_INVALID_SCOPE naming
 * "scope". On CLV_OK *out is {"access_token", "token_type": "Bearer", "expires_in", "scope"?}. */
clv_code clv_admin_test_token(clv_app *app, const clv_admin_args *args, json_t **out,
                              clv_err *err);

#endif
