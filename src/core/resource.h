/* resource — the APIs a token can be for (RFC 8707 resource indicators; docs/DESIGN.md
 * R38): each service registers its resources, a request names one with `resource`, and
 * the token's aud is its identifier. The admin API's JSON of a resource, and the checks
 * the authorization and token endpoints share. */
#ifndef CLV_CORE_RESOURCE_H
#define CLV_CORE_RESOURCE_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

enum { CLV_RESOURCES_MAX = 100 };

/* {"id", "service_id", "identifier", "name", "scopes", "created_at"}. New reference. */
json_t *clv_resource_to_json(const clv_resource *r);

/* Reads {"identifier", "name"?, "scopes"?} (any other key refused) into a new resource of
 * service_id with a fresh id and created_at now; *out owned. CLV_INVALID naming the field. */
clv_code clv_resource_from_json(const json_t *body, const char *service_id, clv_resource **out,
                                clv_err *err);

/* The resource a request names for client c. requested NULL: *out NULL and CLV_OK.
 * Otherwise a registered resource of c's service (exact identifier), *out borrowed from
 * the thread's cache (core/client_cache.h: a hit reads no database) and valid until the
 * thread's next call; else CLV_INVALID_TARGET (RFC 8707 §2). */
clv_code clv_resource_resolve(clv_app *app, const clv_client *c, const char *requested,
                              const clv_resource **out, clv_err *err);

/* The scope of a token for resource r (not NULL). admin is never for
 * a resource: it is this server's own API. When r lists scopes, every other word must be
 * one of them or of OpenID Connect's (openid, profile, email, address, phone,
 * offline_access): an asked-for scope outside them fails (CLV_INVALID_SCOPE), a default
 * (asked is false: the client's whole set) is narrowed to them. *out is malloc'd. */
clv_code clv_resource_scope(const clv_resource *r, const char *scope, bool asked, char **out,
                            clv_err *err);

#endif
