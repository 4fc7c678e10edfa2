/* operation — what the admin modules share: the one signature of every operation the admin
 * API routes to (clv_admin_fn over clv_admin_args), pages, body fields, protected objects.
 * Writing clients and closing transactions is core's (core/client_write.h). */
#ifndef CLV_ADMIN_OPERATION_H
#define CLV_ADMIN_OPERATION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"
#include "core/client_write.h"

/* A precondition on an object's version: the entity tags of If-Match (RFC 9110
 * §13.1.1), which src/http parses. any: no precondition ("*"); else the versions the
 * caller named, n of them (none when every tag was weak or not one of ours: then nothing
 * matches). versions is owned by whoever filled the struct. */
typedef struct {
    bool any;
    size_t n;
    int64_t *versions;
} clv_version_match;

/* Whether an object at version meets m; a NULL m is no precondition. */
bool clv_version_matches(const clv_version_match *m, int64_t version);

enum { CLV_ADMIN_QUERY_MAX = 12 };

/* A query parameter an operation reads: its name, and its value or NULL when absent. */
typedef struct {
    const char *name, *value;
} clv_admin_param;

/* The arguments of every admin operation the admin API routes to (one row of the route
 * table in src/http/router.c each). Everything is borrowed for the call; an operation
 * reads the members its route fills and ignores the others. */
typedef struct {
    const clv_principal *p;              /* who asks; never NULL */
    const char *id, *id2;                /* the path's captured segments in order, or NULL */
    const json_t *body;                  /* the JSON object body; NULL when there is none */
    int action;                          /* the route's fixed action (clv_client_action,
                                          * clv_service_action); 0 otherwise */
    const char *cursor;                  /* a page: where it starts (NULL: the first) … */
    int limit;                           /* … and its size (1..100) */
    const clv_version_match *if_match;   /* NULL: no precondition */
    clv_admin_param query[CLV_ADMIN_QUERY_MAX]; /* the query parameters the route reads */
} clv_admin_args;

/* The one signature of the admin operations: on CLV_OK *out is the JSON to answer with (a
 * new reference, or NULL when there is nothing to show); on any other code *out is left
 * NULL and err says why. */
typedef clv_code (*clv_admin_fn)(clv_app *app, const clv_admin_args *args, json_t **out,
                                 clv_err *err);

/* The value of the query parameter name in args; NULL when absent or not read. */
const char *clv_admin_query(const clv_admin_args *args, const char *name);

/* The tenant a list shows: the query's tenant_id (NULL: every tenant) for a platform
 * admin, the principal's own for a tenant admin (docs/DESIGN.md R15). */
const char *clv_admin_tenant_filter(const clv_admin_args *args);

/* Reads the status filter name ("active" | "inactive" | "deleted") into *out, -1 when
 * absent; CLV_INVALID naming it otherwise. */
clv_code clv_admin_status_query(const clv_admin_args *args, const char *name, int *out,
                                clv_err *err);


/* {"items": [to_json(item)…], "next_cursor": cursor|null}; cleans up the list. */
json_t *clv_admin_page(clv_list *l, json_t *(*to_json)(const void *item));

/* Checks that body has only keys from allowed (NULL-terminated); CLV_INVALID naming the
 * first other key. */
clv_code clv_admin_only_keys(const json_t *body, const char *const *allowed, clv_err *err);

/* The characters of the UTF-8 string s (not its bytes). */
size_t clv_admin_chars(const char *s);

/* Reads an optional string field: absent → *out untouched and CLV_OK; null → *out = NULL
 * if nullable else invalid; else it must be a string of 1..max characters. */
clv_code clv_admin_str_field(const json_t *body, const char *name, size_t max, bool nullable,
                             bool *present, const char **out, clv_err *err);

/* true if id is the tenant (meta "init_tenant_id") or the service ("init_service_id") that
 * holds the protected clients: switching it off or deleting it would switch them off too
 * (docs/DESIGN.md M, R5), so such a change is a 409. */
bool clv_admin_holds_protected(clv_app *app, const char *meta_name, const char *id);

#endif
