/* common — small helpers the admin modules share: pages, body fields, protected objects.
 * Writing clients and closing transactions is core's (core/client_write.h). */
#ifndef CLV_ADMIN_COMMON_H
#define CLV_ADMIN_COMMON_H

#include <jansson.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"
#include "core/client_write.h"

/* {"items": [to_json(item)…], "next_cursor": cursor|null}; cleans up the list. */
json_t *clv_admin_page(clv_list *l, json_t *(*to_json)(const void *item));

/* Checks that body has only keys from allowed (NULL-terminated); CLV_INVALID naming the
 * first other key. */
clv_code clv_admin_only_keys(const json_t *body, const char *const *allowed, clv_err *err);

/* Reads an optional string field: absent → *out untouched and CLV_OK; null → *out = NULL
 * if nullable else invalid; else it must be a string of 1..max characters. */
clv_code clv_admin_str_field(const json_t *body, const char *name, size_t max, bool nullable,
                             bool *present, const char **out, clv_err *err);

/* true if id is the tenant (meta "init_tenant_id") or the service ("init_service_id") that
 * holds the protected clients: switching it off or deleting it would switch them off too
 * (SPEC §1, §5.5), so such a change is a 409. */
bool clv_admin_holds_protected(clv_app *app, const char *meta_name, const char *id);

#endif
