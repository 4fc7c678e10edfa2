/* common — small helpers the admin modules share: transactions with audit, pages. */
#ifndef CLV_ADMIN_COMMON_H
#define CLV_ADMIN_COMMON_H

#include <jansson.h>

#include "core/app.h"
#include "core/err.h"
#include "core/model.h"

/* Ends a transaction: commit when rc is CLV_OK (returning the commit's code), else
 * rollback and return rc unchanged. */
clv_code clv_admin_finish(clv_app *app, clv_code rc, clv_err *err);

/* {"items": [to_json(item)…], "next_cursor": cursor|null}; cleans up the list. */
json_t *clv_admin_page(clv_list *l, json_t *(*to_json)(const void *item));

/* A JSON string for a time (RFC 3339), or null when t is 0. New reference. */
json_t *clv_json_time(int64_t t);

/* For audit "create" events: every key of obj as {"from": null, "to": value}. */
json_t *clv_admin_created(const json_t *obj);

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
