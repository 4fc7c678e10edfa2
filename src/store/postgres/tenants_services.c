/* tenants_services — the PostgreSQL backend's tenants and services: insert, get (a service
 * with its tenant's status), update (services versioned) and the keyset-paginated lists.
 * Column orders follow TENANT_COLS and SERVICE_COLS of sql.c. */
#include <stdlib.h>

#include "store/postgres/impl.h"

/* ---- tenants ---- */

static clv_code tenant_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_tenant *t = calloc(1, sizeof *t);
    clv_pg_row r;
    clv_code rc;

    if (t == NULL)
        return clv_fail(err, CLV_NOMEM, "tenant: out of memory");
    clv_pg_row_init(&r, res, row);
    t->id = clv_pg_col_text(&r);
    t->name = clv_pg_col_text(&r);
    t->status = (clv_status)clv_pg_col_int(&r);
    t->created_at = clv_pg_col_int(&r);
    t->deactivate_unused_after_days = clv_pg_col_int(&r);
    t->registered_client_lifetime_days = clv_pg_col_int(&r);
    rc = clv_pg_row_end(&r, "tenant", err);
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

static const clv_pg_kind tenant_kind = {tenant_load, tenant_key, tenant_free_item, "tenant"};

clv_code clv_pg_tenant_insert(clv_store *s, const clv_tenant *t, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, t->id);
    clv_pg_text(&p, t->name);
    clv_pg_int(&p, t->status);
    clv_pg_int(&p, t->created_at);
    return clv_pg_write(s, PG_TENANT_INSERT, &p, "tenant_insert", false, err);
}

clv_code clv_pg_tenant_get(clv_store *s, const char *id, clv_tenant **out, clv_err *err)
{
    clv_pg_params p;
    void *item = NULL;
    clv_code rc;

    clv_pg_params_init(&p);
    clv_pg_text(&p, id);
    rc = clv_pg_one(s, PG_TENANT_GET, &p, &tenant_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_pg_tenant_update(clv_store *s, const clv_tenant *t, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, t->name);
    clv_pg_int(&p, t->status);
    clv_pg_int(&p, t->deactivate_unused_after_days);
    clv_pg_int(&p, t->registered_client_lifetime_days);
    clv_pg_text(&p, t->id);
    return clv_pg_write(s, PG_TENANT_UPDATE, &p, "tenant_update", true, err);
}

clv_code clv_pg_tenant_list(clv_store *s, const clv_store_page *pg, clv_list *out, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_page_params(&p, pg);
    return clv_pg_page(s, PG_TENANT_LIST, &p, pg->limit, &tenant_kind, out, err);
}

/* ---- services ---- */

static clv_code service_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_service *v = calloc(1, sizeof *v);
    clv_pg_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "service: out of memory");
    clv_pg_row_init(&r, res, row);
    v->id = clv_pg_col_text(&r);
    v->tenant_id = clv_pg_col_text(&r);
    v->name = clv_pg_col_text(&r);
    v->description = clv_pg_col_text(&r);
    v->status = (clv_status)clv_pg_col_int(&r);
    v->approval = (clv_approval)clv_pg_col_int(&r);
    v->created_at = clv_pg_col_int(&r);
    v->updated_at = clv_pg_col_int(&r);
    v->deleted_at = clv_pg_col_int(&r);
    v->purge_at = clv_pg_col_int(&r);
    v->version = clv_pg_col_int(&r);
    v->tenant_status = (clv_status)clv_pg_col_int(&r);
    rc = clv_pg_row_end(&r, "service", err);
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

static const clv_pg_kind service_kind = {service_load, service_key, service_free_item,
                                         "service"};

clv_code clv_pg_service_insert(clv_store *s, const clv_service *svc, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, svc->id);
    clv_pg_text(&p, svc->tenant_id);
    clv_pg_text(&p, svc->name);
    clv_pg_text(&p, svc->description);
    clv_pg_int(&p, svc->status);
    clv_pg_int(&p, svc->approval);
    clv_pg_int(&p, svc->created_at);
    clv_pg_int(&p, svc->updated_at);
    clv_pg_int(&p, svc->deleted_at);
    clv_pg_int(&p, svc->purge_at);
    return clv_pg_write(s, PG_SERVICE_INSERT, &p, "service_insert", false, err);
}

clv_code clv_pg_service_get(clv_store *s, const char *id, clv_service **out, clv_err *err)
{
    clv_pg_params p;
    void *item = NULL;
    clv_code rc;

    clv_pg_params_init(&p);
    clv_pg_text(&p, id);
    rc = clv_pg_one(s, PG_SERVICE_GET, &p, &service_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_pg_service_update(clv_store *s, const clv_service *svc, clv_err *err)
{
    clv_pg_params p;
    clv_code rc;

    clv_pg_params_init(&p);
    clv_pg_text(&p, svc->name);
    clv_pg_text(&p, svc->description);
    clv_pg_int(&p, svc->status);
    clv_pg_int(&p, svc->approval);
    clv_pg_int(&p, svc->updated_at);
    clv_pg_int(&p, svc->deleted_at);
    clv_pg_int(&p, svc->purge_at);
    clv_pg_text(&p, svc->id);
    clv_pg_int(&p, svc->version);
    rc = clv_pg_write(s, PG_SERVICE_UPDATE, &p, "service_update", true, err);
    if (rc == CLV_NOT_FOUND)
        rc = clv_pg_version_miss(s, PG_SERVICE_EXISTS, svc->id, "service_update", err);
    return rc;
}

clv_code clv_pg_service_list(clv_store *s, const clv_service_filter *f, const clv_store_page *pg,
                             clv_list *out, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, f->tenant_id);
    clv_pg_int(&p, f->status);
    clv_pg_page_params(&p, pg);
    return clv_pg_page(s, PG_SERVICE_LIST, &p, pg->limit, &service_kind, out, err);
}
