/* service_write — creating a service, shared by every interface that does (admin API, a new
 * tenant's console, init): see service_write.c. */
#ifndef CLV_CORE_SERVICE_WRITE_H
#define CLV_CORE_SERVICE_WRITE_H

#include <jansson.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"
#include "core/ids.h"

/* The JSON of a service (docs/API.md "Services"). New reference. */
json_t *clv_service_to_json(const clv_service *s);

/* Inside the caller's transaction: s, whose tenant_id, name, description (may be NULL) and
 * approval the caller set, gets a new id (written into id, which s->id then names), status
 * active, created_at = updated_at = now and version 1; it is stored and its event
 * service.create written by p (NULL: the server), recording as created the fields of its
 * JSON named in audited (NULL: all of them). *out (out may be NULL) is its JSON.
 * CLV_NOT_FOUND when s->tenant_id is no tenant. */
clv_code clv_service_create(clv_app *app, const clv_principal *p, clv_service *s,
                            char id[CLV_ID_LEN], const char *const *audited, json_t **out,
                            clv_err *err);

#endif
