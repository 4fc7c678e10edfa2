/* tenants_services — the SQLite backend's tenants and services: insert, get (a service with
 * its tenant's status), update (services versioned) and the keyset-paginated lists. Column
 * orders follow TENANT_COLS and SERVICE_COLS of sql.c. */
#include <stdlib.h>

#include "store/sqlite/impl.h"

/* ---- tenants ---- */

static clv_code tenant_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_tenant *t = calloc(1, sizeof *t);
    clv_sqlite_row r;
    clv_code rc;

    if (t == NULL)
        return clv_fail(err, CLV_NOMEM, "tenant: out of memory");
    clv_sqlite_row_init(&r, st);
    t->id = clv_sqlite_col_text(&r);
    t->name = clv_sqlite_col_text(&r);
    t->status = (clv_status)clv_sqlite_col_int(&r);
    t->created_at = clv_sqlite_col_int(&r);
    t->deactivate_unused_after_days = clv_sqlite_col_int(&r);
    t->registered_client_lifetime_days = clv_sqlite_col_int(&r);
    rc = clv_sqlite_row_end(&r, "tenant", err);
    if (rc != CLV_OK) {
        clv_tenant_free(t);
        return rc;
    }
    *item = t;
    return CLV_OK;
}

static void tenant_key(const void *item, int64_t *ts, const char **id)
{
    const clv_tenant *t = item;

    *ts = t->created_at;
    *id = t->id;
}

static void tenant_free_item(void *p)
{
    clv_tenant_free(p);
}

static const clv_sqlite_kind tenant_kind = {tenant_load, tenant_key, tenant_free_item, "tenant"};

clv_code clv_sqlite_tenant_insert(clv_store *s, const clv_tenant *t, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_TENANT_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, t->id);
    clv_sqlite_bind_text(&b, t->name);
    clv_sqlite_bind_int(&b, t->status);
    clv_sqlite_bind_int(&b, t->created_at);
    return clv_sqlite_write(c, &b, "tenant_insert", false, err);
}

clv_code clv_sqlite_tenant_get(clv_store *s, const char *id, clv_tenant **out, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;
    void *item = NULL;

    if (!clv_sqlite_prepare(s, ST_TENANT_GET, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, id);
    rc = clv_sqlite_one(c, &b, &tenant_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_sqlite_tenant_update(clv_store *s, const clv_tenant *t, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_TENANT_UPDATE, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, t->name);
    clv_sqlite_bind_int(&b, t->status);
    clv_sqlite_bind_int(&b, t->deactivate_unused_after_days);
    clv_sqlite_bind_int(&b, t->registered_client_lifetime_days);
    clv_sqlite_bind_text(&b, t->id);
    return clv_sqlite_write(c, &b, "tenant_update", true, err);
}

clv_code clv_sqlite_tenant_list(clv_store *s, const clv_store_page *pg, clv_list *out, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_TENANT_LIST, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_page(&b, pg);
    return clv_sqlite_page(c, &b, pg->limit, &tenant_kind, out, err);
}

/* ---- services ---- */

static clv_code service_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_service *v = calloc(1, sizeof *v);
    clv_sqlite_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "service: out of memory");
    clv_sqlite_row_init(&r, st);
    v->id = clv_sqlite_col_text(&r);
    v->tenant_id = clv_sqlite_col_text(&r);
    v->name = clv_sqlite_col_text(&r);
    v->description = clv_sqlite_col_text(&r);
    v->status = (clv_status)clv_sqlite_col_int(&r);
    v->approval = (clv_approval)clv_sqlite_col_int(&r);
    v->created_at = clv_sqlite_col_int(&r);
    v->updated_at = clv_sqlite_col_int(&r);
    v->deleted_at = clv_sqlite_col_int(&r);
    v->purge_at = clv_sqlite_col_int(&r);
    v->version = clv_sqlite_col_int(&r);
    v->tenant_status = (clv_status)clv_sqlite_col_int(&r);
    rc = clv_sqlite_row_end(&r, "service", err);
    if (rc != CLV_OK) {
        clv_service_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void service_key(const void *item, int64_t *ts, const char **id)
{
    const clv_service *v = item;

    *ts = v->created_at;
    *id = v->id;
}

static void service_free_item(void *p)
{
    clv_service_free(p);
}

static const clv_sqlite_kind service_kind = {service_load, service_key, service_free_item,
                                             "service"};

clv_code clv_sqlite_service_insert(clv_store *s, const clv_service *svc, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_SERVICE_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, svc->id);
    clv_sqlite_bind_text(&b, svc->tenant_id);
    clv_sqlite_bind_text(&b, svc->name);
    clv_sqlite_bind_text(&b, svc->description);
    clv_sqlite_bind_int(&b, svc->status);
    clv_sqlite_bind_int(&b, svc->approval);
    clv_sqlite_bind_int(&b, svc->created_at);
    clv_sqlite_bind_int(&b, svc->updated_at);
    clv_sqlite_bind_int(&b, svc->deleted_at);
    clv_sqlite_bind_int(&b, svc->purge_at);
    return clv_sqlite_write(c, &b, "service_insert", false, err);
}

clv_code clv_sqlite_service_get(clv_store *s, const char *id, clv_service **out, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;
    void *item = NULL;

    if (!clv_sqlite_prepare(s, ST_SERVICE_GET, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, id);
    rc = clv_sqlite_one(c, &b, &service_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_sqlite_service_update(clv_store *s, const clv_service *svc, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;
    int changes = 0;

    if (!clv_sqlite_prepare(s, ST_SERVICE_UPDATE, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, svc->name);
    clv_sqlite_bind_text(&b, svc->description);
    clv_sqlite_bind_int(&b, svc->status);
    clv_sqlite_bind_int(&b, svc->approval);
    clv_sqlite_bind_int(&b, svc->updated_at);
    clv_sqlite_bind_int(&b, svc->deleted_at);
    clv_sqlite_bind_int(&b, svc->purge_at);
    clv_sqlite_bind_text(&b, svc->id);
    clv_sqlite_bind_int(&b, svc->version);
    rc = clv_sqlite_bind_end(&b, c, "service_update", err);
    if (rc != CLV_OK) {
        clv_sqlite_done(st);
        return rc;
    }
    rc = clv_sqlite_exec(c, st, "service_update", &changes, err);
    if (rc == CLV_OK && changes == 0)
        rc = clv_sqlite_version_miss(c, ST_SERVICE_EXISTS, svc->id, "service_update", err);
    return rc;
}

clv_code clv_sqlite_service_list(clv_store *s, const clv_service_filter *f,
                                 const clv_store_page *pg, clv_list *out, clv_err *err)
{
    clv_sqlite_stmt_id id = ST_SERVICE_LIST_ALL;
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    /* lead with the most selective filter, so that its index is used (sql.c) */
    if (f->tenant_id != NULL)
        id = ST_SERVICE_LIST_TENANT;
    else if (f->status >= 0)
        id = ST_SERVICE_LIST_STATUS;
    if (!clv_sqlite_prepare(s, id, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, f->tenant_id);
    clv_sqlite_bind_int(&b, f->status);
    clv_sqlite_bind_page(&b, pg);
    return clv_sqlite_page(c, &b, pg->limit, &service_kind, out, err);
}
