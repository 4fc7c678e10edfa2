/* resources — the APIs of a service (RFC 8707; docs/DESIGN.md R38) in the SQLite backend.
 * Removed with their service by ON DELETE CASCADE. Column order follows RESOURCE_COLS of
 * sql.c. */
#include <stdlib.h>

#include "store/sqlite/impl.h"

static clv_code resource_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_resource *v = calloc(1, sizeof *v);
    clv_sqlite_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "resource: out of memory");
    clv_sqlite_row_init(&r, st);
    v->id = clv_sqlite_col_text(&r);
    v->service_id = clv_sqlite_col_text(&r);
    v->identifier = clv_sqlite_col_text(&r);
    v->name = clv_sqlite_col_text(&r);
    v->scopes = clv_sqlite_col_json(&r, true);
    v->created_at = clv_sqlite_col_int(&r);
    rc = clv_sqlite_row_end(&r, "resource", err);
    if (rc != CLV_OK) {
        clv_resource_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void resource_free_item(void *p)
{
    clv_resource_free(p);
}

static const clv_sqlite_kind resource_kind = {resource_load, NULL, resource_free_item,
                                              "resource"};

clv_code clv_sqlite_resource_insert(clv_store *s, const clv_resource *v, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_RESOURCE_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, v->id);
    clv_sqlite_bind_text(&b, v->service_id);
    clv_sqlite_bind_text(&b, v->identifier);
    clv_sqlite_bind_text(&b, v->name);
    clv_sqlite_bind_json(&b, v->scopes, "[]");
    clv_sqlite_bind_int(&b, v->created_at);
    return clv_sqlite_write(c, &b, "resource_insert", false, err);
}

clv_code clv_sqlite_resource_find(clv_store *s, const char *service_id, const char *identifier,
                                  clv_resource **out, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;
    void *item = NULL;

    if (!clv_sqlite_prepare(s, ST_RESOURCE_FIND, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, service_id);
    clv_sqlite_bind_text(&b, identifier);
    rc = clv_sqlite_one(c, &b, &resource_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_sqlite_resource_list(clv_store *s, const char *service_id, clv_list *out,
                                  clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_RESOURCE_LIST, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, service_id);
    return clv_sqlite_page(c, &b, -1, &resource_kind, out, err);
}

clv_code clv_sqlite_resource_delete(clv_store *s, const char *service_id, const char *id,
                                    clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_RESOURCE_DELETE, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, service_id);
    clv_sqlite_bind_text(&b, id);
    return clv_sqlite_write(c, &b, "resource_delete", true, err);
}
