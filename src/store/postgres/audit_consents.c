/* audit_consents — the PostgreSQL backend's audit events (insert, filtered list) and
 * users' remembered consents (docs/DESIGN.md D3: one row per user and client, removed
 * with either by ON DELETE CASCADE). Column orders follow AUDIT_COLS and CONSENT_COLS of
 * sql.c. */
#include <stdlib.h>

#include "store/postgres/impl.h"

/* ---- audit ---- */

static clv_code audit_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_audit *v = calloc(1, sizeof *v);
    clv_pg_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "audit: out of memory");
    clv_pg_row_init(&r, res, row);
    v->id = clv_pg_col_text(&r);
    v->at = clv_pg_col_int(&r);
    v->actor_type = clv_pg_col_text(&r);
    v->actor_id = clv_pg_col_text(&r);
    v->tenant_id = clv_pg_col_text(&r);
    v->action = clv_pg_col_text(&r);
    v->target_type = clv_pg_col_text(&r);
    v->target_id = clv_pg_col_text(&r);
    v->changes = clv_pg_col_json(&r, false);
    rc = clv_pg_row_end(&r, "audit", err);
    if (rc != CLV_OK) {
        clv_audit_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void audit_key(const void *item, int64_t *ts, const char **id)
{
    const clv_audit *v = item;

    *ts = v->at;
    *id = v->id;
}

static void audit_free_item(void *p)
{
    clv_audit_free(p);
}

static const clv_pg_kind audit_kind = {audit_load, audit_key, audit_free_item, "audit"};

clv_code clv_pg_audit_insert(clv_store *s, const clv_audit *a, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, a->id);
    clv_pg_int(&p, a->at);
    clv_pg_text(&p, a->actor_type);
    clv_pg_text(&p, a->actor_id);
    clv_pg_text(&p, a->tenant_id);
    clv_pg_text(&p, a->action);
    clv_pg_text(&p, a->target_type);
    clv_pg_text(&p, a->target_id);
    clv_pg_json(&p, a->changes, "{}");
    return clv_pg_write(s, PG_AUDIT_INSERT, &p, "audit_insert", false, err);
}

clv_code clv_pg_audit_list(clv_store *s, const clv_audit_filter *f, const clv_store_page *pg,
                           clv_list *out, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, f->tenant_id);
    clv_pg_text(&p, f->target_id);
    clv_pg_text(&p, f->actor_id);
    clv_pg_int(&p, f->since);
    clv_pg_page_params(&p, pg);
    return clv_pg_page(s, PG_AUDIT_LIST, &p, pg->limit, &audit_kind, out, err);
}

/* ---- consents ---- */

static clv_code consent_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_consent *v = calloc(1, sizeof *v);
    clv_pg_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "consent: out of memory");
    clv_pg_row_init(&r, res, row);
    v->user_id = clv_pg_col_text(&r);
    v->client_id = clv_pg_col_text(&r);
    v->tenant_id = clv_pg_col_text(&r);
    v->scope = clv_pg_col_text(&r);
    v->created_at = clv_pg_col_int(&r);
    v->updated_at = clv_pg_col_int(&r);
    rc = clv_pg_row_end(&r, "consent", err);
    if (rc != CLV_OK) {
        clv_consent_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void consent_key(const void *item, int64_t *ts, const char **id)
{
    const clv_consent *c = item;

    *ts = c->created_at;
    *id = c->client_id;
}

static void consent_free_item(void *p)
{
    clv_consent_free(p);
}

static const clv_pg_kind consent_kind = {consent_load, consent_key, consent_free_item,
                                         "consent"};

clv_code clv_pg_consent_get(clv_store *s, const char *user_id, const char *client_id,
                            clv_consent **out, clv_err *err)
{
    clv_pg_params p;
    void *item = NULL;
    clv_code rc;

    clv_pg_params_init(&p);
    clv_pg_text(&p, user_id);
    clv_pg_text(&p, client_id);
    rc = clv_pg_one(s, PG_CONSENT_GET, &p, &consent_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_pg_consent_put(clv_store *s, const clv_consent *v, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, v->user_id);
    clv_pg_text(&p, v->client_id);
    clv_pg_text(&p, v->tenant_id);
    clv_pg_text(&p, v->scope);
    clv_pg_int(&p, v->created_at);
    clv_pg_int(&p, v->updated_at);
    return clv_pg_write(s, PG_CONSENT_PUT, &p, "consent_put", false, err);
}

clv_code clv_pg_consent_list(clv_store *s, const char *user_id, const clv_store_page *pg,
                             clv_list *out, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, user_id);
    clv_pg_page_params(&p, pg);
    return clv_pg_page(s, PG_CONSENT_LIST, &p, pg->limit, &consent_kind, out, err);
}

clv_code clv_pg_consent_delete(clv_store *s, const char *user_id, const char *client_id,
                               clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, user_id);
    clv_pg_text(&p, client_id);
    return clv_pg_write(s, PG_CONSENT_DELETE, &p, "consent_delete", true, err);
}
