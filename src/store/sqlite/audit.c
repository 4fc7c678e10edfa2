/* audit — the SQLite backend's audit events: insert and the filtered, keyset-paginated list.
 * Column order follows AUDIT_COLS of sql.c. */
#include <stdlib.h>

#include "store/sqlite/impl.h"

static clv_code audit_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_audit *v = calloc(1, sizeof *v);
    clv_sqlite_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "audit: out of memory");
    clv_sqlite_row_init(&r, st);
    v->id = clv_sqlite_col_text(&r);
    v->at = clv_sqlite_col_int(&r);
    v->actor_type = clv_sqlite_col_text(&r);
    v->actor_id = clv_sqlite_col_text(&r);
    v->tenant_id = clv_sqlite_col_text(&r);
    v->action = clv_sqlite_col_text(&r);
    v->target_type = clv_sqlite_col_text(&r);
    v->target_id = clv_sqlite_col_text(&r);
    v->changes = clv_sqlite_col_json(&r, false);
    rc = clv_sqlite_row_end(&r, "audit", err);
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

static const clv_sqlite_kind audit_kind = {audit_load, audit_key, audit_free_item, "audit"};

clv_code clv_sqlite_audit_insert(clv_store *s, const clv_audit *a, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_AUDIT_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, a->id);
    clv_sqlite_bind_int(&b, a->at);
    clv_sqlite_bind_text(&b, a->actor_type);
    clv_sqlite_bind_text(&b, a->actor_id);
    clv_sqlite_bind_text(&b, a->tenant_id);
    clv_sqlite_bind_text(&b, a->action);
    clv_sqlite_bind_text(&b, a->target_type);
    clv_sqlite_bind_text(&b, a->target_id);
    clv_sqlite_bind_json(&b, a->changes, "{}");
    return clv_sqlite_write(c, &b, "audit_insert", false, err);
}

clv_code clv_sqlite_audit_list(clv_store *s, const clv_audit_filter *f, const clv_store_page *pg,
                               clv_list *out, clv_err *err)
{
    clv_sqlite_stmt_id id = ST_AUDIT_LIST_ALL;
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (f->target_id != NULL)
        id = ST_AUDIT_LIST_TARGET;
    else if (f->actor_id != NULL)
        id = ST_AUDIT_LIST_ACTOR;
    else if (f->tenant_id != NULL)
        id = ST_AUDIT_LIST_TENANT;
    if (!clv_sqlite_prepare(s, id, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, f->tenant_id);
    clv_sqlite_bind_text(&b, f->target_id);
    clv_sqlite_bind_text(&b, f->actor_id);
    clv_sqlite_bind_int(&b, f->since);
    clv_sqlite_bind_page(&b, pg);
    return clv_sqlite_page(c, &b, pg->limit, &audit_kind, out, err);
}
