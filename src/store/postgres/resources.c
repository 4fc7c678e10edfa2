/* resources — the APIs of a service (RFC 8707; docs/DESIGN.md R38) in the PostgreSQL
 * backend. Removed with their service by ON DELETE CASCADE. Column order follows
 * RESOURCE_COLS of sql.c. */
#include <stdlib.h>

#include "store/postgres/impl.h"

static clv_code resource_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_resource *v = calloc(1, sizeof *v);
    clv_pg_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "resource: out of memory");
    clv_pg_row_init(&r, res, row);
    v->id = clv_pg_col_text(&r);
    v->service_id = clv_pg_col_text(&r);
    v->identifier = clv_pg_col_text(&r);
    v->name = clv_pg_col_text(&r);
    v->scopes = clv_pg_col_json(&r, true);
    v->created_at = clv_pg_col_int(&r);
    rc = clv_pg_row_end(&r, "resource", err);
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

static const clv_pg_kind resource_kind = {resource_load, NULL, resource_free_item, "resource"};

clv_code clv_pg_resource_insert(clv_store *s, const clv_resource *v, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, v->id);
    clv_pg_text(&p, v->service_id);
    clv_pg_text(&p, v->identifier);
    clv_pg_text(&p, v->name);
    clv_pg_json(&p, v->scopes, "[]");
    clv_pg_int(&p, v->created_at);
    return clv_pg_write(s, PG_RESOURCE_INSERT, &p, "resource_insert", false, err);
}

clv_code clv_pg_resource_find(clv_store *s, const char *service_id, const char *identifier,
                              clv_resource **out, clv_err *err)
{
    clv_pg_params p;
    void *item = NULL;
    clv_code rc;

    clv_pg_params_init(&p);
    clv_pg_text(&p, service_id);
    clv_pg_text(&p, identifier);
    rc = clv_pg_one(s, PG_RESOURCE_FIND, &p, &resource_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_pg_resource_list(clv_store *s, const char *service_id, clv_list *out, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, service_id);
    return clv_pg_page(s, PG_RESOURCE_LIST, &p, -1, &resource_kind, out, err);
}

clv_code clv_pg_resource_delete(clv_store *s, const char *service_id, const char *id,
                                clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, service_id);
    clv_pg_text(&p, id);
    return clv_pg_write(s, PG_RESOURCE_DELETE, &p, "resource_delete", true, err);
}
