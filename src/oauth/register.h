/* register — dynamic client registration (RFC 7591) and management (RFC 7592),
 * docs/DESIGN.md I1, R11.
 *
 * POST /register takes RFC 7591 client metadata with an initial access token
 * (admin/initial_access_tokens.h) — or none, when the operator runs open registration into one
 * service — and creates an ordinary Clavis client in the token's service: the metadata is mapped to
 * the client JSON of core/client_json.h and goes through the same field rules as the admin API.
 * Metadata Clavis does not understand is ignored (RFC 7591 §2); the client type follows from it
 * (docs/DESIGN.md R11): token_endpoint_auth_method "none" → public, grant_types exactly
 * ["client_credentials"] → m2m, else confidential. The response carries a registration access token
 * ("clv_rat_" + 43 base64url characters, stored only as its keyed hash) for GET/PUT/DELETE
 * /register/{client_id}; PUT rotates it.
 *
 * Every change is written with its audit event in one transaction, by the actor
 * {type: "registration", id: the initial access token's id ("open" for open registration)
 * on create, the client_id on management}. A wrong, expired or used-up token is
 * CLV_UNAUTHENTICATED and changes nothing (a single-use token is not used up by a
 * registration that fails). Field errors are CLV_INVALID naming the RFC 7591 field
 * ("redirect_uris[0]", "client_name", "scope"); clv_register_error_name gives their
 * RFC 7591 §3.2.2 error code. */
#ifndef CLV_OAUTH_REGISTER_H
#define CLV_OAUTH_REGISTER_H

#include <jansson.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

/* Prefix of every registration access token, for secret scanners. */
#define CLV_RAT_PREFIX "clv_rat_"

/* The name a client registered without client_name gets. */
#define CLV_REGISTER_DEFAULT_NAME "registered client"

/* Maps RFC 7591 metadata (an object) to client JSON. With current NULL (create) *out
 * holds "type" and the fields present, for clv_client_from_json (the caller adds
 * "service_id"). With current (PUT, RFC 7592 §2.2) *out is a patch for clv_client_patch
 * that replaces every mapped field — an omitted one is reset — except that an omitted
 * token_endpoint_auth_method or grant_types keeps the current one; metadata that would
 * change the client's type is CLV_INVALID. *out is a new reference on CLV_OK. */
clv_code clv_register_map(const json_t *metadata, const clv_client *current, json_t **out,
                          clv_err *err);

/* The whole of reading metadata: clv_register_map, then clv_client_from_json (create:
 * service_id given) or clv_client_patch (current given), with a failing field renamed to
 * its RFC 7591 name (name → client_name, scopes[…] → scope, allow_* → grant_types). On
 * CLV_OK *out is a new client (caller frees); for create, with ids and times unset. */
clv_code clv_register_client(const json_t *metadata, const clv_client *current,
                             const char *service_id, const clv_config *cfg, clv_client **out,
                             clv_err *err);

/* The RFC 7591 §2 metadata of a client (client_id, client_name, redirect_uris,
 * token_endpoint_auth_method, grant_types, response_types, scope, …; optional ones only
 * when set) with client_id_issued_at. Never a secret. New reference, NULL when out of
 * memory. */
json_t *clv_register_metadata_json(const clv_client *c);

/* The RFC 7591 §3.2.2 error code of a failed registration or update: for CLV_INVALID
 * naming a field, "invalid_redirect_uri" (redirect_uris) or "invalid_client_metadata"
 * (any other); NULL otherwise (use clv_code_oauth). */
const char *clv_register_error_name(const clv_err *err);

/* POST /register. iat: the presented Bearer token, or NULL when none was sent (then only
 * open registration can succeed). On CLV_OK *out is the RFC 7591 §3.2.1 response:
 * client_id, client_secret and client_secret_expires_at (confidential, m2m),
 * client_id_issued_at, registration_access_token, registration_client_uri and the
 * registered metadata.
 * Open registration (no iat; docs/OPERATIONS.md "Open registration") is rate-limited per
 * source address addr (as text; NULL: not limited): CLV_THROTTLED with retry_after, nothing
 * stored. Into the open-registration service, a registration beyond
 * --max-registered-clients is CLV_INVALID naming "registration"
 * (invalid_client_metadata). */
clv_code clv_register_create(clv_app *app, const char *iat, const json_t *metadata,
                             const char *addr, json_t **out, clv_err *err);

/* GET /register/{client_id} (RFC 7592 §2.1): the current metadata, never a secret, with
 * the presented (still valid) registration access token and registration_client_uri. A
 * missing, deleted or foreign client is CLV_UNAUTHENTICATED like a wrong token
 * (RFC 7592 §2). */
clv_code clv_register_read(clv_app *app, const char *client_id, const char *rat, json_t **out,
                           clv_err *err);

/* PUT /register/{client_id} (RFC 7592 §2.2): client_id in the body must equal the path's;
 * a client_secret, if sent, must be one of the client's current secrets (it is never
 * changed); other read-only fields (registration_access_token, registration_client_uri,
 * client_id_issued_at, client_secret_expires_at) are ignored. Replaces the metadata,
 * keeps the type, and rotates the registration access token: *out is as for read, with
 * the new token (the old one stops working). */
clv_code clv_register_update(clv_app *app, const char *client_id, const char *rat,
                             const json_t *metadata, json_t **out, clv_err *err);

/* DELETE /register/{client_id} (RFC 7592 §2.3): a soft delete like the admin API's
 * (restorable within the retention), and the registration access token stops working. */
clv_code clv_register_delete(clv_app *app, const char *client_id, const char *rat, clv_err *err);

#endif
