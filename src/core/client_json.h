/* client_json — a client's JSON form (docs/DESIGN.md M, docs/API.md) and every field rule on the
 * way in.
 *
 * The admin API reads a client from JSON on create and PATCH, and writes it back as JSON.
 * Reading refuses unknown fields, read-only fields and every rule violation with
 * CLV_INVALID naming the field ("redirect_uris[1]", docs/DESIGN.md R1) and leaves the target
 * client unchanged on failure. Nothing here stores or knows about HTTP. */
#ifndef CLV_CORE_CLIENT_JSON_H
#define CLV_CORE_CLIENT_JSON_H

#include <jansson.h>

#include "base/config.h"
#include "base/err.h"
#include "base/model.h"

/* The public JSON of a client: every field of docs/DESIGN.md M (grant_types, environment and
 * effective_status derived), times as RFC 3339 or null; never a secret. New reference,
 * NULL on allocation failure. */
json_t *clv_client_to_json(const clv_client *c);

/* Create: body must be an object with "service_id", "name" and "type"; the rest of the
 * writable fields are optional. On CLV_OK *out is a new client (caller frees) with
 * defaults of its type (from cfg) and the body applied, and with id, client_id,
 * timestamps and tenant_id left NULL/0 for the caller to fill. */
clv_code clv_client_from_json(const json_t *body, const clv_config *cfg, clv_client **out,
                              clv_err *err);

/* PATCH: applies the writable fields present in patch to a copy of *c and validates the
 * result as a whole; on CLV_OK *out is that new client (caller frees) and *c is untouched.
 * client_id, service_id, type, any secret field ("client_secret", "secret", "secrets")
 * and every read-only field are refused with CLV_INVALID naming the field. A field given
 * as null resets an optional field (to NULL / the type's default for lists: []). */
clv_code clv_client_patch(const clv_client *c, const json_t *patch, const clv_config *cfg,
                          clv_client **out, clv_err *err);

/* The cross-field rules of docs/DESIGN.md M for a complete client (type vs redirect URIs, auth
 * method, grants, pairwise hosts, lifetimes). Used by from_json and patch. */
clv_code clv_client_validate(const clv_client *c, const clv_config *cfg, clv_err *err);

/* Checks one redirect URI (docs/DESIGN.md M and RFC 8252): absolute, no fragment, ≤ 2000 chars,
 * https, or http on a loopback host (127.0.0.1, [::1], localhost), or a private-use
 * scheme containing a '.' (reverse domain, RFC 8252 §7.1). CLV_INVALID with field. */
clv_code clv_redirect_uri_check(const char *uri, const char *field, clv_err *err);

/* The writable fields of a client's JSON (docs/API.md "Client fields", column W), in the order
 * they are applied ("type" and "service_id" first): the i-th name, or NULL past the last.
 * *patchable (may be NULL) says whether PATCH takes it (type and service_id are immutable). One
 * list for the API, `clavis export` and `clavis apply`. */
const char *clv_client_field(size_t i, bool *patchable);

/* The rules of client fields that other objects share (docs/DESIGN.md R20, R38): a
 * resource identifier (RFC 8707 §2: an absolute http(s) URI without a fragment, ≤ 2000
 * characters), a name (1..200 characters, no controls), a list of scopes (≤ 100 scope
 * tokens of RFC 6749 §3.3, no duplicates). CLV_INVALID with field on failure. */
clv_code clv_resource_uri_check(const char *uri, const char *field, clv_err *err);
clv_code clv_name_check(const char *s, const char *field, clv_err *err);
clv_code clv_scope_list_check(const json_t *list, const char *name, clv_err *err);

/* Changes between two JSON objects of the same kind, as docs/DESIGN.md R10's
 * {"field": {"from": …, "to": …}} for every key whose value differs (keys in ignore, a
 * NULL-terminated list, are skipped). New reference. */
json_t *clv_json_diff(const json_t *before, const json_t *after, const char *const *ignore);

#endif
